//! The canonical total order on nodes, by which sums and products sort their children: structural,
//! so independent of the order in which nodes were created.

use std::cmp::Ordering;

use super::{Id, Ir, Node};

impl Ir {
    fn rank(&self, id: Id) -> u8 {
        match self.node(id) {
            Node::Num(_) => 0,
            Node::Pi => 1,
            Node::Sym(_) => 2,
            Node::Mul(..) => 3,
            Node::Pow(..) => 4,
            Node::Add(_) => 5,
            Node::Abs(_) => 6,
            Node::Ln(_) => 7,
            Node::Exp(_) => 8,
            Node::Special(..) => 9,
        }
    }

    /// The canonical total order on nodes: structural, independent of creation order.
    ///
    /// Products sort by their first factor so that `x`, `x^2` and `2 x y` stay together.
    // Written without closures or tail calls: LLVM's optimizer exhausted memory on the
    // closure-based recursive version.
    #[inline(never)]
    pub fn cmp(&self, a: Id, b: Id) -> Ordering {
        let (mut a, mut b) = (a, b);
        let mut tie = Ordering::Equal;
        loop {
            if a == b {
                return tie;
            }
            match (self.node(a), self.node(b)) {
                (Node::Mul(_, fa), nb) if !matches!(nb, Node::Mul(..)) => {
                    if tie == Ordering::Equal {
                        tie = Ordering::Greater;
                    }
                    a = fa[0].0;
                }
                (na, Node::Mul(_, fb)) if !matches!(na, Node::Mul(..)) => {
                    if tie == Ordering::Equal {
                        tie = Ordering::Less;
                    }
                    b = fb[0].0;
                }
                _ => break,
            }
        }
        let o = self.cmp_same_rank(a, b);
        if o == Ordering::Equal {
            tie
        } else {
            o
        }
    }

    #[inline(never)]
    fn cmp_same_rank(&self, a: Id, b: Id) -> Ordering {
        if a == b {
            return Ordering::Equal;
        }
        let r = self.rank(a).cmp(&self.rank(b));
        if r != Ordering::Equal {
            return r;
        }
        match (self.node(a), self.node(b)) {
            (Node::Num(x), Node::Num(y)) => x.cmp(y),
            (Node::Sym(x), Node::Sym(y)) => {
                self.sym_rank[x.0 as usize].cmp(&self.sym_rank[y.0 as usize])
            }
            (Node::Add(x), Node::Add(y)) => {
                for (p, q) in x.iter().zip(y.iter()) {
                    let o = self.cmp(*p, *q);
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                x.len().cmp(&y.len())
            }
            (Node::Mul(cx, x), Node::Mul(cy, y)) => {
                for (p, q) in x.iter().zip(y.iter()) {
                    let o = self.cmp(p.0, q.0);
                    if o != Ordering::Equal {
                        return o;
                    }
                    let o = p.1.cmp(&q.1);
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                let o = x.len().cmp(&y.len());
                if o != Ordering::Equal {
                    return o;
                }
                cx.cmp(cy)
            }
            (Node::Pow(b1, e1), Node::Pow(b2, e2)) => {
                let o = self.cmp(*b1, *b2);
                if o != Ordering::Equal {
                    return o;
                }
                self.cmp(*e1, *e2)
            }
            (Node::Special(f, x), Node::Special(g, y)) => {
                let o = f.cmp(g);
                if o != Ordering::Equal {
                    return o;
                }
                self.cmp(*x, *y)
            }
            (Node::Ln(x), Node::Ln(y))
            | (Node::Exp(x), Node::Exp(y))
            | (Node::Abs(x), Node::Abs(y)) => self.cmp(*x, *y),
            _ => a.cmp(&b),
        }
    }
}

/// Names compare with their digit runs as numbers, so that `a2` comes before `a10`.
pub(super) fn natural_cmp(a: &str, b: &str) -> Ordering {
    fn split(s: &str) -> (&str, Option<u64>) {
        let cut = s.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (head, digits) = s.split_at(cut);
        (head, digits.parse().ok())
    }
    let ((ha, na), (hb, nb)) = (split(a), split(b));
    ha.cmp(hb).then(na.cmp(&nb)).then_with(|| a.cmp(b))
}
