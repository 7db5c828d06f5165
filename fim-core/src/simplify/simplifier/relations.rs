//! The identities between special-function atoms (see `crate::expr::special`): one canonical
//! representative where two atoms are related, so that two spellings of one expression meet
//! in the canonical form the identity proofs use, and for display the spelling that prints
//! shorter, which is also the one that keeps its digits (`Φ(−η)`, not `1 − Φ(η)`).
//!
//! - Affine relations `f(x) = c − g(x)`: `erfc(x) = 1 − erf(x)` ([`Entry::complement`]) and
//!   `Φ(x) = 1 − Φ(−x)` (the shifted [`Symmetry::Odd`], for an argument that reads negative).
//!   Canonical forms hold only `g`; display substitutes back wherever that is shorter.
//! - A logarithm in the table (`ln_norm_cdf` is ln Φ, [`Entry::log_of`]) follows the
//!   canonical form of its argument: `ln Φ(−x)` is `ln(1 − Φ(x))`.
//! - Squares `f(x)² = 1 + s g(x)²` ([`Entry::square`]: cos, cosh): canonical numerators hold
//!   no power of `f` above 1, so `sin² + cos² − 1` is 0 (the relation is irreducible, so a
//!   numerator vanishes on it exactly when its reduction is 0); display keeps whichever of the
//!   two forms is shorter.
//!
//! [`Entry::complement`]: crate::expr::special::Entry::complement
//! [`Entry::square`]: crate::expr::special::Entry::square
//! [`Entry::log_of`]: crate::expr::special::Entry::log_of

use num_traits::One;
use smallvec::SmallVec;

use super::Simplifier;
use crate::expr::special::{Symmetry, TABLE};
use crate::expr::{rat, Id, Node, Rational, Special};
use crate::poly::{Poly, RatFun};

/// Another spelling of an atom `a`, for display.
enum Alternative {
    /// `a = c − other`.
    Affine(Rational, Id),
    /// `a² = (other² − 1) / s`.
    Square(Id, i64),
}

impl Simplifier<'_> {
    /// The canonical form of the atom `atom` (arguments already canonical) when it is related
    /// to another atom: `erfc(x)` is `1 − erf(x)`, `Φ(−x)` is `1 − Φ(x)`.
    pub(super) fn canonical_relation(&mut self, atom: Id) -> Option<Id> {
        let &Node::Special(f, x) = self.arena.node(atom) else {
            return None;
        };
        let entry = f.entry();
        if let Some(g) = entry.log_of {
            // ln g(x) in the canonical form of g(x): ln Φ(−x) is ln(1 − Φ(x)).
            let inner = self.arena.special(
                Special {
                    fun: g,
                    order: f.order,
                },
                x,
            );
            let alt = self.canonical_relation(inner)?;
            return Some(self.arena.ln(alt));
        }
        let (c, other) = if let Some((g, c)) = entry.complement {
            let other = self.arena.special(
                Special {
                    fun: g,
                    order: f.order,
                },
                x,
            );
            (c, other)
        } else if let Symmetry::Odd(c) = entry.symmetry {
            if c == 0 || !self.arena.reads_negative(x) {
                return None;
            }
            let nx = self.arena.neg(x);
            let nx = self.canonical(nx);
            if self.arena.reads_negative(nx) {
                return None;
            }
            (c, self.arena.special(f, nx))
        } else {
            return None;
        };
        let c = self.arena.int(c);
        Some(self.arena.sub(c, other))
    }

    /// `r` with the powers above 1 of the atoms that have a square rule (`cos² = 1 − sin²`)
    /// reduced in its numerator, and cancelled again.
    pub(super) fn reduce_squares(&mut self, r: RatFun) -> RatFun {
        let mut rules: SmallVec<[(Id, Id, i64); 2]> = SmallVec::new();
        for m in r.num.monos() {
            for &(a, e) in m {
                if e < 2 || rules.iter().any(|x| x.0 == a) {
                    continue;
                }
                if let &Node::Special(f, x) = self.arena.node(a) {
                    if let Some((g, s)) = f.entry().square {
                        let partner = self.arena.special(
                            Special {
                                fun: g,
                                order: f.order,
                            },
                            x,
                        );
                        rules.push((a, partner, s));
                    }
                }
            }
        }
        if rules.is_empty() {
            return r;
        }
        let mut num = r.num;
        for (a, g, s) in rules {
            // a² = 1 + s g²
            let sq = Poly::constant(Rational::one()).add(&Poly::atom_pow(g, 2).scale(&rat(s)));
            num = num.substitute(a, |k| Poly::atom_pow(a, k % 2).mul(&sq.pow(k / 2)));
        }
        self.cancel(RatFun { num, den: r.den })
    }

    /// The other spelling of the atom `a` that display may choose, if it has one.
    fn alternative(&mut self, a: Id) -> Option<Alternative> {
        let &Node::Special(f, x) = self.arena.node(a) else {
            return None;
        };
        if let Symmetry::Odd(c) = f.entry().symmetry {
            if c != 0 {
                let nx = self.arena.neg(x);
                let nx = self.canonical(nx);
                let other = self.arena.special(f, nx);
                return Some(Alternative::Affine(rat(c), other));
            }
        }
        for e in TABLE {
            let other = Special {
                fun: e.fun,
                order: f.order,
            };
            if let Some((g, c)) = e.complement {
                if g == f.fun {
                    let other = self.arena.special(other, x);
                    return Some(Alternative::Affine(rat(c), other));
                }
            }
            if let Some((g, s)) = e.square {
                if g == f.fun {
                    let other = self.arena.special(other, x);
                    return Some(Alternative::Square(other, s));
                }
            }
        }
        None
    }

    /// `p` for display: each atom that has another spelling is rewritten in it where that
    /// gives the polynomial fewer terms, or as many and fewer operators when printed
    /// (`1 − Φ(η)` as `Φ(−η)`, `1 − sin²` as `cos²`): fewer terms is fewer cancellations, so
    /// the shorter form is also the one that keeps its digits.
    pub(super) fn display_poly(&mut self, p: &Poly) -> Poly {
        let mut best: Option<(Poly, (usize, usize))> = None;
        for a in p.atoms() {
            let Some(alt) = self.alternative(a) else {
                continue;
            };
            let (current, ops) = match best.take() {
                Some(b) => b,
                None => {
                    let ir = self.poly_to_ir(p);
                    (p.clone(), (p.len(), crate::print::op_count(self.arena, ir)))
                }
            };
            let candidate = match alt {
                Alternative::Affine(c, other) => {
                    let image = Poly::constant(c).add(&Poly::atom(other).scale(&-Rational::one()));
                    current.substitute(a, |k| image.pow(k))
                }
                Alternative::Square(other, s) => {
                    // a² = (other² − 1) / s
                    let image = Poly::atom_pow(other, 2)
                        .add(&Poly::constant(-Rational::one()))
                        .scale(&(Rational::one() / rat(s)));
                    current.substitute(a, |k| Poly::atom_pow(a, k % 2).mul(&image.pow(k / 2)))
                }
            };
            let ir = self.poly_to_ir(&candidate);
            let n = (candidate.len(), crate::print::op_count(self.arena, ir));
            best = Some(if n < ops {
                (candidate, n)
            } else {
                (current, ops)
            });
        }
        best.map_or_else(|| p.clone(), |b| b.0)
    }
}
