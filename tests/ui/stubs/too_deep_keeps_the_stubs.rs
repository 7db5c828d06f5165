use fim::fisher_model;

// The body is too deep to read, but the function and the stub module are still emitted, so
// the rest of the crate compiles: the only error is the depth.
#[fisher_model(params(lambda), data(x))]
pub fn poisson(x: f64, lambda: f64) -> f64 {
    x * lambda.ln() - ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((lambda))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))
}

fn main() {
    let _: f64 = poisson(1.0, 2.0);
    let _: [[f64; 1]; 1] = poisson::fisher(2.0);
    let _: f64 = poisson::jeffreys_log_density(2.0);
}
