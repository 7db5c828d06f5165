//! Derives one model many times, for profiling (`valgrind --tool=callgrind`, `perf`).
//!
//! `cargo run --release -p fim-core --example profile -- MODEL [REPEATS] [K]` with MODEL a row
//! of the catalog (bernoulli, binomial, binomial_odds, poisson, exponential, normal,
//! normal_variance, geometric, gamma, beta, multinomial) or a family at size K (dirichletK,
//! multinomialK, normalsK; with arrays dirichletA, normalsA, logisticK over inputs, and
//! logisticKN over FIM_ROWS rows written in the body). The same sources as `benches/derive.rs`.
//! With `FIM_EXPAND` set it runs the whole macro (`expand`: parse, derive, proofs, report and
//! tokens) instead of the derivation alone, and prints the size of the emitted tokens.
use fim_core::model::Derivation;

#[path = "../tests/common/catalog.rs"]
mod catalog;
#[path = "../tests/common/families.rs"]
mod families;

fn source(name: &str, k: usize) -> Option<(String, String)> {
    match name {
        "dirichletK" => Some(families::dirichlet(k)),
        "multinomialK" => Some(families::multinomial(k)),
        "normalsK" => Some(families::normals(k)),
        "dirichletA" => Some(families::dirichlet_array(k)),
        "normalsA" => Some(families::normals_array(k)),
        "logisticK" => Some(families::logistic_inputs(k)),
        "logisticKN" => {
            let n = std::env::var("FIM_ROWS").ok()?.parse().ok()?;
            Some(families::logistic_rows(k, n))
        }
        _ => catalog::CATALOG
            .iter()
            .find(|row| row.0 == name)
            .map(|row| (row.1.to_string(), row.2.to_string())),
    }
}

fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "binomial".into());
    let n: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let k: usize = std::env::args()
        .nth(3)
        .and_then(|s| s.parse().ok())
        .unwrap_or(4);
    let Some((a, f)) = source(&which, k) else {
        let names: Vec<&str> = catalog::CATALOG.iter().map(|row| row.0).collect();
        eprintln!(
            "unknown model `{which}`: one of {}, dirichletK, multinomialK, normalsK, \
             dirichletA, normalsA, logisticK, logisticKN (with FIM_ROWS)",
            names.join(", ")
        );
        std::process::exit(2);
    };
    if std::env::var("FIM_SHOW").is_ok() {
        if let Ok(d) = Derivation::from_source(&a, &f) {
            println!("{}", fim_core::model::report::text(&d));
        }
    }
    if std::env::var("FIM_EXPAND").is_ok() {
        let (attr, item): (proc_macro2::TokenStream, proc_macro2::TokenStream) = (
            a.parse().expect("attribute tokens"),
            f.parse().expect("function tokens"),
        );
        let t = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(fim_core::model::expand::expand(attr.clone(), item.clone()));
        }
        let elapsed = t.elapsed();
        let out = fim_core::model::expand::expand(attr, item);
        if std::env::var("FIM_EXPAND").as_deref() == Ok("show") {
            println!("{out}");
        }
        let bytes = out.to_string().len();
        println!(
            "{which}: {:?} per expansion, {bytes} bytes of tokens",
            elapsed / n as u32
        );
        return;
    }
    let t = std::time::Instant::now();
    for _ in 0..n {
        match Derivation::from_source(&a, &f) {
            Ok(d) => {
                std::hint::black_box(d);
            }
            Err(e) => {
                for e in e {
                    eprintln!("error: {e}");
                }
                return;
            }
        }
    }
    println!("{which}: {:?} per derivation", t.elapsed() / n as u32);
    if std::env::var("FIM_BATCHES").is_ok() {
        for batch in 0..5 {
            let t = std::time::Instant::now();
            for _ in 0..n {
                std::hint::black_box(Derivation::from_source(&a, &f).ok());
            }
            println!("batch {batch}: {:?} per derivation", t.elapsed() / n as u32);
        }
    }
}
