//! Derives one catalog model many times, for profiling (`perf record`).
use fim_core::model::Derivation;
fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "binomial".into());
    let (a, f) = match which.as_str() {
        "normal" => ("params(mu, sigma), data(x), moments(E[x] = mu, E[x.powi(2)] = mu.powi(2) + sigma.powi(2))", "fn f(x: f64, mu: f64, sigma: f64) -> f64 { -sigma.ln() - (x - mu).powi(2) / (2.0 * sigma.powi(2)) }"),
        "multinomial" => ("params(p1, p2), data(x1, x2), moments(E[x1] = n * p1, E[x2] = n * p2)", "fn f(x1: f64, x2: f64, p1: f64, p2: f64, n: f64) -> f64 { x1 * p1.ln() + x2 * p2.ln() + (n - x1 - x2) * (1.0 - p1 - p2).ln() }"),
        _ => ("params(theta), data(x), moments(E[x] = n * theta)", "fn f(x: f64, theta: f64, n: f64) -> f64 { x * theta.ln() + (n - x) * (1.0 - theta).ln() }"),
    };
    let n: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let t = std::time::Instant::now();
    for _ in 0..n {
        let d = Derivation::from_source(a, f).unwrap();
        std::hint::black_box(d);
    }
    println!("{which}: {:?} per derivation", t.elapsed() / n as u32);
}
