//! The front end of `#[fisher_model]`: the attribute grammar ([`attr`]), the checked model
//! ([`Model`]), the derivation ([`derive`]), proofs across parameterizations ([`reparam`]),
//! the report ([`report`]) and the expansion to tokens ([`expand`]).
//!
//! A model is built the same way from the macro's tokens and from strings (tests, examples and
//! benchmarks use [`Model::from_source`]), so everything the macro does is testable in-process.

pub mod attr;
pub mod derive;
pub mod expand;
pub mod reparam;
pub mod report;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{FnArg, Ident, ItemFn, Pat, ReturnType, Type};

use crate::expect::{DeclaredMoment, MomentKind};
use crate::expr::{Id, Symbol};
use crate::parse;
use crate::Arena;

pub use derive::{Check, CheckOutcome, Derivation, Jeffreys};

/// Collects errors and combines them, so the user sees every problem at once.
#[derive(Default, Debug)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    /// No errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an error.
    pub fn push(&mut self, e: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }

    /// True when no error was pushed.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// `Err` with every error pushed, or `Ok(value)`.
    pub fn finish<T>(self, value: T) -> syn::Result<T> {
        match self.0 {
            Some(e) => Err(e),
            None => Ok(value),
        }
    }

    /// Takes the combined error out, if any.
    pub fn take(&mut self) -> Option<syn::Error> {
        self.0.take()
    }
}

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

/// A declared moment, in IR, with the syntax it came from.
#[derive(Clone, Debug)]
pub struct Moment {
    /// The moment in IR.
    pub moment: DeclaredMoment,
    /// Index into `attr.moments`.
    pub index: usize,
}

/// A checked model: roles assigned, body and moments parsed to IR.
#[derive(Debug)]
pub struct Model {
    /// The arena every expression of this model lives in.
    pub arena: Arena,
    /// The user's function, as written.
    pub item: ItemFn,
    /// The parsed attribute.
    pub attr: attr::Attr,
    /// The function's arguments in order.
    pub args: Vec<Arg>,
    /// Parameters in matrix order.
    pub params: Vec<Symbol>,
    /// Data arguments.
    pub data: Vec<Symbol>,
    /// Input (covariate) arguments.
    pub inputs: Vec<Symbol>,
    /// Constants: the other arguments, in the function's order.
    pub constants: Vec<Symbol>,
    /// The log-likelihood.
    pub loglik: Id,
    /// Declared moments.
    pub moments: Vec<Moment>,
}

impl Model {
    /// Builds a model from source text: the attribute's arguments and the function.
    ///
    /// ```
    /// let m = fim_core::model::Model::from_source(
    ///     "params(theta), data(x), moments(E[x] = n * theta)",
    ///     "fn binomial(x: f64, theta: f64, n: f64) -> f64 { x * theta.ln() + (n - x) * (1.0 - theta).ln() }",
    /// ).unwrap();
    /// assert_eq!(m.params.len(), 1);
    /// ```
    pub fn from_source(attr: &str, item: &str) -> syn::Result<Model> {
        let attr: TokenStream = attr.parse().map_err(|e| {
            syn::Error::new(
                Span::call_site(),
                format!("attribute is not valid Rust tokens: {e}"),
            )
        })?;
        let item: TokenStream = item.parse().map_err(|e| {
            syn::Error::new(
                Span::call_site(),
                format!("function is not valid Rust tokens: {e}"),
            )
        })?;
        Model::from_tokens(attr, item)
    }

    /// Builds a model from the macro's tokens.
    pub fn from_tokens(attr: TokenStream, item: TokenStream) -> syn::Result<Model> {
        parse::check_depth(&item)?;
        let item: ItemFn = syn::parse2(item)?;
        Model::from_item(attr, item)
    }

    /// Builds a model from the attribute's tokens and an already parsed function.
    pub fn from_item(attr_tokens: TokenStream, item: ItemFn) -> syn::Result<Model> {
        let mut errors = Errors::new();
        parse::check_depth(&attr_tokens)?;
        let attr = attr::parse(attr_tokens, &mut errors);
        let mut arena = Arena::new();
        let args = signature(&item, &mut arena, &mut errors);

        // Roles.
        let fname = item.sig.ident.to_string();
        let mut roles: Vec<(Ident, Role)> = Vec::new();
        let param_idents: Vec<Ident> = match &attr.params {
            Some((_, v)) => v.clone(),
            None => {
                if errors.is_empty() {
                    errors.push(syn::Error::new(
                        Span::call_site(),
                        "missing `params(..)`: name the parameters, e.g. `params(theta)`",
                    ));
                }
                Vec::new()
            }
        };
        for (list, role) in [
            (&param_idents, Role::Param),
            (&attr.data, Role::Data),
            (&attr.inputs, Role::Input),
        ] {
            for id in list.iter() {
                if let Some((_, prev)) = roles.iter().find(|(p, _)| p == id) {
                    let msg = if *prev == role {
                        format!("`{id}` is listed twice")
                    } else {
                        format!(
                            "`{id}` cannot be both {} and {}",
                            role_name(*prev),
                            role_name(role)
                        )
                    };
                    errors.push(syn::Error::new(id.span(), msg));
                    continue;
                }
                if !args.iter().any(|a| a.ident == *id) {
                    errors.push(syn::Error::new(
                        id.span(),
                        format!("`{id}` is not an argument of `{fname}`"),
                    ));
                    continue;
                }
                roles.push((id.clone(), role));
            }
        }
        let mut args = args;
        for a in &mut args {
            if let Some((_, r)) = roles.iter().find(|(p, _)| *p == a.ident) {
                a.role = *r;
            }
        }
        let by_role = |r: Role| -> Vec<Symbol> {
            let mut v: Vec<(usize, Symbol)> = Vec::new();
            for a in args.iter().filter(|a| a.role == r) {
                // Params keep the attribute's order; the others the function's.
                let pos = if r == Role::Param {
                    param_idents
                        .iter()
                        .position(|p| *p == a.ident)
                        .unwrap_or(usize::MAX)
                } else {
                    v.len()
                };
                v.push((pos, a.sym));
            }
            v.sort_by_key(|p| p.0);
            v.into_iter().map(|p| p.1).collect()
        };
        let params = by_role(Role::Param);
        let data = by_role(Role::Data);
        let inputs = by_role(Role::Input);
        let constants = by_role(Role::Constant);

        // The body.
        let loglik = match parse::block(&mut arena, &item.block) {
            Ok(id) => Some(id),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        if let Some(l) = loglik {
            check_names(
                &mut arena,
                l,
                &args,
                &item.block,
                "the log-likelihood",
                &mut errors,
            );
            check_abs(&item.block, &args, &mut errors);
            for (id, a) in param_idents.iter().zip(&params) {
                if !arena.depends_on(l, *a) {
                    errors.push(syn::Error::new(
                        id.span(),
                        format!(
                            "parameter `{id}` does not appear in the log-likelihood: its row of the \
                             Fisher information would be zero (singular F)"
                        ),
                    ));
                }
            }
        }

        // Moments.
        let mut moments = Vec::new();
        for (index, m) in attr.moments.iter().enumerate() {
            let lhs = parse::expr(&mut arena, &m.lhs);
            let rhs = parse::expr(&mut arena, &m.rhs);
            let (lhs, rhs) = match (lhs, rhs) {
                (Ok(l), Ok(r)) => (l, r),
                (l, r) => {
                    for e in [l.err(), r.err()].into_iter().flatten() {
                        errors.push(e);
                    }
                    continue;
                }
            };
            let ok_l = check_names(&mut arena, lhs, &args, &m.lhs, "a moment", &mut errors);
            let ok_r = check_names(&mut arena, rhs, &args, &m.rhs, "a moment", &mut errors);
            if !(ok_l && ok_r) {
                continue;
            }
            let data_unknown = attr.broken.iter().any(|k| k == attr::DATA);
            if !data_unknown && !arena.depends_on_any(lhs, &data) {
                errors.push(syn::Error::new_spanned(
                    &m.lhs,
                    format!(
                        "`{}[..]` has no data in it: the expression inside must involve {}",
                        m.kind,
                        list_names(&arena, &data)
                    ),
                ));
                continue;
            }
            if arena.depends_on_any(rhs, &data) {
                let present: Vec<Symbol> = data
                    .iter()
                    .copied()
                    .filter(|&d| arena.depends_on(rhs, d))
                    .collect();
                let first_data = present
                    .iter()
                    .find_map(|&d| find_ident(m.rhs.to_token_stream(), arena.name(d)));
                errors.push(syn::Error::new(
                    first_data.unwrap_or_else(|| m.rhs.span()),
                    "data inside a moment's right-hand side: an expectation is a function of the \
                     parameters and constants only",
                ));
                continue;
            }
            let kind = if m.kind == "Var" {
                MomentKind::Var
            } else {
                MomentKind::Mean
            };
            moments.push(Moment {
                moment: DeclaredMoment { kind, lhs, rhs },
                index,
            });
        }

        let loglik = match loglik {
            Some(l) => l,
            None => {
                return Err(errors
                    .take()
                    .unwrap_or_else(|| syn::Error::new(Span::call_site(), "bad body")))
            }
        };
        errors.finish(Model {
            arena,
            item,
            attr,
            args,
            params,
            data,
            inputs,
            constants,
            loglik,
            moments,
        })
    }

    /// The name of a symbol.
    pub fn name(&self, s: Symbol) -> &str {
        self.arena.name(s)
    }

    /// The identifier (with its span) of a parameter.
    pub fn param_ident(&self, i: usize) -> Ident {
        let s = self.params[i];
        self.args
            .iter()
            .find(|a| a.sym == s)
            .map(|a| a.ident.clone())
            .unwrap_or_else(|| Ident::new(self.arena.name(s), Span::call_site()))
    }

    /// The span to blame for a problem with the model as a whole: the function's name.
    pub fn span(&self) -> Span {
        self.item.sig.ident.span()
    }

    /// The symbols of the arguments whose role passes `keep`, in the function's order.
    pub fn syms_where(&self, keep: impl Fn(Role) -> bool) -> Vec<Symbol> {
        self.args
            .iter()
            .filter(|a| keep(a.role))
            .map(|a| a.sym)
            .collect()
    }

    /// Arguments that are not data or inputs, in the function's order (`P` in the contract).
    pub fn p_args(&self) -> Vec<&Arg> {
        self.args
            .iter()
            .filter(|a| matches!(a.role, Role::Param | Role::Constant))
            .collect()
    }
}

fn role_name(r: Role) -> &'static str {
    match r {
        Role::Param => "a parameter",
        Role::Data => "data",
        Role::Input => "an input",
        Role::Constant => "a constant",
    }
}

fn list_names(arena: &Arena, syms: &[Symbol]) -> String {
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
fn check_names(
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
fn signature(item: &ItemFn, arena: &mut Arena, errors: &mut Errors) -> Vec<Arg> {
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
        ReturnType::Type(_, t) if is_f64(t) => {}
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
                if !is_f64(&pt.ty) {
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
fn check_abs(block: &syn::Block, args: &[Arg], errors: &mut Errors) {
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

fn check_abs_in(e: &syn::Expr, data_names: &[String], errors: &mut Errors) {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match e {
            syn::Expr::MethodCall(m) => {
                if m.method == "abs" {
                    let toks = m.receiver.to_token_stream();
                    if !data_names
                        .iter()
                        .any(|d| find_ident(toks.clone(), d).is_some())
                    {
                        errors.push(syn::Error::new(
                            m.method.span(),
                            "`abs` applies to data only, as in `(x - m).abs()`: the \
                             log-likelihood must be differentiable in the parameters",
                        ));
                    }
                }
                stack.push(&m.receiver);
                stack.extend(m.args.iter());
            }
            syn::Expr::Binary(b) => {
                stack.push(&b.left);
                stack.push(&b.right);
            }
            syn::Expr::Unary(u) => stack.push(&u.expr),
            syn::Expr::Paren(p) => stack.push(&p.expr),
            syn::Expr::Group(g) => stack.push(&g.expr),
            syn::Expr::Call(c) => {
                let is_abs = matches!(&*c.func, syn::Expr::Path(p)
                    if p.path.segments.last().is_some_and(|s| s.ident == "abs"));
                if is_abs {
                    let toks: TokenStream = c.args.to_token_stream();
                    if !data_names
                        .iter()
                        .any(|d| find_ident(toks.clone(), d).is_some())
                    {
                        errors.push(syn::Error::new(
                            c.func.span(),
                            "`abs` applies to data only, as in `f64::abs(x - m)`: the \
                             log-likelihood must be differentiable in the parameters",
                        ));
                    }
                }
                stack.extend(c.args.iter());
            }
            _ => {}
        }
    }
}

fn is_f64(t: &Type) -> bool {
    match t {
        Type::Path(p) => p.qself.is_none() && p.path.is_ident("f64"),
        Type::Group(g) => is_f64(&g.elem),
        Type::Paren(p) => is_f64(&p.elem),
        _ => false,
    }
}
