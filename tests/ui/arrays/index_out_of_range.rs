use fim::fisher_model;

#[fisher_model(params(alpha), data(x))]
pub fn dirichlet(x: [f64; 3], alpha: [f64; 3]) -> f64 {
    (0..4).map(|i| (alpha[i] - 1.0) * x[i].ln()).sum::<f64>()
        + ln_gamma(alpha[0] + alpha[1] + alpha[2])
        - alpha.iter().map(|&a| ln_gamma(a)).sum::<f64>()
}

use fim::special::ln_gamma;

fn main() {}
