//! Simplification: expand, together over a common denominator, cancel, collect.
//!
//! An expression is brought to a rational function `num / Π fᵢ^kᵢ` over *atoms* (symbols and
//! transcendental subterms whose arguments are simplified first): the numerator is an expanded
//! polynomial, the denominator a product of primitive factors kept in factored form, so that
//! `1/θ + 1/(1-θ)` becomes `1 / (θ (1 - θ))` and cancellation is exact polynomial division.
//! Rewrites that hold only for positive arguments (`ln(ab) = ln a + ln b`) consult a [`Domain`].
//!
//! Here: the entry points and the stage's [`Memo`]; the sign facts in `domain`, the conversion in
//! `simplifier`, and the polynomial algebra it converts to in `crate::poly`.

use std::ops::DerefMut;
use std::rc::Rc;

use rustc_hash::FxHashMap;

use crate::expr::{Id, Ir, Node};
use crate::poly::{Poly, RatFun};

mod domain;
mod simplifier;

pub use domain::Domain;
pub use simplifier::Simplifier;

/// What the simplifier needs of the arena it works in: the expression store, and its own memo
/// kept beside the store. [`crate::Arena`] is the workspace every caller holds.
pub trait Workspace: DerefMut<Target = Ir> {
    /// The store and the simplifier's memo, borrowed together.
    fn split(&mut self) -> (&mut Ir, &mut Memo);
}

/// The simplifier's caches, which outlive one call: forms are keyed by (node, version of the
/// sign facts used), so that a derivation simplifies each subexpression once.
#[derive(Debug, Default)]
pub struct Memo {
    /// Simplified forms; the key's high bit ([`DISPLAY_BIT`]) marks display forms.
    simplified: FxHashMap<(Id, u64), Id>,
    /// Rational-function forms, keyed like `simplified` without the display bit.
    ratfun: FxHashMap<(Id, u64), Rc<RatFun>>,
    /// Canonical IR of polynomials used as denominator keys, by a hash of their terms.
    poly_keys: FxHashMap<u64, Vec<(Poly, Id)>>,
    /// The last version handed to a [`Domain`] that recorded a fact here. Versions are cache
    /// keys of this memo, so they need only be unique per arena.
    versions: u64,
}

impl Memo {
    /// An empty memo, sized for a typical derivation.
    pub fn new() -> Self {
        const MEMO: usize = 256;
        Memo {
            simplified: FxHashMap::with_capacity_and_hasher(MEMO, Default::default()),
            ratfun: FxHashMap::with_capacity_and_hasher(MEMO, Default::default()),
            ..Self::default()
        }
    }

    /// A version no domain working in this arena has had (never 0, which means no facts).
    fn next_version(&mut self) -> u64 {
        self.versions += 1;
        self.versions
    }
}

/// The high bit of a memo key marks display forms.
const DISPLAY_BIT: u64 = 1 << 63;

/// The cache key of `id`'s forms under `domain`: sign facts only matter where a logarithm is.
fn memo_key(arena: &Ir, domain: &Domain, id: Id) -> (Id, u64) {
    (id, if arena.has_ln(id) { domain.version } else { 0 })
}

/// True for a constant, a symbol, or a product of symbols to integer powers: already in its
/// simplest form, canonical and for display.
pub(crate) fn is_monomial(arena: &Ir, id: Id) -> bool {
    match arena.node(id) {
        Node::Num(_) | Node::Sym(_) | Node::Pi => true,
        Node::Mul(_, fs) => fs
            .iter()
            .all(|(b, e)| e.is_int() && matches!(arena.node(*b), Node::Sym(_))),
        _ => false,
    }
}

/// Simplifies `id` with the sign facts of `domain` to a canonical rational form (cheap; for
/// further computation and identity proofs).
pub fn simplify(arena: &mut impl Workspace, domain: &Domain, id: Id) -> Id {
    let (ir, memo) = arena.split();
    simplified(ir, memo, domain, id, false)
}

/// Simplifies `id` for people: as [`simplify`], then common factors collected, numerators
/// factored over their rational roots, univariate denominators split where that cancels.
/// Used for every result that is printed or emitted.
pub fn tidy(arena: &mut impl Workspace, domain: &Domain, id: Id) -> Id {
    let (ir, memo) = arena.split();
    simplified(ir, memo, domain, id, true)
}

/// [`simplify`] or, for `display`, [`tidy`]: cached per expression and sign facts.
fn simplified(arena: &mut Ir, memo: &mut Memo, domain: &Domain, id: Id, display: bool) -> Id {
    if is_monomial(arena, id) {
        return id;
    }
    let source = memo_key(arena, domain, id);
    let key = (source.0, source.1 | if display { DISPLAY_BIT } else { 0 });
    if let Some(&r) = memo.simplified.get(&key) {
        return r;
    }
    let r = Simplifier::over(arena, memo, domain, display).simplify(id);
    memo.simplified.insert(key, r);
    // The result has the value of `id`: it shares `id`'s rational form, so that simplifying it
    // again (a Fisher entry inside a determinant, a sign fact) is a lookup.
    let shown = memo_key(arena, domain, r);
    if let Some(rf) = memo.ratfun.get(&source).cloned() {
        memo.ratfun.entry(shown).or_insert(rf);
    }
    r
}

/// True when `id` simplifies to zero.
pub fn is_zero(arena: &mut impl Workspace, domain: &Domain, id: Id) -> bool {
    if arena.is_zero(id) {
        return true;
    }
    let s = simplify(arena, domain, id);
    arena.is_zero(s)
}

/// Expands products over sums: the expanded numerator of [`simplify`] over its factored
/// denominator (powers of sums above [`EXPAND_POWER_MAX`] stay whole).
pub fn expand(arena: &mut impl Workspace, id: Id) -> Id {
    let empty = Domain::new();
    Simplifier::new(arena, &empty).expanded(id)
}

/// Powers of sums above this exponent are kept whole rather than expanded: (x + y + z)^999
/// would not fit in memory, and (1 + x)^20 reads better as it is.
pub const EXPAND_POWER_MAX: i64 = 8;

// The unit tests build through the arena every caller uses.
#[cfg(test)]
use {crate::Arena, std::cmp::Ordering};

#[cfg(test)]
mod tests {
    use super::*;

    fn one_minus(a: &mut Arena, x: Id) -> Id {
        let one = a.int(1);
        a.sub(one, x)
    }

    #[test]
    fn binomial_information_together() {
        // n*theta/theta^2 + n*(1-theta)/(1-theta)^2 = n / (theta (1 - theta))
        let mut a = Arena::new();
        let (n, t) = (a.var("n"), a.var("theta"));
        let omt = one_minus(&mut a, t);
        let t2 = a.powi(t, 2);
        let omt2 = a.powi(omt, 2);
        let l = a.mul([n, t]);
        let l = a.div(l, t2);
        let r = a.mul([n, omt]);
        let r = a.div(r, omt2);
        let e = a.add([l, r]);
        let s = simplify(&mut a, &Domain::new(), e);
        let den = a.mul([t, omt]);
        let expected = a.div(n, den);
        assert_eq!(s, expected);
    }

    #[test]
    fn odds_information_cancels() {
        // n*phi/((1+phi)*phi^2) - n/(1+phi)^2 = n / (phi (1 + phi)^2)
        let mut a = Arena::new();
        let (n, p) = (a.var("n"), a.var("phi"));
        let one = a.int(1);
        let opp = a.add([one, p]);
        let p2 = a.powi(p, 2);
        let opp2 = a.powi(opp, 2);
        let num = a.mul([n, p]);
        let den = a.mul([opp, p2]);
        let l = a.div(num, den);
        let r = a.div(n, opp2);
        let e = a.sub(l, r);
        let s = simplify(&mut a, &Domain::new(), e);
        let den = a.mul([p, opp2]);
        let expected = a.div(n, den);
        assert_eq!(s, expected);
    }

    #[test]
    fn difference_of_equal_forms_is_zero() {
        let mut a = Arena::new();
        let (x, y) = (a.var("x"), a.var("y"));
        let s = a.add([x, y]);
        let sq = a.powi(s, 2);
        let x2 = a.powi(x, 2);
        let y2 = a.powi(y, 2);
        let two = a.int(2);
        let xy2 = a.mul([two, x, y]);
        let exp = a.add([x2, y2, xy2]);
        let d = a.sub(sq, exp);
        assert!(is_zero(&mut a, &Domain::new(), d));
    }

    #[test]
    fn ln_splits_only_over_positive_factors() {
        let mut a = Arena::new();
        let eta = a.var("eta2");
        let m2 = a.int(-2);
        let arg = a.mul([m2, eta]);
        let l = a.ln(arg);
        let s = simplify(&mut a, &Domain::new(), l);
        assert_eq!(s, l, "ln(-2 * eta2) must survive");

        let t = a.var("theta");
        let n = a.var("n");
        let omt = one_minus(&mut a, t);
        let mut d = Domain::new();
        d.assume_positive(&mut a, t);
        d.assume_positive(&mut a, omt);
        let den = a.mul([t, omt]);
        let f = a.div(n, den);
        let lf = a.ln(f);
        let s = simplify(&mut a, &d, lf);
        let (ln_n, ln_t, ln_omt) = (a.ln(n), a.ln(t), a.ln(omt));
        let neg_t = a.neg(ln_t);
        let neg_omt = a.neg(ln_omt);
        let expected = a.add([ln_n, neg_t, neg_omt]);
        assert_eq!(s, expected);
        // Without the facts, nothing is split.
        let s0 = simplify(&mut a, &Domain::new(), lf);
        assert!(matches!(a.node(s0), Node::Ln(_)));
    }

    #[test]
    fn ln_of_constants_factor_into_primes() {
        let mut a = Arena::new();
        let four = a.int(4);
        let l4 = a.ln(four);
        let s = simplify(&mut a, &Domain::new(), l4);
        let two = a.int(2);
        let l2 = a.ln(two);
        let expected = a.mul([two, l2]);
        assert_eq!(s, expected);
    }

    #[test]
    fn positivity_propagates_through_products() {
        let mut a = Arena::new();
        let (n, t) = (a.var("n"), a.var("theta"));
        let mut d = Domain::new();
        d.assume_positive(&mut a, t);
        let f = a.div(n, t);
        d.assume_positive(&mut a, f);
        assert!(d.is_positive(&a, n));
        let one = a.int(1);
        let tm1 = a.sub(t, one);
        let omt = one_minus(&mut a, t);
        d.assume_positive(&mut a, omt);
        assert_eq!(d.sign(&a, tm1), Some(Ordering::Less));
    }
}
