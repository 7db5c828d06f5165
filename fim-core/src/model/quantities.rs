//! What one parameterization has derived: score, Hessian, the moments used, F, the Jeffreys
//! density, F⁻¹, the forms shown and emitted, the domain and the checks. Computed once by the
//! derivation ([`super::derive`]); the report and the expansion only read it.

use crate::equiv::SampleDomain;
use crate::expect::MomentTable;
use crate::expr::Id;
use crate::simplify::Domain;

use super::expfamily::{Family, Kl};
use super::matrix::{Inverse, Jeffreys, Matrix};
use super::proofs::Check;

/// Score and Hessian in one form.
#[derive(Clone, Debug, Default)]
pub struct Forms {
    /// ∂ℓ/∂θᵢ.
    pub score: Vec<Id>,
    /// ∂²ℓ/∂θᵢ∂θⱼ.
    pub hessian: Matrix,
}

/// Everything derived for one parameterization.
#[derive(Clone, Debug)]
pub struct Quantities {
    /// ∂ℓ/∂θᵢ, as the derivative rules produced it.
    pub score: Vec<Id>,
    /// ∂²ℓ/∂θᵢ∂θⱼ (symmetric; the upper triangle computed once).
    pub hessian: Matrix,
    /// The moments used: declared, derived and inferred.
    pub table: MomentTable,
    /// Why exponential-family inference declined, when it did.
    pub inference_note: Option<String>,
    /// F = −E[H], simplified.
    pub fisher: Matrix,
    /// ½ ln det F.
    pub jeffreys: Jeffreys,
    /// F⁻¹, or how generated code gets it.
    pub inverse: Inverse,
    /// Score and Hessian simplified for people (the report).
    pub shown: Forms,
    /// Score and Hessian as emitted: each entry the shorter of its raw and its shown form (the
    /// chain rule through a reparameterization is long).
    pub emitted: Forms,
    /// The exponential-family structure ℓ = ηᵀ T − A + h, or why it was not found.
    pub family: Result<Family, String>,
    /// KL(p_P ‖ p_Q) in closed form, or why it has none here.
    pub kl: Result<Kl, String>,
    /// Every check run or skipped.
    pub checks: Vec<Check>,
    /// Sign facts on the domain.
    pub domain: Domain,
    /// Where sample points for proofs are drawn.
    pub samples: SampleDomain,
    /// Expressions that must be positive where the generated functions are defined (NaN
    /// elsewhere): the domain's constraints.
    pub guards: Vec<Id>,
    /// Constants that must not be negative there: those the derivation found positive (the
    /// number of trials `n`, from F's positive diagonal). Zero is allowed, where F may be
    /// singular (no trials, no information) and the Jeffreys density −∞.
    pub nonnegative: Vec<Id>,
}
