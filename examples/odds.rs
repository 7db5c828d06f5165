//! Invariance under reparameterization: the binomial in its success probability θ and in its
//! odds φ = θ/(1−θ), i.e. θ = φ/(1+φ). The Fisher information transforms with the Jacobian,
//! F_φ = (dθ/dφ)² F_θ(θ(φ)), and the Jeffreys log density picks up ln |dθ/dφ|, so the Jeffreys
//! prior is the same distribution in either parameterization.
//!
//! `cargo run --example odds`

use fim::fisher_model;

/// Binomial: x successes in n trials, derived in θ and, through `reparam`, in the odds φ.
#[fisher_model(
    params(theta),
    data(x),
    moments(E[x] = n * theta),
    reparam(odds(theta = phi / (1.0 + phi))),
)]
pub fn binomial(x: f64, theta: f64, n: f64) -> f64 {
    x * theta.ln() + (n - x) * (1.0 - theta).ln()
}

fn main() {
    println!("In θ:  F = {}", binomial::FISHER[0][0]);
    println!("       ½ ln det F = {}", binomial::JEFFREYS);
    println!("In φ:  F = {}", binomial::odds::FISHER[0][0]);
    println!("       ½ ln det F = {}", binomial::odds::JEFFREYS);
    println!();
    println!("{}", binomial::odds::DERIVATION);

    let n = 10.0;
    println!("n = {n}; J = dθ/dφ = 1/(1+φ)²\n");
    println!(
        "  {:>5}  {:>6}  {:>12}  {:>12}  {:>12}  {:>10}  {:>10}  {:>10}",
        "φ", "θ", "F_θ(θ)", "F_φ(φ)", "J² F_θ", "Jeff_θ", "Jeff_φ", "Jeff_θ+ln J"
    );
    let mut worst = 0.0_f64;
    for phi in [0.1, 0.5, 1.0, 2.0, 9.0] {
        let theta = phi / (1.0 + phi);
        let jac = 1.0 / (1.0 + phi) * (1.0 / (1.0 + phi));
        let f_theta = binomial::fisher(theta, n)[0][0];
        let f_phi = binomial::odds::fisher(phi, n)[0][0];
        let mapped = jac * f_theta * jac;
        let j_theta = binomial::jeffreys_log_density(theta, n);
        let j_phi = binomial::odds::jeffreys_log_density(phi, n);
        let j_mapped = j_theta + jac.ln();
        worst = worst
            .max((f_phi - mapped).abs() / f_phi)
            .max((j_phi - j_mapped).abs() / j_phi.abs().max(1.0));
        println!(
            "  {phi:>5.1}  {theta:>6.4}  {f_theta:>12.6}  {f_phi:>12.6}  {mapped:>12.6}  \
             {j_theta:>10.6}  {j_phi:>10.6}  {j_mapped:>10.6}"
        );
    }
    println!(
        "\nlargest relative difference between the φ results and the mapped θ results: {worst:.1e}"
    );
    assert!(worst < 1e-12, "the two parameterizations disagree");
}
