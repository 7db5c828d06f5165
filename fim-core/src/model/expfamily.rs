//! Exponential-family structure (issue 13): ℓ = ηᵀ(θ) T(x) − A(θ) + h(x) read off the
//! log-likelihood, the mean parameters m = E[T], ∇²_η A = dm/dη, and from them the second
//! moments of T (Cov[T] = ∇²_η A) that Theorem 1 needs, F in the natural and the mean
//! parameters, and the exact KL divergence E_P[ℓ(P) − ℓ(Q)].
//!
//! Everything here is a step of [`super::derive`]: it reads the log-likelihood, the moment
//! table and F, and returns quantities and claims; the proofs run through [`Prover`].

use std::collections::HashMap;

use crate::equiv;
use crate::expect::{Added, MomentTable, Source};
use proc_macro2::Span;

use crate::expr::{Id, Node, Symbol};
use crate::print;
use crate::simplify::{self, Domain};
use crate::Arena;

use super::matrix::{self, Matrix};
use super::proofs::{Claim, Prover};

/// Above this many parameters the structure is not sought: its proofs take K³ products
/// (F = Jᵀ ∇²A J, F(m) F(η) = I) and the KL's K² second derivatives. Whole-macro expansion
/// (`expand_size MODEL K`, release): Dirichlet K = 12 19 ms, 20 67 ms, 50 7.3 s; multinomial
/// K = 12 89 ms, 16 0.95 s, 20 2.8 s.
pub const STRUCTURE_MAX: usize = 12;

/// ℓ = ηᵀ(θ) T(x) − A(θ) + h(x), with K statistics for K parameters.
#[derive(Clone, Debug)]
pub struct Family {
    /// The sufficient statistics T(x), data only.
    pub stats: Vec<Id>,
    /// The natural parameters η(θ), one per statistic.
    pub natural: Vec<Id>,
    /// The log-partition function A(θ).
    pub log_partition: Id,
    /// The base measure's logarithm h(x) (constants included).
    pub base: Id,
    /// The mean parameters m = E[T], from the moment table.
    pub mean: Vec<Id>,
    /// J[l][i] = ∂η_l/∂θ_i.
    pub jacobian: Matrix,
    /// ∇²_η A = (∂m/∂θ)(∂η/∂θ)⁻¹ = Cov[T]: F in the natural parameters, as a function of θ.
    /// `None` when ∂η/∂θ has no closed-form inverse here (then `note` says so).
    pub natural_fisher: Option<Matrix>,
    /// F in the mean parameters m: (∇²_η A)⁻¹.
    pub mean_fisher: Option<Matrix>,
    /// Why `natural_fisher` or `mean_fisher` is absent.
    pub note: Option<String>,
}

/// KL(p_P ‖ p_Q) in closed form: `value` in the parameters of P and the symbols `q` of Q.
#[derive(Clone, Debug)]
pub struct Kl {
    /// E_P[ℓ(P) − ℓ(Q)], simplified.
    pub value: Id,
    /// P's parameters, in matrix order.
    pub params: Vec<Symbol>,
    /// Q's parameters, in the same order (`theta_q`, `alpha_q[2]`).
    pub q: Vec<Symbol>,
    /// The domain's constraints at Q (those at P are the model's guards).
    pub guards: Vec<Id>,
}

/// Reads ℓ as ηᵀ(θ) T(x) − A(θ) + h(x): every data term a data-only statistic times a
/// parameter-only coefficient, exactly K statistics whose coefficients depend on θ. Returns
/// (T, η, A, h), or why ℓ does not have that form.
pub fn structure(
    arena: &mut Arena,
    domain: &Domain,
    params: &[Symbol],
    data: &[Symbol],
    loglik: Id,
) -> Result<(Vec<Id>, Vec<Id>, Id, Id), String> {
    let k = params.len();
    if data.is_empty() {
        return Err("the model has no data".into());
    }
    if k > STRUCTURE_MAX {
        return Err(format!(
            "not sought above {STRUCTURE_MAX} parameters (its proofs take K³ products)"
        ));
    }
    let one = arena.int(1);
    let (mut stats, mut natural) = (Vec::new(), Vec::new());
    let (mut a_terms, mut h_terms) = (Vec::new(), Vec::new());
    for (c, f) in crate::expect::data_terms(arena, loglik, data) {
        if f != one && arena.depends_on_any(f, params) {
            return Err(format!(
                "the data enter through `{}`, which also holds parameters, so ℓ is not \
                 ηᵀ(θ) T(x) − A(θ) + h(x)",
                print::rust_brief(arena, f)
            ));
        }
        let (with, without) = split(arena, c, params);
        if f == one {
            a_terms.push(arena.neg(with));
            h_terms.push(without);
        } else if arena.is_zero(with) {
            h_terms.push(arena.mul([c, f]));
        } else {
            stats.push(f);
            natural.push(simplify::tidy(arena, domain, with));
            h_terms.push(arena.mul([without, f]));
        }
    }
    if stats.len() != k {
        let shown: Vec<String> = stats.iter().map(|&t| print::rust_brief(arena, t)).collect();
        return Err(format!(
            "ℓ is linear in {} data statistic{} ({}) for {k} parameter{}: not a full-rank \
             exponential family in these coordinates",
            stats.len(),
            if stats.len() == 1 { "" } else { "s" },
            if shown.is_empty() {
                "none".to_string()
            } else {
                shown.join(", ")
            },
            if k == 1 { "" } else { "s" },
        ));
    }
    // Statistics whose product is a constant (x and 1/x) are functionally dependent: no
    // distribution has them as a minimal sufficient statistic with a free natural parameter,
    // and Cov[T] = ∇²_η A would contradict E[x · 1/x] = 1.
    for a in 0..k {
        for b in a..k {
            let t = arena.mul([stats[a], stats[b]]);
            if !arena.depends_on_any(t, data) {
                return Err(format!(
                    "the statistics `{}` and `{}` are functionally dependent (their product is \
                     constant), so ℓ is not the log-density of an exponential family with \
                     these natural parameters",
                    print::rust_brief(arena, stats[a]),
                    print::rust_brief(arena, stats[b])
                ));
            }
        }
    }
    let a = arena.add(a_terms);
    let h = arena.add(h_terms);
    Ok((
        stats,
        natural,
        simplify::tidy(arena, domain, a),
        simplify::tidy(arena, domain, h),
    ))
}

/// `c` as (terms that depend on `params`, terms that do not), over its top-level sum.
fn split(arena: &mut Arena, c: Id, params: &[Symbol]) -> (Id, Id) {
    let terms: Vec<Id> = match arena.node(c) {
        Node::Add(ts) => ts.to_vec(),
        _ => vec![c],
    };
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for t in terms {
        if arena.depends_on_any(t, params) {
            with.push(t);
        } else {
            without.push(t);
        }
    }
    (arena.add(with), arena.add(without))
}

/// The family of a log-likelihood whose structure [`structure`] found, with its moments from
/// `table`, the proof F = (∂η/∂θ)ᵀ ∇²_η A (∂η/∂θ) and, where the inverses have closed forms,
/// F in the natural and mean parameters with the proof that they are inverse to each other.
pub fn family(
    prover: &mut Prover,
    params: &[Symbol],
    parts: (Vec<Id>, Vec<Id>, Id, Id),
    table: &mut MomentTable,
    fisher: &[Vec<Id>],
    span: Span,
) -> Result<Family, String> {
    let (stats, natural, log_partition, base) = parts;
    let k = params.len();
    let (arena, domain) = (&mut *prover.arena, prover.domain);
    let mut mean = Vec::with_capacity(k);
    for &t in &stats {
        match table.expectation(arena, t) {
            Ok(m) => mean.push(simplify::tidy(arena, domain, m)),
            Err(_) => return Err(format!("E[{}] is not known", print::rust_brief(arena, t))),
        }
    }
    let d = |arena: &mut Arena, v: &[Id]| -> Matrix {
        v.iter()
            .map(|&e| {
                params
                    .iter()
                    .map(|&p| {
                        let x = arena.diff(e, p);
                        simplify::tidy(arena, domain, x)
                    })
                    .collect()
            })
            .collect()
    };
    let jacobian = d(arena, &natural);
    let dmean = d(arena, &mean);
    let mut fam = Family {
        stats,
        natural,
        log_partition,
        base,
        mean,
        jacobian,
        natural_fisher: None,
        mean_fisher: None,
        note: None,
    };
    let Some(j_inv) = general_inverse(arena, domain, &fam.jacobian) else {
        // Without (∂η/∂θ)⁻¹ the structure still proves F = (∂η/∂θ)ᵀ ∂m/∂θ.
        let claims = claims_of(arena, fisher, |arena, a, b| {
            let terms: Vec<Id> = (0..k)
                .map(|l| arena.mul([fam.jacobian[l][a], dmean[l][b]]))
                .collect();
            arena.add(terms)
        });
        prover.prove(
            "F = (∂η/∂θ)ᵀ ∂m/∂θ (exponential family)",
            &claims,
            |_, _, f| syn::Error::new(span, format!("{} fails: {}", f.check, f.message)),
        );
        fam.note = Some(
            "∂η/∂θ has no closed-form inverse here, so ∇²_η A = (∂m/∂θ)(∂η/∂θ)⁻¹ is not formed"
                .into(),
        );
        return Ok(fam);
    };
    // ∇²_η A = (∂m/∂θ)(∂η/∂θ)⁻¹, symmetric: the upper triangle, mirrored (the proof below
    // covers both triangles).
    let mut n = vec![vec![arena.int(0); k]; k];
    for a in 0..k {
        for b in a..k {
            let terms: Vec<Id> = (0..k)
                .map(|i| arena.mul([dmean[a][i], j_inv[i][b]]))
                .collect();
            let s = arena.add(terms);
            let s = simplify::tidy(arena, domain, s);
            n[a][b] = s;
            n[b][a] = s;
        }
    }
    let congruent = matrix::congruence(arena, domain, &fam.jacobian, &n);
    let claims = claims_of(arena, fisher, |_, a, b| congruent[a][b]);
    let proved = prover.prove(
        "F = (∂η/∂θ)ᵀ ∇²_η A (∂η/∂θ), ∇²_η A = dm/dη (exponential family)",
        &claims,
        |_, _, f| syn::Error::new(span, format!("{} fails: {}", f.check, f.message)),
    );
    if !proved {
        fam.note = Some("F = (∂η/∂θ)ᵀ ∇²_η A (∂η/∂θ) was not proved".into());
        return Ok(fam);
    }
    let (arena, domain) = (&mut *prover.arena, prover.domain);
    let inverse = matrix::inverse(arena, domain, &n);
    match inverse.entries(arena) {
        Some(m) => {
            // F(m) F(η) = I.
            let mut claims = Vec::with_capacity(k * k);
            for a in 0..k {
                for b in 0..k {
                    let terms: Vec<Id> = (0..k).map(|l| arena.mul([m[a][l], n[l][b]])).collect();
                    let s = arena.add(terms);
                    let want = arena.int(i64::from(a == b));
                    claims.push(Claim::new(s, want).at(format!("[{a}][{b}]")));
                }
            }
            let proved = prover.prove("fisher_mean · fisher_natural = I", &claims, |_, _, f| {
                syn::Error::new(span, format!("{} fails: {}", f.check, f.message))
            });
            if proved {
                fam.mean_fisher = Some(m);
            } else {
                fam.note = Some("F(m) · F(η) = I was not proved".into());
            }
        }
        None => {
            fam.note = Some(
                "∇²_η A has no closed-form inverse here, so F in the mean parameters is not \
                 formed"
                    .into(),
            )
        }
    }
    fam.natural_fisher = Some(n);
    Ok(fam)
}

/// One claim `entry(a, b) = F[a][b]` per entry of the upper triangle.
fn claims_of(
    arena: &mut Arena,
    fisher: &[Vec<Id>],
    mut entry: impl FnMut(&mut Arena, usize, usize) -> Id,
) -> Vec<Claim> {
    let k = fisher.len();
    let mut claims = Vec::with_capacity(k * (k + 1) / 2);
    for a in 0..k {
        for b in a..k {
            let e = entry(arena, a, b);
            claims.push(Claim::new(e, fisher[a][b]).at(format!("[{a}][{b}]")));
        }
    }
    claims
}

/// The inverse of a square matrix that need not be symmetric, in closed form: one with a
/// single nonzero entry per row and column (diagonal or permuted) of any size, a larger symmetric one where [`matrix::inverse`] finds structure (blocks,
/// diagonal plus rank one: the multinomial's ∂η/∂p), otherwise up to
/// [`matrix::CLOSED_INVERSE_MAX`] by cofactors. `None` when it is larger or singular.
fn general_inverse(arena: &mut Arena, domain: &Domain, m: &[Vec<Id>]) -> Option<Matrix> {
    let k = m.len();
    let mut inv = vec![vec![arena.int(0); k]; k];
    // One nonzero entry per row and column (diagonal, or the Dirichlet's statistics in another
    // order than its parameters): the inverse is the transpose with reciprocals.
    let nonzero: Vec<Vec<usize>> = m
        .iter()
        .map(|row| (0..k).filter(|&j| !arena.is_zero(row[j])).collect())
        .collect();
    let mut columns: Vec<usize> = nonzero
        .iter()
        .filter(|r| r.len() == 1)
        .map(|r| r[0])
        .collect();
    columns.sort_unstable();
    columns.dedup();
    if columns.len() == k && nonzero.iter().all(|r| r.len() == 1) {
        for (i, row) in nonzero.iter().enumerate() {
            let j = row[0];
            if simplify::is_zero(arena, domain, m[i][j]) {
                return None;
            }
            let r = arena.recip(m[i][j]);
            inv[j][i] = simplify::tidy(arena, domain, r);
        }
        return Some(inv);
    }
    if k > matrix::CLOSED_INVERSE_MAX {
        let symmetric = (0..k).all(|i| (i + 1..k).all(|j| m[i][j] == m[j][i]));
        return symmetric
            .then(|| matrix::inverse(arena, domain, m).entries(arena))
            .flatten();
    }
    let det = matrix::det_cofactor(arena, m);
    if simplify::is_zero(arena, domain, det) {
        return None;
    }
    for i in 0..k {
        for j in 0..k {
            // inv[i][j] = C_ji / det.
            let c = matrix::cofactor(arena, m, j, i);
            let x = arena.div(c, det);
            inv[i][j] = simplify::tidy(arena, domain, x);
        }
    }
    Some(inv)
}

/// Adds E[T_a T_b] = (∇²_η A)_ab + m_a m_b to the table (Cov[T] = ∇²_η A), all or none.
///
/// A second moment the table already fixes (declared, or implied by the moments inferred from
/// E[score] = 0) is compared instead. When one disagrees, A is not the log-partition of a
/// normalized density with these moments (declared moments that contradict the model, or a
/// formal family such as `x² ln a + x ln b − a − b`): nothing is added, and `Err` says why.
/// Theorem 1 then runs on the declared moments alone, where a contradiction of theirs is the
/// error it reports.
pub fn second_moments(
    prover: &mut Prover,
    fam: &Family,
    table: &mut MomentTable,
) -> Result<(), String> {
    let Some(n) = &fam.natural_fisher else {
        return Err("∇²_η A is not formed".into());
    };
    let k = fam.stats.len();
    let mut trial = table.clone();
    for a in 0..k {
        for b in a..k {
            let arena = &mut *prover.arena;
            let t = arena.mul([fam.stats[a], fam.stats[b]]);
            let mm = arena.mul([fam.mean[a], fam.mean[b]]);
            let v = arena.add([n[a][b], mm]);
            let v = simplify::tidy(arena, prover.domain, v);
            let declared = table
                .get(t)
                .is_some_and(|e| matches!(e.source, Source::Declared | Source::Derived));
            let terms = trial.normalizer().terms(arena, t);
            let Added::Redundant(stated) =
                trial.add_relation(arena, &terms, v, Source::Covariance, None)
            else {
                continue;
            };
            if equiv::equiv(arena, prover.domain, prover.samples, stated, v).is_proved() {
                continue;
            }
            let shown = print::rust_brief(arena, t);
            let known = print::rust_brief(arena, stated);
            let by_cov = print::rust_brief(arena, v);
            let whence = if declared {
                "declared"
            } else {
                "implied by the moments inferred from E[score] = 0"
            };
            return Err(format!(
                "Cov[T] = ∇²_η A gives E[{shown}] = {by_cov}, but E[{shown}] = {known} is \
                 {whence}: A is not the log-partition of a normalized density with these \
                 moments, so the second moments of T are not taken from it"
            ));
        }
    }
    *table = trial;
    Ok(())
}

/// KL(p_P ‖ p_Q) = E_P[ℓ(P) − ℓ(Q)] where the moments give it, with the proofs that it is 0 at
/// Q = P with gradient 0 and Hessian F in Q there; otherwise why not.
pub fn kl_divergence(
    prover: &mut Prover,
    params: &[Symbol],
    loglik: Id,
    table: &mut MomentTable,
    fisher: &[Vec<Id>],
    guards: &[Id],
    span: Span,
) -> Result<Kl, String> {
    let k = params.len();
    if k > STRUCTURE_MAX {
        return Err(format!(
            "not formed above {STRUCTURE_MAX} parameters (its proofs take K² second derivatives)"
        ));
    }
    let (arena, domain) = (&mut *prover.arena, prover.domain);
    let q: Vec<Symbol> = params.iter().map(|&p| q_symbol(arena, p)).collect();
    let to_q: HashMap<Symbol, Id> = params
        .iter()
        .zip(&q)
        .map(|(&p, &s)| (p, arena.sym(s)))
        .collect();
    let to_p: HashMap<Symbol, Id> = q
        .iter()
        .zip(params)
        .map(|(&s, &p)| (s, arena.sym(p)))
        .collect();
    let at_q = arena.substitute(loglik, &to_q);
    let log_ratio = arena.sub(loglik, at_q);
    let value = match table.expectation(arena, log_ratio) {
        Ok(v) => simplify::tidy(arena, domain, v),
        Err(missing) => {
            let shown: Vec<String> = missing
                .iter()
                .map(|&m| format!("E[{}]", print::rust_brief(arena, m)))
                .collect();
            return Err(format!(
                "E_P[ℓ(P) − ℓ(Q)] needs {}, which no moment supplies",
                shown.join(", ")
            ));
        }
    };
    let zero = arena.int(0);
    let at_p = arena.substitute(value, &to_p);
    let mut claims = vec![Claim::new(at_p, zero).at("value".into())];
    let grads: Vec<Id> = q.iter().map(|&s| arena.diff(value, s)).collect();
    for (i, &g) in grads.iter().enumerate() {
        let g = arena.substitute(g, &to_p);
        claims.push(Claim::new(g, zero).at(format!("gradient [{i}]")));
    }
    for i in 0..k {
        for j in i..k {
            let h = arena.diff(grads[i], q[j]);
            let h = arena.substitute(h, &to_p);
            claims.push(Claim::new(h, fisher[i][j]).at(format!("Hessian [{i}][{j}]")));
        }
    }
    let proved = prover.prove(
        "KL(P‖Q) = 0, ∇_Q KL = 0 and ∇²_Q KL = F at Q = P",
        &claims,
        |_, _, f| syn::Error::new(span, format!("{} fails: {}", f.check, f.message)),
    );
    if !proved {
        return Err("its identities at Q = P were not proved".into());
    }
    let arena = &mut *prover.arena;
    let guards = guards.iter().map(|&g| arena.substitute(g, &to_q)).collect();
    Ok(Kl {
        value,
        params: params.to_vec(),
        q,
        guards,
    })
}

/// Q's copy of parameter `p`: `theta_q`, `alpha_q[2]`, with underscores added until the name
/// is new.
fn q_symbol(arena: &mut Arena, p: Symbol) -> Symbol {
    let name = arena.name(p).to_string();
    let (stem, index) = match name.split_once('[') {
        Some((s, rest)) => (s.to_string(), format!("[{rest}")),
        None => (name.clone(), String::new()),
    };
    let mut suffix = "_q".to_string();
    loop {
        let candidate = format!("{stem}{suffix}{index}");
        if arena.find_symbol(&candidate).is_none() {
            return arena.symbol(&candidate);
        }
        suffix.insert(0, '_');
    }
}
