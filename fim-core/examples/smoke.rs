use fim_core::model::{report, Derivation};
fn main() {
    let rows: &[(&str, &str, &str)] = &[
        ("bernoulli", "params(p), data(x), moments(E[x] = p)", "fn f(x: f64, p: f64) -> f64 { x * p.ln() + (1.0 - x) * (1.0 - p).ln() }"),
        ("binomial", "params(theta), data(x), moments(E[x] = n * theta), reparam(odds(theta = phi / (1.0 + phi)))", "fn f(x: f64, theta: f64, n: f64) -> f64 { x * theta.ln() + (n - x) * (1.0 - theta).ln() }"),
        ("odds", "params(phi), data(x), moments(E[x] = n * phi / (1.0 + phi))", "fn f(x: f64, phi: f64, n: f64) -> f64 { x * phi.ln() - n * (1.0 + phi).ln() }"),
        ("poisson", "params(lambda), data(x), moments(E[x] = lambda)", "fn f(x: f64, lambda: f64) -> f64 { x * lambda.ln() - lambda }"),
        ("exponential", "params(lambda), data(x), moments(E[x] = 1.0 / lambda)", "fn f(x: f64, lambda: f64) -> f64 { lambda.ln() - lambda * x }"),
        ("normal", "params(mu, sigma), data(x), moments(E[x] = mu, E[x.powi(2)] = mu.powi(2) + sigma.powi(2)), reparam(logscale(mu = mu, sigma = tau.exp()))", "fn f(x: f64, mu: f64, sigma: f64) -> f64 { -sigma.ln() - (x - mu).powi(2) / (2.0 * sigma.powi(2)) }"),
        ("normal var", "params(mu, v), data(x), moments(E[x] = mu, E[x.powi(2)] = mu.powi(2) + v)", "fn f(x: f64, mu: f64, v: f64) -> f64 { -0.5 * v.ln() - (x - mu).powi(2) / (2.0 * v) }"),
        ("geometric", "params(p), data(x), moments(E[x] = (1.0 - p) / p)", "fn f(x: f64, p: f64) -> f64 { x * (1.0 - p).ln() + p.ln() }"),
        ("gamma", "params(alpha, beta), data(x), moments(E[x] = alpha / beta, E[x.ln()] = digamma(alpha) - beta.ln())", "fn f(x: f64, alpha: f64, beta: f64) -> f64 { alpha * beta.ln() - ln_gamma(alpha) + (alpha - 1.0) * x.ln() - beta * x }"),
        ("beta", "params(a, b), data(x), moments(E[x.ln()] = digamma(a) - digamma(a + b), E[(1.0 - x).ln()] = digamma(b) - digamma(a + b))", "fn f(x: f64, a: f64, b: f64) -> f64 { ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + (a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln() }"),
        ("multinomial", "params(p1, p2), data(x1, x2), moments(E[x1] = n * p1, E[x2] = n * p2)", "fn f(x1: f64, x2: f64, p1: f64, p2: f64, n: f64) -> f64 { x1 * p1.ln() + x2 * p2.ln() + (n - x1 - x2) * (1.0 - p1 - p2).ln() }"),
        ("binomial-noinfer", "params(theta), data(x)", "fn f(x: f64, theta: f64, n: f64) -> f64 { x * theta.ln() + (n - x) * (1.0 - theta).ln() }"),
        ("normal-noinfer", "params(mu, sigma), data(x)", "fn f(x: f64, mu: f64, sigma: f64) -> f64 { -sigma.ln() - (x - mu).powi(2) / (2.0 * sigma.powi(2)) }"),
        ("gamma-noinfer", "params(alpha, beta), data(x)", "fn f(x: f64, alpha: f64, beta: f64) -> f64 { alpha * beta.ln() - ln_gamma(alpha) + (alpha - 1.0) * x.ln() - beta * x }"),
        ("bad binomial", "params(theta), data(x), moments(E[x] = theta)", "fn f(x: f64, theta: f64, n: f64) -> f64 { x * theta.ln() + (n - x) * (1.0 - theta).ln() }"),
        ("normal missing", "params(mu, sigma), data(x), moments(E[x] = mu)", "fn f(x: f64, mu: f64, sigma: f64) -> f64 { -sigma.ln() - (x - mu).powi(2) / (2.0 * sigma.powi(2)) }"),
        ("curved", "params(theta), data(x)", "fn f(x: f64, theta: f64) -> f64 { -0.5 * theta.ln() - (x - theta).powi(2) / (2.0 * theta) }"),
        ("curved decl", "params(theta), data(x), moments(E[x] = theta, Var[x] = theta)", "fn f(x: f64, theta: f64) -> f64 { -0.5 * theta.ln() - (x - theta).powi(2) / (2.0 * theta) }"),
    ];
    let only = std::env::args().nth(1);
    for (name, a, f) in rows {
        if let Some(o) = &only {
            if !name.starts_with(o.as_str()) {
                continue;
            }
        }
        println!("===== {name}");
        let t = std::time::Instant::now();
        match Derivation::from_source(a, f) {
            Ok(d) => {
                let el = t.elapsed();
                println!("{}", report::text(&d));
                println!("(derived in {el:?})");
            }
            Err(e) => {
                for e in e {
                    println!("ERROR: {e}");
                }
            }
        }
    }
}
