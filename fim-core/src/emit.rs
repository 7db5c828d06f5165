//! IR → Rust tokens: the closed forms that `#[fisher_model]` writes into the user's crate.
//!
//! The token-level twin of [`crate::print::rust`], tuned for speed instead of reading: shared
//! subexpressions are bound once with `let`, small integer powers become multiplications, every
//! product does at most one division, and every path is absolute (`::core::…`, `::fim::…`).

use std::collections::{HashMap, HashSet};

use num_traits::{One, Signed, ToPrimitive};
use proc_macro2::{Delimiter, Group, Ident, Literal, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, ToTokens};

use crate::eval::rat_to_f64;
use crate::expr::special::Form;
use crate::expr::{BigInt, Id, Ir, Node, Rational, Symbol};
use crate::print::{LOOSE, POSTFIX, PRODUCT, SUM, UNARY};

/// Code for a set of roots evaluated together in one function body.
#[derive(Clone, Debug, Default)]
pub struct Emitted {
    /// `let __fim_tN: f64 = …;` statements, children before parents: each binds one
    /// subexpression that the roots share (or that a small power repeats), computed once.
    pub lets: Vec<TokenStream>,
    /// One `f64` expression per root, in the order of the roots; they read the bindings.
    pub values: Vec<TokenStream>,
}

/// IR → Rust tokens for a set of root expressions evaluated together in one function body.
///
/// `vars` maps each symbol to the tokens that read it (usually an identifier; any `f64`
/// expression works, and is parenthesized where precedence needs it). Returns the `let`
/// statements that bind shared subexpressions and one expression per root that uses them.
///
/// - A non-leaf node used more than once over the DAG of all roots (a root counts as a use, and
///   a node counts its children once per distinct parent) is bound once, as is a non-leaf base
///   of a small power (`b * b`) and a power written as a call (`b.sqrt()`, `b.powf(e)`) that
///   several products share (the IR has no node for a factor of a product). Names are
///   `__fim_t0, __fim_t1, …`, numbered in the order a depth-first walk of the roots (in order,
///   children in order) finishes them, which is also the order of `lets` and a dependency
///   order. Symbols and constants are never bound.
/// - Powers: `b^2..4` is `b * b …`, `b^-1` is `1.0 / b`, `b^-2..-4` is `1.0 / (b * b …)`,
///   other integers `.powi(n)`, `b^½` `.sqrt()`, `b^-½` `1.0 / b.sqrt()`, other rationals
///   `.powf(p / q)`. A product is `coefficient * numerator / (denominator)`, with one division;
///   so `b^-7` alone is `b.powi(-7)`, but `a * b^-7` is `a / b.powi(7)`.
/// - Sums subtract their negative terms. Constants are written by [`literal`].
/// - Functions: `.ln()`, `.exp()`, `.abs()`, `.powf(e)`, `::core::f64::consts::PI`, and each
///   special function of [`crate::expr::special::TABLE`] by its name: an `f64` method
///   (`x.sin()`) or a free function of `fim::special` (`::fim::special::ln_gamma(x)`,
///   `::fim::special::polygamma(3, x)`). The code never allocates.
///
/// The output is deterministic: the same arena and roots give the same tokens.
///
/// Errors on a symbol missing from `vars`.
pub fn emit(
    arena: &Ir,
    roots: &[Id],
    vars: &HashMap<Symbol, TokenStream>,
) -> Result<Emitted, String> {
    emit_in(arena, roots, vars, false)
}

/// [`emit`] in `fim::__private::wide::Wide`, the float with an unbounded exponent, for a form
/// whose intermediate values may leave `f64`'s range while its value does not: constants are
/// `Wide`, the bindings are `Wide`, and the special functions are those of the `wide` module
/// (`vars` should read as `Wide` too; `f64` mixes with it). The values are `Wide`.
pub fn emit_wide(
    arena: &Ir,
    roots: &[Id],
    vars: &HashMap<Symbol, TokenStream>,
) -> Result<Emitted, String> {
    emit_in(arena, roots, vars, true)
}

fn emit_in(
    arena: &Ir,
    roots: &[Id],
    vars: &HashMap<Symbol, TokenStream>,
    wide: bool,
) -> Result<Emitted, String> {
    let plan = plan(arena, roots);
    let mut e = Emitter {
        arena,
        vars: vars
            .iter()
            .map(|(s, ts)| (*s, Tok::new(ts.clone(), var_prec(ts))))
            .collect(),
        names: HashMap::new(),
        power_names: HashMap::new(),
        order: Vec::new(),
        wide,
    };
    let mut done = vec![false; arena.len()];
    for &r in roots {
        e.name_post_order(r, &plan, &mut done);
    }
    let mut lets = Vec::with_capacity(e.order.len());
    let ty = if wide {
        quote!(::fim::__private::wide::Wide)
    } else {
        quote!(f64)
    };
    for (name, binding) in std::mem::take(&mut e.order) {
        let value = match binding {
            Binding::Node(id) => e.build(id)?,
            Binding::Power(b, p) => power_call(e.expr(b)?, &p),
        }
        .ts;
        lets.push(quote!(let #name: #ty = #value;));
    }
    let values = roots
        .iter()
        .map(|&r| e.expr(r).map(|t| t.ts))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Emitted { lets, values })
}

/// The `f64` literal for an exact constant, as a primary expression: safe as an operand and as
/// a method receiver anywhere (`2.0_f64`, `0.125_f64`, `(1.0_f64 / 3.0_f64)`, `(-2.0_f64)`).
///
/// Integers and terminating decimals (up to 17 fractional digits) are one literal; other
/// rationals `p/q` are `(P_f64 / Q_f64)`, which the compiler folds. Both forms are the nearest
/// `f64` to the rational, the value [`rat_to_f64`] gives, as long as `|p|` and `q` are at most
/// 2^53 (exact in `f64`). Beyond that the literal is the shortest decimal that round-trips
/// [`rat_to_f64`]'s value: the same number the IR's evaluator uses, though it may be off the
/// nearest `f64` by an ulp. Past `f64`'s range it is `::core::primitive::f64::INFINITY`.
pub fn literal(r: &Rational) -> TokenStream {
    let m = magnitude(&r.abs());
    if r.is_negative() {
        paren(neg(m).ts)
    } else {
        m.at(POSTFIX)
    }
}

/// A string literal holding `text`, raw (`r#"…"#`) where it can be: a raw literal needs no
/// escaping, which in a long text (the DERIVATION, the doc comments) is most of the cost of
/// building the literal, here and in the compiler. A text with a carriage return or a NUL is
/// escaped as usual.
pub fn str_literal(text: &str) -> Literal {
    if !text.contains(['\r', '\0']) {
        // The delimiter needs more `#` than any run that follows a quote in the text.
        let mut hashes = 0;
        for (i, _) in text.match_indices('"') {
            let run = text[i + 1..].bytes().take_while(|&b| b == b'#').count();
            hashes = hashes.max(run + 1);
        }
        let fence = "#".repeat(hashes);
        if let Ok(lit) = format!("r{fence}\"{text}\"{fence}").parse::<Literal>() {
            return lit;
        }
    }
    Literal::string(text)
}

// ---- precedence ------------------------------------------------------------------------------

/// Tokens of one expression and how tightly they bind.
#[derive(Clone)]
struct Tok {
    ts: TokenStream,
    prec: u8,
}

impl Tok {
    fn new(ts: TokenStream, prec: u8) -> Self {
        Tok { ts, prec }
    }

    /// The tokens, parenthesized if they bind less tightly than `min`.
    fn at(self, min: u8) -> TokenStream {
        if self.prec < min {
            paren(self.ts)
        } else {
            self.ts
        }
    }

    /// `self.method(args)`.
    fn method(self, method: &str, args: TokenStream) -> Tok {
        let recv = self.at(POSTFIX);
        let m = Ident::new(method, Span::call_site());
        Tok::new(quote!(#recv.#m(#args)), POSTFIX)
    }
}

fn paren(ts: TokenStream) -> TokenStream {
    TokenTree::Group(Group::new(Delimiter::Parenthesis, ts)).into()
}

/// `-t`. A negated product stays a product: `-a * b / c` is `((-a) * b) / c`, the same number,
/// since negation is exact.
fn neg(t: Tok) -> Tok {
    match t.prec {
        PRODUCT => {
            let ts = t.ts;
            Tok::new(quote!(-#ts), PRODUCT)
        }
        _ => {
            let ts = t.at(UNARY);
            Tok::new(quote!(-#ts), UNARY)
        }
    }
}

/// How tightly caller-supplied tokens bind; unknown shapes count as `LOOSE`.
fn var_prec(ts: &TokenStream) -> u8 {
    use syn::{BinOp, Expr};
    // The shapes every caller passes, without a parse: `theta`, `alpha[2]`, `x[1][0]` (an
    // identifier, then bracketed indices) is postfix.
    let mut trees = ts.clone().into_iter();
    if let Some(TokenTree::Ident(_)) = trees.next() {
        if trees.all(|t| matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Bracket)) {
            return POSTFIX;
        }
    }
    match syn::parse2::<Expr>(ts.clone()) {
        Ok(
            Expr::Path(_)
            | Expr::Field(_)
            | Expr::Index(_)
            | Expr::Paren(_)
            | Expr::Group(_)
            | Expr::MethodCall(_)
            | Expr::Call(_)
            | Expr::Lit(_),
        ) => POSTFIX,
        Ok(Expr::Unary(_)) => UNARY,
        Ok(Expr::Binary(b)) => match b.op {
            BinOp::Mul(_) | BinOp::Div(_) | BinOp::Rem(_) => PRODUCT,
            BinOp::Add(_) | BinOp::Sub(_) => SUM,
            _ => LOOSE,
        },
        _ => LOOSE,
    }
}

// ---- literals --------------------------------------------------------------------------------

/// A float literal with an `_f64` suffix, so that method calls on it type-check.
fn float_lit(text: &str) -> TokenStream {
    syn::LitFloat::new(&format!("{text}_f64"), Span::call_site()).into_token_stream()
}

/// The literal for a non-negative rational; `(P / Q)` comes back unparenthesized, as a product.
fn magnitude(r: &Rational) -> Tok {
    let exact = BigInt::from(1u64 << 53);
    if r.numerator().abs() > exact || crate::expr::denom(r) > exact {
        let v = rat_to_f64(r);
        return if v.is_finite() {
            // `{:?}` is the shortest text that round-trips, always with a `.` or an exponent.
            Tok::new(float_lit(&format!("{v:?}")), POSTFIX)
        } else if v.is_nan() {
            Tok::new(quote!(::core::primitive::f64::NAN), POSTFIX)
        } else {
            Tok::new(quote!(::core::primitive::f64::INFINITY), POSTFIX)
        };
    }
    if let Some(text) = decimal(r) {
        return Tok::new(float_lit(&text), POSTFIX);
    }
    let p = float_lit(&format!("{}.0", r.numerator()));
    let q = float_lit(&format!("{}.0", r.denominator()));
    Tok::new(quote!(#p / #q), PRODUCT)
}

/// Exact decimal text of a non-negative rational whose expansion terminates within 17
/// fractional digits (`2.0`, `0.125`); `None` otherwise.
fn decimal(r: &Rational) -> Option<String> {
    crate::print::decimal_within(r, 17)
}

fn one() -> Tok {
    Tok::new(float_lit("1.0"), POSTFIX)
}

/// `.powi` argument: a plain integer literal, with a separate minus sign.
fn int_arg(n: i32) -> TokenStream {
    let lit = Literal::i32_unsuffixed(n.abs());
    if n < 0 {
        quote!(-#lit)
    } else {
        quote!(#lit)
    }
}

// ---- which nodes get a name ------------------------------------------------------------------

fn is_leaf(arena: &Ir, id: Id) -> bool {
    matches!(arena.node(id), Node::Num(_) | Node::Pi | Node::Sym(_))
}

/// Small integer exponents that are written as repeated multiplication.
fn repeated(e: &Rational) -> bool {
    e.is_int() && matches!(e.trunc().abs().to_u32(), Some(2..=4))
}

/// True when `b^e` (for `e > 0`) is written as a call (`.sqrt()`, `.powi(n)`, `.powf(e)`) rather
/// than as the base itself or repeated multiplication.
fn is_call(e: &Rational) -> bool {
    !(e.is_int() && e.trunc().to_u32().is_some_and(|n| n <= 4))
}

/// A product that is nothing but one power written as a call: `b^e` with `e > 0`.
fn lone_call(arena: &Ir, id: Id) -> Option<(Id, Rational)> {
    match arena.node(id) {
        Node::Mul(c, fs) if c.is_one() && fs.len() == 1 && fs[0].1.is_positive() => {
            is_call(&fs[0].1).then(|| fs[0].clone())
        }
        _ => None,
    }
}

/// What to bind, decided before any token is written.
struct Plan {
    /// Nodes bound by name: non-leaves used twice or more, and non-leaf bases of small powers.
    bind: Vec<bool>,
    /// Powers `b^e` (`e > 0`, written as a call) that several products share. The IR flattens
    /// `x^(1/2) * y` into one product, so its `x^(1/2)` is no node: without this, `x.sqrt()`
    /// would be computed again in every product that has it. A lone `b^e` node counts its uses;
    /// a `b^-e` factor (a denominator) counts as `b^e`.
    powers: HashSet<(Id, Rational)>,
}

/// Counts uses over the DAG of the roots and decides what to bind.
fn plan(arena: &Ir, roots: &[Id]) -> Plan {
    let mut uses = vec![0u32; arena.len()];
    let mut bind = vec![false; arena.len()];
    let mut seen = vec![false; arena.len()];
    let mut reached: Vec<Id> = Vec::new();
    let mut stack: Vec<Id> = Vec::new();
    for &r in roots {
        uses[r.index()] += 1;
        stack.push(r);
    }
    while let Some(id) = stack.pop() {
        if std::mem::replace(&mut seen[id.index()], true) {
            continue;
        }
        reached.push(id);
        if let Node::Mul(_, fs) = arena.node(id) {
            for (b, e) in fs.iter() {
                if repeated(e) && !is_leaf(arena, *b) {
                    bind[b.index()] = true;
                }
            }
        }
        // `children` lists a child twice only where the parent uses it twice (`Pow(b, b)`).
        for c in arena.children(id) {
            uses[c.index()] += 1;
            stack.push(c);
        }
    }
    let mut power_uses: HashMap<(Id, Rational), u32> = HashMap::new();
    for &id in &reached {
        if let Some(key) = lone_call(arena, id) {
            // Bound, if at all, as the power it is.
            *power_uses.entry(key).or_default() += uses[id.index()];
            continue;
        }
        if uses[id.index()] >= 2 && !is_leaf(arena, id) {
            bind[id.index()] = true;
        }
        if let Node::Mul(_, fs) = arena.node(id) {
            for (b, e) in fs.iter() {
                let e = e.abs();
                if is_call(&e) {
                    *power_uses.entry((*b, e)).or_default() += 1;
                }
            }
        }
    }
    let powers = power_uses
        .into_iter()
        .filter(|(_, n)| *n >= 2)
        .map(|(k, _)| k)
        .collect();
    Plan { bind, powers }
}

// ---- emission --------------------------------------------------------------------------------

/// What a `let` binds.
enum Binding {
    Node(Id),
    /// `b^e`, `e > 0`, as a call.
    Power(Id, Rational),
}

struct Emitter<'a> {
    arena: &'a Ir,
    vars: HashMap<Symbol, Tok>,
    /// Names of the bound nodes.
    names: HashMap<Id, Ident>,
    /// Names of the shared powers.
    power_names: HashMap<(Id, Rational), Ident>,
    /// Bindings in naming (and `let`) order.
    order: Vec<(Ident, Binding)>,
    /// Whether the code computes in `Wide` ([`emit_wide`]).
    wide: bool,
}

impl Emitter<'_> {
    /// Names the bindings below `id` in post-order: children first, so names are also a
    /// dependency order. A shared power is named where a product first uses it.
    fn name_post_order(&mut self, id: Id, plan: &Plan, done: &mut [bool]) {
        if std::mem::replace(&mut done[id.index()], true) {
            return;
        }
        for c in self.arena.children(id) {
            self.name_post_order(c, plan, done);
        }
        if let Node::Mul(_, fs) = self.arena.node(id) {
            for (b, e) in fs.iter() {
                let key = (*b, e.abs());
                if plan.powers.contains(&key) && !self.power_names.contains_key(&key) {
                    let name = format_ident!("__fim_t{}", self.order.len());
                    self.power_names.insert(key.clone(), name.clone());
                    self.order.push((name, Binding::Power(key.0, key.1)));
                }
            }
        }
        if plan.bind[id.index()] {
            let name = format_ident!("__fim_t{}", self.order.len());
            self.names.insert(id, name.clone());
            self.order.push((name, Binding::Node(id)));
        }
    }

    /// The expression for `id`: its name if it is bound.
    fn expr(&mut self, id: Id) -> Result<Tok, String> {
        let (negative, t) = self.signed(id)?;
        Ok(if negative { neg(t) } else { t })
    }

    /// `id` as a sign and a magnitude, so that sums can subtract and products can collect signs.
    fn signed(&mut self, id: Id) -> Result<(bool, Tok), String> {
        if let Some(name) = self.names.get(&id) {
            return Ok((false, Tok::new(name.to_token_stream(), POSTFIX)));
        }
        if let Some(name) = lone_call(self.arena, id).and_then(|k| self.power_names.get(&k)) {
            return Ok((false, Tok::new(name.to_token_stream(), POSTFIX)));
        }
        self.signed_unbound(id)
    }

    /// The defining expression of `id`, even when `id` is bound (for its `let`).
    fn build(&mut self, id: Id) -> Result<Tok, String> {
        let (negative, t) = self.signed_unbound(id)?;
        Ok(if negative { neg(t) } else { t })
    }

    fn signed_unbound(&mut self, id: Id) -> Result<(bool, Tok), String> {
        let arena = self.arena;
        let unary = |this: &mut Self, a: Id, method: &str| -> Result<(bool, Tok), String> {
            Ok((false, this.expr(a)?.method(method, TokenStream::new())))
        };
        let call = |this: &mut Self,
                    a: Id,
                    f: TokenStream,
                    order: Option<TokenStream>|
         -> Result<(bool, Tok), String> {
            let arg = this.expr(a)?.ts;
            Ok((false, Tok::new(quote!(#f(#order #arg)), POSTFIX)))
        };
        // In `Wide`, every leaf is one, so that no `f64` method meets a `Wide` argument.
        let leaf = |this: &Self, t: Tok| {
            if this.wide {
                let ts = t.ts;
                Tok::new(quote!(::fim::__private::wide::Wide::from(#ts)), POSTFIX)
            } else {
                t
            }
        };
        match arena.node(id) {
            Node::Num(r) => Ok((r.is_negative(), leaf(self, magnitude(&r.abs())))),
            Node::Pi => Ok((
                false,
                leaf(self, Tok::new(quote!(::core::f64::consts::PI), POSTFIX)),
            )),
            Node::Sym(s) => match self.vars.get(s) {
                Some(t) => Ok((false, t.clone())),
                None => Err(format!(
                    "cannot emit symbol `{}`: no tokens given for it",
                    arena.name(*s)
                )),
            },
            Node::Add(ts) => Ok((false, self.sum(ts)?)),
            Node::Mul(c, fs) => Ok((c.is_negative(), self.product(&c.abs(), fs)?)),
            Node::Pow(b, e) => {
                let base = self.expr(*b)?;
                let exponent = self.expr(*e)?.ts;
                Ok((false, base.method("powf", exponent)))
            }
            Node::Ln(a) => unary(self, *a, "ln"),
            Node::Exp(a) => unary(self, *a, "exp"),
            Node::Abs(a) => unary(self, *a, "abs"),
            Node::Special(f, a) => match f.name() {
                (n, _) if n.form == Form::Method => unary(self, *a, n.text),
                (n, ordered) => {
                    let name = Ident::new(n.text, Span::call_site());
                    let order = ordered.then(|| {
                        let k = Literal::u32_unsuffixed(f.order);
                        quote!(#k,)
                    });
                    let path = if self.wide {
                        quote!(::fim::__private::wide::#name)
                    } else {
                        quote!(::fim::special::#name)
                    };
                    call(self, *a, path, order)
                }
            },
        }
    }

    /// Terms in the IR's order, except that a negative first term yields the lead to the first
    /// positive one (`x - mu`, not `-mu + x`).
    fn sum(&mut self, ts: &[Id]) -> Result<Tok, String> {
        let mut terms = ts
            .iter()
            .map(|&t| self.signed(t))
            .collect::<Result<Vec<_>, _>>()?;
        if terms.first().is_some_and(|t| t.0) {
            if let Some(i) = terms.iter().position(|t| !t.0) {
                let t = terms.remove(i);
                terms.insert(0, t);
            }
        }
        let mut out = TokenStream::new();
        for (i, (negative, t)) in terms.into_iter().enumerate() {
            if i == 0 {
                out.extend(if negative { neg(t) } else { t }.at(SUM));
            } else {
                let t = t.at(PRODUCT);
                out.extend(if negative { quote!(- #t) } else { quote!(+ #t) });
            }
        }
        Ok(Tok::new(out, SUM))
    }

    /// `c * Π b^e` for `c > 0`: the coefficient and the positive powers over the negative ones.
    fn product(&mut self, c: &Rational, fs: &[(Id, Rational)]) -> Result<Tok, String> {
        if let ([(b, e)], true) = (fs, c.is_one()) {
            let shared = self.power_names.contains_key(&(*b, e.abs()));
            if e.is_negative() && is_call(&e.abs()) && *e != -half() && !shared {
                // A lone `b^-n` for large n or `b^-p/q`: `powi`/`powf` take the sign themselves.
                let base = self.expr(*b)?;
                let int = e.is_int().then(|| e.trunc().to_i32()).flatten();
                return Ok(match int {
                    Some(n) => base.method("powi", int_arg(n)),
                    None => base.method("powf", neg(magnitude(&e.abs())).ts),
                });
            }
        }
        let mut num: Vec<Tok> = Vec::new();
        let mut den: Vec<Tok> = Vec::new();
        if !c.is_one() {
            num.push(magnitude(c));
        }
        for (b, e) in fs {
            let side = if e.is_negative() { &mut den } else { &mut num };
            let e = e.abs();
            match self.power_names.get(&(*b, e.clone())) {
                Some(name) => side.push(Tok::new(name.to_token_stream(), POSTFIX)),
                None => {
                    let base = self.expr(*b)?;
                    match e.trunc().to_usize() {
                        Some(n @ 1..=4) if e.is_int() => side.extend(vec![base; n]),
                        _ => side.push(power_call(base, &e)),
                    }
                }
            }
        }
        Ok(quotient(num, den))
    }
}

fn half() -> Rational {
    Rational::from_parts_signed(BigInt::one(), BigInt::from(2))
}

/// `base^e` for `e > 0` written as a call: `.sqrt()`, `.powi(n)` or `.powf(e)`.
fn power_call(base: Tok, e: &Rational) -> Tok {
    if *e == half() {
        return base.method("sqrt", TokenStream::new());
    }
    match e.is_int().then(|| e.trunc().to_i32()).flatten() {
        Some(n) => base.method("powi", int_arg(n)),
        None => base.method("powf", magnitude(e).ts),
    }
}

/// `a * b * …`; a single factor keeps its own precedence; none is `1.0`.
fn factors(fs: Vec<Tok>) -> Tok {
    match fs.len() {
        0 => one(),
        1 => fs.into_iter().next().unwrap_or_else(one),
        _ => {
            let mut out = TokenStream::new();
            for (i, f) in fs.into_iter().enumerate() {
                if i > 0 {
                    out.extend(quote!(*));
                }
                out.extend(f.at(UNARY));
            }
            Tok::new(out, PRODUCT)
        }
    }
}

/// `num / (den)` with one division.
fn quotient(num: Vec<Tok>, den: Vec<Tok>) -> Tok {
    let top = factors(num);
    if den.is_empty() {
        return top;
    }
    let top = top.at(PRODUCT);
    let bottom = factors(den).at(UNARY);
    Tok::new(quote!(#top / #bottom), PRODUCT)
}

// The unit tests build through the arena every caller uses.
#[cfg(test)]
use crate::Arena;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::special::{self, Order, TABLE};
    use crate::expr::{rat, ratio, Special};
    use proptest::prelude::*;

    // ---- fixtures ----------------------------------------------------------------------------

    struct Fx {
        a: Arena,
        x: Id,
        y: Id,
        z: Id,
    }

    impl Fx {
        fn new() -> Self {
            let mut a = Arena::new();
            let (x, y, z) = (a.var("x"), a.var("y"), a.var("z"));
            Fx { a, x, y, z }
        }

        fn vars(&self) -> HashMap<Symbol, TokenStream> {
            ["x", "y", "z"]
                .iter()
                .map(|n| {
                    let s = self.a.find_symbol(n).expect("symbol");
                    let i = Ident::new(n, Span::call_site());
                    (s, quote!(#i))
                })
                .collect()
        }

        fn emit(&self, roots: &[Id]) -> Emitted {
            emit(&self.a, roots, &self.vars()).expect("emits")
        }

        /// The emitted function, pretty-printed.
        fn text(&self, roots: &[Id]) -> String {
            pretty(&item(&self.emit(roots)))
        }

        fn env(&self, p: [f64; 3]) -> HashMap<Symbol, f64> {
            ["x", "y", "z"]
                .iter()
                .zip(p)
                .map(|(n, v)| (self.a.find_symbol(n).expect("symbol"), v))
                .collect()
        }
    }

    /// `fn f(x: f64, y: f64, z: f64) -> f64 { lets; value }`, or `-> [f64; N]` for N roots.
    fn item(e: &Emitted) -> syn::ItemFn {
        let (lets, values) = (&e.lets, &e.values);
        let (ret, body) = if values.len() == 1 {
            (quote!(f64), quote!(#(#values)*))
        } else {
            let n = Literal::usize_unsuffixed(values.len());
            (quote!([f64; #n]), quote!([#(#values),*]))
        };
        let f = quote!(fn f(x: f64, y: f64, z: f64) -> #ret { #(#lets)* #body });
        syn::parse2::<syn::ItemFn>(f.clone()).unwrap_or_else(|e| panic!("{e}: {f}"))
    }

    fn pretty(f: &syn::ItemFn) -> String {
        prettyplease::unparse(&syn::File {
            shebang: None,
            attrs: vec![],
            items: vec![syn::Item::Fn(f.clone())],
        })
    }

    fn lit_text(r: Rational) -> String {
        literal(&r).to_string()
    }

    // ---- structure ---------------------------------------------------------------------------

    #[test]
    fn shared_subexpression_is_bound_once() {
        let mut f = Fx::new();
        let one = f.a.int(1);
        let d = f.a.sub(one, f.x);
        let l = f.a.ln(d);
        let r1 = f.a.mul([l, f.y]);
        let r2 = f.a.add([l, f.y]);
        let t = f.text(&[r1, r2]);
        assert_eq!(t.matches(".ln()").count(), 1, "{t}");
        assert!(t.contains("let __fim_t0: f64 = (1.0_f64 - x).ln();"), "{t}");
        assert_eq!(t.matches("__fim_t0").count(), 3, "{t}");
        assert!(t.contains("[y * __fim_t0, y + __fim_t0]"), "{t}");
        // The inner `1 - x` has one parent, so it is not bound.
        assert!(!t.contains("__fim_t1"), "{t}");
    }

    #[test]
    fn small_powers_multiply() {
        let mut f = Fx::new();
        let (x, y) = (f.x, f.y);
        let cases: Vec<(Id, &str)> = vec![
            (f.a.powi(x, 2), "x * x"),
            (f.a.powi(x, 3), "x * x * x"),
            (f.a.powi(x, 4), "x * x * x * x"),
            (f.a.powi(x, 5), "x.powi(5)"),
            (f.a.powi(x, -1), "1.0_f64 / x"),
            (f.a.powi(x, -2), "1.0_f64 / (x * x)"),
            (f.a.powi(x, -5), "x.powi(-5)"),
            (f.a.sqrt(x), "x.sqrt()"),
            (f.a.powr(x, ratio(-1, 2)), "1.0_f64 / x.sqrt()"),
            (f.a.powr(x, ratio(3, 2)), "x.powf(1.5_f64)"),
            (f.a.powr(x, ratio(1, 3)), "x.powf(1.0_f64 / 3.0_f64)"),
            (f.a.powr(x, ratio(-2, 3)), "x.powf(-2.0_f64 / 3.0_f64)"),
        ];
        for (id, want) in cases {
            let t = f.text(&[id]);
            assert!(t.contains(want), "want `{want}` in\n{t}");
        }
        // A non-leaf base of a small power is bound, then multiplied.
        let s = f.a.add([x, y]);
        let s2 = f.a.powi(s, 2);
        let t = f.text(&[s2]);
        assert!(t.contains("let __fim_t0: f64 = x + y;"), "{t}");
        assert!(t.contains("__fim_t0 * __fim_t0"), "{t}");
    }

    #[test]
    fn products_have_one_division() {
        let mut f = Fx::new();
        let (x, y, z) = (f.x, f.y, f.z);
        let xy = f.a.mul([x, y]);
        let z3 = f.a.powi(z, 3);
        let yz = f.a.mul([y, z3]);
        let q = f.a.div(x, yz);
        let t = f.text(&[q]);
        assert!(t.contains("x / (y * z * z * z)"), "{t}");
        let two_thirds = f.a.num(ratio(2, 3));
        let p = f.a.mul([two_thirds, x]);
        let p = f.a.div(p, y);
        let t = f.text(&[p]);
        assert!(t.contains("(2.0_f64 / 3.0_f64) * x / y"), "{t}");
        let m = f.a.int(-3);
        let n = f.a.mul([m, xy]);
        let t = f.text(&[n]);
        assert!(t.contains("-3.0_f64 * x * y"), "{t}");
    }

    #[test]
    fn sums_subtract() {
        let mut f = Fx::new();
        let (x, y) = (f.x, f.y);
        let two = f.a.int(2);
        let ty = f.a.mul([two, y]);
        let d = f.a.sub(x, ty);
        assert!(f.text(&[d]).contains("x - 2.0_f64 * y"));
        let nx = f.a.neg(x);
        let s = f.a.sub(nx, y);
        assert!(f.text(&[s]).contains("-x - y"));
        let half = f.a.num(ratio(1, 2));
        let s = f.a.sub(half, x);
        assert!(f.text(&[s]).contains("0.5_f64 - x"));
        let third = f.a.num(ratio(-1, 3));
        let s = f.a.add([third, x]);
        assert!(f.text(&[s]).contains("x - 1.0_f64 / 3.0_f64"));
        // A negated sum distributes (canonical form): `-(x + y)` is `-x - y`, parenthesized
        // as a receiver.
        let xy = f.a.add([x, y]);
        let m = f.a.int(-1);
        let neg_xy = f.a.mul([m, xy]);
        let ln = f.a.ln(neg_xy);
        let t = f.text(&[ln]);
        assert!(t.contains("(-x - y).ln()"), "{t}");
    }

    #[test]
    fn functions_and_constants() {
        let mut f = Fx::new();
        let x = f.x;
        let mut cases: Vec<(Id, String)> = vec![
            (f.a.polygamma(1, x), "::fim::special::trigamma(x)".into()),
            (f.a.polygamma(0, x), "::fim::special::digamma(x)".into()),
            (f.a.ln_gamma(x), "::fim::special::ln_gamma(x)".into()),
            (f.a.exp(x), "x.exp()".into()),
            (f.a.abs(x), "x.abs()".into()),
        ];
        // Every other function of the table: a method by its name, or `::fim::special::name`.
        for e in &TABLE[2..] {
            let id = f.a.special(Special::plain(e.fun), x);
            let name = e.names[0];
            cases.push((
                id,
                match name.form {
                    Form::Method => format!("x.{}()", name.text),
                    Form::Free => format!("::fim::special::{}(x)", name.text),
                },
            ));
        }
        for (id, want) in cases {
            let t = f.text(&[id]);
            assert!(t.contains(&want), "want `{want}` in\n{t}");
        }
        let two = f.a.int(2);
        let l = f.a.ln(two);
        assert!(f.text(&[l]).contains("2.0_f64.ln()"));
        let pi = f.a.pi();
        let l = f.a.ln(pi);
        assert!(f.text(&[l]).contains("::core::f64::consts::PI.ln()"));
        let s = f.a.sqrt(two);
        assert!(f.text(&[s]).contains("2.0_f64.sqrt()"));
        let third = f.a.num(ratio(1, 3));
        let l = f.a.ln(third);
        assert!(f.text(&[l]).contains("(1.0_f64 / 3.0_f64).ln()"));
        let p = f.a.pow(x, f.y);
        assert!(f.text(&[p]).contains("x.powf(y)"));
    }

    #[test]
    fn string_literals_read_back_as_the_text() {
        for text in [
            "",
            "plain",
            "a \\alpha and a \"quote\"",
            "ends in a quote\"",
            "\"# and \"## inside",
            "two\nlines ½ ∂ℓ",
            "carriage\r\nreturn",
            "nul\0byte",
        ] {
            let lit = str_literal(text);
            let parsed: syn::LitStr = syn::parse2(lit.to_token_stream()).expect("a string literal");
            assert_eq!(parsed.value(), text, "{lit}");
        }
        assert!(str_literal("x\"#y").to_string().starts_with("r##\""));
    }

    #[test]
    fn literals() {
        assert_eq!(lit_text(rat(2)), "2.0_f64");
        assert_eq!(lit_text(ratio(1, 10)), "0.1_f64");
        assert_eq!(lit_text(ratio(-3, 8)), "(- 0.375_f64)");
        assert_eq!(lit_text(ratio(1, 3)), "(1.0_f64 / 3.0_f64)");
        assert_eq!(lit_text(ratio(-1, 3)), "(- 1.0_f64 / 3.0_f64)");
        assert_eq!(lit_text(rat(0)), "0.0_f64");
        // Beyond 2^53: one literal, the value `rat_to_f64` gives.
        let big = Rational::from_parts_signed(BigInt::from(1u64 << 60) + 1, BigInt::from(3));
        let text = lit_text(big.clone());
        let v: f64 = text.trim_end_matches("_f64").parse().expect("float");
        assert_eq!(v, rat_to_f64(&big));
        let huge = Rational::from(num_traits::pow::Pow::pow(BigInt::from(10), 400u32));
        assert_eq!(lit_text(huge), ":: core :: primitive :: f64 :: INFINITY");
        // Every form is a primary expression: a method call on it parses as intended.
        for r in [rat(2), ratio(-1, 3), ratio(7, 9), rat(-5)] {
            let l = literal(&r);
            let e: syn::Expr = syn::parse2(quote!(#l.ln())).expect("parses");
            assert!(matches!(e, syn::Expr::MethodCall(_)), "{}", quote!(#e));
        }
    }

    #[test]
    fn roots_and_repeats() {
        let mut f = Fx::new();
        let (x, y) = (f.x, f.y);
        let s = f.a.add([x, y]);
        let l = f.a.ln(s);
        // The same root twice, and a root inside another root: bound, read by name.
        let e = f.a.exp(l);
        let m = f.a.mul([l, y]);
        let t = f.text(&[l, m, l]);
        assert!(t.contains("let __fim_t0: f64 = (x + y).ln();"), "{t}");
        assert!(t.contains("[__fim_t0, y * __fim_t0, __fim_t0]"), "{t}");
        // exp(ln(x + y)) folds to `x + y`, a leaf-free sum used once: not bound.
        let t = f.text(&[e]);
        assert!(!t.contains("let"), "{t}");
        // Leaves are never bound, however often they are used.
        let x2 = f.a.powi(x, 2);
        let t = f.text(&[x, x2, x]);
        assert!(!t.contains("let"), "{t}");
    }

    #[test]
    fn bindings_are_in_dependency_order() {
        let mut f = Fx::new();
        let (x, y) = (f.x, f.y);
        let s = f.a.add([x, y]);
        let l = f.a.ln(s);
        let p = f.a.mul([l, s]);
        let e = f.a.exp(p);
        let r1 = f.a.add([e, l]);
        let r2 = f.a.mul([e, p]);
        let em = f.emit(&[r1, r2]);
        let t = pretty(&item(&em));
        // s and l have two parents each, and so has e; p has one, since `e * p` flattens to
        // `e * s * l`. Children come first.
        assert_eq!(em.lets.len(), 3, "{t}");
        for (i, want) in [
            "let __fim_t0: f64 = x + y;",
            "let __fim_t1: f64 = __fim_t0.ln();",
            "let __fim_t2: f64 = (__fim_t0 * __fim_t1).exp();",
        ]
        .iter()
        .enumerate()
        {
            assert!(t.contains(want), "want `{want}` in\n{t}");
            assert!(em.lets[i]
                .to_string()
                .starts_with(&format!("let __fim_t{i} ")));
        }
        assert!(
            t.contains("[__fim_t1 + __fim_t2, __fim_t0 * __fim_t1 * __fim_t2]"),
            "{t}"
        );
    }

    #[test]
    fn powers_shared_by_products_are_bound_once() {
        let mut f = Fx::new();
        let (x, y, z) = (f.x, f.y, f.z);
        let s = f.a.sqrt(x);
        let r1 = f.a.mul([s, y]);
        let r2 = f.a.div(z, s);
        let t = f.text(&[r1, r2, s]);
        assert_eq!(t.matches(".sqrt()").count(), 1, "{t}");
        assert!(t.contains("let __fim_t0: f64 = x.sqrt();"), "{t}");
        assert!(t.contains("[__fim_t0 * y, z / __fim_t0, __fim_t0]"), "{t}");
        // A lone power used twice is bound as that power; a lone inverse reads it.
        let p = f.a.powr(x, ratio(5, 3));
        let q = f.a.powr(x, ratio(-5, 3));
        let t = f.text(&[p, p, q]);
        assert_eq!(t.matches(".powf(").count(), 1, "{t}");
        assert!(
            t.contains("let __fim_t0: f64 = x.powf(5.0_f64 / 3.0_f64);"),
            "{t}"
        );
        assert!(
            t.contains("[__fim_t0, __fim_t0, 1.0_f64 / __fim_t0]"),
            "{t}"
        );
        // Used once, a lone inverse keeps the signed exponent.
        let t = f.text(&[q]);
        assert!(t.contains("x.powf(-5.0_f64 / 3.0_f64)"), "{t}");
    }

    #[test]
    fn output_is_deterministic() {
        let build = || {
            let mut f = Fx::new();
            let mut g = Gen::new(7);
            let roots: Vec<Id> = (0..5).map(|_| g.expr(&mut f, 4)).collect();
            let e = f.emit(&roots);
            let lets: Vec<String> = e.lets.iter().map(|t| t.to_string()).collect();
            let values: Vec<String> = e.values.iter().map(|t| t.to_string()).collect();
            (lets, values)
        };
        assert_eq!(build(), build());
    }

    #[test]
    fn polygamma_of_higher_order_calls_the_run_time_polygamma() {
        let mut f = Fx::new();
        let p = f.a.polygamma(2, f.x);
        let e = f.emit(&[p]);
        assert_eq!(
            e.values[0].to_string(),
            ":: fim :: special :: polygamma (2 , x)"
        );
    }

    #[test]
    fn wide_code_reads_every_leaf_as_wide() {
        // x ψ₁(x) − 1 with a shared ψ₁: constants and π are `Wide`, the binding is `Wide`,
        // the special function is the `wide` module's.
        let mut f = Fx::new();
        let t = f.a.polygamma(1, f.x);
        let pi = f.a.pi();
        let xt = f.a.mul([f.x, t]);
        let one = f.a.int(1);
        let s = f.a.sub(xt, one);
        let u = f.a.mul([t, pi]);
        let vars: HashMap<Symbol, TokenStream> = f
            .vars()
            .into_iter()
            .map(|(k, v)| (k, quote!(W(#v))))
            .collect();
        let e = emit_wide(&f.a, &[s, u], &vars).expect("emits");
        let lets: Vec<String> = e.lets.iter().map(|l| l.to_string()).collect();
        assert_eq!(
            lets,
            ["let __fim_t0 : :: fim :: __private :: wide :: Wide = :: fim :: __private :: wide :: trigamma (W (x)) ;"]
        );
        let values: Vec<String> = e.values.iter().map(|v| v.to_string()).collect();
        assert_eq!(
            values,
            [
                "W (x) * __fim_t0 - :: fim :: __private :: wide :: Wide :: from (1.0_f64)",
                ":: fim :: __private :: wide :: Wide :: from (:: core :: f64 :: consts :: PI) * __fim_t0"
            ]
        );
    }

    #[test]
    fn missing_symbol_is_an_error() {
        let mut f = Fx::new();
        let w = f.a.var("w");
        let s = f.a.add([f.x, w]);
        let err = emit(&f.a, &[s], &f.vars()).expect_err("w has no tokens");
        assert!(err.contains("`w`"), "{err}");
    }

    #[test]
    fn compound_variable_tokens_are_parenthesized() {
        let mut f = Fx::new();
        let mut vars = f.vars();
        let sx = f.a.find_symbol("x").expect("x");
        let sy = f.a.find_symbol("y").expect("y");
        vars.insert(sx, quote!(a + b));
        vars.insert(sy, quote!(p[0]));
        let l = f.a.ln(f.x);
        let m = f.a.mul([f.x, f.y]);
        let y2 = f.a.powi(f.y, 2);
        let e = emit(&f.a, &[l, m, y2], &vars).expect("emits");
        let text: Vec<String> = e.values.iter().map(|t| t.to_string()).collect();
        assert_eq!(
            text,
            ["(a + b) . ln ()", "(a + b) * p [0]", "p [0] * p [0]"]
        );
    }

    // ---- agreement with Arena::eval ----------------------------------------------------------

    /// Evaluates the emitted function's body at `(x, y, z)`: one value per root.
    fn run(f: &syn::ItemFn, p: [f64; 3]) -> Vec<f64> {
        let mut env: HashMap<String, f64> = ["x", "y", "z"]
            .iter()
            .zip(p)
            .map(|(n, v)| (n.to_string(), v))
            .collect();
        for s in &f.block.stmts {
            match s {
                syn::Stmt::Local(l) => {
                    let syn::Pat::Type(t) = &l.pat else {
                        panic!("untyped let")
                    };
                    let syn::Pat::Ident(name) = &*t.pat else {
                        panic!("let pattern")
                    };
                    let init = l.init.as_ref().expect("initializer");
                    let v = ev(&init.expr, &env);
                    env.insert(name.ident.to_string(), v);
                }
                syn::Stmt::Expr(syn::Expr::Array(a), None) => {
                    return a.elems.iter().map(|e| ev(e, &env)).collect();
                }
                syn::Stmt::Expr(e, None) => return vec![ev(e, &env)],
                s => panic!("unexpected statement {}", quote!(#s)),
            }
        }
        panic!("no tail expression")
    }

    fn path_text(p: &syn::Path) -> String {
        let segs: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        let lead = if p.leading_colon.is_some() { "::" } else { "" };
        format!("{lead}{}", segs.join("::"))
    }

    /// A tiny interpreter for exactly the Rust that `emit` writes.
    fn ev(e: &syn::Expr, env: &HashMap<String, f64>) -> f64 {
        use syn::{BinOp, Expr, Lit, UnOp};
        match e {
            Expr::Lit(l) => match &l.lit {
                Lit::Float(f) => {
                    assert_eq!(f.suffix(), "f64", "untyped float literal");
                    f.base10_parse().expect("float")
                }
                Lit::Int(i) => i.base10_parse::<i64>().expect("int") as f64,
                l => panic!("literal {}", quote!(#l)),
            },
            Expr::Paren(p) => ev(&p.expr, env),
            Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => -ev(&u.expr, env),
            Expr::Binary(b) => {
                let (l, r) = (ev(&b.left, env), ev(&b.right, env));
                match b.op {
                    BinOp::Add(_) => l + r,
                    BinOp::Sub(_) => l - r,
                    BinOp::Mul(_) => l * r,
                    BinOp::Div(_) => l / r,
                    op => panic!("operator {}", quote!(#op)),
                }
            }
            Expr::Path(p) => match path_text(&p.path).as_str() {
                "::core::f64::consts::PI" => std::f64::consts::PI,
                "::core::primitive::f64::INFINITY" => f64::INFINITY,
                name => *env.get(name).unwrap_or_else(|| panic!("unbound `{name}`")),
            },
            Expr::MethodCall(m) => {
                let r = ev(&m.receiver, env);
                let args: Vec<&Expr> = m.args.iter().collect();
                match (m.method.to_string().as_str(), args.as_slice()) {
                    ("ln", []) => r.ln(),
                    ("exp", []) => r.exp(),
                    ("sqrt", []) => r.sqrt(),
                    ("abs", []) => r.abs(),
                    ("powi", [n]) => {
                        let n = ev(n, env);
                        assert_eq!(n, n.trunc());
                        r.powi(n as i32)
                    }
                    ("powf", [p]) => r.powf(ev(p, env)),
                    (name, []) => special::resolve(name, Form::Method, None)
                        .unwrap_or_else(|| panic!("method {name}"))
                        .value(r),
                    (name, _) => panic!("method {name}"),
                }
            }
            Expr::Call(c) => {
                let Expr::Path(p) = &*c.func else {
                    panic!("call of {}", quote!(#c))
                };
                let path = path_text(&p.path);
                let name = path
                    .strip_prefix("::fim::special::")
                    .unwrap_or_else(|| panic!("function {path}"));
                let args: Vec<&Expr> = c.args.iter().collect();
                let (order, a) = match args[..] {
                    [a] => (None, a),
                    [k, a] => (Some(ev(k, env) as u32), a),
                    _ => panic!("arity"),
                };
                special::resolve(name, Form::Free, order)
                    .unwrap_or_else(|| panic!("function {path}"))
                    .value(ev(a, env))
            }
            e => panic!("unexpected expression {}", quote!(#e)),
        }
    }

    const U: f64 = f64::EPSILON / 2.0;

    /// First-order bound on the rounding error of evaluating `id` in `f64` in any operation
    /// order, as (value, absolute error bound, largest intermediate magnitude). Two evaluations
    /// of an ill-conditioned expression (cancellation, a function near a zero or a pole) may
    /// differ by far more than 1e-12 relative; this measures how much they may.
    fn bound(
        a: &Arena,
        id: Id,
        env: &HashMap<Symbol, f64>,
        memo: &mut HashMap<Id, (f64, f64, f64)>,
    ) -> (f64, f64, f64) {
        if let Some(&b) = memo.get(&id) {
            return b;
        }
        let rel = |v: f64, e: f64| if e == 0.0 { 0.0 } else { e / v.abs() };
        let mut sub = |c: Id| bound(a, c, env, memo);
        let (v, err, big) = match a.node(id) {
            Node::Num(r) => {
                let v = rat_to_f64(r);
                (v, U * v.abs(), v.abs())
            }
            Node::Pi => (std::f64::consts::PI, U * 4.0, 4.0),
            Node::Sym(s) => (env[s], 0.0, env[s].abs()),
            Node::Add(ts) => {
                let (mut v, mut err, mut big, mut mag) = (0.0, 0.0, 0.0f64, 0.0);
                for &t in ts.iter() {
                    let (tv, te, tb) = sub(t);
                    v += tv;
                    err += te;
                    mag += tv.abs();
                    big = big.max(tb);
                }
                (v, err + ts.len() as f64 * U * mag, big.max(v.abs()))
            }
            Node::Mul(c, fs) => {
                let (mut v, mut r, mut big) = (rat_to_f64(c), U, 0.0f64);
                for (b, e) in fs.iter() {
                    let (bv, be, bb) = sub(*b);
                    let ef = rat_to_f64(e);
                    v *= bv.powf(ef);
                    r += ef.abs() * rel(bv, be) + (ef.abs() + 3.0) * U;
                    // A negative power is emitted as a division by the positive one, whose
                    // magnitude is the intermediate (1/(1 + 49x²)^150 overflows at x = 1.55
                    // where its value, 4e-312, does not).
                    big = big.max(bb).max(v.abs()).max(bv.abs().powf(ef.abs()));
                }
                (v, v.abs() * r, big)
            }
            Node::Pow(b, e) => {
                let ((bv, be, bb), (ev, ee, eb)) = (sub(*b), sub(*e));
                let v = bv.powf(ev);
                let r = ev.abs() * rel(bv, be) + bv.abs().ln().abs() * ee + 4.0 * U;
                (v, v.abs() * r, bb.max(eb).max(v.abs()))
            }
            Node::Ln(x) => {
                let (xv, xe, xb) = sub(*x);
                let v = xv.ln();
                (v, rel(xv, xe) + U * v.abs(), xb.max(v.abs()))
            }
            Node::Exp(x) => {
                let (xv, xe, xb) = sub(*x);
                let v = xv.exp();
                (v, v * (xe + U), xb.max(v))
            }
            Node::Abs(x) => {
                let (xv, xe, xb) = sub(*x);
                (xv.abs(), xe, xb)
            }
            Node::Special(g, x) => {
                let (xv, xe, xb) = sub(*x);
                let f = |t: f64| g.value(t);
                // The derivative, by a central difference: enough to scale a tolerance. The
                // step stays small for large arguments, where a periodic function (cos of
                // 1e10) would otherwise be differenced over many periods.
                let h = 1e-5 * xv.abs().clamp(1.0, 100.0);
                let d = (f(xv + h) - f(xv - h)) / (2.0 * h);
                let v = f(xv);
                (v, d.abs() * xe + U * v.abs(), xb.max(v.abs()))
            }
        };
        memo.insert(id, (v, err, big));
        (v, err, big)
    }

    /// Checks the emitted code against `Arena::eval` at `p` wherever the latter is finite and
    /// no intermediate overflows; returns how many roots were compared.
    fn check_at(f: &Fx, roots: &[Id], item: &syn::ItemFn, p: [f64; 3]) -> usize {
        let env = f.env(p);
        let got = run(item, p);
        assert_eq!(got.len(), roots.len());
        let mut compared = 0;
        let mut memo = HashMap::new();
        for (&r, &g) in roots.iter().zip(&got) {
            let want = f.a.eval(r, &env);
            let (_, err, big) = bound(&f.a, r, &env, &mut memo);
            if !want.is_finite() || !err.is_finite() || big > 1e100 {
                continue;
            }
            let tol = 1e-12 * want.abs() + 64.0 * err;
            assert!(
                (g - want).abs() <= tol,
                "at {p:?}: emitted {g}, eval {want}, tolerance {tol}\nroot: {}\n{}",
                crate::print::rust(&f.a, r),
                pretty(item)
            );
            compared += 1;
        }
        compared
    }

    /// Deterministic random expressions over x, y, z; earlier subexpressions are reused so
    /// that the roots share nodes.
    struct Gen {
        s: u64,
        pool: Vec<Id>,
    }

    impl Gen {
        fn new(seed: u64) -> Self {
            Gen {
                s: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
                pool: Vec::new(),
            }
        }

        fn below(&mut self, n: u64) -> u64 {
            // xorshift64*
            self.s ^= self.s >> 12;
            self.s ^= self.s << 25;
            self.s ^= self.s >> 27;
            (self.s.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) % n
        }

        fn leaf(&mut self, f: &mut Fx) -> Id {
            match self.below(9) {
                0 | 3 => f.x,
                1 | 4 => f.y,
                2 => f.z,
                5 => f.a.pi(),
                6 => f.a.num(ratio(1, 3)),
                7 => f.a.num(ratio(-5, 2)),
                _ => {
                    let n = self.below(7) as i64 - 3;
                    f.a.int(n)
                }
            }
        }

        fn expr(&mut self, f: &mut Fx, depth: u32) -> Id {
            if depth == 0 || self.below(5) == 0 {
                if !self.pool.is_empty() && self.below(6) == 0 {
                    let i = self.below(self.pool.len() as u64) as usize;
                    return self.pool[i];
                }
                return self.leaf(f);
            }
            let a = self.expr(f, depth - 1);
            let one = f.a.int(1);
            let a2 = f.a.powi(a, 2);
            let pos = f.a.add([one, a2]);
            let id = match self.below(15) {
                0 => {
                    let b = self.expr(f, depth - 1);
                    f.a.add([a, b])
                }
                1 => {
                    let b = self.expr(f, depth - 1);
                    f.a.sub(a, b)
                }
                2 => {
                    let b = self.expr(f, depth - 1);
                    f.a.mul([a, b])
                }
                3 => {
                    let b = self.expr(f, depth - 1);
                    f.a.div(a, b)
                }
                4 => {
                    let n = [-6, -4, -3, -2, -1, 2, 3, 4, 5][self.below(9) as usize];
                    f.a.powi(a, n)
                }
                5 => f.a.sqrt(pos),
                6 => f.a.powr(pos, ratio(-1, 2)),
                7 => f.a.powr(pos, ratio(2, 3)),
                8 => f.a.ln(pos),
                9 => f.a.exp(a),
                10 => f.a.ln_gamma(pos),
                11 => f.a.polygamma(self.below(2) as u32, pos),
                12 => f.a.abs(a),
                13 => table_function(f, self.below(TABLE.len() as u64) as usize, a),
                _ => {
                    let b = self.expr(f, depth - 1);
                    f.a.pow(pos, b)
                }
            };
            self.pool.push(id);
            id
        }
    }

    /// The `i`-th function of the table at order 0 (0 or 1 for ψ), of `a`, or of 1 + a² for
    /// a function whose argument must be positive: every entry, present and future.
    fn table_function(f: &mut Fx, i: usize, a: Id) -> Id {
        let e = &TABLE[i % TABLE.len()];
        let arg = if e.positive_argument {
            let one = f.a.int(1);
            let a2 = f.a.powi(a, 2);
            f.a.add([one, a2])
        } else {
            a
        };
        // Orders only for the functions that have them (ψ).
        let ordered = e.names.iter().any(|n| n.order != Order::Fixed(0));
        let order = u32::from(ordered && i / TABLE.len() % 2 == 1);
        f.a.special(Special { fun: e.fun, order }, arg)
    }

    const POINTS: [[f64; 3]; 4] = [
        [0.7, 1.3, 2.1],
        [1.9, 0.45, 0.8],
        [-0.6, 2.4, 1.1],
        [2.7, -1.2, 0.35],
    ];

    #[test]
    fn emitted_code_agrees_with_eval() {
        let mut f = Fx::new();
        let mut g = Gen::new(2024);
        let (mut compared, mut total) = (0, 0);
        for _ in 0..30 {
            let r1 = g.expr(&mut f, 4);
            let r2 = g.expr(&mut f, 3);
            let r3 = f.a.mul([r1, r2]);
            let roots = [r1, r2, r3];
            let it = item(&f.emit(&roots));
            for p in POINTS {
                compared += check_at(&f, &roots, &it, p);
                total += roots.len();
            }
        }
        // The comparison must not be vacuous.
        assert!(compared * 10 >= total * 7, "compared {compared} of {total}");
    }

    /// A random expression, as a recipe built into an arena.
    #[derive(Clone, Debug)]
    enum R {
        Var(u8),
        Int(i8),
        Frac(i8, u8),
        Pi,
        Add(Box<R>, Box<R>),
        Sub(Box<R>, Box<R>),
        Mul(Box<R>, Box<R>),
        Div(Box<R>, Box<R>),
        Powi(Box<R>, i8),
        Powr(Box<R>, i8, u8),
        Sqrt(Box<R>),
        Ln(Box<R>),
        Exp(Box<R>),
        Abs(Box<R>),
        LnGamma(Box<R>),
        Polygamma(u8, Box<R>),
        /// A function of the table, by index.
        Fun(u8, Box<R>),
        Pow(Box<R>, Box<R>),
    }

    fn build(f: &mut Fx, r: &R) -> Id {
        let pos = |f: &mut Fx, r: &R| {
            let a = build(f, r);
            let one = f.a.int(1);
            let a2 = f.a.powi(a, 2);
            f.a.add([one, a2])
        };
        match r {
            R::Var(i) => [f.x, f.y, f.z][*i as usize % 3],
            R::Int(n) => f.a.int(*n as i64),
            R::Frac(n, d) => f.a.num(ratio(*n as i64, *d as i64)),
            R::Pi => f.a.pi(),
            R::Add(a, b) | R::Sub(a, b) | R::Mul(a, b) | R::Div(a, b) => {
                let (a, b) = (build(f, a), build(f, b));
                match r {
                    R::Add(..) => f.a.add([a, b]),
                    R::Sub(..) => f.a.sub(a, b),
                    R::Mul(..) => f.a.mul([a, b]),
                    _ => f.a.div(a, b),
                }
            }
            R::Powi(a, n) => {
                let a = build(f, a);
                f.a.powi(a, *n as i64)
            }
            R::Powr(a, n, d) => {
                let a = pos(f, a);
                f.a.powr(a, ratio(*n as i64, *d as i64))
            }
            R::Sqrt(a) => {
                let a = pos(f, a);
                f.a.sqrt(a)
            }
            R::Ln(a) => {
                let a = pos(f, a);
                f.a.ln(a)
            }
            R::Exp(a) => {
                let a = build(f, a);
                f.a.exp(a)
            }
            R::Abs(a) => {
                let a = build(f, a);
                f.a.abs(a)
            }
            R::LnGamma(a) => {
                let a = pos(f, a);
                f.a.ln_gamma(a)
            }
            R::Polygamma(k, a) => {
                let a = pos(f, a);
                f.a.polygamma(*k as u32 % 2, a)
            }
            R::Fun(i, a) => {
                let a = build(f, a);
                table_function(f, *i as usize, a)
            }
            R::Pow(a, b) => {
                let a = pos(f, a);
                let b = build(f, b);
                f.a.pow(a, b)
            }
        }
    }

    fn recipe() -> impl Strategy<Value = R> {
        let leaf = prop_oneof![
            (0u8..3).prop_map(R::Var),
            (-4i8..=4).prop_map(R::Int),
            (-9i8..=9, 1u8..=8).prop_map(|(n, d)| R::Frac(n, d)),
            Just(R::Pi),
        ];
        leaf.prop_recursive(5, 48, 2, |inner| {
            let b = || inner.clone().prop_map(Box::new);
            prop_oneof![
                (b(), b()).prop_map(|(a, b)| R::Add(a, b)),
                (b(), b()).prop_map(|(a, b)| R::Sub(a, b)),
                (b(), b()).prop_map(|(a, b)| R::Mul(a, b)),
                (b(), b()).prop_map(|(a, b)| R::Div(a, b)),
                (b(), -7i8..=7).prop_map(|(a, n)| R::Powi(a, n)),
                (b(), -7i8..=7, 1u8..=6).prop_map(|(a, n, d)| R::Powr(a, n, d)),
                b().prop_map(R::Sqrt),
                b().prop_map(R::Ln),
                b().prop_map(R::Exp),
                b().prop_map(R::Abs),
                b().prop_map(R::LnGamma),
                (0u8..2, b()).prop_map(|(k, a)| R::Polygamma(k, a)),
                (any::<u8>(), b()).prop_map(|(i, a)| R::Fun(i, a)),
                (b(), b()).prop_map(|(a, b)| R::Pow(a, b)),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn emitted_code_agrees_with_eval_prop(
            r1 in recipe(),
            r2 in recipe(),
            p in [-3.0f64..3.0, -3.0f64..3.0, -3.0f64..3.0],
        ) {
            let mut f = Fx::new();
            let (a, b) = (build(&mut f, &r1), build(&mut f, &r2));
            // Roots that share: both trees, their product and a function of the first.
            let ab = f.a.mul([a, b]);
            let one = f.a.int(1);
            let a2 = f.a.powi(a, 2);
            let pos = f.a.add([one, a2]);
            let l = f.a.ln(pos);
            let roots = [a, b, ab, l];
            let it = item(&f.emit(&roots));
            check_at(&f, &roots, &it, p);
        }
    }
}
