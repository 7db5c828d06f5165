//! Theorem 1 (proofs issue, deliverable 3): where the moments cover s sᵀ, E[s sᵀ] is derived as
//! well and proved equal to −E[H] = F. The check is named "Theorem 1: E[s sᵀ] = −E[H] (route)",
//! the route saying where the second moments came from: for an exponential family from
//! Cov[T] = ∇²_η A (issue 13), so that no catalog model skips it; otherwise from the declared
//! moments, and it is skipped, saying which moments it lacked, when they are not there.

use fim_core::model::{CheckOutcome, Derivation};

mod common;
use common::derive;

const THEOREM1: &str = "Theorem 1: E[s sᵀ] = −E[H]";
const BY_COVARIANCE: &str = "(second moments of T from Cov[T] = ∇²_η A)";
const BY_DECLARED: &str = "(the declared and inferred moments)";

/// The outcome of every check whose name starts with "Theorem 1".
fn theorem1(d: &Derivation) -> Vec<(String, CheckOutcome)> {
    d.core
        .checks
        .iter()
        .filter(|c| c.name.starts_with("Theorem 1"))
        .map(|c| (c.name.clone(), c.outcome.clone()))
        .collect()
}

fn assert_proved(attr: &str, item: &str) {
    let d = derive(attr, item);
    let t = theorem1(&d);
    assert_eq!(t.len(), 1, "{t:?}");
    assert_eq!(t[0].0, format!("{THEOREM1} {BY_COVARIANCE}"));
    assert!(matches!(t[0].1, CheckOutcome::Proved(_)), "{attr}: {t:?}");
}

fn assert_skipped(attr: &str, item: &str, needs: &[&str]) {
    let d = derive(attr, item);
    let t = theorem1(&d);
    assert_eq!(t.len(), 1, "{t:?}");
    assert_eq!(t[0].0, format!("{THEOREM1} {BY_DECLARED}"));
    match &t[0].1 {
        CheckOutcome::Skipped(why) => {
            for n in needs {
                assert!(why.contains(n), "{attr}: `{why}` should name {n}");
            }
        }
        o => panic!("{attr}: expected skipped, got {o:?}"),
    }
}

const BERNOULLI: &str =
    "fn bernoulli(x: f64, p: f64) -> f64 { x * p.ln() + (1.0 - x) * (1.0 - p).ln() }";
const BINOMIAL: &str =
    "fn binomial(x: f64, theta: f64, n: f64) -> f64 { x * theta.ln() + (n - x) * (1.0 - theta).ln() }";
const POISSON: &str = "fn poisson(x: f64, lambda: f64) -> f64 { x * lambda.ln() - lambda }";
const NORMAL: &str = "fn normal(x: f64, mu: f64, sigma: f64) -> f64 { -sigma.ln() - (x - mu).powi(2) / (2.0 * sigma.powi(2)) }";
const GAMMA: &str = "fn gamma(x: f64, alpha: f64, beta: f64) -> f64 { alpha * beta.ln() - ln_gamma(alpha) + (alpha - 1.0) * x.ln() - beta * x }";
const BETA: &str = "fn beta(x: f64, a: f64, b: f64) -> f64 { ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + (a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln() }";
const MULTINOMIAL: &str = "fn multinomial(x1: f64, x2: f64, p1: f64, p2: f64, n: f64) -> f64 { x1 * p1.ln() + x2 * p2.ln() + (n - x1 - x2) * (1.0 - p1 - p2).ln() }";

// ---- proved ----------------------------------------------------------------------------------------

/// Bernoulli: x² = x, so E[x²] = p.
#[test]
fn bernoulli() {
    assert_proved(
        "params(p), data(x), moments(E[x] = p, E[x.powi(2)] = p)",
        BERNOULLI,
    );
    // With E[x] inferred, only the extra moment declared.
    assert_proved("params(p), data(x), moments(E[x.powi(2)] = p)", BERNOULLI);
}

/// Poisson: E[x²] = λ + λ².
#[test]
fn poisson() {
    assert_proved(
        "params(lambda), data(x), moments(E[x] = lambda, E[x.powi(2)] = lambda + lambda.powi(2))",
        POISSON,
    );
    assert_proved(
        "params(lambda), data(x), moments(E[x] = lambda, Var[x] = lambda)",
        POISSON,
    );
}

/// Normal (μ, σ): E[x³] = μ³ + 3μσ², E[x⁴] = μ⁴ + 6μ²σ² + 3σ⁴; all three entries of F.
#[test]
fn normal() {
    assert_proved(
        "params(mu, sigma), data(x), moments(E[x] = mu, E[x.powi(2)] = mu.powi(2) + sigma.powi(2), \
         E[x.powi(3)] = mu.powi(3) + 3.0 * mu * sigma.powi(2), \
         E[x.powi(4)] = mu.powi(4) + 6.0 * mu.powi(2) * sigma.powi(2) + 3.0 * sigma.powi(4))",
        NORMAL,
    );
    // Central moments say the same: E[(x - mu).powi(3)] = 0, E[(x - mu).powi(4)] = 3σ⁴.
    assert_proved(
        "params(mu, sigma), data(x), moments(E[x] = mu, Var[x] = sigma.powi(2), \
         E[(x - mu).powi(3)] = 0.0, E[(x - mu).powi(4)] = 3.0 * sigma.powi(4))",
        NORMAL,
    );
}

/// Binomial: E[x²] = nθ(1 − θ) + n²θ².
#[test]
fn binomial() {
    assert_proved(
        "params(theta), data(x), moments(E[x] = n * theta, Var[x] = n * theta * (1.0 - theta))",
        BINOMIAL,
    );
}

/// Gamma (shape, rate), with digamma and trigamma in the moments:
/// E[(ln x)²] = ψ₁(α) + (ψ(α) − ln β)², E[x ln x] = (α/β)(ψ(α) + 1/α − ln β),
/// E[x²] = α(α + 1)/β².
#[test]
fn gamma() {
    assert_proved(
        "params(alpha, beta), data(x), moments(\
         E[x.ln().powi(2)] = trigamma(alpha) + (digamma(alpha) - beta.ln()).powi(2), \
         E[x * x.ln()] = alpha / beta * (digamma(alpha) + 1.0 / alpha - beta.ln()), \
         E[x.powi(2)] = alpha * (alpha + 1.0) / beta.powi(2))",
        GAMMA,
    );
}

/// Beta: the second moments of (ln x, ln(1 − x)) from the trigamma covariances.
#[test]
fn beta() {
    assert_proved(
        "params(a, b), data(x), moments(\
         E[x.ln().powi(2)] = trigamma(a) - trigamma(a + b) + (digamma(a) - digamma(a + b)).powi(2), \
         E[x.ln() * (1.0 - x).ln()] = -trigamma(a + b) + (digamma(a) - digamma(a + b)) * (digamma(b) - digamma(a + b)), \
         E[(1.0 - x).ln().powi(2)] = trigamma(b) - trigamma(a + b) + (digamma(b) - digamma(a + b)).powi(2))",
        BETA,
    );
}

/// Multinomial: Cov[xᵢ, xⱼ] = n(pᵢδᵢⱼ − pᵢpⱼ).
#[test]
fn multinomial() {
    assert_proved(
        "params(p1, p2), data(x1, x2), moments(E[x1] = n * p1, E[x2] = n * p2, \
         E[x1.powi(2)] = n * p1 * (1.0 - p1) + n.powi(2) * p1.powi(2), \
         E[x1 * x2] = -n * p1 * p2 + n.powi(2) * p1 * p2, \
         E[x2.powi(2)] = n * p2 * (1.0 - p2) + n.powi(2) * p2.powi(2))",
        MULTINOMIAL,
    );
}

// ---- without declared second moments ---------------------------------------------------------------

/// The exponential families prove Theorem 1 with no second moment declared: Cov[T] = ∇²_η A
/// supplies them (these once printed "skipped").
#[test]
fn proved_from_the_structure_without_declared_second_moments() {
    for (attr, item) in [
        ("params(p), data(x), moments(E[x] = p)", BERNOULLI),
        ("params(lambda), data(x), moments(E[x] = lambda)", POISSON),
        (
            "params(mu, sigma), data(x), moments(E[x] = mu, E[x.powi(2)] = mu.powi(2) + sigma.powi(2))",
            NORMAL,
        ),
        ("params(mu, sigma), data(x)", NORMAL),
        ("params(theta), data(x)", BINOMIAL),
        ("params(alpha, beta), data(x)", GAMMA),
        ("params(a, b), data(x)", BETA),
        ("params(p1, p2), data(x1, x2)", MULTINOMIAL),
    ] {
        assert_proved(attr, item);
    }
}

// ---- skipped -----------------------------------------------------------------------------------------

/// N(θ, θ²) is a curved family (two statistics, x and x², for one parameter): no structure, so
/// s sᵀ needs the third and fourth moments declared.
#[test]
fn skipped_without_the_moments() {
    assert_skipped(
        "params(theta), data(x), moments(E[x] = theta, E[x.powi(2)] = 2.0 * theta.powi(2))",
        "fn f(x: f64, theta: f64) -> f64 { -theta.ln() - (x - theta).powi(2) / (2.0 * theta.powi(2)) }",
        &["E[x.powi(3)]", "E[x.powi(4)]"],
    );
}

// ---- a wrong higher moment -----------------------------------------------------------------------------

/// A wrong E[x²] for the Poisson (λ² instead of λ + λ²): Cov[T] = ∇²_η A gives λ + λ², so the
/// structure's second moments are not used (the DERIVATION says why), and with the declared
/// one E[s²] = E[(x − λ)²]/λ² = 0 ≠ 1/λ. The declared moments are inconsistent; like a failed
/// E[score] = 0 or a failed verify, this stops the derivation with one error that names the
/// entry and shows a point.
#[test]
fn wrong_second_moment_is_an_error() {
    let err = Derivation::from_source(
        "params(lambda), data(x), moments(E[x] = lambda, E[x.powi(2)] = lambda.powi(2))",
        POISSON,
    )
    .expect_err("inconsistent moments");
    let msgs: Vec<String> = err.into_iter().map(|e| e.to_string()).collect();
    assert_eq!(msgs.len(), 1, "{msgs:#?}");
    let m = &msgs[0];
    assert!(
        m.starts_with(&format!(
            "{THEOREM1} {BY_DECLARED} at [lambda][lambda] fails: "
        )),
        "{m}"
    );
    assert!(m.contains("differ at lambda = "), "{m}");
    assert!(m.contains("derived `1.0 / lambda`"), "{m}");
}
