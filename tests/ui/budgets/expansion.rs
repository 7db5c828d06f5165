use fim::fisher_model;

// Ten chained squares expand to 1025 terms: an error at the tenth `let`, before any work.
#[fisher_model(params(theta), data(x))]
pub fn swell(x: f64, theta: f64) -> f64 {
    let t = theta;
    let t = t * t + t;
    let t = t * t + t;
    let t = t * t + t;
    let t = t * t + t;
    let t = t * t + t;
    let t = t * t + t;
    let t = t * t + t;
    let t = t * t + t;
    let t = t * t + t;
    let t = t * t + t;
    x * theta.ln() - t
}

fn main() {}
