//! Identity proofs: canonical forms first, then an exact randomized identity test with
//! transcendental subterms as fresh variables, then floating-point evaluation at many points.
//!
//! The exact test is sound: if `a - b` vanishes as a rational function of the symbols and of
//! fresh variables standing for the transcendental subterms, it vanishes for their true values.
//! A nonzero value there proves nothing (the fresh variables forget identities such as
//! `ln(ab) = ln a + ln b`), so the last resort is sampling in floating point.

use std::collections::HashMap;
use std::fmt;

use crate::eval::Modulus;
use crate::expr::{BigInt, Id, Rational, Symbol};
use crate::simplify::{self, Domain};
use crate::Arena;

/// How an identity was proved, from the strongest method to the weakest: the order is the
/// ranking (a proof is as weak as the weakest method any of its steps needed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    /// Both sides have the same canonical (simplified) form.
    Canonical,
    /// Exact evaluation at random rational points, transcendental subterms as fresh variables.
    ExactRandomized,
    /// Floating-point evaluation at many random points of the domain (relative error ≤ 1e-9).
    FloatSampling,
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Method::Canonical => "canonical form",
            Method::ExactRandomized => "exact randomized identity test",
            Method::FloatSampling => "floating-point sampling",
        })
    }
}

/// The outcome of an identity check.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// The two sides are equal; proved by the given method.
    Proved(Method),
    /// The two sides differ at `point` (symbol name, value), where they take `lhs` and `rhs`.
    Differs {
        /// The point, as (symbol, value) pairs in the order the symbols first appear.
        point: Vec<(String, f64)>,
        /// The left side's value there.
        lhs: f64,
        /// The right side's value there.
        rhs: f64,
    },
    /// No point of the domain could be found where both sides are finite.
    Undecided,
}

impl Verdict {
    /// True for [`Verdict::Proved`].
    pub fn is_proved(&self) -> bool {
        matches!(self, Verdict::Proved(_))
    }
}

/// A small deterministic generator (splitmix64): proofs must give the same answer every run.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Where sample points may be drawn: the symbols' values must make every expression in
/// `positive` positive (the arguments of logarithms in the log-likelihood, say).
#[derive(Clone, Debug, Default)]
pub struct SampleDomain {
    /// Expressions that must be positive at a valid sample point.
    pub positive: Vec<Id>,
}

/// Random sample points of the domain: symbols drawn from (0, s) for shrinking scales `s`, so
/// that constraints such as `1 - p1 - ... - p10 > 0` are met often enough.
pub fn sample_points(
    arena: &Arena,
    syms: &[Symbol],
    domain: &SampleDomain,
    count: usize,
    seed: u64,
) -> Vec<HashMap<Symbol, f64>> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(count);
    let attempts = count * 60;
    for attempt in 0..attempts {
        if out.len() >= count {
            break;
        }
        let scale = 0.5f64.powi((attempt % 8) as i32) * 1.5;
        // Positive values first; after a third of the attempts, random signs too, for domains
        // such as ln(-2 η) that need negative values.
        let signed = attempt >= attempts / 3;
        let env: HashMap<Symbol, f64> = syms
            .iter()
            .map(|&s| {
                let v = scale * (0.05 + 0.95 * rng.unit());
                let neg = signed && rng.next_u64() & 1 == 1;
                (s, if neg { -v } else { v })
            })
            .collect();
        let ok = domain.positive.iter().all(|&c| {
            let v = arena.eval(c, &env);
            v.is_finite() && v > 0.0
        });
        if ok {
            out.push(env);
        }
    }
    out
}

/// The largest difference (in [`print::op_count`](crate::print::op_count) operations) whose
/// canonical form [`equiv`] computes: Theorem 1 on a family whose A holds a power of a
/// 32-degree polynomial (37 821 operations) spent 2 s there.
pub const CANONICAL_MAX_OPS: usize = 4000;

/// Proves `a = b`, or finds a point where they differ.
pub fn equiv(arena: &mut Arena, domain: &Domain, samples: &SampleDomain, a: Id, b: Id) -> Verdict {
    if a == b {
        return Verdict::Proved(Method::Canonical);
    }
    let diff = arena.sub(a, b);
    // The canonical form of a large difference costs far more than evaluating it: past
    // `CANONICAL_MAX_OPS` operations the randomized methods decide alone.
    let small = crate::print::op_count(arena, diff) <= CANONICAL_MAX_OPS;
    if small && simplify::is_zero(arena, domain, diff) {
        return Verdict::Proved(Method::Canonical);
    }
    if exact_randomized_zero(arena, diff) {
        return Verdict::Proved(Method::ExactRandomized);
    }
    float_sampling(arena, samples, a, b)
}

/// The primes of the randomized identity test: 2⁶¹ − 1 and 2⁶³ − 25. A point counts as a zero
/// only when the value vanishes modulo both, so a nonzero rational function passes only if it
/// vanishes at the point (probability at most its degree over 2⁶¹ for each) or if its
/// coefficients are all multiples of their product, about 2¹²⁴.
const PRIMES: [Modulus; 2] = [Modulus((1 << 61) - 1), Modulus((1 << 63) - 25)];

/// True when `id` vanishes at several random points with fresh values for its transcendental
/// subterms, evaluated modulo two large primes (exact, and one word per value however large
/// the rationals at the same point would grow).
pub fn exact_randomized_zero(arena: &Arena, id: Id) -> bool {
    let syms = arena.free_symbols(id);
    let mut rng = Rng::new(0x5EED_F15B);
    let mut tried = 0;
    let mut evaluated = 0;
    while evaluated < 4 && tried < 12 {
        tried += 1;
        let mut zero = true;
        for m in PRIMES {
            let env: HashMap<Symbol, u64> =
                syms.iter().map(|&s| (s, rng.next_u64() % m.0)).collect();
            let mut fresh_vals: HashMap<(Id, u32), u64> = HashMap::new();
            let mut fresh = |node: Id, q: u32| -> u64 {
                *fresh_vals
                    .entry((node, q))
                    .or_insert_with(|| rng.next_u64() % m.0)
            };
            match arena.eval_mod_with(id, m, &env, &mut fresh) {
                Some(0) => {}
                Some(_) => return false,
                None => zero = false,
            }
        }
        if zero {
            evaluated += 1;
        }
    }
    evaluated >= 4
}

fn float_sampling(arena: &Arena, samples: &SampleDomain, a: Id, b: Id) -> Verdict {
    let mut syms = arena.free_symbols(a);
    for s in arena.free_symbols(b) {
        if !syms.contains(&s) {
            syms.push(s);
        }
    }
    for &c in &samples.positive {
        for s in arena.free_symbols(c) {
            if !syms.contains(&s) {
                syms.push(s);
            }
        }
    }
    let points = sample_points(arena, &syms, samples, 64, 0xF15_4E2);
    let mut agreed = 0;
    for env in &points {
        let (x, y) = (arena.eval(a, env), arena.eval(b, env));
        if !x.is_finite() || !y.is_finite() {
            continue;
        }
        let tol = 1e-9 * x.abs().max(y.abs()).max(1.0);
        if (x - y).abs() <= tol {
            agreed += 1;
            continue;
        }
        let magnitude = arena
            .eval_magnitude(a, env)
            .max(arena.eval_magnitude(b, env));
        if (x - y).abs() <= 1e-12 * magnitude {
            // Within the rounding of the terms that cancel: f64 cannot tell them apart here.
            continue;
        }
        // f64 may lose every digit to cancellation (sums of huge terms); where both sides are
        // rational near the point, exact arithmetic decides.
        match exactly_equal(arena, env, a, b) {
            Some(true) => {
                agreed += 1;
                continue;
            }
            Some(false) => {}
            // A side moves by more than the tolerance when its symbols move by a few ulp:
            // f64 cannot tell the two apart here.
            None if ill_conditioned(arena, env, a, b, (x, y), tol) => continue,
            None => {}
        }
        let point = syms
            .iter()
            .map(|&s| (arena.name(s).to_string(), env[&s]))
            .collect();
        return Verdict::Differs {
            point,
            lhs: x,
            rhs: y,
        };
    }
    if agreed >= 16 {
        Verdict::Proved(Method::FloatSampling)
    } else {
        Verdict::Undecided
    }
}

/// Whether `a` and `b` are equal at a rational point near `env` (each coordinate rounded to 6
/// significant bits, so that exact powers stay small), when both are rational there; `None`
/// when a transcendental subterm, a division by zero or the exact-arithmetic budget is met. A
/// rational identity that holds on an open set holds wherever both sides are defined, so the
/// nearby point decides it as well as `env` would.
fn exactly_equal(arena: &Arena, env: &HashMap<Symbol, f64>, a: Id, b: Id) -> Option<bool> {
    let exact: HashMap<Symbol, Rational> = env
        .iter()
        .map(|(&s, &v)| short_rational(v).map(|r| (s, r)))
        .collect::<Option<_>>()?;
    let p = arena.eval_exact(a, &exact)?;
    let q = arena.eval_exact(b, &exact)?;
    Some(p == q)
}

/// `v` rounded to 6 significant bits, exactly (`None` for 0 and non-finite values).
fn short_rational(v: f64) -> Option<Rational> {
    if !v.is_finite() || v == 0.0 {
        return None;
    }
    // 2^k |v| in [32, 64).
    let k = 5 - v.abs().log2().floor() as i32;
    let m = (v * 2f64.powi(k)).round();
    let m = Rational::try_from(m).ok()?;
    let scale = if k >= 0 {
        Rational::from(BigInt::from(1) << k as usize)
    } else {
        Rational::from(BigInt::from(1) << (-k) as usize)
    };
    Some(if k >= 0 { m / scale } else { m * scale })
}

/// True when moving every symbol of `env` by 10⁻¹³ relative (a few hundred ulp, the size of the
/// evaluation's own rounding) moves `a` or `b` by more than `tol`: at such a point a difference
/// within the rounding of the evaluation is no evidence.
fn ill_conditioned(
    arena: &Arena,
    env: &HashMap<Symbol, f64>,
    a: Id,
    b: Id,
    (x, y): (f64, f64),
    tol: f64,
) -> bool {
    let moved: HashMap<Symbol, f64> = env.iter().map(|(&s, &v)| (s, v * (1.0 + 1e-13))).collect();
    let (x2, y2) = (arena.eval(a, &moved), arena.eval(b, &moved));
    !((x2 - x).abs() <= tol && (y2 - y).abs() <= tol)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_when_forms_agree() {
        let mut a = Arena::new();
        let (x, y) = (a.var("x"), a.var("y"));
        let s = a.add([x, y]);
        let lhs = a.powi(s, 2);
        let (x2, y2) = (a.powi(x, 2), a.powi(y, 2));
        let two = a.int(2);
        let xy = a.mul([two, x, y]);
        let rhs = a.add([x2, xy, y2]);
        let v = equiv(&mut a, &Domain::new(), &SampleDomain::default(), lhs, rhs);
        assert_eq!(v, Verdict::Proved(Method::Canonical));
    }

    #[test]
    fn ln_product_needs_sampling_without_sign_facts() {
        let mut a = Arena::new();
        let (x, y) = (a.var("x"), a.var("y"));
        let xy = a.mul([x, y]);
        let lhs = a.ln(xy);
        let (lx, ly) = (a.ln(x), a.ln(y));
        let rhs = a.add([lx, ly]);
        let samples = SampleDomain {
            positive: vec![x, y],
        };
        let v = equiv(&mut a, &Domain::new(), &samples, lhs, rhs);
        assert_eq!(v, Verdict::Proved(Method::FloatSampling));
    }

    #[test]
    fn exact_randomized_with_transcendental_atoms() {
        // ψ(a)·(1/x + 1) vs ψ(a)/x + ψ(a): equal by expansion; the exact test also sees it.
        let mut a = Arena::new();
        let (x, al) = (a.var("x"), a.var("a"));
        let psi = a.polygamma(0, al);
        let one = a.int(1);
        let rx = a.recip(x);
        let s = a.add([rx, one]);
        let lhs = a.mul([psi, s]);
        let t = a.div(psi, x);
        let rhs = a.add([t, psi]);
        let d = a.sub(lhs, rhs);
        assert!(exact_randomized_zero(&a, d));
    }

    #[test]
    fn difference_found_with_a_point() {
        let mut a = Arena::new();
        let x = a.var("x");
        let lhs = a.powi(x, 2);
        let rhs = a.powi(x, 3);
        let samples = SampleDomain { positive: vec![x] };
        match equiv(&mut a, &Domain::new(), &samples, lhs, rhs) {
            Verdict::Differs { point, lhs, rhs } => {
                assert_eq!(point[0].0, "x");
                let xv = point[0].1;
                assert!((lhs - xv * xv).abs() < 1e-12 && (rhs - xv.powi(3)).abs() < 1e-12);
            }
            v => panic!("expected a difference, got {v:?}"),
        }
    }
}
