//! Missing moments, named the way the user would declare them: the smallest set of
//! expectations whose declaration makes F derivable, written in the user's variables.
//!
//! - The variables: where the body uses a data argument only through one `let` binding affine
//!   in it (`let z = (x - mu) / beta;`), the needed expectations are written in that
//!   variable (x = μ + β z substituted), and other bindings are used by name where their
//!   value appears (`w` for `1.0 / (1.0 + z.powi(2) / nu)`, `w.powi(2)` for its square).
//! - The candidates: the data factors of the Hessian entries that could not be formed, in
//!   those variables, in order of first appearance.
//! - The smallest set: candidates are dropped, last first, while the rest (with everything the
//!   table knows) still spans what every entry needs, by linear algebra over the normal form,
//!   so each named expectation is needed and declaring them all is enough.

use std::collections::HashMap;

use crate::expect::{self, MomentTable, Terms};
use crate::expr::{Id, Ir, Node, Symbol};
use crate::Arena;

use super::derive::Likelihood;

/// One expectation to declare.
#[derive(Clone, Debug)]
pub(super) struct Suggestion {
    /// The data expression in the user's variables (their `let` names where they used them).
    pub shown: Id,
    /// The entries of F that need it.
    pub used_by: Vec<(usize, usize)>,
    /// It holds a special function of the data and a parameter: its expectation has in
    /// general no closed form.
    pub open: bool,
}

/// The user's variables for one likelihood.
struct UserVars {
    /// The data symbols as the user sees them (a standardized variable in place of its data).
    data: Vec<Symbol>,
    /// Data symbol → its expression in the user's variable.
    to_user: HashMap<Symbol, Id>,
    /// The user's variable → its expression in the data.
    to_data: HashMap<Symbol, Id>,
    /// Bindings usable by name, as (name symbol, value in the user's variables), latest first.
    names: Vec<(Id, Id)>,
}

impl UserVars {
    fn new(arena: &mut Arena, lik: &Likelihood) -> Self {
        let mut vars = UserVars {
            data: lik.data.clone(),
            to_user: HashMap::new(),
            to_data: HashMap::new(),
            names: Vec::new(),
        };
        for (x, name) in &lik.names.through {
            let Some(&(_, v)) = lik.names.lets.iter().find(|(n, _)| n == name) else {
                continue;
            };
            let Some(x_of_z) = affine_inverse(arena, v, *x, name) else {
                continue;
            };
            let z = arena.symbol(name);
            vars.to_user.insert(*x, x_of_z);
            vars.to_data.insert(z, v);
            for d in &mut vars.data {
                if d == x {
                    *d = z;
                }
            }
        }
        for (name, v) in lik.names.lets.iter().rev() {
            let sym = arena.var(name);
            let u = vars.user(arena, *v);
            if u != sym && arena.depends_on_any(u, &vars.data) {
                vars.names.push((sym, u));
            }
        }
        vars
    }

    /// `e` in the user's variables.
    fn user(&self, arena: &mut Arena, e: Id) -> Id {
        if self.to_user.is_empty() {
            e
        } else {
            arena.substitute(e, &self.to_user)
        }
    }

    /// `e` (in the user's variables) in the data.
    fn in_data(&self, arena: &mut Arena, e: Id) -> Id {
        if self.to_data.is_empty() {
            e
        } else {
            arena.substitute(e, &self.to_data)
        }
    }

    /// `e` with the values of bindings written as their names.
    fn named(&self, arena: &mut Arena, e: Id) -> Id {
        if self.names.is_empty() {
            return e;
        }
        let mut memo = HashMap::new();
        self.rename(arena, e, &mut memo)
    }

    fn rename(&self, arena: &mut Ir, e: Id, memo: &mut HashMap<Id, Id>) -> Id {
        if let Some(&r) = memo.get(&e) {
            return r;
        }
        let r = if let Some(&(sym, _)) = self.names.iter().find(|(_, v)| *v == e) {
            sym
        } else if let Node::Mul(c, fs) = arena.node(e).clone() {
            let mut out = vec![(arena.num(c), crate::Rational::ONE)];
            for (b, k) in fs.iter() {
                let by_name = self.names.iter().find_map(|&(sym, v)| {
                    let (vb, ve) = single_power(arena, v)?;
                    let q = k / &ve;
                    (vb == *b && q.is_int()).then_some((sym, q))
                });
                match by_name {
                    Some(p) => out.push(p),
                    None => {
                        let b = self.rename(arena, *b, memo);
                        out.push((b, k.clone()));
                    }
                }
            }
            arena.mul_pow(out)
        } else {
            arena.map_children(e, &mut |a, c| self.rename(a, c, memo))
        };
        memo.insert(e, r);
        r
    }
}

/// `b^e` for a value that is one base to a rational power (`1 / d` is `d^-1`).
fn single_power(arena: &Ir, v: Id) -> Option<(Id, crate::Rational)> {
    match arena.node(v) {
        Node::Mul(c, fs) if c.is_one() && fs.len() == 1 => Some(fs[0].clone()),
        Node::Mul(..) | Node::Num(_) => None,
        _ => Some((v, crate::Rational::ONE)),
    }
}

/// For `z = a x + b` (a, b free of the data, a ≠ 0), `x` as `z / a - b / a` in the symbol
/// `name`; `None` unless `v` is affine in `x` and the inverse substitutes back exactly.
fn affine_inverse(arena: &mut Arena, v: Id, x: Symbol, name: &str) -> Option<Id> {
    let one = arena.int(1);
    let xs = arena.sym(x);
    let terms = expect::data_terms(arena, v, &[x]);
    let (mut a, mut b) = (None, arena.int(0));
    for (c, f) in terms {
        if f == xs {
            a = Some(c);
        } else if f == one {
            b = c;
        } else {
            return None;
        }
    }
    let a = a?;
    if arena.is_zero(a) {
        return None;
    }
    let z = arena.var(name);
    let inv = arena.recip(a);
    let zx = arena.mul([z, inv]);
    let bx = arena.mul([b, inv]);
    let nbx = arena.neg(bx);
    let x_of_z = arena.add([zx, nbx]);
    let back = arena.substitute(v, &HashMap::from([(x, x_of_z)]));
    (back == z).then_some(x_of_z)
}

/// The smallest set of expectations (each needed, together enough) that makes every entry of
/// `entries` derivable, in the user's variables.
pub(super) fn missing(
    arena: &mut Arena,
    table: &mut MomentTable,
    lik: &Likelihood,
    hessian: &[Vec<Id>],
    entries: &[(usize, usize)],
) -> Vec<Suggestion> {
    let vars = UserVars::new(arena, lik);
    let one = arena.int(1);
    // (in the user's variables, the entries using it)
    let mut cands: Vec<(Id, Vec<(usize, usize)>)> = Vec::new();
    for &(i, j) in entries {
        let h = vars.user(arena, hessian[i][j]);
        for (_, f) in expect::data_terms(arena, h, &vars.data) {
            if f == one {
                continue;
            }
            match cands.iter_mut().find(|c| c.0 == f) {
                Some(c) => c.1.push((i, j)),
                None => cands.push((f, vec![(i, j)])),
            }
        }
    }
    let mut reduced: Vec<Terms> = Vec::with_capacity(cands.len());
    let mut in_data: Vec<Id> = Vec::with_capacity(cands.len());
    for (f, _) in &cands {
        let x = vars.in_data(arena, *f);
        in_data.push(x);
        reduced.push(table.residual(arena, x));
    }
    let targets: Vec<Terms> = entries
        .iter()
        .map(|&(i, j)| table.residual(arena, hessian[i][j]))
        .filter(|t| !t.is_empty())
        .collect();
    let domain = table.normalizer().domain().clone();
    let mut keep: Vec<usize> = (0..cands.len())
        .filter(|&c| !reduced[c].is_empty())
        .collect();
    let basis =
        |keep: &[usize]| -> Vec<Terms> { keep.iter().map(|&c| reduced[c].clone()).collect() };
    let mut out = Vec::new();
    if expect::spans(arena, &domain, &basis(&keep), &targets) {
        for c in keep.clone().into_iter().rev() {
            let trial: Vec<usize> = keep.iter().copied().filter(|&k| k != c).collect();
            if expect::spans(arena, &domain, &basis(&trial), &targets) {
                keep = trial;
            }
        }
    } else {
        // The data factors did not span the need (a spelling the normal form does not
        // reach): name the missing keys themselves, which always suffices.
        let mut keys: Vec<Id> = Vec::new();
        for t in &targets {
            for &(_, k) in t {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
        for k in keys {
            let shown = table.normalizer().shown(k);
            out.push(Suggestion {
                shown,
                used_by: entries.to_vec(),
                open: open_form(arena, shown, lik),
            });
        }
        keep.clear();
    }
    for c in keep {
        let shown = vars.named(arena, cands[c].0);
        out.push(Suggestion {
            shown,
            used_by: cands[c].1.clone(),
            open: open_form(arena, in_data[c], lik),
        });
    }
    out
}

/// True when `e` holds a special function (ln Γ, ψ, …) of an argument mixing the data and a
/// parameter: `E[trigamma(x + r)]` has in general no closed form.
fn open_form(arena: &mut Arena, e: Id, lik: &Likelihood) -> bool {
    let mut stack = vec![e];
    let mut seen = std::collections::HashSet::new();
    while let Some(n) = stack.pop() {
        if !seen.insert(n) {
            continue;
        }
        if let Node::Special(_, a) = *arena.node(n) {
            if arena.depends_on_any(a, &lik.data) && arena.depends_on_any(a, &lik.params) {
                return true;
            }
        }
        stack.extend(arena.children(n));
    }
    false
}
