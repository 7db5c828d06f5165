use fim::fisher_model;

#[fisher_model(params(lambda), data(x), verify(jeffreys = -lambda.ln()))]
pub fn poisson(x: f64, lambda: f64) -> f64 {
    x * lambda.ln() - lambda
}

fn main() {}
