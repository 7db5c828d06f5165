//! Errors of the derivation: a moment nobody can supply, E[score] ≠ 0, unknown names, data on a
//! moment's right-hand side, `E[..]` without data, a parameter absent from the body. Each error
//! is a `syn::Error` pointing at the user's most specific token; they are all collected.
//!
//! The engine infers the moments of full-rank exponential families (issue 4), so the "missing
//! moment" cases use models where inference cannot help: N(θ, θ²) (a curved family: the score
//! is linear in two statistics, x and x², for one parameter) and the Cauchy location model.

use fim_core::model::Derivation;

/// One error: its message and where it points (line, column of the span's start; the attribute
/// and the function are lexed separately, each starting at line 1, column 0).
#[derive(Debug)]
struct Error {
    msg: String,
    at: (usize, usize),
}

fn errors(attr: &str, item: &str) -> Vec<Error> {
    match Derivation::from_source(attr, item) {
        Ok(_) => panic!("expected an error for\n  {attr}\n  {item}"),
        Err(err) => err
            .into_iter()
            .map(|e| {
                let s = e.span().start();
                Error {
                    msg: e.to_string(),
                    at: (s.line, s.column),
                }
            })
            .collect(),
    }
}

/// The column of the `nth` (0-based) occurrence of `needle` in `src` (ASCII sources only).
fn col(src: &str, needle: &str, nth: usize) -> (usize, usize) {
    let mut from = 0;
    for _ in 0..nth {
        from += src[from..].find(needle).expect("needle") + needle.len();
    }
    (1, from + src[from..].find(needle).expect("needle"))
}

fn messages(errs: &[Error]) -> String {
    errs.iter()
        .map(|e| format!("  {:?} {}", e.at, e.msg))
        .collect::<Vec<_>>()
        .join("\n")
}

const NORMAL_THETA_THETA2: &str = "fn normal_cv(x: f64, theta: f64) -> f64 { -theta.ln() - (x - theta).powi(2) / (2.0 * theta.powi(2)) }";

const BINOMIAL: &str =
    "fn binomial(x: f64, theta: f64, n: f64) -> f64 { x * theta.ln() + (n - x) * (1.0 - theta).ln() }";

// ---- missing moments ---------------------------------------------------------------------------

/// N(θ, θ²) with E[x] declared: the Hessian also needs E[x²], which inference cannot supply.
/// The one error names exactly that moment, in Rust syntax, with the line to add.
#[test]
fn missing_second_moment_is_named_with_the_line_to_add() {
    let attr = "params(theta), data(x), moments(E[x] = theta)";
    let errs = errors(attr, NORMAL_THETA_THETA2);
    assert_eq!(errs.len(), 1, "{}", messages(&errs));
    let e = &errs[0];
    assert!(
        e.msg
            .starts_with("needs E[x.powi(2)]: add `E[x.powi(2)] = …` to moments(..)"),
        "{}",
        e.msg
    );
    // Which entry needs it, and why inference could not help.
    assert!(e.msg.contains("F[theta][theta]"), "{}", e.msg);
    assert!(e.msg.contains("cannot be inferred"), "{}", e.msg);
    assert!(
        e.msg.contains("x.powi(2)") && e.msg.contains("1 parameter"),
        "{}",
        e.msg
    );
    // It does not claim E[x] is missing: that one was declared.
    assert!(!e.msg.contains("E[x] = …"), "{}", e.msg);
    // It points at `moments`.
    assert_eq!(e.at, col(attr, "moments", 0));
}

/// Nothing declared: both E[x] and E[x²] are named, one error each, in the order the Hessian
/// meets them.
#[test]
fn every_missing_moment_is_named() {
    let errs = errors("params(theta), data(x)", NORMAL_THETA_THETA2);
    assert_eq!(errs.len(), 2, "{}", messages(&errs));
    assert!(
        errs[0]
            .msg
            .starts_with("needs E[x]: add `E[x] = …` to moments(..)"),
        "{}",
        messages(&errs)
    );
    assert!(
        errs[1]
            .msg
            .starts_with("needs E[x.powi(2)]: add `E[x.powi(2)] = …` to moments(..)"),
        "{}",
        messages(&errs)
    );
    // With no `moments(..)` key, the error points at the function's name.
    assert_eq!(errs[0].at, col(NORMAL_THETA_THETA2, "normal_cv", 0));
}

/// Supplying the moment the error asked for makes the model derive: F = 3/θ² for N(θ, θ²).
#[test]
fn adding_the_named_moment_fixes_it() {
    let d = Derivation::from_source(
        "params(theta), data(x), moments(E[x] = theta, E[x.powi(2)] = 2.0 * theta.powi(2))",
        NORMAL_THETA_THETA2,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut d = d;
    let arena = &mut d.model.arena;
    let want = fim_core::parse::parse_str(arena, "3.0 / theta.powi(2)").unwrap();
    let v = fim_core::equiv::equiv(
        arena,
        &d.core.domain,
        &d.core.samples,
        want,
        d.core.fisher[0][0],
    );
    assert!(v.is_proved(), "{v:?}");
}

/// A non-exponential-family likelihood (Cauchy location): every moment the Hessian needs is
/// named, and none is the plain `E[x]` (which this model does not need).
#[test]
fn cauchy_needs_moments_that_cannot_be_inferred() {
    let errs = errors(
        "params(theta), data(x)",
        "fn cauchy(x: f64, theta: f64) -> f64 { -(1.0 + (x - theta).powi(2)).ln() }",
    );
    assert!(!errs.is_empty());
    for e in &errs {
        assert!(e.msg.starts_with("needs E["), "{}", e.msg);
        let inner = &e.msg["needs E[".len()..e.msg.find("]:").expect("]:")];
        assert!(
            e.msg
                .contains(&format!("add `E[{inner}] = …` to moments(..)")),
            "{}",
            e.msg
        );
        assert!(inner.contains("1.0 + (x - theta).powi(2)"), "{}", e.msg);
        assert!(
            e.msg
                .contains("cannot be inferred: the score is linear in 2 data statistics"),
            "{}",
            e.msg
        );
    }
}

/// The Laplace location: ℓ has a kink at x = mu, so ∂²ℓ/∂mu² is 0 wherever it exists and the
/// Hessian route gives F[mu][mu] = 0 (the true value, 1/b², needs E[s²] and the kink). That is
/// an error naming the parameter and the reason, not a singular F or a list of strange moments.
#[test]
fn laplace_location_kink_is_named() {
    let attr = "params(mu, b), data(x), moments(E[(x - mu).abs()] = b)";
    let errs = errors(
        attr,
        "fn laplace(x: f64, mu: f64, b: f64) -> f64 { -(x - mu).abs() / b - b.ln() }",
    );
    assert_eq!(errs.len(), 1, "{}", messages(&errs));
    assert!(
        errs[0].msg.starts_with("F[mu][mu] = −E[∂²ℓ/∂mu²] is 0")
            && errs[0].msg.contains("not twice differentiable in `mu`"),
        "{}",
        errs[0].msg
    );
    assert_eq!(errs[0].at, col(attr, "mu", 0));
}

// ---- E[score] = 0 --------------------------------------------------------------------------------

/// The binomial with `E[x] = theta` (the `n` forgotten): E[score] = 0 fails; the message names
/// the parameter, shows the residue (1 − n)/(1 − θ), and points at the parameter.
#[test]
fn binomial_with_wrong_mean_fails_the_score_check() {
    let attr = "params(theta), data(x), moments(E[x] = theta)";
    let errs = errors(attr, BINOMIAL);
    let score: Vec<&Error> = errs
        .iter()
        .filter(|e| e.msg.starts_with("E[score] = 0 fails"))
        .collect();
    assert_eq!(score.len(), 1, "{}", messages(&errs));
    let e = score[0];
    assert!(e.msg.contains("`theta`"), "{}", e.msg);
    assert_eq!(e.at, col(attr, "theta", 0));

    // The residue, read back from the message, is (1 − n)/(1 − θ) = E[x − nθ]/(θ(1 − θ)) with
    // E[x] = θ.
    let key = "E[∂ℓ/∂theta] = ";
    let start = e.msg.find(key).expect("residue") + key.len();
    let end = e.msg.find(", not 0").expect("not 0");
    let residue = &e.msg[start..end];
    let mut arena = fim_core::Arena::new();
    let r = fim_core::parse::parse_str(&mut arena, residue).unwrap();
    let (theta, n) = (
        arena.find_symbol("theta").unwrap(),
        arena.find_symbol("n").unwrap(),
    );
    for (t, nv) in [(0.3, 10.0), (0.75, 4.0)] {
        let env = [(theta, t), (n, nv)].into_iter().collect();
        let got = arena.eval(r, &env);
        let want = (1.0 - nv) / (1.0 - t);
        assert!(
            (got - want).abs() < 1e-12,
            "residue `{residue}`: {got} vs {want}"
        );
    }
}

/// A typo in the likelihood (`1.0 + theta` for `1.0 - theta`) with a correct moment: the score
/// check catches it.
#[test]
fn typo_in_the_likelihood_fails_the_score_check() {
    let errs = errors(
        "params(theta), data(x), moments(E[x] = n * theta)",
        "fn binomial(x: f64, theta: f64, n: f64) -> f64 { x * theta.ln() + (n - x) * (1.0 + theta).ln() }",
    );
    assert!(
        errs.iter()
            .any(|e| e.msg.starts_with("E[score] = 0 fails for `theta`")),
        "{}",
        messages(&errs)
    );
}

// ---- names and roles -----------------------------------------------------------------------------

#[test]
fn unknown_name_in_the_body() {
    let item = "fn binomial(x: f64, theta: f64, n: f64) -> f64 { x * theta.ln() + (m - x) * (1.0 - theta).ln() }";
    let errs = errors("params(theta), data(x), moments(E[x] = n * theta)", item);
    assert_eq!(errs.len(), 1, "{}", messages(&errs));
    assert_eq!(
        errs[0].msg,
        "unknown name `m` in the log-likelihood: it is not an argument of the function"
    );
}

#[test]
fn unknown_name_in_a_moment() {
    let attr = "params(theta), data(x), moments(E[x] = m * theta)";
    let errs = errors(attr, BINOMIAL);
    assert_eq!(errs.len(), 1, "{}", messages(&errs));
    assert_eq!(
        errs[0].msg,
        "unknown name `m` in a moment: it is not an argument of the function"
    );
    assert_eq!(errs[0].at, col(attr, "m * theta", 0));
}

#[test]
fn unknown_parameter_and_data_names() {
    let attr = "params(theta, zeta), data(x, y), moments(E[x] = n * theta)";
    let errs = errors(attr, BINOMIAL);
    // Both are reported at once, each at its own token.
    assert_eq!(errs.len(), 2, "{}", messages(&errs));
    assert_eq!(errs[0].msg, "`zeta` is not an argument of `binomial`");
    assert_eq!(errs[0].at, col(attr, "zeta", 0));
    assert_eq!(errs[1].msg, "`y` is not an argument of `binomial`");
    assert_eq!(errs[1].at, col(attr, "y", 0));
}

#[test]
fn a_name_cannot_be_both_parameter_and_data() {
    let attr = "params(theta), data(theta)";
    let errs = errors(attr, BINOMIAL);
    assert!(
        errs.iter()
            .any(|e| e.msg == "`theta` cannot be both a parameter and data"
                && e.at == col(attr, "theta", 1)),
        "{}",
        messages(&errs)
    );
}

// ---- moments ---------------------------------------------------------------------------------------

#[test]
fn data_in_a_moments_right_hand_side() {
    let attr = "params(theta), data(x), moments(E[x] = x * theta)";
    let errs = errors(attr, BINOMIAL);
    assert_eq!(errs.len(), 1, "{}", messages(&errs));
    assert!(
        errs[0]
            .msg
            .starts_with("data inside a moment's right-hand side"),
        "{}",
        errs[0].msg
    );
    assert_eq!(errs[0].at, col(attr, "x * theta", 0));
}

#[test]
fn expectation_without_data() {
    let attr = "params(theta), data(x), moments(E[theta] = n * theta)";
    let errs = errors(attr, BINOMIAL);
    assert_eq!(errs.len(), 1, "{}", messages(&errs));
    assert_eq!(
        errs[0].msg,
        "`E[..]` has no data in it: the expression inside must involve `x`"
    );
    assert_eq!(errs[0].at, col(attr, "theta", 1));
}

#[test]
fn variance_without_data() {
    let errs = errors("params(theta), data(x), moments(Var[n] = theta)", BINOMIAL);
    assert_eq!(errs.len(), 1, "{}", messages(&errs));
    assert!(
        errs[0].msg.starts_with("`Var[..]` has no data in it"),
        "{}",
        errs[0].msg
    );
}

#[test]
fn moment_with_two_unknowns() {
    // N(θ, θ²): nothing is inferred, so E[x² + x] stays with two unknowns.
    let attr = "params(theta), data(x), moments(E[x.powi(2) + x] = 2.0 * theta.powi(2) + theta)";
    let errs = errors(attr, NORMAL_THETA_THETA2);
    assert!(
        errs.iter().any(|e| e
            .msg
            .starts_with("this moment has more than one unknown data expectation")),
        "{}",
        messages(&errs)
    );
}

#[test]
fn not_a_moment() {
    let attr = "params(theta), data(x), moments(Foo[x] = theta)";
    let errs = errors(attr, BINOMIAL);
    assert_eq!(errs.len(), 1, "{}", messages(&errs));
    assert_eq!(
        errs[0].msg,
        "expected `E[expr] = expr` or `Var[expr] = expr` in moments(..), found `Foo`"
    );
    assert_eq!(errs[0].at, col(attr, "Foo", 0));
}

// ---- parameters ------------------------------------------------------------------------------------

#[test]
fn parameter_absent_from_the_body() {
    let attr = "params(theta, n), data(x), moments(E[x] = n * theta)";
    let item = "fn binomial(x: f64, theta: f64, n: f64, m: f64) -> f64 { x * theta.ln() + (m - x) * (1.0 - theta).ln() }";
    let errs = errors(attr, item);
    assert_eq!(errs.len(), 1, "{}", messages(&errs));
    assert!(
        errs[0]
            .msg
            .starts_with("parameter `n` does not appear in the log-likelihood"),
        "{}",
        errs[0].msg
    );
    assert_eq!(errs[0].at, col(attr, "n", 0));
}

#[test]
fn missing_params_key() {
    let errs = errors("data(x), moments(E[x] = n * theta)", BINOMIAL);
    assert!(
        errs.iter()
            .any(|e| e.msg.starts_with("missing `params(..)`")),
        "{}",
        messages(&errs)
    );
}

#[test]
fn unsupported_function_in_the_body() {
    let item = "fn f(x: f64, theta: f64) -> f64 { x * theta.cbrt() - theta }";
    let errs = errors("params(theta), data(x)", item);
    assert_eq!(errs.len(), 1, "{}", messages(&errs));
    assert!(
        errs[0].msg.starts_with("unsupported method `cbrt`"),
        "{}",
        errs[0].msg
    );
    assert_eq!(errs[0].at, col(item, "cbrt", 0));
}

/// Malformed input of many kinds is an error, never a panic.
#[test]
fn malformed_input_never_panics() {
    let cases: &[(&str, &str)] = &[
        ("", BINOMIAL),
        ("params()", BINOMIAL),
        ("params(theta", BINOMIAL),
        ("params(theta), params(theta)", BINOMIAL),
        ("params(theta), data(x), moments(E[x])", BINOMIAL),
        ("params(theta), data(x), moments(E[x] =)", BINOMIAL),
        ("params(theta), data(x), moments(E x = 1.0)", BINOMIAL),
        ("params(theta), data(x), verify(fisher = 1.0)", BINOMIAL),
        (
            "params(theta), data(x), verify(fisher = [[1.0, 2.0]])",
            BINOMIAL,
        ),
        ("params(theta), data(x), reparam(odds())", BINOMIAL),
        ("params(theta), data(x), bogus(1)", BINOMIAL),
        (
            "params(theta), data(x)",
            "fn f(x: f64, theta: f64) -> f64 { }",
        ),
        (
            "params(theta), data(x)",
            "fn f(x: f64, theta: i32) -> f64 { x }",
        ),
        (
            "params(theta), data(x)",
            "fn f(x: f64, theta: f64) { x * theta }",
        ),
        (
            "params(theta), data(x)",
            "fn f(x: f64, theta: f64) -> f64 { x * theta.ln() / 0.0 }",
        ),
        (
            "params(theta), data(x)",
            "fn f(x: f64, theta: f64) -> f64 { loop {} }",
        ),
        ("params(theta), data(x)", "struct S;"),
    ];
    for (attr, item) in cases {
        let r = std::panic::catch_unwind(|| Derivation::from_source(attr, item).map(|_| ()));
        match r {
            Ok(Err(_)) => {}
            Ok(Ok(())) => panic!("no error for\n  {attr}\n  {item}"),
            Err(_) => panic!("panicked on\n  {attr}\n  {item}"),
        }
    }
}
