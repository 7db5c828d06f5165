use fim::fisher_model;
use fim::special::ln_gamma;

// Each reparam holds one mistake in mapping an array parameter.
#[fisher_model(
    params(alpha),
    data(x),
    reparam(
        whole(alpha = eta.exp()),
        rank(alpha[i][j] = eta[i].exp()),
        range(alpha[0] = a, alpha[1] = b, alpha[2] = c, alpha[3] = d, alpha[4] = e),
        shifted(alpha[i] = eta[i + 1].exp()),
        unused(alpha[0] = eta[3], alpha[1] = eta[3] * 2.0, alpha[2] = c, alpha[3] = d),
        both(alpha[0] = eta, alpha[1] = eta[0], alpha[2] = c, alpha[3] = d),
        partial(alpha[0] = a, alpha[1] = b)
    )
)]
pub fn dirichlet(x: [f64; 4], alpha: [f64; 4]) -> f64 {
    ln_gamma(alpha.iter().sum::<f64>()) - alpha.iter().map(|&a| ln_gamma(a)).sum::<f64>()
        + (0..4).map(|i| (alpha[i] - 1.0) * x[i].ln()).sum::<f64>()
}

fn main() {
    let _: [[f64; 4]; 4] = dirichlet::fisher([1.0; 4]);
}
