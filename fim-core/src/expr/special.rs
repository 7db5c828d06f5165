//! The special functions, in one table. An entry holds everything the engine knows about one
//! function: the names a log-likelihood calls it by, its derivative, its `f64` value, its exact
//! values, its sign, its spelling in Rust and LaTeX, and whether its argument must be positive
//! where ℓ is defined. The parser, the derivative, both evaluators, the printers, the code
//! generator and the sign facts all read this table; the run-time values live in `fim-special`.
//!
//! Adding a function: a variant of [`Fun`], its [`Entry`] in [`TABLE`] (same position), and
//! its run-time value in `fim-special` (or an `f64` method). A function of two arguments that
//! is a formula in the others (`a.hypot(b)`, `ln_beta(a, b)`) is a [`Definition`] instead: the
//! parser expands it, so the IR stays unary and every result stays exact.
//!
//! Besides its value and derivative, an entry states the identities the engine uses, each
//! where it belongs:
//! - [`Symmetry`]: `f(−x) = f(x)` or `f(−x) = c − f(x)`. Even and odd functions are
//!   normalized when built (`sin(mu - x)` is `-sin(x - mu)`), so that one argument has one
//!   node; `Φ(−x) = 1 − Φ(x)` is a relation between atoms of the simplifier instead (below),
//!   since `1 − Φ(x)` is no way to compute `Φ(−x)`.
//! - [`Entry::complement`] (`erfc(x) = 1 − erf(x)`) and that shifted symmetry: the simplifier
//!   writes the one atom in terms of the other in its canonical forms, so that both spellings
//!   meet in the identity proofs, and for display picks per polynomial whichever form prints
//!   shorter, which writes `1 − Φ(η)` as `Φ(−η)` and `1 − erf(x)` as `erfc(x)`, the forms that
//!   keep their digits in the tails.
//! - [`Entry::square`] (`cos² = 1 − sin²`, `cosh² = 1 + sinh²`): canonical numerators hold no
//!   square of `cos` or `cosh`; for display the shorter of the two forms is kept.
//! - [`Entry::ln`] and [`Entry::log_of`]: `ln f(x)` in closed form (`ln φ(x)` is
//!   `−x²/2 − ln(2π)/2`) or as the table's own logarithm of f (`ln Φ(x)` is
//!   `ln_norm_cdf(x)`, `ln I₀(x)` is `ln_bessel_i0(x)`), applied when the logarithm is built.

use std::cmp::Ordering;

use num_traits::{One, Signed, Zero};

use super::{rat, ratio, Id, Ir, Node, Rational};

/// The special functions, in the order of [`TABLE`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum Fun {
    /// `ln Γ(x)`.
    LnGamma,
    /// `ψ⁽ᵏ⁾(x)`: digamma for k = 0, trigamma for k = 1.
    Polygamma,
    /// `sin x`.
    Sin,
    /// `cos x`.
    Cos,
    /// `tan x`.
    Tan,
    /// `arctan x`.
    Atan,
    /// `sinh x`.
    Sinh,
    /// `cosh x`.
    Cosh,
    /// `tanh x`.
    Tanh,
    /// `arsinh x`.
    Asinh,
    /// `erf x`.
    Erf,
    /// `erfc x = 1 − erf x`.
    Erfc,
    /// `Φ(x)`, the standard normal distribution function.
    NormCdf,
    /// `ln Φ(x)`.
    LnNormCdf,
    /// `φ(x)`, the standard normal density.
    NormPdf,
    /// `I₀(x)`, the modified Bessel function of the first kind of order 0.
    BesselI0,
    /// `I₁(x)`.
    BesselI1,
    /// `ln I₀(x)`.
    LnBesselI0,
}

/// How a function treats the sign of its argument.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Symmetry {
    /// None that the engine uses.
    None,
    /// `f(−x) = f(x)`.
    Even,
    /// `f(−x) = c − f(x)`: odd for c = 0 (sin), `Φ(−x) = 1 − Φ(x)` for c = 1.
    Odd(i64),
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
    /// What `f(−x)` is.
    pub symmetry: Symmetry,
    /// `f(x) = c − g(x)` for this `(g, c)`: `erfc = 1 − erf`.
    pub complement: Option<(Fun, i64)>,
    /// `f(x)² = 1 + s g(x)²` for this `(g, s)`: `cos² = 1 − sin²`, `cosh² = 1 + sinh²`.
    pub square: Option<(Fun, i64)>,
    /// `ln f(x)` in closed form, where it has one the engine should use instead (φ: a
    /// polynomial); for a function with a logarithm of its own in the table, see `log_of`.
    pub ln: Option<fn(&mut Ir, u32, Id) -> Id>,
    /// This function is `ln g(x)` for this `g` (`ln_norm_cdf` is ln Φ): `ln g(x)` is built as
    /// this function, and its canonical form follows g's (`ln Φ(−x)` is `ln(1 − Φ(x))`).
    pub log_of: Option<Fun>,
}

/// A function of other functions, expanded where a body calls it: `a.hypot(b)` is
/// `(a² + b²)^(1/2)`, `ln_beta(a, b)` is `lnΓ(a) + lnΓ(b) − lnΓ(a + b)`.
///
/// Where its value reaches generated code it is through the closed forms derived from ℓ
/// (score, Hessian, F), which differentiate it away: the expansion never becomes the run-time
/// value of the function (the user's own function keeps calling `f64::hypot` and
/// `fim::special::ln_beta`, which are accurate where the expansions would cancel).
pub struct Definition {
    /// The name a body calls it by, and how.
    pub name: Name,
    /// The number of arguments, the receiver of a method included.
    pub arity: usize,
    /// What the arguments are, for error messages (`"the other side"`).
    pub arguments: &'static str,
    /// The expansion, from the arguments in order.
    pub expand: fn(&mut Ir, &[Id]) -> Id,
}

/// The definitions: two-argument functions the parser expands.
pub static DEFINITIONS: &[Definition] = &[
    Definition {
        name: Name {
            text: "hypot",
            form: Form::Method,
            order: Order::Fixed(0),
        },
        arity: 2,
        arguments: "one argument, the other side (`a.hypot(b)`)",
        expand: |ir, args| {
            let a2 = ir.powi(args[0], 2);
            let b2 = ir.powi(args[1], 2);
            let s = ir.add([a2, b2]);
            ir.sqrt(s)
        },
    },
    Definition {
        name: Name {
            text: "ln_beta",
            form: Form::Free,
            order: Order::Fixed(0),
        },
        arity: 2,
        arguments: "two arguments (`ln_beta(a, b)`)",
        expand: |ir, args| {
            let (a, b) = (args[0], args[1]);
            let ab = ir.add([a, b]);
            let (la, lb, lab) = (ir.ln_gamma(a), ir.ln_gamma(b), ir.ln_gamma(ab));
            let nlab = ir.neg(lab);
            ir.add([la, lb, nlab])
        },
    },
];

/// The definition a body names `text` (called as `form`).
pub fn definition(text: &str, form: Form) -> Option<&'static Definition> {
    DEFINITIONS
        .iter()
        .find(|d| d.name.text == text && d.name.form == form)
}

/// `f(x)` for a function without an order.
fn call(ir: &mut Ir, fun: Fun, x: Id) -> Id {
    ir.special(Special::plain(fun), x)
}

/// The name of an `f64` method without an order (`x.sin()`).
const fn method(text: &'static str) -> Name {
    Name {
        text,
        form: Form::Method,
        order: Order::Fixed(0),
    }
}

/// The name of a free function of `fim::special` without an order (`erf(x)`).
const fn free(text: &'static str) -> Name {
    Name {
        text,
        form: Form::Free,
        order: Order::Fixed(0),
    }
}

/// LaTeX that does not depend on the order.
macro_rules! tex {
    ($s:expr) => {
        |_| $s.to_string()
    };
}

/// Exactly 0 at 0 (sin, tan, erf, I₁, …).
fn zero_at_zero(_: u32, x: &Rational) -> Option<Rational> {
    x.is_zero().then(Rational::zero)
}

/// Exactly 1 at 0 (cos, cosh, erfc, I₀).
fn one_at_zero(_: u32, x: &Rational) -> Option<Rational> {
    x.is_zero().then(Rational::one)
}

/// No exact value at any rational argument.
fn no_exact(_: u32, _: &Rational) -> Option<Rational> {
    None
}

/// The sign of the argument (odd, increasing functions: atan, sinh, erf, I₁, …).
fn sign_of_argument(_: u32, s: Option<Ordering>) -> Option<Ordering> {
    s
}

/// Positive everywhere (cosh, Φ, φ, I₀, erfc).
fn positive(_: u32, _: Option<Ordering>) -> Option<Ordering> {
    Some(Ordering::Greater)
}

/// Unknown (sin, cos, tan: periodic; ln Γ, ψ).
fn unknown_sign(_: u32, _: Option<Ordering>) -> Option<Ordering> {
    None
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
        sign: unknown_sign,
        positive_argument: true,
        symmetry: Symmetry::None,
        complement: None,
        square: None,
        ln: None,
        log_of: None,
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
        exact: no_exact,
        sign: unknown_sign,
        positive_argument: true,
        symmetry: Symmetry::None,
        complement: None,
        square: None,
        ln: None,
        log_of: None,
    },
    Entry {
        fun: Fun::Sin,
        names: &[method("sin")],
        latex: tex!("\\sin"),
        value: |_, x| x.sin(),
        derivative: |ir, _, x| call(ir, Fun::Cos, x),
        exact: zero_at_zero,
        sign: unknown_sign,
        positive_argument: false,
        symmetry: Symmetry::Odd(0),
        complement: None,
        square: None,
        ln: None,
        log_of: None,
    },
    Entry {
        fun: Fun::Cos,
        names: &[method("cos")],
        latex: tex!("\\cos"),
        value: |_, x| x.cos(),
        derivative: |ir, _, x| {
            let s = call(ir, Fun::Sin, x);
            ir.neg(s)
        },
        exact: one_at_zero,
        sign: unknown_sign,
        positive_argument: false,
        symmetry: Symmetry::Even,
        complement: None,
        square: Some((Fun::Sin, -1)),
        ln: None,
        log_of: None,
    },
    Entry {
        fun: Fun::Tan,
        names: &[method("tan")],
        latex: tex!("\\tan"),
        value: |_, x| x.tan(),
        // 1 + tan²: a polynomial in the function itself.
        derivative: |ir, _, x| {
            let t = call(ir, Fun::Tan, x);
            let t2 = ir.powi(t, 2);
            let one = ir.int(1);
            ir.add([one, t2])
        },
        exact: zero_at_zero,
        sign: unknown_sign,
        positive_argument: false,
        symmetry: Symmetry::Odd(0),
        complement: None,
        square: None,
        ln: None,
        log_of: None,
    },
    Entry {
        fun: Fun::Atan,
        names: &[method("atan")],
        latex: tex!("\\arctan"),
        value: |_, x| x.atan(),
        derivative: |ir, _, x| {
            let x2 = ir.powi(x, 2);
            let one = ir.int(1);
            let s = ir.add([one, x2]);
            ir.recip(s)
        },
        exact: zero_at_zero,
        sign: sign_of_argument,
        positive_argument: false,
        symmetry: Symmetry::Odd(0),
        complement: None,
        square: None,
        ln: None,
        log_of: None,
    },
    Entry {
        fun: Fun::Sinh,
        names: &[method("sinh")],
        latex: tex!("\\sinh"),
        value: |_, x| x.sinh(),
        derivative: |ir, _, x| call(ir, Fun::Cosh, x),
        exact: zero_at_zero,
        sign: sign_of_argument,
        positive_argument: false,
        symmetry: Symmetry::Odd(0),
        complement: None,
        square: None,
        ln: None,
        log_of: None,
    },
    Entry {
        fun: Fun::Cosh,
        names: &[method("cosh")],
        latex: tex!("\\cosh"),
        value: |_, x| x.cosh(),
        derivative: |ir, _, x| call(ir, Fun::Sinh, x),
        exact: one_at_zero,
        sign: positive,
        positive_argument: false,
        symmetry: Symmetry::Even,
        complement: None,
        square: Some((Fun::Sinh, 1)),
        ln: None,
        log_of: None,
    },
    Entry {
        fun: Fun::Tanh,
        names: &[method("tanh")],
        latex: tex!("\\tanh"),
        value: |_, x| x.tanh(),
        // 1 − tanh².
        derivative: |ir, _, x| {
            let t = call(ir, Fun::Tanh, x);
            let t2 = ir.powi(t, 2);
            let one = ir.int(1);
            ir.sub(one, t2)
        },
        exact: zero_at_zero,
        sign: sign_of_argument,
        positive_argument: false,
        symmetry: Symmetry::Odd(0),
        complement: None,
        square: None,
        ln: None,
        log_of: None,
    },
    Entry {
        fun: Fun::Asinh,
        names: &[method("asinh")],
        latex: tex!("\\operatorname{arsinh}"),
        value: |_, x| x.asinh(),
        derivative: |ir, _, x| {
            let x2 = ir.powi(x, 2);
            let one = ir.int(1);
            let s = ir.add([one, x2]);
            ir.powr(s, ratio(-1, 2))
        },
        exact: zero_at_zero,
        sign: sign_of_argument,
        positive_argument: false,
        symmetry: Symmetry::Odd(0),
        complement: None,
        square: None,
        ln: None,
        log_of: None,
    },
    Entry {
        fun: Fun::Erf,
        names: &[free("erf")],
        latex: tex!("\\operatorname{erf}"),
        value: |_, x| fim_special::erf(x),
        derivative: |ir, _, x| two_over_sqrt_pi_gauss(ir, x, 2),
        exact: zero_at_zero,
        sign: sign_of_argument,
        positive_argument: false,
        symmetry: Symmetry::Odd(0),
        complement: None,
        square: None,
        ln: None,
        log_of: None,
    },
    Entry {
        fun: Fun::Erfc,
        names: &[free("erfc")],
        latex: tex!("\\operatorname{erfc}"),
        value: |_, x| fim_special::erfc(x),
        derivative: |ir, _, x| two_over_sqrt_pi_gauss(ir, x, -2),
        exact: one_at_zero,
        sign: positive,
        positive_argument: false,
        // erfc(−x) = 2 − erfc(x) follows from the complement and erf's symmetry.
        symmetry: Symmetry::None,
        complement: Some((Fun::Erf, 1)),
        square: None,
        ln: None,
        log_of: None,
    },
    Entry {
        fun: Fun::NormCdf,
        names: &[free("norm_cdf")],
        latex: tex!("\\Phi"),
        value: |_, x| fim_special::norm_cdf(x),
        derivative: |ir, _, x| call(ir, Fun::NormPdf, x),
        exact: |_, x| x.is_zero().then(|| ratio(1, 2)),
        sign: positive,
        positive_argument: false,
        symmetry: Symmetry::Odd(1),
        complement: None,
        square: None,
        ln: None,
        log_of: None,
    },
    Entry {
        fun: Fun::LnNormCdf,
        names: &[free("ln_norm_cdf")],
        latex: tex!("\\ln\\Phi"),
        value: |_, x| fim_special::ln_norm_cdf(x),
        // φ/Φ, the inverse Mills ratio.
        derivative: |ir, _, x| {
            let p = call(ir, Fun::NormPdf, x);
            let c = call(ir, Fun::NormCdf, x);
            ir.div(p, c)
        },
        exact: no_exact,
        // Φ < 1.
        sign: |_, _| Some(Ordering::Less),
        positive_argument: false,
        symmetry: Symmetry::None,
        complement: None,
        square: None,
        ln: None,
        log_of: Some(Fun::NormCdf),
    },
    Entry {
        fun: Fun::NormPdf,
        names: &[free("norm_pdf")],
        latex: tex!("\\varphi"),
        value: |_, x| fim_special::norm_pdf(x),
        derivative: |ir, _, x| {
            let p = call(ir, Fun::NormPdf, x);
            let m = ir.neg(x);
            ir.mul([m, p])
        },
        exact: no_exact,
        sign: positive,
        positive_argument: false,
        symmetry: Symmetry::Even,
        complement: None,
        square: None,
        // ln φ(x) = −x²/2 − ln(2π)/2.
        ln: Some(|ir, _, x| {
            let x2 = ir.powi(x, 2);
            let h = ir.num(ratio(-1, 2));
            let q = ir.mul([h, x2]);
            let pi = ir.pi();
            let two = ir.int(2);
            let tp = ir.mul([two, pi]);
            let l = ir.ln(tp);
            let hl = ir.mul([h, l]);
            ir.add([q, hl])
        }),
        log_of: None,
    },
    Entry {
        fun: Fun::BesselI0,
        names: &[free("bessel_i0")],
        latex: tex!("I_0"),
        value: |_, x| fim_special::bessel_i0(x),
        derivative: |ir, _, x| call(ir, Fun::BesselI1, x),
        exact: one_at_zero,
        sign: positive,
        positive_argument: false,
        symmetry: Symmetry::Even,
        complement: None,
        square: None,
        ln: None,
        log_of: None,
    },
    Entry {
        fun: Fun::BesselI1,
        names: &[free("bessel_i1")],
        latex: tex!("I_1"),
        value: |_, x| fim_special::bessel_i1(x),
        // I₁′ = I₀ − I₁/x.
        derivative: |ir, _, x| {
            let i0 = call(ir, Fun::BesselI0, x);
            let i1 = call(ir, Fun::BesselI1, x);
            let q = ir.div(i1, x);
            ir.sub(i0, q)
        },
        exact: zero_at_zero,
        sign: sign_of_argument,
        positive_argument: false,
        symmetry: Symmetry::Odd(0),
        complement: None,
        square: None,
        ln: None,
        log_of: None,
    },
    Entry {
        fun: Fun::LnBesselI0,
        names: &[free("ln_bessel_i0")],
        latex: tex!("\\ln I_0"),
        value: |_, x| fim_special::ln_bessel_i0(x),
        derivative: |ir, _, x| {
            let i1 = call(ir, Fun::BesselI1, x);
            let i0 = call(ir, Fun::BesselI0, x);
            ir.div(i1, i0)
        },
        exact: zero_at_zero,
        // I₀ > 1 away from 0.
        sign: |_, s| {
            s.map(|s| {
                if s == Ordering::Equal {
                    s
                } else {
                    Ordering::Greater
                }
            })
        },
        positive_argument: false,
        symmetry: Symmetry::Even,
        complement: None,
        square: None,
        ln: None,
        log_of: Some(Fun::BesselI0),
    },
];

/// `c/√π · e^(−x²)`: erf′ for c = 2, erfc′ for c = −2.
fn two_over_sqrt_pi_gauss(ir: &mut Ir, x: Id, c: i64) -> Id {
    let x2 = ir.powi(x, 2);
    let mx2 = ir.neg(x2);
    let e = ir.exp(mx2);
    let pi = ir.pi();
    let rp = ir.powr(pi, ratio(-1, 2));
    let k = ir.int(c);
    ir.mul([k, rp, e])
}

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

impl Ir {
    /// `ln f(x)` in the closed form the table gives it, if any: the entry's own `ln`, or the
    /// function that is `log_of` f.
    pub(crate) fn ln_of_special(&mut self, f: Special, x: Id) -> Option<Id> {
        if let Some(ln) = f.entry().ln {
            return Some(ln(self, f.order, x));
        }
        let g = TABLE.iter().find(|e| e.log_of == Some(f.fun))?;
        Some(self.special(
            Special {
                fun: g.fun,
                order: f.order,
            },
            x,
        ))
    }

    /// Whether `a` is the negative one of the pair `a`, `−a`, the one a symmetric function
    /// does not take as its argument: a negative constant or coefficient; a sum with more
    /// negative terms than positive ones; and, between sums with as many of each, the one
    /// that sorts first against its negation (`mu - x` against `x - mu`, `theta - 1` against
    /// `1 - theta`), so that a sum printed with a positive lead is kept. Exactly one of `a`
    /// and `−a` reads negative unless `a` is 0.
    pub fn reads_negative(&mut self, a: Id) -> bool {
        let term_negative = |ir: &Ir, t: Id| match ir.node(t) {
            Node::Num(r) | Node::Mul(r, _) => r.is_negative(),
            _ => false,
        };
        match self.node(a) {
            Node::Num(_) | Node::Mul(..) => term_negative(self, a),
            Node::Add(ts) => {
                let negative = ts.iter().filter(|&&t| term_negative(self, t)).count();
                let positive = ts.len() - negative;
                match negative.cmp(&positive) {
                    Ordering::Greater => true,
                    Ordering::Less => false,
                    Ordering::Equal => {
                        let n = self.neg(a);
                        self.cmp(a, n) == Ordering::Less
                    }
                }
            }
            _ => false,
        }
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

/// The function a call names, with its order: `name(x)` for a name that fixes its order
/// (`order` is `None`), `name(k, x)` for one whose order is its first argument (`order` is
/// `Some(k)`). The printers' and code generator's tests read their output back with it.
pub fn resolve(text: &str, form: Form, order: Option<u32>) -> Option<Special> {
    let (fun, fixed) = lookup(text, form)?;
    let order = match (fixed, order) {
        (Some(k), None) | (None, Some(k)) => k,
        _ => return None,
    };
    Some(Special { fun, order })
}

/// Every name of the given form, the definitions' included, for error messages.
pub fn names(form: Form) -> Vec<&'static str> {
    TABLE
        .iter()
        .flat_map(|e| e.names.iter())
        .chain(DEFINITIONS.iter().map(|d| &d.name))
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

    /// Every claim an entry makes, against its own run-time value at sample points: exact
    /// values, signs, symmetry, complement, square and logarithm rules, and the derivative by
    /// central differences. A wrong rule in a new entry fails here first.
    #[test]
    fn every_entry_agrees_with_its_value() {
        use crate::Arena;
        use std::collections::HashMap;
        let points = [-2.3, -0.7, -0.05, 0.05, 0.4, 1.1, 3.7];
        for e in TABLE {
            let f = |x: f64| (e.value)(0, x);
            let name = e.names[0].text;
            let close = |a: f64, b: f64, what: &str, x: f64| {
                assert!(
                    (a - b).abs() <= 1e-7 * a.abs().max(b.abs()).max(1.0),
                    "{name}: {what} at {x}: {a} vs {b}"
                );
            };
            for x in [0.0, 1.0, 2.0, 0.5] {
                if let Some(v) = (e.exact)(0, &crate::expr::ratio((2.0 * x) as i64, 2)) {
                    close(f(x), crate::eval::rat_to_f64(&v), "exact value", x);
                }
            }
            for &x in &points {
                if e.positive_argument && x <= 0.0 {
                    continue;
                }
                let sx = Some(x.partial_cmp(&0.0).unwrap_or(Ordering::Equal));
                if let Some(s) = (e.sign)(0, sx) {
                    assert_eq!(f(x).partial_cmp(&0.0), Some(s), "{name}: sign at {x}");
                }
                match e.symmetry {
                    Symmetry::Even => close(f(-x), f(x), "f(−x) = f(x)", x),
                    Symmetry::Odd(c) => close(f(-x), c as f64 - f(x), "f(−x) = c − f(x)", x),
                    Symmetry::None => {}
                }
                if let Some((g, c)) = e.complement {
                    let g = TABLE[g as usize].value;
                    close(f(x), c as f64 - g(0, x), "complement", x);
                }
                if let Some((g, k)) = e.square {
                    let g = TABLE[g as usize].value;
                    close(f(x).powi(2), 1.0 + k as f64 * g(0, x).powi(2), "square", x);
                }
                if let Some(g) = e.log_of {
                    close(f(x), (TABLE[g as usize].value)(0, x).ln(), "log_of", x);
                }
                // The derivative and the ln rule, through the IR's evaluator.
                let mut a = Arena::new();
                let v = a.var("x");
                let s = a.symbol("x");
                let id = a.special(Special::plain(e.fun), v);
                let d = a.diff(id, s);
                let l = a.ln(id);
                let env = HashMap::from([(s, x)]);
                let h = 1e-6 * x.abs().max(1.0);
                let fd = (f(x + h) - f(x - h)) / (2.0 * h);
                close(a.eval(d, &env), fd, "derivative", x);
                if f(x) > 0.0 {
                    close(a.eval(l, &env), f(x).ln(), "ln rule", x);
                }
                close(a.eval(id, &env), f(x), "value through the IR", x);
            }
        }
    }

    #[test]
    fn every_function_has_a_wide_value() {
        // Generated code falls back to `fim::special::wide` where ½ ln det F overflows in f64
        // (`emit::emit_wide`): every function it may call must be there.
        for entry in TABLE {
            for name in entry.names {
                assert!(
                    fim_special::wide::FUNCTIONS.contains(&name.text),
                    "`{}` has no value in fim_special::wide",
                    name.text
                );
            }
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
