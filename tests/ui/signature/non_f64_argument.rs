use fim::fisher_model;

#[fisher_model(params(theta), data(x), moments(E[x] = n * theta))]
pub fn binomial(x: f64, theta: f64, n: u32) -> f64 {
    x * theta.ln() + (n as f64 - x) * (1.0 - theta).ln()
}

fn main() {}
