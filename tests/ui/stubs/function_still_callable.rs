use fim::fisher_model;

// A bad attribute (an unknown key): the only error is the attribute's. The function itself and
// the module's stub items still exist with the contract's types, so the rest of the crate
// type-checks against them. (rustc hides unresolved-path errors once a `compile_error!` has
// fired, so this case cannot prove on its own that every stub exists: the in-process test in
// fim-core/tests/expand_snapshots.rs checks the stub module's items one by one.)
#[fisher_model(params(theta), data(x), moments(E[x] = n * theta), bogus(1))]
pub fn binomial(x: f64, theta: f64, n: f64) -> f64 {
    x * theta.ln() + (n - x) * (1.0 - theta).ln()
}

fn main() {
    let l: f64 = binomial(3.0, 0.3, 10.0);
    let f: [[f64; 1]; 1] = binomial::fisher(0.3, 10.0);
    let j: f64 = binomial::jeffreys_log_density(0.3, 10.0);
    let s: [f64; 1] = binomial::score(3.0, 0.3, 10.0);
    let names: [&str; 1] = binomial::PARAMS;
    println!("{l} {f:?} {j} {s:?} {names:?}");
}
