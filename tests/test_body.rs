//! The body's syntax: `let` lines, `f64::ln(x)` calls, `std::f64::consts`, the supported methods
//! (exp, sqrt, recip, ln_1p, powf) and `Var[..]` moments, each checked through F.

// The log-likelihood functions themselves are only read by the attribute here.
#![allow(dead_code, non_snake_case)]

use fim::fisher_model;
use fim::special::ln_gamma;

fn close(what: &str, got: f64, want: f64) {
    let scale = got.abs().max(want.abs()).max(1e-300);
    assert!(
        (got - want).abs() <= 1e-12 * scale,
        "{what}: got {got:e}, want {want:e}"
    );
}

/// Normalizing constants, `let` lines and `std::f64::consts::PI` do not change F.
#[fisher_model(params(mu, sigma), data(x))]
fn normal_full(x: f64, mu: f64, sigma: f64) -> f64 {
    let z = (x - mu) / sigma;
    let log_norm = 0.5 * (2.0 * std::f64::consts::PI).ln();
    -0.5 * z * z - f64::ln(sigma) - log_norm
}

#[test]
fn lets_calls_and_constants() {
    for (mu, sigma) in [(0.0, 1.0), (3.0, 0.2)] {
        let f = normal_full::fisher(mu, sigma);
        close("F[mu][mu]", f[0][0], 1.0 / (sigma * sigma));
        close("F[sigma][sigma]", f[1][1], 2.0 / (sigma * sigma));
        assert_eq!(f[0][1], 0.0);
    }
}

/// The Poisson with its `-ln x!` term, a data-only term that drops out of the score.
#[fisher_model(params(lambda), data(x))]
fn poisson_full(x: f64, lambda: f64) -> f64 {
    x * lambda.ln() - lambda - ln_gamma(x + 1.0)
}

#[test]
fn data_only_terms_drop_out() {
    for lambda in [0.5, 9.0] {
        close(
            "poisson F",
            poisson_full::fisher(lambda)[0][0],
            1.0 / lambda,
        );
    }
}

/// The exponential in its log-rate η: ℓ = η − e^η x, F = 1.
#[fisher_model(params(eta), data(x), moments(E[x] = (-eta).exp()))]
fn exponential_log_rate(x: f64, eta: f64) -> f64 {
    eta - eta.exp() * x
}

/// The normal in its variance through `sqrt`.
#[fisher_model(params(mu, v), data(x))]
fn normal_sqrt(x: f64, mu: f64, v: f64) -> f64 {
    -v.sqrt().ln() - (x - mu).powi(2) / (2.0 * v)
}

/// The exponential in its mean m = 1/λ through `recip`.
#[fisher_model(params(m), data(x))]
fn exponential_mean(x: f64, m: f64) -> f64 {
    m.recip().ln() - m.recip() * x
}

/// The binomial in odds through `ln_1p`.
#[fisher_model(params(phi), data(x))]
fn binomial_odds_1p(x: f64, phi: f64, n: f64) -> f64 {
    x * phi.ln() - n * phi.ln_1p()
}

#[test]
fn methods() {
    for t in [0.3, 1.0, 4.0] {
        close("exp", exponential_log_rate::fisher(t)[0][0], 1.0);
        close(
            "sqrt",
            normal_sqrt::fisher(0.0, t)[1][1],
            1.0 / (2.0 * t * t),
        );
        close("recip", exponential_mean::fisher(t)[0][0], 1.0 / (t * t));
        close(
            "ln_1p",
            binomial_odds_1p::fisher(t, 6.0)[0][0],
            6.0 / (t * (1.0 + t) * (1.0 + t)),
        );
    }
}

/// Weibull with a known shape k: `powf` with a symbolic exponent; F = k²/λ².
#[fisher_model(params(lambda), data(x))]
fn weibull(x: f64, lambda: f64, k: f64) -> f64 {
    k.ln() - k * lambda.ln() + (k - 1.0) * x.ln() - (x / lambda).powf(k)
}

#[test]
fn powf_with_a_constant_exponent() {
    for (lambda, k) in [(1.0, 1.0), (2.0, 0.5), (0.7, 3.0)] {
        close(
            "weibull F",
            weibull::fisher(lambda, k)[0][0],
            k * k / (lambda * lambda),
        );
    }
}

/// `Var[x] = ..` beside `E[x] = ..`, and decimal literals read exactly.
#[fisher_model(params(mu, v), data(x), moments(E[x] = mu, Var[x] = v))]
fn normal_var_moment(x: f64, mu: f64, v: f64) -> f64 {
    -0.5 * v.ln() - 0.1 * (x - mu).powi(2) / (0.2 * v)
}

#[test]
fn var_moments_and_decimals() {
    for (mu, v) in [(0.0, 1.0), (-1.0, 0.3)] {
        let f = normal_var_moment::fisher(mu, v);
        close("F[mu][mu]", f[0][0], 1.0 / v);
        close("F[v][v]", f[1][1], 1.0 / (2.0 * v * v));
    }
    assert!(
        normal_var_moment::DERIVATION.contains("(declared)"),
        "{}",
        normal_var_moment::DERIVATION
    );
}

/// An argument whose name is also a `std::f64::consts` name (`E`, `PI`, ..) is still the
/// argument: in Rust it shadows nothing, as the constants are not in scope unqualified.
#[fisher_model(params(p), data(x))]
fn shadowing(x: f64, p: f64, E: f64) -> f64 {
    x * p.ln() + (E - x) * (1.0 - p).ln()
}

#[test]
fn argument_named_like_a_constant_is_the_argument() {
    let (p, n) = (0.3, 10.0);
    close(
        "F with E = n trials",
        shadowing::fisher(p, n)[0][0],
        n / (p * (1.0 - p)),
    );
}
