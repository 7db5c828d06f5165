//! Every row of `shared/catalog.md` through `#[fisher_model]`, with its declared moments.
//! `fisher` and `jeffreys_log_density` are checked at three points against the hand-derived
//! formulas, written out again here independently of the engine (relative error 1e-12). The
//! catalog's J is exactly ½ ln det F: no constant is dropped.

// The log-likelihood functions themselves are only read by the attribute here.
#![allow(dead_code)]

use fim::fisher_model;
// `digamma` in the moments is read by the attribute, not compiled: no import needed.
use fim::special::{ln_gamma, trigamma};

const TOL: f64 = 1e-12;

fn close(what: &str, got: f64, want: f64) {
    let scale = got.abs().max(want.abs());
    assert!(
        got == want || (got - want).abs() <= TOL * scale,
        "{what}: got {got:e}, want {want:e} (relative error {:e})",
        (got - want).abs() / scale
    );
}

fn close_matrix<const K: usize>(what: &str, got: [[f64; K]; K], want: [[f64; K]; K]) {
    for i in 0..K {
        for j in 0..K {
            close(&format!("{what}[{i}][{j}]"), got[i][j], want[i][j]);
        }
    }
}

fn half_ln_det2(f: [[f64; 2]; 2]) -> f64 {
    0.5 * (f[0][0] * f[1][1] - f[0][1] * f[1][0]).ln()
}

#[fisher_model(params(p), data(x), moments(E[x] = p))]
fn bernoulli(x: f64, p: f64) -> f64 {
    x * p.ln() + (1.0 - x) * (1.0 - p).ln()
}

#[test]
fn bernoulli_row() {
    for p in [0.1, 0.37, 0.8] {
        let f = 1.0 / (p * (1.0 - p));
        close_matrix("bernoulli F", bernoulli::fisher(p), [[f]]);
        close(
            "bernoulli F = J-formula",
            0.5 * f.ln(),
            -0.5 * p.ln() - 0.5 * (1.0 - p).ln(),
        );
        close(
            "bernoulli J",
            bernoulli::jeffreys_log_density(p),
            -0.5 * p.ln() - 0.5 * (1.0 - p).ln(),
        );
    }
}

#[fisher_model(params(theta), data(x), moments(E[x] = n * theta))]
fn binomial(x: f64, theta: f64, n: f64) -> f64 {
    x * theta.ln() + (n - x) * (1.0 - theta).ln()
}

#[test]
fn binomial_row() {
    for (theta, n) in [(0.3, 10.0), (0.05, 3.0), (0.9, 250.0)] {
        close_matrix(
            "binomial F",
            binomial::fisher(theta, n),
            [[n / (theta * (1.0 - theta))]],
        );
        close(
            "binomial J",
            binomial::jeffreys_log_density(theta, n),
            0.5 * n.ln() - 0.5 * theta.ln() - 0.5 * (1.0 - theta).ln(),
        );
    }
}

#[fisher_model(params(phi), data(x), moments(E[x] = n * phi / (1.0 + phi)))]
fn binomial_odds(x: f64, phi: f64, n: f64) -> f64 {
    x * phi.ln() - n * (1.0 + phi).ln()
}

#[test]
fn binomial_in_odds_row() {
    for (phi, n) in [(0.5, 10.0), (3.0, 7.0), (0.02, 100.0)] {
        close_matrix(
            "binomial-odds F",
            binomial_odds::fisher(phi, n),
            [[n / (phi * (1.0 + phi).powi(2))]],
        );
        close(
            "binomial-odds J",
            binomial_odds::jeffreys_log_density(phi, n),
            0.5 * n.ln() - 0.5 * phi.ln() - (1.0 + phi).ln(),
        );
    }
}

#[fisher_model(params(lambda), data(x), moments(E[x] = lambda))]
fn poisson(x: f64, lambda: f64) -> f64 {
    x * lambda.ln() - lambda
}

#[test]
fn poisson_row() {
    for lambda in [0.25, 3.0, 41.5] {
        close_matrix("poisson F", poisson::fisher(lambda), [[1.0 / lambda]]);
        close(
            "poisson J",
            poisson::jeffreys_log_density(lambda),
            -0.5 * lambda.ln(),
        );
    }
}

#[fisher_model(params(lambda), data(x), moments(E[x] = 1.0 / lambda))]
fn exponential(x: f64, lambda: f64) -> f64 {
    lambda.ln() - lambda * x
}

#[test]
fn exponential_row() {
    for lambda in [0.3, 2.0, 17.0] {
        close_matrix(
            "exponential F",
            exponential::fisher(lambda),
            [[1.0 / (lambda * lambda)]],
        );
        close(
            "exponential J",
            exponential::jeffreys_log_density(lambda),
            -lambda.ln(),
        );
    }
}

#[fisher_model(
    params(mu, sigma),
    data(x),
    moments(E[x] = mu, E[x.powi(2)] = mu.powi(2) + sigma.powi(2))
)]
fn normal(x: f64, mu: f64, sigma: f64) -> f64 {
    -sigma.ln() - (x - mu).powi(2) / (2.0 * sigma.powi(2))
}

#[test]
fn normal_row() {
    for (mu, sigma) in [(0.0, 1.0), (-2.5, 0.3), (10.0, 7.0)] {
        let s2 = sigma * sigma;
        let f = [[1.0 / s2, 0.0], [0.0, 2.0 / s2]];
        close_matrix("normal F", normal::fisher(mu, sigma), f);
        let j = 0.5 * 2.0_f64.ln() - 2.0 * sigma.ln();
        close("normal J = ½ ln det F", half_ln_det2(f), j);
        close("normal J", normal::jeffreys_log_density(mu, sigma), j);
    }
}

#[fisher_model(params(mu, v), data(x), moments(E[x] = mu, E[x.powi(2)] = mu.powi(2) + v))]
fn normal_variance(x: f64, mu: f64, v: f64) -> f64 {
    -0.5 * v.ln() - (x - mu).powi(2) / (2.0 * v)
}

#[test]
fn normal_variance_row() {
    for (mu, v) in [(0.0, 1.0), (1.5, 0.09), (-4.0, 49.0)] {
        let f = [[1.0 / v, 0.0], [0.0, 1.0 / (2.0 * v * v)]];
        close_matrix("normal-variance F", normal_variance::fisher(mu, v), f);
        let j = -0.5 * 2.0_f64.ln() - 1.5 * v.ln();
        close("normal-variance J = ½ ln det F", half_ln_det2(f), j);
        close(
            "normal-variance J",
            normal_variance::jeffreys_log_density(mu, v),
            j,
        );
    }
}

#[fisher_model(params(p), data(x), moments(E[x] = (1.0 - p) / p))]
fn geometric(x: f64, p: f64) -> f64 {
    x * (1.0 - p).ln() + p.ln()
}

#[test]
fn geometric_row() {
    for p in [0.1, 0.5, 0.93] {
        close_matrix(
            "geometric F",
            geometric::fisher(p),
            [[1.0 / (p * p * (1.0 - p))]],
        );
        close(
            "geometric J",
            geometric::jeffreys_log_density(p),
            -p.ln() - 0.5 * (1.0 - p).ln(),
        );
    }
}

#[fisher_model(
    params(alpha, beta),
    data(x),
    moments(E[x] = alpha / beta, E[x.ln()] = digamma(alpha) - beta.ln())
)]
fn gamma(x: f64, alpha: f64, beta: f64) -> f64 {
    alpha * beta.ln() - ln_gamma(alpha) + (alpha - 1.0) * x.ln() - beta * x
}

#[test]
fn gamma_row() {
    for (alpha, beta) in [(0.5, 1.0), (2.0, 3.0), (9.5, 0.2)] {
        let f = [
            [trigamma(alpha), -1.0 / beta],
            [-1.0 / beta, alpha / (beta * beta)],
        ];
        close_matrix("gamma F", gamma::fisher(alpha, beta), f);
        let j = 0.5 * (alpha * trigamma(alpha) - 1.0).ln() - beta.ln();
        close("gamma J = ½ ln det F", half_ln_det2(f), j);
        close("gamma J", gamma::jeffreys_log_density(alpha, beta), j);
    }
}

#[fisher_model(
    params(a, b),
    data(x),
    moments(
        E[x.ln()] = digamma(a) - digamma(a + b),
        E[(1.0 - x).ln()] = digamma(b) - digamma(a + b)
    )
)]
fn beta(x: f64, a: f64, b: f64) -> f64 {
    ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + (a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln()
}

#[test]
fn beta_row() {
    for (a, b) in [(0.5, 0.5), (2.0, 5.0), (30.0, 1.5)] {
        let (ta, tb, tab) = (trigamma(a), trigamma(b), trigamma(a + b));
        let f = [[ta - tab, -tab], [-tab, tb - tab]];
        close_matrix("beta F", beta::fisher(a, b), f);
        let j = 0.5 * (ta * tb - (ta + tb) * tab).ln();
        close("beta J = ½ ln det F", half_ln_det2(f), j);
        close("beta J", beta::jeffreys_log_density(a, b), j);
    }
}

#[fisher_model(params(p1, p2), data(x1, x2), moments(E[x1] = n * p1, E[x2] = n * p2))]
fn multinomial(x1: f64, x2: f64, p1: f64, p2: f64, n: f64) -> f64 {
    x1 * p1.ln() + x2 * p2.ln() + (n - x1 - x2) * (1.0 - p1 - p2).ln()
}

#[test]
fn multinomial_row() {
    for (p1, p2, n) in [(0.2, 0.3, 10.0), (0.6, 0.1, 1.0), (0.01, 0.98, 500.0)] {
        let p3 = 1.0 - p1 - p2;
        let f = [
            [n * (1.0 / p1 + 1.0 / p3), n / p3],
            [n / p3, n * (1.0 / p2 + 1.0 / p3)],
        ];
        close_matrix("multinomial F", multinomial::fisher(p1, p2, n), f);
        let j = n.ln() - 0.5 * p1.ln() - 0.5 * p2.ln() - 0.5 * p3.ln();
        close("multinomial J = ½ ln det F", half_ln_det2(f), j);
        close(
            "multinomial J",
            multinomial::jeffreys_log_density(p1, p2, n),
            j,
        );
    }
}

/// The generated texts name the closed forms, and the derivation says which moments were
/// declared.
#[test]
fn texts_name_the_closed_forms() {
    assert_eq!(binomial::PARAMS, ["theta"]);
    assert_eq!(normal::PARAMS, ["mu", "sigma"]);
    assert_eq!(multinomial::PARAMS, ["p1", "p2"]);
    assert!(binomial::DERIVATION.contains("(declared)"));
    assert!(!binomial::FISHER[0][0].is_empty());
    assert!(!gamma::JEFFREYS.is_empty());
}
