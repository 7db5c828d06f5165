//! Resource budgets (`fim_core::budget`): each input of issue 15 that once panicked, hung or
//! grew without bound now ends quickly in a spanned error naming the term, or in the right
//! value with the huge power kept symbolic. Each case runs in a thread with a deadline, so a
//! regression fails the test instead of hanging the suite (the deadline is generous for debug
//! builds; the release figures, all under 10 ms and 40 MB, come from the `expand_one` example
//! under `/usr/bin/time -v`).

use std::collections::HashMap;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use fim_core::model::Derivation;

/// A debug build is ~10× slower than release: the budgets keep every case far below this.
const DEADLINE: Duration = Duration::from_secs(20);

/// Runs `f` in a thread; fails when it panics or misses the deadline.
fn within_deadline<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let what: String = what.chars().take(120).collect();
    let (tx, rx) = mpsc::channel();
    let start = Instant::now();
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            let _ = tx.send(f());
        })
        .expect("spawn");
    match rx.recv_timeout(DEADLINE) {
        Ok(v) => v,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("`{what}` took longer than {DEADLINE:?}")
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            panic!("`{what}` panicked after {:?}", start.elapsed())
        }
    }
}

/// The errors of a derivation as (message, line, column of the span's start).
fn errors(attr: &str, item: &str) -> Vec<(String, usize, usize)> {
    let (a, i) = (attr.to_string(), item.to_string());
    within_deadline(item, move || match Derivation::from_source(&a, &i) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .into_iter()
            .map(|e| {
                let s = e.span().start();
                (e.to_string(), s.line, s.column)
            })
            .collect(),
    })
}

/// `item` fails with a first error containing `msg`, at the first occurrence of `at` in
/// `src` (`src` is the attribute or the item, each lexed from line 1, column 0).
fn rejects(attr: &str, item: &str, msg: &str, src: &str, at: &str) {
    let errs = errors(attr, item);
    let Some((text, line, col)) = errs.first() else {
        panic!("`{item}` was accepted");
    };
    let short: String = item.chars().take(120).collect();
    assert!(text.contains(msg), "`{short}`: `{text}` lacks `{msg}`");
    let want = src.find(at).expect("`at` in the source");
    assert_eq!(
        (*line, *col),
        (1, want),
        "`{short}`: `{text}` points elsewhere"
    );
}

const P: &str = "params(theta), data(x)";

/// `start`, then `lines` chained `let t = t * t + t;`, then `tail`: the swell pattern.
fn chained(start: &str, lines: usize, tail: &str) -> String {
    let mut b = String::from(start);
    for _ in 0..lines {
        b.push_str(" let t = t * t + t;");
    }
    b.push(' ');
    b.push_str(tail);
    b
}

fn body(b: &str) -> String {
    format!("fn f(x: f64, theta: f64) -> f64 {{ {b} }}")
}

const POWI: &str = "is beyond the engine's budget of ±8192";

#[test]
fn huge_powi_exponents_are_spanned_errors() {
    for (term, exponent) in [
        // Once: out of memory in the bignum power of the simplifier.
        ("theta * 10.0.powi(-2147483648)", "-2147483648"),
        // Once: hangs of exact powers.
        ("theta * 10.0.powi(2147483647)", "2147483647"),
        ("theta * 1.5.powi(1000000)", "1000000"),
        ("theta * 2.0.powi(1000000)", "1000000"),
        ("((theta + 1.0) / (theta + 2.0)).powi(1000000)", "1000000"),
        ("theta.powi(8193)", "8193"),
    ] {
        let item = body(&format!("x * theta.ln() - {term}"));
        rejects(P, &item, POWI, &item, exponent);
    }
}

#[test]
fn the_powi_budget_admits_its_edge() {
    let item = body("x * theta.ln() - theta.powi(8192) - 2.0.powi(-8192) * theta");
    assert_eq!(errors(P, &item), Vec::new());
}

#[test]
fn a_huge_power_in_verify_is_a_spanned_error() {
    let attr = "params(theta), data(x), moments(E[x] = theta), \
                verify(jeffreys = 10.0.powi(-1000000000))";
    let item = body("x * theta.ln() - theta");
    rejects(attr, &item, POWI, attr, "-1000000000");
}

#[test]
fn literals_with_too_many_digits_are_spanned_errors() {
    // Once: 45 s of exact parsing.
    let digits = "1".repeat(100_000);
    let item = body(&format!("x * theta.ln() - theta * {digits}.0"));
    rejects(
        P,
        &item,
        "literal with 100001 digits is beyond the engine's budget of 800",
        &item,
        &digits,
    );
    // The longest exact f64 literals stay exact: f64::MAX written out has 309 digits.
    let max = format!("{:.0}", f64::MAX);
    assert_eq!(max.len(), 309);
    let item = body(&format!("x * theta.ln() - theta / {max}.0"));
    assert_eq!(errors(P, &item), Vec::new());
}

#[test]
fn chained_squares_exceed_the_expansion_budget() {
    // Ten chained `t = t * t + t` (degree 1024, 1025 terms) once took 9.5 s and 212 MB; 14 to
    // 20 lines minutes and gigabytes. The estimate refuses the tenth line before any work.
    for lines in [10, 14, 20] {
        let b = chained("let t = theta;", lines, "x * theta.ln() - t");
        let item = body(&b);
        let errs = errors(P, &item);
        let (text, line, col) = &errs[0];
        assert!(
            text.contains("this expression expands to more than 1024 terms (about 1025"),
            "{lines} lines: {text}"
        );
        // The tenth `let`'s value, written after nine others.
        let tenth = item.match_indices("t * t + t").nth(9).expect("ten lines").0;
        assert_eq!((*line, *col), (1, tenth), "{lines} lines: {text}");
    }
    // Nine lines (513 terms) are within the budget and derive.
    let b = chained("let t = theta;", 9, "x * theta.ln() - t");
    assert_eq!(errors(P, &body(&b)), Vec::new());
}

/// F[0][0] at θ of `x ln θ − g(θ)` with E[x] = `mean` (θ g'(θ), so that E[score] = 0).
fn fisher_at(g: &str, mean: &str, theta: f64) -> f64 {
    let item = body(&format!("x * theta.ln() - {g}"));
    let attr = format!("params(theta), data(x), moments(E[x] = {mean})");
    within_deadline(&item.clone(), move || {
        let d = Derivation::from_source(&attr, &item).unwrap_or_else(|e| {
            let all: Vec<String> = e.into_iter().map(|e| e.to_string()).collect();
            let all: String = all.join("; ").chars().take(600).collect();
            panic!("`{item}`: {all}")
        });
        let env: HashMap<_, _> = [(d.model.params[0], theta)].into_iter().collect();
        d.model.arena.eval(d.core.fisher[0][0], &env)
    })
}

// F = E[x]/θ² + g''(θ) = θ g'/θ² + g''.

#[test]
fn powers_beyond_exact_arithmetic_stay_symbolic_and_right() {
    let theta: f64 = 1.3;
    // θ^6.4451054454166: the exponent's numerator is ≈ 3·10¹³ (once a hang). F = k² θ^(k−2).
    let k = 6.4451054454166_f64;
    let f = fisher_at(
        "theta.powf(6.4451054454166)",
        "6.4451054454166 * theta.powf(6.4451054454166)",
        theta,
    );
    let want = k * k * theta.powf(k - 2.0);
    assert!((f - want).abs() <= 1e-12 * want, "{f} vs {want}");
    // A constant factor 4^6.445…: F = c/θ.
    let c = 4.0_f64.powf(k);
    let f = fisher_at(
        "theta * 4.0.powf(6.4451054454166)",
        "theta * 4.0.powf(6.4451054454166)",
        theta,
    );
    assert!((f - c / theta).abs() <= 1e-12 * c, "{f} vs {}", c / theta);
    // A rational exponent with a 9-digit numerator.
    let k = 0.123456789_f64;
    let f = fisher_at(
        "theta.powf(0.123456789)",
        "0.123456789 * theta.powf(0.123456789)",
        theta,
    );
    let want = k * k * theta.powf(k - 2.0);
    assert!((f - want).abs() <= 1e-12 * want, "{f} vs {want}");
    // 2^-1000 raised to 1000: the exact constant would have 10⁶ bits; it stays a power.
    let f = fisher_at(
        "theta * (2.0.powi(-1000).powi(1000) + 1.0)",
        "theta * (2.0.powi(-1000).powi(1000) + 1.0)",
        theta,
    );
    assert!((f - 1.0 / theta).abs() <= 1e-15, "{f}");
    // A high power of a sum, written with powf: kept whole, differentiated exactly.
    // g = (1 + θ)^2000 / 2000: g' = (1 + θ)^1999, g'' = 1999 (1 + θ)^1998.
    let t = 0.001_f64;
    let f = fisher_at(
        "(1.0 + theta).powf(2000.0) / 2000.0",
        "theta * (1.0 + theta).powf(1999.0)",
        t,
    );
    let want = (1.0 + t).powi(1999) / t + 1999.0 * (1.0 + t).powi(1998);
    assert!((f - want).abs() <= 1e-12 * want, "{f} vs {want}");
}

#[test]
fn the_largest_f64_in_a_powf_base_is_quick() {
    // Once 7 s in exact division. g = (θ / M)^½: θ g' = g / 2, g'' = −g / (4θ²).
    let m = 1.7976931348623157e308_f64;
    let theta = 4.0_f64;
    let f = fisher_at(
        "(theta / 1.7976931348623157e308).powf(0.5)",
        "0.5 * (theta / 1.7976931348623157e308).powf(0.5)",
        theta,
    );
    let g = (theta / m).sqrt();
    let want = g / 2.0 / (theta * theta) - g / (4.0 * theta * theta);
    assert!(
        (f - want).abs() <= 1e-12 * want.abs().max(1e-300),
        "{f} vs {want}"
    );
}

#[test]
fn powers_of_zero_and_one_fold_whatever_the_exponent() {
    // Found by the fuzzer in CI: `0.0.powf(1e91)` stayed an opaque power (10⁹¹ is beyond exact
    // arithmetic), and eight chained squares of it then took seconds to expand. 0ⁿ = 0,
    // 1ⁿ = 1 and (−1)ⁿ = ±1 fold for every n.
    let theta = 1.3;
    let f = fisher_at(
        "theta * (0.0.powf(1e91) + 1.0.powf(1e91) + (-1.0_f64).powf(1e91))",
        "theta * 2.0",
        theta,
    );
    assert!((f - 2.0 / theta).abs() <= 1e-15, "{f}");
    let b = chained(
        "let t = 3.0 * 0.0.powf(1e91);",
        8,
        "x * theta.ln() - theta + t",
    );
    let attr = "params(theta), data(x), moments(E[x] = theta)";
    assert_eq!(errors(attr, &body(&b)), Vec::new());
}

#[test]
fn an_unfolded_power_of_a_number_counts_as_an_atom_in_the_budget() {
    // 1.5^(10⁹¹) stays a power; chained squares of it are polynomials in that atom and must
    // meet the expansion budget like a symbol's (the estimate once gave it degree 0).
    let b = chained(
        "let t = 3.0 * 1.5.powf(1e91);",
        10,
        "x * theta.ln() - theta * t",
    );
    let item = body(&b);
    let errs = errors(P, &item);
    let (text, _, _) = errs.first().expect("refused");
    assert!(
        text.contains("this expression expands to more than 1024 terms"),
        "{text}"
    );
}

#[test]
fn a_huge_residue_is_described_not_printed() {
    // Found by the fuzzer: five chained squares of θ + μ under `sin`; the residue of the failed
    // E[score] = 0 printed as 12 MB of text, and measuring it walked the printed tree (2 s).
    let b = chained(
        "let t = theta + mu;",
        5,
        "x * theta.ln() - theta - mu * t.sin()",
    );
    let item = format!("fn f(x: f64, theta: f64, mu: f64) -> f64 {{ {b} }}");
    let errs = errors("params(theta, mu), data(x), moments(E[x] = theta)", &item);
    assert!(!errs.is_empty());
    for (text, _, _) in &errs {
        assert!(text.len() < 2000, "{} bytes: {}", text.len(), &text[..300]);
    }
    assert!(
        errs.iter()
            .any(|e| e.0.contains("operations, too long to show")),
        "{errs:?}"
    );
}

#[test]
fn large_coefficients_count_in_the_expansion_budget() {
    // Found by the fuzzer: nine chained squares from `t = 258 - μ` are 513 terms (within the
    // term budget) with 4 100-bit coefficients, and took 2.6 s in release. The estimate now
    // bounds the coefficients' bits too: eight lines are refused at the eighth, seven derive.
    let chain = |lines: usize| {
        let b = chained(
            "let t = 258.0 - mu;",
            lines,
            "x * theta.ln() - theta - mu * t.ln()",
        );
        format!("fn f(x: f64, theta: f64, mu: f64) -> f64 {{ {b} }}")
    };
    let attr = "params(theta), data(x), moments(E[x] = theta)";
    let item = chain(8);
    let errs = errors(attr, &item);
    let (text, line, col) = errs.first().expect("refused");
    assert!(
        text.contains(
            "this expression expands to 257 terms whose coefficients need about 2050 bits"
        ),
        "{text}"
    );
    let eighth = item
        .match_indices("t * t + t")
        .nth(7)
        .expect("eight lines")
        .0;
    assert_eq!((*line, *col), (1, eighth), "{text}");
    assert_eq!(errors(attr, &chain(7)), Vec::new());
}

#[test]
fn products_of_large_polynomials_stay_factored() {
    // Found by the fuzzer: six chained squares of θ + μ (degree 64 in two symbols, ~2 000
    // terms) under `ln_gamma`: simplifying F squared the polynomial, 4·10⁶ term products
    // (3 s, 740 MB in release). Past `MAX_PRODUCT_TERMS` the product stays factored, and the
    // missing moment is reported quickly.
    let b = chained(
        "let t = theta + mu;",
        6,
        "x * theta.ln() - mu * ln_gamma(t - 1.7976931348623157e308)",
    );
    let item = format!("fn f(x: f64, theta: f64, mu: f64) -> f64 {{ {b} }}");
    let errs = errors("params(theta, mu), data(x)", &item);
    let (text, _, _) = errs.first().expect("a moment is missing");
    assert!(text.starts_with("needs E[x]"), "{text}");
}

#[test]
fn constants_folded_past_the_exact_budget_are_spanned_errors() {
    // Found by the fuzzer: `t = 4.9e-324.powi(4)` (4 344 bits exactly) and eleven chained
    // `t * t + t`: each line folds the constant exactly and doubles its bits (2 s and more).
    // The line whose constant passes `MAX_EXACT_BITS` is refused.
    let b = chained(
        "let t = 4.9e-324.powi(4);",
        11,
        "x * theta.ln() - theta * (1.0 + t)",
    );
    let item = body(&b);
    let errs = errors(P, &item);
    let (text, line, col) = errs.first().expect("refused");
    assert!(
        text.contains("bits in exact arithmetic, beyond the engine's budget of 16384 bits"),
        "{text}"
    );
    let second = item.match_indices("t * t + t").nth(1).expect("two lines").0;
    assert_eq!((*line, *col), (1, second), "{text}");
}

#[test]
fn nested_squares_over_a_data_term_expand_with_merged_terms() {
    // Found by the fuzzer (an abort: 62 GB asked for): four chained `t * t + t` from
    // t = θ + μ + π − ln Γ(x). Splitting the score into data terms multiplied the raw term
    // lists out without merging equal statistics (3 → 12 → 156 → 24 492 → 6·10⁸ terms). They
    // merge after every product now: at most 17 statistics (powers of ln Γ(x)).
    let b = chained(
        "let t = theta + mu + std::f64::consts::PI - ln_gamma(x);",
        4,
        "x * theta.ln() - mu * t",
    );
    let item = format!("fn f(x: f64, theta: f64, mu: f64) -> f64 {{ {b} }}");
    let errs = errors("params(theta, mu), data(x)", &item);
    let (text, _, _) = errs.first().expect("a moment is missing");
    assert!(text.starts_with("needs E[ln_gamma(x)"), "{text}");
}

#[test]
fn theorem_1_on_a_family_with_a_huge_log_partition_is_proved_quickly() {
    // Found by the fuzzer: A = μ t^(6.445 n) with t five chained squares of θ + μ (degree 32).
    // Theorem 1 by Cov[T] compared two sides whose terms cancel from ~10²⁰⁰ to ~10¹⁰⁰: f64
    // sampling reported a false difference (now compared within the rounding of the terms),
    // and the canonical forms took 2 s (now skipped past `equiv::CANONICAL_MAX_OPS`, and sums
    // whose common numerator would pass `MAX_PRODUCT_TERMS` stay one atom).
    let b = chained(
        "let t = theta + mu;",
        5,
        "x * theta.ln() - mu * t.powf(6.4451054454166).powf(n)",
    );
    let item = format!("fn f(x: f64, theta: f64, mu: f64, n: f64) -> f64 {{ {b} }}");
    assert_eq!(errors("params(theta), data(x)", &item), Vec::new());
}

#[test]
fn large_exact_divisions_are_skipped() {
    // Found by the fuzzer: cancelling a 2 000-term numerator against large denominator
    // factors by exact multivariate division took 4.6 s in release. Past `MAX_PRODUCT_TERMS`
    // term operations the factor stays (0.19 s); the contradiction is still found.
    let attr = "params(theta, mu), data(x), moments(E[x] = -mu.powf(mu) + ln_gamma(t))";
    let item = "fn f(x: f64, theta: f64, mu: f64) -> f64 { let t = theta + mu; \
                let t = t * t + t; let t = t * t + t; let t = t * t + t; \
                x * theta.ln() - mu * (t.recip() / (std::f64::consts::PI + x) - theta.powf(mu).powf(85.0)) }";
    let errs = errors(attr, item);
    let (text, _, _) = errs.first().expect("the moment contradicts the model");
    assert!(
        text.contains("agrees with the exponential-family inference fails"),
        "{text}"
    );
}

#[test]
fn coefficients_past_the_exact_budget_are_refused_at_any_degree() {
    // Found by the fuzzer (a hang: 10 CPU-minutes, 3 GB, then killed): five chained squares of
    // a sum holding 4.9e-324 (degree 32, within the degree exemption) have coefficients of
    // ~17 000 bits; printing the missing moments' factors spent the time in their digits.
    let b = chained(
        "let t = ln_gamma(x) / theta - 3.0 * 4.9e-324;",
        5,
        "x * theta.ln() - theta - mu * t",
    );
    let item = format!("fn f(x: f64, theta: f64, mu: f64) -> f64 {{ {b} }}");
    let errs = errors("params(theta, mu), data(x)", &item);
    let (text, _, _) = errs.first().expect("refused");
    assert!(
        text.contains("beyond the engine's budget of 16384 bits for one exact coefficient"),
        "{text}"
    );
}

#[test]
fn rational_roots_are_tried_by_evaluation() {
    // Found by the fuzzer: lnΓ(t^89) with t five chained squares of θ + μ. Display forms
    // factor univariate polynomials by the rational root theorem, and each of ~10³ candidate
    // roots was a trial division of a degree-64 polynomial; a root is now tested by Horner's
    // rule first (2.26 → 1.88 s in release), and the randomized identity checks run modulo
    // two primes (1.88 → 1.12 s). The rest is the model's size, 8.5·10⁶ steps: the work
    // meter refuses it at its name (0.77 s). Three squares derive.
    let item = |n| {
        let b = chained(
            "let t = theta + mu;",
            n,
            "x * theta.ln() - mu * ln_gamma(t.powf(89.0))",
        );
        format!("fn f(x: f64, theta: f64, mu: f64) -> f64 {{ {b} }}")
    };
    assert_eq!(errors("params(theta), data(x)", &item(3)), Vec::new());
    rejects(
        "params(theta), data(x)",
        &item(5),
        "beyond the engine's work budget (6400000 steps",
        &item(5),
        "f(",
    );
}

#[test]
fn a_rational_power_counts_its_numerator_in_the_budget() {
    // Found by the fuzzer (2.2 s in release): the exponent 147/10³²⁵ is multiplied out as
    // (b^(1/q))¹⁴⁷, so five chained squares reach degree 4 704 in that one atom, which the
    // estimate counted as degree 32. It now counts p/q as degree p and refuses it up front.
    let b = chained(
        "let t = (mu + theta.powf(1e308)).powf((0..3).map(|i| 4.9e-324 * (i as f64)).sum::<f64>());",
        5,
        "x * theta.ln() - mu * (ln_gamma((t / theta).sqrt()) - 11.0.powf(x))",
    );
    let item = format!("fn f(x: f64, theta: f64, mu: f64) -> f64 {{ {b} }}");
    let errs = errors("params(mu), data(x), moments(E[x] = theta)", &item);
    let (text, _, _) = errs.first().expect("refused");
    assert!(text.contains("expands to more than 1024 terms"), "{text}");
    // A small rational power is still multiplied out and derived.
    let item = "fn f(x: f64, theta: f64) -> f64 { x * theta.ln() - theta.powf(1.5) }";
    assert_eq!(errors("params(theta), data(x)", item), Vec::new());
}

#[test]
fn the_work_meter_counts_insertions_and_fractions() {
    // Found by the fuzzer (4.4 s in release before it reached the meter's limit): eight chained
    // squares of θ^(80367/1000) spent their time shifting terms inserted one by one into long
    // polynomials and in gcds of small fractions, which the meter did not count. Both count
    // now, the terms are collected and sorted once, and the model is refused in 0.7 s.
    let b = chained(
        "let t = theta.powf(80.367);",
        8,
        "x * theta.ln() - mu * t.sqrt()",
    );
    let item = format!("fn f(x: f64, theta: f64, mu: f64) -> f64 {{ {b} }}");
    rejects(P, &item, "beyond the engine's work budget", &item, "f(");
}

#[test]
fn a_product_is_charged_before_it_is_multiplied_out() {
    // Found by the fuzzer (62 s and 10.8 GB in release): the adjugate inverse of F simplified
    // a power of a polynomial of six chained squares, and each product allocated all of its
    // terms before the meter saw any of them. `Poly::mul` now charges its terms first and
    // refuses a product past `MAX_PRODUCT_ALLOC` terms: the model is refused in 0.17 s, 37 MB.
    let b = chained(
        "let t = theta + mu; let t = (-n.powf(1e271).powf(theta)); \
         let t = theta.powf(580.313); let t = t.powf(529.720).powf((-mu.powi(4)));",
        6,
        "x * theta.ln() - mu * (0..3).map(|i| t.recip() * (i as f64)).sum::<f64>().powi(4)",
    );
    let item = format!("fn f(x: f64, theta: f64, mu: f64, n: f64) -> f64 {{ {b} }}");
    rejects(
        "params(mu), data(x)",
        &item,
        "beyond the engine's budget of 1048576 terms in one product",
        &item,
        "f(",
    );
}

#[test]
fn float_sampling_is_metered() {
    // Found by the fuzzer (1.73 s in release, over the limit under load): proving a stated F
    // and the KL divergence sampled a 26 000-node DAG at many points, rounding its big
    // coefficients to f64 at every visit, and none of it was metered. Coefficients are
    // rounded once (`Ir::coeff_f64`), each evaluated node is a step, and the model is refused
    // at its name in 0.6 s; without the stated F it derives in 0.5 s.
    let b = chained(
        "let t = theta + mu; let t = (0..3).map(|i| x * (i as f64)).sum::<f64>().powf(56.0); \
         let t = ln_gamma(1e308.powf(4.9e-324));",
        9,
        "x * theta.ln() - mu * t.powf(ln_gamma(mu))",
    );
    let item = format!("fn f(x: f64, theta: f64, mu: f64, n: f64) -> f64 {{ {b} }}");
    let stated = "(-(0..3).map(|i| theta.powi(1000) * (i as f64)).sum::<f64>())";
    let attr = format!(
        "params(theta, mu), data(x), moments(E[x] = theta), \
         verify(fisher = [[{stated}, 0.0], [0.0, {stated}]])"
    );
    rejects(&attr, &item, "beyond the engine's work budget", &item, "f(");
    let attr = "params(theta, mu), data(x), moments(E[x] = theta)";
    assert_eq!(errors(attr, &item), Vec::new());
}

#[test]
fn identity_checks_run_in_modular_arithmetic() {
    // Found by the fuzzer (2.9 s in release, 1.9 MB emitted): six chained squares under a
    // symbolic power. 72% of the time was the randomized identity checks' exact rationals,
    // whose numerators grow with every product at a random point; modulo two primes each
    // value is one word (0.7 s).
    let b = chained(
        "let t = theta + mu;",
        6,
        "x * theta.ln() - mu * (t + 771.607).powf((n - 6.4451054454166.powi(-1)))",
    );
    let item = format!("fn f(x: f64, theta: f64, mu: f64, n: f64) -> f64 {{ {b} }}");
    assert_eq!(errors(P, &item), Vec::new());
}

#[test]
fn a_product_costs_with_the_atoms_of_its_terms() {
    // Found by the fuzzer (15.6 s and 10⁸ steps in release, unmetered): four chained squares
    // of ln Γ(x) + ln B(θ, n). Its products were charged a step a term while each term
    // merged and sorted monomials of six atoms; a term now costs with its atoms, and the model
    // is refused in about a second.
    let b = chained(
        "let t = theta + mu; let t = (ln_gamma(x) + ln_beta(theta, n));",
        4,
        "x * theta.ln() - mu * t.powf(2.0)",
    );
    let item = format!("fn f(x: f64, theta: f64, mu: f64, n: f64) -> f64 {{ {b} }}");
    rejects(
        "params(theta, mu), data(x)",
        &item,
        "beyond the engine's work budget",
        &item,
        "f(",
    );
}

#[test]
fn interning_costs_with_the_factors() {
    // Found by the fuzzer (2.49 s and 400 MB in release, 2.7 M steps/s): `data_terms` built
    // products of many factors, and hashing and comparing each in the arena was charged one
    // step whatever its length. It costs with its factors now: refused in 1.06 s.
    let b = chained(
        "let t = theta + mu; let t = (theta + std::f64::consts::PI).powf(6.4451054454166); \
         let t = mu.powf(std::f64::consts::PI).hypot((0..3).map(|i| x * (i as f64)).sum::<f64>());",
        6,
        "x * theta.ln() - mu * t.powi(1).hypot((t * (t + 592.632)))",
    );
    let item = format!("fn f(x: f64, theta: f64, mu: f64, n: f64) -> f64 {{ {b} }}");
    let attr = "params(mu), data(x), \
                moments(E[x] = ln_beta(theta.recip(), ln_beta(theta, 79.0.powf(6.352))))";
    rejects(attr, &item, "beyond the engine's work budget", &item, "f(");
}
