// PENDING (bug, new with the reparam stubs of commit 094dd6f): the error is right, but the stub
// submodule `odds` takes every identifier of the map as a new parameter, data included, so its
// stub `score(x, phi, x, n)` binds `x` twice and rustc adds
//   error[E0415]: identifier `x` is bound more than once in this parameter list
// Expected: reparam_uses_data.stderr beside this file (the attribute's error only).
use fim::fisher_model;

#[fisher_model(params(theta), data(x), reparam(odds(theta = phi / (x + phi))))]
pub fn binomial(x: f64, theta: f64, n: f64) -> f64 {
    x * theta.ln() + (n - x) * (1.0 - theta).ln()
}

fn main() {}
