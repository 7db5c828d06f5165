//! Evaluation: in `f64` at a point, exactly at a rational point, and modulo a prime.
//!
//! The modular evaluator treats transcendental subterms (`ln`, `exp`, lnΓ, ψ, fractional and
//! symbolic powers, |·|, π) as fresh variables: that is what makes the randomized identity test
//! in [`crate::equiv`] exact and sound.

use std::collections::HashMap;

use num_traits::{Signed, ToPrimitive, Zero};

use crate::expr::{rat_powi, Id, Ir, Node, Rational, Symbol};

/// `f64` value of a rational, correctly rounded (±∞ beyond the range of `f64`).
pub fn rat_to_f64(r: &Rational) -> f64 {
    r.to_f64().value()
}

/// `ln Γ(x)`, the run-time function generated code calls (from `fim-special`).
pub use fim_special::ln_gamma as ln_gamma_f64;
/// `ψ⁽ᵏ⁾(x)`, the run-time function generated code calls (from `fim-special`).
pub use fim_special::polygamma as polygamma_f64;

impl Ir {
    /// The `f64` value of `id` with symbols bound by `env` (unbound symbols are NaN).
    pub fn eval(&self, id: Id, env: &HashMap<Symbol, f64>) -> f64 {
        let mut memo = HashMap::new();
        self.eval_memo(id, env, &mut memo)
    }

    /// A bound on the magnitudes that evaluating `id` in `f64` adds up: sums of the children's
    /// bounds at sums, products of them at products with positive powers, |value| elsewhere.
    /// The rounding error of [`Ir::eval`] is a small multiple of ε times this, however much
    /// cancels: a difference of two huge terms is only known to about ε · (their size).
    pub fn eval_magnitude(&self, id: Id, env: &HashMap<Symbol, f64>) -> f64 {
        let mut values = HashMap::new();
        let mut memo = HashMap::new();
        self.magnitude_memo(id, env, &mut values, &mut memo)
    }

    fn magnitude_memo(
        &self,
        id: Id,
        env: &HashMap<Symbol, f64>,
        values: &mut HashMap<Id, f64>,
        memo: &mut HashMap<Id, f64>,
    ) -> f64 {
        if let Some(&v) = memo.get(&id) {
            return v;
        }
        crate::budget::charge(1);
        let v = match self.node(id) {
            Node::Add(ts) => ts
                .iter()
                .map(|&t| self.magnitude_memo(t, env, values, memo))
                .sum(),
            Node::Mul(_, fs) => {
                let mut v = self.coeff_f64(id).abs();
                for (b, e) in fs.iter() {
                    let m = if e.is_positive() {
                        self.magnitude_memo(*b, env, values, memo)
                    } else {
                        self.eval_memo(*b, env, values).abs()
                    };
                    v *= m.powf(rat_to_f64(e));
                }
                v
            }
            _ => self.eval_memo(id, env, values).abs(),
        };
        memo.insert(id, v);
        v
    }

    fn eval_memo(&self, id: Id, env: &HashMap<Symbol, f64>, memo: &mut HashMap<Id, f64>) -> f64 {
        if let Some(&v) = memo.get(&id) {
            return v;
        }
        crate::budget::charge(1);
        let v = match self.node(id) {
            Node::Num(_) => self.coeff_f64(id),
            Node::Pi => std::f64::consts::PI,
            Node::Sym(s) => env.get(s).copied().unwrap_or(f64::NAN),
            Node::Add(ts) => ts.iter().map(|&t| self.eval_memo(t, env, memo)).sum(),
            Node::Mul(_, fs) => {
                let mut v = self.coeff_f64(id);
                for (b, e) in fs.iter() {
                    let bv = self.eval_memo(*b, env, memo);
                    v *= if e.is_int() {
                        match e.to_i32() {
                            Some(n) => bv.powi(n),
                            None => bv.powf(rat_to_f64(e)),
                        }
                    } else if *e == crate::expr::ratio(1, 2) {
                        bv.sqrt()
                    } else {
                        bv.powf(rat_to_f64(e))
                    };
                }
                v
            }
            Node::Pow(b, e) => {
                let (b, e) = (self.eval_memo(*b, env, memo), self.eval_memo(*e, env, memo));
                b.powf(e)
            }
            Node::Ln(a) => self.eval_memo(*a, env, memo).ln(),
            Node::Exp(a) => self.eval_memo(*a, env, memo).exp(),
            Node::Abs(a) => self.eval_memo(*a, env, memo).abs(),
            Node::Special(f, a) => f.value(self.eval_memo(*a, env, memo)),
        };
        memo.insert(id, v);
        v
    }

    /// The exact value of `id` at a rational point, if it is rational there: `None` when a
    /// transcendental subterm or a division by zero is met.
    pub fn eval_exact(&self, id: Id, env: &HashMap<Symbol, Rational>) -> Option<Rational> {
        let mut memo = HashMap::new();
        self.exact_memo(id, env, &mut memo)
    }

    fn exact_memo(
        &self,
        id: Id,
        env: &HashMap<Symbol, Rational>,
        memo: &mut HashMap<Id, Option<Rational>>,
    ) -> Option<Rational> {
        if let Some(v) = memo.get(&id) {
            return v.clone();
        }
        crate::budget::charge(1);
        let v = match self.node(id) {
            Node::Num(r) => Some(r.clone()),
            Node::Sym(s) => env.get(s).cloned(),
            Node::Add(ts) => {
                let mut acc = Rational::zero();
                for &t in ts.iter() {
                    acc += self.exact_memo(t, env, memo)?;
                }
                Some(acc)
            }
            Node::Mul(c, fs) => {
                let mut acc = c.clone();
                for (b, e) in fs.iter() {
                    // A fractional power of a rational is not rational in general.
                    if !e.is_int() {
                        return None;
                    }
                    let bv = self.exact_memo(*b, env, memo)?;
                    acc *= rat_powi(&bv, e.numerator())?;
                }
                Some(acc)
            }
            Node::Ln(a) => match self.node(*a) {
                Node::Num(r) if r.is_one() => Some(Rational::zero()),
                _ => None,
            },
            Node::Abs(a) => self.exact_memo(*a, env, memo).map(|v| v.abs()),
            Node::Pi | Node::Pow(..) | Node::Exp(_) | Node::Special(..) => None,
        };
        if let Some(v) = &v {
            crate::budget::charge(crate::budget::rational_bits(v) / 256);
        }
        memo.insert(id, v.clone());
        v
    }
}

/// Arithmetic modulo a prime below 2⁶⁴: the randomized identity test's field, where values
/// stay one word however large the exact rationals at the same point would grow.
#[derive(Clone, Copy, Debug)]
pub struct Modulus(pub u64);

impl Modulus {
    fn mul(self, a: u64, b: u64) -> u64 {
        ((u128::from(a) * u128::from(b)) % u128::from(self.0)) as u64
    }

    fn add(self, a: u64, b: u64) -> u64 {
        ((u128::from(a) + u128::from(b)) % u128::from(self.0)) as u64
    }

    fn pow(self, mut a: u64, mut e: u64) -> u64 {
        let mut acc = 1 % self.0;
        while e > 0 {
            if e & 1 == 1 {
                acc = self.mul(acc, a);
            }
            a = self.mul(a, a);
            e >>= 1;
        }
        acc
    }

    /// a⁻¹ by Fermat's little theorem; `None` for 0.
    fn inv(self, a: u64) -> Option<u64> {
        (a != 0).then(|| self.pow(a, self.0 - 2))
    }

    /// An integer modulo the prime.
    fn int(self, n: &crate::expr::BigInt) -> u64 {
        let p = crate::expr::BigInt::from(self.0);
        let r = n % &p;
        let r = if r.is_negative() { r + p } else { r };
        r.to_u64().unwrap_or(0)
    }

    /// A rational modulo the prime; `None` when its denominator is a multiple of it.
    fn rational(self, r: &Rational) -> Option<u64> {
        let n = self.int(r.numerator());
        let d = self.int(&crate::expr::denom(r));
        Some(self.mul(n, self.inv(d)?))
    }
}

impl Ir {
    /// The value of `id` modulo `m.0` where every symbol is bound by `env` (residues) and every
    /// transcendental subterm is given a residue by `fresh` (called with the subterm's id and,
    /// for a fractional power b^(p/q), with b and q). `None` on a division by a multiple of the
    /// prime. A step of the work meter per node.
    pub fn eval_mod_with(
        &self,
        id: Id,
        m: Modulus,
        env: &HashMap<Symbol, u64>,
        fresh: &mut dyn FnMut(Id, u32) -> u64,
    ) -> Option<u64> {
        let mut memo = HashMap::new();
        self.mod_memo(id, m, env, fresh, &mut memo)
    }

    fn mod_memo(
        &self,
        id: Id,
        m: Modulus,
        env: &HashMap<Symbol, u64>,
        fresh: &mut dyn FnMut(Id, u32) -> u64,
        memo: &mut HashMap<Id, Option<u64>>,
    ) -> Option<u64> {
        if let Some(v) = memo.get(&id) {
            return *v;
        }
        crate::budget::charge(1);
        // b^e for an integer e (a negative one through the inverse).
        let power = |b: u64, e: &crate::expr::BigInt| -> Option<u64> {
            let k = e.abs().to_u64()?;
            let base = if e.is_negative() { m.inv(b)? } else { b };
            Some(m.pow(base, k))
        };
        let v = match self.node(id) {
            Node::Num(r) => m.rational(r),
            Node::Sym(s) => env.get(s).copied(),
            Node::Add(ts) => {
                let mut acc = 0;
                for &t in ts.iter() {
                    acc = m.add(acc, self.mod_memo(t, m, env, fresh, memo)?);
                }
                Some(acc)
            }
            Node::Mul(c, fs) => {
                let mut acc = m.rational(c)?;
                for (b, e) in fs.iter() {
                    let base = if e.is_int() {
                        self.mod_memo(*b, m, env, fresh, memo)?
                    } else {
                        // b^(p/q) = (fresh value of b^(1/q))^p
                        fresh(*b, e.denominator().to_u32()?)
                    };
                    acc = m.mul(acc, power(base, e.numerator())?);
                }
                Some(acc)
            }
            Node::Ln(a) => match self.node(*a) {
                Node::Num(r) if r.is_one() => Some(0),
                _ => Some(fresh(id, 1)),
            },
            Node::Abs(_) | Node::Pi | Node::Pow(..) | Node::Exp(_) | Node::Special(..) => {
                Some(fresh(id, 1))
            }
        };
        memo.insert(id, v);
        v
    }
}
