//! Property test of the unrolling: a random sum or product over array entries, written as a
//! `for` loop with `+=` / `*=`, as an iterator chain (`(0..N).map(..).sum()`, `.iter().zip(..)`),
//! and written out term by term with literal indices, parses to the same expression of the IR
//! (the same interned id), 500 cases. Each term is drawn from a small grammar over `x[i]`,
//! `a[i]`, neighbours `x[j]` (j = i + 1 mod N, written out by the generator) and literals.
//! Deterministic (a fixed seed); set `PROPTEST_RNG_SEED=<u64>` to explore other cases.

use fim_core::parse::{self, Scope, Value};
use fim_core::{Arena, Id};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};

const CASES: u32 = 500;

/// One term of the sum, as a function of the index `i` and the neighbour index `j`.
#[derive(Clone, Debug)]
enum Term {
    /// `c * x[i]`
    Scaled(i32),
    /// `(a[i] - 1.0) * x[i].ln()`
    LogWeight,
    /// `(x[i] - a[i]).powi(2) / 2.0`
    Square,
    /// `a[i].exp()`
    Exp,
    /// `x[i] * x[j]`: the neighbour, read through a second array index.
    Neighbour,
    /// `c` (a constant term per index)
    Constant(i32),
}

impl Term {
    /// The term's source with the index written as `i` and `j` (strings substituted).
    fn source(&self, i: &str, j: &str) -> String {
        match self {
            Term::Scaled(c) => format!("{c}.0 * x[{i}]"),
            Term::LogWeight => format!("(a[{i}] - 1.0) * x[{i}].ln()"),
            Term::Square => format!("(x[{i}] - a[{i}]).powi(2) / 2.0"),
            Term::Exp => format!("a[{i}].exp()"),
            Term::Neighbour => format!("x[{i}] * x[{j}]"),
            Term::Constant(c) => format!("{c}.0"),
        }
    }
}

fn term() -> impl Strategy<Value = Term> {
    prop_oneof![
        (-5i32..=5)
            .prop_filter("nonzero", |c| *c != 0)
            .prop_map(Term::Scaled),
        Just(Term::LogWeight),
        Just(Term::Square),
        Just(Term::Exp),
        Just(Term::Neighbour),
        (1i32..=4).prop_map(Term::Constant),
    ]
}

/// A sum (or product) of one to three terms per index, over N entries.
#[derive(Clone, Debug)]
struct Case {
    n: usize,
    terms: Vec<Term>,
    product: bool,
}

fn case() -> impl Strategy<Value = Case> {
    (
        1usize..=8,
        prop::collection::vec(term(), 1..=3),
        any::<bool>(),
    )
        .prop_map(|(n, terms, product)| Case { n, terms, product })
}

impl Case {
    /// The summand at index `i` (`i` a literal or a loop variable), `j` its neighbour.
    fn summand(&self, i: &str, j: &str) -> String {
        let parts: Vec<String> = self.terms.iter().map(|t| t.source(i, j)).collect();
        format!("({})", parts.join(" + "))
    }

    /// `let mut l = 0.0; for i in 0..N { let j = (i + 1) % N; l += ..; } l`.
    fn as_loop(&self) -> String {
        let (init, op) = if self.product {
            ("1.0", "*=")
        } else {
            ("0.0", "+=")
        };
        format!(
            "{{ let mut l = {init}; for i in 0..{n} {{ let j = (i + 1) % {n}; l {op} {s}; }} l }}",
            n = self.n,
            s = self.summand("i", "j")
        )
    }

    /// `(0..N).map(|i| ..).sum::<f64>()` (or `.product`).
    fn as_iterator(&self) -> String {
        let fold = if self.product { "product" } else { "sum" };
        format!(
            "{{ (0..{n}).map(|i| {{ let j = (i + 1) % {n}; {s} }}).{fold}::<f64>() }}",
            n = self.n,
            s = self.summand("i", "j")
        )
    }

    /// `T(0) + T(1) + …` with literal indices, as written before arrays existed.
    fn written_out(&self) -> String {
        let op = if self.product { " * " } else { " + " };
        let terms: Vec<String> = (0..self.n)
            .map(|i| self.summand(&i.to_string(), &((i + 1) % self.n).to_string()))
            .collect();
        format!("{{ {} }}", terms.join(op))
    }
}

/// `x` and `a` bound to arrays of N symbols named `x[0]`, `a[0]`, ….
fn scope(arena: &mut Arena, n: usize) -> Scope {
    let mut scope = Scope::new();
    for name in ["x", "a"] {
        let entries = (0..n)
            .map(|k| {
                let s = arena.symbol(&format!("{name}[{k}]"));
                Value::Real(arena.sym(s))
            })
            .collect();
        scope.bind(name, Value::Array(entries), false);
    }
    scope
}

fn parse(arena: &mut Arena, src: &str, n: usize) -> Result<Id, TestCaseError> {
    let block: syn::Block =
        syn::parse_str(src).map_err(|e| TestCaseError::fail(format!("{src}: {e}")))?;
    let scope = scope(arena, n);
    parse::body(arena, &block, scope)
        .map(|b| b.value)
        .map_err(|e| TestCaseError::fail(format!("{src}: {e}")))
}

#[test]
fn unrolled_sums_equal_the_written_out_form() {
    let config = Config {
        cases: CASES,
        rng_seed: RngSeed::Fixed(0x5eed_0011),
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    runner
        .run(&case(), |c| {
            let mut arena = Arena::new();
            let written = parse(&mut arena, &c.written_out(), c.n)?;
            for (how, src) in [("loop", c.as_loop()), ("iterator", c.as_iterator())] {
                let id = parse(&mut arena, &src, c.n)?;
                prop_assert_eq!(
                    id,
                    written,
                    "{} form differs: {}\nwritten out: {}\n{} vs {}",
                    how,
                    src,
                    c.written_out(),
                    fim_core::print::rust(&arena, id),
                    fim_core::print::rust(&arena, written)
                );
            }
            Ok(())
        })
        .unwrap();
}

/// A zip over two arrays reads the same entries as indexing both.
#[test]
fn zip_equals_indexing() {
    let mut arena = Arena::new();
    let zipped = "{ x.iter().zip(a.iter()).map(|(xi, ai)| (ai - 1.0) * xi.ln()).sum::<f64>() }";
    let indexed =
        "{ (a[0] - 1.0) * x[0].ln() + (a[1] - 1.0) * x[1].ln() + (a[2] - 1.0) * x[2].ln() }";
    let z = parse(&mut arena, zipped, 3).unwrap();
    let i = parse(&mut arena, indexed, 3).unwrap();
    assert_eq!(z, i);
}
