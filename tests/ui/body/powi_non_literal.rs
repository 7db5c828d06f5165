use fim::fisher_model;

#[fisher_model(params(mu), data(x), moments(E[x] = mu, E[x * x] = mu * mu + 1.0))]
pub fn normal(x: f64, mu: f64, k: f64) -> f64 {
    -(x - mu).powi(k as i32) / 2.0
}

fn main() {}
