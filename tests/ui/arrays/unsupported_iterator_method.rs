use fim::fisher_model;

#[fisher_model(params(mu), data(x))]
pub fn normals(x: [f64; 3], mu: [f64; 3]) -> f64 {
    -x.iter().zip(mu.iter()).map(|(a, b)| (a - b).powi(2)).max_by(|a, b| a.total_cmp(b)).unwrap()
}

fn main() {}
