use fim::fisher_model;

// `n` is a constant (the number of trials), not a new parameter.
#[fisher_model(params(theta), data(x), moments(E[x] = n * theta), reparam(half(theta = n / 2.0)))]
pub fn binomial(x: f64, theta: f64, n: f64) -> f64 {
    x * theta.ln() + (n - x) * (1.0 - theta).ln()
}

fn main() {}
