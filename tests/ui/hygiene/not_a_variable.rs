use fim::fisher_model;

#[fisher_model(params(theta), data(x), moments(E[x] = n * theta), reparam(alt(theta = self)))]
pub fn binomial(x: f64, theta: f64, n: f64) -> f64 {
    x * theta.ln() + (n - x) * (1.0 - theta).ln()
}

fn main() {}
