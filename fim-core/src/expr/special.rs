//! The special functions, in one table. An entry holds everything the engine knows about one
//! function: the names a log-likelihood calls it by, its derivative, its `f64` value, its exact
//! values, its sign, its spelling in Rust and LaTeX, and whether its argument must be positive
//! where ℓ is defined. The parser, the derivative, both evaluators, the printers, the code
//! generator and the sign facts all read this table; the run-time values live in `fim-special`.
//!
//! Adding a function: a variant of [`Fun`], its [`Entry`] in [`TABLE`] (same position), and
//! its run-time value in `fim-special`.

use std::cmp::Ordering;

use num_traits::Zero;

use super::{rat, Id, Ir, Rational};

/// The special functions, in the order of [`TABLE`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum Fun {
    /// `ln Γ(x)`.
    LnGamma,
    /// `ψ⁽ᵏ⁾(x)`: digamma for k = 0, trigamma for k = 1.
    Polygamma,
}

/// A special function applied in the IR: which one, and its order for the families that have
/// one (ψ⁽ᵏ⁾); 0 for the others.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Special {
    /// Which function.
    pub fun: Fun,
    /// The order k of ψ⁽ᵏ⁾; 0 for functions without one.
    pub order: u32,
}

/// How a body calls a function.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Form {
    /// A free function from `fim::special`, `ln_gamma(x)` (also by path, `fim::special::ln_gamma`).
    Free,
    /// An `f64` method, `x.sin()` (also `f64::sin(x)`).
    Method,
}

/// Which order a name means.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Order {
    /// This one (`trigamma` is ψ⁽¹⁾; 0 for functions without an order).
    Fixed(u32),
    /// The first argument, an integer literal: `polygamma(n, x)`.
    Argument,
}

/// One name a function is called by.
#[derive(Clone, Copy, Debug)]
pub struct Name {
    /// The identifier.
    pub text: &'static str,
    /// How it is called.
    pub form: Form,
    /// The order it means.
    pub order: Order,
}

/// Everything the engine knows about one special function.
pub struct Entry {
    /// The function.
    pub fun: Fun,
    /// The names a body calls it by; the printers and the code generator use the first one
    /// whose order matches (so ψ⁽¹⁾ prints as `trigamma(x)` and ψ⁽³⁾ as `polygamma(3, x)`).
    pub names: &'static [Name],
    /// The LaTeX spelling at an order.
    pub latex: fn(u32) -> String,
    /// The value at an order and argument (the run-time function of `fim-special`, or the `f64`
    /// method).
    pub value: fn(u32, f64) -> f64,
    /// `d f(x) / dx` at an order, as an expression in `x`.
    pub derivative: fn(&mut Ir, u32, Id) -> Id,
    /// The exact value at a rational argument, where it is rational (ln Γ(1) = ln Γ(2) = 0).
    pub exact: fn(u32, &Rational) -> Option<Rational>,
    /// The sign of `f(x)` from the sign of `x` (`None`: unknown), where it is known.
    pub sign: fn(u32, Option<Ordering>) -> Option<Ordering>,
    /// The argument must be positive where ℓ is defined (ln Γ and ψ: the model's domain).
    pub positive_argument: bool,
}

/// The table, one entry per [`Fun`] in its order.
pub static TABLE: &[Entry] = &[
    Entry {
        fun: Fun::LnGamma,
        names: &[Name {
            text: "ln_gamma",
            form: Form::Free,
            order: Order::Fixed(0),
        }],
        latex: |_| "\\ln\\Gamma".to_string(),
        value: |_, x| fim_special::ln_gamma(x),
        derivative: |ir, _, x| ir.polygamma(0, x),
        exact: |_, x| (x.is_one() || *x == rat(2)).then(Rational::zero),
        sign: |_, _| None,
        positive_argument: true,
    },
    Entry {
        fun: Fun::Polygamma,
        names: &[
            Name {
                text: "digamma",
                form: Form::Free,
                order: Order::Fixed(0),
            },
            Name {
                text: "trigamma",
                form: Form::Free,
                order: Order::Fixed(1),
            },
            Name {
                text: "polygamma",
                form: Form::Free,
                order: Order::Argument,
            },
        ],
        latex: |k| match k {
            0 => "\\psi".to_string(),
            1 => "\\psi_1".to_string(),
            k => format!("\\psi^{{({k})}}"),
        },
        value: fim_special::polygamma,
        derivative: |ir, k, x| ir.polygamma(k + 1, x),
        exact: |_, _| None,
        sign: |_, _| None,
        positive_argument: true,
    },
];

impl Special {
    /// `f` without an order.
    pub const fn plain(fun: Fun) -> Special {
        Special { fun, order: 0 }
    }

    /// The table entry of this function.
    pub fn entry(self) -> &'static Entry {
        &TABLE[self.fun as usize]
    }

    /// The name this function is printed and emitted as, and whether its order is written as a
    /// first argument (`polygamma(3, x)`).
    pub fn name(self) -> (&'static Name, bool) {
        let names = self.entry().names;
        match names.iter().find(|n| n.order == Order::Fixed(self.order)) {
            Some(n) => (n, false),
            None => (
                names
                    .iter()
                    .find(|n| n.order == Order::Argument)
                    .unwrap_or(&names[0]),
                true,
            ),
        }
    }

    /// The value at `x`.
    pub fn value(self, x: f64) -> f64 {
        (self.entry().value)(self.order, x)
    }

    /// The LaTeX spelling.
    pub fn latex(self) -> String {
        (self.entry().latex)(self.order)
    }
}

/// The function a body names `text` (called as `form`), with the order the name fixes
/// (`None` for a name whose order is its first argument).
pub fn lookup(text: &str, form: Form) -> Option<(Fun, Option<u32>)> {
    TABLE.iter().find_map(|e| {
        let n = e.names.iter().find(|n| n.text == text && n.form == form)?;
        Some((
            e.fun,
            match n.order {
                Order::Fixed(k) => Some(k),
                Order::Argument => None,
            },
        ))
    })
}

/// Every name of the given form, for error messages.
pub fn names(form: Form) -> Vec<&'static str> {
    TABLE
        .iter()
        .flat_map(|e| e.names.iter())
        .filter(|n| n.form == form)
        .map(|n| n.text)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_the_order_of_fun() {
        for (i, e) in TABLE.iter().enumerate() {
            assert_eq!(e.fun as usize, i, "{:?} is out of place", e.fun);
        }
    }

    #[test]
    fn names_find_their_functions() {
        assert_eq!(
            lookup("trigamma", Form::Free),
            Some((Fun::Polygamma, Some(1)))
        );
        assert_eq!(
            lookup("polygamma", Form::Free),
            Some((Fun::Polygamma, None))
        );
        assert_eq!(lookup("ln_gamma", Form::Method), None);
        let psi3 = Special {
            fun: Fun::Polygamma,
            order: 3,
        };
        assert_eq!(psi3.name().0.text, "polygamma");
        assert!(psi3.name().1);
    }
}
