//! The front end of `#[fisher_model]`, as one-way stages: the attribute grammar ([`attr`]),
//! the checked model ([`Model`], with [`check`]), the derivation of one parameterization
//! ([`derive`], over [`matrix`] algebra, recording [`proofs`] into [`quantities`]), the
//! reparameterizations ([`reparam`]), the whole derivation on top of both ([`derivation`]),
//! the report ([`report`]) and the expansion to tokens ([`expand`]).
//!
//! A model is built the same way from the macro's tokens and from strings (tests, examples and
//! benchmarks use [`Model::from_source`]), so everything the macro does is testable in-process.

pub mod attr;
pub mod check;
pub mod derivation;
pub mod derive;
pub mod expand;
pub mod expfamily;
mod indexed;
pub mod matrix;
pub mod proofs;
pub mod quantities;
pub mod reparam;
pub mod report;
mod suggest;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Ident, ItemFn};

use crate::expect::{DeclaredMoment, MomentKind};
use crate::expr::{Id, Symbol};
use crate::parse;
use crate::Arena;

pub use crate::ctxt::Errors;
pub use check::{Arg, Role};
pub use derivation::Derivation;
pub use matrix::Jeffreys;
pub use proofs::{Check, CheckOutcome};
pub use quantities::Quantities;

/// A declared moment, in IR, with the syntax it came from.
#[derive(Clone, Debug)]
pub struct Moment {
    /// The moment in IR.
    pub moment: DeclaredMoment,
    /// Index into `attr.moments`.
    pub index: usize,
}

/// The user's own variables, for naming missing moments (see [`Model::user_names`]).
#[derive(Clone, Debug, Default)]
pub struct UserNames {
    /// The body's `let` bindings that messages may use by name (bound once, not named like an
    /// argument), values in the parameters of the derivation at hand.
    pub lets: Vec<(String, Id)>,
    /// Data arguments the body uses only through one binding affine in them, with its name
    /// (`x` through `z = (x - mu) / sigma`): messages speak of that variable.
    pub through: Vec<(Symbol, String)>,
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
    /// The body's `let` bindings in order, each value with the earlier ones inlined.
    pub lets: Vec<parse::Binding>,
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
        let item = parse::balance(item);
        parse::check_depth(&item)?;
        let item: ItemFn = syn::parse2(item)?;
        Model::from_item(attr, item)
    }

    /// Builds a model from the attribute's tokens and an already parsed function.
    pub fn from_item(attr_tokens: TokenStream, item: ItemFn) -> syn::Result<Model> {
        let attr_tokens = parse::balance(attr_tokens);
        parse::check_depth(&attr_tokens)?;
        let mut errors = Errors::new();
        let attr = attr::parse(attr_tokens, &mut errors);
        Model::from_attr(attr, item, errors)
    }

    /// Builds a model from the parsed attribute (with the errors its parsing found) and the
    /// function: the signature, the roles, the body, the moments.
    pub fn from_attr(attr: attr::Attr, item: ItemFn, mut errors: Errors) -> syn::Result<Model> {
        let mut arena = Arena::new();
        let args = check::signature(&item, &mut arena, &mut errors);
        let (args, param_idents) = assign_roles(&attr, &item, args, &mut errors);
        check::check_collisions(&args, &mut errors);
        // Each role's entries, flattened row-major: params in the attribute's order, the others
        // in the function's.
        let by_role = |r: Role| -> Vec<Symbol> {
            let mut v: Vec<(usize, &Arg)> = Vec::new();
            for (i, a) in args.iter().enumerate().filter(|(_, a)| a.role == r) {
                let pos = if r == Role::Param {
                    param_idents
                        .iter()
                        .position(|p| *p == a.ident)
                        .unwrap_or(usize::MAX)
                } else {
                    i
                };
                v.push((pos, a));
            }
            v.sort_by_key(|p| p.0);
            v.into_iter()
                .flat_map(|p| p.1.syms.iter().copied())
                .collect()
        };
        let params = by_role(Role::Param);
        let data = by_role(Role::Data);
        let inputs = by_role(Role::Input);
        let constants = by_role(Role::Constant);
        // With an argument whose type was refused, the body would only repeat that error.
        if args.iter().any(|a| !a.known) {
            return Err(errors
                .take()
                .unwrap_or_else(|| syn::Error::new(item.sig.span(), "unsupported argument type")));
        }
        let scope = scope_of(&mut arena, &args);
        let body = body(&mut arena, &item, &args, &scope, &data, &mut errors);
        if let Some((l, _)) = &body {
            every_param_appears(&mut arena, *l, &args, &param_idents, &mut errors);
        }
        let lets = body.as_ref().map(|b| b.1.clone()).unwrap_or_default();
        let names = InView {
            args: &args,
            scope: &scope,
            lets: &lets,
        };
        let moments = moments(&mut arena, &attr, &names, &data, &mut errors);
        let Some((loglik, _)) = body else {
            return Err(errors.take().unwrap_or_else(|| {
                syn::Error::new(item.block.span(), "the body could not be read")
            }));
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
            lets,
        })
    }

    /// The name of a symbol.
    pub fn name(&self, s: Symbol) -> &str {
        self.arena.name(s)
    }

    /// The identifier (with its span) of the argument that parameter `i` is (an entry of).
    pub fn param_ident(&self, i: usize) -> Ident {
        let s = self.params[i];
        self.args
            .iter()
            .find(|a| a.syms.contains(&s))
            .map(|a| a.ident.clone())
            .unwrap_or_else(|| Ident::new("param", Span::call_site()))
    }

    /// The names the body and the attribute may use besides the scalar arguments: the array
    /// arguments, as arrays of their entries.
    pub fn scope(&mut self) -> parse::Scope {
        scope_of(&mut self.arena, &self.args)
    }

    /// The span to blame for a problem with the model as a whole: the function's name.
    pub fn span(&self) -> Span {
        self.item.sig.ident.span()
    }

    /// The symbols of the arguments whose role passes `keep`, in the function's order (the
    /// entries of an array in row-major order).
    pub fn syms_where(&self, keep: impl Fn(Role) -> bool) -> Vec<Symbol> {
        self.args
            .iter()
            .filter(|a| keep(a.role))
            .flat_map(|a| a.syms.iter().copied())
            .collect()
    }

    /// The body's bindings that messages may use by name (bound once, not named like an
    /// argument), and the data arguments the body uses only through one of them, with its
    /// name: the user's own variables, for naming missing moments. `arena` holds the model's
    /// symbols (the model's own, or the one a stage has taken from it).
    pub fn user_names(&self, arena: &Arena) -> UserNames {
        let is_arg = |n: &str| self.args.iter().any(|a| a.ident == n);
        let names: Vec<(String, Id)> = self
            .lets
            .iter()
            .filter(|(n, _)| !is_arg(n) && self.lets.iter().filter(|b| b.0 == *n).count() == 1)
            .cloned()
            .collect();
        let mut through = Vec::new();
        for &x in self.data.iter().filter(|_| !names.is_empty()) {
            let xname = arena.name(x);
            // Where the data argument is named: in a binding (by its name) or elsewhere.
            let mut mentions: Vec<Option<String>> = Vec::new();
            for stmt in &self.item.block.stmts {
                let (tokens, name) = match stmt {
                    syn::Stmt::Local(l) => match &l.init {
                        Some(init) => (init.expr.to_token_stream(), let_ident(&l.pat)),
                        None => continue,
                    },
                    other => (other.to_token_stream(), None),
                };
                if check::find_ident(tokens, xname).is_some() {
                    mentions.push(name);
                }
            }
            if let [Some(name)] = mentions.as_slice() {
                if names.iter().any(|(n, _)| n == name) {
                    through.push((x, name.clone()));
                }
            }
        }
        UserNames {
            lets: names,
            through,
        }
    }

    /// Arguments that are not data or inputs, in the function's order (`P` in the contract).
    pub fn p_args(&self) -> Vec<&Arg> {
        self.args
            .iter()
            .filter(|a| matches!(a.role, Role::Param | Role::Constant))
            .collect()
    }
}

/// Gives each argument its role from `params(..)`, `data(..)` and `inputs(..)` (the others are
/// constants); a name listed twice, in two roles or not an argument is an error. Returns the
/// arguments and the parameters as listed.
fn assign_roles(
    attr: &attr::Attr,
    item: &ItemFn,
    mut args: Vec<Arg>,
    errors: &mut Errors,
) -> (Vec<Arg>, Vec<Ident>) {
    let fname = item.sig.ident.to_string();
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
    let mut roles: Vec<(Ident, Role)> = Vec::new();
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
                        check::role_name(*prev),
                        check::role_name(role)
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
    for a in &mut args {
        if let Some((_, r)) = roles.iter().find(|(p, _)| *p == a.ident) {
            a.role = *r;
        }
    }
    (args, param_idents)
}

/// The array arguments, bound to their entries, for the body and the attribute.
pub(super) fn scope_of(arena: &mut Arena, args: &[Arg]) -> parse::Scope {
    let mut scope = parse::Scope::new();
    for a in args.iter().filter(|a| !a.dims.is_empty()) {
        let v = a.value(arena);
        scope.bind(a.ident.to_string(), v, false);
    }
    scope
}

/// The log-likelihood from the body, with its `let` bindings; its names must be arguments,
/// `abs` must apply to data, and a function of a constant must be defined there.
fn body(
    arena: &mut Arena,
    item: &ItemFn,
    args: &[Arg],
    scope: &parse::Scope,
    data: &[Symbol],
    errors: &mut Errors,
) -> Option<(Id, Vec<parse::Binding>)> {
    let b = match parse::body(arena, &item.block, scope.clone()) {
        Ok(b) => b,
        Err(e) => {
            errors.push(e);
            return None;
        }
    };
    check::check_names(
        arena,
        b.value,
        args,
        &item.block,
        "the log-likelihood",
        errors,
    );
    check::check_abs(arena, &b.abs_sites, data, errors);
    check::check_constants(arena, &b.constant_sites, errors);
    Some((b.value, b.lets))
}

/// Every parameter (every entry of a parameter array) must appear in the log-likelihood: a
/// row of F that is zero makes F singular everywhere.
fn every_param_appears(
    arena: &mut Arena,
    l: Id,
    args: &[Arg],
    param_idents: &[Ident],
    errors: &mut Errors,
) {
    for id in param_idents {
        let Some(a) = args
            .iter()
            .find(|a| a.ident == *id && a.role == Role::Param)
        else {
            continue;
        };
        let absent: Vec<Symbol> = a
            .syms
            .iter()
            .copied()
            .filter(|&s| !arena.depends_on(l, s))
            .collect();
        let msg =
            match absent.as_slice() {
                [] => continue,
                _ if a.dims.is_empty() => format!(
                "parameter `{id}` does not appear in the log-likelihood: its row of the Fisher \
                 information would be zero (singular F)"
            ),
                some => format!(
                "{} of parameter `{id}` do{} not appear in the log-likelihood: {} of the Fisher \
                 information would be zero (singular F)",
                some.iter()
                    .map(|&s| format!("`{}`", arena.name(s)))
                    .collect::<Vec<_>>()
                    .join(", "),
                if some.len() == 1 { "es" } else { "" },
                if some.len() == 1 { "its row" } else { "their rows" }
            ),
            };
        errors.push(syn::Error::new(id.span(), msg));
    }
}

/// The declared moments in IR: each `E[lhs]` must involve the data and each right-hand side
/// must be free of it. A moment with a free index (`E[x[i]] = n * p[i]`) holds for every index
/// and stands for one moment per index. The body's `let` names may be used (`E[(-z).exp()] = 1.0`
/// with `let z = (x - mu) / beta;`): they stand for their values as the body's tail sees them;
/// an argument of the same name is the argument.
fn moments(
    arena: &mut Arena,
    attr: &attr::Attr,
    names: &InView,
    data: &[Symbol],
    errors: &mut Errors,
) -> Vec<Moment> {
    let mut moments = Vec::new();
    for (index, m) in attr.moments.iter().enumerate() {
        let Some(instances) = indexed::instances(arena, m, names.args, names.scope, errors) else {
            continue;
        };
        for scope in instances {
            let names = InView {
                scope: &scope,
                ..*names
            };
            match moment(arena, attr, m, &names, data, errors) {
                Some(moment) => moments.push(Moment { moment, index }),
                // One error per moment, not one per index.
                None => break,
            }
        }
    }
    moments
}

/// The names a moment may use: the arguments, the array arguments (and free indices) in
/// `scope`, and the body's `let` bindings.
#[derive(Clone, Copy)]
struct InView<'a> {
    args: &'a [Arg],
    scope: &'a parse::Scope,
    lets: &'a [parse::Binding],
}

/// One declared moment with the names of `names` in view.
fn moment(
    arena: &mut Arena,
    attr: &attr::Attr,
    m: &attr::MomentSyn,
    names: &InView,
    data: &[Symbol],
    errors: &mut Errors,
) -> Option<DeclaredMoment> {
    let InView { args, scope, lets } = *names;
    let read = |arena: &mut Arena, e: &syn::Expr| {
        parse::expr_in(arena, e, scope).map(|id| through_lets(arena, lets, args, id))
    };
    let lhs = read(arena, &m.lhs);
    let rhs = read(arena, &m.rhs);
    let (lhs, rhs) = match (lhs, rhs) {
        (Ok(l), Ok(r)) => (l, r),
        (l, r) => {
            for e in [l.err(), r.err()].into_iter().flatten() {
                errors.push(e);
            }
            return None;
        }
    };
    let ok_l = check::check_names(arena, lhs, args, &m.lhs, "a moment", errors);
    let ok_r = check::check_names(arena, rhs, args, &m.rhs, "a moment", errors);
    if !(ok_l && ok_r) {
        return None;
    }
    let data_unknown = attr.broken.iter().any(|k| k == attr::DATA);
    if !data_unknown && !arena.depends_on_any(lhs, data) {
        errors.push(syn::Error::new_spanned(
            &m.lhs,
            format!(
                "`{}[..]` has no data in it: the expression inside must involve {}",
                m.kind,
                check::list_names(args, data)
            ),
        ));
        return None;
    }
    if arena.depends_on_any(rhs, data) {
        let present: Vec<String> = args
            .iter()
            .filter(|a| {
                a.syms
                    .iter()
                    .any(|&d| data.contains(&d) && arena.depends_on(rhs, d))
            })
            .map(|a| a.ident.to_string())
            .collect();
        let first_data = present
            .iter()
            .find_map(|d| check::find_ident(m.rhs.to_token_stream(), d));
        errors.push(syn::Error::new(
            first_data.unwrap_or_else(|| m.rhs.span()),
            "data inside a moment's right-hand side: an expectation is a function of the \
             parameters and constants only",
        ));
        return None;
    }
    let kind = if m.kind == "Var" {
        MomentKind::Var
    } else {
        MomentKind::Mean
    };
    Some(DeclaredMoment { kind, lhs, rhs })
}

/// The name a `let` pattern binds (`z` or `z: f64`).
fn let_ident(pat: &syn::Pat) -> Option<String> {
    match pat {
        syn::Pat::Ident(p) => Some(p.ident.to_string()),
        syn::Pat::Type(t) => let_ident(&t.pat),
        _ => None,
    }
}

/// `id` with the body's `let` names replaced by their values as the body's tail sees them (a
/// later binding shadows an earlier one); a name that is also an argument is the argument.
pub(crate) fn through_lets(arena: &mut Arena, lets: &[parse::Binding], args: &[Arg], id: Id) -> Id {
    if lets.is_empty() {
        return id;
    }
    let mut map: std::collections::HashMap<Symbol, Id> = std::collections::HashMap::new();
    for s in arena.free_symbols(id) {
        let name = arena.name(s);
        if args.iter().any(|a| a.ident == name) {
            continue;
        }
        if let Some((_, v)) = lets.iter().rev().find(|(n, _)| n == name) {
            map.insert(s, *v);
        }
    }
    if map.is_empty() {
        id
    } else {
        arena.substitute(id, &map)
    }
}
