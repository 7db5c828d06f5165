//! Arrays and sums: models written with `[f64; N]` arguments, `for` loops and iterator chains
//! derive the same Fisher information as the same models written with scalar arguments (to
//! 1e-13), and match an independent closed form (1e-12).
//!
//! The scalar versions of the larger models are long by nature; they are written out in full
//! here (generated once by a script, kept as plain code) so that the comparison is with code a
//! user could have written before arrays existed.

// The log-likelihood functions themselves are only read by the attribute here.
#![allow(dead_code, clippy::too_many_arguments, clippy::needless_range_loop)]

use fim::fisher_model;
use fim::special::trigamma;

mod common;
use common::close_unit as close;

fn close_rel(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(1e-300)
}

/// Every entry of `a` agrees with `b` to `tol` relative.
fn same_matrix<const K: usize>(a: &[[f64; K]; K], b: &[[f64; K]; K], tol: f64, what: &str) {
    for i in 0..K {
        for j in 0..K {
            assert!(
                close_rel(a[i][j], b[i][j], tol) || (a[i][j] - b[i][j]).abs() < 1e-300,
                "{what}: [{i}][{j}] {} vs {}",
                a[i][j],
                b[i][j]
            );
        }
    }
}

// ---- Dirichlet ---------------------------------------------------------------------------------

#[fisher_model(params(alpha), data(x))]
fn dirichlet4(x: [f64; 4], alpha: [f64; 4]) -> f64 {
    ln_gamma(alpha.iter().sum::<f64>()) - alpha.iter().map(|&a| ln_gamma(a)).sum::<f64>()
        + (0..4).map(|i| (alpha[i] - 1.0) * x[i].ln()).sum::<f64>()
}

#[fisher_model(params(alpha), data(x))]
fn dirichlet12(x: [f64; 12], alpha: [f64; 12]) -> f64 {
    let mut l = ln_gamma(alpha.iter().sum::<f64>());
    for (a, xi) in alpha.iter().zip(x.iter()) {
        l += (a - 1.0) * xi.ln() - ln_gamma(*a);
    }
    l
}

use fim::special::ln_gamma;

#[fisher_model(params(a0, a1, a2, a3), data(x0, x1, x2, x3))]
fn dirichlet4_scalar(
    x0: f64,
    x1: f64,
    x2: f64,
    x3: f64,
    a0: f64,
    a1: f64,
    a2: f64,
    a3: f64,
) -> f64 {
    ln_gamma(a0 + a1 + a2 + a3) - ln_gamma(a0) + (a0 - 1.0) * x0.ln() - ln_gamma(a1)
        + (a1 - 1.0) * x1.ln()
        - ln_gamma(a2)
        + (a2 - 1.0) * x2.ln()
        - ln_gamma(a3)
        + (a3 - 1.0) * x3.ln()
}

#[fisher_model(
    params(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11),
    data(x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11)
)]
fn dirichlet12_scalar(
    x0: f64,
    x1: f64,
    x2: f64,
    x3: f64,
    x4: f64,
    x5: f64,
    x6: f64,
    x7: f64,
    x8: f64,
    x9: f64,
    x10: f64,
    x11: f64,
    a0: f64,
    a1: f64,
    a2: f64,
    a3: f64,
    a4: f64,
    a5: f64,
    a6: f64,
    a7: f64,
    a8: f64,
    a9: f64,
    a10: f64,
    a11: f64,
) -> f64 {
    ln_gamma(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11) - ln_gamma(a0)
        + (a0 - 1.0) * x0.ln()
        - ln_gamma(a1)
        + (a1 - 1.0) * x1.ln()
        - ln_gamma(a2)
        + (a2 - 1.0) * x2.ln()
        - ln_gamma(a3)
        + (a3 - 1.0) * x3.ln()
        - ln_gamma(a4)
        + (a4 - 1.0) * x4.ln()
        - ln_gamma(a5)
        + (a5 - 1.0) * x5.ln()
        - ln_gamma(a6)
        + (a6 - 1.0) * x6.ln()
        - ln_gamma(a7)
        + (a7 - 1.0) * x7.ln()
        - ln_gamma(a8)
        + (a8 - 1.0) * x8.ln()
        - ln_gamma(a9)
        + (a9 - 1.0) * x9.ln()
        - ln_gamma(a10)
        + (a10 - 1.0) * x10.ln()
        - ln_gamma(a11)
        + (a11 - 1.0) * x11.ln()
}

/// F = diag ψ₁(αᵢ) − ψ₁(Σα) 11ᵀ.
fn dirichlet_closed<const K: usize>(alpha: [f64; K]) -> [[f64; K]; K] {
    let s: f64 = alpha.iter().sum();
    let mut f = [[-trigamma(s); K]; K];
    for i in 0..K {
        f[i][i] += trigamma(alpha[i]);
    }
    f
}

#[test]
fn dirichlet_with_arrays() {
    assert_eq!(
        dirichlet4::PARAMS,
        ["alpha[0]", "alpha[1]", "alpha[2]", "alpha[3]"]
    );
    for alpha in [
        [0.5, 1.0, 2.0, 3.5],
        [1.2, 0.3, 4.0, 0.9],
        [7.0, 7.0, 0.1, 2.0],
    ] {
        let f = dirichlet4::fisher(alpha);
        let [a0, a1, a2, a3] = alpha;
        same_matrix(
            &f,
            &dirichlet4_scalar::fisher(a0, a1, a2, a3),
            1e-13,
            "vs scalar",
        );
        same_matrix(&f, &dirichlet_closed(alpha), 1e-12, "vs closed form");
        let j = dirichlet4::jeffreys_log_density(alpha);
        assert!(close_rel(
            j,
            dirichlet4_scalar::jeffreys_log_density(a0, a1, a2, a3),
            1e-13
        ));
        let inv = dirichlet4::fisher_inverse(alpha);
        let mut eye = [[0.0; 4]; 4];
        for i in 0..4 {
            for k in 0..4 {
                eye[i][k] = (0..4).map(|m| f[i][m] * inv[m][k]).sum();
            }
        }
        for i in 0..4 {
            for k in 0..4 {
                close("F F⁻¹", eye[i][k], f64::from(u8::from(i == k)));
            }
        }
    }
    let alpha12 = [0.5, 1.0, 2.0, 3.5, 1.2, 0.3, 4.0, 0.9, 7.0, 2.5, 0.1, 2.0];
    let f = dirichlet12::fisher(alpha12);
    same_matrix(
        &f,
        &dirichlet_closed(alpha12),
        1e-12,
        "K = 12 vs closed form",
    );
    let a = alpha12;
    let scalar = dirichlet12_scalar::fisher(
        a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11],
    );
    same_matrix(&f, &scalar, 1e-13, "K = 12 vs scalar");
    let j = dirichlet12::jeffreys_log_density(alpha12);
    let js = dirichlet12_scalar::jeffreys_log_density(
        a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11],
    );
    assert!(close_rel(j, js, 1e-13), "{j} vs {js}");
}

// ---- multinomial with an indexed moment -------------------------------------------------------

/// Six categories: the counts and probabilities of the first five; the sixth is what is left.
#[fisher_model(params(p), data(x), moments(E[x[i]] = n * p[i]))]
fn multinomial6(x: [f64; 5], p: [f64; 5], n: f64) -> f64 {
    let mut l = 0.0;
    let mut rest_x = n;
    let mut rest_p = 1.0;
    for i in 0..5 {
        l += x[i] * p[i].ln();
        rest_x -= x[i];
        rest_p -= p[i];
    }
    l + rest_x * rest_p.ln()
}

#[fisher_model(
    params(p1, p2, p3, p4, p5),
    data(x1, x2, x3, x4, x5),
    moments(E[x1] = n * p1, E[x2] = n * p2, E[x3] = n * p3, E[x4] = n * p4, E[x5] = n * p5)
)]
fn multinomial6_scalar(
    x1: f64,
    x2: f64,
    x3: f64,
    x4: f64,
    x5: f64,
    p1: f64,
    p2: f64,
    p3: f64,
    p4: f64,
    p5: f64,
    n: f64,
) -> f64 {
    x1 * p1.ln()
        + x2 * p2.ln()
        + x3 * p3.ln()
        + x4 * p4.ln()
        + x5 * p5.ln()
        + (n - x1 - x2 - x3 - x4 - x5) * (1.0 - p1 - p2 - p3 - p4 - p5).ln()
}

#[test]
fn multinomial_with_an_indexed_moment() {
    for (p, n) in [
        ([0.1, 0.2, 0.15, 0.05, 0.3], 10.0),
        ([0.3, 0.1, 0.1, 0.2, 0.1], 3.0),
    ] {
        let f = multinomial6::fisher(p, n);
        let s = multinomial6_scalar::fisher(p[0], p[1], p[2], p[3], p[4], n);
        same_matrix(&f, &s, 1e-13, "vs scalar");
        // F = n (diag(1/pᵢ) + 11ᵀ/p₆).
        let p6 = 1.0 - p.iter().sum::<f64>();
        let mut closed = [[n / p6; 5]; 5];
        for i in 0..5 {
            closed[i][i] += n / p[i];
        }
        same_matrix(&f, &closed, 1e-12, "vs closed form");
        let j = multinomial6::jeffreys_log_density(p, n);
        let js = multinomial6_scalar::jeffreys_log_density(p[0], p[1], p[2], p[3], p[4], n);
        assert!(close_rel(j, js, 1e-13), "{j} vs {js}");
    }
}

// ---- categorical logits -------------------------------------------------------------------------

/// Four categories with logits η relative to the fourth; `x` the one-hot indicators of the
/// first three.
#[fisher_model(params(eta), data(x))]
fn categorical(x: [f64; 3], eta: [f64; 3]) -> f64 {
    let z = 1.0 + eta.iter().map(|e| e.exp()).sum::<f64>();
    x.iter().zip(eta.iter()).map(|(xi, e)| xi * e).sum::<f64>() - z.ln()
}

#[fisher_model(params(e1, e2, e3), data(x1, x2, x3))]
fn categorical_scalar(x1: f64, x2: f64, x3: f64, e1: f64, e2: f64, e3: f64) -> f64 {
    x1 * e1 + x2 * e2 + x3 * e3 - (1.0 + e1.exp() + e2.exp() + e3.exp()).ln()
}

#[test]
fn categorical_logits() {
    for eta in [[0.1, -0.4, 1.2], [0.0, 0.0, 0.0], [2.0, -1.0, 0.5]] {
        let f = categorical::fisher(eta);
        same_matrix(
            &f,
            &categorical_scalar::fisher(eta[0], eta[1], eta[2]),
            1e-13,
            "scalar",
        );
        // F = diag(π) − π πᵀ, πᵢ = e^ηᵢ / (1 + Σ e^η).
        let z = 1.0 + eta.iter().map(|e| e.exp()).sum::<f64>();
        let pi: Vec<f64> = eta.iter().map(|e| e.exp() / z).collect();
        let mut closed = [[0.0; 3]; 3];
        for i in 0..3 {
            for j in 0..3 {
                closed[i][j] = if i == j { pi[i] } else { 0.0 } - pi[i] * pi[j];
            }
        }
        same_matrix(&f, &closed, 1e-12, "closed form");
    }
}

// ---- regressions over array inputs -------------------------------------------------------------

#[fisher_model(params(b), data(y), inputs(c))]
fn linear(y: f64, b: [f64; 3], c: [f64; 3]) -> f64 {
    let mean = (0..3).map(|i| b[i] * c[i]).sum::<f64>();
    -(y - mean).powi(2) / 2.0
}

#[fisher_model(params(b0, b1, b2), data(y), inputs(c0, c1, c2))]
fn linear_scalar(y: f64, b0: f64, b1: f64, b2: f64, c0: f64, c1: f64, c2: f64) -> f64 {
    -(y - b0 * c0 - b1 * c1 - b2 * c2).powi(2) / 2.0
}

#[test]
fn linear_regression_over_array_inputs() {
    let b = [0.5, -1.0, 2.0];
    let cs = [
        [1.0, 0.3, -0.2],
        [1.0, -1.1, 0.4],
        [1.0, 0.7, 2.0],
        [1.0, 0.0, -0.5],
    ];
    for c in cs {
        let f = linear::fisher(b, c);
        same_matrix(
            &f,
            &linear_scalar::fisher(b[0], b[1], b[2], c[0], c[1], c[2]),
            1e-13,
            "scalar",
        );
        let mut closed = [[0.0; 3]; 3];
        for i in 0..3 {
            for j in 0..3 {
                closed[i][j] = c[i] * c[j];
            }
        }
        same_matrix(&f, &closed, 1e-12, "c cᵀ");
    }
    // The average over inputs is the mean of c cᵀ.
    let avg = linear::fisher_averaged(b, &cs);
    let mut mean = [[0.0; 3]; 3];
    for c in &cs {
        for i in 0..3 {
            for j in 0..3 {
                mean[i][j] += c[i] * c[j] / cs.len() as f64;
            }
        }
    }
    same_matrix(&avg, &mean, 1e-12, "averaged");
}

#[fisher_model(params(b), data(y), inputs(c))]
fn logistic(y: f64, b: [f64; 4], c: [f64; 4]) -> f64 {
    let eta = b.iter().zip(c.iter()).map(|(bi, ci)| bi * ci).sum::<f64>();
    y * eta - (1.0 + eta.exp()).ln()
}

#[fisher_model(params(b0, b1, b2, b3), data(y), inputs(c0, c1, c2, c3))]
fn logistic_scalar(
    y: f64,
    b0: f64,
    b1: f64,
    b2: f64,
    b3: f64,
    c0: f64,
    c1: f64,
    c2: f64,
    c3: f64,
) -> f64 {
    let eta = b0 * c0 + b1 * c1 + b2 * c2 + b3 * c3;
    y * eta - (1.0 + eta.exp()).ln()
}

#[test]
fn logistic_regression_with_four_coefficients() {
    let b = [0.2, -0.5, 1.0, 0.3];
    for c in [
        [1.0, 0.5, -1.0, 2.0],
        [1.0, -0.3, 0.2, 0.1],
        [1.0, 1.5, 0.5, -0.7],
    ] {
        let f = logistic::fisher(b, c);
        let s = logistic_scalar::fisher(b[0], b[1], b[2], b[3], c[0], c[1], c[2], c[3]);
        same_matrix(&f, &s, 1e-13, "scalar");
        let eta: f64 = (0..4).map(|i| b[i] * c[i]).sum();
        let pi = 1.0 / (1.0 + (-eta).exp());
        let mut closed = [[0.0; 4]; 4];
        for i in 0..4 {
            for j in 0..4 {
                closed[i][j] = pi * (1.0 - pi) * c[i] * c[j];
            }
        }
        same_matrix(&f, &closed, 1e-12, "π(1−π) c cᵀ");
    }
}

// ---- thirty independent normals, written with a loop -----------------------------------------

#[fisher_model(params(mu, sigma), data(x))]
fn normals(x: [f64; 30], mu: [f64; 30], sigma: [f64; 30]) -> f64 {
    let mut l = 0.0;
    for i in 0..30 {
        l += -sigma[i].ln() - (x[i] - mu[i]).powi(2) / (2.0 * sigma[i].powi(2));
    }
    l
}

#[fisher_model(
    params(
        m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16, m17, m18, m19,
        m20, m21, m22, m23, m24, m25, m26, m27, m28, m29, s0, s1, s2, s3, s4, s5, s6, s7, s8, s9,
        s10, s11, s12, s13, s14, s15, s16, s17, s18, s19, s20, s21, s22, s23, s24, s25, s26, s27,
        s28, s29
    ),
    data(
        x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15, x16, x17, x18, x19,
        x20, x21, x22, x23, x24, x25, x26, x27, x28, x29
    )
)]
fn normals_scalar(
    x0: f64,
    x1: f64,
    x2: f64,
    x3: f64,
    x4: f64,
    x5: f64,
    x6: f64,
    x7: f64,
    x8: f64,
    x9: f64,
    x10: f64,
    x11: f64,
    x12: f64,
    x13: f64,
    x14: f64,
    x15: f64,
    x16: f64,
    x17: f64,
    x18: f64,
    x19: f64,
    x20: f64,
    x21: f64,
    x22: f64,
    x23: f64,
    x24: f64,
    x25: f64,
    x26: f64,
    x27: f64,
    x28: f64,
    x29: f64,
    m0: f64,
    m1: f64,
    m2: f64,
    m3: f64,
    m4: f64,
    m5: f64,
    m6: f64,
    m7: f64,
    m8: f64,
    m9: f64,
    m10: f64,
    m11: f64,
    m12: f64,
    m13: f64,
    m14: f64,
    m15: f64,
    m16: f64,
    m17: f64,
    m18: f64,
    m19: f64,
    m20: f64,
    m21: f64,
    m22: f64,
    m23: f64,
    m24: f64,
    m25: f64,
    m26: f64,
    m27: f64,
    m28: f64,
    m29: f64,
    s0: f64,
    s1: f64,
    s2: f64,
    s3: f64,
    s4: f64,
    s5: f64,
    s6: f64,
    s7: f64,
    s8: f64,
    s9: f64,
    s10: f64,
    s11: f64,
    s12: f64,
    s13: f64,
    s14: f64,
    s15: f64,
    s16: f64,
    s17: f64,
    s18: f64,
    s19: f64,
    s20: f64,
    s21: f64,
    s22: f64,
    s23: f64,
    s24: f64,
    s25: f64,
    s26: f64,
    s27: f64,
    s28: f64,
    s29: f64,
) -> f64 {
    0.0 - s0.ln()
        - (x0 - m0).powi(2) / (2.0 * s0.powi(2))
        - s1.ln()
        - (x1 - m1).powi(2) / (2.0 * s1.powi(2))
        - s2.ln()
        - (x2 - m2).powi(2) / (2.0 * s2.powi(2))
        - s3.ln()
        - (x3 - m3).powi(2) / (2.0 * s3.powi(2))
        - s4.ln()
        - (x4 - m4).powi(2) / (2.0 * s4.powi(2))
        - s5.ln()
        - (x5 - m5).powi(2) / (2.0 * s5.powi(2))
        - s6.ln()
        - (x6 - m6).powi(2) / (2.0 * s6.powi(2))
        - s7.ln()
        - (x7 - m7).powi(2) / (2.0 * s7.powi(2))
        - s8.ln()
        - (x8 - m8).powi(2) / (2.0 * s8.powi(2))
        - s9.ln()
        - (x9 - m9).powi(2) / (2.0 * s9.powi(2))
        - s10.ln()
        - (x10 - m10).powi(2) / (2.0 * s10.powi(2))
        - s11.ln()
        - (x11 - m11).powi(2) / (2.0 * s11.powi(2))
        - s12.ln()
        - (x12 - m12).powi(2) / (2.0 * s12.powi(2))
        - s13.ln()
        - (x13 - m13).powi(2) / (2.0 * s13.powi(2))
        - s14.ln()
        - (x14 - m14).powi(2) / (2.0 * s14.powi(2))
        - s15.ln()
        - (x15 - m15).powi(2) / (2.0 * s15.powi(2))
        - s16.ln()
        - (x16 - m16).powi(2) / (2.0 * s16.powi(2))
        - s17.ln()
        - (x17 - m17).powi(2) / (2.0 * s17.powi(2))
        - s18.ln()
        - (x18 - m18).powi(2) / (2.0 * s18.powi(2))
        - s19.ln()
        - (x19 - m19).powi(2) / (2.0 * s19.powi(2))
        - s20.ln()
        - (x20 - m20).powi(2) / (2.0 * s20.powi(2))
        - s21.ln()
        - (x21 - m21).powi(2) / (2.0 * s21.powi(2))
        - s22.ln()
        - (x22 - m22).powi(2) / (2.0 * s22.powi(2))
        - s23.ln()
        - (x23 - m23).powi(2) / (2.0 * s23.powi(2))
        - s24.ln()
        - (x24 - m24).powi(2) / (2.0 * s24.powi(2))
        - s25.ln()
        - (x25 - m25).powi(2) / (2.0 * s25.powi(2))
        - s26.ln()
        - (x26 - m26).powi(2) / (2.0 * s26.powi(2))
        - s27.ln()
        - (x27 - m27).powi(2) / (2.0 * s27.powi(2))
        - s28.ln()
        - (x28 - m28).powi(2) / (2.0 * s28.powi(2))
        - s29.ln()
        - (x29 - m29).powi(2) / (2.0 * s29.powi(2))
}

#[test]
fn thirty_normals_written_with_a_loop() {
    let mu: [f64; 30] = std::array::from_fn(|i| i as f64 * 0.1 - 1.0);
    let sigma: [f64; 30] = std::array::from_fn(|i| 0.5 + 0.05 * i as f64);
    let f = normals::fisher(mu, sigma);
    assert_eq!(normals::PARAMS[0], "mu[0]");
    assert_eq!(normals::PARAMS[30], "sigma[0]");
    for i in 0..60 {
        for j in 0..60 {
            let s = sigma[i % 30];
            let want = match (i == j, i < 30) {
                (false, _) => 0.0,
                (true, true) => 1.0 / (s * s),
                (true, false) => 2.0 / (s * s),
            };
            assert!(
                close_rel(f[i][j], want, 1e-12) || (f[i][j] == 0.0 && want == 0.0),
                "[{i}][{j}]"
            );
        }
    }
    let j = normals::jeffreys_log_density(mu, sigma);
    let closed: f64 = sigma.iter().map(|s| 0.5 * 2f64.ln() - 2.0 * s.ln()).sum();
    assert!(close_rel(j, closed, 1e-12), "{j} vs {closed}");
    let inv = normals::fisher_inverse(mu, sigma);
    assert!(close_rel(inv[30][30], sigma[0] * sigma[0] / 2.0, 1e-12));
    assert_eq!(inv[0][1], 0.0);
    let ss = normals_scalar::fisher(
        mu[0], mu[1], mu[2], mu[3], mu[4], mu[5], mu[6], mu[7], mu[8], mu[9], mu[10], mu[11],
        mu[12], mu[13], mu[14], mu[15], mu[16], mu[17], mu[18], mu[19], mu[20], mu[21], mu[22],
        mu[23], mu[24], mu[25], mu[26], mu[27], mu[28], mu[29], sigma[0], sigma[1], sigma[2],
        sigma[3], sigma[4], sigma[5], sigma[6], sigma[7], sigma[8], sigma[9], sigma[10], sigma[11],
        sigma[12], sigma[13], sigma[14], sigma[15], sigma[16], sigma[17], sigma[18], sigma[19],
        sigma[20], sigma[21], sigma[22], sigma[23], sigma[24], sigma[25], sigma[26], sigma[27],
        sigma[28], sigma[29],
    );
    same_matrix(&f, &ss, 1e-13, "vs scalar");
}

/// `kl_quadratic` loops over F when its upper triangle holds more than 64 nonzero entries
/// (the Dirichlet with K = 12 has 78): the same ½ δᵀ F δ as written out here.
#[test]
fn kl_quadratic_of_a_dense_f_loops() {
    let alpha = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0];
    let delta: [f64; 12] = std::array::from_fn(|i| 0.01 * (i as f64 - 5.5));
    let f = dirichlet12::fisher(alpha);
    let mut want = 0.0;
    for i in 0..12 {
        for j in 0..12 {
            want += 0.5 * delta[i] * f[i][j] * delta[j];
        }
    }
    let got = dirichlet12::kl_quadratic(alpha, delta);
    assert!(close_rel(got, want, 1e-13), "{got} vs {want}");
}

/// 100 independent normals (200 parameters): the generated code binds only F's nonzero
/// entries (20,000 bindings of known zeros once overflowed rustc's stack) and matches
/// F = diag(1/σᵢ², 2/σᵢ²).
#[fisher_model(params(m, s), data(x),
    moments(E[x[i]] = m[i], E[x[i].powi(2)] = m[i].powi(2) + s[i].powi(2)))]
fn normals100(x: [f64; 100], m: [f64; 100], s: [f64; 100]) -> f64 {
    let mut l = 0.0;
    for i in 0..100 {
        l += -s[i].ln() - (x[i] - m[i]).powi(2) / (2.0 * s[i].powi(2));
    }
    l
}

#[test]
fn hundred_normals_compile_and_match() {
    let m: [f64; 100] = std::array::from_fn(|i| i as f64 - 50.0);
    let s: [f64; 100] = std::array::from_fn(|i| 0.5 + 0.03 * i as f64);
    assert_eq!(normals100::PARAMS[100], "s[0]");
    let f = normals100::fisher(m, s);
    for i in 0..100 {
        assert!(close_rel(f[i][i], 1.0 / (s[i] * s[i]), 1e-12), "m[{i}]");
        assert!(
            close_rel(f[100 + i][100 + i], 2.0 / (s[i] * s[i]), 1e-12),
            "s[{i}]"
        );
        assert_eq!(f[i][100 + i], 0.0);
    }
    let det_log: f64 = (0..100).map(|i| 0.5 * (2.0f64 / s[i].powi(4)).ln()).sum();
    assert!(close_rel(
        normals100::jeffreys_log_density(m, s),
        det_log,
        1e-12
    ));
}

#[fisher_model(params(alpha), data(x))]
fn dirichlet50(x: [f64; 50], alpha: [f64; 50]) -> f64 {
    ln_gamma(alpha.iter().sum::<f64>()) - alpha.iter().map(|&a| ln_gamma(a)).sum::<f64>()
        + alpha
            .iter()
            .zip(x.iter())
            .map(|(&a, &xi)| (a - 1.0) * xi.ln())
            .sum::<f64>()
}

/// F v for a K × K matrix.
fn apply<const K: usize>(f: &[[f64; K]; K], v: &[f64; K]) -> [f64; K] {
    std::array::from_fn(|i| (0..K).map(|j| f[i][j] * v[j]).sum())
}

/// The Dirichlet's F = diag(ψ₁(αᵢ)) − ψ₁(α₀) 11ᵀ is diagonal plus rank one: `fisher_inverse`
/// and `natural_gradient` use Sherman–Morrison in O(K) (issue 14). Checked against F itself:
/// F · F⁻¹ = I and F · natural_gradient(g) = g, at K = 12 and K = 50.
#[test]
fn rank_one_structure_inverts_f() {
    fn check<const K: usize>(
        f: [[f64; K]; K],
        inv: [[f64; K]; K],
        ng: impl Fn([f64; K]) -> [f64; K],
    ) {
        for i in 0..K {
            let e: [f64; K] = std::array::from_fn(|j| f64::from(u8::from(i == j)));
            let col: [f64; K] = std::array::from_fn(|j| inv[j][i]);
            let fe = apply(&f, &col);
            for j in 0..K {
                assert!(
                    (fe[j] - e[j]).abs() < 1e-9,
                    "K = {K}: (F F⁻¹)[{j}][{i}] = {}",
                    fe[j]
                );
            }
        }
        let g: [f64; K] = std::array::from_fn(|i| (i as f64 * 0.37).sin());
        let back = apply(&f, &ng(g));
        for i in 0..K {
            assert!(
                close_rel(back[i], g[i], 1e-9) || (back[i] - g[i]).abs() < 1e-12,
                "K = {K}: [{i}] {} vs {}",
                back[i],
                g[i]
            );
        }
    }
    let a12 = [0.5, 1.0, 2.0, 3.5, 1.2, 0.3, 4.0, 0.9, 7.0, 2.5, 0.1, 2.0];
    check(
        dirichlet12::fisher(a12),
        dirichlet12::fisher_inverse(a12),
        |g| dirichlet12::natural_gradient(a12, g),
    );
    let a50: [f64; 50] = std::array::from_fn(|i| 0.2 + 0.15 * i as f64);
    check(
        dirichlet50::fisher(a50),
        dirichlet50::fisher_inverse(a50),
        |g| dirichlet50::natural_gradient(a50, g),
    );
    // Outside the domain: NaN, not a number from the formula.
    let mut bad = a12;
    bad[3] = -1.0;
    assert!(dirichlet12::natural_gradient(bad, [1.0; 12])
        .iter()
        .all(|v| v.is_nan()));
    assert!(dirichlet12::fisher_inverse(bad)[0][0].is_nan());
}
