use fim::fisher_model;

#[fisher_model(params(lambda), data(x))]
pub fn poisson(x: f64, lambda: f64) -> f64 {
    if x > 0.0 {
        x * lambda.ln() - lambda
    } else {
        -lambda
    }
}

fn main() {}
