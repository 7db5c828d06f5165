//! Exponential-family structure (issue 13) on every catalog row: the statistics T, natural
//! parameters η, log-partition A and base measure h read off ℓ = ηᵀ T − A + h match the
//! hand-derived ones (proved equal, not compared as text), and every structural proof and
//! Theorem 1 are proved — no catalog row prints "skipped".

use fim_core::model::{CheckOutcome, Derivation};

#[path = "common/catalog.rs"]
mod catalog;
mod common;
use common::{assert_identity, derive};

/// A catalog row's hand-derived structure: its name, the (T, η) pairs, A and h (Rust source).
type Structure = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
    &'static str,
);

/// Hand-derived (T, η) pairs, A and h per catalog row.
const HAND: &[Structure] = &[
    (
        "bernoulli",
        &[("x", "(p / (1.0 - p)).ln()")],
        "-(1.0 - p).ln()",
        "0.0",
    ),
    (
        "binomial",
        &[("x", "(theta / (1.0 - theta)).ln()")],
        "-n * (1.0 - theta).ln()",
        "0.0",
    ),
    (
        "binomial_odds",
        &[("x", "phi.ln()")],
        "n * (1.0 + phi).ln()",
        "0.0",
    ),
    ("poisson", &[("x", "lambda.ln()")], "lambda", "0.0"),
    ("exponential", &[("x", "-lambda")], "-lambda.ln()", "0.0"),
    (
        "normal",
        &[
            ("x", "mu / sigma.powi(2)"),
            ("x.powi(2)", "-0.5 / sigma.powi(2)"),
        ],
        "mu.powi(2) / (2.0 * sigma.powi(2)) + sigma.ln()",
        "0.0",
    ),
    (
        "normal_variance",
        &[("x", "mu / v"), ("x.powi(2)", "-0.5 / v")],
        "mu.powi(2) / (2.0 * v) + 0.5 * v.ln()",
        "0.0",
    ),
    ("geometric", &[("x", "(1.0 - p).ln()")], "-p.ln()", "0.0"),
    (
        "gamma",
        &[("x", "-beta"), ("x.ln()", "alpha")],
        "ln_gamma(alpha) - alpha * beta.ln()",
        "-x.ln()",
    ),
    (
        "beta",
        &[("x.ln()", "a"), ("(1.0 - x).ln()", "b")],
        "ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)",
        "-x.ln() - (1.0 - x).ln()",
    ),
    (
        "multinomial",
        &[
            ("x1", "(p1 / (1.0 - p1 - p2)).ln()"),
            ("x2", "(p2 / (1.0 - p1 - p2)).ln()"),
        ],
        "-n * (1.0 - p1 - p2).ln()",
        "0.0",
    ),
];

#[test]
fn the_structure_of_every_catalog_row_is_the_hand_derived_one() {
    for &(name, attr, item) in catalog::CATALOG {
        let (_, pairs, a, h) = HAND
            .iter()
            .find(|r| r.0 == name)
            .unwrap_or_else(|| panic!("no hand-derived structure for `{name}`"));
        let mut d = derive(attr, item);
        let fam = d
            .core
            .family
            .clone()
            .unwrap_or_else(|why| panic!("{name}: no structure: {why}"));
        assert_eq!(fam.stats.len(), pairs.len(), "{name}");
        for (l, &(t, eta)) in pairs.iter().enumerate() {
            assert_identity(&mut d, t, fam.stats[l], &format!("{name}: T{l}"));
            assert_identity(&mut d, eta, fam.natural[l], &format!("{name}: η{l}"));
        }
        assert_identity(&mut d, a, fam.log_partition, &format!("{name}: A"));
        assert_identity(&mut d, h, fam.base, &format!("{name}: h"));
        assert!(
            fam.natural_fisher.is_some() && fam.mean_fisher.is_some(),
            "{name}: {:?}",
            fam.note
        );
    }
}

/// Every check on a catalog row is proved: the structure, F(m) F(η) = I, Theorem 1 by
/// Cov[T] = ∇²_η A, and the KL identities.
#[test]
fn no_catalog_row_skips_a_check() {
    for &(name, attr, item) in catalog::CATALOG {
        let d = derive(attr, item);
        for c in &d.core.checks {
            assert!(
                matches!(c.outcome, CheckOutcome::Proved(_)),
                "{name}: `{}` is {:?}",
                c.name,
                c.outcome
            );
        }
        for prefix in [
            "F = (∂η/∂θ)ᵀ ∇²_η A (∂η/∂θ)",
            "fisher_mean · fisher_natural = I",
            "Theorem 1: E[s sᵀ] = −E[H] (second moments of T from Cov[T] = ∇²_η A)",
            "KL(P‖Q) = 0",
        ] {
            assert!(
                d.core.checks.iter().any(|c| c.name.starts_with(prefix)),
                "{name}: no check `{prefix}`"
            );
        }
        assert!(d.core.kl.is_ok(), "{name}: {:?}", d.core.kl.as_ref().err());
    }
}

/// ∇²_η A equals Cov[T] computed by hand for the gamma: [[α/β², 1/β], [1/β, ψ′(α)]].
#[test]
fn natural_fisher_of_the_gamma_is_the_covariance_of_t() {
    let (_, attr, item) = catalog::CATALOG.iter().find(|r| r.0 == "gamma").unwrap();
    let mut d = derive(attr, item);
    let n = d
        .core
        .family
        .as_ref()
        .unwrap()
        .natural_fisher
        .clone()
        .unwrap();
    assert_identity(&mut d, "alpha / beta.powi(2)", n[0][0], "Var[x]");
    assert_identity(&mut d, "1.0 / beta", n[0][1], "Cov[x, ln x]");
    assert_identity(&mut d, "trigamma(alpha)", n[1][1], "Var[ln x]");
}

/// Where ℓ is not of the form ηᵀ T − A + h, the DERIVATION says why and the items are absent.
#[test]
fn non_families_say_why() {
    // Cauchy location: the data enter through ln(1 + (x − μ)²).
    let d = Derivation::from_source(
        "params(mu), data(x), moments(E[1.0 / (1.0 + (x - mu).powi(2))] = 0.5, \
         E[(x - mu) / (1.0 + (x - mu).powi(2))] = 0.0, \
         E[(x - mu).powi(2) / (1.0 + (x - mu).powi(2)).powi(2)] = 0.125, \
         E[1.0 / (1.0 + (x - mu).powi(2)).powi(2)] = 0.375)",
        "fn cauchy(x: f64, mu: f64) -> f64 { -(1.0 + (x - mu).powi(2)).ln() }",
    )
    .map_err(|e| e.to_string())
    .unwrap();
    let why = d.core.family.as_ref().expect_err("not a family");
    assert!(why.contains("which also holds parameters"), "{why}");
    let why = d.core.kl.as_ref().expect_err("no closed form");
    assert!(why.contains("E_P[ℓ(P) − ℓ(Q)] needs"), "{why}");
    let text = fim_core::model::report::text(&d);
    assert!(
        text.contains("Not an exponential family in these coordinates"),
        "{text}"
    );
    assert!(text.contains("No closed-form KL divergence"), "{text}");
    // A curved family: two statistics for one parameter.
    let d = derive(
        "params(theta), data(x), moments(E[x] = theta, E[x.powi(2)] = 2.0 * theta.powi(2))",
        "fn f(x: f64, theta: f64) -> f64 { -theta.ln() - (x - theta).powi(2) / (2.0 * theta.powi(2)) }",
    );
    let why = d.core.family.as_ref().expect_err("curved");
    assert!(why.contains("2 data statistics"), "{why}");
}

/// The multinomial with K = 4 and K = 8 free probabilities: ∂η/∂p = diag(1/pᵢ) + 1/p₀ 11ᵀ is
/// larger than a cofactor inverse but diagonal plus rank one, so ∇²_η A is formed and
/// Theorem 1 is proved by Cov[T] there too (it was skipped for K > 3).
#[test]
fn larger_multinomials_prove_theorem_1_by_the_structure() {
    for k in [4, 8] {
        let (attr, item) = common::families::multinomial(k);
        let d = derive(&attr, &item);
        let fam = d.core.family.as_ref().expect("a family");
        assert!(fam.natural_fisher.is_some(), "K = {k}: {:?}", fam.note);
        let t1: Vec<_> = d
            .core
            .checks
            .iter()
            .filter(|c| c.name.starts_with("Theorem 1"))
            .collect();
        assert_eq!(t1.len(), 1, "K = {k}");
        assert_eq!(
            t1[0].name,
            "Theorem 1: E[s sᵀ] = −E[H] (second moments of T from Cov[T] = ∇²_η A)"
        );
        assert!(
            matches!(t1[0].outcome, CheckOutcome::Proved(_)),
            "K = {k}: {:?}",
            t1[0].outcome
        );
    }
}

/// The Dirichlet in arrays with K = 12: its statistics ln x[i] come in another order than
/// its parameters, so ∂η/∂α is a permutation matrix (inverted as one), and Theorem 1 is
/// proved by Cov[T] (it was skipped for K > 3).
#[test]
fn the_dirichlet_in_arrays_proves_theorem_1_by_the_structure() {
    let (attr, item) = common::families::dirichlet_array(12);
    let d = derive(&attr, &item);
    let check = d
        .core
        .checks
        .iter()
        .find(|c| c.name.starts_with("Theorem 1"))
        .expect("Theorem 1 ran");
    assert_eq!(
        check.name,
        "Theorem 1: E[s sᵀ] = −E[H] (second moments of T from Cov[T] = ∇²_η A)"
    );
    assert!(
        matches!(check.outcome, CheckOutcome::Proved(_)),
        "{:?}",
        check.outcome
    );
}
