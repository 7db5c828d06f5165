use fim::fisher_model;

// A reparam's new parameter becomes an argument of its `natural_gradient`, beside `grad`.
#[fisher_model(
    params(theta),
    data(x),
    moments(E[x] = n * theta),
    reparam(odds(theta = grad / (1.0 + grad)))
)]
pub fn binomial(x: f64, theta: f64, n: f64) -> f64 {
    x * theta.ln() + (n - x) * (1.0 - theta).ln()
}

fn main() {
    let _: [[f64; 1]; 1] = binomial::fisher(0.3, 10.0);
}
