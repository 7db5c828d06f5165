//! The moment table (derivation issue, deliverable 2): spellings of one moment, `Var[..]`,
//! central and scaled moments solved for their one unknown, data factors holding constants and
//! parameters, and declared moments that contradict each other.
//!
//! N(θ, θ²) is the workhorse: a curved family, so nothing is inferred and every moment the
//! Hessian needs (E[x], E[x²]) must come from the declarations. Its F is 3/θ².

use fim_core::expect::Source;
use fim_core::model::{report, CheckOutcome, Derivation, Jeffreys};
use fim_core::{parse, print, Id};

mod common;
use common::{assert_identity, derive, outcome as check};

const NORMAL_THETA_THETA2: &str = "fn normal_cv(x: f64, theta: f64) -> f64 { -theta.ln() - (x - theta).powi(2) / (2.0 * theta.powi(2)) }";

/// The table entry for the data expression `factor` (Rust text), parsed into the model's arena.
fn entry(d: &mut Derivation, factor: &str) -> (Id, Source) {
    let f = parse::parse_str(&mut d.model.arena, factor).unwrap();
    let e = d
        .core
        .table
        .get(f)
        .unwrap_or_else(|| panic!("no moment E[{factor}] in the table"));
    (e.value, e.source)
}

/// `E[x * x]`, `E[x.powi(2)]` and `E[x.powf(2.0)]` are one moment: the same table entry and the
/// same F.
#[test]
fn three_spellings_of_one_moment() {
    let mut factors = Vec::new();
    for spelling in ["x * x", "x.powi(2)", "x.powf(2.0)"] {
        let attr = format!(
            "params(theta), data(x), moments(E[x] = theta, E[{spelling}] = 2.0 * theta.powi(2))"
        );
        let mut d = derive(&attr, NORMAL_THETA_THETA2);
        let (v, source) = entry(&mut d, "x.powi(2)");
        assert_eq!(source, Source::Declared, "{spelling}");
        assert_identity(&mut d, "2.0 * theta.powi(2)", v, spelling);
        let f = d.core.fisher[0][0];
        assert_identity(&mut d, "3.0 / theta.powi(2)", f, spelling);
        assert_eq!(print::rust(&d.model.arena, f), "3.0 / theta.powi(2)");
        factors.push(print::rust(
            &d.model.arena,
            d.core.table.entries()[1].factor,
        ));
    }
    assert!(factors.iter().all(|f| f == "x.powi(2)"), "{factors:?}");
}

/// `Var[x] = v` with `E[x] = m` gives E[x²] = v + m², marked derived; the order of the
/// declarations does not matter.
#[test]
fn variance_gives_the_second_moment() {
    for attr in [
        "params(theta), data(x), moments(E[x] = theta, Var[x] = theta.powi(2))",
        "params(theta), data(x), moments(Var[x] = theta.powi(2), E[x] = theta)",
    ] {
        let mut d = derive(attr, NORMAL_THETA_THETA2);
        let (v, source) = entry(&mut d, "x.powi(2)");
        assert_eq!(source, Source::Derived, "{attr}");
        assert_identity(&mut d, "2.0 * theta.powi(2)", v, attr);
        let (m, source) = entry(&mut d, "x");
        assert_eq!(source, Source::Declared, "{attr}");
        assert_identity(&mut d, "theta", m, attr);
        let f = d.core.fisher[0][0];
        assert_identity(&mut d, "3.0 / theta.powi(2)", f, attr);
    }
}

/// A central moment `E[(x - theta).powi(2)]` and a scaled one `E[0.5 * x]` are solved for their
/// one unknown data factor.
#[test]
fn central_and_scaled_moments_are_solved() {
    let mut d = derive(
        "params(theta), data(x), moments(E[0.5 * x] = 0.5 * theta, E[(x - theta).powi(2)] = theta.powi(2))",
        NORMAL_THETA_THETA2,
    );
    let (m, s1) = entry(&mut d, "x");
    let (m2, s2) = entry(&mut d, "x.powi(2)");
    assert_eq!((s1, s2), (Source::Derived, Source::Derived));
    assert_identity(&mut d, "theta", m, "E[x]");
    assert_identity(&mut d, "2.0 * theta.powi(2)", m2, "E[x²]");
    let f = d.core.fisher[0][0];
    assert_identity(&mut d, "3.0 / theta.powi(2)", f, "F");
}

/// A data factor may hold constants: the Laplace scale with a known location `mu`, declared as
/// `E[(x - mu).abs()] = b`; E[score] = 0 is proved with it.
#[test]
fn data_factor_with_a_constant() {
    let item = "fn laplace(x: f64, b: f64, mu: f64) -> f64 { -(x - mu).abs() / b - b.ln() }";
    let mut d = derive("params(b), data(x), moments(E[(x - mu).abs()] = b)", item);
    let (v, source) = entry(&mut d, "(x - mu).abs()");
    assert_eq!(source, Source::Declared);
    assert_identity(&mut d, "b", v, "E[|x - mu|]");
    let f = d.core.fisher[0][0];
    assert_identity(&mut d, "1.0 / b.powi(2)", f, "F");
    assert!(matches!(
        check(&d, "E[score] = 0 for b"),
        CheckOutcome::Proved(_)
    ));

    // Without the declaration the same moment is inferred.
    let mut d = derive("params(b), data(x)", item);
    let (v, source) = entry(&mut d, "(x - mu).abs()");
    assert_eq!(source, Source::Inferred);
    assert_identity(&mut d, "b", v, "inferred E[|x - mu|]");
}

/// A data factor may hold the parameter itself: the Cauchy location model with the moments of
/// 1/(1 + (x − θ)²) declared (E[1/D] = 1/2, E[1/D²] = 3/8, and the two the expansion over x
/// produces). F = 1/2, J = −½ ln 2, Theorem 1 proved; E[score] = 0 needs E[x/D], not declared,
/// so it is skipped and says which moment it lacked.
#[test]
fn cauchy_with_declared_moments() {
    let attr = "params(theta), data(x), moments(\
        E[1.0 / (1.0 + (x - theta).powi(2))] = 0.5, \
        E[1.0 / (1.0 + (x - theta).powi(2)).powi(2)] = 0.375, \
        E[x / (1.0 + (x - theta).powi(2)).powi(2)] = 0.375 * theta, \
        E[x.powi(2) / (1.0 + (x - theta).powi(2)).powi(2)] = 0.125 + 0.375 * theta.powi(2))";
    let item = "fn cauchy(x: f64, theta: f64) -> f64 { -(1.0 + (x - theta).powi(2)).ln() }";
    let mut d = derive(attr, item);
    let f = d.core.fisher[0][0];
    assert_identity(&mut d, "0.5", f, "F");
    let Jeffreys::Closed { expr, .. } = d.core.jeffreys.clone() else {
        panic!("closed J")
    };
    assert_identity(&mut d, "-0.5 * 2.0_f64.ln()", expr, "J");
    assert!(d.core.inference_note.is_some());
    match check(&d, "E[score] = 0 for theta") {
        CheckOutcome::Skipped(why) => {
            assert!(why.contains("E[x / (1.0 + (x - theta).powi(2))]"), "{why}")
        }
        o => panic!("{o:?}"),
    }
    assert!(matches!(
        check(
            &d,
            "Theorem 1: E[s sᵀ] = −E[H] (the declared and inferred moments)"
        ),
        CheckOutcome::Proved(_)
    ));
    insta::assert_snapshot!("cauchy", report::text(&d));
}

/// Two declared moments that say different things about the same expectation: the second is
/// checked against the first, and the failure is an error (not only a FAILED line in the
/// report while the first declaration silently wins).
#[test]
fn contradictory_declared_moments_are_an_error() {
    let r = Derivation::from_source(
        "params(lambda), data(x), moments(E[x] = lambda, E[x] = 2.0 * lambda)",
        "fn poisson(x: f64, lambda: f64) -> f64 { x * lambda.ln() - lambda }",
    );
    let err = r.expect_err("an error for contradictory moments");
    assert!(
        err.into_iter()
            .any(|e| e.to_string().contains("stated `2.0 * lambda`")),
        "the error shows the contradicting moment"
    );
}

/// The same with a curved family, where no inference backs the first declaration up.
#[test]
fn contradictory_variance_is_an_error() {
    let r = Derivation::from_source(
        "params(theta), data(x), moments(E[x] = theta, E[x.powi(2)] = 2.0 * theta.powi(2), Var[x] = 3.0 * theta.powi(2))",
        NORMAL_THETA_THETA2,
    );
    assert!(r.is_err(), "Var[x] = 3θ² contradicts E[x²] − E[x]² = θ²");
}

/// A consistent redundant declaration passes its check.
#[test]
fn consistent_redundant_declaration_is_proved() {
    let d = derive(
        "params(theta), data(x), moments(E[x] = theta, E[x.powi(2)] = 2.0 * theta.powi(2), Var[x] = theta.powi(2))",
        NORMAL_THETA_THETA2,
    );
    assert!(matches!(
        check(&d, "declared moment 3 agrees with the others"),
        CheckOutcome::Proved(_)
    ));
}

/// `E[n - x] = n * (1.0 - theta)` solves to E[x] = nθ; the moment is shown the way a person
/// writes it, not as `-(n * (1.0 - theta) - n)`.
#[test]
fn solved_moment_is_shown_simplified() {
    let mut d = derive(
        "params(theta), data(x), moments(E[n - x] = n * (1.0 - theta))",
        "fn binomial(x: f64, theta: f64, n: f64) -> f64 { x * theta.ln() + (n - x) * (1.0 - theta).ln() }",
    );
    let (v, _) = entry(&mut d, "x");
    let text = report::text(&d);
    assert!(text.contains("E[x] = n * theta"), "{text}");
    assert!(print::op_count(&d.model.arena, v) <= 1 + 2);
}

/// The same binomial derivation is right, whatever the printing: E[x] = nθ, derived.
#[test]
fn moment_of_a_data_expression_with_a_constant() {
    let mut d = derive(
        "params(theta), data(x), moments(E[n - x] = n * (1.0 - theta))",
        "fn binomial(x: f64, theta: f64, n: f64) -> f64 { x * theta.ln() + (n - x) * (1.0 - theta).ln() }",
    );
    let (v, source) = entry(&mut d, "x");
    assert_eq!(source, Source::Derived);
    assert_identity(&mut d, "n * theta", v, "E[x]");
    let f = d.core.fisher[0][0];
    assert_identity(&mut d, "n / (theta * (1.0 - theta))", f, "F");
}

/// `Var[x]` alone for the normal in (μ, σ): E[x] and E[x²] are inferable (the normal is a
/// full-rank exponential family), and the declared Var[x] = σ² is checked against them after
/// inference (a second solving pass); a wrong variance is an error. (Once the declared moments
/// were solved before inference only, and this was the error "more than one unknown".)
#[test]
fn variance_alone_with_an_inferable_mean() {
    let normal = "fn normal(x: f64, mu: f64, sigma: f64) -> f64 { -sigma.ln() - (x - mu).powi(2) / (2.0 * sigma.powi(2)) }";
    let mut d = derive(
        "params(mu, sigma), data(x), moments(Var[x] = sigma.powi(2))",
        normal,
    );
    let (m, s1) = entry(&mut d, "x");
    let (m2, s2) = entry(&mut d, "x.powi(2)");
    assert_eq!((s1, s2), (Source::Inferred, Source::Inferred));
    assert!(matches!(
        check(&d, "declared moment 1 agrees with the others"),
        CheckOutcome::Proved(_)
    ));
    assert_identity(&mut d, "mu", m, "E[x]");
    assert_identity(&mut d, "mu.powi(2) + sigma.powi(2)", m2, "E[x²]");
    let f = d.core.fisher[1][1];
    assert_identity(&mut d, "2.0 / sigma.powi(2)", f, "F[sigma][sigma]");

    // A wrong variance there is an error.
    let r = Derivation::from_source(
        "params(mu, sigma), data(x), moments(Var[x] = 2.0 * sigma.powi(2))",
        normal,
    );
    assert!(r.is_err(), "Var[x] = 2σ² contradicts the normal");
}
