// PENDING (bug): DESIGN.md §2 allows `.abs()` on data only, but `abs` of a parameter is
// accepted silently. Here the model is not differentiable at mu = 0 and the derived
// F = mu.powi(2) / mu.abs().powi(2) is not even simplified to 1.
// Expected: one error at `abs` in `mu.abs()`, e.g.
//   error: `abs` applies to data only: `mu` is a parameter
use fim::fisher_model;

#[fisher_model(params(mu), data(x), moments(E[x] = mu.abs()))]
pub fn folded(x: f64, mu: f64) -> f64 {
    -(x - mu.abs()).powi(2) / 2.0
}

fn main() {}
