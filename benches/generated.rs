//! The code `#[fisher_model]` generates against closed forms written by hand for speed: the
//! physical limit for the work. For eleven models (binomial, binomial in odds, Poisson, normal,
//! gamma, beta, multinomial with 3 and 5 categories, Dirichlet with 5, a logistic regression over
//! 64 inputs and a dense 4-parameter Poisson unmixing model) it times `fisher`,
//! `fisher_inverse`, `jeffreys_log_density` and `natural_gradient` (for the regression:
//! `fisher`, `fisher_averaged` and `jeffreys_log_density_averaged`), generated and hand-written.
//!
//! ```sh
//! cargo bench --bench generated          # a few minutes
//! python3 benches/ratios.py              # the table: generated / hand medians, per pair
//! ```
//!
//! Ids are `<model>/<function>/generated` and `<model>/<function>/hand`; medians land in
//! `$CARGO_TARGET_DIR/criterion/<model>/<function>/<variant>/new/estimates.json` (or
//! `target/criterion/…`).
//!
//! Before anything is timed, a self-check evaluates both versions of every pair at several
//! points, inside the domain and outside it, and panics unless they agree to 1e-12 relative to
//! the largest entry of the result (and outside the domain both are NaN): a wrong hand-written
//! formula cannot win.
//!
//! Instruction counts (stable on a shared machine, unlike wall time): with
//! `FIM_BENCH_COUNT=<id>` the binary runs that one function `FIM_BENCH_ITERS` times (default
//! 100000) inside `count_loop` and exits; `FIM_BENCH_LIST=1` prints the ids.
//! `python3 benches/counts.py <bench binary>` runs every id under
//! `valgrind --tool=callgrind --toggle-collect='*count_loop*'` and prints Ir per call.
//!
//! The hand-written versions are what an expert writes for speed: shared subexpressions once;
//! one division where several would do (a reciprocal, or `n / Π p` and leave-one-out products
//! where that measured faster than independent divisions, which pipeline); one `ln` of a
//! product or quotient where several `ln`s would do; the structure of F used (diagonal,
//! diagonal plus rank one by Sherman–Morrison, LDLᵀ without square roots for the dense 4×4);
//! and the same domain guards as the generated code (each described where it is written). A
//! product under one `ln` stays in the normal range for parameters and constants of magnitude
//! between 1e-30 and 1e30 (at most five factors, each at most 1e±60); the generated sums of
//! `ln`s stay finite further out.
//!
//! Inputs go through `std::hint::black_box` (as in fim-core's benches; criterion 0.5's own
//! `black_box` is a volatile read) and every point is inside the domain.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion};

/// The models, exactly as a user writes them.
mod models {
    // The log-likelihood functions themselves are only read by the attribute here.
    #![allow(dead_code)]
    // A model has as many arguments as it has.
    #![allow(clippy::too_many_arguments)]

    use fim::fisher_model;
    use fim::special::ln_gamma;

    #[fisher_model(params(theta), data(x), moments(E[x] = n * theta))]
    pub fn binomial(x: f64, theta: f64, n: f64) -> f64 {
        x * theta.ln() + (n - x) * (1.0 - theta).ln()
    }

    #[fisher_model(params(phi), data(x), moments(E[x] = n * phi / (1.0 + phi)))]
    pub fn odds(x: f64, phi: f64, n: f64) -> f64 {
        x * phi.ln() - n * (1.0 + phi).ln()
    }

    #[fisher_model(params(lambda), data(x), moments(E[x] = lambda))]
    pub fn poisson(x: f64, lambda: f64) -> f64 {
        x * lambda.ln() - lambda
    }

    #[fisher_model(
        params(mu, sigma),
        data(x),
        moments(E[x] = mu, E[x.powi(2)] = mu.powi(2) + sigma.powi(2))
    )]
    pub fn normal(x: f64, mu: f64, sigma: f64) -> f64 {
        -sigma.ln() - (x - mu).powi(2) / (2.0 * sigma.powi(2))
    }

    #[fisher_model(
        params(alpha, beta),
        data(x),
        moments(E[x] = alpha / beta, E[x.ln()] = digamma(alpha) - beta.ln())
    )]
    pub fn gamma(x: f64, alpha: f64, beta: f64) -> f64 {
        alpha * beta.ln() - ln_gamma(alpha) + (alpha - 1.0) * x.ln() - beta * x
    }

    #[fisher_model(
        params(a, b),
        data(x),
        moments(
            E[x.ln()] = digamma(a) - digamma(a + b),
            E[(1.0 - x).ln()] = digamma(b) - digamma(a + b)
        )
    )]
    pub fn beta(x: f64, a: f64, b: f64) -> f64 {
        ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b)
            + (a - 1.0) * x.ln()
            + (b - 1.0) * (1.0 - x).ln()
    }

    #[fisher_model(params(p1, p2), data(x1, x2), moments(E[x1] = n * p1, E[x2] = n * p2))]
    pub fn multinomial3(x1: f64, x2: f64, p1: f64, p2: f64, n: f64) -> f64 {
        x1 * p1.ln() + x2 * p2.ln() + (n - x1 - x2) * (1.0 - p1 - p2).ln()
    }

    #[fisher_model(
        params(p1, p2, p3, p4),
        data(x1, x2, x3, x4),
        moments(E[x1] = n * p1, E[x2] = n * p2, E[x3] = n * p3, E[x4] = n * p4)
    )]
    pub fn multinomial5(
        x1: f64,
        x2: f64,
        x3: f64,
        x4: f64,
        p1: f64,
        p2: f64,
        p3: f64,
        p4: f64,
        n: f64,
    ) -> f64 {
        x1 * p1.ln()
            + x2 * p2.ln()
            + x3 * p3.ln()
            + x4 * p4.ln()
            + (n - x1 - x2 - x3 - x4) * (1.0 - p1 - p2 - p3 - p4).ln()
    }

    #[fisher_model(params(a1, a2, a3, a4, a5), data(x1, x2, x3, x4, x5))]
    pub fn dirichlet5(
        x1: f64,
        x2: f64,
        x3: f64,
        x4: f64,
        x5: f64,
        a1: f64,
        a2: f64,
        a3: f64,
        a4: f64,
        a5: f64,
    ) -> f64 {
        ln_gamma(a1 + a2 + a3 + a4 + a5)
            - ln_gamma(a1)
            - ln_gamma(a2)
            - ln_gamma(a3)
            - ln_gamma(a4)
            - ln_gamma(a5)
            + (a1 - 1.0) * x1.ln()
            + (a2 - 1.0) * x2.ln()
            + (a3 - 1.0) * x3.ln()
            + (a4 - 1.0) * x4.ln()
            + (a5 - 1.0) * x5.ln()
    }

    /// Logistic regression: y ∈ {0, 1} with P(y = 1) = σ(a + b c) at the input c.
    #[fisher_model(params(a, b), data(y), inputs(c))]
    pub fn logistic(y: f64, a: f64, b: f64, c: f64) -> f64 {
        y * (a + b * c) - (1.0 + (a + b * c).exp()).ln()
    }

    /// Poisson unmixing: five detectors count photons from four sources of intensities
    /// s1..s4 through a known mixing matrix (the rows of `hand::unmixing::A`). F = Aᵀ diag(1/λ) A
    /// is dense with ten distinct entries.
    #[fisher_model(
        params(s1, s2, s3, s4),
        data(x1, x2, x3, x4, x5),
        moments(
            E[x1] = s1 + 0.5 * s2 + 0.2 * s3 + 0.1 * s4,
            E[x2] = 0.3 * s1 + s2 + 0.4 * s3 + 0.2 * s4,
            E[x3] = 0.1 * s1 + 0.6 * s2 + s3 + 0.3 * s4,
            E[x4] = 0.2 * s1 + 0.1 * s2 + 0.5 * s3 + s4,
            E[x5] = 0.4 * s1 + 0.3 * s2 + 0.2 * s3 + 0.7 * s4
        )
    )]
    pub fn unmixing(
        x1: f64,
        x2: f64,
        x3: f64,
        x4: f64,
        x5: f64,
        s1: f64,
        s2: f64,
        s3: f64,
        s4: f64,
    ) -> f64 {
        let l1 = s1 + 0.5 * s2 + 0.2 * s3 + 0.1 * s4;
        let l2 = 0.3 * s1 + s2 + 0.4 * s3 + 0.2 * s4;
        let l3 = 0.1 * s1 + 0.6 * s2 + s3 + 0.3 * s4;
        let l4 = 0.2 * s1 + 0.1 * s2 + 0.5 * s3 + s4;
        let l5 = 0.4 * s1 + 0.3 * s2 + 0.2 * s3 + 0.7 * s4;
        x1 * l1.ln() - l1 + x2 * l2.ln() - l2 + x3 * l3.ln() - l3 + x4 * l4.ln() - l4 + x5 * l5.ln()
            - l5
    }
}

/// The closed forms written by hand. Each function returns what the generated one returns,
/// NaN outside the domain included; each guard says what it checks and why it is the
/// generated code's guard.
mod hand {
    // `!(x > 0.0)` is meant: it is true for NaN, as in the generated guards.
    #![allow(clippy::neg_cmp_op_on_partial_ord)]

    const NAN: f64 = f64::NAN;

    pub mod binomial {
        use super::NAN;

        // Guard (as generated): θ > 0 and 1 − θ > 0, i.e. θ ∈ (0, 1); NaN fails both.

        #[inline]
        pub fn fisher(theta: f64, n: f64) -> [[f64; 1]; 1] {
            let q = 1.0 - theta;
            if !(theta > 0.0 && q > 0.0) {
                return [[NAN]];
            }
            [[n / (theta * q)]]
        }

        #[inline]
        pub fn fisher_inverse(theta: f64, n: f64) -> [[f64; 1]; 1] {
            let q = 1.0 - theta;
            if !(theta > 0.0 && q > 0.0) {
                return [[NAN]];
            }
            [[theta * q / n]]
        }

        /// ½ ln(n / (θ (1 − θ))): one `ln` where the generated code takes three.
        #[inline]
        pub fn jeffreys_log_density(theta: f64, n: f64) -> f64 {
            let q = 1.0 - theta;
            if !(theta > 0.0 && q > 0.0) {
                return NAN;
            }
            0.5 * (n / (theta * q)).ln()
        }

        #[inline]
        pub fn natural_gradient(theta: f64, n: f64, g: [f64; 1]) -> [f64; 1] {
            let q = 1.0 - theta;
            if !(theta > 0.0 && q > 0.0) {
                return [NAN];
            }
            [theta * q * g[0] / n]
        }
    }

    pub mod odds {
        use super::NAN;

        // Guard: φ > 0 (NaN fails it). The generated code also checks 1 + φ > 0, which
        // follows from φ > 0.

        #[inline]
        pub fn fisher(phi: f64, n: f64) -> [[f64; 1]; 1] {
            if !(phi > 0.0) {
                return [[NAN]];
            }
            let q = 1.0 + phi;
            [[n / (phi * q * q)]]
        }

        #[inline]
        pub fn fisher_inverse(phi: f64, n: f64) -> [[f64; 1]; 1] {
            if !(phi > 0.0) {
                return [[NAN]];
            }
            let q = 1.0 + phi;
            [[phi * q * q / n]]
        }

        /// ½ ln(n / (φ (1 + φ)²)): one `ln` where the generated code takes three.
        #[inline]
        pub fn jeffreys_log_density(phi: f64, n: f64) -> f64 {
            if !(phi > 0.0) {
                return NAN;
            }
            let q = 1.0 + phi;
            0.5 * (n / (phi * q * q)).ln()
        }

        #[inline]
        pub fn natural_gradient(phi: f64, n: f64, g: [f64; 1]) -> [f64; 1] {
            if !(phi > 0.0) {
                return [NAN];
            }
            let q = 1.0 + phi;
            [phi * q * q * g[0] / n]
        }
    }

    pub mod poisson {
        use super::NAN;

        // Guard (as generated): λ > 0 (NaN fails it).

        #[inline]
        pub fn fisher(lambda: f64) -> [[f64; 1]; 1] {
            if !(lambda > 0.0) {
                return [[NAN]];
            }
            [[1.0 / lambda]]
        }

        #[inline]
        pub fn fisher_inverse(lambda: f64) -> [[f64; 1]; 1] {
            if !(lambda > 0.0) {
                return [[NAN]];
            }
            [[lambda]]
        }

        #[inline]
        pub fn jeffreys_log_density(lambda: f64) -> f64 {
            if !(lambda > 0.0) {
                return NAN;
            }
            -0.5 * lambda.ln()
        }

        #[inline]
        pub fn natural_gradient(lambda: f64, g: [f64; 1]) -> [f64; 1] {
            if !(lambda > 0.0) {
                return [NAN];
            }
            [lambda * g[0]]
        }
    }

    pub mod normal {
        use super::NAN;

        // Guard (as generated): σ > 0 (NaN fails it); μ is not checked, F does not depend on it.

        /// One division: 2/σ² is 2 · (1/σ²) exactly.
        #[inline]
        pub fn fisher(_mu: f64, sigma: f64) -> [[f64; 2]; 2] {
            if !(sigma > 0.0) {
                return [[NAN; 2]; 2];
            }
            let r = 1.0 / (sigma * sigma);
            [[r, 0.0], [0.0, 2.0 * r]]
        }

        #[inline]
        pub fn fisher_inverse(_mu: f64, sigma: f64) -> [[f64; 2]; 2] {
            if !(sigma > 0.0) {
                return [[NAN; 2]; 2];
            }
            let s2 = sigma * sigma;
            [[s2, 0.0], [0.0, 0.5 * s2]]
        }

        #[inline]
        pub fn jeffreys_log_density(_mu: f64, sigma: f64) -> f64 {
            if !(sigma > 0.0) {
                return NAN;
            }
            0.5 * core::f64::consts::LN_2 - 2.0 * sigma.ln()
        }

        /// Diagonal: no products with the zero off-diagonal entries.
        #[inline]
        pub fn natural_gradient(_mu: f64, sigma: f64, g: [f64; 2]) -> [f64; 2] {
            if !(sigma > 0.0) {
                return [NAN; 2];
            }
            let s2 = sigma * sigma;
            [s2 * g[0], 0.5 * s2 * g[1]]
        }
    }

    pub mod gamma {
        use super::NAN;
        use fim::special::trigamma;

        // Guard (as generated): α > 0 and β > 0 (NaN fails them). Checked before ψ₁ is
        // evaluated (the generated inverse evaluates ψ₁(α) first).

        /// One division: 1/β, then α/β² = α (1/β)².
        #[inline]
        pub fn fisher(alpha: f64, beta: f64) -> [[f64; 2]; 2] {
            if !(alpha > 0.0 && beta > 0.0) {
                return [[NAN; 2]; 2];
            }
            let r = 1.0 / beta;
            [[trigamma(alpha), -r], [-r, alpha * r * r]]
        }

        /// F⁻¹ = [[α, β], [β, β² ψ₁(α)]] / (α ψ₁(α) − 1): one division.
        #[inline]
        pub fn fisher_inverse(alpha: f64, beta: f64) -> [[f64; 2]; 2] {
            if !(alpha > 0.0 && beta > 0.0) {
                return [[NAN; 2]; 2];
            }
            let t = trigamma(alpha);
            let q = 1.0 / (alpha * t - 1.0);
            let bq = beta * q;
            [[alpha * q, bq], [bq, beta * bq * t]]
        }

        /// ½ ln((α ψ₁(α) − 1) / β²): one `ln` where the generated code takes two.
        #[inline]
        pub fn jeffreys_log_density(alpha: f64, beta: f64) -> f64 {
            if !(alpha > 0.0 && beta > 0.0) {
                return NAN;
            }
            0.5 * ((alpha * trigamma(alpha) - 1.0) / (beta * beta)).ln()
        }

        #[inline]
        pub fn natural_gradient(alpha: f64, beta: f64, g: [f64; 2]) -> [f64; 2] {
            if !(alpha > 0.0 && beta > 0.0) {
                return [NAN; 2];
            }
            let t = trigamma(alpha);
            let q = 1.0 / (alpha * t - 1.0);
            [
                (alpha * g[0] + beta * g[1]) * q,
                beta * (g[0] + beta * t * g[1]) * q,
            ]
        }
    }

    pub mod beta {
        use super::NAN;
        use fim::special::trigamma;

        // Guard: a > 0 and b > 0 (NaN fails them). The generated code also checks a + b > 0,
        // which follows (a sum of two positive floats is positive).

        #[inline]
        pub fn fisher(a: f64, b: f64) -> [[f64; 2]; 2] {
            if !(a > 0.0 && b > 0.0) {
                return [[NAN; 2]; 2];
            }
            let tab = trigamma(a + b);
            [[trigamma(a) - tab, -tab], [-tab, trigamma(b) - tab]]
        }

        /// det F = ψ₁(a) ψ₁(b) − ψ₁(a+b) (ψ₁(a) + ψ₁(b)) (two products), one division.
        #[inline]
        pub fn fisher_inverse(a: f64, b: f64) -> [[f64; 2]; 2] {
            if !(a > 0.0 && b > 0.0) {
                return [[NAN; 2]; 2];
            }
            let (ta, tb, tab) = (trigamma(a), trigamma(b), trigamma(a + b));
            let q = 1.0 / (ta * tb - tab * (ta + tb));
            let off = tab * q;
            [[(tb - tab) * q, off], [off, (ta - tab) * q]]
        }

        #[inline]
        pub fn jeffreys_log_density(a: f64, b: f64) -> f64 {
            if !(a > 0.0 && b > 0.0) {
                return NAN;
            }
            let (ta, tb, tab) = (trigamma(a), trigamma(b), trigamma(a + b));
            0.5 * (ta * tb - tab * (ta + tb)).ln()
        }

        #[inline]
        pub fn natural_gradient(a: f64, b: f64, g: [f64; 2]) -> [f64; 2] {
            if !(a > 0.0 && b > 0.0) {
                return [NAN; 2];
            }
            let (ta, tb, tab) = (trigamma(a), trigamma(b), trigamma(a + b));
            let q = 1.0 / (ta * tb - tab * (ta + tb));
            [
                ((tb - tab) * g[0] + tab * g[1]) * q,
                (tab * g[0] + (ta - tab) * g[1]) * q,
            ]
        }
    }

    pub mod multinomial3 {
        use super::NAN;

        // Guard (as generated): p1 > 0, p2 > 0 and p3 = 1 − p1 − p2 > 0 (NaN fails them).
        // n is not checked (the generated closed forms do not check it either).

        /// F = n diag(1/p1, 1/p2) + (n/p3) 11ᵀ with one division: n / (p1 p2 p3), then n/pᵢ as
        /// that times the other two (2.3 ns against 2.7 ns for three divisions, measured here).
        #[inline]
        pub fn fisher(p1: f64, p2: f64, n: f64) -> [[f64; 2]; 2] {
            let p3 = 1.0 - p1 - p2;
            if !(p1 > 0.0 && p2 > 0.0 && p3 > 0.0) {
                return [[NAN; 2]; 2];
            }
            let p12 = p1 * p2;
            let inv = n / (p12 * p3);
            let c = inv * p12;
            [[inv * (p2 * p3) + c, c], [c, inv * (p1 * p3) + c]]
        }

        /// F⁻¹ = (diag(p) − p pᵀ) / n: one division.
        #[inline]
        pub fn fisher_inverse(p1: f64, p2: f64, n: f64) -> [[f64; 2]; 2] {
            let p3 = 1.0 - p1 - p2;
            if !(p1 > 0.0 && p2 > 0.0 && p3 > 0.0) {
                return [[NAN; 2]; 2];
            }
            let q = 1.0 / n;
            let (a1, a2) = (p1 * q, p2 * q);
            let off = -a1 * p2;
            [[a1 * (1.0 - p1), off], [off, a2 * (1.0 - p2)]]
        }

        /// ½ ln(n² / (p1 p2 p3)): one `ln` where the generated code takes four.
        #[inline]
        pub fn jeffreys_log_density(p1: f64, p2: f64, n: f64) -> f64 {
            let p3 = 1.0 - p1 - p2;
            if !(p1 > 0.0 && p2 > 0.0 && p3 > 0.0) {
                return NAN;
            }
            0.5 * (n * n / (p1 * p2 * p3)).ln()
        }

        /// F⁻¹ g = (p ⊙ g − p (pᵀ g)) / n.
        #[inline]
        pub fn natural_gradient(p1: f64, p2: f64, n: f64, g: [f64; 2]) -> [f64; 2] {
            let p3 = 1.0 - p1 - p2;
            if !(p1 > 0.0 && p2 > 0.0 && p3 > 0.0) {
                return [NAN; 2];
            }
            let q = 1.0 / n;
            let s = p1 * g[0] + p2 * g[1];
            [p1 * (g[0] - s) * q, p2 * (g[1] - s) * q]
        }
    }

    pub mod multinomial5 {
        use super::NAN;

        // Guard (as generated): p1..p4 > 0 and p5 = 1 − p1 − p2 − p3 − p4 > 0 (NaN fails
        // them). `fisher_inverse` and `natural_gradient` also check 0 < n < ∞: the generated
        // versions factor F by Cholesky, whose pivots (n times positive numbers on the simplex)
        // are NaN, ≤ 0 or infinite exactly when n is.

        macro_rules! guard {
            ($p1:ident, $p2:ident, $p3:ident, $p4:ident, $p5:ident, $nan:expr) => {
                if !($p1 > 0.0 && $p2 > 0.0 && $p3 > 0.0 && $p4 > 0.0 && $p5 > 0.0) {
                    return $nan;
                }
            };
        }

        /// F = n diag(1/p1..1/p4) + (n/p5) 11ᵀ: five independent divisions, which pipeline.
        /// (The one-division form, n / (p1 ⋯ p5) times leave-one-out products as for three
        /// categories, measured slower here at five: 7.3 against 5.9 ns.) The generated code
        /// also takes five divisions, but recomputes a four-term sum 1 − Σ_{j≠i} pⱼ for each
        /// diagonal entry and divides n times it by pᵢ p5.
        #[inline]
        pub fn fisher(p1: f64, p2: f64, p3: f64, p4: f64, n: f64) -> [[f64; 4]; 4] {
            let p5 = 1.0 - p1 - p2 - p3 - p4;
            guard!(p1, p2, p3, p4, p5, [[NAN; 4]; 4]);
            let c = n / p5;
            let (d1, d2, d3, d4) = (n / p1 + c, n / p2 + c, n / p3 + c, n / p4 + c);
            [[d1, c, c, c], [c, d2, c, c], [c, c, d3, c], [c, c, c, d4]]
        }

        /// F⁻¹ = (diag(p) − p pᵀ) / n (Sherman–Morrison, with p5 + Σ pᵢ = 1): one division.
        #[inline]
        pub fn fisher_inverse(p1: f64, p2: f64, p3: f64, p4: f64, n: f64) -> [[f64; 4]; 4] {
            let p5 = 1.0 - p1 - p2 - p3 - p4;
            guard!(p1, p2, p3, p4, p5, [[NAN; 4]; 4]);
            if !(n > 0.0 && n < f64::INFINITY) {
                return [[NAN; 4]; 4];
            }
            let q = 1.0 / n;
            let a = [p1 * q, p2 * q, p3 * q, p4 * q];
            let p = [p1, p2, p3, p4];
            let mut m = [[0.0; 4]; 4];
            for i in 0..4 {
                m[i][i] = a[i] * (1.0 - p[i]);
                for j in 0..i {
                    let x = -a[i] * p[j];
                    m[i][j] = x;
                    m[j][i] = x;
                }
            }
            m
        }

        /// ½ ln(n⁴ / (p1 ⋯ p5)): one `ln` where the generated code takes six.
        #[inline]
        pub fn jeffreys_log_density(p1: f64, p2: f64, p3: f64, p4: f64, n: f64) -> f64 {
            let p5 = 1.0 - p1 - p2 - p3 - p4;
            guard!(p1, p2, p3, p4, p5, NAN);
            let n2 = n * n;
            0.5 * (n2 * n2 / (p1 * p2 * p3 * p4 * p5)).ln()
        }

        /// F⁻¹ g = (p ⊙ g − p (pᵀ g)) / n: O(K), one division.
        #[inline]
        pub fn natural_gradient(
            p1: f64,
            p2: f64,
            p3: f64,
            p4: f64,
            n: f64,
            g: [f64; 4],
        ) -> [f64; 4] {
            let p5 = 1.0 - p1 - p2 - p3 - p4;
            guard!(p1, p2, p3, p4, p5, [NAN; 4]);
            if !(n > 0.0 && n < f64::INFINITY) {
                return [NAN; 4];
            }
            let q = 1.0 / n;
            let s = p1 * g[0] + p2 * g[1] + p3 * g[2] + p4 * g[3];
            [
                p1 * (g[0] - s) * q,
                p2 * (g[1] - s) * q,
                p3 * (g[2] - s) * q,
                p4 * (g[3] - s) * q,
            ]
        }
    }

    pub mod dirichlet5 {
        use super::NAN;
        use fim::special::trigamma;

        // F = diag(d) − t 11ᵀ with dᵢ = ψ₁(aᵢ), t = ψ₁(a1 + … + a5).
        //
        // Guard: a1..a5 > 0 (NaN fails them); the generated code also checks a1 + … + a5 > 0,
        // which follows. `fisher_inverse` and `natural_gradient` also check that F is positive
        // definite, r = 1 − t Σ 1/dᵢ > 0: that is what the generated Cholesky's pivot checks
        // test (its last pivot is r times a positive number). (Where some ψ₁(aᵢ) overflows,
        // aᵢ < 1e-154, the generated Cholesky returns NaN from an infinite pivot; these return
        // the finite limit.)

        macro_rules! guard {
            ($a:expr, $nan:expr) => {
                if !($a[0] > 0.0 && $a[1] > 0.0 && $a[2] > 0.0 && $a[3] > 0.0 && $a[4] > 0.0) {
                    return $nan;
                }
            };
        }

        #[inline]
        pub fn fisher(a1: f64, a2: f64, a3: f64, a4: f64, a5: f64) -> [[f64; 5]; 5] {
            let a = [a1, a2, a3, a4, a5];
            guard!(a, [[NAN; 5]; 5]);
            let off = -trigamma(a1 + a2 + a3 + a4 + a5);
            let mut m = [[off; 5]; 5];
            for i in 0..5 {
                m[i][i] = trigamma(a[i]) + off;
            }
            m
        }

        /// Sherman–Morrison: F⁻¹ = D⁻¹ + (t / r) uuᵀ with u = D⁻¹ 1: six divisions (the five
        /// reciprocals 1/dᵢ are entries of the result) and no factorization.
        #[inline]
        pub fn fisher_inverse(a1: f64, a2: f64, a3: f64, a4: f64, a5: f64) -> [[f64; 5]; 5] {
            let a = [a1, a2, a3, a4, a5];
            guard!(a, [[NAN; 5]; 5]);
            let t = trigamma(a1 + a2 + a3 + a4 + a5);
            let u = a.map(|x| 1.0 / trigamma(x));
            let r = 1.0 - t * (u[0] + u[1] + u[2] + u[3] + u[4]);
            if !(r > 0.0) {
                return [[NAN; 5]; 5];
            }
            let c = t / r;
            let mut m = [[0.0; 5]; 5];
            for i in 0..5 {
                let w = c * u[i];
                m[i][i] = u[i] + w * u[i];
                for j in 0..i {
                    let x = w * u[j];
                    m[i][j] = x;
                    m[j][i] = x;
                }
            }
            m
        }

        /// ½ ln det F with det F = Π dᵢ (1 − t Σ 1/dᵢ) = Π dᵢ − t Σⱼ Π_{i≠j} dᵢ: one `ln` (the
        /// generated code takes six) and no division (the leave-one-out products from prefix and
        /// suffix products).
        #[inline]
        pub fn jeffreys_log_density(a1: f64, a2: f64, a3: f64, a4: f64, a5: f64) -> f64 {
            let a = [a1, a2, a3, a4, a5];
            guard!(a, NAN);
            let t = trigamma(a1 + a2 + a3 + a4 + a5);
            let [d1, d2, d3, d4, d5] = a.map(trigamma);
            let d12 = d1 * d2;
            let d123 = d12 * d3;
            let d1234 = d123 * d4;
            let d45 = d4 * d5;
            let d345 = d3 * d45;
            let loo = d2 * d345 + d1 * d345 + d12 * d45 + d123 * d5 + d1234;
            0.5 * (d1234 * d5 - t * loo).ln()
        }

        /// F⁻¹ g = u ⊙ g + (t / r) u (uᵀ g): O(K).
        #[inline]
        pub fn natural_gradient(
            a1: f64,
            a2: f64,
            a3: f64,
            a4: f64,
            a5: f64,
            g: [f64; 5],
        ) -> [f64; 5] {
            let a = [a1, a2, a3, a4, a5];
            guard!(a, [NAN; 5]);
            let t = trigamma(a1 + a2 + a3 + a4 + a5);
            let u = a.map(|x| 1.0 / trigamma(x));
            let r = 1.0 - t * (u[0] + u[1] + u[2] + u[3] + u[4]);
            if !(r > 0.0) {
                return [NAN; 5];
            }
            let ug = u[0] * g[0] + u[1] * g[1] + u[2] * g[2] + u[3] * g[3] + u[4] * g[4];
            let s = t / r * ug;
            [0, 1, 2, 3, 4].map(|i| u[i] * g[i] + u[i] * s)
        }
    }

    pub mod logistic {
        use super::NAN;

        // Guard (as generated): 1 + e^η > 0 with η = a + b c, false only when η is NaN.
        //
        // The weight is p (1 − p) = e / (1 + e)², written with e = exp(−|η|) (the weight is
        // even in η): the same cost as exp(η), and exact where exp(η) overflows (η > 709),
        // where the generated e^η / (1 + e^η)² is ∞/∞ = NaN.

        #[inline]
        fn weight(eta: f64) -> f64 {
            let e = (-eta.abs()).exp();
            let t = 1.0 + e;
            e / (t * t)
        }

        /// One division where the generated code takes three.
        #[inline]
        pub fn fisher(a: f64, b: f64, c: f64) -> [[f64; 2]; 2] {
            let eta = a + b * c;
            if eta.is_nan() {
                return [[NAN; 2]; 2];
            }
            let w = weight(eta);
            let wc = w * c;
            [[w, wc], [wc, wc * c]]
        }

        /// The three distinct sums Σ w, Σ w c, Σ w c² (the generated code accumulates all four
        /// entries of each input's F, three divisions per input), one division at the end.
        /// No inputs: 0 · (1/0) = NaN, as generated.
        #[inline]
        fn sums(a: f64, b: f64, inputs: &[f64]) -> Option<[f64; 3]> {
            let (mut s0, mut s1, mut s2) = (0.0, 0.0, 0.0);
            for &c in inputs {
                let eta = a + b * c;
                if eta.is_nan() {
                    return None;
                }
                let w = weight(eta);
                let wc = w * c;
                s0 += w;
                s1 += wc;
                s2 += wc * c;
            }
            Some([s0, s1, s2])
        }

        #[inline]
        pub fn fisher_averaged(a: f64, b: f64, inputs: &[f64]) -> [[f64; 2]; 2] {
            let Some([s0, s1, s2]) = sums(a, b, inputs) else {
                return [[NAN; 2]; 2];
            };
            let q = 1.0 / inputs.len() as f64;
            let off = s1 * q;
            [[s0 * q, off], [off, s2 * q]]
        }

        /// ½ ln det F̄ = ½ ln((s0 s2 − s1²) / m²) for m inputs: one `ln`, no square roots (the
        /// generated code runs the generic Cholesky: two square roots, two `ln`s). Where F̄ is
        /// not positive definite this falls back to the same run-time helper as the generated
        /// code (−∞ for a singular F̄, NaN otherwise).
        #[inline]
        pub fn jeffreys_log_density_averaged(a: f64, b: f64, inputs: &[f64]) -> f64 {
            let Some([s0, s1, s2]) = sums(a, b, inputs) else {
                return NAN;
            };
            let q = 1.0 / inputs.len() as f64;
            let det = (s0 * s2 - s1 * s1) * q * q;
            if s0 > 0.0 && det > 0.0 && det < f64::INFINITY {
                0.5 * det.ln()
            } else {
                let off = s1 * q;
                fim::__private::half_log_det(&[[s0 * q, off], [off, s2 * q]])
            }
        }
    }

    pub mod unmixing {
        use super::NAN;

        /// The mixing matrix: detector i sees λᵢ = Σₚ A[i][p] sₚ.
        pub const A: [[f64; 4]; 5] = [
            [1.0, 0.5, 0.2, 0.1],
            [0.3, 1.0, 0.4, 0.2],
            [0.1, 0.6, 1.0, 0.3],
            [0.2, 0.1, 0.5, 1.0],
            [0.4, 0.3, 0.2, 0.7],
        ];

        /// By Cauchy–Binet det F = Σⱼ det(A without row j)² λⱼ / Π λᵢ = (B · s) / Π λᵢ with
        /// Bₚ = Σⱼ det(A without row j)² A[j][p], exact decimals (computed in exact rationals).
        const B: [f64; 4] = [0.18408249, 0.171335552, 0.193525796, 0.40072096];

        // Guard (as generated): λ1..λ5 > 0 (NaN fails them). `fisher_inverse` and
        // `natural_gradient` also check each LDLᵀ pivot dₖ ∈ (0, ∞): the generated Cholesky
        // checks its pivots lₖₖ² (the same numbers) for NaN, ≤ 0 and ∞.

        #[inline]
        fn rates(s: [f64; 4]) -> Option<[f64; 5]> {
            let l = A.map(|r| r[0] * s[0] + r[1] * s[1] + r[2] * s[2] + r[3] * s[3]);
            if l[0] > 0.0 && l[1] > 0.0 && l[2] > 0.0 && l[3] > 0.0 && l[4] > 0.0 {
                Some(l)
            } else {
                None
            }
        }

        /// Fₚq = Σᵢ A[i][p] A[i][q] / λᵢ (the constant products fold): five divisions and 50
        /// multiply-adds, where the generated code evaluates ten quartic polynomials over
        /// the product of the five rates. (One division, 1 / Π λᵢ times leave-one-out
        /// products, measured slower: 32 against 23 ns.)
        #[inline]
        fn f_of_rates(l: [f64; 5]) -> [[f64; 4]; 4] {
            let w = l.map(|x| 1.0 / x);
            let mut f = [[0.0; 4]; 4];
            for p in 0..4 {
                for q in 0..=p {
                    let mut acc = 0.0;
                    for i in 0..5 {
                        acc += A[i][p] * A[i][q] * w[i];
                    }
                    f[p][q] = acc;
                    f[q][p] = acc;
                }
            }
            f
        }

        #[inline]
        pub fn fisher(s1: f64, s2: f64, s3: f64, s4: f64) -> [[f64; 4]; 4] {
            match rates([s1, s2, s3, s4]) {
                Some(l) => f_of_rates(l),
                None => [[NAN; 4]; 4],
            }
        }

        /// F = L D Lᵀ with L unit lower triangular: four divisions, no square roots; `None`
        /// unless every pivot is in (0, ∞). Returns (L below the diagonal, 1/dₖ).
        #[inline]
        fn ldl(f: [[f64; 4]; 4]) -> Option<([[f64; 4]; 4], [f64; 4])> {
            let ok = |d: f64| d > 0.0 && d < f64::INFINITY;
            let mut l = [[0.0; 4]; 4];
            let mut r = [0.0; 4];
            // e[i][k] = l[i][k] d[k], kept to save a multiplication per term.
            let mut e = [[0.0; 4]; 4];
            for j in 0..4 {
                let mut d = f[j][j];
                for k in 0..j {
                    d -= l[j][k] * e[j][k];
                }
                if !ok(d) {
                    return None;
                }
                r[j] = 1.0 / d;
                for i in j + 1..4 {
                    let mut x = f[i][j];
                    for k in 0..j {
                        x -= e[i][k] * l[j][k];
                    }
                    e[i][j] = x;
                    l[i][j] = x * r[j];
                }
            }
            Some((l, r))
        }

        /// F⁻¹ = L⁻ᵀ D⁻¹ L⁻¹: L⁻¹ by substitution (no divisions), then the ten distinct entries.
        #[inline]
        pub fn fisher_inverse(s1: f64, s2: f64, s3: f64, s4: f64) -> [[f64; 4]; 4] {
            let Some(l) = rates([s1, s2, s3, s4]) else {
                return [[NAN; 4]; 4];
            };
            let Some((l, r)) = ldl(f_of_rates(l)) else {
                return [[NAN; 4]; 4];
            };
            // M = L⁻¹ (unit lower triangular).
            let m21 = -l[1][0];
            let m32 = -l[2][1];
            let m43 = -l[3][2];
            let m31 = -(l[2][0] + l[2][1] * m21);
            let m42 = -(l[3][1] + l[3][2] * m32);
            let m41 = -(l[3][0] + l[3][1] * m21 + l[3][2] * m31);
            // F⁻¹ᵢⱼ = Σₖ Mₖᵢ Mₖⱼ / dₖ.
            let (v2, v3, v4) = (r[1] * m21, r[2] * m31, r[3] * m41);
            let (w3, w4) = (r[2] * m32, r[3] * m42);
            let x4 = r[3] * m43;
            let x11 = r[0] + v2 * m21 + v3 * m31 + v4 * m41;
            let x21 = v2 + w3 * m31 + w4 * m41;
            let x31 = v3 + x4 * m41;
            let x41 = v4;
            let x22 = r[1] + w3 * m32 + w4 * m42;
            let x32 = w3 + x4 * m42;
            let x42 = w4;
            let x33 = r[2] + x4 * m43;
            let x43 = x4;
            let x44 = r[3];
            [
                [x11, x21, x31, x41],
                [x21, x22, x32, x42],
                [x31, x32, x33, x43],
                [x41, x42, x43, x44],
            ]
        }

        /// ½ ln((B · s) / Π λᵢ): one `ln` where the generated code takes six.
        #[inline]
        pub fn jeffreys_log_density(s1: f64, s2: f64, s3: f64, s4: f64) -> f64 {
            let Some(l) = rates([s1, s2, s3, s4]) else {
                return NAN;
            };
            let num = B[0] * s1 + B[1] * s2 + B[2] * s3 + B[3] * s4;
            0.5 * (num / (l[0] * l[1] * l[2] * l[3] * l[4])).ln()
        }

        /// Solve F x = g with L D Lᵀ: forward, scale, backward; no inverse is formed.
        #[inline]
        pub fn natural_gradient(s1: f64, s2: f64, s3: f64, s4: f64, g: [f64; 4]) -> [f64; 4] {
            let Some(l) = rates([s1, s2, s3, s4]) else {
                return [NAN; 4];
            };
            let Some((l, r)) = ldl(f_of_rates(l)) else {
                return [NAN; 4];
            };
            let y0 = g[0];
            let y1 = g[1] - l[1][0] * y0;
            let y2 = g[2] - l[2][0] * y0 - l[2][1] * y1;
            let y3 = g[3] - l[3][0] * y0 - l[3][1] * y1 - l[3][2] * y2;
            let x3 = y3 * r[3];
            let x2 = y2 * r[2] - l[3][2] * x3;
            let x1 = y1 * r[1] - l[2][1] * x2 - l[3][1] * x3;
            let x0 = y0 * r[0] - l[1][0] * x1 - l[2][0] * x2 - l[3][0] * x3;
            [x0, x1, x2, x3]
        }
    }
}

/// A result as a flat list of numbers, for the self-check.
trait Values {
    fn values(&self) -> Vec<f64>;
}

impl Values for f64 {
    fn values(&self) -> Vec<f64> {
        vec![*self]
    }
}

impl<const K: usize> Values for [f64; K] {
    fn values(&self) -> Vec<f64> {
        self.to_vec()
    }
}

impl<const K: usize> Values for [[f64; K]; K] {
    fn values(&self) -> Vec<f64> {
        self.iter().flatten().copied().collect()
    }
}

/// Panics unless `hand` equals `generated` entry by entry to 1e-12 of the largest finite
/// magnitude in either (non-finite entries must be identical: both NaN, or the same infinity).
fn agree(id: &str, at: &str, generated: impl Values, hand: impl Values) {
    let (g, h) = (generated.values(), hand.values());
    let scale = g
        .iter()
        .chain(&h)
        .filter(|x| x.is_finite())
        .fold(0.0_f64, |m, x| m.max(x.abs()));
    for (i, (&x, &y)) in g.iter().zip(&h).enumerate() {
        let ok = if x.is_finite() && y.is_finite() {
            (x - y).abs() <= 1e-12 * scale
        } else {
            (x.is_nan() && y.is_nan()) || x == y
        };
        assert!(
            ok,
            "self-check: the hand-written {id} disagrees with the generated one at {at}: \
             entry {i} is {x:e} generated, {y:e} by hand (tolerance 1e-12 × {scale:e})\n\
             generated: {g:?}\nhand:      {h:?}"
        );
    }
}

/// Every pair at points inside the domain (the first is the benchmark's point) and outside it.
fn self_check() {
    macro_rules! check {
        ($model:ident, $func:ident, ($($arg:expr),*)) => {
            agree(
                concat!(stringify!($model), "/", stringify!($func)),
                &format!("{:?}", ($($arg,)*)),
                models::$model::$func($($arg),*),
                hand::$model::$func($($arg),*),
            )
        };
    }
    // The four functions of a model without inputs, at parameters `p` and gradient `g`.
    macro_rules! check4 {
        ($model:ident, ($($p:expr),*), $g:expr) => {{
            check!($model, fisher, ($($p),*));
            check!($model, fisher_inverse, ($($p),*));
            check!($model, jeffreys_log_density, ($($p),*));
            check!($model, natural_gradient, ($($p,)* $g));
        }};
    }
    let nan = f64::NAN;
    let inf = f64::INFINITY;

    for (theta, n) in [(0.3, 10.0), (0.01, 1.0), (0.97, 250.0), (0.5, 3.0)] {
        check4!(binomial, (theta, n), [0.7]);
    }
    for (theta, n) in [
        (0.0, 10.0),
        (1.0, 10.0),
        (-0.2, 5.0),
        (1.5, 5.0),
        (nan, 5.0),
    ] {
        check4!(binomial, (theta, n), [0.7]);
    }

    for (phi, n) in [(0.6, 10.0), (0.02, 1.0), (40.0, 300.0), (3.0, 7.0)] {
        check4!(odds, (phi, n), [-1.3]);
    }
    for (phi, n) in [(0.0, 10.0), (-0.5, 10.0), (-2.0, 10.0), (nan, 1.0)] {
        check4!(odds, (phi, n), [-1.3]);
    }

    for lambda in [3.5, 0.02, 1e4, 0.7] {
        check4!(poisson, (lambda), [2.1]);
    }
    for lambda in [0.0, -1.0, nan] {
        check4!(poisson, (lambda), [2.1]);
    }

    for (mu, sigma) in [(1.5, 0.8), (-20.0, 0.01), (0.0, 300.0), (3.0, 1.7)] {
        check4!(normal, (mu, sigma), [0.4, -1.1]);
    }
    for (mu, sigma) in [(1.0, 0.0), (1.0, -2.0), (1.0, nan)] {
        check4!(normal, (mu, sigma), [0.4, -1.1]);
    }

    for (alpha, beta) in [(2.5, 1.5), (0.3, 20.0), (50.0, 0.1), (9.0, 2.0)] {
        check4!(gamma, (alpha, beta), [0.4, -1.1]);
    }
    for (alpha, beta) in [(0.0, 1.0), (1.0, 0.0), (-0.5, 1.0), (1.0, -3.0), (nan, 1.0)] {
        check4!(gamma, (alpha, beta), [0.4, -1.1]);
    }

    for (a, b) in [(2.0, 5.0), (0.5, 0.5), (30.0, 1.5), (0.2, 9.0)] {
        check4!(beta, (a, b), [1.2, 0.3]);
    }
    for (a, b) in [(0.0, 1.0), (1.0, 0.0), (-0.5, 2.0), (2.0, -0.5), (nan, 1.0)] {
        check4!(beta, (a, b), [1.2, 0.3]);
    }

    for (p1, p2, n) in [(0.2, 0.3, 10.0), (0.6, 0.1, 1.0), (0.01, 0.98, 500.0)] {
        check4!(multinomial3, (p1, p2, n), [0.5, -0.25]);
    }
    for (p1, p2, n) in [
        (0.0, 0.3, 10.0),
        (0.5, 0.5, 10.0),
        (0.7, 0.6, 10.0),
        (nan, 0.1, 1.0),
    ] {
        check4!(multinomial3, (p1, p2, n), [0.5, -0.25]);
    }

    let g5 = [0.5, -0.25, 1.5, 0.75];
    for (p, n) in [
        ([0.1, 0.2, 0.15, 0.3], 20.0),
        ([0.01, 0.02, 0.9, 0.03], 1.0),
        ([0.2, 0.2, 0.2, 0.2], 1000.0),
    ] {
        check4!(multinomial5, (p[0], p[1], p[2], p[3], n), g5);
    }
    for (p, n) in [
        ([0.0, 0.2, 0.15, 0.3], 20.0),
        ([0.3, 0.3, 0.2, 0.2], 20.0),
        ([0.3, 0.3, 0.3, 0.3], 20.0),
        ([nan, 0.2, 0.15, 0.3], 20.0),
    ] {
        check4!(multinomial5, (p[0], p[1], p[2], p[3], n), g5);
    }
    // n outside (0, ∞): the Cholesky-based generated inverse and natural gradient are NaN
    // (fisher and Jeffreys are closed forms and are not checked against the hand versions here:
    // both are ordinary arithmetic in n).
    for n in [0.0, -3.0, inf, nan] {
        check!(multinomial5, fisher_inverse, (0.1, 0.2, 0.15, 0.3, n));
        check!(multinomial5, natural_gradient, (0.1, 0.2, 0.15, 0.3, n, g5));
    }

    let g6 = [0.5, -0.25, 1.5, 0.75, -2.0];
    for a in [
        [0.5, 1.5, 2.5, 4.0, 9.0],
        [0.1, 0.2, 0.3, 0.4, 0.5],
        [20.0, 35.0, 12.0, 50.0, 8.0],
        [1.0, 1.0, 1.0, 1.0, 1.0],
    ] {
        check4!(dirichlet5, (a[0], a[1], a[2], a[3], a[4]), g6);
    }
    for a in [
        [0.0, 1.5, 2.5, 4.0, 9.0],
        [0.5, 1.5, -2.5, 4.0, 9.0],
        [0.5, 1.5, 2.5, 4.0, nan],
    ] {
        check4!(dirichlet5, (a[0], a[1], a[2], a[3], a[4]), g6);
    }

    let inputs = logistic_inputs();
    for (a, b, c) in [
        (0.3, -0.8, 1.2),
        (-2.0, 0.5, 0.0),
        (1.0, 3.0, -4.0),
        (5.0, 2.0, 8.0),
    ] {
        check!(logistic, fisher, (a, b, c));
    }
    check!(logistic, fisher, (nan, 1.0, 2.0));
    for (a, b) in [(0.3, -0.8), (-1.5, 2.0), (4.0, 0.1)] {
        check!(logistic, fisher_averaged, (a, b, &inputs));
        check!(logistic, jeffreys_log_density_averaged, (a, b, &inputs));
        check!(logistic, fisher_averaged, (a, b, &inputs[..5]));
        check!(
            logistic,
            jeffreys_log_density_averaged,
            (a, b, &inputs[..5])
        );
    }
    // No inputs (NaN), a NaN parameter (NaN), and one input repeated at η = 0 (the weight is
    // exactly 1/4, F̄ is exactly singular: −∞).
    for (a, b, c) in [
        (0.3, -0.8, &[][..]),
        (nan, -0.8, &inputs[..]),
        (0.5, -0.25, &[2.0, 2.0][..]),
    ] {
        check!(logistic, fisher_averaged, (a, b, c));
        check!(logistic, jeffreys_log_density_averaged, (a, b, c));
    }

    let g7 = [0.5, -0.25, 1.5, 0.75];
    for s in [
        [1.0, 2.0, 0.5, 1.5],
        [10.0, 0.1, 3.0, 0.02],
        [0.3, 0.3, 0.3, 0.3],
        [-0.05, 1.0, 1.0, 1.0],
    ] {
        check4!(unmixing, (s[0], s[1], s[2], s[3]), g7);
    }
    for s in [
        [0.0, 0.0, 0.0, 0.0],
        [-1.0, 0.1, 0.1, 0.1],
        [1.0, 2.0, nan, 1.5],
    ] {
        check4!(unmixing, (s[0], s[1], s[2], s[3]), g7);
    }
}

/// The 64 inputs of the regression: evenly spread over [−2, 2].
fn logistic_inputs() -> Vec<f64> {
    (0..64).map(|i| -2.0 + 4.0 * i as f64 / 63.0).collect()
}

/// What the binary does: time every pair under criterion, or run one function in a loop for an
/// instruction count, or list the ids.
enum Mode {
    Bench(Box<Criterion>),
    Count { id: String, iters: u64 },
    List,
}

impl Mode {
    /// One pair: `<model>/<function>/generated` and `<model>/<function>/hand`.
    fn pair<R, G, H>(&mut self, model: &str, function: &str, mut generated: G, mut hand: H)
    where
        G: FnMut() -> R,
        H: FnMut() -> R,
    {
        match self {
            Mode::Bench(c) => {
                let mut group = c.benchmark_group(model);
                group.bench_function(BenchmarkId::new(function, "generated"), |b| {
                    b.iter(&mut generated)
                });
                group.bench_function(BenchmarkId::new(function, "hand"), |b| b.iter(&mut hand));
                group.finish();
            }
            Mode::Count { id, iters } => {
                let base = format!("{model}/{function}/");
                if *id == format!("{base}generated") {
                    count_loop(*iters, &mut generated);
                } else if *id == format!("{base}hand") {
                    count_loop(*iters, &mut hand);
                }
            }
            Mode::List => {
                println!("{model}/{function}/generated");
                println!("{model}/{function}/hand");
            }
        }
    }
}

/// The loop callgrind counts (`--toggle-collect='*count_loop*'`).
#[inline(never)]
fn count_loop<R>(iters: u64, f: &mut impl FnMut() -> R) {
    for _ in 0..iters {
        black_box(f());
    }
}

/// Every pair, at the first self-check point of each model.
fn pairs(m: &mut Mode) {
    let bb = black_box::<f64>;
    macro_rules! pair {
        ($model:ident, $func:ident, ($($arg:expr),*)) => {
            m.pair(
                stringify!($model),
                stringify!($func),
                || models::$model::$func($($arg),*),
                || hand::$model::$func($($arg),*),
            )
        };
    }
    macro_rules! pair4 {
        ($model:ident, ($($p:expr),*), $g:expr) => {{
            pair!($model, fisher, ($(bb($p)),*));
            pair!($model, fisher_inverse, ($(bb($p)),*));
            pair!($model, jeffreys_log_density, ($(bb($p)),*));
            pair!($model, natural_gradient, ($(bb($p),)* black_box($g)));
        }};
    }
    pair4!(binomial, (0.3, 10.0), [0.7]);
    pair4!(odds, (0.6, 10.0), [-1.3]);
    pair4!(poisson, (3.5), [2.1]);
    pair4!(normal, (1.5, 0.8), [0.4, -1.1]);
    pair4!(gamma, (2.5, 1.5), [0.4, -1.1]);
    pair4!(beta, (2.0, 5.0), [1.2, 0.3]);
    pair4!(multinomial3, (0.2, 0.3, 10.0), [0.5, -0.25]);
    pair4!(
        multinomial5,
        (0.1, 0.2, 0.15, 0.3, 20.0),
        [0.5, -0.25, 1.5, 0.75]
    );
    pair4!(
        dirichlet5,
        (0.5, 1.5, 2.5, 4.0, 9.0),
        [0.5, -0.25, 1.5, 0.75, -2.0]
    );
    let inputs = logistic_inputs();
    pair!(logistic, fisher, (bb(0.3), bb(-0.8), bb(1.2)));
    pair!(
        logistic,
        fisher_averaged,
        (bb(0.3), bb(-0.8), black_box(&inputs[..]))
    );
    pair!(
        logistic,
        jeffreys_log_density_averaged,
        (bb(0.3), bb(-0.8), black_box(&inputs[..]))
    );
    pair4!(unmixing, (1.0, 2.0, 0.5, 1.5), [0.5, -0.25, 1.5, 0.75]);
}

fn main() {
    self_check();
    let mut mode = if std::env::var_os("FIM_BENCH_LIST").is_some() {
        Mode::List
    } else if let Some(id) = std::env::var_os("FIM_BENCH_COUNT") {
        let iters = std::env::var("FIM_BENCH_ITERS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(100_000);
        Mode::Count {
            id: id.to_string_lossy().into_owned(),
            iters,
        }
    } else {
        Mode::Bench(Box::new(
            Criterion::default()
                .measurement_time(Duration::from_secs(1))
                .warm_up_time(Duration::from_millis(300))
                .sample_size(50)
                .configure_from_args(),
        ))
    };
    pairs(&mut mode);
    if let Mode::Bench(c) = mode {
        c.final_summary();
    }
}
