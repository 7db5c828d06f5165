use fim::fisher_model;

#[fisher_model(params(lambda), data(x))]
pub fn poisson(x: f64, lambda: f64) -> f64 {
    let l = x * lambda.ln() - lambda;
    l;
}

fn main() {}
