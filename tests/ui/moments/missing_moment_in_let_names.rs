use fim::fisher_model;

// Gumbel location-scale through the standardized variable z: the missing moments are named in
// z, the body's own variable, and each suggested line may be pasted as it is.
#[fisher_model(params(mu, beta), data(x), moments(E[(-z).exp()] = 1.0))]
pub fn gumbel(x: f64, mu: f64, beta: f64) -> f64 {
    let z = (x - mu) / beta;
    -beta.ln() - z - (-z).exp()
}

fn main() {}
