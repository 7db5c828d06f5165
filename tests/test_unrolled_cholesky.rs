//! A dense five-parameter F with no structure the engine can use: Jeffreys goes through the
//! unrolled Cholesky log-determinant, and `fisher_inverse` / `natural_gradient` through the
//! unrolled Cholesky solves (K > 3). Five Poisson counts whose rates are sums of neighbouring
//! parameters around a cycle: F = Σᵢ vᵢ vᵢᵀ / λᵢ with vᵢ = eᵢ + eᵢ₊₁.

// Matrices indexed as the math writes them.
#![allow(clippy::needless_range_loop)]

use fim::fisher_model;

#[fisher_model(
    params(a1, a2, a3, a4, a5),
    data(x1, x2, x3, x4, x5),
    moments(E[x1] = a1 + a2, E[x2] = a2 + a3, E[x3] = a3 + a4, E[x4] = a4 + a5, E[x5] = a5 + a1)
)]
#[allow(clippy::too_many_arguments)] // a model has as many arguments as it has
pub fn cycle(
    x1: f64,
    x2: f64,
    x3: f64,
    x4: f64,
    x5: f64,
    a1: f64,
    a2: f64,
    a3: f64,
    a4: f64,
    a5: f64,
) -> f64 {
    x1 * (a1 + a2).ln() - (a1 + a2) + x2 * (a2 + a3).ln() - (a2 + a3) + x3 * (a3 + a4).ln()
        - (a3 + a4)
        + x4 * (a4 + a5).ln()
        - (a4 + a5)
        + x5 * (a5 + a1).ln()
        - (a5 + a1)
}

/// F written independently: rate i couples parameters i and i + 1 (cyclically).
fn f_by_hand(a: [f64; 5]) -> [[f64; 5]; 5] {
    let mut f = [[0.0; 5]; 5];
    for i in 0..5 {
        let j = (i + 1) % 5;
        let lambda = a[i] + a[j];
        for p in [i, j] {
            for q in [i, j] {
                f[p][q] += 1.0 / lambda;
            }
        }
    }
    f
}

/// ln det by Gaussian elimination with partial pivoting (independent of Cholesky).
fn ln_det(mut m: [[f64; 5]; 5]) -> f64 {
    let mut acc = 0.0;
    for c in 0..5 {
        let p = (c..5)
            .max_by(|&x, &y| m[x][c].abs().total_cmp(&m[y][c].abs()))
            .unwrap();
        m.swap(c, p);
        acc += m[c][c].abs().ln();
        for r in c + 1..5 {
            let k = m[r][c] / m[c][c];
            for cc in c..5 {
                m[r][cc] -= k * m[c][cc];
            }
        }
    }
    acc
}

const POINTS: [[f64; 5]; 3] = [
    [1.0, 2.0, 3.0, 4.0, 5.0],
    [0.3, 0.7, 1.1, 0.2, 2.5],
    [10.0, 0.5, 3.0, 7.0, 1.0],
];

#[test]
fn jeffreys_by_unrolled_cholesky_matches_half_ln_det() {
    for a in POINTS {
        let f = cycle::fisher(a[0], a[1], a[2], a[3], a[4]);
        let hand = f_by_hand(a);
        for i in 0..5 {
            for j in 0..5 {
                assert!((f[i][j] - hand[i][j]).abs() <= 1e-12 * hand[i][j].abs().max(1.0));
            }
        }
        let j = cycle::jeffreys_log_density(a[0], a[1], a[2], a[3], a[4]);
        let expected = 0.5 * ln_det(hand);
        assert!(
            (j - expected).abs() <= 1e-10 * expected.abs().max(1.0),
            "{j} vs {expected}"
        );
    }
    assert!(cycle::DERIVATION.contains("computed numerically"));
}

#[test]
fn inverse_and_natural_gradient_by_unrolled_cholesky() {
    for a in POINTS {
        let f = cycle::fisher(a[0], a[1], a[2], a[3], a[4]);
        let inv = cycle::fisher_inverse(a[0], a[1], a[2], a[3], a[4]);
        for i in 0..5 {
            for j in 0..5 {
                let prod: f64 = (0..5).map(|m| inv[i][m] * f[m][j]).sum();
                let id = if i == j { 1.0 } else { 0.0 };
                assert!((prod - id).abs() < 1e-10, "(F⁻¹F)[{i}][{j}] = {prod}");
            }
        }
        let v = [0.5, -1.0, 2.0, 0.25, -3.0];
        let g: Vec<f64> = (0..5)
            .map(|i| (0..5).map(|j| f[i][j] * v[j]).sum())
            .collect();
        let x =
            cycle::natural_gradient(a[0], a[1], a[2], a[3], a[4], [g[0], g[1], g[2], g[3], g[4]]);
        for i in 0..5 {
            assert!(
                (x[i] - v[i]).abs() < 1e-9,
                "natural gradient {i}: {} vs {}",
                x[i],
                v[i]
            );
        }
    }
}

#[test]
fn outside_the_domain_is_nan() {
    let inv = cycle::fisher_inverse(-1.0, 0.5, 0.5, 0.5, 0.5);
    assert!(inv.iter().flatten().all(|x| x.is_nan()));
    assert!(cycle::jeffreys_log_density(-1.0, 0.5, 0.5, 0.5, 0.5).is_nan());
}
