//! Reparameterization θ = g(φ): F_φ = Jᵀ F_θ(g(φ)) J with J = ∂θ/∂φ, and
//! Jeffreys_φ = Jeffreys_θ ∘ g + ln |det J|; the same derived directly from ℓ(g(φ)) with the
//! moments mapped through g, and the two routes proved equal.

mod map;

pub(crate) use map::written_names;

use std::collections::HashMap;

use proc_macro2::Span;
use syn::Ident;

use crate::expect::DeclaredMoment;
use crate::expr::{Id, Symbol};
use crate::simplify;
use crate::Arena;

use super::attr::ReparamSyn;
use super::check::Arg;
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
    /// The new parameters entry by entry, in the order first written in the right-hand sides
    /// (an array's entries row-major).
    pub params: Vec<Symbol>,
    /// The arguments that hold them, numbers or arrays, as the submodule's functions take them.
    pub args: Vec<Arg>,
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
    let (map, written, names) = map::old_to_new(arena, model, r, errors)?;
    let (params, args) = map::new_params(arena, model, r, &written, &names, errors)?;
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
        args,
        map,
        jacobian,
        fisher,
        jeffreys,
        inverse,
        direct,
        checks,
    })
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
