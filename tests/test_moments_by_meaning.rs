//! Moments are matched by meaning (DESIGN §2b): textbook families outside the catalog, written
//! as a new user writes them, with the moments a statistician would declare. Each once failed
//! because the declared moments were spelled differently from the engine's internal terms;
//! each F is checked at 3 points, to 1e-12 relative, against a formula written here.
//!
//! γ is Euler's constant. Several moments below come from one fact: when W ~ Exp(1),
//! E[W ln W] = Γ'(2) = ψ(2) = 1 − γ and E[W ln² W] = Γ''(2) = ψ(2)² + ψ₁(2) = (1 − γ)² + π²/6 − 1.

// The log-likelihood functions themselves are only read by the attribute here.
#![allow(dead_code)]

use fim::fisher_model;

mod common;
use common::{close, close_unit};

const EULER: f64 = 0.577_215_664_901_532_9;
const PI: f64 = std::f64::consts::PI;

/// F entries against a formula: relative where the entry is not zero, absolute at zero.
fn matrix<const K: usize>(what: &str, got: [[f64; K]; K], want: [[f64; K]; K]) {
    for i in 0..K {
        for j in 0..K {
            let at = format!("{what} F[{i}][{j}]");
            if want[i][j] == 0.0 {
                close_unit(&at, got[i][j], 0.0);
            } else {
                close(&at, got[i][j], want[i][j]);
            }
        }
    }
}

// ---- Gumbel (location mu, scale beta) -------------------------------------------------------

// z = (x − μ)/β has density exp(−z − e^{−z}); W = e^{−z} ~ Exp(1) and z = −ln W, so
//   E[e^{−z}] = 1,  E[z] = −E[ln W] = γ,  E[z e^{−z}] = −E[W ln W] = γ − 1,
//   E[z² e^{−z}] = E[W ln² W] = π²/6 − 1 + (1 − γ)².
// The moments are spelled in x, as the error once asked, while the body goes through a `let`.
#[fisher_model(
    params(mu, beta),
    data(x),
    moments(
        E[(-(x - mu) / beta).exp()] = 1.0,
        E[(x - mu) / beta] = 0.5772156649015329,
        E[(x - mu) / beta * (-(x - mu) / beta).exp()] = 0.5772156649015329 - 1.0,
        E[((x - mu) / beta).powi(2) * (-(x - mu) / beta).exp()] =
            PI.powi(2) / 6.0 - 1.0 + (1.0 - 0.5772156649015329).powi(2),
    )
)]
fn gumbel(x: f64, mu: f64, beta: f64) -> f64 {
    let z = (x - mu) / beta;
    -beta.ln() - z - (-z).exp()
}

// The same with the moments in the body's own variable.
#[fisher_model(
    params(mu, beta),
    data(x),
    moments(
        E[(-z).exp()] = 1.0,
        E[z] = 0.5772156649015329,
        E[z * (-z).exp()] = 0.5772156649015329 - 1.0,
        E[z.powi(2) * (-z).exp()] = PI.powi(2) / 6.0 - 1.0 + (1.0 - 0.5772156649015329).powi(2),
    )
)]
fn gumbel_in_z(x: f64, mu: f64, beta: f64) -> f64 {
    let z = (x - mu) / beta;
    -beta.ln() - z - (-z).exp()
}

/// F = [[1, γ − 1], [γ − 1, π²/6 + (1 − γ)²]] / β².
fn gumbel_fisher(beta: f64) -> [[f64; 2]; 2] {
    let b2 = beta * beta;
    let off = (EULER - 1.0) / b2;
    [
        [1.0 / b2, off],
        [off, (PI * PI / 6.0 + (1.0 - EULER).powi(2)) / b2],
    ]
}

#[test]
fn gumbel_with_its_let() {
    for (mu, beta) in [(0.0, 1.0), (-1.3, 0.4), (2.5, 3.7)] {
        let want = gumbel_fisher(beta);
        matrix("gumbel", gumbel::fisher(mu, beta), want);
        matrix("gumbel in z", gumbel_in_z::fisher(mu, beta), want);
    }
}

// ---- Weibull (shape k, scale λ) and its rate b = λ^(−k) ----------------------------------

// Y = (x/λ)^k ~ Exp(1), x^k = λ^k Y and ln x = ln λ + (ln Y)/k, so
//   E[x^k] = λ^k,
//   E[x^k ln x] = λ^k (ln λ + E[Y ln Y]/k) = λ^k (ln λ + (1 − γ)/k),
//   E[x^k ln² x] = λ^k (ln² λ + 2 ln λ (1 − γ)/k + (π²/6 − 1 + (1 − γ)²)/k²).
// The body spells (x/λ)^k; x > 0 and λ > 0 on the domain (both are under `ln`).
#[fisher_model(
    params(k, lam),
    data(x),
    moments(
        E[x.powf(k)] = lam.powf(k),
        E[x.powf(k) * x.ln()] = lam.powf(k) * (lam.ln() + (1.0 - 0.5772156649015329) / k),
        E[x.powf(k) * x.ln().powi(2)] = lam.powf(k)
            * (lam.ln().powi(2)
                + 2.0 * lam.ln() * (1.0 - 0.5772156649015329) / k
                + (PI.powi(2) / 6.0 - 1.0 + (1.0 - 0.5772156649015329).powi(2)) / k.powi(2)),
    ),
    reparam(rate(k = k, lam = b.powf(-1.0 / k))),
)]
fn weibull(x: f64, k: f64, lam: f64) -> f64 {
    k.ln() - k * lam.ln() + (k - 1.0) * x.ln() - (x / lam).powf(k)
}

/// F = [[(π²/6 + (1 − γ)²)/k², −(1 − γ)/λ], [−(1 − γ)/λ, k²/λ²]].
fn weibull_fisher(k: f64, lam: f64) -> [[f64; 2]; 2] {
    let off = -(1.0 - EULER) / lam;
    [
        [(PI * PI / 6.0 + (1.0 - EULER).powi(2)) / (k * k), off],
        [off, k * k / (lam * lam)],
    ]
}

/// In (k, b) the log-density is ln k + ln b + (k − 1) ln x − b x^k, and with λ^k = 1/b,
/// ln λ = −ln b / k in the moments above:
///   F_bb = 1/b², F_kb = E[x^k ln x] = (1 − γ − ln b)/(k b),
///   F_kk = 1/k² + b E[x^k ln² x] = (π²/6 + (1 − γ − ln b)²)/k².
fn weibull_rate_fisher(k: f64, b: f64) -> [[f64; 2]; 2] {
    let c = 1.0 - EULER - b.ln();
    let off = c / (k * b);
    [
        [(PI * PI / 6.0 + c * c) / (k * k), off],
        [off, 1.0 / (b * b)],
    ]
}

#[test]
fn weibull_with_the_textbook_moments() {
    for (k, lam) in [(1.0, 1.0), (0.6, 2.3), (3.4, 0.7)] {
        matrix("weibull", weibull::fisher(k, lam), weibull_fisher(k, lam));
    }
}

#[test]
fn weibull_in_its_rate() {
    for (k, b) in [(1.0, 1.0), (0.6, 2.3), (3.4, 0.07)] {
        matrix(
            "weibull rate",
            weibull::rate::fisher(k, b),
            weibull_rate_fisher(k, b),
        );
        // The same point reached from (k, λ): b = λ^(−k).
        let lam = b.powf(-1.0 / k);
        let f = weibull::fisher(k, lam);
        let j = [[1.0, 0.0], [lam * b.ln() / (k * k), -lam / (k * b)]];
        let mut jfj = [[0.0; 2]; 2];
        for a in 0..2 {
            for c in 0..2 {
                for i in 0..2 {
                    for l in 0..2 {
                        jfj[a][c] += j[i][a] * f[i][l] * j[l][c];
                    }
                }
            }
        }
        matrix("weibull Jᵀ F J", jfj, weibull_rate_fisher(k, b));
    }
}

// ---- Student-t and Cauchy location, moments in the standardized variable -----------------

// With z = (x − μ)/σ ~ t_ν, w = 1/(1 + z²/ν) = ν/(ν + z²) ~ Beta(ν/2, 1/2):
//   E[w] = ν/(ν+1), E[w²] = ν(ν+2)/((ν+1)(ν+3)), E[z w²] = 0 (z is symmetric), and
//   z² w² = ν (w − w²), so E[z² w²] = ν²/((ν+1)(ν+3)).
// The Hessian needs E[x / (1 + (x − μ)²/(νσ²))²] and friends, in x; only x = μ + σz joins them.
#[fisher_model(
    params(mu),
    data(x),
    moments(
        E[w] = nu / (nu + 1.0),
        E[w.powi(2)] = nu * (nu + 2.0) / ((nu + 1.0) * (nu + 3.0)),
        E[z * w.powi(2)] = 0.0,
        E[z.powi(2) * w.powi(2)] = nu.powi(2) / ((nu + 1.0) * (nu + 3.0)),
    )
)]
fn student_t(x: f64, mu: f64, nu: f64, sigma: f64) -> f64 {
    let z = (x - mu) / sigma;
    let w = 1.0 / (1.0 + z.powi(2) / nu);
    (nu + 1.0) / 2.0 * w.ln() - sigma.ln()
}

#[test]
fn student_t_location() {
    for (mu, nu, sigma) in [(0.0, 1.0, 1.0), (1.7, 4.5, 0.3), (-2.0, 30.0, 2.2)] {
        let want = (nu + 1.0) / ((nu + 3.0) * sigma * sigma);
        matrix("t", student_t::fisher(mu, nu, sigma), [[want]]);
    }
}

// ν = 1: E[1/(1+z²)] = 1/2, E[1/(1+z²)²] = 3/8, E[z/(1+z²)²] = 0,
// E[z²/(1+z²)²] = E[1/(1+z²)] − E[1/(1+z²)²] = 1/8. The body writes the density inline.
#[fisher_model(
    params(mu),
    data(x),
    moments(
        E[1.0 / (1.0 + ((x - mu) / gamma).powi(2))] = 0.5,
        E[(1.0 + ((x - mu) / gamma).powi(2)).powi(-2)] = 0.375,
        E[(x - mu) / gamma / (1.0 + ((x - mu) / gamma).powi(2)).powi(2)] = 0.0,
        E[((x - mu) / gamma).powi(2) / (1.0 + ((x - mu) / gamma).powi(2)).powi(2)] = 0.125,
    )
)]
fn cauchy(x: f64, mu: f64, gamma: f64) -> f64 {
    -(gamma.powi(2) + (x - mu).powi(2)).ln() + gamma.ln()
}

#[test]
fn cauchy_location() {
    for (mu, gamma) in [(0.0, 1.0), (3.1, 0.25), (-0.4, 7.0)] {
        let want = 1.0 / (2.0 * gamma * gamma);
        matrix("cauchy", cauchy::fisher(mu, gamma), [[want]]);
    }
}

// ---- logistic location ------------------------------------------------------------------

// The Hessian needs E[e^{−2z} / (1 + e^{−z})²]: with u = 1/(1 + e^{−z}) ~ U(0, 1), that is
// E[(1 − u)²] = 1/3. E[e^{−z}/(1 + e^{−z})] = E[1 − u] = 1/2 is inferred from E[score] = 0.
// Declared exactly as the error once asked (in x) …
#[fisher_model(
    params(mu),
    data(x),
    moments(E[(-2.0 * (x - mu) / s).exp() / (1.0 + (-(x - mu) / s).exp()).powi(2)] = 1.0 / 3.0)
)]
fn logistic(x: f64, mu: f64, s: f64) -> f64 {
    let z = (x - mu) / s;
    -z - 2.0 * (1.0 + (-z).exp()).ln() - s.ln()
}

// … and as it asks now, in the body's variable.
#[fisher_model(
    params(mu),
    data(x),
    moments(E[(-2.0 * z).exp() / (1.0 + (-z).exp()).powi(2)] = 1.0 / 3.0)
)]
fn logistic_in_z(x: f64, mu: f64, s: f64) -> f64 {
    let z = (x - mu) / s;
    -z - 2.0 * (1.0 + (-z).exp()).ln() - s.ln()
}

#[test]
fn logistic_location() {
    for (mu, s) in [(0.0, 1.0), (-5.0, 0.2), (1.25, 4.0)] {
        let want = 1.0 / (3.0 * s * s);
        matrix("logistic", logistic::fisher(mu, s), [[want]]);
        matrix("logistic in z", logistic_in_z::fisher(mu, s), [[want]]);
    }
}

// ---- Hardy–Weinberg genotype counts --------------------------------------------------------

// x1 homozygotes (probability θ²) and x2 heterozygotes (2θ(1 − θ)) of n: the data enter only
// as 2 x1 + x2, the count of one allele among 2n, so E[2 x1 + x2] = 2nθ is inferred and
// F = 2n/(θ(1 − θ)), the binomial information of 2n alleles.
#[fisher_model(params(theta), data(x1, x2))]
fn hardy_weinberg(x1: f64, x2: f64, theta: f64, n: f64) -> f64 {
    (2.0 * x1 + x2) * theta.ln() + (x2 + 2.0 * (n - x1 - x2)) * (1.0 - theta).ln()
}

#[test]
fn hardy_weinberg_is_inferred() {
    for (theta, n) in [(0.5, 1.0), (0.13, 20.0), (0.91, 350.0)] {
        let want = 2.0 * n / (theta * (1.0 - theta));
        matrix("hardy-weinberg", hardy_weinberg::fisher(theta, n), [[want]]);
    }
    let d = hardy_weinberg::DERIVATION;
    assert!(d.contains("(inferred"), "{d}");
    assert!(!d.contains("(declared)"), "{d}");
}
