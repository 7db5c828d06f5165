//! Exponential-family moment inference (proofs issue, deliverable 1): every exponential-family
//! row of shared/catalog.md derived with no moments declared. Each inferred moment is marked
//! `Source::Inferred`, equals the catalog's moment, and F equals the catalog's F. Declared
//! moments win over inferred ones. Inference runs only when the declared moments do not cover
//! the score (commit 47a88b2); then a declared moment is checked against the inferred one (a
//! check in `checks`, an error when it fails). When the declared moments cover the score, the
//! E[score] = 0 check plays that part: for a full-rank family E[score] = 0 has one solution,
//! the inferred moments, so it holds exactly when the declared moments equal them.
//! N(θ, θ) is a one-parameter family in T = x² and is inferred; N(θ, θ²) is curved and
//! inference declines, saying why.

use fim_core::expect::Source;
use fim_core::model::{report, CheckOutcome, Derivation, Jeffreys};
use fim_core::{parse, print, Id};

mod common;
use common::{assert_identity, derive, outcome, sources};

/// A catalog row without its moments, the catalog's moments as (data expression, value), and
/// its F (upper triangle read).
struct Row {
    name: &'static str,
    attr: &'static str,
    item: &'static str,
    moments: &'static [(&'static str, &'static str)],
    fisher: &'static [&'static [&'static str]],
}

const ROWS: &[Row] = &[
    Row {
        name: "bernoulli",
        attr: "params(p), data(x)",
        item: "fn bernoulli(x: f64, p: f64) -> f64 { x * p.ln() + (1.0 - x) * (1.0 - p).ln() }",
        moments: &[("x", "p")],
        fisher: &[&["1.0 / (p * (1.0 - p))"]],
    },
    Row {
        name: "binomial",
        attr: "params(theta), data(x)",
        item: "fn binomial(x: f64, theta: f64, n: f64) -> f64 { x * theta.ln() + (n - x) * (1.0 - theta).ln() }",
        moments: &[("x", "n * theta")],
        fisher: &[&["n / (theta * (1.0 - theta))"]],
    },
    Row {
        name: "binomial_odds",
        attr: "params(phi), data(x)",
        item: "fn binomial_odds(x: f64, phi: f64, n: f64) -> f64 { x * phi.ln() - n * (1.0 + phi).ln() }",
        moments: &[("x", "n * phi / (1.0 + phi)")],
        fisher: &[&["n / (phi * (1.0 + phi).powi(2))"]],
    },
    Row {
        name: "poisson",
        attr: "params(lambda), data(x)",
        item: "fn poisson(x: f64, lambda: f64) -> f64 { x * lambda.ln() - lambda }",
        moments: &[("x", "lambda")],
        fisher: &[&["1.0 / lambda"]],
    },
    Row {
        name: "exponential",
        attr: "params(lambda), data(x)",
        item: "fn exponential(x: f64, lambda: f64) -> f64 { lambda.ln() - lambda * x }",
        moments: &[("x", "1.0 / lambda")],
        fisher: &[&["1.0 / lambda.powi(2)"]],
    },
    Row {
        name: "normal",
        attr: "params(mu, sigma), data(x)",
        item: "fn normal(x: f64, mu: f64, sigma: f64) -> f64 { -sigma.ln() - (x - mu).powi(2) / (2.0 * sigma.powi(2)) }",
        moments: &[("x", "mu"), ("x.powi(2)", "mu.powi(2) + sigma.powi(2)")],
        fisher: &[
            &["1.0 / sigma.powi(2)", "0.0"],
            &["0.0", "2.0 / sigma.powi(2)"],
        ],
    },
    Row {
        name: "normal_variance",
        attr: "params(mu, v), data(x)",
        item: "fn normal_variance(x: f64, mu: f64, v: f64) -> f64 { -0.5 * v.ln() - (x - mu).powi(2) / (2.0 * v) }",
        moments: &[("x", "mu"), ("x.powi(2)", "mu.powi(2) + v")],
        fisher: &[
            &["1.0 / v", "0.0"],
            &["0.0", "1.0 / (2.0 * v.powi(2))"],
        ],
    },
    Row {
        name: "geometric",
        attr: "params(p), data(x)",
        item: "fn geometric(x: f64, p: f64) -> f64 { x * (1.0 - p).ln() + p.ln() }",
        moments: &[("x", "(1.0 - p) / p")],
        fisher: &[&["1.0 / (p.powi(2) * (1.0 - p))"]],
    },
    Row {
        name: "gamma",
        attr: "params(alpha, beta), data(x)",
        item: "fn gamma(x: f64, alpha: f64, beta: f64) -> f64 { alpha * beta.ln() - ln_gamma(alpha) + (alpha - 1.0) * x.ln() - beta * x }",
        moments: &[("x", "alpha / beta"), ("x.ln()", "digamma(alpha) - beta.ln()")],
        fisher: &[
            &["trigamma(alpha)", "-1.0 / beta"],
            &["-1.0 / beta", "alpha / beta.powi(2)"],
        ],
    },
    Row {
        name: "beta",
        attr: "params(a, b), data(x)",
        item: "fn beta(x: f64, a: f64, b: f64) -> f64 { ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + (a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln() }",
        moments: &[
            ("x.ln()", "digamma(a) - digamma(a + b)"),
            ("(1.0 - x).ln()", "digamma(b) - digamma(a + b)"),
        ],
        fisher: &[
            &["trigamma(a) - trigamma(a + b)", "-trigamma(a + b)"],
            &["-trigamma(a + b)", "trigamma(b) - trigamma(a + b)"],
        ],
    },
    Row {
        name: "multinomial",
        attr: "params(p1, p2), data(x1, x2)",
        item: "fn multinomial(x1: f64, x2: f64, p1: f64, p2: f64, n: f64) -> f64 { x1 * p1.ln() + x2 * p2.ln() + (n - x1 - x2) * (1.0 - p1 - p2).ln() }",
        moments: &[("x1", "n * p1"), ("x2", "n * p2")],
        fisher: &[
            &["n * (1.0 / p1 + 1.0 / (1.0 - p1 - p2))", "n / (1.0 - p1 - p2)"],
            &["n / (1.0 - p1 - p2)", "n * (1.0 / p2 + 1.0 / (1.0 - p1 - p2))"],
        ],
    },
];

const NORMAL_THETA_THETA: &str =
    "fn normal_tt(x: f64, theta: f64) -> f64 { -0.5 * theta.ln() - (x - theta).powi(2) / (2.0 * theta) }";

const NORMAL_THETA_THETA2: &str = "fn normal_cv(x: f64, theta: f64) -> f64 { -theta.ln() - (x - theta).powi(2) / (2.0 * theta.powi(2)) }";

fn entry(d: &mut Derivation, factor: &str) -> Option<(Id, Source)> {
    let f = parse::parse_str(&mut d.model.arena, factor).unwrap();
    d.core.table.get(f).map(|e| (e.value, e.source))
}

/// The report from "## Moments" up to "## Jeffreys prior": the moments used and F.
fn moments_and_fisher(d: &mut Derivation) -> String {
    let t = report::text(d);
    let a = t.find("## Moments").expect("moments section");
    let b = t.find("## Jeffreys prior").expect("jeffreys section");
    t[a..b].trim_end().to_string()
}

// ---- every exponential-family row, nothing declared ------------------------------------------------

#[test]
fn catalog_rows_inferred() {
    let mut snapshot = String::new();
    for row in ROWS {
        let mut d = derive(row.attr, row.item);
        assert!(
            d.core.inference_note.is_none(),
            "{}: {:?}",
            row.name,
            d.core.inference_note
        );
        // Every first moment was inferred, and there are exactly the catalog's; the rest of the
        // table are the second moments of T from Cov[T] = ∇²_η A.
        // (one per product of statistics not already known: the normal's x · x is E[x²]).
        let inferred = sources(&d, Source::Inferred);
        assert_eq!(inferred, row.moments.len(), "{}", row.name);
        let by_cov = sources(&d, Source::Covariance);
        assert!(by_cov >= 1, "{}", row.name);
        assert_eq!(
            d.core.table.entries().len(),
            inferred + by_cov,
            "{}",
            row.name
        );
        for (factor, value) in row.moments {
            let (v, source) = entry(&mut d, factor)
                .unwrap_or_else(|| panic!("{}: E[{factor}] not inferred", row.name));
            assert_eq!(source, Source::Inferred);
            assert_identity(&mut d, value, v, &format!("{} E[{factor}]", row.name));
        }
        let k = d.model.params.len();
        for i in 0..k {
            for j in i..k {
                let f = d.core.fisher[i][j];
                assert_identity(
                    &mut d,
                    row.fisher[i][j],
                    f,
                    &format!("{} F[{i}][{j}]", row.name),
                );
            }
        }
        for p in d.model.params.clone() {
            let name = format!("E[score] = 0 for {}", d.model.arena.name(p));
            assert!(
                matches!(outcome(&d, &name), CheckOutcome::Proved(_)),
                "{}: {name}",
                row.name
            );
        }
        snapshot.push_str(&format!(
            "==== {}\n{}\n\n",
            row.name,
            moments_and_fisher(&mut d)
        ));
    }
    insta::assert_snapshot!("catalog_inferred", snapshot);
}

// ---- declared and inferred together ------------------------------------------------------------------

/// Every row with the catalog's moments declared: each is kept as declared (declared wins),
/// nothing is inferred, and E[score] = 0, which for these full-rank families holds exactly when
/// the declared moments are the inferred ones, is proved for every parameter.
#[test]
fn declared_moments_cover_the_score() {
    for row in ROWS {
        let decl: Vec<String> = row
            .moments
            .iter()
            .map(|(f, v)| format!("E[{f}] = {v}"))
            .collect();
        let attr = format!("{}, moments({})", row.attr, decl.join(", "));
        let mut d = derive(&attr, row.item);
        for (factor, _) in row.moments {
            let (_, source) = entry(&mut d, factor).expect("in the table");
            assert_eq!(source, Source::Declared, "{} E[{factor}]", row.name);
        }
        for e in d.core.table.entries() {
            assert_ne!(e.source, Source::Inferred, "{}", row.name);
        }
        for p in d.model.params.clone() {
            let name = format!("E[score] = 0 for {}", d.model.arena.name(p));
            assert!(
                matches!(outcome(&d, &name), CheckOutcome::Proved(_)),
                "{}: {name}",
                row.name
            );
        }
    }
}

/// Both exist: the normal with only E[x] declared. E[x²] is inferred, E[x] is kept as declared
/// and checked against the inference; the check is in `checks` and proved.
#[test]
fn declared_moment_is_checked_against_the_inferred_one() {
    let mut d = derive(
        "params(mu, sigma), data(x), moments(E[x] = mu)",
        ROWS[5].item,
    );
    assert_eq!(entry(&mut d, "x").unwrap().1, Source::Declared);
    let (v, source) = entry(&mut d, "x.powi(2)").unwrap();
    assert_eq!(source, Source::Inferred);
    assert_identity(&mut d, "mu.powi(2) + sigma.powi(2)", v, "E[x²]");
    assert!(matches!(
        outcome(
            &d,
            "declared E[x] agrees with the exponential-family inference"
        ),
        CheckOutcome::Proved(_)
    ));
}

/// Both exist and disagree (E[x] = 2μ for the normal): an error that shows both forms and a
/// point where they differ.
#[test]
fn declared_moment_contradicting_inference_is_an_error() {
    let err = Derivation::from_source(
        "params(mu, sigma), data(x), moments(E[x] = 2.0 * mu)",
        ROWS[5].item,
    )
    .expect_err("an error");
    let msgs: Vec<String> = err.into_iter().map(|e| e.to_string()).collect();
    assert!(
        msgs.iter().any(|m| m.starts_with(
            "declared E[x] agrees with the exponential-family inference fails: stated `2.0 * mu` but derived `mu`"
        ) && m.contains("differ at mu = ")),
        "{msgs:#?}"
    );
}

/// A wrong declared moment that covers the score (Poisson, E[x] = 2λ): E[score] = 0 fails for
/// `lambda`, with the residue E[x/λ − 1] = 1.
#[test]
fn wrong_declared_moment_fails_the_score_check() {
    let err = Derivation::from_source(
        "params(lambda), data(x), moments(E[x] = 2.0 * lambda)",
        "fn poisson(x: f64, lambda: f64) -> f64 { x * lambda.ln() - lambda }",
    )
    .expect_err("an error");
    let msgs: Vec<String> = err.into_iter().map(|e| e.to_string()).collect();
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("E[score] = 0 fails for `lambda`")
                && m.contains("E[∂ℓ/∂lambda] = 1.0, not 0")),
        "{msgs:#?}"
    );
}

/// A declared moment written differently from the inferred one (E[x] = 1/p − 1 for the
/// geometric, whose inference gives (1 − p)/p) is kept as declared: its source stays
/// `Declared`, its value is the declared one (simplified for display), and E[score] = 0 holds.
#[test]
fn declared_moment_is_kept() {
    let mut d = derive(
        "params(p), data(x), moments(E[x] = 1.0 / p - 1.0)",
        "fn geometric(x: f64, p: f64) -> f64 { x * (1.0 - p).ln() + p.ln() }",
    );
    let (v, source) = entry(&mut d, "x").unwrap();
    assert_eq!(source, Source::Declared);
    assert_identity(&mut d, "1.0 / p - 1.0", v, "E[x]");
    assert_eq!(print::rust(&d.model.arena, v), "(1.0 - p) / p");
    assert!(matches!(
        outcome(&d, "E[score] = 0 for p"),
        CheckOutcome::Proved(_)
    ));
}

// ---- N(θ, θ): one parameter, one statistic (x²) ------------------------------------------------------

/// The score of N(θ, θ) is (x² − θ − θ²)/(2θ²): the x terms cancel, so it is a full-rank
/// one-parameter exponential family in T = x², and inference gives E[x²] = θ + θ².
/// F = 1/θ + 1/(2θ²).
#[test]
fn normal_theta_theta_inferred() {
    let mut d = derive("params(theta), data(x)", NORMAL_THETA_THETA);
    assert!(d.core.inference_note.is_none());
    assert_eq!(sources(&d, Source::Inferred), 1);
    let (v, source) = entry(&mut d, "x.powi(2)").unwrap();
    assert_eq!(source, Source::Inferred);
    assert_identity(&mut d, "theta + theta.powi(2)", v, "E[x²]");
    let f = d.core.fisher[0][0];
    assert_identity(&mut d, "1.0 / theta + 1.0 / (2.0 * theta.powi(2))", f, "F");
    insta::assert_snapshot!("normal_theta_theta", report::text(&d));
}

/// With `E[x] = theta, Var[x] = theta` declared: E[x²] = θ + θ² is derived, E[score] = 0 (which
/// holds exactly for the inferred E[x²]) is proved, and F = 1/θ + 1/(2θ²).
#[test]
fn normal_theta_theta_declared() {
    let mut d = derive(
        "params(theta), data(x), moments(E[x] = theta, Var[x] = theta)",
        NORMAL_THETA_THETA,
    );
    let (v, source) = entry(&mut d, "x.powi(2)").unwrap();
    assert_eq!(source, Source::Derived);
    assert_identity(&mut d, "theta + theta.powi(2)", v, "E[x²]");
    assert_eq!(entry(&mut d, "x").unwrap().1, Source::Declared);
    let f = d.core.fisher[0][0];
    assert_identity(&mut d, "1.0 / theta + 1.0 / (2.0 * theta.powi(2))", f, "F");
    assert!(matches!(
        outcome(&d, "E[score] = 0 for theta"),
        CheckOutcome::Proved(_)
    ));
}

/// A wrong variance for N(θ, θ) (θ² for θ): E[score] = 0 fails, showing the residue
/// (θ − 1)/(2θ).
#[test]
fn normal_theta_theta_wrong_variance() {
    let err = Derivation::from_source(
        "params(theta), data(x), moments(E[x] = theta, Var[x] = theta.powi(2))",
        NORMAL_THETA_THETA,
    )
    .expect_err("an error");
    let msgs: Vec<String> = err.into_iter().map(|e| e.to_string()).collect();
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("E[score] = 0 fails for `theta`")
                && m.contains("E[∂ℓ/∂theta] = (theta - 1.0) / (2.0 * theta), not 0")),
        "{msgs:#?}"
    );
}

// ---- N(θ, θ²): curved ----------------------------------------------------------------------------------

/// The score of N(θ, θ²) is linear in x and x² for one parameter: a curved family. Inference
/// declines with a note that says so, and the missing-moment errors carry the reason.
#[test]
fn curved_family_declines() {
    let err = Derivation::from_source("params(theta), data(x)", NORMAL_THETA_THETA2)
        .expect_err("moments are missing");
    let msgs: Vec<String> = err.into_iter().map(|e| e.to_string()).collect();
    let why = "; it cannot be inferred: the score is linear in 2 data statistics (x, x.powi(2)) \
               but there is 1 parameter";
    assert_eq!(msgs.len(), 2, "{msgs:#?}");
    assert!(msgs[0].starts_with("needs E[x]: add `E[x] = …` to moments(..)"));
    assert!(msgs[1].starts_with("needs E[x.powi(2)]: add `E[x.powi(2)] = …` to moments(..)"));
    for m in &msgs {
        assert!(m.contains(why), "{m}");
    }

    // With the moments declared it derives; they cover the score, so inference does not run.
    let d = derive(
        "params(theta), data(x), moments(E[x] = theta, Var[x] = theta.powi(2))",
        NORMAL_THETA_THETA2,
    );
    assert!(d.core.inference_note.is_none());
    for e in d.core.table.entries() {
        assert_ne!(e.source, Source::Inferred);
    }
}

/// A derivation that succeeds while inference declines: the score is linear in two statistics
/// (x, y) for one parameter, the Hessian needs only E[y]. The note is kept in the derivation
/// and shown in the report; E[score] = 0 is skipped for want of E[x], and says so.
#[test]
fn inference_note_in_a_successful_derivation() {
    let mut d = derive(
        "params(theta), data(x, y), moments(E[y] = theta)",
        "fn f(x: f64, y: f64, theta: f64) -> f64 { theta * x + theta.ln() * y - theta }",
    );
    let note = d.core.inference_note.clone().expect("a note");
    assert!(
        note.starts_with(
            "the score is linear in 2 data statistics (y, x) but there is 1 parameter"
        ),
        "{note}"
    );
    assert!(report::text(&d).contains(&format!("- exponential-family inference declined: {note}")));
    let f = d.core.fisher[0][0];
    assert_identity(&mut d, "1.0 / theta", f, "F");
    match outcome(&d, "E[score] = 0 for theta") {
        CheckOutcome::Skipped(why) => assert!(why.contains("E[x]"), "{why}"),
        o => panic!("{o:?}"),
    }
}

/// Two parameters that enter only through their sum: the score has one data statistic for two
/// parameters, but the two equations of E[score] = 0 agree, so E[x] = a + b is inferred
/// (commit ff963f4: K equations in fewer statistics, when consistent). F is singular, every
/// entry 1/(a + b), and the Jeffreys log density is −∞ (DESIGN §2: legitimate).
#[test]
fn non_identifiable_is_inferred_and_singular() {
    let mut d = derive(
        "params(a, b), data(x)",
        "fn f(x: f64, a: f64, b: f64) -> f64 { x * (a + b).ln() - (a + b) }",
    );
    let (v, source) = entry(&mut d, "x").expect("E[x]");
    assert_eq!(source, Source::Inferred);
    assert_identity(&mut d, "a + b", v, "E[x]");
    for i in 0..2 {
        for j in 0..2 {
            let f = d.core.fisher[i][j];
            assert_identity(&mut d, "1.0 / (a + b)", f, &format!("F[{i}][{j}]"));
        }
    }
    let Jeffreys::Closed { expr, .. } = d.core.jeffreys.clone() else {
        panic!("a closed form")
    };
    let env = [
        (d.model.arena.find_symbol("a").unwrap(), 0.7),
        (d.model.arena.find_symbol("b").unwrap(), 1.1),
    ]
    .into_iter()
    .collect();
    let j = d.model.arena.eval(expr, &env);
    assert!(
        j == f64::NEG_INFINITY,
        "J = {j}: `{}`",
        print::rust(&d.model.arena, expr)
    );
}
