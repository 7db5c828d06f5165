use fim::fisher_model;

// `E[x[i]] = n / 3.0` would hold for every i; the right side must say which p.
#[fisher_model(params(p), data(x), moments(E[x[i]] = n * p[j]))]
pub fn multinomial(x: [f64; 2], p: [f64; 2], n: f64) -> f64 {
    x[0] * p[0].ln() + x[1] * p[1].ln() + (n - x[0] - x[1]) * (1.0 - p[0] - p[1]).ln()
}

fn main() {}
