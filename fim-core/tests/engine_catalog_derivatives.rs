//! First and second derivatives of every log-likelihood of shared/catalog.md, each checked
//! twice: an insta snapshot of the printed (simplified) form, and an identity proof
//! (`equiv` must answer `Proved`) against the derivative written by hand below, as source text.
//!
//! The hand derivatives were worked out on paper from the catalog's bodies; they are spelled
//! differently from the engine's output on purpose (unexpanded, other term order).

use fim_core::equiv::{equiv, Method, SampleDomain, Verdict};
use fim_core::parse::parse_str;
use fim_core::simplify::{simplify, Domain};
use fim_core::{print, Arena, Id};

/// One catalog row.
struct Row<'a> {
    /// Snapshot name.
    name: &'a str,
    params: &'a [&'a str],
    body: &'a str,
    /// Expressions positive where the log-likelihood is defined (arguments of ln, parameters).
    positive: &'a [&'a str],
    /// `∂l/∂θᵢ` by hand, in `params` order.
    first: &'a [&'a str],
    /// `∂²l/∂θᵢ∂θⱼ` by hand for i ≤ j, in row-major order.
    second: &'a [&'a str],
}

fn p(a: &mut Arena, src: &str) -> Id {
    parse_str(a, src).unwrap_or_else(|e| panic!("cannot parse `{src}`: {e}"))
}

/// Proves `engine = hand` (both the raw and the simplified engine result) and returns the
/// method that proved the simplified one.
fn prove(
    a: &mut Arena,
    domain: &Domain,
    samples: &SampleDomain,
    what: &str,
    raw: Id,
    simplified: Id,
    hand: &str,
) -> Method {
    let h = p(a, hand);
    let mut method = None;
    for (label, id) in [("raw", raw), ("simplified", simplified)] {
        match equiv(a, domain, samples, id, h) {
            Verdict::Proved(m) => method = Some(m),
            v => panic!(
                "{what} ({label}): engine `{}` is not hand `{hand}`: {v:?}",
                print::rust(a, id)
            ),
        }
    }
    method.expect("proved")
}

/// Derives, checks against the hand forms, and returns the snapshot text.
fn derive(row: &Row) -> String {
    let mut a = Arena::new();
    let l = p(&mut a, row.body);
    let mut domain = Domain::new();
    let mut positive = Vec::new();
    for fact in row.positive {
        let f = p(&mut a, fact);
        domain.assume_positive(&mut a, f);
        positive.push(f);
    }
    let samples = SampleDomain { positive };
    let syms: Vec<_> = row.params.iter().map(|s| a.symbol(s)).collect();
    assert_eq!(
        row.first.len(),
        syms.len(),
        "{}: hand first derivatives",
        row.name
    );
    assert_eq!(
        row.second.len(),
        syms.len() * (syms.len() + 1) / 2,
        "{}: hand second derivatives",
        row.name
    );

    let mut out = format!("log-likelihood: {}\n", row.body);
    let mut methods = Vec::new();
    let mut second = row.second.iter();
    for (i, &si) in syms.iter().enumerate() {
        let di = a.diff(l, si);
        let sdi = simplify(&mut a, &domain, di);
        let what = format!("{}: d/d{}", row.name, row.params[i]);
        methods.push(prove(
            &mut a,
            &domain,
            &samples,
            &what,
            di,
            sdi,
            row.first[i],
        ));
        out += &format!(
            "\nd/d{}:\n  {}\n  {}\n",
            row.params[i],
            print::rust(&a, sdi),
            print::latex(&a, sdi)
        );
        for (j, &sj) in syms.iter().enumerate().skip(i) {
            let dij = a.diff(di, sj);
            let sdij = simplify(&mut a, &domain, dij);
            let what = format!("{}: d2/d{}d{}", row.name, row.params[i], row.params[j]);
            let hand = second.next().expect("hand second derivative");
            methods.push(prove(&mut a, &domain, &samples, &what, dij, sdij, hand));
            out += &format!(
                "\nd2/d{}d{}:\n  {}\n  {}\n",
                row.params[i],
                row.params[j],
                print::rust(&a, sdij),
                print::latex(&a, sdij)
            );
        }
    }
    // Every one of these is a rational function of the parameters, data and ψ's: the canonical
    // form must prove it, without falling back to sampling.
    assert!(
        methods.iter().all(|m| *m == Method::Canonical),
        "{}: {methods:?}",
        row.name
    );
    out
}

#[test]
fn bernoulli() {
    let text = derive(&Row {
        name: "bernoulli",
        params: &["p"],
        body: "x * p.ln() + (1.0 - x) * (1.0 - p).ln()",
        positive: &["p", "1.0 - p"],
        first: &["x / p - (1.0 - x) / (1.0 - p)"],
        second: &["-x / p.powi(2) - (1.0 - x) / (1.0 - p).powi(2)"],
    });
    insta::assert_snapshot!("bernoulli", text);
}

#[test]
fn binomial() {
    let text = derive(&Row {
        name: "binomial",
        params: &["theta"],
        body: "x * theta.ln() + (n - x) * (1.0 - theta).ln()",
        positive: &["theta", "1.0 - theta", "n"],
        first: &["x / theta - (n - x) / (1.0 - theta)"],
        second: &["-(x / theta.powi(2)) - (n - x) / ((1.0 - theta) * (1.0 - theta))"],
    });
    insta::assert_snapshot!("binomial", text);
}

#[test]
fn binomial_in_odds() {
    let text = derive(&Row {
        name: "binomial_in_odds",
        params: &["phi"],
        body: "x * phi.ln() - n * (1.0 + phi).ln()",
        positive: &["phi", "n"],
        first: &["x / phi - n / (1.0 + phi)"],
        second: &["n / (1.0 + phi).powi(2) - x / phi.powi(2)"],
    });
    insta::assert_snapshot!("binomial_in_odds", text);
}

#[test]
fn poisson() {
    let text = derive(&Row {
        name: "poisson",
        params: &["lambda"],
        body: "x * lambda.ln() - lambda",
        positive: &["lambda"],
        first: &["x / lambda - 1.0"],
        second: &["-x * lambda.powi(-2)"],
    });
    insta::assert_snapshot!("poisson", text);
}

#[test]
fn exponential() {
    let text = derive(&Row {
        name: "exponential",
        params: &["lambda"],
        body: "lambda.ln() - lambda * x",
        positive: &["lambda"],
        first: &["lambda.recip() - x"],
        second: &["-1.0 / (lambda * lambda)"],
    });
    insta::assert_snapshot!("exponential", text);
}

#[test]
fn normal() {
    let text = derive(&Row {
        name: "normal",
        params: &["mu", "sigma"],
        body: "-sigma.ln() - (x - mu).powi(2) / (2.0 * sigma.powi(2))",
        positive: &["sigma"],
        first: &[
            "(x - mu) / sigma.powi(2)",
            "-1.0 / sigma + (x - mu).powi(2) / sigma.powi(3)",
        ],
        second: &[
            "-1.0 / sigma.powi(2)",
            "-2.0 * (x - mu) / sigma.powi(3)",
            "1.0 / sigma.powi(2) - 3.0 * (x - mu).powi(2) / sigma.powi(4)",
        ],
    });
    insta::assert_snapshot!("normal", text);
}

#[test]
fn normal_variance() {
    let text = derive(&Row {
        name: "normal_variance",
        params: &["mu", "v"],
        body: "-0.5 * v.ln() - (x - mu).powi(2) / (2.0 * v)",
        positive: &["v"],
        first: &[
            "(x - mu) / v",
            "-1.0 / (2.0 * v) + (x - mu).powi(2) / (2.0 * v.powi(2))",
        ],
        second: &[
            "-1.0 / v",
            "-(x - mu) / v.powi(2)",
            "1.0 / (2.0 * v.powi(2)) - (x - mu).powi(2) / v.powi(3)",
        ],
    });
    insta::assert_snapshot!("normal_variance", text);
}

#[test]
fn geometric() {
    let text = derive(&Row {
        name: "geometric",
        params: &["p"],
        body: "x * (1.0 - p).ln() + p.ln()",
        positive: &["p", "1.0 - p"],
        first: &["1.0 / p - x / (1.0 - p)"],
        second: &["-1.0 / p.powi(2) - x / (1.0 - p).powi(2)"],
    });
    insta::assert_snapshot!("geometric", text);
}

#[test]
fn gamma() {
    let text = derive(&Row {
        name: "gamma",
        params: &["alpha", "beta"],
        body: "alpha * beta.ln() - ln_gamma(alpha) + (alpha - 1.0) * x.ln() - beta * x",
        positive: &["alpha", "beta", "x"],
        first: &["beta.ln() + x.ln() - digamma(alpha)", "alpha / beta - x"],
        second: &["-trigamma(alpha)", "1.0 / beta", "-alpha / beta.powi(2)"],
    });
    insta::assert_snapshot!("gamma", text);
}

#[test]
fn beta() {
    let text = derive(&Row {
        name: "beta",
        params: &["a", "b"],
        body: "ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + (a - 1.0) * x.ln() \
               + (b - 1.0) * (1.0 - x).ln()",
        positive: &["a", "b", "x", "1.0 - x"],
        first: &[
            "digamma(a + b) - digamma(a) + x.ln()",
            "digamma(b + a) - digamma(b) + (1.0 - x).ln()",
        ],
        second: &[
            "trigamma(a + b) - trigamma(a)",
            "trigamma(a + b)",
            "trigamma(a + b) - trigamma(b)",
        ],
    });
    insta::assert_snapshot!("beta", text);
}

#[test]
fn multinomial_3() {
    let text = derive(&Row {
        name: "multinomial_3",
        params: &["p1", "p2"],
        body: "x1 * p1.ln() + x2 * p2.ln() + (n - x1 - x2) * (1.0 - p1 - p2).ln()",
        positive: &["p1", "p2", "1.0 - p1 - p2", "n"],
        first: &[
            "x1 / p1 - (n - x1 - x2) / (1.0 - p1 - p2)",
            "x2 / p2 - (n - x1 - x2) / (1.0 - p1 - p2)",
        ],
        second: &[
            "-x1 / p1.powi(2) - (n - x1 - x2) / (1.0 - p1 - p2).powi(2)",
            "-(n - x1 - x2) / (1.0 - p1 - p2).powi(2)",
            "-x2 / p2.powi(2) - (n - x1 - x2) / (1.0 - p1 - p2).powi(2)",
        ],
    });
    insta::assert_snapshot!("multinomial_3", text);
}

/// The hand forms are not vacuous: a wrong one is caught, with a point.
#[test]
fn a_wrong_hand_derivative_is_caught() {
    let mut a = Arena::new();
    let l = p(&mut a, "x * theta.ln() + (n - x) * (1.0 - theta).ln()");
    let t = a.symbol("theta");
    let d = a.diff(l, t);
    let wrong = p(&mut a, "x / theta + (n - x) / (1.0 - theta)");
    let (th, omt) = (p(&mut a, "theta"), p(&mut a, "1.0 - theta"));
    let samples = SampleDomain {
        positive: vec![th, omt],
    };
    let v = equiv(&mut a, &Domain::new(), &samples, d, wrong);
    assert!(matches!(v, Verdict::Differs { .. }), "{v:?}");
}
