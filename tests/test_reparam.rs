//! `reparam(NAME(old = g(new)))`: a submodule with the same items in the new parameters. Its F is
//! Jᵀ F(g(φ)) J and its Jeffreys density picks up ln |det J|, and both equal the direct
//! derivation in the new parameters (the catalog's "binomial in odds" row).

// The log-likelihood functions themselves are only read by the attribute here.
#![allow(dead_code)]

use fim::fisher_model;

mod common;
use common::close;

/// For values that may cancel to zero: relative above 1, absolute below.
fn close_abs(what: &str, got: f64, want: f64) {
    let scale = got.abs().max(want.abs()).max(1.0);
    assert!(
        (got - want).abs() <= 1e-12 * scale,
        "{what}: got {got:e}, want {want:e}"
    );
}

#[fisher_model(
    params(theta),
    data(x),
    moments(E[x] = n * theta),
    reparam(odds(theta = phi / (1.0 + phi))),
)]
fn binomial(x: f64, theta: f64, n: f64) -> f64 {
    x * theta.ln() + (n - x) * (1.0 - theta).ln()
}

#[test]
fn odds_fisher_is_the_catalog_row() {
    assert_eq!(binomial::odds::PARAMS, ["phi"]);
    for (phi, n) in [(0.5_f64, 10.0_f64), (3.0, 1.0), (0.01, 40.0)] {
        close(
            "odds F",
            binomial::odds::fisher(phi, n)[0][0],
            n / (phi * (1.0 + phi).powi(2)),
        );
        close(
            "odds J",
            binomial::odds::jeffreys_log_density(phi, n),
            0.5 * n.ln() - 0.5 * phi.ln() - (1.0 + phi).ln(),
        );
    }
}

#[test]
fn odds_is_related_to_theta_by_the_jacobian() {
    for (phi, n) in [(0.25_f64, 10.0_f64), (1.0, 5.0), (9.0, 2.0)] {
        let theta = phi / (1.0 + phi);
        let dtheta_dphi = 1.0 / (1.0 + phi).powi(2);
        let f_theta = binomial::fisher(theta, n)[0][0];
        close(
            "Jᵀ F J",
            binomial::odds::fisher(phi, n)[0][0],
            dtheta_dphi * f_theta * dtheta_dphi,
        );
        close(
            "Jeffreys + ln |J|",
            binomial::odds::jeffreys_log_density(phi, n),
            binomial::jeffreys_log_density(theta, n) + dtheta_dphi.ln(),
        );
        // The score is the chain rule: ∂ℓ/∂φ = ∂ℓ/∂θ · dθ/dφ.
        for x in [0.0, 1.0, 2.0] {
            close_abs(
                "score",
                binomial::odds::score(x, phi, n)[0],
                binomial::score(x, theta, n)[0] * dtheta_dphi,
            );
        }
    }
}

#[fisher_model(
    params(mu, sigma),
    data(x),
    reparam(
        variance(mu = m, sigma = v.sqrt()),
        precision(mu = m, sigma = 1.0 / tau.sqrt()),
    ),
)]
fn normal(x: f64, mu: f64, sigma: f64) -> f64 {
    -sigma.ln() - (x - mu).powi(2) / (2.0 * sigma.powi(2))
}

#[test]
fn normal_in_variance_and_precision() {
    assert_eq!(normal::variance::PARAMS, ["m", "v"]);
    assert_eq!(normal::precision::PARAMS, ["m", "tau"]);
    for (m, s) in [(0.0, 1.0), (2.0, 0.3), (-5.0, 4.0)] {
        let v = s * s;
        let f = normal::variance::fisher(m, v);
        close("variance F[m][m]", f[0][0], 1.0 / v);
        assert_eq!(f[0][1], 0.0);
        close("variance F[v][v]", f[1][1], 1.0 / (2.0 * v * v));
        close(
            "variance J",
            normal::variance::jeffreys_log_density(m, v),
            -0.5 * 2.0_f64.ln() - 1.5 * v.ln(),
        );
        let tau = 1.0 / v;
        let f = normal::precision::fisher(m, tau);
        close("precision F[m][m]", f[0][0], tau);
        close("precision F[tau][tau]", f[1][1], 1.0 / (2.0 * tau * tau));
        close(
            "precision J",
            normal::precision::jeffreys_log_density(m, tau),
            0.5 * (0.5_f64).ln() - 0.5 * tau.ln(),
        );
    }
}

/// New parameters first, then the constants in the function's order.
#[fisher_model(params(p), data(x), reparam(logit(p = 1.0 / (1.0 + (-eta).exp()))))]
fn binomial_scaled(n: f64, x: f64, p: f64, w: f64) -> f64 {
    w * (x * p.ln() + (n - x) * (1.0 - p).ln())
}

#[test]
fn reparam_arguments_are_new_params_then_constants() {
    let (eta, n, w): (f64, f64, f64) = (0.4, 7.0, 2.0);
    let p = 1.0 / (1.0 + (-eta).exp());
    // The binomial in its natural parameter: F = w n p (1 − p).
    close(
        "logit F",
        binomial_scaled::logit::fisher(eta, n, w)[0][0],
        w * n * p * (1.0 - p),
    );
    close(
        "direct F",
        binomial_scaled::fisher(n, p, w)[0][0],
        w * n / (p * (1.0 - p)),
    );
}

/// A Poisson count with exposure c (an input), reparameterized by its log-rate l: the submodule
/// has `fisher_averaged` too, with the inputs last. F_λ = c/λ, so F_l = (dλ/dl)² c/λ = c e^l.
#[fisher_model(params(lambda), data(y), inputs(c), reparam(log_rate(lambda = l.exp())))]
fn exposure(y: f64, lambda: f64, c: f64) -> f64 {
    y * (lambda * c).ln() - lambda * c
}

#[test]
fn reparam_with_inputs() {
    let cs = [0.5, 1.0, 4.0];
    let mean_c = cs.iter().sum::<f64>() / 3.0;
    for l in [-1.0_f64, 0.0, 2.0] {
        for c in cs {
            close(
                "log-rate F",
                exposure::log_rate::fisher(l, c)[0][0],
                c * l.exp(),
            );
        }
        close(
            "log-rate F averaged",
            exposure::log_rate::fisher_averaged(l, &cs)[0][0],
            mean_c * l.exp(),
        );
        close(
            "rate F averaged",
            exposure::fisher_averaged(l.exp(), &cs)[0][0],
            mean_c / l.exp(),
        );
    }
}
