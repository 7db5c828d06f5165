//! One test per derivative rule, string in and string out: the derivative of the source text
//! is compared with the expected source text as IR ids (identical expressions are the same id),
//! or by `simplify::is_zero` of the difference where canonical forms legitimately differ.

use fim_core::parse::parse_str;
use fim_core::simplify::{self, Domain};
use fim_core::{print, Arena, Id};

/// Parses `src` into `a`, panicking with the parser's message on error.
fn p(a: &mut Arena, src: &str) -> Id {
    parse_str(a, src).unwrap_or_else(|e| panic!("cannot parse `{src}`: {e}"))
}

/// `∂ src / ∂ var`.
fn d(a: &mut Arena, src: &str, var: &str) -> Id {
    let f = p(a, src);
    let s = a.symbol(var);
    a.diff(f, s)
}

/// `∂ src / ∂ var` is `expected`, as the same IR node.
fn same(src: &str, var: &str, expected: &str) {
    let mut a = Arena::new();
    let got = d(&mut a, src, var);
    let want = p(&mut a, expected);
    assert_eq!(
        got,
        want,
        "d({src})/d{var}: got `{}`, expected `{}`",
        print::rust(&a, got),
        print::rust(&a, want)
    );
}

/// `∂ src / ∂ var - expected` simplifies to zero (canonical forms differ, values do not).
fn equal(src: &str, var: &str, expected: &str) {
    let mut a = Arena::new();
    let got = d(&mut a, src, var);
    let want = p(&mut a, expected);
    let diff = a.sub(got, want);
    assert!(
        simplify::is_zero(&mut a, &Domain::new(), diff),
        "d({src})/d{var}: got `{}`, expected `{}`",
        print::rust(&a, got),
        print::rust(&a, want)
    );
}

/// The second derivative `∂² src / ∂ v1 ∂ v2` is `expected` (by simplification).
fn second(src: &str, v1: &str, v2: &str, expected: &str) {
    let mut a = Arena::new();
    let f = p(&mut a, src);
    let (s1, s2) = (a.symbol(v1), a.symbol(v2));
    let d1 = a.diff(f, s1);
    let got = a.diff(d1, s2);
    let want = p(&mut a, expected);
    let diff = a.sub(got, want);
    assert!(
        simplify::is_zero(&mut a, &Domain::new(), diff),
        "d²({src})/d{v1}d{v2}: got `{}`, expected `{}`",
        print::rust(&a, got),
        print::rust(&a, want)
    );
}

// ---- leaves ---------------------------------------------------------------------------------

#[rustfmt::skip]
#[test]
fn leaves() {
    same("x", "x", "1.0");
    same("y", "x", "0.0");
    same("2.5", "x", "0.0");
    same("std::f64::consts::PI", "x", "0.0");
    same("std::f64::consts::E * x", "x", "1.0_f64.exp()");
}

// ---- arithmetic -----------------------------------------------------------------------------

#[rustfmt::skip]
#[test]
fn sum_and_difference() {
    same("x + y", "x", "1.0");
    same("x.powi(2) + 3.0 * x + y", "x", "2.0 * x + 3.0");
    same("x - y", "y", "-1.0");
    same("x.ln() - x.exp()", "x", "1.0 / x - x.exp()");
}

#[rustfmt::skip]
#[test]
fn constant_multiple() {
    same("3.0 * x", "x", "3.0");
    same("0.1 * x.powi(2)", "x", "0.2 * x");
    same("-x", "x", "-1.0");
}

#[rustfmt::skip]
#[test]
fn product() {
    same("x * y", "x", "y");
    same("x * x.ln()", "x", "x.ln() + 1.0");
    same("x.exp() * y.ln()", "x", "x.exp() * y.ln()");
    equal("(x + 1.0) * (x - 2.0)", "x", "2.0 * x - 1.0");
    equal("x * y * z", "y", "x * z");
}

#[rustfmt::skip]
#[test]
fn quotient() {
    same("x / y", "x", "1.0 / y");
    same("x / y", "y", "-x / y.powi(2)");
    equal("x / (1.0 + x)", "x", "1.0 / (1.0 + x).powi(2)");
    equal("(x + y) / (x - y)", "x", "-2.0 * y / (x - y).powi(2)");
}

// ---- powers -------------------------------------------------------------------------------

#[rustfmt::skip]
#[test]
fn powi() {
    same("x.powi(3)", "x", "3.0 * x.powi(2)");
    same("x.powi(2)", "x", "2.0 * x");
    same("x.powi(1)", "x", "1.0");
    same("x.powi(0)", "x", "0.0");
    same("x.powi(-2)", "x", "-2.0 * x.powi(-3)");
    same("(2.0 * x + y).powi(3)", "x", "6.0 * (2.0 * x + y).powi(2)");
}

#[rustfmt::skip]
#[test]
fn powf_with_constant_exponent() {
    same("x.powf(2.5)", "x", "2.5 * x.powf(1.5)");
    same("x.powf(-0.5)", "x", "-0.5 * x.powf(-1.5)");
    same("x.powf(1.0 / 3.0)", "x", "x.powf(-2.0 / 3.0) / 3.0");
}

#[rustfmt::skip]
#[test]
fn powf_with_symbolic_exponent() {
    same("x.powf(y)", "y", "x.powf(y) * x.ln()");
    same("x.powf(y)", "x", "y * x.powf(y - 1.0)");
    equal("x.powf(x)", "x", "x.powf(x) * (x.ln() + 1.0)");
    equal("2.0_f64.powf(x)", "x", "2.0_f64.powf(x) * 2.0_f64.ln()");
    equal("x.powf(y.ln())", "y", "x.powf(y.ln()) * x.ln() / y");
}

#[rustfmt::skip]
#[test]
fn sqrt() {
    same("x.sqrt()", "x", "0.5 / x.sqrt()");
    same("x.sqrt()", "x", "x.powf(-0.5) / 2.0");
    equal("(1.0 + x.powi(2)).sqrt()", "x", "x / (1.0 + x.powi(2)).sqrt()");
}

#[rustfmt::skip]
#[test]
fn recip() {
    same("x.recip()", "x", "-1.0 / x.powi(2)");
    same("(1.0 + x).recip()", "x", "-(1.0 + x).powi(-2)");
}

// ---- functions ----------------------------------------------------------------------------

#[rustfmt::skip]
#[test]
fn ln() {
    same("x.ln()", "x", "1.0 / x");
    same("f64::ln(x)", "x", "x.recip()");
    same("(2.0 * x).ln()", "x", "1.0 / x");
    equal("(x * y).ln()", "x", "1.0 / x");
}

#[rustfmt::skip]
#[test]
fn exp() {
    same("x.exp()", "x", "x.exp()");
    same("(2.0 * x).exp()", "x", "2.0 * (2.0 * x).exp()");
    same("(x * y).exp()", "y", "x * (x * y).exp()");
}

#[rustfmt::skip]
#[test]
fn ln_1p() {
    same("x.ln_1p()", "x", "1.0 / (1.0 + x)");
    same("(2.0 * x).ln_1p()", "x", "2.0 / (1.0 + 2.0 * x)");
}

#[rustfmt::skip]
#[test]
fn exp_m1() {
    same("x.exp_m1()", "x", "x.exp()");
    same("(3.0 * x).exp_m1()", "x", "3.0 * (3.0 * x).exp()");
}

#[rustfmt::skip]
#[test]
fn abs() {
    same("x.abs()", "x", "x / x.abs()");
    // The derivative is `-1 * (x - y) * |x - y|^-1`; parsed, `-(x - y)` distributes first.
    equal("(x - y).abs()", "y", "-(x - y) / (x - y).abs()");
}

#[rustfmt::skip]
#[test]
fn ln_gamma_gives_digamma() {
    same("ln_gamma(x)", "x", "digamma(x)");
    same("ln_gamma(x + y)", "y", "digamma(x + y)");
    same("fim::special::ln_gamma(2.0 * x)", "x", "2.0 * digamma(2.0 * x)");
}

#[rustfmt::skip]
#[test]
fn digamma_gives_trigamma() {
    same("digamma(x)", "x", "trigamma(x)");
    same("digamma(x * y)", "x", "y * trigamma(x * y)");
}

#[rustfmt::skip]
#[test]
fn trigamma_gives_polygamma_2() {
    same("trigamma(x)", "x", "polygamma(2, x)");
    same("polygamma(2, x)", "x", "polygamma(3, x)");
    let mut a = Arena::new();
    let got = d(&mut a, "trigamma(x)", "x");
    assert_eq!(print::rust(&a, got), "polygamma(2, x)");
}

// ---- the functions statisticians use ---------------------------------------------------------

#[rustfmt::skip]
#[test]
fn trigonometric_and_hyperbolic() {
    same("x.sin()", "x", "x.cos()");
    same("x.cos()", "x", "-x.sin()");
    same("(2.0 * x).sin()", "x", "2.0 * (2.0 * x).cos()");
    same("x.tan()", "x", "1.0 + x.tan().powi(2)");
    same("x.atan()", "x", "1.0 / (1.0 + x.powi(2))");
    same("x.sinh()", "x", "x.cosh()");
    same("x.cosh()", "x", "x.sinh()");
    same("x.tanh()", "x", "1.0 - x.tanh().powi(2)");
    same("x.asinh()", "x", "1.0 / (1.0 + x.powi(2)).sqrt()");
    same("f64::sin(x * y)", "y", "x * (x * y).cos()");
    // The argument's sign is normalized when built: cos is even, sin odd.
    // d/dμ cos(μ − x) = −sin(μ − x) = sin(x − μ); d/dμ sin(μ − x) = cos(μ − x) = cos(x − μ).
    same("(mu - x).cos()", "mu", "(x - mu).sin()");
    same("(mu - x).sin()", "mu", "(x - mu).cos()");
}

#[rustfmt::skip]
#[test]
fn error_function_and_normal_distribution() {
    same("erf(x)", "x", "2.0 / std::f64::consts::PI.sqrt() * (-x.powi(2)).exp()");
    same("erfc(x)", "x", "-2.0 / std::f64::consts::PI.sqrt() * (-x.powi(2)).exp()");
    same("norm_cdf(x)", "x", "norm_pdf(x)");
    same("norm_cdf(a + b * c)", "b", "c * norm_pdf(a + b * c)");
    same("ln_norm_cdf(x)", "x", "norm_pdf(x) / norm_cdf(x)");
    same("norm_cdf(x).ln()", "x", "norm_pdf(x) / norm_cdf(x)");
    same("norm_pdf(x)", "x", "-x * norm_pdf(x)");
    // ln φ is a polynomial: ln φ(x) = −x²/2 − ln(2π)/2.
    same("norm_pdf(x).ln()", "x", "-x");
}

#[rustfmt::skip]
#[test]
fn bessel_functions() {
    same("bessel_i0(x)", "x", "bessel_i1(x)");
    same("bessel_i1(x)", "x", "bessel_i0(x) - bessel_i1(x) / x");
    same("ln_bessel_i0(x)", "x", "bessel_i1(x) / bessel_i0(x)");
    same("bessel_i0(k).ln()", "k", "bessel_i1(k) / bessel_i0(k)");
    equal("(2.0 * std::f64::consts::PI * bessel_i0(k)).ln()", "k", "bessel_i1(k) / bessel_i0(k)");
}

#[rustfmt::skip]
#[test]
fn definitions_of_two_arguments() {
    equal("x.hypot(y)", "x", "x / (x.powi(2) + y.powi(2)).sqrt()");
    equal("f64::hypot(x, y)", "y", "y / (x * x + y * y).sqrt()");
    same("ln_beta(a, b)", "a", "digamma(a) - digamma(a + b)");
    same("fim::special::ln_beta(a, b)", "b", "digamma(b) - digamma(a + b)");
    second("ln_beta(a, b)", "a", "b", "-trigamma(a + b)");
}

#[rustfmt::skip]
#[test]
fn second_derivatives_meet_the_identities() {
    // (sin x)'' = −sin x; (sin² x + cos² x)' = 0 by cos² = 1 − sin².
    second("x.sin()", "x", "x", "-x.sin()");
    equal("x.sin().powi(2) + x.cos().powi(2)", "x", "0.0");
    equal("x.cosh().powi(2) - x.sinh().powi(2)", "x", "0.0");
    // (ln I₀)'' = 1 − I₁/(x I₀) − (I₁/I₀)², the von Mises information per unit.
    second("ln_bessel_i0(k)", "k", "k", "1.0 - bessel_i1(k) / (k * bessel_i0(k)) - (bessel_i1(k) / bessel_i0(k)).powi(2)");
}

// ---- composition --------------------------------------------------------------------------

#[rustfmt::skip]
#[test]
fn chain_rule() {
    same("(x.powi(2) + y).ln()", "x", "2.0 * x / (x.powi(2) + y)");
    same("x.ln().ln()", "x", "1.0 / (x * x.ln())");
    same("x.powi(2).exp()", "x", "2.0 * x * x.powi(2).exp()");
    same("x.ln().sqrt()", "x", "0.5 / (x * x.ln().sqrt())");
    same("ln_gamma(x.exp())", "x", "x.exp() * digamma(x.exp())");
    equal("(1.0 - x.powi(2)).powi(3)", "x", "-6.0 * x * (1.0 - x.powi(2)).powi(2)");
    same("(x * y).exp().ln()", "x", "y");
}

#[rustfmt::skip]
#[test]
fn let_bindings_are_differentiated_inlined() {
    same("let a = 1.0 - theta; x * theta.ln() + (n - x) * a.ln()", "theta", "x / theta - (n - x) / (1.0 - theta)");
}

#[rustfmt::skip]
#[test]
fn absent_symbol_is_zero() {
    same("x.powi(2) + y.ln() * ln_gamma(z)", "w", "0.0");
    same("(x * y).exp()", "theta", "0.0");
    same("digamma(x)", "y", "0.0");
}

#[rustfmt::skip]
#[test]
fn second_derivatives() {
    second("x.powi(3)", "x", "x", "6.0 * x");
    second("x.ln()", "x", "x", "-1.0 / x.powi(2)");
    second("ln_gamma(x)", "x", "x", "trigamma(x)");
    second("x.powi(2) * y.powi(3)", "x", "y", "6.0 * x * y.powi(2)");
    second("x.exp() * y.ln()", "x", "y", "x.exp() / y");
    second("ln_gamma(x + y)", "x", "y", "trigamma(x + y)");
    second("x.powf(y)", "x", "y", "x.powf(y - 1.0) * (1.0 + y * x.ln())");
}

/// `x^y` differentiated twice: the simplified form is exactly the hand form.
#[test]
fn second_derivative_of_symbolic_power() {
    let mut a = Arena::new();
    let f = p(&mut a, "x.powf(y)");
    let (x, y) = (a.symbol("x"), a.symbol("y"));
    let fx = a.diff(f, x);
    let fxy = a.diff(fx, y);
    let s = simplify::simplify(&mut a, &Domain::new(), fxy);
    let want = p(&mut a, "x.powf(y - 1.0) * (1.0 + y * x.ln())");
    assert_eq!(s, want, "{}", print::rust(&a, s));
}

#[test]
fn mixed_partials_commute() {
    for src in [
        "x.powf(2.5) * (x * y).ln()",
        "x.powf(y) * (x * y).ln()",
        "ln_gamma(x + y) - ln_gamma(x) + (y - 1.0) * x.ln()",
        "(x / (1.0 + y)).exp() * (x - y).powi(3)",
        "(x.powi(2) + y.powi(2)).sqrt()",
    ] {
        let mut a = Arena::new();
        let f = p(&mut a, src);
        let (x, y) = (a.symbol("x"), a.symbol("y"));
        let fx = a.diff(f, x);
        let fxy = a.diff(fx, y);
        let fy = a.diff(f, y);
        let fyx = a.diff(fy, x);
        let diff = a.sub(fxy, fyx);
        assert!(
            fxy == fyx || simplify::is_zero(&mut a, &Domain::new(), diff),
            "{src}: {} vs {}",
            print::rust(&a, fxy),
            print::rust(&a, fyx)
        );
    }
}

// ---- memoization --------------------------------------------------------------------------

#[test]
fn memoized() {
    let mut a = Arena::new();
    let f = p(
        &mut a,
        "ln_gamma(a1 + a2) - ln_gamma(a1) + (a1 - 1.0) * x.ln() * (a2 * x).exp()",
    );
    let s = a.symbol("a1");
    let first = a.diff(f, s);
    let len = a.len();
    let again = a.diff(f, s);
    assert_eq!(first, again, "second call returns the same id");
    assert_eq!(a.len(), len, "second call creates no node");
    // A derivative of a shared subterm is also remembered.
    let sub = p(&mut a, "ln_gamma(a1 + a2)");
    let len = a.len();
    let d_sub = a.diff(sub, s);
    assert_eq!(
        a.len(),
        len,
        "the subterm's derivative was computed with the whole"
    );
    assert_eq!(d_sub, p(&mut a, "digamma(a1 + a2)"));
}

#[test]
fn absent_symbol_creates_nothing_new() {
    let mut a = Arena::new();
    let f = p(&mut a, "(x * y).exp() + 0.0 * z");
    let zero = a.int(0);
    let w = a.symbol("w");
    let len = a.len();
    assert_eq!(a.diff(f, w), zero);
    assert_eq!(a.len(), len);
}

// ---- found as an engine bug, fixed in cada8c5; kept as a regression test -------------------

/// Derivatives of `x.powf(y)` multiply a product holding `x^y` by another power of the same
/// base; unmerged, `simplify::is_zero` could not see that the mixed partials of `x^y ln(xy)`
/// agree (the difference had the distinct atoms `x^(y-1)` and `x^(1-y)`).
#[test]
fn mixed_partials_of_symbolic_powers_are_canonically_equal() {
    let mut a = Arena::new();
    let f = p(&mut a, "x.powf(y) * (x * y).ln()");
    let (x, y) = (a.symbol("x"), a.symbol("y"));
    let fx = a.diff(f, x);
    let fxy = a.diff(fx, y);
    let fy = a.diff(f, y);
    let fyx = a.diff(fy, x);
    let diff = a.sub(fxy, fyx);
    assert!(
        simplify::is_zero(&mut a, &Domain::new(), diff),
        "mixed partials of x^y ln(xy): {} vs {}",
        print::rust(&a, fxy),
        print::rust(&a, fyx)
    );
}
