//! The IR is canonical on construction: equal expressions written differently are the same id.
//! String in, string out: `same(a, b)` parses both and compares ids.

use fim_core::parse::parse_str;
use fim_core::{print, Arena};

/// `a` and `b` parse to the same node.
fn same(a: &str, b: &str) {
    let mut arena = Arena::new();
    let (x, y) = (parse_str(&mut arena, a), parse_str(&mut arena, b));
    let (x, y) = (x.expect(a), y.expect(b));
    assert_eq!(
        x,
        y,
        "`{a}` is `{}`, `{b}` is `{}`",
        print::rust(&arena, x),
        print::rust(&arena, y)
    );
}

#[rustfmt::skip]
#[test]
fn sums_flatten_fold_and_merge() {
    same("x + (y + z)", "(x + y) + z");
    same("z + y + x", "x + y + z");
    same("x + x + 2.0 * x", "4.0 * x");
    same("1.0 + x + 2.5", "x + 3.5");
    same("x * y + y * x", "2.0 * x * y");
    same("x - x", "0.0");
    same("0.1 + 0.2", "0.3");
    same("1e-3", "0.001");
    same("2", "2.0");
}

#[rustfmt::skip]
#[test]
fn products_flatten_fold_and_merge_powers() {
    same("x * (y * z)", "z * y * x");
    same("x * x.powi(2)", "x.powi(3)");
    same("x.powi(3) / x.powi(3)", "1.0");
    same("x.sqrt() * x.sqrt()", "x");
    same("x.powf(0.5)", "x.sqrt()");
    same("2.0 * x * 3.0", "6.0 * x");
    same("x / 4.0", "0.25 * x");
    same("x.recip()", "1.0 / x");
    same("x.exp() * y.exp()", "(x + y).exp()");
    same("x.powf(y) * x.powf(z)", "x.powf(y + z)");
    same("x.powf(y) * x", "x.powf(y + 1.0)");
    same("8.0_f64.powf(1.0 / 3.0)", "2.0");
    same("4.0_f64.sqrt()", "2.0");
}

#[rustfmt::skip]
#[test]
fn functions_and_constants() {
    same("x.exp().ln()", "x");
    same("x.ln().exp()", "x");
    same("1.0_f64.ln()", "0.0");
    same("0.0_f64.exp()", "1.0");
    same("ln_gamma(1.0) + ln_gamma(2.0)", "0.0");
    same("x.ln_1p()", "(1.0 + x).ln()");
    same("x.exp_m1()", "x.exp() - 1.0");
    same("f64::ln(x)", "x.ln()");
    same("(-x).abs()", "x.abs()");
    same("(-3.0_f64).abs()", "3.0");
    same("std::f64::consts::E", "1.0_f64.exp()");
    same("std::f64::consts::TAU", "2.0 * std::f64::consts::PI");
    same("let a = 1.0 - theta; a * a", "(1.0 - theta).powi(2)");
}

#[test]
fn hash_consing() {
    let mut a = Arena::new();
    let x = parse_str(&mut a, "(x + y).ln() * (x + y).ln()").expect("parses");
    let len = a.len();
    let y = parse_str(&mut a, "(y + x).ln().powi(2)").expect("parses");
    assert_eq!(x, y);
    assert_eq!(a.len(), len, "nothing new was stored");
}

// ---- found as engine bugs, fixed in cada8c5; kept as regression tests -----------------------

/// A negated sum inside a sum meets its like terms: `x - (x - y)` is `y`, not `x - x + y`.
#[rustfmt::skip]
#[test]
fn like_terms_inside_a_negated_sum_merge() {
    same("x - (x - y)", "y");
    same("x - (y + x)", "-y");
    same("(x + z) - (1.5 + 3.0 * x)", "z - 1.5 - 2.0 * x");
    same("1.5 - (z.exp() - 1.0)", "2.5 - z.exp()");
    same("1.5 - z.exp_m1()", "2.5 - z.exp()");
    same("2.0 * (x + y) - 2.0 * x", "2.0 * y");
}

/// A product holding `exp(x)` or `x^y` as a factor merges it with another exponential or
/// symbolic power of the same base: `exp(2x)`, not `exp(x)^2`.
#[rustfmt::skip]
#[test]
fn exp_and_powers_inside_products_merge() {
    same("(z * x.exp()) * x.exp() / z", "(2.0 * x).exp()");
    same("(z * x.exp()) * y.exp() / z", "(x + y).exp()");
    same("(z * x.exp()).powi(2) / z.powi(2)", "(2.0 * x).exp()");
    same("(z * x.powf(y)) * x.powf(y) / z", "x.powf(2.0 * y)");
    same("(z * x.powf(y)).powi(2) / z.powi(2)", "x.powf(2.0 * y)");
    same("1.0 / (x.powf(y) * z)", "x.powf(-y) / z");
}
