// PENDING (bug): an unknown name in a moment is reported at the first token of the moment's
// side (`n`), not at the name (`thetta`): with several names the marker points at the wrong one.
// Expected: the marker under `thetta`:
//   error: unknown name `thetta` in a moment: it is not an argument of the function
use fim::fisher_model;

#[fisher_model(params(theta), data(x), moments(E[x] = n * thetta))]
pub fn binomial(x: f64, theta: f64, n: f64) -> f64 {
    x * theta.ln() + (n - x) * (1.0 - theta).ln()
}

fn main() {}
