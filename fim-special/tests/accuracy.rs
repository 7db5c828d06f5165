//! Every run-time function against 60-digit reference values (`reference/values.rs`, written
//! by `reference/generate.py` with mpmath; the script says how to run it). The error of a
//! result is measured against the true value hi + lo, in units of the result's magnitude.
//! Each bound below is the largest relative error measured over the table, rounded up; run
//! with `--nocapture` to see the figures.

#[allow(clippy::all, clippy::pedantic)]
mod reference {
    include!("reference/values.rs");
}

use fim_special::*;

/// |got − (hi + lo)| / |hi + lo|, computed so that the reference's own rounding does not count.
fn rel_err(got: f64, hi: f64, lo: f64) -> f64 {
    if got == hi && lo == 0.0 {
        return 0.0;
    }
    ((got - hi) - lo).abs() / hi.abs()
}

/// The largest relative error of `f` over `rows`, and the argument where it is reached.
fn worst(rows: &[(f64, f64, f64)], f: impl Fn(f64) -> f64) -> (f64, f64) {
    let mut out = (0.0, f64::NAN);
    for &(x, hi, lo) in rows {
        let got = f(x);
        let e = rel_err(got, hi, lo);
        assert!(e.is_finite(), "f({x:e}) = {got:e}, want {hi:e}");
        if e > out.0 {
            out = (e, x);
        }
    }
    out
}

fn check(name: &str, rows: &[(f64, f64, f64)], f: impl Fn(f64) -> f64, bound: f64) {
    let (e, x) = worst(rows, f);
    println!(
        "{name:>14}: max relative error {e:.2e} ({:.2} ulp of 1) at x = {x:e}, over {} points",
        e / f64::EPSILON,
        rows.len()
    );
    assert!(
        e <= bound,
        "{name}: relative error {e:e} at x = {x:e} > {bound:e}"
    );
}

#[test]
fn error_functions() {
    check("erf", reference::ERF, erf, 2e-16);
    check("erfc", reference::ERFC, erfc, 3e-16);
}

#[test]
fn normal_distribution() {
    check("norm_cdf", reference::NORM_CDF, norm_cdf, 3e-16);
    check("ln_norm_cdf", reference::LN_NORM_CDF, ln_norm_cdf, 3e-16);
    check("norm_pdf", reference::NORM_PDF, norm_pdf, 3e-16);
}

#[test]
fn bessel_functions() {
    check("bessel_i0", reference::BESSEL_I0, bessel_i0, 4.5e-16);
    // Cephes' i1e, which documents a peak of 2e-15 over [0, 30]; 3.5 ulp measured here.
    check("bessel_i1", reference::BESSEL_I1, bessel_i1, 8e-16);
    check("ln_bessel_i0", reference::LN_BESSEL_I0, ln_bessel_i0, 3e-16);
}

#[test]
fn log_beta() {
    // Relative error, except where ln B is near 0 (B(1, 1) = 1), where it is absolute.
    let mut out = (0.0, 0.0, 0.0);
    for &(a, b, hi, lo) in reference::LN_BETA {
        let got = ln_beta(a, b);
        assert_eq!(got, ln_beta(b, a), "ln B is symmetric");
        let e = ((got - hi) - lo).abs() / hi.abs().max(1.0);
        if e > out.0 {
            out = (e, a, b);
        }
    }
    println!(
        "{:>14}: max error {:.2e} relative (absolute where |ln B| < 1) at (a, b) = ({:e}, {:e}), over {} points",
        "ln_beta",
        out.0,
        out.1,
        out.2,
        reference::LN_BETA.len()
    );
    // Where a, b < 10 it is ln(Γ(p) Γ(q) / Γ(p + q)), three gammas of about 1 ulp each.
    assert!(
        out.0 <= 8e-16,
        "ln_beta: error {:e} at ({:e}, {:e})",
        out.0,
        out.1,
        out.2
    );
}

/// NaN in, NaN out; the documented values at ±∞ and outside the domain.
#[test]
fn non_finite_and_outside_the_domain() {
    type Case = (&'static str, fn(f64) -> f64, f64, f64);
    let unary: [Case; 8] = [
        ("erf", erf, -1.0, 1.0),
        ("erfc", erfc, 2.0, 0.0),
        ("norm_cdf", norm_cdf, 0.0, 1.0),
        ("ln_norm_cdf", ln_norm_cdf, f64::NEG_INFINITY, 0.0),
        ("norm_pdf", norm_pdf, 0.0, 0.0),
        ("bessel_i0", bessel_i0, f64::INFINITY, f64::INFINITY),
        ("bessel_i1", bessel_i1, f64::NEG_INFINITY, f64::INFINITY),
        ("ln_bessel_i0", ln_bessel_i0, f64::INFINITY, f64::INFINITY),
    ];
    for (name, f, at_minus_inf, at_inf) in unary {
        assert!(f(f64::NAN).is_nan(), "{name}(NaN)");
        assert_eq!(f(f64::NEG_INFINITY), at_minus_inf, "{name}(−∞)");
        assert_eq!(f(f64::INFINITY), at_inf, "{name}(+∞)");
    }
    // Finite far in the tails, where the plain formulas give ∓∞.
    assert!((ln_norm_cdf(-40.0) - -804.608_442_013_754_2).abs() < 1e-12);
    assert!((ln_bessel_i0(1000.0) - 995.627_308_889_869_5).abs() < 1e-12);
    assert_eq!(bessel_i0(800.0), f64::INFINITY);
    assert!(ln_beta(-1.0, 2.0).is_nan());
    assert!(ln_beta(f64::NAN, 2.0).is_nan());
    assert_eq!(ln_beta(0.0, 2.0), f64::INFINITY);
    assert_eq!(ln_beta(2.0, f64::INFINITY), f64::NEG_INFINITY);
    assert!(ln_beta(f64::INFINITY, f64::INFINITY).is_nan());
}
