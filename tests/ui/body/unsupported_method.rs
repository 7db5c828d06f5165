use fim::fisher_model;

#[fisher_model(params(mu), data(x), moments(E[x] = mu))]
pub fn cube_root(x: f64, mu: f64) -> f64 {
    -(x - mu).cbrt().abs()
}

fn main() {}
