//! Matrix algebra over the IR: determinants, the adjugate inverse, the congruence Jᵀ F J of a
//! reparameterization, and ½ ln det F using the structure of F (diagonal, block diagonal,
//! diagonal plus rank one). Entries are IR expressions; matrices are small and symmetric.

use std::cmp::Ordering;

use crate::expr::{ratio, Id, Node};
use crate::print;
use crate::simplify::{self, Domain};
use crate::Arena;

/// Above this size a dense F gets a numeric log-determinant in generated code.
pub const SYMBOLIC_DET_MAX: usize = 4;

/// Above this size `fisher_inverse` and `natural_gradient` use a Cholesky factorization at run
/// time rather than a closed-form inverse.
pub const CLOSED_INVERSE_MAX: usize = 3;

/// Above this many operations in the upper triangle of F (as [`print::op_count`] counts them)
/// neither the closed-form inverse nor the closed-form determinant is attempted: both put the
/// entries over one common denominator, whose size grows exponentially with the number of
/// distinct denominators (a logistic regression over N rows written in the body has N of
/// them), while the Cholesky factorization at run time costs O(K³) whatever the entries are.
/// The catalog's largest F holds under 300 operations; a data set of 3 rows already holds 1600.
pub const CLOSED_FORM_MAX_OPS: usize = 600;

/// True when F's entries are too large for a closed-form inverse or determinant
/// ([`CLOSED_FORM_MAX_OPS`]).
pub fn too_large_for_closed_forms(arena: &Arena, f: &[Vec<Id>]) -> bool {
    let mut ops = 0;
    for e in upper(f) {
        ops += print::op_count(arena, e);
        if ops > CLOSED_FORM_MAX_OPS {
            return true;
        }
    }
    false
}

/// A square matrix of expressions, row by row.
pub type Matrix = Vec<Vec<Id>>;

/// How the Jeffreys log density is computed.
#[derive(Clone, Debug)]
pub enum Jeffreys {
    /// `½ ln det F` in closed form; `how` says which structure gave the determinant.
    Closed {
        /// The simplified closed form.
        expr: Id,
        /// "diagonal", "block diagonal", "diagonal plus rank one" or "cofactor expansion".
        how: &'static str,
    },
    /// F is dense and larger than [`SYMBOLIC_DET_MAX`]: generated code takes a Cholesky log-det.
    Numeric,
}

/// How F⁻¹ is computed.
#[derive(Clone, Debug)]
pub enum Inverse {
    /// adj(F) / det F in closed form (small F).
    Closed(Matrix),
    /// det F is identically zero (one input of a regression): no inverse exists anywhere.
    Singular,
    /// F = D + c 11ᵀ (every off-diagonal entry the same `c`, as for the Dirichlet and the
    /// multinomial) with D = diag(`d`): F⁻¹ = D⁻¹ − c D⁻¹11ᵀD⁻¹ / s, s = 1 + c Σ 1/dᵢ
    /// (Sherman–Morrison), computed at run time from the K + 1 entries in O(K).
    RankOne {
        /// dᵢ = Fᵢᵢ − c, simplified, none identically zero.
        d: Vec<Id>,
        /// The common off-diagonal entry.
        c: Id,
    },
    /// F is larger than [`CLOSED_INVERSE_MAX`]: an unrolled Cholesky factorization at run time.
    Cholesky,
}

impl Inverse {
    /// F⁻¹ entry by entry where it is known in closed form (a [`Inverse::RankOne`] written
    /// out, K² entries); `None` for a singular F or a run-time Cholesky.
    pub fn entries(&self, arena: &mut Arena) -> Option<Matrix> {
        match self {
            Inverse::Closed(m) => Some(m.clone()),
            Inverse::RankOne { d, c } => Some(rank_one_entries(arena, d, *c)),
            Inverse::Singular | Inverse::Cholesky => None,
        }
    }
}

/// The entries of the upper triangle of `m`, row by row.
pub fn upper(m: &[Vec<Id>]) -> Vec<Id> {
    let k = m.len();
    let mut v = Vec::with_capacity(k * (k + 1) / 2);
    for i in 0..k {
        for j in i..k {
            v.push(m[i][j]);
        }
    }
    v
}

/// True when every entry off the diagonal is the constant zero.
pub fn is_diagonal(arena: &Arena, m: &[Vec<Id>]) -> bool {
    m.iter().enumerate().all(|(i, row)| {
        row.iter()
            .enumerate()
            .all(|(j, &x)| i == j || arena.is_zero(x))
    })
}

/// Determinant by cofactor expansion along the first row (small matrices only).
pub fn det_cofactor(arena: &mut Arena, m: &[Vec<Id>]) -> Id {
    let n = m.len();
    if n == 1 {
        return m[0][0];
    }
    let mut terms = Vec::with_capacity(n);
    for j in 0..n {
        if arena.is_zero(m[0][j]) {
            continue;
        }
        let minor: Matrix = m[1..]
            .iter()
            .map(|row| {
                row.iter()
                    .enumerate()
                    .filter(|(c, _)| *c != j)
                    .map(|(_, &x)| x)
                    .collect()
            })
            .collect();
        let d = det_cofactor(arena, &minor);
        let sign = arena.int(if j % 2 == 0 { 1 } else { -1 });
        terms.push(arena.mul([sign, m[0][j], d]));
    }
    arena.add(terms)
}

/// F⁻¹ for a symmetric F, in closed form where its structure allows: adj(F) / det F up to
/// [`CLOSED_INVERSE_MAX`]; block by block for a block-diagonal F whose blocks are that small
/// (a diagonal F included); by Sherman–Morrison for a diagonal plus a constant (rank one, as
/// the Dirichlet and the multinomial have). Otherwise, or when the entries are too large for a
/// closed form ([`CLOSED_FORM_MAX_OPS`]), an unrolled Cholesky at run time.
pub fn inverse(arena: &mut Arena, domain: &Domain, f: &[Vec<Id>]) -> Inverse {
    let k = f.len();
    if k <= CLOSED_INVERSE_MAX {
        if k > 1 && too_large_for_closed_forms(arena, f) {
            return Inverse::Cholesky;
        }
        return adjugate_inverse(arena, domain, f);
    }
    let blocks = blocks(arena, f);
    if blocks.len() > 1 && blocks.iter().all(|b| b.len() <= CLOSED_INVERSE_MAX) {
        let mut inv = vec![vec![arena.int(0); k]; k];
        for b in &blocks {
            let sub = principal(f, b);
            if sub.len() > 1 && too_large_for_closed_forms(arena, &sub) {
                return Inverse::Cholesky;
            }
            let Inverse::Closed(sub) = adjugate_inverse(arena, domain, &sub) else {
                return Inverse::Singular;
            };
            for (r, &i) in b.iter().enumerate() {
                for (c, &j) in b.iter().enumerate() {
                    inv[i][j] = sub[r][c];
                }
            }
        }
        return Inverse::Closed(inv);
    }
    if all_off_diagonal_equal(f) {
        return rank_one_inverse(arena, domain, f);
    }
    Inverse::Cholesky
}

/// adj(F) / det F, each entry simplified.
fn adjugate_inverse(arena: &mut Arena, domain: &Domain, f: &[Vec<Id>]) -> Inverse {
    let k = f.len();
    let det = det_cofactor(arena, f);
    if simplify::is_zero(arena, domain, det) {
        return Inverse::Singular;
    }
    let mut inv = vec![vec![arena.int(0); k]; k];
    for i in 0..k {
        for j in i..k {
            // The cofactor C_ji (= C_ij, F symmetric).
            let c = cofactor(arena, f, j, i);
            let x = arena.div(c, det);
            let x = simplify::tidy(arena, domain, x);
            inv[i][j] = x;
            inv[j][i] = x;
        }
    }
    Inverse::Closed(inv)
}

/// The cofactor C_rc of `m`: (−1)^(r+c) times the determinant of `m` without row r and
/// column c (1 for a 1×1 `m`). adj(m)[i][j] = C_ji.
pub fn cofactor(arena: &mut Arena, m: &[Vec<Id>], r: usize, c: usize) -> Id {
    let k = m.len();
    let minor: Matrix = (0..k)
        .filter(|&i| i != r)
        .map(|i| (0..k).filter(|&j| j != c).map(|j| m[i][j]).collect())
        .collect();
    let d = if minor.is_empty() {
        arena.int(1)
    } else {
        det_cofactor(arena, &minor)
    };
    if (r + c) % 2 == 0 {
        d
    } else {
        arena.neg(d)
    }
}

/// F = D + c 11ᵀ with D = diag(dᵢ), dᵢ = Fᵢᵢ − c: [`Inverse::RankOne`], unless some dᵢ is
/// identically zero (then a Cholesky) or s = 1 + c Σ 1/dᵢ is (F singular).
fn rank_one_inverse(arena: &mut Arena, domain: &Domain, f: &[Vec<Id>]) -> Inverse {
    let k = f.len();
    let c = f[0][1];
    let d: Vec<Id> = (0..k)
        .map(|i| {
            let d = arena.sub(f[i][i], c);
            simplify::tidy(arena, domain, d)
        })
        .collect();
    if d.iter().any(|&di| simplify::is_zero(arena, domain, di)) {
        return Inverse::Cholesky;
    }
    let s = rank_one_s(arena, &d, c);
    if simplify::is_zero(arena, domain, s) {
        return Inverse::Singular;
    }
    Inverse::RankOne { d, c }
}

/// s = 1 + c Σ 1/dᵢ of a rank-one inverse.
fn rank_one_s(arena: &mut Arena, d: &[Id], c: Id) -> Id {
    let recips: Vec<Id> = d.iter().map(|&di| arena.recip(di)).collect();
    let sum = arena.add(recips);
    let one = arena.int(1);
    let cs = arena.mul([c, sum]);
    arena.add([one, cs])
}

/// The entries of (D + c 11ᵀ)⁻¹ = D⁻¹ − c D⁻¹11ᵀD⁻¹ / s. They keep that shape, unsimplified
/// as a whole: over one common denominator each would hold the product of all the dᵢ.
pub fn rank_one_entries(arena: &mut Arena, d: &[Id], c: Id) -> Matrix {
    let k = d.len();
    let recips: Vec<Id> = d.iter().map(|&di| arena.recip(di)).collect();
    let s = rank_one_s(arena, d, c);
    let minus_c_over_s = {
        let m = arena.neg(c);
        arena.div(m, s)
    };
    let mut inv = vec![vec![arena.int(0); k]; k];
    for i in 0..k {
        for j in i..k {
            let low_rank = arena.mul([minus_c_over_s, recips[i], recips[j]]);
            let x = if i == j {
                arena.add([recips[i], low_rank])
            } else {
                low_rank
            };
            inv[i][j] = x;
            inv[j][i] = x;
        }
    }
    inv
}

/// Jᵀ F J with `f_at_g` = F(g(φ)) and J[i][a] = ∂θᵢ/∂φₐ, simplified: F in new parameters.
pub fn congruence(arena: &mut Arena, domain: &Domain, j: &[Vec<Id>], f_at_g: &[Vec<Id>]) -> Matrix {
    let k = j.len();
    let mut out = vec![vec![arena.int(0); k]; k];
    for a in 0..k {
        for b in a..k {
            let mut terms = Vec::new();
            for p in 0..k {
                for q in 0..k {
                    if arena.is_zero(j[p][a]) || arena.is_zero(j[q][b]) {
                        continue;
                    }
                    terms.push(arena.mul([j[p][a], f_at_g[p][q], j[q][b]]));
                }
            }
            let s = arena.add(terms);
            let s = simplify::tidy(arena, domain, s);
            out[a][b] = s;
            out[b][a] = s;
        }
    }
    out
}

/// `ln |d|`, without the absolute value where the sign of `d` is known.
pub fn log_abs(arena: &mut Arena, domain: &Domain, d: Id) -> Id {
    match domain.sign(arena, d) {
        Some(Ordering::Greater) => arena.ln(d),
        Some(Ordering::Less) => {
            let n = arena.neg(d);
            arena.ln(n)
        }
        _ => {
            let a = arena.abs(d);
            arena.ln(a)
        }
    }
}

/// The principal submatrix of `f` on the rows and columns `b`.
fn principal(f: &[Vec<Id>], b: &[usize]) -> Matrix {
    b.iter()
        .map(|&i| b.iter().map(|&j| f[i][j]).collect())
        .collect()
}

/// The connected blocks of the nonzero pattern of a symmetric `f`, each in increasing order.
fn blocks(arena: &Arena, f: &[Vec<Id>]) -> Vec<Vec<usize>> {
    let k = f.len();
    let mut block_of = (0..k).collect::<Vec<usize>>();
    for i in 0..k {
        for j in i + 1..k {
            if !arena.is_zero(f[i][j]) {
                let (a, b) = (block_of[i], block_of[j]);
                for x in block_of.iter_mut() {
                    if *x == b {
                        *x = a;
                    }
                }
            }
        }
    }
    let mut blocks: Vec<Vec<usize>> = Vec::new();
    for i in 0..k {
        match blocks.iter_mut().find(|b| block_of[b[0]] == block_of[i]) {
            Some(b) => b.push(i),
            None => blocks.push(vec![i]),
        }
    }
    blocks
}

/// ½ ln det F, using the structure of F where it has one; numeric when F is dense and larger
/// than [`SYMBOLIC_DET_MAX`] or when a block's entries are too large for a closed-form
/// determinant ([`CLOSED_FORM_MAX_OPS`]).
pub fn jeffreys_of(arena: &mut Arena, domain: &Domain, f: &[Vec<Id>]) -> Jeffreys {
    let k = f.len();
    let blocks = blocks(arena, f);
    // Only the determinants by cofactors (blocks up to SYMBOLIC_DET_MAX) can grow too large.
    let too_large = blocks.iter().any(|b| {
        if b.len() == 1 || b.len() > SYMBOLIC_DET_MAX {
            return false;
        }
        let sub = principal(f, b);
        too_large_for_closed_forms(arena, &sub)
    });
    if too_large {
        return Jeffreys::Numeric;
    }
    // The logarithms whose sum is ln det F; `whole` when they are already in display form.
    let (how, logs, whole): (&'static str, Vec<Id>, bool) = if blocks.iter().all(|b| b.len() == 1) {
        let logs = f
            .iter()
            .enumerate()
            .map(|(i, row)| arena.ln(row[i]))
            .collect();
        ("diagonal", logs, false)
    } else if blocks.len() > 1 && blocks.iter().all(|b| b.len() <= SYMBOLIC_DET_MAX) {
        let mut logs = Vec::with_capacity(blocks.len());
        for b in &blocks {
            let sub = principal(f, b);
            let d = det_cofactor(arena, &sub);
            logs.push(arena.ln(d));
        }
        ("block diagonal", logs, false)
    } else if k > SYMBOLIC_DET_MAX && all_off_diagonal_equal(f) {
        let (logs, compact) = rank_one_logs(arena, domain, f);
        ("diagonal plus rank one", logs, compact)
    } else if k <= SYMBOLIC_DET_MAX && k > 1 && all_off_diagonal_equal(f) {
        let (how, log) = small_rank_one(arena, domain, f);
        (how, vec![log], true)
    } else if k <= SYMBOLIC_DET_MAX {
        let d = det_cofactor(arena, f);
        let d = simplify::simplify(arena, domain, d);
        ("cofactor expansion", vec![arena.ln(d)], false)
    } else {
        return Jeffreys::Numeric;
    };
    let half = arena.num(ratio(1, 2));
    let sum = arena.add(logs);
    let j = arena.mul([half, sum]);
    let expr = if whole {
        j
    } else {
        simplify::tidy(arena, domain, j)
    };
    Jeffreys::Closed { expr, how }
}

/// ln det F for a small F with equal off-diagonal entries, where both the cofactor and the
/// rank-one routes apply. The cofactor form is usually the simpler; the rank-one form wins
/// when the determinant's logarithm could not be split (ln(n²/(p1 p2 p3)) with n of unknown
/// sign): then keep whichever prints shorter. The result is in display form.
fn small_rank_one(arena: &mut Arena, domain: &Domain, f: &[Vec<Id>]) -> (&'static str, Id) {
    let d = det_cofactor(arena, f);
    let d = simplify::simplify(arena, domain, d);
    let by_cofactor = arena.ln(d);
    let by_cofactor = simplify::tidy(arena, domain, by_cofactor);
    if has_unsplit_product_log(arena, by_cofactor) {
        let (r, compact) = rank_one_logs(arena, domain, f);
        let sum = arena.add(r);
        let by_rank_one = if compact {
            sum
        } else {
            simplify::tidy(arena, domain, sum)
        };
        if print::op_count(arena, by_rank_one) <= print::op_count(arena, by_cofactor) {
            return ("diagonal plus rank one", by_rank_one);
        }
    }
    ("cofactor expansion", by_cofactor)
}

/// True when `id` holds the logarithm of a product or power that simplification left whole.
fn has_unsplit_product_log(arena: &Arena, id: Id) -> bool {
    let mut stack = vec![id];
    while let Some(n) = stack.pop() {
        if let Node::Ln(a) = arena.node(n) {
            if matches!(arena.node(*a), Node::Mul(..)) {
                return true;
            }
        }
        stack.extend(arena.children(n));
    }
    false
}

/// F = D + c 11ᵀ with D = diag(Fᵢᵢ − c): det F = Π dᵢ · (1 + c Σ 1/dᵢ); the logarithms of
/// the factors.
///
/// Each logarithm is simplified on its own. The last factor keeps the compact form
/// `1 + c Σ 1/dᵢ` when that prints shorter than its form over a common denominator (for a
/// Dirichlet the common denominator would multiply the whole determinant out); it is then
/// marked so that the caller does not simplify the sum as a whole.
fn rank_one_logs(arena: &mut Arena, domain: &Domain, f: &[Vec<Id>]) -> (Vec<Id>, bool) {
    let k = f.len();
    let c = f[0][1];
    let mut logs = Vec::with_capacity(k + 1);
    let mut inv_sum = Vec::with_capacity(k);
    for (i, row) in f.iter().enumerate() {
        let d = arena.sub(row[i], c);
        let d = simplify::tidy(arena, domain, d);
        let l = arena.ln(d);
        logs.push(simplify::tidy(arena, domain, l));
        inv_sum.push(arena.recip(d));
    }
    let s = arena.add(inv_sum);
    let cs = arena.mul([c, s]);
    let one = arena.int(1);
    let raw = arena.add([one, cs]);
    let together = simplify::simplify(arena, domain, raw);
    let ln_together = arena.ln(together);
    let ln_together = simplify::tidy(arena, domain, ln_together);
    let ln_raw = arena.ln(raw);
    let compact = print::op_count(arena, ln_raw) < print::op_count(arena, ln_together);
    logs.push(if compact { ln_raw } else { ln_together });
    (logs, compact)
}

fn all_off_diagonal_equal(f: &[Vec<Id>]) -> bool {
    let c = f[0][1];
    f.iter()
        .enumerate()
        .all(|(i, row)| row.iter().enumerate().all(|(j, &x)| i == j || x == c))
}
