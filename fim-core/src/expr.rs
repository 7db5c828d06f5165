//! The IR: a hash-consed arena of expression nodes with canonicalizing constructors.
//!
//! Invariant: children are created before parents, so every child id is smaller than its
//! parent's. Identical nodes are stored once, so structural equality is id equality. Sums and
//! products are n-ary and canonical on construction (flattened, constants folded, like terms and
//! powers of one base merged, sorted by [`Ir::cmp`]). Constants are exact [`BigRational`]s.

use std::cmp::Ordering;
use std::collections::HashMap;

use rustc_hash::FxHashMap;
use smallvec::{smallvec, SmallVec};

use num_traits::{One, Signed, ToPrimitive, Zero};

/// Exact rational constant, always in lowest terms; small values are stored inline.
pub type Rational = dashu_ratio::RBig;

/// Exact integer.
pub type BigInt = dashu_int::IBig;

/// The (positive) denominator of `r` as a signed integer, for arithmetic with numerators.
pub fn denom(r: &Rational) -> BigInt {
    BigInt::from(r.denominator().clone())
}

/// Index of a node in an [`Ir`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Id(u32);

impl Id {
    /// The position of the node in its store.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// An interned symbol name.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Symbol(u32);

/// One node of the IR. Children are ids into the same arena.
///
/// Equality and hashing compare rationals by numerator and denominator: every rational in the
/// IR is in lowest terms, and num-rational's own `Hash`/`Eq` (which accept unreduced ratios)
/// cost a Euclid run per call on the arena's hottest path.
#[derive(Clone, Debug)]
pub enum Node {
    /// An exact rational constant.
    Num(Rational),
    /// The constant π.
    Pi,
    /// A named variable.
    Sym(Symbol),
    /// A sum of at least two terms, sorted; at most one constant term, first.
    Add(Box<[Id]>),
    /// `coeff * Π base^exp` with rational exponents: coeff ≠ 0, bases distinct and sorted,
    /// exponents ≠ 0; never a lone base with exponent 1 and coefficient 1.
    Mul(Rational, Box<[(Id, Rational)]>),
    /// `base^exponent` with a non-constant exponent.
    Pow(Id, Id),
    /// Natural logarithm.
    Ln(Id),
    /// Exponential.
    Exp(Id),
    /// Absolute value.
    Abs(Id),
    /// `ln Γ(x)`.
    LnGamma(Id),
    /// `ψ⁽ᵏ⁾(x)`: k = 0 is digamma, k = 1 trigamma.
    Polygamma(u32, Id),
}

fn q_eq(a: &Rational, b: &Rational) -> bool {
    // Most exponents and coefficients are 1.
    match (a.is_one(), b.is_one()) {
        (true, true) => true,
        (false, false) => a == b,
        _ => false,
    }
}

fn q_hash<H: std::hash::Hasher>(r: &Rational, h: &mut H) {
    use std::hash::Hash;
    let one = r.is_one();
    h.write_u8(u8::from(one));
    if !one {
        r.hash(h);
    }
}

impl PartialEq for Node {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Node::Num(a), Node::Num(b)) => q_eq(a, b),
            (Node::Pi, Node::Pi) => true,
            (Node::Sym(a), Node::Sym(b)) => a == b,
            (Node::Add(a), Node::Add(b)) => a == b,
            (Node::Mul(c, a), Node::Mul(d, b)) => {
                q_eq(c, d)
                    && a.len() == b.len()
                    && a.iter()
                        .zip(b.iter())
                        .all(|(x, y)| x.0 == y.0 && q_eq(&x.1, &y.1))
            }
            (Node::Pow(a, b), Node::Pow(c, d)) => a == c && b == d,
            (Node::Ln(a), Node::Ln(b))
            | (Node::Exp(a), Node::Exp(b))
            | (Node::Abs(a), Node::Abs(b))
            | (Node::LnGamma(a), Node::LnGamma(b)) => a == b,
            (Node::Polygamma(k, a), Node::Polygamma(l, b)) => k == l && a == b,
            _ => false,
        }
    }
}

impl Eq for Node {}

/// Tags that open a node's hash (so that a product or sum can be hashed from borrowed parts
/// before its node is built).
const TAG_ADD: u8 = 3;
const TAG_MUL: u8 = 4;

fn hash_add<H: std::hash::Hasher>(ts: &[Id], h: &mut H) {
    use std::hash::Hash;
    TAG_ADD.hash(h);
    ts.hash(h);
}

fn hash_mul<H: std::hash::Hasher>(c: &Rational, fs: &[(Id, Rational)], h: &mut H) {
    use std::hash::Hash;
    TAG_MUL.hash(h);
    q_hash(c, h);
    fs.len().hash(h);
    for (b, e) in fs {
        b.hash(h);
        q_hash(e, h);
    }
}

impl std::hash::Hash for Node {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        let tag: u8 = match self {
            Node::Num(_) => 0,
            Node::Pi => 1,
            Node::Sym(_) => 2,
            Node::Add(ts) => return hash_add(ts, h),
            Node::Mul(c, fs) => return hash_mul(c, fs, h),
            Node::Pow(..) => 5,
            Node::Ln(_) => 6,
            Node::Exp(_) => 7,
            Node::Abs(_) => 8,
            Node::LnGamma(_) => 9,
            Node::Polygamma(..) => 10,
        };
        tag.hash(h);
        match self {
            Node::Num(r) => q_hash(r, h),
            Node::Pi | Node::Add(_) | Node::Mul(..) => {}
            Node::Sym(s) => s.hash(h),
            Node::Pow(a, b) => {
                a.hash(h);
                b.hash(h);
            }
            Node::Ln(a) | Node::Exp(a) | Node::Abs(a) | Node::LnGamma(a) => a.hash(h),
            Node::Polygamma(k, a) => {
                k.hash(h);
                a.hash(h);
            }
        }
    }
}

fn node_hash(node: &Node) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    node.hash(&mut h);
    h.finish()
}

impl std::fmt::Debug for Ir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ir")
            .field("nodes", &self.nodes)
            .field("syms", &self.syms)
            .finish_non_exhaustive()
    }
}

/// The expression store: every node and symbol of a derivation, interned, with the memos that
/// belong to the IR itself (derivatives, free-symbol tests). The stages' caches live with the
/// stages, beside the store in [`crate::Arena`].
#[derive(Default)]
pub struct Ir {
    nodes: Vec<Node>,
    /// Per node: whether a logarithm occurs in it (see [`Ir::has_ln`]).
    has_ln: Vec<bool>,
    /// The intern table: ids, hashed and compared through `nodes`, so each node is stored once.
    map: hashbrown::HashTable<Id>,
    syms: Vec<String>,
    sym_map: FxHashMap<String, Symbol>,
    /// Each symbol's position in the natural order of names (`a2` before `a10`).
    sym_rank: Vec<u32>,
    /// Ids of the integers -2..=2, the constants built most often.
    small: [Option<Id>; 5],
    /// Memoized derivatives, keyed by (node, symbol).
    pub(crate) diff_memo: FxHashMap<(Id, Symbol), Id>,
    /// Memoized free-symbol tests, keyed by (node, symbol).
    pub(crate) dep_memo: FxHashMap<(Id, Symbol), bool>,
}

/// Builds a rational from an integer.
pub fn rat(n: i64) -> Rational {
    Rational::from(BigInt::from(n))
}

/// Builds the rational `n / d`; `d` must be non-zero.
pub fn ratio(n: i64, d: i64) -> Rational {
    Rational::from_parts_signed(BigInt::from(n), BigInt::from(d))
}

/// `a * b`, skipping the gcd of the general case when one side is 1 or both are integers.
pub fn q_mul(a: &Rational, b: &Rational) -> Rational {
    if a.is_one() {
        return b.clone();
    }
    if b.is_one() {
        return a.clone();
    }
    if a.is_int() && b.is_int() {
        return Rational::from(a.numerator() * b.numerator());
    }
    a * b
}

/// `a + b`, skipping the gcd when both are integers.
pub fn q_add(a: &Rational, b: &Rational) -> Rational {
    if a.is_zero() {
        return b.clone();
    }
    if b.is_zero() {
        return a.clone();
    }
    if a.is_int() && b.is_int() {
        return Rational::from(a.numerator() + b.numerator());
    }
    a + b
}

/// Raises a rational to an integer power; `None` for `0` to a negative power.
pub fn rat_powi(base: &Rational, exp: &BigInt) -> Option<Rational> {
    if base.is_zero() && exp.is_negative() {
        return None;
    }
    let e = exp.to_i32()?;
    if e.unsigned_abs() > 4096 {
        return None;
    }
    Some(base.pow(e as isize))
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
    /// An empty store, sized for a typical derivation (a few hundred nodes) so that its
    /// tables do not grow step by step.
    pub fn new() -> Self {
        const NODES: usize = 1024;
        const MEMO: usize = 256;
        fn memo<K, V>() -> FxHashMap<K, V> {
            FxHashMap::with_capacity_and_hasher(MEMO, Default::default())
        }
        Ir {
            nodes: Vec::with_capacity(NODES),
            has_ln: Vec::with_capacity(NODES),
            map: hashbrown::HashTable::with_capacity(NODES),
            diff_memo: memo(),
            dep_memo: FxHashMap::with_capacity_and_hasher(4 * MEMO, Default::default()),
            ..Self::default()
        }
    }

    /// Number of distinct nodes stored.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when no node has been created.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The node behind an id.
    pub fn node(&self, id: Id) -> &Node {
        &self.nodes[id.index()]
    }

    /// Interns a symbol name.
    pub fn symbol(&mut self, name: &str) -> Symbol {
        if let Some(&s) = self.sym_map.get(name) {
            return s;
        }
        let s = Symbol(self.syms.len() as u32);
        self.syms.push(name.to_string());
        self.sym_map.insert(name.to_string(), s);
        // The natural order of all names, as ranks (a handful of symbols: re-sort them all).
        let mut order: Vec<usize> = (0..self.syms.len()).collect();
        order.sort_by(|&a, &b| natural_cmp(&self.syms[a], &self.syms[b]));
        self.sym_rank = vec![0; order.len()];
        for (rank, i) in order.into_iter().enumerate() {
            self.sym_rank[i] = rank as u32;
        }
        s
    }

    /// Looks a symbol up by name without interning it.
    pub fn find_symbol(&self, name: &str) -> Option<Symbol> {
        self.sym_map.get(name).copied()
    }

    /// The name of a symbol.
    pub fn name(&self, s: Symbol) -> &str {
        &self.syms[s.0 as usize]
    }

    fn intern(&mut self, node: Node) -> Id {
        let hash = node_hash(&node);
        let nodes = &self.nodes;
        if let Some(&id) = self.map.find(hash, |&id| nodes[id.index()] == node) {
            return id;
        }
        self.insert_new(hash, node)
    }

    /// The sum of canonical, sorted `terms`, allocating only when it is new.
    fn intern_add(&mut self, terms: &[Id]) -> Id {
        use std::hash::Hasher;
        let mut h = rustc_hash::FxHasher::default();
        hash_add(terms, &mut h);
        let hash = h.finish();
        let nodes = &self.nodes;
        let found = self.map.find(
            hash,
            |&id| matches!(&nodes[id.index()], Node::Add(ts) if **ts == *terms),
        );
        match found {
            Some(&id) => id,
            None => self.insert_new(hash, Node::Add(terms.into())),
        }
    }

    /// The product of canonical, sorted factors, allocating only when it is new.
    fn intern_mul(&mut self, coeff: Rational, fs: &[(Id, Rational)]) -> Id {
        let (hash, found) = self.find_mul(&coeff, fs);
        match found {
            Some(id) => id,
            None => self.insert_new(hash, Node::Mul(coeff, fs.into())),
        }
    }

    /// The hash of the product `coeff * fs` and its id if it exists.
    fn find_mul(&self, coeff: &Rational, fs: &[(Id, Rational)]) -> (u64, Option<Id>) {
        use std::hash::Hasher;
        let mut h = rustc_hash::FxHasher::default();
        hash_mul(coeff, fs, &mut h);
        let hash = h.finish();
        let nodes = &self.nodes;
        let found = self.map.find(hash, |&id| match &nodes[id.index()] {
            Node::Mul(c, gs) => {
                q_eq(c, coeff)
                    && gs.len() == fs.len()
                    && gs
                        .iter()
                        .zip(fs)
                        .all(|(x, y)| x.0 == y.0 && q_eq(&x.1, &y.1))
            }
            _ => false,
        });
        (hash, found.copied())
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

    fn insert_new(&mut self, hash: u64, node: Node) -> Id {
        let id = Id(self.nodes.len() as u32);
        let ln = matches!(node, Node::Ln(_)) || self.any_child(&node, |a, c| a.has_ln[c.index()]);
        self.has_ln.push(ln);
        self.nodes.push(node);
        let nodes = &self.nodes;
        self.map
            .insert_unique(hash, id, |&id| node_hash(&nodes[id.index()]));
        id
    }

    // ---- leaves ----------------------------------------------------------------------------

    /// Whether a logarithm occurs anywhere in `id`. Sign facts only change how logarithms
    /// simplify, so forms of log-free expressions are cached independently of them.
    pub fn has_ln(&self, id: Id) -> bool {
        self.has_ln[id.index()]
    }

    fn any_child(&self, node: &Node, f: impl Fn(&Ir, Id) -> bool) -> bool {
        match node {
            Node::Num(_) | Node::Pi | Node::Sym(_) => false,
            Node::Add(ts) => ts.iter().any(|&t| f(self, t)),
            Node::Mul(_, fs) => fs.iter().any(|(b, _)| f(self, *b)),
            Node::Pow(b, e) => f(self, *b) || f(self, *e),
            Node::Ln(a)
            | Node::Exp(a)
            | Node::Abs(a)
            | Node::LnGamma(a)
            | Node::Polygamma(_, a) => f(self, *a),
        }
    }

    /// A rational constant.
    pub fn num(&mut self, r: Rational) -> Id {
        self.intern(Node::Num(r))
    }

    /// An integer constant.
    pub fn int(&mut self, n: i64) -> Id {
        if (-2..=2).contains(&n) {
            let slot = (n + 2) as usize;
            if let Some(id) = self.small[slot] {
                return id;
            }
            let id = self.num(rat(n));
            self.small[slot] = Some(id);
            return id;
        }
        self.num(rat(n))
    }

    /// The constant π.
    pub fn pi(&mut self) -> Id {
        self.intern(Node::Pi)
    }

    /// A variable by name.
    pub fn var(&mut self, name: &str) -> Id {
        let s = self.symbol(name);
        self.intern(Node::Sym(s))
    }

    /// A variable by symbol.
    pub fn sym(&mut self, s: Symbol) -> Id {
        self.intern(Node::Sym(s))
    }

    /// The rational value of a constant node.
    pub fn as_num(&self, id: Id) -> Option<&Rational> {
        match self.node(id) {
            Node::Num(r) => Some(r),
            _ => None,
        }
    }

    /// True when the node is the constant zero.
    pub fn is_zero(&self, id: Id) -> bool {
        self.as_num(id).is_some_and(|r| r.is_zero())
    }

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
        let plain = |n: &Node| {
            matches!(
                n,
                Node::Sym(_) | Node::Add(_) | Node::Ln(_) | Node::LnGamma(_) | Node::Polygamma(..)
            )
        };
        match (self.node(a), self.node(b)) {
            (Node::Num(c), _) if c.is_one() => Some(b),
            (_, Node::Num(c)) if c.is_one() => Some(a),
            (x, y) if a != b && plain(x) && plain(y) => {
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
        if matches!(
            self.node(f),
            Node::Sym(_)
                | Node::Add(_)
                | Node::Ln(_)
                | Node::LnGamma(_)
                | Node::Polygamma(..)
                | Node::Pi
        ) {
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

    // ---- functions -------------------------------------------------------------------------

    /// `ln(a)`.
    pub fn ln(&mut self, a: Id) -> Id {
        match self.node(a) {
            Node::Num(r) if r.is_one() => self.int(0),
            Node::Exp(x) => *x,
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
        match self.node(a) {
            Node::Num(r) if r.is_one() || *r == rat(2) => self.int(0),
            _ => self.intern(Node::LnGamma(a)),
        }
    }

    /// `ψ⁽ᵏ⁾(a)`.
    pub fn polygamma(&mut self, k: u32, a: Id) -> Id {
        self.intern(Node::Polygamma(k, a))
    }

    // ---- queries ---------------------------------------------------------------------------

    /// The children of a node, in order.
    pub fn children(&self, id: Id) -> SmallVec<[Id; 4]> {
        match self.node(id) {
            Node::Num(_) | Node::Pi | Node::Sym(_) => SmallVec::new(),
            Node::Add(ts) => ts.iter().copied().collect(),
            Node::Mul(_, fs) => fs.iter().map(|f| f.0).collect(),
            Node::Pow(b, e) => smallvec![*b, *e],
            Node::Ln(a)
            | Node::Exp(a)
            | Node::Abs(a)
            | Node::LnGamma(a)
            | Node::Polygamma(_, a) => {
                smallvec![*a]
            }
        }
    }

    /// True when `id` contains the symbol `s`.
    pub fn depends_on(&mut self, id: Id, s: Symbol) -> bool {
        if let Some(&b) = self.dep_memo.get(&(id, s)) {
            return b;
        }
        let b = match self.node(id) {
            Node::Sym(t) => *t == s,
            Node::Num(_) | Node::Pi => false,
            _ => self.children(id).into_iter().any(|c| self.depends_on(c, s)),
        };
        self.dep_memo.insert((id, s), b);
        b
    }

    /// True when `id` contains any of `syms`.
    pub fn depends_on_any(&mut self, id: Id, syms: &[Symbol]) -> bool {
        syms.iter().any(|&s| self.depends_on(id, s))
    }

    /// The free symbols of `id`, in order of first appearance (depth first).
    pub fn free_symbols(&self, id: Id) -> Vec<Symbol> {
        let mut out = Vec::new();
        let mut seen = rustc_hash::FxHashSet::default();
        let mut stack = vec![id];
        while let Some(n) = stack.pop() {
            if !seen.insert(n) {
                continue;
            }
            if let Node::Sym(s) = self.node(n) {
                if !out.contains(s) {
                    out.push(*s);
                }
            }
            let mut cs = self.children(n);
            cs.reverse();
            stack.extend(cs);
        }
        out
    }

    /// Replaces symbols by expressions everywhere in `id`.
    pub fn substitute(&mut self, id: Id, map: &HashMap<Symbol, Id>) -> Id {
        let mut memo = HashMap::new();
        self.subst_rec(id, map, &mut memo)
    }

    fn subst_rec(&mut self, id: Id, map: &HashMap<Symbol, Id>, memo: &mut HashMap<Id, Id>) -> Id {
        if let Some(&r) = memo.get(&id) {
            return r;
        }
        let r = self.rebuild(id, &mut |arena, c| arena.subst_rec(c, map, memo), map);
        memo.insert(id, r);
        r
    }

    fn rebuild(
        &mut self,
        id: Id,
        f: &mut dyn FnMut(&mut Ir, Id) -> Id,
        map: &HashMap<Symbol, Id>,
    ) -> Id {
        match self.node(id).clone() {
            Node::Sym(s) => map.get(&s).copied().unwrap_or(id),
            _ => self.map_children(id, f),
        }
    }

    /// Rebuilds `id` with `f` applied to each child, through the canonical constructors.
    pub fn map_children(&mut self, id: Id, f: &mut dyn FnMut(&mut Ir, Id) -> Id) -> Id {
        match self.node(id).clone() {
            Node::Num(_) | Node::Pi | Node::Sym(_) => id,
            Node::Add(ts) => {
                let ts: Vec<Id> = ts.iter().map(|&t| f(self, t)).collect();
                self.add(ts)
            }
            Node::Mul(c, fs) => {
                let mut v: Vec<(Id, Rational)> = vec![];
                let cid = self.num(c);
                v.push((cid, Rational::one()));
                for (b, e) in fs.iter() {
                    v.push((f(self, *b), e.clone()));
                }
                self.mul_pow(v)
            }
            Node::Pow(b, e) => {
                let (b, e) = (f(self, b), f(self, e));
                self.pow(b, e)
            }
            Node::Ln(a) => {
                let a = f(self, a);
                self.ln(a)
            }
            Node::Exp(a) => {
                let a = f(self, a);
                self.exp(a)
            }
            Node::Abs(a) => {
                let a = f(self, a);
                self.abs(a)
            }
            Node::LnGamma(a) => {
                let a = f(self, a);
                self.ln_gamma(a)
            }
            Node::Polygamma(k, a) => {
                let a = f(self, a);
                self.polygamma(k, a)
            }
        }
    }

    // ---- order -----------------------------------------------------------------------------

    fn rank(&self, id: Id) -> u8 {
        match self.node(id) {
            Node::Num(_) => 0,
            Node::Pi => 1,
            Node::Sym(_) => 2,
            Node::Mul(..) => 3,
            Node::Pow(..) => 4,
            Node::Add(_) => 5,
            Node::Abs(_) => 6,
            Node::Ln(_) => 7,
            Node::Exp(_) => 8,
            Node::LnGamma(_) => 9,
            Node::Polygamma(..) => 10,
        }
    }

    /// The canonical total order on nodes: structural, independent of creation order.
    ///
    /// Products sort by their first factor so that `x`, `x^2` and `2 x y` stay together.
    // Written without closures or tail calls: LLVM's optimizer exhausted memory on the
    // closure-based recursive version.
    #[inline(never)]
    pub fn cmp(&self, a: Id, b: Id) -> Ordering {
        let (mut a, mut b) = (a, b);
        let mut tie = Ordering::Equal;
        loop {
            if a == b {
                return tie;
            }
            match (self.node(a), self.node(b)) {
                (Node::Mul(_, fa), nb) if !matches!(nb, Node::Mul(..)) => {
                    if tie == Ordering::Equal {
                        tie = Ordering::Greater;
                    }
                    a = fa[0].0;
                }
                (na, Node::Mul(_, fb)) if !matches!(na, Node::Mul(..)) => {
                    if tie == Ordering::Equal {
                        tie = Ordering::Less;
                    }
                    b = fb[0].0;
                }
                _ => break,
            }
        }
        let o = self.cmp_same_rank(a, b);
        if o == Ordering::Equal {
            tie
        } else {
            o
        }
    }

    #[inline(never)]
    fn cmp_same_rank(&self, a: Id, b: Id) -> Ordering {
        if a == b {
            return Ordering::Equal;
        }
        let r = self.rank(a).cmp(&self.rank(b));
        if r != Ordering::Equal {
            return r;
        }
        match (self.node(a), self.node(b)) {
            (Node::Num(x), Node::Num(y)) => x.cmp(y),
            (Node::Sym(x), Node::Sym(y)) => {
                self.sym_rank[x.0 as usize].cmp(&self.sym_rank[y.0 as usize])
            }
            (Node::Add(x), Node::Add(y)) => {
                for (p, q) in x.iter().zip(y.iter()) {
                    let o = self.cmp(*p, *q);
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                x.len().cmp(&y.len())
            }
            (Node::Mul(cx, x), Node::Mul(cy, y)) => {
                for (p, q) in x.iter().zip(y.iter()) {
                    let o = self.cmp(p.0, q.0);
                    if o != Ordering::Equal {
                        return o;
                    }
                    let o = p.1.cmp(&q.1);
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                let o = x.len().cmp(&y.len());
                if o != Ordering::Equal {
                    return o;
                }
                cx.cmp(cy)
            }
            (Node::Pow(b1, e1), Node::Pow(b2, e2)) => {
                let o = self.cmp(*b1, *b2);
                if o != Ordering::Equal {
                    return o;
                }
                self.cmp(*e1, *e2)
            }
            (Node::Polygamma(k1, x), Node::Polygamma(k2, y)) => {
                let o = k1.cmp(k2);
                if o != Ordering::Equal {
                    return o;
                }
                self.cmp(*x, *y)
            }
            (Node::Ln(x), Node::Ln(y))
            | (Node::Exp(x), Node::Exp(y))
            | (Node::Abs(x), Node::Abs(y))
            | (Node::LnGamma(x), Node::LnGamma(y)) => self.cmp(*x, *y),
            _ => a.cmp(&b),
        }
    }
}

/// Names compare with their digit runs as numbers, so that `a2` comes before `a10`.
fn natural_cmp(a: &str, b: &str) -> Ordering {
    fn split(s: &str) -> (&str, Option<u64>) {
        let cut = s.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (head, digits) = s.split_at(cut);
        (head, digits.parse().ok())
    }
    let ((ha, na), (hb, nb)) = (split(a), split(b));
    ha.cmp(hb).then(na.cmp(&nb)).then_with(|| a.cmp(b))
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
