//! The functions statisticians use, derived in-process: each model's report is an insta
//! snapshot (reviewed by hand), and every F entry is proved equal to the textbook formula
//! written here as Rust source, with the method the proof needed. E[score] = 0 must be proved
//! from the declared moments, which hold these functions on both sides.

use fim_core::equiv::{self, Method, Verdict};
use fim_core::model::{report, CheckOutcome, Derivation};
use fim_core::{parse, print};

mod common;
use common::{derive, outcome};

/// Proves F[i][j] equal to `want`, and returns the method the proof took.
fn proved(d: &mut Derivation, i: usize, j: usize, want: &str) -> Method {
    let f = d.core.fisher[i][j];
    let arena = &mut d.model.arena;
    let w = parse::parse_str(arena, want).unwrap_or_else(|e| panic!("`{want}`: {e}"));
    let shown = print::rust(arena, f);
    match equiv::equiv(arena, &d.core.domain, &d.core.samples, w, f) {
        Verdict::Proved(m) => m,
        v => panic!("F[{i}][{j}]: expected `{want}`, derived `{shown}`: {v:?}"),
    }
}

fn score_checks_proved(d: &Derivation) {
    for &p in &d.model.params {
        let name = format!("E[score] = 0 for {}", d.model.arena.name(p));
        assert!(
            matches!(outcome(d, &name), CheckOutcome::Proved(_)),
            "{name}: {:?}",
            outcome(d, &name)
        );
    }
}

const VON_MISES_ATTR: &str = "params(mu, kappa), data(x), moments(E[(x - mu).cos()] = \
    bessel_i1(kappa) / bessel_i0(kappa), E[(x - mu).sin()] = 0.0)";
const VON_MISES: &str =
    "fn von_mises(x: f64, mu: f64, kappa: f64) -> f64 { kappa * (x - mu).cos() \
    - (2.0 * std::f64::consts::PI * bessel_i0(kappa)).ln() }";

#[test]
fn von_mises() {
    let mut d = derive(VON_MISES_ATTR, VON_MISES);
    insta::assert_snapshot!("von_mises", report::text(&d));
    let a = "(bessel_i1(kappa) / bessel_i0(kappa))";
    assert_eq!(
        proved(&mut d, 0, 0, &format!("kappa * {a}")),
        Method::Canonical
    );
    assert_eq!(proved(&mut d, 0, 1, "0.0"), Method::Canonical);
    let kk = format!("1.0 - {a} / kappa - {a}.powi(2)");
    assert_eq!(proved(&mut d, 1, 1, &kk), Method::Canonical);
    score_checks_proved(&d);
}

/// The moments may be stated in `mu - x`: cos is even and sin odd, so they meet the body's
/// `x - mu` (and E[sin(μ − x)] = 0 is E[sin(x − μ)] = 0).
#[test]
fn von_mises_moments_in_the_other_sign() {
    let attr = "params(mu, kappa), data(x), moments(E[(mu - x).cos()] = bessel_i1(kappa) / \
        bessel_i0(kappa), E[(mu - x).sin()] = 0.0)";
    let mut d = derive(attr, VON_MISES);
    let a = "(bessel_i1(kappa) / bessel_i0(kappa))";
    proved(&mut d, 0, 0, &format!("kappa * {a}"));
    proved(&mut d, 1, 1, &format!("1.0 - {a} / kappa - {a}.powi(2)"));
    score_checks_proved(&d);
}

const PROBIT_ATTR: &str = "params(a, b), data(y), inputs(c), moments(E[y] = norm_cdf(a + b * c))";

#[test]
fn probit() {
    let item = "fn probit(y: f64, a: f64, b: f64, c: f64) -> f64 { y * norm_cdf(a + b * c).ln() \
        + (1.0 - y) * (1.0 - norm_cdf(a + b * c)).ln() }";
    let mut d = derive(PROBIT_ATTR, item);
    insta::assert_snapshot!("probit", report::text(&d));
    let w = "norm_pdf(a + b * c).powi(2) / (norm_cdf(a + b * c) * (1.0 - norm_cdf(a + b * c)))";
    assert_eq!(proved(&mut d, 0, 0, w), Method::Canonical);
    assert_eq!(proved(&mut d, 0, 1, &format!("c * {w}")), Method::Canonical);
    assert_eq!(
        proved(&mut d, 1, 1, &format!("c * c * {w}")),
        Method::Canonical
    );
    score_checks_proved(&d);
    // The printed F holds Φ(−η), not 1 − Φ(η).
    let shown = print::rust(&d.model.arena, d.core.fisher[0][0]);
    assert_eq!(
        shown,
        "norm_pdf(a + b * c).powi(2) / (norm_cdf(a + b * c) * norm_cdf(-a - b * c))"
    );
}

/// The same model with ln_norm_cdf: one canonical form, one printed F.
#[test]
fn probit_through_ln_norm_cdf() {
    let item = "fn probit(y: f64, a: f64, b: f64, c: f64) -> f64 { y * ln_norm_cdf(a + b * c) \
        + (1.0 - y) * ln_norm_cdf(-a - b * c) }";
    let mut d = derive(PROBIT_ATTR, item);
    let w = "norm_pdf(a + b * c).powi(2) / (norm_cdf(a + b * c) * norm_cdf(-a - b * c))";
    assert_eq!(proved(&mut d, 0, 0, w), Method::Canonical);
    assert_eq!(print::rust(&d.model.arena, d.core.fisher[0][0]), w);
    score_checks_proved(&d);
}

#[test]
fn tanh_link() {
    let attr = "params(a, b), data(y), inputs(c), moments(E[y] = 0.5 * (1.0 + (a + b * c).tanh()))";
    let item = "fn tanh_link(y: f64, a: f64, b: f64, c: f64) -> f64 { y * (0.5 * (1.0 + (a + b * \
        c).tanh())).ln() + (1.0 - y) * (0.5 * (1.0 - (a + b * c).tanh())).ln() }";
    let mut d = derive(attr, item);
    insta::assert_snapshot!("tanh_link", report::text(&d));
    let w = "(1.0 - (a + b * c).tanh().powi(2))";
    assert_eq!(proved(&mut d, 0, 0, w), Method::Canonical);
    assert_eq!(proved(&mut d, 0, 1, &format!("c * {w}")), Method::Canonical);
    assert_eq!(
        proved(&mut d, 1, 1, &format!("c * c * {w}")),
        Method::Canonical
    );
    score_checks_proved(&d);
}

/// The beta distribution with `- ln_beta(a, b)` derives exactly what the catalog's three
/// lnΓ terms do.
#[test]
fn beta_through_ln_beta() {
    let attr = "params(a, b), data(x), moments(E[x.ln()] = digamma(a) - digamma(a + b), \
        E[(1.0 - x).ln()] = digamma(b) - digamma(a + b))";
    let item = "fn beta(x: f64, a: f64, b: f64) -> f64 { (a - 1.0) * x.ln() + (b - 1.0) * \
        (1.0 - x).ln() - ln_beta(a, b) }";
    let catalog = "fn beta(x: f64, a: f64, b: f64) -> f64 { ln_gamma(a + b) - ln_gamma(a) - \
        ln_gamma(b) + (a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln() }";
    let mut d = derive(attr, item);
    let c = derive(attr, catalog);
    assert_eq!(report::text(&d), report::text(&c));
    assert_eq!(
        proved(&mut d, 0, 0, "trigamma(a) - trigamma(a + b)"),
        Method::Canonical
    );
    assert_eq!(proved(&mut d, 0, 1, "-trigamma(a + b)"), Method::Canonical);
    score_checks_proved(&d);
}

/// sin² + cos² = 1 inside a derivation: a wrapped normal's first harmonic, written with both.
#[test]
fn pythagoras_inside_a_derivation() {
    let attr = "params(theta), data(x), moments(E[x] = theta.sin())";
    let item = "fn f(x: f64, theta: f64) -> f64 { -(x - theta.sin()).powi(2) / 2.0 \
        + theta.sin().powi(2) + theta.cos().powi(2) }";
    let mut d = derive(attr, item);
    assert_eq!(
        proved(&mut d, 0, 0, "theta.cos().powi(2)"),
        Method::Canonical
    );
    assert_eq!(
        print::rust(&d.model.arena, d.core.fisher[0][0]),
        "theta.cos().powi(2)"
    );
}
