//! The normal form of data expressions, where declared moments and needed expectations meet
//! (DESIGN §2b, "Moments are matched by meaning").
//!
//! An expression is written as `Σ cⱼ(θ) Bⱼ(x)`: data-free coefficients times *keys*, canonical
//! products of data atoms, with every rewrite below applied:
//! - sums over the data are multiplied out wherever they are raised to a small positive integer
//!   power, and products of such sums distribute (`(x - m) e^{-x}` is `x e^{-x} - m e^{-x}`);
//! - data-free factors move into the coefficient, including the data-free part of an `exp`
//!   argument (`e^{(m - x)/b}` is `e^{m/b} · e^{-x/b}`) and the content of a sum that stays
//!   whole (`(s² + (x - m)²)⁻¹` and `(1 + (x - m)²/s²)⁻¹` share one key);
//! - powers and logarithms of products and quotients are split over the factors known positive
//!   on the domain (`(x / λ)^k` is `λ^{-k} x^k`, `ln(x / λ)` is `ln x - ln λ`), never otherwise;
//! - `exp(c ln u)` is `u^c` for a positive `u`.
//!
//! `let` bindings are inlined by the parser before any of this, so a moment written through a
//! binding and one written out meet here too. Keys are for matching only; each remembers the
//! first spelling seen with it (see [`Spelling`]), which is what messages and the report show.

use std::rc::Rc;

use num_traits::{Signed, ToPrimitive};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::{data_terms, Workspace};
use crate::expr::{Id, Ir, Node, Rational, Symbol};
use crate::simplify::{self, Domain};

/// `Σ coefficient · key`, as (coefficient, key) pairs; the key `1` holds the data-free part.
pub type Terms = Vec<(Id, Id)>;

/// How an expression as somebody wrote it relates to a key: `factor = scale · key + shift`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spelling {
    /// The expression as written (by the user or by the derivative rules).
    pub factor: Id,
    /// Data-free, never zero.
    pub scale: Id,
    /// Data-free.
    pub shift: Id,
}

/// Products of sums are multiplied out up to this power, as the data-term split does.
const EXPAND_MAX: u32 = 16;

/// Brings data expressions to their normal form, over fixed data symbols and sign facts (so
/// that every key of one derivation is computed under the same facts), remembering each form.
#[derive(Clone, Debug)]
pub struct Normalizer {
    data: Vec<Symbol>,
    domain: Domain,
    memo: HashMap<Id, Rc<Terms>>,
    spellings: HashMap<Id, Spelling>,
    /// Atoms this normalizer made that are positive: the normalized form of a positive sum.
    positive: HashSet<Id>,
}

/// An exponent: rational, or a data-free expression.
#[derive(Clone)]
enum Power {
    Q(Rational),
    S(Id),
}

impl Power {
    fn is_int(&self) -> bool {
        matches!(self, Power::Q(q) if q.is_int())
    }

    /// A positive integer small enough to multiply out.
    fn small(&self) -> Option<u32> {
        match self {
            Power::Q(q) if q.is_int() => q
                .numerator()
                .to_u32()
                .filter(|n| (1..=EXPAND_MAX).contains(n)),
            _ => None,
        }
    }

    fn times(&self, arena: &mut Ir, e: &Rational) -> Power {
        match self {
            Power::Q(q) => Power::Q(q * e),
            Power::S(x) => {
                let e = arena.num(e.clone());
                Power::S(arena.mul([e, *x]))
            }
        }
    }

    fn raise(&self, arena: &mut Ir, base: Id) -> Id {
        match self {
            Power::Q(q) => arena.powr(base, q.clone()),
            Power::S(x) => arena.pow(base, *x),
        }
    }
}

impl Normalizer {
    /// A normalizer over `data`, splitting powers and logarithms by the facts of `domain`.
    pub fn new(data: &[Symbol], domain: &Domain) -> Self {
        Normalizer {
            data: data.to_vec(),
            domain: domain.clone(),
            memo: HashMap::default(),
            spellings: HashMap::default(),
            positive: HashSet::default(),
        }
    }

    /// The data symbols.
    pub fn data(&self) -> &[Symbol] {
        &self.data
    }

    /// The sign facts keys are computed under.
    pub fn domain(&self) -> &Domain {
        &self.domain
    }

    /// The normal form of `e`: its data terms, each factor normalized, like keys merged in
    /// order of first appearance.
    pub fn terms(&mut self, ws: &mut impl Workspace, e: Id) -> Terms {
        let one = ws.int(1);
        let mut out = Vec::new();
        for (c, f) in data_terms(ws, e, &self.data) {
            if f == one {
                out.push((c, one));
                continue;
            }
            let t = self.factor(ws, f);
            for &(k, b) in t.iter() {
                out.push((ws.mul([c, k]), b));
            }
        }
        group(ws, out)
    }

    /// The normal form of one data factor; a factor that is `scale · key + shift` is
    /// remembered as a spelling of its key.
    pub fn factor(&mut self, ws: &mut impl Workspace, f: Id) -> Rc<Terms> {
        let t = self.nf(ws, f);
        let one = ws.int(1);
        let zero = ws.int(0);
        let spelled = match t.as_slice() {
            [(s, k)] if *k != one => Some((*k, *s, zero)),
            [(s, k), (c, o)] | [(c, o), (s, k)] if *o == one && *k != one => Some((*k, *s, *c)),
            _ => None,
        };
        if let Some((key, scale, shift)) = spelled {
            self.spellings.entry(key).or_insert(Spelling {
                factor: f,
                scale,
                shift,
            });
        }
        t
    }

    /// The first spelling seen of `key`, if any.
    pub fn spelling(&self, key: Id) -> Option<Spelling> {
        self.spellings.get(&key).copied()
    }

    /// The expression to show for `key`: its first spelling, or the key itself.
    pub fn shown(&self, key: Id) -> Id {
        self.spelling(key).map_or(key, |s| s.factor)
    }

    fn nf(&mut self, ws: &mut impl Workspace, e: Id) -> Rc<Terms> {
        if let Some(t) = self.memo.get(&e) {
            return t.clone();
        }
        let t = if self.is_plain(ws, e) {
            let one = ws.int(1);
            Rc::new(vec![(one, e)])
        } else {
            Rc::new(self.nf_uncached(ws, e))
        };
        self.memo.insert(e, t.clone());
        t
    }

    /// True for a factor that is its own normal form, recognized without building anything:
    /// a product, with coefficient 1 and integer exponents, of data symbols and logarithms of
    /// data symbols or of `1 + Σ qᵢ xᵢ` (rational qᵢ). Most statistics of most models are.
    fn is_plain(&self, ws: &mut impl Workspace, e: Id) -> bool {
        let atom_ok = |ws: &mut Ir, data: &[Symbol], a: Id| -> bool {
            match ws.node(a).clone() {
                Node::Sym(s) => data.contains(&s),
                Node::Ln(u) => match ws.node(u).clone() {
                    Node::Sym(s) => data.contains(&s),
                    Node::Add(ts) => ws.as_num(ts[0]).is_some_and(|q| q.is_one())
                        && ts[1..].iter().all(|&t| match ws.node(t) {
                            Node::Sym(s) => data.contains(s),
                            Node::Mul(_, fs) => {
                                fs.len() == 1
                                    && fs[0].1.is_one()
                                    && matches!(ws.node(fs[0].0), Node::Sym(s) if data.contains(s))
                            }
                            _ => false,
                        }),
                    _ => false,
                },
                _ => false,
            }
        };
        let data = &self.data;
        match ws.node(e).clone() {
            Node::Mul(c, fs) => {
                c.is_one() && fs.iter().all(|(a, k)| k.is_int() && atom_ok(ws, data, *a))
            }
            _ => atom_ok(ws, data, e),
        }
    }

    fn depends(&self, ws: &mut impl Workspace, e: Id) -> bool {
        ws.depends_on_any(e, &self.data)
    }

    fn nf_uncached(&mut self, ws: &mut impl Workspace, e: Id) -> Terms {
        let one = ws.int(1);
        if !self.depends(ws, e) {
            return vec![(e, one)];
        }
        match ws.node(e).clone() {
            Node::Sym(_) => vec![(one, e)],
            Node::Add(ts) => {
                let mut out = Vec::new();
                for &t in ts.iter() {
                    out.extend(self.nf(ws, t).iter().copied());
                }
                group(ws, out)
            }
            Node::Mul(c, fs) => {
                let mut acc = vec![(ws.num(c), one)];
                for (b, k) in fs.iter() {
                    let t = self.power(ws, *b, Power::Q(k.clone()));
                    acc = product(ws, &acc, &t);
                }
                group(ws, acc)
            }
            Node::Pow(b, x) => {
                if self.depends(ws, x) {
                    let (b, x) = (self.canon(ws, b), self.canon(ws, x));
                    vec![(one, ws.pow(b, x))]
                } else {
                    self.power(ws, b, Power::S(x))
                }
            }
            Node::Ln(a) => self.log(ws, a),
            Node::Exp(a) => self.exp(ws, a),
            Node::Abs(a) => {
                let t = self.nf(ws, a);
                match t.as_slice() {
                    [(c, k)] => vec![(ws.abs(*c), ws.abs(*k))],
                    _ => {
                        let (kappa, p, _) = self.sum_atom(ws, a, &t);
                        vec![(ws.abs(kappa), ws.abs(p))]
                    }
                }
            }
            Node::Special(f, a) => {
                let a = self.canon(ws, a);
                vec![(one, ws.special(f, a))]
            }
            Node::Num(_) | Node::Pi => vec![(e, one)],
        }
    }

    /// `b^p` in normal form.
    fn power(&mut self, ws: &mut impl Workspace, b: Id, p: Power) -> Terms {
        let one = ws.int(1);
        if !self.depends(ws, b) {
            return vec![(self.free_power(ws, b, &p), one)];
        }
        let t = self.nf(ws, b);
        match t.as_slice() {
            [(c, k)] => self.power_of_term(ws, *c, *k, &p),
            _ => {
                if let Some(n) = p.small() {
                    let mut acc = vec![(one, one)];
                    for _ in 0..n {
                        acc = product(ws, &acc, &t);
                    }
                    return group(ws, acc);
                }
                let (kappa, key, whole) = self.sum_atom(ws, b, &t);
                if p.is_int() || self.positive_coefficient(ws, kappa) {
                    vec![(self.free_power(ws, kappa, &p), p.raise(ws, key))]
                } else {
                    vec![(one, p.raise(ws, whole))]
                }
            }
        }
    }

    /// `(c · key)^p`: split over the positive atoms of the key (and `c` when positive); an
    /// integer power always splits. What is not known positive stays one base.
    fn power_of_term(&mut self, ws: &mut impl Workspace, c: Id, key: Id, p: &Power) -> Terms {
        if p.is_int() {
            return vec![(p.raise(ws, c), p.raise(ws, key))];
        }
        let one = ws.int(1);
        if !self.positive_coefficient(ws, c) {
            // (-2 x)^½ is no product of real powers: it stays one base.
            let whole = ws.mul([c, key]);
            return vec![(one, p.raise(ws, whole))];
        }
        let mut split: Vec<Id> = Vec::new();
        let mut rest: Vec<(Id, Rational)> = Vec::new();
        for (a, e) in atoms(ws, key) {
            if self.positive_atom(ws, a) {
                let pe = p.times(ws, &e);
                split.push(pe.raise(ws, a));
            } else {
                rest.push((a, e));
            }
        }
        if !rest.is_empty() {
            let r = ws.mul_pow(rest);
            split.push(p.raise(ws, r));
        }
        vec![(self.free_power(ws, c, p), ws.mul(split))]
    }

    /// `c^p` for a data-free `c`, split over its positive factors (`(1 / λ)^k` is `λ^-k`), so
    /// that coefficients cancel as they would written out.
    fn free_power(&self, ws: &mut impl Workspace, c: Id, p: &Power) -> Id {
        if p.is_int() {
            return p.raise(ws, c);
        }
        let Node::Mul(q, fs) = ws.node(c).clone() else {
            return p.raise(ws, c);
        };
        let positive = q.is_positive() && fs.iter().all(|(b, _)| self.positive_coefficient(ws, *b));
        if !positive {
            return p.raise(ws, c);
        }
        let mut out = Vec::with_capacity(fs.len() + 1);
        let q = ws.num(q);
        out.push(p.raise(ws, q));
        for (b, e) in fs.iter() {
            let pe = p.times(ws, e);
            out.push(pe.raise(ws, *b));
        }
        ws.mul(out)
    }

    /// `ln a` in normal form: a product splits into the logarithms of its positive factors,
    /// a positive sum loses its positive content.
    fn log(&mut self, ws: &mut impl Workspace, a: Id) -> Terms {
        let one = ws.int(1);
        let t = self.nf(ws, a);
        match t.as_slice() {
            [(c, key)] => {
                let (c, key) = (*c, *key);
                if !self.positive_coefficient(ws, c) {
                    // ln(-2 x) is no sum of real logarithms: it stays whole.
                    let whole = ws.mul([c, key]);
                    return vec![(one, ws.ln(whole))];
                }
                let mut out = vec![(ws.ln(c), one)];
                let mut rest: Vec<(Id, Rational)> = Vec::new();
                for (b, e) in atoms(ws, key) {
                    if self.positive_atom(ws, b) {
                        let e = ws.num(e);
                        for (k, x) in self.log_atom(ws, b) {
                            out.push((ws.mul([e, k]), x));
                        }
                    } else {
                        rest.push((b, e));
                    }
                }
                if !rest.is_empty() {
                    let r = ws.mul_pow(rest);
                    out.push((one, ws.ln(r)));
                }
                group(ws, out)
            }
            _ => {
                let (kappa, key, whole) = self.sum_atom(ws, a, &t);
                if self.positive_coefficient(ws, kappa) {
                    vec![(ws.ln(kappa), one), (one, ws.ln(key))]
                } else {
                    vec![(one, ws.ln(whole))]
                }
            }
        }
    }

    /// `ln b` for a positive atom `b` of a key.
    fn log_atom(&mut self, ws: &mut impl Workspace, b: Id) -> Terms {
        let one = ws.int(1);
        match ws.node(b).clone() {
            // The argument of an exp atom is already a data-only normal form.
            Node::Exp(u) => self.nf(ws, u).to_vec(),
            Node::Pow(y, x) => {
                let t = self.log(ws, y);
                t.into_iter().map(|(c, k)| (ws.mul([x, c]), k)).collect()
            }
            _ => vec![(one, ws.ln(b))],
        }
    }

    /// `exp a` in normal form: the data-free part of the argument becomes the coefficient,
    /// `c ln u` with `u > 0` becomes `u^c`.
    fn exp(&mut self, ws: &mut impl Workspace, a: Id) -> Terms {
        let one = ws.int(1);
        let t = self.nf(ws, a);
        let mut free = Vec::new();
        let mut arg = Vec::new();
        let mut factors = Vec::new();
        for &(c, k) in t.iter() {
            if k == one {
                free.push(c);
                continue;
            }
            if let Node::Ln(u) = *ws.node(k) {
                if self.positive_atom(ws, u) {
                    let p = match ws.as_num(c) {
                        Some(q) => Power::Q(q.clone()),
                        None => Power::S(c),
                    };
                    factors.push(p.raise(ws, u));
                    continue;
                }
            }
            let c = simplify::simplify(ws, &self.domain, c);
            arg.push(ws.mul([c, k]));
        }
        let free = ws.add(free);
        let arg = ws.add(arg);
        factors.push(ws.exp(arg));
        let key = ws.mul(factors);
        vec![(ws.exp(free), key)]
    }

    /// A sum over the data that stays whole, as `(content κ, key P, whole)` with
    /// `whole = κ · P`: the content is the data-free term (or, without one, the coefficient of
    /// the greatest key), every coefficient simplified, so that the sum's spellings meet.
    fn sum_atom(&mut self, ws: &mut impl Workspace, orig: Id, t: &[(Id, Id)]) -> (Id, Id, Id) {
        let one = ws.int(1);
        let domain = self.domain.clone();
        let cs: Vec<(Id, Id)> = t
            .iter()
            .map(|&(c, k)| (simplify::simplify(ws, &domain, c), k))
            .collect();
        let whole_terms: Vec<Id> = cs.iter().map(|&(c, k)| ws.mul([c, k])).collect();
        let whole = ws.add(whole_terms);
        let constant = cs.iter().find(|(c, k)| *k == one && !ws.is_zero(*c));
        let kappa = match constant {
            Some(&(c, _)) => c,
            None => {
                let mut best = cs[0];
                for &(c, k) in &cs[1..] {
                    if ws.cmp(k, best.1) == std::cmp::Ordering::Greater {
                        best = (c, k);
                    }
                }
                best.0
            }
        };
        let key_terms: Vec<Id> = cs
            .iter()
            .map(|&(c, k)| {
                let q = ws.div(c, kappa);
                let q = simplify::simplify(ws, &domain, q);
                ws.mul([q, k])
            })
            .collect();
        let key = ws.add(key_terms);
        if self.positive_atom(ws, orig) || self.positive_atom(ws, whole) {
            self.positive.insert(whole);
            if self.positive_coefficient(ws, kappa) {
                self.positive.insert(key);
            }
        }
        (kappa, key, whole)
    }

    /// The canonical whole of a data expression (for the argument of a special function or a
    /// power with a data exponent).
    fn canon(&mut self, ws: &mut impl Workspace, a: Id) -> Id {
        if !self.depends(ws, a) {
            return a;
        }
        let t = self.nf(ws, a);
        match t.as_slice() {
            [(c, k)] => {
                let c = simplify::simplify(ws, &self.domain, *c);
                ws.mul([c, *k])
            }
            _ => self.sum_atom(ws, a, &t).2,
        }
    }

    fn positive_coefficient(&self, ws: &mut impl Workspace, c: Id) -> bool {
        if self.domain.is_positive(ws, c) {
            return true;
        }
        let s = simplify::simplify(ws, &self.domain, c);
        s != c && self.domain.is_positive(ws, s)
    }

    fn positive_atom(&self, ws: &mut impl Workspace, a: Id) -> bool {
        self.positive.contains(&a) || self.domain.is_positive(ws, a)
    }
}

/// The factors of a key as (atom, exponent); a symbolic power is its own atom.
fn atoms(arena: &Ir, key: Id) -> Vec<(Id, Rational)> {
    match arena.node(key) {
        Node::Mul(c, fs) if c.is_one() => fs.to_vec(),
        Node::Num(_) => Vec::new(),
        _ => vec![(key, Rational::ONE)],
    }
}

/// Terms with the same key merged, in order of first appearance; zero coefficients dropped.
pub(super) fn group(arena: &mut Ir, terms: Vec<(Id, Id)>) -> Terms {
    let mut keys: Vec<(Id, Vec<Id>)> = Vec::new();
    let mut index: HashMap<Id, usize> = HashMap::default();
    for (c, k) in terms {
        let i = *index.entry(k).or_insert_with(|| {
            keys.push((k, Vec::new()));
            keys.len() - 1
        });
        keys[i].1.push(c);
    }
    let mut out = Vec::with_capacity(keys.len());
    for (k, cs) in keys {
        let c = arena.add(cs);
        if !arena.is_zero(c) {
            out.push((c, k));
        }
    }
    out
}

/// The product of two normal forms, term by term; a key that became data-free (`x / x`) joins
/// the coefficient.
fn product(arena: &mut Ir, a: &[(Id, Id)], b: &[(Id, Id)]) -> Terms {
    let one = arena.int(1);
    let mut out = Vec::with_capacity(a.len() * b.len());
    for &(ca, ka) in a {
        for &(cb, kb) in b {
            let c = arena.mul([ca, cb]);
            let k = arena.mul([ka, kb]);
            if arena.as_num(k).is_some() {
                out.push((arena.mul([c, k]), one));
            } else {
                out.push((c, k));
            }
        }
    }
    out
}
