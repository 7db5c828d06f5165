//! Statements: `let` bindings (inlined: substituted into what follows), `let mut` bindings
//! updated by `=`, `+=`, `-=`, `*=`, `/=`, and `for` loops over ranges and iterators, unrolled
//! when the model compiles. A body ends with its value, an expression without `;`.

use proc_macro2::Span;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{BinOp, Expr, Pat, Stmt, Type};

use super::atom::{is_f64, path_text};
use super::call::MAX_TOTAL_UNROLL;
use super::value::Value;
use super::walk::{Arith, Cx};
use super::BODY;

impl Cx<'_> {
    /// The value of a block (a body, or a `{ .. }` inside an expression): its statements, then
    /// its last expression. Names bound inside go out of scope at its end.
    pub fn block(&mut self, stmts: &[Stmt], whole: Span) -> Option<Value> {
        let mark = self.scope.mark();
        self.nesting += 1;
        let v = self.statements(stmts, whole);
        self.nesting -= 1;
        self.scope.truncate(mark);
        v
    }

    fn statements(&mut self, stmts: &[Stmt], whole: Span) -> Option<Value> {
        if stmts.is_empty() {
            return self.fail(whole, "empty body: expected an expression");
        }
        let mut tail = None;
        for (i, stmt) in stmts.iter().enumerate() {
            let last = i + 1 == stmts.len();
            match stmt {
                Stmt::Local(local) => {
                    self.local(local);
                    if last {
                        self.fail::<()>(
                            local.semi_token.span,
                            format!("the body has no tail expression: {BODY}"),
                        );
                    }
                }
                Stmt::Expr(e, semi) => {
                    if self.effect(e) {
                        if last {
                            let span = semi.map_or_else(|| e.span(), |s| s.span);
                            self.fail::<()>(
                                span,
                                format!(
                                    "the body has no tail expression: after the loops and \
                                     updates, end with the value ({BODY})"
                                ),
                            );
                        }
                        continue;
                    }
                    match (e, semi) {
                        (Expr::Return(r), _) => {
                            self.fail::<()>(
                                r.return_token.span,
                                "`return` is not supported: the value of the body is its last \
                                 expression; write it last, without `return` and without `;`",
                            );
                        }
                        (e, None) if last => tail = self.value(e),
                        (_, Some(semi)) if last => {
                            self.fail::<()>(
                                semi.span,
                                "the body has no tail expression: remove the `;` after the last \
                                 expression",
                            );
                        }
                        (e, _) => self.unsupported_statement(e),
                    }
                }
                Stmt::Item(item) => {
                    self.fail::<()>(item.span(), format!("unsupported item in a body: {BODY}"));
                }
                Stmt::Macro(m) => {
                    let name = path_text(&m.mac.path);
                    self.fail::<()>(
                        m.mac.path.span(),
                        format!("unsupported macro `{name}!`: {BODY}"),
                    );
                }
            }
        }
        tail
    }

    /// The error for a statement the body language does not have: control flow says what it
    /// is (`while`, `if`, `break`), anything else what a body is.
    fn unsupported_statement(&mut self, e: &Expr) {
        if control_flow(e) {
            // The expression walk names the construct and says what is supported.
            self.value(e);
        } else {
            self.fail::<()>(e.span(), format!("unsupported statement: {BODY}"));
        }
    }

    /// A statement that changes the scope rather than giving a value: a `for` loop or an
    /// update of a `let mut` binding. False for any other expression.
    fn effect(&mut self, e: &Expr) -> bool {
        match e {
            Expr::ForLoop(f) => {
                self.for_loop(f);
                true
            }
            Expr::Assign(a) => {
                let v = self.value(&a.right);
                self.update(&a.left, a.eq_token.span, v);
                true
            }
            Expr::Binary(b) => {
                let op = match b.op {
                    BinOp::AddAssign(_) => Arith::Add,
                    BinOp::SubAssign(_) => Arith::Sub,
                    BinOp::MulAssign(_) => Arith::Mul,
                    BinOp::DivAssign(_) => Arith::Div,
                    _ => return false,
                };
                let current = self.value(&b.left);
                let rhs = self.value(&b.right);
                let v = match (current, rhs) {
                    (Some(c), Some(r)) => self.arith(op, &b.right, vec![c, r]),
                    _ => None,
                };
                self.update(&b.left, b.op.span(), v);
                true
            }
            _ => false,
        }
    }

    /// Stores `v` in the `let mut` binding named by `target`.
    fn update(&mut self, target: &Expr, op: Span, v: Option<Value>) {
        let name = match target {
            Expr::Path(p) if p.qself.is_none() => p.path.get_ident().map(|i| i.to_string()),
            _ => None,
        };
        let Some(name) = name else {
            self.fail::<()>(
                target.span(),
                "only a `let mut` name can be assigned, as in `acc += term;` after \
                 `let mut acc = 0.0;`",
            );
            return;
        };
        // A failed value has been reported; the binding keeps its value so that later uses
        // do not report again.
        let Some(v) = v else { return };
        if let Value::Real(id) = v {
            if self.shallow(id, target).is_none() {
                return;
            }
        }
        match self.scope.assign(&name, v) {
            Ok(()) => {}
            Err(true) => {
                self.fail::<()>(
                    op,
                    format!("`{name}` is not mutable: declare it `let mut {name} = ..;`"),
                );
            }
            Err(false) => {
                self.fail::<()>(
                    target.span(),
                    format!(
                        "`{name}` cannot be assigned: only a `let mut` binding of the body can"
                    ),
                );
            }
        }
    }

    /// `for pat in iterable { body }`, unrolled: the body runs once per item with the
    /// pattern's names bound to it.
    fn for_loop(&mut self, f: &syn::ExprForLoop) {
        if let Some(label) = &f.label {
            self.fail::<()>(
                label.name.span(),
                "unsupported loop label: the loop is unrolled, and `break` and `continue` are \
                 not supported",
            );
            return;
        }
        let Some(iterable) = self.value(&f.expr) else {
            return;
        };
        let kind = iterable.kind();
        let Some(items) = iterable.items() else {
            self.fail::<()>(
                f.expr.span(),
                format!(
                    "a `for` loop runs over a range such as `0..N` or an iterator such as \
                     `x.iter()`, not over {kind}"
                ),
            );
            return;
        };
        for item in items {
            self.unrolled += 1;
            if self.unrolled > MAX_TOTAL_UNROLL {
                self.fail::<()>(
                    f.for_token.span,
                    format!(
                        "the body unrolls to more than {MAX_TOTAL_UNROLL} loop iterations and \
                         closure calls"
                    ),
                );
                return;
            }
            let mark = self.scope.mark();
            let errors_before = self.errors.count();
            self.nesting += 1;
            if self.bind(&f.pat, item, false).is_some() {
                self.loop_body(&f.body.stmts);
            }
            self.nesting -= 1;
            self.scope.truncate(mark);
            // The same mistake in every iteration is reported once.
            if self.errors.count() > errors_before {
                return;
            }
        }
    }

    /// The statements of a loop body: updates, nested loops and `let`s, no value.
    fn loop_body(&mut self, stmts: &[Stmt]) {
        for stmt in stmts {
            match stmt {
                Stmt::Local(local) => self.local(local),
                Stmt::Expr(e, _) if self.effect(e) => {}
                Stmt::Expr(e, _) if control_flow(e) => self.unsupported_statement(e),
                Stmt::Expr(e, _) => {
                    self.fail::<()>(
                        e.span(),
                        "a `for` loop body only updates `let mut` bindings (`acc += term;`), \
                         binds names with `let` and runs nested loops: this statement has no \
                         effect",
                    );
                }
                Stmt::Item(item) => {
                    self.fail::<()>(item.span(), format!("unsupported item in a body: {BODY}"));
                }
                Stmt::Macro(m) => {
                    let name = path_text(&m.mac.path);
                    self.fail::<()>(
                        m.mac.path.span(),
                        format!("unsupported macro `{name}!`: {BODY}"),
                    );
                }
            }
        }
    }

    /// `let name = expr;`, `let mut name = expr;`, `let name: T = expr;`.
    fn local(&mut self, local: &syn::Local) {
        let target = self.let_target(&local.pat);
        let value = match &local.init {
            None => {
                return self
                    .fail::<()>(
                        local.pat.span(),
                        "`let` without a value: write `let name = expr;`",
                    )
                    .unwrap_or(())
            }
            Some(init) => {
                if let Some((else_token, _)) = &init.diverge {
                    self.fail::<()>(else_token.span, format!("unsupported `let … else`: {BODY}"));
                }
                self.value(&init.expr)
            }
        };
        let (Some((name, mutable, ty)), Some(value)) = (target, value) else {
            return;
        };
        let Some(value) = self.typed(value, ty, &local.init.as_ref().map(|i| &*i.expr)) else {
            return;
        };
        if let (Value::Real(id), 1, false) = (&value, self.nesting, mutable) {
            self.lets.push((name.clone(), *id));
        }
        self.scope.bind(name, value, mutable);
    }

    /// The name a `let` binds, whether it is mutable, and its declared type.
    fn let_target<'p>(&mut self, pat: &'p Pat) -> Option<(String, bool, Option<&'p Type>)> {
        let (pat, ty) = match pat {
            Pat::Type(t) => (&*t.pat, Some(&*t.ty)),
            p => (p, None),
        };
        if let Some(ty) = ty {
            let text = ty.to_token_stream().to_string();
            let known = is_f64(ty) || matches!(ty, Type::Array(_)) || is_integer_type(&text);
            if !known {
                return self.fail(
                    ty.span(),
                    format!(
                        "unsupported type `{text}` in `let`: only `f64`, arrays of `f64` and \
                         integer index types"
                    ),
                );
            }
        }
        match pat {
            Pat::Ident(p) => {
                if let Some(r) = &p.by_ref {
                    return self.fail(
                        r.span,
                        "unsupported `ref` in `let`: write `let name = expr;`",
                    );
                }
                if let Some((at, _)) = &p.subpat {
                    return self.fail(
                        at.span,
                        "unsupported `@` pattern in `let`: write `let name = expr;`",
                    );
                }
                Some((p.ident.to_string(), p.mutability.is_some(), ty))
            }
            other => self.fail(
                other.span(),
                "unsupported pattern in `let`: only a plain identifier, as in `let name = expr;`",
            ),
        }
    }

    /// `value` checked against the declared type of a `let` (`f64`, an integer type, or an
    /// array of `f64`), with integers turned into numbers where `f64` is declared.
    fn typed(&mut self, value: Value, ty: Option<&Type>, init: &Option<&Expr>) -> Option<Value> {
        let Some(ty) = ty else {
            if let Value::Real(id) = value {
                if let Some(e) = init {
                    self.shallow(id, e)?;
                }
            }
            return Some(value);
        };
        let text = ty.to_token_stream().to_string();
        let span = ty.span();
        if is_f64(ty) {
            let id = self.real_of(value, || span)?;
            if let Some(e) = init {
                self.shallow(id, e)?;
            }
            return Some(Value::Real(id));
        }
        match (ty, &value) {
            (Type::Array(_), Value::Array(_)) => Some(value),
            (Type::Path(_), Value::Int(_)) if is_integer_type(&text) => Some(value),
            _ => self.fail(
                span,
                format!("`let` declares `{text}`, but the value is {}", value.kind()),
            ),
        }
    }
}

/// Control flow the body language does not have.
fn control_flow(e: &Expr) -> bool {
    matches!(
        e,
        Expr::While(_)
            | Expr::Loop(_)
            | Expr::If(_)
            | Expr::Match(_)
            | Expr::Break(_)
            | Expr::Continue(_)
    )
}

fn is_integer_type(text: &str) -> bool {
    matches!(
        text,
        "usize" | "isize" | "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64"
    )
}
