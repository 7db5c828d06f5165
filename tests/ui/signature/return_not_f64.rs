use fim::fisher_model;

#[fisher_model(params(lambda), data(x))]
pub fn poisson(x: f64, lambda: f64) -> f32 {
    (x * lambda.ln() - lambda) as f32
}

fn main() {}
