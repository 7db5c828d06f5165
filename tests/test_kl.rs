//! `kl_quadratic(P, δ) = ½ δᵀ F δ` is the local KL divergence: against the exact KL between
//! two normals (and two Poissons) its relative error is O(|δ|).

// The log-likelihood functions themselves are only read by the attribute here.
#![allow(dead_code)]

use fim::fisher_model;

#[fisher_model(params(mu, sigma), data(x))]
fn normal(x: f64, mu: f64, sigma: f64) -> f64 {
    -sigma.ln() - (x - mu).powi(2) / (2.0 * sigma.powi(2))
}

/// KL(N(m1, s1²) ‖ N(m2, s2²)), exactly.
fn kl_normal(m1: f64, s1: f64, m2: f64, s2: f64) -> f64 {
    (s2 / s1).ln() + (s1 * s1 + (m1 - m2).powi(2)) / (2.0 * s2 * s2) - 0.5
}

#[fisher_model(params(lambda), data(x))]
fn poisson(x: f64, lambda: f64) -> f64 {
    x * lambda.ln() - lambda
}

/// KL(Poisson(l1) ‖ Poisson(l2)), exactly.
fn kl_poisson(l1: f64, l2: f64) -> f64 {
    l1 * (l1 / l2).ln() - l1 + l2
}

#[test]
fn normal_kl_is_quadratic_to_first_order() {
    for (mu, sigma, dir) in [
        (0.0, 1.0, [1.0, 0.0]),
        (2.0, 0.5, [0.3, -0.8]),
        (-1.0, 3.0, [-2.0, 1.0]),
    ] {
        let mut previous = f64::INFINITY;
        for t in [1e-1, 1e-2, 1e-3] {
            let delta = [dir[0] * t, dir[1] * t];
            let quad = normal::kl_quadratic(mu, sigma, delta);
            let exact = kl_normal(mu, sigma, mu + delta[0], sigma + delta[1]);
            let rel = (quad - exact).abs() / exact;
            // O(δ): bounded by a modest constant times |δ| / σ, and shrinking with δ.
            assert!(
                rel <= 5.0 * t / sigma,
                "μ = {mu}, σ = {sigma}, δ = {delta:?}: quadratic {quad}, exact {exact}, relative error {rel}"
            );
            // A pure mean shift is exactly quadratic: its error is rounding only.
            assert!(rel < previous || rel < 1e-9, "the error must shrink with δ");
            previous = rel;
        }
    }
}

#[test]
fn kl_quadratic_is_half_delta_f_delta() {
    let (mu, sigma) = (0.7, 1.3);
    let f = normal::fisher(mu, sigma);
    let d = [0.02, -0.05];
    let want = 0.5 * (d[0] * f[0][0] * d[0] + 2.0 * d[0] * f[0][1] * d[1] + d[1] * f[1][1] * d[1]);
    let got = normal::kl_quadratic(mu, sigma, d);
    assert!((got - want).abs() <= 1e-15 * want);
    assert_eq!(normal::kl_quadratic(mu, sigma, [0.0, 0.0]), 0.0);
}

#[test]
fn poisson_kl_is_quadratic_to_first_order() {
    for lambda in [0.5, 4.0, 30.0] {
        for t in [1e-2, 1e-3] {
            let delta = lambda * t;
            let quad = poisson::kl_quadratic(lambda, [delta]);
            let exact = kl_poisson(lambda, lambda + delta);
            let rel = (quad - exact).abs() / exact;
            assert!(
                rel <= 2.0 * t,
                "λ = {lambda}, δ = {delta}: {quad} vs {exact}"
            );
        }
    }
}
