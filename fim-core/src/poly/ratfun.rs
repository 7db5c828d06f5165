//! Rational functions: an expanded numerator over a denominator kept as a product of primitive
//! polynomial factors, each keyed by the `Id` of its canonical IR so that equal factors meet.

use std::rc::Rc;

use smallvec::SmallVec;

use super::Poly;
use crate::expr::Id;

/// A rational function: expanded numerator over a product of primitive factors.
#[derive(Clone, Debug)]
pub(crate) struct RatFun {
    pub(crate) num: Poly,
    pub(crate) den: Den,
}

impl RatFun {
    pub(crate) fn poly(p: Poly) -> RatFun {
        RatFun {
            num: p,
            den: Den::default(),
        }
    }

    /// The numerator of `self` over `lcm`, a multiple of its denominator: what it becomes when
    /// brought to that common denominator (for sums).
    pub(crate) fn lifted(&self, lcm: &Den) -> Poly {
        let mut n = self.num.clone();
        for (k, (p, e)) in lcm.iter() {
            let have = self.den.get(k).map_or(0, |d| d.1);
            if *e > have {
                n = n.mul(&p.pow(e - have));
            }
        }
        n
    }
}

/// A denominator: factor key (the factor's IR id) → (factor, exponent), sorted by key. A few
/// factors at most, shared rather than copied between the forms that hold them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Den(SmallVec<[(Id, Factor); 4]>);

/// A denominator factor with its exponent.
pub(crate) type Factor = (Rc<Poly>, u32);

impl Den {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&Id, &Factor)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &Id> {
        self.0.iter().map(|t| &t.0)
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &Factor> {
        self.0.iter().map(|t| &t.1)
    }

    pub(crate) fn find(&self, k: &Id) -> Result<usize, usize> {
        self.0.binary_search_by(|t| t.0.cmp(k))
    }

    pub(crate) fn get(&self, k: &Id) -> Option<&Factor> {
        self.find(k).ok().map(|i| &self.0[i].1)
    }

    pub(crate) fn get_mut(&mut self, k: &Id) -> Option<&mut Factor> {
        self.find(k).ok().map(|i| &mut self.0[i].1)
    }

    pub(crate) fn remove(&mut self, k: &Id) {
        if let Ok(i) = self.find(k) {
            self.0.remove(i);
        }
    }

    pub(crate) fn insert(&mut self, k: Id, v: Factor) {
        match self.find(&k) {
            Ok(i) => self.0[i].1 = v,
            Err(i) => self.0.insert(i, (k, v)),
        }
    }

    /// Multiplies by `p^e`.
    pub(crate) fn add(&mut self, k: Id, p: impl Into<Rc<Poly>>, e: u32) {
        match self.find(&k) {
            Ok(i) => self.0[i].1 .1 += e,
            Err(i) => self.0.insert(i, (k, (p.into(), e))),
        }
    }

    /// Raises the exponent of `p` to at least `e` (for a least common multiple).
    pub(crate) fn raise(&mut self, k: Id, p: impl Into<Rc<Poly>>, e: u32) {
        match self.find(&k) {
            Ok(i) => {
                let x = &mut self.0[i].1 .1;
                *x = (*x).max(e);
            }
            Err(i) => self.0.insert(i, (k, (p.into(), e))),
        }
    }

    /// Raises each factor to at least its exponent in `other`: `self` becomes the least
    /// common multiple of the two denominators.
    pub(crate) fn raise_to(&mut self, other: &Den) {
        for (k, (p, e)) in other.iter() {
            self.raise(*k, p.clone(), *e);
        }
    }
}
