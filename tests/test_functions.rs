//! The functions statisticians use, through the macro: von Mises (I₀, I₁, cos and sin in the
//! moments), probit regression (Φ, φ, ln Φ), a tanh link, a normal whose scale is a `hypot`,
//! and the beta distribution written with `ln_beta`. Each F is checked at three points against
//! a formula written here with the run-time functions of `fim::special`, to 1e-12 relative.

// F and the closed forms are indexed together, as the math writes them.
#![allow(clippy::needless_range_loop)]
// Most log-likelihood functions themselves are only read by the attribute here.
#![allow(dead_code)]

use fim::fisher_model;
use fim::special::{bessel_i0, bessel_i1, ln_beta, ln_gamma, trigamma};
use fim::special::{ln_norm_cdf, norm_cdf, norm_pdf};

mod common;
use common::close;

fn close_matrix<const K: usize>(what: &str, got: [[f64; K]; K], want: [[f64; K]; K]) {
    for i in 0..K {
        for j in 0..K {
            close(&format!("{what}[{i}][{j}]"), got[i][j], want[i][j]);
        }
    }
}

// ---- von Mises ------------------------------------------------------------------------------

#[fisher_model(
    params(mu, kappa),
    data(x),
    moments(
        E[(x - mu).cos()] = bessel_i1(kappa) / bessel_i0(kappa),
        E[(x - mu).sin()] = 0.0
    )
)]
fn von_mises(x: f64, mu: f64, kappa: f64) -> f64 {
    kappa * (x - mu).cos() - (2.0 * std::f64::consts::PI * bessel_i0(kappa)).ln()
}

/// F = diag(κ A(κ), 1 − A(κ)/κ − A(κ)²) with A = I₁/I₀, the mean resultant length.
#[test]
fn von_mises_information() {
    for (mu, kappa) in [(0.3, 0.5), (-2.0, 2.0), (1.0, 8.0)] {
        let a = bessel_i1(kappa) / bessel_i0(kappa);
        let f = [[kappa * a, 0.0], [0.0, 1.0 - a / kappa - a * a]];
        close_matrix("von Mises F", von_mises::fisher(mu, kappa), f);
        close(
            "von Mises J",
            von_mises::jeffreys_log_density(mu, kappa),
            0.5 * (f[0][0] * f[1][1]).ln(),
        );
    }
}

/// The score has mean zero under the declared moments, and the body is the log-density: it
/// integrates to 1 over a period (midpoint rule, exact to rounding for a periodic integrand).
#[test]
fn von_mises_is_normalized_and_its_moments_hold() {
    let (mu, kappa) = (0.7, 2.5);
    let n = 2000;
    let h = 2.0 * std::f64::consts::PI / n as f64;
    let (mut total, mut cos_mean) = (0.0, 0.0);
    for i in 0..n {
        let x = (i as f64 + 0.5) * h;
        let p = von_mises(x, mu, kappa).exp() * h;
        total += p;
        cos_mean += (x - mu).cos() * p;
    }
    close("∫ p", total, 1.0);
    close(
        "E[cos(x − μ)]",
        cos_mean,
        bessel_i1(kappa) / bessel_i0(kappa),
    );
    assert!(von_mises::DERIVATION.contains("E[score] = 0 for kappa: proved"));
}

// ---- probit regression ----------------------------------------------------------------------

#[fisher_model(params(a, b), data(y), inputs(c), moments(E[y] = norm_cdf(a + b * c)))]
fn probit(y: f64, a: f64, b: f64, c: f64) -> f64 {
    y * norm_cdf(a + b * c).ln() + (1.0 - y) * (1.0 - norm_cdf(a + b * c)).ln()
}

#[fisher_model(params(a, b), data(y), inputs(c), moments(E[y] = norm_cdf(a + b * c)))]
fn probit_ln(y: f64, a: f64, b: f64, c: f64) -> f64 {
    y * ln_norm_cdf(a + b * c) + (1.0 - y) * ln_norm_cdf(-a - b * c)
}

/// F(c) = φ(η)² / (Φ(η) Φ(−η)) [[1, c], [c, c²]] with η = a + b c.
fn probit_fisher(a: f64, b: f64, c: f64) -> [[f64; 2]; 2] {
    let eta = a + b * c;
    let w = norm_pdf(eta).powi(2) / (norm_cdf(eta) * norm_cdf(-eta));
    [[w, w * c], [w * c, w * c * c]]
}

#[test]
fn probit_information() {
    for (a, b, c) in [(0.2, -0.7, 1.5), (-1.0, 0.4, -2.0), (0.5, 1.3, 0.8)] {
        let want = probit_fisher(a, b, c);
        close_matrix("probit F", probit::fisher(a, b, c), want);
        close_matrix("probit (ln Φ) F", probit_ln::fisher(a, b, c), want);
    }
    // The same model spelled two ways has one closed form.
    assert_eq!(probit::FISHER, probit_ln::FISHER);
}

#[test]
fn probit_averaged_information_is_the_mean() {
    let (a, b) = (0.3, -0.8);
    let cs = [-1.5, 0.0, 0.4, 2.0, 3.1];
    let mut want = [[0.0; 2]; 2];
    for &c in &cs {
        let f = probit_fisher(a, b, c);
        for i in 0..2 {
            for j in 0..2 {
                want[i][j] += f[i][j] / cs.len() as f64;
            }
        }
    }
    close_matrix("probit F̄", probit::fisher_averaged(a, b, &cs), want);
}

/// Far in the tail 1 − Φ(η) is 0 in floating point while Φ(−η) is not: the generated code
/// writes Φ(−η), so F stays finite and accurate there.
#[test]
fn probit_information_in_the_tail() {
    let (a, b, c) = (9.0, 0.5, 1.0);
    let eta: f64 = a + b * c;
    assert_eq!(1.0 - norm_cdf(eta), 0.0, "the naive form would divide by 0");
    let f = probit::fisher(a, b, c);
    assert!(f[0][0].is_finite() && f[0][0] > 0.0, "F = {f:?}");
    close_matrix("probit F at η = 9.5", f, probit_fisher(a, b, c));
    assert!(probit::FISHER[0][0].contains("norm_cdf(-a - b * c)"));
}

// ---- a tanh link ----------------------------------------------------------------------------

/// A Bernoulli with p = (1 + tanh η)/2 = σ(2η): F(c) = (1 − tanh² η) [[1, c], [c, c²]].
#[fisher_model(params(a, b), data(y), inputs(c), moments(E[y] = 0.5 * (1.0 + (a + b * c).tanh())))]
fn tanh_link(y: f64, a: f64, b: f64, c: f64) -> f64 {
    y * (0.5 * (1.0 + (a + b * c).tanh())).ln()
        + (1.0 - y) * (0.5 * (1.0 - (a + b * c).tanh())).ln()
}

#[test]
fn tanh_link_information() {
    for (a, b, c) in [(0.1f64, 0.5, 1.0), (-0.6, 1.2, -0.5), (1.4, -0.3, 2.5)] {
        let t = (a + b * c).tanh();
        let w = 1.0 - t * t;
        close_matrix(
            "tanh link F",
            tanh_link::fisher(a, b, c),
            [[w, w * c], [w * c, w * c * c]],
        );
    }
}

/// A normal whose mean is tanh θ: F = (1 − tanh² θ)² / σ².
#[fisher_model(params(theta), data(x), moments(E[x] = theta.tanh()))]
fn tanh_mean(x: f64, theta: f64, sigma: f64) -> f64 {
    -(x - theta.tanh()).powi(2) / (2.0 * sigma * sigma)
}

#[test]
fn tanh_mean_information() {
    for (theta, sigma) in [(0.2f64, 1.0), (-1.1, 0.5), (2.0, 3.0)] {
        let d = 1.0 - theta.tanh().powi(2);
        close_matrix(
            "tanh mean F",
            tanh_mean::fisher(theta, sigma),
            [[d * d / (sigma * sigma)]],
        );
    }
}

// ---- hypot ----------------------------------------------------------------------------------

/// A normal with two independent noise components, σ = hypot(s, t) with t known:
/// F = diag(1/σ², 2 s²/σ⁴).
#[fisher_model(params(mu, s), data(x), moments(E[x] = mu, E[(x - mu).powi(2)] = s * s + t * t))]
fn two_noises(x: f64, mu: f64, s: f64, t: f64) -> f64 {
    -s.hypot(t).ln() - (x - mu).powi(2) / (2.0 * f64::hypot(s, t).powi(2))
}

#[test]
fn hypot_scale_information() {
    for (mu, s, t) in [(0.0, 1.0, 1.0), (2.5, 0.3, 2.0), (-1.0, 4.0, 0.5)] {
        let v = s * s + t * t;
        close_matrix(
            "two noises F",
            two_noises::fisher(mu, s, t),
            [[1.0 / v, 0.0], [0.0, 2.0 * s * s / (v * v)]],
        );
    }
}

// ---- the beta distribution through ln_beta ---------------------------------------------------

#[fisher_model(
    params(a, b),
    data(x),
    moments(
        E[x.ln()] = digamma(a) - digamma(a + b),
        E[(1.0 - x).ln()] = digamma(b) - digamma(a + b)
    )
)]
fn beta_ln_beta(x: f64, a: f64, b: f64) -> f64 {
    (a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln() - ln_beta(a, b)
}

#[fisher_model(
    params(a, b),
    data(x),
    moments(
        E[x.ln()] = digamma(a) - digamma(a + b),
        E[(1.0 - x).ln()] = digamma(b) - digamma(a + b)
    )
)]
fn beta_catalog(x: f64, a: f64, b: f64) -> f64 {
    ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + (a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln()
}

#[test]
fn beta_through_ln_beta_is_the_catalog_beta() {
    for (a, b) in [(0.5, 0.5), (2.0, 5.0), (30.0, 1.5)] {
        let (ta, tb, tab) = (trigamma(a), trigamma(b), trigamma(a + b));
        let f = [[ta - tab, -tab], [-tab, tb - tab]];
        close_matrix("beta (ln_beta) F", beta_ln_beta::fisher(a, b), f);
        close_matrix("beta (catalog) F", beta_catalog::fisher(a, b), f);
        close(
            "beta J",
            beta_ln_beta::jeffreys_log_density(a, b),
            0.5 * (ta * tb - (ta + tb) * tab).ln(),
        );
    }
    assert_eq!(beta_ln_beta::FISHER, beta_catalog::FISHER);
    assert_eq!(beta_ln_beta::JEFFREYS, beta_catalog::JEFFREYS);
    // The function itself keeps calling the accurate ln_beta, where the expansion the
    // derivation works with would cancel: at a = 1e15, b = 2 the three lnΓ terms (about
    // 3.4e16 each) leave no digit of ln B = −ln(a (a + 1)) ≈ −69.
    let (a, b) = (1e15, 2.0);
    close("ln B(1e15, 2)", ln_beta(a, b), -(a * (a + 1.0)).ln());
    let naive = ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b);
    assert!((naive + (a * (a + 1.0)).ln()).abs() > 1.0, "naive {naive}");
}
