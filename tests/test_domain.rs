//! Outside the domain the generated functions return NaN (or ±∞ at a boundary, −∞ for the
//! Jeffreys density at a singular F) and never panic.

// The log-likelihood functions themselves are only read by the attribute here.
#![allow(dead_code)]

use std::process::Command;

use fim::fisher_model;
use fim::special::ln_gamma;

#[fisher_model(params(theta), data(x), moments(E[x] = n * theta))]
fn binomial(x: f64, theta: f64, n: f64) -> f64 {
    x * theta.ln() + (n - x) * (1.0 - theta).ln()
}

#[fisher_model(params(mu, sigma), data(x))]
fn normal(x: f64, mu: f64, sigma: f64) -> f64 {
    -sigma.ln() - (x - mu).powi(2) / (2.0 * sigma.powi(2))
}

#[fisher_model(params(alpha, beta), data(x))]
fn gamma(x: f64, alpha: f64, beta: f64) -> f64 {
    alpha * beta.ln() - ln_gamma(alpha) + (alpha - 1.0) * x.ln() - beta * x
}

#[fisher_model(params(a1, a2, a3, a4), data(x1, x2, x3))]
fn dirichlet4(x1: f64, x2: f64, x3: f64, a1: f64, a2: f64, a3: f64, a4: f64) -> f64 {
    ln_gamma(a1 + a2 + a3 + a4) - ln_gamma(a1) - ln_gamma(a2) - ln_gamma(a3) - ln_gamma(a4)
        + (a1 - 1.0) * x1.ln()
        + (a2 - 1.0) * x2.ln()
        + (a3 - 1.0) * x3.ln()
        + (a4 - 1.0) * (1.0 - x1 - x2 - x3).ln()
}

const ODD: [f64; 9] = [
    -1.0,
    0.0,
    -0.0,
    1.0,
    1.5,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::MIN_POSITIVE,
];

/// Every generated function at every odd point: none of them panics.
#[test]
fn nothing_panics_anywhere() {
    for &a in &ODD {
        for &b in &ODD {
            let _ = binomial::score(a, b, 10.0);
            let _ = binomial::hessian(a, b, 10.0);
            let _ = binomial::fisher(a, b);
            let _ = binomial::fisher_inverse(a, b);
            let _ = binomial::jeffreys_log_density(a, b);
            let _ = binomial::natural_gradient(a, b, [1.0]);
            let _ = binomial::kl_quadratic(a, b, [0.1]);
            let _ = normal::score(1.0, a, b);
            let _ = normal::fisher_inverse(a, b);
            let _ = normal::jeffreys_log_density(a, b);
            let _ = normal::natural_gradient(a, b, [1.0, -1.0]);
            // ψ(−∞) aborts the process: see `gamma_score_at_minus_infinity_does_not_abort`.
            if a != f64::NEG_INFINITY {
                let _ = gamma::score(1.0, a, b);
            }
            let _ = gamma::fisher(a, b);
            let _ = gamma::fisher_inverse(a, b);
            let _ = gamma::jeffreys_log_density(a, b);
            let _ = gamma::natural_gradient(a, b, [1.0, -1.0]);
            let _ = dirichlet4::fisher(a, b, 1.0, 2.0);
            let _ = dirichlet4::fisher_inverse(a, b, 1.0, 2.0);
            let _ = dirichlet4::jeffreys_log_density(a, b, 1.0, 2.0);
            let _ = dirichlet4::natural_gradient(a, b, 1.0, 2.0, [1.0; 4]);
            let _ = dirichlet4::kl_quadratic(a, b, 1.0, 2.0, [0.1; 4]);
        }
    }
}

#[test]
fn jeffreys_is_nan_outside_the_domain() {
    for theta in [-1.0, 1.5, -0.0001] {
        let j = binomial::jeffreys_log_density(theta, 10.0);
        assert!(j.is_nan(), "binomial J at θ = {theta}: {j}");
    }
    assert!(normal::jeffreys_log_density(0.0, -1.0).is_nan());
    assert!(gamma::jeffreys_log_density(-0.5, 2.0).is_nan());
    assert!(gamma::jeffreys_log_density(1.0, -1.0).is_nan());
    assert!(dirichlet4::jeffreys_log_density(-1.0, 1.0, 1.0, 1.0).is_nan());
}

#[test]
fn nan_in_nan_out() {
    let nan = f64::NAN;
    assert!(binomial::fisher(nan, 10.0)[0][0].is_nan());
    assert!(binomial::jeffreys_log_density(nan, 10.0).is_nan());
    assert!(binomial::natural_gradient(nan, 10.0, [1.0])[0].is_nan());
    assert!(normal::fisher_inverse(0.0, nan)[1][1].is_nan());
    assert!(gamma::fisher(nan, 1.0)[0][0].is_nan());
    let inv = dirichlet4::fisher_inverse(nan, 1.0, 1.0, 1.0);
    assert!(inv.iter().flatten().all(|x| x.is_nan()), "{inv:?}");
    assert!(dirichlet4::natural_gradient(nan, 1.0, 1.0, 1.0, [1.0; 4])
        .iter()
        .all(|x| x.is_nan()));
    assert!(dirichlet4::jeffreys_log_density(nan, 1.0, 1.0, 1.0).is_nan());
}

/// At n = 0 trials F = 0: singular, so the Jeffreys density is −∞ (not NaN).
#[test]
fn singular_fisher_gives_minus_infinity() {
    assert_eq!(binomial::fisher(0.3, 0.0), [[0.0]]);
    assert_eq!(binomial::jeffreys_log_density(0.3, 0.0), f64::NEG_INFINITY);
}

/// The contract: "Outside the domain it returns NaN or −∞". θ = 1.5 makes `(1.0 - theta).ln()`
/// undefined, so the binomial has no Fisher information there.
#[test]
fn fisher_is_nan_outside_the_domain() {
    for theta in [1.5, -1.0] {
        let f = binomial::fisher(theta, 10.0)[0][0];
        assert!(f.is_nan(), "binomial F at θ = {theta}: {f}");
        let inv = binomial::fisher_inverse(theta, 10.0)[0][0];
        assert!(inv.is_nan(), "binomial F⁻¹ at θ = {theta}: {inv}");
        let ng = binomial::natural_gradient(theta, 10.0, [1.0])[0];
        assert!(
            ng.is_nan(),
            "binomial natural gradient at θ = {theta}: {ng}"
        );
        let kl = binomial::kl_quadratic(theta, 10.0, [0.1]);
        assert!(kl.is_nan(), "binomial KL at θ = {theta}: {kl}");
    }
    let f = normal::fisher(0.0, -1.0);
    assert!(
        f.iter().flatten().all(|x| x.is_nan()),
        "normal F at σ = −1: {f:?}"
    );
    let f = gamma::fisher(1.0, -1.0);
    assert!(
        f.iter().flatten().all(|x| x.is_nan()),
        "gamma F at β = −1: {f:?}"
    );
}

/// A constant outside its range (a negative number of trials) and a parameter that no domain
/// condition reads (the normal mean) give NaN too, rather than a number from a formula that
/// happens to be defined there.
#[test]
fn constants_and_unguarded_parameters_outside_the_domain() {
    let f = binomial::fisher(0.3, -1.0)[0][0];
    assert!(f.is_nan(), "binomial F at n = −1: {f}");
    assert!(binomial::jeffreys_log_density(0.3, -1.0).is_nan());
    assert!(binomial::natural_gradient(0.3, -1.0, [1.0])[0].is_nan());
    let f = normal::fisher(f64::NAN, 1.0);
    assert!(
        f.iter().flatten().all(|x| x.is_nan()),
        "normal F at μ = NaN: {f:?}"
    );
    assert!(normal::jeffreys_log_density(f64::NAN, 1.0).is_nan());
    assert!(normal::fisher_inverse(f64::NAN, 1.0)[0][0].is_nan());
    // Inside the domain the guards change nothing.
    assert_eq!(binomial::fisher(0.5, 4.0), [[16.0]]);
    assert_eq!(normal::fisher(0.0, 0.5), [[4.0, 0.0], [0.0, 8.0]]);
}

/// Runs `call` in a child process (this test binary, filtered to `name`), so that a stack
/// overflow, which aborts the process, fails only this test.
fn survives_in_child(name: &str, call: impl FnOnce()) -> bool {
    if std::env::var_os("FIM_DOMAIN_CHILD").is_some() {
        call();
        return true;
    }
    let status = Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--include-ignored", "--test-threads=1"])
        .env("FIM_DOMAIN_CHILD", "1")
        .status()
        .unwrap();
    status.success()
}

/// The gamma's score holds ψ(α); `fim::special::digamma` recurses once per unit below 8.
#[test]
fn gamma_score_at_minus_infinity_does_not_abort() {
    let ok = survives_in_child("gamma_score_at_minus_infinity_does_not_abort", || {
        let s = gamma::score(1.0, f64::NEG_INFINITY, 1.0);
        assert!(s[0].is_nan() || s[0].is_infinite());
        let _ = gamma::score(1.0, -1e7, 1.0);
    });
    assert!(ok, "gamma::score aborted the process");
}
