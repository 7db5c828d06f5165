use fim::fisher_model;

// Sixty nested parentheses: more than the parser admits in one statement.
#[fisher_model(params(lambda), data(x))]
pub fn poisson(x: f64, lambda: f64) -> f64 {
    x * lambda.ln() - ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((lambda))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))
}

fn main() {}
