use fim::fisher_model;

// The length of an array argument is an integer literal.
const N: usize = 3;

#[fisher_model(params(mu), data(x))]
pub fn normals(x: [f64; N], mu: f64) -> f64 {
    -(x[0] - mu).powi(2)
}

fn main() {}
