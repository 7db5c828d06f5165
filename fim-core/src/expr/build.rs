//! Canonical construction: sums and products merged, folded and sorted as they are built, and
//! the function constructors with their own folds (`ln(exp a) = a`, `|π| = π`).

use std::cmp::Ordering;

use rustc_hash::FxHashMap;
use smallvec::SmallVec;

use num_traits::{One, Signed, ToPrimitive, Zero};

use super::special::Symmetry;
use super::{
    denom, q_add, q_mul, rat, rat_powi, ratio, BigInt, Fun, Id, Ir, Node, Rational, Special,
};

/// True for a node that enters a product only as a base with an exponent: nothing inside it
/// merges with other factors (unlike a number, a product, a power, `exp` or `|·|`).
fn is_plain_base(n: &Node) -> bool {
    matches!(
        n,
        Node::Sym(_) | Node::Add(_) | Node::Ln(_) | Node::Special(..) | Node::Pi
    )
}

/// Exact integer `q`-th root of a non-negative integer, if it exists.
fn int_root(n: &BigInt, q: u32) -> Option<BigInt> {
    if n.is_negative() {
        return None;
    }
    let r = n.nth_root(q as usize);
    if r.pow(q as usize) == *n {
        Some(r)
    } else {
        None
    }
}

impl Ir {
    // ---- sums ------------------------------------------------------------------------------

    /// Splits a term into its rational coefficient and the rest (`None` for a pure constant).
    pub fn split_coeff(&mut self, id: Id) -> (Rational, Option<Id>) {
        match self.node(id) {
            Node::Num(r) => (r.clone(), None),
            Node::Mul(c, _) if !c.is_one() => {
                let c = c.clone();
                let rest = self.rescale_mul(Rational::one(), id);
                (c, Some(rest))
            }
            _ => (Rational::one(), Some(id)),
        }
    }

    /// `coeff * rest` without re-canonicalizing `rest`'s factors.
    fn scale(&mut self, coeff: Rational, rest: Id) -> Id {
        if coeff.is_one() {
            return rest;
        }
        if coeff.is_zero() {
            return self.int(0);
        }
        match self.node(rest) {
            Node::Mul(c, _) => {
                let c = c * coeff;
                self.rescale_mul(c, rest)
            }
            Node::Num(r) => {
                let r = r * coeff;
                self.num(r)
            }
            _ => self.make_mul(coeff, &mut [(rest, Rational::one())]),
        }
    }

    /// The canonical sum of `terms`.
    pub fn add(&mut self, terms: impl IntoIterator<Item = Id>) -> Id {
        let mut pairs: PairVec = PairVec::new();
        let mut stack: SmallVec<[Id; 8]> = terms.into_iter().collect();
        // Every node is canonical: a sum of one term is that term.
        if let [t] = stack[..] {
            return t;
        }
        stack.reverse();
        while let Some(t) = stack.pop() {
            if let Node::Add(children) = self.node(t) {
                stack.extend(children.iter().rev().copied());
                continue;
            }
            pairs.push(self.split_coeff(t));
        }
        self.add_split(&mut pairs)
    }

    /// The canonical sum of `coefficient · rest` terms (`None` for a constant), for callers
    /// that already hold their terms split (the simplifier's polynomials), so that no product
    /// is built only to be taken apart again.
    /// `pending` is used up as the work list (and left empty).
    pub(crate) fn add_split(&mut self, pending: &mut PairVec) -> Id {
        let mut constant = Rational::zero();
        // Like terms meet by linear search while the sum is short (the common case), through
        // an index once it is long.
        let mut terms: SmallVec<[(Id, Rational); 8]> = SmallVec::with_capacity(pending.len());
        let mut index: Option<FxHashMap<Id, usize>> = None;
        pending.reverse();
        while let Some((c, rest)) = pending.pop() {
            match rest {
                None => constant = q_add(&constant, &c),
                Some(r) => {
                    if let Node::Add(children) = self.node(r) {
                        let children: SmallVec<[Id; 8]> = children.iter().copied().collect();
                        for t in children.iter().rev() {
                            let (c2, r2) = self.split_coeff(*t);
                            pending.push((q_mul(&c, &c2), r2));
                        }
                        continue;
                    }
                    let at = match &index {
                        Some(ix) => ix.get(&r).copied(),
                        None => terms.iter().position(|t| t.0 == r),
                    };
                    match at {
                        Some(i) => terms[i].1 = q_add(&terms[i].1, &c),
                        None => {
                            terms.push((r, c));
                            match &mut index {
                                Some(ix) => {
                                    ix.insert(r, terms.len() - 1);
                                }
                                None if terms.len() > LINEAR_SEARCH_MAX => {
                                    index = Some(
                                        terms.iter().enumerate().map(|(i, t)| (t.0, i)).collect(),
                                    );
                                }
                                None => {}
                            }
                        }
                    }
                }
            }
        }
        terms.retain(|(_, c)| !c.is_zero());
        // Distinct rests: an unstable sort is deterministic here.
        terms.sort_unstable_by(|a, b| self.cmp(a.0, b.0));
        let mut out: SmallVec<[Id; 8]> = SmallVec::with_capacity(terms.len() + 1);
        if !constant.is_zero() {
            out.push(self.num(constant));
        }
        for (r, c) in terms.drain(..) {
            out.push(self.scale(c, r));
        }
        match out.len() {
            0 => self.int(0),
            1 => out[0],
            _ => self.intern_add(&out),
        }
    }

    /// `a - b`.
    pub fn sub(&mut self, a: Id, b: Id) -> Id {
        let nb = self.neg(b);
        self.add([a, nb])
    }

    /// `-a`.
    pub fn neg(&mut self, a: Id) -> Id {
        let m = self.int(-1);
        self.mul([m, a])
    }

    // ---- products --------------------------------------------------------------------------

    /// The canonical product of `factors`.
    pub fn mul(&mut self, factors: impl IntoIterator<Item = Id>) -> Id {
        let fs: SmallVec<[Id; 4]> = factors.into_iter().collect();
        // Every node is canonical: a product of one factor is that factor.
        if let [a] = fs[..] {
            return a;
        }
        if let [a, b] = fs[..] {
            if let Some(p) = self.mul_two(a, b) {
                return p;
            }
        }
        self.mul_pow(fs.into_iter().map(|f| (f, Rational::one())))
    }

    /// `a * b` where no merging can happen (a factor 1, two distinct plain bases, a number
    /// and a symbol or a product, two numbers): the product is interned directly. `None`
    /// sends the caller to the general path.
    fn mul_two(&mut self, a: Id, b: Id) -> Option<Id> {
        match (self.node(a), self.node(b)) {
            (Node::Num(c), _) if c.is_one() => Some(b),
            (_, Node::Num(c)) if c.is_one() => Some(a),
            (x, y) if a != b && is_plain_base(x) && is_plain_base(y) => {
                let mut fs = [(a, Rational::ONE), (b, Rational::ONE)];
                if self.cmp(a, b) == Ordering::Greater {
                    fs.swap(0, 1);
                }
                Some(self.intern_mul(Rational::ONE, &fs))
            }
            (Node::Num(c), Node::Sym(_)) if !c.is_zero() => {
                let c = c.clone();
                Some(self.intern_mul(c, &[(b, Rational::ONE)]))
            }
            (Node::Sym(_), Node::Num(c)) if !c.is_zero() => {
                let c = c.clone();
                Some(self.intern_mul(c, &[(a, Rational::ONE)]))
            }
            // A number times a product: its factors are canonical already.
            (Node::Num(c), Node::Mul(d, _)) if !c.is_zero() => {
                let k = q_mul(c, d);
                Some(self.rescale_mul(k, b))
            }
            (Node::Mul(d, _), Node::Num(c)) if !c.is_zero() => {
                let k = q_mul(c, d);
                Some(self.rescale_mul(k, a))
            }
            (Node::Num(c), Node::Num(d)) => {
                let k = q_mul(c, d);
                Some(self.num(k))
            }
            _ => None,
        }
    }

    /// `a / b`.
    pub fn div(&mut self, a: Id, b: Id) -> Id {
        self.mul_pow(vec![(a, Rational::one()), (b, -Rational::one())])
    }

    /// `1 / a`.
    pub fn recip(&mut self, a: Id) -> Id {
        self.powr(a, -Rational::one())
    }

    /// `base^r` for a rational `r`.
    pub fn powr(&mut self, base: Id, r: Rational) -> Id {
        self.mul_pow(vec![(base, r)])
    }

    /// `base^n` for an integer `n`.
    pub fn powi(&mut self, base: Id, n: i64) -> Id {
        self.powr(base, rat(n))
    }

    /// `sqrt(a)`.
    pub fn sqrt(&mut self, a: Id) -> Id {
        self.powr(a, ratio(1, 2))
    }

    /// `base^exponent` for any exponent.
    pub fn pow(&mut self, base: Id, exponent: Id) -> Id {
        if let Some(r) = self.as_num(exponent) {
            let r = r.clone();
            return self.powr(base, r);
        }
        match self.node(base).clone() {
            Node::Num(b) if b.is_one() => self.int(1),
            Node::Exp(a) => {
                let e = self.mul([a, exponent]);
                self.exp(e)
            }
            Node::Pow(b, e0) => {
                let e = self.mul([e0, exponent]);
                self.pow(b, e)
            }
            _ => self.intern(Node::Pow(base, exponent)),
        }
    }

    /// The canonical product `Π factor^exp`.
    pub fn mul_pow(&mut self, factors: impl IntoIterator<Item = (Id, Rational)>) -> Id {
        let mut acc = MulAcc::new();
        for (f, r) in factors {
            self.push_factor(&mut acc, f, r);
        }
        self.finish_mul(&mut acc)
    }

    fn push_factor(&mut self, acc: &mut MulAcc, f: Id, r: Rational) {
        if r.is_zero() {
            return;
        }
        // Most factors are plain bases: no need to clone the node to look inside.
        if is_plain_base(self.node(f)) {
            self.push_base(acc, f, r);
            return;
        }
        match self.node(f) {
            Node::Num(c) => {
                let c = c.clone();
                self.push_num(acc, c, r)
            }
            Node::Mul(c, fs) if r.is_int() => {
                let (c, n) = (c.clone(), fs.len());
                self.push_num(acc, c, r.clone());
                // Through push_factor, so that exp and symbolic powers inside merge too.
                for i in 0..n {
                    let Node::Mul(_, fs) = self.node(f) else {
                        break;
                    };
                    let (b, e) = (fs[i].0, q_mul(&fs[i].1, &r));
                    self.push_factor(acc, b, e);
                }
            }
            Node::Mul(c, fs) if fs.len() == 1 && c.is_one() && !fs[0].1.is_int() => {
                // (b^(p/q))^r: b^(p/q) is only real for b ≥ 0, where the exponents multiply.
                let (b, e) = fs[0].clone();
                self.push_base(acc, b, e * r);
            }
            &Node::Exp(a) => {
                let ra = self.num(r);
                let t = self.mul([ra, a]);
                acc.exp_args.push(t);
            }
            // |a|^(2k) = a^(2k) for real a.
            &Node::Abs(a) if r.is_int() && num_integer::Integer::is_even(r.numerator()) => {
                self.push_base(acc, a, r)
            }
            &Node::Pow(b, e) => {
                let t = if r.is_one() {
                    e
                } else {
                    let re = self.num(r);
                    self.mul([re, e])
                };
                match acc.pows.iter_mut().find(|(x, _)| *x == b) {
                    Some((_, v)) => v.push(t),
                    None => acc.pows.push((b, vec![t])),
                }
            }
            _ => self.push_base(acc, f, r),
        }
    }

    fn push_base(&mut self, acc: &mut MulAcc, b: Id, r: Rational) {
        match acc.exps.iter_mut().find(|(x, _)| *x == b) {
            Some((_, e)) => *e = q_add(e, &r),
            None => acc.exps.push((b, r)),
        }
    }

    fn push_num(&mut self, acc: &mut MulAcc, c: Rational, r: Rational) {
        if c.is_one() {
            return;
        }
        if r.is_one() {
            acc.coeff = q_mul(&acc.coeff, &c);
            return;
        }
        if r.is_int() {
            match rat_powi(&c, r.numerator()) {
                Some(v) => acc.coeff *= v,
                None => {
                    let id = self.num(c);
                    self.push_base(acc, id, r);
                }
            }
            return;
        }
        // c^(p/q) with c = a/b: the integer bases a and b are kept apart (with exponents r and
        // -r) and settled in `settle_numeric_bases`, so that 2^(-1/2), 1/sqrt(2) and
        // sqrt(1/2) are one canonical form.
        if c.is_positive() {
            let (a, b) = (c.numerator().clone(), denom(&c));
            for (base, e) in [(a, r.clone()), (b, -r)] {
                if !base.is_one() {
                    let id = self.num(Rational::from(base));
                    self.push_base(acc, id, e);
                }
            }
            return;
        }
        let id = self.num(c);
        self.push_base(acc, id, r);
    }

    /// `bⁿ |b|ᵐ = b^(n mod 2) |b|^(m + n - n mod 2)` for integer n: even powers of a base
    /// join the powers of its absolute value, so (x - m)² / |x - m|³ = 1 / |x - m|.
    fn merge_into_abs(&mut self, acc: &mut MulAcc) {
        let abs_entries: Vec<(usize, Id)> = acc
            .exps
            .iter()
            .enumerate()
            .filter_map(|(i, (b, _))| match self.node(*b) {
                Node::Abs(a) => Some((i, *a)),
                _ => None,
            })
            .collect();
        for (ai, inner) in abs_entries {
            let Some(bi) = acc.exps.iter().position(|(b, _)| *b == inner) else {
                continue;
            };
            let n = acc.exps[bi].1.clone();
            if !n.is_int() {
                continue;
            }
            let odd = if num_integer::Integer::is_odd(n.numerator()) {
                Rational::one()
            } else {
                Rational::zero()
            };
            let even = &n - &odd;
            if even.is_zero() {
                continue;
            }
            acc.exps[bi].1 = odd;
            acc.exps[ai].1 = q_add(&acc.exps[ai].1, &even);
        }
    }

    /// Numeric bases with fractional exponents: exact roots fold into the coefficient, and
    /// the exponent of a root that stays is brought into [0, 1), the integer part moving into
    /// the coefficient.
    fn settle_numeric_bases(&mut self, acc: &mut MulAcc) {
        let mut i = 0;
        while i < acc.exps.len() {
            let (b, e) = acc.exps[i].clone();
            let c = match self.node(b) {
                Node::Num(c) if c.is_positive() && c.is_int() => c.clone(),
                _ => {
                    i += 1;
                    continue;
                }
            };
            if e.is_int() {
                if let Some(v) = rat_powi(&c, e.numerator()) {
                    acc.coeff *= v;
                    acc.exps.remove(i);
                    continue;
                }
                i += 1;
                continue;
            }
            let q = e.denominator().to_u32();
            if let Some(root) = q.and_then(|q| int_root(c.numerator(), q)) {
                if let Some(v) = rat_powi(&Rational::from(root), e.numerator()) {
                    acc.coeff *= v;
                    acc.exps.remove(i);
                    continue;
                }
            }
            let fl = e.floor();
            if let Some(v) = rat_powi(&c, &fl) {
                acc.coeff *= v;
                acc.exps[i].1 = &e - &fl;
            }
            i += 1;
        }
    }

    fn finish_mul(&mut self, acc: &mut MulAcc) -> Id {
        // Symbolic powers of one base merge, together with any rational power of that base.
        let mut extra: Vec<(Id, Rational)> = Vec::new();
        for (b, mut es) in std::mem::take(&mut acc.pows) {
            if let Some(k) = acc.take_exp(b) {
                es.push(self.num(k));
            }
            let e = self.add(es);
            let p = self.pow(b, e);
            extra.push((p, Rational::one()));
        }
        if !acc.exp_args.is_empty() {
            let args = std::mem::take(&mut acc.exp_args);
            let a = self.add(args);
            let e = self.exp(a);
            extra.push((e, Rational::one()));
        }
        if !extra.is_empty() {
            // The merged powers may have folded to constants or ordinary factors: re-push them.
            for (f, r) in extra {
                match self.node(f).clone() {
                    Node::Pow(..) | Node::Exp(_) => self.push_base(acc, f, r),
                    _ => self.push_factor(acc, f, r),
                }
            }
        }
        self.settle_numeric_bases(acc);
        self.merge_into_abs(acc);
        if acc.coeff.is_zero() {
            return self.int(0);
        }
        acc.exps.retain(|(_, e)| !e.is_zero());
        let coeff = std::mem::replace(&mut acc.coeff, Rational::ONE);
        self.make_mul(coeff, &mut acc.exps)
    }

    /// Interns a product whose factors are already canonical (only sorting is applied).
    fn make_mul(&mut self, coeff: Rational, fs: &mut [(Id, Rational)]) -> Id {
        if coeff.is_zero() {
            return self.int(0);
        }
        if fs.is_empty() {
            return self.num(coeff);
        }
        if coeff.is_one() && fs.len() == 1 && fs[0].1.is_one() {
            return fs[0].0;
        }
        // A number times a sum distributes, so that like terms meet: x - (x - y) = y.
        if fs.len() == 1 && fs[0].1.is_one() {
            if let Node::Add(ts) = self.node(fs[0].0) {
                let ts: SmallVec<[Id; 8]> = ts.iter().copied().collect();
                let mut out = Vec::with_capacity(ts.len());
                for t in ts.iter() {
                    let (c, rest) = self.split_coeff(*t);
                    let c = q_mul(&c, &coeff);
                    out.push(match rest {
                        Some(r) => self.scale(c, r),
                        None => self.num(c),
                    });
                }
                return self.add(out);
            }
        }
        // Distinct bases: an unstable sort is deterministic here.
        fs.sort_unstable_by(|a, b| self.cmp(a.0, b.0));
        self.intern_mul(coeff, fs)
    }

    /// The product `coeff * Π fs` for the factors `fs` of the existing product `src`: already
    /// canonical, so they are neither sorted again nor copied unless the product is new.
    fn rescale_mul(&mut self, coeff: Rational, src: Id) -> Id {
        let Node::Mul(_, fs) = self.node(src) else {
            return self.make_mul(coeff, &mut [(src, Rational::one())]);
        };
        if coeff.is_zero() {
            return self.int(0);
        }
        if coeff.is_one() && fs.len() == 1 && fs[0].1.is_one() {
            return fs[0].0;
        }
        let (hash, found) = self.find_mul(&coeff, fs);
        match found {
            Some(id) => id,
            None => {
                let fs = fs.clone();
                self.insert_new(hash, Node::Mul(coeff, fs))
            }
        }
    }

    // ---- functions -------------------------------------------------------------------------

    /// `ln(a)`; the logarithm of a special function with a closed form for it is that form
    /// (`ln Φ(x)` is `ln_norm_cdf(x)`).
    pub fn ln(&mut self, a: Id) -> Id {
        match self.node(a) {
            Node::Num(r) if r.is_one() => self.int(0),
            Node::Exp(x) => *x,
            &Node::Special(f, x) => match self.ln_of_special(f, x) {
                Some(l) => l,
                None => self.intern(Node::Ln(a)),
            },
            _ => self.intern(Node::Ln(a)),
        }
    }

    /// `exp(a)`.
    pub fn exp(&mut self, a: Id) -> Id {
        match self.node(a) {
            Node::Num(r) if r.is_zero() => self.int(1),
            Node::Ln(x) => *x,
            _ => self.intern(Node::Exp(a)),
        }
    }

    /// `|a|`.
    pub fn abs(&mut self, a: Id) -> Id {
        match self.node(a).clone() {
            Node::Num(r) => self.num(r.abs()),
            Node::Pi | Node::Abs(_) | Node::Exp(_) => a,
            Node::Mul(c, fs) if c.is_negative() => {
                let mut fs: FactorVec = fs.iter().cloned().collect();
                let m = self.make_mul(-c, &mut fs);
                self.abs(m)
            }
            _ => self.intern(Node::Abs(a)),
        }
    }

    /// `ln Γ(a)`.
    pub fn ln_gamma(&mut self, a: Id) -> Id {
        self.special(Special::plain(Fun::LnGamma), a)
    }

    /// `ψ⁽ᵏ⁾(a)`.
    pub fn polygamma(&mut self, k: u32, a: Id) -> Id {
        let psi = Special {
            fun: Fun::Polygamma,
            order: k,
        };
        self.special(psi, a)
    }

    /// `f(a)` for a special function `f`, folded where its table gives an exact value; an even
    /// or odd function takes the one of `a`, `−a` that does not read negative
    /// ([`Ir::reads_negative`]): `cos(-x) = cos(x)`, `sin(mu - x) = -sin(x - mu)`.
    pub fn special(&mut self, f: Special, a: Id) -> Id {
        if let Some(r) = self.as_num(a) {
            if let Some(v) = (f.entry().exact)(f.order, r) {
                return self.num(v);
            }
        }
        let symmetry = f.entry().symmetry;
        if matches!(symmetry, Symmetry::Even | Symmetry::Odd(0)) && self.reads_negative(a) {
            let na = self.neg(a);
            // Exactly one of a, −a reads negative; the check only guards the recursion.
            if self.reads_negative(na) {
                return self.intern(Node::Special(f, a));
            }
            let v = self.special(f, na);
            return if symmetry == Symmetry::Even {
                v
            } else {
                self.neg(v)
            };
        }
        self.intern(Node::Special(f, a))
    }
}

/// The terms of a sum under construction, as (coefficient, rest) with `None` for a constant.
pub(crate) type PairVec = SmallVec<[(Rational, Option<Id>); 8]>;

/// The factors of a product under construction: most products have few.
type FactorVec = SmallVec<[(Id, Rational); 4]>;

/// Sums up to this many distinct terms merge like terms by linear search.
const LINEAR_SEARCH_MAX: usize = 24;

/// The factors of a product being built. Products have few factors, so linear search beats
/// hashing here.
struct MulAcc {
    coeff: Rational,
    /// base → summed rational exponent, in order of first appearance.
    exps: FactorVec,
    /// base → symbolic exponents to be summed.
    pows: Vec<(Id, Vec<Id>)>,
    exp_args: Vec<Id>,
}

impl MulAcc {
    fn new() -> Self {
        MulAcc {
            coeff: Rational::one(),
            exps: FactorVec::new(),
            pows: Vec::new(),
            exp_args: Vec::new(),
        }
    }

    fn take_exp(&mut self, b: Id) -> Option<Rational> {
        let i = self.exps.iter().position(|(x, _)| *x == b)?;
        Some(self.exps.remove(i).1)
    }
}

// The unit tests build through the arena every caller uses.
#[cfg(test)]
use crate::Arena;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_terms_merge_and_constants_fold() {
        let mut a = Arena::new();
        let x = a.var("x");
        let two = a.int(2);
        let t = a.mul([two, x]);
        let s = a.add([x, t, two, two]);
        let four = a.int(4);
        let three = a.int(3);
        let three_x = a.mul([three, x]);
        let expected = a.add([four, three_x]);
        assert_eq!(s, expected);
    }

    #[test]
    fn powers_of_one_base_merge() {
        let mut a = Arena::new();
        let x = a.var("x");
        let x2 = a.powi(x, 2);
        let p = a.mul([x, x2]);
        let x3 = a.powi(x, 3);
        assert_eq!(p, x3);
        let q = a.div(x3, x3);
        assert_eq!(a.as_num(q), Some(&rat(1)));
    }

    #[test]
    fn order_is_independent_of_construction_order() {
        let mut a = Arena::new();
        let y = a.var("y");
        let x = a.var("x");
        let s1 = a.add([y, x]);
        let s2 = a.add([x, y]);
        assert_eq!(s1, s2);
        assert!(matches!(a.node(s1), Node::Add(ts) if ts[0] == x));
    }

    #[test]
    fn exact_roots_fold() {
        let mut a = Arena::new();
        let four = a.int(4);
        let r = a.sqrt(four);
        assert_eq!(a.as_num(r), Some(&rat(2)));
        let eight = a.int(8);
        let r = a.powr(eight, ratio(3, 2));
        // 8^(3/2) = 8 * 8^(1/2): the integer part of the exponent moves into the coefficient.
        assert!(matches!(a.node(r), Node::Mul(c, _) if *c == rat(8)));
    }

    #[test]
    fn numeric_roots_have_one_canonical_form() {
        let mut a = Arena::new();
        let two = a.int(2);
        let half = a.num(ratio(1, 2));
        let p = a.powr(two, ratio(-1, 2));
        let s = a.sqrt(two);
        let q = a.recip(s);
        let r = a.sqrt(half);
        assert_eq!(p, q);
        assert_eq!(q, r);
        let s2 = a.mul([s, s]);
        assert_eq!(a.as_num(s2), Some(&rat(2)));
    }

    #[test]
    fn exp_and_ln_cancel() {
        let mut a = Arena::new();
        let x = a.var("x");
        let e = a.exp(x);
        assert_eq!(a.ln(e), x);
        let l = a.ln(x);
        assert_eq!(a.exp(l), x);
        let e2 = a.mul([e, e]);
        let two = a.int(2);
        let tx = a.mul([two, x]);
        assert_eq!(e2, a.exp(tx));
    }
}
