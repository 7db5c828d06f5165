//! The leaves of a body: numeric literals (exact: `0.1` is 1/10), names, the exact constants of
//! `std::f64::consts`, and the type `f64`.

use num_traits::Zero;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Lit, Type};

use crate::expr::Id;
use crate::expr::{rat, ratio, BigInt, Ir, Rational};

use super::supported;
use super::value::{Scope, Value};

/// The constants of `std::f64::consts` that have an exact symbolic form.
const CONSTS: &[&str] = &[
    "PI",
    "TAU",
    "E",
    "FRAC_PI_2",
    "FRAC_PI_3",
    "FRAC_PI_4",
    "FRAC_PI_6",
    "FRAC_PI_8",
    "FRAC_1_PI",
    "FRAC_2_PI",
    "FRAC_2_SQRT_PI",
    "SQRT_2",
    "FRAC_1_SQRT_2",
    "LN_2",
    "LN_10",
    "LOG2_E",
    "LOG10_E",
    "LOG2_10",
    "LOG10_2",
];

/// Parses the exact value of a numeric literal (`0.1` is 1/10, `1e-3` is 1/1000, `2`, `2.0`,
/// `2f64`, `2.0_f64`, `1_000.5`).
///
/// Only an `f64` suffix (or none) is accepted; a value beyond `f64::MAX` is an error.
pub fn literal(lit: &syn::Lit) -> syn::Result<Rational> {
    let (digits, suffix) = match lit {
        Lit::Int(i) => (i.base10_digits(), i.suffix()),
        Lit::Float(f) => (f.base10_digits(), f.suffix()),
        other => {
            let text = other.to_token_stream().to_string();
            return Err(syn::Error::new(
                other.span(),
                format!("unsupported literal `{text}`: only numeric literals are supported"),
            ));
        }
    };
    if !(suffix.is_empty() || suffix == "f64") {
        let text = lit.to_token_stream().to_string();
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "unsupported literal suffix `{suffix}` in `{text}`: use an f64 literal such as \
                 `1.0` or `1.0_f64`"
            ),
        ));
    }
    decimal(digits).ok_or_else(|| {
        let text = lit.to_token_stream().to_string();
        syn::Error::new(
            lit.span(),
            format!("literal `{text}` is out of range for f64"),
        )
    })
}

/// A name in scope (a `let` binding, a loop index, an array argument), a variable or a
/// constant.
pub fn path_value(arena: &mut Ir, scope: &Scope, p: &syn::ExprPath) -> syn::Result<Value> {
    if let Some(q) = &p.qself {
        return Err(syn::Error::new(
            q.lt_token.span,
            format!("unsupported qualified path `<T>::..`: {}", supported()),
        ));
    }
    let path = &p.path;
    if let Some(seg) = path.segments.iter().find(|s| !s.arguments.is_empty()) {
        return Err(syn::Error::new(
            seg.arguments.span(),
            format!("unexpected type arguments in `{}`", path_text(path)),
        ));
    }
    let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let Some((last, prefix)) = names.split_last() else {
        return Err(syn::Error::new(path.span(), "empty path"));
    };
    if prefix.is_empty() && path.leading_colon.is_none() {
        if matches!(last.as_str(), "self" | "Self" | "super" | "crate") {
            return Err(syn::Error::new(
                path.span(),
                format!(
                    "`{last}` is not a variable: a model's expressions use its arguments, \
                     `let` names and the constants of std::f64::consts"
                ),
            ));
        }
        if let Some(v) = scope.get(last) {
            return Ok(v.clone());
        }
        // A name already known as a symbol (the model interns the function's arguments first)
        // is that variable, even when it spells a constant such as `E` or `PI`.
        if let Some(sym) = arena.find_symbol(last) {
            return Ok(Value::Real(arena.sym(sym)));
        }
        if let Some(id) = constant(arena, last) {
            return Ok(Value::Real(id));
        }
        return Ok(Value::Real(arena.var(last)));
    }
    let prefix: Vec<&str> = prefix.iter().map(String::as_str).collect();
    let consts_path = matches!(
        prefix[..],
        ["consts"] | ["f64", "consts"] | ["std", "f64", "consts"] | ["core", "f64", "consts"]
    );
    match consts_path.then(|| constant(arena, last)).flatten() {
        Some(id) => Ok(Value::Real(id)),
        None => Err(syn::Error::new(
            path.span(),
            format!(
                "unsupported path `{}`: a variable is a single identifier, and the constants \
                 are std::f64::consts::{{{}}}",
                path_text(path),
                CONSTS.join(", ")
            ),
        )),
    }
}

/// The exact value of a `std::f64::consts` constant.
fn constant(arena: &mut Ir, name: &str) -> Option<Id> {
    if !CONSTS.contains(&name) {
        return None;
    }
    let pi = arena.pi();
    let two = arena.int(2);
    let ten = arena.int(10);
    let ln2 = arena.ln(two);
    let ln10 = arena.ln(ten);
    let times = |arena: &mut Ir, r: Rational, id: Id| {
        let c = arena.num(r);
        arena.mul([c, id])
    };
    Some(match name {
        "PI" => pi,
        "TAU" => times(arena, rat(2), pi),
        "E" => {
            let one = arena.int(1);
            arena.exp(one)
        }
        "FRAC_PI_2" => times(arena, ratio(1, 2), pi),
        "FRAC_PI_3" => times(arena, ratio(1, 3), pi),
        "FRAC_PI_4" => times(arena, ratio(1, 4), pi),
        "FRAC_PI_6" => times(arena, ratio(1, 6), pi),
        "FRAC_PI_8" => times(arena, ratio(1, 8), pi),
        "FRAC_1_PI" => arena.recip(pi),
        "FRAC_2_PI" => {
            let r = arena.recip(pi);
            times(arena, rat(2), r)
        }
        "FRAC_2_SQRT_PI" => {
            let r = arena.powr(pi, ratio(-1, 2));
            times(arena, rat(2), r)
        }
        "SQRT_2" => arena.sqrt(two),
        "FRAC_1_SQRT_2" => arena.powr(two, ratio(-1, 2)),
        "LN_2" => ln2,
        "LN_10" => ln10,
        "LOG2_E" => arena.recip(ln2),
        "LOG10_E" => arena.recip(ln10),
        "LOG2_10" => arena.div(ln10, ln2),
        "LOG10_2" => arena.div(ln2, ln10),
        _ => return None,
    })
}

/// True for the type `f64` (also `core::primitive::f64`, in parentheses or invisible groups).
pub fn is_f64(ty: &Type) -> bool {
    let mut ty = ty;
    loop {
        match ty {
            Type::Paren(p) => ty = &p.elem,
            Type::Group(g) => ty = &g.elem,
            Type::Path(p) if p.qself.is_none() => {
                let names: Vec<String> = p
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                let plain = p.path.segments.iter().all(|s| s.arguments.is_empty());
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                return plain
                    && matches!(
                        names[..],
                        ["f64"] | ["core", "primitive", "f64"] | ["std", "primitive", "f64"]
                    );
            }
            _ => return false,
        }
    }
}

pub fn path_text(path: &syn::Path) -> String {
    let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let lead = if path.leading_colon.is_some() {
        "::"
    } else {
        ""
    };
    format!("{lead}{}", names.join("::"))
}

/// The exact value of decimal literal text (digits, `.`, exponent; `_` ignored); `None` when
/// malformed or beyond the range of f64.
fn decimal(text: &str) -> Option<Rational> {
    let text: String = text.chars().filter(|&c| c != '_').collect();
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (
            &text[..i],
            text[i + 1..].trim_start_matches('+').parse::<i64>().ok()?,
        ),
        None => (text, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int}{frac}");
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let m: BigInt = digits.parse().ok()?;
    if m.is_zero() {
        return Some(Rational::zero());
    }
    let shift = exponent.checked_sub(i64::try_from(frac.len()).ok()?)?;
    // Decimal exponent of the leading digit: f64 spans about 4.9e-324 ..= 1.8e308.
    let lead = i64::try_from(digits.trim_start_matches('0').len()).ok()? - 1 + shift;
    if !(-324..=308).contains(&lead) {
        return None;
    }
    let pow10 = |k: i64| -> Option<BigInt> {
        Some(num_traits::pow(BigInt::from(10), usize::try_from(k).ok()?))
    };
    let value = if shift >= 0 {
        Rational::from(m * pow10(shift)?)
    } else {
        Rational::from_parts_signed(m, pow10(-shift)?)
    };
    if lead == 308 && value > Rational::try_from(f64::MAX).ok()? {
        return None;
    }
    Some(if negative { -value } else { value })
}

// The unit tests build through the arena every caller uses.
