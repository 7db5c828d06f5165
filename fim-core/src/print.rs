//! IR → text: Rust syntax that fim's parser reads back, and LaTeX for docs and the DERIVATION.
//!
//! Both printers share one lowering to a small display tree that makes the choices a person
//! makes when writing a formula (numerator over denominator, subtraction instead of adding a
//! negative, `sqrt` for a half power); the two renderers differ only in spelling.

use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive};

use crate::expr::special::Form;
use crate::expr::{BigInt, Id, Ir, Node, Rational, Special};

/// Plain text in Rust syntax, e.g. `n / (theta * (1.0 - theta))`.
///
/// The text parses back, with fim's parser, to an equivalent expression: literals are exact
/// decimal text (`0.125`, `2.0`) or a quotient of integers (`1.0 / 3.0`), powers are
/// `.powi(n)`, `.sqrt()` or `.powf(e)`, functions are the `f64` methods `.ln()`, `.exp()`,
/// `.abs()` and the special functions by their names in the table (`ln_gamma(x)`,
/// `trigamma(x)`, `polygamma(3, x)`), and π is `std::f64::consts::PI`. A literal receiver
/// carries an `_f64` suffix (`2.0_f64.ln()`) so the text is also valid Rust.
pub fn rust(arena: &Ir, id: Id) -> String {
    let mut w = RustOut::default();
    rust_write(&mut w, &lower(arena, id), 0);
    w.s
}

/// LaTeX, e.g. `\frac{n}{\theta (1 - \theta)}`.
///
/// Greek names become `\alpha`…, trailing digits and `_suffix` become subscripts (`p1` →
/// `p_{1}`, `eta_2` → `\eta_{2}`), other multi-letter names `\mathrm{name}`.
pub fn latex(arena: &Ir, id: Id) -> String {
    latex_expr(&lower(arena, id))
}

/// Number of arithmetic operators and function applications in the [`rust`] form: each binary
/// `+ - * /`, unary minus, method call and function call counts one. Literals (including the
/// `1.0 / 3.0` spelling of a non-decimal rational, which counts its `/`), names and π count
/// nothing. This is the measure of how simple a printed form is.
///
/// Shared subexpressions count once per occurrence, as printed, but are measured once: the
/// walk is memoized, so a form whose printed tree is exponentially larger than its IR (chain
/// rules through shared `let` values) is counted in time linear in the IR. Counts saturate at
/// [`OP_COUNT_CAP`].
pub fn op_count(arena: &Ir, id: Id) -> usize {
    shape(arena, id, &mut rustc_hash::FxHashMap::default()).ops()
}

/// The most operations a formula is printed with in an error message, the DERIVATION or a doc
/// comment; a longer one is described by its size (the residue of a failed proof, or a
/// Hessian through a chain of shared `let` values, can print as megabytes of text).
pub const BRIEF_MAX_OPS: usize = 2000;

/// The most characters such a formula is printed with (its numbers can be long: an exact
/// constant has up to thousands of digits).
pub const BRIEF_MAX_CHARS: usize = 20_000;

/// [`rust`], or for a formula beyond [`BRIEF_MAX_OPS`] or [`BRIEF_MAX_CHARS`] a description
/// of its size: the spelling of formulas that people read.
pub fn rust_brief(arena: &Ir, id: Id) -> String {
    brief(arena, id, rust)
}

/// [`latex`], or a description of its size, as [`rust_brief`].
pub fn latex_brief(arena: &Ir, id: Id) -> String {
    brief(arena, id, latex)
}

fn brief(arena: &Ir, id: Id, print: fn(&Ir, Id) -> String) -> String {
    let ops = op_count(arena, id);
    if ops <= BRIEF_MAX_OPS {
        let text = print(arena, id);
        if text.len() <= BRIEF_MAX_CHARS {
            return text;
        }
    }
    format!("(an expression of {ops} operations, too long to show)")
}

/// Where [`op_count`] stops counting: far beyond any form worth printing.
pub const OP_COUNT_CAP: usize = 1 << 40;

// ---- the display tree -----------------------------------------------------------------------

/// An expression as it is written: signs pulled out, products split into numerator and
/// denominator.
#[derive(Clone, Debug)]
enum Disp {
    /// A non-negative constant.
    Num(Rational),
    Pi,
    Var(String),
    Neg(Box<Disp>),
    /// Terms in order; a `Neg` term after the first is written as a subtraction.
    Sum(Vec<Disp>),
    /// `num₁ num₂ … / (den₁ den₂ …)`; an empty numerator is 1. Either the denominator is
    /// non-empty or the numerator has at least two factors.
    Prod(Vec<Disp>, Vec<Disp>),
    Pow(Box<Disp>, Exponent),
    Call(Func, Box<Disp>),
}

#[derive(Clone, Debug)]
enum Exponent {
    Int(BigInt),
    Half,
    Rat(Rational),
    Expr(Box<Disp>),
}

#[derive(Clone, Copy, Debug)]
enum Func {
    Ln,
    Exp,
    Abs,
    Special(Special),
}

fn signed(negative: bool, d: Disp) -> Disp {
    if negative {
        Disp::Neg(Box::new(d))
    } else {
        d
    }
}

fn call(f: Func, arena: &Ir, a: Id) -> Disp {
    Disp::Call(f, Box::new(lower(arena, a)))
}

fn lower(arena: &Ir, id: Id) -> Disp {
    match arena.node(id) {
        Node::Num(r) => signed(r.is_negative(), Disp::Num(r.abs())),
        Node::Pi => Disp::Pi,
        Node::Sym(s) => Disp::Var(arena.name(*s).to_string()),
        Node::Add(ts) => {
            let mut terms: Vec<Disp> = Vec::with_capacity(ts.len());
            for &t in ts.iter() {
                match lower(arena, t) {
                    // The IR keeps `-(p1 + p2)` as one term; a person writes `- p1 - p2`.
                    Disp::Neg(inner) if matches!(*inner, Disp::Sum(_)) => {
                        let Disp::Sum(inner) = *inner else {
                            unreachable!()
                        };
                        terms.extend(inner.into_iter().map(|t| match t {
                            Disp::Neg(x) => *x,
                            x => Disp::Neg(Box::new(x)),
                        }));
                    }
                    d => terms.push(d),
                }
            }
            // `x - mu`, not `-mu + x`: lead with the first positive term when the IR's first
            // term is negative; otherwise keep the IR's (constant-first) order.
            if matches!(terms.first(), Some(Disp::Neg(_))) {
                if let Some(i) = terms.iter().position(|t| !matches!(t, Disp::Neg(_))) {
                    let t = terms.remove(i);
                    terms.insert(0, t);
                }
            }
            Disp::Sum(terms)
        }
        Node::Mul(c, fs) => lower_mul(arena, c, fs),
        Node::Pow(b, e) => {
            let base = Box::new(lower(arena, *b));
            match lower(arena, *e) {
                Disp::Neg(e) => Disp::Prod(vec![], vec![Disp::Pow(base, Exponent::Expr(e))]),
                e => Disp::Pow(base, Exponent::Expr(Box::new(e))),
            }
        }
        Node::Ln(a) => call(Func::Ln, arena, *a),
        Node::Exp(a) => call(Func::Exp, arena, *a),
        Node::Abs(a) => call(Func::Abs, arena, *a),
        Node::Special(f, a) => call(Func::Special(*f), arena, *a),
    }
}

/// `base^e` for a positive rational `e`.
fn power(base: Disp, e: &Rational) -> Disp {
    if e.is_one() {
        base
    } else if e.is_int() {
        Disp::Pow(Box::new(base), Exponent::Int(e.trunc()))
    } else if *e == Rational::from_parts_signed(BigInt::one(), BigInt::from(2)) {
        Disp::Pow(Box::new(base), Exponent::Half)
    } else {
        Disp::Pow(Box::new(base), Exponent::Rat(e.clone()))
    }
}

fn lower_mul(arena: &Ir, c: &Rational, fs: &[(Id, Rational)]) -> Disp {
    let mut negative = c.is_negative();
    let mut num = Vec::new();
    let mut den = Vec::new();
    if !c.numerator().abs().is_one() {
        num.push(Disp::Num(Rational::from(c.numerator().abs())));
    }
    if !c.denominator().is_one() {
        den.push(Disp::Num(Rational::from(c.denominator().clone())));
    }
    for (b, e) in fs {
        let (up, down, e) = if e.is_positive() {
            (&mut num, &mut den, e.clone())
        } else {
            (&mut den, &mut num, -e)
        };
        // A factor that lowers to a sign or a quotient (a symbolic power with a negative
        // exponent) spreads over this product's numerator and denominator.
        let mut f = power(lower(arena, *b), &e);
        if let Disp::Neg(inner) = f {
            negative = !negative;
            f = *inner;
        }
        match f {
            Disp::Prod(n, d) => {
                up.extend(n);
                down.extend(d);
            }
            f => up.push(f),
        }
    }
    let body = if den.is_empty() && num.len() == 1 {
        num.pop().unwrap_or(Disp::Num(Rational::one()))
    } else if den.is_empty() && num.is_empty() {
        Disp::Num(Rational::one())
    } else {
        Disp::Prod(num, den)
    };
    signed(negative, body)
}

/// Decimal text of a non-negative rational whose decimal expansion terminates within a readable
/// number of digits: `2.0`, `0.125`. `None` for `1/3` and for very long expansions.
fn decimal(r: &Rational) -> Option<String> {
    decimal_within(r, 12)
}

/// The number of fractional digits of the decimal expansion of `r` when it terminates
/// (`0.125` has 3), from its denominator alone; `None` when it does not terminate.
fn fraction_digits(r: &Rational) -> Option<usize> {
    let d = r.denominator();
    if d.is_one() {
        return Some(0);
    }
    let mut d = crate::expr::denom(r);
    let (two, five) = (BigInt::from(2), BigInt::from(5));
    let (mut twos, mut fives) = (0usize, 0usize);
    while d.is_even() {
        d /= &two;
        twos += 1;
    }
    while (&d % &five).is_zero() {
        d /= &five;
        fives += 1;
    }
    d.is_one().then_some(twos.max(fives))
}

/// True when [`decimal`] writes `r` as decimal text.
fn is_decimal(r: &Rational) -> bool {
    fraction_digits(r).is_some_and(|k| k <= 12)
}

/// Exact decimal text of a non-negative rational whose expansion terminates within
/// `max_fraction_digits` fractional digits (`2.0`, `0.125`); `None` otherwise. Shared with the
/// code generator, which allows more digits than the printed forms.
pub(crate) fn decimal_within(r: &Rational, max_fraction_digits: usize) -> Option<String> {
    let mut d = crate::expr::denom(r);
    let (two, five) = (BigInt::from(2), BigInt::from(5));
    let (mut twos, mut fives) = (0usize, 0usize);
    while d.is_even() {
        d /= &two;
        twos += 1;
    }
    while (&d % &five).is_zero() {
        d /= &five;
        fives += 1;
    }
    let k = twos.max(fives);
    if !d.is_one() || k > max_fraction_digits {
        return None;
    }
    let scale = num_traits::pow::Pow::pow(BigInt::from(10), k);
    let digits = (r.numerator() * scale / crate::expr::denom(r)).to_string();
    if k == 0 {
        return Some(format!("{digits}.0"));
    }
    let digits = format!("{digits:0>width$}", width = k + 1);
    let (int, frac) = digits.split_at(digits.len() - k);
    Some(format!("{int}.{frac}"))
}

// ---- Rust ------------------------------------------------------------------------------------

/// Binding strength of a printed expression, weakest first (shared with the code generator).
/// `LOOSE` is anything that must be parenthesized wherever an operand is expected.
pub(crate) const LOOSE: u8 = 0;
pub(crate) const SUM: u8 = 1;
pub(crate) const PRODUCT: u8 = 2;
pub(crate) const UNARY: u8 = 3;
pub(crate) const POSTFIX: u8 = 4;

#[derive(Default)]
struct RustOut {
    s: String,
    /// Set while writing a literal-only receiver: the next literal gets `_f64`, which is what
    /// makes `2.0_f64.ln()` and `(1.0_f64 / 3.0).sqrt()` type-check.
    suffix: bool,
}

impl RustOut {
    fn literal(&mut self, text: &str) {
        self.s.push_str(text);
        if self.suffix {
            self.s.push_str("_f64");
            self.suffix = false;
        }
    }
}

fn rust_prec(d: &Disp) -> u8 {
    match d {
        Disp::Num(r) if is_decimal(r) => POSTFIX,
        Disp::Num(_) => PRODUCT,
        Disp::Pi | Disp::Var(_) | Disp::Pow(..) | Disp::Call(..) => POSTFIX,
        // `-x / y` is `(-x) / y`, the same number: a negated product needs no parentheses.
        Disp::Neg(x) if rust_prec(x) == PRODUCT => PRODUCT,
        Disp::Neg(_) => UNARY,
        Disp::Sum(_) => SUM,
        Disp::Prod(..) => PRODUCT,
    }
}

fn rust_write(w: &mut RustOut, d: &Disp, min: u8) {
    if rust_prec(d) < min {
        w.s.push('(');
        rust_expr(w, d);
        w.s.push(')');
    } else {
        rust_expr(w, d);
    }
}

fn rust_num(w: &mut RustOut, r: &Rational) {
    if huge(r.numerator()) || huge(&crate::expr::denom(r)) {
        // Beyond the range of an f64 literal: an exact expression in literals that fit.
        w.s.push_str(&big_int_text(r.numerator()));
        if !r.denominator().is_one() {
            w.s.push_str(&format!(" / {}", big_int_text(&crate::expr::denom(r))));
        }
        return;
    }
    match decimal(r) {
        Some(text) => w.literal(&text),
        None => {
            w.literal(&format!("{}.0", r.numerator()));
            w.s.push_str(&format!(" / {}.0", r.denominator()));
        }
    }
}

/// Digits per chunk of an integer too large for one f64 literal (10^300 < f64::MAX).
const CHUNK_DIGITS: usize = 300;

fn huge(n: &BigInt) -> bool {
    // 10^300 needs 997 bits: anything shorter has at most 300 digits.
    use dashu_base::BitTest;
    n.bit_len() >= 997 && n.to_string().trim_start_matches('-').len() > CHUNK_DIGITS
}

/// A non-negative integer as `(((c₁ * 1e300_f64 + c₂) * 1e300_f64) + …)`, every literal in f64
/// range and the whole exact for fim's parser (decimal literals are exact).
fn big_int_text(n: &BigInt) -> String {
    let digits = n.to_string();
    if digits.len() <= CHUNK_DIGITS {
        return format!("{digits}.0");
    }
    let head = digits.len() % CHUNK_DIGITS;
    let mut chunks: Vec<&str> = Vec::new();
    if head > 0 {
        chunks.push(&digits[..head]);
    }
    let mut i = head;
    while i < digits.len() {
        chunks.push(&digits[i..i + CHUNK_DIGITS]);
        i += CHUNK_DIGITS;
    }
    let mut text = format!("{}.0", chunks[0]);
    for c in &chunks[1..] {
        let c = c.trim_start_matches('0');
        let c = if c.is_empty() { "0" } else { c };
        text = format!("({text} * 1e{CHUNK_DIGITS}_f64 + {c}.0)");
    }
    text
}

fn rust_signed_num(w: &mut RustOut, r: &Rational) {
    if r.is_negative() {
        w.s.push('-');
    }
    rust_num(w, &r.abs());
}

fn rust_factors(w: &mut RustOut, fs: &[Disp]) {
    for (i, f) in fs.iter().enumerate() {
        if i > 0 {
            w.s.push_str(" * ");
        }
        rust_write(w, f, UNARY);
    }
}

fn literal_only(d: &Disp) -> bool {
    match d {
        Disp::Num(_) => true,
        Disp::Neg(x) => literal_only(x),
        Disp::Sum(ts) => ts.iter().all(literal_only),
        Disp::Prod(n, d) => n.iter().chain(d).all(literal_only),
        Disp::Pi | Disp::Var(_) | Disp::Pow(..) | Disp::Call(..) => false,
    }
}

fn rust_receiver(w: &mut RustOut, d: &Disp) {
    w.suffix = literal_only(d);
    rust_write(w, d, POSTFIX);
    w.suffix = false;
}

fn rust_expr(w: &mut RustOut, d: &Disp) {
    match d {
        Disp::Num(r) => rust_num(w, r),
        Disp::Pi => w.s.push_str("std::f64::consts::PI"),
        Disp::Var(name) => w.s.push_str(name),
        Disp::Neg(x) => {
            w.s.push('-');
            let min = if rust_prec(x) == PRODUCT {
                PRODUCT
            } else {
                UNARY
            };
            rust_write(w, x, min);
        }
        Disp::Sum(ts) => {
            for (i, t) in ts.iter().enumerate() {
                match t {
                    _ if i == 0 => rust_write(w, t, SUM),
                    Disp::Neg(x) => {
                        w.s.push_str(" - ");
                        rust_write(w, x, PRODUCT);
                    }
                    _ => {
                        w.s.push_str(" + ");
                        rust_write(w, t, PRODUCT);
                    }
                }
            }
        }
        Disp::Prod(num, den) => {
            if num.is_empty() {
                w.literal("1.0");
            } else {
                rust_factors(w, num);
            }
            match den.as_slice() {
                [] => {}
                [f] => {
                    w.s.push_str(" / ");
                    rust_write(w, f, UNARY);
                }
                fs => {
                    w.s.push_str(" / (");
                    rust_factors(w, fs);
                    w.s.push(')');
                }
            }
        }
        Disp::Pow(b, e) => {
            rust_receiver(w, b);
            match e {
                Exponent::Int(n) => match n.to_i32() {
                    Some(n) => w.s.push_str(&format!(".powi({n})")),
                    None => {
                        w.s.push_str(".powf(");
                        rust_signed_num(w, &Rational::from(n.clone()));
                        w.s.push(')');
                    }
                },
                Exponent::Half => w.s.push_str(".sqrt()"),
                Exponent::Rat(r) => {
                    w.s.push_str(".powf(");
                    rust_signed_num(w, r);
                    w.s.push(')');
                }
                Exponent::Expr(x) => {
                    w.s.push_str(".powf(");
                    rust_write(w, x, 0);
                    w.s.push(')');
                }
            }
        }
        Disp::Call(f, a) => {
            let (method, function) = match f {
                Func::Ln => (".ln()".to_string(), String::new()),
                Func::Exp => (".exp()".to_string(), String::new()),
                Func::Abs => (".abs()".to_string(), String::new()),
                Func::Special(f) => match f.name() {
                    (n, _) if n.form == Form::Method => (format!(".{}()", n.text), String::new()),
                    (n, true) => (String::new(), format!("{}({}, ", n.text, f.order)),
                    (n, false) => (String::new(), format!("{}(", n.text)),
                },
            };
            if function.is_empty() {
                rust_receiver(w, a);
                w.s.push_str(&method);
            } else {
                w.s.push_str(&function);
                rust_write(w, a, 0);
                w.s.push(')');
            }
        }
    }
}

/// [`op_count`] of a display tree: the definition that [`shape`] computes without building one.
#[cfg(test)]
fn ops(d: &Disp) -> usize {
    let signed_num = |r: &Rational| usize::from(r.is_negative()) + ops(&Disp::Num(r.abs()));
    match d {
        Disp::Num(r) => usize::from(decimal(r).is_none()),
        Disp::Pi | Disp::Var(_) => 0,
        Disp::Neg(x) => 1 + ops(x),
        Disp::Sum(ts) => {
            let terms: usize = ts
                .iter()
                .enumerate()
                .map(|(i, t)| match t {
                    Disp::Neg(x) if i > 0 => ops(x),
                    t => ops(t),
                })
                .sum();
            terms + ts.len() - 1
        }
        Disp::Prod(num, den) => {
            let factors: usize = num.iter().chain(den).map(ops).sum();
            factors + num.len().saturating_sub(1) + den.len()
        }
        Disp::Pow(b, e) => {
            let arg = match e {
                Exponent::Int(n) if n.to_i32().is_some() => usize::from(n.is_negative()),
                Exponent::Int(n) => signed_num(&Rational::from(n.clone())),
                Exponent::Half => 0,
                Exponent::Rat(r) => signed_num(r),
                Exponent::Expr(x) => ops(x),
            };
            1 + ops(b) + arg
        }
        Disp::Call(_, a) => 1 + ops(a),
    }
}

// ---- operator count without a display tree ------------------------------------------------

/// What [`op_count`] needs to know of the display tree that [`lower`] would build for a node,
/// computed from the IR alone (no strings, no allocation): whether it is negated, and its body.
#[derive(Clone, Copy)]
struct Shape {
    neg: bool,
    body: Body,
}

#[derive(Clone, Copy)]
enum Body {
    /// A number, name, power or call with this many operators.
    Unit(usize),
    /// A sum of `n` terms, `negs` of them negative, whose magnitudes have `mag` operators.
    Sum { n: usize, negs: usize, mag: usize },
    /// `num / den` with this many factors above and below, and `ops` in the factors.
    Prod { num: usize, den: usize, ops: usize },
}

impl Body {
    fn ops(self) -> usize {
        match self {
            Body::Unit(n) => n,
            // A negative first term stays negative only when every term is (see `lower`).
            Body::Sum { n, negs, mag } => mag + n - 1 + usize::from(negs == n),
            Body::Prod { num, den, ops } => ops + num.saturating_sub(1) + den,
        }
    }
}

impl Shape {
    fn unit(n: usize) -> Shape {
        Shape {
            neg: false,
            body: Body::Unit(n),
        }
    }

    fn ops(self) -> usize {
        usize::from(self.neg) + self.body.ops()
    }

    /// Every count at most [`OP_COUNT_CAP`], so that sums of a node's children cannot overflow.
    fn capped(self) -> Shape {
        let c = |n: usize| n.min(OP_COUNT_CAP);
        let body = match self.body {
            Body::Unit(n) => Body::Unit(c(n)),
            Body::Sum { n, negs, mag } => Body::Sum {
                n: c(n),
                negs: c(negs),
                mag: c(mag),
            },
            Body::Prod { num, den, ops } => Body::Prod {
                num: c(num),
                den: c(den),
                ops: c(ops),
            },
        };
        Shape {
            neg: self.neg,
            body,
        }
    }
}

/// Operators of a non-negative constant as [`lower`] writes it.
fn num_ops(r: &Rational) -> usize {
    usize::from(!is_decimal(r))
}

/// The [`Shape`] of `lower(arena, id)`, mirroring it case by case; memoized in `memo`.
fn shape(arena: &Ir, id: Id, memo: &mut rustc_hash::FxHashMap<Id, Shape>) -> Shape {
    if let Some(&s) = memo.get(&id) {
        return s;
    }
    crate::budget::charge(1);
    let s = shape_uncached(arena, id, memo).capped();
    memo.insert(id, s);
    s
}

fn shape_uncached(arena: &Ir, id: Id, memo: &mut rustc_hash::FxHashMap<Id, Shape>) -> Shape {
    match arena.node(id) {
        Node::Num(r) => Shape {
            neg: r.is_negative(),
            body: Body::Unit(num_ops(&r.abs())),
        },
        Node::Pi | Node::Sym(_) => Shape::unit(0),
        Node::Add(ts) => {
            let (mut n, mut negs, mut mag) = (0, 0, 0);
            for &t in ts.iter() {
                let s = shape(arena, t, memo);
                match s.body {
                    // `-(p1 + p2)` is spliced in as `- p1 - p2`.
                    Body::Sum {
                        n: tn,
                        negs: tnegs,
                        mag: tmag,
                    } if s.neg => {
                        n += tn;
                        negs += tn - tnegs;
                        mag += tmag;
                    }
                    body => {
                        n += 1;
                        negs += usize::from(s.neg);
                        mag += body.ops();
                    }
                }
            }
            Shape {
                neg: false,
                body: Body::Sum { n, negs, mag },
            }
        }
        Node::Mul(c, fs) => shape_mul(arena, c, fs, memo),
        Node::Pow(b, e) => {
            let base = shape(arena, *b, memo).ops();
            let e = shape(arena, *e, memo);
            if e.neg {
                Shape {
                    neg: false,
                    body: Body::Prod {
                        num: 0,
                        den: 1,
                        ops: 1 + base + e.body.ops(),
                    },
                }
            } else {
                Shape::unit(1 + base + e.ops())
            }
        }
        Node::Ln(a) | Node::Exp(a) | Node::Abs(a) | Node::Special(_, a) => {
            Shape::unit(1 + shape(arena, *a, memo).ops())
        }
    }
}

/// The [`Shape`] of `lower_mul`: factors above and below the line, signs collected.
fn shape_mul(
    arena: &Ir,
    c: &Rational,
    fs: &[(Id, Rational)],
    memo: &mut rustc_hash::FxHashMap<Id, Shape>,
) -> Shape {
    let mut neg = c.is_negative();
    let (mut num, mut den, mut ops) = (0, 0, 0);
    // The body of the last factor put above the line, for a product of one factor.
    let mut last = Body::Unit(0);
    if !c.numerator().abs().is_one() {
        num += 1;
        last = Body::Unit(0);
    }
    if !c.denominator().is_one() {
        den += 1;
    }
    for (b, e) in fs {
        let up = e.is_positive();
        let e = e.abs();
        let base = shape(arena, *b, memo);
        let mut f = if e.is_one() {
            base
        } else {
            Shape::unit(1 + base.ops() + exponent_ops(&e))
        };
        if f.neg {
            neg = !neg;
            f.neg = false;
        }
        match f.body {
            // A quotient spreads over this product's numerator and denominator.
            Body::Prod {
                num: n,
                den: d,
                ops: o,
            } => {
                let (above, below) = if up { (n, d) } else { (d, n) };
                num += above;
                den += below;
                ops += o;
                if above > 0 {
                    // Only a lone factor above matters (see the end): it is then the whole `o`.
                    last = Body::Unit(o);
                }
            }
            body => {
                if up {
                    num += 1;
                    last = body;
                } else {
                    den += 1;
                }
                ops += body.ops();
            }
        }
    }
    let body = match (num, den) {
        (1, 0) => last,
        (0, 0) => Body::Unit(0),
        _ => Body::Prod { num, den, ops },
    };
    Shape { neg, body }
}

/// Operators of a positive exponent `e` ≠ 1 as [`power`] writes it.
fn exponent_ops(e: &Rational) -> usize {
    if e.is_int() {
        // `.powi(n)`, or beyond i32 a `.powf` of the integer: integers are decimal.
        0
    } else if *e == Rational::from_parts_signed(BigInt::one(), BigInt::from(2)) {
        0
    } else {
        num_ops(e)
    }
}

// ---- LaTeX -----------------------------------------------------------------------------------

/// Self-delimited forms (`\frac`, powers, function applications): safe as a factor.
const CLOSED: u8 = 3;
/// Single symbols and `|x|`: safe as the base of a power and as a bare `\ln` argument.
const ATOM: u8 = 4;

/// Names LaTeX spells with a backslash. `omicron` has no macro and stays `\mathrm{omicron}`.
const GREEK: &[&str] = &[
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "varepsilon",
    "zeta",
    "eta",
    "theta",
    "vartheta",
    "iota",
    "kappa",
    "lambda",
    "mu",
    "nu",
    "xi",
    "pi",
    "varpi",
    "rho",
    "varrho",
    "sigma",
    "varsigma",
    "tau",
    "upsilon",
    "phi",
    "varphi",
    "chi",
    "psi",
    "omega",
    "Gamma",
    "Delta",
    "Theta",
    "Lambda",
    "Xi",
    "Pi",
    "Sigma",
    "Upsilon",
    "Phi",
    "Psi",
    "Omega",
];

fn latex_stem(s: &str) -> String {
    if GREEK.contains(&s) {
        format!("\\{s}")
    } else if s.chars().count() == 1 || s.chars().all(|c| c.is_ascii_digit()) {
        s.to_string()
    } else {
        let escaped: String = s
            .chars()
            .flat_map(|c| match c {
                '_' | '#' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        format!("\\mathrm{{{escaped}}}")
    }
}

/// `x_1` → `x_{1}`, `eta2` → `\eta_{2}`, `sigma` → `\sigma`, `df` → `\mathrm{df}`; an array
/// entry `alpha[3]` → `\alpha_{3}`, `x[1][2]` → `x_{1,2}`; a raw `r#type` → `\mathrm{type}`.
pub(crate) fn latex_name(name: &str) -> String {
    let name = name.strip_prefix("r#").unwrap_or(name);
    if let Some((stem, rest)) = name.split_once('[') {
        let indices: Vec<&str> = rest.split(['[', ']']).filter(|s| !s.is_empty()).collect();
        if !stem.is_empty() && !indices.is_empty() {
            let stem = latex_name(stem);
            // `beta_0[2]`: a stem with its own subscript is grouped, `{\beta_{0}}_{2}`.
            let stem = if stem.contains('_') {
                format!("{{{stem}}}")
            } else {
                stem
            };
            return format!("{stem}_{{{}}}", indices.join(","));
        }
    }
    if let Some((stem, sub)) = name.split_once('_') {
        if !stem.is_empty() && !sub.is_empty() {
            return format!("{}_{{{}}}", latex_stem(stem), latex_name(sub));
        }
    }
    let stem = name.trim_end_matches(|c: char| c.is_ascii_digit());
    if !stem.is_empty() && stem.len() < name.len() {
        return format!("{}_{{{}}}", latex_stem(stem), &name[stem.len()..]);
    }
    latex_stem(name)
}

fn latex_prec(d: &Disp) -> u8 {
    match d {
        Disp::Num(r) if r.is_int() => ATOM,
        Disp::Num(_) => CLOSED,
        Disp::Pi | Disp::Var(_) | Disp::Call(Func::Abs, _) => ATOM,
        Disp::Neg(_) => PRODUCT,
        Disp::Sum(_) => SUM,
        Disp::Prod(_, den) if den.is_empty() => PRODUCT,
        Disp::Prod(..) | Disp::Pow(..) | Disp::Call(..) => CLOSED,
    }
}

/// Parentheses that grow with a fraction inside.
fn paren(s: &str) -> String {
    if s.contains("\\frac") {
        format!("\\left({s}\\right)")
    } else {
        format!("({s})")
    }
}

fn latex_wrap(d: &Disp, min: u8) -> String {
    let s = latex_expr(d);
    if latex_prec(d) < min {
        paren(&s)
    } else {
        s
    }
}

/// Juxtaposition, with `\cdot` where a factor starts with a digit (`2 \cdot 3^{1/3}`).
fn latex_factors(fs: &[Disp]) -> String {
    let mut out = String::new();
    for (i, f) in fs.iter().enumerate() {
        let s = latex_wrap(f, CLOSED);
        if i > 0 {
            let digit = s.starts_with(|c: char| c.is_ascii_digit());
            out.push_str(if digit { " \\cdot " } else { " " });
        }
        out.push_str(&s);
    }
    out
}

fn latex_rational(r: &Rational) -> String {
    let sign = if r.is_negative() { "-" } else { "" };
    if r.is_int() {
        format!("{sign}{}", r.numerator().abs())
    } else {
        format!("{sign}{}/{}", r.numerator().abs(), r.denominator())
    }
}

fn latex_expr(d: &Disp) -> String {
    match d {
        Disp::Num(r) if r.is_int() => r.numerator().to_string(),
        Disp::Num(r) => format!("\\frac{{{}}}{{{}}}", r.numerator(), r.denominator()),
        Disp::Pi => "\\pi".to_string(),
        Disp::Var(name) => latex_name(name),
        Disp::Neg(x) => format!("-{}", latex_wrap(x, PRODUCT)),
        Disp::Sum(ts) => {
            let mut out = String::new();
            for (i, t) in ts.iter().enumerate() {
                match t {
                    _ if i == 0 => out.push_str(&latex_wrap(t, SUM)),
                    Disp::Neg(x) => {
                        out.push_str(" - ");
                        out.push_str(&latex_wrap(x, PRODUCT));
                    }
                    _ => {
                        out.push_str(" + ");
                        out.push_str(&latex_wrap(t, PRODUCT));
                    }
                }
            }
            out
        }
        Disp::Prod(num, den) if den.is_empty() => latex_factors(num),
        Disp::Prod(num, den) => {
            // The braces of \frac delimit a lone factor: no parentheses around it.
            let braced = |fs: &[Disp]| match fs {
                [] => "1".to_string(),
                [one] => latex_expr(one),
                _ => latex_factors(fs),
            };
            format!("\\frac{{{}}}{{{}}}", braced(num), braced(den))
        }
        Disp::Pow(b, Exponent::Half) => format!("\\sqrt{{{}}}", latex_expr(b)),
        Disp::Pow(b, e) => {
            let e = match e {
                Exponent::Int(n) => n.to_string(),
                Exponent::Rat(r) => latex_rational(r),
                Exponent::Expr(x) => latex_expr(x),
                Exponent::Half => "1/2".to_string(),
            };
            format!("{}^{{{e}}}", latex_wrap(b, ATOM))
        }
        Disp::Call(f, a) => {
            let s = latex_expr(a);
            match f {
                Func::Ln if latex_prec(a) == ATOM => format!("\\ln {s}"),
                Func::Ln => format!("\\ln{}", paren(&s)),
                // A long or fractional exponent is unreadable as a superscript.
                Func::Exp if s.contains("\\frac") || s.len() > 24 => format!("\\exp{}", paren(&s)),
                Func::Exp => format!("e^{{{s}}}"),
                Func::Abs if s.contains("\\frac") => format!("\\left|{s}\\right|"),
                Func::Abs => format!("|{s}|"),
                Func::Special(f) => format!("{}{}", f.latex(), paren(&s)),
            }
        }
    }
}

// The unit tests build through the arena every caller uses.
#[cfg(test)]
use crate::Arena;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::Fun;
    use crate::expr::{rat, ratio};
    use std::collections::HashMap;

    /// A fixture with the usual names bound, so each case reads as one line.
    struct F {
        a: Arena,
    }

    impl F {
        fn new() -> Self {
            F { a: Arena::new() }
        }
        fn v(&mut self, name: &str) -> Id {
            self.a.var(name)
        }
        fn i(&mut self, n: i64) -> Id {
            self.a.int(n)
        }
        fn r(&self, id: Id) -> String {
            rust(&self.a, id)
        }
        fn l(&self, id: Id) -> String {
            latex(&self.a, id)
        }
    }

    /// `n / (theta * (1 - theta))`
    fn binomial(f: &mut F) -> Id {
        let (n, th, one) = (f.v("n"), f.v("theta"), f.i(1));
        let d = f.a.sub(one, th);
        let den = f.a.mul([th, d]);
        f.a.div(n, den)
    }

    #[test]
    fn binomial_fisher() {
        let mut f = F::new();
        let e = binomial(&mut f);
        assert_eq!(f.r(e), "n / (theta * (1.0 - theta))");
        assert_eq!(f.l(e), r"\frac{n}{\theta (1 - \theta)}");
        assert_eq!(op_count(&f.a, e), 3);
    }

    #[test]
    fn odds_fisher() {
        let mut f = F::new();
        let (n, phi, one) = (f.v("n"), f.v("phi"), f.i(1));
        let s = f.a.add([one, phi]);
        let s2 = f.a.powi(s, 2);
        let den = f.a.mul([phi, s2]);
        let e = f.a.div(n, den);
        assert_eq!(f.r(e), "n / (phi * (1.0 + phi).powi(2))");
        assert_eq!(f.l(e), r"\frac{n}{\phi (1 + \phi)^{2}}");
    }

    #[test]
    fn sums_subtract_negative_terms() {
        let mut f = F::new();
        let (th, one, x, mu, p1, p2) = (
            f.v("theta"),
            f.i(1),
            f.v("x"),
            f.v("mu"),
            f.v("p1"),
            f.v("p2"),
        );
        let e = f.a.sub(one, th);
        assert_eq!(f.r(e), "1.0 - theta");
        let e = f.a.sub(x, mu);
        assert_eq!((f.r(e), f.l(e)), ("x - mu".into(), r"x - \mu".into()));
        let e = f.a.sub(x, one);
        assert_eq!(f.r(e), "x - 1.0");
        let p = f.a.add([p1, p2]);
        let e = f.a.sub(one, p);
        assert_eq!(
            (f.r(e), f.l(e)),
            ("1.0 - p1 - p2".into(), "1 - p_{1} - p_{2}".into())
        );
        // A negated sum distributes in the canonical form.
        let e = f.a.add([p1, p2]);
        let e = f.a.neg(e);
        assert_eq!(
            (f.r(e), f.l(e)),
            ("-p1 - p2".into(), "-p_{1} - p_{2}".into())
        );
    }

    #[test]
    fn negation() {
        let mut f = F::new();
        let (b, x, y, n, s) = (f.v("beta"), f.v("x"), f.v("y"), f.v("n"), f.v("sigma"));
        let e = f.a.recip(b);
        let e = f.a.neg(e);
        assert_eq!(
            (f.r(e), f.l(e)),
            ("-1.0 / beta".into(), r"-\frac{1}{\beta}".into())
        );
        let e = f.a.add([x, y]);
        let e = f.a.neg(e);
        assert_eq!((f.r(e), f.l(e)), ("-x - y".into(), "-x - y".into()));
        // A sum times a symbol stays a product: -(x + y) n.
        let e = f.a.add([x, y]);
        let e = f.a.mul([e, n]);
        let e = f.a.neg(e);
        assert_eq!(f.r(e), "-n * (x + y)");
        let e = f.a.neg(x);
        assert_eq!(f.r(e), "-x");
        let m2 = f.i(-2);
        let s2 = f.a.powi(s, 2);
        let den = f.a.mul([m2, s2]);
        let e = f.a.div(n, den);
        assert_eq!(f.r(e), "-n / (2.0 * sigma.powi(2))");
        assert_eq!(f.l(e), r"-\frac{n}{2 \sigma^{2}}");
        let xy = f.a.add([x, y]);
        let e = f.a.sub(n, xy);
        let e2 = f.a.mul([m2, xy]);
        let e2 = f.a.add([n, e2]);
        assert_eq!(f.r(e), "n - x - y");
        assert_eq!(f.r(e2), "n - 2.0 * x - 2.0 * y");
    }

    #[test]
    fn products_split_into_numerator_and_denominator() {
        let mut f = F::new();
        let (s, al, b, x, n, phi) = (
            f.v("sigma"),
            f.v("alpha"),
            f.v("beta"),
            f.v("x"),
            f.v("n"),
            f.v("phi"),
        );
        let two = f.i(2);
        let s2 = f.a.powi(s, 2);
        let e = f.a.div(two, s2);
        assert_eq!(
            (f.r(e), f.l(e)),
            ("2.0 / sigma.powi(2)".into(), r"\frac{2}{\sigma^{2}}".into())
        );
        let b2 = f.a.powi(b, 2);
        let e = f.a.div(al, b2);
        assert_eq!(f.r(e), "alpha / beta.powi(2)");
        let e = f.a.div(n, phi);
        assert_eq!(f.r(e), "n / phi");
        let third = f.a.num(ratio(1, 3));
        let e = f.a.mul([third, x]);
        assert_eq!((f.r(e), f.l(e)), ("x / 3.0".into(), r"\frac{x}{3}".into()));
        let c = f.a.num(ratio(3, 2));
        let xy = f.a.div(x, s);
        let e = f.a.mul([c, xy]);
        assert_eq!(
            (f.r(e), f.l(e)),
            (
                "3.0 * x / (2.0 * sigma)".into(),
                r"\frac{3 x}{2 \sigma}".into()
            )
        );
        let e = f.a.mul([two, x, s]);
        assert_eq!(
            (f.r(e), f.l(e)),
            ("2.0 * sigma * x".into(), r"2 \sigma x".into())
        );
    }

    #[test]
    fn numbers() {
        let mut f = F::new();
        let e = f.i(2);
        assert_eq!((f.r(e), f.l(e)), ("2.0".into(), "2".into()));
        let e = f.a.num(ratio(1, 8));
        assert_eq!((f.r(e), f.l(e)), ("0.125".into(), r"\frac{1}{8}".into()));
        let e = f.a.num(ratio(-1, 20));
        assert_eq!(f.r(e), "-0.05");
        let e = f.a.num(ratio(1, 3));
        assert_eq!(
            (f.r(e), f.l(e)),
            ("1.0 / 3.0".into(), r"\frac{1}{3}".into())
        );
        let (x, t) = (f.v("x"), f.a.num(ratio(1, 3)));
        let e = f.a.add([x, t]);
        assert_eq!(f.r(e), "1.0 / 3.0 + x");
        let big: BigInt = "1000000000000000000000000000007".parse().unwrap();
        let e = f.a.num(Rational::from(big));
        assert_eq!(f.r(e), "1000000000000000000000000000007.0");
        let e = f.a.num(ratio(1, 1 << 20));
        assert_eq!(f.r(e), "1.0 / 1048576.0");
        let e = f.a.num(rat(0));
        assert_eq!(f.r(e), "0.0");
    }

    #[test]
    fn powers() {
        let mut f = F::new();
        let (x, y) = (f.v("x"), f.v("y"));
        let e = f.a.powi(x, 2);
        assert_eq!((f.r(e), f.l(e)), ("x.powi(2)".into(), "x^{2}".into()));
        let e = f.a.sqrt(x);
        assert_eq!((f.r(e), f.l(e)), ("x.sqrt()".into(), r"\sqrt{x}".into()));
        let e = f.a.powr(x, ratio(-1, 2));
        assert_eq!(
            (f.r(e), f.l(e)),
            ("1.0 / x.sqrt()".into(), r"\frac{1}{\sqrt{x}}".into())
        );
        let e = f.a.powi(x, -2);
        assert_eq!(f.r(e), "1.0 / x.powi(2)");
        let e = f.a.powr(x, ratio(1, 3));
        assert_eq!(
            (f.r(e), f.l(e)),
            ("x.powf(1.0 / 3.0)".into(), "x^{1/3}".into())
        );
        let e = f.a.powr(x, ratio(3, 2));
        assert_eq!((f.r(e), f.l(e)), ("x.powf(1.5)".into(), "x^{3/2}".into()));
        let e = f.a.pow(x, y);
        assert_eq!((f.r(e), f.l(e)), ("x.powf(y)".into(), "x^{y}".into()));
        let my = f.a.neg(y);
        let e = f.a.pow(x, my);
        assert_eq!(f.r(e), "1.0 / x.powf(y)");
        let xy = f.a.mul([x, y]);
        let e = f.a.sqrt(xy);
        assert_eq!(
            (f.r(e), f.l(e)),
            ("(x * y).sqrt()".into(), r"\sqrt{x y}".into())
        );
        let two = f.i(2);
        let e = f.a.sqrt(two);
        assert_eq!(
            (f.r(e), f.l(e)),
            ("2.0_f64.sqrt()".into(), r"\sqrt{2}".into())
        );
        let e = f.a.powr(two, ratio(-1, 2));
        assert_eq!(f.r(e), "2.0_f64.sqrt() / 2.0");
        let three = f.i(3);
        let e = f.a.powr(three, ratio(1, 3));
        let e = f.a.mul([two, e]);
        assert_eq!(
            (f.r(e), f.l(e)),
            (
                "2.0 * 3.0_f64.powf(1.0 / 3.0)".into(),
                r"2 \cdot 3^{1/3}".into()
            )
        );
        // sqrt(1/3) is canonically 3^(1/2) / 3 (numeric roots keep integer bases).
        let t = f.a.num(ratio(1, 3));
        let e = f.a.sqrt(t);
        assert_eq!(f.r(e), "3.0_f64.sqrt() / 3.0");
        let m2 = f.i(-2);
        let e = f.a.sqrt(m2);
        assert_eq!(f.r(e), "(-2.0_f64).sqrt()");
    }

    #[test]
    fn functions() {
        let mut f = F::new();
        let (th, one, x, two) = (f.v("theta"), f.i(1), f.v("x"), f.i(2));
        let d = f.a.sub(one, th);
        let e = f.a.ln(d);
        assert_eq!(
            (f.r(e), f.l(e)),
            ("(1.0 - theta).ln()".into(), r"\ln(1 - \theta)".into())
        );
        let e = f.a.ln(th);
        assert_eq!(
            (f.r(e), f.l(e)),
            ("theta.ln()".into(), r"\ln \theta".into())
        );
        let l2 = f.a.ln(two);
        let half = f.a.num(ratio(1, 2));
        let e = f.a.mul([half, l2]);
        assert_eq!(
            (f.r(e), f.l(e)),
            ("2.0_f64.ln() / 2.0".into(), r"\frac{\ln 2}{2}".into())
        );
        let mx = f.a.neg(x);
        let e = f.a.exp(mx);
        assert_eq!((f.r(e), f.l(e)), ("(-x).exp()".into(), "e^{-x}".into()));
        let e = f.a.exp(x);
        assert_eq!(f.r(e), "x.exp()");
        let e = f.a.abs(x);
        assert_eq!((f.r(e), f.l(e)), ("x.abs()".into(), "|x|".into()));
        let eta2 = f.v("eta2");
        let m2 = f.i(-2);
        let arg = f.a.mul([m2, eta2]);
        let e = f.a.ln(arg);
        assert_eq!(
            (f.r(e), f.l(e)),
            ("(-2.0 * eta2).ln()".into(), r"\ln(-2 \eta_{2})".into())
        );
    }

    #[test]
    fn exp_of_a_fraction_uses_exp() {
        let mut f = F::new();
        let (x, mu, s) = (f.v("x"), f.v("mu"), f.v("sigma"));
        let d = f.a.sub(x, mu);
        let d2 = f.a.powi(d, 2);
        let s2 = f.a.powi(s, 2);
        let q = f.a.div(d2, s2);
        let c = f.a.num(ratio(-1, 2));
        let arg = f.a.mul([c, q]);
        let e = f.a.exp(arg);
        assert_eq!(f.r(e), "(-(x - mu).powi(2) / (2.0 * sigma.powi(2))).exp()");
        assert_eq!(
            f.l(e),
            r"\exp\left(-\frac{(x - \mu)^{2}}{2 \sigma^{2}}\right)"
        );
    }

    #[test]
    fn special_functions() {
        let mut f = F::new();
        let (a, b, al, x) = (f.v("a"), f.v("b"), f.v("alpha"), f.v("x"));
        let ta = f.a.polygamma(1, a);
        let ab = f.a.add([a, b]);
        let tab = f.a.polygamma(1, ab);
        let e = f.a.sub(ta, tab);
        assert_eq!(f.r(e), "trigamma(a) - trigamma(a + b)");
        assert_eq!(f.l(e), r"\psi_1(a) - \psi_1(a + b)");
        let e = f.a.ln_gamma(a);
        assert_eq!(
            (f.r(e), f.l(e)),
            ("ln_gamma(a)".into(), r"\ln\Gamma(a)".into())
        );
        let e = f.a.polygamma(0, al);
        assert_eq!(
            (f.r(e), f.l(e)),
            ("digamma(alpha)".into(), r"\psi(\alpha)".into())
        );
        let e = f.a.polygamma(2, x);
        assert_eq!(
            (f.r(e), f.l(e)),
            ("polygamma(2, x)".into(), r"\psi^{(2)}(x)".into())
        );
    }

    #[test]
    fn functions_of_the_table() {
        let mut f = F::new();
        let (x, mu, k) = (f.v("x"), f.v("mu"), f.v("kappa"));
        let d = f.a.sub(x, mu);
        let c = f.a.special(Special::plain(Fun::Cos), d);
        let e = f.a.mul([k, c]);
        assert_eq!(f.r(e), "kappa * (x - mu).cos()");
        assert_eq!(f.l(e), r"\kappa \cos(x - \mu)");
        // An odd function of `mu - x` is built as minus the function of `x - mu`.
        let d2 = f.a.sub(mu, x);
        let s = f.a.special(Special::plain(Fun::Sin), d2);
        assert_eq!(f.r(s), "-(x - mu).sin()");
        let i1 = f.a.special(Special::plain(Fun::BesselI1), k);
        let i0 = f.a.special(Special::plain(Fun::BesselI0), k);
        let a = f.a.div(i1, i0);
        assert_eq!(f.r(a), "bessel_i1(kappa) / bessel_i0(kappa)");
        assert_eq!(f.l(a), r"\frac{I_1(\kappa)}{I_0(\kappa)}");
        let p = f.a.special(Special::plain(Fun::NormCdf), x);
        let l = f.a.ln(p);
        assert_eq!(
            (f.r(l), f.l(l)),
            ("ln_norm_cdf(x)".into(), r"\ln\Phi(x)".into())
        );
        let e = f.a.special(Special::plain(Fun::Erfc), x);
        assert_eq!(
            (f.r(e), f.l(e)),
            ("erfc(x)".into(), r"\operatorname{erfc}(x)".into())
        );
        let e = f.a.special(Special::plain(Fun::Asinh), x);
        assert_eq!(f.l(e), r"\operatorname{arsinh}(x)");
    }

    #[test]
    fn pi() {
        let mut f = F::new();
        let (p, two) = (f.a.pi(), f.i(2));
        assert_eq!(
            (f.r(p), f.l(p)),
            ("std::f64::consts::PI".into(), r"\pi".into())
        );
        let tp = f.a.mul([two, p]);
        let e = f.a.ln(tp);
        assert_eq!(
            (f.r(e), f.l(e)),
            (
                "(2.0 * std::f64::consts::PI).ln()".into(),
                r"\ln(2 \pi)".into()
            )
        );
        let c = f.a.num(ratio(-1, 2));
        let e = f.a.mul([c, e]);
        assert_eq!(f.r(e), "-(2.0 * std::f64::consts::PI).ln() / 2.0");
    }

    #[test]
    fn latex_names() {
        let mut f = F::new();
        let cases = [
            ("alpha", r"\alpha"),
            ("lambda", r"\lambda"),
            ("Gamma", r"\Gamma"),
            ("omega", r"\omega"),
            ("x", "x"),
            ("p1", "p_{1}"),
            ("x_1", "x_{1}"),
            ("eta_2", r"\eta_{2}"),
            ("eta2", r"\eta_{2}"),
            ("theta12", r"\theta_{12}"),
            ("sigma_sq", r"\sigma_{\mathrm{sq}}"),
            ("df", r"\mathrm{df}"),
            ("rate_", r"\mathrm{rate\_}"),
            ("alpha[3]", r"\alpha_{3}"),
            ("x[1][2]", "x_{1,2}"),
            ("beta_0[2]", r"{\beta_{0}}_{2}"),
            ("r#type", r"\mathrm{type}"),
        ];
        for (name, tex) in cases {
            let v = f.v(name);
            assert_eq!(f.l(v), tex, "{name}");
        }
    }

    #[test]
    fn output_is_deterministic() {
        let build = |order: bool| {
            let mut f = F::new();
            if order {
                f.v("theta");
                f.v("n");
            }
            let e = binomial(&mut f);
            (f.r(e), f.l(e))
        };
        assert_eq!(build(true), build(false));
        let mut f = F::new();
        let e = binomial(&mut f);
        assert_eq!(f.r(e), f.r(e));
    }

    // ---- printed Rust is valid Rust, means the same number, and has the counted operators ----

    fn eval_syn(e: &syn::Expr, env: &HashMap<String, f64>) -> f64 {
        use syn::Expr;
        let arg = |args: &syn::punctuated::Punctuated<Expr, syn::Token![,]>, i: usize| {
            eval_syn(&args[i], env)
        };
        match e {
            Expr::Lit(l) => match &l.lit {
                syn::Lit::Float(x) => x.base10_parse().unwrap(),
                syn::Lit::Int(x) => x.base10_parse().unwrap(),
                other => panic!("literal {other:?}"),
            },
            Expr::Path(p) => {
                let s = quote::quote!(#p).to_string().replace(' ', "");
                if s == "std::f64::consts::PI" {
                    std::f64::consts::PI
                } else {
                    env[&s]
                }
            }
            Expr::Paren(p) => eval_syn(&p.expr, env),
            Expr::Unary(u) => -eval_syn(&u.expr, env),
            Expr::Binary(b) => {
                let (l, r) = (eval_syn(&b.left, env), eval_syn(&b.right, env));
                match b.op {
                    syn::BinOp::Add(_) => l + r,
                    syn::BinOp::Sub(_) => l - r,
                    syn::BinOp::Mul(_) => l * r,
                    syn::BinOp::Div(_) => l / r,
                    _ => panic!("operator"),
                }
            }
            Expr::MethodCall(m) => {
                let x = eval_syn(&m.receiver, env);
                match m.method.to_string().as_str() {
                    "ln" => x.ln(),
                    "exp" => x.exp(),
                    "sqrt" => x.sqrt(),
                    "abs" => x.abs(),
                    "powi" => x.powi(arg(&m.args, 0) as i32),
                    "powf" => x.powf(arg(&m.args, 0)),
                    other => crate::expr::special::resolve(other, Form::Method, None)
                        .unwrap_or_else(|| panic!("method {other}"))
                        .value(x),
                }
            }
            Expr::Call(c) => {
                let Expr::Path(p) = &*c.func else {
                    panic!("callee {:?}", c.func)
                };
                let name = p.path.segments[0].ident.to_string();
                let (order, x) = match c.args.len() {
                    1 => (None, arg(&c.args, 0)),
                    _ => (Some(arg(&c.args, 0) as u32), arg(&c.args, 1)),
                };
                crate::expr::special::resolve(&name, Form::Free, order)
                    .unwrap_or_else(|| panic!("function {name}"))
                    .value(x)
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    fn syn_ops(e: &syn::Expr) -> usize {
        use syn::Expr;
        match e {
            Expr::Lit(_) | Expr::Path(_) => 0,
            Expr::Paren(p) => syn_ops(&p.expr),
            Expr::Unary(u) => 1 + syn_ops(&u.expr),
            Expr::Binary(b) => 1 + syn_ops(&b.left) + syn_ops(&b.right),
            Expr::MethodCall(m) => {
                1 + syn_ops(&m.receiver) + m.args.iter().map(syn_ops).sum::<usize>()
            }
            Expr::Call(c) => 1 + c.args.iter().map(syn_ops).sum::<usize>(),
            other => panic!("unexpected {other:?}"),
        }
    }

    /// Every shape the printer distinguishes, built through the canonical constructors.
    fn corpus(f: &mut F) -> Vec<Id> {
        let (x, y, th, n, mu, s, p1, p2) = (
            f.v("x"),
            f.v("y"),
            f.v("theta"),
            f.v("n"),
            f.v("mu"),
            f.v("sigma"),
            f.v("p1"),
            f.v("p2"),
        );
        let (one, two, m2, three) = (f.i(1), f.i(2), f.i(-2), f.i(3));
        let half = f.a.num(ratio(1, 2));
        let third = f.a.num(ratio(1, 3));
        let mhalf = f.a.num(ratio(-1, 2));
        let pi = f.a.pi();
        let mut v = vec![binomial(f)];
        let a = &mut f.a;
        let omt = a.sub(one, th);
        let lomt = a.ln(omt);
        let xmu = a.sub(x, mu);
        let xmu2 = a.powi(xmu, 2);
        let s2 = a.powi(s, 2);
        let q = a.div(xmu2, s2);
        let gauss = a.mul([mhalf, q]);
        let tp = a.mul([two, pi]);
        let ltp = a.ln(tp);
        let hl = a.mul([mhalf, ltp]);
        let xy = a.add([x, y]);
        let nxy = a.neg(xy);
        let mx = a.neg(x);
        let emx = a.exp(mx);
        let sx = a.sqrt(x);
        let isx = a.recip(sx);
        let xp = a.pow(x, y);
        let my = a.neg(y);
        let xmy = a.pow(x, my);
        let xt = a.powr(x, ratio(1, 3));
        let x32 = a.powr(x, ratio(3, 2));
        let s2c = a.sqrt(two);
        let s3c = a.powr(three, ratio(1, 3));
        let m2c = a.sqrt(m2);
        let s3 = a.sqrt(third);
        let l2 = a.ln(two);
        let hl2 = a.mul([half, l2]);
        let lt = a.ln(third);
        let pg = a.polygamma(1, x);
        let pgxy = a.polygamma(1, xy);
        let tri = a.sub(pg, pgxy);
        let dg = a.polygamma(0, th);
        let lg = a.ln_gamma(xy);
        let ab = a.abs(xmu);
        let eg = a.exp(gauss);
        let m2x = a.mul([m2, x]);
        let lm2x = a.ln(m2x);
        let pp = a.add([p1, p2]);
        let ompp = a.sub(one, pp);
        let nd = a.mul([m2, s2]);
        let nn = a.div(n, nd);
        let xmt = a.add([x, third]);
        let sxy = a.mul([x, y]);
        let sxy = a.sqrt(sxy);
        let x3 = a.mul([third, x]);
        let big = a.powi(two, 5000);
        let big = a.powr(big, ratio(1, 3));
        v.extend([
            omt, lomt, gauss, hl, nxy, emx, sx, isx, xp, xmy, xt, x32, s2c, s3c, m2c, s3, hl2, lt,
            tri, dg, lg, ab, eg, lm2x, ompp, nn, xmt, sxy, x3, big, pi, third, mhalf, xmu,
        ]);
        // Every function of the table, of a symbol, of a sum with a negative lead, as a
        // receiver of a power and under a minus sign.
        let pg3 = a.polygamma(3, xy);
        v.push(pg3);
        for e in crate::expr::special::TABLE {
            let f = Special::plain(e.fun);
            let fx = a.special(f, x);
            let fd = a.special(f, xmu);
            let fm = a.special(f, nxy);
            let f2 = a.powi(fx, 2);
            let nf = a.neg(fd);
            let q = a.div(fx, fm);
            v.extend([fx, fd, fm, f2, nf, q]);
        }
        v
    }

    #[test]
    fn printed_rust_parses_evaluates_and_counts() {
        let mut f = F::new();
        let ids = corpus(&mut f);
        let point = [
            ("x", 0.7),
            ("y", 1.3),
            ("theta", 0.3),
            ("n", 5.0),
            ("mu", 0.2),
            ("sigma", 1.7),
            ("p1", 0.2),
            ("p2", 0.3),
        ];
        let env: HashMap<String, f64> = point.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        let senv = point.iter().map(|(k, v)| (f.a.symbol(k), *v)).collect();
        for id in ids {
            let text = f.r(id);
            let parsed =
                syn::parse_str::<syn::Expr>(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(op_count(&f.a, id), syn_ops(&parsed), "{text}");
            assert_eq!(op_count(&f.a, id), ops(&lower(&f.a, id)), "{text}");
            let (got, want) = (eval_syn(&parsed, &env), f.a.eval(id, &senv));
            let same = got == want
                || (got - want).abs() <= 1e-12 * want.abs().max(1.0)
                || (got.is_nan() && want.is_nan());
            assert!(same, "{text}: {got} vs {want}");
            // fim's own parser reads it back to the same canonical node.
            let back = crate::parse::parse_str(&mut f.a, &text)
                .unwrap_or_else(|e| panic!("fim cannot parse `{text}`: {e}"));
            assert_eq!(back, id, "`{text}` reads back as `{}`", f.r(back));
        }
    }

    /// `op_count` counts from the IR exactly what the display tree would: random expressions
    /// of every node kind, signs and exponent, against the tree's own count.
    #[test]
    fn op_count_agrees_with_the_display_tree() {
        let mut f = F::new();
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        fn build(f: &mut F, next: &mut dyn FnMut(u64) -> u64, depth: u32) -> Id {
            if depth == 0 || next(4) == 0 {
                return match next(6) {
                    0 => f.v("x"),
                    1 => f.v("y"),
                    2 => f.i(next(7) as i64 - 3),
                    3 => f.a.num(ratio(next(9) as i64 - 4, 3)),
                    4 => f.a.num(ratio(1, 8)),
                    _ => f.a.pi(),
                };
            }
            let a = build(f, next, depth - 1);
            let b = build(f, next, depth - 1);
            match next(13) {
                0 => f.a.add([a, b]),
                1 => f.a.sub(a, b),
                2 => f.a.mul([a, b]),
                3 => f.a.div(a, b),
                4 => f.a.neg(a),
                5 => f.a.powi(a, next(8) as i64 - 3),
                6 => f.a.powr(a, ratio(next(5) as i64 - 2, 2)),
                7 => f.a.pow(a, b),
                8 => f.a.ln(a),
                9 => f.a.exp(a),
                10 => f.a.abs(a),
                11 => {
                    let table = crate::expr::special::TABLE;
                    let e = &table[next(table.len() as u64) as usize];
                    f.a.special(Special::plain(e.fun), a)
                }
                _ => f.a.polygamma(next(3) as u32, a),
            }
        }
        for _ in 0..4000 {
            let id = build(&mut f, &mut next, 5);
            assert_eq!(op_count(&f.a, id), ops(&lower(&f.a, id)), "{}", f.r(id));
        }
    }
}
