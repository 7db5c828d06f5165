// PENDING (bug): after `data = x` the attribute parser takes `=` as data's list and then reads
// `x` as a key, so the user gets three errors for one mistake: the right one at `data`, then
// "expected `x(..)`" at `x`, then "`E[..]` has no data in it" (data(..) was lost).
// Expected: only the first error, at `data`:
//   error: expected `data(..)`: each key takes a parenthesized list
use fim::fisher_model;

#[fisher_model(params(theta), data = x, moments(E[x] = n * theta))]
pub fn binomial(x: f64, theta: f64, n: f64) -> f64 {
    x * theta.ln() + (n - x) * (1.0 - theta).ln()
}

fn main() {}
