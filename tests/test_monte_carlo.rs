//! Monte Carlo: with data drawn from the model, the sample mean of s sᵀ (s from the generated
//! `score`) matches `fisher()` within 4 standard errors, entry by entry.

// The log-likelihood functions themselves are only read by the attribute here.
#![allow(dead_code)]

use fim::fisher_model;
use fim::special::ln_gamma;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Binomial, Distribution, Gamma, Normal};

const DRAWS: usize = 200_000;

/// Mean and standard error of s sᵀ over `DRAWS` scores, compared with `fisher`.
fn check<const K: usize>(what: &str, mut score: impl FnMut() -> [f64; K], fisher: [[f64; K]; K]) {
    let mut sum = [[0.0_f64; K]; K];
    let mut sum_sq = [[0.0_f64; K]; K];
    for _ in 0..DRAWS {
        let s = score();
        for i in 0..K {
            for j in 0..K {
                let v = s[i] * s[j];
                sum[i][j] += v;
                sum_sq[i][j] += v * v;
            }
        }
    }
    let n = DRAWS as f64;
    for i in 0..K {
        for j in 0..K {
            let mean = sum[i][j] / n;
            let var = (sum_sq[i][j] / n - mean * mean) * n / (n - 1.0);
            let se = (var / n).sqrt();
            let f = fisher[i][j];
            assert!(
                (mean - f).abs() <= 4.0 * se,
                "{what} F[{i}][{j}]: Monte Carlo {mean} ± {se}, fisher() = {f}"
            );
        }
    }
}

#[fisher_model(params(theta), data(x), moments(E[x] = n * theta))]
fn binomial(x: f64, theta: f64, n: f64) -> f64 {
    x * theta.ln() + (n - x) * (1.0 - theta).ln()
}

#[test]
fn binomial_score_outer_product() {
    let mut rng = StdRng::seed_from_u64(1);
    for (theta, n) in [(0.3, 10_u64), (0.8, 3)] {
        let d = Binomial::new(n, theta).unwrap();
        let nf = n as f64;
        check(
            "binomial",
            || binomial::score(d.sample(&mut rng) as f64, theta, nf),
            binomial::fisher(theta, nf),
        );
    }
}

#[fisher_model(params(mu, sigma), data(x))]
fn normal(x: f64, mu: f64, sigma: f64) -> f64 {
    -sigma.ln() - (x - mu).powi(2) / (2.0 * sigma.powi(2))
}

#[test]
fn normal_score_outer_product() {
    let mut rng = StdRng::seed_from_u64(2);
    for (mu, sigma) in [(0.0, 1.0), (-3.0, 0.4)] {
        let d = Normal::new(mu, sigma).unwrap();
        check(
            "normal",
            || normal::score(d.sample(&mut rng), mu, sigma),
            normal::fisher(mu, sigma),
        );
    }
}

#[fisher_model(params(alpha, beta), data(x))]
fn gamma(x: f64, alpha: f64, beta: f64) -> f64 {
    alpha * beta.ln() - ln_gamma(alpha) + (alpha - 1.0) * x.ln() - beta * x
}

#[test]
fn gamma_score_outer_product() {
    let mut rng = StdRng::seed_from_u64(3);
    for (alpha, beta) in [(2.0, 3.0), (5.5, 0.5)] {
        // rand_distr's Gamma takes the shape and the scale 1/β.
        let d = Gamma::new(alpha, 1.0 / beta).unwrap();
        check(
            "gamma",
            || gamma::score(d.sample(&mut rng), alpha, beta),
            gamma::fisher(alpha, beta),
        );
    }
}

#[fisher_model(params(p1, p2), data(x1, x2))]
fn multinomial(x1: f64, x2: f64, p1: f64, p2: f64, n: f64) -> f64 {
    x1 * p1.ln() + x2 * p2.ln() + (n - x1 - x2) * (1.0 - p1 - p2).ln()
}

#[test]
fn multinomial_score_outer_product() {
    let mut rng = StdRng::seed_from_u64(4);
    let (p1, p2, n) = (0.2, 0.5, 6_u32);
    // n categorical draws by hand: category 1 with p1, 2 with p2, 3 otherwise.
    let mut draw = || {
        let (mut x1, mut x2) = (0.0, 0.0);
        for _ in 0..n {
            let u: f64 = rng.gen();
            if u < p1 {
                x1 += 1.0;
            } else if u < p1 + p2 {
                x2 += 1.0;
            }
        }
        (x1, x2)
    };
    let nf = f64::from(n);
    check(
        "multinomial",
        || {
            let (x1, x2) = draw();
            multinomial::score(x1, x2, p1, p2, nf)
        },
        multinomial::fisher(p1, p2, nf),
    );
}
