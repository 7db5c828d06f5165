//! The gamma distribution with shape α and rate β: a log-likelihood that calls `ln_gamma`, and a
//! Fisher information that needs trigamma ψ₁(α). Nothing about the moments is declared: the
//! gamma is an exponential family, so `E[x] = α/β` and `E[ln x] = ψ(α) − ln β` are inferred.
//!
//! `cargo run --example gamma`

use fim::fisher_model;
use fim::special::{ln_gamma, trigamma};

/// Gamma(α, β): density β^α x^(α−1) e^(−βx) / Γ(α).
#[fisher_model(params(alpha, beta), data(x))]
pub fn gamma(x: f64, alpha: f64, beta: f64) -> f64 {
    alpha * beta.ln() - ln_gamma(alpha) + (alpha - 1.0) * x.ln() - beta * x
}

fn main() {
    println!("{}", gamma::DERIVATION);
    println!("F = [[{}, {}],", gamma::FISHER[0][0], gamma::FISHER[0][1]);
    println!("     [{}, {}]]", gamma::FISHER[1][0], gamma::FISHER[1][1]);
    println!("½ ln det F = {}\n", gamma::JEFFREYS);

    // The log-likelihood is an ordinary function too.
    println!("ℓ(x = 1.5; α = 2, β = 3) = {:.6}\n", gamma(1.5, 2.0, 3.0));

    println!(
        "  {:>5}  {:>5}  {:>10}  {:>10}  {:>10}  {:>12}  {:>11}",
        "α", "β", "F[α][α]", "F[α][β]", "F[β][β]", "½ ln det F", "ψ₁(α) check"
    );
    for (alpha, beta) in [(0.5, 1.0), (1.0, 1.0), (2.0, 3.0), (10.0, 0.5)] {
        let f = gamma::fisher(alpha, beta);
        let j = gamma::jeffreys_log_density(alpha, beta);
        println!(
            "  {alpha:>5.1}  {beta:>5.1}  {:>10.6}  {:>10.6}  {:>10.6}  {j:>12.6}  {:>11.1e}",
            f[0][0],
            f[0][1],
            f[1][1],
            (f[0][0] - trigamma(alpha)).abs()
        );
    }
    println!(
        "\nThe Jeffreys prior ∝ sqrt(α ψ₁(α) − 1) / β: for large α it behaves like 1/(β sqrt(2α))."
    );
}
