//! The derivation: score, Hessian, moments (declared, derived, inferred), F = −E[H], the
//! E[score] = 0 check, Theorem 1 (E[s sᵀ] = −E[H]), Jeffreys ½ ln det F, and `verify`.

use proc_macro2::Span;
use rustc_hash::FxHashMap as HashMap;
use syn::spanned::Spanned;

use crate::equiv::{self, Method, SampleDomain, Verdict};
use crate::expect::{self, DeclaredMoment, Inference, MomentTable, Source};
use crate::expr::{Id, Node, Symbol};
use crate::print;
use crate::simplify::{self, Domain};
use crate::Arena;

use super::{Errors, Model};

/// Above this size a dense F gets a numeric log-determinant in generated code.
pub const SYMBOLIC_DET_MAX: usize = 4;

/// How the Jeffreys log density is computed.
#[derive(Clone, Debug)]
pub enum Jeffreys {
    /// `½ ln det F` in closed form; `how` says which structure gave the determinant.
    Closed {
        /// The simplified closed form.
        expr: Id,
        /// "diagonal", "block diagonal", "diagonal plus rank one" or "cofactor expansion".
        how: &'static str,
    },
    /// F is dense and larger than [`SYMBOLIC_DET_MAX`]: generated code takes a Cholesky log-det.
    Numeric,
}

/// The outcome of one check.
#[derive(Clone, Debug, PartialEq)]
pub enum CheckOutcome {
    /// Proved, by this method.
    Proved(Method),
    /// Not run, and why.
    Skipped(String),
    /// Failed, with the details.
    Failed(String),
}

/// A named check and its outcome.
#[derive(Clone, Debug)]
pub struct Check {
    /// What was checked, e.g. "E[score] = 0 for theta".
    pub name: String,
    /// What happened.
    pub outcome: CheckOutcome,
}

/// What a derivation needs: the parameters, data, log-likelihood and declared moments, plus
/// the spans that errors point at.
#[derive(Clone, Debug)]
pub struct Spec {
    /// Parameters in matrix order.
    pub params: Vec<Symbol>,
    /// Data symbols.
    pub data: Vec<Symbol>,
    /// The log-likelihood.
    pub loglik: Id,
    /// Declared moments, with the span of each.
    pub moments: Vec<(DeclaredMoment, Span)>,
    /// Where to point an error about parameter `i` (E[score] ≠ 0).
    pub param_spans: Vec<Span>,
    /// Where to point an error about a missing moment.
    pub moments_span: Span,
}

impl Spec {
    /// Where to point an error about parameter `i`.
    fn param_span(&self, i: usize) -> Span {
        self.param_spans
            .get(i)
            .copied()
            .unwrap_or_else(Span::call_site)
    }
}

/// Everything derived from a [`Spec`].
#[derive(Clone, Debug)]
pub struct Core {
    /// ∂ℓ/∂θᵢ.
    pub score: Vec<Id>,
    /// ∂²ℓ/∂θᵢ∂θⱼ (symmetric; the upper triangle computed once).
    pub hessian: Vec<Vec<Id>>,
    /// The moments used: declared, derived and inferred.
    pub table: MomentTable,
    /// Why exponential-family inference declined, when it did.
    pub inference_note: Option<String>,
    /// F = −E[H], simplified.
    pub fisher: Vec<Vec<Id>>,
    /// ½ ln det F.
    pub jeffreys: Jeffreys,
    /// Every check run or skipped.
    pub checks: Vec<Check>,
    /// Sign facts on the domain.
    pub domain: Domain,
    /// Where sample points for proofs are drawn.
    pub samples: SampleDomain,
}

/// Everything derived from a model, including its reparameterizations.
#[derive(Debug)]
pub struct Derivation {
    /// The model (owns the arena).
    pub model: Model,
    /// The derivation in the model's own parameters.
    pub core: Core,
    /// One per `reparam(..)` entry.
    pub reparams: Vec<super::reparam::Reparam>,
}

impl Derivation {
    /// Derives everything; errors name missing moments, a failed E[score] = 0, a failed verify.
    pub fn new(mut model: Model) -> syn::Result<Derivation> {
        let mut errors = Errors::new();
        let spec = Spec {
            params: model.params.clone(),
            data: model.data.clone(),
            loglik: model.loglik,
            moments: model
                .moments
                .iter()
                .map(|m| (m.moment.clone(), model.attr.moments[m.index].span))
                .collect(),
            param_spans: (0..model.params.len())
                .map(|i| {
                    let id = model.param_ident(i);
                    param_span(&model.attr, &id).unwrap_or(id.span())
                })
                .collect(),
            moments_span: moments_span(&model.attr).unwrap_or(model.item.sig.ident.span()),
        };
        let Some(core) = derive_core(&mut model.arena, &spec, &mut errors) else {
            return Err(errors
                .take()
                .unwrap_or_else(|| syn::Error::new(Span::call_site(), "derivation failed")));
        };
        let mut d = Derivation {
            model,
            core,
            reparams: Vec::new(),
        };
        d.verify(&mut errors);
        if !errors.is_empty() {
            // A reparameterization of a wrong model would only repeat its errors.
            return errors.finish(d);
        }
        for r in d.model.attr.reparams.clone() {
            if let Some(rp) = super::reparam::derive(&mut d, &r, &mut errors) {
                d.reparams.push(rp);
            }
        }
        errors.finish(d)
    }

    /// The derivation from source text (see [`Model::from_source`]).
    pub fn from_source(attr: &str, item: &str) -> syn::Result<Derivation> {
        Derivation::new(Model::from_source(attr, item)?)
    }

    /// The arena.
    pub fn arena(&self) -> &Arena {
        &self.model.arena
    }

    /// The parameter symbols in matrix order.
    pub fn params(&self) -> &[Symbol] {
        &self.model.params
    }

    /// Checks `verify(fisher = .., jeffreys = ..)`.
    fn verify(&mut self, errors: &mut Errors) {
        let k = self.model.params.len();
        if let Some(fexpr) = self.model.attr.verify_fisher.clone() {
            let rows: Option<Vec<Vec<syn::Expr>>> = match &fexpr {
                syn::Expr::Array(a) => a
                    .elems
                    .iter()
                    .map(|r| match r {
                        syn::Expr::Array(r) => Some(r.elems.iter().cloned().collect()),
                        _ => None,
                    })
                    .collect(),
                _ => None,
            };
            match rows {
                Some(rows) if rows.len() == k && rows.iter().all(|r| r.len() == k) => {
                    for (i, row) in rows.iter().enumerate() {
                        for (j, e) in row.iter().enumerate() {
                            let name = format!(
                                "verify F[{}][{}]",
                                self.model.arena.name(self.model.params[i]),
                                self.model.arena.name(self.model.params[j])
                            );
                            let derived = self.core.fisher[i][j];
                            self.verify_one(name, e, derived, errors);
                        }
                    }
                }
                _ => errors.push(syn::Error::new(
                    fexpr.span(),
                    format!("`fisher` must be a {k}×{k} array of arrays, e.g. `[[a, b], [c, d]]` for two parameters"),
                )),
            }
        }
        if let Some(jexpr) = self.model.attr.verify_jeffreys.clone() {
            match self.core.jeffreys.clone() {
                Jeffreys::Closed { expr, .. } => {
                    self.verify_one("verify Jeffreys".to_string(), &jexpr, expr, errors)
                }
                Jeffreys::Numeric => errors.push(syn::Error::new(
                    jexpr.span(),
                    "the Jeffreys density of this model has no closed form here (numeric log-det); \
                     `verify(jeffreys = ..)` cannot be checked",
                )),
            }
        }
    }

    fn verify_one(&mut self, name: String, e: &syn::Expr, derived: Id, errors: &mut Errors) {
        let arena = &mut self.model.arena;
        let stated = match crate::parse::expr(arena, e) {
            Ok(id) => id,
            Err(err) => {
                errors.push(err);
                return;
            }
        };
        let v = equiv::equiv(
            arena,
            &self.core.domain,
            &self.core.samples,
            stated,
            derived,
        );
        let outcome = outcome_of(arena, v, stated, derived);
        if let CheckOutcome::Failed(msg) = &outcome {
            errors.push(syn::Error::new(e.span(), format!("{name} fails: {msg}")));
        }
        self.core.checks.push(Check { name, outcome });
    }
}

/// Score, Hessian, moments, F, Jeffreys and the checks for one parameterization. Errors go to
/// `errors`; `None` when F could not be formed (missing moments).
pub fn derive_core(arena: &mut Arena, spec: &Spec, errors: &mut Errors) -> Option<Core> {
    let k = spec.params.len();
    let params = spec.params.clone();
    let data = spec.data.clone();
    let l = spec.loglik;

    let (mut domain, samples) = domain_of(arena, l);

    let score: Vec<Id> = params.iter().map(|&p| arena.diff(l, p)).collect();
    let mut hessian = vec![vec![arena.int(0); k]; k];
    for i in 0..k {
        for j in i..k {
            let h = arena.diff(score[i], params[j]);
            hessian[i][j] = h;
            hessian[j][i] = h;
        }
    }

    // Moments: declared (solved for one unknown each), then inferred where possible.
    let declared: Vec<_> = spec.moments.iter().map(|m| m.0.clone()).collect();
    let (mut table, mut redundant, mut unsolved) =
        MomentTable::from_declared(arena, &data, &declared);
    let mut checks = Vec::new();
    // When the declared moments already cover the score, inference would solve the very
    // system that the E[score] = 0 check below verifies: the check is the comparison.
    let mut score_means: Vec<Result<Id, Vec<Id>>> = score
        .iter()
        .map(|&s| expect::expectation(arena, s, &data, &table))
        .collect();
    let covered = score_means.iter().all(|m| m.is_ok());
    let mut inference_note = None;
    if !data.is_empty() && !covered {
        match expect::infer_exponential_family(arena, &domain, &score, &data) {
            Inference::Solved(sol) => {
                for (t, v) in sol {
                    match table.get(t).map(|e| e.value) {
                        Some(stated) => {
                            let name = format!(
                                "declared E[{}] agrees with the exponential-family inference",
                                print::rust(arena, t)
                            );
                            let verdict = equiv::equiv(arena, &domain, &samples, stated, v);
                            let outcome = outcome_of(arena, verdict, stated, v);
                            if let CheckOutcome::Failed(msg) = &outcome {
                                errors.push(syn::Error::new(
                                    spec.moments_span,
                                    format!("{name} fails: {msg}"),
                                ));
                            }
                            checks.push(Check { name, outcome });
                        }
                        None => {
                            table.insert(t, v, Source::Inferred);
                        }
                    }
                }
                // Declared moments that waited for an inferred one (Var[x] without E[x]).
                if !unsolved.is_empty() {
                    let (more, still) = table.solve(arena, &data, &declared, unsolved);
                    redundant.extend(more);
                    unsolved = still;
                }
            }
            Inference::Declined(why) => inference_note = Some(why),
        }
    }
    for (i, stated, implied) in redundant {
        let name = format!("declared moment {} agrees with the others", i + 1);
        let v = equiv::equiv(arena, &domain, &samples, stated, implied);
        let outcome = outcome_of(arena, v, stated, implied);
        if let CheckOutcome::Failed(msg) = &outcome {
            errors.push(syn::Error::new(
                spec.moments[i].1,
                format!("this moment contradicts the others: {msg}"),
            ));
        }
        checks.push(Check { name, outcome });
    }
    for i in unsolved {
        errors.push(syn::Error::new(
            spec.moments[i].1,
            "this moment has more than one unknown data expectation; state the simpler \
             moments it depends on first",
        ));
    }
    table.simplify_values(arena, &domain);

    // E[score] = 0, with the expectations taken before unless inference has added moments.
    if !covered {
        score_means = score
            .iter()
            .map(|&s| expect::expectation(arena, s, &data, &table))
            .collect();
    }
    for (i, mean) in score_means.into_iter().enumerate() {
        let pname = arena.name(params[i]).to_string();
        let name = format!("E[score] = 0 for {pname}");
        match mean {
            Ok(e) => {
                let zero = arena.int(0);
                let v = equiv::equiv(arena, &domain, &samples, e, zero);
                let outcome = outcome_of(arena, v.clone(), e, zero);
                if matches!(v, Verdict::Differs { .. }) {
                    let residue = simplify::tidy(arena, &domain, e);
                    errors.push(syn::Error::new(
                        spec.param_span(i),
                        format!(
                            "E[score] = 0 fails for `{pname}`: with the declared moments \
                             E[∂ℓ/∂{pname}] = {}, not 0; check the log-likelihood and the moments",
                            print::rust(arena, residue)
                        ),
                    ));
                }
                checks.push(Check { name, outcome });
            }
            Err(missing) => {
                let list: Vec<String> = missing
                    .iter()
                    .map(|&f| format!("E[{}]", print::rust(arena, f)))
                    .collect();
                checks.push(Check {
                    name,
                    outcome: CheckOutcome::Skipped(format!(
                        "the score needs {} which no moment supplies",
                        list.join(", ")
                    )),
                });
            }
        }
    }

    // F = −E[H].
    let mut fisher = vec![vec![arena.int(0); k]; k];
    let mut missing: Vec<(Id, Vec<(usize, usize)>)> = Vec::new();
    for i in 0..k {
        for j in i..k {
            match expect::expectation(arena, hessian[i][j], &data, &table) {
                Ok(e) => {
                    let f = arena.neg(e);
                    let f = simplify::tidy(arena, &domain, f);
                    fisher[i][j] = f;
                    fisher[j][i] = f;
                }
                Err(ms) => {
                    for m in ms {
                        match missing.iter_mut().find(|x| x.0 == m) {
                            Some(x) => x.1.push((i, j)),
                            None => missing.push((m, vec![(i, j)])),
                        }
                    }
                }
            }
        }
    }
    for (m, entries) in &missing {
        let text = print::rust(arena, *m);
        let where_: Vec<String> = entries
            .iter()
            .map(|(i, j)| format!("F[{}][{}]", arena.name(params[*i]), arena.name(params[*j])))
            .collect();
        let why = inference_note
            .as_ref()
            .map(|n| format!("; it cannot be inferred: {n}"))
            .unwrap_or_default();
        errors.push(syn::Error::new(
            spec.moments_span,
            format!(
                "needs E[{text}]: add `E[{text}] = …` to moments(..) (used by {}){why}",
                where_.join(", ")
            ),
        ));
    }
    if !missing.is_empty() {
        return None;
    }

    // A zero on the diagonal: the parameter appears in ℓ but −E[H] carries no information about
    // it. That happens at a kink (|x - μ|: the Hessian misses the delta at the kink) or when ℓ
    // is linear in it; either way F = −E[H] does not apply.
    for (i, row) in fisher.iter().enumerate() {
        if arena.is_zero(row[i]) {
            let name = arena.name(params[i]).to_string();
            errors.push(syn::Error::new(
                spec.param_span(i),
                format!(
                    "F[{name}][{name}] = −E[∂²ℓ/∂{name}²] is 0: the log-likelihood is not twice \
                     differentiable in `{name}` (a kink, as in |x - {name}|) or carries no \
                     information about it, so the Fisher information cannot be derived from the \
                     Hessian"
                ),
            ));
        }
    }

    // F is positive definite wherever the Jeffreys prior is defined: its diagonal is positive.
    for (i, row) in fisher.iter().enumerate() {
        domain.assume_positive(arena, row[i]);
    }
    let jeffreys = jeffreys_of(arena, &domain, &fisher);

    // Theorem 1: E[s sᵀ] = −E[H] where the moments cover s sᵀ.
    let before = checks.len();
    theorem1(
        arena,
        &domain,
        &samples,
        &score,
        &fisher,
        &data,
        &table,
        &params,
        &mut checks,
    );
    for c in &checks[before..] {
        if let CheckOutcome::Failed(msg) = &c.outcome {
            errors.push(syn::Error::new(
                spec.moments_span,
                format!(
                    "{} fails: {msg}; the declared moments are inconsistent, or the model is not \
                     regular (F = E[s sᵀ] = −E[H] needs the support not to depend on the \
                     parameters and ℓ twice differentiable)",
                    c.name
                ),
            ));
        }
    }

    Some(Core {
        score,
        hessian,
        table,
        inference_note,
        fisher,
        jeffreys,
        checks,
        domain,
        samples,
    })
}

/// The check outcome of a verdict on `stated = derived`.
pub fn outcome_of(arena: &Arena, v: Verdict, stated: Id, derived: Id) -> CheckOutcome {
    match v {
        Verdict::Proved(m) => CheckOutcome::Proved(m),
        Verdict::Differs { point, lhs, rhs } => {
            let at: Vec<String> = point.iter().map(|(n, v)| format!("{n} = {v}")).collect();
            CheckOutcome::Failed(format!(
                "stated `{}` but derived `{}`; they differ at {} ({lhs} vs {rhs})",
                print::rust(arena, stated),
                print::rust(arena, derived),
                at.join(", ")
            ))
        }
        Verdict::Undecided => CheckOutcome::Skipped(format!(
            "could not decide whether `{}` equals `{}`: no sample point where both are finite",
            print::rust(arena, stated),
            print::rust(arena, derived)
        )),
    }
}

fn moments_span(attr: &super::attr::Attr) -> Option<Span> {
    attr.moments_key.as_ref().map(|k| k.span())
}

fn param_span(attr: &super::attr::Attr, ident: &syn::Ident) -> Option<Span> {
    attr.params
        .as_ref()?
        .1
        .iter()
        .find(|p| *p == ident)
        .map(|p| p.span())
}

/// Sign facts and sampling constraints from the log-likelihood: the arguments of logarithms,
/// of lnΓ and ψ, and the bases of fractional and symbolic powers are positive where ℓ is defined.
pub fn domain_of(arena: &mut Arena, l: Id) -> (Domain, SampleDomain) {
    let mut positive = Vec::new();
    let mut stack = vec![l];
    let mut seen = rustc_hash::FxHashSet::default();
    while let Some(n) = stack.pop() {
        if !seen.insert(n) {
            continue;
        }
        match arena.node(n) {
            Node::Ln(a) | Node::LnGamma(a) | Node::Polygamma(_, a) | Node::Pow(a, _)
                if !positive.contains(a) =>
            {
                positive.push(*a)
            }
            Node::Mul(_, fs) => {
                for (b, e) in fs.iter() {
                    if !e.is_int() && !positive.contains(b) {
                        positive.push(*b);
                    }
                }
            }
            _ => {}
        }
        stack.extend(arena.children(n));
    }
    let mut domain = Domain::new();
    // Facts feed each other (1/(1+φ) > 0 makes φ/(1+φ) > 0 say φ > 0): iterate to a fixpoint.
    for _ in 0..4 {
        let before = domain.len();
        for &p in &positive {
            domain.assume_positive(arena, p);
        }
        if domain.len() == before {
            break;
        }
    }
    (domain, SampleDomain { positive })
}

/// ½ ln det F, using the structure of F where it has one.
fn jeffreys_of(arena: &mut Arena, domain: &Domain, f: &[Vec<Id>]) -> Jeffreys {
    let k = f.len();
    let half = arena.num(crate::expr::ratio(1, 2));
    let off_zero = |arena: &Arena, i: usize, j: usize| arena.is_zero(f[i][j]);
    // Connected blocks of the nonzero pattern.
    let mut block_of = (0..k).collect::<Vec<usize>>();
    for i in 0..k {
        for j in i + 1..k {
            if !off_zero(arena, i, j) {
                let (a, b) = (block_of[i], block_of[j]);
                for x in block_of.iter_mut() {
                    if *x == b {
                        *x = a;
                    }
                }
            }
        }
    }
    let mut blocks: Vec<Vec<usize>> = Vec::new();
    for i in 0..k {
        match blocks.iter_mut().find(|b| block_of[b[0]] == block_of[i]) {
            Some(b) => b.push(i),
            None => blocks.push(vec![i]),
        }
    }
    let how;
    let mut logs: Vec<Id> = Vec::new();
    let mut keep_whole = false;
    if blocks.iter().all(|b| b.len() == 1) {
        how = "diagonal";
        for (i, row) in f.iter().enumerate() {
            logs.push(arena.ln(row[i]));
        }
    } else if blocks.len() > 1 && blocks.iter().all(|b| b.len() <= SYMBOLIC_DET_MAX) {
        how = "block diagonal";
        for b in &blocks {
            let sub: Vec<Vec<Id>> = b
                .iter()
                .map(|&i| b.iter().map(|&j| f[i][j]).collect())
                .collect();
            let d = det_cofactor(arena, &sub);
            logs.push(arena.ln(d));
        }
    } else if k > SYMBOLIC_DET_MAX && all_off_diagonal_equal(f) {
        how = "diagonal plus rank one";
        let (l, compact) = rank_one_logs(arena, domain, f);
        logs = l;
        keep_whole = compact;
    } else if k <= SYMBOLIC_DET_MAX && k > 1 && all_off_diagonal_equal(f) {
        // Both routes apply. The cofactor form is usually the simpler; the rank-one form wins
        // when the determinant's logarithm could not be split (ln(n²/(p1 p2 p3)) with n of
        // unknown sign): then keep whichever prints shorter.
        let d = det_cofactor(arena, f);
        let d = simplify::simplify(arena, domain, d);
        let by_cofactor = arena.ln(d);
        let by_cofactor = simplify::tidy(arena, domain, by_cofactor);
        let stuck = has_unsplit_product_log(arena, by_cofactor);
        let by_rank_one = if stuck {
            let (r, compact) = rank_one_logs(arena, domain, f);
            let sum = arena.add(r);
            Some(if compact {
                sum
            } else {
                simplify::tidy(arena, domain, sum)
            })
        } else {
            None
        };
        match by_rank_one {
            Some(r) if print::op_count(arena, r) <= print::op_count(arena, by_cofactor) => {
                how = "diagonal plus rank one";
                logs.push(r);
                keep_whole = true;
            }
            _ => {
                how = "cofactor expansion";
                // Already in display form: ½ distributes over it as it stands.
                logs.push(by_cofactor);
                keep_whole = true;
            }
        }
    } else if k <= SYMBOLIC_DET_MAX {
        how = "cofactor expansion";
        let d = det_cofactor(arena, f);
        let d = simplify::simplify(arena, domain, d);
        logs.push(arena.ln(d));
    } else {
        return Jeffreys::Numeric;
    }
    let sum = arena.add(logs);
    let j = arena.mul([half, sum]);
    let expr = if keep_whole {
        j
    } else {
        simplify::tidy(arena, domain, j)
    };
    Jeffreys::Closed { expr, how }
}

/// True when `id` holds the logarithm of a product or power that simplification left whole.
fn has_unsplit_product_log(arena: &Arena, id: Id) -> bool {
    let mut stack = vec![id];
    while let Some(n) = stack.pop() {
        if let Node::Ln(a) = arena.node(n) {
            if matches!(arena.node(*a), Node::Mul(..)) {
                return true;
            }
        }
        stack.extend(arena.children(n));
    }
    false
}

/// F = D + c 11ᵀ with D = diag(Fᵢᵢ − c): det F = Π dᵢ · (1 + c Σ 1/dᵢ); the logarithms of
/// the factors.
///
/// Each logarithm is simplified on its own. The last factor keeps the compact form
/// `1 + c Σ 1/dᵢ` when that prints shorter than its form over a common denominator (for a
/// Dirichlet the common denominator would multiply the whole determinant out); it is then
/// marked so that the caller does not simplify the sum as a whole.
fn rank_one_logs(arena: &mut Arena, domain: &Domain, f: &[Vec<Id>]) -> (Vec<Id>, bool) {
    let k = f.len();
    let c = f[0][1];
    let mut logs = Vec::with_capacity(k + 1);
    let mut inv_sum = Vec::with_capacity(k);
    for (i, row) in f.iter().enumerate() {
        let d = arena.sub(row[i], c);
        let d = simplify::tidy(arena, domain, d);
        let l = arena.ln(d);
        logs.push(simplify::tidy(arena, domain, l));
        inv_sum.push(arena.recip(d));
    }
    let s = arena.add(inv_sum);
    let cs = arena.mul([c, s]);
    let one = arena.int(1);
    let raw = arena.add([one, cs]);
    let together = simplify::simplify(arena, domain, raw);
    let ln_together = arena.ln(together);
    let ln_together = simplify::tidy(arena, domain, ln_together);
    let ln_raw = arena.ln(raw);
    let compact = print::op_count(arena, ln_raw) < print::op_count(arena, ln_together);
    logs.push(if compact { ln_raw } else { ln_together });
    (logs, compact)
}

fn all_off_diagonal_equal(f: &[Vec<Id>]) -> bool {
    let c = f[0][1];
    f.iter()
        .enumerate()
        .all(|(i, row)| row.iter().enumerate().all(|(j, &x)| i == j || x == c))
}

/// Determinant by cofactor expansion along the first row (small matrices only).
pub fn det_cofactor(arena: &mut Arena, m: &[Vec<Id>]) -> Id {
    let n = m.len();
    if n == 1 {
        return m[0][0];
    }
    let mut terms = Vec::with_capacity(n);
    for j in 0..n {
        if arena.is_zero(m[0][j]) {
            continue;
        }
        let minor: Vec<Vec<Id>> = m[1..]
            .iter()
            .map(|row| {
                row.iter()
                    .enumerate()
                    .filter(|(c, _)| *c != j)
                    .map(|(_, &x)| x)
                    .collect()
            })
            .collect();
        let d = det_cofactor(arena, &minor);
        let sign = arena.int(if j % 2 == 0 { 1 } else { -1 });
        terms.push(arena.mul([sign, m[0][j], d]));
    }
    arena.add(terms)
}

#[allow(clippy::too_many_arguments)]
fn theorem1(
    arena: &mut Arena,
    domain: &Domain,
    samples: &SampleDomain,
    score: &[Id],
    fisher: &[Vec<Id>],
    data: &[Symbol],
    table: &MomentTable,
    params: &[Symbol],
    checks: &mut Vec<Check>,
) {
    let k = score.len();
    let name = "Theorem 1: E[s sᵀ] = −E[H]".to_string();
    if data.is_empty() {
        return;
    }
    // Which moments s sᵀ needs follows from the data factors of each score component alone:
    // find out before multiplying anything.
    let one = arena.int(1);
    let factors: Vec<Vec<Id>> = score
        .iter()
        .map(|&s| {
            expect::data_terms(arena, s, data)
                .into_iter()
                .map(|t| t.1)
                .collect()
        })
        .collect();
    let mut missing: Vec<Id> = Vec::new();
    for i in 0..k {
        for j in i..k {
            for &fa in &factors[i] {
                for &fb in &factors[j] {
                    let f = arena.mul([fa, fb]);
                    if f == one || table.get(f).is_some() {
                        continue;
                    }
                    // A power product of data symbols is its own statistic: missing.
                    if is_power_product(arena, f) {
                        if !missing.contains(&f) {
                            missing.push(f);
                        }
                        continue;
                    }
                    // The product may itself expand into known statistics.
                    if let Err(ms) = expect::expectation(arena, f, data, table) {
                        for m in ms {
                            if !missing.contains(&m) {
                                missing.push(m);
                            }
                        }
                    }
                }
            }
        }
    }
    let mut outer: HashMap<(usize, usize), Id> = HashMap::default();
    if missing.is_empty() {
        for i in 0..k {
            for j in i..k {
                let ss = arena.mul([score[i], score[j]]);
                match expect::expectation(arena, ss, data, table) {
                    Ok(e) => {
                        outer.insert((i, j), e);
                    }
                    Err(ms) => {
                        for m in ms {
                            if !missing.contains(&m) {
                                missing.push(m);
                            }
                        }
                    }
                }
            }
        }
    }
    if !missing.is_empty() {
        let list: Vec<String> = missing
            .iter()
            .map(|&m| format!("E[{}]", print::rust(arena, m)))
            .collect();
        checks.push(Check {
            name,
            outcome: CheckOutcome::Skipped(format!("s sᵀ needs {}", list.join(", "))),
        });
        return;
    }
    let mut worst: Option<Method> = Some(Method::Canonical);
    for i in 0..k {
        for j in i..k {
            let e = outer[&(i, j)];
            match equiv::equiv(arena, domain, samples, e, fisher[i][j]) {
                Verdict::Proved(m) => {
                    worst = worst.map(|w| weaker(w, m));
                }
                v => {
                    let shown = simplify::tidy(arena, domain, e);
                    let o = outcome_of(arena, v, shown, fisher[i][j]);
                    let msg = match o {
                        CheckOutcome::Failed(m) => m,
                        _ => String::new(),
                    };
                    checks.push(Check {
                        name: format!(
                            "{name} at [{}][{}]",
                            arena.name(params[i]),
                            arena.name(params[j])
                        ),
                        outcome: CheckOutcome::Failed(msg),
                    });
                    return;
                }
            }
        }
    }
    if let Some(m) = worst {
        checks.push(Check {
            name,
            outcome: CheckOutcome::Proved(m),
        });
    }
}

/// True for a symbol or a product of symbols to integer powers with coefficient 1: a
/// statistic that nothing in it expands.
fn is_power_product(arena: &Arena, id: Id) -> bool {
    simplify::is_monomial(arena, id)
        && match arena.node(id) {
            Node::Sym(_) => true,
            Node::Mul(c, _) => c.is_one(),
            _ => false,
        }
}

/// The weaker of two proof methods (canonical < exact randomized < floating point).
pub fn weaker(a: Method, b: Method) -> Method {
    let rank = |m: Method| match m {
        Method::Canonical => 0,
        Method::ExactRandomized => 1,
        Method::FloatSampling => 2,
    };
    if rank(a) >= rank(b) {
        a
    } else {
        b
    }
}
