//! `natural_gradient(P, F·v) == v` and `fisher_inverse · fisher == I`, for models with 1, 2, 3
//! parameters (closed-form inverses) and 4 parameters (Cholesky at run time).

// The log-likelihood functions themselves are only read by the attribute here.
#![allow(dead_code)]
// Matrices read as the textbook does, with explicit indices.
#![allow(clippy::needless_range_loop)]

use fim::fisher_model;
use fim::special::{ln_gamma, trigamma};

const TOL: f64 = 1e-10;

fn mat_vec<const K: usize>(f: &[[f64; K]; K], v: &[f64; K]) -> [f64; K] {
    let mut out = [0.0; K];
    for i in 0..K {
        for j in 0..K {
            out[i] += f[i][j] * v[j];
        }
    }
    out
}

fn assert_vec_close<const K: usize>(what: &str, got: [f64; K], want: [f64; K]) {
    for i in 0..K {
        let scale = want[i].abs().max(1.0);
        assert!(
            (got[i] - want[i]).abs() <= TOL * scale,
            "{what}[{i}]: got {:?}, want {:?}",
            got,
            want
        );
    }
}

fn assert_identity<const K: usize>(what: &str, inv: [[f64; K]; K], f: [[f64; K]; K]) {
    for i in 0..K {
        for j in 0..K {
            let p: f64 = (0..K).map(|m| inv[i][m] * f[m][j]).sum();
            let want = if i == j { 1.0 } else { 0.0 };
            assert!(
                (p - want).abs() <= TOL,
                "{what}: (F⁻¹ F)[{i}][{j}] = {p}, want {want}"
            );
        }
    }
}

const VECTORS: [[f64; 4]; 3] = [
    [1.0, 0.0, 0.0, 0.0],
    [0.3, -2.0, 0.7, 1.5],
    [-1.0, 4.0, 2.5, -0.25],
];

#[fisher_model(params(lambda), data(x))]
fn poisson(x: f64, lambda: f64) -> f64 {
    x * lambda.ln() - lambda
}

#[test]
fn one_parameter() {
    for lambda in [0.5, 3.0, 20.0] {
        let f = poisson::fisher(lambda);
        for v in VECTORS {
            let v = [v[1]];
            let g = mat_vec(&f, &v);
            assert_vec_close("poisson", poisson::natural_gradient(lambda, g), v);
        }
        assert_identity("poisson", poisson::fisher_inverse(lambda), f);
    }
}

#[fisher_model(params(alpha, beta), data(x))]
fn gamma(x: f64, alpha: f64, beta: f64) -> f64 {
    alpha * beta.ln() - ln_gamma(alpha) + (alpha - 1.0) * x.ln() - beta * x
}

#[test]
fn two_parameters() {
    for (alpha, beta) in [(0.7, 1.0), (2.0, 3.0), (8.0, 0.5)] {
        let f = gamma::fisher(alpha, beta);
        for v in VECTORS {
            let v = [v[0], v[1]];
            let g = mat_vec(&f, &v);
            assert_vec_close("gamma", gamma::natural_gradient(alpha, beta, g), v);
        }
        assert_identity("gamma", gamma::fisher_inverse(alpha, beta), f);
    }
}

#[fisher_model(params(a1, a2, a3), data(x1, x2))]
fn dirichlet3(x1: f64, x2: f64, a1: f64, a2: f64, a3: f64) -> f64 {
    ln_gamma(a1 + a2 + a3) - ln_gamma(a1) - ln_gamma(a2) - ln_gamma(a3)
        + (a1 - 1.0) * x1.ln()
        + (a2 - 1.0) * x2.ln()
        + (a3 - 1.0) * (1.0 - x1 - x2).ln()
}

#[test]
fn three_parameters_closed_form() {
    for (a1, a2, a3) in [(1.0, 2.0, 3.0), (0.5, 0.5, 0.5), (4.0, 1.5, 9.0)] {
        let f = dirichlet3::fisher(a1, a2, a3);
        for v in VECTORS {
            let v = [v[0], v[1], v[2]];
            let g = mat_vec(&f, &v);
            assert_vec_close("dirichlet3", dirichlet3::natural_gradient(a1, a2, a3, g), v);
        }
        assert_identity("dirichlet3", dirichlet3::fisher_inverse(a1, a2, a3), f);
    }
}

#[fisher_model(params(a1, a2, a3, a4), data(x1, x2, x3))]
fn dirichlet4(x1: f64, x2: f64, x3: f64, a1: f64, a2: f64, a3: f64, a4: f64) -> f64 {
    ln_gamma(a1 + a2 + a3 + a4) - ln_gamma(a1) - ln_gamma(a2) - ln_gamma(a3) - ln_gamma(a4)
        + (a1 - 1.0) * x1.ln()
        + (a2 - 1.0) * x2.ln()
        + (a3 - 1.0) * x3.ln()
        + (a4 - 1.0) * (1.0 - x1 - x2 - x3).ln()
}

#[test]
fn four_parameters_cholesky() {
    for (a1, a2, a3, a4) in [
        (1.0, 2.0, 3.0, 4.0),
        (0.5, 0.5, 0.5, 0.5),
        (7.0, 1.5, 2.0, 0.8),
    ] {
        let f = dirichlet4::fisher(a1, a2, a3, a4);
        // F = diag(ψ₁(aᵢ)) − ψ₁(a₀) 1 1ᵀ; det by the matrix determinant lemma.
        let a = [a1, a2, a3, a4];
        let c = trigamma(a.iter().sum());
        let d = a.map(trigamma);
        for i in 0..4 {
            for j in 0..4 {
                let w = if i == j { d[i] - c } else { -c };
                assert!(
                    (f[i][j] - w).abs() <= 1e-12 * w.abs(),
                    "dirichlet4 F[{i}][{j}]"
                );
            }
        }
        let det = d.iter().product::<f64>() * (1.0 - c * d.iter().map(|x| 1.0 / x).sum::<f64>());
        let j = dirichlet4::jeffreys_log_density(a1, a2, a3, a4);
        assert!(
            (j - 0.5 * det.ln()).abs() <= 1e-10 * j.abs().max(1.0),
            "dirichlet4 J {j}"
        );
        for v in VECTORS {
            let g = mat_vec(&f, &v);
            assert_vec_close(
                "dirichlet4",
                dirichlet4::natural_gradient(a1, a2, a3, a4, g),
                v,
            );
        }
        assert_identity("dirichlet4", dirichlet4::fisher_inverse(a1, a2, a3, a4), f);
    }
}

#[fisher_model(params(m1, s1, m2, s2), data(x, y))]
fn two_normals(x: f64, y: f64, m1: f64, s1: f64, m2: f64, s2: f64) -> f64 {
    -s1.ln()
        - (x - m1).powi(2) / (2.0 * s1.powi(2))
        - s2.ln()
        - (y - m2).powi(2) / (2.0 * s2.powi(2))
}

#[test]
fn four_parameters_diagonal() {
    let (m1, s1, m2, s2) = (0.5, 2.0, -1.0, 0.25);
    let f = two_normals::fisher(m1, s1, m2, s2);
    // Independent blocks: F is diagonal, so F⁻¹ g divides entry by entry.
    let want = [
        1.0 / (s1 * s1),
        2.0 / (s1 * s1),
        1.0 / (s2 * s2),
        2.0 / (s2 * s2),
    ];
    for i in 0..4 {
        for j in 0..4 {
            let w = if i == j { want[i] } else { 0.0 };
            assert!((f[i][j] - w).abs() <= 1e-12 * w.abs().max(1.0));
        }
    }
    for v in VECTORS {
        let g = mat_vec(&f, &v);
        assert_vec_close(
            "two normals",
            two_normals::natural_gradient(m1, s1, m2, s2, g),
            v,
        );
    }
    assert_identity(
        "two normals",
        two_normals::fisher_inverse(m1, s1, m2, s2),
        f,
    );
}
