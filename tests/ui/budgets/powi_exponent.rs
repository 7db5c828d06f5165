use fim::fisher_model;

// A `powi` exponent beyond the budget is an error at the exponent (once an out-of-memory
// panic in the bignum code); the function and the stubs are still emitted.
#[fisher_model(params(theta), data(x), moments(E[x] = theta))]
pub fn poisson(x: f64, theta: f64) -> f64 {
    x * theta.ln() - theta * 10.0_f64.powi(-2147483648)
}

fn main() {
    let _: f64 = poisson(1.0, 2.0);
    let _: [[f64; 1]; 1] = poisson::fisher(2.0);
}
