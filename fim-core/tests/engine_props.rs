//! Property tests of the engine on random expressions over x, y, z, 1000 cases each:
//! (a) derivatives against central finite differences, (b) simplification against the original
//! by evaluation (exactly at rational points where both are rational), (c) print → parse round
//! trips, (d) no panic on any input, garbage included.
//!
//! Expressions are generated as source text (every construct parenthesized) and parsed with
//! `parse_str`, so the parser is exercised too. Depth is at most 4. Runs are deterministic (a
//! fixed seed); set `PROPTEST_RNG_SEED=<u64>` to explore other cases.

use std::collections::HashMap;
use std::fmt;

use fim_core::equiv::{equiv, SampleDomain, Verdict};
use fim_core::expr::special::{Form, Fun, Order, TABLE};
use fim_core::expr::BigInt;
use fim_core::parse::parse_str;
use fim_core::simplify::{self, Domain};
use fim_core::{print, Arena, Id, Node, Rational, Symbol};
use num_traits::Signed;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};

const CASES: u32 = 1000;
const VARS: [&str; 3] = ["x", "y", "z"];

// ---- expressions ----------------------------------------------------------------------------

/// A random expression; rendered to source text by `Display`.
#[derive(Clone)]
enum E {
    Var(usize),
    Lit(&'static str),
    Add(Box<E>, Box<E>),
    Sub(Box<E>, Box<E>),
    Mul(Box<E>, Box<E>),
    Div(Box<E>, Box<E>),
    Neg(Box<E>),
    Powi(Box<E>, i32),
    Powf(Box<E>, Box<E>),
    /// A method without arguments: ln, exp, sqrt, recip, ln_1p, exp_m1, abs.
    Method(Box<E>, &'static str),
    /// A free function: ln_gamma, digamma, and every free function of the table.
    Call(&'static str, Box<E>),
    /// `polygamma(k, x)`.
    Polygamma(u32, Box<E>),
    /// A definition of two arguments: `a.hypot(b)` or `ln_beta(a, b)`.
    Method2(Box<E>, &'static str, Box<E>),
    Call2(&'static str, Box<E>, Box<E>),
}

impl fmt::Display for E {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            E::Var(i) => f.write_str(VARS[*i]),
            E::Lit(s) => f.write_str(s),
            E::Add(a, b) => write!(f, "({a} + {b})"),
            E::Sub(a, b) => write!(f, "({a} - {b})"),
            E::Mul(a, b) => write!(f, "({a} * {b})"),
            E::Div(a, b) => write!(f, "({a} / {b})"),
            E::Neg(a) => write!(f, "(-{a})"),
            E::Powi(a, n) => write!(f, "{a}.powi({n})"),
            E::Powf(a, b) => write!(f, "{a}.powf({b})"),
            E::Method(a, m) => write!(f, "{a}.{m}()"),
            E::Call(g, a) => write!(f, "{g}({a})"),
            E::Polygamma(k, a) => write!(f, "polygamma({k}, {a})"),
            E::Method2(a, m, b) => write!(f, "{a}.{m}({b})"),
            E::Call2(g, a, b) => write!(f, "{g}({a}, {b})"),
        }
    }
}

// Proptest prints the minimal failing input with `{:?}`: show the source text.
impl fmt::Debug for E {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

/// Literal receivers (`2.0.ln()`) are fine for fim's parser; the text need not type-check.
fn leaf() -> impl Strategy<Value = E> {
    prop_oneof![
        6 => (0..3usize).prop_map(E::Var),
        2 => prop::sample::select(vec!["0.5", "1.0", "2.0", "3.0", "1.5", "0.1", "2.5"]).prop_map(E::Lit),
    ]
}

/// The names of the special-function table (without an order) of one form: every function
/// added to the table is generated here too.
fn table_names(form: Form) -> Vec<&'static str> {
    TABLE
        .iter()
        .filter(|e| e.fun != Fun::LnGamma && e.fun != Fun::Polygamma)
        .flat_map(|e| e.names.iter())
        .filter(|n| n.form == form && n.order == Order::Fixed(0))
        .map(|n| n.text)
        .collect()
}

/// Expressions of depth at most 4 built from `+ - * /`, unary minus, ln, exp, powi, powf,
/// sqrt, ln_gamma, and (less often) recip, ln_1p, exp_m1, abs, digamma, polygamma, the
/// definitions hypot and ln_beta, and the other functions of the special-function table.
fn expr() -> impl Strategy<Value = E> {
    leaf().prop_recursive(4, 24, 2, |inner| {
        let b = |e: E| Box::new(e);
        prop_oneof![
            3 => (inner.clone(), inner.clone()).prop_map(move |(x, y)| E::Add(b(x), b(y))),
            3 => (inner.clone(), inner.clone()).prop_map(move |(x, y)| E::Sub(b(x), b(y))),
            3 => (inner.clone(), inner.clone()).prop_map(move |(x, y)| E::Mul(b(x), b(y))),
            3 => (inner.clone(), inner.clone()).prop_map(move |(x, y)| E::Div(b(x), b(y))),
            1 => inner.clone().prop_map(move |x| E::Neg(b(x))),
            2 => (inner.clone(), -3..=3i32).prop_map(move |(x, n)| E::Powi(b(x), n)),
            2 => (inner.clone(), inner.clone()).prop_map(move |(x, y)| E::Powf(b(x), b(y))),
            2 => (inner.clone(), prop::sample::select(vec!["ln", "exp", "sqrt"]))
                .prop_map(move |(x, m)| E::Method(b(x), m)),
            1 => (inner.clone(), prop::sample::select(vec!["recip", "ln_1p", "exp_m1", "abs"]))
                .prop_map(move |(x, m)| E::Method(b(x), m)),
            2 => inner.clone().prop_map(move |x| E::Call("ln_gamma", b(x))),
            1 => inner.clone().prop_map(move |x| E::Call("digamma", b(x))),
            1 => (0..4u32, inner.clone()).prop_map(move |(k, x)| E::Polygamma(k, b(x))),
            2 => (inner.clone(), prop::sample::select(table_names(Form::Method)))
                .prop_map(move |(x, m)| E::Method(b(x), m)),
            2 => (inner.clone(), prop::sample::select(table_names(Form::Free)))
                .prop_map(move |(x, g)| E::Call(g, b(x))),
            1 => (inner.clone(), inner.clone()).prop_map(move |(x, y)| E::Method2(b(x), "hypot", b(y))),
            1 => (inner.clone(), inner).prop_map(move |(x, y)| E::Call2("ln_beta", b(x), b(y))),
        ]
    })
}

/// A point: mostly positive coordinates in [0.2, 3], sometimes negative ones.
fn point() -> impl Strategy<Value = [f64; 3]> {
    let coord = prop_oneof![
        4 => 0.2..3.0f64,
        1 => -3.0..-0.2f64,
    ];
    [coord.clone(), coord.clone(), coord]
}

/// A rational point: coordinates k/8 with k in 1..=24, for exact evaluation.
fn rational_point() -> impl Strategy<Value = [i64; 3]> {
    [1..=24i64, 1..=24i64, 1..=24i64]
}

// ---- harness --------------------------------------------------------------------------------

/// 1000 cases, a fixed seed unless `PROPTEST_RNG_SEED` is set, no regression files.
fn runner() -> TestRunner {
    let mut config = Config::with_cases(CASES);
    if config.rng_seed == RngSeed::Random {
        config.rng_seed = RngSeed::Fixed(0x000F_15C0_DE00_2024);
    }
    config.failure_persistence = None;
    TestRunner::new(config)
}

/// Runs `test` on `strategy`, panicking with the minimal failing input.
fn check<S: Strategy>(strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: fmt::Debug,
{
    if let Err(e) = runner().run(&strategy, test) {
        panic!("{e}");
    }
}

fn fail(msg: String) -> Result<(), TestCaseError> {
    Err(TestCaseError::fail(msg))
}

/// Parses generated text. Valid text can only be refused for a divisor that is exactly zero
/// (`x / (y - y)`), which is then no case to test.
fn parse(a: &mut Arena, src: &str) -> Result<Option<Id>, TestCaseError> {
    match parse_str(a, src) {
        Ok(id) => Ok(Some(id)),
        Err(e) if e.to_string().contains("division by zero") => Ok(None),
        Err(e) => Err(TestCaseError::fail(format!("`{src}` refused: {e}"))),
    }
}

fn env(a: &mut Arena, p: [f64; 3]) -> HashMap<Symbol, f64> {
    VARS.iter().zip(p).map(|(v, x)| (a.symbol(v), x)).collect()
}

/// True when `id` has a power with an exponent numerator above 12 (`(x + y).powf(999.0)`
/// arises from `0.1.powi(-3) - 1.0`). `simplify` expands integer powers of sums in full, which
/// takes seconds from about `(x + y + z).powi(40)` on: such cases are skipped where the
/// property simplifies.
fn huge_power(a: &Arena, id: Id) -> bool {
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![id];
    while let Some(n) = stack.pop() {
        if seen.insert(n) {
            if let Node::Mul(_, fs) = a.node(n) {
                if fs
                    .iter()
                    .any(|(_, e)| e.numerator().abs() > BigInt::from(12))
                {
                    return true;
                }
            }
            stack.extend(a.children(n));
        }
    }
    false
}

/// True when `id` holds a constant the printer cannot write so that it parses back: a rational
/// beyond the range of f64 (`2.0.powi(2000)`, printed as a 603-digit literal) or zero to a
/// negative power (`0.0.powf(-1.0)`, printed `1.0 / 0.0`). Both are engine bugs, shown in
/// `engine_bad_input.rs`; the round-trip property skips them.
fn unprintable(a: &Arena, id: Id) -> bool {
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![id];
    while let Some(n) = stack.pop() {
        if seen.insert(n) {
            let out_of_range = |r: &Rational| {
                let v = fim_core::eval::rat_to_f64(r);
                !v.is_finite() || (v == 0.0 && !r.is_zero())
            };
            let bad = match a.node(n) {
                Node::Num(r) => out_of_range(r),
                Node::Mul(c, fs) => {
                    out_of_range(c) || fs.iter().any(|(b, e)| a.is_zero(*b) && e.is_negative())
                }
                _ => false,
            };
            if bad {
                return true;
            }
            stack.extend(a.children(n));
        }
    }
    false
}

/// True when the values agree to `rel` relative to the larger magnitude (and at least 1).
fn close(u: f64, v: f64, rel: f64) -> bool {
    (u - v).abs() <= rel * u.abs().max(v.abs()).max(1.0)
}

// ---- (a) derivatives against finite differences -------------------------------------------

/// Central differences with steps h and h/2 estimate f'; their difference estimates the
/// truncation error of the finer one (it is O(h²), and the two differ by ¾ of the coarser's
/// error). A point is skipped where f is not finite or huge (> 1e8) over the stencil, or where
/// the two estimates disagree by more than 1e-3 relative (a pole, kink or branch cut within h:
/// not smooth enough for differencing to mean anything). Elsewhere the symbolic derivative must
/// lie within the estimate's own error bound: twice the truncation estimate, plus rounding
/// (1e3 · ε · max|f| / h, a generous allowance for rounding inside f), plus 1e-7 relative.
/// A wrong rule misses by O(|f'|), far outside that bound.
#[test]
fn derivative_matches_finite_differences() {
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    let (checked, skipped) = (AtomicUsize::new(0), AtomicUsize::new(0));
    check((expr(), point()), |(e, pt)| {
        let src = e.to_string();
        let mut a = Arena::new();
        let Some(f) = parse(&mut a, &src)? else {
            return Ok(());
        };
        for (i, v) in VARS.iter().enumerate() {
            let s = a.symbol(v);
            let d = a.diff(f, s);
            let mut env = env(&mut a, pt);
            let (f0, d0) = (a.eval(f, &env), a.eval(d, &env));
            let h = 1e-4 * pt[i].abs().max(1.0);
            let mut at = |dx: f64| {
                env.insert(s, pt[i] + dx);
                a.eval(f, &env)
            };
            let stencil = [at(h), at(-h), at(h / 2.0), at(-h / 2.0)];
            let big = |x: f64| !x.is_finite() || x.abs() > 1e8;
            if big(f0) || big(d0) || stencil.iter().any(|&x| big(x)) {
                skipped.fetch_add(1, Relaxed);
                continue;
            }
            let fd1 = (stencil[0] - stencil[1]) / (2.0 * h);
            let fd2 = (stencil[2] - stencil[3]) / h;
            let truncation = (fd1 - fd2).abs();
            if truncation > 1e-3 * fd2.abs().max(1.0) {
                skipped.fetch_add(1, Relaxed);
                continue;
            }
            let fmax = stencil.iter().fold(f0.abs(), |m, x| m.max(x.abs()));
            let rounding = 1e3 * f64::EPSILON * fmax / h;
            let tol = 2.0 * truncation + rounding + 1e-7 * d0.abs().max(1.0);
            if (d0 - fd2).abs() > tol {
                return fail(format!(
                    "d/d{v} of `{src}` at {pt:?}: symbolic {d0}, finite difference {fd2} \
                     (tolerance {tol:e}); derivative `{}`",
                    print::rust(&a, d)
                ));
            }
            checked.fetch_add(1, Relaxed);
        }
        Ok(())
    });
    // The skip rule must leave most cases checked, or the property says little.
    let (c, s) = (checked.load(Relaxed), skipped.load(Relaxed));
    eprintln!("finite differences: {c} derivatives checked, {s} points skipped");
    assert!(c >= 2 * s, "checked {c} derivatives, skipped {s}");
}

// ---- (b) simplification against the original --------------------------------------------

/// `simplify` with no sign facts keeps the value wherever the original is defined: at a float
/// point both must agree where the original is finite (the simplified form may be defined where
/// the original is not: `x / x` is 1), and at a rational point, where both are rational, they
/// must be exactly equal. With x, y, z assumed positive, the same holds at positive points.
#[test]
fn simplify_keeps_the_value() {
    check((expr(), point(), rational_point()), |(e, pt, qt)| {
        let src = e.to_string();
        let mut a = Arena::new();
        let Some(f) = parse(&mut a, &src)? else {
            return Ok(());
        };
        if huge_power(&a, f) {
            return Ok(());
        }
        let s0 = simplify::simplify(&mut a, &Domain::new(), f);
        let mut pos = Domain::new();
        for v in VARS {
            let id = a.var(v);
            pos.assume_positive(&mut a, id);
        }
        let s1 = simplify::simplify(&mut a, &pos, f);
        let positive_pt = pt.map(f64::abs);
        for (s, pt, facts) in [(s0, pt, "no facts"), (s1, positive_pt, "x, y, z > 0")] {
            let env = env(&mut a, pt);
            let (u, v) = (a.eval(f, &env), a.eval(s, &env));
            // Sums of huge terms lose every digit to cancellation: compare moderate values.
            if u.is_finite() && u.abs() < 1e8 && !close(u, v, 1e-7) {
                return fail(format!(
                    "`{src}` = {u} at {pt:?} but simplified ({facts}) `{}` = {v}",
                    print::rust(&a, s)
                ));
            }
        }
        let qenv: HashMap<Symbol, Rational> = VARS
            .iter()
            .zip(qt)
            .map(|(v, k)| {
                (
                    a.symbol(v),
                    Rational::from_parts_signed(BigInt::from(k), BigInt::from(8)),
                )
            })
            .collect();
        for s in [s0, s1] {
            if let (Some(u), Some(v)) = (a.eval_exact(f, &qenv), a.eval_exact(s, &qenv)) {
                if u != v {
                    return fail(format!(
                        "`{src}` = {u} at {qt:?}/8 but simplified `{}` = {v}",
                        print::rust(&a, s)
                    ));
                }
            }
        }
        Ok(())
    });
}

// ---- (c) print → parse round trip ------------------------------------------------------

/// The printed Rust text of an expression, of its simplified form and of a derivative parses
/// back to an equivalent expression: the same node, or `equiv` proves it (never `Differs`;
/// when it cannot decide, the two must agree at our own points). The LaTeX printer must not
/// panic either.
#[test]
fn print_parse_round_trip() {
    check((expr(), point()), |(e, pt)| {
        let src = e.to_string();
        let mut a = Arena::new();
        let Some(f) = parse(&mut a, &src)? else {
            return Ok(());
        };
        if huge_power(&a, f) {
            return Ok(());
        }
        let s = simplify::simplify(&mut a, &Domain::new(), f);
        let x = a.symbol("x");
        let d = a.diff(f, x);
        for id in [f, s, d] {
            if unprintable(&a, id) {
                continue;
            }
            let text = print::rust(&a, id);
            let _ = print::latex(&a, id);
            let back = match parse_str(&mut a, &text) {
                Ok(b) => b,
                Err(err) => return fail(format!("printed `{text}` of `{src}` refused: {err}")),
            };
            if back == id {
                continue;
            }
            let positive: Vec<Id> = VARS.iter().map(|v| a.var(v)).collect();
            let samples = SampleDomain { positive };
            match equiv(&mut a, &Domain::new(), &samples, id, back) {
                Verdict::Proved(_) => {}
                Verdict::Differs { point, lhs, rhs } => {
                    return fail(format!(
                        "`{text}` parses to a different expression: {lhs} vs {rhs} at {point:?}"
                    ))
                }
                Verdict::Undecided => {
                    let env = env(&mut a, pt);
                    let (u, v) = (a.eval(id, &env), a.eval(back, &env));
                    if u.is_finite() && !close(u, v, 1e-9) {
                        return fail(format!("`{text}` parses back to {v}, not {u}, at {pt:?}"));
                    }
                }
            }
        }
        Ok(())
    });
}

/// Stricter: printing an expression and parsing the text back gives the very same node (the
/// IR is canonical on construction, and the printer writes what the IR holds). About 1% of
/// cases fail, all one way: a number times a product that holds a sum stays as it is
/// (`-1 * (x + z) * x^-1`, `1/2 * y * (0.1 - y)^-1`), and its printed form puts the number
/// beside the sum (`-(x + z) / x`, `y / (2.0 * (0.1 - y))`), where the parser distributes it
/// (`(-x - z) / x`, `y / (0.2 - 2.0 * y)`): two IR forms of one expression.
#[test]
#[ignore = "engine bug: print -> parse is not the identity: -((z + x) / x) prints as `-(x + z) / x`, which parses to (-x - z) / x"]
fn print_parse_round_trip_is_identity() {
    check(expr(), |e| {
        let mut a = Arena::new();
        let Some(f) = parse(&mut a, &e.to_string())? else {
            return Ok(());
        };
        let text = print::rust(&a, f);
        let back = parse_str(&mut a, &text).ok();
        if back != Some(f) {
            let again = back.map(|b| print::rust(&a, b)).unwrap_or_default();
            return fail(format!(
                "`{e}` prints as `{text}`, which parses to `{again}`"
            ));
        }
        Ok(())
    });
}

// ---- (d) no panic -------------------------------------------------------------------------

/// Tokens for garbage: fragments of the grammar, other Rust syntax, and stray punctuation.
const TOKENS: &[&str] = &[
    "x",
    "y",
    "z",
    "theta",
    "0.5",
    "2",
    "1e-3",
    "0.0",
    "3.0f32",
    "1_000.5",
    "u8",
    "+",
    "-",
    "*",
    "/",
    "%",
    "^",
    "!",
    "&",
    "|",
    "=",
    "==",
    "<",
    ">",
    "::",
    ":",
    ".",
    "..",
    ",",
    ";",
    "?",
    "@",
    "#",
    "$",
    "'a",
    "\"s\"",
    "'c'",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ".ln()",
    ".exp()",
    ".sqrt()",
    ".powi(",
    ".powf(",
    ".recip()",
    ".abs()",
    ".sin()",
    ".ln_1p",
    ".exp_m1()",
    "ln_gamma",
    "digamma",
    "trigamma",
    "f64",
    "::ln",
    "std::f64::consts::PI",
    "E",
    "PI",
    "let",
    "mut",
    "fn",
    "if",
    "else",
    "match",
    "return",
    "as",
    "loop",
    "=>",
    "->",
    "|t|",
    "foo!",
    "self",
    "_",
];

/// Whatever `parse_str` accepts, the rest of the engine must handle without panicking.
fn pipeline(src: &str) {
    let mut a = Arena::new();
    if let Ok(f) = parse_str(&mut a, src) {
        let _ = print::rust(&a, f);
        let _ = print::latex(&a, f);
        let syms = a.free_symbols(f);
        let env: HashMap<Symbol, f64> = syms.iter().map(|&s| (s, 0.7)).collect();
        let _ = a.eval(f, &env);
        for s in syms {
            let d = a.diff(f, s);
            let _ = print::rust(&a, d);
        }
    }
}

#[test]
fn no_panic_on_token_soup() {
    let soup = prop::collection::vec((prop::sample::select(TOKENS), prop::bool::ANY), 0..40)
        .prop_map(|ts| {
            ts.iter()
                .map(|(t, space)| {
                    if *space {
                        format!("{t} ")
                    } else {
                        t.to_string()
                    }
                })
                .collect::<String>()
        });
    check(soup, |src| {
        pipeline(&src);
        Ok(())
    });
}

#[test]
fn no_panic_on_arbitrary_text() {
    check("\\PC{0,60}", |src| {
        pipeline(&src);
        Ok(())
    });
}

/// Valid text with a few characters deleted, replaced or inserted.
#[test]
fn no_panic_on_mutated_expressions() {
    let edits = prop::collection::vec(
        (
            any::<prop::sample::Index>(),
            prop::sample::select(vec![
                "", "(", ")", ".", "-", "*", "x", "1", " ", "ln", ";", "let a = ",
            ]),
        ),
        1..4,
    );
    check((expr(), edits), |(e, edits)| {
        let mut src = e.to_string();
        for (at, text) in edits {
            let i = at.index(src.len() + 1);
            let j = (i + 1).min(src.len());
            src.replace_range(i..j, text);
        }
        pipeline(&src);
        Ok(())
    });
}

/// The generated expressions themselves go through every stage, second derivatives, simplify
/// with and without sign facts and `equiv` included.
#[test]
fn no_panic_on_generated_expressions() {
    check(expr(), |e| {
        let src = e.to_string();
        let mut a = Arena::new();
        let Some(f) = parse(&mut a, &src)? else {
            return Ok(());
        };
        if huge_power(&a, f) {
            return Ok(());
        }
        let (x, y) = (a.symbol("x"), a.symbol("y"));
        let dx = a.diff(f, x);
        let dxy = a.diff(dx, y);
        let mut pos = Domain::new();
        let xs: Vec<Id> = VARS.iter().map(|v| a.var(v)).collect();
        for &v in &xs {
            pos.assume_positive(&mut a, v);
        }
        pos.assume_positive(&mut a, f);
        let s = simplify::simplify(&mut a, &pos, dxy);
        let _ = print::latex(&a, s);
        let samples = SampleDomain { positive: xs };
        let _ = equiv(&mut a, &Domain::new(), &samples, dx, s);
        Ok(())
    });
}
