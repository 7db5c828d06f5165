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
