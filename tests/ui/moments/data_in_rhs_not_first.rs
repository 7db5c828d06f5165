// PENDING (bug): same class as unknown_name_in_moment.rs. The data in a moment's right-hand
// side is reported at the side's first token (`theta`), not at the data (`x`). The stable
// compiler cannot join spans, so the error should point at the offending symbol itself.
// Expected: the marker under `x`:
//   error: data inside a moment's right-hand side: ...
use fim::fisher_model;

#[fisher_model(params(theta), data(x), moments(E[x] = theta * x))]
pub fn binomial(x: f64, theta: f64, n: f64) -> f64 {
    x * theta.ln() + (n - x) * (1.0 - theta).ln()
}

fn main() {}
