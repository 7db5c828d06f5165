//! Moments with a free index: `E[x[i]] = n * p[i]` holds for every `i`, and stands for one
//! moment per index. A free index is a name used as an index that is bound nowhere (not an
//! argument, not an array); its range is the length of the arrays it indexes, which must agree,
//! and it must appear on both sides.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::Expr;

use crate::ctxt::Errors;
use crate::parse::{self, Scope, Value, MAX_UNROLL};
use crate::Arena;

use super::attr::MomentSyn;
use super::check::Arg;

/// A free index: its name, where it is first used, and the arrays it indexes.
struct Free<'e> {
    name: String,
    span: Span,
    bases: Vec<&'e Expr>,
}

/// One scope per instance of the moment `m`: `scope` with its free indices bound, one
/// combination each; `scope` itself when it has none. `None` after an error.
pub(super) fn instances(
    arena: &mut Arena,
    m: &MomentSyn,
    args: &[Arg],
    scope: &Scope,
    errors: &mut Errors,
) -> Option<Vec<Scope>> {
    let lhs = free_indices(&m.lhs, scope, args);
    let rhs = free_indices(&m.rhs, scope, args);
    if lhs.is_empty() && rhs.is_empty() {
        return Some(vec![scope.clone()]);
    }
    let mut ok = true;
    for (side, other, which) in [(&lhs, &rhs, "right"), (&rhs, &lhs, "left")] {
        for f in side.iter() {
            if !other.iter().any(|g| g.name == f.name) {
                errors.push(syn::Error::new(
                    f.span,
                    format!(
                        "the index `{}` appears on one side only: a moment with a free index \
                         holds for every index, as in `E[x[i]] = n * p[i]`, so the {which} side \
                         must use `{}` too",
                        f.name, f.name
                    ),
                ));
                ok = false;
            }
        }
    }
    if !ok {
        return None;
    }
    // Each index's range: the length of every array it indexes (the others bound to 0).
    let mut probe = scope.clone();
    for f in &lhs {
        probe.bind(f.name.clone(), Value::Int(0), false);
    }
    let mut ranges: Vec<(String, usize)> = Vec::new();
    for f in &lhs {
        let all_uses = f.bases.iter().chain(
            rhs.iter()
                .filter(|g| g.name == f.name)
                .flat_map(|g| g.bases.iter()),
        );
        let mut len: Option<usize> = None;
        for base in all_uses {
            let n = match parse::value_in(arena, base, &probe) {
                Ok(Value::Array(items)) => items.len(),
                Ok(other) => {
                    errors.push(syn::Error::new(
                        base.span(),
                        format!(
                            "this is {}, not an array: it cannot be indexed",
                            other.kind()
                        ),
                    ));
                    return None;
                }
                Err(e) => {
                    errors.push(e);
                    return None;
                }
            };
            match len {
                Some(l) if l != n => {
                    errors.push(syn::Error::new(
                        base.span(),
                        format!(
                            "the index `{}` runs over arrays of different lengths ({l} and {n})",
                            f.name
                        ),
                    ));
                    return None;
                }
                _ => len = Some(n),
            }
        }
        ranges.push((f.name.clone(), len.unwrap_or(0)));
    }
    let total = ranges.iter().map(|r| r.1).product::<usize>();
    if total > MAX_UNROLL {
        errors.push(syn::Error::new(
            m.span,
            format!("this moment stands for {total} moments, more than {MAX_UNROLL}"),
        ));
        return None;
    }
    let mut out = vec![scope.clone()];
    for (name, len) in &ranges {
        let mut next = Vec::with_capacity(out.len() * len);
        for s in &out {
            for i in 0..*len {
                let mut s = s.clone();
                s.bind(name.clone(), Value::Int(i as i64), false);
                next.push(s);
            }
        }
        out = next;
    }
    Some(out)
}

/// Pushes the operands of `e` onto `stack` (none for a leaf or an expression the model
/// language has no operands for): the one child enumeration of the syntactic walks over
/// attribute expressions.
pub(super) fn push_operands<'e>(e: &'e Expr, stack: &mut Vec<&'e Expr>) {
    match e {
        Expr::Index(ix) => stack.extend([&*ix.expr, &*ix.index]),
        Expr::Binary(b) => stack.extend([&*b.left, &*b.right]),
        Expr::Unary(u) => stack.push(&u.expr),
        Expr::Paren(p) => stack.push(&p.expr),
        Expr::Group(g) => stack.push(&g.expr),
        Expr::Cast(c) => stack.push(&c.expr),
        Expr::Reference(r) => stack.push(&r.expr),
        Expr::MethodCall(m) => {
            stack.push(&m.receiver);
            stack.extend(m.args.iter());
        }
        Expr::Call(c) => stack.extend(c.args.iter()),
        Expr::Array(a) => stack.extend(a.elems.iter()),
        Expr::Tuple(t) => stack.extend(t.elems.iter()),
        _ => {}
    }
}

/// The free indices of `e` in order of first use, with the arrays each indexes.
fn free_indices<'e>(e: &'e Expr, scope: &Scope, args: &[Arg]) -> Vec<Free<'e>> {
    let mut out: Vec<Free<'e>> = Vec::new();
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        let start = stack.len();
        match e {
            Expr::Index(ix) => {
                if let Expr::Path(p) = &*ix.index {
                    if let Some(id) = p.path.get_ident().filter(|_| p.qself.is_none()) {
                        let name = id.to_string();
                        let bound =
                            scope.get(&name).is_some() || args.iter().any(|a| a.ident == name);
                        if !bound {
                            match out.iter_mut().find(|f| f.name == name) {
                                Some(f) => f.bases.push(&ix.expr),
                                None => out.push(Free {
                                    name,
                                    span: id.span(),
                                    bases: vec![&ix.expr],
                                }),
                            }
                        }
                    }
                }
                stack.extend([&*ix.expr, &*ix.index]);
            }
            _ => push_operands(e, &mut stack),
        }
        // Operands in written order, so that indices are found in order of first use.
        stack[start..].reverse();
    }
    out
}
