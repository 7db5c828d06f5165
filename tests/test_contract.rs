//! The public contract, as types: every generated item exists with the signature the
//! documentation gives (an ordinary test, so that it builds with the other behaviour tests;
//! the compile-fail cases are in `tests/ui`).

use fim::fisher_model;

/// Binomial: x successes in n trials.
#[fisher_model(
    params(theta),
    data(x),
    moments(E[x] = n * theta),
    verify(fisher = [[n / (theta * (1.0 - theta))]]),
    reparam(odds(theta = phi / (1.0 + phi))),
)]
pub fn binomial(x: f64, theta: f64, n: f64) -> f64 {
    x * theta.ln() + (n - x) * (1.0 - theta).ln()
}

/// A linear regression with one covariate.
#[fisher_model(params(a, b), data(y), inputs(c))]
fn regression(y: f64, a: f64, b: f64, c: f64) -> f64 {
    -(y - a - b * c).powi(2) / 2.0
}

#[test]
fn every_item_has_its_signature() {
    let _: f64 = binomial(3.0, 0.3, 10.0);
    let _: [&str; 1] = binomial::PARAMS;
    let _: [[&str; 1]; 1] = binomial::FISHER;
    let _: &str = binomial::JEFFREYS;
    let _: &str = binomial::DERIVATION;
    let _: [f64; 1] = binomial::score(3.0, 0.3, 10.0);
    let _: [[f64; 1]; 1] = binomial::hessian(3.0, 0.3, 10.0);
    let _: [[f64; 1]; 1] = binomial::fisher(0.3, 10.0);
    let _: [[f64; 1]; 1] = binomial::fisher_inverse(0.3, 10.0);
    let _: f64 = binomial::jeffreys_log_density(0.3, 10.0);
    let _: [f64; 1] = binomial::natural_gradient(0.3, 10.0, [1.0]);
    let _: f64 = binomial::kl_quadratic(0.3, 10.0, [0.01]);
    let _: [[f64; 1]; 1] = binomial::odds::fisher(0.5, 10.0);
    let _: f64 = binomial::odds::jeffreys_log_density(0.5, 10.0);
    let _: [f64; 1] = binomial::odds::score(3.0, 0.5, 10.0);
    let _: [&str; 1] = binomial::odds::PARAMS;

    let _: f64 = regression(1.0, 0.0, 1.0, 2.0);
    let _: [[f64; 2]; 2] = regression::fisher(0.0, 1.0, 2.0);
    let _: [[f64; 2]; 2] = regression::fisher_averaged(0.0, 1.0, &[1.0, 2.0, 3.0]);
}

/// A normal with mean `fisher` and variance `score`: arguments may be typed
/// `core::primitive::f64`, and parameters may be named like the generated items (the generated
/// code calls its siblings through `self::`, so a parameter cannot shadow them).
#[fisher_model(params(fisher, score), data(x))]
fn named_like_items(x: core::primitive::f64, fisher: f64, score: core::primitive::f64) -> f64 {
    -0.5 * score.ln() - (x - fisher).powi(2) / (2.0 * score)
}

#[test]
fn parameters_may_be_named_like_generated_items() {
    let (mu, v) = (0.5, 2.0);
    assert_eq!(
        named_like_items::fisher(mu, v),
        [[1.0 / v, 0.0], [0.0, 1.0 / (2.0 * v * v)]]
    );
    let ng = named_like_items::natural_gradient(mu, v, [1.0, 1.0]);
    assert!((ng[0] - v).abs() < 1e-12 && (ng[1] - 2.0 * v * v).abs() < 1e-12);
    let kl = named_like_items::kl_quadratic(mu, v, [0.1, 0.0]);
    assert!((kl - 0.5 * 0.01 / v).abs() < 1e-15);
    assert!(named_like_items::score(1.0, mu, v)[0].is_finite());
    assert!(named_like_items(1.0, mu, v).is_finite());
}

/// Raw identifiers are ordinary names: `r#type` is a parameter, and the generated items take it
/// under the same spelling.
#[fisher_model(params(r#type), data(x))]
fn raw_names(x: f64, r#type: f64) -> f64 {
    x * r#type.ln() - r#type
}

#[test]
fn raw_identifiers_name_parameters() {
    // A Poisson rate: F = 1/λ.
    assert_eq!(raw_names(2.0, 4.0), 2.0 * 4.0_f64.ln() - 4.0);
    assert_eq!(raw_names::fisher(4.0), [[0.25]]);
    assert_eq!(raw_names::PARAMS, ["type"]);
    assert!((raw_names::jeffreys_log_density(4.0) - (-0.5 * 4.0_f64.ln())).abs() < 1e-15);
}
