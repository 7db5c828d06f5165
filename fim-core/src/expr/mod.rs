//! The IR: a hash-consed arena of expression nodes with canonicalizing constructors.
//!
//! Invariant: children are created before parents, so every child id is smaller than its
//! parent's. Identical nodes are stored once, so structural equality is id equality. Sums and
//! products are n-ary and canonical on construction (flattened, constants folded, like terms and
//! powers of one base merged, sorted by [`Ir::cmp`]). Constants are exact [`Rational`]s.
//!
//! Here: nodes, their identity and the store that interns them, leaves and queries; canonical
//! sums, products and functions are built in `build`, and ordered by `order`.

use std::collections::HashMap;

use rustc_hash::FxHashMap;
use smallvec::{smallvec, SmallVec};

use num_traits::{One, Signed, ToPrimitive};

mod build;
mod order;
pub mod special;

pub(crate) use build::PairVec;
use order::natural_cmp;
pub use special::{Fun, Special};

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

/// One node of the IR. Children are ids into the same store.
///
/// Equality and hashing are written out by hand for the intern table, the hottest path: a
/// rational equal to 1 (most coefficients and exponents) compares and hashes without touching
/// its digits, and a sum or product hashes from its borrowed parts exactly as from its node
/// (`hash_add`, `hash_mul`), so that it is found before a node is built for it.
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
    /// A special function of [`special::TABLE`] (ln Γ, ψ⁽ᵏ⁾, …) applied to its argument.
    Special(Special, Id),
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
            | (Node::Abs(a), Node::Abs(b)) => a == b,
            (Node::Special(f, a), Node::Special(g, b)) => f == g && a == b,
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
            Node::Special(..) => 9,
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
            Node::Ln(a) | Node::Exp(a) | Node::Abs(a) => a.hash(h),
            Node::Special(f, a) => {
                f.hash(h);
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
        self.debug_as("Ir", f)
    }
}

impl Ir {
    /// The nodes and symbol names under the name `name`: the store's own listing, and the
    /// arena's, which is the same listing under its own name.
    pub(crate) fn debug_as(&self, name: &str, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(name)
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
    /// Per node: whether a symbol occurs in it (see [`Ir::has_symbol`]).
    has_sym: Vec<bool>,
    /// Per node: a number's value, or a product's coefficient, as the nearest `f64` (0 for
    /// other nodes): evaluation reads it instead of rounding a big rational each time.
    coeff_f64: Vec<f64>,
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
    charge_big(a, b);
    if a.is_int() && b.is_int() {
        return Rational::from(a.numerator() * b.numerator());
    }
    a * b
}

/// Charges the work meter for exact arithmetic: a fraction costs a gcd, a large number its
/// size; small integers are not worth a charge.
#[inline]
fn charge_big(a: &Rational, b: &Rational) {
    let bits = crate::budget::rational_bits(a) + crate::budget::rational_bits(b);
    let fraction = !(a.is_int() && b.is_int());
    if fraction || bits > 256 {
        crate::budget::charge(u64::from(fraction) + bits / 128);
    }
}

/// `a + b`, skipping the gcd when both are integers.
pub fn q_add(a: &Rational, b: &Rational) -> Rational {
    if a.is_zero() {
        return b.clone();
    }
    if b.is_zero() {
        return a.clone();
    }
    charge_big(a, b);
    if a.is_int() && b.is_int() {
        return Rational::from(a.numerator() + b.numerator());
    }
    a + b
}

/// Raises a rational to an integer power; `None` for `0` to a negative power, and for a
/// result beyond [`MAX_EXACT_BITS`](crate::budget::MAX_EXACT_BITS).
pub fn rat_powi(base: &Rational, exp: &BigInt) -> Option<Rational> {
    if base.is_zero() {
        // 0ⁿ is 0 for every n > 0 (`0.0.powf(1e91)`), whatever its size; 0⁰ = 1.
        return if exp.is_negative() {
            None
        } else if *exp == BigInt::ZERO {
            Some(Rational::ONE)
        } else {
            Some(Rational::ZERO)
        };
    }
    if base.is_one() {
        return Some(Rational::ONE);
    }
    if *base == -Rational::ONE {
        // (−1)ⁿ by the parity of n, whatever its size.
        let odd = (exp % BigInt::from(2u8)) != BigInt::ZERO;
        return Some(if odd { base.clone() } else { Rational::ONE });
    }
    let e = exp.to_i32()?;
    // Beyond the budget the power stays symbolic (see `budget::MAX_EXACT_BITS`).
    if !crate::budget::exact_power_fits(base, u64::from(e.unsigned_abs())) {
        return None;
    }
    Some(base.pow(e as isize))
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
            has_sym: Vec::with_capacity(NODES),
            coeff_f64: Vec::with_capacity(NODES),
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
        crate::budget::charge(1);
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
        // Hashing and comparing cost with the terms.
        crate::budget::charge(1 + terms.len() as u64 / 2);
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
        // Hashing and comparing cost with the factors.
        crate::budget::charge(1 + fs.len() as u64 / 2);
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
    fn insert_new(&mut self, hash: u64, node: Node) -> Id {
        let id = Id(self.nodes.len() as u32);
        let ln = matches!(node, Node::Ln(_)) || self.any_child(&node, |a, c| a.has_ln[c.index()]);
        self.has_ln.push(ln);
        let sym =
            matches!(node, Node::Sym(_)) || self.any_child(&node, |a, c| a.has_sym[c.index()]);
        self.has_sym.push(sym);
        self.coeff_f64.push(match &node {
            Node::Num(r) | Node::Mul(r, _) => crate::eval::rat_to_f64(r),
            _ => 0.0,
        });
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

    /// Whether a symbol occurs anywhere in `id` (false for a constant expression).
    pub fn has_symbol(&self, id: Id) -> bool {
        self.has_sym[id.index()]
    }

    fn any_child(&self, node: &Node, f: impl Fn(&Ir, Id) -> bool) -> bool {
        match node {
            Node::Num(_) | Node::Pi | Node::Sym(_) => false,
            Node::Add(ts) => ts.iter().any(|&t| f(self, t)),
            Node::Mul(_, fs) => fs.iter().any(|(b, _)| f(self, *b)),
            Node::Pow(b, e) => f(self, *b) || f(self, *e),
            Node::Ln(a) | Node::Exp(a) | Node::Abs(a) | Node::Special(_, a) => f(self, *a),
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

    // ---- queries ---------------------------------------------------------------------------

    /// The children of a node, in order.
    pub fn children(&self, id: Id) -> SmallVec<[Id; 4]> {
        match self.node(id) {
            Node::Num(_) | Node::Pi | Node::Sym(_) => SmallVec::new(),
            Node::Add(ts) => ts.iter().copied().collect(),
            Node::Mul(_, fs) => fs.iter().map(|f| f.0).collect(),
            Node::Pow(b, e) => smallvec![*b, *e],
            Node::Ln(a) | Node::Exp(a) | Node::Abs(a) | Node::Special(_, a) => smallvec![*a],
        }
    }

    /// True when `id` contains the symbol `s`.
    pub fn depends_on(&mut self, id: Id, s: Symbol) -> bool {
        if let Some(&b) = self.dep_memo.get(&(id, s)) {
            return b;
        }
        crate::budget::charge(1);
        let b = match self.node(id) {
            Node::Sym(t) => *t == s,
            Node::Num(_) | Node::Pi => false,
            _ => self.children(id).into_iter().any(|c| self.depends_on(c, s)),
        };
        self.dep_memo.insert((id, s), b);
        b
    }

    /// A number's value, or a product's coefficient, as the nearest `f64` (0 otherwise).
    pub(crate) fn coeff_f64(&self, id: Id) -> f64 {
        self.coeff_f64[id.index()]
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
            Node::Special(g, a) => {
                let a = f(self, a);
                self.special(g, a)
            }
        }
    }
}
