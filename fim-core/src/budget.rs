//! Resource budgets: every input ends in a clear error or an answer within a second, because
//! the work that exact arithmetic or expansion would take is bounded *before* it is done.
//!
//! Two kinds of limits live here:
//! - limits on what a user may write, checked while parsing and reported as spanned errors at
//!   the offending token (a literal's digits, a `powi` exponent, the expanded size of an
//!   expression);
//! - limits inside the engine, where exact work would explode on values a user cannot write
//!   directly but can reach by composing small ones (`2.0.powi(1000).powi(1000)`): there the
//!   engine keeps the power symbolic — still exact, only not multiplied out — and the
//!   generated code evaluates it in f64, as the user's function does.

/// The most digits (before the exponent, `_` ignored) a numeric literal may have. An f64 has at
/// most 17 significant decimal digits, and the longest exact decimal expansion of one is 767
/// significant digits (the smallest subnormal); 800 admits any exactly written f64 and refuses
/// the 10⁵-digit literal whose exact parse took 45 s.
pub const MAX_LITERAL_DIGITS: usize = 800;

/// The largest |n| of `x.powi(n)` (literal or loop index). Any base other than 0 and ±1 leaves
/// the finite range of f64 at |n| ≤ 1075 unless it is within 2⁻¹⁰ of 1 (8192 still admits the
/// tests' constants beyond f64's range, such as `2.0.powi(5000)`), and exact work on
/// `(θ + 1)ⁿ` or `10ⁿ` grows with n (10^2147483647 never finishes; 2^1000000 takes 20 s). A
/// model with a larger power writes it as `powf`, which the engine keeps symbolic.
pub const MAX_POWI_EXPONENT: u32 = 8192;

/// The most bits (numerator plus denominator) of an exact rational the engine computes as a
/// power of a constant. Every f64 is exact in 2 098 bits (1 074 below the point, 1 024
/// above); 16 384 leaves room for products of several such constants, and a bigger power of
/// a number stays symbolic (`10^-2147483648` once ran the bignum code out of memory).
pub const MAX_EXACT_BITS: u64 = 1 << 14;

/// The largest integer exponent the simplifier multiplies out: `bᵏ` of a polynomial, or the
/// numerator p of a rational power `b^(p/q)` (taken as `(b^(1/q))^p`). Above it the power is
/// one atom (`4^6.4451054454166` has p ≈ 3·10¹³, which multiplied out never ends).
pub const MAX_EXPAND_EXPONENT: u64 = 1024;

/// Whether the simplifier multiplies out a power with exponent `e`: the integer exponent, or
/// the numerator of a rational one, within [`MAX_EXPAND_EXPONENT`]. The parser's size
/// estimate reads the same rule.
pub(crate) fn exponent_fits(e: &crate::expr::Rational) -> bool {
    use num_traits::ToPrimitive;
    e.numerator()
        .to_i64()
        .is_some_and(|n| n.unsigned_abs() <= MAX_EXPAND_EXPONENT)
}

/// The most terms an expression of the body may have once multiplied out, estimated from its
/// IR before any expansion (an upper bound: the multinomial count of its factors, at most the
/// number of monomials of its degree in its variables). The derivation works on second
/// derivatives of the expanded form, whose coefficients grow with the degree: ten chained
/// `let t = t * t + t;` (1 025 terms of degree 1 024) took 9.5 s and 212 MB, nine (513 terms)
/// take 0.2 s; a product of five four-term sums (1 024 terms of degree 10) is within it.
pub const MAX_EXPANDED_TERMS: f64 = 1024.0;

/// The most bits an expression of the body may need once multiplied out (its terms times the
/// bits of their coefficients, estimated like [`MAX_EXPANDED_TERMS`] from a bound on the sum of
/// the coefficients' magnitudes). Nine chained `let t = t * t + t;` from `t = θ` (513 terms of
/// up to 346 bits) are within it; from `t = 258.0 - mu` the same nine (4 100-bit coefficients)
/// took 2.6 s in release, and eight 1 s: both are refused, seven (129 terms, 1 025 bits) pass.
pub const MAX_EXPANDED_BITS: f64 = 262_144.0;

/// The most term products the simplifier multiplies out in one product or power of
/// polynomials (`len(a) · len(b)`, or the multinomial count of `aᵏ`); a larger one stays a
/// product of its simplified factors, still exact. Squaring a 2 000-term polynomial (the
/// Hessian of six chained `t * t + t` from θ + μ, degree 64 in two symbols) took 3 s and
/// 740 MB; kept as a power, 0.1 s.
pub const MAX_PRODUCT_TERMS: usize = 1 << 17;

/// The expansion budget applies to expressions above this total degree: wide products of low
/// degree (an unrolled product of eight sums over array entries) are admitted.
pub const MAX_EXPANDED_DEGREE: f64 = 64.0;

/// The number of bits of `r`'s numerator and denominator together.
pub(crate) fn rational_bits(r: &crate::expr::Rational) -> u64 {
    use dashu_base::BitTest;
    (r.numerator().bit_len() + r.denominator().bit_len()) as u64
}

/// The largest |e| of an exact power of a constant, whatever its size (the engine's rule
/// before the bit budget, kept: `2^5000` stays a power).
pub const MAX_EXACT_EXPONENT: u64 = 4096;

/// Whether `base^e` (|e| = `e`) is computed exactly: within [`MAX_EXACT_EXPONENT`] and
/// [`MAX_EXACT_BITS`], estimated before computing it.
pub(crate) fn exact_power_fits(base: &crate::expr::Rational, e: u64) -> bool {
    e <= MAX_EXACT_EXPONENT && rational_bits(base).saturating_mul(e) <= MAX_EXACT_BITS
}

/// Refuses a numeric literal with more than [`MAX_LITERAL_DIGITS`] digits, on the raw token
/// (before syn reads its value, which takes time quadratic in its length).
pub(crate) fn check_literal(lit: &proc_macro2::Literal) -> syn::Result<()> {
    let text = lit.to_string();
    let numeric = text
        .trim_start_matches('-')
        .starts_with(|c: char| c.is_ascii_digit());
    // The mantissa's digits: an `e` ends them (hexadecimal literals have no exponent).
    let mantissa = if text.starts_with("0x") || text.starts_with("0X") {
        text.as_str()
    } else {
        text.split(['e', 'E']).next().unwrap_or("")
    };
    let digits = mantissa.bytes().filter(u8::is_ascii_alphanumeric).count();
    if !numeric || digits <= MAX_LITERAL_DIGITS {
        return Ok(());
    }
    Err(syn::Error::new_spanned(
        lit,
        format!(
            "literal with {digits} digits is beyond the engine's budget of \
             {MAX_LITERAL_DIGITS}: an f64 holds 17 significant digits; write the value with an \
             exponent, as in `1.5e300`"
        ),
    ))
}

/// The work a derivation may take, in steps of the meter below, before its model is refused
/// (at 5 to 19 million steps a second in release, under 1.3 s): the catalog takes under 5 000
/// steps, nine chained `t * t + t` (a polynomial of 513 terms, the edge of
/// [`MAX_EXPANDED_TERMS`]) 5.0·10⁶, the fuzzer's slow small bodies 5.9·10⁶ (1.0 s, within
/// it), 7.2·10⁶, 2.5·10⁷ and 1.0·10⁸ (15.6 s). `examples/work_steps.rs` measures them.
pub const WORK_BASE: u64 = 6_400_000;

/// The work allowed per cube of the number of (flattened) parameters: the structure and
/// Theorem 1 proofs are K³ (a logistic regression with 100 coefficients takes 2.1·10⁷ steps
/// of the 9.7·10⁷ it is allowed).
pub const WORK_PER_CUBE: u64 = 64;

/// The work allowed per node of the parsed model and parameter: each parameter's derivatives
/// walk the whole log-likelihood (a data set of 200 rows in the body, 2 604 nodes and 2
/// parameters, takes 1.5·10⁶ steps of the 9.2·10⁶ it is allowed).
pub const WORK_PER_NODE: u64 = 1000;

/// A meter on the engine's work, in steps: a node built or looked up in the arena, a term
/// added to a polynomial, a node evaluated. Every step charges the meter of its thread, and a
/// derivation runs [`metered`]: past its limit the work stops (by unwinding to the meter,
/// without the panic hook) and the caller reports it. The size limits above bound each
/// operation before it runs; the meter bounds their number, which a body can multiply by
/// composing operations that are each within their limit.
#[derive(Clone, Copy)]
struct Meter {
    used: u64,
    limit: u64,
}

thread_local! {
    static METER: std::cell::Cell<Meter> = const {
        std::cell::Cell::new(Meter { used: 0, limit: u64::MAX })
    };
}

/// Why a metered computation stopped: the unwinding payload, and the error of [`metered`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The meter ran past its limit (as raised by [`allow`]).
    Steps(u64),
    /// One product would have multiplied out this many terms, past [`MAX_PRODUCT_ALLOC`].
    Product(u64),
}

/// The most terms one product of polynomials may hold (about 100 MB): it is charged a step a
/// term before it is multiplied out, and a larger one stops the work there, before its memory
/// is asked for.
pub const MAX_PRODUCT_ALLOC: u64 = 1 << 20;

/// Charges a product of `terms` terms of `width` steps each (see [`MAX_PRODUCT_ALLOC`]) before
/// it is multiplied out.
pub(crate) fn charge_product(terms: u64, width: u64) {
    if terms > MAX_PRODUCT_ALLOC {
        stop(Stop::Product(terms));
    }
    charge(terms.saturating_mul(width) / 2);
}

/// Charges `steps` to the current meter; unwinds to [`metered`] when it is exhausted. Outside
/// [`metered`] the limit is unbounded.
#[inline]
pub(crate) fn charge(steps: u64) {
    METER.with(|m| {
        let mut meter = m.get();
        meter.used = meter.used.saturating_add(steps);
        m.set(meter);
        if meter.used > meter.limit {
            stop(Stop::Steps(meter.limit));
        }
    });
}

/// Raises the current meter's limit by `steps` (a derivation, once it knows its size).
pub(crate) fn allow(steps: u64) {
    METER.with(|m| {
        let mut meter = m.get();
        meter.limit = meter.limit.saturating_add(steps);
        m.set(meter);
    });
}

/// The work allowed beyond [`WORK_BASE`] for `k` parameters and a parsed model of `nodes`
/// nodes.
pub(crate) fn work_for(k: usize, nodes: usize) -> u64 {
    let (k, n) = (k as u64, nodes as u64);
    WORK_PER_CUBE
        .saturating_mul(k.saturating_mul(k).saturating_mul(k))
        .saturating_add(WORK_PER_NODE.saturating_mul(n).saturating_mul(k))
}

/// Runs `f` within [`WORK_BASE`] steps (raised by the derivation for its parameters); an
/// exhausted meter is an error at `span()` (the model's name).
pub fn within_work_budget<T>(
    span: impl FnOnce() -> proc_macro2::Span,
    f: impl FnOnce() -> syn::Result<T>,
) -> syn::Result<T> {
    match metered(WORK_BASE, f) {
        Ok((v, _)) => v,
        Err(Stop::Product(terms)) => Err(syn::Error::new(
            span(),
            format!(
                "deriving this model multiplies out a product of {terms} terms, beyond the \
                 engine's budget of {MAX_PRODUCT_ALLOC} terms in one product: its expressions \
                 grow too large as they are differentiated and simplified; write the model \
                 with fewer nested products or powers"
            ),
        )),
        Err(Stop::Steps(limit)) => Err(syn::Error::new(
            span(),
            format!(
                "deriving this model takes more than {limit} steps, beyond the engine's work \
                 budget ({WORK_BASE} steps, plus {WORK_PER_CUBE}·K³ + {WORK_PER_NODE}·K·n \
                 for K parameters and n nodes as written): its \
                 expressions grow too large as they are differentiated and simplified; write \
                 the model with fewer nested products, powers or special functions of them"
            ),
        )),
    }
}

#[cold]
#[inline(never)]
fn stop(why: Stop) -> ! {
    std::panic::resume_unwind(Box::new(why))
}

/// Runs `f` with a meter of `limit` steps: its value and the steps used, or why it stopped.
/// A panic that is not the meter's propagates unchanged. Meters nest: the outer one is
/// restored, and charged with the inner one's steps.
pub fn metered<T>(limit: u64, f: impl FnOnce() -> T) -> Result<(T, u64), Stop> {
    let outer = METER.with(|m| m.replace(Meter { used: 0, limit }));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    let used = METER.with(|m| m.get().used);
    METER.with(|m| {
        m.set(Meter {
            used: outer.used.saturating_add(used),
            limit: outer.limit,
        })
    });
    match result {
        Ok(v) => Ok((v, used)),
        Err(payload) => match payload.downcast::<Stop>() {
            Ok(why) => Err(*why),
            Err(payload) => std::panic::resume_unwind(payload),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_meter_stops_its_work_and_restores_the_outer_one() {
        let spin = |n: u64| {
            for _ in 0..n {
                charge(1);
            }
            n
        };
        assert_eq!(metered(100, || spin(100)).ok(), Some((100, 100)));
        assert_eq!(metered(100, || spin(101)).err(), Some(Stop::Steps(100)));
        // The limit raised inside is the one reported.
        let raised = metered(10, || {
            allow(5);
            spin(16)
        });
        assert_eq!(raised.err(), Some(Stop::Steps(15)));
        // An inner meter's steps count in the outer one, which still stops at its limit.
        let outer = metered(50, || {
            let inner = metered(1000, || spin(40));
            assert_eq!(inner.ok(), Some((40, 40)));
            spin(20)
        });
        assert_eq!(outer.err(), Some(Stop::Steps(50)));
        // A product too large to hold stops before it is charged.
        let huge = metered(u64::MAX, || charge_product(MAX_PRODUCT_ALLOC + 1, 1));
        assert_eq!(huge.err(), Some(Stop::Product(MAX_PRODUCT_ALLOC + 1)));
        // Outside any meter nothing is counted against a limit.
        assert_eq!(spin(1000), 1000);
    }

    #[test]
    fn a_panic_that_is_not_the_meters_propagates() {
        let caught = std::panic::catch_unwind(|| metered(10, || panic!("a bug")));
        let payload = caught.expect_err("the panic reaches the caller");
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"a bug"));
    }
}
