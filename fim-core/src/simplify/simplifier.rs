//! The simplifier: IR → rational function over atoms → canonical IR, for computation
//! (canonical forms) or for display (common factors collected, denominators split).

use std::cmp::Ordering;
use std::rc::Rc;

use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive};
use rustc_hash::FxHashMap;
use smallvec::{smallvec, SmallVec};

use super::domain::{sign_of, Domain};
use super::{memo_key, Memo, Workspace, EXPAND_POWER_MAX};
use crate::budget::{exact_power_fits, exponent_fits, MAX_PRODUCT_TERMS};
use crate::expr::{rat, BigInt, Id, Ir, Node, Rational};
use crate::poly::{factor_small, linear_factors, mono_div, primitive, Den, Poly, RatFun};

mod relations;

/// Whether `rbᵉ` multiplied out stays within the budgets, estimated before the work: its
/// coefficients' bits (each raised to |e|) and its exponents (which must stay in `u32`).
fn power_fits(rb: &RatFun, e: &BigInt) -> bool {
    let Some(k) = e.to_i64().map(i64::unsigned_abs) else {
        return false;
    };
    let coeffs_fit = rb.num.coeffs().all(|c| exact_power_fits(c, k))
        && rb
            .den
            .values()
            .all(|(p, _)| p.coeffs().all(|c| exact_power_fits(c, k)));
    let widest = rb
        .num
        .monos()
        .flat_map(|m| m.iter().map(|(_, x)| u64::from(*x)))
        .chain(rb.den.values().map(|(_, x)| u64::from(*x)))
        .max()
        .unwrap_or(0);
    coeffs_fit && widest.saturating_mul(k) <= u64::from(u32::MAX / 4)
}

/// An upper bound on the terms of `pᵏ` multiplied out (the multinomial count C(n + k − 1, k)
/// for n terms), saturating.
fn power_terms(n: usize, k: u64) -> usize {
    let mut count = 1.0_f64;
    for i in 1..=k.min(64) {
        count *= (n as f64 - 1.0 + i as f64) / i as f64;
    }
    if count >= usize::MAX as f64 {
        usize::MAX
    } else {
        count as usize
    }
}

/// The simplifier: IR → rational function over atoms → canonical IR.
pub struct Simplifier<'a> {
    arena: &'a mut Ir,
    memo: &'a mut Memo,
    domain: &'a Domain,
    atom_memo: FxHashMap<Id, Id>,
    /// Whether results are for people (common factors collected, rational roots factored,
    /// univariate denominators split) or only canonical, which is cheaper.
    display: bool,
}

impl<'a> Simplifier<'a> {
    /// A simplifier over `arena` that uses the sign facts in `domain`.
    pub fn new(arena: &'a mut impl Workspace, domain: &'a Domain) -> Self {
        let (ir, memo) = arena.split();
        Simplifier::over(ir, memo, domain, false)
    }

    /// A simplifier whose results read as a person would write them (see [`tidy`](super::tidy)).
    pub fn for_display(arena: &'a mut impl Workspace, domain: &'a Domain) -> Self {
        let (ir, memo) = arena.split();
        Simplifier::over(ir, memo, domain, true)
    }

    pub(super) fn over(
        arena: &'a mut Ir,
        memo: &'a mut Memo,
        domain: &'a Domain,
        display: bool,
    ) -> Self {
        Simplifier {
            arena,
            memo,
            domain,
            atom_memo: FxHashMap::default(),
            display,
        }
    }

    fn key(&self, id: Id) -> (Id, u64) {
        // Rational forms do not depend on the mode: display only changes the final conversion.
        memo_key(self.arena, self.domain, id)
    }

    /// The simplified form of `id`: `expanded numerator / factored denominator`; for display,
    /// also with its common factors collected and the arguments of its logarithms tidied.
    pub fn simplify(&mut self, id: Id) -> Id {
        let rf = self.ratfun_of(id);
        let ir = self.ratfun_to_ir(&rf);
        if self.display {
            self.tidy_logs(ir)
        } else {
            ir
        }
    }

    /// The canonical form, whatever the mode: what inner steps (atoms' arguments) use, so that
    /// display and canonical simplification share their caches.
    fn canonical(&mut self, id: Id) -> Id {
        let display = std::mem::replace(&mut self.display, false);
        let rf = self.ratfun_of(id);
        let ir = self.ratfun_to_ir(&rf);
        self.display = display;
        ir
    }

    /// Display forms inside logarithms: ln(ψ₁(a)ψ₁(b) − (ψ₁(a) + ψ₁(b))ψ₁(a+b)).
    fn tidy_logs(&mut self, id: Id) -> Id {
        let mut memo: FxHashMap<Id, Id> = FxHashMap::default();
        self.tidy_logs_rec(id, &mut memo, 0)
    }

    fn tidy_logs_rec(&mut self, id: Id, memo: &mut FxHashMap<Id, Id>, depth: usize) -> Id {
        // Only logarithms change: an expression without one stays as it is.
        if !self.arena.has_ln(id) {
            return id;
        }
        if let Some(&r) = memo.get(&id) {
            return r;
        }
        let r = match self.arena.node(id).clone() {
            Node::Ln(a) if matches!(self.arena.node(a), Node::Add(_)) => {
                let rf = self.ratfun_of(a);
                let shown = self.ratfun_to_ir(&rf);
                self.arena.ln(shown)
            }
            Node::Num(_) | Node::Sym(_) | Node::Pi => id,
            _ if depth > 16 => id,
            _ => {
                let kids = self.arena.children(id);
                let map: Vec<(Id, Id)> = kids
                    .into_iter()
                    .map(|c| (c, self.tidy_logs_rec(c, memo, depth + 1)))
                    .collect();
                if map.iter().all(|(k, v)| k == v) {
                    id
                } else {
                    self.arena.map_children(id, &mut |_, c| lookup(&map, c))
                }
            }
        };
        memo.insert(id, r);
        r
    }

    /// `id` with its numerator fully expanded (no common factors pulled out for display).
    pub fn expanded(&mut self, id: Id) -> Id {
        let rf = self.ratfun_of(id);
        let mut fs = vec![(self.poly_to_ir(&rf.num), Rational::one())];
        for (p, e) in rf.den.values() {
            let f = self.poly_to_ir(p);
            fs.push((f, -rat(i64::from(*e))));
        }
        self.arena.mul_pow(fs)
    }

    fn ratfun_of(&mut self, id: Id) -> Rc<RatFun> {
        let key = self.key(id);
        if let Some(r) = self.memo.ratfun.get(&key) {
            return r.clone();
        }
        let r = match self.arena.node(id) {
            Node::Sym(_) | Node::Pi => RatFun::poly(Poly::atom(id)),
            Node::Num(c) => RatFun::poly(Poly::constant(c.clone())),
            Node::Add(ts) => {
                let ts: SmallVec<[Id; 8]> = ts.iter().copied().collect();
                let parts: Vec<Rc<RatFun>> = ts.iter().map(|t| self.ratfun_of(*t)).collect();
                self.rf_sum(&parts)
            }
            Node::Mul(c, fs) => {
                let c = c.clone();
                let fs: SmallVec<[(Id, Rational); 4]> = fs.iter().cloned().collect();
                // Each factor's form is in lowest terms (so is any power of it): the first one
                // is taken as it is, the others multiplied in and cancelled.
                let mut acc: Option<RatFun> = None;
                for (b, e) in fs.iter() {
                    let f = if !exponent_fits(e) {
                        // Beyond the budget of exact expansion: one atom, still exact.
                        let sb = self.canonical(*b);
                        let atom = self.arena.powr(sb, e.clone());
                        self.opaque_power(atom)
                    } else if e.is_int() {
                        let rb = self.ratfun_of(*b);
                        let big = e
                            .numerator()
                            .to_i64()
                            .map_or(true, |n| n > EXPAND_POWER_MAX);
                        if !power_fits(&rb, e.numerator()) {
                            let sb = self.ratfun_to_ir(&rb);
                            let atom = self.arena.powr(sb, e.clone());
                            self.opaque_power(atom)
                        } else if rb.num.len() > 1
                            && (big
                                || power_terms(rb.num.len(), e.numerator().to_u64().unwrap_or(0))
                                    > MAX_PRODUCT_TERMS)
                        {
                            // A high power of a sum stays one atom over the simplified base.
                            let sb = self.ratfun_to_ir(&rb);
                            let atom = self.arena.powr(sb, e.clone());
                            RatFun::poly(Poly::atom(atom))
                        } else {
                            self.rf_powi(&rb, e.numerator())
                        }
                    } else {
                        // b^(p/q) = (b^(1/q))^p with b^(1/q) an atom over the simplified base.
                        let sb = self.canonical(*b);
                        let q = Rational::from_parts(BigInt::one(), e.denominator().clone());
                        let atom = self.arena.powr(sb, q.clone());
                        // The atom may have folded (an exact root): treat it through the IR.
                        let atom_rf = match self.arena.node(atom) {
                            Node::Mul(_, fs) if fs.len() == 1 && fs[0].1 == q => {
                                RatFun::poly(Poly::atom(atom))
                            }
                            _ => self.ratfun_of(atom).as_ref().clone(),
                        };
                        self.rf_powi(&atom_rf, e.numerator())
                    };
                    acc = Some(match acc {
                        None => f,
                        Some(a) if a.num.len().saturating_mul(f.num.len()) > MAX_PRODUCT_TERMS => {
                            // Too large to multiply out: the product of the two simplified
                            // factors, one atom.
                            let (x, y) = (self.ratfun_to_ir(&a), self.ratfun_to_ir(&f));
                            let p = self.arena.mul([x, y]);
                            RatFun::poly(Poly::atom(p))
                        }
                        Some(a) => self.rf_mul(&a, &f),
                    });
                }
                let mut acc = acc.unwrap_or_else(|| RatFun::poly(Poly::constant(Rational::one())));
                if !c.is_one() {
                    acc.num = acc.num.scale(&c);
                }
                acc
            }
            &Node::Ln(a) => self.ln_ratfun(a),
            _ => {
                let atom = self.atom(id);
                if let Some(canonical) = self.canonical_relation(atom) {
                    self.ratfun_of(canonical).as_ref().clone()
                } else if self.is_atom_node(atom) {
                    RatFun::poly(Poly::atom(atom))
                } else {
                    self.ratfun_of(atom).as_ref().clone()
                }
            }
        };
        let r = Rc::new(self.reduce_squares(r));
        self.memo.ratfun.insert(key, r.clone());
        r
    }

    /// A power kept whole (see [`budget`](crate::budget)): an atom, unless building it folded
    /// it to something the simplifier reads without expanding (a number, a symbol).
    fn opaque_power(&mut self, atom: Id) -> RatFun {
        match self.arena.node(atom) {
            Node::Num(c) => RatFun::poly(Poly::constant(c.clone())),
            Node::Sym(_) | Node::Pi | Node::Mul(..) | Node::Pow(..) => {
                RatFun::poly(Poly::atom(atom))
            }
            _ => self.ratfun_of(atom).as_ref().clone(),
        }
    }

    fn is_atom_node(&self, id: Id) -> bool {
        !matches!(
            self.arena.node(id),
            Node::Add(_) | Node::Mul(..) | Node::Num(_) | Node::Ln(_)
        )
    }

    /// An atom with its arguments simplified.
    fn atom(&mut self, id: Id) -> Id {
        if let Some(&a) = self.atom_memo.get(&id) {
            return a;
        }
        let a = match self.arena.node(id).clone() {
            Node::Sym(_) | Node::Pi | Node::Num(_) => id,
            _ => {
                let children = self.arena.children(id);
                let map: Vec<(Id, Id)> = children
                    .into_iter()
                    .map(|c| (c, self.canonical(c)))
                    .collect();
                self.arena.map_children(id, &mut |_, c| lookup(&map, c))
            }
        };
        self.atom_memo.insert(id, a);
        a
    }

    /// `ln(arg)` split over known-positive factors of the simplified argument.
    fn ln_ratfun(&mut self, arg: Id) -> RatFun {
        let rf = self.ratfun_of(arg);
        // Numerator: k * monomial * primitive rest.
        let content = rf.num.monomial_content();
        let rest = rf.num.div_exact(&Poly::monomial(content.clone()));
        let Some(rest) = rest else {
            return self.opaque_ln(arg);
        };
        let (k, rest) = primitive(&rest);
        let mut pieces: Vec<(Id, Rational)> = Vec::new(); // (positive factor, multiplicity)
        let mut unknown: Vec<(Id, Rational)> = Vec::new();
        let mut sign = sign_of(&k);
        let classify = |s: &mut Self,
                        f: Id,
                        e: Rational,
                        sign: &mut Ordering,
                        pieces: &mut Vec<_>,
                        unknown: &mut Vec<_>| {
            match s.domain.sign(s.arena, f) {
                Some(Ordering::Greater) => pieces.push((f, e)),
                Some(Ordering::Less) => {
                    if e.is_int() && e.numerator().is_odd() {
                        *sign = sign.reverse();
                    }
                    let nf = s.arena.neg(f);
                    pieces.push((nf, e));
                }
                _ => unknown.push((f, e)),
            }
        };
        for (a, e) in &content {
            classify(
                self,
                *a,
                rat(i64::from(*e)),
                &mut sign,
                &mut pieces,
                &mut unknown,
            );
        }
        let mut rest_id = None;
        if rest.as_constant().is_none() {
            let f = self.poly_to_ir(&rest);
            rest_id = Some(f);
            classify(
                self,
                f,
                Rational::one(),
                &mut sign,
                &mut pieces,
                &mut unknown,
            );
        }
        for (p, e) in rf.den.values() {
            let f = self.poly_to_ir(p);
            classify(
                self,
                f,
                -rat(i64::from(*e)),
                &mut sign,
                &mut pieces,
                &mut unknown,
            );
        }
        // A polynomial factor of unknown sign absorbs a negative sign: ln(-(1 - a ψ₁(a)) / β²)
        // is ln(a ψ₁(a) - 1) - 2 ln β. A bare symbol does not: `ln(-2 η)` survives.
        if sign == Ordering::Less {
            let pos = unknown
                .iter()
                .position(|(f, e)| Some(*f) == rest_id && e.is_int() && e.numerator().is_odd());
            if let Some(i) = pos {
                unknown[i].0 = self.poly_to_ir(&rest.scale(&-Rational::one()));
                sign = Ordering::Greater;
            }
        }
        // The argument of ln is positive wherever the expression is defined, so once the
        // factors known to be positive are split off, what remains is positive too and keeps
        // one logarithm of its own. A negative coefficient stays inside it: `ln(-2 η)` survives.
        if sign != Ordering::Greater {
            return self.opaque_ln(arg);
        }
        let mut acc = ln_rational(self.arena, &k.abs());
        for (f, e) in pieces {
            let l = self.ln_positive(f, 0);
            let t = RatFun {
                num: l.num.scale(&e),
                den: l.den,
            };
            acc = self.rf_add(&acc, &t);
        }
        match unknown.as_slice() {
            [] => {}
            [(f, e)] if e.is_int() && e.numerator().is_odd() => {
                // The argument in its display form (common factors collected).
                let shown = self.canonical(*f);
                let l = self.arena.ln(shown);
                let t = RatFun::poly(Poly::atom(l).scale(e));
                acc = self.rf_add(&acc, &t);
            }
            _ => {
                let fs: Vec<(Id, Rational)> = unknown.clone();
                let rest = self.arena.mul_pow(fs);
                let l = self.arena.ln(rest);
                let t = if matches!(self.arena.node(l), Node::Ln(_)) {
                    RatFun::poly(Poly::atom(l))
                } else {
                    self.ratfun_of(l).as_ref().clone()
                };
                acc = self.rf_add(&acc, &t);
            }
        }
        acc
    }

    /// `ln f` for `f` known positive: a power or product of positive factors splits into
    /// their logarithms (ln √v = ½ ln v), ln(exp a) = a.
    fn ln_positive(&mut self, f: Id, depth: usize) -> RatFun {
        match self.arena.node(f).clone() {
            Node::Mul(c, fs)
                if depth < 8
                    && c.is_positive()
                    && fs
                        .iter()
                        .all(|(b, _)| self.domain.is_positive(self.arena, *b)) =>
            {
                let mut acc = ln_rational(self.arena, &c);
                for (b, e) in fs.iter() {
                    let l = self.ln_positive(*b, depth + 1);
                    let t = RatFun {
                        num: l.num.scale(e),
                        den: l.den,
                    };
                    acc = self.rf_add(&acc, &t);
                }
                acc
            }
            Node::Exp(a) => self.ratfun_of(a).as_ref().clone(),
            _ => {
                let l = self.arena.ln(f);
                match self.arena.node(l) {
                    Node::Ln(_) => RatFun::poly(Poly::atom(l)),
                    _ => self.ratfun_of(l).as_ref().clone(),
                }
            }
        }
    }

    fn opaque_ln(&mut self, arg: Id) -> RatFun {
        let sa = self.canonical(arg);
        let l = self.arena.ln(sa);
        match self.arena.node(l) {
            Node::Ln(_) => RatFun::poly(Poly::atom(l)),
            _ => self.ratfun_of(l).as_ref().clone(),
        }
    }

    fn rf_mul(&mut self, a: &RatFun, b: &RatFun) -> RatFun {
        let mut r = RatFun {
            num: a.num.mul(&b.num),
            den: a.den.clone(),
        };
        for (k, (p, e)) in b.den.iter() {
            r.den.add(*k, p.clone(), *e);
        }
        self.cancel(r)
    }

    /// A sum over one common denominator (the lcm of all the terms'), cancelled once.
    fn rf_sum(&mut self, parts: &[Rc<RatFun>]) -> RatFun {
        let parts: Vec<&Rc<RatFun>> = parts.iter().filter(|p| !p.num.is_zero()).collect();
        match parts.as_slice() {
            [] => return RatFun::poly(Poly::default()),
            [one] => return one.as_ref().clone(),
            _ => {}
        }
        let mut lcm = Den::default();
        for part in &parts {
            lcm.raise_to(&part.den);
        }
        if lifted_terms(&parts, &lcm, SUM_LIFT_MAX) > SUM_LIFT_MAX {
            if let Some(r) = self.sum_of_groups(&parts) {
                return r;
            }
            if lifted_terms(&parts, &lcm, MAX_PRODUCT_TERMS as f64) > MAX_PRODUCT_TERMS as f64 {
                // One group, but its common numerator would be too large to multiply out: the
                // sum of the simplified parts stays one atom, still exact.
                let irs: Vec<Id> = parts.iter().map(|p| self.ratfun_to_ir(p)).collect();
                let sum = self.arena.add(irs);
                return RatFun::poly(Poly::atom(sum));
            }
        }
        let mut terms = Vec::new();
        for part in &parts {
            terms.extend(part.lifted(&lcm).into_terms());
        }
        let num = Poly::from_terms(terms);
        self.cancel(RatFun { num, den: lcm })
    }

    /// A sum whose common denominator would be too large, as one atom: the sum of its groups,
    /// each group (the terms linked by a shared denominator factor, and all the polynomial
    /// terms together) over its own common denominator. Σᵢ cᵢ/(1 + e^ηᵢ) over N rows of a
    /// data set stays N fractions instead of one numerator of 2^N terms. The groups are
    /// canonical, so equal sums still meet, and simplifying the atom again gives itself.
    /// `None` when the terms form one group: then nothing is gained.
    fn sum_of_groups(&mut self, parts: &[&Rc<RatFun>]) -> Option<RatFun> {
        let mut group_of: Vec<usize> = (0..parts.len()).collect();
        let mut owner: FxHashMap<Id, usize> = FxHashMap::default();
        let mut polynomial: Option<usize> = None;
        for (i, part) in parts.iter().enumerate() {
            let mut links: Vec<usize> = Vec::new();
            if part.den.is_empty() {
                links.extend(polynomial.replace(i));
            }
            for k in part.den.keys() {
                links.extend(owner.insert(*k, i));
            }
            for j in links {
                let (a, b) = (root(&mut group_of, i), root(&mut group_of, j));
                group_of[a.max(b)] = a.min(b);
            }
        }
        let mut groups: Vec<(usize, Vec<Rc<RatFun>>)> = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            let g = root(&mut group_of, i);
            match groups.iter_mut().find(|(r, _)| *r == g) {
                Some((_, members)) => members.push(Rc::clone(part)),
                None => groups.push((g, vec![Rc::clone(part)])),
            }
        }
        if groups.len() < 2 {
            return None;
        }
        // Canonical IR for each group, whatever the mode: the atom is part of a rational form,
        // and those do not depend on the mode.
        let display = std::mem::replace(&mut self.display, false);
        let irs: Vec<Id> = groups
            .iter()
            .map(|(_, members)| {
                let r = self.rf_sum(members);
                self.ratfun_to_ir(&r)
            })
            .collect();
        self.display = display;
        let atom = self.arena.add(irs);
        Some(RatFun::poly(Poly::atom(atom)))
    }

    fn rf_add(&mut self, a: &RatFun, b: &RatFun) -> RatFun {
        if a.num.is_zero() {
            return b.clone();
        }
        if b.num.is_zero() {
            return a.clone();
        }
        let mut lcm = a.den.clone();
        lcm.raise_to(&b.den);
        let num = a.lifted(&lcm).add(&b.lifted(&lcm));
        self.cancel(RatFun { num, den: lcm })
    }

    fn rf_powi(&mut self, a: &RatFun, e: &BigInt) -> RatFun {
        let Some(e) = e.to_i64() else {
            return RatFun::poly(Poly::default());
        };
        let k = e.unsigned_abs() as u32;
        if e >= 0 {
            let mut r = RatFun::poly(a.num.pow(k));
            for (key, (p, x)) in a.den.iter() {
                r.den.insert(*key, (p.clone(), x * k));
            }
            return r;
        }
        if a.num.is_zero() {
            // Division by an expression that is identically zero: keep it visible (it
            // evaluates to ±∞ or NaN) rather than fold it away.
            let zero = self.arena.int(0);
            let z = self.arena.powi(zero, e);
            return RatFun::poly(Poly::atom(z));
        }
        // A lone atom (the common case: θ⁻¹) goes straight to the denominator.
        if a.den.is_empty() && a.num.len() == 1 {
            if let Some((m, c)) = a.num.iter().next() {
                if c.is_one() && m.len() == 1 {
                    let (atom, x) = m[0];
                    let mut r = RatFun::poly(Poly::constant(Rational::one()));
                    r.den.insert(atom, (Rc::new(Poly::atom(atom)), x * k));
                    return r;
                }
            }
        }
        // (n / d)^-k = d^k / n^k, with n split into a constant, atoms and a primitive rest.
        let mut num = Poly::constant(Rational::one());
        for (p, x) in a.den.values() {
            num = num.mul(&p.pow(x * k));
        }
        let mut r = RatFun::poly(num);
        let content = a.num.monomial_content();
        let rest = a
            .num
            .div_exact(&Poly::monomial(content.clone()))
            .unwrap_or_else(|| a.num.clone());
        let (c, rest) = primitive(&rest);
        r.num = r.num.scale(&(Rational::one() / c.pow(k as isize)));
        for (atom, x) in content {
            r.den.add(atom, Poly::atom(atom), x * k);
        }
        if rest.as_constant().is_none() {
            let key = self.poly_key(&rest);
            r.den.add(key, rest, k);
        }
        r
    }

    /// The canonical IR of a polynomial used as a denominator key, remembered across calls
    /// (building IR is the dear part of turning a polynomial into a factor).
    fn poly_key(&mut self, p: &Poly) -> Id {
        use std::hash::{Hash, Hasher};
        let mut h = rustc_hash::FxHasher::default();
        for (m, c) in p.iter() {
            m.hash(&mut h);
            c.hash(&mut h);
        }
        let hash = h.finish();
        if let Some(list) = self.memo.poly_keys.get(&hash) {
            if let Some((_, id)) = list.iter().find(|(q, _)| q == p) {
                return *id;
            }
        }
        let id = self.poly_to_ir(p);
        self.memo
            .poly_keys
            .entry(hash)
            .or_default()
            .push((p.clone(), id));
        id
    }

    /// Divides out every denominator factor that divides the numerator.
    fn cancel(&mut self, mut r: RatFun) -> RatFun {
        if r.num.is_zero() {
            r.den.clear();
            return r;
        }
        let keys: Vec<Id> = r.den.keys().copied().collect();
        for k in keys {
            while let Some((p, e)) = r.den.get(&k).cloned() {
                if e == 0 {
                    r.den.remove(&k);
                    break;
                }
                // Exact division costs about len(num) · len(p) term operations: past the
                // product budget the factor stays (the form is still exact, only not reduced).
                if r.num.len().saturating_mul(p.len()) > MAX_PRODUCT_TERMS {
                    break;
                }
                match r.num.div_exact(&p) {
                    Some(q) => {
                        r.num = q;
                        if e == 1 {
                            r.den.remove(&k);
                        } else if let Some(d) = r.den.get_mut(&k) {
                            d.1 -= 1;
                        }
                    }
                    None => break,
                }
            }
        }
        // The other way round: a numerator sum that divides a denominator factor, as in
        // (x + y) / (x² + 2xy + y²) = 1 / (x + y).
        if r.num.len() > 1 && r.num.monomial_content().is_empty() {
            let (k, prim) = primitive(&r.num);
            let keys: Vec<Id> = r.den.keys().copied().collect();
            for key in keys {
                let Some((p, e)) = r.den.get(&key).cloned() else {
                    continue;
                };
                if p.len() <= prim.len() || p.len().saturating_mul(prim.len()) > MAX_PRODUCT_TERMS {
                    continue;
                }
                if let Some(q) = p.div_exact(&prim) {
                    if e == 1 {
                        r.den.remove(&key);
                    } else if let Some(d) = r.den.get_mut(&key) {
                        d.1 -= 1;
                    }
                    // q joins the denominator as a primitive factor of its own.
                    let (kq, q) = primitive(&q);
                    let mut num = Poly::constant(&k / &kq);
                    if q.as_constant().is_none() {
                        let qk = self.poly_to_ir(&q);
                        r.den.add(qk, q, 1);
                    } else if let Some(c) = q.as_constant() {
                        num = num.scale(&(Rational::one() / c));
                    }
                    r.num = num;
                    return self.cancel(r);
                }
            }
        }
        r
    }
    /// A polynomial for display: where an atom divides some (not all) of its terms, those
    /// terms are collected over it when that prints shorter: ψ₁(a)ψ₁(b) − (ψ₁(a) + ψ₁(b))ψ₁(a+b).
    fn collected(&mut self, p: &Poly) -> Id {
        if !self.display {
            return self.poly_to_ir(p);
        }
        self.collected_to(p, 0)
    }

    fn collected_to(&mut self, p: &Poly, depth: usize) -> Id {
        let plain = self.poly_to_ir(p);
        if let Some((factors, rest)) = linear_factors(p) {
            if factors.len() + usize::from(rest.as_constant().is_none()) > 1
                || factors.iter().any(|f| f.1 > 1)
            {
                let mut fs: Vec<(Id, Rational)> = Vec::new();
                for (f, m) in &factors {
                    fs.push((self.poly_to_ir(f), rat(i64::from(*m))));
                }
                // p = k * Π factors * rest, with k the content taken by `primitive`.
                let (k, _) = primitive(p);
                fs.push((self.arena.num(k), Rational::one()));
                fs.push((self.poly_to_ir(&rest), Rational::one()));
                let candidate = self.arena.mul_pow(fs);
                if crate::print::op_count(self.arena, candidate)
                    <= crate::print::op_count(self.arena, plain)
                {
                    return candidate;
                }
            }
        }
        if p.len() < 3 {
            return plain;
        }
        let mut counts: Vec<(Id, usize)> = Vec::new();
        for m in p.monos() {
            for (a, _) in m {
                match counts.iter_mut().find(|(x, _)| x == a) {
                    Some((_, c)) => *c += 1,
                    None => counts.push((*a, 1)),
                }
            }
        }
        let Some(&(atom, _)) = counts
            .iter()
            .filter(|(_, c)| *c >= 2 && *c < p.len())
            .max_by(|x, y| x.1.cmp(&y.1).then_with(|| self.arena.cmp(y.0, x.0)))
        else {
            return plain;
        };
        let (mut with, mut without) = (Vec::new(), Vec::new());
        for (m, c) in p.iter() {
            match mono_div(m, &smallvec![(atom, 1)]) {
                Some(q) => with.push((q, c.clone())),
                None => without.push((m.clone(), c.clone())),
            }
        }
        let (with, without) = (Poly::from_terms(with), Poly::from_terms(without));
        if depth >= 3 {
            return plain;
        }
        let w = self.collected_to(&with, depth + 1);
        let grouped = self.arena.mul([atom, w]);
        let rest = self.collected_to(&without, depth + 1);
        let candidate = self.arena.add([grouped, rest]);
        if crate::print::op_count(self.arena, candidate) < crate::print::op_count(self.arena, plain)
        {
            candidate
        } else {
            plain
        }
    }

    fn poly_to_ir(&mut self, p: &Poly) -> Id {
        let mut pairs = crate::expr::PairVec::with_capacity(p.len());
        for (m, c) in p.iter() {
            if m.is_empty() {
                pairs.push((c.clone(), None));
                continue;
            }
            let rest = match m[..] {
                // A lone atom is its own product.
                [(a, 1)] => a,
                _ => self
                    .arena
                    .mul_pow(m.iter().map(|(a, e)| (*a, rat(i64::from(*e))))),
            };
            // Atoms can still fold (√2 · √2 = 2): split what came out.
            let (c2, r2) = self.arena.split_coeff(rest);
            pairs.push((crate::expr::q_mul(c, &c2), r2));
        }
        self.arena.add_split(&mut pairs)
    }

    /// Splits univariate denominator factors into their linear factors over Q and cancels
    /// again: (x² − 1) / (x² − 2x + 1) = (1 + x) / (1 − x) up to sign.
    fn split_denominator(&mut self, r: &RatFun) -> Option<RatFun> {
        if r.num.len() < 2 {
            return None;
        }
        let mut split = false;
        let mut den = Den::default();
        let mut num = r.num.clone();
        for (key, (p, e)) in r.den.iter() {
            match linear_factors(p) {
                Some((factors, rest)) if !factors.is_empty() => {
                    split = true;
                    let (k, _) = primitive(p);
                    // p = k * Π fᵢ^mᵢ * rest: the constant k moves to the numerator.
                    num = num.scale(&(Rational::one() / k.pow(*e as isize)));
                    for (f, m) in factors {
                        let fk = self.poly_to_ir(&f);
                        den.add(fk, f, m * e);
                    }
                    match rest.as_constant() {
                        Some(c) => {
                            num = num.scale(&(Rational::one() / c.pow(*e as isize)));
                        }
                        None => {
                            let rk = self.poly_to_ir(&rest);
                            den.add(rk, rest, *e);
                        }
                    }
                }
                _ => {
                    den.add(*key, p.clone(), *e);
                }
            }
        }
        if !split {
            return None;
        }
        // Keep the split only when something cancelled: the denominator's degree went down.
        let degree = |den: &Den| -> u32 {
            den.values()
                .map(|(p, e)| {
                    e * p
                        .monos()
                        .map(|m| m.iter().map(|x| x.1).sum::<u32>())
                        .max()
                        .unwrap_or(0)
                })
                .sum()
        };
        let before = degree(&r.den);
        let out = self.cancel(RatFun { num, den });
        (degree(&out.den) < before).then_some(out)
    }

    fn ratfun_to_ir(&mut self, r: &RatFun) -> Id {
        let split = if self.display {
            self.split_denominator(r)
        } else {
            None
        };
        let r = split.as_ref().unwrap_or(r);
        // A numerator sum shows its common factors: `n * (1.0 - p2)`, not `n - n * p2`.
        let mut fs = Vec::new();
        let mut num = r.num.clone();
        if num.len() > 1 {
            let content = num.monomial_content();
            if !content.is_empty() {
                let m = Poly::monomial(content.clone());
                if let Some(q) = num.div_exact(&m) {
                    num = q;
                    for (a, e) in content {
                        fs.push((a, rat(i64::from(e))));
                    }
                }
            }
            let (k, _) = primitive(&num);
            let k = k.abs();
            if !k.is_one() && !k.is_zero() {
                num = num.scale(&(Rational::one() / &k));
                fs.push((self.arena.num(k), Rational::one()));
            }
        }
        if self.display {
            num = self.display_poly(&num);
        }
        let n = self.collected(&num);
        fs.push((n, Rational::one()));
        for (p, e) in r.den.values() {
            let f = if self.display {
                let shown = self.display_poly(p);
                self.poly_to_ir(&shown)
            } else {
                self.poly_to_ir(p)
            };
            fs.push((f, -rat(i64::from(*e))));
        }
        self.arena.mul_pow(fs)
    }
}

/// The image of `c` under a child map of a few entries (`c` itself when absent).
/// Above this many terms (an upper bound, before like terms meet) in the numerator of a sum
/// brought to its common denominator, the sum keeps its unrelated fractions apart
/// ([`Simplifier::sum_of_groups`]). The largest sums the tests' models meet lift to under
/// a hundred; four rows of a logistic regression lift to 256 and take 10 ms, five to 1280 and
/// take 150 ms.
const SUM_LIFT_MAX: f64 = 512.0;

/// An upper bound on the number of terms of the numerator of Σ `parts` over `lcm` (counted up
/// to just past `cap`): each part's numerator times the missing denominator factors, expanded.
fn lifted_terms(parts: &[&Rc<RatFun>], lcm: &Den, cap: f64) -> f64 {
    let mut total = 0.0;
    for part in parts {
        let mut n = part.num.len() as f64;
        for (k, (p, e)) in lcm.iter() {
            let have = part.den.get(k).map_or(0, |d| d.1);
            if *e > have {
                n *= (p.len() as f64).powi((e - have) as i32);
            }
        }
        total += n;
        if total > cap {
            break;
        }
    }
    total
}

/// The representative of `i`'s group (union–find with path halving).
fn root(group_of: &mut [usize], mut i: usize) -> usize {
    while group_of[i] != i {
        group_of[i] = group_of[group_of[i]];
        i = group_of[i];
    }
    i
}

fn lookup(map: &[(Id, Id)], c: Id) -> Id {
    map.iter().find(|(k, _)| *k == c).map_or(c, |(_, v)| *v)
}

/// `id = k * f` with `f` primitive: integer coefficients with gcd 1 and a positive constant term
/// (or, without one, a positive leading coefficient).
/// Also returns the expanded form of `-f`.
pub(super) fn normalize_factor(arena: &mut Ir, memo: &mut Memo, id: Id) -> (Rational, Id, Id) {
    let empty = Domain::new();
    let mut s = Simplifier::over(arena, memo, &empty, false);
    let rf = s.ratfun_of(id);
    if !rf.den.is_empty() {
        let n = s.arena.neg(id);
        return (Rational::one(), id, n);
    }
    let (k, p) = primitive(&rf.num);
    let f = s.poly_to_ir(&p);
    let neg_f = s.poly_to_ir(&p.scale(&-Rational::one()));
    (k, f, neg_f)
}

/// `ln q` for a positive rational, as a combination of logs of primes (small factors only;
/// a large cofactor stays whole) so that `ln 4 = 2 ln 2` and `ln(1/2) = -ln 2`.
fn ln_rational(arena: &mut Ir, q: &Rational) -> RatFun {
    let mut poly = Poly::default();
    if q.is_zero() {
        return RatFun::poly(poly);
    }
    for (n, sign) in [
        (q.numerator().clone(), 1i64),
        (crate::expr::denom(q), -1i64),
    ] {
        for (p, e) in factor_small(&n) {
            let pid = arena.num(Rational::from(p));
            let l = arena.ln(pid);
            poly.add_term(smallvec![(l, 1)], rat(sign * e as i64));
        }
    }
    RatFun::poly(poly)
}
