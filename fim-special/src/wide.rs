//! Floating point with an unbounded exponent, for generated closed forms whose intermediate
//! values leave `f64`'s range while their result does not: ½ ln det F of a gamma model at
//! α = 10⁻³⁰⁰ multiplies ψ₁(α) ≈ 10⁶⁰⁰ by α. `#[fisher_model]` evaluates such a form in
//! [`Wide`] when its `f64` value is not finite.
//!
//! A [`Wide`] is `m · 2ᵉ` with an `f64` mantissa `0.5 ≤ |m| < 1` and an `i64` exponent: each
//! operation rounds its mantissa exactly as `f64` would, so results agree with `f64` to the
//! last bit or two where `f64` does not overflow or underflow. The functions here are the
//! special functions of the crate root (and the `f64` methods the generated code calls) on
//! [`Wide`] arguments, computed where it matters without leaving the range: ψ⁽ᵏ⁾ near its pole
//! at 0, I₀ and I₁ beyond their overflow, e^x for |x| > 709, the normal tails.

use core::ops::{Add, Div, Mul, Neg, Sub};

/// `m · 2ᵉ`: a float with an `f64` mantissa and an `i64` binary exponent (see the module).
#[derive(Clone, Copy, Debug)]
pub struct Wide {
    /// 0.5 ≤ |m| < 1, or 0, ±∞ or NaN (then `e` is 0).
    m: f64,
    e: i64,
}

/// The names of the functions defined here, the free ones and the methods of [`Wide`] that
/// mirror `f64`'s: the engine's table of special functions is checked against it.
pub const FUNCTIONS: &[&str] = &[
    "ln_gamma",
    "digamma",
    "trigamma",
    "polygamma",
    "erf",
    "erfc",
    "norm_cdf",
    "ln_norm_cdf",
    "norm_pdf",
    "bessel_i0",
    "bessel_i1",
    "ln_bessel_i0",
    "ln",
    "exp",
    "abs",
    "sqrt",
    "powi",
    "powf",
    "sin",
    "cos",
    "tan",
    "atan",
    "sinh",
    "cosh",
    "tanh",
    "asinh",
];

/// `x = m · 2ᵉ` with 0.5 ≤ |m| < 1 (`(x, 0)` for 0, ±∞ and NaN).
fn frexp(x: f64) -> (f64, i64) {
    if x == 0.0 || !x.is_finite() {
        return (x, 0);
    }
    let bits = x.to_bits();
    let field = ((bits >> 52) & 0x7ff) as i64;
    if field == 0 {
        // Subnormal: scale into the normal range first.
        let (m, e) = frexp(x * 2f64.powi(64));
        return (m, e - 64);
    }
    let m = f64::from_bits((bits & !(0x7ff_u64 << 52)) | (1022_u64 << 52));
    (m, field - 1022)
}

/// `m · 2ᵉ` in `f64`: ±∞ past its range, 0 (or a subnormal) below it.
fn ldexp(m: f64, e: i64) -> f64 {
    if m == 0.0 || !m.is_finite() {
        return m;
    }
    let e = e.clamp(-2200, 2200) as i32;
    // In two halves, each within 2^±1100, so that no step overflows early.
    let (a, b) = (e / 2, e - e / 2);
    m * 2f64.powi(a) * 2f64.powi(b)
}

impl Wide {
    /// `m · 2ᵉ`, normalized.
    fn new(m: f64, e: i64) -> Wide {
        if m == 0.0 || !m.is_finite() {
            return Wide { m, e: 0 };
        }
        let (m, k) = frexp(m);
        Wide {
            m,
            e: e.saturating_add(k),
        }
    }

    /// The nearest `f64`: ±∞ beyond its range, 0 below it.
    pub fn to_f64(self) -> f64 {
        ldexp(self.m, self.e)
    }

    /// Whether the value is neither infinite nor NaN (whatever its exponent).
    pub fn is_finite(self) -> bool {
        self.m.is_finite()
    }

    /// The natural logarithm, an `f64` for every finite positive value.
    pub fn ln(self) -> Wide {
        if self.m <= 0.0 || !self.m.is_finite() {
            return Wide::from(self.m.ln());
        }
        Wide::from(self.m.ln() + self.e as f64 * core::f64::consts::LN_2)
    }

    /// e^x, beyond `f64`'s range where x > 709 or x < −745.
    pub fn exp(self) -> Wide {
        let x = self.to_f64();
        if x.is_nan() || x.abs() < 700.0 {
            return Wide::from(x.exp());
        }
        if x.abs() > 1e18 {
            return Wide::from(if x > 0.0 { f64::INFINITY } else { 0.0 });
        }
        // e^x = e^r · 2ᵏ with x = k ln 2 + r.
        let k = (x / core::f64::consts::LN_2).round();
        let r = x - k * core::f64::consts::LN_2;
        Wide::new(r.exp(), k as i64)
    }

    /// |x|.
    pub fn abs(self) -> Wide {
        Wide {
            m: self.m.abs(),
            e: self.e,
        }
    }

    /// √x, NaN for x < 0.
    pub fn sqrt(self) -> Wide {
        if self.m <= 0.0 || !self.m.is_finite() {
            return Wide::from(self.m.sqrt());
        }
        let odd = self.e.rem_euclid(2);
        Wide::new((self.m * (1 + odd) as f64).sqrt(), (self.e - odd) / 2)
    }

    /// xⁿ by repeated squaring.
    pub fn powi(self, n: i32) -> Wide {
        let mut base = self;
        let mut acc = Wide::from(1.0);
        let mut k = n.unsigned_abs();
        while k > 0 {
            if k & 1 == 1 {
                acc = acc * base;
            }
            base = base * base;
            k >>= 1;
        }
        if n < 0 {
            Wide::from(1.0) / acc
        } else {
            acc
        }
    }

    /// xʸ as e^(y ln x) (with the sign of x for an integer y, NaN for x < 0 otherwise).
    pub fn powf(self, y: impl Into<Wide>) -> Wide {
        let y = y.into().to_f64();
        if self.m == 0.0 || !self.m.is_finite() || y == 0.0 || !y.is_finite() {
            return Wide::from(self.to_f64().powf(y));
        }
        let magnitude = (Wide::from(y) * self.abs().ln()).exp();
        if self.m > 0.0 {
            magnitude
        } else if y == y.trunc() {
            // An even integer power is positive, an odd one negative.
            if (y / 2.0).trunc() * 2.0 == y {
                magnitude
            } else {
                -magnitude
            }
        } else {
            Wide::from(f64::NAN)
        }
    }

    /// sin x (in `f64`: its value is bounded).
    pub fn sin(self) -> Wide {
        Wide::from(self.to_f64().sin())
    }

    /// cos x.
    pub fn cos(self) -> Wide {
        Wide::from(self.to_f64().cos())
    }

    /// tan x.
    pub fn tan(self) -> Wide {
        Wide::from(self.to_f64().tan())
    }

    /// atan x.
    pub fn atan(self) -> Wide {
        Wide::from(self.to_f64().atan())
    }

    /// sinh x, beyond `f64`'s range as (e^x − e^−x)/2 for |x| > 700.
    pub fn sinh(self) -> Wide {
        let x = self.to_f64();
        if x.abs() < 700.0 {
            return Wide::from(x.sinh());
        }
        let half = Wide::from(0.5);
        half * (self.exp() - (-self).exp())
    }

    /// cosh x, beyond `f64`'s range for |x| > 700.
    pub fn cosh(self) -> Wide {
        let x = self.to_f64();
        if x.abs() < 700.0 {
            return Wide::from(x.cosh());
        }
        Wide::from(0.5) * self.abs().exp()
    }

    /// tanh x.
    pub fn tanh(self) -> Wide {
        Wide::from(self.to_f64().tanh())
    }

    /// asinh x (in `f64`: asinh of the largest `f64` is 710).
    pub fn asinh(self) -> Wide {
        if self.m.is_finite() && self.e > 1000 {
            // asinh x = ln 2|x| for huge |x|, with the sign of x.
            let v = (Wide::from(2.0) * self.abs()).ln();
            return if self.m < 0.0 { -v } else { v };
        }
        Wide::from(self.to_f64().asinh())
    }
}

impl From<f64> for Wide {
    fn from(x: f64) -> Wide {
        let (m, e) = frexp(x);
        Wide { m, e }
    }
}

impl From<Wide> for f64 {
    fn from(x: Wide) -> f64 {
        x.to_f64()
    }
}

impl Neg for Wide {
    type Output = Wide;
    fn neg(self) -> Wide {
        Wide {
            m: -self.m,
            e: self.e,
        }
    }
}

impl Mul for Wide {
    type Output = Wide;
    fn mul(self, b: Wide) -> Wide {
        Wide::new(self.m * b.m, self.e.saturating_add(b.e))
    }
}

impl Div for Wide {
    type Output = Wide;
    fn div(self, b: Wide) -> Wide {
        Wide::new(self.m / b.m, self.e.saturating_sub(b.e))
    }
}

impl Add for Wide {
    type Output = Wide;
    fn add(self, b: Wide) -> Wide {
        if !self.m.is_finite() || !b.m.is_finite() {
            return Wide::from(self.m + b.m);
        }
        if self.m == 0.0 {
            return b;
        }
        if b.m == 0.0 {
            return self;
        }
        let (big, small) = if self.e >= b.e { (self, b) } else { (b, self) };
        let d = big.e - small.e;
        if d > 1100 {
            return big;
        }
        Wide::new(big.m + ldexp(small.m, -d), big.e)
    }
}

impl Sub for Wide {
    type Output = Wide;
    fn sub(self, b: Wide) -> Wide {
        self + -b
    }
}

/// The arithmetic of `f64` with `Wide` on either side, as generated code writes it
/// (`2.0_f64 * x`).
macro_rules! mixed {
    ($($tr:ident $f:ident),*) => {$(
        impl $tr<f64> for Wide {
            type Output = Wide;
            fn $f(self, b: f64) -> Wide {
                $tr::$f(self, Wide::from(b))
            }
        }
        impl $tr<Wide> for f64 {
            type Output = Wide;
            fn $f(self, b: Wide) -> Wide {
                $tr::$f(Wide::from(self), b)
            }
        }
    )*};
}
mixed!(Add add, Sub sub, Mul mul, Div div);

/// The functions whose `f64` value is bounded (or whose argument bounds it) where they are
/// finite: `f` at the `f64` nearest the argument.
macro_rules! through_f64 {
    ($($name:ident),*) => {$(
        #[doc = concat!("[`crate::", stringify!($name), "`] of a [`Wide`] (computed in `f64`).")]
        #[inline]
        pub fn $name(x: impl Into<Wide>) -> Wide {
            Wide::from(crate::$name(x.into().to_f64()))
        }
    )*};
}
through_f64!(erf, ln_norm_cdf, ln_bessel_i0);

/// [`crate::ln_gamma`] of a [`Wide`]: −ln x for a positive x below `f64`'s range (where
/// ln Γ(x) = −ln x − γx + O(x²)).
#[inline]
pub fn ln_gamma(x: impl Into<Wide>) -> Wide {
    let x = x.into();
    if x.m > 0.0 && x.m.is_finite() && x.e < -1000 {
        return -x.ln();
    }
    Wide::from(crate::ln_gamma(x.to_f64()))
}

/// Arguments below this (2⁻³⁰⁰ ≈ 5·10⁻⁹¹) are near the pole of ψ⁽ᵏ⁾ at 0, where
/// ψ⁽ᵏ⁾(x) ≈ (−1)ᵏ⁺¹ k! / xᵏ⁺¹ leaves `f64`'s range for k ≥ 1.
const NEAR_POLE: i64 = -300;

/// [`crate::digamma`] of a [`Wide`]: ψ(x) = ψ(x + 1) − 1/x near 0.
#[inline]
pub fn digamma(x: impl Into<Wide>) -> Wide {
    polygamma(0, x)
}

/// [`crate::trigamma`] of a [`Wide`]: ψ₁(x) = ψ₁(x + 1) + 1/x² near 0.
#[inline]
pub fn trigamma(x: impl Into<Wide>) -> Wide {
    polygamma(1, x)
}

/// [`crate::polygamma`] of a [`Wide`]: ψ⁽ᵏ⁾(x) = ψ⁽ᵏ⁾(x + 1) + (−1)ᵏ⁺¹ k! / xᵏ⁺¹ near 0.
#[inline]
pub fn polygamma(k: u32, x: impl Into<Wide>) -> Wide {
    let x = x.into();
    if x.m > 0.0 && x.m.is_finite() && x.e < NEAR_POLE {
        let mut factorial = Wide::from(1.0);
        for j in 2..=k {
            factorial = factorial * f64::from(j);
        }
        let pole = factorial / x.powi(k as i32 + 1);
        let pole = if k % 2 == 0 { -pole } else { pole };
        return Wide::from(crate::polygamma(k, 1.0 + x.to_f64())) + pole;
    }
    Wide::from(crate::polygamma(k, x.to_f64()))
}

/// [`crate::erfc`] of a [`Wide`]: 2 Φ(−x√2), from ln Φ, below `f64`'s range for x > 26.
#[inline]
pub fn erfc(x: impl Into<Wide>) -> Wide {
    let v = x.into().to_f64();
    if v < 26.0 {
        return Wide::from(crate::erfc(v));
    }
    Wide::from(2.0) * Wide::from(crate::ln_norm_cdf(-v * core::f64::consts::SQRT_2)).exp()
}

/// [`crate::norm_cdf`] of a [`Wide`]: e^(ln Φ(x)), below `f64`'s range for x < −37.
#[inline]
pub fn norm_cdf(x: impl Into<Wide>) -> Wide {
    let v = x.into().to_f64();
    if v > -37.0 {
        return Wide::from(crate::norm_cdf(v));
    }
    Wide::from(crate::ln_norm_cdf(v)).exp()
}

/// [`crate::norm_pdf`] of a [`Wide`]: e^(−x²/2) / √(2π), below `f64`'s range for |x| > 38.
#[inline]
pub fn norm_pdf(x: impl Into<Wide>) -> Wide {
    let x = x.into();
    let v = x.to_f64();
    if v.abs() < 38.0 {
        return Wide::from(crate::norm_pdf(v));
    }
    let inv_sqrt_2pi = 0.398_942_280_401_432_7;
    (Wide::from(-0.5) * x * x).exp() * inv_sqrt_2pi
}

/// [`crate::bessel_i0`] of a [`Wide`]: e^|x| · e^(−|x|) I₀(x), beyond `f64`'s range for
/// |x| > 713.
#[inline]
pub fn bessel_i0(x: impl Into<Wide>) -> Wide {
    let v = x.into().to_f64();
    if v.abs() < 700.0 || !v.is_finite() {
        return Wide::from(crate::bessel_i0(v));
    }
    Wide::from(v.abs()).exp() * spec_math::cephes64::i0e(v.abs())
}

/// [`crate::bessel_i1`] of a [`Wide`]: sign(x) e^|x| · e^(−|x|) I₁(|x|), beyond `f64`'s range
/// for |x| > 713.
#[inline]
pub fn bessel_i1(x: impl Into<Wide>) -> Wide {
    let v = x.into().to_f64();
    if v.abs() < 700.0 || !v.is_finite() {
        return Wide::from(crate::bessel_i1(v));
    }
    let magnitude = Wide::from(v.abs()).exp() * spec_math::cephes64::i1e(v.abs());
    if v < 0.0 {
        -magnitude
    } else {
        magnitude
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Relative difference.
    fn rel(a: f64, b: f64) -> f64 {
        if a == b {
            return 0.0;
        }
        (a - b).abs() / a.abs().max(b.abs())
    }

    const SAMPLES: [f64; 12] = [
        1.0, -2.5, 3.0e-5, 7.25e10, -1.0e-300, 4.9e-324, 1.7e308, 0.1, -0.3, 2.0, 1e-10, 123.456,
    ];

    #[test]
    fn round_trips_every_f64() {
        for &x in &SAMPLES {
            assert_eq!(Wide::from(x).to_f64(), x, "{x}");
        }
        assert!(Wide::from(f64::NAN).to_f64().is_nan());
        assert_eq!(Wide::from(f64::INFINITY).to_f64(), f64::INFINITY);
        assert_eq!(Wide::from(-0.0).to_f64(), 0.0);
    }

    #[test]
    fn arithmetic_is_f64_arithmetic_within_its_range() {
        for &a in &SAMPLES {
            for &b in &SAMPLES {
                let (wa, wb) = (Wide::from(a), Wide::from(b));
                for (w, f, op) in [
                    ((wa + wb).to_f64(), a + b, "+"),
                    ((wa - wb).to_f64(), a - b, "-"),
                    ((wa * wb).to_f64(), a * b, "*"),
                    ((wa / wb).to_f64(), a / b, "/"),
                ] {
                    // Where f64 stays normal the result is the same rounding of the same value.
                    if f.is_finite() && (f == 0.0 || f.abs() > 1e-300) {
                        assert!(rel(w, f) <= 2.0 * f64::EPSILON, "{a} {op} {b}: {w} vs {f}");
                    }
                }
            }
        }
    }

    #[test]
    fn values_beyond_f64_keep_their_digits() {
        // (10⁻²⁰⁰)³ / (10⁻²⁰⁰)² = 10⁻²⁰⁰, through 10⁻⁶⁰⁰.
        let t = Wide::from(1e-200);
        assert!(rel((t * t * t / (t * t)).to_f64(), 1e-200) < 1e-15);
        // ln(10⁶⁰⁰) = 600 ln 10.
        let big = Wide::from(1e300) * Wide::from(1e300);
        assert!(!big.to_f64().is_finite() && big.is_finite());
        assert!(rel(big.ln().to_f64(), 600.0 * 10f64.ln()) < 1e-15);
        assert!(rel(big.sqrt().to_f64(), 1e300) < 1e-15);
        assert!(
            rel(
                Wide::from(1e-200).powi(-3).ln().to_f64(),
                600.0 * 10f64.ln()
            ) < 1e-15
        );
        assert!(rel(Wide::from(1000.0).exp().ln().to_f64(), 1000.0) < 1e-15);
        assert!(
            rel(
                Wide::from(1e-200).powf(2.5).ln().to_f64(),
                -500.0 * 10f64.ln()
            ) < 1e-14
        );
        assert!(rel(Wide::from(-2.0).powf(3.0).to_f64(), -8.0) < 1e-15);
        assert!(Wide::from(-2.0).powf(0.5).to_f64().is_nan());
        assert!(rel(Wide::from(800.0).cosh().ln().to_f64(), 800.0 - 2f64.ln()) < 1e-15);
    }

    #[test]
    fn functions_agree_with_the_f64_ones_inside_their_range() {
        for &x in &[0.3, 1.0, 2.5, 17.0, 150.0] {
            let w = Wide::from(x);
            for (a, b, name) in [
                (trigamma(w).to_f64(), crate::trigamma(x), "trigamma"),
                (digamma(w).to_f64(), crate::digamma(x), "digamma"),
                (
                    polygamma(3, w).to_f64(),
                    crate::polygamma(3, x),
                    "polygamma",
                ),
                (bessel_i0(w).to_f64(), crate::bessel_i0(x), "bessel_i0"),
                (bessel_i1(w).to_f64(), crate::bessel_i1(x), "bessel_i1"),
                (erfc(w).to_f64(), crate::erfc(x), "erfc"),
                (norm_cdf(-w).to_f64(), crate::norm_cdf(-x), "norm_cdf"),
                (norm_pdf(w).to_f64(), crate::norm_pdf(x), "norm_pdf"),
            ] {
                assert_eq!(a, b, "{name}({x})");
            }
        }
    }

    #[test]
    fn functions_beyond_f64_follow_their_asymptotics() {
        // ψ₁(x) = 1/x² + ψ₁(1 + x): at 10⁻³⁰⁰, ln ψ₁ = 600 ln 10 to every digit.
        let tiny = Wide::from(1e-300);
        assert!(rel(trigamma(tiny).ln().to_f64(), 600.0 * 10f64.ln()) < 1e-15);
        // x ψ₁(x) − 1 = 1/x + x ψ₁(1 + x) − 1.
        let v = tiny * trigamma(tiny) - Wide::from(1.0);
        assert!(rel(v.to_f64(), 1e300) < 1e-15);
        // ψ⁽³⁾(x) ≈ 6/x⁴, ψ(x) ≈ −1/x.
        assert!(
            rel(
                polygamma(3, tiny).ln().to_f64(),
                6f64.ln() + 1200.0 * 10f64.ln()
            ) < 1e-15
        );
        let sub = Wide::from(1e-320);
        assert!(rel((digamma(sub) * sub).to_f64(), -1.0) < 1e-15);
        assert!(rel(ln_gamma(sub * sub).to_f64(), 640.0 * 10f64.ln()) < 1e-5);
        // ln I₀(x) = x − ½ ln(2πx) + ln(1 + 1/(8x) + …) at x = 2000.
        let x = 2000.0_f64;
        let series = 1.0 + 1.0 / (8.0 * x) + 9.0 / (128.0 * x * x);
        let want = x - 0.5 * (2.0 * core::f64::consts::PI * x).ln() + series.ln();
        assert!(rel(bessel_i0(Wide::from(x)).ln().to_f64(), want) < 1e-14);
        assert!(
            rel(
                bessel_i0(Wide::from(x)).ln().to_f64(),
                crate::ln_bessel_i0(x)
            ) < 1e-15
        );
        // I₁/I₀ = 1 − 1/(2x) − 1/(8x²) + … far out.
        let ratio = (bessel_i1(Wide::from(x)) / bessel_i0(Wide::from(x))).to_f64();
        assert!(rel(ratio, 1.0 - 1.0 / (2.0 * x) - 1.0 / (8.0 * x * x)) < 1e-10);
        // φ(40) = e^−800 / √(2π), Φ(−40) from ln Φ.
        let pdf = norm_pdf(Wide::from(40.0)).ln().to_f64();
        assert!(rel(pdf, -800.0 - 0.5 * (2.0 * core::f64::consts::PI).ln()) < 1e-15);
        assert!(
            rel(
                norm_cdf(Wide::from(-40.0)).ln().to_f64(),
                crate::ln_norm_cdf(-40.0)
            ) < 1e-15
        );
    }
}
