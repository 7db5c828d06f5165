//! The whole derivation of a model: its own parameterization, `verify`, then every
//! reparameterization, on top of [`super::derive`] and [`super::reparam`].

use proc_macro2::Span;
use syn::spanned::Spanned;

use crate::expr::{Id, Symbol};
use crate::Arena;

use super::attr::Attr;
use super::derive::{derive, Likelihood};
use super::matrix::{Jeffreys, SYMBOLIC_DET_MAX};
use super::proofs::{Claim, Prover};
use super::quantities::Quantities;
use super::reparam::{reparam, Reparam};
use super::Model;
use crate::ctxt::Errors;

/// Everything derived from a model, including its reparameterizations.
#[derive(Debug)]
pub struct Derivation {
    /// The model (owns the arena).
    pub model: Model,
    /// The derivation in the model's own parameters.
    pub core: Quantities,
    /// One per `reparam(..)` entry.
    pub reparams: Vec<Reparam>,
}

impl Derivation {
    /// Derives everything; errors name missing moments, a failed E[score] = 0, a failed verify.
    pub fn new(mut model: Model) -> syn::Result<Derivation> {
        crate::budget::allow(crate::budget::work_for(
            model.params.len(),
            model.arena.len(),
        ));
        let mut errors = Errors::new();
        let lik = likelihood(&model);
        let Some(core) = derive(&mut model.arena, &lik, &mut errors) else {
            return Err(errors
                .take()
                .unwrap_or_else(|| syn::Error::new(model.span(), "F could not be derived")));
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
        // The stages borrow the arena beside the model they read.
        let mut arena = std::mem::take(&mut d.model.arena);
        for r in &d.model.attr.reparams {
            if let Some(rp) = reparam(&mut arena, &d.model, &d.core, r, &mut errors) {
                d.reparams.push(rp);
            }
        }
        d.model.arena = arena;
        errors.finish(d)
    }

    /// The derivation from source text (see [`Model::from_source`]).
    pub fn from_source(attr: &str, item: &str) -> syn::Result<Derivation> {
        let name = || {
            syn::parse_str::<syn::ItemFn>(item)
                .map_or_else(|_| proc_macro2::Span::call_site(), |f| f.sig.ident.span())
        };
        crate::budget::within_work_budget(name, || Derivation::new(Model::from_source(attr, item)?))
    }

    /// The arena.
    pub fn arena(&self) -> &Arena {
        &self.model.arena
    }

    /// The parameter symbols in matrix order.
    pub fn params(&self) -> &[Symbol] {
        &self.model.params
    }

    /// `E[expr]` under the derivation's moments (declared, derived and inferred, in any linear
    /// combination), for a data expression written as in `moments(..)`: Rust source text, the
    /// body's `let` names allowed. The error names what is missing, or why the text is not an
    /// expression.
    ///
    /// ```
    /// let mut d = fim_core::model::Derivation::from_source(
    ///     "params(theta), data(x)",
    ///     "fn binomial(x: f64, theta: f64, n: f64) -> f64 { let f = n - x; x * theta.ln() + f * (1.0 - theta).ln() }",
    /// ).unwrap();
    /// let e = d.expectation_of("2.0 * f + x").unwrap();
    /// assert_eq!(fim_core::print::rust(d.arena(), e), "n * (2.0 - theta)");
    /// ```
    pub fn expectation_of(&mut self, src: &str) -> Result<Id, String> {
        let model = &mut self.model;
        let id = crate::parse::parse_str(&mut model.arena, src).map_err(|e| e.to_string())?;
        let id = super::through_lets(&mut model.arena, &model.lets, &model.args, id);
        match self.core.table.expectation(&mut model.arena, id) {
            Ok(v) => Ok(crate::simplify::tidy(
                &mut model.arena,
                &self.core.domain,
                v,
            )),
            Err(missing) => Err(format!(
                "needs {}",
                missing
                    .iter()
                    .map(|&m| format!("E[{}]", crate::print::rust_brief(&model.arena, m)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    /// Checks `verify(fisher = .., jeffreys = ..)`.
    fn verify(&mut self, errors: &mut Errors) {
        let k = self.model.params.len();
        if let Some(fexpr) = &self.model.attr.verify_fisher {
            match square_rows(fexpr, k) {
                Some(rows) => {
                    let mut claims = Vec::with_capacity(k * k);
                    for (i, row) in rows.into_iter().enumerate() {
                        for (j, e) in row.into_iter().enumerate() {
                            let name = format!(
                                "verify F[{}][{}]",
                                self.model.name(self.model.params[i]),
                                self.model.name(self.model.params[j])
                            );
                            claims.push((name, e, self.core.fisher[i][j]));
                        }
                    }
                    self.verify_claims(claims, errors);
                }
                None => errors.push(syn::Error::new(
                    fexpr.span(),
                    format!(
                        "`fisher` must be a {k}×{k} array of arrays, e.g. `[[a, b], [c, d]]` for \
                         two parameters"
                    ),
                )),
            }
        }
        if let Some(jexpr) = &self.model.attr.verify_jeffreys {
            match &self.core.jeffreys {
                Jeffreys::Closed { expr, .. } => {
                    let claim = ("verify Jeffreys".to_string(), jexpr.clone(), *expr);
                    self.verify_claims(vec![claim], errors);
                }
                Jeffreys::Numeric => errors.push(syn::Error::new(
                    jexpr.span(),
                    format!(
                        "the Jeffreys density of this model has no closed form here (numeric \
                         log-det: F is dense and larger than {SYMBOLIC_DET_MAX}×{SYMBOLIC_DET_MAX}, \
                         or its entries are too large for a closed-form determinant); \
                         `verify(jeffreys = ..)` cannot be checked"
                    ),
                )),
            }
        }
    }

    /// Proves each stated formula (as written by the user) equal to the derived one.
    fn verify_claims(&mut self, claims: Vec<(String, syn::Expr, Id)>, errors: &mut Errors) {
        // The formulas read the model's arrays as the body does: `alpha[2]`.
        let scope = super::scope_of(&mut self.model.arena, &self.model.args);
        let q = &mut self.core;
        let mut prover = Prover {
            arena: &mut self.model.arena,
            domain: &q.domain,
            samples: &q.samples,
            checks: &mut q.checks,
            errors,
        };
        for (name, e, derived) in claims {
            match crate::parse::expr_in(prover.arena, &e, &scope) {
                Ok(stated) => {
                    prover.prove_at(&name, Claim::new(stated, derived), e.span());
                }
                Err(err) => prover.errors.push(err),
            }
        }
    }
}

/// The rows of `[[..], ..]` when it is a k × k array of arrays.
fn square_rows(e: &syn::Expr, k: usize) -> Option<Vec<Vec<syn::Expr>>> {
    let syn::Expr::Array(a) = e else {
        return None;
    };
    let rows: Vec<Vec<syn::Expr>> = a
        .elems
        .iter()
        .map(|r| match r {
            syn::Expr::Array(r) => Some(r.elems.iter().cloned().collect()),
            _ => None,
        })
        .collect::<Option<_>>()?;
    (rows.len() == k && rows.iter().all(|r| r.len() == k)).then_some(rows)
}

/// The model's own log-likelihood with its moments and the spans errors point at.
fn likelihood(model: &Model) -> Likelihood {
    let names = model.user_names(&model.arena);
    Likelihood {
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
        moments_span: model
            .attr
            .moments_key
            .as_ref()
            .map(|k| k.span())
            .unwrap_or(model.item.sig.ident.span()),
        names,
    }
}

fn param_span(attr: &Attr, ident: &syn::Ident) -> Option<Span> {
    attr.params
        .as_ref()?
        .1
        .iter()
        .find(|p| *p == ident)
        .map(|p| p.span())
}
