//! Simplification: expand, together over a common denominator, cancel, collect.
//!
//! An expression is brought to a rational function `num / Π fᵢ^kᵢ` over *atoms* (symbols and
//! transcendental subterms whose arguments are simplified first): the numerator is an expanded
//! polynomial, the denominator a product of primitive factors kept in factored form, so that
//! `1/θ + 1/(1-θ)` becomes `1 / (θ (1 - θ))` and cancellation is exact polynomial division.
//! Rewrites that hold only for positive arguments (`ln(ab) = ln a + ln b`) consult a [`Domain`].

use std::cmp::Ordering;
use std::ops::DerefMut;
use std::rc::Rc;

use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};
use rustc_hash::{FxHashMap, FxHashSet};
use smallvec::{smallvec, SmallVec};

use crate::expr::{rat, BigInt, Id, Ir, Node, Rational};

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

/// A monomial: atoms with positive integer exponents, sorted by atom id.
type Mono = SmallVec<[(Id, u32); 4]>;

/// A multivariate polynomial over atoms with exact rational coefficients: its terms sorted
/// by monomial, without zero coefficients. Polynomials here have a handful of terms, where a
/// sorted vector beats a tree (no node allocations; sums are merges).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct Poly(Vec<(Mono, Rational)>);

impl Poly {
    fn constant(c: Rational) -> Poly {
        if c.is_zero() {
            Poly::default()
        } else {
            Poly(vec![(Mono::new(), c)])
        }
    }

    fn atom(a: Id) -> Poly {
        Poly(vec![(smallvec![(a, 1)], Rational::one())])
    }

    fn monomial(m: Mono) -> Poly {
        Poly(vec![(m, Rational::one())])
    }

    /// The polynomial of terms in any order, like terms combined.
    fn from_terms(mut terms: Vec<(Mono, Rational)>) -> Poly {
        terms.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(Mono, Rational)> = Vec::with_capacity(terms.len());
        for (m, c) in terms {
            match out.last_mut() {
                Some(last) if last.0 == m => last.1 = crate::expr::q_add(&last.1, &c),
                _ => {
                    if out.last().is_some_and(|l| l.1.is_zero()) {
                        out.pop();
                    }
                    out.push((m, c));
                }
            }
        }
        if out.last().is_some_and(|l| l.1.is_zero()) {
            out.pop();
        }
        Poly(out)
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    fn iter(&self) -> impl Iterator<Item = (&Mono, &Rational)> {
        self.0.iter().map(|(m, c)| (m, c))
    }

    fn monos(&self) -> impl Iterator<Item = &Mono> {
        self.0.iter().map(|t| &t.0)
    }

    fn coeffs(&self) -> impl Iterator<Item = &Rational> {
        self.0.iter().map(|t| &t.1)
    }

    /// The coefficient of `m`, if present.
    fn get(&self, m: &Mono) -> Option<&Rational> {
        self.0
            .binary_search_by(|t| t.0.cmp(m))
            .ok()
            .map(|i| &self.0[i].1)
    }

    fn as_constant(&self) -> Option<Rational> {
        match self.0.len() {
            0 => Some(Rational::zero()),
            1 => self.get(&Mono::new()).cloned(),
            _ => None,
        }
    }

    fn add_term(&mut self, m: Mono, c: Rational) {
        if c.is_zero() {
            return;
        }
        match self.0.binary_search_by(|t| t.0.cmp(&m)) {
            Ok(i) => {
                let v = crate::expr::q_add(&self.0[i].1, &c);
                if v.is_zero() {
                    self.0.remove(i);
                } else {
                    self.0[i].1 = v;
                }
            }
            Err(i) => self.0.insert(i, (m, c)),
        }
    }

    fn add(&self, o: &Poly) -> Poly {
        let (a, b) = (&self.0, &o.0);
        let mut out = Vec::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                Ordering::Less => {
                    out.push(a[i].clone());
                    i += 1;
                }
                Ordering::Greater => {
                    out.push(b[j].clone());
                    j += 1;
                }
                Ordering::Equal => {
                    let c = crate::expr::q_add(&a[i].1, &b[j].1);
                    if !c.is_zero() {
                        out.push((a[i].0.clone(), c));
                    }
                    i += 1;
                    j += 1;
                }
            }
        }
        out.extend_from_slice(&a[i..]);
        out.extend_from_slice(&b[j..]);
        Poly(out)
    }

    fn scale(&self, k: &Rational) -> Poly {
        if k.is_zero() {
            return Poly::default();
        }
        if k.is_one() {
            return self.clone();
        }
        Poly(
            self.0
                .iter()
                .map(|(m, c)| (m.clone(), crate::expr::q_mul(c, k)))
                .collect(),
        )
    }

    fn mul(&self, o: &Poly) -> Poly {
        if self.0.len() == 1 && self.0[0].0.is_empty() {
            return o.scale(&self.0[0].1);
        }
        if o.0.len() == 1 && o.0[0].0.is_empty() {
            return self.scale(&o.0[0].1);
        }
        let mut terms = Vec::with_capacity(self.0.len() * o.0.len());
        for (m1, c1) in &self.0 {
            for (m2, c2) in &o.0 {
                terms.push((mono_mul(m1, m2), crate::expr::q_mul(c1, c2)));
            }
        }
        Poly::from_terms(terms)
    }

    fn pow(&self, k: u32) -> Poly {
        let mut r = Poly::constant(Rational::one());
        for _ in 0..k {
            r = r.mul(self);
        }
        r
    }

    /// The leading term in lex order (atoms ordered by id).
    fn leading(&self) -> Option<(&Mono, &Rational)> {
        self.iter().max_by(|a, b| lex_cmp(a.0, b.0))
    }

    /// `self / d` when the division is exact.
    fn div_exact(&self, d: &Poly) -> Option<Poly> {
        let (dm, dc) = d.leading()?;
        let (dm, dc) = (dm.clone(), dc.clone());
        let divide = |c: &Rational| -> Rational {
            if dc.is_one() {
                c.clone()
            } else {
                c / &dc
            }
        };
        if d.len() == 1 {
            // Division by a monomial: term by term.
            let mut q = Vec::with_capacity(self.len());
            for (m, c) in &self.0 {
                q.push((mono_div(m, &dm)?, divide(c)));
            }
            return Some(Poly::from_terms(q));
        }
        // Quick rejections. In a monomial order the greatest and the least terms of a product
        // are the products of the factors' greatest and least terms, so d's must divide self's.
        mono_div(self.leading()?.0, &dm)?;
        let least = |p: &Poly| {
            p.iter()
                .min_by(|a, b| lex_cmp(a.0, b.0))
                .map(|t| t.0.clone())
        };
        mono_div(&least(self)?, &least(d)?)?;
        // Every atom of d must reach at least its degree in self.
        for m in d.monos() {
            for (a, e) in m {
                if self.max_degree(*a) < *e {
                    return None;
                }
            }
        }
        let mut p = self.clone();
        let mut q = Poly::default();
        let mut steps = 0usize;
        while let Some((pm, pc)) = p.leading() {
            steps += 1;
            if steps > 10_000 {
                return None;
            }
            let m = mono_div(pm, &dm)?;
            let c = divide(pc);
            for (dmi, dci) in &d.0 {
                p.add_term(mono_mul(&m, dmi), -(crate::expr::q_mul(&c, dci)));
            }
            q.add_term(m, c);
        }
        Some(q)
    }

    fn max_degree(&self, a: Id) -> u32 {
        self.monos()
            .map(|m| m.iter().find(|(b, _)| *b == a).map_or(0, |x| x.1))
            .max()
            .unwrap_or(0)
    }

    /// The monomial gcd of all terms (minimum exponent of each atom present in every term).
    fn monomial_content(&self) -> Mono {
        let mut it = self.monos();
        let Some(first) = it.next() else {
            return Mono::new();
        };
        let mut g = first.clone();
        for m in it {
            g.retain_mut(|(a, e)| match m.iter().find(|(b, _)| b == a) {
                Some((_, f)) => {
                    *e = (*e).min(*f);
                    true
                }
                None => false,
            });
        }
        g
    }
}

fn mono_mul(a: &Mono, b: &Mono) -> Mono {
    let mut r: Mono = Mono::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if j >= b.len() || (i < a.len() && a[i].0 < b[j].0) {
            r.push(a[i]);
            i += 1;
        } else if i >= a.len() || b[j].0 < a[i].0 {
            r.push(b[j]);
            j += 1;
        } else {
            r.push((a[i].0, a[i].1 + b[j].1));
            i += 1;
            j += 1;
        }
    }
    r
}

fn mono_div(a: &Mono, b: &Mono) -> Option<Mono> {
    // Both sorted by atom id: one merge pass, nothing built when b does not divide a.
    let mut r = Mono::new();
    let mut j = 0;
    for &(x, e) in a {
        match b.get(j) {
            Some(&(y, f)) if y == x => {
                if e < f {
                    return None;
                }
                if e > f {
                    r.push((x, e - f));
                }
                j += 1;
            }
            Some(&(y, _)) if y < x => return None,
            _ => r.push((x, e)),
        }
    }
    (j == b.len()).then_some(r)
}

fn lex_cmp(a: &Mono, b: &Mono) -> Ordering {
    let (mut i, mut j) = (0, 0);
    loop {
        match (a.get(i), b.get(j)) {
            (None, None) => return Ordering::Equal,
            (Some(_), None) => return Ordering::Greater,
            (None, Some(_)) => return Ordering::Less,
            (Some(x), Some(y)) => {
                if x.0 < y.0 {
                    return Ordering::Greater;
                }
                if y.0 < x.0 {
                    return Ordering::Less;
                }
                match x.1.cmp(&y.1) {
                    Ordering::Equal => {
                        i += 1;
                        j += 1;
                    }
                    o => return o,
                }
            }
        }
    }
}

/// A rational function: expanded numerator over a product of primitive factors.
#[derive(Clone, Debug)]
pub(crate) struct RatFun {
    num: Poly,
    den: Den,
}

impl RatFun {
    fn poly(p: Poly) -> RatFun {
        RatFun {
            num: p,
            den: Den::default(),
        }
    }
}

/// A denominator: factor key (the factor's IR id) → (factor, exponent), sorted by key. A few
/// factors at most, shared rather than copied between the forms that hold them.
#[derive(Clone, Debug, Default)]
struct Den(SmallVec<[(Id, Factor); 4]>);

/// A denominator factor with its exponent.
type Factor = (Rc<Poly>, u32);

impl Den {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn clear(&mut self) {
        self.0.clear();
    }

    fn iter(&self) -> impl Iterator<Item = (&Id, &Factor)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    fn keys(&self) -> impl Iterator<Item = &Id> {
        self.0.iter().map(|t| &t.0)
    }

    fn values(&self) -> impl Iterator<Item = &Factor> {
        self.0.iter().map(|t| &t.1)
    }

    fn find(&self, k: &Id) -> Result<usize, usize> {
        self.0.binary_search_by(|t| t.0.cmp(k))
    }

    fn get(&self, k: &Id) -> Option<&Factor> {
        self.find(k).ok().map(|i| &self.0[i].1)
    }

    fn get_mut(&mut self, k: &Id) -> Option<&mut Factor> {
        self.find(k).ok().map(|i| &mut self.0[i].1)
    }

    fn remove(&mut self, k: &Id) {
        if let Ok(i) = self.find(k) {
            self.0.remove(i);
        }
    }

    fn insert(&mut self, k: Id, v: Factor) {
        match self.find(&k) {
            Ok(i) => self.0[i].1 = v,
            Err(i) => self.0.insert(i, (k, v)),
        }
    }

    /// Multiplies by `p^e`.
    fn add(&mut self, k: Id, p: impl Into<Rc<Poly>>, e: u32) {
        match self.find(&k) {
            Ok(i) => self.0[i].1 .1 += e,
            Err(i) => self.0.insert(i, (k, (p.into(), e))),
        }
    }

    /// Raises the exponent of `p` to at least `e` (for a least common multiple).
    fn raise(&mut self, k: Id, p: impl Into<Rc<Poly>>, e: u32) {
        match self.find(&k) {
            Ok(i) => {
                let x = &mut self.0[i].1 .1;
                *x = (*x).max(e);
            }
            Err(i) => self.0.insert(i, (k, (p.into(), e))),
        }
    }
}

/// What is known about signs on the domain where the log-likelihood is defined.
#[derive(Clone, Debug, Default)]
pub struct Domain {
    pos: FxHashSet<Id>,
    neg: FxHashSet<Id>,
    /// Changes whenever a fact is added (0 for no facts): simplifications are cached per
    /// (expression, version). Drawn from the arena's [`Memo`], so a domain belongs to the arena
    /// its facts were recorded in.
    version: u64,
}

impl Domain {
    /// An empty domain: nothing known to be positive.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of facts recorded.
    pub fn len(&self) -> usize {
        self.pos.len() + self.neg.len()
    }

    /// True when nothing is known.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when `id` is positive wherever the inputs are in the domain.
    pub fn is_positive(&self, arena: &Ir, id: Id) -> bool {
        self.sign(arena, id) == Some(Ordering::Greater)
    }

    /// The sign of `id` where it can be decided from the recorded facts.
    pub fn sign(&self, arena: &Ir, id: Id) -> Option<Ordering> {
        if self.pos.contains(&id) {
            return Some(Ordering::Greater);
        }
        if self.neg.contains(&id) {
            return Some(Ordering::Less);
        }
        match arena.node(id) {
            Node::Num(r) => Some(sign_of(r)),
            Node::Pi | Node::Exp(_) => Some(Ordering::Greater),
            Node::Mul(c, fs) => {
                let mut s = sign_of(c);
                for (b, e) in fs.iter() {
                    let even = e.is_int() && e.numerator().is_even();
                    if even {
                        // b^(2k) > 0 needs b ≠ 0: true when b's sign is known.
                        self.sign(arena, *b)?;
                        continue;
                    }
                    let sb = self.sign(arena, *b)?;
                    if !e.is_int() && sb != Ordering::Greater {
                        return None;
                    }
                    if sb == Ordering::Less {
                        s = s.reverse();
                    }
                }
                Some(s)
            }
            Node::Add(ts) => {
                let signs: Option<Vec<Ordering>> =
                    ts.iter().map(|&t| self.sign(arena, t)).collect();
                let signs = signs?;
                if signs.iter().all(|s| *s == Ordering::Greater) {
                    Some(Ordering::Greater)
                } else if signs.iter().all(|s| *s == Ordering::Less) {
                    Some(Ordering::Less)
                } else {
                    None
                }
            }
            Node::Pow(b, _) if self.is_positive(arena, *b) => Some(Ordering::Greater),
            _ => None,
        }
    }

    /// Records that `id` is positive on the domain, and what follows: in a product known to be
    /// positive whose other factors have known signs, the one factor left is positive too.
    pub fn assume_positive(&mut self, arena: &mut impl Workspace, id: Id) {
        let (ir, memo) = arena.split();
        self.assume_sign(ir, memo, id, Ordering::Greater, 0);
    }

    /// Proves `f > 0` from a recorded fact `g > 0` when `f - g` is positive by sign rules, and
    /// records it: `1 - p2 > 0` from `1 - p1 - p2 > 0` and `p1 > 0`.
    fn positive_by_difference(&mut self, arena: &mut Ir, memo: &mut Memo, f: Id) -> bool {
        if !matches!(arena.node(f), Node::Add(_)) {
            return false;
        }
        let known: Vec<Id> = self
            .pos
            .iter()
            .copied()
            .filter(|&g| matches!(arena.node(g), Node::Add(_)))
            .collect();
        let mut known = known;
        known.sort();
        for g in known {
            let d = arena.sub(f, g);
            let d = simplified(arena, memo, &Domain::new(), d, false);
            if self.sign(arena, d) == Some(Ordering::Greater) {
                if self.pos.insert(f) {
                    self.version = memo.next_version();
                }
                return true;
            }
        }
        false
    }

    fn assume_sign(&mut self, arena: &mut Ir, memo: &mut Memo, id: Id, s: Ordering, depth: usize) {
        if depth > 32 {
            return;
        }
        if self.sign(arena, id).is_some() {
            return;
        }
        if depth == 0 {
            // The simplified form often exposes a single factor: 1 - φ/(1+φ) = 1/(1+φ).
            let simple = simplified(arena, memo, self, id, false);
            if simple != id {
                self.assume_sign(arena, memo, simple, s, 1);
            }
        }
        match arena.node(id).clone() {
            Node::Mul(c, fs) => {
                let mut sign = sign_of(&c);
                let mut unknown = Vec::new();
                for (b, e) in fs.iter() {
                    match self.sign(arena, *b) {
                        Some(sb) => {
                            let odd = e.is_int() && e.numerator().is_odd();
                            if odd && sb == Ordering::Less {
                                sign = sign.reverse();
                            }
                        }
                        None => unknown.push((*b, e.clone())),
                    }
                }
                // Two unknowns: a sum among them may follow from a known one by a positive
                // difference (1 - p2 = (1 - p1 - p2) + p1), which leaves the other alone.
                if unknown.len() == 2 {
                    let mut i = 0;
                    while i < unknown.len() {
                        if self.positive_by_difference(arena, memo, unknown[i].0) {
                            // A positive factor does not change the sign, whatever its power.
                            unknown.remove(i);
                            break;
                        }
                        i += 1;
                    }
                }
                if let [(b, e)] = unknown.as_slice() {
                    let target = if sign == Ordering::Greater {
                        s
                    } else {
                        s.reverse()
                    };
                    if e.is_int() && e.numerator().is_odd() {
                        self.assume_sign(arena, memo, *b, target, depth + 1);
                    } else if !e.is_int() && target == Ordering::Greater {
                        self.assume_sign(arena, memo, *b, Ordering::Greater, depth + 1);
                    }
                }
            }
            Node::Num(_) | Node::Pi | Node::Exp(_) => {}
            _ => {
                // Record the primitive, sign-normalized form so that `θ - 1 < 0` and
                // `1 - θ > 0` are one fact.
                let (k, f, neg_f) = normalize_factor(arena, memo, id);
                let sf = if k.is_negative() { s.reverse() } else { s };
                for (x, sx) in [(f, sf), (neg_f, sf.reverse()), (id, s)] {
                    let new = if sx == Ordering::Greater {
                        self.pos.insert(x)
                    } else {
                        self.neg.insert(x)
                    };
                    if new {
                        self.version = memo.next_version();
                    }
                }
            }
        }
    }
}

/// The image of `c` under a child map of a few entries (`c` itself when absent).
fn lookup(map: &[(Id, Id)], c: Id) -> Id {
    map.iter().find(|(k, _)| *k == c).map_or(c, |(_, v)| *v)
}

fn sign_of(r: &Rational) -> Ordering {
    r.cmp(&Rational::zero())
}

/// `id = k * f` with `f` primitive: integer coefficients with gcd 1 and a positive constant term
/// (or, without one, a positive leading coefficient).
/// Also returns the expanded form of `-f`.
fn normalize_factor(arena: &mut Ir, memo: &mut Memo, id: Id) -> (Rational, Id, Id) {
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

/// `p = k * q` with q having coprime integer coefficients and a positive sign convention.
fn primitive(p: &Poly) -> (Rational, Poly) {
    if p.is_zero() {
        return (Rational::zero(), p.clone());
    }
    let mut k = content_small(p).unwrap_or_else(|| {
        let mut g_num = BigInt::zero();
        let mut l_den = BigInt::one();
        for c in p.coeffs() {
            g_num = g_num.gcd(c.numerator());
            l_den = l_den.lcm(&crate::expr::denom(c));
        }
        Rational::from_parts_signed(g_num, l_den)
    });
    let lead = match p.get(&Mono::new()) {
        Some(c) => c.clone(),
        None => p
            .leading()
            .map(|t| t.1.clone())
            .unwrap_or_else(Rational::one),
    };
    if lead.is_negative() {
        k = -k;
    }
    let inv = Rational::one() / &k;
    (k, p.scale(&inv))
}

/// The content gcd(numerators) / lcm(denominators) of `p` in machine words, when everything
/// fits (the common case); `None` sends the caller to big integers.
fn content_small(p: &Poly) -> Option<Rational> {
    let (mut g, mut l) = (0u64, 1u64);
    for c in p.coeffs() {
        let n = c.numerator().to_i64()?.unsigned_abs();
        let d = c.denominator().to_u64()?;
        g = gcd_u64(g, n);
        l = (l / gcd_u64(l, d)).checked_mul(d)?;
    }
    Some(Rational::from_parts(BigInt::from(g), l.into()))
}

fn gcd_u64(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
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

/// The high bit of a memo key marks display forms.
const DISPLAY_BIT: u64 = 1 << 63;

impl<'a> Simplifier<'a> {
    /// A simplifier over `arena` that uses the sign facts in `domain`.
    pub fn new(arena: &'a mut impl Workspace, domain: &'a Domain) -> Self {
        let (ir, memo) = arena.split();
        Simplifier::over(ir, memo, domain, false)
    }

    /// A simplifier whose results read as a person would write them (see [`tidy`]).
    pub fn for_display(arena: &'a mut impl Workspace, domain: &'a Domain) -> Self {
        let (ir, memo) = arena.split();
        Simplifier::over(ir, memo, domain, true)
    }

    fn over(arena: &'a mut Ir, memo: &'a mut Memo, domain: &'a Domain, display: bool) -> Self {
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
                    let f = if e.is_int() {
                        let rb = self.ratfun_of(*b);
                        let big = e
                            .numerator()
                            .to_i64()
                            .map_or(true, |n| n > EXPAND_POWER_MAX);
                        if big && rb.num.len() > 1 {
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
                if self.is_atom_node(atom) {
                    RatFun::poly(Poly::atom(atom))
                } else {
                    self.ratfun_of(atom).as_ref().clone()
                }
            }
        };
        let r = Rc::new(r);
        self.memo.ratfun.insert(key, r.clone());
        r
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
            for (k, (p, e)) in part.den.iter() {
                lcm.raise(*k, p.clone(), *e);
            }
        }
        let mut terms = Vec::new();
        for part in &parts {
            let mut n = part.num.clone();
            for (k, (p, e)) in lcm.iter() {
                let have = part.den.get(k).map_or(0, |d| d.1);
                if *e > have {
                    n = n.mul(&p.pow(e - have));
                }
            }
            terms.extend(n.0);
        }
        let num = Poly::from_terms(terms);
        self.cancel(RatFun { num, den: lcm })
    }

    fn rf_add(&mut self, a: &RatFun, b: &RatFun) -> RatFun {
        if a.num.is_zero() {
            return b.clone();
        }
        if b.num.is_zero() {
            return a.clone();
        }
        let mut lcm = a.den.clone();
        for (k, (p, e)) in b.den.iter() {
            lcm.raise(*k, p.clone(), *e);
        }
        let lift = |x: &RatFun| -> Poly {
            let mut n = x.num.clone();
            for (k, (p, e)) in lcm.iter() {
                let have = x.den.get(k).map_or(0, |d| d.1);
                if *e > have {
                    n = n.mul(&p.pow(e - have));
                }
            }
            n
        };
        let num = lift(a).add(&lift(b));
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
        for (m, c) in &p.0 {
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
                if p.len() <= prim.len() {
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

    /// A univariate polynomial's linear factors over Q, by the rational root theorem, as
    /// (factor, multiplicity) with a remaining cofactor: φ³ + 2φ² + φ = φ (1 + φ)². `None` for
    /// polynomials in more than one atom, of degree < 2, or with huge coefficients.
    fn linear_factors(p: &Poly) -> Option<(Vec<(Poly, u32)>, Poly)> {
        let mut atom = None;
        for m in p.monos() {
            for (a, _) in m {
                if atom.is_some_and(|x| x != *a) {
                    return None;
                }
                atom = Some(*a);
            }
        }
        let atom = atom?;
        let degree = p.max_degree(atom);
        if !(2..=64).contains(&degree) {
            return None;
        }
        let (_, prim) = primitive(p);
        let coeff = |q: &Poly, e: u32| -> BigInt {
            let key: Mono = if e == 0 {
                Mono::new()
            } else {
                smallvec![(atom, e)]
            };
            q.get(&key)
                .map(|c| c.numerator().clone())
                .unwrap_or_default()
        };
        let lead = coeff(&prim, degree);
        let divisors = |n: &BigInt| -> Option<Vec<BigInt>> {
            let n = n.abs().to_u64()?;
            if n == 0 || n > 10_000 {
                return None;
            }
            Some((1..=n).filter(|d| n % d == 0).map(BigInt::from).collect())
        };
        let qs = divisors(&lead)?;
        let mut rest = prim;
        let mut factors: Vec<(Poly, u32)> = Vec::new();
        // Zero roots first: powers of the atom itself.
        let low = rest
            .monos()
            .map(|m| m.first().map_or(0, |x| x.1))
            .min()
            .unwrap_or(0);
        if low > 0 {
            let m = Poly::monomial(smallvec![(atom, low)]);
            rest = rest.div_exact(&m)?;
            factors.push((Poly::atom(atom), low));
        }
        let c0 = coeff(&rest, 0);
        let ps = match divisors(&c0) {
            Some(v) => v,
            None => return Some((factors, rest)),
        };
        for pnum in &ps {
            for q in &qs {
                for sign in [1i64, -1] {
                    // Candidate root r = sign p / q, factor (q t - sign p), shown with a
                    // positive constant term: (sign p - q t) or (q t + p).
                    let r0 = Rational::from_parts_signed(pnum * sign, q.clone());
                    let lin = Poly::from_terms(vec![
                        (Mono::new(), -r0.clone() * Rational::from(q.clone())),
                        (smallvec![(atom, 1)], Rational::from(q.clone())),
                    ]);
                    let (_, lin) = primitive(&lin);
                    let mut mult = 0;
                    while rest.max_degree(atom) >= 1 {
                        match rest.div_exact(&lin) {
                            Some(qq) => {
                                rest = qq;
                                mult += 1;
                            }
                            None => break,
                        }
                    }
                    if mult > 0 {
                        factors.push((lin, mult));
                    }
                }
            }
        }
        Some((factors, rest))
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
        if let Some((factors, rest)) = Self::linear_factors(p) {
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
        let mut with = Poly::default();
        let mut without = Poly::default();
        for (m, c) in &p.0 {
            match mono_div(m, &smallvec![(atom, 1)]) {
                Some(q) => with.add_term(q, c.clone()),
                None => without.add_term(m.clone(), c.clone()),
            }
        }
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
        for (m, c) in &p.0 {
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
            match Self::linear_factors(p) {
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
        let n = self.collected(&num);
        fs.push((n, Rational::one()));
        for (p, e) in r.den.values() {
            let f = self.poly_to_ir(p);
            fs.push((f, -rat(i64::from(*e))));
        }
        self.arena.mul_pow(fs)
    }
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

fn factor_small(n: &BigInt) -> Vec<(BigInt, u32)> {
    let mut out = Vec::new();
    let mut n = n.abs();
    let mut p = BigInt::from(2);
    let limit = BigInt::from(10_000);
    while n > BigInt::one() && p <= limit {
        let mut e = 0;
        while (&n % &p).is_zero() {
            n /= &p;
            e += 1;
        }
        if e > 0 {
            out.push((p.clone(), e));
        }
        p += 1;
    }
    if n > BigInt::one() {
        out.push((n, 1));
    }
    out
}

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
use crate::Arena;

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
