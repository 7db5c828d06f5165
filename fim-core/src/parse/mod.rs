//! `syn` → IR: the body of a log-likelihood as an [`Ir`] expression.
//!
//! [`check_depth`] runs first, iteratively, on raw tokens, so that nothing recursive (syn's
//! parser, syn's `Drop`, `Spanned`) ever sees input deep enough to overflow a 2 MiB stack. The
//! converter itself walks syn's tree with an explicit stack. Errors point at the most specific
//! token and are combined, so a body reports every unsupported construct at once.

use std::str::FromStr;

use num_traits::{ToPrimitive, Zero};
use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use rustc_hash::FxHashMap as HashMap;
use syn::spanned::Spanned;
use syn::{BinOp, Expr, Lit, Pat, Stmt, Type, UnOp};

use crate::expr::special::{self, Form};
use crate::expr::{rat, ratio, BigInt, Id, Ir, Rational, Special};

mod depth;

use depth::too_deep;
pub use depth::{check_depth, MAX_DEPTH};

/// Deepest IR returned (after inlining `let` bindings); bounds the recursive walks downstream.
const MAX_IR_DEPTH: usize = 4 * MAX_DEPTH;

/// The elementary methods; the special-function table adds its own.
const ELEMENTARY: &str = "ln, exp, sqrt, powi, powf, recip, ln_1p, exp_m1, abs";

/// The supported methods, as quoted in error messages.
fn methods() -> String {
    let mut all = vec![ELEMENTARY];
    all.extend(special::names(Form::Method));
    all.join(", ")
}

/// The supported free functions (of `fim::special`), as quoted in error messages.
fn functions() -> String {
    special::names(Form::Free).join(", ")
}

/// What an expression may contain, as quoted in error messages.
fn supported() -> String {
    format!(
        "supported are + - * /, unary -, parentheses, numeric literals, variables, the methods \
         {} (also called as `f64::ln(x)`), {}, and the constants PI and E",
        methods(),
        functions()
    )
}
/// What a body may contain, as quoted in error messages.
const BODY: &str = "a body is `let name = expr;` lines followed by one expression without `;`";
/// The constants of `std::f64::consts` that have an exact symbolic form.
const CONSTS: &[&str] = &[
    "PI",
    "TAU",
    "E",
    "FRAC_PI_2",
    "FRAC_PI_3",
    "FRAC_PI_4",
    "FRAC_PI_6",
    "FRAC_PI_8",
    "FRAC_1_PI",
    "FRAC_2_PI",
    "FRAC_2_SQRT_PI",
    "SQRT_2",
    "FRAC_1_SQRT_2",
    "LN_2",
    "LN_10",
    "LOG2_E",
    "LOG10_E",
    "LOG2_10",
    "LOG10_2",
];

/// `let` bindings in scope: name → value.
type Scope = HashMap<String, Id>;

/// syn::Expr -> IR, with no `let` bindings in scope.
///
/// Every single-identifier path becomes [`Ir::var`], except the constants `PI`, `E` (and the
/// other exact `std::f64::consts`). The walk is iterative, so any tree syn could build is safe;
/// error spans are found with syn's `Spanned`, which is recursive, so run [`check_depth`] on the
/// tokens first as [`parse_str`] and the macro do.
pub fn expr(arena: &mut Ir, e: &syn::Expr) -> syn::Result<Id> {
    let mut errors = Vec::new();
    let id = convert(arena, &Scope::default(), e, &mut errors);
    let id = id.and_then(|id| shallow(arena, id, e, &mut HashMap::default(), &mut errors));
    finish(id, errors, || e.span())
}

/// A function body: a block of `let name = expr;` (optionally `let name: f64 = expr;`) lines and
/// a tail expression. Bindings are inlined (substituted), shadowing allowed.
///
/// Every unsupported statement and expression is reported, combined into one error.
pub fn block(arena: &mut Ir, b: &syn::Block) -> syn::Result<Id> {
    statements(arena, &b.stmts, b.brace_token.span.join(), &mut Vec::new())
}

/// A `let` binding of a body: its name and its value with earlier bindings inlined.
pub type Binding = (String, Id);

/// [`block`], also returning the `let` bindings in the order they are written (a shadowed
/// name appears once per binding), so that the caller can speak in the user's names.
pub fn block_with_bindings(arena: &mut Ir, b: &syn::Block) -> syn::Result<(Id, Vec<Binding>)> {
    let mut bindings = Vec::new();
    let id = statements(arena, &b.stmts, b.brace_token.span.join(), &mut bindings)?;
    Ok((id, bindings))
}

/// Parses source text: either an expression (`x * theta.ln()`) or a block body with lets
/// (`let a = 1.0 - theta; x * a.ln()`), for tests, examples and tools. Runs `check_depth` on the
/// raw text before anything recursive touches it.
///
/// proc-macro2's own lexer (used outside a compiler) is iterative and drops token trees without
/// recursion, so the text is lexed and then checked; a cheap bracket count on the text guards
/// the compiler's lexer when this runs inside a proc macro.
pub fn parse_str(arena: &mut Ir, src: &str) -> syn::Result<Id> {
    let mut open = 0usize;
    for b in src.bytes() {
        match b {
            b'(' | b'[' | b'{' => {
                open += 1;
                if open > MAX_DEPTH {
                    return Err(too_deep(Span::call_site()));
                }
            }
            b')' | b']' | b'}' => open = open.saturating_sub(1),
            _ => {}
        }
    }
    let tokens = TokenStream::from_str(src)
        .map_err(|e| syn::Error::new(e.span(), format!("cannot read the input as tokens: {e}")))?;
    parse_tokens(arena, tokens)
}

/// Parses the exact value of a numeric literal (`0.1` is 1/10, `1e-3` is 1/1000, `2`, `2.0`,
/// `2f64`, `2.0_f64`, `1_000.5`).
///
/// Only an `f64` suffix (or none) is accepted; a value beyond `f64::MAX` is an error.
pub fn literal(lit: &syn::Lit) -> syn::Result<Rational> {
    let (digits, suffix) = match lit {
        Lit::Int(i) => (i.base10_digits(), i.suffix()),
        Lit::Float(f) => (f.base10_digits(), f.suffix()),
        other => {
            let text = other.to_token_stream().to_string();
            return Err(syn::Error::new(
                other.span(),
                format!("unsupported literal `{text}`: only numeric literals are supported"),
            ));
        }
    };
    if !(suffix.is_empty() || suffix == "f64") {
        let text = lit.to_token_stream().to_string();
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "unsupported literal suffix `{suffix}` in `{text}`: use an f64 literal such as \
                 `1.0` or `1.0_f64`"
            ),
        ));
    }
    decimal(digits).ok_or_else(|| {
        let text = lit.to_token_stream().to_string();
        syn::Error::new(
            lit.span(),
            format!("literal `{text}` is out of range for f64"),
        )
    })
}

// ---- statements ---------------------------------------------------------------------------

/// Checks the depth of `tokens`, parses them as a body and converts it.
fn parse_tokens(arena: &mut Ir, tokens: TokenStream) -> syn::Result<Id> {
    check_depth(&tokens)?;
    let stmts = syn::parse::Parser::parse2(syn::Block::parse_within, tokens)?;
    statements(arena, &stmts, Span::call_site(), &mut Vec::new())
}

/// Converts `let` lines and a tail expression; `whole` is where an empty body is reported.
/// Each binding is also appended to `bindings`.
fn statements(
    arena: &mut Ir,
    stmts: &[Stmt],
    whole: Span,
    bindings: &mut Vec<Binding>,
) -> syn::Result<Id> {
    let mut lets = Scope::default();
    let mut depths = HashMap::default();
    let mut errors = Vec::new();
    let mut tail = None;
    for (i, stmt) in stmts.iter().enumerate() {
        let last = i + 1 == stmts.len();
        match stmt {
            Stmt::Local(local) => {
                let name = let_name(&local.pat, &mut errors);
                let value = match &local.init {
                    None => {
                        errors.push(syn::Error::new(
                            local.pat.span(),
                            "`let` without a value: write `let name = expr;`",
                        ));
                        None
                    }
                    Some(init) => {
                        if let Some((else_token, _)) = &init.diverge {
                            errors.push(syn::Error::new(
                                else_token.span,
                                format!("unsupported `let … else`: {BODY}"),
                            ));
                        }
                        convert(arena, &lets, &init.expr, &mut errors)
                            .and_then(|id| shallow(arena, id, &init.expr, &mut depths, &mut errors))
                    }
                };
                if let (Some(name), Some(value)) = (name, value) {
                    bindings.push((name.clone(), value));
                    lets.insert(name, value);
                }
                if last {
                    errors.push(syn::Error::new(
                        local.semi_token.span,
                        format!("the body has no tail expression: {BODY}"),
                    ));
                }
            }
            Stmt::Expr(e, None) if last => {
                tail = convert(arena, &lets, e, &mut errors)
                    .and_then(|id| shallow(arena, id, e, &mut depths, &mut errors));
            }
            Stmt::Expr(_, Some(semi)) if last => errors.push(syn::Error::new(
                semi.span,
                "the body has no tail expression: remove the `;` after the last expression",
            )),
            Stmt::Expr(e, _) => errors.push(syn::Error::new(
                e.span(),
                format!("unsupported statement: {BODY}"),
            )),
            Stmt::Item(item) => errors.push(syn::Error::new(
                item.span(),
                format!("unsupported item in a body: {BODY}"),
            )),
            Stmt::Macro(m) => errors.push(syn::Error::new(
                m.mac.path.span(),
                format!("unsupported macro `{}!`: {BODY}", path_text(&m.mac.path)),
            )),
        }
    }
    if stmts.is_empty() {
        errors.push(syn::Error::new(whole, "empty body: expected an expression"));
    }
    finish(tail, errors, || whole)
}

/// The bound name of a `let` pattern: a plain identifier, optionally typed `f64`.
fn let_name(pat: &Pat, errors: &mut Vec<syn::Error>) -> Option<String> {
    let mut pat = pat;
    if let Pat::Type(typed) = pat {
        if !is_f64(&typed.ty) {
            let text = typed.ty.to_token_stream().to_string();
            errors.push(syn::Error::new(
                typed.ty.span(),
                format!("unsupported type `{text}` in `let`: only `f64`"),
            ));
        }
        pat = &typed.pat;
    }
    match pat {
        Pat::Ident(p) => {
            let mut ok = true;
            if let Some(r) = &p.by_ref {
                errors.push(syn::Error::new(
                    r.span,
                    "unsupported `ref` in `let`: write `let name = expr;`",
                ));
                ok = false;
            }
            if let Some(m) = &p.mutability {
                errors.push(syn::Error::new(
                    m.span,
                    "unsupported `mut` in `let`: bindings are never reassigned; write \
                     `let name = expr;`",
                ));
                ok = false;
            }
            if let Some((at, _)) = &p.subpat {
                errors.push(syn::Error::new(
                    at.span,
                    "unsupported `@` pattern in `let`: write `let name = expr;`",
                ));
                ok = false;
            }
            ok.then(|| p.ident.to_string())
        }
        other => {
            errors.push(syn::Error::new(
                other.span(),
                "unsupported pattern in `let`: only a plain identifier, as in `let name = expr;`",
            ));
            None
        }
    }
}

/// `id` if its IR is at most [`MAX_IR_DEPTH`] deep, else an error at `source`.
///
/// Depths are memoized in `depths` across the statements of a body, and found without
/// recursion: children are always created before their parents.
fn shallow(
    arena: &Ir,
    id: Id,
    source: &Expr,
    depths: &mut HashMap<Id, usize>,
    errors: &mut Vec<syn::Error>,
) -> Option<Id> {
    let mut stack = vec![(id, false)];
    while let Some((node, children_done)) = stack.pop() {
        if depths.contains_key(&node) {
            continue;
        }
        let children = arena.children(node);
        if children_done {
            let deepest = children.iter().filter_map(|c| depths.get(c)).max();
            depths.insert(node, 1 + deepest.copied().unwrap_or(0));
        } else {
            stack.push((node, true));
            stack.extend(children.into_iter().map(|c| (c, false)));
        }
    }
    if depths.get(&id).copied().unwrap_or(0) <= MAX_IR_DEPTH {
        return Some(id);
    }
    errors.push(syn::Error::new(
        source.span(),
        format!(
            "expression nested too deeply after inlining `let` bindings: more than \
             {MAX_IR_DEPTH} levels (4 * MAX_DEPTH)"
        ),
    ));
    None
}

/// The value if there were no errors, else all errors combined.
fn finish(id: Option<Id>, errors: Vec<syn::Error>, span: impl FnOnce() -> Span) -> syn::Result<Id> {
    let mut errors = errors.into_iter();
    match (errors.next(), id) {
        (Some(mut first), _) => {
            for e in errors {
                first.combine(e);
            }
            Err(first)
        }
        (None, Some(id)) => Ok(id),
        (None, None) => Err(syn::Error::new(span(), "expected an expression")),
    }
}

// ---- expressions --------------------------------------------------------------------------

/// A function of one argument.
#[derive(Clone, Copy, Debug)]
enum Fun {
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

/// A supported `f64` method.
#[derive(Clone, Copy, Debug)]
enum Method {
    Unary(Fun),
    PowI,
    PowF,
}

fn method(name: &str) -> Option<Method> {
    Some(match name {
        "ln" => Method::Unary(Fun::Ln),
        "exp" => Method::Unary(Fun::Exp),
        "sqrt" => Method::Unary(Fun::Sqrt),
        "recip" => Method::Unary(Fun::Recip),
        "ln_1p" => Method::Unary(Fun::Ln1p),
        "exp_m1" => Method::Unary(Fun::ExpM1),
        "abs" => Method::Unary(Fun::Abs),
        "powi" => Method::PowI,
        "powf" => Method::PowF,
        _ => match special::lookup(name, Form::Method)? {
            (fun, Some(order)) => Method::Unary(Fun::Special(Special { fun, order })),
            // No method takes an order.
            (_, None) => return None,
        },
    })
}

/// One step of the explicit-stack walk.
enum Task<'a> {
    Visit(&'a Expr),
    Apply(Op<'a>),
}

/// Combines the values its operands left on the value stack (`None` marks an error).
enum Op<'a> {
    Add,
    Sub,
    Mul,
    Div(&'a Expr),
    Neg,
    Fun(Fun, Span),
    PowI(Option<i64>, Span),
    PowF(Span),
    /// Drops this many operands and yields an error marker.
    Fail(usize),
}

/// Converts `root` without recursion; errors go to `errors`, `None` if there were any.
fn convert(arena: &mut Ir, lets: &Scope, root: &Expr, errors: &mut Vec<syn::Error>) -> Option<Id> {
    let mut tasks = vec![Task::Visit(root)];
    let mut values: Vec<Option<Id>> = Vec::new();
    while let Some(task) = tasks.pop() {
        match task {
            Task::Visit(e) => {
                if let Some(v) = visit(arena, lets, e, &mut tasks, errors) {
                    values.push(v);
                }
            }
            Task::Apply(op) => {
                let v = apply(arena, op, &mut values, errors);
                values.push(v);
            }
        }
    }
    values.pop().flatten()
}

/// Schedules the children of `e`, or returns its value when it is a leaf or an error.
fn visit<'a>(
    arena: &mut Ir,
    lets: &Scope,
    e: &'a Expr,
    tasks: &mut Vec<Task<'a>>,
    errors: &mut Vec<syn::Error>,
) -> Option<Option<Id>> {
    let mut fail = |span: Span, msg: String| {
        errors.push(syn::Error::new(span, msg));
        Some(None)
    };
    match e {
        Expr::Lit(l) => Some(match literal(&l.lit) {
            Ok(r) => Some(arena.num(r)),
            Err(err) => {
                errors.push(err);
                None
            }
        }),
        Expr::Path(p) => Some(match path_value(arena, lets, p) {
            Ok(id) => Some(id),
            Err(err) => {
                errors.push(err);
                None
            }
        }),
        Expr::Paren(p) => {
            tasks.push(Task::Visit(&p.expr));
            None
        }
        Expr::Group(g) => {
            tasks.push(Task::Visit(&g.expr));
            None
        }
        Expr::Binary(b) => {
            let op = match b.op {
                BinOp::Add(_) => Op::Add,
                BinOp::Sub(_) => Op::Sub,
                BinOp::Mul(_) => Op::Mul,
                BinOp::Div(_) => Op::Div(&b.right),
                other => {
                    let text = other.to_token_stream().to_string();
                    errors.push(syn::Error::new(
                        other.span(),
                        format!("unsupported operator `{text}`: supported are + - * / and unary -"),
                    ));
                    Op::Fail(2)
                }
            };
            tasks.push(Task::Apply(op));
            tasks.push(Task::Visit(&b.right));
            tasks.push(Task::Visit(&b.left));
            None
        }
        Expr::Unary(u) => {
            let op = match u.op {
                UnOp::Neg(_) => Op::Neg,
                other => {
                    let text = other.to_token_stream().to_string();
                    errors.push(syn::Error::new(
                        other.span(),
                        format!("unsupported operator `{text}`: supported are + - * / and unary -"),
                    ));
                    Op::Fail(1)
                }
            };
            tasks.push(Task::Apply(op));
            tasks.push(Task::Visit(&u.expr));
            None
        }
        Expr::Cast(c) => {
            if !is_f64(&c.ty) {
                let text = c.ty.to_token_stream().to_string();
                errors.push(syn::Error::new(
                    c.ty.span(),
                    format!("unsupported cast to `{text}`: only `as f64`"),
                ));
                tasks.push(Task::Apply(Op::Fail(1)));
            }
            tasks.push(Task::Visit(&c.expr));
            None
        }
        Expr::MethodCall(m) => {
            let name = m.method.to_string();
            if let Some(turbofish) = &m.turbofish {
                errors.push(syn::Error::new(
                    turbofish.span(),
                    format!("unexpected type arguments on `{name}`"),
                ));
            }
            let args: Vec<&Expr> = m.args.iter().collect();
            match method(&name) {
                Some(meth) => {
                    let parens = m.paren_token.span.join();
                    schedule_method(
                        meth,
                        &name,
                        m.method.span(),
                        &m.receiver,
                        &args,
                        parens,
                        tasks,
                        errors,
                    )
                }
                None => {
                    errors.push(syn::Error::new(
                        m.method.span(),
                        format!("unsupported method `{name}`: supported are {}", methods()),
                    ));
                    tasks.push(Task::Apply(Op::Fail(1)));
                    tasks.push(Task::Visit(&m.receiver));
                }
            }
            None
        }
        Expr::Call(c) => {
            schedule_call(c, tasks, errors);
            None
        }
        Expr::If(x) => fail(x.if_token.span, unsupported("`if`")),
        Expr::Match(x) => fail(x.match_token.span, unsupported("`match`")),
        Expr::Closure(x) => fail(x.or1_token.span, unsupported("closure")),
        Expr::Macro(x) => {
            let name = path_text(&x.mac.path);
            fail(x.mac.path.span(), unsupported(&format!("macro `{name}!`")))
        }
        Expr::Index(x) => fail(x.bracket_token.span.join(), unsupported("indexing `[..]`")),
        Expr::Field(x) => {
            let member = x.member.to_token_stream().to_string();
            fail(
                x.member.span(),
                unsupported(&format!("field access `.{member}`")),
            )
        }
        Expr::Return(x) => fail(x.return_token.span, unsupported("`return`")),
        Expr::Block(x) => fail(
            x.block.brace_token.span.join(),
            unsupported("block `{ .. }`"),
        ),
        Expr::Unsafe(x) => fail(x.unsafe_token.span, unsupported("`unsafe` block")),
        Expr::Loop(x) => fail(x.loop_token.span, unsupported("`loop`")),
        Expr::While(x) => fail(x.while_token.span, unsupported("`while`")),
        Expr::ForLoop(x) => fail(x.for_token.span, unsupported("`for`")),
        Expr::Let(x) => fail(x.let_token.span, unsupported("`let` inside an expression")),
        Expr::Break(x) => fail(x.break_token.span, unsupported("`break`")),
        Expr::Continue(x) => fail(x.continue_token.span, unsupported("`continue`")),
        Expr::Assign(x) => fail(x.eq_token.span, unsupported("assignment `=`")),
        Expr::Range(x) => fail(x.limits.span(), unsupported("range")),
        Expr::Reference(x) => fail(x.and_token.span, unsupported("reference `&`")),
        Expr::Try(x) => fail(x.question_token.span, unsupported("`?` operator")),
        Expr::Await(x) => fail(x.await_token.span, unsupported("`.await`")),
        Expr::Tuple(x) => fail(x.paren_token.span.join(), unsupported("tuple")),
        Expr::Array(x) => fail(x.bracket_token.span.join(), unsupported("array")),
        Expr::Repeat(x) => fail(x.bracket_token.span.join(), unsupported("array")),
        Expr::Struct(x) => fail(x.brace_token.span.join(), unsupported("struct literal")),
        other => fail(other.span(), unsupported("expression")),
    }
}

fn unsupported(what: &str) -> String {
    format!("unsupported {what}: {}", supported())
}

/// Schedules `receiver.name(args)` (also used for `f64::name(receiver, args)`).
#[allow(clippy::too_many_arguments)]
fn schedule_method<'a>(
    meth: Method,
    name: &str,
    name_span: Span,
    receiver: &'a Expr,
    args: &[&'a Expr],
    parens: Span,
    tasks: &mut Vec<Task<'a>>,
    errors: &mut Vec<syn::Error>,
) {
    let wanted = match meth {
        Method::Unary(_) => 0,
        Method::PowI | Method::PowF => 1,
    };
    if args.len() != wanted {
        let span = args.get(wanted).map_or(parens, |a| a.span());
        let count = if wanted == 0 {
            "no arguments"
        } else {
            "one argument (the exponent)"
        };
        errors.push(syn::Error::new(
            span,
            format!("`{name}` takes {count}, found {}", args.len()),
        ));
        tasks.push(Task::Apply(Op::Fail(1)));
        tasks.push(Task::Visit(receiver));
        return;
    }
    match meth {
        Method::Unary(f) => tasks.push(Task::Apply(Op::Fun(f, name_span))),
        Method::PowI => {
            let n = match int_exponent(args[0]) {
                Ok(n) => Some(n),
                Err(e) => {
                    errors.push(e);
                    None
                }
            };
            tasks.push(Task::Apply(Op::PowI(n, name_span)));
        }
        Method::PowF => {
            tasks.push(Task::Apply(Op::PowF(name_span)));
            tasks.push(Task::Visit(args[0]));
        }
    }
    tasks.push(Task::Visit(receiver));
}

/// Schedules a call: `f64::ln(x)`-style methods and the free functions of the special-function
/// table (`ln_gamma(x)`, `polygamma(2, x)`).
fn schedule_call<'a>(
    c: &'a syn::ExprCall,
    tasks: &mut Vec<Task<'a>>,
    errors: &mut Vec<syn::Error>,
) {
    let path = match &*c.func {
        Expr::Path(p) if p.qself.is_none() => &p.path,
        other => {
            errors.push(syn::Error::new(
                other.span(),
                format!(
                    "unsupported call: only named functions can be called; {}",
                    supported()
                ),
            ));
            tasks.push(Task::Apply(Op::Fail(0)));
            return;
        }
    };
    let Some(last) = path.segments.last() else {
        tasks.push(Task::Apply(Op::Fail(0)));
        return;
    };
    if let Some(seg) = path.segments.iter().find(|s| !s.arguments.is_empty()) {
        errors.push(syn::Error::new(
            seg.arguments.span(),
            format!("unexpected type arguments in `{}`", path_text(path)),
        ));
    }
    let args: Vec<&Expr> = c.args.iter().collect();
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
    if let Some((fun, order)) = special::lookup(&name, Form::Free) {
        // `polygamma(n, x)`: the order is an integer literal before the argument.
        let (wanted, order) = match order {
            Some(k) => (1, Ok(k)),
            None => (2, args.first().map_or(Ok(0), |a| order_argument(&name, a))),
        };
        if args.len() != wanted {
            let span = args.get(wanted).map_or(parens, |a| a.span());
            let count = if wanted == 1 {
                "one argument".to_string()
            } else {
                format!("two arguments, the order and the argument (`{name}(2, x)`)")
            };
            errors.push(syn::Error::new(
                span,
                format!("`{name}` takes {count}, found {}", args.len()),
            ));
            tasks.push(Task::Apply(Op::Fail(0)));
            return;
        }
        match order {
            Ok(order) => {
                let f = Fun::Special(Special { fun, order });
                tasks.push(Task::Apply(Op::Fun(f, last.ident.span())));
            }
            Err(e) => {
                errors.push(e);
                tasks.push(Task::Apply(Op::Fail(1)));
            }
        }
        tasks.push(Task::Visit(args[wanted - 1]));
    } else if f64_path {
        let Some(meth) = method(&name) else {
            errors.push(syn::Error::new(
                last.ident.span(),
                format!(
                    "unsupported function `{}`: supported methods are {}",
                    path_text(path),
                    methods()
                ),
            ));
            tasks.push(Task::Apply(Op::Fail(0)));
            return;
        };
        let Some((receiver, rest)) = args.split_first() else {
            errors.push(syn::Error::new(
                parens,
                format!(
                    "`{}` takes the receiver as its first argument",
                    path_text(path)
                ),
            ));
            tasks.push(Task::Apply(Op::Fail(0)));
            return;
        };
        schedule_method(
            meth,
            &name,
            last.ident.span(),
            receiver,
            rest,
            parens,
            tasks,
            errors,
        );
    } else {
        errors.push(syn::Error::new(
            path.span(),
            format!(
                "unsupported function `{}`: supported are `f64::ln(x)`-style calls of {}, and {}",
                path_text(path),
                methods(),
                functions()
            ),
        ));
        tasks.push(Task::Apply(Op::Fail(0)));
    }
}

/// Highest order of a function such as `polygamma(n, x)`: its run-time series uses n!, which
/// overflows `f64` past 170, and no model differentiates that often.
const MAX_ORDER: u32 = 100;

/// The order argument of `name(n, x)`: a non-negative integer literal up to [`MAX_ORDER`].
fn order_argument(name: &str, e: &Expr) -> syn::Result<u32> {
    let bad = || {
        syn::Error::new(
            e.span(),
            format!("the order of `{name}` is an integer literal from 0 to {MAX_ORDER}"),
        )
    };
    match e {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Int(i), ..
        }) if i.suffix().is_empty() || i.suffix() == "u32" => i
            .base10_parse::<u32>()
            .ok()
            .filter(|k| *k <= MAX_ORDER)
            .ok_or_else(bad),
        _ => Err(bad()),
    }
}

/// The exponent of `powi`: an integer literal, possibly negated and parenthesized.
fn int_exponent(e: &Expr) -> syn::Result<i64> {
    let mut e = e;
    let mut negative = false;
    loop {
        match e {
            Expr::Paren(p) => e = &p.expr,
            Expr::Group(g) => e = &g.expr,
            Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => {
                negative = !negative;
                e = &u.expr;
            }
            _ => break,
        }
    }
    let needs = || {
        syn::Error::new(
            e.span(),
            "`powi` needs an integer literal exponent; use `powf` for a non-integer or symbolic \
             exponent",
        )
    };
    let Expr::Lit(syn::ExprLit {
        lit: Lit::Int(i), ..
    }) = e
    else {
        return Err(needs());
    };
    if !(i.suffix().is_empty() || i.suffix() == "i32") {
        return Err(syn::Error::new(
            i.span(),
            format!(
                "unsupported suffix `{}` on the `powi` exponent: it is an i32",
                i.suffix()
            ),
        ));
    }
    let n: BigInt = i.base10_digits().parse().map_err(|_| needs())?;
    let n = if negative { -n } else { n };
    n.to_i32().map(i64::from).ok_or_else(|| {
        syn::Error::new(
            i.span(),
            format!("`powi` exponent `{n}` does not fit in an i32"),
        )
    })
}

/// Pops the operands of `op` and combines them.
fn apply(
    arena: &mut Ir,
    op: Op<'_>,
    values: &mut Vec<Option<Id>>,
    errors: &mut Vec<syn::Error>,
) -> Option<Id> {
    let arity = match op {
        Op::Add | Op::Sub | Op::Mul | Op::Div(_) | Op::PowF(_) => 2,
        Op::Neg | Op::Fun(..) | Op::PowI(..) => 1,
        Op::Fail(n) => n,
    };
    let mut args: Vec<Option<Id>> = (0..arity).map(|_| values.pop().flatten()).collect();
    args.reverse();
    if let Op::Fail(_) = op {
        return None;
    }
    let a = args.first().copied().flatten()?;
    let b = args.get(1).copied().flatten();
    let zero_divisor = |span: Span, errors: &mut Vec<syn::Error>| {
        errors.push(syn::Error::new(
            span,
            "division by zero: the divisor is exactly 0",
        ));
        None
    };
    Some(match op {
        Op::Add => arena.add([a, b?]),
        Op::Sub => arena.sub(a, b?),
        Op::Mul => arena.mul([a, b?]),
        Op::Div(divisor) => {
            let b = b?;
            if arena.is_zero(b) {
                return zero_divisor(divisor.span(), errors);
            }
            arena.div(a, b)
        }
        Op::Neg => arena.neg(a),
        Op::PowF(span) => {
            let b = b?;
            // 0 to a negative constant power is a division by zero, as with powi.
            if arena.is_zero(a) && arena.as_num(b).is_some_and(|r| *r < Rational::zero()) {
                return zero_divisor(span, errors);
            }
            arena.pow(a, b)
        }
        Op::PowI(n, span) => {
            let n = n?;
            if n < 0 && arena.is_zero(a) {
                return zero_divisor(span, errors);
            }
            arena.powi(a, n)
        }
        Op::Fun(f, span) => match f {
            Fun::Ln => arena.ln(a),
            Fun::Exp => arena.exp(a),
            Fun::Sqrt => arena.sqrt(a),
            Fun::Recip => {
                if arena.is_zero(a) {
                    return zero_divisor(span, errors);
                }
                arena.recip(a)
            }
            Fun::Ln1p => {
                let one = arena.int(1);
                let s = arena.add([one, a]);
                arena.ln(s)
            }
            Fun::ExpM1 => {
                let e = arena.exp(a);
                let m1 = arena.int(-1);
                arena.add([e, m1])
            }
            Fun::Abs => arena.abs(a),
            Fun::Special(f) => arena.special(f, a),
        },
        Op::Fail(_) => return None,
    })
}

// ---- paths, types, literals ---------------------------------------------------------------

/// A variable, a `let` binding or a constant.
fn path_value(arena: &mut Ir, lets: &Scope, p: &syn::ExprPath) -> syn::Result<Id> {
    if let Some(q) = &p.qself {
        return Err(syn::Error::new(
            q.lt_token.span,
            unsupported("qualified path `<T>::..`"),
        ));
    }
    let path = &p.path;
    if let Some(seg) = path.segments.iter().find(|s| !s.arguments.is_empty()) {
        return Err(syn::Error::new(
            seg.arguments.span(),
            format!("unexpected type arguments in `{}`", path_text(path)),
        ));
    }
    let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let Some((last, prefix)) = names.split_last() else {
        return Err(syn::Error::new(path.span(), "empty path"));
    };
    if prefix.is_empty() && path.leading_colon.is_none() {
        if let Some(&id) = lets.get(last) {
            return Ok(id);
        }
        // A name already known as a symbol (the model interns the function's arguments first)
        // is that variable, even when it spells a constant such as `E` or `PI`.
        if let Some(sym) = arena.find_symbol(last) {
            return Ok(arena.sym(sym));
        }
        if let Some(id) = constant(arena, last) {
            return Ok(id);
        }
        return Ok(arena.var(last));
    }
    let prefix: Vec<&str> = prefix.iter().map(String::as_str).collect();
    let consts_path = matches!(
        prefix[..],
        ["consts"] | ["f64", "consts"] | ["std", "f64", "consts"] | ["core", "f64", "consts"]
    );
    match consts_path.then(|| constant(arena, last)).flatten() {
        Some(id) => Ok(id),
        None => Err(syn::Error::new(
            path.span(),
            format!(
                "unsupported path `{}`: a variable is a single identifier, and the constants \
                 are std::f64::consts::{{{}}}",
                path_text(path),
                CONSTS.join(", ")
            ),
        )),
    }
}

/// The exact value of a `std::f64::consts` constant.
fn constant(arena: &mut Ir, name: &str) -> Option<Id> {
    if !CONSTS.contains(&name) {
        return None;
    }
    let pi = arena.pi();
    let two = arena.int(2);
    let ten = arena.int(10);
    let ln2 = arena.ln(two);
    let ln10 = arena.ln(ten);
    let times = |arena: &mut Ir, r: Rational, id: Id| {
        let c = arena.num(r);
        arena.mul([c, id])
    };
    Some(match name {
        "PI" => pi,
        "TAU" => times(arena, rat(2), pi),
        "E" => {
            let one = arena.int(1);
            arena.exp(one)
        }
        "FRAC_PI_2" => times(arena, ratio(1, 2), pi),
        "FRAC_PI_3" => times(arena, ratio(1, 3), pi),
        "FRAC_PI_4" => times(arena, ratio(1, 4), pi),
        "FRAC_PI_6" => times(arena, ratio(1, 6), pi),
        "FRAC_PI_8" => times(arena, ratio(1, 8), pi),
        "FRAC_1_PI" => arena.recip(pi),
        "FRAC_2_PI" => {
            let r = arena.recip(pi);
            times(arena, rat(2), r)
        }
        "FRAC_2_SQRT_PI" => {
            let r = arena.powr(pi, ratio(-1, 2));
            times(arena, rat(2), r)
        }
        "SQRT_2" => arena.sqrt(two),
        "FRAC_1_SQRT_2" => arena.powr(two, ratio(-1, 2)),
        "LN_2" => ln2,
        "LN_10" => ln10,
        "LOG2_E" => arena.recip(ln2),
        "LOG10_E" => arena.recip(ln10),
        "LOG2_10" => arena.div(ln10, ln2),
        "LOG10_2" => arena.div(ln2, ln10),
        _ => return None,
    })
}

/// True for the type `f64` (also `core::primitive::f64`, in parentheses or invisible groups).
pub(crate) fn is_f64(ty: &Type) -> bool {
    let mut ty = ty;
    loop {
        match ty {
            Type::Paren(p) => ty = &p.elem,
            Type::Group(g) => ty = &g.elem,
            Type::Path(p) if p.qself.is_none() => {
                let names: Vec<String> = p
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                let plain = p.path.segments.iter().all(|s| s.arguments.is_empty());
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                return plain
                    && matches!(
                        names[..],
                        ["f64"] | ["core", "primitive", "f64"] | ["std", "primitive", "f64"]
                    );
            }
            _ => return false,
        }
    }
}

fn path_text(path: &syn::Path) -> String {
    let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let lead = if path.leading_colon.is_some() {
        "::"
    } else {
        ""
    };
    format!("{lead}{}", names.join("::"))
}

/// The exact value of decimal literal text (digits, `.`, exponent; `_` ignored); `None` when
/// malformed or beyond the range of f64.
fn decimal(text: &str) -> Option<Rational> {
    let text: String = text.chars().filter(|&c| c != '_').collect();
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (
            &text[..i],
            text[i + 1..].trim_start_matches('+').parse::<i64>().ok()?,
        ),
        None => (text, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int}{frac}");
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let m: BigInt = digits.parse().ok()?;
    if m.is_zero() {
        return Some(Rational::zero());
    }
    let shift = exponent.checked_sub(i64::try_from(frac.len()).ok()?)?;
    // Decimal exponent of the leading digit: f64 spans about 4.9e-324 ..= 1.8e308.
    let lead = i64::try_from(digits.trim_start_matches('0').len()).ok()? - 1 + shift;
    if !(-324..=308).contains(&lead) {
        return None;
    }
    let pow10 = |k: i64| -> Option<BigInt> {
        Some(num_traits::pow(BigInt::from(10), usize::try_from(k).ok()?))
    };
    let value = if shift >= 0 {
        Rational::from(m * pow10(shift)?)
    } else {
        Rational::from_parts_signed(m, pow10(-shift)?)
    };
    if lead == 308 && value > Rational::try_from(f64::MAX).ok()? {
        return None;
    }
    Some(if negative { -value } else { value })
}

// The unit tests build through the arena every caller uses.
#[cfg(test)]
use {crate::Arena, proc_macro2::TokenTree};

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;

    // One arena per test thread; the helpers below wrap the arena API so that an expected form
    // reads like the math: `mul([v("x"), ln(v("theta"))])`.
    thread_local!(static ARENA: RefCell<Arena> = RefCell::new(Arena::new()));

    fn with<R>(f: impl FnOnce(&mut Arena) -> R) -> R {
        ARENA.with(|a| f(&mut a.borrow_mut()))
    }
    fn p(src: &str) -> Id {
        with(|a| parse_str(a, src)).unwrap_or_else(|e| panic!("`{src}`: {e}"))
    }
    fn v(name: &str) -> Id {
        with(|a| a.var(name))
    }
    fn int(n: i64) -> Id {
        with(|a| a.int(n))
    }
    fn num(r: Rational) -> Id {
        with(|a| a.num(r))
    }
    fn pi() -> Id {
        with(|a| a.pi())
    }
    fn add<const N: usize>(xs: [Id; N]) -> Id {
        with(|a| a.add(xs))
    }
    fn mul<const N: usize>(xs: [Id; N]) -> Id {
        with(|a| a.mul(xs))
    }
    fn sub(x: Id, y: Id) -> Id {
        with(|a| a.sub(x, y))
    }
    fn div(x: Id, y: Id) -> Id {
        with(|a| a.div(x, y))
    }
    fn neg(x: Id) -> Id {
        with(|a| a.neg(x))
    }
    fn powi(x: Id, n: i64) -> Id {
        with(|a| a.powi(x, n))
    }
    fn pow(x: Id, y: Id) -> Id {
        with(|a| a.pow(x, y))
    }
    fn ln(x: Id) -> Id {
        with(|a| a.ln(x))
    }
    fn exp(x: Id) -> Id {
        with(|a| a.exp(x))
    }
    fn sqrt(x: Id) -> Id {
        with(|a| a.sqrt(x))
    }
    fn recip(x: Id) -> Id {
        with(|a| a.recip(x))
    }
    fn abs(x: Id) -> Id {
        with(|a| a.abs(x))
    }
    fn ln_gamma(x: Id) -> Id {
        with(|a| a.ln_gamma(x))
    }
    fn polygamma(k: u32, x: Id) -> Id {
        with(|a| a.polygamma(k, x))
    }

    fn err(src: &str) -> syn::Error {
        match parse_str(&mut Arena::new(), src) {
            Ok(_) => panic!("`{src}` should not parse"),
            Err(e) => e,
        }
    }

    /// The error message of `src` contains `part`.
    fn msg(src: &str, part: &str) {
        let e = err(src).to_string();
        assert!(e.contains(part), "`{src}`: `{e}` lacks `{part}`");
    }

    /// The first token spelled `text` (an identifier, punctuation, literal or opening bracket).
    fn token(stream: &TokenStream, text: &str) -> Option<Span> {
        let mut stack = vec![stream.clone().into_iter()];
        while let Some(top) = stack.last_mut() {
            let Some(tree) = top.next() else {
                stack.pop();
                continue;
            };
            let spelled = match &tree {
                TokenTree::Group(g) => g.to_string().chars().take(1).collect(),
                other => other.to_string(),
            };
            if spelled == text {
                return Some(tree.span());
            }
            if let TokenTree::Group(g) = tree {
                stack.push(g.stream().into_iter());
            }
        }
        None
    }

    /// The error of `src` says `part` and points at the first token spelled `at`.
    ///
    /// Spans carry positions only with proc-macro2's `span-locations` feature; without it every
    /// span prints as `Span` and only the message is really checked.
    fn err_at(src: &str, part: &str, at: &str) {
        let tokens = TokenStream::from_str(src).unwrap();
        let e = match parse_tokens(&mut Arena::new(), tokens.clone()) {
            Ok(_) => panic!("`{src}` should not parse"),
            Err(e) => e,
        };
        assert!(
            e.to_string().contains(part),
            "`{src}`: `{e}` lacks `{part}`"
        );
        let want = token(&tokens, at).unwrap_or_else(|| panic!("no `{at}` in `{src}`"));
        assert_eq!(
            format!("{:?}", e.span()),
            format!("{want:?}"),
            "`{src}`: span of `{e}`"
        );
    }

    fn lit(src: &str) -> syn::Result<Rational> {
        literal(&syn::parse_str::<syn::Lit>(src).unwrap())
    }

    fn lit_err(src: &str) -> String {
        lit(src).unwrap_err().to_string()
    }

    // ---- structure -----------------------------------------------------------------------

    #[test]
    #[rustfmt::skip]
    fn arithmetic() {
        assert_eq!(p("x * theta.ln()"), mul([v("x"), ln(v("theta"))]));
        assert_eq!(p("x + y - z"), sub(add([v("x"), v("y")]), v("z")));
        assert_eq!(p("x / y"), div(v("x"), v("y")));
        assert_eq!(p("-x"), neg(v("x")));
        assert_eq!(p("(n - x) * (1.0 - theta).ln()"), mul([sub(v("n"), v("x")), ln(sub(int(1), v("theta")))]));
        assert_eq!(p("((x))"), v("x"));
        assert_eq!(p("x as f64"), v("x"));
        assert_eq!(p("- - x"), v("x"));
        assert_eq!(p("-(-(x))"), v("x"));
        assert_eq!(p("2 * x"), p("x + x"));
    }

    #[test]
    #[rustfmt::skip]
    fn literals_are_exact() {
        assert_eq!(lit("0.1").unwrap(), ratio(1, 10));
        assert_eq!(lit("1e-3").unwrap(), ratio(1, 1000));
        assert_eq!(lit("2.5E2").unwrap(), rat(250));
        assert_eq!(lit("2").unwrap(), rat(2));
        assert_eq!(lit("2.0").unwrap(), rat(2));
        assert_eq!(lit("2.").unwrap(), rat(2));
        assert_eq!(lit("2f64").unwrap(), rat(2));
        assert_eq!(lit("2.0_f64").unwrap(), rat(2));
        assert_eq!(lit("1_000.5").unwrap(), ratio(2001, 2));
        assert_eq!(lit("0x10").unwrap(), rat(16));
        assert_eq!(lit("0e999").unwrap(), rat(0));
        assert_eq!(lit("1e308").unwrap(), Rational::from(num_traits::pow(BigInt::from(10), 308)));
        assert!(lit_err("1e309").contains("literal `1e309` is out of range for f64"));
        assert!(lit_err("1e-400").contains("out of range for f64"));
        assert!(lit_err("1.0f32").contains("unsupported literal suffix `f32` in `1.0f32`: use an f64 literal"));
        assert!(lit_err("2u8").contains("unsupported literal suffix `u8`"));
        assert!(lit_err("\"a\"").contains("unsupported literal `\"a\"`: only numeric literals"));
        assert_eq!(p("0.1 * x"), mul([num(ratio(1, 10)), v("x")]));
        assert_eq!(p("2"), p("2.0"));
        assert_eq!(p("-2.5e-1"), num(ratio(-1, 4)));
    }

    #[test]
    #[rustfmt::skip]
    fn methods() {
        assert_eq!(p("x.ln()"), ln(v("x")));
        assert_eq!(p("x.exp()"), exp(v("x")));
        assert_eq!(p("x.sqrt()"), sqrt(v("x")));
        assert_eq!(p("x.recip()"), recip(v("x")));
        assert_eq!(p("x.abs()"), abs(v("x")));
        assert_eq!(p("x.ln_1p()"), ln(add([int(1), v("x")])));
        assert_eq!(p("x.exp_m1()"), add([exp(v("x")), int(-1)]));
        assert_eq!(p("x.powi(2)"), mul([v("x"), v("x")]));
        assert_eq!(p("x.powi(-2)"), powi(v("x"), -2));
        assert_eq!(p("x.powi((-(3)))"), recip(mul([v("x"), v("x"), v("x")])));
        assert_eq!(p("x.powi(2i32)"), powi(v("x"), 2));
        assert_eq!(p("x.powf(y)"), pow(v("x"), v("y")));
        assert_eq!(p("x.powf(2.0)"), p("x.powi(2)"));
        assert_eq!(p("x.powf(0.5)"), p("x.sqrt()"));
        assert_eq!(p("x.ln().exp()"), v("x"));
    }

    #[test]
    #[rustfmt::skip]
    fn function_calls() {
        assert_eq!(p("f64::ln(x)"), p("x.ln()"));
        assert_eq!(p("std::f64::exp(x)"), exp(v("x")));
        assert_eq!(p("core::f64::sqrt(x)"), sqrt(v("x")));
        assert_eq!(p("f64::powi(x, 2)"), p("x.powi(2)"));
        assert_eq!(p("f64::powf(x, e)"), pow(v("x"), v("e")));
        assert_eq!(p("f64::ln_1p(f64::exp_m1(x))"), p("x.exp_m1().ln_1p()"));
        assert_eq!(p("ln_gamma(x)"), ln_gamma(v("x")));
        assert_eq!(p("fim::special::digamma(x)"), polygamma(0, v("x")));
        assert_eq!(p("special::trigamma(x)"), polygamma(1, v("x")));
        assert_eq!(p("crate::anything::ln_gamma(x + 1.0)"), ln_gamma(add([int(1), v("x")])));
    }

    #[test]
    #[rustfmt::skip]
    fn constants() {
        assert_eq!(p("std::f64::consts::PI"), pi());
        assert_eq!(p("::core::f64::consts::PI"), pi());
        assert_eq!(p("f64::consts::PI"), pi());
        assert_eq!(p("consts::PI"), pi());
        assert_eq!(p("PI"), pi());
        assert_eq!(p("std::f64::consts::E"), exp(int(1)));
        assert_eq!(p("E"), exp(int(1)));
        assert_eq!(p("std::f64::consts::TAU"), mul([int(2), pi()]));
        assert_eq!(p("std::f64::consts::LN_2"), ln(int(2)));
        assert_eq!(p("std::f64::consts::FRAC_1_SQRT_2"), p("2.0.sqrt() / 2.0"));
        assert_eq!(p("FRAC_PI_2"), p("PI / 2.0"));
    }

    #[test]
    #[rustfmt::skip]
    fn lets_are_inlined() {
        assert_eq!(p("let a = 1.0 - theta; x * a.ln()"), p("x * (1.0 - theta).ln()"));
        assert_eq!(p("let a: f64 = 2.0; let a = a * a; a * x"), mul([int(4), v("x")]));
        assert_eq!(p("let x = y; let y = x + 1.0; x + y"), p("2.0 * y + 1.0"));
        assert_eq!(p("let PI = 3.0; PI"), int(3));
        assert_eq!(p("#[allow(unused)] let t = theta.ln(); x * t"), p("x * theta.ln()"));
    }

    #[test]
    fn block_and_expr_entry_points() {
        let item: syn::ItemFn =
            syn::parse_str("fn f(x: f64) -> f64 { let l = x.ln(); l }").unwrap();
        assert_eq!(with(|a| block(a, &item.block)).unwrap(), p("x.ln()"));
        let e: syn::Expr = syn::parse_str("x / (y - 1.0)").unwrap();
        assert_eq!(
            with(|a| expr(a, &e)).unwrap(),
            div(v("x"), sub(v("y"), int(1)))
        );
        let e: syn::Expr = syn::parse_str("x.sin()").unwrap();
        assert!(with(|a| expr(a, &e)).is_err());
    }

    /// The bindings come back in order, shadowing included, each with earlier ones inlined;
    /// the body's value is the one `block` gives.
    #[test]
    fn block_reports_its_bindings() {
        let item: syn::ItemFn = syn::parse_str(
            "fn f(x: f64, m: f64) -> f64 { let z = x - m; let w = z * z; let z = 2.0 * z; w + z }",
        )
        .unwrap();
        let (id, lets) = with(|a| block_with_bindings(a, &item.block)).unwrap();
        assert_eq!(id, with(|a| block(a, &item.block)).unwrap());
        let names: Vec<&str> = lets.iter().map(|b| b.0.as_str()).collect();
        assert_eq!(names, ["z", "w", "z"]);
        assert_eq!(lets[0].1, p("x - m"));
        assert_eq!(lets[1].1, p("(x - m).powi(2)"));
        assert_eq!(lets[2].1, p("2.0 * (x - m)"));
        let item: syn::ItemFn = syn::parse_str("fn f(x: f64) -> f64 { x.ln() }").unwrap();
        let (_, lets) = with(|a| block_with_bindings(a, &item.block)).unwrap();
        assert!(lets.is_empty());
    }

    // ---- errors --------------------------------------------------------------------------

    #[test]
    #[rustfmt::skip]
    fn unsupported_methods_and_functions() {
        err_at("x.sin()", "unsupported method `sin`: supported are ln, exp, sqrt, powi, powf, recip, ln_1p, exp_m1, abs", "sin");
        err_at("x.powi(2.0)", "`powi` needs an integer literal exponent; use `powf` for a non-integer or symbolic exponent", "2.0");
        err_at("x.powi(n)", "`powi` needs an integer literal exponent", "n");
        err_at("x.powi(2u8)", "unsupported suffix `u8` on the `powi` exponent", "2u8");
        err_at("x.powi(3000000000)", "`powi` exponent `3000000000` does not fit in an i32", "3000000000");
        err_at("x.ln(2.0)", "`ln` takes no arguments, found 1", "2.0");
        err_at("x.powf()", "`powf` takes one argument (the exponent), found 0", "(");
        err_at("foo(x)", "unsupported function `foo`: supported are `f64::ln(x)`-style calls of ln", "foo");
        err_at("f64::sin(x)", "unsupported function `f64::sin`: supported methods are ln, exp", "sin");
        err_at("ln_gamma(x, y)", "`ln_gamma` takes one argument, found 2", "y");
        msg("f64::ln()", "`f64::ln` takes the receiver as its first argument");
        msg("x.ln::<f64>()", "unexpected type arguments on `ln`");
        msg("std::f64::consts::SQRT_3", "unsupported path `std::f64::consts::SQRT_3`");
        msg("a::b", "unsupported path `a::b`: a variable is a single identifier");
        msg("(f)(x)", "unsupported call: only named functions can be called");
    }

    #[test]
    #[rustfmt::skip]
    fn unsupported_expressions() {
        err_at("x % y", "unsupported operator `%`: supported are + - * / and unary -", "%");
        err_at("x < y", "unsupported operator `<`", "<");
        err_at("!x", "unsupported operator `!`", "!");
        err_at("if a { x } else { y }", "unsupported `if`: supported are + - * /, unary -", "if");
        err_at("match a { _ => x }", "unsupported `match`", "match");
        err_at("1.0 + |t| t", "unsupported closure", "|");
        err_at("2.0 * foo!(x)", "unsupported macro `foo!`", "foo");
        err_at("x[0]", "unsupported indexing", "[");
        err_at("x.a", "unsupported field access `.a`", "a");
        err_at("return x", "unsupported `return`", "return");
        err_at("x + { y }", "unsupported block", "{");
        err_at("x as f32", "unsupported cast to `f32`: only `as f64`", "f32");
        err_at("x * \"s\"", "unsupported literal `\"s\"`", "\"s\"");
        err_at("x * 1.0f32", "unsupported literal suffix `f32`", "1.0f32");
        err_at("x / 0.0", "division by zero", "0.0");
        msg("x / (y - y)", "division by zero");
        msg("0.0.recip()", "division by zero");
        msg("(x - x).powi(-1)", "division by zero");
        msg("(x, y)", "unsupported tuple");
        msg("&x", "unsupported reference");
        msg("x = y", "unsupported assignment");
        msg("x?", "unsupported `?` operator");
        msg("<f64>::ln(x)", "unsupported call");
    }

    #[test]
    #[rustfmt::skip]
    fn unsupported_statements() {
        err_at("let a = x;", "the body has no tail expression", ";");
        err_at("x;", "remove the `;` after the last expression", ";");
        err_at("x; y", "unsupported statement: a body is `let name = expr;` lines", "x");
        err_at("let a; a", "`let` without a value: write `let name = expr;`", "a");
        err_at("let mut a = x; a", "unsupported `mut` in `let`", "mut");
        err_at("let ref a = x; a", "unsupported `ref` in `let`", "ref");
        err_at("let a: f32 = x; a", "unsupported type `f32` in `let`: only `f64`", "f32");
        err_at("let (a, b) = x; a", "unsupported pattern in `let`: only a plain identifier", "(");
        err_at("let a = x else { return; }; a", "unsupported `let … else`", "else");
        err_at("println!(\"hi\"); x", "unsupported macro `println!`", "println");
        msg("fn g() {} x", "unsupported item in a body");
        msg("", "empty body: expected an expression");
        msg("x +", "expected an expression");
        msg("x )", "cannot read the input as tokens");
    }

    #[test]
    fn every_error_is_reported() {
        let e = err("let a = x.sin(); let b: f32 = y % 2.0; a * b.cos() + foo(z)");
        let all: Vec<String> = e.into_iter().map(|e| e.to_string()).collect();
        assert_eq!(all.len(), 5, "{all:#?}");
        for part in ["`sin`", "`f32`", "`%`", "`cos`", "`foo`"] {
            assert!(
                all.iter().any(|m| m.contains(part)),
                "{part} missing from {all:#?}"
            );
        }
    }

    // ---- depth ---------------------------------------------------------------------------

    const DEEP: usize = 100_000;

    /// `src` is rejected with a message naming the limit, through `parse_str` and through
    /// `check_depth` on lexed tokens (proc-macro2's lexer is iterative).
    fn rejected(src: &str) {
        let e = err(src).to_string();
        assert!(e.contains("MAX_DEPTH"), "{e}");
        let tokens = TokenStream::from_str(src).unwrap();
        let e = check_depth(&tokens).unwrap_err().to_string();
        assert!(e.contains("MAX_DEPTH"), "{e}");
    }

    #[test]
    fn deep_parens() {
        rejected(&format!("{}x{}", "(".repeat(DEEP), ")".repeat(DEEP)));
        rejected(&format!("{}x{}", "[".repeat(DEEP), "]".repeat(DEEP)));
    }

    #[test]
    fn deep_unary_minus() {
        rejected(&format!("{}x", "- ".repeat(DEEP)));
        rejected(&format!("{}x", "-".repeat(DEEP)));
        rejected(&format!("{}x{}", "-(".repeat(DEEP), ")".repeat(DEEP)));
    }

    #[test]
    fn deep_method_chain() {
        rejected(&format!("x{}", ".ln()".repeat(DEEP)));
    }

    #[test]
    fn long_sum() {
        rejected(&format!("x{}", " + x".repeat(DEEP)));
        rejected(&format!("let a = 1.0; x{}", " * x - a".repeat(DEEP)));
    }

    #[test]
    fn deep_after_inlining_lets() {
        let lets: String = (1..=10)
            .map(|i| format!("let a{i} = a{}{};", i - 1, ".ln()".repeat(100)))
            .collect();
        let e = err(&format!("let a0 = x; {lets} a10")).to_string();
        assert!(
            e.contains("nested too deeply after inlining `let` bindings: more than 512 levels"),
            "{e}"
        );
        assert!(
            p(&format!(
                "let a0 = x; {} a5",
                &lets[..lets.find("let a6").unwrap()]
            )) != v("x")
        );
    }

    #[test]
    #[rustfmt::skip]
    fn limits_are_as_documented() {
        let admits = |src: String| check_depth(&TokenStream::from_str(&src).unwrap()).is_ok();
        assert!(admits(format!("{}x{}", "(".repeat(42), ")".repeat(42))));
        assert!(!admits(format!("{}x{}", "(".repeat(43), ")".repeat(43))));
        assert!(admits(format!("{}x", "- ".repeat(128))));
        assert!(!admits(format!("{}x", "- ".repeat(129))));
        assert!(admits(format!("x{}", ".ln()".repeat(125))));
        assert!(!admits(format!("x{}", ".ln()".repeat(126))));
        assert!(admits(format!("x{}", " + x".repeat(2048))));
        assert!(!admits(format!("x{}", " + x".repeat(2049))));
        // Each statement starts afresh.
        assert!(admits(format!("{} x", "let a = x.ln().ln() + y;".repeat(2000))));
        let e = check_depth(&TokenStream::from_str(&format!("x{}", " + x".repeat(3000))).unwrap()).unwrap_err();
        assert!(e.to_string().contains("more than 2048 operators (16 * MAX_DEPTH) in one statement"), "{e}");
    }

    /// The largest `n` whose source `make(n)` passes `check_depth`.
    fn max_admitted(make: &dyn Fn(usize) -> String) -> usize {
        let admits = |n| check_depth(&TokenStream::from_str(&make(n)).unwrap()).is_ok();
        let (mut lo, mut hi) = (0, 1);
        while admits(hi) {
            lo = hi;
            hi *= 2;
            assert!(hi <= 1 << 16, "unbounded: {}", make(1));
        }
        while hi - lo > 1 {
            let mid = (lo + hi) / 2;
            if admits(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The deepest admitted input of every shape parses (or fails) without overflowing the
    /// default 2 MiB test-thread stack, through syn's expression and file parsers and ours.
    /// (Measured: the worst shape, `x as &'a &'a … f64`, needs about 1.1 MiB in a debug build.)
    #[test]
    #[rustfmt::skip]
    fn admitted_input_never_overflows() {
        let r = |s: &str, n: usize| s.repeat(n);
        let shapes: Vec<Box<dyn Fn(usize) -> String>> = vec![
            Box::new(move |n| format!("{}x{}", r("(", n), r(")", n))),
            Box::new(move |n| format!("{}x{}", r("{", n), r("}", n))),
            Box::new(move |n| format!("{}x{}", r("[", n), r("]", n))),
            Box::new(move |n| format!("{}x", r("- ", n))),
            Box::new(move |n| format!("{}x{}", r("-(", n), r(")", n))),
            Box::new(move |n| format!("{}x{}", r("f(", n), r(")", n))),
            Box::new(move |n| format!("{}x{}", r("x.powf(", n), r(")", n))),
            Box::new(move |n| format!("x{}", r(".ln()", n))),
            Box::new(move |n| format!("x{}", r(" + x", n))),
            Box::new(move |n| format!("{}x{}@{}", r("(", 20), r(" + x", n), r(")", 20))),
            Box::new(move |n| format!("{}x{}@{}", r("(", 40), r(" * x", n), r(")", 40))),
            Box::new(move |n| format!("x as {}f64{}", r("(", n), r(")", n))),
            Box::new(move |n| format!("x as {}f64{}", r("[", n), r("; 1]", n))),
            Box::new(move |n| format!("x as {}f64", r("& ", n))),
            Box::new(move |n| format!("x as {}f64", r("&'a ", n))),
            Box::new(move |n| format!("x as {}f64", r("*const ", n))),
            Box::new(move |n| format!("x as {}f64{}", r("Vec<", n), r(">", n))),
            Box::new(move |n| format!("x as {}f64{}", r("Box<dyn Fn(", n), r(")>", n))),
            Box::new(move |n| format!("x as {}f64", r("fn() -> ", n))),
            Box::new(move |n| format!("x as {}f64{}", r("fn(", n), r(")", n))),
            Box::new(move |n| format!("let a: {}f64 = x; a", r("impl Fn() -> ", n))),
            Box::new(move |n| format!("let a: {}f64{} = x; a", r("Vec<[(", n), r(",)]>", n))),
            Box::new(move |n| format!("f::<{}f64{}>()", r("Vec<", n), r(">", n))),
            Box::new(move |n| format!("{}T{}::x", r("<", n), r(" as Tr>", n))),
            Box::new(move |n| format!("{}x", r("|x| ", n))),
            Box::new(move |n| format!("{}x{}", r("|| {", n), r("}", n))),
            Box::new(move |n| format!("{}x{}", r("if a { ", n), r("}", n))),
            Box::new(move |n| format!("{}x{}", r("match a { _ => ", n), r("}", n))),
            Box::new(move |n| format!("{}x{}", r("'a: loop { ", n), r("}", n))),
            Box::new(move |n| format!("{}x{}", r("async move {", n), r("}", n))),
            Box::new(move |n| format!("{}x{}", r("unsafe { ", n), r("}", n))),
            Box::new(move |n| format!("{}x{}", r("S { f: ", n), r("}", n))),
            Box::new(move |n| format!("{}x", r("return ", n))),
            Box::new(move |n| format!("{}x", r("a = ", n))),
            Box::new(move |n| format!("{}x", r("& ", n))),
            Box::new(move |n| format!("{}x{}", r("{ let a = ", n), r("; a }", n))),
            Box::new(move |n| format!("{}x{}", r("{ let a = x else { ", n), r("}; a }", n))),
            Box::new(move |n| format!("let {}a{} = x; a", r("(", n), r(")", n))),
            Box::new(move |n| format!("let {}a{} = x; a", r("S { f: ", n), r("}", n))),
            Box::new(move |n| format!("let {}a = x; a", r("a @ ", n))),
            Box::new(move |n| format!("{}x{}", r("{ fn f() { ", n), r("} }", n))),
            Box::new(move |n| format!("{}{}", r("mod m { ", n), r("}", n))),
            Box::new(move |n| format!("{}{}", r("impl S { fn f() { ", n), r("} }", n))),
            Box::new(move |n| format!("{}{}", r("trait T { fn f() where T: A<", n), r("> {} }", n))),
        ];
        for make in &shapes {
            let n = max_admitted(make.as_ref());
            assert!(n >= 1, "{}", make(1));
            let src = make(n);
            let tokens = TokenStream::from_str(&src).unwrap();
            drop(syn::parse2::<syn::Expr>(tokens.clone()));
            drop(syn::parse2::<syn::File>(tokens.clone()));
            drop(parse_tokens(&mut Arena::new(), tokens));
            drop(parse_str(&mut Arena::new(), &src));
        }
    }

    // ---- realistic bodies ----------------------------------------------------------------

    /// The Dirichlet log-density with `k` parameters, on one line.
    fn dirichlet(k: usize) -> String {
        let sum: Vec<String> = (1..=k).map(|i| format!("a{i}")).collect();
        let mut s = format!("ln_gamma({})", sum.join(" + "));
        for i in 1..=k {
            s += &format!(" - fim::special::ln_gamma(a{i})");
        }
        for i in 1..=k {
            s += &format!(" + (a{i} - 1.0) * x{i}.ln()");
        }
        s
    }

    /// The sum of `k` normal log-densities, on one line.
    fn normals(k: usize) -> String {
        let terms: Vec<String> = (1..=k)
            .map(|i| {
                format!(
                    "-0.5 * ((x{i} - mu{i}) / sigma{i}).powi(2) - sigma{i}.ln() \
                     - 0.5 * (2.0 * std::f64::consts::PI).ln()"
                )
            })
            .collect();
        terms.join(" + ")
    }

    #[test]
    fn realistic_bodies_pass() {
        for body in [dirichlet(20), normals(20), dirichlet(50), normals(50)] {
            let id = p(&body);
            let syms = with(|a| a.free_symbols(id));
            assert!(syms.len() >= 40, "{body}");
            let args: Vec<String> = with(|a| {
                syms.iter()
                    .map(|&s| format!("{}: f64", a.name(s)))
                    .collect()
            });
            let item = format!(
                "/// A model.\n#[inline]\npub fn model({}) -> f64 {{ let unused: f64 = 1.0; {body} }}",
                args.join(", ")
            );
            let tokens = TokenStream::from_str(&item).unwrap();
            check_depth(&tokens).unwrap();
            let item: syn::ItemFn = syn::parse2(tokens).unwrap();
            assert_eq!(with(|a| block(a, &item.block)).unwrap(), id);
        }
        assert_eq!(
            p("ln_gamma(a1 + a2) - ln_gamma(a1) - ln_gamma(a2) + (a1 - 1.0) * x1.ln() + (a2 - 1.0) * x2.ln()"),
            p(&dirichlet(2))
        );
        let lets: String = (1..=20)
            .map(|i| format!("let z{i} = (x{i} - mu{i}) / sigma{i};\n"))
            .collect();
        let tail: Vec<String> = (1..=20)
            .map(|i| format!("-0.5 * z{i} * z{i} - sigma{i}.ln()"))
            .collect();
        let inline: Vec<String> = (1..=20)
            .map(|i| format!("-0.5 * ((x{i} - mu{i}) / sigma{i}).powi(2) - sigma{i}.ln()"))
            .collect();
        assert_eq!(
            p(&format!("{lets}{}", tail.join(" + "))),
            p(&inline.join(" + "))
        );
    }
}
