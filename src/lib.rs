//! # fim: Fisher information derived at compile time
//!
//! Write a log-likelihood as an ordinary Rust function and annotate it:
//!
//! ```
//! use fim::fisher_model;
//!
//! #[fisher_model(params(theta), data(x), moments(E[x] = n * theta))]
//! pub fn binomial(x: f64, theta: f64, n: f64) -> f64 {
//!     x * theta.ln() + (n - x) * (1.0 - theta).ln()
//! }
//!
//! let f = binomial::fisher(0.3, 10.0);
//! assert!((f[0][0] - 10.0 / (0.3 * 0.7)).abs() < 1e-12);
//! ```
//!
//! The attribute differentiates the body symbolically, takes the expectation over the data with
//! the declared moments (or infers them for exponential families), simplifies with exact
//! rational arithmetic, proves what it can (E\[score\] = 0, `verify(..)`, reparameterization
//! invariance) and emits closed-form Rust beside the function, in a module of the same name:
//!
//! | item | what it is |
//! |---|---|
//! | `PARAMS: [&str; K]` | the parameter names, in matrix order |
//! | `score(all args) -> [f64; K]` | ∇θ ℓ |
//! | `hessian(all args) -> [[f64; K]; K]` | ∇²θ ℓ |
//! | `fisher(P) -> [[f64; K]; K]` | F(θ) = −E\[H\] |
//! | `fisher_inverse(P)` | F⁻¹, the Cramér–Rao bound |
//! | `jeffreys_log_density(P) -> f64` | ½ ln det F, up to an additive constant |
//! | `natural_gradient(P, grad)` | F⁻¹ g |
//! | `kl_quadratic(P, delta)` | ½ δᵀ F δ, the local KL divergence |
//! | `fisher_averaged(P, inputs)` | with `inputs(..)`: the mean of F over the inputs |
//! | `FISHER`, `JEFFREYS`, `DERIVATION` | the results as text |
//!
//! `P` is the function's arguments minus data and inputs, in their original order. Outside the
//! domain the generated functions return NaN (or −∞ for the Jeffreys density at a singular F);
//! they never panic and never allocate.
#![warn(missing_docs)]

pub use fim_macros::fisher_model;

/// Special functions used by generated code and available to log-likelihoods:
/// `use fim::special::{ln_gamma, digamma, trigamma};` (the `fim-special` crate, which the
/// engine also evaluates with).
pub use fim_special as special;

/// Run-time support for generated code. Not part of the public API: its items may change
/// without notice.
#[doc(hidden)]
// Triangular solves read as the textbook does with explicit indices.
#[allow(clippy::needless_range_loop)]
pub mod __private {
    /// The Cholesky factor L (F = L Lᵀ) of a symmetric matrix, or `None` when F is not positive
    /// definite. No allocation: fixed-size arrays only.
    #[inline]
    pub fn cholesky<const K: usize>(f: &[[f64; K]; K]) -> Option<[[f64; K]; K]> {
        let mut l = [[0.0_f64; K]; K];
        for i in 0..K {
            for j in 0..=i {
                let mut s = f[i][j];
                for m in 0..j {
                    s -= l[i][m] * l[j][m];
                }
                if i == j {
                    if s.is_nan() || s <= 0.0 || s.is_infinite() {
                        return None;
                    }
                    l[i][i] = s.sqrt();
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
        Some(l)
    }

    /// ½ ln det F through Cholesky: −∞ when F is singular (a zero pivot), NaN when it is not
    /// positive semi-definite or not finite.
    #[inline]
    pub fn half_log_det<const K: usize>(f: &[[f64; K]; K]) -> f64 {
        match cholesky(f) {
            Some(l) => (0..K).map(|i| l[i][i].ln()).sum(),
            None => {
                // Distinguish singular (−∞) from indefinite or non-finite input (NaN).
                if f.iter().flatten().all(|x| x.is_finite()) && is_psd_singular(f) {
                    f64::NEG_INFINITY
                } else {
                    f64::NAN
                }
            }
        }
    }

    fn is_psd_singular<const K: usize>(f: &[[f64; K]; K]) -> bool {
        // A tiny ridge makes a singular PSD matrix factorizable; an indefinite one stays not.
        let scale = f
            .iter()
            .enumerate()
            .map(|(i, r)| r[i].abs())
            .fold(0.0_f64, f64::max)
            .max(1e-300);
        let mut g = *f;
        for (i, row) in g.iter_mut().enumerate() {
            row[i] += scale * 1e-9;
        }
        cholesky(&g).is_some()
    }
}
