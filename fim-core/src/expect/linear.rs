//! Linear algebra over expectations: reduced row-echelon forms with exact symbolic entries
//! (zero decided by the simplifier), the rank count of the score's statistics for
//! exponential-family inference, and span tests over normal forms.
//!
//! Costs: an n × m elimination simplifies O(n · m · min(n, m)) entries. It runs only where the
//! direct paths fail (more statistics than parameters in the score, a moment with several
//! unknowns, a missing moment to name), never for a model whose moments match one by one.

use rustc_hash::FxHashMap as HashMap;

use super::{solve, MomentTable, Terms, Workspace};
use crate::expr::{Id, Node, Symbol};
use crate::simplify::{self, Domain};

/// Brings `m` to reduced row-echelon form in place; returns the pivot column of each of the
/// leading rows (the rank is their number).
pub(crate) fn rref(arena: &mut impl Workspace, domain: &Domain, m: &mut [Vec<Id>]) -> Vec<usize> {
    let rows = m.len();
    let cols = m.first().map_or(0, |r| r.len());
    let mut pivots = Vec::new();
    let mut r = 0;
    for col in 0..cols {
        if r == rows {
            break;
        }
        let Some(p) = (r..rows).find(|&i| !simplify::is_zero(arena, domain, m[i][col])) else {
            continue;
        };
        m.swap(r, p);
        let pv = m[r][col];
        for j in col..cols {
            let v = arena.div(m[r][j], pv);
            m[r][j] = simplify::simplify(arena, domain, v);
        }
        for i in 0..rows {
            if i == r || arena.is_zero(m[i][col]) {
                continue;
            }
            let f = m[i][col];
            for j in col..cols {
                let t = arena.mul([f, m[r][j]]);
                let v = arena.sub(m[i][j], t);
                m[i][j] = simplify::simplify(arena, domain, v);
            }
        }
        pivots.push(col);
        r += 1;
    }
    pivots
}

/// Above this many data statistics with symbolic coefficients the elimination is not tried:
/// the reduced rows are ratios of minors of the coefficient matrix, whose size grows
/// factorially with it (a logistic regression over 20 rows written in the body).
const BY_RANK_SYMBOLIC_MAX: usize = 6;

/// Derivative orders tried when looking for constant dependencies among coefficient columns.
const WRONSKIAN_ORDER_MAX: usize = 2;

/// The score counted by rank: with `Σ_j G_kj(θ) T_j` its data part, the columns of `G` that
/// are dependent with *constant* coefficients (free of the parameters, as in Hardy–Weinberg,
/// where `x1` and `x2` enter only as `2 x1 + x2`) are found from `G` and its derivatives in
/// the parameters (a generalized Wronskian). With `r` independent columns the score is
/// `Σ_p G_kp S_p` for the statistics `S_p = T_p + Σ_f R_pf T_f`; when `r ≤ K`, E[score] = 0
/// fixes `E[S_p]`, returned as relations over the normal-form keys.
///
/// `None` when the statistics are independent beyond `K` (a curved family) or no constant
/// dependency shows; `Some(Err)` when the reduced system is singular or inconsistent.
pub(super) fn by_rank(
    arena: &mut impl Workspace,
    domain: &Domain,
    score: &[Id],
    params: &[Symbol],
    table: &mut MomentTable,
) -> Option<Result<Vec<(Terms, Id)>, &'static str>> {
    let one = arena.int(1);
    let zero = arena.int(0);
    let k = score.len();
    let rows: Vec<Terms> = score
        .iter()
        .map(|&s| table.normalizer().terms(arena, s))
        .collect();
    let mut stats: Vec<Id> = Vec::new();
    for row in &rows {
        for &(_, key) in row {
            if key != one && !stats.contains(&key) {
                stats.push(key);
            }
        }
    }
    let m = stats.len();
    let col: HashMap<Id, usize> = stats.iter().enumerate().map(|(j, &s)| (s, j)).collect();
    let mut g = vec![vec![zero; m]; k];
    let mut d = vec![zero; k];
    for (i, row) in rows.iter().enumerate() {
        for &(c, key) in row {
            let c = simplify::simplify(arena, domain, c);
            if key == one {
                d[i] = c;
            } else {
                g[i][col[&key]] = c;
            }
        }
    }
    let symbolic = g
        .iter()
        .flatten()
        .any(|&c| !matches!(arena.node(c), Node::Num(_)));
    if symbolic && m > BY_RANK_SYMBOLIC_MAX {
        return Some(Err(
            "the score holds more data statistics than parameters, with symbolic coefficients \
             (a data set written in the body): relating them by elimination would build minors \
             of the design, too large to simplify; F = −E[H] needs no moments of them",
        ));
    }
    let data = table.normalizer().data().to_vec();
    let mut w = g.clone();
    let mut last = g.clone();
    let mut found = None;
    for order in 0..=WRONSKIAN_ORDER_MAX.min(m.saturating_sub(1)) {
        let mut reduced = w.clone();
        let pivots = rref(arena, domain, &mut reduced);
        if pivots.len() > k {
            return None;
        }
        let constant = pivots.iter().enumerate().all(|(row, _)| {
            (0..m).all(|j| {
                let e = reduced[row][j];
                !arena.depends_on_any(e, params) && !arena.depends_on_any(e, &data)
            })
        });
        if constant {
            found = Some((pivots, reduced));
            break;
        }
        if order == WRONSKIAN_ORDER_MAX.min(m.saturating_sub(1)) {
            return None;
        }
        let mut next = Vec::with_capacity(last.len() * params.len());
        for row in &last {
            for &p in params {
                let r: Vec<Id> = row
                    .iter()
                    .map(|&e| {
                        let de = arena.diff(e, p);
                        simplify::simplify(arena, domain, de)
                    })
                    .collect();
                next.push(r);
            }
        }
        w.extend(next.iter().cloned());
        last = next;
    }
    let (pivots, reduced) = found?;
    // E[score] = 0 in the statistics S_p: [G_{·p} | -d].
    let r = pivots.len();
    let system: Vec<Vec<Id>> = (0..k)
        .map(|i| {
            let mut row: Vec<Id> = pivots.iter().map(|&p| g[i][p]).collect();
            row.push(arena.neg(d[i]));
            row
        })
        .collect();
    let values = match solve(arena, domain, system, r) {
        Ok(v) => v,
        Err(why) => return Some(Err(why)),
    };
    let mut out = Vec::with_capacity(r);
    for (row, (&p, v)) in pivots.iter().zip(values).enumerate() {
        let mut terms = vec![(one, stats[p])];
        for j in 0..m {
            if pivots.contains(&j) || arena.is_zero(reduced[row][j]) {
                continue;
            }
            terms.push((reduced[row][j], stats[j]));
        }
        out.push((terms, v));
    }
    Some(Ok(out))
}

/// True when every target lies in the span of `basis` (vectors of (coefficient, key) pairs).
pub fn spans(
    arena: &mut impl Workspace,
    domain: &Domain,
    basis: &[Terms],
    targets: &[Terms],
) -> bool {
    let mut keys: Vec<Id> = Vec::new();
    for v in basis.iter().chain(targets) {
        for &(_, k) in v {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    let zero = arena.int(0);
    let dense = |v: &Terms| -> Vec<Id> {
        let mut row = vec![zero; keys.len()];
        for &(c, k) in v {
            if let Some(j) = keys.iter().position(|&x| x == k) {
                row[j] = c;
            }
        }
        row
    };
    let mut m: Vec<Vec<Id>> = basis.iter().map(dense).collect();
    let rank = rref(arena, domain, &mut m).len();
    targets.iter().all(|t| {
        let mut with = m[..rank].to_vec();
        with.push(dense(t));
        rref(arena, domain, &mut with).len() == rank
    })
}
