//! `verify(fisher = [[..]], jeffreys = ..)` (proofs issue, deliverable 4): a right formula is
//! proved (the check is `Proved`); a wrong one is an error that shows both forms and a point
//! where they differ, and the point is real: the two forms do differ there.

use std::collections::HashMap;

use fim_core::model::{CheckOutcome, Derivation};
use fim_core::{parse, Arena};

mod common;
use common::derive;

const BINOMIAL: &str =
    "fn binomial(x: f64, theta: f64, n: f64) -> f64 { x * theta.ln() + (n - x) * (1.0 - theta).ln() }";
const NORMAL: &str = "fn normal(x: f64, mu: f64, sigma: f64) -> f64 { -sigma.ln() - (x - mu).powi(2) / (2.0 * sigma.powi(2)) }";
const GAMMA: &str = "fn gamma(x: f64, alpha: f64, beta: f64) -> f64 { alpha * beta.ln() - ln_gamma(alpha) + (alpha - 1.0) * x.ln() - beta * x }";
const MULTINOMIAL: &str = "fn multinomial(x1: f64, x2: f64, p1: f64, p2: f64, n: f64) -> f64 { x1 * p1.ln() + x2 * p2.ln() + (n - x1 - x2) * (1.0 - p1 - p2).ln() }";

/// The errors, as (message, column of the span's start in the attribute).
fn errors(attr: &str, item: &str) -> Vec<(String, usize)> {
    match Derivation::from_source(attr, item) {
        Ok(_) => panic!("expected an error for {attr}"),
        Err(err) => err
            .into_iter()
            .map(|e| (e.to_string(), e.span().start().column))
            .collect(),
    }
}

/// Every `verify` check of `d` is proved; returns their names.
fn verify_checks_proved(d: &Derivation) -> Vec<String> {
    let mut names = Vec::new();
    for c in d
        .core
        .checks
        .iter()
        .filter(|c| c.name.starts_with("verify"))
    {
        assert!(
            matches!(c.outcome, CheckOutcome::Proved(_)),
            "{}: {:?}",
            c.name,
            c.outcome
        );
        names.push(c.name.clone());
    }
    names
}

/// A failed verify message, taken apart: `<name> fails: stated `A` but derived `B`; they differ
/// at v1 = x1, v2 = x2 (a vs b)`.
struct Mismatch {
    name: String,
    stated: String,
    derived: String,
    point: Vec<(String, f64)>,
    values: (f64, f64),
}

fn mismatch(msg: &str) -> Mismatch {
    let (name, rest) = msg.split_once(" fails: stated `").expect("fails: stated");
    let (stated, rest) = rest.split_once("` but derived `").expect("but derived");
    let (derived, rest) = rest.split_once("`; they differ at ").expect("differ at");
    let (point, values) = rest.rsplit_once(" (").expect("values");
    let point = point
        .split(", ")
        .map(|kv| {
            let (k, v) = kv.split_once(" = ").expect("k = v");
            (k.to_string(), v.parse::<f64>().expect("a number"))
        })
        .collect();
    let values = values.trim_end_matches(')');
    let (a, b) = values.split_once(" vs ").expect("vs");
    Mismatch {
        name: name.to_string(),
        stated: stated.to_string(),
        derived: derived.to_string(),
        point,
        values: (a.parse().unwrap(), b.parse().unwrap()),
    }
}

/// Evaluates Rust source text at a point.
fn eval_text(src: &str, point: &[(String, f64)]) -> f64 {
    let mut arena = Arena::new();
    let id = parse::parse_str(&mut arena, src).unwrap();
    let env: HashMap<_, _> = point
        .iter()
        .filter_map(|(n, v)| arena.find_symbol(n).map(|s| (s, *v)))
        .collect();
    arena.eval(id, &env)
}

fn rel_close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// The point in a mismatch is genuine: the stated and derived texts evaluate there to the two
/// values shown, and those differ.
fn assert_point_is_real(m: &Mismatch) {
    let (a, b) = (
        eval_text(&m.stated, &m.point),
        eval_text(&m.derived, &m.point),
    );
    assert!(
        rel_close(a, m.values.0),
        "stated at the point: {a} vs {}",
        m.values.0
    );
    assert!(
        rel_close(b, m.values.1),
        "derived at the point: {b} vs {}",
        m.values.1
    );
    assert!(!rel_close(a, b), "the two forms agree at the point shown");
}

// ---- right formulas pass -------------------------------------------------------------------------

#[test]
fn right_fisher_passes() {
    let d = derive(
        "params(theta), data(x), moments(E[x] = n * theta), verify(fisher = [[n / (theta * (1.0 - theta))]])",
        BINOMIAL,
    );
    assert_eq!(verify_checks_proved(&d), ["verify F[theta][theta]"]);
}

/// A right formula written differently from the engine's form is still proved.
#[test]
fn right_fisher_in_another_form_passes() {
    let d = derive(
        "params(theta), data(x), verify(fisher = [[n / theta + n / (1.0 - theta)]])",
        BINOMIAL,
    );
    assert_eq!(verify_checks_proved(&d), ["verify F[theta][theta]"]);
}

#[test]
fn right_two_by_two_passes() {
    let d = derive(
        "params(mu, sigma), data(x), verify(fisher = [[1.0 / sigma.powi(2), 0.0], [0.0, 2.0 / sigma.powi(2)]])",
        NORMAL,
    );
    assert_eq!(
        verify_checks_proved(&d),
        [
            "verify F[mu][mu]",
            "verify F[mu][sigma]",
            "verify F[sigma][mu]",
            "verify F[sigma][sigma]"
        ]
    );
    let d = derive(
        "params(alpha, beta), data(x), verify(fisher = [[trigamma(alpha), -1.0 / beta], [-1.0 / beta, alpha / beta.powi(2)]], \
         jeffreys = 0.5 * (alpha * trigamma(alpha) - 1.0).ln() - beta.ln())",
        GAMMA,
    );
    assert_eq!(verify_checks_proved(&d).len(), 5);
}

#[test]
fn right_jeffreys_passes() {
    let d = derive(
        "params(theta), data(x), verify(jeffreys = 0.5 * n.ln() - 0.5 * theta.ln() - 0.5 * (1.0 - theta).ln())",
        BINOMIAL,
    );
    assert_eq!(verify_checks_proved(&d), ["verify Jeffreys"]);
    // Written as the log of the density itself.
    let d = derive(
        "params(theta), data(x), verify(jeffreys = (n / (theta * (1.0 - theta))).sqrt().ln())",
        BINOMIAL,
    );
    assert_eq!(verify_checks_proved(&d), ["verify Jeffreys"]);
}

#[test]
fn right_multinomial_passes() {
    let d = derive(
        "params(p1, p2), data(x1, x2), verify(\
         fisher = [[n / p1 + n / (1.0 - p1 - p2), n / (1.0 - p1 - p2)], [n / (1.0 - p1 - p2), n / p2 + n / (1.0 - p1 - p2)]], \
         jeffreys = n.ln() - 0.5 * (p1.ln() + p2.ln() + (1.0 - p1 - p2).ln()))",
        MULTINOMIAL,
    );
    assert_eq!(verify_checks_proved(&d).len(), 5);
}

// ---- wrong formulas fail --------------------------------------------------------------------------

/// The binomial's F with the (1 − θ) forgotten: an error at the stated formula that shows both
/// forms and a point where they differ.
#[test]
fn wrong_fisher_fails_with_both_forms_and_a_point() {
    let attr = "params(theta), data(x), verify(fisher = [[n / theta]])";
    let errs = errors(attr, BINOMIAL);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let (msg, col) = &errs[0];
    assert_eq!(
        *col,
        attr.find("n / theta").unwrap(),
        "points at the stated entry"
    );
    let m = mismatch(msg);
    assert_eq!(m.name, "verify F[theta][theta]");
    assert_eq!(m.stated, "n / theta");
    assert_eq!(m.derived, "n / (theta * (1.0 - theta))");
    let vars: Vec<&str> = m.point.iter().map(|(k, _)| k.as_str()).collect();
    assert!(vars.contains(&"theta") && vars.contains(&"n"), "{vars:?}");
    assert_point_is_real(&m);
}

/// One wrong entry among four: only that entry fails (its transpose, written right, passes).
#[test]
fn wrong_off_diagonal_entry() {
    let attr = "params(mu, sigma), data(x), verify(fisher = [[1.0 / sigma.powi(2), 1.0 / sigma], [0.0, 2.0 / sigma.powi(2)]])";
    let errs = errors(attr, NORMAL);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let m = mismatch(&errs[0].0);
    assert_eq!(m.name, "verify F[mu][sigma]");
    assert_eq!(m.stated, "1.0 / sigma");
    assert_eq!(m.derived, "0.0");
    assert_point_is_real(&m);
    assert_eq!(errs[0].1, attr.find("1.0 / sigma]").unwrap());
}

/// The Jeffreys log density is exact: dropping the constant ½ ln 2 of the normal is a mismatch.
#[test]
fn jeffreys_without_its_constant_fails() {
    let errs = errors(
        "params(mu, sigma), data(x), verify(jeffreys = -2.0 * sigma.ln())",
        NORMAL,
    );
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let m = mismatch(&errs[0].0);
    assert_eq!(m.name, "verify Jeffreys");
    assert_eq!(m.stated, "-2.0 * sigma.ln()");
    assert_point_is_real(&m);
}

#[test]
fn wrong_jeffreys_fails() {
    let errs = errors(
        "params(theta), data(x), verify(jeffreys = -0.5 * theta.ln() - 0.5 * (1.0 - theta).ln())",
        BINOMIAL,
    );
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let m = mismatch(&errs[0].0);
    assert_eq!(m.name, "verify Jeffreys");
    assert_point_is_real(&m);
}

/// A wrong F and a wrong J are both reported at once.
#[test]
fn both_wrong_are_both_reported() {
    let errs = errors(
        "params(lambda), data(x), verify(fisher = [[lambda]], jeffreys = lambda.ln())",
        "fn poisson(x: f64, lambda: f64) -> f64 { x * lambda.ln() - lambda }",
    );
    let names: Vec<String> = errs.iter().map(|(m, _)| mismatch(m).name).collect();
    assert_eq!(names, ["verify F[lambda][lambda]", "verify Jeffreys"]);
    for (m, _) in &errs {
        assert_point_is_real(&mismatch(m));
    }
}

// ---- malformed verify -----------------------------------------------------------------------------

#[test]
fn fisher_of_the_wrong_shape() {
    let errs = errors(
        "params(theta), data(x), verify(fisher = [[1.0, 2.0]])",
        BINOMIAL,
    );
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(
        errs[0]
            .0
            .starts_with("`fisher` must be a 1×1 array of arrays"),
        "{}",
        errs[0].0
    );
}

#[test]
fn unknown_verify_key() {
    let errs = errors("params(theta), data(x), verify(score = 1.0)", BINOMIAL);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(
        errs[0].0.starts_with("unknown verify key `score`"),
        "{}",
        errs[0].0
    );
}

// ---- domains with negative parameters -------------------------------------------------------------

/// The normal in natural parameters (e2 < 0, so `(-2.0 * e2).ln()` is defined).
const NATURAL: &str = "fn natural(x: f64, e1: f64, e2: f64) -> f64 { e1 * x + e2 * x.powi(2) + e1.powi(2) / (4.0 * e2) + 0.5 * (-2.0 * e2).ln() }";

/// Its F: [[−1/(2e2), e1/(2e2²)], [e1/(2e2²), (e2 − e1²)/(2e2³)]], det F = −1/(4e2³), so
/// J = −ln 2 − 3/2 ln(−e2).
#[test]
fn natural_parameters_right_verify_passes() {
    let d = derive(
        "params(e1, e2), data(x), verify(\
         fisher = [[-1.0 / (2.0 * e2), e1 / (2.0 * e2.powi(2))], [e1 / (2.0 * e2.powi(2)), (e2 - e1.powi(2)) / (2.0 * e2.powi(3))]], \
         jeffreys = -2.0_f64.ln() - 1.5 * (-e2).ln())",
        NATURAL,
    );
    assert_eq!(verify_checks_proved(&d).len(), 5);
}

/// A wrong Jeffreys (−½ ln 2 for −ln 2) on that domain: the error shows a point where the
/// forms differ, with e2 < 0. (The sampler once drew only positive values, and the message was
/// "could not decide … no sample point where both are finite", with no point.)
#[test]
fn natural_parameters_wrong_verify_shows_a_point() {
    let errs = errors(
        "params(e1, e2), data(x), verify(jeffreys = -0.5 * 2.0_f64.ln() - 1.5 * (-e2).ln())",
        NATURAL,
    );
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let m = mismatch(&errs[0].0);
    assert_point_is_real(&m);
    let e2 = m
        .point
        .iter()
        .find(|(k, _)| k == "e2")
        .expect("e2 in the point")
        .1;
    assert!(e2 < 0.0, "the point is in the domain: e2 = {e2}");
}
