//! `syn` → IR: the body of a log-likelihood as an [`Ir`] expression.
//!
//! [`check_depth`] runs first, iteratively, on raw tokens, so that nothing recursive (syn's
//! parser, syn's `Drop`, `Spanned`) ever sees input deep enough to overflow a 2 MiB stack. The
//! converter walks syn's tree with an explicit stack ([`walk`]) and computes compile-time
//! [`Value`]s: `let` bindings are inlined, arrays are lists of their entries, and `for` loops
//! ([`stmt`]) and iterator chains with their closures ([`call`]) are unrolled, so what comes out
//! is one IR expression. Errors point at the most specific token and are combined, so a body
//! reports every unsupported construct at once.

use std::str::FromStr;

use proc_macro2::{Span, TokenStream};
use syn::spanned::Spanned;

use crate::ctxt::Errors;
use crate::expr::special::{self, Form};
use crate::expr::{Id, Ir};

mod atom;
mod balance;
mod call;
mod depth;
mod stmt;
mod value;
mod walk;

pub(crate) use atom::is_f64;
pub use atom::literal;
pub use balance::balance;
use depth::too_deep;
pub use depth::{check_depth, MAX_DEPTH};
pub use value::{Scope, Value};
pub use walk::ConstantSite;
use walk::Cx;
pub use walk::MAX_UNROLL;

/// Deepest IR returned (after inlining `let` bindings); bounds the recursive walks downstream.
const MAX_IR_DEPTH: usize = 4 * MAX_DEPTH;

/// The elementary methods; the special-function table adds its own.
const ELEMENTARY: &str = "ln, exp, sqrt, powi, powf, recip, ln_1p, exp_m1, abs";

/// The supported methods, as quoted in error messages.
fn methods() -> String {
    let mut all = vec![ELEMENTARY];
    all.extend(special::names(Form::Method));
    all.join(", ")
}

/// The supported free functions (of `fim::special`), as quoted in error messages.
fn functions() -> String {
    special::names(Form::Free).join(", ")
}

/// What an expression may contain, as quoted in error messages.
fn supported() -> String {
    format!(
        "supported are + - * /, unary -, parentheses, numeric literals, variables, the methods \
         {} (also called as `f64::ln(x)`), {}, and the constants PI and E",
        methods(),
        functions()
    )
}

/// What a body may contain, as quoted in error messages.
const BODY: &str = "a body is `let` lines (`let name = expr;`, `let mut acc = 0.0;`), `for` \
                    loops that update them (`acc += term;`), and last its value, an expression \
                    without `;`";

/// A parsed body: its value, where `abs` was applied (the model checks that each applies to
/// data) and where a function was applied to a constant (the model checks that it is defined
/// there).
#[derive(Clone, Debug)]
pub struct Body {
    /// The log-likelihood.
    pub value: Id,
    /// Each `|a|` built, with the span of its `abs`.
    pub abs_sites: Vec<(Id, Span)>,
    /// Each function of a constant.
    pub constant_sites: Vec<ConstantSite>,
    /// The body's own `let` bindings of numbers, in order.
    pub lets: Vec<Binding>,
}

/// syn::Expr -> IR, with no names in scope.
///
/// Every single-identifier path becomes [`Ir::var`], except the constants `PI`, `E` (and the
/// other exact `std::f64::consts`). The walk is iterative, so any tree syn could build is safe;
/// error spans are found with syn's `Spanned`, which is recursive, so run [`check_depth`] on the
/// tokens first as [`parse_str`] and the macro do.
pub fn expr(arena: &mut Ir, e: &syn::Expr) -> syn::Result<Id> {
    expr_in(arena, e, &Scope::new())
}

/// [`expr`] with the names of `scope` in view (the model's array arguments).
pub fn expr_in(arena: &mut Ir, e: &syn::Expr, scope: &Scope) -> syn::Result<Id> {
    let mut errors = Errors::new();
    let id = Cx::new(arena, &mut errors, scope.clone()).real(e);
    errors.finish_some(id, || syn::Error::new(e.span(), "expected an expression"))
}

/// The value of `e` (a number, an array, …) with the names of `scope` in view.
pub fn value_in(arena: &mut Ir, e: &syn::Expr, scope: &Scope) -> syn::Result<Value> {
    let mut errors = Errors::new();
    let v = Cx::new(arena, &mut errors, scope.clone()).value(e);
    errors.finish_some(v, || syn::Error::new(e.span(), "expected an expression"))
}

/// A function body: `let` and `let mut` bindings, `for` loops updating them, and a tail
/// expression. Bindings are inlined (substituted) and loops unrolled; shadowing is allowed.
///
/// Every unsupported statement and expression is reported, combined into one error.
pub fn block(arena: &mut Ir, b: &syn::Block) -> syn::Result<Id> {
    body(arena, b, Scope::new()).map(|b| b.value)
}

/// A `let` binding of a body: its name and its value with earlier bindings inlined.
pub type Binding = (String, Id);

/// [`block`], also returning the `let` bindings of the body (not those inside loops or
/// closures) in the order they are written, a shadowed name once per binding, so that the
/// caller can speak in the user's names.
pub fn block_with_bindings(arena: &mut Ir, b: &syn::Block) -> syn::Result<(Id, Vec<Binding>)> {
    body(arena, b, Scope::new()).map(|b| (b.value, b.lets))
}

/// [`block`] with the names of `scope` in view, the sites the model checks, and the `let`
/// bindings (as [`block_with_bindings`]).
pub fn body(arena: &mut Ir, b: &syn::Block, scope: Scope) -> syn::Result<Body> {
    statements(arena, &b.stmts, b.brace_token.span.join(), scope)
}

/// Parses source text: either an expression (`x * theta.ln()`) or a block body with lets
/// (`let a = 1.0 - theta; x * a.ln()`), for tests, examples and tools. Runs `check_depth` on the
/// raw text before anything recursive touches it.
///
/// proc-macro2's own lexer (used outside a compiler) is iterative and drops token trees without
/// recursion, so the text is lexed and then checked; a cheap bracket count on the text guards
/// the compiler's lexer when this runs inside a proc macro.
pub fn parse_str(arena: &mut Ir, src: &str) -> syn::Result<Id> {
    let mut open = 0usize;
    for b in src.bytes() {
        match b {
            b'(' | b'[' | b'{' => {
                open += 1;
                if open > MAX_DEPTH {
                    return Err(too_deep(Span::call_site()));
                }
            }
            b')' | b']' | b'}' => open = open.saturating_sub(1),
            _ => {}
        }
    }
    let tokens = TokenStream::from_str(src)
        .map_err(|e| syn::Error::new(e.span(), format!("cannot read the input as tokens: {e}")))?;
    parse_tokens(arena, balance(tokens))
}

/// Checks the depth of `tokens`, parses them as a body and converts it.
fn parse_tokens(arena: &mut Ir, tokens: TokenStream) -> syn::Result<Id> {
    check_depth(&tokens)?;
    let stmts = syn::parse::Parser::parse2(syn::Block::parse_within, tokens)?;
    statements(arena, &stmts, Span::call_site(), Scope::new()).map(|b| b.value)
}

/// Converts statements and their tail expression, which must be a number.
fn statements(arena: &mut Ir, stmts: &[syn::Stmt], whole: Span, scope: Scope) -> syn::Result<Body> {
    let mut errors = Errors::new();
    let mut cx = Cx::new(arena, &mut errors, scope);
    let v = cx.block(stmts, whole);
    let value = v.and_then(|v| cx.real_of(v, || stmts.last().map_or(whole, |s| s.span())));
    let value = match (value, stmts.last()) {
        (Some(id), Some(tail)) => cx.bounded(id, tail),
        (value, _) => value,
    };
    let abs_sites = std::mem::take(&mut cx.abs_sites);
    let constant_sites = std::mem::take(&mut cx.constant_sites);
    let lets = std::mem::take(&mut cx.lets);
    let body = value.map(|value| Body {
        value,
        abs_sites,
        constant_sites,
        lets,
    });
    errors.finish_some(body, || syn::Error::new(whole, "expected an expression"))
}

// The unit tests build through the arena every caller uses.
#[cfg(test)]
use {crate::Arena, proc_macro2::TokenTree};

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;
    use crate::expr::{rat, ratio, BigInt, Rational};

    // One arena per test thread; the helpers below wrap the arena API so that an expected form
    // reads like the math: `mul([v("x"), ln(v("theta"))])`.
    thread_local!(static ARENA: RefCell<Arena> = RefCell::new(Arena::new()));

    fn with<R>(f: impl FnOnce(&mut Arena) -> R) -> R {
        ARENA.with(|a| f(&mut a.borrow_mut()))
    }
    fn p(src: &str) -> Id {
        with(|a| parse_str(a, src)).unwrap_or_else(|e| panic!("`{src}`: {e}"))
    }
    fn v(name: &str) -> Id {
        with(|a| a.var(name))
    }
    fn int(n: i64) -> Id {
        with(|a| a.int(n))
    }
    fn num(r: Rational) -> Id {
        with(|a| a.num(r))
    }
    fn pi() -> Id {
        with(|a| a.pi())
    }
    fn add<const N: usize>(xs: [Id; N]) -> Id {
        with(|a| a.add(xs))
    }
    fn mul<const N: usize>(xs: [Id; N]) -> Id {
        with(|a| a.mul(xs))
    }
    fn sub(x: Id, y: Id) -> Id {
        with(|a| a.sub(x, y))
    }
    fn div(x: Id, y: Id) -> Id {
        with(|a| a.div(x, y))
    }
    fn neg(x: Id) -> Id {
        with(|a| a.neg(x))
    }
    fn powi(x: Id, n: i64) -> Id {
        with(|a| a.powi(x, n))
    }
    fn pow(x: Id, y: Id) -> Id {
        with(|a| a.pow(x, y))
    }
    fn ln(x: Id) -> Id {
        with(|a| a.ln(x))
    }
    fn exp(x: Id) -> Id {
        with(|a| a.exp(x))
    }
    fn sqrt(x: Id) -> Id {
        with(|a| a.sqrt(x))
    }
    fn recip(x: Id) -> Id {
        with(|a| a.recip(x))
    }
    fn abs(x: Id) -> Id {
        with(|a| a.abs(x))
    }
    fn ln_gamma(x: Id) -> Id {
        with(|a| a.ln_gamma(x))
    }
    fn polygamma(k: u32, x: Id) -> Id {
        with(|a| a.polygamma(k, x))
    }

    fn err(src: &str) -> syn::Error {
        match parse_str(&mut Arena::new(), src) {
            Ok(_) => panic!("`{src}` should not parse"),
            Err(e) => e,
        }
    }

    /// The error message of `src` contains `part`.
    fn msg(src: &str, part: &str) {
        let e = err(src).to_string();
        assert!(e.contains(part), "`{src}`: `{e}` lacks `{part}`");
    }

    /// The first token spelled `text` (an identifier, punctuation, literal or opening bracket).
    fn token(stream: &TokenStream, text: &str) -> Option<Span> {
        let mut stack = vec![stream.clone().into_iter()];
        while let Some(top) = stack.last_mut() {
            let Some(tree) = top.next() else {
                stack.pop();
                continue;
            };
            let spelled = match &tree {
                TokenTree::Group(g) => g.to_string().chars().take(1).collect(),
                other => other.to_string(),
            };
            if spelled == text {
                return Some(tree.span());
            }
            if let TokenTree::Group(g) = tree {
                stack.push(g.stream().into_iter());
            }
        }
        None
    }

    /// The error of `src` says `part` and points at the first token spelled `at`.
    ///
    /// Spans carry positions only with proc-macro2's `span-locations` feature; without it every
    /// span prints as `Span` and only the message is really checked.
    fn err_at(src: &str, part: &str, at: &str) {
        let tokens = TokenStream::from_str(src).unwrap();
        let e = match parse_tokens(&mut Arena::new(), tokens.clone()) {
            Ok(_) => panic!("`{src}` should not parse"),
            Err(e) => e,
        };
        assert!(
            e.to_string().contains(part),
            "`{src}`: `{e}` lacks `{part}`"
        );
        let want = token(&tokens, at).unwrap_or_else(|| panic!("no `{at}` in `{src}`"));
        assert_eq!(
            format!("{:?}", e.span()),
            format!("{want:?}"),
            "`{src}`: span of `{e}`"
        );
    }

    fn lit(src: &str) -> syn::Result<Rational> {
        literal(&syn::parse_str::<syn::Lit>(src).unwrap())
    }

    fn lit_err(src: &str) -> String {
        lit(src).unwrap_err().to_string()
    }

    // ---- structure -----------------------------------------------------------------------

    #[test]
    #[rustfmt::skip]
    fn arithmetic() {
        assert_eq!(p("x * theta.ln()"), mul([v("x"), ln(v("theta"))]));
        assert_eq!(p("x + y - z"), sub(add([v("x"), v("y")]), v("z")));
        assert_eq!(p("x / y"), div(v("x"), v("y")));
        assert_eq!(p("-x"), neg(v("x")));
        assert_eq!(p("(n - x) * (1.0 - theta).ln()"), mul([sub(v("n"), v("x")), ln(sub(int(1), v("theta")))]));
        assert_eq!(p("((x))"), v("x"));
        assert_eq!(p("x as f64"), v("x"));
        assert_eq!(p("- - x"), v("x"));
        assert_eq!(p("-(-(x))"), v("x"));
        assert_eq!(p("2 * x"), p("x + x"));
    }

    #[test]
    #[rustfmt::skip]
    fn literals_are_exact() {
        assert_eq!(lit("0.1").unwrap(), ratio(1, 10));
        assert_eq!(lit("1e-3").unwrap(), ratio(1, 1000));
        assert_eq!(lit("2.5E2").unwrap(), rat(250));
        assert_eq!(lit("2").unwrap(), rat(2));
        assert_eq!(lit("2.0").unwrap(), rat(2));
        assert_eq!(lit("2.").unwrap(), rat(2));
        assert_eq!(lit("2f64").unwrap(), rat(2));
        assert_eq!(lit("2.0_f64").unwrap(), rat(2));
        assert_eq!(lit("1_000.5").unwrap(), ratio(2001, 2));
        assert_eq!(lit("0x10").unwrap(), rat(16));
        assert_eq!(lit("0e999").unwrap(), rat(0));
        assert_eq!(lit("1e308").unwrap(), Rational::from(num_traits::pow(BigInt::from(10), 308)));
        assert!(lit_err("1e309").contains("literal `1e309` is out of range for f64"));
        assert!(lit_err("1e-400").contains("out of range for f64"));
        assert!(lit_err("1.0f32").contains("unsupported literal suffix `f32` in `1.0f32`: use an f64 literal"));
        assert!(lit_err("2u8").contains("unsupported literal suffix `u8`"));
        assert!(lit_err("\"a\"").contains("unsupported literal `\"a\"`: only numeric literals"));
        assert_eq!(p("0.1 * x"), mul([num(ratio(1, 10)), v("x")]));
        assert_eq!(p("2"), p("2.0"));
        assert_eq!(p("-2.5e-1"), num(ratio(-1, 4)));
    }

    #[test]
    #[rustfmt::skip]
    fn methods() {
        assert_eq!(p("x.ln()"), ln(v("x")));
        assert_eq!(p("x.exp()"), exp(v("x")));
        assert_eq!(p("x.sqrt()"), sqrt(v("x")));
        assert_eq!(p("x.recip()"), recip(v("x")));
        assert_eq!(p("x.abs()"), abs(v("x")));
        assert_eq!(p("x.ln_1p()"), ln(add([int(1), v("x")])));
        assert_eq!(p("x.exp_m1()"), add([exp(v("x")), int(-1)]));
        assert_eq!(p("x.powi(2)"), mul([v("x"), v("x")]));
        assert_eq!(p("x.powi(-2)"), powi(v("x"), -2));
        assert_eq!(p("x.powi((-(3)))"), recip(mul([v("x"), v("x"), v("x")])));
        assert_eq!(p("x.powi(2i32)"), powi(v("x"), 2));
        assert_eq!(p("x.powf(y)"), pow(v("x"), v("y")));
        assert_eq!(p("x.powf(2.0)"), p("x.powi(2)"));
        assert_eq!(p("x.powf(0.5)"), p("x.sqrt()"));
        assert_eq!(p("x.ln().exp()"), v("x"));
    }

    #[test]
    #[rustfmt::skip]
    fn function_calls() {
        assert_eq!(p("f64::ln(x)"), p("x.ln()"));
        assert_eq!(p("std::f64::exp(x)"), exp(v("x")));
        assert_eq!(p("core::f64::sqrt(x)"), sqrt(v("x")));
        assert_eq!(p("f64::powi(x, 2)"), p("x.powi(2)"));
        assert_eq!(p("f64::powf(x, e)"), pow(v("x"), v("e")));
        assert_eq!(p("f64::ln_1p(f64::exp_m1(x))"), p("x.exp_m1().ln_1p()"));
        assert_eq!(p("ln_gamma(x)"), ln_gamma(v("x")));
        assert_eq!(p("fim::special::digamma(x)"), polygamma(0, v("x")));
        assert_eq!(p("special::trigamma(x)"), polygamma(1, v("x")));
        assert_eq!(p("crate::anything::ln_gamma(x + 1.0)"), ln_gamma(add([int(1), v("x")])));
    }

    #[test]
    #[rustfmt::skip]
    fn constants() {
        assert_eq!(p("std::f64::consts::PI"), pi());
        assert_eq!(p("::core::f64::consts::PI"), pi());
        assert_eq!(p("f64::consts::PI"), pi());
        assert_eq!(p("consts::PI"), pi());
        assert_eq!(p("PI"), pi());
        assert_eq!(p("std::f64::consts::E"), exp(int(1)));
        assert_eq!(p("E"), exp(int(1)));
        assert_eq!(p("std::f64::consts::TAU"), mul([int(2), pi()]));
        assert_eq!(p("std::f64::consts::LN_2"), ln(int(2)));
        assert_eq!(p("std::f64::consts::FRAC_1_SQRT_2"), p("2.0.sqrt() / 2.0"));
        assert_eq!(p("FRAC_PI_2"), p("PI / 2.0"));
    }

    #[test]
    #[rustfmt::skip]
    fn lets_are_inlined() {
        assert_eq!(p("let a = 1.0 - theta; x * a.ln()"), p("x * (1.0 - theta).ln()"));
        assert_eq!(p("let a: f64 = 2.0; let a = a * a; a * x"), mul([int(4), v("x")]));
        assert_eq!(p("let x = y; let y = x + 1.0; x + y"), p("2.0 * y + 1.0"));
        assert_eq!(p("let PI = 3.0; PI"), int(3));
        assert_eq!(p("#[allow(unused)] let t = theta.ln(); x * t"), p("x * theta.ln()"));
    }

    #[test]
    fn block_and_expr_entry_points() {
        let item: syn::ItemFn =
            syn::parse_str("fn f(x: f64) -> f64 { let l = x.ln(); l }").unwrap();
        assert_eq!(with(|a| block(a, &item.block)).unwrap(), p("x.ln()"));
        let e: syn::Expr = syn::parse_str("x / (y - 1.0)").unwrap();
        assert_eq!(
            with(|a| expr(a, &e)).unwrap(),
            div(v("x"), sub(v("y"), int(1)))
        );
        let e: syn::Expr = syn::parse_str("x.cbrt()").unwrap();
        assert!(with(|a| expr(a, &e)).is_err());
    }

    /// The bindings come back in order, shadowing included, each with earlier ones inlined;
    /// the body's value is the one `block` gives.
    #[test]
    fn block_reports_its_bindings() {
        let item: syn::ItemFn = syn::parse_str(
            "fn f(x: f64, m: f64) -> f64 { let z = x - m; let w = z * z; let z = 2.0 * z; w + z }",
        )
        .unwrap();
        let (id, lets) = with(|a| block_with_bindings(a, &item.block)).unwrap();
        assert_eq!(id, with(|a| block(a, &item.block)).unwrap());
        let names: Vec<&str> = lets.iter().map(|b| b.0.as_str()).collect();
        assert_eq!(names, ["z", "w", "z"]);
        assert_eq!(lets[0].1, p("x - m"));
        assert_eq!(lets[1].1, p("(x - m).powi(2)"));
        assert_eq!(lets[2].1, p("2.0 * (x - m)"));
        let item: syn::ItemFn = syn::parse_str("fn f(x: f64) -> f64 { x.ln() }").unwrap();
        let (_, lets) = with(|a| block_with_bindings(a, &item.block)).unwrap();
        assert!(lets.is_empty());
    }

    // ---- errors --------------------------------------------------------------------------

    #[test]
    #[rustfmt::skip]
    fn unsupported_methods_and_functions() {
        err_at("x.cbrt()", "unsupported method `cbrt`: supported are ln, exp, sqrt, powi, powf, recip, ln_1p, exp_m1, abs, sin, cos", "cbrt");
        err_at("x.powi(2.0)", "`powi` needs an integer literal exponent; use `powf` for a non-integer or symbolic exponent", "2.0");
        err_at("x.powi(n)", "`powi` needs an integer literal exponent", "n");
        err_at("x.powi(2u8)", "unsupported suffix `u8` on the `powi` exponent", "2u8");
        err_at("x.powi(3000000000)", "`powi` exponent `3000000000` does not fit in an i32", "3000000000");
        err_at("x.ln(2.0)", "`ln` takes no arguments, found 1", "2.0");
        err_at("x.powf()", "`powf` takes one argument (the exponent), found 0", "(");
        err_at("foo(x)", "unsupported function `foo`: supported are `f64::ln(x)`-style calls of ln", "foo");
        err_at("f64::cbrt(x)", "unsupported function `f64::cbrt`: supported methods are ln, exp", "cbrt");
        err_at("ln_gamma(x, y)", "`ln_gamma` takes one argument, found 2", "y");
        msg("f64::ln()", "`f64::ln` takes the receiver as its first argument");
        msg("x.ln::<f64>()", "unexpected type arguments on `ln`");
        msg("std::f64::consts::SQRT_3", "unsupported path `std::f64::consts::SQRT_3`");
        msg("a::b", "unsupported path `a::b`: a variable is a single identifier");
        msg("(f)(x)", "unsupported call: only named functions can be called");
    }

    #[test]
    #[rustfmt::skip]
    fn unsupported_expressions() {
        err_at("x % y", "`%` applies to integer index expressions only", "%");
        err_at("x ^ y", "unsupported operator `^`: supported are + - * / (and % on indices) and unary -", "^");
        err_at("x < y", "unsupported operator `<`", "<");
        err_at("!x", "unsupported operator `!`", "!");
        err_at("if a { x } else { y }", "unsupported `if`: supported are + - * /, unary -", "if");
        err_at("match a { _ => x }", "unsupported `match`", "match");
        err_at("1.0 + |t| t", "a closure is only supported as the argument of `.map(..)`", "|");
        err_at("2.0 * foo!(x)", "unsupported macro `foo!`", "foo");
        err_at("x[0]", "`x` is a number, not an array: it cannot be indexed", "[");
        err_at("x.a", "unsupported field access `.a`", "a");
        err_at("return x", "`return` is not supported: the value of the body is its last expression", "return");
        err_at("x + { y }", "unsupported block `{ .. }`", "{");
        err_at("x as f32", "unsupported cast to `f32`: only `as f64`", "f32");
        err_at("x * \"s\"", "unsupported literal `\"s\"`", "\"s\"");
        err_at("x * 1.0f32", "unsupported literal suffix `f32`", "1.0f32");
        err_at("x / 0.0", "division by zero", "0.0");
        msg("x / (y - y)", "division by zero");
        msg("0.0.recip()", "division by zero");
        msg("(x - x).powi(-1)", "division by zero");
        msg("(x, y)", "expected a number here, found a tuple");
        msg("x = y", "`x` cannot be assigned: only a `let mut` binding of the body can");
        msg("x?", "unsupported `?` operator");
        msg("<f64>::ln(x)", "unsupported call");
    }

    #[test]
    #[rustfmt::skip]
    fn unsupported_statements() {
        err_at("let a = x;", "the body has no tail expression", ";");
        err_at("x;", "remove the `;` after the last expression", ";");
        err_at("x; y", "unsupported statement: a body is `let` lines (`let name = expr;`", "x");
        err_at("let a; a", "`let` without a value: write `let name = expr;`", "a");
        msg("let a = x; a += 1.0; a", "`a` is not mutable: declare it `let mut a = ..;`");
        err_at("return x;", "`return` is not supported", "return");
        err_at("let ref a = x; a", "unsupported `ref` in `let`", "ref");
        err_at("let a: f32 = x; a", "unsupported type `f32` in `let`: only `f64`", "f32");
        err_at("let (a, b) = x; a", "unsupported pattern in `let`: only a plain identifier", "(");
        err_at("let a = x else { return; }; a", "unsupported `let … else`", "else");
        err_at("println!(\"hi\"); x", "unsupported macro `println!`", "println");
        msg("fn g() {} x", "unsupported item in a body");
        msg("", "empty body: expected an expression");
        msg("x +", "expected an expression");
        msg("x )", "cannot read the input as tokens");
    }

    #[test]
    fn every_error_is_reported() {
        let e = err("let a = x.cbrt(); let b: f32 = y % 2.0; a * b.acos() + foo(z)");
        let all: Vec<String> = e.into_iter().map(|e| e.to_string()).collect();
        assert_eq!(all.len(), 5, "{all:#?}");
        for part in ["`cbrt`", "`f32`", "`%`", "`acos`", "`foo`"] {
            assert!(
                all.iter().any(|m| m.contains(part)),
                "{part} missing from {all:#?}"
            );
        }
    }

    // ---- depth ---------------------------------------------------------------------------

    const DEEP: usize = 100_000;

    /// `src` is rejected with a message that says the limit in the user's words, through
    /// `parse_str` and through `check_depth` on lexed tokens (proc-macro2's lexer is iterative).
    fn rejected(src: &str) {
        let limit = "expression nested too deeply: one statement holds at most about 40 levels";
        let e = err(src).to_string();
        assert!(e.contains(limit), "{e}");
        let tokens = TokenStream::from_str(src).unwrap();
        let e = check_depth(&tokens).unwrap_err().to_string();
        assert!(e.contains(limit), "{e}");
    }

    #[test]
    fn deep_parens() {
        rejected(&format!("{}x{}", "(".repeat(DEEP), ")".repeat(DEEP)));
        rejected(&format!("{}x{}", "[".repeat(DEEP), "]".repeat(DEEP)));
    }

    #[test]
    fn deep_unary_minus() {
        rejected(&format!("{}x", "- ".repeat(DEEP)));
        rejected(&format!("{}x", "-".repeat(DEEP)));
        rejected(&format!("{}x{}", "-(".repeat(DEEP), ")".repeat(DEEP)));
    }

    #[test]
    fn deep_method_chain() {
        rejected(&format!("x{}", ".ln()".repeat(DEEP)));
    }

    /// A plain sum or product has no length limit: it is regrouped before syn reads it
    /// (`balance`), while the depth check alone, on tokens as written, refuses it.
    #[test]
    fn long_sum() {
        let sum = format!("x{}", " + x".repeat(DEEP));
        assert_eq!(p(&sum), mul([int(DEEP as i64 + 1), v("x")]));
        let mixed = format!("let a = 1.0; x{}", " * x - a".repeat(DEEP));
        assert!(with(|a| parse_str(a, &mixed)).is_ok());
        let e = check_depth(&TokenStream::from_str(&sum).unwrap()).unwrap_err();
        assert!(e.to_string().contains("expression too long"), "{e}");
    }

    #[test]
    fn deep_after_inlining_lets() {
        let lets: String = (1..=10)
            .map(|i| format!("let a{i} = a{}{};", i - 1, ".ln()".repeat(100)))
            .collect();
        let e = err(&format!("let a0 = x; {lets} a10")).to_string();
        assert!(
            e.contains("nested too deeply after inlining `let` bindings: more than 512 levels"),
            "{e}"
        );
        assert!(
            p(&format!(
                "let a0 = x; {} a5",
                &lets[..lets.find("let a6").unwrap()]
            )) != v("x")
        );
    }

    #[test]
    #[rustfmt::skip]
    fn limits_are_as_documented() {
        let admits = |src: String| check_depth(&TokenStream::from_str(&src).unwrap()).is_ok();
        assert!(admits(format!("{}x{}", "(".repeat(42), ")".repeat(42))));
        assert!(!admits(format!("{}x{}", "(".repeat(43), ")".repeat(43))));
        assert!(admits(format!("{}x", "- ".repeat(128))));
        assert!(!admits(format!("{}x", "- ".repeat(129))));
        assert!(admits(format!("x{}", ".ln()".repeat(125))));
        assert!(!admits(format!("x{}", ".ln()".repeat(126))));
        assert!(admits(format!("x{}", " + x".repeat(2048))));
        assert!(!admits(format!("x{}", " + x".repeat(2049))));
        // Each statement starts afresh.
        assert!(admits(format!("{} x", "let a = x.ln().ln() + y;".repeat(2000))));
        let e = check_depth(&TokenStream::from_str(&format!("x{}", " + x".repeat(3000))).unwrap()).unwrap_err();
        assert!(e.to_string().contains("more than 2048 operators in one statement that are not a plain sum or product"), "{e}");
    }

    /// The largest `n` whose source `make(n)` passes `check_depth`.
    fn max_admitted(make: &dyn Fn(usize) -> String) -> usize {
        let admits = |n| check_depth(&TokenStream::from_str(&make(n)).unwrap()).is_ok();
        let (mut lo, mut hi) = (0, 1);
        while admits(hi) {
            lo = hi;
            hi *= 2;
            assert!(hi <= 1 << 16, "unbounded: {}", make(1));
        }
        while hi - lo > 1 {
            let mid = (lo + hi) / 2;
            if admits(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The deepest admitted input of every shape parses (or fails) without overflowing the
    /// default 2 MiB test-thread stack, through syn's expression and file parsers and ours.
    /// (Measured: the worst shape, `x as &'a &'a … f64`, needs about 1.1 MiB in a debug build.)
    #[test]
    #[rustfmt::skip]
    fn admitted_input_never_overflows() {
        let r = |s: &str, n: usize| s.repeat(n);
        let shapes: Vec<Box<dyn Fn(usize) -> String>> = vec![
            Box::new(move |n| format!("{}x{}", r("(", n), r(")", n))),
            Box::new(move |n| format!("{}x{}", r("{", n), r("}", n))),
            Box::new(move |n| format!("{}x{}", r("[", n), r("]", n))),
            Box::new(move |n| format!("{}x", r("- ", n))),
            Box::new(move |n| format!("{}x{}", r("-(", n), r(")", n))),
            Box::new(move |n| format!("{}x{}", r("f(", n), r(")", n))),
            Box::new(move |n| format!("{}x{}", r("x.powf(", n), r(")", n))),
            Box::new(move |n| format!("x{}", r(".ln()", n))),
            Box::new(move |n| format!("x{}", r(" + x", n))),
            Box::new(move |n| format!("{}x{}@{}", r("(", 20), r(" + x", n), r(")", 20))),
            Box::new(move |n| format!("{}x{}@{}", r("(", 40), r(" * x", n), r(")", 40))),
            Box::new(move |n| format!("x as {}f64{}", r("(", n), r(")", n))),
            Box::new(move |n| format!("x as {}f64{}", r("[", n), r("; 1]", n))),
            Box::new(move |n| format!("x as {}f64", r("& ", n))),
            Box::new(move |n| format!("x as {}f64", r("&'a ", n))),
            Box::new(move |n| format!("x as {}f64", r("*const ", n))),
            Box::new(move |n| format!("x as {}f64{}", r("Vec<", n), r(">", n))),
            Box::new(move |n| format!("x as {}f64{}", r("Box<dyn Fn(", n), r(")>", n))),
            Box::new(move |n| format!("x as {}f64", r("fn() -> ", n))),
            Box::new(move |n| format!("x as {}f64{}", r("fn(", n), r(")", n))),
            Box::new(move |n| format!("let a: {}f64 = x; a", r("impl Fn() -> ", n))),
            Box::new(move |n| format!("let a: {}f64{} = x; a", r("Vec<[(", n), r(",)]>", n))),
            Box::new(move |n| format!("f::<{}f64{}>()", r("Vec<", n), r(">", n))),
            Box::new(move |n| format!("{}T{}::x", r("<", n), r(" as Tr>", n))),
            Box::new(move |n| format!("{}x", r("|x| ", n))),
            Box::new(move |n| format!("{}x{}", r("|| {", n), r("}", n))),
            Box::new(move |n| format!("{}x{}", r("if a { ", n), r("}", n))),
            Box::new(move |n| format!("{}x{}", r("match a { _ => ", n), r("}", n))),
            Box::new(move |n| format!("{}x{}", r("'a: loop { ", n), r("}", n))),
            Box::new(move |n| format!("{}x{}", r("async move {", n), r("}", n))),
            Box::new(move |n| format!("{}x{}", r("unsafe { ", n), r("}", n))),
            Box::new(move |n| format!("{}x{}", r("S { f: ", n), r("}", n))),
            Box::new(move |n| format!("{}x", r("return ", n))),
            Box::new(move |n| format!("{}x", r("a = ", n))),
            Box::new(move |n| format!("{}x", r("& ", n))),
            Box::new(move |n| format!("{}x{}", r("{ let a = ", n), r("; a }", n))),
            Box::new(move |n| format!("{}x{}", r("{ let a = x else { ", n), r("}; a }", n))),
            Box::new(move |n| format!("let {}a{} = x; a", r("(", n), r(")", n))),
            Box::new(move |n| format!("let {}a{} = x; a", r("S { f: ", n), r("}", n))),
            Box::new(move |n| format!("let {}a = x; a", r("a @ ", n))),
            Box::new(move |n| format!("{}x{}", r("{ fn f() { ", n), r("} }", n))),
            Box::new(move |n| format!("{}{}", r("mod m { ", n), r("}", n))),
            Box::new(move |n| format!("{}{}", r("impl S { fn f() { ", n), r("} }", n))),
            Box::new(move |n| format!("{}{}", r("trait T { fn f() where T: A<", n), r("> {} }", n))),
        ];
        for make in &shapes {
            let n = max_admitted(make.as_ref());
            assert!(n >= 1, "{}", make(1));
            let src = make(n);
            let tokens = TokenStream::from_str(&src).unwrap();
            drop(syn::parse2::<syn::Expr>(tokens.clone()));
            drop(syn::parse2::<syn::File>(tokens.clone()));
            drop(parse_tokens(&mut Arena::new(), tokens));
            drop(parse_str(&mut Arena::new(), &src));
        }
    }

    // ---- realistic bodies ----------------------------------------------------------------

    /// The Dirichlet log-density with `k` parameters, on one line.
    fn dirichlet(k: usize) -> String {
        let sum: Vec<String> = (1..=k).map(|i| format!("a{i}")).collect();
        let mut s = format!("ln_gamma({})", sum.join(" + "));
        for i in 1..=k {
            s += &format!(" - fim::special::ln_gamma(a{i})");
        }
        for i in 1..=k {
            s += &format!(" + (a{i} - 1.0) * x{i}.ln()");
        }
        s
    }

    /// The sum of `k` normal log-densities, on one line.
    fn normals(k: usize) -> String {
        let terms: Vec<String> = (1..=k)
            .map(|i| {
                format!(
                    "-0.5 * ((x{i} - mu{i}) / sigma{i}).powi(2) - sigma{i}.ln() \
                     - 0.5 * (2.0 * std::f64::consts::PI).ln()"
                )
            })
            .collect();
        terms.join(" + ")
    }

    #[test]
    fn realistic_bodies_pass() {
        for body in [dirichlet(20), normals(20), dirichlet(50), normals(50)] {
            let id = p(&body);
            let syms = with(|a| a.free_symbols(id));
            assert!(syms.len() >= 40, "{body}");
            let args: Vec<String> = with(|a| {
                syms.iter()
                    .map(|&s| format!("{}: f64", a.name(s)))
                    .collect()
            });
            let item = format!(
                "/// A model.\n#[inline]\npub fn model({}) -> f64 {{ let unused: f64 = 1.0; {body} }}",
                args.join(", ")
            );
            let tokens = TokenStream::from_str(&item).unwrap();
            check_depth(&tokens).unwrap();
            let item: syn::ItemFn = syn::parse2(tokens).unwrap();
            assert_eq!(with(|a| block(a, &item.block)).unwrap(), id);
        }
        assert_eq!(
            p("ln_gamma(a1 + a2) - ln_gamma(a1) - ln_gamma(a2) + (a1 - 1.0) * x1.ln() + (a2 - 1.0) * x2.ln()"),
            p(&dirichlet(2))
        );
        let lets: String = (1..=20)
            .map(|i| format!("let z{i} = (x{i} - mu{i}) / sigma{i};\n"))
            .collect();
        let tail: Vec<String> = (1..=20)
            .map(|i| format!("-0.5 * z{i} * z{i} - sigma{i}.ln()"))
            .collect();
        let inline: Vec<String> = (1..=20)
            .map(|i| format!("-0.5 * ((x{i} - mu{i}) / sigma{i}).powi(2) - sigma{i}.ln()"))
            .collect();
        assert_eq!(
            p(&format!("{lets}{}", tail.join(" + "))),
            p(&inline.join(" + "))
        );
    }
}
