//! `jeffreys_log_density` where the `f64` form of ½ ln det F overflows on the way while the
//! value is finite (issue 15): ψ₁(α) ≈ 1/α² leaves `f64`'s range below α ≈ 10⁻¹⁵⁴. The
//! generated function then computes the same form with an unbounded exponent
//! (`fim::__private::wide::Wide`), which these tests check against closed forms derived by hand
//! from ψ₁(x) = 1/x² + ψ₁(1 + x), and against the `f64` form wherever that is finite.

// The log-likelihood functions themselves are only read by the attribute here.
#![allow(dead_code)]

use fim::fisher_model;
use fim::special::{bessel_i0, bessel_i1, ln_gamma, trigamma};

fn close(what: &str, got: f64, want: f64, tol: f64) {
    let scale = got.abs().max(want.abs());
    assert!(
        got == want || (got - want).abs() <= tol * scale,
        "{what}: got {got:e}, want {want:e} (relative error {:e})",
        (got - want).abs() / scale
    );
}

#[fisher_model(
    params(alpha, beta),
    data(x),
    moments(E[x] = alpha / beta, E[x.ln()] = digamma(alpha) - beta.ln())
)]
fn gamma(x: f64, alpha: f64, beta: f64) -> f64 {
    alpha * beta.ln() - ln_gamma(alpha) + (alpha - 1.0) * x.ln() - beta * x
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

#[fisher_model(params(alpha), data(x))]
fn dirichlet(x: [f64; 3], alpha: [f64; 3]) -> f64 {
    ln_gamma(alpha.iter().sum::<f64>()) - alpha.iter().map(|a| ln_gamma(*a)).sum::<f64>()
        + alpha
            .iter()
            .zip(x.iter())
            .map(|(a, x)| (a - 1.0) * x.ln())
            .sum::<f64>()
}

#[fisher_model(
    params(mu, kappa),
    data(x),
    moments(E[(x - mu).cos()] = bessel_i1(kappa) / bessel_i0(kappa), E[(x - mu).sin()] = 0.0)
)]
fn von_mises(x: f64, mu: f64, kappa: f64) -> f64 {
    kappa * (x - mu).cos() - fim::special::ln_bessel_i0(kappa)
}

#[fisher_model(params(mu, sigma), data(x), moments(E[x] = mu, E[x.powi(2)] = mu.powi(2) + sigma.powi(2)))]
fn normal(x: f64, mu: f64, sigma: f64) -> f64 {
    -sigma.ln() - (x - mu).powi(2) / (2.0 * sigma.powi(2))
}

/// x ψ₁(x) − 1 = 1/x + x ψ₁(1 + x) − 1, which stays in range for tiny x.
fn x_trigamma_minus_1(x: f64) -> f64 {
    1.0 / x + x * trigamma(1.0 + x) - 1.0
}

#[test]
fn gamma_beyond_the_overflow_of_trigamma() {
    // J = ½ ln(α ψ₁(α) − 1) − ln β.
    for (alpha, b) in [
        (1e-300_f64, 1e-300_f64),
        (1e-200, 3.0),
        (1e-160, 1e100),
        (4.9e-324, 1.0),
    ] {
        assert!(!trigamma(alpha).is_finite(), "ψ₁({alpha}) overflows");
        let want = 0.5 * x_trigamma_minus_1(alpha).ln() - b.ln();
        close(
            "gamma J",
            gamma::jeffreys_log_density(alpha, b),
            want,
            1e-12,
        );
    }
    // The point: about 1036.
    let j = gamma::jeffreys_log_density(1e-300, 1e-300);
    assert!((j - 1036.2).abs() < 0.1, "{j}");
}

#[test]
fn beta_beyond_the_overflow_of_trigamma() {
    // det F = ψ₁(a) ψ₁(b) − ψ₁(a + b)(ψ₁(a) + ψ₁(b)); for a = b = t it is
    // ψ₁(t)(ψ₁(t) − 2ψ₁(2t)) with ψ₁(t) − 2ψ₁(2t) = 1/(2t²) + ψ₁(1 + t) − 2ψ₁(1 + 2t).
    for t in [1e-300_f64, 1e-200, 1e-100] {
        let p1 = 1.0 / t; // √ of the pole term 1/t² of ψ₁(t)
        let half_log_psi = p1.ln() + 0.5 * (1.0 + t * t * trigamma(1.0 + t)).ln();
        let rest = 0.5 / (t * t) + trigamma(1.0 + t) - 2.0 * trigamma(1.0 + 2.0 * t);
        // ½ ln det F = ½ ln ψ₁(t) + ½ ln(rest), with rest = ½ t⁻² (1 + 2t²(…)).
        let half_log_rest = p1.ln() + 0.5 * (rest * t * t).ln();
        let want = half_log_psi + half_log_rest;
        close("beta J", beta::jeffreys_log_density(t, t), want, 1e-12);
    }
}

#[test]
fn dirichlet_beyond_the_overflow_of_trigamma() {
    // det F = Π ψ₁(αᵢ) · (1 − ψ₁(Σα) Σ 1/ψ₁(αᵢ)); at αᵢ = t tiny, ψ₁(αᵢ) ≈ 1/t² and
    // ψ₁(3t) ≈ 1/(9t²), so det F ≈ t⁻⁶ (1 − 3/9) and J ≈ −3 ln t + ½ ln(2/3).
    let t = 1e-300_f64;
    let want = -3.0 * t.ln() + 0.5 * (2.0_f64 / 3.0).ln();
    close(
        "dirichlet J",
        dirichlet::jeffreys_log_density([t; 3]),
        want,
        1e-12,
    );
}

/// `model`'s wide form agrees with its f64 form at these arguments (1e-13).
macro_rules! agree {
    ($model:ident, $($arg:expr),+) => {
        close(
            stringify!($model),
            $model::__jeffreys_log_density_wide($($arg),+),
            $model::jeffreys_log_density($($arg),+),
            1e-13,
        )
    };
}

#[test]
fn the_wide_form_is_the_f64_form_where_both_are_finite() {
    // Tiny parameters where the f64 form is still finite (not for the beta and the Dirichlet,
    // whose ψ₁(b) − ψ₁(a + b) cancels to 0 in both forms at a tiny a).
    for (a, b) in [(1e-100, 1e5), (1e-150, 1e-150)] {
        agree!(gamma, a, b);
        agree!(normal, a, b);
    }
    for (a, b) in [(0.5, 1.0), (2.0, 3.0), (9.5, 0.2), (0.01, 40.0)] {
        agree!(gamma, a, b);
        agree!(beta, a, b);
        agree!(normal, a, b);
        agree!(von_mises, a, b);
        agree!(dirichlet, [a, b, a + b]);
    }
}

#[test]
fn von_mises_beyond_the_overflow_of_bessel_i0() {
    // F = diag(κ A, 1 − A/κ − A²), A = I₁/I₀; at κ = 2000 I₀ overflows (past ≈ 713) but A does
    // not: A ≈ 1 − 1/(2κ) − 1/(8κ²) − 1/(8κ³).
    let k = 2000.0_f64;
    assert!(!bessel_i0(k).is_finite() && !bessel_i1(k).is_finite());
    let a = 1.0 - 1.0 / (2.0 * k) - 1.0 / (8.0 * k * k) - 1.0 / (8.0 * k * k * k);
    let want = 0.5 * (k * a).ln() + 0.5 * (1.0 - a / k - a * a).ln();
    close(
        "von Mises J",
        von_mises::jeffreys_log_density(0.3, k),
        want,
        1e-6,
    );
}

#[test]
fn outside_the_domain_it_is_still_nan() {
    assert!(gamma::jeffreys_log_density(-1e-300, 1.0).is_nan());
    assert!(gamma::jeffreys_log_density(f64::NAN, 1.0).is_nan());
    assert!(beta::jeffreys_log_density(1.0, 0.0).is_nan());
}
