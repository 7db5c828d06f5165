//! `fim::special`: ln Γ, ψ and ψ₁ at known values, and the generated code's use of them. They
//! must never panic or abort, whatever the argument.

use std::process::Command;

use fim::special::{digamma, ln_gamma, trigamma};

mod common;
use common::close_unit as close;

const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;
const PI: f64 = std::f64::consts::PI;

#[test]
fn known_values() {
    close("ln Γ(1)", ln_gamma(1.0), 0.0);
    close("ln Γ(1/2)", ln_gamma(0.5), 0.5 * PI.ln());
    close("ln Γ(10)", ln_gamma(10.0), 362_880.0_f64.ln());
    close("ψ(1)", digamma(1.0), -EULER_GAMMA);
    close("ψ(1/2)", digamma(0.5), -EULER_GAMMA - 2.0 * 2.0_f64.ln());
    close(
        "ψ(10)",
        digamma(10.0),
        -EULER_GAMMA + (1..10).map(|k| 1.0 / k as f64).sum::<f64>(),
    );
    close("ψ₁(1)", trigamma(1.0), PI * PI / 6.0);
    close("ψ₁(1/2)", trigamma(0.5), PI * PI / 2.0);
    close("ψ₁(2)", trigamma(2.0), PI * PI / 6.0 - 1.0);
}

#[test]
fn recurrences() {
    for x in [0.1, 0.75, 3.3, 12.0, 250.0] {
        close(
            "ln Γ(x+1) = ln Γ(x) + ln x",
            ln_gamma(x + 1.0),
            ln_gamma(x) + x.ln(),
        );
        close(
            "ψ(x+1) = ψ(x) + 1/x",
            digamma(x + 1.0),
            digamma(x) + 1.0 / x,
        );
        close(
            "ψ₁(x+1) = ψ₁(x) − 1/x²",
            trigamma(x + 1.0),
            trigamma(x) - 1.0 / (x * x),
        );
    }
}

#[test]
fn non_finite_arguments_in_the_ordinary_range() {
    assert!(ln_gamma(f64::NAN).is_nan());
    assert!(digamma(f64::NAN).is_nan());
    assert!(trigamma(f64::NAN).is_nan());
    assert_eq!(ln_gamma(f64::INFINITY), f64::INFINITY);
    assert_eq!(digamma(f64::INFINITY), f64::INFINITY);
    assert_eq!(trigamma(f64::INFINITY), 0.0);
}

/// Runs `call` in a child process (this test binary, filtered to `name`), so that a stack
/// overflow, which aborts the process, fails only this test.
fn survives_in_child(name: &str, call: impl FnOnce()) -> bool {
    if std::env::var_os("FIM_SPECIAL_CHILD").is_some() {
        call();
        return true;
    }
    let status = Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--include-ignored", "--test-threads=1"])
        .env("FIM_SPECIAL_CHILD", "1")
        .status()
        .unwrap();
    status.success()
}

#[test]
fn digamma_of_large_negative_arguments_does_not_abort() {
    let ok = survives_in_child("digamma_of_large_negative_arguments_does_not_abort", || {
        for x in [f64::NEG_INFINITY, -1e7, -1e300] {
            let _ = digamma(x);
        }
    });
    assert!(ok, "digamma aborted the process (stack overflow)");
}

#[test]
fn trigamma_at_poles_is_infinite() {
    for x in [0.0, -1.0, -3.0] {
        let t = trigamma(x);
        assert!(t == f64::INFINITY || t.is_nan(), "ψ₁({x}) = {t}");
    }
}
