use fim::fisher_model;

// The true F is n / (theta * (1 - theta)); the stated one forgets the factor n.
#[fisher_model(
    params(theta),
    data(x),
    moments(E[x] = n * theta),
    verify(fisher = [[1.0 / (theta * (1.0 - theta))]]),
)]
pub fn binomial(x: f64, theta: f64, n: f64) -> f64 {
    x * theta.ln() + (n - x) * (1.0 - theta).ln()
}

fn main() {}
