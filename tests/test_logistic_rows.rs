//! A logistic regression over a data set written in the body: N rows, each y_i e^{η_i}-linked
//! through η_i = Σ_j b_j c_ij. Its Fisher information is Σ_i p_i (1 − p_i) c_i c_iᵀ; every row
//! brings its own denominator 1 + e^{η_i}, which over one common denominator would expand to
//! 2^N terms. The simplifier keeps the rows' fractions apart instead, so the model derives in
//! time polynomial in N; where F's entries grow past the closed-form budget (forty rows), the
//! inverse and the determinant are computed by a run-time Cholesky instead.

#![allow(dead_code, clippy::needless_range_loop)]

use fim::fisher_model;

/// Two coefficients, six rows: beyond the size at which the rows' fractions are kept apart.
#[fisher_model(params(b), data(y))]
fn rows6(y: [f64; 6], b: [f64; 2], c: [[f64; 2]; 6]) -> f64 {
    let mut l = 0.0;
    for i in 0..6 {
        let eta = b[0] * c[i][0] + b[1] * c[i][1];
        l += y[i] * eta - (1.0 + eta.exp()).ln();
    }
    l
}

/// Three coefficients, forty rows.
#[fisher_model(params(b), data(y))]
fn rows40(y: [f64; 40], b: [f64; 3], c: [[f64; 3]; 40]) -> f64 {
    let mut l = 0.0;
    for i in 0..40 {
        let mut eta = 0.0;
        for j in 0..3 {
            eta += b[j] * c[i][j];
        }
        l += y[i] * eta - (1.0 + eta.exp()).ln();
    }
    l
}

/// Σ_i p_i (1 − p_i) c_i c_iᵀ, p_i = 1 / (1 + e^{−η_i}).
fn closed_form<const K: usize, const N: usize>(b: &[f64; K], c: &[[f64; K]; N]) -> [[f64; K]; K] {
    let mut f = [[0.0; K]; K];
    for row in c {
        let eta: f64 = (0..K).map(|j| b[j] * row[j]).sum();
        let p = 1.0 / (1.0 + (-eta).exp());
        for j in 0..K {
            for k in 0..K {
                f[j][k] += p * (1.0 - p) * row[j] * row[k];
            }
        }
    }
    f
}

/// A deterministic design matrix with entries in [-1.5, 1.5].
fn design<const K: usize, const N: usize>(seed: u64) -> [[f64; K]; N] {
    let mut s = seed;
    let mut c = [[0.0; K]; N];
    for row in c.iter_mut() {
        for x in row.iter_mut() {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            *x = ((s >> 11) as f64 / (1u64 << 53) as f64) * 3.0 - 1.5;
        }
    }
    c
}

fn assert_close<const K: usize>(a: &[[f64; K]; K], b: &[[f64; K]; K], what: &str) {
    for i in 0..K {
        for j in 0..K {
            let scale = a[i][j].abs().max(b[i][j].abs()).max(1.0);
            assert!(
                (a[i][j] - b[i][j]).abs() <= 1e-12 * scale,
                "{what} [{i}][{j}]: {} vs {}",
                a[i][j],
                b[i][j]
            );
        }
    }
}

/// F F⁻¹ = I to 1e-12.
fn assert_inverse<const K: usize>(f: &[[f64; K]; K], inv: &[[f64; K]; K]) {
    for i in 0..K {
        for j in 0..K {
            let fij: f64 = (0..K).map(|k| f[i][k] * inv[k][j]).sum();
            let want = if i == j { 1.0 } else { 0.0 };
            assert!((fij - want).abs() < 1e-12, "F F⁻¹ [{i}][{j}] = {fij}");
        }
    }
}

#[test]
fn six_rows_match_the_closed_form() {
    let c = design::<2, 6>(7);
    for b in [[0.3, -0.8], [1.2, 0.4], [-2.0, 1.5]] {
        let f = rows6::fisher(b, c);
        assert_close(&f, &closed_form(&b, &c), "F");
        // F⁻¹ by the run-time Cholesky: F F⁻¹ = I.
        assert_inverse(&f, &rows6::fisher_inverse(b, c));
        let det = f[0][0] * f[1][1] - f[0][1] * f[1][0];
        let j = rows6::jeffreys_log_density(b, c);
        assert!(
            (j - 0.5 * det.ln()).abs() < 1e-12,
            "Jeffreys {j} vs {}",
            0.5 * det.ln()
        );
    }
}

#[test]
fn forty_rows_match_the_closed_form() {
    let c = design::<3, 40>(11);
    for b in [[0.3, -0.8, 0.1], [1.2, 0.4, -0.7]] {
        assert_close(&rows40::fisher(b, c), &closed_form(&b, &c), "F");
    }
}

#[test]
fn forty_rows_fall_back_to_cholesky_and_say_why() {
    assert!(
        rows40::DERIVATION.contains("too large for a closed-form determinant"),
        "{}",
        rows40::DERIVATION
    );
    let c = design::<3, 40>(5);
    let b = [0.5, -0.25, 0.75];
    let f = closed_form(&b, &c);
    assert_inverse(&f, &rows40::fisher_inverse(b, c));
    let det = f[0][0] * (f[1][1] * f[2][2] - f[1][2] * f[2][1])
        - f[0][1] * (f[1][0] * f[2][2] - f[1][2] * f[2][0])
        + f[0][2] * (f[1][0] * f[2][1] - f[1][1] * f[2][0]);
    let j = rows40::jeffreys_log_density(b, c);
    assert!(
        (j - 0.5 * det.ln()).abs() < 1e-12,
        "Jeffreys {j} vs {}",
        0.5 * det.ln()
    );
}
