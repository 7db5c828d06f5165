use fim::fisher_model;

// ln 0 is −∞ whatever the parameters: a typo for `(1.0).ln()` or a missing term.
#[fisher_model(params(lambda), data(x))]
pub fn poisson(x: f64, lambda: f64) -> f64 {
    x * lambda.ln() - lambda + 0.0_f64.ln()
}

fn main() {}
