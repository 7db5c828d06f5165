use fim::fisher_model;

#[fisher_model(params(mu), data(x), moments(E[x] = mu))]
pub fn logistic(x: f64, mu: f64) -> f64 {
    -2.0 * ((x - mu) / 2.0).cosh().ln()
}

fn main() {}
