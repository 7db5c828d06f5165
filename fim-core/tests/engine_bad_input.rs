//! Bad input to the parser: every case is an `Err` (never a panic, never a stack overflow)
//! whose message names the construct and says what is supported, at the offending token.

use fim_core::parse::parse_str;
use fim_core::Arena;

/// The error of `src` as (message, start column, end column) per combined error.
fn errors(src: &str) -> Vec<(String, usize, usize)> {
    let mut a = Arena::new();
    match parse_str(&mut a, src) {
        Ok(_) => panic!("`{src}` was accepted"),
        Err(e) => e
            .into_iter()
            .map(|e| {
                let s = e.span();
                (e.to_string(), s.start().column, s.end().column)
            })
            .collect(),
    }
}

/// `src` fails with one error containing every part of `msg` (split on `…`), on the text
/// `at` (the first occurrence of `at` in `src`).
fn rejects(src: &str, msg: &str, at: &str) {
    let errs = errors(src);
    assert_eq!(errs.len(), 1, "`{src}`: {errs:#?}");
    let (text, start, end) = &errs[0];
    for part in msg.split('…') {
        assert!(text.contains(part), "`{src}`: `{text}` lacks `{part}`");
    }
    let i = src
        .find(at)
        .unwrap_or_else(|| panic!("`{at}` not in `{src}`"));
    assert_eq!(
        (&src[*start..*end], *start),
        (at, i),
        "`{src}`: the error points at the wrong text"
    );
}

const SUPPORTED: &str = "supported are + - * /, unary -, parentheses, numeric literals, \
    variables, the methods ln, exp, sqrt, powi, powf, recip, ln_1p, exp_m1, abs";
const METHODS: &str = "ln, exp, sqrt, powi, powf, recip, ln_1p, exp_m1, abs, sin, cos, tan, atan, sinh, cosh, tanh, asinh, hypot";

// ---- unsupported syntax ---------------------------------------------------------------------

#[rustfmt::skip]
#[test]
fn unsupported_operators() {
    rejects("x % y", "`%` applies to integer index expressions only", "%");
    rejects("x == y", "unsupported operator `==`: supported are + - * / (and % on indices) and unary -", "==");
    rejects("x.ln() + (x += 1.0)", "`+=` is a statement, as in `acc += term;` on a `let mut` binding", "+=");
    rejects("x ^ 2", "unsupported operator `^`", "^");
    rejects("!x", "unsupported operator `!`", "!");
}

#[rustfmt::skip]
#[test]
fn unsupported_expressions() {
    rejects("if a { x } else { y }", &format!("unsupported `if`: {SUPPORTED}"), "if");
    rejects("match a { _ => x }", &format!("unsupported `match`: {SUPPORTED}"), "match");
    rejects("loop { x }", "unsupported `loop`", "loop");
    rejects("|t| t * x", "a closure is only supported as the argument of `.map(..)`", "|");
    rejects("x[0]", "`x` is a number, not an array: it cannot be indexed", "[0]");
    rejects("x.a", "unsupported field access `.a`", "a");
    rejects("(x, y)", "expected a number here, found a tuple", "(x, y)");
    rejects("x?", "unsupported `?` operator", "?");
    rejects("x..y", "the bounds of a range are integer literals or loop indices", "x");
    rejects("while x { }", "unsupported `while`: the only loop is `for i in 0..N { .. }`", "while");
    rejects("return x.ln();", "`return` is not supported: the value of the body is its last expression; write it last, without `return` and without `;`", "return");
    rejects("2.0 * sum!(x)", "unsupported macro `sum!`", "sum");
    rejects("x + { y }", "unsupported block `{ .. }`", "{ y }");
}

#[rustfmt::skip]
#[test]
fn unsupported_literals_and_casts() {
    rejects("x * \"s\"", "unsupported literal `\"s\"`: only numeric literals are supported", "\"s\"");
    rejects("2.0_f32 * x", "unsupported literal suffix `f32` in `2.0_f32`: use an f64 literal such as `1.0`", "2.0_f32");
    rejects("x as f32", "unsupported cast to `f32`: only `as f64`", "f32");
}

#[rustfmt::skip]
#[test]
fn unsupported_statements() {
    rejects("x; y", "unsupported statement: a body is `let` lines (`let name = expr;`, `let mut acc = 0.0;`), `for` loops that update them (`acc += term;`), and last its value, an expression without `;`", "x");
    rejects("let a = x;", "the body has no tail expression", ";");
    rejects("let a = x; a *= 2.0; a", "`a` is not mutable: declare it `let mut a = ..;`", "*=");
}

// ---- unsupported methods and functions ------------------------------------------------------

#[rustfmt::skip]
#[test]
fn unsupported_methods() {
    rejects("x.cbrt()", &format!("unsupported method `cbrt`: supported are {METHODS}"), "cbrt");
    rejects("x.log10() + 1.0", &format!("unsupported method `log10`: supported are {METHODS}"), "log10");
    rejects("x.max(y)", "unsupported method `max`", "max");
    rejects("f64::cbrt(x)", &format!("unsupported function `f64::cbrt`: supported methods are {METHODS}"), "cbrt");
    rejects("std::f64::acos(x)", "unsupported function `std::f64::acos`", "acos");
    rejects("x.ln(2.0)", "`ln` takes no arguments, found 1", "2.0");
}

#[rustfmt::skip]
#[test]
fn unknown_functions() {
    let supported = format!("supported are `f64::ln(x)`-style calls of {METHODS}, and ln_gamma, digamma, trigamma");
    rejects("foo(x)", &format!("unsupported function `foo`: {supported}"), "foo");
    rejects("sin(x)", "unsupported function `sin`: supported are", "sin");
    rejects("2.0 * gamma(x)", "unsupported function `gamma`", "gamma");
    rejects("beta(a, b)", "unsupported function `beta`", "beta");
    rejects("ln_gamma(x, y)", "`ln_gamma` takes one argument, found 2", "y");
    rejects("norm_cdf()", "`norm_cdf` takes one argument, found 0", "()");
    rejects("x.sin(y)", "`sin` takes no arguments, found 1", "y");
}

#[rustfmt::skip]
#[test]
fn definitions_take_two_arguments() {
    rejects("ln_beta(a)", "`ln_beta` takes two arguments (`ln_beta(a, b)`), found 1", "(a)");
    rejects("ln_beta(a, b, c)", "`ln_beta` takes two arguments (`ln_beta(a, b)`), found 3", "c");
    rejects("x.hypot()", "`hypot` takes one argument, the other side (`a.hypot(b)`), found 0", "()");
    rejects("x.hypot(y, z)", "`hypot` takes one argument, the other side (`a.hypot(b)`), found 2", "z");
    rejects("f64::hypot(x)", "`hypot` takes one argument, the other side (`a.hypot(b)`), found 0", "(x)");
    // Errors inside the arguments are reported, at their own tokens.
    rejects("ln_beta(a, b.cbrt())", "unsupported method `cbrt`", "cbrt");
}

// ---- powi -----------------------------------------------------------------------------------

#[rustfmt::skip]
#[test]
fn powi_needs_an_integer_literal() {
    let msg = "`powi` needs an integer literal exponent; use `powf` for a non-integer or symbolic exponent";
    rejects("x.powi(2.5)", msg, "2.5");
    rejects("x.powi(n)", msg, "n");
    rejects("x.powi(2.0)", msg, "2.0");
    rejects("x.powi(2u8)", "unsupported suffix `u8` on the `powi` exponent", "2u8");
    rejects("x.powi(3000000000)", "`powi` exponent `3000000000` does not fit in an i32", "3000000000");
    // What is supported is accepted.
    let mut a = Arena::new();
    for ok in ["x.powi(2)", "x.powi(-3)", "x.powi((-(2)))", "x.powi(2i32)", "x.powi(1 + 1)", "x.powf(2.5)", "x.powf(n)"] {
        assert!(parse_str(&mut a, ok).is_ok(), "{ok}");
    }
}

// ---- division by zero ---------------------------------------------------------------------

#[rustfmt::skip]
#[test]
fn division_by_a_literal_zero() {
    let msg = "division by zero: the divisor is exactly 0";
    rejects("x / 0.0", msg, "0.0");
    rejects("x / 0", msg, "0");
    rejects("x / -0.0", msg, "-0.0");
    rejects("x / 0e5", msg, "0e5");
    rejects("x / (1.0 - 1.0)", msg, "(1.0 - 1.0)");
    rejects("x / (y - y)", msg, "(y - y)");
    rejects("0.0.recip()", msg, "recip");
    rejects("(x - x).powi(-2)", msg, "powi");
    rejects("x.powf(1.0 / 0.0)", msg, "0.0");
}

// ---- every error at once -------------------------------------------------------------------

#[test]
fn every_error_is_reported_with_its_span() {
    // (A division whose dividend already failed is not checked: `x.powi(n) / 0.0` reports
    // only the exponent.)
    let src = "let a = x.acos(); a.cbrt() + y % 2.0 + foo(z) + x.powi(n) + y / 0.0";
    let errs = errors(src);
    let got: Vec<(&str, &str)> = errs
        .iter()
        .map(|(m, s, e)| (&src[*s..*e], m.split(':').next().unwrap_or("")))
        .collect();
    assert_eq!(
        got,
        [
            ("acos", "unsupported method `acos`"),
            ("cbrt", "unsupported method `cbrt`"),
            ("%", "`%` applies to integer index expressions only, as in `x[(i + 1) % N]`"),
            ("foo", "unsupported function `foo`"),
            ("n", "`powi` needs an integer literal exponent; use `powf` for a non-integer or symbolic exponent"),
            ("0.0", "division by zero"),
        ],
        "{errs:#?}"
    );
}

// ---- nesting --------------------------------------------------------------------------------

const DEEP: usize = 100_000;

/// Runs `f` on a thread with the 2 MiB stack of a default test thread (whatever
/// `RUST_MIN_STACK` says), so that recursion in the parser would show as an overflow here.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no panic");
}

/// `src` is refused, with a message that names the limit and says what to do.
fn too_deep(src: String) {
    on_small_stack(move || {
        let mut a = Arena::new();
        let e = parse_str(&mut a, &src).expect_err("accepted");
        let m = e.to_string();
        let nested = m.contains(
            "expression nested too deeply: one statement holds at most about 40 levels of \
             parentheses, brackets or calls",
        );
        let long = m.contains("expression too long: more than 2048 operators in one statement");
        let inlined = m.contains("nested too deeply after inlining `let` bindings");
        assert!(nested || long || inlined, "{}…: {m}", &src[..40]);
        assert!(
            m.contains("split it with `let` bindings") || inlined,
            "{}…: {m}",
            &src[..40]
        );
    });
}

#[test]
fn deep_parentheses() {
    too_deep(format!("{}x{}", "(".repeat(DEEP), ")".repeat(DEEP)));
    too_deep(format!("{}x{}", "[".repeat(DEEP), "]".repeat(DEEP)));
    too_deep(format!("{}x{}", "{".repeat(DEEP), "}".repeat(DEEP)));
    too_deep(format!("{}x{}", "(1.0 + ".repeat(DEEP), ")".repeat(DEEP)));
}

#[test]
fn deep_unary_minus() {
    too_deep(format!("{}x", "- ".repeat(DEEP)));
    too_deep(format!("{}x", "-".repeat(DEEP)));
    too_deep(format!("{}x{}", "-(".repeat(DEEP), ")".repeat(DEEP)));
}

#[test]
fn deep_method_chains() {
    too_deep(format!("x{}", ".ln()".repeat(DEEP)));
    too_deep(format!("x{}", ".exp().powi(2)".repeat(DEEP)));
    too_deep(format!("{}x{}", "x.powf(".repeat(DEEP), ")".repeat(DEEP)));
}

#[test]
fn deep_function_calls() {
    too_deep(format!("{}x{}", "ln_gamma(".repeat(DEEP), ")".repeat(DEEP)));
    too_deep(format!("{}x{}", "f64::exp(".repeat(DEEP), ")".repeat(DEEP)));
}

/// A plain sum or product of any length is accepted (regrouped before syn reads it); a long
/// chain that cannot be regrouped (here with `%`) is refused.
#[test]
fn long_sums_and_products() {
    on_small_stack(|| {
        let mut a = Arena::new();
        for src in [
            format!("x{}", " + x".repeat(DEEP)),
            format!("x{}", " * y - z / w".repeat(DEEP)),
            format!("let a = 1.0; x{}", " * x - a".repeat(DEEP)),
        ] {
            assert!(parse_str(&mut a, &src).is_ok(), "{}…", &src[..20]);
        }
    });
    too_deep(format!("x{}", " % y + x".repeat(DEEP)));
}

#[test]
fn deep_after_inlining_lets() {
    // Each line is shallow; inlined, the expression is 20 000 levels deep. (100 000 lines take
    // about 15 s to parse in a debug build, about 150 µs a line, so this uses fewer.)
    let n = 20_000;
    let lets: String = (1..=n)
        .map(|i| format!("let a{i} = a{}.ln();\n", i - 1))
        .collect();
    too_deep(format!("let a0 = x;\n{lets}a{n}"));
}

/// A long chain of lets whose inlined expression stays shallow is accepted: sums flatten.
#[test]
fn long_let_chain_with_a_shallow_result_is_accepted() {
    on_small_stack(|| {
        let lets: String = (1..=2_000)
            .map(|i| format!("let a{i} = a{} + y.powi({});\n", i - 1, i % 7))
            .collect();
        let mut a = Arena::new();
        let id = parse_str(&mut a, &format!("let a0 = x;\n{lets}a2000")).expect("accepted");
        let expected = parse_str(
            &mut a,
            "x + 285.0 + 286.0 * y + 286.0 * y.powi(2) + 286.0 * y.powi(3) + 286.0 * y.powi(4) \
             + 286.0 * y.powi(5) + 285.0 * y.powi(6)",
        )
        .expect("accepted");
        assert_eq!(id, expected);
    });
}

/// Inside the limit, deep input is accepted: the limit is not so low that real bodies fail.
#[test]
fn nesting_inside_the_limit_is_accepted() {
    on_small_stack(|| {
        let mut a = Arena::new();
        for src in [
            format!("{}x{}", "(".repeat(42), ")".repeat(42)),
            format!("{}x", "- ".repeat(128)),
            format!("x{}", ".ln()".repeat(125)),
            format!("x{}", " + x".repeat(2048)),
        ] {
            assert!(parse_str(&mut a, &src).is_ok(), "{}…", &src[..20]);
        }
    });
}

// ---- engine bugs ----------------------------------------------------------------------------

/// `0.0.recip()` and `(x - x).powi(-2)` are refused as divisions by zero, but the same through
/// `powf` is accepted; the IR then holds `0^-1`, printed `1.0 / 0.0`, which the parser refuses.
#[rustfmt::skip]
#[test]
fn zero_to_a_negative_powf_is_refused() {
    rejects("0.0.powf(-1.0)", "division by zero", "powf");
    rejects("(x - x).powf(-2.0)", "division by zero", "powf");
}

/// An exact constant beyond the range of f64 is printed as a decimal literal that neither
/// fim's parser (`literal … is out of range for f64`) nor rustc accepts.
#[test]
fn constant_beyond_f64_range_prints_parsably() {
    let mut a = Arena::new();
    for src in ["2.0.powi(2000)", "x / 2.0.powi(1100)"] {
        let id = parse_str(&mut a, src).expect("accepted");
        let text = fim_core::print::rust(&a, id);
        let back = parse_str(&mut a, &text);
        assert!(back.is_ok(), "`{src}` prints as `{text}`: {:?}", back.err());
    }
}
