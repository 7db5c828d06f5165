//! Fuzzing the macro's entry point (issue 15), one child process per input: bodies and attributes generated
//! from the grammar (scalar models, and models over arrays with loops and iterator chains), with
//! hostile literals and exponents, and mutations of real models. For
//! every input: no panic, at most [`LIMIT`] of work (release; ten times that in a debug
//! build), and output that parses as Rust and still defines the user's function, on every
//! error path too.
//!
//! A short campaign runs with the tests; a long one on demand:
//! `FIM_FUZZ_CASES=100000 cargo test --release -p fim-core --test fuzz_expand` (a fresh seed
//! each run; `FIM_FUZZ_SEED=n` replays one).

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// The time one input may take in a release build.
const LIMIT: Duration = Duration::from_secs(2);

fn limit() -> Duration {
    if cfg!(debug_assertions) {
        LIMIT * 10
    } else {
        LIMIT
    }
}

fn cases(default: u32) -> u32 {
    std::env::var("FIM_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The run's seed: `FIM_FUZZ_SEED` if set; a fresh one for a long campaign (`FIM_FUZZ_CASES`
/// set); otherwise a fixed one, so that the short campaign in the test suite is the same on
/// every run and a failure there reproduces. A failure prints the seed.
fn seed() -> u64 {
    if let Some(s) = std::env::var("FIM_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return s;
    }
    if std::env::var("FIM_FUZZ_CASES").is_ok() {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        return t ^ u64::from(std::process::id());
    }
    0x5eed_f15e_u64
}

/// A proptest runner with `cases` cases from [`seed`]; shrinking a slow case costs up to
/// [`limit`] per step, so it shrinks for a minute at most.
fn runner(cases: u32, seed: u64) -> TestRunner {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    TestRunner::new_with_rng(
        Config {
            cases,
            failure_persistence: None,
            max_shrink_time: 60_000,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
    )
}

/// Where the child writes its expansion, between these two lines.
const BEGIN: &str = "<<<fim-fuzz-output";
const END: &str = "fim-fuzz-output>>>";

/// The child's side: when the parent set `FIM_FUZZ_ATTR` and `FIM_FUZZ_ITEM`, expands them and
/// prints the result; otherwise (a normal test run) does nothing.
#[test]
fn child_expands_one_input() {
    let (Ok(attr), Ok(item)) = (
        std::env::var("FIM_FUZZ_ATTR"),
        std::env::var("FIM_FUZZ_ITEM"),
    ) else {
        return;
    };
    // rustc runs proc macros on a thread with an 8 MiB stack; so does this.
    let out = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let a: proc_macro2::TokenStream = attr.parse().expect("lexed by the parent");
            let i: proc_macro2::TokenStream = item.parse().expect("lexed by the parent");
            fim_core::model::expand::expand(a, i).to_string()
        })
        .expect("spawn")
        .join()
        .expect("the expansion panicked");
    println!("{BEGIN}\n{out}\n{END}");
}

/// Expands `attr` on `item` in a child process (this test binary, running only
/// [`child_expands_one_input`]), killed when it runs past [`limit`]: a case that hangs or
/// swells is reported and cannot pile up threads or memory while proptest shrinks it.
/// The failure, if any, as text.
fn check(attr: &str, item: &str, name: &str) -> Result<(), String> {
    let (Ok(_), Ok(i)) = (
        attr.parse::<proc_macro2::TokenStream>(),
        item.parse::<proc_macro2::TokenStream>(),
    ) else {
        // Not lexable Rust: the compiler would reject it before the macro runs.
        return Ok(());
    };
    if syn::parse2::<syn::ItemFn>(i).is_err() {
        // Not a function: rustc only hands an attribute macro a well-formed item.
        return Ok(());
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let start = Instant::now();
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "child_expands_one_input",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("FIM_FUZZ_ATTR", attr)
        .env("FIM_FUZZ_ITEM", item)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("spawn: {e}"))?;
    // Drain stdout on a thread so a large expansion cannot block the child on a full pipe.
    let mut stdout = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if start.elapsed() > limit() {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("took more than {:?}", limit()));
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let text = reader.join().map_err(|_| "reader panicked".to_string())?;
    if !status.success() {
        return Err(format!("panicked ({status})"));
    }
    let out = text
        .split_once(BEGIN)
        .and_then(|(_, rest)| rest.split_once(END))
        .map(|(out, _)| out.trim())
        .ok_or_else(|| "the child printed no expansion".to_string())?;
    let file: syn::File =
        syn::parse_str(out).map_err(|e| format!("output is not Rust ({e}): {out}"))?;
    let has_fn = file
        .items
        .iter()
        .any(|it| matches!(it, syn::Item::Fn(f) if f.sig.ident == name));
    if !has_fn {
        return Err(format!("output lacks `fn {name}`: {out}"));
    }
    Ok(())
}

// ---- the grammar ---------------------------------------------------------------------------

/// Literals, the hostile ones often.
fn literal() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0u32..100).prop_map(|n| format!("{n}.0")),
        2 => (1u32..1000, 1u32..1000).prop_map(|(a, b)| format!("{a}.{b}")),
        1 => Just("1.7976931348623157e308".to_string()),
        1 => Just("4.9e-324".to_string()),
        1 => Just("1e308".to_string()),
        1 => Just("0.0".to_string()),
        1 => Just("6.4451054454166".to_string()),
        1 => (1usize..1200).prop_map(|n| format!("{}.0", "9".repeat(n))),
        1 => (-400i32..400).prop_map(|e| format!("1e{e}")),
    ]
}

/// `powi` exponents, the hostile ones often.
fn exponent() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (-4i64..5).prop_map(|n| n.to_string()),
        1 => Just("-2147483648".to_string()),
        1 => Just("2147483647".to_string()),
        1 => Just("1000000".to_string()),
        1 => (1000i64..1100).prop_map(|n| n.to_string()),
    ]
}

const VARS: &[&str] = &["theta", "mu", "x", "n", "t"];

fn expr() -> impl Strategy<Value = String> {
    expr_over(VARS)
}

/// Expressions over `vars`, with every operator, method and function of the language (the
/// special functions of `fim::special` included) and the hostile literals and exponents.
fn expr_over(vars: &'static [&'static str]) -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        3 => proptest::sample::select(vars).prop_map(str::to_string),
        2 => literal(),
        1 => Just("std::f64::consts::PI".to_string()),
    ];
    leaf.prop_recursive(5, 48, 3, |inner| {
        prop_oneof![
            (
                inner.clone(),
                proptest::sample::select(&["+", "-", "*", "/"][..]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            inner.clone().prop_map(|a| format!("(-{a})")),
            (
                inner.clone(),
                proptest::sample::select(
                    &[
                        "ln", "exp", "sqrt", "abs", "recip", "ln_1p", "exp_m1", "sin", "tanh",
                        "cos", "atan", "cosh", "asinh",
                    ][..]
                )
            )
                .prop_map(|(a, m)| format!("{a}.{m}()")),
            (inner.clone(), exponent()).prop_map(|(a, k)| format!("{a}.powi({k})")),
            (inner.clone(), literal()).prop_map(|(a, k)| format!("{a}.powf({k})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}.powf({b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}.hypot({b})")),
            (
                inner.clone(),
                proptest::sample::select(
                    &[
                        "ln_gamma",
                        "digamma",
                        "trigamma",
                        "erf",
                        "norm_cdf",
                        "ln_norm_cdf",
                        "bessel_i0",
                        "ln_bessel_i0",
                    ][..]
                )
            )
                .prop_map(|(a, f)| format!("{f}({a})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("ln_beta({a}, {b})")),
            inner.prop_map(|a| format!("(0..3).map(|i| {a} * (i as f64)).sum::<f64>()")),
        ]
    })
}

/// A body: a few `let`s (some self-referential, the swell pattern), then the value.
fn body() -> impl Strategy<Value = String> {
    (proptest::collection::vec(expr(), 0..4), 0usize..12, expr()).prop_map(
        |(lets, squares, tail)| {
            let mut b = String::from("let t = theta + mu;");
            for l in lets {
                b.push_str(&format!(" let t = {l};"));
            }
            for _ in 0..squares {
                b.push_str(" let t = t * t + t;");
            }
            b.push_str(&format!(" x * theta.ln() - mu * {tail}"));
            b
        },
    )
}

fn attr() -> impl Strategy<Value = String> {
    let params = proptest::sample::select(
        &[
            "theta, mu",
            "theta",
            "mu",
            "theta, mu, x",
            "theta, r#type",
            "self",
            "Self, mu",
        ][..],
    );
    let moments = prop_oneof![
        Just(String::new()),
        expr().prop_map(|e| format!(", moments(E[x] = {e})")),
        Just(", moments(E[x] = theta)".to_string()),
    ];
    let verify = prop_oneof![
        3 => Just(String::new()),
        1 => expr().prop_map(|e| format!(", verify(jeffreys = {e})")),
        1 => expr().prop_map(|e| format!(", verify(fisher = [[{e}, 0.0], [0.0, {e}]])")),
    ];
    let reparam = prop_oneof![
        3 => Just(String::new()),
        1 => expr().prop_map(|e| format!(", reparam(alt(theta = {e}, mu = mu))")),
        1 => Just(", reparam(alt(theta = phi.exp(), mu = mu))".to_string()),
    ];
    (params, moments, verify, reparam)
        .prop_map(|(p, m, v, r)| format!("params({p}), data(x){m}{v}{r}"))
}

#[test]
fn grammar_inputs_never_break_the_macro() {
    let seed = seed();
    let mut runner = runner(cases(256), seed);
    let result = runner.run(&(attr(), body()), |(a, b)| {
        let item = format!("fn f(x: f64, theta: f64, mu: f64, n: f64) -> f64 {{ {b} }}");
        check(&a, &item, "f").map_err(|e| {
            let e: String = e.chars().take(2000).collect();
            TestCaseError::fail(format!("#[fisher_model({a})] {item}: {e}"))
        })
    });
    if let Err(e) = result {
        panic!("FIM_FUZZ_SEED={seed}: {e}");
    }
}

// ---- arrays, loops and iterator chains ---------------------------------------------------------

/// What a loop body or a closure reads: entries at the loop variable `i`, at literal indices
/// (some out of range), a scalar, the index itself.
const ARRAY_VARS: &[&str] = &[
    "a[i]",
    "y[i]",
    "s",
    "a[0]",
    "y[1]",
    "(i as f64)",
    "c[i][1]",
    "a[7]",
];

/// A body over `y: [f64; N]`, `a: [f64; N]`, `s: f64`, `c: [[f64; 2]; N]`: a `for` loop, nested
/// loops, iterator chains, and the forms the language refuses (`while`, `break`, a bound that
/// is not a literal, an unlisted method).
fn array_body() -> impl Strategy<Value = String> {
    let term = || expr_over(ARRAY_VARS);
    prop_oneof![
        (
            term(),
            proptest::sample::select(&["N", "0", "N + 1", "3", "n"][..]),
            proptest::sample::select(&["+=", "-=", "*="][..])
        )
            .prop_map(|(t, b, op)| format!("let mut l = 0.0; for i in 0..{b} {{ l {op} {t}; }} l")),
        term().prop_map(|t| format!(
            "let mut l = 0.0; for i in 0..N {{ for j in 0..2 {{ l += c[i][j] * {t}; }} }} l"
        )),
        (term(), proptest::sample::select(&["sum", "product"][..])).prop_map(|(t, f)| {
            let t = t.replace("a[i]", "*a").replace("y[i]", "*y");
            format!("a.iter().zip(y.iter()).map(|(a, y)| {t}).{f}::<f64>()")
        }),
        term().prop_map(|t| format!(
            "y.iter().enumerate().map(|(i, y)| {}).sum::<f64>()",
            t.replace("y[i]", "*y")
        )),
        term().prop_map(|t| format!(
            "(0..N).map(|i| {t}).sum::<f64>() + ln_gamma(a.iter().sum::<f64>())"
        )),
        term().prop_map(|t| format!(
            "let mut l = 0.0; let mut i = 0; while i < N {{ l += {t}; i += 1; }} l"
        )),
        term().prop_map(|t| format!("let mut l = 0.0; for i in 0..N {{ l += {t}; break; }} l")),
        term().prop_map(|t| format!("a.iter().rev().map(|a| {t}).sum::<f64>()")),
    ]
}

fn array_attr() -> impl Strategy<Value = String> {
    let params = proptest::sample::select(&["a", "a, s", "s", "a[0]", "c"][..]);
    let moments = prop_oneof![
        Just(String::new()),
        Just(", moments(E[y[i]] = a[i])".to_string()),
        Just(", moments(E[y[i]] = a[j])".to_string()),
        Just(", moments(E[y[0]] = s, E[y[i].powi(2)] = a[i].powi(2) + s)".to_string()),
        expr_over(&["a[i]", "s", "a[0]"]).prop_map(|e| format!(", moments(E[y[i]] = {e})")),
    ];
    let verify = prop_oneof![
        4 => Just(String::new()),
        1 => expr_over(&["a[0]", "s"]).prop_map(|e| format!(", verify(jeffreys = {e})")),
    ];
    (params, moments, verify).prop_map(|(p, m, v)| format!("params({p}), data(y){m}{v}"))
}

#[test]
fn array_inputs_never_break_the_macro() {
    let seed = seed();
    let mut runner = runner(cases(64), seed);
    let sizes = proptest::sample::select(&[1usize, 2, 3, 5, 8][..]);
    let result = runner.run(&(array_attr(), array_body(), sizes), |(a, b, k)| {
        let b = b.replace('N', &k.to_string());
        let item = format!(
            "fn f(y: [f64; {k}], a: [f64; {k}], s: f64, c: [[f64; 2]; {k}], n: f64) -> f64 {{ {b} }}"
        );
        check(&a, &item, "f").map_err(|e| {
            let e: String = e.chars().take(2000).collect();
            TestCaseError::fail(format!("#[fisher_model({a})] {item}: {e}"))
        })
    });
    if let Err(e) = result {
        panic!("FIM_FUZZ_SEED={seed}: {e}");
    }
}

// ---- mutations of real models ----------------------------------------------------------------

/// Seeds: catalog models as (attribute, item).
const SEEDS: &[(&str, &str)] = &[
    ("params(theta), data(x), moments(E[x] = n * theta), reparam(odds(theta = phi / (1.0 + phi)))",
     "fn f(x: f64, theta: f64, n: f64) -> f64 { x * theta.ln() + (n - x) * (1.0 - theta).ln() }"),
    ("params(mu, sigma), data(x), moments(E[x] = mu, E[x.powi(2)] = mu.powi(2) + sigma.powi(2)), reparam(logscale(mu = mu, sigma = tau.exp()))",
     "fn f(x: f64, mu: f64, sigma: f64) -> f64 { -sigma.ln() - (x - mu).powi(2) / (2.0 * sigma.powi(2)) }"),
    ("params(alpha, beta), data(x), moments(E[x] = alpha / beta, E[x.ln()] = digamma(alpha) - beta.ln())",
     "fn f(x: f64, alpha: f64, beta: f64) -> f64 { alpha * beta.ln() - ln_gamma(alpha) + (alpha - 1.0) * x.ln() - beta * x }"),
    ("params(p1, p2), data(x1, x2), moments(E[x1] = n * p1, E[x2] = n * p2)",
     "fn f(x1: f64, x2: f64, p1: f64, p2: f64, n: f64) -> f64 { x1 * p1.ln() + x2 * p2.ln() + (n - x1 - x2) * (1.0 - p1 - p2).ln() }"),
    ("params(theta), data(x), moments(E[x] = theta), verify(fisher = [[1.0 / theta]])",
     "fn f(x: f64, theta: f64) -> f64 { let mut acc = 0.0; for i in 0..3 { acc += (i as f64) * 0.0; } acc + x * theta.ln() - theta }"),
];

const REPLACEMENTS: &[&str] = &[
    "theta",
    "x",
    "1e308",
    "0.0",
    "-",
    "*",
    "(",
    ")",
    ".powi(1000000)",
    ".powi(-2147483648)",
    ".powf(6.4451054454166)",
    ".ln()",
    ",",
    "E[x]",
    "self",
    "r#type",
    "__fim_m0",
    "grad",
    ";",
    "let t = x;",
    "[",
    "]",
    "=",
    "99999999999999999999999999999999999999999.0",
];

/// Applies up to four edits (delete, duplicate, replace) at character boundaries between
/// tokens (spaces and punctuation), to the attribute or the item.
fn mutate(src: &str, edits: &[(usize, u8, usize)]) -> String {
    let mut s = src.to_string();
    for &(at, kind, pick) in edits {
        let bounds: Vec<usize> = s
            .char_indices()
            .filter(|(_, c)| !c.is_alphanumeric() && *c != '_')
            .map(|(i, _)| i)
            .collect();
        if bounds.len() < 2 {
            break;
        }
        let i = at % (bounds.len() - 1);
        let (a, b) = (bounds[i], bounds[i + 1]);
        let piece = s[a..b].to_string();
        match kind % 3 {
            0 => s.replace_range(a..b, ""),
            1 => s.insert_str(b, &piece),
            _ => s.replace_range(a..b, REPLACEMENTS[pick % REPLACEMENTS.len()]),
        }
    }
    s
}

#[test]
fn mutated_models_never_break_the_macro() {
    let seed = seed();
    let mut runner = runner(cases(256), seed);
    let edits = proptest::collection::vec((0usize..400, 0u8..3, 0usize..100), 1..5);
    let result = runner.run(
        &(0..SEEDS.len(), any::<bool>(), edits),
        |(k, in_attr, edits)| {
            let (attr, item) = SEEDS[k];
            let (a, i) = if in_attr {
                (mutate(attr, &edits), item.to_string())
            } else {
                (attr.to_string(), mutate(item, &edits))
            };
            // The mutated item must still be a function named `f` for the check to apply.
            if !i.starts_with("fn f(") {
                return Ok(());
            }
            check(&a, &i, "f").map_err(|e| {
                let e: String = e.chars().take(2000).collect();
                TestCaseError::fail(format!("#[fisher_model({a})] {i}: {e}"))
            })
        },
    );
    if let Err(e) = result {
        panic!("FIM_FUZZ_SEED={seed}: {e}");
    }
}
