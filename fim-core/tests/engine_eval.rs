//! Evaluation: in f64 at a point, and exactly at a rational point.

use std::collections::HashMap;
use std::process::Command;

use fim_core::eval::polygamma_f64;
use fim_core::expr::BigInt;
use fim_core::parse::parse_str;
use fim_core::{Arena, Id, Rational, Symbol};

fn p(a: &mut Arena, src: &str) -> Id {
    parse_str(a, src).unwrap_or_else(|e| panic!("cannot parse `{src}`: {e}"))
}

fn at(a: &mut Arena, point: &[(&str, f64)]) -> HashMap<Symbol, f64> {
    point.iter().map(|(n, v)| (a.symbol(n), *v)).collect()
}

fn q(n: i64, d: i64) -> Rational {
    Rational::from_parts_signed(BigInt::from(n), BigInt::from(d))
}

#[test]
fn f64_at_a_point() {
    let mut a = Arena::new();
    let f = p(&mut a, "x * theta.ln() + (n - x) * (1.0 - theta).ln()");
    let env = at(&mut a, &[("x", 3.0), ("n", 10.0), ("theta", 0.25)]);
    let want = 3.0 * 0.25f64.ln() + 7.0 * 0.75f64.ln();
    assert!((a.eval(f, &env) - want).abs() < 1e-14);
    let g = p(
        &mut a,
        "ln_gamma(x) + digamma(x) + trigamma(x) + std::f64::consts::PI",
    );
    let v = a.eval(g, &env);
    let want = 2.0f64.ln()
        + (1.5 - 0.5772156649015329)
        + (std::f64::consts::PI.powi(2) / 6.0 - 1.25)
        + std::f64::consts::PI;
    assert!((v - want).abs() < 1e-12, "{v} vs {want}");
}

#[test]
fn unbound_symbols_and_outside_the_domain_are_nan() {
    let mut a = Arena::new();
    let f = p(&mut a, "x + y");
    let env = at(&mut a, &[("x", 1.0)]);
    assert!(a.eval(f, &env).is_nan());
    let g = p(&mut a, "x.ln() + (-x).sqrt()");
    let env = at(&mut a, &[("x", 2.0)]);
    assert!(a.eval(g, &env).is_nan());
}

#[test]
fn exact_at_a_rational_point() {
    let mut a = Arena::new();
    let f = p(&mut a, "(x + 1.0 / 3.0) * y.powi(-2) - 0.1");
    let env: HashMap<Symbol, Rational> = [(a.symbol("x"), q(1, 6)), (a.symbol("y"), q(2, 3))]
        .into_iter()
        .collect();
    // (1/6 + 1/3) · 9/4 - 1/10 = 9/8 - 1/10 = 41/40
    assert_eq!(a.eval_exact(f, &env), Some(q(41, 40)));
    let g = p(&mut a, "x + y.ln()");
    assert_eq!(
        a.eval_exact(g, &env),
        None,
        "ln of a rational is not rational"
    );
    let h = p(&mut a, "x / (y - 2.0 / 3.0)");
    assert_eq!(a.eval_exact(h, &env), None, "division by zero");
}

#[test]
fn digamma_and_trigamma_below_zero() {
    // Reflection: ψ(1 - x) - ψ(x) = π cot(πx); ψ₁(1 - x) + ψ₁(x) = π² / sin²(πx).
    for x in [-0.5, -2.25, -10.7, -100.3] {
        let pi = std::f64::consts::PI;
        let d = polygamma_f64(0, 1.0 - x) - polygamma_f64(0, x);
        assert!((d - pi / (pi * x).tan()).abs() < 1e-8, "ψ at {x}");
        let t = polygamma_f64(1, 1.0 - x) + polygamma_f64(1, x);
        let want = (pi / (pi * x).sin()).powi(2);
        assert!((t - want).abs() < 1e-8 * want, "ψ₁ at {x}");
    }
}

/// Found as an engine bug, fixed in 986610c; kept as a regression test. The `special` crate's
/// digamma (0.14) is `ψ(x) = ψ(x + 1) - 1/x` below 8, recursively: one stack frame per unit,
/// and endless at -inf, so `arena.eval` aborted the process with a stack overflow at
/// `ψ(-1e6)` or `ψ(-inf)`. The probe runs in a child process, since a stack overflow cannot be
/// caught: a regression fails this test instead of killing the test binary.
#[test]
fn digamma_far_below_zero_does_not_crash() {
    const NAME: &str = "digamma_far_below_zero_does_not_crash";
    if let Ok(x) = std::env::var("FIM_TEST_DIGAMMA_AT") {
        let x: f64 = x.parse().expect("a number");
        let mut a = Arena::new();
        let f = p(&mut a, "digamma(x) + trigamma(x)");
        let env = at(&mut a, &[("x", x)]);
        let v = a.eval(f, &env);
        if x == -1_000_000.5 {
            // Reflection: ψ(x) = ψ(1 - x) - π cot(πx), and cot(πx) = 0 here; ψ₁(x) ≈ π² - 1e-6.
            let want = (1_000_001.5f64).ln() - 0.5 / 1_000_001.5 + std::f64::consts::PI.powi(2);
            assert!((v - want).abs() < 1e-5, "ψ + ψ₁ at {x}: {v} vs {want}");
        }
        return;
    }
    for x in ["-1000000.5", "-1e17", "-inf"] {
        let out = Command::new(std::env::current_exe().expect("test binary"))
            .args(["--exact", NAME, "--test-threads=1", "--nocapture"])
            .env("FIM_TEST_DIGAMMA_AT", x)
            .output()
            .expect("run the test binary");
        assert!(
            out.status.success(),
            "ψ({x}) crashed the test process: {} ({})",
            String::from_utf8_lossy(&out.stderr).trim(),
            out.status
        );
    }
}
