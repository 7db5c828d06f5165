//! The checks that turn the user's function and attribute into a [`Model`](super::Model): the
//! signature (every argument a real number), the names in the body and the moments, and `abs`
//! on data only. Each error points at the user's token.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{FnArg, Ident, ItemFn, Pat, ReturnType};

use crate::expr::{Id, Symbol};
use crate::parse;
use crate::Arena;

use crate::ctxt::Errors;

/// What an argument of the log-likelihood is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A parameter: a row and column of F.
    Param,
    /// Random data: averaged over by the expectation.
    Data,
    /// A covariate of a conditional model: F is averaged over a set of them.
    Input,
    /// Anything else: a fixed constant such as the number of trials.
    Constant,
}

/// One argument of the user's function.
#[derive(Clone, Debug)]
pub struct Arg {
    /// The argument's identifier as written in the signature.
    pub ident: Ident,
    /// Its symbol in the arena.
    pub sym: Symbol,
    /// Its role.
    pub role: Role,
}

pub(super) fn role_name(r: Role) -> &'static str {
    match r {
        Role::Param => "a parameter",
        Role::Data => "data",
        Role::Input => "an input",
        Role::Constant => "a constant",
    }
}

pub(super) fn list_names(arena: &Arena, syms: &[Symbol]) -> String {
    if syms.is_empty() {
        return "a `data(..)` argument".to_string();
    }
    syms.iter()
        .map(|&s| format!("`{}`", arena.name(s)))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The span of the first identifier `name` in `tokens` (searched without recursion).
pub(crate) fn find_ident(tokens: TokenStream, name: &str) -> Option<Span> {
    let mut stack = vec![tokens.into_iter()];
    while let Some(top) = stack.last_mut() {
        match top.next() {
            Some(proc_macro2::TokenTree::Ident(i)) if i == name => return Some(i.span()),
            Some(proc_macro2::TokenTree::Group(g)) => stack.push(g.stream().into_iter()),
            Some(_) => {}
            None => {
                stack.pop();
            }
        }
    }
    None
}

/// Every free symbol of `id` must be an argument; an error points at the name in `tokens`.
pub(super) fn check_names(
    arena: &mut Arena,
    id: Id,
    args: &[Arg],
    tokens: &dyn ToTokens,
    what: &str,
    errors: &mut Errors,
) -> bool {
    let mut ok = true;
    for s in arena.free_symbols(id) {
        if !args.iter().any(|a| a.sym == s) {
            let span =
                find_ident(tokens.to_token_stream(), arena.name(s)).unwrap_or_else(Span::call_site);
            errors.push(syn::Error::new(
                span,
                format!(
                    "unknown name `{}` in {what}: it is not an argument of the function",
                    arena.name(s)
                ),
            ));
            ok = false;
        }
    }
    ok
}

/// The arguments of the signature; every one must be `name: f64`.
pub(super) fn signature(item: &ItemFn, arena: &mut Arena, errors: &mut Errors) -> Vec<Arg> {
    let sig = &item.sig;
    let what = "#[fisher_model] needs a plain `fn name(a: f64, ..) -> f64`";
    if let Some(t) = &sig.asyncness {
        errors.push(syn::Error::new(
            t.span(),
            format!("{what}: it cannot be `async`"),
        ));
    }
    if let Some(t) = &sig.unsafety {
        errors.push(syn::Error::new(
            t.span(),
            format!("{what}: it cannot be `unsafe`"),
        ));
    }
    if let Some(t) = &sig.constness {
        errors.push(syn::Error::new(
            t.span(),
            format!("{what}: it cannot be `const`"),
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new(
            sig.generics.span(),
            format!("{what}: it cannot be generic"),
        ));
    }
    if let Some(v) = &sig.variadic {
        errors.push(syn::Error::new(
            v.span(),
            format!("{what}: it cannot be variadic"),
        ));
    }
    match &sig.output {
        ReturnType::Type(_, t) if parse::is_f64(t) => {}
        ReturnType::Type(_, t) => errors.push(syn::Error::new(
            t.span(),
            format!("{what}: it must return `f64`"),
        )),
        ReturnType::Default => errors.push(syn::Error::new(
            sig.paren_token.span.close(),
            format!("{what}: it must return `f64` (add `-> f64`)"),
        )),
    }
    let mut args: Vec<Arg> = Vec::new();
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(r) => errors.push(syn::Error::new(
                r.span(),
                format!("{what}: `self` is not allowed"),
            )),
            FnArg::Typed(pt) => {
                let ident = match &*pt.pat {
                    Pat::Ident(pi) if pi.subpat.is_none() && pi.by_ref.is_none() => {
                        pi.ident.clone()
                    }
                    other => {
                        errors.push(syn::Error::new(
                            other.span(),
                            "expected a plain argument name such as `theta`",
                        ));
                        continue;
                    }
                };
                if !parse::is_f64(&pt.ty) {
                    errors.push(syn::Error::new(
                        pt.ty.span(),
                        format!("argument `{ident}` must be `f64`: every argument of a model is a real number"),
                    ));
                }
                if args.iter().any(|a| a.ident == ident) {
                    continue;
                }
                let sym = arena.symbol(&ident.to_string());
                args.push(Arg {
                    ident,
                    sym,
                    role: Role::Constant,
                });
            }
        }
    }
    args
}

/// `.abs()` (or `f64::abs`) applies to data only: |x - m| is fine, |θ| is not (the
/// log-likelihood would not be differentiable in θ). `let` names that hold data count as data.
pub(super) fn check_abs(block: &syn::Block, args: &[Arg], errors: &mut Errors) {
    let mut data_names: Vec<String> = args
        .iter()
        .filter(|a| a.role == Role::Data)
        .map(|a| a.ident.to_string())
        .collect();
    let mut exprs: Vec<&syn::Expr> = Vec::new();
    for stmt in &block.stmts {
        match stmt {
            syn::Stmt::Local(local) => {
                if let Some(init) = &local.init {
                    check_abs_in(&init.expr, &data_names, errors);
                    if let syn::Pat::Ident(pi) = &local.pat {
                        let toks = init.expr.to_token_stream();
                        let holds_data = data_names
                            .iter()
                            .any(|d| find_ident(toks.clone(), d).is_some());
                        let name = pi.ident.to_string();
                        data_names.retain(|d| *d != name);
                        if holds_data {
                            data_names.push(name);
                        }
                    }
                }
            }
            syn::Stmt::Expr(e, _) => exprs.push(e),
            _ => {}
        }
    }
    for e in exprs {
        check_abs_in(e, &data_names, errors);
    }
}

/// `abs` (as `.abs()` or `f64::abs(..)`) in `e` applies to data: its argument must mention
/// one of `data_names`.
fn check_abs_in(e: &syn::Expr, data_names: &[String], errors: &mut Errors) {
    let mentions_data = |tokens: TokenStream| {
        data_names
            .iter()
            .any(|d| find_ident(tokens.clone(), d).is_some())
    };
    for_each_expr(e, |e| match e {
        syn::Expr::MethodCall(m)
            if m.method == "abs" && !mentions_data(m.receiver.to_token_stream()) =>
        {
            errors.push(syn::Error::new(
                m.method.span(),
                "`abs` applies to data only, as in `(x - m).abs()`: the log-likelihood \
                 must be differentiable in the parameters",
            ));
        }
        syn::Expr::Call(c) => {
            let is_abs = matches!(&*c.func, syn::Expr::Path(p)
                if p.path.segments.last().is_some_and(|s| s.ident == "abs"));
            if is_abs && !mentions_data(c.args.to_token_stream()) {
                errors.push(syn::Error::new(
                    c.func.span(),
                    "`abs` applies to data only, as in `f64::abs(x - m)`: the log-likelihood \
                     must be differentiable in the parameters",
                ));
            }
        }
        _ => {}
    });
}

/// The plain identifiers (variables) of an expression, in order of first appearance.
pub(super) fn expr_idents(e: &syn::Expr, out: &mut Vec<Ident>) {
    for_each_expr(e, |e| {
        if let syn::Expr::Path(p) = e {
            if let Some(i) = p.path.get_ident().filter(|_| p.qself.is_none()) {
                if !out.contains(i) {
                    out.push(i.clone());
                }
            }
        }
    });
}

/// Visits `e` and its operand subexpressions in written order (pre-order, left to right),
/// without recursion. The function of a call is not visited: it is a name, not a value.
fn for_each_expr<'a>(e: &'a syn::Expr, mut f: impl FnMut(&'a syn::Expr)) {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        f(e);
        let start = stack.len();
        match e {
            syn::Expr::Binary(b) => stack.extend([&*b.left, &*b.right]),
            syn::Expr::Unary(u) => stack.push(&u.expr),
            syn::Expr::Paren(p) => stack.push(&p.expr),
            syn::Expr::Group(g) => stack.push(&g.expr),
            syn::Expr::Cast(c) => stack.push(&c.expr),
            syn::Expr::MethodCall(m) => {
                stack.push(&m.receiver);
                stack.extend(m.args.iter());
            }
            syn::Expr::Call(c) => stack.extend(c.args.iter()),
            _ => {}
        }
        // Children were pushed in written order: reverse them so the first pops first.
        stack[start..].reverse();
    }
}
