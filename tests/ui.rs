//! Compile-fail cases of `#[fisher_model]`, one folder per kind of mistake: every bad input
//! names its problem at the user's exact token. `tests/ui/pass/` must compile.
//!
//! A new case: add the file, run `TRYBUILD=overwrite cargo test --test ui`, then read the
//! generated `.stderr` and check that it names the problem at the right token.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    for category in [
        "signature",
        "attr",
        "body",
        "moments",
        "verify",
        "reparam",
        "stubs",
    ] {
        t.compile_fail(format!("tests/ui/{category}/*.rs"));
    }
}
