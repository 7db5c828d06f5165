//! Sign facts: what is known to be positive or negative where the log-likelihood is defined,
//! recorded from the domain's constraints and read by the simplifier's logarithm rules.

use std::cmp::Ordering;

use num_integer::Integer;
use num_traits::{Signed, Zero};
use rustc_hash::FxHashSet;

use super::simplifier::normalize_factor;
use super::{simplified, Memo, Workspace};
use crate::expr::{Id, Ir, Node, Rational};

/// What is known about signs on the domain where the log-likelihood is defined.
#[derive(Clone, Debug, Default)]
pub struct Domain {
    pos: FxHashSet<Id>,
    neg: FxHashSet<Id>,
    /// Changes whenever a fact is added (0 for no facts): simplifications are cached per
    /// (expression, version). Drawn from the arena's [`Memo`], so a domain belongs to the arena
    /// its facts were recorded in.
    pub(super) version: u64,
}

impl Domain {
    /// An empty domain: nothing known to be positive.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of facts recorded.
    pub fn len(&self) -> usize {
        self.pos.len() + self.neg.len()
    }

    /// True when nothing is known.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when `id` is positive wherever the inputs are in the domain.
    pub fn is_positive(&self, arena: &Ir, id: Id) -> bool {
        self.sign(arena, id) == Some(Ordering::Greater)
    }

    /// The sign of `id` where it can be decided from the recorded facts.
    pub fn sign(&self, arena: &Ir, id: Id) -> Option<Ordering> {
        if self.pos.contains(&id) {
            return Some(Ordering::Greater);
        }
        if self.neg.contains(&id) {
            return Some(Ordering::Less);
        }
        match arena.node(id) {
            Node::Num(r) => Some(sign_of(r)),
            Node::Pi | Node::Exp(_) => Some(Ordering::Greater),
            Node::Mul(c, fs) => {
                let mut s = sign_of(c);
                for (b, e) in fs.iter() {
                    let even = e.is_int() && e.numerator().is_even();
                    if even {
                        // b^(2k) > 0 needs b ≠ 0: true when b's sign is known.
                        self.sign(arena, *b)?;
                        continue;
                    }
                    let sb = self.sign(arena, *b)?;
                    if !e.is_int() && sb != Ordering::Greater {
                        return None;
                    }
                    if sb == Ordering::Less {
                        s = s.reverse();
                    }
                }
                Some(s)
            }
            Node::Add(ts) => {
                let signs: Option<Vec<Ordering>> =
                    ts.iter().map(|&t| self.sign(arena, t)).collect();
                let signs = signs?;
                if signs.iter().all(|s| *s == Ordering::Greater) {
                    Some(Ordering::Greater)
                } else if signs.iter().all(|s| *s == Ordering::Less) {
                    Some(Ordering::Less)
                } else {
                    None
                }
            }
            Node::Pow(b, _) if self.is_positive(arena, *b) => Some(Ordering::Greater),
            Node::Special(f, a) => (f.entry().sign)(f.order, self.sign(arena, *a)),
            _ => None,
        }
    }

    /// Records that `id` is positive on the domain, and what follows: in a product known to be
    /// positive whose other factors have known signs, the one factor left is positive too.
    pub fn assume_positive(&mut self, arena: &mut impl Workspace, id: Id) {
        let (ir, memo) = arena.split();
        self.assume_sign(ir, memo, id, Ordering::Greater, 0);
    }

    /// Proves `f > 0` from a recorded fact `g > 0` when `f - g` is positive by sign rules, and
    /// records it: `1 - p2 > 0` from `1 - p1 - p2 > 0` and `p1 > 0`.
    fn positive_by_difference(&mut self, arena: &mut Ir, memo: &mut Memo, f: Id) -> bool {
        if !matches!(arena.node(f), Node::Add(_)) {
            return false;
        }
        let known: Vec<Id> = self
            .pos
            .iter()
            .copied()
            .filter(|&g| matches!(arena.node(g), Node::Add(_)))
            .collect();
        let mut known = known;
        known.sort();
        for g in known {
            let d = arena.sub(f, g);
            let d = simplified(arena, memo, &Domain::new(), d, false);
            if self.sign(arena, d) == Some(Ordering::Greater) {
                if self.pos.insert(f) {
                    self.version = memo.next_version();
                }
                return true;
            }
        }
        false
    }

    fn assume_sign(&mut self, arena: &mut Ir, memo: &mut Memo, id: Id, s: Ordering, depth: usize) {
        if depth > 32 {
            return;
        }
        if self.sign(arena, id).is_some() {
            return;
        }
        if depth == 0 {
            // The simplified form often exposes a single factor: 1 - φ/(1+φ) = 1/(1+φ).
            let simple = simplified(arena, memo, self, id, false);
            if simple != id {
                self.assume_sign(arena, memo, simple, s, 1);
            }
        }
        match arena.node(id).clone() {
            Node::Mul(c, fs) => {
                let mut sign = sign_of(&c);
                let mut unknown = Vec::new();
                for (b, e) in fs.iter() {
                    match self.sign(arena, *b) {
                        Some(sb) => {
                            let odd = e.is_int() && e.numerator().is_odd();
                            if odd && sb == Ordering::Less {
                                sign = sign.reverse();
                            }
                        }
                        None => unknown.push((*b, e.clone())),
                    }
                }
                // Two unknowns: a sum among them may follow from a known one by a positive
                // difference (1 - p2 = (1 - p1 - p2) + p1), which leaves the other alone.
                if unknown.len() == 2 {
                    let mut i = 0;
                    while i < unknown.len() {
                        if self.positive_by_difference(arena, memo, unknown[i].0) {
                            // A positive factor does not change the sign, whatever its power.
                            unknown.remove(i);
                            break;
                        }
                        i += 1;
                    }
                }
                if let [(b, e)] = unknown.as_slice() {
                    let target = if sign == Ordering::Greater {
                        s
                    } else {
                        s.reverse()
                    };
                    if e.is_int() && e.numerator().is_odd() {
                        self.assume_sign(arena, memo, *b, target, depth + 1);
                    } else if !e.is_int() && target == Ordering::Greater {
                        self.assume_sign(arena, memo, *b, Ordering::Greater, depth + 1);
                    }
                }
            }
            Node::Num(_) | Node::Pi | Node::Exp(_) => {}
            _ => {
                // Record the primitive, sign-normalized form so that `θ - 1 < 0` and
                // `1 - θ > 0` are one fact.
                let (k, f, neg_f) = normalize_factor(arena, memo, id);
                let sf = if k.is_negative() { s.reverse() } else { s };
                for (x, sx) in [(f, sf), (neg_f, sf.reverse()), (id, s)] {
                    let new = if sx == Ordering::Greater {
                        self.pos.insert(x)
                    } else {
                        self.neg.insert(x)
                    };
                    if new {
                        self.version = memo.next_version();
                    }
                }
            }
        }
    }
}

pub(super) fn sign_of(r: &Rational) -> Ordering {
    r.cmp(&Rational::zero())
}
