use fim::fisher_model;

// `return` is not how a body gives its value.
#[fisher_model(params(lambda), data(x))]
pub fn poisson(x: f64, lambda: f64) -> f64 {
    return x * lambda.ln() - lambda;
}

fn main() {}
