use fim::fisher_model;

// E[x] = theta instead of n * theta: E[score] is not 0.
#[fisher_model(params(theta), data(x), moments(E[x] = theta))]
pub fn binomial(x: f64, theta: f64, n: f64) -> f64 {
    x * theta.ln() + (n - x) * (1.0 - theta).ln()
}

fn main() {}
