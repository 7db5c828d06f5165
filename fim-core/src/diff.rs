//! Symbolic derivatives: one match arm per node kind, memoized per (node, symbol).

use num_traits::One;

use crate::expr::{Id, Ir, Node, Rational, Symbol};

impl Ir {
    /// `∂ id / ∂ s`, canonical, memoized.
    pub fn diff(&mut self, id: Id, s: Symbol) -> Id {
        if !self.depends_on(id, s) {
            return self.int(0);
        }
        if let Some(&d) = self.diff_memo.get(&(id, s)) {
            return d;
        }
        let d = match self.node(id).clone() {
            Node::Num(_) | Node::Pi => self.int(0),
            Node::Sym(t) => self.int(i64::from(t == s)),
            Node::Add(ts) => {
                let ds: Vec<Id> = ts.iter().map(|&t| self.diff(t, s)).collect();
                self.add(ds)
            }
            Node::Mul(_, fs) => {
                // d(c Π bᵢ^eᵢ) = c Π bᵢ^eᵢ · Σ eᵢ bᵢ' / bᵢ; the canonical product merges the powers.
                let mut terms = Vec::with_capacity(fs.len());
                for (b, e) in fs.iter() {
                    let db = self.diff(*b, s);
                    if self.is_zero(db) {
                        continue;
                    }
                    let e = self.num(e.clone());
                    let t = self.mul_pow(vec![
                        (id, Rational::one()),
                        (e, Rational::one()),
                        (db, Rational::one()),
                        (*b, -Rational::one()),
                    ]);
                    terms.push(t);
                }
                self.add(terms)
            }
            Node::Pow(b, e) => {
                // d(b^e) = b^e (e' ln b + e b' / b)
                let (db, de) = (self.diff(b, s), self.diff(e, s));
                let lnb = self.ln(b);
                let t1 = self.mul([de, lnb]);
                let t2 = self.mul_pow(vec![
                    (e, Rational::one()),
                    (db, Rational::one()),
                    (b, -Rational::one()),
                ]);
                let inner = self.add([t1, t2]);
                self.mul([id, inner])
            }
            Node::Ln(a) => {
                let da = self.diff(a, s);
                self.div(da, a)
            }
            Node::Exp(a) => {
                let da = self.diff(a, s);
                self.mul([id, da])
            }
            Node::Abs(a) => {
                // d|a| = a' · a / |a| (undefined at a = 0, like the function's own kink)
                let da = self.diff(a, s);
                self.mul_pow(vec![
                    (da, Rational::one()),
                    (a, Rational::one()),
                    (id, -Rational::one()),
                ])
            }
            Node::Special(f, a) => {
                let da = self.diff(a, s);
                let df = (f.entry().derivative)(self, f.order, a);
                self.mul([df, da])
            }
        };
        self.diff_memo.insert((id, s), d);
        d
    }
}
