//! Exponential-family structure (issue 13): `kl_divergence` against the textbook closed forms
//! and against `kl_quadratic` for small steps, `fisher_mean · fisher_natural = I`, and
//! `fisher_natural` against the hand-derived ∇²_η A = Cov[T]. The closed forms here are written
//! independently of the derivation (from the standard references), at several points.

// The log-likelihood functions themselves are only read by the attribute here.
#![allow(dead_code, clippy::needless_range_loop)]

use fim::fisher_model;
use fim::special::{digamma, ln_gamma, trigamma};

mod common;
use common::close;

#[fisher_model(params(lambda), data(x))]
fn poisson(x: f64, lambda: f64) -> f64 {
    x * lambda.ln() - lambda - ln_gamma(x + 1.0)
}

#[fisher_model(params(mu, sigma), data(x))]
fn normal(x: f64, mu: f64, sigma: f64) -> f64 {
    -sigma.ln() - (x - mu).powi(2) / (2.0 * sigma.powi(2))
}

#[fisher_model(params(alpha, beta), data(x))]
fn gamma(x: f64, alpha: f64, beta: f64) -> f64 {
    alpha * beta.ln() - ln_gamma(alpha) + (alpha - 1.0) * x.ln() - beta * x
}

#[fisher_model(params(theta), data(x), moments(E[x] = n * theta))]
fn binomial(x: f64, theta: f64, n: f64) -> f64 {
    x * theta.ln() + (n - x) * (1.0 - theta).ln()
}

#[fisher_model(params(lambda), data(x))]
fn exponential(x: f64, lambda: f64) -> f64 {
    lambda.ln() - lambda * x
}

#[fisher_model(params(alpha), data(x))]
fn dirichlet3(x: [f64; 3], alpha: [f64; 3]) -> f64 {
    ln_gamma(alpha.iter().sum::<f64>()) - alpha.iter().map(|&a| ln_gamma(a)).sum::<f64>()
        + alpha
            .iter()
            .zip(x.iter())
            .map(|(&a, &xi)| (a - 1.0) * xi.ln())
            .sum::<f64>()
}

// ---- KL against closed forms ------------------------------------------------------------------

#[test]
fn poisson_kl_is_the_closed_form() {
    for (l1, l2) in [(1.0_f64, 2.0), (3.5, 0.7), (10.0, 10.5)] {
        let want = l1 * (l1 / l2).ln() - l1 + l2;
        close("Poisson KL", poisson::kl_divergence(l1, l2), want);
    }
}

#[test]
fn normal_kl_is_the_closed_form() {
    for (m1, s1, m2, s2) in [
        (0.0_f64, 1.0_f64, 1.0, 2.0),
        (-1.5, 0.3, 2.0, 0.9),
        (4.0, 2.0, 4.1, 2.2),
    ] {
        let want = (s2 / s1).ln() + (s1 * s1 + (m1 - m2) * (m1 - m2)) / (2.0 * s2 * s2) - 0.5;
        close("normal KL", normal::kl_divergence(m1, s1, m2, s2), want);
    }
}

#[test]
fn gamma_kl_is_the_closed_form() {
    // KL(Γ(a1, b1) ‖ Γ(a2, b2)) in shape–rate form.
    for (a1, b1, a2, b2) in [
        (2.0_f64, 1.0_f64, 3.0, 2.0_f64),
        (0.7, 3.0, 1.4, 0.5),
        (5.0, 5.0, 4.5, 5.5),
    ] {
        let want: f64 = (a1 - a2) * digamma(a1) - ln_gamma(a1)
            + ln_gamma(a2)
            + a2 * (b1.ln() - b2.ln())
            + a1 * (b2 - b1) / b1;
        close("gamma KL", gamma::kl_divergence(a1, b1, a2, b2), want);
    }
}

#[test]
fn binomial_kl_is_the_closed_form() {
    for (t1, t2, n) in [
        (0.3_f64, 0.5_f64, 10.0),
        (0.9, 0.2, 3.0),
        (0.45, 0.46, 100.0),
    ] {
        let want = n * (t1 * (t1 / t2).ln() + (1.0 - t1) * ((1.0 - t1) / (1.0 - t2)).ln());
        close("binomial KL", binomial::kl_divergence(t1, t2, n), want);
    }
}

#[test]
fn exponential_kl_is_the_closed_form() {
    for (l1, l2) in [(1.0_f64, 2.0_f64), (0.25, 3.0), (7.0, 6.5)] {
        let want = (l1 / l2).ln() + l2 / l1 - 1.0;
        close("exponential KL", exponential::kl_divergence(l1, l2), want);
    }
}

#[test]
fn dirichlet_kl_is_the_closed_form() {
    let cases = [
        ([1.0, 2.0, 3.0], [2.0, 2.0, 2.0]),
        ([0.5, 0.7, 4.0], [1.5, 0.3, 2.5]),
        ([10.0, 1.0, 1.0], [9.0, 1.5, 0.8]),
    ];
    for (a, b) in cases {
        let (a0, b0): (f64, f64) = (a.iter().sum(), b.iter().sum());
        let mut want = ln_gamma(a0) - ln_gamma(b0);
        for i in 0..3 {
            want += ln_gamma(b[i]) - ln_gamma(a[i]) + (a[i] - b[i]) * (digamma(a[i]) - digamma(a0));
        }
        close("Dirichlet KL", dirichlet3::kl_divergence(a, b), want);
    }
}

#[test]
fn kl_is_zero_at_q_equal_p_and_nan_outside_the_domain() {
    assert_eq!(gamma::kl_divergence(2.0, 3.0, 2.0, 3.0), 0.0);
    assert!(poisson::kl_divergence(2.0, -1.0).is_nan());
    assert!(poisson::kl_divergence(-2.0, 1.0).is_nan());
    assert!(normal::kl_divergence(0.0, 1.0, 0.0, f64::NAN).is_nan());
}

#[test]
fn kl_quadratic_is_the_second_order_of_kl_divergence() {
    // KL(P ‖ P + δ) / (½ δᵀ F δ) → 1 as δ → 0, with an error O(|δ|).
    let (a, b) = (2.5, 1.5);
    let mut last = f64::INFINITY;
    for h in [1e-1, 1e-2, 1e-3] {
        let d = [h, -0.5 * h];
        let exact = gamma::kl_divergence(a, b, a + d[0], b + d[1]);
        let quad = gamma::kl_quadratic(a, b, d);
        let err = (exact / quad - 1.0).abs();
        assert!(err < 5.0 * h, "h = {h}: ratio {}", exact / quad);
        assert!(err < last, "h = {h}: the error did not shrink");
        last = err;
    }
    let (m, s) = (0.5, 2.0);
    for h in [1e-2, 1e-3] {
        let d = [h, h];
        let ratio = normal::kl_divergence(m, s, m + d[0], s + d[1]) / normal::kl_quadratic(m, s, d);
        assert!((ratio - 1.0).abs() < 5.0 * h, "normal, h = {h}: {ratio}");
    }
}

// ---- F in natural and mean parameters ---------------------------------------------------------

fn product<const K: usize>(a: &[[f64; K]; K], b: &[[f64; K]; K]) -> [[f64; K]; K] {
    let mut out = [[0.0; K]; K];
    for i in 0..K {
        for j in 0..K {
            out[i][j] = (0..K).map(|l| a[i][l] * b[l][j]).sum();
        }
    }
    out
}

fn assert_identity<const K: usize>(what: &str, m: &[[f64; K]; K]) {
    for i in 0..K {
        for j in 0..K {
            let want = if i == j { 1.0 } else { 0.0 };
            assert!(
                (m[i][j] - want).abs() < 1e-12,
                "{what}: [{i}][{j}] = {}",
                m[i][j]
            );
        }
    }
}

#[test]
fn fisher_mean_times_fisher_natural_is_the_identity() {
    for (a, b) in [(2.0, 1.0), (0.6, 4.0), (9.0, 0.3)] {
        let p = product(&gamma::fisher_mean(a, b), &gamma::fisher_natural(a, b));
        assert_identity("gamma", &p);
    }
    for (t, n) in [(0.3, 10.0), (0.05, 2.0), (0.99, 40.0)] {
        let p = product(
            &binomial::fisher_mean(t, n),
            &binomial::fisher_natural(t, n),
        );
        assert_identity("binomial", &p);
    }
    for (m, s) in [(0.0, 1.0), (-3.0, 0.5), (2.0, 7.0)] {
        let p = product(&normal::fisher_mean(m, s), &normal::fisher_natural(m, s));
        assert_identity("normal", &p);
    }
}

#[test]
fn fisher_natural_is_the_covariance_of_the_statistics() {
    // Gamma: T = (x, ln x), Cov[T] = [[α/β², 1/β], [1/β, ψ′(α)]].
    for (a, b) in [(2.0, 1.0), (0.6, 4.0)] {
        let f = gamma::fisher_natural(a, b);
        close("Var[x]", f[0][0], a / (b * b));
        close("Cov[x, ln x]", f[0][1], 1.0 / b);
        close("Var[ln x]", f[1][1], trigamma(a));
    }
    // Binomial: T = x, Var[x] = n θ (1 − θ); in the mean m = nθ, F(m) = 1 / (n θ (1 − θ)).
    let (t, n) = (0.3, 10.0);
    close(
        "Var[x]",
        binomial::fisher_natural(t, n)[0][0],
        n * t * (1.0 - t),
    );
    close(
        "F(m)",
        binomial::fisher_mean(t, n)[0][0],
        1.0 / (n * t * (1.0 - t)),
    );
    // Normal: T = (x, x²), Cov[T] = [[σ², 2μσ²], [2μσ², 4μ²σ² + 2σ⁴]].
    let (m, s) = (1.5, 0.5);
    let f = normal::fisher_natural(m, s);
    let v = s * s;
    close("Var[x]", f[0][0], v);
    close("Cov[x, x²]", f[0][1], 2.0 * m * v);
    close("Var[x²]", f[1][1], 4.0 * m * m * v + 2.0 * v * v);
}

#[test]
fn the_derivation_reports_the_structure_and_theorem_1() {
    for text in [
        poisson::DERIVATION,
        normal::DERIVATION,
        gamma::DERIVATION,
        binomial::DERIVATION,
    ] {
        assert!(text.contains("## Exponential family"), "{text}");
        assert!(text.contains("KL(P‖Q)"), "{text}");
        assert!(
            text.contains("Theorem 1") && !text.contains("Theorem 1: E[s sᵀ] = −E[H] (second moments of T from Cov[T] = ∇²_η A): skipped"),
            "{text}"
        );
    }
}

// ---- reparameterizations and inputs -------------------------------------------------------------

#[fisher_model(
    params(theta),
    data(x),
    moments(E[x] = n * theta),
    reparam(odds(theta = phi / (1.0 + phi)))
)]
fn binomial_odds(x: f64, theta: f64, n: f64) -> f64 {
    x * theta.ln() + (n - x) * (1.0 - theta).ln()
}

#[test]
fn kl_is_the_same_in_any_parameterization() {
    // KL compares distributions, not coordinates: in the odds φ = θ / (1 − θ) it is the KL of
    // the same two binomials.
    for (f1, f2, n) in [(0.5_f64, 2.0_f64, 10.0), (3.0, 0.25, 4.0)] {
        let (t1, t2) = (f1 / (1.0 + f1), f2 / (1.0 + f2));
        close(
            "odds KL",
            binomial_odds::odds::kl_divergence(f1, f2, n),
            binomial_odds::kl_divergence(t1, t2, n),
        );
    }
}

#[fisher_model(params(a, b), data(y), inputs(c))]
fn poisson_regression(y: f64, a: f64, b: f64, c: f64) -> f64 {
    y * (a + b * c) - (a + b * c).exp()
}

#[test]
fn kl_of_a_regression_is_the_kl_at_the_input() {
    // At input c the model is Poisson(λ = e^(a + b c)).
    for (a1, b1, a2, b2, c) in [
        (0.1_f64, 0.5_f64, -0.3_f64, 0.7_f64, 1.5_f64),
        (1.0, -1.0, 1.2, -0.8, 0.3),
    ] {
        let (l1, l2) = ((a1 + b1 * c).exp(), (a2 + b2 * c).exp());
        let want = l1 * (l1 / l2).ln() - l1 + l2;
        close(
            "regression KL",
            poisson_regression::kl_divergence(a1, b1, a2, b2, c),
            want,
        );
    }
}

/// A constant already named like Q's copy of a parameter: Q's argument takes another name, and
/// the constant keeps its meaning.
#[fisher_model(params(lambda), data(x), moments(E[x] = lambda * lambda_q))]
fn scaled_poisson(x: f64, lambda: f64, lambda_q: f64) -> f64 {
    x * lambda.ln() - lambda * lambda_q
}

#[test]
fn q_arguments_do_not_capture_model_names() {
    // Poisson with mean λ c (c = `lambda_q`, a constant): KL = λ1 c ln(λ1/λ2) − c λ1 + c λ2.
    let (l1, l2, c) = (2.0_f64, 3.0_f64, 1.5_f64);
    let want = c * (l1 * (l1 / l2).ln() - l1 + l2);
    close(
        "scaled Poisson KL",
        scaled_poisson::kl_divergence(l1, l2, c),
        want,
    );
}
