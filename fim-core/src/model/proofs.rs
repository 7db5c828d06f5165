//! Proofs and their record. Every identity the derivation claims (a declared moment against the
//! inferred one, E[score] = 0, `verify`, Theorem 1, the two routes of a reparameterization) is
//! run through [`equiv`] by one helper, [`Prover::prove`], which records a [`Check`] and, when
//! the identity fails, pushes the error that says so.

use proc_macro2::Span;

use crate::equiv::{self, Method, SampleDomain, Verdict};
use crate::expr::Id;
use crate::print;
use crate::simplify::{self, Domain};
use crate::Arena;

use crate::ctxt::Errors;

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

/// One claimed identity, `stated = derived`.
#[derive(Clone, Debug)]
pub struct Claim {
    stated: Id,
    derived: Id,
    /// Which entry of a matrix this is (`[mu][sigma]`), named in a failed check.
    entry: Option<String>,
    /// Whether a failure shows the stated side simplified (it is a raw expectation).
    tidy_stated: bool,
}

impl Claim {
    /// The claim `stated = derived`.
    pub fn new(stated: Id, derived: Id) -> Claim {
        Claim {
            stated,
            derived,
            entry: None,
            tidy_stated: false,
        }
    }

    /// The same claim for the matrix entry `entry`, e.g. `[mu][sigma]`.
    pub fn at(mut self, entry: String) -> Claim {
        self.entry = Some(entry);
        self
    }

    /// A failure shows the stated side in its simplified form.
    pub fn tidy_stated(mut self) -> Claim {
        self.tidy_stated = true;
        self
    }
}

/// A failed proof, as the error callback of [`Prover::prove`] sees it.
#[derive(Clone, Debug)]
pub struct Failure {
    /// The name of the failed check (with the entry, for a claim about a matrix entry).
    pub check: String,
    /// What differs and where.
    pub message: String,
    /// The stated side of the failed claim.
    pub stated: Id,
}

/// Runs identity proofs over one arena and domain, and records them.
pub struct Prover<'a> {
    /// The arena the claims live in.
    pub arena: &'a mut Arena,
    /// Sign facts for simplification.
    pub domain: &'a Domain,
    /// Where sample points may be drawn.
    pub samples: &'a SampleDomain,
    /// The record every proof is added to.
    pub checks: &'a mut Vec<Check>,
    /// Where failures are reported.
    pub errors: &'a mut Errors,
}

impl Prover<'_> {
    /// Proves every claim and records one check named `name`: proved by the weakest method any
    /// claim needed, or the first claim that was not proved. A claim that fails pushes the
    /// error that `report` builds from it; one that cannot be decided (no sample point where
    /// both sides are finite) is recorded as skipped. True when every claim was proved.
    pub fn prove(
        &mut self,
        name: &str,
        claims: &[Claim],
        report: impl FnOnce(&mut Arena, &Domain, &Failure) -> syn::Error,
    ) -> bool {
        let mut weakest = Method::Canonical;
        for c in claims {
            let v = equiv::equiv(self.arena, self.domain, self.samples, c.stated, c.derived);
            let shown = if c.tidy_stated && !v.is_proved() {
                simplify::tidy(self.arena, self.domain, c.stated)
            } else {
                c.stated
            };
            let check = match &c.entry {
                Some(e) => format!("{name} at {e}"),
                None => name.to_string(),
            };
            match outcome_of(self.arena, v, shown, c.derived) {
                CheckOutcome::Proved(m) => weakest = weakest.max(m),
                CheckOutcome::Failed(message) => {
                    let f = Failure {
                        check,
                        message,
                        stated: c.stated,
                    };
                    let e = report(self.arena, self.domain, &f);
                    self.errors.push(e);
                    self.record(f.check, CheckOutcome::Failed(f.message));
                    return false;
                }
                skipped => {
                    self.record(check, skipped);
                    return false;
                }
            }
        }
        self.record(name.to_string(), CheckOutcome::Proved(weakest));
        true
    }

    /// Proves one claim; a failure is reported at `span` as "`name` fails: …".
    pub fn prove_at(&mut self, name: &str, claim: Claim, span: Span) -> bool {
        self.prove(name, &[claim], |_, _, f| {
            syn::Error::new(span, format!("{} fails: {}", f.check, f.message))
        })
    }

    /// Records a check that was not run, and why.
    pub fn skip(&mut self, name: String, why: String) {
        self.record(name, CheckOutcome::Skipped(why));
    }

    fn record(&mut self, name: String, outcome: CheckOutcome) {
        self.checks.push(Check { name, outcome });
    }
}

/// The check outcome of a verdict on `stated = derived`.
pub fn outcome_of(arena: &Arena, v: Verdict, stated: Id, derived: Id) -> CheckOutcome {
    match v {
        Verdict::Proved(m) => CheckOutcome::Proved(m),
        Verdict::Differs { point, lhs, rhs } => {
            let at: Vec<String> = point.iter().map(|(n, v)| format!("{n} = {v}")).collect();
            CheckOutcome::Failed(format!(
                "stated `{}` but derived `{}`; they differ at {} ({lhs} vs {rhs})",
                print::rust_brief(arena, stated),
                print::rust_brief(arena, derived),
                at.join(", ")
            ))
        }
        Verdict::Undecided => CheckOutcome::Skipped(format!(
            "could not decide whether `{}` equals `{}`: no sample point where both are finite",
            print::rust_brief(arena, stated),
            print::rust_brief(arena, derived)
        )),
    }
}
