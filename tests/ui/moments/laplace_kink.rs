use fim::fisher_model;

// Laplace with location mu and scale b. Its moments are inferred (E[(x - mu) / |x - mu|] = 0,
// E[|x - mu|] = b), but ∂²ℓ/∂mu² is zero almost everywhere: the Hessian misses the kink of
// |x - mu|, and −E[H] would say mu carries no information (the truth is 1/b²). The error says
// so, at `mu`.
#[fisher_model(params(mu, b), data(x), moments(E[x] = mu))]
pub fn laplace(x: f64, mu: f64, b: f64) -> f64 {
    -(x - mu).abs() / b - b.ln()
}

fn main() {}
