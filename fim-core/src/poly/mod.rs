//! Polynomials over atoms with exact rational coefficients, and rational functions of them.
//!
//! An atom is known here only by its `Id` (a symbol or a transcendental subterm): this algebra
//! never looks into the expression store. The simplifier turns IR into these forms and back.

use std::cmp::Ordering;

use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};
use smallvec::{smallvec, SmallVec};

use crate::expr::{BigInt, Id, Rational};

mod factor;
mod ratfun;

pub(crate) use factor::{factor_small, linear_factors};
pub(crate) use ratfun::{Den, RatFun};

/// A monomial: atoms with positive integer exponents, sorted by atom id.
pub(crate) type Mono = SmallVec<[(Id, u32); 4]>;

/// A multivariate polynomial over atoms with exact rational coefficients: its terms sorted
/// by monomial, without zero coefficients. Polynomials here have a handful of terms, where a
/// sorted vector beats a tree (no node allocations; sums are merges).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct Poly(Vec<(Mono, Rational)>);

impl Poly {
    pub(crate) fn constant(c: Rational) -> Poly {
        if c.is_zero() {
            Poly::default()
        } else {
            Poly(vec![(Mono::new(), c)])
        }
    }

    pub(crate) fn atom(a: Id) -> Poly {
        Poly(vec![(smallvec![(a, 1)], Rational::one())])
    }

    pub(crate) fn monomial(m: Mono) -> Poly {
        Poly(vec![(m, Rational::one())])
    }

    /// The polynomial of terms in any order, like terms combined.
    pub(crate) fn from_terms(mut terms: Vec<(Mono, Rational)>) -> Poly {
        terms.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(Mono, Rational)> = Vec::with_capacity(terms.len());
        for (m, c) in terms {
            match out.last_mut() {
                Some(last) if last.0 == m => last.1 = crate::expr::q_add(&last.1, &c),
                _ => {
                    if out.last().is_some_and(|l| l.1.is_zero()) {
                        out.pop();
                    }
                    out.push((m, c));
                }
            }
        }
        if out.last().is_some_and(|l| l.1.is_zero()) {
            out.pop();
        }
        Poly(out)
    }

    /// The terms, sorted by monomial.
    pub(crate) fn into_terms(self) -> Vec<(Mono, Rational)> {
        self.0
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&Mono, &Rational)> {
        self.0.iter().map(|(m, c)| (m, c))
    }

    pub(crate) fn monos(&self) -> impl Iterator<Item = &Mono> {
        self.0.iter().map(|t| &t.0)
    }

    pub(crate) fn coeffs(&self) -> impl Iterator<Item = &Rational> {
        self.0.iter().map(|t| &t.1)
    }

    /// The coefficient of `m`, if present.
    pub(crate) fn get(&self, m: &Mono) -> Option<&Rational> {
        self.0
            .binary_search_by(|t| t.0.cmp(m))
            .ok()
            .map(|i| &self.0[i].1)
    }

    pub(crate) fn as_constant(&self) -> Option<Rational> {
        match self.0.len() {
            0 => Some(Rational::zero()),
            1 => self.get(&Mono::new()).cloned(),
            _ => None,
        }
    }

    /// Adds one term in place: O(n) for the terms it shifts. Building a polynomial term by
    /// term is [`Poly::from_terms`]'s work, in O(n log n).
    pub(crate) fn add_term(&mut self, m: Mono, c: Rational) {
        if c.is_zero() {
            return;
        }
        let at = self.0.binary_search_by(|t| t.0.cmp(&m));
        // Exact coefficients cost with their size (a gcd per addition), an insertion or a
        // removal with the terms it moves.
        let moved = match at {
            Ok(i) | Err(i) => (self.0.len() - i) as u64,
        };
        crate::budget::charge(1 + crate::budget::rational_bits(&c) / 256 + moved / 16);
        match at {
            Ok(i) => {
                let v = crate::expr::q_add(&self.0[i].1, &c);
                if v.is_zero() {
                    self.0.remove(i);
                } else {
                    self.0[i].1 = v;
                }
            }
            Err(i) => self.0.insert(i, (m, c)),
        }
    }

    pub(crate) fn add(&self, o: &Poly) -> Poly {
        let (a, b) = (&self.0, &o.0);
        crate::budget::charge(1 + (a.len() + b.len()) as u64 / 8);
        let mut out = Vec::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                Ordering::Less => {
                    out.push(a[i].clone());
                    i += 1;
                }
                Ordering::Greater => {
                    out.push(b[j].clone());
                    j += 1;
                }
                Ordering::Equal => {
                    let c = crate::expr::q_add(&a[i].1, &b[j].1);
                    if !c.is_zero() {
                        out.push((a[i].0.clone(), c));
                    }
                    i += 1;
                    j += 1;
                }
            }
        }
        out.extend_from_slice(&a[i..]);
        out.extend_from_slice(&b[j..]);
        Poly(out)
    }

    pub(crate) fn scale(&self, k: &Rational) -> Poly {
        if k.is_zero() {
            return Poly::default();
        }
        if k.is_one() {
            return self.clone();
        }
        Poly(
            self.0
                .iter()
                .map(|(m, c)| (m.clone(), crate::expr::q_mul(c, k)))
                .collect(),
        )
    }

    pub(crate) fn mul(&self, o: &Poly) -> Poly {
        if self.0.len() == 1 && self.0[0].0.is_empty() {
            return o.scale(&self.0[0].1);
        }
        if o.0.len() == 1 && o.0[0].0.is_empty() {
            return self.scale(&o.0[0].1);
        }
        // Charged before the work and the allocation: a product past the meter's limit, or
        // too large to hold, stops here. A term costs with the atoms of its monomial (merged,
        // then compared while the terms are sorted).
        let n = self.0.len().saturating_mul(o.0.len());
        let width = |p: &Poly| p.0.iter().map(|t| t.0.len()).sum::<usize>() / p.0.len().max(1);
        crate::budget::charge_product(n as u64, (1 + width(self) + width(o)) as u64);
        let mut terms = Vec::with_capacity(n);
        for (m1, c1) in &self.0 {
            for (m2, c2) in &o.0 {
                terms.push((mono_mul(m1, m2), crate::expr::q_mul(c1, c2)));
            }
        }
        Poly::from_terms(terms)
    }

    pub(crate) fn pow(&self, k: u32) -> Poly {
        let mut r = Poly::constant(Rational::one());
        for _ in 0..k {
            r = r.mul(self);
        }
        r
    }

    /// `a^k` (1 for k = 0).
    pub(crate) fn atom_pow(a: Id, k: u32) -> Poly {
        if k == 0 {
            Poly::constant(Rational::one())
        } else {
            Poly::monomial(smallvec![(a, k)])
        }
    }

    /// The polynomial with every power `atom^k` replaced by `image(k)`.
    pub(crate) fn substitute(&self, atom: Id, image: impl Fn(u32) -> Poly) -> Poly {
        let mut out = Poly::default();
        let mut plain = Vec::new();
        for (m, c) in self.iter() {
            match m.iter().position(|(a, _)| *a == atom) {
                None => plain.push((m.clone(), c.clone())),
                Some(i) => {
                    let mut rest = m.clone();
                    let (_, k) = rest.remove(i);
                    let t = Poly::monomial(rest).scale(c).mul(&image(k));
                    out = out.add(&t);
                }
            }
        }
        out.add(&Poly::from_terms(plain))
    }

    /// The distinct atoms, in order of first appearance.
    pub(crate) fn atoms(&self) -> Vec<Id> {
        let mut out: Vec<Id> = Vec::new();
        for m in self.monos() {
            for (a, _) in m {
                if !out.contains(a) {
                    out.push(*a);
                }
            }
        }
        out
    }

    /// The leading term in lex order (atoms ordered by id).
    pub(crate) fn leading(&self) -> Option<(&Mono, &Rational)> {
        self.iter().max_by(|a, b| lex_cmp(a.0, b.0))
    }

    /// `self / d` when the division is exact.
    pub(crate) fn div_exact(&self, d: &Poly) -> Option<Poly> {
        let (dm, dc) = d.leading()?;
        let (dm, dc) = (dm.clone(), dc.clone());
        let divide = |c: &Rational| -> Rational {
            if dc.is_one() {
                c.clone()
            } else {
                c / &dc
            }
        };
        if d.len() == 1 {
            // Division by a monomial: term by term.
            let mut q = Vec::with_capacity(self.len());
            for (m, c) in &self.0 {
                q.push((mono_div(m, &dm)?, divide(c)));
            }
            return Some(Poly::from_terms(q));
        }
        // Quick rejections. In a monomial order the greatest and the least terms of a product
        // are the products of the factors' greatest and least terms, so d's must divide self's.
        mono_div(self.leading()?.0, &dm)?;
        let least = |p: &Poly| {
            p.iter()
                .min_by(|a, b| lex_cmp(a.0, b.0))
                .map(|t| t.0.clone())
        };
        mono_div(&least(self)?, &least(d)?)?;
        // Every atom of d must reach at least its degree in self.
        for m in d.monos() {
            for (a, e) in m {
                if self.max_degree(*a) < *e {
                    return None;
                }
            }
        }
        let mut p = self.clone();
        let mut q = Poly::default();
        let mut steps = 0usize;
        while let Some((pm, pc)) = p.leading() {
            steps += 1;
            if steps > 10_000 {
                return None;
            }
            let m = mono_div(pm, &dm)?;
            let c = divide(pc);
            for (dmi, dci) in &d.0 {
                p.add_term(mono_mul(&m, dmi), -(crate::expr::q_mul(&c, dci)));
            }
            q.add_term(m, c);
        }
        Some(q)
    }

    pub(crate) fn max_degree(&self, a: Id) -> u32 {
        self.monos()
            .map(|m| m.iter().find(|(b, _)| *b == a).map_or(0, |x| x.1))
            .max()
            .unwrap_or(0)
    }

    /// The monomial gcd of all terms (minimum exponent of each atom present in every term).
    pub(crate) fn monomial_content(&self) -> Mono {
        let mut it = self.monos();
        let Some(first) = it.next() else {
            return Mono::new();
        };
        let mut g = first.clone();
        for m in it {
            g.retain_mut(|(a, e)| match m.iter().find(|(b, _)| b == a) {
                Some((_, f)) => {
                    *e = (*e).min(*f);
                    true
                }
                None => false,
            });
        }
        g
    }
}

fn mono_mul(a: &Mono, b: &Mono) -> Mono {
    let mut r: Mono = Mono::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if j >= b.len() || (i < a.len() && a[i].0 < b[j].0) {
            r.push(a[i]);
            i += 1;
        } else if i >= a.len() || b[j].0 < a[i].0 {
            r.push(b[j]);
            j += 1;
        } else {
            r.push((a[i].0, a[i].1 + b[j].1));
            i += 1;
            j += 1;
        }
    }
    r
}

pub(crate) fn mono_div(a: &Mono, b: &Mono) -> Option<Mono> {
    // Both sorted by atom id: one merge pass, nothing built when b does not divide a.
    let mut r = Mono::new();
    let mut j = 0;
    for &(x, e) in a {
        match b.get(j) {
            Some(&(y, f)) if y == x => {
                if e < f {
                    return None;
                }
                if e > f {
                    r.push((x, e - f));
                }
                j += 1;
            }
            Some(&(y, _)) if y < x => return None,
            _ => r.push((x, e)),
        }
    }
    (j == b.len()).then_some(r)
}

fn lex_cmp(a: &Mono, b: &Mono) -> Ordering {
    let (mut i, mut j) = (0, 0);
    loop {
        match (a.get(i), b.get(j)) {
            (None, None) => return Ordering::Equal,
            (Some(_), None) => return Ordering::Greater,
            (None, Some(_)) => return Ordering::Less,
            (Some(x), Some(y)) => {
                if x.0 < y.0 {
                    return Ordering::Greater;
                }
                if y.0 < x.0 {
                    return Ordering::Less;
                }
                match x.1.cmp(&y.1) {
                    Ordering::Equal => {
                        i += 1;
                        j += 1;
                    }
                    o => return o,
                }
            }
        }
    }
}

/// `p = k * q` with q having coprime integer coefficients and a positive sign convention.
pub(crate) fn primitive(p: &Poly) -> (Rational, Poly) {
    if p.is_zero() {
        return (Rational::zero(), p.clone());
    }
    let mut k = content_small(p).unwrap_or_else(|| {
        let mut g_num = BigInt::zero();
        let mut l_den = BigInt::one();
        for c in p.coeffs() {
            g_num = g_num.gcd(c.numerator());
            l_den = l_den.lcm(&crate::expr::denom(c));
        }
        Rational::from_parts_signed(g_num, l_den)
    });
    let lead = match p.get(&Mono::new()) {
        Some(c) => c.clone(),
        None => p
            .leading()
            .map(|t| t.1.clone())
            .unwrap_or_else(Rational::one),
    };
    if lead.is_negative() {
        k = -k;
    }
    let inv = Rational::one() / &k;
    (k, p.scale(&inv))
}

/// The content gcd(numerators) / lcm(denominators) of `p` in machine words, when everything
/// fits (the common case); `None` sends the caller to big integers.
fn content_small(p: &Poly) -> Option<Rational> {
    let (mut g, mut l) = (0u64, 1u64);
    for c in p.coeffs() {
        let n = c.numerator().to_i64()?.unsigned_abs();
        let d = c.denominator().to_u64()?;
        g = gcd_u64(g, n);
        l = (l / gcd_u64(l, d)).checked_mul(d)?;
    }
    Some(Rational::from_parts(BigInt::from(g), l.into()))
}

fn gcd_u64(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_with_zero_are_zero() {
        // Found by the fuzzer: the charge of a product divided by the number of terms of a
        // factor, which the zero polynomial does not have.
        let mut ir = crate::expr::Ir::new();
        let x = Poly::atom(ir.var("x"));
        assert!(Poly::default().mul(&x).is_zero());
        assert!(x.mul(&Poly::default()).is_zero());
        assert!(Poly::default().mul(&Poly::default()).is_zero());
    }
}
