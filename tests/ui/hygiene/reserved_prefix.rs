use fim::fisher_model;

// The generated code binds names starting with `__fim`: an argument so named would be captured.
#[fisher_model(params(theta), data(x), moments(E[x] = __fim_m0 * theta))]
pub fn binomial(x: f64, theta: f64, __fim_m0: f64) -> f64 {
    x * theta.ln() + (__fim_m0 - x) * (1.0 - theta).ln()
}

fn main() {}
