//! Reparameterization θ = g(φ): F_φ = Jᵀ F_θ(g(φ)) J with J = ∂θ/∂φ, and
//! Jeffreys_φ = Jeffreys_θ ∘ g + ln |det J|; the same derived directly from ℓ(g(φ)) with the
//! moments mapped through g, and the two routes proved equal.

use std::collections::HashMap;

use syn::spanned::Spanned;
use syn::Ident;

use crate::equiv::{self, Method, Verdict};
use crate::expect::DeclaredMoment;
use crate::expr::{Id, Symbol};
use crate::parse;
use crate::simplify::{self, Domain};
use crate::Arena;

use super::attr::ReparamSyn;
use super::derive::{
    derive_core, det_cofactor, domain_of, outcome_of, weaker, Check, CheckOutcome, Core,
    Derivation, Jeffreys, Spec,
};
use super::{Errors, Role};

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
    pub jacobian: Vec<Vec<Id>>,
    /// Jᵀ F_θ(g(φ)) J, simplified.
    pub fisher: Vec<Vec<Id>>,
    /// Jeffreys_θ ∘ g + ln |det J|.
    pub jeffreys: Jeffreys,
    /// The direct derivation from ℓ(g(φ)).
    pub direct: Core,
    /// The proofs that both routes agree.
    pub checks: Vec<Check>,
}

/// Derives `r` for the model of `d`; errors go to `errors`.
pub fn derive(d: &mut Derivation, r: &ReparamSyn, errors: &mut Errors) -> Option<Reparam> {
    let model = &mut d.model;
    let k = model.params.len();
    let mut bad = false;
    let mut map: HashMap<Symbol, Id> = HashMap::new();
    let mut rhs_order: Vec<Id> = Vec::new();
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
        let sym = arg.sym;
        match parse::expr(&mut model.arena, e) {
            Ok(id) => {
                if map.insert(sym, id).is_some() {
                    errors.push(syn::Error::new(
                        old.span(),
                        format!("`{old}` is mapped twice in reparam `{}`", r.name),
                    ));
                    bad = true;
                }
                if model.arena.depends_on_any(id, &model.data) {
                    errors.push(syn::Error::new(
                        e.span(),
                        "a reparameterization cannot depend on the data",
                    ));
                    bad = true;
                }
                rhs_order.push(id);
            }
            Err(err) => {
                errors.push(err);
                bad = true;
            }
        }
    }
    for &p in &model.params {
        if !map.contains_key(&p) && !bad {
            let name = model.arena.name(p).to_string();
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
    if bad {
        return None;
    }
    // New parameters: free symbols of the right-hand sides that are not constants or inputs.
    let fixed = model.syms_where(|r| matches!(r, Role::Constant | Role::Input));
    let mut params: Vec<Symbol> = Vec::new();
    for &id in &rhs_order {
        for s in model.arena.free_symbols(id) {
            if !fixed.contains(&s) && !params.contains(&s) {
                params.push(s);
            }
        }
    }
    if params.len() != k {
        errors.push(syn::Error::new(
            r.name.span(),
            format!(
                "reparam `{}` has {} new parameter{} ({}) for {k} old one{}: the map must be square",
                r.name,
                params.len(),
                if params.len() == 1 { "" } else { "s" },
                params.iter().map(|&s| model.arena.name(s).to_string()).collect::<Vec<_>>().join(", "),
                if k == 1 { "" } else { "s" },
            ),
        ));
        return None;
    }
    let arena = &mut model.arena;
    let g: Vec<Id> = model.params.iter().map(|p| map[p]).collect();
    let map_vec: Vec<(Symbol, Id)> = model.params.iter().map(|p| (*p, map[p])).collect();

    // Direct route: ℓ(g(φ)) with the moments mapped through g.
    let loglik = arena.substitute(model.loglik, &map);
    let moments: Vec<(DeclaredMoment, proc_macro2::Span)> = model
        .moments
        .iter()
        .map(|m| {
            let lhs = arena.substitute(m.moment.lhs, &map);
            let rhs = arena.substitute(m.moment.rhs, &map);
            (
                DeclaredMoment {
                    kind: m.moment.kind,
                    lhs,
                    rhs,
                },
                r.name.span(),
            )
        })
        .collect();
    let spec = Spec {
        params: params.clone(),
        data: model.data.clone(),
        loglik,
        moments,
        param_spans: vec![r.name.span(); k],
        moments_span: r.name.span(),
    };
    let direct = derive_core(arena, &spec, errors)?;
    let (mut domain, samples) = domain_of(arena, loglik);
    for i in 0..k {
        domain.assume_positive(arena, direct.fisher[i][i]);
    }

    // Transformed route: Jᵀ F(g(φ)) J.
    let jacobian: Vec<Vec<Id>> = g
        .iter()
        .map(|&gi| params.iter().map(|&p| arena.diff(gi, p)).collect())
        .collect();
    let f_at_g: Vec<Vec<Id>> = d
        .core
        .fisher
        .iter()
        .map(|row| row.iter().map(|&x| arena.substitute(x, &map)).collect())
        .collect();
    let mut fisher = vec![vec![arena.int(0); k]; k];
    for a in 0..k {
        for b in a..k {
            let mut terms = Vec::new();
            for i in 0..k {
                for j in 0..k {
                    if arena.is_zero(jacobian[i][a]) || arena.is_zero(jacobian[j][b]) {
                        continue;
                    }
                    terms.push(arena.mul([jacobian[i][a], f_at_g[i][j], jacobian[j][b]]));
                }
            }
            let s = arena.add(terms);
            let s = simplify::tidy(arena, &domain, s);
            fisher[a][b] = s;
            fisher[b][a] = s;
        }
    }
    let jeffreys = match &d.core.jeffreys {
        Jeffreys::Closed { expr, how }
            if k <= super::derive::SYMBOLIC_DET_MAX || is_diagonal(arena, &jacobian) =>
        {
            let j_at_g = arena.substitute(*expr, &map);
            let det = det_cofactor(arena, &jacobian);
            let det = simplify::simplify(arena, &domain, det);
            let log_abs = log_abs(arena, &domain, det);
            let sum = arena.add([j_at_g, log_abs]);
            Jeffreys::Closed {
                expr: simplify::tidy(arena, &domain, sum),
                how,
            }
        }
        _ => Jeffreys::Numeric,
    };

    // Proofs that both routes agree.
    let mut checks = Vec::new();
    let mut worst = Some(Method::Canonical);
    let name = format!("reparam {}: F from ℓ(g(φ)) = Jᵀ F(g(φ)) J", r.name);
    'outer: for a in 0..k {
        for b in a..k {
            let v = equiv::equiv(arena, &domain, &samples, direct.fisher[a][b], fisher[a][b]);
            match v {
                Verdict::Proved(m) => worst = worst.map(|w| weaker(w, m)),
                v => {
                    let o = outcome_of(arena, v, direct.fisher[a][b], fisher[a][b]);
                    if let CheckOutcome::Failed(msg) = &o {
                        errors.push(syn::Error::new(
                            r.name.span(),
                            format!("{name} fails: {msg}"),
                        ));
                    }
                    checks.push(Check {
                        name: name.clone(),
                        outcome: o,
                    });
                    worst = None;
                    break 'outer;
                }
            }
        }
    }
    if let Some(m) = worst {
        checks.push(Check {
            name,
            outcome: CheckOutcome::Proved(m),
        });
    }
    if let (Jeffreys::Closed { expr: a, .. }, Jeffreys::Closed { expr: b, .. }) =
        (&direct.jeffreys, &jeffreys)
    {
        let name = format!(
            "reparam {}: Jeffreys from ℓ(g(φ)) = Jeffreys ∘ g + ln |det J|",
            r.name
        );
        let v = equiv::equiv(arena, &domain, &samples, *a, *b);
        let o = outcome_of(arena, v, *a, *b);
        if let CheckOutcome::Failed(msg) = &o {
            errors.push(syn::Error::new(
                r.name.span(),
                format!("{name} fails: {msg}"),
            ));
        }
        checks.push(Check { name, outcome: o });
    }
    Some(Reparam {
        name: r.name.clone(),
        params,
        map: map_vec,
        jacobian,
        fisher,
        jeffreys,
        direct,
        checks,
    })
}

fn is_diagonal(arena: &Arena, m: &[Vec<Id>]) -> bool {
    m.iter().enumerate().all(|(i, row)| {
        row.iter()
            .enumerate()
            .all(|(j, &x)| i == j || arena.is_zero(x))
    })
}

/// `ln |d|`, without the absolute value where the sign of `d` is known.
fn log_abs(arena: &mut Arena, domain: &Domain, d: Id) -> Id {
    match domain.sign(arena, d) {
        Some(std::cmp::Ordering::Greater) => arena.ln(d),
        Some(std::cmp::Ordering::Less) => {
            let n = arena.neg(d);
            arena.ln(n)
        }
        _ => {
            let a = arena.abs(d);
            arena.ln(a)
        }
    }
}
