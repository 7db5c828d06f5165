//! The checks that turn the user's function and attribute into a [`Model`](super::Model): the
//! signature (every argument a real number or an array of them), the names in the body and the
//! moments, and `abs` on data only. Each error points at the user's token.

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

/// One argument of the user's function: a number or an array of them.
#[derive(Clone, Debug)]
pub struct Arg {
    /// The argument's identifier as written in the signature.
    pub ident: Ident,
    /// Its type as written (`f64`, `[f64; 3]`), for the generated signatures.
    pub ty: syn::Type,
    /// Its shape: empty for `f64`, `[N]` for `[f64; N]`, `[N, M]` for `[[f64; M]; N]`.
    pub dims: Vec<usize>,
    /// The symbols of its entries in the arena, row-major (one for an `f64`): `alpha[2]` for
    /// the third entry of `alpha`.
    pub syms: Vec<Symbol>,
    /// Its role.
    pub role: Role,
    /// False when its type was refused.
    pub known: bool,
}

impl Arg {
    /// The argument as a value of the body: its symbol, or an array of its entries.
    pub fn value(&self, arena: &mut Arena) -> parse::Value {
        fn nest(arena: &mut Arena, dims: &[usize], syms: &[Symbol]) -> parse::Value {
            match dims.split_first() {
                None => parse::Value::Real(arena.sym(syms[0])),
                Some((&n, rest)) => {
                    let stride = rest.iter().product::<usize>();
                    parse::Value::Array(
                        (0..n)
                            .map(|i| nest(arena, rest, &syms[i * stride..(i + 1) * stride]))
                            .collect(),
                    )
                }
            }
        }
        nest(arena, &self.dims, &self.syms)
    }

    /// Tokens that read entry `k` (row-major) of this argument: `alpha`, `alpha[2]`,
    /// `x[1][0]`.
    pub fn entry_tokens(&self, k: usize) -> TokenStream {
        let ident = &self.ident;
        let mut out = quote::quote! { #ident };
        let mut rest = k;
        for (d, _) in self.dims.iter().enumerate() {
            let stride: usize = self.dims[d + 1..].iter().product();
            let i = rest / stride;
            rest %= stride;
            out.extend(quote::quote! { [#i] });
        }
        out
    }
}

/// The most entries one array argument may have: far beyond a real model, small enough that
/// the derivation stays bounded.
pub const MAX_ENTRIES: usize = 10_000;

/// The shape of an argument's type: `f64` (no dimensions), `[f64; N]` or `[[f64; M]; N]` with
/// integer-literal lengths.
pub(crate) fn dims_of(ty: &syn::Type) -> Option<Vec<usize>> {
    if parse::is_f64(ty) {
        return Some(Vec::new());
    }
    match ty {
        syn::Type::Paren(p) => dims_of(&p.elem),
        syn::Type::Group(g) => dims_of(&g.elem),
        syn::Type::Array(a) => {
            let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(n),
                ..
            }) = &a.len
            else {
                return None;
            };
            let n = n.base10_parse::<usize>().ok().filter(|n| *n > 0)?;
            let mut inner = dims_of(&a.elem)?;
            if inner.len() >= 2 {
                return None;
            }
            inner.insert(0, n);
            Some(inner)
        }
        _ => None,
    }
}

/// The type of an argument of shape `dims`: `f64`, `[f64; N]`, `[[f64; M]; N]`.
pub(crate) fn array_type(dims: &[usize]) -> syn::Type {
    let mut ty: syn::Type = syn::parse_quote!(f64);
    for &n in dims.iter().rev() {
        ty = syn::parse_quote!([#ty; #n]);
    }
    ty
}

/// The name of entry `k` of an argument: `alpha` for an `f64`, `alpha[2]`, `x[1][0]`.
pub(crate) fn entry_name(ident: &str, dims: &[usize], k: usize) -> String {
    let mut name = ident.to_string();
    let mut rest = k;
    for d in 0..dims.len() {
        let stride: usize = dims[d + 1..].iter().product();
        name.push_str(&format!("[{}]", rest / stride));
        rest %= stride;
    }
    name
}

pub(super) fn role_name(r: Role) -> &'static str {
    match r {
        Role::Param => "a parameter",
        Role::Data => "data",
        Role::Input => "an input",
        Role::Constant => "a constant",
    }
}

/// The arguments holding `syms`, as `` `x` or `y` ``, for messages.
pub(super) fn list_names(args: &[Arg], syms: &[Symbol]) -> String {
    let names: Vec<String> = args
        .iter()
        .filter(|a| a.syms.iter().any(|s| syms.contains(s)))
        .map(|a| format!("`{}`", a.ident))
        .collect();
    if names.is_empty() {
        return "a `data(..)` argument".to_string();
    }
    names.join(" or ")
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

/// The prefix of every name the generated code binds (`__fim_t0`, `__fim_f`, …).
pub const RESERVED_PREFIX: &str = "__fim";

/// The arguments the generated functions take besides the model's own, with the item that
/// takes each and the model arguments that stand beside it there.
pub const GENERATED_ARGUMENTS: [(&str, &str, &[Role]); 3] = [
    (
        "grad",
        "natural_gradient",
        &[Role::Param, Role::Constant, Role::Input],
    ),
    (
        "delta",
        "kl_quadratic",
        &[Role::Param, Role::Constant, Role::Input],
    ),
    ("inputs", "fisher_averaged", &[Role::Param, Role::Constant]),
];

/// A name the generated code would capture or collide with, as an error at `ident` (`None`
/// when the name is free): names starting with [`RESERVED_PREFIX`], and the names of
/// [`GENERATED_ARGUMENTS`] for an argument in the role that stands beside them.
pub(super) fn collision(ident: &Ident, role: Option<Role>) -> Option<syn::Error> {
    let name = ident.to_string();
    let name = name.strip_prefix("r#").unwrap_or(&name);
    if name.starts_with(RESERVED_PREFIX) {
        return Some(syn::Error::new(
            ident.span(),
            format!(
                "`{name}`: names starting with `{RESERVED_PREFIX}` are reserved for the code \
                 #[fisher_model] generates; rename it"
            ),
        ));
    }
    let (_, item, roles) = GENERATED_ARGUMENTS.iter().find(|g| g.0 == name)?;
    if role.is_some_and(|r| !roles.contains(&r)) {
        return None;
    }
    Some(syn::Error::new(
        ident.span(),
        format!(
            "`{name}` is the name of an argument of the generated `{item}`, which also takes \
             this one: rename it"
        ),
    ))
}

/// No argument may collide with the names of the generated code (see [`collision`]).
pub(super) fn check_collisions(args: &[Arg], errors: &mut Errors) {
    for a in args {
        if let Some(e) = collision(&a.ident, Some(a.role)) {
            errors.push(e);
        }
    }
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
        if !args.iter().any(|a| a.syms.contains(&s)) {
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
                let dims = dims_of(&pt.ty);
                let entries = dims.as_ref().map(|d| d.iter().product::<usize>());
                let mut known = true;
                let dims = match dims.filter(|_| entries.is_some_and(|n| n <= MAX_ENTRIES)) {
                    Some(dims) => dims,
                    None => {
                        known = false;
                        let msg = if entries.is_some() {
                            format!("argument `{ident}` has more than {MAX_ENTRIES} entries")
                        } else {
                            format!(
                                "argument `{ident}` must be `f64`, `[f64; N]` or `[[f64; M]; N]` \
                                 with integer-literal lengths: every argument of a model is a \
                                 real number or an array of them"
                            )
                        };
                        errors.push(syn::Error::new(pt.ty.span(), msg));
                        Vec::new()
                    }
                };
                if args.iter().any(|a| a.ident == ident) {
                    continue;
                }
                let name = ident.to_string();
                let n = dims.iter().product::<usize>();
                let syms = (0..n)
                    .map(|k| arena.symbol(&entry_name(&name, &dims, k)))
                    .collect();
                args.push(Arg {
                    ident,
                    ty: (*pt.ty).clone(),
                    dims,
                    syms,
                    role: Role::Constant,
                    known,
                });
            }
        }
    }
    args
}

/// `abs` applies to data only: |x - m| is fine, |θ| is not (the log-likelihood would not be
/// differentiable in θ). Each `abs` the parser built is checked where it was written.
pub(super) fn check_abs(
    arena: &mut Arena,
    sites: &[(Id, Span)],
    data: &[Symbol],
    errors: &mut Errors,
) {
    for &(id, span) in sites {
        if !arena.depends_on_any(id, data) {
            errors.push(syn::Error::new(
                span,
                "`abs` applies to data only, as in `(x - m).abs()`: the log-likelihood must be \
                 differentiable in the parameters",
            ));
        }
    }
}

/// A term of the body that is a function of a constant must be defined there: `(0.0).ln()`,
/// `(-1.0).sqrt()` or `ln_gamma(0.0)` would make the log-likelihood undefined for every value
/// of the parameters. A value that only overflows `f64` (`1000.0.exp()`) is exact here and
/// not an error.
pub(super) fn check_constants(arena: &Arena, sites: &[parse::ConstantSite], errors: &mut Errors) {
    for site in sites {
        if let Some(what) = undefined(arena, site) {
            let arg = crate::print::rust_brief(arena, site.arg);
            errors.push(syn::Error::new(
                site.span,
                format!(
                    "`{}` of the constant `{arg}` is {what}: the log-likelihood would not be \
                     finite for any value of the parameters",
                    site.name
                ),
            ));
        }
    }
}

/// Why a function of a constant is undefined, if it is.
fn undefined(arena: &Arena, site: &parse::ConstantSite) -> Option<&'static str> {
    use num_traits::Signed;
    let (v, x) = (site.value, site.arg);
    // The sign of the argument, exactly where it is a rational.
    let arg = match arena.as_num(x) {
        Some(r) if r.is_zero() => 0.0,
        Some(r) if r.is_negative() => -1.0,
        Some(_) => 1.0,
        None => arena.eval(x, &Default::default()),
    };
    let (nan, minus_inf) = ("undefined (NaN)", "−∞");
    match site.name.as_str() {
        "ln" if arg == 0.0 => Some(minus_inf),
        "ln" | "sqrt" if arg < 0.0 => Some(nan),
        "ln_1p" => {
            let one = crate::expr::rat(1);
            match arena.as_num(x).map(|r| r + &one) {
                Some(r) if r.is_zero() => Some(minus_inf),
                Some(r) if r.is_negative() => Some(nan),
                _ => None,
            }
        }
        "ln" | "sqrt" | "recip" | "exp" | "exp_m1" | "abs" | "powi" => None,
        // `powf` and the special functions: undefined where the value is NaN, or infinite at a
        // pole (ln Γ and ψ at 0, −1, −2, …), not where it only overflows.
        _ => {
            let value = arena.eval(v, &Default::default());
            let pole = arena
                .as_num(x)
                .is_some_and(|r| r.is_int() && !r.is_positive());
            if value.is_nan() {
                Some(nan)
            } else if value.is_infinite() && pole {
                Some("infinite (a pole)")
            } else {
                None
            }
        }
    }
}
