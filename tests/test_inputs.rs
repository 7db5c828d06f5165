//! Conditional models with `inputs(..)`: one observation of a regression has a singular F
//! (legitimate: the Jeffreys density is −∞ there), while `fisher_averaged` over several inputs
//! is the design's information matrix [[1, mean c], [mean c, mean c²]].

// The log-likelihood functions themselves are only read by the attribute here.
#![allow(dead_code)]

use fim::fisher_model;

mod common;
use common::close_unit as close;

#[fisher_model(params(a, b), data(y), inputs(c))]
fn regression(y: f64, a: f64, b: f64, c: f64) -> f64 {
    -(y - a - b * c).powi(2) / 2.0
}

#[test]
fn one_input_is_singular() {
    for c in [0.0, 1.0, -2.5] {
        let f = regression::fisher(0.3, -1.2, c);
        close("F[a][a]", f[0][0], 1.0);
        close("F[a][b]", f[0][1], c);
        close("F[b][a]", f[1][0], c);
        close("F[b][b]", f[1][1], c * c);
        let det = f[0][0] * f[1][1] - f[0][1] * f[1][0];
        assert_eq!(det, 0.0);
        let j = regression::jeffreys_log_density(0.3, -1.2, c);
        assert!(
            j == f64::NEG_INFINITY,
            "Jeffreys at a singular F (c = {c}) is −∞, got {j}"
        );
    }
}

#[test]
fn averaged_over_inputs_is_the_design_matrix() {
    let cs = [0.5, 1.0, 2.0, 3.5, -1.0];
    let n = cs.len() as f64;
    let mean = cs.iter().sum::<f64>() / n;
    let mean_sq = cs.iter().map(|c| c * c).sum::<f64>() / n;
    let f = regression::fisher_averaged(0.3, -1.2, &cs);
    close("F̄[a][a]", f[0][0], 1.0);
    close("F̄[a][b]", f[0][1], mean);
    close("F̄[b][a]", f[1][0], mean);
    close("F̄[b][b]", f[1][1], mean_sq);
    let det = f[0][0] * f[1][1] - f[0][1] * f[1][0];
    assert!(det > 0.0, "the averaged F is not singular: det = {det}");
}

#[test]
fn one_repeated_input_stays_singular() {
    let f = regression::fisher_averaged(0.0, 0.0, &[2.0, 2.0, 2.0]);
    let det = f[0][0] * f[1][1] - f[0][1] * f[1][0];
    assert_eq!(det, 0.0);
}

#[test]
fn empty_inputs_give_nan() {
    let f = regression::fisher_averaged(0.0, 0.0, &[]);
    assert!(f.iter().flatten().all(|x| x.is_nan()), "{f:?}");
}

#[fisher_model(params(a, b, w), data(y), inputs(c, d))]
fn two_covariates(y: f64, a: f64, b: f64, w: f64, c: f64, d: f64) -> f64 {
    -(y - a - b * c - w * d).powi(2) / 2.0
}

#[test]
fn several_inputs_per_observation() {
    let rows = [[1.0, 0.0], [0.0, 1.0], [2.0, -1.0], [1.5, 3.0]];
    let f = two_covariates::fisher_averaged(0.0, 0.0, 0.0, &rows);
    let n = rows.len() as f64;
    let m = |g: &dyn Fn(&[f64; 2]) -> f64| rows.iter().map(g).sum::<f64>() / n;
    let want = [
        [1.0, m(&|r| r[0]), m(&|r| r[1])],
        [m(&|r| r[0]), m(&|r| r[0] * r[0]), m(&|r| r[0] * r[1])],
        [m(&|r| r[1]), m(&|r| r[0] * r[1]), m(&|r| r[1] * r[1])],
    ];
    for i in 0..3 {
        for j in 0..3 {
            close(&format!("F̄[{i}][{j}]"), f[i][j], want[i][j]);
        }
    }
}

/// `jeffreys_log_density_averaged` is ½ ln det of the averaged F: finite for a design that
/// identifies both coefficients, −∞ for one repeated input.
#[test]
fn jeffreys_of_the_averaged_information() {
    let cs = [0.5, 1.0, 2.0, 3.5, -1.0];
    let n = cs.len() as f64;
    let mean = cs.iter().sum::<f64>() / n;
    let mean_sq = cs.iter().map(|c| c * c).sum::<f64>() / n;
    close(
        "½ ln det F̄",
        regression::jeffreys_log_density_averaged(0.3, -1.2, &cs),
        0.5 * (mean_sq - mean * mean).ln(),
    );
    assert_eq!(
        regression::jeffreys_log_density_averaged(0.3, -1.2, &[2.0, 2.0]),
        f64::NEG_INFINITY
    );
}
