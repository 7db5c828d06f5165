//! The rows of shared/catalog.md as `(name, attribute, function)` source text, with their
//! declared moments: what the derivation benchmark and the profiling example derive.

/// The rows of shared/catalog.md with their declared moments.
pub const CATALOG: &[(&str, &str, &str)] = &[
    (
        "bernoulli",
        "params(p), data(x), moments(E[x] = p)",
        "fn bernoulli(x: f64, p: f64) -> f64 { x * p.ln() + (1.0 - x) * (1.0 - p).ln() }",
    ),
    (
        "binomial",
        "params(theta), data(x), moments(E[x] = n * theta)",
        "fn binomial(x: f64, theta: f64, n: f64) -> f64 { x * theta.ln() + (n - x) * (1.0 - theta).ln() }",
    ),
    (
        "binomial_odds",
        "params(phi), data(x), moments(E[x] = n * phi / (1.0 + phi))",
        "fn binomial_odds(x: f64, phi: f64, n: f64) -> f64 { x * phi.ln() - n * (1.0 + phi).ln() }",
    ),
    (
        "poisson",
        "params(lambda), data(x), moments(E[x] = lambda)",
        "fn poisson(x: f64, lambda: f64) -> f64 { x * lambda.ln() - lambda }",
    ),
    (
        "exponential",
        "params(lambda), data(x), moments(E[x] = 1.0 / lambda)",
        "fn exponential(x: f64, lambda: f64) -> f64 { lambda.ln() - lambda * x }",
    ),
    (
        "normal",
        "params(mu, sigma), data(x), moments(E[x] = mu, E[x.powi(2)] = mu.powi(2) + sigma.powi(2))",
        "fn normal(x: f64, mu: f64, sigma: f64) -> f64 { -sigma.ln() - (x - mu).powi(2) / (2.0 * sigma.powi(2)) }",
    ),
    (
        "normal_variance",
        "params(mu, v), data(x), moments(E[x] = mu, E[x.powi(2)] = mu.powi(2) + v)",
        "fn normal_variance(x: f64, mu: f64, v: f64) -> f64 { -0.5 * v.ln() - (x - mu).powi(2) / (2.0 * v) }",
    ),
    (
        "geometric",
        "params(p), data(x), moments(E[x] = (1.0 - p) / p)",
        "fn geometric(x: f64, p: f64) -> f64 { x * (1.0 - p).ln() + p.ln() }",
    ),
    (
        "gamma",
        "params(alpha, beta), data(x), moments(E[x] = alpha / beta, E[x.ln()] = digamma(alpha) - beta.ln())",
        "fn gamma(x: f64, alpha: f64, beta: f64) -> f64 { alpha * beta.ln() - ln_gamma(alpha) + (alpha - 1.0) * x.ln() - beta * x }",
    ),
    (
        "beta",
        "params(a, b), data(x), moments(E[x.ln()] = digamma(a) - digamma(a + b), E[(1.0 - x).ln()] = digamma(b) - digamma(a + b))",
        "fn beta(x: f64, a: f64, b: f64) -> f64 { ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + (a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln() }",
    ),
    (
        "multinomial",
        "params(p1, p2), data(x1, x2), moments(E[x1] = n * p1, E[x2] = n * p2)",
        "fn multinomial(x1: f64, x2: f64, p1: f64, p2: f64, n: f64) -> f64 { x1 * p1.ln() + x2 * p2.ln() + (n - x1 - x2) * (1.0 - p1 - p2).ln() }",
    ),
];
