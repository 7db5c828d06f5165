//! Calls: the `f64` methods (elementary and those of the special-function table, also called
//! as `f64::ln(x)`), the free functions of `fim::special`, and the iterator methods that are
//! unrolled when the model compiles (`iter`, `map`, `zip`, `enumerate`, `sum`, `product`, …),
//! with closures applied item by item.

use crate::budget::MAX_POWI_EXPONENT;
use num_traits::Signed;
use proc_macro2::Span;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Expr, ExprClosure, Pat};

use crate::expr::special::{self, Form};
use crate::expr::{Id, Special};

use super::atom::path_text;
use super::value::Value;
use super::walk::{ConstantSite, Cx, Fun, MAX_UNROLL};
use super::{functions, methods};

/// Highest order of a function such as `polygamma(n, x)`: its run-time series uses n!, which
/// overflows `f64` past 170, and no model differentiates that often.
const MAX_ORDER: i64 = 100;

/// The most closure applications and loop iterations one body may unroll in all.
pub const MAX_TOTAL_UNROLL: usize = 10 * MAX_UNROLL;

/// The iterator methods, as quoted in error messages.
const ITERATOR_METHODS: &str =
    "iter, into_iter, copied, cloned, map, zip, enumerate, rev, skip, take, fold, sum, product, len";

/// A method of an `f64` value, with its number of arguments.
#[derive(Clone, Copy)]
enum RealMethod {
    Unary(Fun),
    PowI,
    PowF,
    /// A method the table defines by a formula (`a.hypot(b)`).
    Define(&'static special::Definition),
}

fn real_method(name: &str) -> Option<RealMethod> {
    Some(match name {
        "ln" => RealMethod::Unary(Fun::Ln),
        "exp" => RealMethod::Unary(Fun::Exp),
        "sqrt" => RealMethod::Unary(Fun::Sqrt),
        "recip" => RealMethod::Unary(Fun::Recip),
        "ln_1p" => RealMethod::Unary(Fun::Ln1p),
        "exp_m1" => RealMethod::Unary(Fun::ExpM1),
        "abs" => RealMethod::Unary(Fun::Abs),
        "powi" => RealMethod::PowI,
        "powf" => RealMethod::PowF,
        _ => match special::lookup(name, Form::Method) {
            Some((fun, Some(order))) => RealMethod::Unary(Fun::Special(Special { fun, order })),
            // No method takes an order.
            Some((_, None)) => return None,
            None => RealMethod::Define(special::definition(name, Form::Method)?),
        },
    })
}

/// The name of a function as the user wrote it, for messages.
fn fun_name(f: Fun) -> String {
    match f {
        Fun::Ln => "ln".into(),
        Fun::Exp => "exp".into(),
        Fun::Sqrt => "sqrt".into(),
        Fun::Recip => "recip".into(),
        Fun::Ln1p => "ln_1p".into(),
        Fun::ExpM1 => "exp_m1".into(),
        Fun::Abs => "abs".into(),
        Fun::Special(s) => s.name().0.text.into(),
    }
}

/// A method call as written: its name, where it is, its argument expressions.
struct Written<'e> {
    name: String,
    span: Span,
    args: Vec<&'e Expr>,
    parens: Span,
}

impl Cx<'_> {
    /// `receiver.name(args)`; `args` are the values of the arguments that are not closures.
    pub(super) fn method(&mut self, m: &syn::ExprMethodCall, args: Vec<Value>) -> Option<Value> {
        let mut it = args.into_iter();
        let receiver = it.next()?;
        let values: Vec<Value> = it.collect();
        let name = m.method.to_string();
        let w = Written {
            name,
            span: m.method.span(),
            args: m.args.iter().collect(),
            parens: m.paren_token.span.join(),
        };
        match receiver {
            Value::Array(_) | Value::Seq(_) => self.iterator_method(m, &w, receiver, values),
            receiver => {
                if let Some(t) = &m.turbofish {
                    return self.fail(
                        t.span(),
                        format!("unexpected type arguments on `{}`", w.name),
                    );
                }
                self.real_call(&w, receiver, values)
            }
        }
    }

    /// A method of a number: `x.ln()`, `x.powi(2)`, `x.sin()`, also called as `f64::ln(x)`.
    fn real_call(&mut self, w: &Written, receiver: Value, args: Vec<Value>) -> Option<Value> {
        let Some(meth) = real_method(&w.name) else {
            return self.fail(
                w.span,
                format!(
                    "unsupported method `{}`: supported are {}",
                    w.name,
                    methods()
                ),
            );
        };
        let wanted = match meth {
            RealMethod::Unary(_) => 0,
            RealMethod::PowI | RealMethod::PowF => 1,
            RealMethod::Define(d) => d.arity - 1,
        };
        if args.len() != wanted {
            let span = w.args.get(wanted).map_or(w.parens, |a| a.span());
            let count = match meth {
                RealMethod::Unary(_) => "no arguments",
                RealMethod::PowI | RealMethod::PowF => "one argument (the exponent)",
                RealMethod::Define(d) => d.arguments,
            };
            return self.fail(
                span,
                format!("`{}` takes {count}, found {}", w.name, args.len()),
            );
        }
        let x = self.real_of(receiver, || w.span)?;
        match meth {
            RealMethod::Unary(f) => self.unary(f, x, w.span),
            RealMethod::PowI => self.powi(x, &args[0], w.args[0], w.span),
            RealMethod::PowF => {
                let e = self.real_of(args[0].clone(), || w.args[0].span())?;
                // 0 to a negative constant power is a division by zero, as with powi.
                let negative = self.arena.as_num(e).is_some_and(|r| r.is_negative());
                if self.arena.is_zero(x) && negative {
                    return self.fail(w.span, "division by zero: the divisor is exactly 0");
                }
                let v = self.arena.pow(x, e);
                self.finite(v, x, "powf", w.span)
            }
            RealMethod::Define(d) => {
                let mut all = vec![x];
                for (v, e) in args.into_iter().zip(&w.args) {
                    all.push(self.real_of(v, || e.span())?);
                }
                Some(Value::Real((d.expand)(self.arena, &all)))
            }
        }
    }

    /// `x.powi(n)` with `n` an integer (a literal or a loop index) that fits an `i32`.
    fn powi(&mut self, x: Id, n: &Value, written: &Expr, span: Span) -> Option<Value> {
        if let Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }) = written
        {
            if !(i.suffix().is_empty() || i.suffix() == "i32") {
                return self.fail(
                    i.span(),
                    format!(
                        "unsupported suffix `{}` on the `powi` exponent: it is an i32",
                        i.suffix()
                    ),
                );
            }
        }
        let Value::Int(n) = n else {
            return self.fail(
                written.span(),
                "`powi` needs an integer literal exponent; use `powf` for a non-integer or \
                 symbolic exponent",
            );
        };
        if i32::try_from(*n).is_err() {
            return self.fail(
                written.span(),
                format!("`powi` exponent `{n}` does not fit in an i32"),
            );
        }
        if n.unsigned_abs() > u64::from(MAX_POWI_EXPONENT) {
            return self.fail_at(
                written,
                format!(
                    "`powi` exponent `{n}` is beyond the engine's budget of ±{MAX_POWI_EXPONENT}: \
                     exact work on such a power would not finish (and the power overflows f64 \
                     for any base not close to 1); use `powf`, which stays symbolic"
                ),
            );
        }
        if *n < 0 && self.arena.is_zero(x) {
            return self.fail(span, "division by zero: the divisor is exactly 0");
        }
        let v = self.arena.powi(x, *n);
        self.finite(v, x, "powi", span)
    }

    /// `f(x)`, refusing a function of a constant that is not finite (`(0.0).ln()`).
    pub(super) fn unary(&mut self, f: Fun, x: Id, span: Span) -> Option<Value> {
        let v = match f {
            Fun::Ln => self.arena.ln(x),
            Fun::Exp => self.arena.exp(x),
            Fun::Sqrt => self.arena.sqrt(x),
            Fun::Recip => {
                if self.arena.is_zero(x) {
                    return self.fail(span, "division by zero: the divisor is exactly 0");
                }
                self.arena.recip(x)
            }
            Fun::Ln1p => {
                let one = self.arena.int(1);
                let s = self.arena.add([one, x]);
                self.arena.ln(s)
            }
            Fun::ExpM1 => {
                let e = self.arena.exp(x);
                let m1 = self.arena.int(-1);
                self.arena.add([e, m1])
            }
            Fun::Abs => {
                let a = self.arena.abs(x);
                self.abs_sites.push((a, span));
                a
            }
            Fun::Special(s) => self.arena.special(s, x),
        };
        self.finite(v, x, &fun_name(f), span)
    }

    /// `v` = `name` of `x`; where `v` is a constant, the site is recorded, for the model's check
    /// that the body has no term undefined for every value of the parameters (`(0.0).ln()`).
    fn finite(&mut self, v: Id, x: Id, name: &str, span: Span) -> Option<Value> {
        if !self.arena.has_symbol(v) {
            self.constant_sites.push(ConstantSite {
                value: v,
                arg: x,
                name: name.to_string(),
                span,
            });
        }
        Some(Value::Real(v))
    }

    /// A call: `f64::ln(x)`-style methods and the free functions of the special-function
    /// table (`ln_gamma(x)`, `polygamma(2, x)`).
    pub(super) fn call(&mut self, c: &syn::ExprCall, args: Vec<Value>) -> Option<Value> {
        let path = match &*c.func {
            Expr::Path(p) if p.qself.is_none() => &p.path,
            other => {
                return self.fail(
                    other.span(),
                    format!(
                        "unsupported call: only named functions can be called; {}",
                        super::supported()
                    ),
                )
            }
        };
        let last = path.segments.last()?;
        if let Some(seg) = path.segments.iter().find(|s| !s.arguments.is_empty()) {
            return self.fail(
                seg.arguments.span(),
                format!("unexpected type arguments in `{}`", path_text(path)),
            );
        }
        let name = last.ident.to_string();
        let prefix: Vec<String> = path
            .segments
            .iter()
            .rev()
            .skip(1)
            .rev()
            .map(|s| s.ident.to_string())
            .collect();
        let f64_path = matches!(
            prefix.iter().map(String::as_str).collect::<Vec<_>>()[..],
            ["f64"] | ["std", "f64"] | ["core", "f64"]
        );
        let parens = c.paren_token.span.join();
        let written: Vec<&Expr> = c.args.iter().collect();
        if let Some((fun, order)) = special::lookup(&name, Form::Free) {
            let w = Written {
                name,
                span: last.ident.span(),
                args: written,
                parens,
            };
            return self.free_function(&w, fun, order, args);
        }
        if let Some(d) = special::definition(&name, Form::Free) {
            if args.len() != d.arity {
                let at = written.get(d.arity).map_or(parens, |a| a.span());
                return self.fail(
                    at,
                    format!("`{name}` takes {}, found {}", d.arguments, args.len()),
                );
            }
            let mut all = Vec::with_capacity(args.len());
            for (v, e) in args.into_iter().zip(&written) {
                all.push(self.real_of(v, || e.span())?);
            }
            return Some(Value::Real((d.expand)(self.arena, &all)));
        }
        if !f64_path {
            return self.fail(
                path.span(),
                format!(
                    "unsupported function `{}`: supported are `f64::ln(x)`-style calls of {}, \
                     and {}",
                    path_text(path),
                    methods(),
                    functions()
                ),
            );
        }
        if real_method(&name).is_none() {
            return self.fail(
                last.ident.span(),
                format!(
                    "unsupported function `{}`: supported methods are {}",
                    path_text(path),
                    methods()
                ),
            );
        }
        let mut values = args.into_iter();
        let Some(receiver) = values.next() else {
            return self.fail(
                parens,
                format!(
                    "`{}` takes the receiver as its first argument",
                    path_text(path)
                ),
            );
        };
        let w = Written {
            name,
            span: last.ident.span(),
            args: written[1..].to_vec(),
            parens,
        };
        self.real_call(&w, receiver, values.collect())
    }

    /// `name(x)`, or `name(n, x)` for a function whose order is its first argument.
    fn free_function(
        &mut self,
        w: &Written,
        fun: special::Fun,
        order: Option<u32>,
        args: Vec<Value>,
    ) -> Option<Value> {
        let (name, written, parens) = (&w.name, &w.args, w.parens);
        let wanted = if order.is_some() { 1 } else { 2 };
        if args.len() != wanted {
            let at = written.get(wanted).map_or(parens, |a| a.span());
            let count = if wanted == 1 {
                "one argument".to_string()
            } else {
                format!("two arguments, the order and the argument (`{name}(2, x)`)")
            };
            return self.fail(at, format!("`{name}` takes {count}, found {}", args.len()));
        }
        let order = match (order, &args[0]) {
            (Some(k), _) => k,
            (None, Value::Int(k)) if (0..=MAX_ORDER).contains(k) => *k as u32,
            (None, _) => {
                return self.fail(
                    written[0].span(),
                    format!("the order of `{name}` is an integer literal from 0 to {MAX_ORDER}"),
                )
            }
        };
        let x = self.real_of(args[wanted - 1].clone(), || written[wanted - 1].span())?;
        self.unary(Fun::Special(Special { fun, order }), x, w.span)
    }

    /// A method of an array or an iterator, unrolled.
    fn iterator_method(
        &mut self,
        m: &syn::ExprMethodCall,
        w: &Written,
        receiver: Value,
        args: Vec<Value>,
    ) -> Option<Value> {
        let closures: Vec<&ExprClosure> = m
            .args
            .iter()
            .filter_map(|a| match a {
                Expr::Closure(c) => Some(c),
                _ => None,
            })
            .collect();
        let items = receiver.items()?;
        let no_args = |cx: &mut Self, v: Option<Value>| -> Option<Value> {
            if args.is_empty() && closures.is_empty() {
                v
            } else {
                cx.fail(w.parens, format!("`{}` takes no arguments", w.name))
            }
        };
        let folded = |cx: &mut Self, product: bool| -> Option<Value> {
            if let Some(t) = &m.turbofish {
                let ty = t.args.to_token_stream().to_string();
                if ty != "f64" {
                    return cx.fail(
                        t.span(),
                        format!(
                            "`{}` adds up `f64` values: write `{}::<f64>()`",
                            w.name, w.name
                        ),
                    );
                }
            }
            let mut xs = Vec::with_capacity(items.len());
            for v in items.iter().cloned() {
                xs.push(cx.real_of(v, || w.span)?);
            }
            Some(Value::Real(if product {
                cx.arena.mul(xs)
            } else {
                cx.arena.add(xs)
            }))
        };
        match w.name.as_str() {
            "iter" | "into_iter" | "copied" | "cloned" => no_args(self, Some(Value::Seq(items))),
            "len" => no_args(self, Some(Value::Int(items.len() as i64))),
            "rev" => no_args(self, Some(Value::Seq(items.into_iter().rev().collect()))),
            "enumerate" => no_args(
                self,
                Some(Value::Seq(
                    items
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| Value::Tuple(vec![Value::Int(i as i64), v]))
                        .collect(),
                )),
            ),
            "sum" => {
                no_args(self, Some(Value::Int(0)))?;
                folded(self, false)
            }
            "product" => {
                no_args(self, Some(Value::Int(0)))?;
                folded(self, true)
            }
            "zip" => match args.into_iter().next().and_then(Value::items) {
                Some(other) => Some(Value::Seq(
                    items
                        .into_iter()
                        .zip(other)
                        .map(|(a, b)| Value::Tuple(vec![a, b]))
                        .collect(),
                )),
                None => self.fail(
                    w.parens,
                    "`zip` takes one array or iterator, as in `x.iter().zip(y.iter())`",
                ),
            },
            "skip" | "take" => match args.first() {
                Some(Value::Int(n)) if *n >= 0 => {
                    let n = *n as usize;
                    let kept = if w.name == "skip" {
                        items.into_iter().skip(n).collect()
                    } else {
                        items.into_iter().take(n).collect()
                    };
                    Some(Value::Seq(kept))
                }
                _ => self.fail(
                    w.parens,
                    format!("`{}` takes one integer literal or loop index", w.name),
                ),
            },
            "map" => match closures.as_slice() {
                [c] if args.is_empty() => {
                    let mut out = Vec::with_capacity(items.len());
                    for v in items {
                        out.push(self.apply_closure(c, vec![v])?);
                    }
                    Some(Value::Seq(out))
                }
                _ => self.fail(
                    w.parens,
                    "`map` takes one closure, as in `.map(|&a| ln_gamma(a))`",
                ),
            },
            "fold" => match (closures.as_slice(), args.into_iter().next()) {
                ([c], Some(init)) => {
                    let mut acc = init;
                    for v in items {
                        acc = self.apply_closure(c, vec![acc, v])?;
                    }
                    Some(acc)
                }
                _ => self.fail(
                    w.parens,
                    "`fold` takes an initial value and a closure, as in \
                     `.fold(0.0, |acc, &a| acc + a)`",
                ),
            },
            _ => self.fail(
                w.span,
                format!(
                    "unsupported iterator method `{}`: supported are {ITERATOR_METHODS} (the \
                     chain is unrolled when the model compiles)",
                    w.name
                ),
            ),
        }
    }

    /// The value of the closure `c` at `args`: its parameters bound by their patterns.
    fn apply_closure(&mut self, c: &ExprClosure, args: Vec<Value>) -> Option<Value> {
        if c.inputs.len() != args.len() {
            return self.fail(
                c.or1_token.span,
                format!(
                    "this closure takes {} argument{}, but is called with {}",
                    c.inputs.len(),
                    if c.inputs.len() == 1 { "" } else { "s" },
                    args.len()
                ),
            );
        }
        self.unrolled += 1;
        if self.unrolled > MAX_TOTAL_UNROLL {
            return self.fail(
                c.or1_token.span,
                format!(
                    "the body unrolls to more than {MAX_TOTAL_UNROLL} loop iterations and \
                     closure calls"
                ),
            );
        }
        let mark = self.scope.mark();
        let bound = c
            .inputs
            .iter()
            .zip(args)
            .try_for_each(|(p, v)| self.bind(p, v, false));
        // A closure body may be a block of its own (`|a| { let t = a.ln(); t * t }`).
        let v = bound.and_then(|()| match &*c.body {
            Expr::Block(b) if b.label.is_none() => {
                self.block(&b.block.stmts, b.block.brace_token.span.join())
            }
            body => self.value(body),
        });
        self.scope.truncate(mark);
        v
    }

    /// Binds the names of `pat` to the parts of `v`: a name, `&name`, `mut name`, `_`, a
    /// tuple of patterns, `name: T`.
    pub(super) fn bind(&mut self, pat: &Pat, v: Value, mutable: bool) -> Option<()> {
        match pat {
            Pat::Ident(p) if p.subpat.is_none() && p.by_ref.is_none() => {
                self.scope
                    .bind(p.ident.to_string(), v, mutable || p.mutability.is_some());
                Some(())
            }
            Pat::Reference(r) => self.bind(&r.pat, v, mutable),
            Pat::Type(t) => self.bind(&t.pat, v, mutable),
            Pat::Paren(p) => self.bind(&p.pat, v, mutable),
            Pat::Wild(_) => Some(()),
            Pat::Tuple(t) => match v {
                Value::Tuple(parts) if parts.len() == t.elems.len() => {
                    for (p, v) in t.elems.iter().zip(parts) {
                        self.bind(p, v, mutable)?;
                    }
                    Some(())
                }
                other => self.fail(
                    t.paren_token.span.join(),
                    format!(
                        "this tuple pattern has {} parts, but the value is {}",
                        t.elems.len(),
                        other.kind()
                    ),
                ),
            },
            other => self.fail(
                other.span(),
                "unsupported pattern: a name, `&name`, `(a, b)` or `_`",
            ),
        }
    }
}
