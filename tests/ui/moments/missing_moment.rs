use fim::fisher_model;

// Normal with mean theta and standard deviation theta: the Hessian needs E[x.powi(2)], and the
// model is not an exponential family in theta alone, so nothing can infer it.
#[fisher_model(params(theta), data(x))]
pub fn coupled_normal(x: f64, theta: f64) -> f64 {
    -theta.ln() - (x - theta).powi(2) / (2.0 * theta.powi(2))
}

fn main() {}
