//! Reparameterization θ = g(φ): F_φ = Jᵀ F_θ(g(φ)) J with J = ∂θ/∂φ, and
//! Jeffreys_φ = Jeffreys_θ ∘ g + ln |det J|; the same derived directly from ℓ(g(φ)) with the
//! moments mapped through g, and the two routes proved equal.

use std::collections::HashMap;

use proc_macro2::Span;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::Ident;

use crate::expect::DeclaredMoment;
use crate::expr::{Id, Symbol};
use crate::parse;
use crate::simplify;
use crate::Arena;

use super::attr::ReparamSyn;
use super::check::{self, Role};
use super::derive::{self, domain_of, Likelihood};
use super::matrix::{self, Inverse, Jeffreys, Matrix, SYMBOLIC_DET_MAX};
use super::proofs::{Check, Claim, Prover};
use super::quantities::Quantities;
use super::Model;
use crate::ctxt::Errors;

/// One reparameterization, derived both ways.
#[derive(Clone, Debug)]
pub struct Reparam {
    /// The submodule name.
    pub name: Ident,
    /// The new parameters, in order of first appearance in the right-hand sides.
    pub params: Vec<Symbol>,
    /// Old parameter → its expression in the new ones, in the old parameters' order.
    pub map: Vec<(Symbol, Id)>,
    /// J[i][a] = ∂θᵢ/∂φₐ.
    pub jacobian: Matrix,
    /// Jᵀ F_θ(g(φ)) J, simplified.
    pub fisher: Matrix,
    /// Jeffreys_θ ∘ g + ln |det J|.
    pub jeffreys: Jeffreys,
    /// The inverse of [`Reparam::fisher`].
    pub inverse: Inverse,
    /// The direct derivation from ℓ(g(φ)).
    pub direct: Quantities,
    /// The proofs that both routes agree.
    pub checks: Vec<Check>,
}

/// Derives `r` for `model`, whose own parameterization derived `main`; errors go to `errors`.
pub fn reparam(
    arena: &mut Arena,
    model: &Model,
    main: &Quantities,
    r: &ReparamSyn,
    errors: &mut Errors,
) -> Option<Reparam> {
    let (map, written) = old_to_new(arena, model, r, errors)?;
    let params = new_params(arena, model, r, &written, errors)?;
    let subst: HashMap<Symbol, Id> = map.iter().copied().collect();
    let direct = direct_route(arena, model, r, &params, &subst, errors)?;
    let loglik = arena.substitute(model.loglik, &subst);
    let (mut domain, samples) = domain_of(arena, loglik);
    for i in 0..params.len() {
        domain.assume_positive(arena, direct.fisher[i][i]);
    }

    // Transformed route: Jᵀ F(g(φ)) J.
    let jacobian: Matrix = map
        .iter()
        .map(|&(_, gi)| params.iter().map(|&p| arena.diff(gi, p)).collect())
        .collect();
    let f_at_g: Matrix = main
        .fisher
        .iter()
        .map(|row| row.iter().map(|&x| arena.substitute(x, &subst)).collect())
        .collect();
    let fisher = matrix::congruence(arena, &domain, &jacobian, &f_at_g);
    let jeffreys = transformed_jeffreys(arena, &domain, &main.jeffreys, &jacobian, &subst);

    // Proofs that both routes agree.
    let mut checks = Vec::new();
    let mut prover = Prover {
        arena,
        domain: &domain,
        samples: &samples,
        checks: &mut checks,
        errors,
    };
    let span = r.name.span();
    let name = format!("reparam {}: F from ℓ(g(φ)) = Jᵀ F(g(φ)) J", r.name);
    let k = params.len();
    let claims: Vec<Claim> = (0..k)
        .flat_map(|a| (a..k).map(move |b| (a, b)))
        .map(|(a, b)| Claim::new(direct.fisher[a][b], fisher[a][b]))
        .collect();
    prover.prove(&name, &claims, |_, _, f| {
        syn::Error::new(span, format!("{} fails: {}", f.check, f.message))
    });
    if let (Jeffreys::Closed { expr: a, .. }, Jeffreys::Closed { expr: b, .. }) =
        (&direct.jeffreys, &jeffreys)
    {
        let name = format!(
            "reparam {}: Jeffreys from ℓ(g(φ)) = Jeffreys ∘ g + ln |det J|",
            r.name
        );
        prover.prove_at(&name, Claim::new(*a, *b), span);
    }
    let inverse = matrix::inverse(arena, &direct.domain, &fisher);
    Some(Reparam {
        name: r.name.clone(),
        params,
        map,
        jacobian,
        fisher,
        jeffreys,
        inverse,
        direct,
        checks,
    })
}

/// Old parameter → its expression in the new ones.
type Map = Vec<(Symbol, Id)>;

/// The map θ = g(φ), checked: every name on the left is a parameter, mapped once, by an
/// expression free of the data. Returns the map in the old parameters' order and the
/// right-hand sides in the order written.
fn old_to_new(
    arena: &mut Arena,
    model: &Model,
    r: &ReparamSyn,
    errors: &mut Errors,
) -> Option<(Map, Vec<Id>)> {
    let mut bad = false;
    let mut map: HashMap<Symbol, Id> = HashMap::new();
    let mut written: Vec<Id> = Vec::new();
    for (old, e) in &r.maps {
        let Some(arg) = model.args.iter().find(|a| a.ident == *old) else {
            errors.push(syn::Error::new(
                old.span(),
                format!("`{old}` is not a parameter of `{}`", model.item.sig.ident),
            ));
            bad = true;
            continue;
        };
        if arg.role != Role::Param {
            errors.push(syn::Error::new(
                old.span(),
                format!("`{old}` is not a parameter: only params(..) can be reparameterized"),
            ));
            bad = true;
            continue;
        }
        let [sym] = arg.syms[..] else {
            errors.push(syn::Error::new(
                old.span(),
                format!(
                    "`{old}` is an array: map each of its entries, as in `{old}[i] = eta[i].exp()`"
                ),
            ));
            bad = true;
            continue;
        };
        match parse::expr(arena, e) {
            Ok(id) => {
                if map.insert(sym, id).is_some() {
                    errors.push(syn::Error::new(
                        old.span(),
                        format!("`{old}` is mapped twice in reparam `{}`", r.name),
                    ));
                    bad = true;
                }
                if arena.depends_on_any(id, &model.data) {
                    errors.push(syn::Error::new(
                        e.span(),
                        "a reparameterization cannot depend on the data",
                    ));
                    bad = true;
                }
                written.push(id);
            }
            Err(err) => {
                errors.push(err);
                bad = true;
            }
        }
    }
    if bad {
        return None;
    }
    for &p in &model.params {
        if !map.contains_key(&p) {
            let name = arena.name(p).to_string();
            errors.push(syn::Error::new(
                r.name.span(),
                format!(
                    "reparam `{}` leaves parameter `{name}` unmapped: add `{name} = …` \
                     (or `{name} = {name}` to keep it)",
                    r.name
                ),
            ));
            bad = true;
        }
    }
    (!bad).then(|| (model.params.iter().map(|p| (*p, map[p])).collect(), written))
}

/// The new parameters: the free symbols of the right-hand sides that are not constants or
/// inputs, in order of first appearance; there must be as many as old ones.
fn new_params(
    arena: &Arena,
    model: &Model,
    r: &ReparamSyn,
    written: &[Id],
    errors: &mut Errors,
) -> Option<Vec<Symbol>> {
    let k = model.params.len();
    let fixed = model.syms_where(|r| matches!(r, Role::Constant | Role::Input));
    let mut params: Vec<Symbol> = Vec::new();
    for &id in written {
        for s in arena.free_symbols(id) {
            if !fixed.contains(&s) && !params.contains(&s) {
                params.push(s);
            }
        }
    }
    if params.len() == k {
        // A new parameter stands among the arguments of every generated function.
        let mut clean = true;
        for &p in &params {
            let name = arena.name(p);
            let ident = check::ident(name);
            if let Some(mut e) = check::collision(&ident, Some(Role::Param)) {
                let span = r
                    .maps
                    .iter()
                    .find_map(|(_, e)| check::find_ident(e.to_token_stream(), name));
                e = syn::Error::new(span.unwrap_or_else(|| r.name.span()), e.to_string());
                errors.push(e);
                clean = false;
            }
        }
        return clean.then_some(params);
    }
    // Fewer new parameters than old: a constant written on the right may have been meant as one.
    let constants: Vec<String> = written
        .iter()
        .flat_map(|&id| arena.free_symbols(id))
        .filter(|s| model.constants.contains(s))
        .map(|s| format!("`{}`", arena.name(s)))
        .fold(Vec::new(), |mut v, n| {
            if !v.contains(&n) {
                v.push(n);
            }
            v
        });
    let msg = if params.len() < k && !constants.is_empty() {
        let (is, it) = if constants.len() == 1 {
            ("is a constant", "it")
        } else {
            ("are constants", "they")
        };
        format!(
            "reparam `{}`: {} {is} of `{}` (arguments that are not params, data or inputs), so \
             {it} cannot be a new parameter; write the old parameters in new names, as in \
             `theta = phi / (1.0 + phi)`",
            r.name,
            constants.join(", "),
            model.item.sig.ident
        )
    } else {
        format!(
            "reparam `{}` has {} new parameter{} ({}) for {k} old one{}: the map must be square",
            r.name,
            params.len(),
            if params.len() == 1 { "" } else { "s" },
            params
                .iter()
                .map(|&s| arena.name(s).to_string())
                .collect::<Vec<_>>()
                .join(", "),
            if k == 1 { "" } else { "s" },
        )
    };
    errors.push(syn::Error::new(r.name.span(), msg));
    None
}

/// The direct route: ℓ(g(φ)) derived in φ, with the declared moments mapped through g.
///
/// The mapped moments are what the user declared with θ = g(φ) substituted, while the direct
/// route's Hessian differentiates through g: for the Weibull in its rate (λ = b^(-1/k)) it
/// needs `(x * b.powf(1.0 / k)).powf(k) * ((x * b.powf(1.0 / k)).ln() - b.ln() / k)`, which is
/// `b x^k ln x`. Matched by spelling the two never met; they meet in the normal form of the
/// moment table (powers and logarithms split over the positive `x` and `b`).
fn direct_route(
    arena: &mut Arena,
    model: &Model,
    r: &ReparamSyn,
    params: &[Symbol],
    subst: &HashMap<Symbol, Id>,
    errors: &mut Errors,
) -> Option<Quantities> {
    let loglik = arena.substitute(model.loglik, subst);
    let moments: Vec<(DeclaredMoment, Span)> = model
        .moments
        .iter()
        .map(|m| {
            let lhs = arena.substitute(m.moment.lhs, subst);
            let rhs = arena.substitute(m.moment.rhs, subst);
            let kind = m.moment.kind;
            (DeclaredMoment { kind, lhs, rhs }, r.name.span())
        })
        .collect();
    let mut names = model.user_names(arena);
    for (_, v) in &mut names.lets {
        *v = arena.substitute(*v, subst);
    }
    let lik = Likelihood {
        params: params.to_vec(),
        data: model.data.clone(),
        loglik,
        moments,
        param_spans: vec![r.name.span(); params.len()],
        moments_span: r.name.span(),
        names,
    };
    derive::derive(arena, &lik, errors)
}

/// Jeffreys_θ ∘ g + ln |det J| where the determinant of J has a closed form.
fn transformed_jeffreys(
    arena: &mut Arena,
    domain: &simplify::Domain,
    main: &Jeffreys,
    jacobian: &[Vec<Id>],
    subst: &HashMap<Symbol, Id>,
) -> Jeffreys {
    match main {
        Jeffreys::Closed { expr, how }
            if jacobian.len() <= SYMBOLIC_DET_MAX || matrix::is_diagonal(arena, jacobian) =>
        {
            let j_at_g = arena.substitute(*expr, subst);
            let det = matrix::det_cofactor(arena, jacobian);
            let det = simplify::simplify(arena, domain, det);
            let log_abs = matrix::log_abs(arena, domain, det);
            let sum = arena.add([j_at_g, log_abs]);
            Jeffreys::Closed {
                expr: simplify::tidy(arena, domain, sum),
                how,
            }
        }
        _ => Jeffreys::Numeric,
    }
}
