//! Helpers shared by the derivation and proof tests (each test file uses a part of them).
#![allow(dead_code)]

pub mod families;

use fim_core::equiv::{self, Verdict};
use fim_core::model::{CheckOutcome, Derivation};
use fim_core::{parse, print, Id};

/// Derives a model from source text, panicking with every error message if it fails.
pub fn derive(attr: &str, item: &str) -> Derivation {
    match Derivation::from_source(attr, item) {
        Ok(d) => d,
        Err(err) => {
            let msgs: Vec<String> = err.into_iter().map(|e| e.to_string()).collect();
            panic!("derivation failed:\n{}", msgs.join("\n"))
        }
    }
}

/// Proves `mine` (Rust source text) equal to the derived `derived`.
pub fn assert_identity(d: &mut Derivation, mine: &str, derived: Id, what: &str) {
    let arena = &mut d.model.arena;
    let m = parse::parse_str(arena, mine)
        .unwrap_or_else(|e| panic!("{what}: cannot parse the expected form `{mine}`: {e}"));
    let shown = print::rust(arena, derived);
    let v = equiv::equiv(arena, &d.core.domain, &d.core.samples, m, derived);
    assert!(
        matches!(v, Verdict::Proved(_)),
        "{what}: expected `{mine}`, derived `{shown}`: {v:?}"
    );
}

/// The number of moment-table entries that came from `source`.
pub fn sources(d: &Derivation, source: fim_core::expect::Source) -> usize {
    d.core
        .table
        .entries()
        .iter()
        .filter(|e| e.source == source)
        .count()
}

/// The outcome of the check called `name`, panicking with the names there are if it is absent.
pub fn outcome<'a>(d: &'a Derivation, name: &str) -> &'a CheckOutcome {
    &d.core
        .checks
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| {
            let names: Vec<&str> = d.core.checks.iter().map(|c| c.name.as_str()).collect();
            panic!("no check `{name}` among {names:?}")
        })
        .outcome
}

/// Operators in Rust source text as a person wrote it, with [`print::op_count`]'s rules: each
/// binary `+ - * /`, unary minus, method call and function call counts one.
pub fn text_ops(src: &str) -> usize {
    fn ops(e: &syn::Expr) -> usize {
        match e {
            syn::Expr::Binary(b) => 1 + ops(&b.left) + ops(&b.right),
            syn::Expr::Unary(u) => 1 + ops(&u.expr),
            syn::Expr::Paren(p) => ops(&p.expr),
            syn::Expr::Group(g) => ops(&g.expr),
            syn::Expr::MethodCall(m) => {
                1 + ops(&m.receiver) + m.args.iter().map(ops).sum::<usize>()
            }
            syn::Expr::Call(c) => 1 + c.args.iter().map(ops).sum::<usize>(),
            syn::Expr::Lit(_) | syn::Expr::Path(_) => 0,
            other => panic!("unexpected syntax in a counted form: {other:?}"),
        }
    }
    ops(&syn::parse_str::<syn::Expr>(src).expect("the counted form parses"))
}
