//! The README's main job: derive the binomial's Fisher information at compile time, print the
//! derivation, F and the Jeffreys density at a few θ.

use fim::fisher_model;

/// Binomial: x successes in n trials.
#[fisher_model(
    params(theta),
    data(x),
    moments(E[x] = n * theta),
    verify(fisher = [[n / (theta * (1.0 - theta))]]),
    reparam(odds(theta = phi / (1.0 + phi))),
)]
pub fn binomial(x: f64, theta: f64, n: f64) -> f64 {
    x * theta.ln() + (n - x) * (1.0 - theta).ln()
}

fn main() {
    println!("{}", binomial::DERIVATION);
    println!("F(θ) = {}", binomial::FISHER[0][0]);
    println!("Jeffreys: {}", binomial::JEFFREYS);
    let n = 10.0;
    println!("\n  θ      F(θ; n = 10)    ½ ln det F");
    for theta in [0.1, 0.3, 0.5, 0.7, 0.9] {
        let f = binomial::fisher(theta, n)[0][0];
        let j = binomial::jeffreys_log_density(theta, n);
        println!("  {theta:.1}  {f:>14.6}  {j:>12.6}");
    }
}
