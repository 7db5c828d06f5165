use fim::fisher_model;

// `sigma` is a parameter but the body never uses it: its row of F would be zero.
#[fisher_model(params(mu, sigma), data(x), moments(E[x] = mu))]
pub fn normal(x: f64, mu: f64, sigma: f64) -> f64 {
    -(x - mu).powi(2) / 2.0
}

fn main() {}
