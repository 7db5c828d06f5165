use fim::fisher_model;

#[fisher_model(params(mu, sigma, mu), data(x))]
pub fn normal(x: f64, mu: f64, sigma: f64) -> f64 {
    -sigma.ln() - (x - mu).powi(2) / (2.0 * sigma.powi(2))
}

fn main() {}
