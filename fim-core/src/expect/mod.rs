//! Expectation over the data: linearity, the moment table, exponential-family inference.
//!
//! An expression is split, by expanding only over the data, into `Σ cⱼ(θ) Tⱼ(x)` with data-free
//! coefficients and canonical data factors `Tⱼ` (`x * x`, `x.powi(2)` and `x.powf(2.0)` are one
//! factor). The expectation is then `Σ cⱼ E[Tⱼ]`, each `E[Tⱼ]` looked up in a [`MomentTable`].
//!
//! Moments are matched by meaning (DESIGN §2b): where a factor is not in the table as spelled,
//! both the declared moments and what the derivation needs are brought to one normal form
//! ([`Normalizer`], in `normal`) and met by linear algebra over the table (`linear`): a needed
//! expectation is found when it is any combination, with data-free coefficients, of declared,
//! derived and inferred ones, whatever their spelling. Inference counts the score's statistics
//! by the rank of their coefficients.

use std::rc::Rc;

use num_traits::ToPrimitive;
use rustc_hash::FxHashMap as HashMap;
use smallvec::SmallVec;

use crate::expr::{Id, Ir, Node, Rational, Symbol};
use crate::simplify::{self, Domain};

mod linear;
mod normal;

pub use linear::spans;
pub use normal::{Normalizer, Spelling, Terms};

/// What expectation needs of the arena it works in: the simplifier's workspace, and its own
/// memo beside it.
pub trait Workspace: simplify::Workspace {
    /// The data-term splits remembered so far.
    fn expect_memo(&mut self) -> &mut Memo;
}

/// `Σ coefficient · data factor`, as (coefficient, factor) pairs.
type DataTerms = Vec<(Id, Id)>;

/// Expectation's cache: splits into data terms, keyed by (node, fingerprint of the data
/// symbols), since the same score and Hessian entries are split again and again.
#[derive(Debug, Default)]
pub struct Memo {
    terms: HashMap<(Id, u64), Rc<DataTerms>>,
}

impl Memo {
    /// An empty memo, sized for a typical derivation.
    pub fn new() -> Self {
        Memo {
            terms: HashMap::with_capacity_and_hasher(256, Default::default()),
        }
    }
}

/// Where a moment in the table came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Stated in `moments(..)`.
    Declared,
    /// Solved from other declared moments (a `Var[..]`, or `E[(x - m).powi(2)]` with `E[x]`).
    Derived,
    /// Solved from E[score] = 0 for an exponential family.
    Inferred,
    /// A second moment of the sufficient statistics, from Cov[T] = ∇²_η A.
    Covariance,
}

/// One known moment `E[factor] = value`.
#[derive(Clone, Debug)]
pub struct MomentEntry {
    /// The canonical data factor.
    pub factor: Id,
    /// Its expectation (data-free).
    pub value: Id,
    /// How it became known.
    pub source: Source,
}

/// The kind of a declared moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MomentKind {
    /// `E[expr] = value`.
    Mean,
    /// `Var[expr] = value`.
    Var,
}

/// A moment as the user wrote it, in IR.
#[derive(Clone, Debug)]
pub struct DeclaredMoment {
    /// `E` or `Var`.
    pub kind: MomentKind,
    /// The data expression inside the brackets.
    pub lhs: Id,
    /// The stated value.
    pub rhs: Id,
}

/// A linear relation among expectations that are not known one by one:
/// `Σ coefficient · E[key] = value`, the first term its pivot with coefficient 1.
#[derive(Clone, Debug)]
pub struct Relation {
    /// (coefficient, key) pairs, the pivot first.
    pub terms: Vec<(Id, Id)>,
    /// The value of the combination.
    pub value: Id,
    /// How it became known.
    pub source: Source,
    /// The declared moment it came from, if it is one.
    pub declared: Option<usize>,
    /// `(combination, value)` as shown: in the spellings of the keys, tidied (set when the
    /// table is finished).
    pub shown: (Id, Id),
}

/// What adding a linear relation to the table did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Added {
    /// The table already determined the combination: it implies this value for it.
    Redundant(Id),
    /// A new expectation became known (and maybe others with it).
    Solved,
    /// It is kept as a relation among unknown expectations.
    Related,
}

/// What is known about expectations: canonical data factors known one by one (the entries,
/// in the order they became known), and linear relations among the others, kept in reduced
/// row-echelon form. Lookups go through the normal form ([`Normalizer`]), so a needed
/// expectation is found when it is any linear combination, with data-free coefficients, of
/// what is known, however either side was spelled.
#[derive(Clone, Debug)]
pub struct MomentTable {
    entries: Vec<MomentEntry>,
    /// Entry by the factor shown (and by its key where the entry's value is E[key] too).
    index: HashMap<Id, usize>,
    /// E[key] for every key known one by one.
    known: HashMap<Id, Id>,
    relations: Vec<Relation>,
    norm: Normalizer,
}

impl MomentTable {
    /// An empty table over `data`, its normal forms taken under the sign facts of `domain`.
    pub fn new(data: &[Symbol], domain: &Domain) -> Self {
        MomentTable {
            entries: Vec::new(),
            index: HashMap::default(),
            known: HashMap::default(),
            relations: Vec::new(),
            norm: Normalizer::new(data, domain),
        }
    }

    /// The entries in the order they became known.
    pub fn entries(&self) -> &[MomentEntry] {
        &self.entries
    }

    /// The relations among expectations not known one by one.
    pub fn relations(&self) -> &[Relation] {
        &self.relations
    }

    /// The normal form the table matches in.
    pub fn normalizer(&mut self) -> &mut Normalizer {
        &mut self.norm
    }

    /// `E[factor]` if known, by the factor as shown in [`MomentTable::entries`] (or its key).
    pub fn get(&self, factor: Id) -> Option<&MomentEntry> {
        self.index.get(&factor).map(|&i| &self.entries[i])
    }

    /// Builds the table from declared moments, solving each for its one unknown data factor
    /// (so `Var[x] = v` with `E[x] = m` gives `E[x²] = v + m²`), and keeping those with more
    /// than one as relations. Returns the table and the declared moments that were redundant
    /// (already determined by the others), as `(index, stated E[lhs], value implied by the
    /// table)`, for the caller to check, and the indices of moments that could not be used yet
    /// (a `Var[..]` whose mean is unknown).
    pub fn from_declared(
        arena: &mut impl Workspace,
        data: &[Symbol],
        domain: &Domain,
        declared: &[DeclaredMoment],
    ) -> (MomentTable, Vec<(usize, Id, Id)>, Vec<usize>) {
        let mut table = MomentTable::new(data, domain);
        let pending: Vec<usize> = (0..declared.len()).collect();
        let (redundant, unsolved) = table.solve(arena, declared, pending);
        (table, redundant, unsolved)
    }

    /// Solves the declared moments at `pending` (indices into `declared`) against this table,
    /// repeatedly, until no more can be solved: first each moment with one unknown
    /// expectation, then the rest as linear relations. Used first on the declared moments
    /// alone, and again after exponential-family inference has added what it could.
    pub fn solve(
        &mut self,
        arena: &mut impl Workspace,
        declared: &[DeclaredMoment],
        mut pending: Vec<usize>,
    ) -> (Vec<(usize, Id, Id)>, Vec<usize>) {
        let mut redundant = Vec::new();
        let one = arena.int(1);
        loop {
            let mut progress = false;
            let mut still = Vec::new();
            for &i in &pending {
                let Some((lhs, rhs)) = self.as_mean(arena, &declared[i]) else {
                    still.push(i);
                    continue;
                };
                let terms = self.norm.terms(arena, lhs);
                let unknown: Vec<(Id, Id)> = terms
                    .iter()
                    .filter(|(_, f)| *f != one && !self.known.contains_key(f))
                    .copied()
                    .collect();
                match unknown.as_slice() {
                    [] => {
                        let implied = self.expectation(arena, lhs).unwrap_or(rhs);
                        redundant.push((i, rhs, implied));
                        progress = true;
                    }
                    [(c, f)] if !self.in_relation(*f) => {
                        // rhs = c E[f] + Σ known  ⇒  E[f] = (rhs - Σ known) / c
                        let mut known = Vec::new();
                        for (ck, fk) in &terms {
                            if fk == f {
                                continue;
                            }
                            let v = if *fk == one {
                                one
                            } else {
                                self.known.get(fk).copied().unwrap_or(one)
                            };
                            known.push(arena.mul([*ck, v]));
                        }
                        let known = arena.add(known);
                        let num = arena.sub(rhs, known);
                        let value = arena.div(num, *c);
                        let written = data_terms(arena, lhs, self.norm.data());
                        let plain = written.len() == 1
                            && written[0].0 == one
                            && declared[i].kind == MomentKind::Mean;
                        let source = if plain {
                            Source::Declared
                        } else {
                            Source::Derived
                        };
                        self.learn(arena, *f, value, source);
                        progress = true;
                    }
                    _ => still.push(i),
                }
            }
            pending = still;
            if pending.is_empty() {
                break;
            }
            if progress {
                continue;
            }
            // What is left has more than one unknown expectation: relations among them, by
            // linear algebra. A `Var[..]` waits for its mean.
            let mut added = false;
            let mut rest = Vec::new();
            for &i in &pending {
                let Some((lhs, rhs)) = self.as_mean(arena, &declared[i]) else {
                    rest.push(i);
                    continue;
                };
                let terms = self.norm.terms(arena, lhs);
                if let Added::Redundant(implied) =
                    self.add_relation(arena, &terms, rhs, Source::Derived, Some(i))
                {
                    redundant.push((i, rhs, implied));
                }
                added = true;
            }
            pending = rest;
            if !added || pending.is_empty() {
                break;
            }
        }
        (redundant, pending)
    }

    /// A declared moment as `E[lhs] = rhs`; `None` for a `Var[..]` whose mean is unknown yet.
    fn as_mean(&mut self, arena: &mut impl Workspace, m: &DeclaredMoment) -> Option<(Id, Id)> {
        match m.kind {
            MomentKind::Mean => Some((m.lhs, m.rhs)),
            MomentKind::Var => {
                let mean = self.expectation(arena, m.lhs).ok()?;
                let sq = arena.powi(m.lhs, 2);
                let mean2 = arena.powi(mean, 2);
                let v = arena.add([m.rhs, mean2]);
                Some((sq, v))
            }
        }
    }

    /// `E[e]`, or what is missing: the keys (shown in their first spelling) whose
    /// expectations no combination of the known ones supplies.
    pub fn expectation(&mut self, arena: &mut impl Workspace, e: Id) -> Result<Id, Vec<Id>> {
        let terms = data_terms(arena, e, self.norm.data());
        let one = arena.int(1);
        // Every factor known as spelled: the common case, with no normal form needed.
        let mut out = Vec::with_capacity(terms.len());
        for &(c, f) in &terms {
            if f == one {
                out.push(c);
            } else if let Some(m) = self.get(f) {
                out.push(arena.mul([c, m.value]));
            } else {
                break;
            }
        }
        if out.len() == terms.len() {
            return Ok(arena.add(out));
        }
        let normal = self.norm.terms(arena, e);
        let (value, residual) = self.reduce(arena, &normal);
        if residual.is_empty() {
            Ok(value)
        } else {
            Err(residual.iter().map(|&(_, k)| self.norm.shown(k)).collect())
        }
    }

    /// What of `E[e]` no combination of the known expectations supplies: its normal form
    /// reduced by the table, as (coefficient, key) pairs (empty when `E[e]` is known).
    pub fn residual(&mut self, arena: &mut impl Workspace, e: Id) -> Terms {
        let normal = self.norm.terms(arena, e);
        self.reduce(arena, &normal).1
    }

    /// Reduces `Σ c · E[key]` by the table: the part it determines, and what is left, on keys
    /// neither known nor pivots of a relation, with simplified non-zero coefficients.
    pub fn reduce(&mut self, arena: &mut impl Workspace, terms: &[(Id, Id)]) -> (Id, Terms) {
        let one = arena.int(1);
        let mut parts = Vec::new();
        let mut left: Vec<(Id, Id)> = Vec::new();
        for &(c, k) in terms {
            if k == one {
                parts.push(c);
            } else if let Some(&v) = self.known.get(&k) {
                parts.push(arena.mul([c, v]));
            } else if let Some(r) = self.relations.iter().find(|r| r.terms[0].1 == k) {
                let (value, free) = (r.value, r.terms[1..].to_vec());
                parts.push(arena.mul([c, value]));
                for (a, f) in free {
                    let t = arena.mul([c, a]);
                    left.push((arena.neg(t), f));
                }
            } else {
                left.push((c, k));
            }
        }
        let value = arena.add(parts);
        let domain = self.norm.domain().clone();
        let mut residual = Vec::new();
        for (c, k) in normal::group(arena, left) {
            let c = simplify::simplify(arena, &domain, c);
            if !arena.is_zero(c) {
                residual.push((c, k));
            }
        }
        (value, residual)
    }

    /// Adds the relation `Σ c · E[key] = value` (data-free terms allowed, under the key `1`):
    /// reduced by what is known, it is redundant, determines one more expectation, or is kept.
    pub fn add_relation(
        &mut self,
        arena: &mut impl Workspace,
        terms: &[(Id, Id)],
        value: Id,
        source: Source,
        declared: Option<usize>,
    ) -> Added {
        let (known, residual) = self.reduce(arena, terms);
        let rest = arena.sub(value, known);
        match residual.as_slice() {
            [] => Added::Redundant(known),
            [(c, k)] => {
                let v = arena.div(rest, *c);
                self.learn(arena, *k, v, source);
                Added::Solved
            }
            [(cp, kp), ..] => {
                let (cp, kp) = (*cp, *kp);
                let domain = self.norm.domain().clone();
                let one = arena.int(1);
                let mut row = vec![(one, kp)];
                for &(c, k) in &residual[1..] {
                    let q = arena.div(c, cp);
                    row.push((simplify::simplify(arena, &domain, q), k));
                }
                let v = arena.div(rest, cp);
                let v = simplify::simplify(arena, &domain, v);
                // Reduced row-echelon form: the new pivot leaves every other relation.
                for r in &mut self.relations {
                    let Some(at) = r.terms[1..].iter().position(|t| t.1 == kp) else {
                        continue;
                    };
                    let a = r.terms.remove(at + 1).0;
                    let mut free: Vec<(Id, Id)> = r.terms[1..].to_vec();
                    for &(c, k) in &row[1..] {
                        let t = arena.mul([a, c]);
                        free.push((arena.neg(t), k));
                    }
                    let mut terms = vec![r.terms[0]];
                    for (c, k) in normal::group(arena, free) {
                        let c = simplify::simplify(arena, &domain, c);
                        if !arena.is_zero(c) {
                            terms.push((c, k));
                        }
                    }
                    r.terms = terms;
                    let t = arena.mul([a, v]);
                    let nv = arena.sub(r.value, t);
                    r.value = simplify::simplify(arena, &domain, nv);
                }
                let zero = arena.int(0);
                self.relations.push(Relation {
                    terms: row,
                    value: v,
                    source,
                    declared,
                    shown: (zero, zero),
                });
                self.promote(arena);
                Added::Related
            }
        }
    }

    /// True when `key` occurs in a relation.
    fn in_relation(&self, key: Id) -> bool {
        self.relations
            .iter()
            .any(|r| r.terms.iter().any(|t| t.1 == key))
    }

    /// Records `E[key] = value`: an entry in the key's first spelling, and every relation that
    /// mentions the key updated (those left with their pivot alone become entries too).
    fn learn(&mut self, arena: &mut impl Workspace, key: Id, value: Id, source: Source) {
        self.known.insert(key, value);
        let (factor, shown, plain) = match self.norm.spelling(key) {
            Some(s) => {
                let plain =
                    arena.as_num(s.scale).is_some_and(|q| q.is_one()) && arena.is_zero(s.shift);
                let v = if plain {
                    value
                } else {
                    let scaled = arena.mul([s.scale, value]);
                    arena.add([scaled, s.shift])
                };
                (s.factor, v, plain)
            }
            None => (key, value, true),
        };
        let i = self.entries.len();
        if !self.index.contains_key(&factor) {
            self.entries.push(MomentEntry {
                factor,
                value: shown,
                source,
            });
            self.index.insert(factor, i);
            // The entry holds E[factor]; it is E[key] too only when the two are one
            // expression up to spelling.
            if plain {
                self.index.entry(key).or_insert(i);
            }
        }
        if self.in_relation(key) {
            let domain = self.norm.domain().clone();
            for r in &mut self.relations {
                if let Some(at) = r.terms[1..].iter().position(|t| t.1 == key) {
                    let a = r.terms.remove(at + 1).0;
                    let t = arena.mul([a, value]);
                    let nv = arena.sub(r.value, t);
                    r.value = simplify::simplify(arena, &domain, nv);
                }
            }
            self.promote(arena);
        }
    }

    /// Relations left with their pivot alone become entries.
    fn promote(&mut self, arena: &mut impl Workspace) {
        while let Some(i) = self.relations.iter().position(|r| r.terms.len() == 1) {
            let r = self.relations.remove(i);
            let source = if r.source == Source::Declared {
                Source::Derived
            } else {
                r.source
            };
            self.learn(arena, r.terms[0].1, r.value, source);
        }
    }

    /// The declared moments still held as relations (not every expectation in them known).
    pub fn declared_relations(&self) -> Vec<usize> {
        self.relations.iter().filter_map(|r| r.declared).collect()
    }

    /// Replaces every value by its simplified form, and writes each relation in the spellings
    /// of its keys (for display and emission).
    pub fn simplify_values(&mut self, arena: &mut impl Workspace, domain: &Domain) {
        for e in &mut self.entries {
            e.value = simplify::tidy(arena, domain, e.value);
        }
        for i in 0..self.relations.len() {
            let r = self.relations[i].clone();
            let mut lhs = Vec::new();
            let mut rhs = vec![r.value];
            for &(c, k) in &r.terms {
                let (q, f) = match self.norm.spelling(k) {
                    Some(s) => {
                        // c · key = (c / scale) · factor - c · shift / scale
                        let q = arena.div(c, s.scale);
                        let t = arena.mul([q, s.shift]);
                        rhs.push(arena.neg(t));
                        (q, s.factor)
                    }
                    None => (c, k),
                };
                let q = simplify::tidy(arena, domain, q);
                lhs.push(arena.mul([q, f]));
            }
            let lhs = arena.add(lhs);
            let rhs = arena.add(rhs);
            self.relations[i].shown = (lhs, simplify::tidy(arena, domain, rhs));
        }
    }
}

/// Splits `e` into `Σ coeff · factor` by expanding over the data only: coefficients are free of
/// `data`, factors are canonical data expressions (the constant factor is `1`). Terms with the
/// same factor are merged; order is that of first appearance.
pub fn data_terms(arena: &mut impl Workspace, e: Id, data: &[Symbol]) -> Vec<(Id, Id)> {
    let key = (e, fingerprint(data));
    if let Some(v) = arena.expect_memo().terms.get(&key) {
        return v.as_ref().clone();
    }
    let out = data_terms_uncached(arena, e, data);
    arena.expect_memo().terms.insert(key, Rc::new(out.clone()));
    out
}

fn fingerprint(data: &[Symbol]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    data.hash(&mut h);
    h.finish()
}

fn data_terms_uncached(arena: &mut Ir, e: Id, data: &[Symbol]) -> Vec<(Id, Id)> {
    let mut raw = Vec::new();
    terms_rec(arena, e, data, &mut raw);
    // Terms grouped by data factor, in order of first appearance.
    normal::group(arena, raw)
}

/// Appends the (coefficient, data factor) terms of `e` to `out`.
fn terms_rec(arena: &mut Ir, e: Id, data: &[Symbol], out: &mut Vec<(Id, Id)>) {
    let one = arena.int(1);
    if !arena.depends_on_any(e, data) {
        out.push((e, one));
        return;
    }
    let (c, fs) = match arena.node(e) {
        Node::Add(ts) => {
            let ts: SmallVec<[Id; 8]> = ts.iter().copied().collect();
            for t in ts {
                terms_rec(arena, t, data, out);
            }
            return;
        }
        Node::Mul(c, fs) => (c.clone(), fs.to_vec()),
        _ => {
            out.push((one, e));
            return;
        }
    };
    // A product that holds a non-polynomial function of the data (|x - m|, ln x) keeps its
    // data part whole: (x - m) / |x - m| is one statistic, as the user would state its
    // moment, not x / |x - m| - m / |x - m|.
    let opaque = fs.iter().any(|(b, _)| {
        !matches!(arena.node(*b), Node::Add(_) | Node::Sym(_)) && arena.depends_on_any(*b, data)
    });
    // The data-free factors make one coefficient, the data factors that stay whole one data
    // factor; only small integer powers of sums over the data are multiplied out.
    let mut coeff: Vec<(Id, Rational)> = vec![(arena.num(c), Rational::ONE)];
    let mut whole: Vec<(Id, Rational)> = Vec::new();
    let mut expand: Vec<(Id, u32)> = Vec::new();
    for (b, k) in fs {
        if !arena.depends_on_any(b, data) {
            coeff.push((b, k));
            continue;
        }
        let n = k
            .is_int()
            .then(|| k.numerator().to_u32())
            .flatten()
            .filter(|n| (1..=16).contains(n));
        match n {
            Some(n) if !opaque && matches!(arena.node(b), Node::Add(_)) => expand.push((b, n)),
            _ => whole.push((b, k)),
        }
    }
    let c = arena.mul_pow(coeff);
    let f = arena.mul_pow(whole);
    if expand.is_empty() {
        out.push((c, f));
        return;
    }
    let mut acc = vec![(c, f)];
    for (b, n) in expand {
        let mut tb = Vec::new();
        terms_rec(arena, b, data, &mut tb);
        let tb = normal::group(arena, tb);
        for _ in 0..n {
            // Like data factors merge after every product: their number is bounded by the
            // distinct statistics, where the raw list of a nested square grows as T² + T
            // (four chained `t * t + t` over a data term once asked for 62 GB).
            let p = product(arena, &acc, &tb);
            acc = normal::group(arena, p);
        }
    }
    out.extend(acc);
}

fn product(arena: &mut Ir, a: &[(Id, Id)], b: &[(Id, Id)]) -> Vec<(Id, Id)> {
    let mut out = Vec::with_capacity(a.len() * b.len());
    for (ca, fa) in a {
        for (cb, fb) in b {
            let c = arena.mul([*ca, *cb]);
            let f = arena.mul([*fa, *fb]);
            // A product of data factors may have become data-free (x / x): move it over.
            if arena.as_num(f).is_some() {
                let c = arena.mul([c, f]);
                let one = arena.int(1);
                out.push((c, one));
            } else {
                out.push((c, f));
            }
        }
    }
    out
}

/// `E[e]` over the data by `table`, or the data factors whose expectations are missing.
pub fn expectation(
    arena: &mut impl Workspace,
    e: Id,
    table: &mut MomentTable,
) -> Result<Id, Vec<Id>> {
    table.expectation(arena, e)
}

/// The outcome of exponential-family inference.
#[derive(Clone, Debug)]
pub enum Inference {
    /// `E[T]` for each data statistic `T` of the score, solved from E[score] = 0.
    Solved(Vec<(Id, Id)>),
    /// The score is linear in fewer independent statistics than it has data terms (counted by
    /// the rank of their coefficients): E[score] = 0 fixes the expectations of those
    /// combinations, as relations `Σ c · E[key] = value`.
    Related(Vec<(Terms, Id)>),
    /// Why the moments cannot be inferred (a curved family, or a singular system).
    Declined(String),
}

/// Solves `E[score] = 0` for the expectations of the data statistics when the score is linear
/// in K' ≤ K of them (K = number of parameters) and the system is nonsingular. Statistics are
/// counted by the rank of their coefficients, over the constants: `2 x1 + x2` entering as one
/// gives one statistic, whatever the number of data terms (see [`linear::by_rank`]).
pub fn infer_exponential_family(
    arena: &mut impl Workspace,
    domain: &Domain,
    score: &[Id],
    params: &[Symbol],
    table: &mut MomentTable,
) -> Inference {
    let data = table.normalizer().data().to_vec();
    let k = score.len();
    let one = arena.int(1);
    let mut stats: Vec<Id> = Vec::new();
    let mut rows: Vec<Vec<(Id, Id)>> = Vec::with_capacity(k);
    for &s in score {
        let t = data_terms(arena, s, &data);
        for (_, f) in &t {
            if *f != one && !stats.contains(f) {
                stats.push(*f);
            }
        }
        rows.push(t);
    }
    let curved = |arena: &Ir| {
        let names: Vec<String> = stats
            .iter()
            .map(|&f| crate::print::rust_brief(arena, f))
            .collect();
        format!(
            "the score is linear in {} data statistic{} ({}) but there {} {} parameter{}: \
             E[score] = 0 does not determine them (a curved family)",
            stats.len(),
            if stats.len() == 1 { "" } else { "s" },
            names.join(", "),
            if k == 1 { "is" } else { "are" },
            k,
            if k == 1 { "" } else { "s" },
        )
    };
    if stats.is_empty() {
        return Inference::Declined(curved(arena));
    }
    if stats.len() > k {
        return match linear::by_rank(arena, domain, score, params, table) {
            Some(Ok(rows)) => Inference::Related(rows),
            Some(Err(why)) => Inference::Declined(why.to_string()),
            None => Inference::Declined(curved(arena)),
        };
    }
    // Augmented matrix [C | -d]: K equations in K' ≤ K unknowns. With fewer statistics than
    // parameters (a regression's E[y]) the extra equations must hold identically.
    let n = stats.len();
    let mut m: Vec<Vec<Id>> = Vec::with_capacity(k);
    for row in &rows {
        let mut r = vec![arena.int(0); n + 1];
        for (c, f) in row {
            if *f == one {
                r[n] = arena.neg(*c);
            } else if let Some(j) = stats.iter().position(|s| s == f) {
                r[j] = *c;
            }
        }
        m.push(r);
    }
    match solve(arena, domain, m, n) {
        Ok(x) => Inference::Solved(stats.into_iter().zip(x).collect()),
        // Dependent statistics make the square system singular: count them by rank.
        Err(why) => match linear::by_rank(arena, domain, score, params, table) {
            Some(Ok(rows)) => Inference::Related(rows),
            _ => Inference::Declined(why.to_string()),
        },
    }
}

/// Gauss–Jordan elimination on an augmented K × (n+1) matrix (n ≤ K unknowns), simplifying as
/// it goes; rows beyond the n pivots must reduce to 0 = 0.
pub(crate) fn solve(
    arena: &mut impl simplify::Workspace,
    domain: &Domain,
    mut m: Vec<Vec<Id>>,
    n: usize,
) -> Result<Vec<Id>, &'static str> {
    if let Some(x) = solve_by_attribution(arena, domain, &m, n) {
        return Ok(x);
    }
    let k = m.len();
    for col in 0..n {
        let pivot = (col..k)
            .find(|&r| !simplify::is_zero(arena, domain, m[r][col]))
            .ok_or("the linear system E[score] = 0 in the data statistics is singular")?;
        m.swap(col, pivot);
        let p = m[col][col];
        for j in col..=n {
            let v = arena.div(m[col][j], p);
            m[col][j] = simplify::simplify(arena, domain, v);
        }
        for r in 0..k {
            if r == col || arena.is_zero(m[r][col]) {
                continue;
            }
            let factor = m[r][col];
            for j in col..=n {
                let t = arena.mul([factor, m[col][j]]);
                let v = arena.sub(m[r][j], t);
                m[r][j] = simplify::simplify(arena, domain, v);
            }
        }
    }
    for row in &m[n..] {
        if !simplify::is_zero(arena, domain, row[n]) {
            return Err("the linear system E[score] = 0 in the data statistics has no solution");
        }
    }
    Ok(m.into_iter().take(n).map(|r| r[n]).collect())
}

/// The solution of C x = r read off the right-hand sides, where each term of rⱼ holds exactly
/// one of its row's coefficients Cⱼᵢ as a factor: the terms holding Cⱼᵢ, divided by it, are xᵢ,
/// and the solution is then verified on every equation. A regression's score is of this shape
/// (Σᵢ cᵢⱼ (yᵢ − pᵢ) with symbolic covariates cᵢⱼ), where elimination would build minors of
/// the symbolic design matrix, exponentially large in the number of rows. `None` when the
/// terms do not attribute uniquely or the candidate does not solve the system.
fn solve_by_attribution(
    arena: &mut impl simplify::Workspace,
    domain: &Domain,
    m: &[Vec<Id>],
    n: usize,
) -> Option<Vec<Id>> {
    if n < 2 {
        return None;
    }
    let mut parts: Vec<Option<Vec<Id>>> = vec![None; n];
    for row in m {
        let mut terms = Vec::new();
        additive_terms(arena, row[n], &mut terms);
        let mut mine: Vec<Vec<Id>> = vec![Vec::new(); n];
        for t in terms {
            let mut owners =
                (0..n).filter(|&i| !arena.is_zero(row[i]) && divides(arena, row[i], t));
            let (Some(i), None) = (owners.next(), owners.next()) else {
                return None;
            };
            let q = arena.div(t, row[i]);
            mine[i].push(q);
        }
        for (i, q) in mine.into_iter().enumerate() {
            if parts[i].is_none() && !arena.is_zero(row[i]) {
                parts[i] = Some(q);
            }
        }
    }
    let x: Vec<Id> = parts
        .into_iter()
        .map(|p| {
            let sum = arena.add(p?);
            Some(simplify::simplify(arena, domain, sum))
        })
        .collect::<Option<_>>()?;
    for row in m {
        let mut terms: Vec<Id> = (0..n).map(|i| arena.mul([row[i], x[i]])).collect();
        terms.push(arena.neg(row[n]));
        let residual = arena.add(terms);
        if !simplify::is_zero(arena, domain, residual) {
            return None;
        }
    }
    Some(x)
}

/// The terms of `id` as a sum, a constant multiple of a sum distributed over it.
fn additive_terms(arena: &mut impl simplify::Workspace, id: Id, out: &mut Vec<Id>) {
    match arena.node(id).clone() {
        Node::Add(ts) => {
            for t in ts.iter() {
                additive_terms(arena, *t, out);
            }
        }
        Node::Mul(c, fs) if fs.len() == 1 && fs[0].1 == crate::expr::rat(1) => {
            if let Node::Add(ts) = arena.node(fs[0].0).clone() {
                for t in ts.iter() {
                    let c = arena.num(c.clone());
                    let scaled = arena.mul([c, *t]);
                    additive_terms(arena, scaled, out);
                }
            } else {
                out.push(id);
            }
        }
        _ => out.push(id),
    }
}

/// True when `c` is a non-numeric product whose every factor appears in the product `t` with
/// at least its exponent (of the same sign).
fn divides(arena: &Ir, c: Id, t: Id) -> bool {
    let factors = |id: Id| -> Vec<(Id, Rational)> {
        match arena.node(id) {
            Node::Mul(_, fs) => fs.to_vec(),
            Node::Num(_) => Vec::new(),
            _ => vec![(id, crate::expr::rat(1))],
        }
    };
    let zero = crate::expr::rat(0);
    let (cf, tf) = (factors(c), factors(t));
    !cf.is_empty()
        && cf.iter().all(|(b, e)| {
            tf.iter()
                .any(|(tb, te)| tb == b && ((*e > zero && te >= e) || (*e < zero && te <= e)))
        })
}
