//! Helpers shared by the derivation and proof tests (each test file uses a part of them).
#![allow(dead_code)]

pub mod families;

use fim_core::equiv::{self, Verdict};
use fim_core::model::Derivation;
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
