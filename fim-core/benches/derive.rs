//! From source text to simplified F and J (`Derivation::from_source`): every catalog model
//! (target ≤ 1 ms median each), and scaling for three families at K = 2, 4, 8, 12, 16, 20:
//! Dirichlet (K parameters, moments inferred), multinomial with K free probabilities (moments
//! declared) and K independent normals (2K parameters, moments declared). Targets: Dirichlet
//! K = 20, multinomial K = 10 and 20 normals each ≤ 1 s.
//!
//! The models written with arrays (issue 11): a Dirichlet with K = 50 and 100 independent
//! normals (200 parameters) with iterator sums and a `for` loop, a logistic regression with 50
//! coefficients over `inputs(c)`, and logistic regressions over data sets written in the body
//! (K coefficients × N rows: 2 × 200, 10 × 50, 50 × 4). Target: each derivation ≤ 1 s.
//!
//! `cargo bench -p fim-core --bench derive`; medians are in
//! `target/criterion/<group>/<id>/new/estimates.json` (`median.point_estimate`, ns).
//! A size whose single derivation takes more than 10 s is skipped, with the larger ones of its
//! family, and reported on stderr.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use fim_core::model::{Derivation, Jeffreys};

#[path = "../tests/common/catalog.rs"]
mod catalog;
use catalog::CATALOG;

const SIZES: &[usize] = &[2, 4, 8, 12, 16, 20];

/// A single derivation longer than this is not benchmarked (nor are the larger sizes).
const CAP: Duration = Duration::from_secs(10);

#[path = "../tests/common/families.rs"]
mod families;
use families::{
    dirichlet, dirichlet_array, logistic_inputs, logistic_rows, multinomial, normals, normals_array,
};

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

fn arrays(c: &mut Criterion) {
    let models: [(&str, (String, String), usize); 7] = [
        ("dirichlet_50", dirichlet_array(50), 50),
        ("normals_100", normals_array(100), 200),
        ("logistic_inputs_50", logistic_inputs(50), 50),
        ("logistic_rows_2x200", logistic_rows(2, 200), 2),
        ("logistic_rows_10x50", logistic_rows(10, 50), 10),
        ("logistic_rows_50x4", logistic_rows(50, 4), 50),
        ("logistic_rows_3x40", logistic_rows(3, 40), 3),
    ];
    let mut g = c.benchmark_group("arrays");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(5));
    for (name, (attr, item), k) in &models {
        assert_eq!(derive(attr, item).core.fisher.len(), *k, "{name}");
        g.bench_function(*name, |b| {
            b.iter(|| derive(black_box(attr), black_box(item)))
        });
    }
    g.finish();
}

criterion_group!(benches, catalog, scaling, arrays);
criterion_main!(benches);
