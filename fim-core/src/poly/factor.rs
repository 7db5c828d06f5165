//! Factoring helpers: linear factors of a univariate polynomial over Q (rational root
//! theorem), and small prime factors of an integer.

use num_traits::{One, Signed, ToPrimitive};
use smallvec::smallvec;

use super::{primitive, Mono, Poly};
use crate::expr::{BigInt, Rational};

/// A univariate polynomial's linear factors over Q, by the rational root theorem, as
/// (factor, multiplicity) with a remaining cofactor: φ³ + 2φ² + φ = φ (1 + φ)². `None` for
/// polynomials in more than one atom, of degree < 2, or with huge coefficients.
pub(crate) fn linear_factors(p: &Poly) -> Option<(Vec<(Poly, u32)>, Poly)> {
    let mut atom = None;
    for m in p.monos() {
        for (a, _) in m {
            if atom.is_some_and(|x| x != *a) {
                return None;
            }
            atom = Some(*a);
        }
    }
    let atom = atom?;
    let degree = p.max_degree(atom);
    if !(2..=64).contains(&degree) {
        return None;
    }
    let (_, prim) = primitive(p);
    let coeff = |q: &Poly, e: u32| -> BigInt {
        let key: Mono = if e == 0 {
            Mono::new()
        } else {
            smallvec![(atom, e)]
        };
        q.get(&key)
            .map(|c| c.numerator().clone())
            .unwrap_or_default()
    };
    let lead = coeff(&prim, degree);
    let divisors = |n: &BigInt| -> Option<Vec<BigInt>> {
        let n = n.abs().to_u64()?;
        if n == 0 || n > 10_000 {
            return None;
        }
        Some((1..=n).filter(|d| n % d == 0).map(BigInt::from).collect())
    };
    let qs = divisors(&lead)?;
    let mut rest = prim;
    let mut factors: Vec<(Poly, u32)> = Vec::new();
    // Zero roots first: powers of the atom itself.
    let low = rest
        .monos()
        .map(|m| m.first().map_or(0, |x| x.1))
        .min()
        .unwrap_or(0);
    if low > 0 {
        let m = Poly::monomial(smallvec![(atom, low)]);
        rest = rest.div_exact(&m)?;
        factors.push((Poly::atom(atom), low));
    }
    let c0 = coeff(&rest, 0);
    let ps = match divisors(&c0) {
        Some(v) => v,
        None => return Some((factors, rest)),
    };
    for pnum in &ps {
        for q in &qs {
            for sign in [1i64, -1] {
                // Candidate root r = sign p / q, factor (q t - sign p), shown with a
                // positive constant term: (sign p - q t) or (q t + p).
                let r0 = Rational::from_parts_signed(pnum * sign, q.clone());
                let lin = Poly::from_terms(vec![
                    (Mono::new(), -r0.clone() * Rational::from(q.clone())),
                    (smallvec![(atom, 1)], Rational::from(q.clone())),
                ]);
                let (_, lin) = primitive(&lin);
                // Divide only at a root: evaluating is O(degree), a trial division builds a
                // quotient (a degree-64 polynomial with 10⁴-divisor constants tried ~10³
                // candidates, 2 s).
                if !is_root(&rest, atom, &r0) {
                    continue;
                }
                let mut mult = 0;
                while rest.max_degree(atom) >= 1 {
                    match rest.div_exact(&lin) {
                        Some(qq) => {
                            rest = qq;
                            mult += 1;
                        }
                        None => break,
                    }
                }
                if mult > 0 {
                    factors.push((lin, mult));
                }
            }
        }
    }
    Some((factors, rest))
}

/// Whether the univariate `p` (in `atom`) vanishes at `r`, by Horner's rule in exact
/// arithmetic.
fn is_root(p: &Poly, atom: crate::expr::Id, r: &Rational) -> bool {
    let degree = p.max_degree(atom) as usize;
    let mut coeffs = vec![Rational::ZERO; degree + 1];
    for (m, c) in p.iter() {
        let e = m.iter().find(|x| x.0 == atom).map_or(0, |x| x.1) as usize;
        coeffs[e] = c.clone();
    }
    let mut v = Rational::ZERO;
    for c in coeffs.iter().rev() {
        v = &v * r + c;
    }
    v.is_zero()
}

pub(crate) fn factor_small(n: &BigInt) -> Vec<(BigInt, u32)> {
    let mut out = Vec::new();
    let mut n = n.abs();
    let mut p = BigInt::from(2);
    let limit = BigInt::from(10_000);
    while n > BigInt::one() && p <= limit {
        let mut e = 0;
        while (&n % &p).is_zero() {
            n /= &p;
            e += 1;
        }
        if e > 0 {
            out.push((p.clone(), e));
        }
        p += 1;
    }
    if n > BigInt::one() {
        out.push((n, 1));
    }
    out
}
