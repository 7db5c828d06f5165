use fim::fisher_model;

// A loop is unrolled when the model compiles: its bound must be known then.
#[fisher_model(params(mu), data(x))]
pub fn normals(x: [f64; 3], mu: [f64; 3], n: f64) -> f64 {
    let mut l = 0.0;
    for i in 0..(n as usize) {
        l -= (x[i] - mu[i]).powi(2) / 2.0;
    }
    l
}

fn main() {}
