use fim::fisher_model;

#[fisher_model(params(), data(x), moments(E[x] = n * theta))]
pub fn binomial(x: f64, theta: f64, n: f64) -> f64 {
    x * theta.ln() + (n - x) * (1.0 - theta).ln()
}

fn main() {}
