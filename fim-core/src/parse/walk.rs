//! The expression walk: `syn::Expr` → [`Value`], with an explicit stack so that any tree syn
//! could build is safe. Leaves (literals, names) become values at once; operators and calls are
//! scheduled after their operands and combine the values those left on the value stack.

use proc_macro2::Span;
use quote::ToTokens;
use rustc_hash::FxHashMap as HashMap;
use syn::spanned::Spanned;
use syn::{BinOp, Expr, Lit, UnOp};

use crate::budget::{MAX_EXPANDED_BITS, MAX_EXPANDED_DEGREE, MAX_EXPANDED_TERMS};
use crate::ctxt::Errors;
use crate::expr::{Id, Ir, Node, Special};

use super::atom::{literal, path_text, path_value};
use super::value::{Scope, Value};
use super::{supported, BODY, MAX_IR_DEPTH};

/// The longest sequence a range or an iterator chain may unroll to, and the most loop
/// iterations one body may unroll in all: far beyond a real model (a regression over 10⁴
/// observations is 10⁴ terms), small enough that a typo such as `0..1000000000` is an error
/// in a moment rather than a hang.
pub const MAX_UNROLL: usize = 100_000;

/// A function of one argument.
#[derive(Clone, Copy, Debug)]
pub enum Fun {
    Ln,
    Exp,
    Sqrt,
    Recip,
    Ln1p,
    ExpM1,
    Abs,
    /// A function of the special-function table.
    Special(Special),
}

/// One step of the walk.
enum Task<'a> {
    Visit(&'a Expr),
    Apply(Op<'a>),
}

/// A binary arithmetic operator.
#[derive(Clone, Copy)]
pub enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    /// `%` (the operator's span): for integer index expressions only (`(i + 1) % N`).
    Rem(Span),
}

/// Combines the values its operands left on the value stack (`None` marks an error).
enum Op<'a> {
    Arith(Arith, &'a Expr),
    Neg(&'a Expr),
    Index(&'a syn::ExprIndex),
    Cast(&'a syn::ExprCast),
    Method(&'a syn::ExprMethodCall),
    Call(&'a syn::ExprCall),
    Range(&'a syn::ExprRange),
    Array(usize),
    Repeat(&'a syn::ExprRepeat),
    Tuple(usize),
    /// Drops this many operands and yields an error marker.
    Fail(usize),
}

/// A function applied to a constant argument, where it was written.
#[derive(Clone, Debug)]
pub struct ConstantSite {
    /// The value built (a constant expression).
    pub value: Id,
    /// The argument (for `powf`, the base).
    pub arg: Id,
    /// The function as the user wrote it: `ln`, `sqrt`, `powf`, `ln_gamma`.
    pub name: String,
    /// Where it was written.
    pub span: Span,
}

/// The converter: the arena values are built in, the scope, and the errors found so far.
pub struct Cx<'a> {
    /// The arena.
    pub arena: &'a mut Ir,
    /// Every error found, combined.
    pub errors: &'a mut Errors,
    /// The names in scope.
    pub scope: Scope,
    /// Where each `abs` was applied, for the model's check that it applies to data only.
    pub abs_sites: Vec<(Id, Span)>,
    /// Each function applied to a constant, for the model's check that it is defined there.
    pub constant_sites: Vec<ConstantSite>,
    /// The `let` bindings of numbers at the body's own level, in order.
    pub lets: Vec<super::Binding>,
    /// How many blocks and loop bodies enclose the statement being read (1 in the body).
    pub nesting: usize,
    /// IR depths, memoized across the statements of a body.
    depths: HashMap<Id, usize>,
    /// Loop iterations unrolled so far.
    pub unrolled: usize,
    /// Estimated expanded sizes, memoized like `depths`.
    sizes: HashMap<Id, Size>,
}

/// An upper bound on the size of an expression once multiplied out, estimated from its IR
/// without expanding (see [`MAX_EXPANDED_TERMS`]).
#[derive(Clone, Copy)]
struct Size {
    /// Terms of the expanded numerator, bounded by the multinomial counts of its factors.
    terms: f64,
    /// Total degree in its atoms.
    degree: f64,
    /// Its atoms (symbols and opaque subterms), hashed into 64 bits.
    atoms: u64,
    /// log₂ of a bound on the sum of its coefficients' magnitudes once multiplied out (the
    /// L1 norm, submultiplicative: ‖pq‖ ≤ ‖p‖‖q‖), numerators and denominators together: how
    /// many bits each coefficient may need.
    height: f64,
    /// The most bits (numerator and denominator) of an exact constant in it, as folded.
    num_bits: u64,
}

impl Size {
    /// At most the number of monomials of its degree in its atoms.
    fn capped(mut self) -> Size {
        let n = self.atoms.count_ones();
        let mut monomials = 1.0_f64;
        for i in 1..=n {
            monomials *= (self.degree + f64::from(i)) / f64::from(i);
        }
        self.terms = self.terms.min(monomials).max(1.0);
        self
    }

    fn atom(id: Id) -> Size {
        Size {
            terms: 1.0,
            degree: 1.0,
            atoms: 1 << (id.index() % 64),
            height: 0.0,
            num_bits: 0,
        }
    }
}

/// log₂ of the magnitude of `r`'s numerator plus that of its denominator (0 for 0 and ±1).
fn height_of(r: &crate::expr::Rational) -> f64 {
    use dashu_base::BitTest;
    let bits = |n: usize| n.saturating_sub(1) as f64;
    bits(r.numerator().bit_len()) + bits(r.denominator().bit_len())
}

/// log₂ Σ 2^hᵢ, without overflow.
fn log2_sum(hs: impl Iterator<Item = f64> + Clone) -> f64 {
    let m = hs.clone().fold(0.0_f64, f64::max);
    m + hs.map(|h| (h - m).exp2()).sum::<f64>().log2()
}

impl<'a> Cx<'a> {
    /// A converter over `arena` with the names of `scope` in view.
    pub fn new(arena: &'a mut Ir, errors: &'a mut Errors, scope: Scope) -> Self {
        Cx {
            arena,
            errors,
            scope,
            abs_sites: Vec::new(),
            constant_sites: Vec::new(),
            lets: Vec::new(),
            nesting: 0,
            depths: HashMap::default(),
            unrolled: 0,
            sizes: HashMap::default(),
        }
    }

    /// Records an error at `span`; `None`, so that callers can return it.
    pub fn fail<T>(&mut self, span: Span, msg: impl Into<String>) -> Option<T> {
        self.errors.push(syn::Error::new(span, msg.into()));
        None
    }

    /// Records an error spanning all of `tokens` (the whole expression, also on stable
    /// compilers where spans cannot be joined); `None`.
    pub fn fail_at<T>(&mut self, tokens: &dyn ToTokens, msg: impl std::fmt::Display) -> Option<T> {
        self.errors.push(syn::Error::new_spanned(tokens, msg));
        None
    }

    /// The value of `root`, or `None` after recording why not.
    pub fn value(&mut self, root: &Expr) -> Option<Value> {
        let mut tasks = vec![Task::Visit(root)];
        let mut values: Vec<Option<Value>> = Vec::new();
        while let Some(task) = tasks.pop() {
            match task {
                Task::Visit(e) => {
                    if let Some(v) = self.visit(e, &mut tasks) {
                        values.push(v);
                    }
                }
                Task::Apply(op) => {
                    let v = self.apply(op, &mut values);
                    values.push(v);
                }
            }
        }
        values.pop().flatten()
    }

    /// The `f64` value of `e` (an integer counts as its constant), at most [`MAX_IR_DEPTH`]
    /// deep.
    pub fn real(&mut self, e: &Expr) -> Option<Id> {
        let v = self.value(e)?;
        let Some(id) = v.real(self.arena) else {
            return self.fail(
                e.span(),
                format!("expected a number here, found {}", v.kind()),
            );
        };
        self.shallow(id, e)
    }

    /// `id` if its IR is at most [`MAX_IR_DEPTH`] deep, else an error at `source`.
    ///
    /// Depths are memoized across the statements of a body, and found without recursion:
    /// children are always created before their parents.
    pub fn shallow(&mut self, id: Id, source: &Expr) -> Option<Id> {
        let mut stack = vec![(id, false)];
        while let Some((node, children_done)) = stack.pop() {
            if self.depths.contains_key(&node) {
                continue;
            }
            let children = self.arena.children(node);
            if children_done {
                let deepest = children.iter().filter_map(|c| self.depths.get(c)).max();
                self.depths.insert(node, 1 + deepest.copied().unwrap_or(0));
            } else {
                stack.push((node, true));
                stack.extend(children.into_iter().map(|c| (c, false)));
            }
        }
        if self.depths.get(&id).copied().unwrap_or(0) <= MAX_IR_DEPTH {
            return self.bounded(id, source);
        }
        self.fail(
            source.span(),
            format!(
                "expression nested too deeply after inlining `let` bindings: more than \
                 {MAX_IR_DEPTH} levels; compute it in smaller steps"
            ),
        )
    }

    /// `id` if it multiplies out to at most [`MAX_EXPANDED_TERMS`] terms (estimated before any
    /// expansion), else an error spanning `source`.
    pub fn bounded(&mut self, id: Id, source: &dyn ToTokens) -> Option<Id> {
        let mut stack = vec![(id, false)];
        while let Some((node, children_done)) = stack.pop() {
            if self.sizes.contains_key(&node) {
                continue;
            }
            if !children_done {
                stack.push((node, true));
                stack.extend(self.arena.children(node).into_iter().map(|c| (c, false)));
                continue;
            }
            let size = self.size_of(node);
            self.sizes.insert(node, size);
        }
        let Size {
            terms,
            degree,
            height,
            num_bits,
            ..
        } = self.sizes[&id];
        // Constants are folded exactly as the body is read: each `t * t` doubles their bits.
        if num_bits > crate::budget::MAX_EXACT_BITS {
            return self.fail_at(
                source,
                format!(
                    "this expression holds a constant of {num_bits} bits in exact arithmetic, \
                     beyond the engine's budget of {} bits: compute it in f64 outside the \
                     model, or write it as a power with `powf`, which stays symbolic",
                    crate::budget::MAX_EXACT_BITS
                ),
            );
        }
        // Wide products of low degree (unrolled products over array entries) expand without
        // the coefficient growth that makes high degrees explode: only those are refused.
        let bits = terms * height.max(1.0);
        // Coefficients past the exact budget are refused at any degree: multiplied out, each
        // would be a bignum of that size (five squares of a sum holding 4.9e-324 need 34 000).
        let huge = height > crate::budget::MAX_EXACT_BITS as f64;
        if !huge
            && (degree <= MAX_EXPANDED_DEGREE
                || (terms <= MAX_EXPANDED_TERMS && bits <= MAX_EXPANDED_BITS))
        {
            return Some(id);
        }
        if huge || terms <= MAX_EXPANDED_TERMS {
            let budget = if huge {
                format!(
                    "{} bits for one exact coefficient",
                    crate::budget::MAX_EXACT_BITS
                )
            } else {
                format!("{MAX_EXPANDED_BITS} bits in all")
            };
            return self.fail_at(
                source,
                format!(
                    "this expression expands to {terms:.0} terms whose coefficients need about \
                     {height:.0} bits each once its products and powers are multiplied out, \
                     beyond the engine's budget of {budget}: the derivation would not finish; \
                     write the model with fewer nested products or smaller constants"
                ),
            );
        }
        let about = if terms < 1e15 {
            format!("about {terms:.0}")
        } else {
            format!("about {terms:.1e}")
        };
        self.fail_at(
            source,
            format!(
                "this expression expands to more than {MAX_EXPANDED_TERMS} terms ({about} once \
                 its products and powers are multiplied out), beyond the engine's budget: \
                 the derivation would not finish; write the model with fewer nested products"
            ),
        )
    }

    /// The size of `node` from those of its children (already in `sizes`).
    fn size_of(&self, node: Id) -> Size {
        let of = |c: &Id| self.sizes[c];
        match self.arena.node(node) {
            Node::Num(r) => Size {
                terms: 1.0,
                degree: 0.0,
                atoms: 0,
                height: height_of(r),
                num_bits: crate::budget::rational_bits(r),
            },
            Node::Add(ts) => {
                let mut s = Size {
                    terms: 0.0,
                    degree: 0.0,
                    atoms: 0,
                    height: log2_sum(ts.iter().map(|t| of(t).height)),
                    num_bits: ts.iter().map(|t| of(t).num_bits).max().unwrap_or(0),
                };
                // Terms over the same atoms merge: each class is capped on its own.
                let mut classes: Vec<Size> = Vec::new();
                for t in ts.iter() {
                    let t = of(t);
                    s.degree = s.degree.max(t.degree);
                    s.atoms |= t.atoms;
                    match classes.iter_mut().find(|c| c.atoms == t.atoms) {
                        Some(c) => {
                            c.terms += t.terms;
                            c.degree = c.degree.max(t.degree);
                        }
                        None => classes.push(t),
                    }
                }
                s.terms = classes.into_iter().map(|c| c.capped().terms).sum();
                s.capped()
            }
            Node::Mul(c, fs) => {
                let mut s = Size {
                    terms: 1.0,
                    degree: 0.0,
                    atoms: 0,
                    height: height_of(c),
                    num_bits: fs
                        .iter()
                        .map(|(b, _)| of(b).num_bits)
                        .fold(crate::budget::rational_bits(c), u64::max),
                };
                for (b_id, e) in fs.iter() {
                    let b = of(b_id);
                    let k = e.to_f64().value();
                    // Only positive integer powers are multiplied out (denominators stay
                    // factored; powers of sums above `EXPAND_POWER_MAX` stay whole).
                    // A number left as a factor is a power that did not fold (`1.5^(10^91)`,
                    // beyond exact arithmetic): an atom of its own, like a symbol.
                    let opaque = matches!(self.arena.node(*b_id), Node::Num(_));
                    if !opaque && !e.is_int() && k > 0.0 {
                        // b^(p/q) is multiplied out as (b^(1/q))^p, one atom of degree p
                        // (the simplifier's rule), unless p is beyond its exponent budget.
                        s.degree += if crate::budget::exponent_fits(e) {
                            e.numerator().to_f64().value()
                        } else {
                            1.0
                        };
                        s.atoms |= 1 << (b_id.index().wrapping_mul(0x9E37_79B9) % 64);
                        continue;
                    }
                    if opaque || !e.is_int() || k < 0.0 || (k > 8.0 && b.terms > 1.0) {
                        s.degree += 1.0;
                        s.atoms |= 1 << (node.index() % 64);
                        continue;
                    }
                    // The multinomial count C(t + k - 1, k) of the monomials of bᵏ (k ≤ 8
                    // unless b is one term).
                    let mut count = 1.0_f64;
                    let mut i = 1.0;
                    while b.terms > 1.0 && i <= k && count.is_finite() {
                        count *= (b.terms - 1.0 + i) / i;
                        i += 1.0;
                    }
                    s.terms *= count;
                    s.degree += b.degree * k;
                    s.atoms |= b.atoms;
                    s.height += b.height * k;
                }
                s.capped()
            }
            _ => Size::atom(node),
        }
    }

    /// Schedules the operands of `e`, or returns its value when it is a leaf or an error.
    fn visit<'e>(&mut self, e: &'e Expr, tasks: &mut Vec<Task<'e>>) -> Option<Option<Value>> {
        let mut schedule = |op: Op<'e>, operands: Vec<&'e Expr>| {
            tasks.push(Task::Apply(op));
            tasks.extend(operands.into_iter().rev().map(Task::Visit));
            None
        };
        match e {
            Expr::Lit(l) => Some(self.lit(&l.lit)),
            Expr::Path(p) => Some(match path_value(self.arena, &self.scope, p) {
                Ok(v) => Some(v),
                Err(err) => {
                    self.errors.push(err);
                    None
                }
            }),
            Expr::Paren(p) => schedule(Op::Tuple(1), vec![&p.expr]),
            Expr::Group(g) => schedule(Op::Tuple(1), vec![&g.expr]),
            Expr::Reference(r) => schedule(Op::Tuple(1), vec![&r.expr]),
            Expr::Binary(b) => match arith(&b.op) {
                Some(a) => schedule(Op::Arith(a, &b.right), vec![&b.left, &b.right]),
                None => {
                    let text = b.op.to_token_stream().to_string();
                    let compound = matches!(
                        b.op,
                        BinOp::AddAssign(_)
                            | BinOp::SubAssign(_)
                            | BinOp::MulAssign(_)
                            | BinOp::DivAssign(_)
                    );
                    let msg = if compound {
                        format!(
                            "`{text}` is a statement, as in `acc {text} term;` on a `let mut` \
                             binding: it has no value inside an expression"
                        )
                    } else {
                        format!("unsupported operator `{text}`: supported are + - * / (and % on indices) and unary -")
                    };
                    self.errors.push(syn::Error::new(b.op.span(), msg));
                    schedule(Op::Fail(2), vec![&b.left, &b.right])
                }
            },
            Expr::Unary(u) => match u.op {
                UnOp::Neg(_) => schedule(Op::Neg(&u.expr), vec![&u.expr]),
                // References and dereferences are transparent: values are copied.
                UnOp::Deref(_) => schedule(Op::Tuple(1), vec![&u.expr]),
                other => {
                    let text = other.to_token_stream().to_string();
                    self.errors.push(syn::Error::new(
                        other.span(),
                        format!("unsupported operator `{text}`: supported are + - * / (and % on indices) and unary -"),
                    ));
                    schedule(Op::Fail(1), vec![&u.expr])
                }
            },
            Expr::Cast(c) => schedule(Op::Cast(c), vec![&c.expr]),
            Expr::MethodCall(m) => {
                // Closures are applied by the method, item by item; everything else is a value.
                let mut operands = vec![&*m.receiver];
                operands.extend(m.args.iter().filter(|a| !matches!(a, Expr::Closure(_))));
                schedule(Op::Method(m), operands)
            }
            Expr::Call(c) => schedule(Op::Call(c), c.args.iter().collect()),
            Expr::Index(i) => schedule(Op::Index(i), vec![&i.expr, &i.index]),
            Expr::Range(r) => {
                let bounds = r.start.iter().chain(r.end.iter()).map(|b| &**b).collect();
                schedule(Op::Range(r), bounds)
            }
            Expr::Array(a) => schedule(Op::Array(a.elems.len()), a.elems.iter().collect()),
            Expr::Repeat(r) => schedule(Op::Repeat(r), vec![&r.expr]),
            Expr::Tuple(t) => schedule(Op::Tuple(t.elems.len()), t.elems.iter().collect()),
            other => Some(self.unsupported(other)),
        }
    }

    /// A literal: an integer literal is an integer (an index or a bound, or a number where a
    /// number is needed); everything else is an exact `f64` constant.
    fn lit(&mut self, lit: &Lit) -> Option<Value> {
        if let Lit::Int(i) = lit {
            let int_suffix = matches!(
                i.suffix(),
                "" | "usize"
                    | "isize"
                    | "u8"
                    | "u16"
                    | "u32"
                    | "u64"
                    | "i8"
                    | "i16"
                    | "i32"
                    | "i64"
            );
            if int_suffix {
                if let Ok(n) = i.base10_parse::<i64>() {
                    return Some(Value::Int(n));
                }
            }
        }
        match literal(lit) {
            Ok(r) => Some(Value::Real(self.arena.num(r))),
            Err(err) => {
                self.errors.push(err);
                None
            }
        }
    }

    /// The error for an expression the body language does not have.
    fn unsupported(&mut self, e: &Expr) -> Option<Value> {
        let (span, what): (Span, String) = match e {
            Expr::Return(x) => {
                return self.fail(
                    x.return_token.span,
                    "`return` is not supported: the value of the body is its last expression; \
                     write it last, without `return` and without `;`",
                )
            }
            Expr::If(x) => (x.if_token.span, "`if`".into()),
            Expr::Match(x) => (x.match_token.span, "`match`".into()),
            Expr::Closure(x) => {
                return self.fail(
                    x.or1_token.span,
                    "a closure is only supported as the argument of `.map(..)`, as in \
                     `x.iter().map(|&xi| xi.ln()).sum::<f64>()`",
                )
            }
            Expr::Macro(x) => {
                let name = path_text(&x.mac.path);
                (x.mac.path.span(), format!("macro `{name}!`"))
            }
            Expr::Field(x) => {
                let member = x.member.to_token_stream().to_string();
                (x.member.span(), format!("field access `.{member}`"))
            }
            Expr::Block(x) => (x.block.brace_token.span.join(), "block `{ .. }`".into()),
            Expr::Unsafe(x) => (x.unsafe_token.span, "`unsafe` block".into()),
            Expr::Loop(x) => return self.fail(x.loop_token.span, loop_msg("`loop`")),
            Expr::While(x) => return self.fail(x.while_token.span, loop_msg("`while`")),
            Expr::ForLoop(x) => {
                return self.fail(
                    x.for_token.span,
                    format!("a `for` loop is a statement, not a value: {BODY}"),
                )
            }
            Expr::Let(x) => (x.let_token.span, "`let` inside an expression".into()),
            Expr::Break(x) => return self.fail(x.break_token.span, loop_msg("`break`")),
            Expr::Continue(x) => return self.fail(x.continue_token.span, loop_msg("`continue`")),
            Expr::Assign(x) => {
                return self.fail(
                    x.eq_token.span,
                    "an assignment is a statement, as in `acc = term;` on a `let mut` binding: \
                     it has no value inside an expression",
                )
            }
            Expr::Try(x) => (x.question_token.span, "`?` operator".into()),
            Expr::Await(x) => (x.await_token.span, "`.await`".into()),
            Expr::Struct(x) => (x.brace_token.span.join(), "struct literal".into()),
            other => (other.span(), "expression".into()),
        };
        self.fail(span, format!("unsupported {what}: {}", supported()))
    }

    /// Pops the operands of `op` and combines them.
    fn apply(&mut self, op: Op<'_>, values: &mut Vec<Option<Value>>) -> Option<Value> {
        let arity = match &op {
            Op::Arith(..) | Op::Index(_) => 2,
            Op::Neg(_) | Op::Cast(_) | Op::Repeat(_) => 1,
            Op::Method(m) => {
                1 + m
                    .args
                    .iter()
                    .filter(|a| !matches!(a, Expr::Closure(_)))
                    .count()
            }
            Op::Call(c) => c.args.len(),
            Op::Range(r) => usize::from(r.start.is_some()) + usize::from(r.end.is_some()),
            Op::Array(n) | Op::Tuple(n) | Op::Fail(n) => *n,
        };
        let at = values.len().saturating_sub(arity);
        let args: Vec<Option<Value>> = values.drain(at..).collect();
        // An operand that failed has been reported: its parent fails quietly.
        let args: Vec<Value> = args.into_iter().collect::<Option<_>>()?;
        match op {
            Op::Arith(a, right) => self.arith(a, right, args),
            Op::Neg(operand) => match args.into_iter().next()? {
                Value::Int(n) => Some(Value::Int(n.checked_neg()?)),
                v => {
                    let x = self.real_of(v, || operand.span())?;
                    Some(Value::Real(self.arena.neg(x)))
                }
            },
            Op::Index(i) => self.index(i, args),
            Op::Cast(c) => self.cast(c, args),
            Op::Method(m) => self.method(m, args),
            Op::Call(c) => self.call(c, args),
            Op::Range(r) => self.range(r, args),
            Op::Array(_) => Some(Value::Array(args)),
            Op::Repeat(r) => self.repeat(r, args),
            Op::Tuple(1) => args.into_iter().next(),
            Op::Tuple(_) => Some(Value::Tuple(args)),
            Op::Fail(_) => None,
        }
    }

    /// `v` as an `f64` expression, or an error at `span()` naming what it is instead. The span
    /// is found only for the error: finding it walks the expression (syn's `Spanned`).
    pub fn real_of(&mut self, v: Value, span: impl FnOnce() -> Span) -> Option<Id> {
        match v.real(self.arena) {
            Some(id) => Some(id),
            None => self.fail(
                span(),
                format!("expected a number here, found {}", v.kind()),
            ),
        }
    }

    pub(super) fn arith(&mut self, a: Arith, right: &Expr, args: Vec<Value>) -> Option<Value> {
        let mut it = args.into_iter();
        let (x, y) = (it.next()?, it.next()?);
        if let (Value::Int(p), Value::Int(q)) = (&x, &y) {
            let r = match a {
                Arith::Add => p.checked_add(*q),
                Arith::Sub => p.checked_sub(*q),
                Arith::Mul => p.checked_mul(*q),
                Arith::Div if *q == 0 => {
                    return self.fail(right.span(), "division by zero: the divisor is exactly 0")
                }
                Arith::Div => p.checked_div(*q),
                Arith::Rem(_) if *q == 0 => {
                    return self.fail(right.span(), "remainder by zero: the divisor is exactly 0")
                }
                Arith::Rem(_) => p.checked_rem(*q),
            };
            return match r {
                Some(r) => Some(Value::Int(r)),
                None => self.fail(right.span(), "integer overflow in an index expression"),
            };
        }
        let (x, y) = (
            self.real_of(x, || right.span())?,
            self.real_of(y, || right.span())?,
        );
        Some(Value::Real(match a {
            Arith::Add => self.arena.add([x, y]),
            Arith::Sub => self.arena.sub(x, y),
            Arith::Mul => self.arena.mul([x, y]),
            Arith::Div => {
                if self.arena.is_zero(y) {
                    return self.fail(right.span(), "division by zero: the divisor is exactly 0");
                }
                self.arena.div(x, y)
            }
            Arith::Rem(op) => {
                return self.fail(
                    op,
                    "`%` applies to integer index expressions only, as in `x[(i + 1) % N]`: \
                     the remainder of real numbers has no derivative at its jumps",
                )
            }
        }))
    }

    fn index(&mut self, i: &syn::ExprIndex, args: Vec<Value>) -> Option<Value> {
        let mut it = args.into_iter();
        let (base, index) = (it.next()?, it.next()?);
        let Value::Int(k) = index else {
            return self.fail(
                i.index.span(),
                format!(
                    "an index is an integer literal or a loop index, found {}",
                    index.kind()
                ),
            );
        };
        let what = || i.expr.to_token_stream().to_string().replace(' ', "");
        match base {
            Value::Array(items) => match usize::try_from(k).ok().and_then(|k| items.get(k)) {
                Some(v) => Some(v.clone()),
                None => self.fail(
                    i.index.span(),
                    format!(
                        "index {k} is out of range for `{}`, which has {} entries (0 to {})",
                        what(),
                        items.len(),
                        items.len().saturating_sub(1)
                    ),
                ),
            },
            other => self.fail(
                i.bracket_token.span.join(),
                format!(
                    "`{}` is {}, not an array: it cannot be indexed",
                    what(),
                    other.kind()
                ),
            ),
        }
    }

    fn cast(&mut self, c: &syn::ExprCast, args: Vec<Value>) -> Option<Value> {
        let v = args.into_iter().next()?;
        if super::atom::is_f64(&c.ty) {
            return Some(Value::Real(self.real_of(v, || c.expr.span())?));
        }
        let text = c.ty.to_token_stream().to_string();
        let integer = matches!(
            text.as_str(),
            "usize" | "isize" | "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64"
        );
        match v {
            // A number cast to an integer type stays a number: where an integer is needed
            // (an exponent of `powi`, an index), that use says what it needs.
            v if integer => Some(v),
            _ => self.fail(
                c.ty.span(),
                format!("unsupported cast to `{text}`: only `as f64` (or an integer index type)"),
            ),
        }
    }

    fn range(&mut self, r: &syn::ExprRange, args: Vec<Value>) -> Option<Value> {
        let bound = |cx: &mut Self, v: Option<Value>, e: Option<&Expr>| -> Option<i64> {
            let span = e.map_or_else(|| r.limits.span(), |e| e.span());
            match v {
                Some(Value::Int(n)) => Some(n),
                Some(other) => cx.fail(
                    span,
                    format!(
                        "the bounds of a range are integer literals or loop indices (the loop is \
                         unrolled when the model compiles), found {}",
                        other.kind()
                    ),
                ),
                None => cx.fail(
                    span,
                    "a range needs both bounds, as in `0..n` with integer literals (the loop is \
                     unrolled when the model compiles)",
                ),
            }
        };
        let mut it = args.into_iter();
        let start = r.start.as_ref().and_then(|_| it.next());
        let end = r.end.as_ref().and_then(|_| it.next());
        let lo = bound(self, start, r.start.as_deref())?;
        let hi = bound(self, end, r.end.as_deref())?;
        let hi = match r.limits {
            syn::RangeLimits::HalfOpen(_) => hi,
            syn::RangeLimits::Closed(_) => hi.checked_add(1)?,
        };
        let len = usize::try_from(hi.saturating_sub(lo)).unwrap_or(0);
        if len > MAX_UNROLL {
            return self.fail(
                r.span(),
                format!(
                    "this range unrolls to {len} items, more than the limit of {MAX_UNROLL} \
                     for one range or iterator"
                ),
            );
        }
        Some(Value::Seq((lo..hi).map(Value::Int).collect()))
    }

    fn repeat(&mut self, r: &syn::ExprRepeat, args: Vec<Value>) -> Option<Value> {
        let v = args.into_iter().next()?;
        let n = match &*r.len {
            Expr::Lit(syn::ExprLit {
                lit: Lit::Int(i), ..
            }) => i.base10_parse::<usize>().ok(),
            _ => None,
        };
        match n {
            Some(n) if n <= MAX_UNROLL => Some(Value::Array(vec![v; n])),
            _ => self.fail(
                r.len.span(),
                format!("the length of `[v; N]` is an integer literal up to {MAX_UNROLL}"),
            ),
        }
    }
}

fn arith(op: &BinOp) -> Option<Arith> {
    Some(match op {
        BinOp::Add(_) => Arith::Add,
        BinOp::Sub(_) => Arith::Sub,
        BinOp::Mul(_) => Arith::Mul,
        BinOp::Div(_) => Arith::Div,
        BinOp::Rem(r) => Arith::Rem(r.span()),
        _ => return None,
    })
}

fn loop_msg(what: &str) -> String {
    format!(
        "unsupported {what}: the only loop is `for i in 0..N {{ .. }}` with integer-literal \
         bounds (unrolled when the model compiles), or an iterator chain such as \
         `x.iter().map(|&xi| xi.ln()).sum::<f64>()`"
    )
}
