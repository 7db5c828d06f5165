//! Special functions for log-likelihoods and for the code `#[fisher_model]` generates:
//! `use fim::special::{ln_gamma, digamma, norm_cdf, bessel_i0};`.
//!
//! | function | what | from |
//! |---|---|---|
//! | [`ln_gamma`], [`digamma`], [`trigamma`], [`polygamma`] | lnΓ, ψ, ψ₁, ψ⁽ᵏ⁾ | `special`, with reflection and poles added; ψ⁽ᵏ⁾ for k ≥ 2 here |
//! | [`ln_beta`] | ln B(a, b) | here, without cancelling lnΓ values |
//! | [`erf`], [`erfc`] | the error functions | `libm` |
//! | [`norm_cdf`], [`ln_norm_cdf`], [`norm_pdf`] | Φ, ln Φ, φ of the standard normal | here, on `libm`'s erfc, accurate far into the tails |
//! | [`bessel_i0`], [`bessel_i1`], [`ln_bessel_i0`] | I₀, I₁, ln I₀ | `spec_math`'s scaled Cephes functions; ln I₀ never overflows |
//!
//! Every function is `#[inline]`, never allocates and never panics: NaN for NaN, and the
//! behaviour at ±∞ and outside the domain is on each function. `tests/accuracy.rs` checks
//! each one against 60-digit reference values (`tests/reference/generate.py`, mpmath) and
//! states the largest relative error measured.
//!
//! The symbolic engine evaluates with these same functions, so a value checked at compile time
//! is the value the generated code computes.
#![warn(missing_docs)]

mod bessel;
mod beta;
mod normal;
pub mod wide;

pub use bessel::{bessel_i0, bessel_i1, ln_bessel_i0};
pub use beta::ln_beta;
pub use normal::{erf, erfc, ln_norm_cdf, norm_cdf, norm_pdf};

use ::core::f64::consts::PI;
use ::special::Gamma;

/// `ln Γ(x)` (the logarithm of |Γ(x)|); +∞ at the poles 0, −1, −2, …
#[inline]
pub fn ln_gamma(x: f64) -> f64 {
    if x <= 0.0 && x == x.floor() {
        return f64::INFINITY;
    }
    Gamma::ln_gamma(x).0
}

/// Digamma `ψ(x) = d/dx ln Γ(x)`; NaN at the poles 0, −1, −2, … and at −∞.
#[inline]
pub fn digamma(x: f64) -> f64 {
    if x.is_nan() || x == f64::NEG_INFINITY {
        return f64::NAN;
    }
    if x == f64::INFINITY {
        return f64::INFINITY;
    }
    if x <= 0.0 {
        if x == x.floor() {
            return f64::NAN;
        }
        // Reflection: ψ(x) = ψ(1 − x) − π cot(π x).
        return Gamma::digamma(1.0 - x) - PI / (PI * x).tan();
    }
    Gamma::digamma(x)
}

/// Trigamma `ψ₁(x) = d²/dx² ln Γ(x)`; +∞ at the poles 0, −1, −2, …, NaN at −∞.
#[inline]
pub fn trigamma(x: f64) -> f64 {
    if x.is_nan() || x == f64::NEG_INFINITY {
        return f64::NAN;
    }
    if x == f64::INFINITY {
        return 0.0;
    }
    if x <= 0.0 {
        if x == x.floor() {
            return f64::INFINITY;
        }
        // Reflection: ψ₁(x) = π² / sin²(π x) − ψ₁(1 − x).
        let s = (PI * x).sin();
        return PI * PI / (s * s) - Gamma::trigamma(&(1.0 - x));
    }
    Gamma::trigamma(&x)
}

/// `ψ⁽ᵏ⁾(x)`, the polygamma function of order `k` (the k-th derivative of digamma): [`digamma`]
/// for k = 0, [`trigamma`] for k = 1.
///
/// For k ≥ 2 and x > 0 it shifts the argument up with ψ⁽ᵏ⁾(x) = ψ⁽ᵏ⁾(x + 1) + (−1)ᵏ⁺¹ k! / xᵏ⁺¹
/// until x ≥ 20, then sums the asymptotic series
/// (−1)ᵏ⁺¹ [(k−1)!/xᵏ + k!/(2xᵏ⁺¹) + Σⱼ B₂ⱼ (2j+k−1)!/((2j)! x²ʲ⁺ᵏ)] (Abramowitz & Stegun 6.4.11).
/// NaN for k ≥ 2 at x ≤ 0, where the reflection formula has no simple closed form.
#[inline]
pub fn polygamma(k: u32, x: f64) -> f64 {
    match k {
        0 => return digamma(x),
        1 => return trigamma(x),
        _ => {}
    }
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    if x == f64::INFINITY {
        return 0.0;
    }
    // B₂ⱼ for j = 1..=10: enough terms for 1e-16 relative at x ≥ 20 for every order.
    const B2J: [f64; 10] = [
        1.0 / 6.0,
        -1.0 / 30.0,
        1.0 / 42.0,
        -1.0 / 30.0,
        5.0 / 66.0,
        -691.0 / 2730.0,
        7.0 / 6.0,
        -3617.0 / 510.0,
        43867.0 / 798.0,
        -174611.0 / 330.0,
    ];
    let kf = f64::from(k);
    let fact = |n: f64| -> f64 { (1..=n as u32).map(f64::from).product() };
    let k_fact = fact(kf);
    let mut shifted = 0.0;
    let mut x = x;
    while x < 20.0 {
        shifted += x.powf(-(kf + 1.0));
        x += 1.0;
    }
    // (2j+k−1)!/(2j)! as a running product, each term over x^(2j+k).
    let mut series = fact(kf - 1.0) / x.powf(kf) + k_fact / (2.0 * x.powf(kf + 1.0));
    let mut ratio = fact(kf - 1.0); // (2j+k−1)!/(2j)! at j = 0
    let inv_x2 = 1.0 / (x * x);
    let mut power = x.powf(-kf);
    for (j, b) in B2J.iter().enumerate() {
        let j = (j + 1) as f64;
        // (2j+k−1)!/(2j)! from its value at j−1: times (2j+k−2)(2j+k−1)/((2j−1)(2j)).
        ratio *= (2.0 * j + kf - 2.0) * (2.0 * j + kf - 1.0) / ((2.0 * j - 1.0) * (2.0 * j));
        power *= inv_x2;
        let term = b * ratio * power;
        series += term;
        if term.abs() <= 1e-17 * series.abs() {
            break;
        }
    }
    let sign = if k % 2 == 1 { 1.0 } else { -1.0 };
    sign * (k_fact * shifted + series)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polygamma_continues_digamma_and_trigamma() {
        // ψ⁽²⁾(1) = −2 ζ(3), ψ⁽³⁾(1) = π⁴/15 (exact values).
        let zeta3 = 1.202_056_903_159_594_3;
        assert!((polygamma(2, 1.0) + 2.0 * zeta3).abs() < 1e-14);
        assert!((polygamma(3, 1.0) - PI.powi(4) / 15.0).abs() < 1e-13);
        // The recurrence ψ⁽ᵏ⁾(x + 1) = ψ⁽ᵏ⁾(x) + (−1)ᵏ k! / xᵏ⁺¹ across the shift threshold.
        for &(k, x) in &[(2u32, 0.3), (2, 19.5), (4, 7.25), (5, 40.0)] {
            let kf = f64::from(k);
            let fact: f64 = (1..=k).map(f64::from).product();
            let sign = if k % 2 == 0 { 1.0 } else { -1.0 };
            let lhs = polygamma(k, x + 1.0);
            let rhs = polygamma(k, x) + sign * fact / x.powf(kf + 1.0);
            assert!(
                (lhs - rhs).abs() <= 1e-13 * rhs.abs(),
                "k = {k}, x = {x}: {lhs} vs {rhs}"
            );
        }
        assert!(polygamma(2, -0.5).is_nan());
    }
}
