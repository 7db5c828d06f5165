// PENDING (bug): an unknown name in the body is reported over the whole body block (lines
// 7-9), not at the name. Expected: the marker under `TRIALS` on line 8:
//   error: unknown name `TRIALS` in the log-likelihood: it is not an argument of the function
use fim::fisher_model;

const TRIALS: f64 = 10.0;

// `TRIALS` is a Rust constant, not an argument: the attribute cannot see its value.
#[fisher_model(params(theta), data(x))]
pub fn binomial(x: f64, theta: f64) -> f64 {
    x * theta.ln() + (TRIALS - x) * (1.0 - theta).ln()
}

fn main() {}
