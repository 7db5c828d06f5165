//! The work meter's steps (`fim_core::budget`) and the time of each derivation: the catalog,
//! the array models of the benchmarks at K = 10, 50, 100, and the data sets in the body; or
//! one model given as `ATTR ITEM`. The figures behind `budget::WORK_BASE` and its companions.
//!
//! `cargo run --release -p fim-core --example work_steps [-- 'ATTR' 'ITEM']`

#[path = "../tests/common/catalog.rs"]
mod catalog;
#[path = "../tests/common/families.rs"]
#[allow(dead_code)]
mod families;

use std::time::Instant;

use fim_core::model::{Derivation, Model};

/// A family's attribute and function text for a size K.
type Family = fn(usize) -> (String, String);

fn run(name: &str, attr: &str, item: &str) {
    let parsed = Model::from_source(attr, item).map_or(0, |m| m.arena.len());
    let t = Instant::now();
    // An outer meter without a limit counts the steps of the derivation's own.
    let counted = fim_core::budget::metered(u64::MAX, || Derivation::from_source(attr, item));
    let elapsed = t.elapsed();
    match counted {
        Ok((Ok(_), steps)) => println!(
            "{name:20} {parsed:>6} parsed nodes {steps:>10} steps {elapsed:>12.3?} ({:.1} M steps/s)",
            steps as f64 / elapsed.as_secs_f64() / 1e6
        ),
        Ok((Err(e), steps)) => {
            let e: String = e.to_string().chars().take(80).collect();
            println!("{name:20} {steps:>10} steps {elapsed:>12.3?}, error: {e}");
        }
        Err(stop) => println!("{name:20} stopped: {stop:?}"),
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    if let (Some(attr), Some(item)) = (args.next(), args.next()) {
        return run("model", &attr, &item);
    }
    for (name, attr, item) in catalog::CATALOG.iter() {
        run(name, attr, item);
    }
    let arrays: [(&str, Family); 3] = [
        ("dirichlet", families::dirichlet_array),
        ("normals", families::normals_array),
        ("logistic_inputs", families::logistic_inputs),
    ];
    for (name, family) in arrays {
        for k in [10, 50, 100] {
            let (attr, item) = family(k);
            run(&format!("{name} {k}"), &attr, &item);
        }
    }
    for (k, n) in [(2, 200), (10, 50), (50, 4)] {
        let (attr, item) = families::logistic_rows(k, n);
        run(&format!("rows {k}x{n}"), &attr, &item);
    }
}
