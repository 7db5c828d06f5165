//! The derivation of one parameterization, as named steps: derivatives, moments (declared,
//! derived, inferred), the E[score] = 0 check, F = −E[H], Jeffreys ½ ln det F, Theorem 1
//! (E[s sᵀ] = −E[H]), F⁻¹ and the forms shown and emitted.

use proc_macro2::Span;
use rustc_hash::FxHashSet;

use crate::equiv::SampleDomain;
use crate::expect::{self, Added, DeclaredMoment, Inference, MomentTable, Source};
use crate::expr::{Id, Node, Symbol};
use crate::print;
use crate::simplify::{self, Domain};
use crate::Arena;

use super::expfamily::{self, Family, Kl};
use super::matrix::{self, Matrix};
use super::proofs::{Check, CheckOutcome, Claim, Prover};
use super::quantities::{Forms, Quantities};
use super::suggest;
use crate::ctxt::Errors;

/// What a derivation needs: a log-likelihood in some parameters, the data, the declared moments,
/// and the spans that errors point at.
#[derive(Clone, Debug)]
pub struct Likelihood {
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
    /// The user's own variables, for naming missing moments.
    pub names: super::UserNames,
}

impl Likelihood {
    /// Where to point an error about parameter `i`.
    fn param_span(&self, i: usize) -> Span {
        self.param_spans
            .get(i)
            .copied()
            .unwrap_or_else(Span::call_site)
    }

    fn param_name<'a>(&self, arena: &'a Arena, i: usize) -> &'a str {
        arena.name(self.params[i])
    }
}

/// Derives everything for `lik`. Errors go to `errors`; `None` when F could not be formed
/// (missing moments).
pub fn derive(arena: &mut Arena, lik: &Likelihood, errors: &mut Errors) -> Option<Quantities> {
    let (domain, samples) = domain_of(arena, lik.loglik);
    let mut d = Deriver {
        arena,
        lik,
        errors,
        domain,
        samples,
        checks: Vec::new(),
    };
    let (score, hessian) = d.derivatives();
    let Moments {
        mut table,
        inference_note,
        score_means,
        related,
    } = d.moments(&score);
    d.score_check(score_means);
    let fisher = d.fisher(&hessian, &mut table, inference_note.as_deref(), &related)?;
    d.kink_check(&fisher);
    // F is positive definite wherever the Jeffreys prior is defined: its diagonal is positive.
    for (i, row) in fisher.iter().enumerate() {
        d.domain.assume_positive(d.arena, row[i]);
    }
    let jeffreys = matrix::jeffreys_of(d.arena, &d.domain, &fisher);
    let failed_before = d.failed_checks();
    let (family, by_covariance) = d.family(&fisher, &mut table);
    let route = if by_covariance {
        "second moments of T from Cov[T] = ∇²_η A"
    } else {
        "the declared and inferred moments"
    };
    // A declared second moment that contradicts Cov[T] has its own error: Theorem 1 would
    // only repeat it.
    if d.failed_checks() == failed_before {
        d.theorem1(&score, &fisher, &mut table, route);
    }
    let kl = d.kl(&fisher, &mut table);
    let inverse = matrix::inverse(d.arena, &d.domain, &fisher);
    let (shown, emitted) = d.forms(&score, &hessian);
    let nonnegative = d.positive_constants();
    let guards = d.samples.positive.clone();
    Some(Quantities {
        score,
        hessian,
        table,
        inference_note,
        fisher,
        jeffreys,
        inverse,
        shown,
        emitted,
        family,
        kl,
        checks: d.checks,
        domain: d.domain,
        samples: d.samples,
        guards,
        nonnegative,
    })
}

/// One derivation in progress: what every step reads and the checks they record.
struct Deriver<'a> {
    arena: &'a mut Arena,
    lik: &'a Likelihood,
    errors: &'a mut Errors,
    domain: Domain,
    samples: SampleDomain,
    checks: Vec<Check>,
}

/// E[score] for each parameter: the value, or the data factors whose expectations are missing.
type ScoreMeans = Vec<Result<Id, Vec<Id>>>;

/// What the moments step gives the later steps.
struct Moments {
    table: MomentTable,
    /// Why exponential-family inference declined, if it did.
    inference_note: Option<String>,
    score_means: ScoreMeans,
    /// Declared moments still held as relations (some expectation in them unknown).
    related: Vec<usize>,
}

impl Deriver<'_> {
    fn prover(&mut self) -> Prover<'_> {
        Prover {
            arena: self.arena,
            domain: &self.domain,
            samples: &self.samples,
            checks: &mut self.checks,
            errors: self.errors,
        }
    }

    /// Score and Hessian (the upper triangle computed once).
    fn derivatives(&mut self) -> (Vec<Id>, Matrix) {
        let (params, l) = (&self.lik.params, self.lik.loglik);
        let k = params.len();
        let score: Vec<Id> = params.iter().map(|&p| self.arena.diff(l, p)).collect();
        let mut hessian = vec![vec![self.arena.int(0); k]; k];
        for i in 0..k {
            for j in i..k {
                let h = self.arena.diff(score[i], params[j]);
                hessian[i][j] = h;
                hessian[j][i] = h;
            }
        }
        (score, hessian)
    }

    /// The moment table: declared moments (solved for one unknown each, the others kept as
    /// linear relations), then inferred ones where the family allows; every redundant
    /// declaration is checked. Also returns why inference declined, E[score] as far as the
    /// table covers it, and the declared moments still held as relations.
    fn moments(&mut self, score: &[Id]) -> Moments {
        let data = &self.lik.data;
        let declared: Vec<DeclaredMoment> = self.lik.moments.iter().map(|m| m.0.clone()).collect();
        let (mut table, mut redundant, mut unsolved) =
            MomentTable::from_declared(self.arena, data, &self.domain, &declared);
        // When the declared moments already cover the score, inference would solve the very
        // system that the E[score] = 0 check verifies: the check is the comparison.
        let mut score_means = self.score_means(score, &mut table);
        let covered = score_means.iter().all(|m| m.is_ok());
        let mut inference_note = None;
        if !data.is_empty() && !covered {
            let params = &self.lik.params;
            match expect::infer_exponential_family(
                self.arena,
                &self.domain,
                score,
                params,
                &mut table,
            ) {
                Inference::Solved(sol) => self.merge_inferred(&mut table, sol),
                Inference::Related(rows) => self.merge_related(&mut table, rows),
                Inference::Declined(why) => inference_note = Some(why),
            }
            // Declared moments that waited for an inferred one (Var[x] without E[x]).
            if inference_note.is_none() && !unsolved.is_empty() {
                let (more, still) = table.solve(self.arena, &declared, unsolved);
                redundant.extend(more);
                unsolved = still;
            }
        }
        for (i, stated, implied) in redundant {
            let span = self.lik.moments[i].1;
            let name = format!("declared moment {} agrees with the others", i + 1);
            self.prover()
                .prove(&name, &[Claim::new(stated, implied)], |_, _, f| {
                    syn::Error::new(
                        span,
                        format!("this moment contradicts the others: {}", f.message),
                    )
                });
        }
        for i in unsolved {
            self.errors.push(syn::Error::new(
                self.lik.moments[i].1,
                "this moment has more than one unknown data expectation; state the simpler \
                 moments it depends on first",
            ));
        }
        table.simplify_values(self.arena, &self.domain);
        // E[score] again only if inference has added moments.
        if !covered {
            score_means = self.score_means(score, &mut table);
        }
        let related = table.declared_relations();
        Moments {
            table,
            inference_note,
            score_means,
            related,
        }
    }

    fn score_means(&mut self, score: &[Id], table: &mut MomentTable) -> ScoreMeans {
        score
            .iter()
            .map(|&s| table.expectation(self.arena, s))
            .collect()
    }

    /// Adds the inferred moments to the table; one that the declared moments determine is
    /// checked against the inference instead.
    fn merge_inferred(&mut self, table: &mut MomentTable, solved: Vec<(Id, Id)>) {
        for (t, v) in solved {
            let terms = table.normalizer().terms(self.arena, t);
            if let Added::Redundant(stated) =
                table.add_relation(self.arena, &terms, v, Source::Inferred, None)
            {
                let name = format!(
                    "declared E[{}] agrees with the exponential-family inference",
                    print::rust_brief(self.arena, t)
                );
                let span = self.lik.moments_span;
                self.prover().prove_at(&name, Claim::new(stated, v), span);
            }
        }
    }

    /// Adds the relations inference found among the score's statistics (counted by rank); one
    /// that the declared moments determine is checked against the inference instead.
    fn merge_related(&mut self, table: &mut MomentTable, rows: Vec<(expect::Terms, Id)>) {
        for (terms, v) in rows {
            if let Added::Redundant(stated) =
                table.add_relation(self.arena, &terms, v, Source::Inferred, None)
            {
                let lhs: Vec<Id> = terms.iter().map(|&(c, k)| self.arena.mul([c, k])).collect();
                let lhs = self.arena.add(lhs);
                let name = format!(
                    "declared E[{}] agrees with the exponential-family inference",
                    print::rust_brief(self.arena, lhs)
                );
                let span = self.lik.moments_span;
                self.prover().prove_at(&name, Claim::new(stated, v), span);
            }
        }
    }

    /// E[score] = 0 for every parameter whose score the moments cover.
    fn score_check(&mut self, means: ScoreMeans) {
        for (i, mean) in means.into_iter().enumerate() {
            let pname = self.lik.param_name(self.arena, i).to_string();
            let name = format!("E[score] = 0 for {pname}");
            match mean {
                Ok(e) => {
                    let zero = self.arena.int(0);
                    let span = self.lik.param_span(i);
                    self.prover()
                        .prove(&name, &[Claim::new(e, zero)], |arena, domain, f| {
                            let residue = simplify::tidy(arena, domain, f.stated);
                            syn::Error::new(
                                span,
                                format!(
                                    "E[score] = 0 fails for `{pname}`: with the declared moments \
                                     E[∂ℓ/∂{pname}] = {}, not 0; check the log-likelihood and \
                                     the moments",
                                    print::rust_brief(arena, residue)
                                ),
                            )
                        });
                }
                Err(missing) => {
                    let why = format!(
                        "the score needs {} which no moment supplies",
                        expectations(self.arena, &missing)
                    );
                    self.prover().skip(name, why);
                }
            }
        }
    }

    /// F = −E[H], simplified; `None` when a moment is missing: then the smallest set of
    /// expectations to declare is named, in the user's variables, one error each, and the
    /// declared moments that stayed relations (several unknowns) are pointed at.
    fn fisher(
        &mut self,
        hessian: &[Vec<Id>],
        table: &mut MomentTable,
        inference_note: Option<&str>,
        related: &[usize],
    ) -> Option<Matrix> {
        let k = hessian.len();
        let mut fisher = vec![vec![self.arena.int(0); k]; k];
        let mut failed: Vec<(usize, usize)> = Vec::new();
        for i in 0..k {
            for j in i..k {
                match table.expectation(self.arena, hessian[i][j]) {
                    Ok(e) => {
                        let f = self.arena.neg(e);
                        let f = simplify::tidy(self.arena, &self.domain, f);
                        fisher[i][j] = f;
                        fisher[j][i] = f;
                    }
                    Err(_) => failed.push((i, j)),
                }
            }
        }
        if failed.is_empty() {
            return Some(fisher);
        }
        for s in suggest::missing(self.arena, table, self.lik, hessian, &failed) {
            let text = print::rust_brief(self.arena, s.shown);
            let used_by: Vec<String> = s
                .used_by
                .iter()
                .map(|&(i, j)| {
                    let (p, q) = (
                        self.lik.param_name(self.arena, i),
                        self.lik.param_name(self.arena, j),
                    );
                    format!("F[{p}][{q}]")
                })
                .collect();
            let why = inference_note
                .map(|n| format!("; it cannot be inferred: {n}"))
                .unwrap_or_default();
            let open = if s.open {
                format!(
                    "; note: E[{text}] takes a special function of the data and a parameter, \
                     whose expectation has in general no closed form, so neither may F"
                )
            } else {
                String::new()
            };
            self.errors.push(syn::Error::new(
                self.lik.moments_span,
                format!(
                    "needs E[{text}]: add `E[{text}] = …` to moments(..) (used by {}){why}{open}",
                    used_by.join(", ")
                ),
            ));
        }
        for &i in related {
            self.errors.push(syn::Error::new(
                self.lik.moments[i].1,
                "this moment has more than one unknown data expectation; state the simpler \
                 moments it depends on first",
            ));
        }
        None
    }

    /// A zero on the diagonal: the parameter appears in ℓ but −E[H] carries no information
    /// about it. That happens at a kink (|x - μ|: the Hessian misses the delta at the kink) or
    /// when ℓ is linear in it; either way F = −E[H] does not apply.
    fn kink_check(&mut self, fisher: &[Vec<Id>]) {
        for (i, row) in fisher.iter().enumerate() {
            if self.arena.is_zero(row[i]) {
                let name = self.lik.param_name(self.arena, i).to_string();
                self.errors.push(syn::Error::new(
                    self.lik.param_span(i),
                    format!(
                        "F[{name}][{name}] = −E[∂²ℓ/∂{name}²] is 0: the log-likelihood is not \
                         twice differentiable in `{name}` (a kink, as in |x - {name}|) or carries \
                         no information about it, so the Fisher information cannot be derived \
                         from the Hessian"
                    ),
                ));
            }
        }
    }

    /// The number of failed checks so far.
    fn failed_checks(&self) -> usize {
        self.checks
            .iter()
            .filter(|c| matches!(c.outcome, CheckOutcome::Failed(_)))
            .count()
    }

    /// Why the steps that build on a sound derivation stand down, if they do: an error or a
    /// failed check before them (their proofs would only repeat it).
    fn unsound(&self) -> Option<String> {
        (self.failed_checks() > 0 || !self.errors.is_empty())
            .then(|| "not sought: a check above failed".into())
    }

    /// The exponential-family structure, its proofs, and the second moments of T it gives;
    /// true when those were added to the table.
    fn family(
        &mut self,
        fisher: &[Vec<Id>],
        table: &mut MomentTable,
    ) -> (Result<Family, String>, bool) {
        if let Some(why) = self.unsound() {
            return (Err(why), false);
        }
        let lik = self.lik;
        let parts = match expfamily::structure(
            self.arena,
            &self.domain,
            &lik.params,
            &lik.data,
            lik.loglik,
        ) {
            Ok(parts) => parts,
            Err(why) => return (Err(why), false),
        };
        let mut prover = self.prover();
        let span = lik.moments_span;
        let mut fam = match expfamily::family(&mut prover, &lik.params, parts, table, fisher, span)
        {
            Ok(fam) => fam,
            Err(why) => return (Err(why), false),
        };
        if fam.natural_fisher.is_none() {
            return (Ok(fam), false);
        }
        match expfamily::second_moments(&mut prover, &fam, table) {
            Ok(()) => (Ok(fam), true),
            Err(why) => {
                fam.note = Some(why);
                (Ok(fam), false)
            }
        }
    }

    /// KL(p_P ‖ p_Q) = E_P[ℓ(P) − ℓ(Q)] in closed form, where the moments give it.
    fn kl(&mut self, fisher: &[Vec<Id>], table: &mut MomentTable) -> Result<Kl, String> {
        if let Some(why) = self.unsound() {
            return Err(why);
        }
        if self.lik.data.is_empty() {
            return Err("the model has no data".into());
        }
        let lik = self.lik;
        let guards = self.samples.positive.clone();
        let mut prover = self.prover();
        expfamily::kl_divergence(
            &mut prover,
            &lik.params,
            lik.loglik,
            table,
            fisher,
            &guards,
            lik.moments_span,
        )
    }

    /// Theorem 1: E[s sᵀ] = −E[H], where the moments cover s sᵀ; `route` names where its
    /// second moments came from.
    fn theorem1(&mut self, score: &[Id], fisher: &[Vec<Id>], table: &mut MomentTable, route: &str) {
        let name = format!("Theorem 1: E[s sᵀ] = −E[H] ({route})");
        let name = name.as_str();
        if self.lik.data.is_empty() {
            return;
        }
        let outer = match self.outer_product(score, table) {
            Ok(outer) => outer,
            Err(missing) => {
                let why = format!("s sᵀ needs {}", expectations(self.arena, &missing));
                self.prover().skip(name.to_string(), why);
                return;
            }
        };
        let claims: Vec<Claim> = outer
            .into_iter()
            .map(|(i, j, e)| {
                let (p, q) = (
                    self.lik.param_name(self.arena, i),
                    self.lik.param_name(self.arena, j),
                );
                Claim::new(e, fisher[i][j])
                    .at(format!("[{p}][{q}]"))
                    .tidy_stated()
            })
            .collect();
        let span = self.lik.moments_span;
        self.prover().prove(name, &claims, |_, _, f| {
            syn::Error::new(
                span,
                format!(
                    "{} fails: {}; the declared moments are inconsistent, or the model is not \
                     regular (F = E[s sᵀ] = −E[H] needs the support not to depend on the \
                     parameters and ℓ twice differentiable)",
                    f.check, f.message
                ),
            )
        });
    }

    /// E[sᵢ sⱼ] for the upper triangle, or the data factors whose expectations are missing.
    ///
    /// Which moments s sᵀ needs follows from the data factors of each score component alone:
    /// they are found before anything is multiplied.
    fn outer_product(
        &mut self,
        score: &[Id],
        table: &mut MomentTable,
    ) -> Result<Vec<(usize, usize, Id)>, Vec<Id>> {
        let (arena, data) = (&mut *self.arena, &self.lik.data);
        let k = score.len();
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
        let note = |m: Id, missing: &mut Vec<Id>| {
            if !missing.contains(&m) {
                missing.push(m);
            }
        };
        // Known only in combination (relations), a factor alone says nothing: then the
        // products are reduced whole, below.
        let by_factor = table.relations().is_empty();
        for i in (0..k).filter(|_| by_factor) {
            for j in i..k {
                for &fa in &factors[i] {
                    for &fb in &factors[j] {
                        let f = arena.mul([fa, fb]);
                        if f == one || table.get(f).is_some() {
                            continue;
                        }
                        // A power product of data symbols is its own statistic: missing.
                        if is_power_product(arena, f) {
                            note(f, &mut missing);
                            continue;
                        }
                        // The product may itself expand into known statistics.
                        if let Err(ms) = table.expectation(arena, f) {
                            ms.into_iter().for_each(|m| note(m, &mut missing));
                        }
                    }
                }
            }
        }
        if !missing.is_empty() {
            return Err(missing);
        }
        let mut outer = Vec::with_capacity(k * (k + 1) / 2);
        for i in 0..k {
            for j in i..k {
                let ss = arena.mul([score[i], score[j]]);
                match table.expectation(arena, ss) {
                    Ok(e) => outer.push((i, j, e)),
                    Err(ms) => ms.into_iter().for_each(|m| note(m, &mut missing)),
                }
            }
        }
        if missing.is_empty() {
            Ok(outer)
        } else {
            Err(missing)
        }
    }

    /// The constants of the log-likelihood (symbols that are neither parameters nor data)
    /// that the derivation found positive, such as `n` from F[θ][θ] = n / (θ(1 − θ)) > 0 and
    /// not already a constraint of the domain.
    fn positive_constants(&mut self) -> Vec<Id> {
        let fixed = self.lik.params.iter().chain(&self.lik.data);
        let fixed: Vec<Symbol> = fixed.copied().collect();
        let mut out = Vec::new();
        for s in self.arena.free_symbols(self.lik.loglik) {
            if fixed.contains(&s) {
                continue;
            }
            let sym = self.arena.sym(s);
            let constraint = self.samples.positive.contains(&sym);
            if !constraint && self.domain.is_positive(self.arena, sym) {
                out.push(sym);
            }
        }
        out
    }

    /// Score and Hessian simplified for people, and as emitted: each entry in its simplified
    /// form where that is shorter than the form the derivative rules produced.
    fn forms(&mut self, score: &[Id], hessian: &[Vec<Id>]) -> (Forms, Forms) {
        let (arena, domain) = (&mut *self.arena, &self.domain);
        let mut pick = |x: Id| {
            let s = simplify::tidy(arena, domain, x);
            let e = if print::op_count(arena, s) < print::op_count(arena, x) {
                s
            } else {
                x
            };
            (s, e)
        };
        let score: Vec<(Id, Id)> = score.iter().map(|&x| pick(x)).collect();
        let hessian: Vec<Vec<(Id, Id)>> = hessian
            .iter()
            .map(|row| row.iter().map(|&x| pick(x)).collect())
            .collect();
        let form = |second: bool| Forms {
            score: score
                .iter()
                .map(|p| if second { p.1 } else { p.0 })
                .collect(),
            hessian: hessian
                .iter()
                .map(|row| row.iter().map(|p| if second { p.1 } else { p.0 }).collect())
                .collect(),
        };
        (form(false), form(true))
    }
}

/// `E[a], E[b]` for a list of data factors.
fn expectations(arena: &Arena, factors: &[Id]) -> String {
    factors
        .iter()
        .map(|&f| format!("E[{}]", print::rust_brief(arena, f)))
        .collect::<Vec<_>>()
        .join(", ")
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

/// Sign facts and sampling constraints from the log-likelihood: the arguments of logarithms,
/// of lnΓ and ψ, and the bases of fractional and symbolic powers are positive where ℓ is defined.
pub fn domain_of(arena: &mut Arena, l: Id) -> (Domain, SampleDomain) {
    let mut positive = Vec::new();
    let mut stack = vec![l];
    let mut seen = FxHashSet::default();
    while let Some(n) = stack.pop() {
        if !seen.insert(n) {
            continue;
        }
        match arena.node(n) {
            Node::Ln(a) | Node::Pow(a, _) if !positive.contains(a) => positive.push(*a),
            Node::Special(f, a) if f.entry().positive_argument && !positive.contains(a) => {
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
    // The constraints are also the guards of the generated code: in their display form, which
    // keeps its digits where the raw one does not (`1 - Φ(η)` is 0 in f64 from η ≈ 8.3 on,
    // `Φ(−η)` is not).
    let positive = positive
        .into_iter()
        .map(|p| simplify::tidy(arena, &domain, p))
        .collect();
    (domain, SampleDomain { positive })
}
