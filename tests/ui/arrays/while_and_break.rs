use fim::fisher_model;

#[fisher_model(params(mu), data(x))]
pub fn normals(x: [f64; 3], mu: [f64; 3]) -> f64 {
    let mut l = 0.0;
    let mut i = 0;
    while i < 3 {
        l -= (x[i] - mu[i]).powi(2);
        i += 1;
    }
    for j in 0..3 {
        if j == 2 {
            break;
        }
    }
    l
}

fn main() {}
