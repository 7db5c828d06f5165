//! Expectation over the data: linearity, the moment table, exponential-family inference.
//!
//! An expression is split, by expanding only over the data, into `Σ cⱼ(θ) Tⱼ(x)` with data-free
//! coefficients and canonical data factors `Tⱼ` (`x * x`, `x.powi(2)` and `x.powf(2.0)` are one
//! factor). The expectation is then `Σ cⱼ E[Tⱼ]`, each `E[Tⱼ]` looked up in a [`MomentTable`].

use std::rc::Rc;

use num_traits::ToPrimitive;
use rustc_hash::FxHashMap as HashMap;
use smallvec::SmallVec;

use crate::expr::{Id, Ir, Node, Rational, Symbol};
use crate::simplify::{self, Domain};

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

/// Known expectations of canonical data factors, in the order they became known.
#[derive(Clone, Debug, Default)]
pub struct MomentTable {
    entries: Vec<MomentEntry>,
    index: HashMap<Id, usize>,
}

impl MomentTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The entries in the order they became known.
    pub fn entries(&self) -> &[MomentEntry] {
        &self.entries
    }

    /// `E[factor]` if known.
    pub fn get(&self, factor: Id) -> Option<&MomentEntry> {
        self.index.get(&factor).map(|&i| &self.entries[i])
    }

    /// Adds `E[factor] = value` unless the factor is already known.
    pub fn insert(&mut self, factor: Id, value: Id, source: Source) -> bool {
        if self.index.contains_key(&factor) {
            return false;
        }
        self.index.insert(factor, self.entries.len());
        self.entries.push(MomentEntry {
            factor,
            value,
            source,
        });
        true
    }

    /// Builds the table from declared moments, solving each for its one unknown data factor
    /// (so `Var[x] = v` with `E[x] = m` gives `E[x²] = v + m²`). Returns the table and the
    /// declared moments that were redundant (all factors already known), as
    /// `(index, stated E[lhs], value implied by the table)`, for the caller to check, and the
    /// indices of moments that could not be solved (more than one unknown factor).
    pub fn from_declared(
        arena: &mut impl Workspace,
        data: &[Symbol],
        declared: &[DeclaredMoment],
    ) -> (MomentTable, Vec<(usize, Id, Id)>, Vec<usize>) {
        let mut table = MomentTable::new();
        let pending: Vec<usize> = (0..declared.len()).collect();
        let (redundant, unsolved) = table.solve(arena, data, declared, pending);
        (table, redundant, unsolved)
    }

    /// Solves the declared moments at `pending` (indices into `declared`) against this table,
    /// repeatedly, until no more can be solved: used first on the declared moments alone, and
    /// again after exponential-family inference has added what it could.
    pub fn solve(
        &mut self,
        arena: &mut impl Workspace,
        data: &[Symbol],
        declared: &[DeclaredMoment],
        mut pending: Vec<usize>,
    ) -> (Vec<(usize, Id, Id)>, Vec<usize>) {
        let table = self;
        let mut redundant = Vec::new();
        loop {
            let mut progress = false;
            let mut still = Vec::new();
            for &i in &pending {
                let m = &declared[i];
                let (lhs, rhs) = match m.kind {
                    MomentKind::Mean => (m.lhs, m.rhs),
                    MomentKind::Var => match expectation(arena, m.lhs, data, table) {
                        Ok(mean) => {
                            let sq = arena.powi(m.lhs, 2);
                            let mean2 = arena.powi(mean, 2);
                            let v = arena.add([m.rhs, mean2]);
                            (sq, v)
                        }
                        Err(_) => {
                            still.push(i);
                            continue;
                        }
                    },
                };
                let terms = data_terms(arena, lhs, data);
                let one = arena.int(1);
                let unknown: Vec<(Id, Id)> = terms
                    .iter()
                    .filter(|(_, f)| *f != one && table.get(*f).is_none())
                    .copied()
                    .collect();
                match unknown.as_slice() {
                    [] => {
                        let implied = expectation(arena, lhs, data, table).unwrap_or(rhs);
                        redundant.push((i, rhs, implied));
                        progress = true;
                    }
                    [(c, f)] => {
                        // rhs = c E[f] + Σ known  ⇒  E[f] = (rhs - Σ known) / c
                        let mut known = Vec::new();
                        for (ck, fk) in &terms {
                            if fk == f {
                                continue;
                            }
                            let v = if *fk == one {
                                one
                            } else {
                                table.get(*fk).map(|e| e.value).unwrap_or(one)
                            };
                            known.push(arena.mul([*ck, v]));
                        }
                        let known = arena.add(known);
                        let num = arena.sub(rhs, known);
                        let value = arena.div(num, *c);
                        let plain = terms.len() == 1 && m.kind == MomentKind::Mean && c == &one;
                        let source = if plain {
                            Source::Declared
                        } else {
                            Source::Derived
                        };
                        table.insert(*f, value, source);
                        progress = true;
                    }
                    _ => still.push(i),
                }
            }
            pending = still;
            if !progress || pending.is_empty() {
                break;
            }
        }
        (redundant, pending)
    }

    /// Replaces every value by its simplified form (for display and emission).
    pub fn simplify_values(&mut self, arena: &mut impl simplify::Workspace, domain: &Domain) {
        for e in &mut self.entries {
            e.value = simplify::tidy(arena, domain, e.value);
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
    let mut groups: Vec<(Id, SmallVec<[Id; 4]>)> = Vec::new();
    let mut index: HashMap<Id, usize> = HashMap::default();
    for (c, f) in raw {
        let i = *index.entry(f).or_insert_with(|| {
            groups.push((f, SmallVec::new()));
            groups.len() - 1
        });
        groups[i].1.push(c);
    }
    let mut out = Vec::with_capacity(groups.len());
    for (f, cs) in groups {
        let c = arena.add(cs);
        if !arena.is_zero(c) {
            out.push((c, f));
        }
    }
    out
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
        for _ in 0..n {
            acc = product(arena, &acc, &tb);
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

/// `E[e]` over the data, or the data factors whose expectations are missing.
pub fn expectation(
    arena: &mut impl Workspace,
    e: Id,
    data: &[Symbol],
    table: &MomentTable,
) -> Result<Id, Vec<Id>> {
    let terms = data_terms(arena, e, data);
    let one = arena.int(1);
    let mut out = Vec::with_capacity(terms.len());
    let mut missing = Vec::new();
    for (c, f) in terms {
        if f == one {
            out.push(c);
        } else if let Some(m) = table.get(f) {
            out.push(arena.mul([c, m.value]));
        } else if !missing.contains(&f) {
            missing.push(f);
        }
    }
    if missing.is_empty() {
        Ok(arena.add(out))
    } else {
        Err(missing)
    }
}

/// The outcome of exponential-family inference.
#[derive(Clone, Debug)]
pub enum Inference {
    /// `E[T]` for each data statistic `T` of the score, solved from E[score] = 0.
    Solved(Vec<(Id, Id)>),
    /// Why the moments cannot be inferred (a curved family, or a singular system).
    Declined(String),
}

/// Solves `E[score] = 0` for the expectations of the data statistics when the score is linear
/// in exactly K of them (K = number of parameters) and the system is nonsingular.
pub fn infer_exponential_family(
    arena: &mut impl Workspace,
    domain: &Domain,
    score: &[Id],
    data: &[Symbol],
) -> Inference {
    let k = score.len();
    let one = arena.int(1);
    let mut stats: Vec<Id> = Vec::new();
    let mut rows: Vec<Vec<(Id, Id)>> = Vec::with_capacity(k);
    for &s in score {
        let t = data_terms(arena, s, data);
        for (_, f) in &t {
            if *f != one && !stats.contains(f) {
                stats.push(*f);
            }
        }
        rows.push(t);
    }
    if stats.len() > k || stats.is_empty() {
        let names: Vec<String> = stats
            .iter()
            .map(|&f| crate::print::rust(arena, f))
            .collect();
        return Inference::Declined(format!(
            "the score is linear in {} data statistic{} ({}) but there {} {} parameter{}: \
             E[score] = 0 does not determine them (a curved family)",
            stats.len(),
            if stats.len() == 1 { "" } else { "s" },
            names.join(", "),
            if k == 1 { "is" } else { "are" },
            k,
            if k == 1 { "" } else { "s" },
        ));
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
        Err(why) => Inference::Declined(why.to_string()),
    }
}

/// Gauss–Jordan elimination on an augmented K × (n+1) matrix (n ≤ K unknowns), simplifying as
/// it goes; rows beyond the n pivots must reduce to 0 = 0.
fn solve(
    arena: &mut impl simplify::Workspace,
    domain: &Domain,
    mut m: Vec<Vec<Id>>,
    n: usize,
) -> Result<Vec<Id>, &'static str> {
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
