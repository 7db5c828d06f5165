use fim::fisher_model;

#[fisher_model(params(lambda), data(x), verify(information = [[1.0 / lambda]]))]
pub fn poisson(x: f64, lambda: f64) -> f64 {
    x * lambda.ln() - lambda
}

fn main() {}
