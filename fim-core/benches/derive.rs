//! From source text to simplified F and J (`Derivation::from_source`): every catalog model
//! (target ≤ 1 ms median each), and scaling for three families at K = 2, 4, 8, 12, 16, 20:
//! Dirichlet (K parameters, moments inferred), multinomial with K free probabilities (moments
//! declared) and K independent normals (2K parameters, moments declared). Targets: Dirichlet
//! K = 20, multinomial K = 10 and 20 normals each ≤ 1 s.
//!
//! `cargo bench -p fim-core --bench derive`; medians are in
//! `target/criterion/<group>/<id>/new/estimates.json` (`median.point_estimate`, ns).
//! A size whose single derivation takes more than 10 s is skipped, with the larger ones of its
//! family, and reported on stderr.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use fim_core::model::{Derivation, Jeffreys};

/// The rows of shared/catalog.md with their declared moments.
const CATALOG: &[(&str, &str, &str)] = &[
    (
        "bernoulli",
        "params(p), data(x), moments(E[x] = p)",
        "fn bernoulli(x: f64, p: f64) -> f64 { x * p.ln() + (1.0 - x) * (1.0 - p).ln() }",
    ),
    (
        "binomial",
        "params(theta), data(x), moments(E[x] = n * theta)",
        "fn binomial(x: f64, theta: f64, n: f64) -> f64 { x * theta.ln() + (n - x) * (1.0 - theta).ln() }",
    ),
    (
        "binomial_odds",
        "params(phi), data(x), moments(E[x] = n * phi / (1.0 + phi))",
        "fn binomial_odds(x: f64, phi: f64, n: f64) -> f64 { x * phi.ln() - n * (1.0 + phi).ln() }",
    ),
    (
        "poisson",
        "params(lambda), data(x), moments(E[x] = lambda)",
        "fn poisson(x: f64, lambda: f64) -> f64 { x * lambda.ln() - lambda }",
    ),
    (
        "exponential",
        "params(lambda), data(x), moments(E[x] = 1.0 / lambda)",
        "fn exponential(x: f64, lambda: f64) -> f64 { lambda.ln() - lambda * x }",
    ),
    (
        "normal",
        "params(mu, sigma), data(x), moments(E[x] = mu, E[x.powi(2)] = mu.powi(2) + sigma.powi(2))",
        "fn normal(x: f64, mu: f64, sigma: f64) -> f64 { -sigma.ln() - (x - mu).powi(2) / (2.0 * sigma.powi(2)) }",
    ),
    (
        "normal_variance",
        "params(mu, v), data(x), moments(E[x] = mu, E[x.powi(2)] = mu.powi(2) + v)",
        "fn normal_variance(x: f64, mu: f64, v: f64) -> f64 { -0.5 * v.ln() - (x - mu).powi(2) / (2.0 * v) }",
    ),
    (
        "geometric",
        "params(p), data(x), moments(E[x] = (1.0 - p) / p)",
        "fn geometric(x: f64, p: f64) -> f64 { x * (1.0 - p).ln() + p.ln() }",
    ),
    (
        "gamma",
        "params(alpha, beta), data(x), moments(E[x] = alpha / beta, E[x.ln()] = digamma(alpha) - beta.ln())",
        "fn gamma(x: f64, alpha: f64, beta: f64) -> f64 { alpha * beta.ln() - ln_gamma(alpha) + (alpha - 1.0) * x.ln() - beta * x }",
    ),
    (
        "beta",
        "params(a, b), data(x), moments(E[x.ln()] = digamma(a) - digamma(a + b), E[(1.0 - x).ln()] = digamma(b) - digamma(a + b))",
        "fn beta(x: f64, a: f64, b: f64) -> f64 { ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + (a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln() }",
    ),
    (
        "multinomial",
        "params(p1, p2), data(x1, x2), moments(E[x1] = n * p1, E[x2] = n * p2)",
        "fn multinomial(x1: f64, x2: f64, p1: f64, p2: f64, n: f64) -> f64 { x1 * p1.ln() + x2 * p2.ln() + (n - x1 - x2) * (1.0 - p1 - p2).ln() }",
    ),
];

const SIZES: &[usize] = &[2, 4, 8, 12, 16, 20];

/// A single derivation longer than this is not benchmarked (nor are the larger sizes).
const CAP: Duration = Duration::from_secs(10);

#[path = "../tests/common/families.rs"]
mod families;
use families::{dirichlet, multinomial, normals};

/// Builds a family member's attribute and function text for a size K.
type Source = fn(usize) -> (String, String);

fn derive(attr: &str, item: &str) -> Derivation {
    match Derivation::from_source(attr, item) {
        Ok(d) => d,
        Err(err) => {
            let msgs: Vec<String> = err.into_iter().map(|e| e.to_string()).collect();
            panic!("derivation failed:\n{}", msgs.join("\n"))
        }
    }
}

fn catalog(c: &mut Criterion) {
    let mut g = c.benchmark_group("catalog");
    // A shared 2-core machine has slow spells of a second or two: samples spread over 5 s keep
    // one spell from moving the median.
    g.sample_size(100)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5));
    for (name, attr, item) in CATALOG {
        let d = derive(attr, item);
        assert!(matches!(d.core.jeffreys, Jeffreys::Closed { .. }), "{name}");
        g.bench_function(*name, |b| {
            b.iter(|| derive(black_box(attr), black_box(item)))
        });
    }
    g.finish();
}

fn scaling(c: &mut Criterion) {
    let families: [(&str, Source, usize); 3] = [
        ("dirichlet", dirichlet, 1),
        ("multinomial", multinomial, 1),
        ("normals", normals, 2),
    ];
    for (family, source, params_per_k) in families {
        let mut g = c.benchmark_group(family);
        g.sample_size(10)
            .warm_up_time(Duration::from_millis(200))
            .measurement_time(Duration::from_secs(3));
        for &k in SIZES {
            let (attr, item) = source(k);
            // One derivation first: it must succeed with the expected shape and a closed-form
            // Jeffreys, and it decides whether this size is benchmarked at all.
            let t = Instant::now();
            let d = derive(&attr, &item);
            let once = t.elapsed();
            assert_eq!(d.core.fisher.len(), k * params_per_k, "{family} K = {k}");
            assert!(
                matches!(d.core.jeffreys, Jeffreys::Closed { .. }),
                "{family} K = {k}: Jeffreys should have a closed form"
            );
            if once > CAP {
                eprintln!(
                    "{family}: K = {k} takes {once:?} for one derivation (> {CAP:?}); \
                     not benchmarked, nor the larger sizes"
                );
                break;
            }
            g.bench_with_input(BenchmarkId::from_parameter(k), &k, |b, _| {
                b.iter(|| derive(black_box(&attr), black_box(&item)))
            });
        }
        g.finish();
    }
}

criterion_group!(benches, catalog, scaling);
criterion_main!(benches);
