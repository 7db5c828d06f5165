//! Following the engine's own advice always works: start a model with no moments (or a partial
//! set), read each error's "add `E[..] = …`", declare exactly those expectations with their
//! true values, and the model derives, with the F of the full declaration.
//!
//! The true values come from the full declaration (hand-derived, written here), through
//! [`Derivation::expectation_of`]: what the table built from the full set says `E[..]` of the
//! suggested expression is. A suggestion the full declaration cannot evaluate fails the test,
//! so the advice must name expectations a user who knows the distribution can supply. The
//! final F is proved equal to the full declaration's and, for the families outside the
//! catalog, to the textbook formula.

use fim_core::model::Derivation;
use fim_core::print;

mod common;
use common::{assert_identity, derive};

#[path = "common/catalog.rs"]
mod catalog;

/// A model: attribute without moments, function, the full set of moments, the moments to start
/// from, and the textbook F (upper triangle read), when there is one to check.
struct Case<'a> {
    name: &'a str,
    base: &'a str,
    item: &'a str,
    full: &'a [&'a str],
    start: &'a [&'a str],
    fisher: &'a [&'a [&'a str]],
}

fn attr(base: &str, moments: &[String]) -> String {
    if moments.is_empty() {
        base.to_string()
    } else {
        format!("{base}, moments({})", moments.join(", "))
    }
}

/// The expressions inside "add `E[..] = …`" of each message.
fn suggestions(messages: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for m in messages {
        let mut rest = m.as_str();
        while let Some(at) = rest.find("add `E[") {
            let tail = &rest[at + "add `E[".len()..];
            let end = tail.find("] = …`").expect("a suggestion ends with `] = …`");
            out.push(tail[..end].to_string());
            rest = &tail[end..];
        }
    }
    out
}

/// Runs the advice loop for `case`; returns how many rounds of errors it took.
fn follow(case: &Case, full: &mut Derivation) -> usize {
    let mut declared: Vec<String> = case.start.iter().map(|s| s.to_string()).collect();
    for round in 0..4 {
        let a = attr(case.base, &declared);
        match Derivation::from_source(&a, case.item) {
            Ok(mut d) => {
                let k = d.params().len();
                for i in 0..k {
                    for j in i..k {
                        let want = print::rust(full.arena(), full.core.fisher[i][j]);
                        let got = d.core.fisher[i][j];
                        let what = format!("{}: F[{i}][{j}] after {round} rounds", case.name);
                        assert_identity(&mut d, &want, got, &what);
                    }
                }
                assert_eq!(d.reparams.len(), full.reparams.len(), "{}", case.name);
                for (r, fr) in full.reparams.iter().enumerate() {
                    for i in 0..k {
                        for j in i..k {
                            let want = print::rust(full.arena(), fr.fisher[i][j]);
                            let got = d.reparams[r].fisher[i][j];
                            let what = format!("{}: reparam F[{i}][{j}]", case.name);
                            assert_identity(&mut d, &want, got, &what);
                        }
                    }
                }
                return round;
            }
            Err(err) => {
                let messages: Vec<String> = err.into_iter().map(|e| e.to_string()).collect();
                let asked = suggestions(&messages);
                assert!(
                    !asked.is_empty(),
                    "{}: errors without advice:\n{}",
                    case.name,
                    messages.join("\n")
                );
                for s in asked {
                    let value = full.expectation_of(&s).unwrap_or_else(|e| {
                        panic!(
                            "{}: the advice asks for E[{s}], which the full declaration \
                             cannot evaluate ({e}); messages:\n{}",
                            case.name,
                            messages.join("\n")
                        )
                    });
                    let moment = format!("E[{s}] = {}", print::rust(full.arena(), value));
                    assert!(
                        !declared.contains(&moment),
                        "{}: asked again for {moment}:\n{}",
                        case.name,
                        messages.join("\n")
                    );
                    declared.push(moment);
                }
            }
        }
    }
    panic!("{}: still failing after 4 rounds of advice", case.name)
}

fn full_of(case: &Case) -> Derivation {
    let full: Vec<String> = case.full.iter().map(|s| s.to_string()).collect();
    let mut d = derive(&attr(case.base, &full), case.item);
    let k = d.params().len();
    for (i, row) in case.fisher.iter().enumerate() {
        for j in i..k {
            let f = d.core.fisher[i][j];
            assert_identity(
                &mut d,
                row[j],
                f,
                &format!("{}: textbook F[{i}][{j}]", case.name),
            );
        }
    }
    d
}

const GUMBEL: &str = "fn gumbel(x: f64, mu: f64, beta: f64) -> f64 { let z = (x - mu) / beta; -beta.ln() - z - (-z).exp() }";
const WEIBULL: &str = "fn weibull(x: f64, k: f64, lam: f64) -> f64 { k.ln() - k * lam.ln() + (k - 1.0) * x.ln() - (x / lam).powf(k) }";
const STUDENT: &str = "fn student_t(x: f64, mu: f64, nu: f64, sigma: f64) -> f64 { let z = (x - mu) / sigma; let w = 1.0 / (1.0 + z.powi(2) / nu); (nu + 1.0) / 2.0 * w.ln() - sigma.ln() }";
const CAUCHY: &str = "fn cauchy(x: f64, mu: f64, gamma: f64) -> f64 { -(gamma.powi(2) + (x - mu).powi(2)).ln() + gamma.ln() }";
const LOGISTIC: &str = "fn logistic(x: f64, mu: f64, s: f64) -> f64 { let z = (x - mu) / s; -z - 2.0 * (1.0 + (-z).exp()).ln() - s.ln() }";
const HARDY_WEINBERG: &str = "fn hardy_weinberg(x1: f64, x2: f64, theta: f64, n: f64) -> f64 { (2.0 * x1 + x2) * theta.ln() + (x2 + 2.0 * (n - x1 - x2)) * (1.0 - theta).ln() }";
const NORMAL_THETA_THETA2: &str = "fn normal_cv(x: f64, theta: f64) -> f64 { -theta.ln() - (x - theta).powi(2) / (2.0 * theta.powi(2)) }";

// The moments and formulas are those of tests/test_moments_by_meaning.rs, derived there.
const GUMBEL_FULL: &[&str] = &[
    "E[(-z).exp()] = 1.0",
    "E[z] = 0.5772156649015329",
    "E[z * (-z).exp()] = 0.5772156649015329 - 1.0",
    "E[z.powi(2) * (-z).exp()] = PI.powi(2) / 6.0 - 1.0 + (1.0 - 0.5772156649015329).powi(2)",
];
const WEIBULL_FULL: &[&str] = &[
    "E[x.powf(k)] = lam.powf(k)",
    "E[x.powf(k) * x.ln()] = lam.powf(k) * (lam.ln() + (1.0 - 0.5772156649015329) / k)",
    "E[x.powf(k) * x.ln().powi(2)] = lam.powf(k) * (lam.ln().powi(2) + 2.0 * lam.ln() * (1.0 - 0.5772156649015329) / k + (PI.powi(2) / 6.0 - 1.0 + (1.0 - 0.5772156649015329).powi(2)) / k.powi(2))",
];
const STUDENT_FULL: &[&str] = &[
    "E[w] = nu / (nu + 1.0)",
    "E[w.powi(2)] = nu * (nu + 2.0) / ((nu + 1.0) * (nu + 3.0))",
    "E[z * w.powi(2)] = 0.0",
    "E[z.powi(2) * w.powi(2)] = nu.powi(2) / ((nu + 1.0) * (nu + 3.0))",
];
const CAUCHY_FULL: &[&str] = &[
    "E[1.0 / (1.0 + ((x - mu) / gamma).powi(2))] = 0.5",
    "E[(1.0 + ((x - mu) / gamma).powi(2)).powi(-2)] = 0.375",
    "E[(x - mu) / gamma / (1.0 + ((x - mu) / gamma).powi(2)).powi(2)] = 0.0",
    "E[((x - mu) / gamma).powi(2) / (1.0 + ((x - mu) / gamma).powi(2)).powi(2)] = 0.125",
];
const LOGISTIC_FULL: &[&str] = &["E[(-2.0 * z).exp() / (1.0 + (-z).exp()).powi(2)] = 1.0 / 3.0"];
const GUMBEL_F: &[&[&str]] = &[
    &[
        "1.0 / beta.powi(2)",
        "(0.5772156649015329 - 1.0) / beta.powi(2)",
    ],
    &[
        "",
        "(PI.powi(2) / 6.0 + (1.0 - 0.5772156649015329).powi(2)) / beta.powi(2)",
    ],
];
const WEIBULL_F: &[&[&str]] = &[
    &[
        "(PI.powi(2) / 6.0 + (1.0 - 0.5772156649015329).powi(2)) / k.powi(2)",
        "-(1.0 - 0.5772156649015329) / lam",
    ],
    &["", "k.powi(2) / lam.powi(2)"],
];

fn cases() -> Vec<Case<'static>> {
    vec![
        Case {
            name: "gumbel",
            base: "params(mu, beta), data(x)",
            item: GUMBEL,
            full: GUMBEL_FULL,
            start: &[],
            fisher: GUMBEL_F,
        },
        Case {
            name: "gumbel, the first moment given",
            base: "params(mu, beta), data(x)",
            item: GUMBEL,
            full: GUMBEL_FULL,
            start: &["E[(-(x - mu) / beta).exp()] = 1.0"],
            fisher: GUMBEL_F,
        },
        Case {
            name: "weibull",
            base: "params(k, lam), data(x)",
            item: WEIBULL,
            full: WEIBULL_FULL,
            start: &[],
            fisher: WEIBULL_F,
        },
        Case {
            name: "weibull with its rate",
            base: "params(k, lam), data(x), reparam(rate(k = k, lam = b.powf(-1.0 / k)))",
            item: WEIBULL,
            full: WEIBULL_FULL,
            start: &["E[x.powf(k)] = lam.powf(k)"],
            fisher: WEIBULL_F,
        },
        Case {
            name: "student-t location",
            base: "params(mu), data(x)",
            item: STUDENT,
            full: STUDENT_FULL,
            start: &[],
            fisher: &[&["(nu + 1.0) / ((nu + 3.0) * sigma.powi(2))"]],
        },
        Case {
            name: "cauchy location",
            base: "params(mu), data(x)",
            item: CAUCHY,
            full: CAUCHY_FULL,
            start: &[],
            fisher: &[&["1.0 / (2.0 * gamma.powi(2))"]],
        },
        Case {
            name: "logistic location",
            base: "params(mu), data(x)",
            item: LOGISTIC,
            full: LOGISTIC_FULL,
            start: &[],
            fisher: &[&["1.0 / (3.0 * s.powi(2))"]],
        },
        Case {
            name: "hardy-weinberg",
            base: "params(theta), data(x1, x2)",
            item: HARDY_WEINBERG,
            full: &[],
            start: &[],
            fisher: &[&["2.0 * n / (theta * (1.0 - theta))"]],
        },
        Case {
            name: "normal(θ, θ²)",
            base: "params(theta), data(x)",
            item: NORMAL_THETA_THETA2,
            full: &["E[x] = theta", "Var[x] = theta.powi(2)"],
            start: &[],
            fisher: &[&["3.0 / theta.powi(2)"]],
        },
        Case {
            name: "normal(θ, θ²), a moment with two unknowns",
            base: "params(theta), data(x)",
            item: NORMAL_THETA_THETA2,
            full: &["E[x] = theta", "Var[x] = theta.powi(2)"],
            start: &["E[x.powi(2) + x] = 2.0 * theta.powi(2) + theta"],
            fisher: &[&["3.0 / theta.powi(2)"]],
        },
    ]
}

/// The families outside the catalog: each starts failing (but Hardy–Weinberg, inferred) and
/// derives once the advice is followed.
#[test]
fn following_the_advice_derives_every_family() {
    for case in cases() {
        let mut full = full_of(&case);
        let rounds = follow(&case, &mut full);
        if case.name == "hardy-weinberg" {
            assert_eq!(rounds, 0, "{}: inferred, no advice needed", case.name);
        } else {
            assert!(rounds >= 1, "{}: expected to need moments", case.name);
        }
    }
}

/// Every catalog row, with no moments and with each declared moment left out in turn: what
/// is not inferred is asked for, and the advice leads to the catalog's F.
#[test]
fn following_the_advice_derives_the_catalog() {
    for &(name, a, item) in catalog::CATALOG {
        let (base, moments) = a
            .split_once(", moments(")
            .unwrap_or_else(|| panic!("{name}: a catalog row declares its moments"));
        let moments = moments.strip_suffix(')').expect("moments(..) is last");
        let full: Vec<&str> = split_moments(moments);
        let starts: Vec<Vec<&str>> = std::iter::once(Vec::new())
            .chain((0..full.len()).map(|skip| {
                full.iter()
                    .enumerate()
                    .filter(|(i, _)| *i != skip)
                    .map(|(_, m)| *m)
                    .collect()
            }))
            .collect();
        for start in &starts {
            let case = Case {
                name,
                base,
                item,
                full: &full,
                start,
                fisher: &[],
            };
            let mut d = full_of(&case);
            follow(&case, &mut d);
        }
    }
}

/// The top-level commas of a moments list.
fn split_moments(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut from) = (0i32, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(s[from..i].trim());
                from = i + 1;
            }
            _ => {}
        }
    }
    out.push(s[from..].trim());
    out
}

/// Where the derivation would need a moment nobody knows in closed form, the advice says so:
/// the negative binomial in its shape r needs E[ψ₁(x + r)], an infinite series.
#[test]
fn advice_says_when_no_closed_form_exists() {
    let r = Derivation::from_source(
        "params(r, p), data(x)",
        "fn negative_binomial(x: f64, r: f64, p: f64) -> f64 { ln_gamma(x + r) - ln_gamma(r) + r * p.ln() + x * (1.0 - p).ln() }",
    );
    let messages: Vec<String> = r
        .expect_err("E[trigamma(x + r)] is not known")
        .into_iter()
        .map(|e| e.to_string())
        .collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    let m = &messages[0];
    assert!(
        m.starts_with("needs E[trigamma(r + x)]: add `E[trigamma(r + x)] = …`"),
        "{m}"
    );
    assert!(m.contains("in general no closed form"), "{m}");
    // A moment in closed form carries no such note.
    let r = Derivation::from_source("params(mu, beta), data(x)", GUMBEL);
    for e in r.expect_err("the Gumbel needs moments") {
        assert!(!e.to_string().contains("no closed form"), "{e}");
    }
}
