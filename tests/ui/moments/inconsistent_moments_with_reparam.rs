// PENDING (bug): one wrong moment (E[x] = theta instead of n * theta) gives the right error (at
// `theta`: E[score] = 0 fails) and then three more at the reparam's name `odds`: its E[score]
// check, its F invariance proof and its Jeffreys invariance proof all fail because the moment is
// wrong, not because the reparameterization is. The reparam should not be derived (or its
// failures not reported) once the model's own checks failed.
// Expected: only the errors of moments/inconsistent_moments.stderr.
use fim::fisher_model;

#[fisher_model(
    params(theta),
    data(x),
    moments(E[x] = theta),
    reparam(odds(theta = phi / (1.0 + phi))),
)]
pub fn binomial(x: f64, theta: f64, n: f64) -> f64 {
    x * theta.ln() + (n - x) * (1.0 - theta).ln()
}

fn main() {}
