//! Reparameterization (proofs issue, deliverable 2): F_φ = Jᵀ F_θ(g(φ)) J and
//! Jeffreys_φ = Jeffreys_θ ∘ g + ln |det J| (the transformed route, `r.fisher`, `r.jeffreys`),
//! the same derived directly from ℓ(g(φ)) (`r.direct`), both proved equal (`r.checks`), and
//! equal to what the catalog says.

use std::collections::HashMap;

use fim_core::model::reparam::Reparam;
use fim_core::model::{CheckOutcome, Derivation, Jeffreys};
use fim_core::{equiv, parse, print, Id};

mod common;
use common::derive;

const BINOMIAL: &str =
    "fn binomial(x: f64, theta: f64, n: f64) -> f64 { x * theta.ln() + (n - x) * (1.0 - theta).ln() }";
const ODDS_ROW: &str =
    "fn binomial_odds(x: f64, phi: f64, n: f64) -> f64 { x * phi.ln() - n * (1.0 + phi).ln() }";
const NORMAL: &str = "fn normal(x: f64, mu: f64, sigma: f64) -> f64 { -sigma.ln() - (x - mu).powi(2) / (2.0 * sigma.powi(2)) }";

fn error_messages(attr: &str, item: &str) -> Vec<String> {
    match Derivation::from_source(attr, item) {
        Ok(_) => panic!("expected an error for {attr}"),
        Err(err) => err.into_iter().map(|e| e.to_string()).collect(),
    }
}

/// Proves `mine` equal to `derived` in the reparameterization's domain (its direct route's).
fn assert_identity(d: &mut Derivation, r: usize, mine: &str, derived: Id, what: &str) {
    let arena = &mut d.model.arena;
    let m = parse::parse_str(arena, mine).unwrap();
    let shown = print::rust(arena, derived);
    let direct = &d.reparams[r].direct;
    let v = equiv::equiv(arena, &direct.domain, &direct.samples, m, derived);
    assert!(
        v.is_proved(),
        "{what}: expected `{mine}`, derived `{shown}`: {v:?}"
    );
}

fn closed(j: &Jeffreys) -> Id {
    match j {
        Jeffreys::Closed { expr, .. } => *expr,
        Jeffreys::Numeric => panic!("expected a closed-form Jeffreys"),
    }
}

fn names(d: &Derivation, syms: &[fim_core::Symbol]) -> Vec<String> {
    syms.iter()
        .map(|&s| d.model.arena.name(s).to_string())
        .collect()
}

/// Both route checks of a reparameterization are present and proved.
fn assert_routes_proved(r: &Reparam) {
    let name = r.name.to_string();
    let f = format!("reparam {name}: F from ℓ(g(φ)) = Jᵀ F(g(φ)) J");
    let j = format!("reparam {name}: Jeffreys from ℓ(g(φ)) = Jeffreys ∘ g + ln |det J|");
    for want in [f, j] {
        let c = r
            .checks
            .iter()
            .find(|c| c.name == want)
            .unwrap_or_else(|| panic!("no check `{want}`"));
        assert!(
            matches!(c.outcome, CheckOutcome::Proved(_)),
            "{want}: {:?}",
            c.outcome
        );
    }
}

fn eval(d: &Derivation, id: Id, point: &[(&str, f64)]) -> f64 {
    let env: HashMap<fim_core::Symbol, f64> = point
        .iter()
        .filter_map(|(n, v)| d.model.arena.find_symbol(n).map(|s| (s, *v)))
        .collect();
    d.model.arena.eval(id, &env)
}

// ---- binomial θ → odds φ -------------------------------------------------------------------------

/// θ = φ/(1+φ): F_φ = n/(φ(1+φ)²) and Jeffreys_φ = ½ ln n − ½ ln φ − ln(1+φ), by both routes,
/// proved equal; with the moment declared and with it inferred.
#[test]
fn binomial_to_odds_both_routes() {
    for attr in [
        "params(theta), data(x), moments(E[x] = n * theta), reparam(odds(theta = phi / (1.0 + phi)))",
        "params(theta), data(x), reparam(odds(theta = phi / (1.0 + phi)))",
    ] {
        let mut d = derive(attr, BINOMIAL);
        assert_eq!(d.reparams.len(), 1);
        let r = &d.reparams[0];
        assert_eq!(r.name.to_string(), "odds");
        assert_eq!(names(&d, &r.params), ["phi"]);
        assert_eq!(names(&d, &[r.map[0].0]), ["theta"]);
        let (map, jac) = (r.map[0].1, r.jacobian[0][0]);
        let (f_t, f_d) = (r.fisher[0][0], r.direct.fisher[0][0]);
        let (j_t, j_d) = (closed(&r.jeffreys), closed(&r.direct.jeffreys));
        assert_routes_proved(r);

        assert_identity(&mut d, 0, "phi / (1.0 + phi)", map, "map");
        assert_identity(&mut d, 0, "1.0 / (1.0 + phi).powi(2)", jac, "∂θ/∂φ");
        let f = "n / (phi * (1.0 + phi).powi(2))";
        assert_identity(&mut d, 0, f, f_t, "F transformed");
        assert_identity(&mut d, 0, f, f_d, "F direct");
        let j = "0.5 * n.ln() - 0.5 * phi.ln() - (1.0 + phi).ln()";
        assert_identity(&mut d, 0, j, j_t, "Jeffreys transformed");
        assert_identity(&mut d, 0, j, j_d, "Jeffreys direct");

        // The catalog's closing remark: θ^(−½)(1−θ)^(−½) becomes φ^(−½)(1+φ)^(−1), times √n.
        for (phi, n) in [(0.4, 5.0), (3.0, 12.0)] {
            let got = eval(&d, j_t, &[("phi", phi), ("n", n)]).exp();
            let want = n.sqrt() * phi.powf(-0.5) / (1.0 + phi);
            assert!((got - want).abs() < 1e-12 * want, "{got} vs {want}");
        }
    }
}

/// The odds parameterization equals the catalog's "binomial in odds" row derived from its own
/// likelihood: F and J from the row's derivation (printed, read back into this arena) are
/// proved equal to both routes.
#[test]
fn odds_equals_the_catalog_row() {
    let mut row = derive(
        "params(phi), data(x), moments(E[x] = n * phi / (1.0 + phi))",
        ODDS_ROW,
    );
    let row_f = print::rust(&row.model.arena, row.core.fisher[0][0]);
    let row_j = print::rust(&row.model.arena, closed(&row.core.jeffreys));
    // The row itself against the catalog.
    let rf = row.core.fisher[0][0];
    let v = {
        let a = &mut row.model.arena;
        let m = parse::parse_str(a, "n / (phi * (1.0 + phi).powi(2))").unwrap();
        equiv::equiv(a, &row.core.domain, &row.core.samples, m, rf)
    };
    assert!(v.is_proved(), "{v:?}");

    let mut d = derive(
        "params(theta), data(x), moments(E[x] = n * theta), reparam(odds(theta = phi / (1.0 + phi)))",
        BINOMIAL,
    );
    let r = &d.reparams[0];
    let ids = [
        (r.fisher[0][0], &row_f),
        (r.direct.fisher[0][0], &row_f),
        (closed(&r.jeffreys), &row_j),
        (closed(&r.direct.jeffreys), &row_j),
    ];
    for (id, text) in ids {
        assert_identity(&mut d, 0, text, id, "against the odds row");
    }
    // And the printed forms are the same text.
    let r = &d.reparams[0];
    assert_eq!(print::rust(&d.model.arena, r.fisher[0][0]), row_f);
    assert_eq!(print::rust(&d.model.arena, closed(&r.jeffreys)), row_j);
}

/// The moment is mapped through g: the direct route's E[x] is nφ/(1+φ).
#[test]
fn moments_are_mapped_through_g() {
    let mut d = derive(
        "params(theta), data(x), moments(E[x] = n * theta), reparam(odds(theta = phi / (1.0 + phi)))",
        BINOMIAL,
    );
    let x = parse::parse_str(&mut d.model.arena, "x").unwrap();
    let e = d.reparams[0].direct.table.get(x).expect("E[x]").value;
    assert_identity(&mut d, 0, "n * phi / (1.0 + phi)", e, "E[x] in φ");
    let c = d.reparams[0]
        .direct
        .checks
        .iter()
        .find(|c| c.name == "E[score] = 0 for phi")
        .expect("score check in φ");
    assert!(matches!(c.outcome, CheckOutcome::Proved(_)));
}

// ---- normal (μ, σ) → (μ, τ), σ = e^τ --------------------------------------------------------------

/// F = diag(e^(−2τ), 2) by both routes; Jeffreys ½ ln 2 − τ (= ½ ln 2 − 2 ln σ + ln σ).
#[test]
fn normal_log_scale() {
    for attr in [
        "params(mu, sigma), data(x), moments(E[x] = mu, E[x.powi(2)] = mu.powi(2) + sigma.powi(2)), reparam(logscale(mu = mu, sigma = tau.exp()))",
        "params(mu, sigma), data(x), reparam(logscale(mu = mu, sigma = tau.exp()))",
    ] {
        let mut d = derive(attr, NORMAL);
        let r = &d.reparams[0];
        assert_eq!(names(&d, &r.params), ["mu", "tau"]);
        assert_routes_proved(r);
        let want = [["(-2.0 * tau).exp()", "0.0"], ["0.0", "2.0"]];
        let (t, dd) = (r.fisher.clone(), r.direct.fisher.clone());
        let (j_t, j_d) = (closed(&r.jeffreys), closed(&r.direct.jeffreys));
        for i in 0..2 {
            for j in 0..2 {
                assert_identity(&mut d, 0, want[i][j], t[i][j], "F transformed");
                assert_identity(&mut d, 0, want[i][j], dd[i][j], "F direct");
            }
        }
        let j = "0.5 * 2.0_f64.ln() - tau";
        assert_identity(&mut d, 0, j, j_t, "Jeffreys transformed");
        assert_identity(&mut d, 0, j, j_d, "Jeffreys direct");
        // Printed as simply as the math.
        let a = &d.model.arena;
        assert_eq!(print::rust(a, t[0][0]), "(-2.0 * tau).exp()");
        assert_eq!(print::rust(a, t[1][1]), "2.0");
    }
}

/// The normal in (μ, v) with σ = √v, from the (μ, σ) model: the catalog's "normal, variance"
/// row, diag(1/v, 1/(2v²)), J = −½ ln 2 − 3/2 ln v.
#[test]
fn normal_to_variance() {
    let mut d = derive(
        "params(mu, sigma), data(x), reparam(var(mu = m, sigma = v.sqrt()))",
        NORMAL,
    );
    let r = &d.reparams[0];
    assert_eq!(names(&d, &r.params), ["m", "v"]);
    assert_routes_proved(r);
    let (t, dd) = (r.fisher.clone(), r.direct.fisher.clone());
    let (j_t, j_d) = (closed(&r.jeffreys), closed(&r.direct.jeffreys));
    let want = [["1.0 / v", "0.0"], ["0.0", "1.0 / (2.0 * v.powi(2))"]];
    for i in 0..2 {
        for j in 0..2 {
            assert_identity(&mut d, 0, want[i][j], t[i][j], "F transformed");
            assert_identity(&mut d, 0, want[i][j], dd[i][j], "F direct");
        }
    }
    let j = "-0.5 * 2.0_f64.ln() - 1.5 * v.ln()";
    assert_identity(&mut d, 0, j, j_t, "Jeffreys transformed");
    assert_identity(&mut d, 0, j, j_d, "Jeffreys direct");
}

/// The transformed Jeffreys of the previous test once printed as
/// `(-2.0_f64.ln() - 6.0 * v.sqrt().ln()) / 2.0`: `ln(√v)` must become `½ ln v` (v > 0 on the
/// domain, √v being a fractional power base), so that both routes reach one canonical form.
#[test]
fn ln_of_sqrt_simplifies() {
    let d = derive(
        "params(mu, sigma), data(x), reparam(var(mu = m, sigma = v.sqrt()))",
        NORMAL,
    );
    let r = &d.reparams[0];
    let a = &d.model.arena;
    let (t, dd) = (closed(&r.jeffreys), closed(&r.direct.jeffreys));
    assert_eq!(
        print::rust(a, t),
        print::rust(a, dd),
        "both routes should reach one canonical form"
    );
}

/// The logit η (θ = 1/(1 + e^(−η))): F = n e^η/(1 + e^η)² by both routes.
#[test]
fn binomial_to_logit() {
    let mut d = derive(
        "params(theta), data(x), reparam(logit(theta = 1.0 / (1.0 + (-eta).exp())))",
        BINOMIAL,
    );
    let r = &d.reparams[0];
    assert_routes_proved(r);
    let (t, dd) = (r.fisher[0][0], r.direct.fisher[0][0]);
    let j_t = closed(&r.jeffreys);
    let f = "n * eta.exp() / (1.0 + eta.exp()).powi(2)";
    assert_identity(&mut d, 0, f, t, "F transformed");
    assert_identity(&mut d, 0, f, dd, "F direct");
    assert_identity(
        &mut d,
        0,
        "0.5 * n.ln() + 0.5 * eta - (1.0 + eta.exp()).ln()",
        j_t,
        "Jeffreys",
    );
}

/// The direct route of the logit once printed `n * eta.exp() * (-2.0 * eta).exp() / …`: a
/// product of exponentials must merge into one, so that both routes reach one canonical form.
#[test]
fn products_of_exponentials_merge() {
    let d = derive(
        "params(theta), data(x), reparam(logit(theta = 1.0 / (1.0 + (-eta).exp())))",
        BINOMIAL,
    );
    let r = &d.reparams[0];
    let a = &d.model.arena;
    assert_eq!(
        print::rust(a, r.direct.fisher[0][0]),
        print::rust(a, r.fisher[0][0])
    );
    assert!(
        !print::rust(a, r.direct.fisher[0][0]).contains("eta.exp() * (-2.0 * eta).exp()"),
        "unmerged exponentials"
    );
}

/// Natural parameters of the normal, η₁ = μ/σ², η₂ = −1/(2σ²) < 0: a valid
/// reparameterization whose domain has a negative parameter. (The proofs' sampler once drew
/// every symbol from (0, s), so no point was in the domain and the check was "could not
/// decide".)
#[test]
fn normal_natural_parameters() {
    let mut d = derive(
        "params(mu, sigma), data(x), reparam(natural(mu = -e1 / (2.0 * e2), sigma = (-1.0 / (2.0 * e2)).sqrt()))",
        NORMAL,
    );
    assert_routes_proved(&d.reparams[0]);
    let j = closed(&d.reparams[0].jeffreys);
    assert_identity(&mut d, 0, "-2.0_f64.ln() - 1.5 * (-e2).ln()", j, "Jeffreys");
}

/// Two reparameterizations at once, each derived and proved on its own.
#[test]
fn two_reparameterizations() {
    let d = derive(
        "params(theta), data(x), reparam(odds(theta = phi / (1.0 + phi)), logit(theta = 1.0 / (1.0 + (-eta).exp())))",
        BINOMIAL,
    );
    assert_eq!(d.reparams.len(), 2);
    assert_eq!(d.reparams[0].name.to_string(), "odds");
    assert_eq!(d.reparams[1].name.to_string(), "logit");
    for r in &d.reparams {
        assert_routes_proved(r);
    }
}

// ---- errors ------------------------------------------------------------------------------------------

#[test]
fn unmapped_parameter_is_named() {
    let msgs = error_messages(
        "params(mu, sigma), data(x), reparam(logscale(sigma = tau.exp()))",
        NORMAL,
    );
    assert_eq!(
        msgs,
        ["reparam `logscale` leaves parameter `mu` unmapped: add `mu = …` (or `mu = mu` to keep it)"]
    );
}

#[test]
fn mapping_a_non_parameter() {
    let msgs = error_messages(
        "params(theta), data(x), reparam(odds(zeta = phi / (1.0 + phi)))",
        BINOMIAL,
    );
    assert!(
        msgs.iter()
            .any(|m| m == "`zeta` is not a parameter of `binomial`"),
        "{msgs:#?}"
    );
    let msgs = error_messages(
        "params(theta), data(x), reparam(odds(n = phi, theta = phi / (1.0 + phi)))",
        BINOMIAL,
    );
    assert!(
        msgs.iter().any(|m| m.starts_with("`n` is not a parameter")),
        "{msgs:#?}"
    );
}

#[test]
fn map_depending_on_data() {
    let msgs = error_messages(
        "params(theta), data(x), reparam(odds(theta = phi / (1.0 + x)))",
        BINOMIAL,
    );
    assert_eq!(msgs, ["a reparameterization cannot depend on the data"]);
}

#[test]
fn map_must_be_square() {
    let msgs = error_messages(
        "params(theta), data(x), reparam(odds(theta = n / 2.0))",
        BINOMIAL,
    );
    assert_eq!(
        msgs,
        [
            "reparam `odds`: `n` is a constant of `binomial` (arguments that are not params, \
             data or inputs), so it cannot be a new parameter; write the old parameters in new \
             names, as in `theta = phi / (1.0 + phi)`"
        ]
    );
    let msgs = error_messages(
        "params(theta), data(x), reparam(odds(theta = a / (a + b)))",
        BINOMIAL,
    );
    assert_eq!(
        msgs,
        ["reparam `odds` has 2 new parameters (a, b) for 1 old one: the map must be square"]
    );
}

#[test]
fn parameter_mapped_twice() {
    let msgs = error_messages(
        "params(theta), data(x), reparam(odds(theta = phi, theta = phi / (1.0 + phi)))",
        BINOMIAL,
    );
    assert!(
        msgs.iter()
            .any(|m| m == "`theta` is mapped twice in reparam `odds`"),
        "{msgs:#?}"
    );
}
