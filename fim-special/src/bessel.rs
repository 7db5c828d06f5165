//! The modified Bessel functions of the first kind I₀ and I₁, and ln I₀, from the
//! exponentially scaled functions e^(−|x|) I₀(x) and e^(−|x|) I₁(x) of `spec_math` (a port of
//! Cephes' Chebyshev expansions `i0e` and `i1e`), so that ln I₀ never overflows.

/// e^(|x|) times `scaled`, without overflowing early: I₀(x) is finite up to about x = 713.98,
/// while e^x overflows past 709.78.
#[inline]
fn unscale(ax: f64, scaled: f64) -> f64 {
    if ax < 700.0 {
        ax.exp() * scaled
    } else {
        let h = (0.5 * ax).exp();
        h * scaled * h
    }
}

/// I₀(x) − 1 = Σₖ≥₁ (x²/4)ᵏ / (k!)² (A&S 9.6.12) for |x| < 3: all terms positive, so the sum
/// keeps its relative accuracy (the scaled Chebyshev form loses about 2 ulp near 0).
#[inline]
fn i0_minus_1(ax: f64) -> f64 {
    let q = 0.25 * ax * ax;
    let mut term = 1.0;
    let mut sum = 0.0;
    let mut k = 1.0;
    loop {
        term *= q / (k * k);
        sum += term;
        if term < 1e-17 * sum || term == 0.0 {
            return sum;
        }
        k += 1.0;
    }
}

/// `I₀(x)`, the modified Bessel function of the first kind of order 0; even, ≥ 1; +∞ at ±∞
/// and beyond |x| ≈ 713.98 (where it overflows; use [`ln_bessel_i0`] there); NaN for NaN.
#[inline]
pub fn bessel_i0(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let ax = x.abs();
    if ax == f64::INFINITY {
        return f64::INFINITY;
    }
    if ax < 3.0 {
        return 1.0 + i0_minus_1(ax);
    }
    unscale(ax, spec_math::cephes64::i0e(ax))
}

/// `I₁(x)`, the modified Bessel function of the first kind of order 1; odd, with the sign of
/// x; ±∞ at ±∞ and beyond |x| ≈ 713.98 (where it overflows); NaN for NaN.
#[inline]
pub fn bessel_i1(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let ax = x.abs();
    let v = if ax == f64::INFINITY {
        f64::INFINITY
    } else {
        unscale(ax, spec_math::cephes64::i1e(ax))
    };
    if x < 0.0 {
        -v
    } else {
        v
    }
}

/// `ln I₀(x)`, finite for every finite x: |x| + ln(e^(−|x|) I₀(x)), so that it is about
/// |x| − ½ ln(2π|x|) far beyond the overflow of I₀ (ln I₀(1000) ≈ 995.9); +∞ at ±∞, NaN for
/// NaN. For |x| < 3, where ln I₀(x) ≈ x²/4, it is `ln_1p(I₀(x) − 1)` with I₀(x) − 1 summed from its
/// series, so that the result keeps its relative accuracy.
#[inline]
pub fn ln_bessel_i0(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let ax = x.abs();
    if ax == f64::INFINITY {
        return f64::INFINITY;
    }
    if ax < 3.0 {
        return i0_minus_1(ax).ln_1p();
    }
    ax + spec_math::cephes64::i0e(ax).ln()
}
