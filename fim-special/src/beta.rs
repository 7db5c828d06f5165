//! The logarithm of the beta function, accurate where lnΓ(a) + lnΓ(b) − lnΓ(a + b) is not.

use crate::ln_gamma;

/// ½ ln(2π).
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// lnΓ(x) − ((x − ½) ln x − x + ½ ln 2π), the remainder of Stirling's formula, for x ≥ 10:
/// Σₖ B₂ₖ / (2k (2k − 1) x²ᵏ⁻¹) over k = 1..=10 (A&S 6.1.40), below 1e-18 relative at x = 10.
#[inline]
fn stirling_remainder(x: f64) -> f64 {
    // B₂ₖ / (2k (2k − 1)) for k = 1..=10.
    const C: [f64; 10] = [
        1.0 / 12.0,
        -1.0 / 360.0,
        1.0 / 1260.0,
        -1.0 / 1680.0,
        1.0 / 1188.0,
        -691.0 / 360_360.0,
        1.0 / 156.0,
        -3617.0 / 122_400.0,
        43867.0 / 244_188.0,
        -174_611.0 / 125_400.0,
    ];
    let z = 1.0 / (x * x);
    let mut s = 0.0;
    for c in C.iter().rev() {
        s = s * z + c;
    }
    s / x
}

/// `ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b)` for a, b > 0; +∞ when either is 0, −∞ when
/// one is +∞ and the other finite; NaN for negative or NaN arguments.
///
/// Computed as R's `lbeta` (C. Loader) does, so that no large lnΓ values cancel: with
/// p = min(a, b) and q = max(a, b),
/// - p ≥ 10: −½ ln q + ½ ln 2π + corr + (p − ½) ln(p/(p+q)) + q ln(1 − p/(p+q)), with corr the
///   Stirling remainders of p, q and p + q;
/// - q ≥ 10 > p: lnΓ(p) + corr + p − p ln(p+q) + (q − ½) ln(1 − p/(p+q));
/// - otherwise ln(Γ(p) Γ(q) / Γ(p+q)), whose gammas neither overflow nor cancel there.
///
/// Error below 8e-16 (3.5 ulp) relative, or absolute where |ln B(a, b)| < 1 (B(1, 1) = 1):
/// no method that forms B or the lnΓ values first keeps relative accuracy near a zero of ln B.
#[inline]
pub fn ln_beta(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() || a < 0.0 || b < 0.0 {
        return f64::NAN;
    }
    let (p, q) = if a < b { (a, b) } else { (b, a) };
    if p == 0.0 {
        return f64::INFINITY;
    }
    if q == f64::INFINITY {
        return if p == f64::INFINITY {
            f64::NAN
        } else {
            f64::NEG_INFINITY
        };
    }
    let s = p + q;
    let r = p / s;
    if p >= 10.0 {
        let corr = stirling_remainder(p) + stirling_remainder(q) - stirling_remainder(s);
        -0.5 * q.ln() + LN_SQRT_2PI + corr + (p - 0.5) * r.ln() + q * (-r).ln_1p()
    } else if q >= 10.0 {
        let corr = stirling_remainder(q) - stirling_remainder(s);
        ln_gamma(p) + corr + p - p * s.ln() + (q - 0.5) * (-r).ln_1p()
    } else {
        (libm::tgamma(p) * (libm::tgamma(q) / libm::tgamma(s))).ln()
    }
}
