use fim::fisher_model;

// `natural_gradient(P, grad)` and `kl_quadratic(P, delta)` take these names beside P.
#[fisher_model(params(theta), data(x), moments(E[x] = grad * delta * theta))]
pub fn binomial(x: f64, theta: f64, grad: f64, delta: f64) -> f64 {
    x * theta.ln() + (grad * delta - x) * (1.0 - theta).ln()
}

fn main() {}
