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
//! | `fisher_natural(P)` | for an exponential family ℓ = ηᵀ T − A + h: F in the natural parameters η, ∇²_η A = Cov\[T\] |
//! | `fisher_mean(P)` | F in the mean parameters m = E\[T\], `fisher_natural(P)`⁻¹ (proved) |
//! | `kl_divergence(P, Q)` | the exact KL(p_P ‖ p_Q) = E_P\[ℓ(P) − ℓ(Q)\], where the moments give it: P's parameters, then Q's (`theta_q`, same shapes), then the constants |
//! | `fisher_averaged(P, inputs)` | with `inputs(..)`: the mean of F over the inputs |
//! | `FISHER`, `JEFFREYS`, `DERIVATION` | the results as text |
//!
//! `P` is the function's arguments minus data and inputs, in their original order. Outside the
//! domain the generated functions return NaN (or −∞ for the Jeffreys density at a singular F);
//! they never panic and never allocate.
//!
//! ## Functions
//!
//! A body and the moments may use `+ - * /`, literals (exact: `0.1` is 1/10),
//! `std::f64::consts`, the `f64` methods `ln exp sqrt powi powf recip ln_1p exp_m1 abs`,
//! `sin cos tan atan sinh cosh tanh asinh` and `hypot`, and the functions of [`special`]:
//! `ln_gamma digamma trigamma polygamma(n, x) ln_beta(a, b) erf erfc norm_cdf ln_norm_cdf
//! norm_pdf bessel_i0 bessel_i1 ln_bessel_i0`. A probit regression:
//!
//! ```
//! use fim::fisher_model;
//! use fim::special::norm_cdf;
//!
//! #[fisher_model(params(a, b), data(y), inputs(c), moments(E[y] = norm_cdf(a + b * c)))]
//! fn probit(y: f64, a: f64, b: f64, c: f64) -> f64 {
//!     y * norm_cdf(a + b * c).ln() + (1.0 - y) * (1.0 - norm_cdf(a + b * c)).ln()
//! }
//!
//! // F = φ(η)² / (Φ(η) Φ(−η)) [[1, c], [c, c²]], written with Φ(−η), not 1 − Φ(η), so that
//! // it stays finite far in the tail, where 1 − Φ(η) is 0 in floating point.
//! assert_eq!(
//!     probit::FISHER[0][0],
//!     "norm_pdf(a + b * c).powi(2) / (norm_cdf(a + b * c) * norm_cdf(-a - b * c))"
//! );
//! assert!(probit::fisher(9.0, 0.5, 1.0)[0][0] > 0.0);
//! ```
#![warn(missing_docs)]

pub use fim_macros::fisher_model;

/// Special functions used by generated code and available to log-likelihoods:
/// `use fim::special::{ln_gamma, digamma, norm_cdf, bessel_i0};` (the `fim-special` crate,
/// which the engine also evaluates with): lnΓ, ψ, ψ₁, ψ⁽ᵏ⁾, ln B, erf, erfc, Φ, ln Φ, φ, I₀, I₁
/// and ln I₀, each accurate to a few ulp and stable in the tails.
pub use fim_special as special;

/// Run-time support for generated code. Not part of the public API: its items may change
/// without notice.
#[doc(hidden)]
// Triangular solves read as the textbook does with explicit indices.
#[allow(clippy::needless_range_loop)]
pub mod __private {
    pub use fim_special::wide;

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

/// The README's examples, compiled and run as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
