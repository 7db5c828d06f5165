//! Exponential families need no declared moments: E[score] = 0 fixes the expectations of the
//! sufficient statistics. Every exponential row of the catalog, with `moments(..)` omitted,
//! gives the same F as with the moments declared, and its DERIVATION says "inferred".

// The log-likelihood functions themselves are only read by the attribute here.
#![allow(dead_code)]

use fim::fisher_model;
use fim::special::{ln_gamma, trigamma};

mod common;
use common::close;

fn inferred(what: &str, derivation: &str) {
    assert!(
        derivation.contains("(inferred"),
        "{what}: the derivation does not say the moments were inferred:\n{derivation}"
    );
    assert!(
        !derivation.contains("(declared)"),
        "{what}: nothing was declared:\n{derivation}"
    );
}

#[fisher_model(params(p), data(x))]
fn bernoulli(x: f64, p: f64) -> f64 {
    x * p.ln() + (1.0 - x) * (1.0 - p).ln()
}

#[fisher_model(params(theta), data(x))]
fn binomial(x: f64, theta: f64, n: f64) -> f64 {
    x * theta.ln() + (n - x) * (1.0 - theta).ln()
}

#[fisher_model(params(phi), data(x))]
fn binomial_odds(x: f64, phi: f64, n: f64) -> f64 {
    x * phi.ln() - n * (1.0 + phi).ln()
}

#[fisher_model(params(lambda), data(x))]
fn poisson(x: f64, lambda: f64) -> f64 {
    x * lambda.ln() - lambda
}

#[fisher_model(params(lambda), data(x))]
fn exponential(x: f64, lambda: f64) -> f64 {
    lambda.ln() - lambda * x
}

#[fisher_model(params(mu, sigma), data(x))]
fn normal(x: f64, mu: f64, sigma: f64) -> f64 {
    -sigma.ln() - (x - mu).powi(2) / (2.0 * sigma.powi(2))
}

#[fisher_model(params(mu, v), data(x))]
fn normal_variance(x: f64, mu: f64, v: f64) -> f64 {
    -0.5 * v.ln() - (x - mu).powi(2) / (2.0 * v)
}

#[fisher_model(params(p), data(x))]
fn geometric(x: f64, p: f64) -> f64 {
    x * (1.0 - p).ln() + p.ln()
}

#[fisher_model(params(alpha, beta), data(x))]
fn gamma(x: f64, alpha: f64, beta: f64) -> f64 {
    alpha * beta.ln() - ln_gamma(alpha) + (alpha - 1.0) * x.ln() - beta * x
}

#[fisher_model(params(a, b), data(x))]
fn beta(x: f64, a: f64, b: f64) -> f64 {
    ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + (a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln()
}

#[fisher_model(params(p1, p2), data(x1, x2))]
fn multinomial(x1: f64, x2: f64, p1: f64, p2: f64, n: f64) -> f64 {
    x1 * p1.ln() + x2 * p2.ln() + (n - x1 - x2) * (1.0 - p1 - p2).ln()
}

#[test]
fn one_parameter_families_are_inferred() {
    for (what, d) in [
        ("bernoulli", bernoulli::DERIVATION),
        ("binomial", binomial::DERIVATION),
        ("binomial in odds", binomial_odds::DERIVATION),
        ("poisson", poisson::DERIVATION),
        ("exponential", exponential::DERIVATION),
        ("geometric", geometric::DERIVATION),
    ] {
        inferred(what, d);
    }
    for p in [0.2, 0.5, 0.7] {
        close(
            "bernoulli",
            bernoulli::fisher(p)[0][0],
            1.0 / (p * (1.0 - p)),
        );
        close(
            "binomial",
            binomial::fisher(p, 12.0)[0][0],
            12.0 / (p * (1.0 - p)),
        );
        close(
            "geometric",
            geometric::fisher(p)[0][0],
            1.0 / (p * p * (1.0 - p)),
        );
    }
    for x in [0.2, 1.0, 6.5] {
        close(
            "binomial in odds",
            binomial_odds::fisher(x, 4.0)[0][0],
            4.0 / (x * (1.0 + x) * (1.0 + x)),
        );
        close("poisson", poisson::fisher(x)[0][0], 1.0 / x);
        close("exponential", exponential::fisher(x)[0][0], 1.0 / (x * x));
    }
}

#[test]
fn two_parameter_families_are_inferred() {
    for (what, d) in [
        ("normal", normal::DERIVATION),
        ("normal, variance", normal_variance::DERIVATION),
        ("gamma", gamma::DERIVATION),
        ("beta", beta::DERIVATION),
        ("multinomial", multinomial::DERIVATION),
    ] {
        inferred(what, d);
    }
    for (s, t) in [(0.5, 0.5), (2.0, 3.0), (7.0, 0.25)] {
        let f = normal::fisher(t, s);
        close("normal mu", f[0][0], 1.0 / (s * s));
        close("normal sigma", f[1][1], 2.0 / (s * s));
        assert_eq!(f[0][1], 0.0);
        let f = normal_variance::fisher(t, s);
        close("normal-variance mu", f[0][0], 1.0 / s);
        close("normal-variance v", f[1][1], 1.0 / (2.0 * s * s));
        let f = gamma::fisher(s, t);
        close("gamma alpha", f[0][0], trigamma(s));
        close("gamma cross", f[0][1], -1.0 / t);
        close("gamma beta", f[1][1], s / (t * t));
        let f = beta::fisher(s, t);
        close("beta a", f[0][0], trigamma(s) - trigamma(s + t));
        close("beta cross", f[0][1], -trigamma(s + t));
        close("beta b", f[1][1], trigamma(t) - trigamma(s + t));
    }
    let (p1, p2, n) = (0.25, 0.35, 20.0);
    let p3 = 1.0 - p1 - p2;
    let f = multinomial::fisher(p1, p2, n);
    close("multinomial 11", f[0][0], n * (1.0 / p1 + 1.0 / p3));
    close("multinomial 12", f[0][1], n / p3);
    close("multinomial 22", f[1][1], n * (1.0 / p2 + 1.0 / p3));
}
