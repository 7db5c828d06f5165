//! Derives one model many times, for profiling (`valgrind --tool=callgrind`, `perf`).
//!
//! `cargo run --release -p fim-core --example profile -- MODEL [REPEATS] [K]` with MODEL one of
//! binomial, normal, multinomial, dirichletK, multinomialK, normalsK.
use fim_core::model::Derivation;

#[path = "../tests/common/families.rs"]
mod families;

fn family(name: &str, k: usize) -> (String, String) {
    match name {
        "dirichletK" => families::dirichlet(k),
        "multinomialK" => families::multinomial(k),
        _ => families::normals(k),
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
    let (a, f): (String, String) = match which.as_str() {
        "normal" => ("params(mu, sigma), data(x), moments(E[x] = mu, E[x.powi(2)] = mu.powi(2) + sigma.powi(2))".into(), "fn f(x: f64, mu: f64, sigma: f64) -> f64 { -sigma.ln() - (x - mu).powi(2) / (2.0 * sigma.powi(2)) }".into()),
        "multinomial" => ("params(p1, p2), data(x1, x2), moments(E[x1] = n * p1, E[x2] = n * p2)".into(), "fn f(x1: f64, x2: f64, p1: f64, p2: f64, n: f64) -> f64 { x1 * p1.ln() + x2 * p2.ln() + (n - x1 - x2) * (1.0 - p1 - p2).ln() }".into()),
        "binomial" => ("params(theta), data(x), moments(E[x] = n * theta)".into(), "fn f(x: f64, theta: f64, n: f64) -> f64 { x * theta.ln() + (n - x) * (1.0 - theta).ln() }".into()),
        other => family(other, k),
    };
    if std::env::var("FIM_SHOW").is_ok() {
        if let Ok(mut d) = Derivation::from_source(&a, &f) {
            println!("{}", fim_core::model::report::text(&mut d));
        }
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
    println!("{which} K={k}: {:?} per derivation", t.elapsed() / n as u32);
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
