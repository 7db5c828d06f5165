//! Tolerances shared by the behaviour tests (each test file uses a part of them).
#![allow(dead_code)]

/// `got` equals `want` to 1e-12 of the larger magnitude (exact equality, ±∞ included, passes).
pub fn close(what: &str, got: f64, want: f64) {
    let scale = got.abs().max(want.abs());
    assert!(
        got == want || (got - want).abs() <= 1e-12 * scale,
        "{what}: got {got:e}, want {want:e}"
    );
}

/// `got` equals `want` to 1e-12 of `max(|want|, 1)`: absolute near zero, relative elsewhere.
pub fn close_unit(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-12 * want.abs().max(1.0),
        "{what}: got {got}, want {want}"
    );
}
