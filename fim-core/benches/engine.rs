//! The engine's core cost: all 210 distinct second derivatives (i ≤ j) of the 20-parameter
//! Dirichlet log-likelihood `ln_gamma(a1 + … + a20) - Σ ln_gamma(ai) + Σ (ai - 1.0) * xi.ln()`,
//! in a fresh arena each iteration. Target: under 50 ms.
//!
//! - `dirichlet20_hessian/with_parse`: source text → IR → 210 second derivatives.
//! - `dirichlet20_hessian/without_parse`: the derivatives alone (parsing is the untimed setup).
//! - `dirichlet20_hessian/simplified`: the derivatives and `simplify` of each (for reference).
//!
//! `cargo bench -p fim-core --bench engine`; medians are in
//! `target/criterion/dirichlet20_hessian/<id>/new/estimates.json` (`median.point_estimate`, ns).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use fim_core::parse::parse_str;
use fim_core::simplify::{simplify, Domain};
use fim_core::{Arena, Id, Symbol};

const K: usize = 20;

/// The Dirichlet log-density with `k` parameters, as source text.
fn dirichlet(k: usize) -> String {
    let sum: Vec<String> = (1..=k).map(|i| format!("a{i}")).collect();
    let mut s = format!("ln_gamma({})", sum.join(" + "));
    for i in 1..=k {
        s += &format!(" - ln_gamma(a{i})");
    }
    for i in 1..=k {
        s += &format!(" + (a{i} - 1.0) * x{i}.ln()");
    }
    s
}

/// A fresh arena holding the parsed log-likelihood and its parameters.
fn parsed(src: &str) -> (Arena, Id, Vec<Symbol>) {
    let mut a = Arena::new();
    let l = parse_str(&mut a, src).expect("the Dirichlet body parses");
    let params = (1..=K).map(|i| a.symbol(&format!("a{i}"))).collect();
    (a, l, params)
}

/// `∂²l / ∂ai ∂aj` for i ≤ j, row-major.
fn hessian(a: &mut Arena, l: Id, params: &[Symbol]) -> Vec<Id> {
    let mut out = Vec::with_capacity(params.len() * (params.len() + 1) / 2);
    for (i, &si) in params.iter().enumerate() {
        let di = a.diff(l, si);
        for &sj in &params[i..] {
            out.push(a.diff(di, sj));
        }
    }
    out
}

/// The result is right before it is timed: ψ₁(S) off the diagonal, ψ₁(S) - ψ₁(ai) on it.
fn check(src: &str) {
    let (mut a, l, params) = parsed(src);
    let h = hessian(&mut a, l, &params);
    assert_eq!(h.len(), 210);
    let sum: Vec<String> = (1..=K).map(|i| format!("a{i}")).collect();
    let off = format!("trigamma({})", sum.join(" + "));
    let mut k = 0;
    for i in 1..=K {
        for j in i..=K {
            let want = if i == j {
                format!("{off} - trigamma(a{i})")
            } else {
                off.clone()
            };
            let want = parse_str(&mut a, &want).expect("parses");
            assert_eq!(h[k], want, "d2/da{i}da{j}");
            k += 1;
        }
    }
}

fn bench(c: &mut Criterion) {
    let src = dirichlet(K);
    check(&src);
    let mut g = c.benchmark_group("dirichlet20_hessian");
    g.bench_function("with_parse", |b| {
        b.iter(|| {
            let (mut a, l, params) = parsed(black_box(&src));
            let h = hessian(&mut a, l, &params);
            (a, h)
        })
    });
    g.bench_function("without_parse", |b| {
        b.iter_batched(
            || parsed(&src),
            |(mut a, l, params)| {
                let h = hessian(&mut a, l, &params);
                (a, h)
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function("simplified", |b| {
        b.iter_batched(
            || parsed(&src),
            |(mut a, l, params)| {
                let h = hessian(&mut a, l, &params);
                let d = Domain::new();
                let s: Vec<Id> = h.iter().map(|&id| simplify(&mut a, &d, id)).collect();
                (a, s)
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
