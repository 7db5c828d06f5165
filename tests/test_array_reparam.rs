//! Reparameterizations and `verify` with array parameters: `alpha[i] = eta[i].exp()` maps every
//! entry with a free index, `alpha[0] = ..` one entry; the new parameters are arrays when the
//! right-hand sides index them. Each result is compared with the reparameterization rule
//! F_η = Jᵀ F_α(g(η)) J computed here from an independent closed form, and with the same model
//! written with scalar arguments.

// The log-likelihood functions themselves are only read by the attribute here.
#![allow(dead_code, clippy::needless_range_loop, clippy::too_many_arguments)]

use fim::fisher_model;
use fim::special::{ln_gamma, trigamma};

mod common;
use common::close;

/// The Dirichlet with K = 4 in log-concentrations η = ln α.
#[fisher_model(params(alpha), data(x), reparam(log(alpha[i] = eta[i].exp())))]
fn dirichlet(x: [f64; 4], alpha: [f64; 4]) -> f64 {
    ln_gamma(alpha.iter().sum::<f64>()) - alpha.iter().map(|&a| ln_gamma(a)).sum::<f64>()
        + (0..4).map(|i| (alpha[i] - 1.0) * x[i].ln()).sum::<f64>()
}

/// The same, written with scalars.
#[fisher_model(
    params(a0, a1, a2, a3),
    data(x0, x1, x2, x3),
    reparam(log(a0 = e0.exp(), a1 = e1.exp(), a2 = e2.exp(), a3 = e3.exp()))
)]
fn dirichlet_scalar(x0: f64, x1: f64, x2: f64, x3: f64, a0: f64, a1: f64, a2: f64, a3: f64) -> f64 {
    ln_gamma(a0 + a1 + a2 + a3) - ln_gamma(a0) - ln_gamma(a1) - ln_gamma(a2) - ln_gamma(a3)
        + (a0 - 1.0) * x0.ln()
        + (a1 - 1.0) * x1.ln()
        + (a2 - 1.0) * x2.ln()
        + (a3 - 1.0) * x3.ln()
}

/// F_α = diag ψ₁(αᵢ) − ψ₁(Σα) 11ᵀ.
fn dirichlet_closed(alpha: [f64; 4]) -> [[f64; 4]; 4] {
    let s: f64 = alpha.iter().sum();
    let mut f = [[-trigamma(s); 4]; 4];
    for i in 0..4 {
        f[i][i] += trigamma(alpha[i]);
    }
    f
}

/// ½ ln det of a symmetric positive definite 4 × 4 matrix, by Cholesky.
fn half_log_det(mut a: [[f64; 4]; 4]) -> f64 {
    let mut sum = 0.0;
    for j in 0..4 {
        for k in 0..j {
            let l = a[j][k];
            for i in j..4 {
                a[i][j] -= a[i][k] * l;
            }
        }
        let d = a[j][j].sqrt();
        sum += d.ln();
        for i in j + 1..4 {
            a[i][j] /= d;
        }
    }
    sum
}

#[test]
fn dirichlet_in_log_concentrations() {
    assert_eq!(
        dirichlet::log::PARAMS,
        ["eta[0]", "eta[1]", "eta[2]", "eta[3]"]
    );
    for eta in [[0.1, -0.5, 1.2, 0.0], [2.0, 1.5, -1.0, 0.3]] {
        let alpha = eta.map(f64::exp);
        // J = diag(α): F_η[i][j] = αᵢ F_α[i][j] αⱼ.
        let fa = dirichlet_closed(alpha);
        let mut want = [[0.0; 4]; 4];
        for i in 0..4 {
            for j in 0..4 {
                want[i][j] = alpha[i] * fa[i][j] * alpha[j];
            }
        }
        let got = dirichlet::log::fisher(eta);
        let [e0, e1, e2, e3] = eta;
        let scalar = dirichlet_scalar::log::fisher(e0, e1, e2, e3);
        for i in 0..4 {
            for j in 0..4 {
                let what = format!("F_η[{i}][{j}] at η = {eta:?}");
                close(&what, got[i][j], want[i][j]);
                close(&format!("{what} (scalar model)"), scalar[i][j], got[i][j]);
            }
        }
        // Jeffreys_η = Jeffreys_α(e^η) + Σ ηᵢ.
        let want = half_log_det(fa) + eta.iter().sum::<f64>();
        close(
            "Jeffreys_η",
            dirichlet::log::jeffreys_log_density(eta),
            want,
        );
        close(
            "Jeffreys_η (scalar model)",
            dirichlet_scalar::log::jeffreys_log_density(e0, e1, e2, e3),
            want,
        );
        // The other items read the array too.
        let g = [1.0, -2.0, 0.5, 0.25];
        let ng = dirichlet::log::natural_gradient(eta, g);
        let back: Vec<f64> = (0..4)
            .map(|i| (0..4).map(|j| got[i][j] * ng[j]).sum())
            .collect();
        for i in 0..4 {
            close(&format!("F · F⁻¹g [{i}]"), back[i], g[i]);
        }
    }
}

/// Entries mapped one at a time with literal indices, and a scalar parameter beside the array:
/// a normal location-scale model with two means, the scale in logs.
#[fisher_model(
    params(mu, sigma),
    data(x),
    reparam(shifted(mu[0] = m, mu[1] = m + d, sigma = s.exp()))
)]
fn two_means(x: [f64; 2], mu: [f64; 2], sigma: f64) -> f64 {
    (0..2)
        .map(|i| -sigma.ln() - (x[i] - mu[i]).powi(2) / (2.0 * sigma * sigma))
        .sum::<f64>()
}

#[test]
fn entries_mapped_one_by_one() {
    assert_eq!(two_means::shifted::PARAMS, ["m", "d", "s"]);
    let (m, d, s) = (0.3, -1.1, 0.4);
    let sigma = f64::exp(s);
    // F_(μ0, μ1, σ) = diag(1/σ², 1/σ², 4/σ²); J = [[1, 0, 0], [1, 1, 0], [0, 0, σ]].
    let f = two_means::shifted::fisher(m, d, s);
    let want = [
        [2.0 / (sigma * sigma), 1.0 / (sigma * sigma), 0.0],
        [1.0 / (sigma * sigma), 1.0 / (sigma * sigma), 0.0],
        [0.0, 0.0, 4.0],
    ];
    for i in 0..3 {
        for j in 0..3 {
            close(&format!("F[{i}][{j}]"), f[i][j], want[i][j]);
        }
    }
    let direct = two_means::fisher([m, m + d], sigma);
    close(
        "F_μ0μ0 in the old parameters",
        direct[0][0],
        1.0 / (sigma * sigma),
    );
    close(
        "F_σσ in the old parameters",
        direct[2][2],
        4.0 / (sigma * sigma),
    );
}

/// A new array beside a kept one: an array parameter mapped to itself stays an array.
#[fisher_model(
    params(mu, sigma),
    data(x),
    reparam(log_scale(mu[i] = mu[i], sigma[i] = tau[i].exp()))
)]
fn normals(x: [f64; 3], mu: [f64; 3], sigma: [f64; 3]) -> f64 {
    let mut l = 0.0;
    for i in 0..3 {
        l += -sigma[i].ln() - (x[i] - mu[i]).powi(2) / (2.0 * sigma[i] * sigma[i]);
    }
    l
}

#[test]
fn kept_array_beside_a_new_one() {
    assert_eq!(
        normals::log_scale::PARAMS,
        ["mu[0]", "mu[1]", "mu[2]", "tau[0]", "tau[1]", "tau[2]"]
    );
    let (mu, tau) = ([0.0, 1.0, -2.0], [0.1, -0.3, 0.7]);
    let f = normals::log_scale::fisher(mu, tau);
    for i in 0..3 {
        let sigma = f64::exp(tau[i]);
        close("F_μμ", f[i][i], 1.0 / (sigma * sigma));
        close("F_ττ", f[3 + i][3 + i], 2.0);
        close("F_μτ", f[i][3 + i], 0.0);
    }
    // Jeffreys_τ = Jeffreys_σ(e^τ) + Σ τ, and Jeffreys_σ = Σ ln(√2 / σᵢ²).
    let want: f64 = (0..3)
        .map(|i| (2.0_f64.sqrt() / f64::exp(2.0 * tau[i])).ln() + tau[i])
        .sum();
    close(
        "Jeffreys",
        normals::log_scale::jeffreys_log_density(mu, tau),
        want,
    );
}

/// `verify` reads the arrays as the body does: the stated F uses `alpha[i]` entries.
#[fisher_model(
    params(lambda),
    data(x),
    verify(fisher = [[1.0 / lambda[0], 0.0], [0.0, 1.0 / lambda[1]]])
)]
fn poissons(x: [f64; 2], lambda: [f64; 2]) -> f64 {
    (0..2)
        .map(|i| x[i] * lambda[i].ln() - lambda[i])
        .sum::<f64>()
}

#[test]
fn verify_with_array_entries() {
    assert!(poissons::DERIVATION.contains("verify F"));
    assert_eq!(poissons::fisher([2.0, 4.0]), [[0.5, 0.0], [0.0, 0.25]]);
}
