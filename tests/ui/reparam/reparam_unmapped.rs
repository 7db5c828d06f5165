use fim::fisher_model;

// `sigma` is not mapped by `precision`.
#[fisher_model(params(mu, sigma), data(x), reparam(precision(mu = m)))]
pub fn normal(x: f64, mu: f64, sigma: f64) -> f64 {
    -sigma.ln() - (x - mu).powi(2) / (2.0 * sigma.powi(2))
}

fn main() {}
