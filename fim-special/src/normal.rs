//! The error function and the standard normal distribution: erf and erfc from `libm` (the
//! musl/FreeBSD implementations, under 1 ulp), Φ, ln Φ and φ written here on top of them so
//! that they stay accurate to a few ulp far into the tails.

/// 1/√2 as the sum of two `f64`s: the nearest `f64`, and the nearest `f64` to the remainder.
const FRAC_1_SQRT_2_HI: f64 = core::f64::consts::FRAC_1_SQRT_2;
const FRAC_1_SQRT_2_LO: f64 = -4.833_646_656_726_457e-17;
/// 1/√π.
const FRAC_1_SQRT_PI: f64 = 0.564_189_583_547_756_3;
/// 1/√(2π).
const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_7;
/// ½ ln(2π).
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// The exact product `a b = p + e` (Dekker's algorithm with Veltkamp's splitting, no FMA
/// needed); `|a|, |b| < 1e150` so that the splitting cannot overflow.
#[inline]
fn two_prod(a: f64, b: f64) -> (f64, f64) {
    #[inline]
    fn split(a: f64) -> (f64, f64) {
        let c = 134_217_729.0 * a; // 2^27 + 1
        let hi = c - (c - a);
        (hi, a - hi)
    }
    let p = a * b;
    let (ah, al) = split(a);
    let (bh, bl) = split(b);
    let e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
    (p, e)
}

/// The error function `erf(x) = 2/√π ∫₀ˣ e^(−t²) dt`; ±1 at ±∞, NaN for NaN.
#[inline]
pub fn erf(x: f64) -> f64 {
    libm::erf(x)
}

/// The complementary error function `erfc(x) = 1 − erf(x)`, accurate where `1 − erf(x)` is
/// not (x > 1); 0 at +∞, 2 at −∞, NaN for NaN.
#[inline]
pub fn erfc(x: f64) -> f64 {
    libm::erfc(x)
}

/// `Φ(x)`, the distribution function of the standard normal; 0 at −∞, 1 at +∞, NaN for NaN.
///
/// `Φ(x) = erfc(−x/√2) / 2`. For x < 0 the argument −x/√2 is carried as a sum `zₕ + zₗ` of two
/// `f64`s and erfc(zₕ + zₗ) = erfc(zₕ) − 2/√π e^(−zₕ²) zₗ to first order: the rounding of −x/√2
/// alone would cost a relative error of about x² ulp (1e-13 at x = −37).
#[inline]
pub fn norm_cdf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x >= 0.0 {
        return 1.0 - 0.5 * erfc(x * FRAC_1_SQRT_2_HI);
    }
    if x < -40.0 {
        // Φ(−40) ≈ 3.7e-350: zero in f64 (and −∞, where the product below would overflow).
        return 0.0;
    }
    let t = -x;
    let (zh, e) = two_prod(t, FRAC_1_SQRT_2_HI);
    let zl = e + t * FRAC_1_SQRT_2_LO;
    0.5 * erfc(zh) - FRAC_1_SQRT_PI * (-zh * zh).exp() * zl
}

/// `ln Φ(x)`, the logarithm of the standard normal distribution function, finite for every
/// finite x: about −x²/2 far in the lower tail (ln Φ(−40) ≈ −804.6, where Φ itself underflows)
/// and about −Φ(−x) in the upper one; 0 at +∞, −∞ at −∞, NaN for NaN.
///
/// ln(1 − Φ(−x)) for x > 0 (through `ln_1p`), ln Φ(x) for −20 ≤ x ≤ 0, and below −20 the
/// asymptotic expansion ln Φ(x) = −x²/2 − ln(−x) − ½ ln 2π + ln(1 + Σₙ (−1)ⁿ (2n−1)!! / x²ⁿ)
/// (Abramowitz & Stegun 26.2.12), summed until its terms fall below 1e-17.
#[inline]
pub fn ln_norm_cdf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x > 0.0 {
        return (-norm_cdf(-x)).ln_1p();
    }
    if x >= -20.0 {
        return norm_cdf(x).ln();
    }
    if x == f64::NEG_INFINITY {
        return f64::NEG_INFINITY;
    }
    // x² overflows (the series is then 0, and the result −∞) only where −x²/2 itself does.
    let inv_x2 = 1.0 / (x * x);
    let mut term = 1.0;
    let mut sum = 0.0;
    let mut n = 1.0;
    loop {
        term *= -(2.0 * n - 1.0) * inv_x2;
        sum += term;
        if term.abs() < 1e-17 {
            break;
        }
        n += 1.0;
    }
    -0.5 * x * x - (-x).ln() - LN_SQRT_2PI + sum.ln_1p()
}

/// `φ(x) = e^(−x²/2) / √(2π)`, the density of the standard normal; 0 at ±∞, NaN for NaN.
///
/// x² is formed exactly as `p + e` (two `f64`s), so that e^(−x²/2) = e^(−p/2) (1 − e/2) keeps
/// its last digits for large |x|, where the rounding of x² alone would cost about x²/2 ulp.
#[inline]
pub fn norm_pdf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x.abs() > 40.0 {
        // φ(40) ≈ 1.5e-348: zero in f64.
        return 0.0;
    }
    let (p, e) = two_prod(x, x);
    (-0.5 * p).exp() * (1.0 - 0.5 * e) * FRAC_1_SQRT_2PI
}
