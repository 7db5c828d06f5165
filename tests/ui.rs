//! Compile-fail cases of `#[fisher_model]`, one folder per kind of mistake: every bad input
//! names its problem at the user's exact token. (What must compile is an ordinary test,
//! `tests/test_contract.rs`.)
//!
//! A new case: add the file, run `TRYBUILD=overwrite cargo test --test ui`, then read the
//! generated `.stderr` and check that it names the problem at the right token.
//!
//! trybuild checks all cases in one cargo invocation, and only checks (no code generation),
//! because no passing case shares this `TestCases`: with one, it would build every dependency
//! and then each case on its own.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    for category in [
        "signature",
        "attr",
        "body",
        "moments",
        "verify",
        "reparam",
        "stubs",
        "arrays",
        "hygiene",
        "budgets",
    ] {
        t.compile_fail(format!("tests/ui/{category}/*.rs"));
    }
}
