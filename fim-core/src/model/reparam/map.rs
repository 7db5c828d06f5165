//! Reading a reparameterization's map θ = g(φ) as written: the old parameters on the left (a
//! number, an entry of an array, `alpha[2]`, or every entry with a free index,
//! `alpha[i] = eta[i].exp()`), the new parameters (the names of the right-hand sides that are
//! not constants, data or inputs: numbers, or arrays when indexed, `eta[i]`), and the
//! expressions.

use std::collections::HashMap;

use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Expr, Ident};

use crate::ctxt::Errors;
use crate::expr::{Id, Symbol};
use crate::parse::{self, Scope, Value};
use crate::Arena;

use super::super::attr::{MapSyn, ReparamSyn};
use super::super::check::{self, entry_name, Arg, Role};
use super::super::Model;

/// Old parameter → its expression in the new ones.
pub(super) type Map = Vec<(Symbol, Id)>;

/// A name of the right-hand sides, in the order first written, with its shape: an argument's
/// own, or for a new name, the shape its indices give it (none for a number).
#[derive(Clone, Debug)]
pub(crate) struct Written {
    pub ident: Ident,
    pub dims: Vec<usize>,
    /// Whether it is an argument of the function (an old parameter kept, a constant, …).
    pub arg: bool,
}

/// How an old parameter's index on the left reads.
#[derive(Clone, Debug)]
enum Index {
    /// A literal: one entry.
    At(usize),
    /// A free index: every entry along this dimension.
    Free(String),
}

/// The names of the right-hand sides of `maps`, in the order first written. `arg_dims` gives
/// the shape of each argument of the function (`None` for a name that is not one). A new name
/// indexed as `eta[i]` is an array as long as the range of `i` (the dimension of the old
/// parameter it indexes on the left); indexed by a literal, `eta[3]`, at least 4 long.
pub(crate) fn written_names(
    maps: &[MapSyn],
    arg_dims: &dyn Fn(&Ident) -> Option<Vec<usize>>,
) -> syn::Result<Vec<Written>> {
    let mut out: Vec<Written> = Vec::new();
    for map in maps {
        let ranges = free_ranges(map, arg_dims);
        let mut stack = vec![&map.rhs];
        while let Some(e) = stack.pop() {
            let start = stack.len();
            match e {
                Expr::Index(_) => {
                    let (base, indices) = index_chain(e);
                    match single_ident(base).filter(|i| arg_dims(i).is_none()) {
                        Some(ident) => {
                            let dims = new_dims(ident, &indices, &ranges)?;
                            record(&mut out, ident, dims, false)?;
                        }
                        None => {
                            stack.push(base);
                            stack.extend(indices);
                        }
                    }
                }
                Expr::Path(_) => {
                    if let Some(ident) = single_ident(e) {
                        let free = ranges.iter().any(|(n, _)| ident == n);
                        if !free {
                            let dims = arg_dims(ident);
                            let arg = dims.is_some();
                            record(&mut out, ident, dims.unwrap_or_default(), arg)?;
                        }
                    }
                }
                _ => super::super::indexed::push_operands(e, &mut stack),
            }
            // Operands in written order, so that names are found in order of first use.
            stack[start..].reverse();
        }
    }
    Ok(out)
}

/// The free indices of a map's left side with their ranges: `alpha[i]` with `alpha: [f64; 4]`
/// gives `i` in 0..4. Indices whose range cannot be known (an unknown old name) are left out.
fn free_ranges(
    map: &MapSyn,
    arg_dims: &dyn Fn(&Ident) -> Option<Vec<usize>>,
) -> Vec<(String, usize)> {
    let dims = arg_dims(&map.old).unwrap_or_default();
    let mut out: Vec<(String, usize)> = Vec::new();
    for (d, e) in map.indices.iter().enumerate() {
        let Some(ident) = single_ident(e).filter(|i| arg_dims(i).is_none()) else {
            continue;
        };
        if let Some(&n) = dims.get(d) {
            if !out.iter().any(|(m, _)| ident == m) {
                out.push((ident.to_string(), n));
            }
        }
    }
    out
}

/// `eta[i][j]` → (`eta`, [`i`, `j`]).
fn index_chain(mut e: &Expr) -> (&Expr, Vec<&Expr>) {
    let mut indices = Vec::new();
    while let Expr::Index(ix) = e {
        indices.push(&*ix.index);
        e = &ix.expr;
    }
    indices.reverse();
    (e, indices)
}

fn single_ident(e: &Expr) -> Option<&Ident> {
    match e {
        Expr::Path(p) if p.qself.is_none() => p.path.get_ident(),
        Expr::Paren(p) => single_ident(&p.expr),
        Expr::Group(g) => single_ident(&g.expr),
        _ => None,
    }
}

/// The shape one use of a new array gives it: each index a free index of the map (its range)
/// or a literal (one past it).
fn new_dims(
    ident: &Ident,
    indices: &[&Expr],
    ranges: &[(String, usize)],
) -> syn::Result<Vec<usize>> {
    if indices.len() > 2 {
        return Err(syn::Error::new(
            ident.span(),
            format!(
                "`{ident}` has {} indices: a parameter array has one or two",
                indices.len()
            ),
        ));
    }
    indices
        .iter()
        .map(|e| {
            if let Some(n) = literal_index(e) {
                return Ok(n + 1);
            }
            let free = single_ident(e).and_then(|i| ranges.iter().find(|(n, _)| i == n));
            match free {
                Some(&(_, n)) => Ok(n),
                None => Err(syn::Error::new(
                    e.span(),
                    format!(
                        "the new parameter array `{ident}` is indexed by a literal or by the \
                         free index of the left side, as in `alpha[i] = {ident}[i].exp()`"
                    ),
                )),
            }
        })
        .collect()
}

fn literal_index(e: &Expr) -> Option<usize> {
    match e {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(n),
            ..
        }) => n.base10_parse::<usize>().ok(),
        Expr::Paren(p) => literal_index(&p.expr),
        Expr::Group(g) => literal_index(&g.expr),
        _ => None,
    }
}

/// Adds one use of `ident` with shape `dims`: a new array grows to its largest use; a name
/// used both as a number and as an array, or with different numbers of indices, is an error.
fn record(out: &mut Vec<Written>, ident: &Ident, dims: Vec<usize>, arg: bool) -> syn::Result<()> {
    let Some(w) = out.iter_mut().find(|w| w.ident == *ident) else {
        out.push(Written {
            ident: ident.clone(),
            dims,
            arg,
        });
        return Ok(());
    };
    if w.arg {
        return Ok(());
    }
    if w.dims.len() != dims.len() {
        let shape = |d: &[usize]| match d.len() {
            0 => "a number".to_string(),
            1 => "an array".to_string(),
            n => format!("an array with {n} indices"),
        };
        return Err(syn::Error::new(
            ident.span(),
            format!(
                "`{ident}` is used as {} here and as {} before",
                shape(&dims),
                shape(&w.dims)
            ),
        ));
    }
    for (a, b) in w.dims.iter_mut().zip(dims) {
        *a = (*a).max(b);
    }
    Ok(())
}

/// The map θ = g(φ), checked: every name on the left is a parameter (or an entry of one),
/// mapped once, by an expression free of the data. Returns the map in the old parameters'
/// order, the right-hand sides in the order written, and the new names' arguments (their
/// entries bound in the arena).
pub(super) fn old_to_new(
    arena: &mut Arena,
    model: &Model,
    r: &ReparamSyn,
    errors: &mut Errors,
) -> Option<(Map, Vec<Id>, Vec<Written>)> {
    let arg_dims = |i: &Ident| {
        model
            .args
            .iter()
            .find(|a| a.ident == *i)
            .map(|a| a.dims.clone())
    };
    let names = match written_names(&r.maps, &arg_dims) {
        Ok(n) => n,
        Err(e) => {
            errors.push(e);
            return None;
        }
    };
    // The arrays of the model and the new arrays, as arrays of their entries.
    let mut scope = super::super::scope_of(arena, &model.args);
    for w in names.iter().filter(|w| !w.arg && !w.dims.is_empty()) {
        let a = new_arg(arena, w);
        scope.bind(w.ident.to_string(), a.value(arena), false);
    }
    let mut bad = false;
    let mut map: HashMap<Symbol, Id> = HashMap::new();
    let mut written: Vec<Id> = Vec::new();
    for m in &r.maps {
        let old = &m.old;
        let Some(arg) = model.args.iter().find(|a| a.ident == *old) else {
            errors.push(syn::Error::new(
                old.span(),
                format!("`{old}` is not a parameter of `{}`", model.item.sig.ident),
            ));
            bad = true;
            continue;
        };
        if arg.role != Role::Param {
            errors.push(syn::Error::new(
                old.span(),
                format!("`{old}` is not a parameter: only params(..) can be reparameterized"),
            ));
            bad = true;
            continue;
        }
        let indices = match left_indices(m, arg) {
            Ok(i) => i,
            Err(e) => {
                errors.push(e);
                bad = true;
                continue;
            }
        };
        for (k, scope) in instances(arg, &indices, &scope) {
            let sym = arg.syms[k];
            match parse::expr_in(arena, &m.rhs, &scope) {
                Ok(id) => {
                    if map.insert(sym, id).is_some() {
                        errors.push(syn::Error::new(
                            old.span(),
                            format!(
                                "`{}` is mapped twice in reparam `{}`",
                                arena.name(sym),
                                r.name
                            ),
                        ));
                        bad = true;
                    }
                    if arena.depends_on_any(id, &model.data) {
                        errors.push(syn::Error::new(
                            m.rhs.span(),
                            "a reparameterization cannot depend on the data",
                        ));
                        bad = true;
                    }
                    written.push(id);
                }
                Err(err) => {
                    errors.push(err);
                    bad = true;
                    break;
                }
            }
            if bad {
                break;
            }
        }
    }
    if bad {
        return None;
    }
    for &p in &model.params {
        if !map.contains_key(&p) {
            let name = arena.name(p).to_string();
            let every = match name.split_once('[') {
                Some((stem, _)) => format!(", or `{stem}[i] = …` for every entry"),
                None => format!(" (or `{name} = {name}` to keep it)"),
            };
            errors.push(syn::Error::new(
                r.name.span(),
                format!(
                    "reparam `{}` leaves parameter `{name}` unmapped: add `{name} = …`{every}",
                    r.name
                ),
            ));
            bad = true;
        }
    }
    (!bad).then(|| {
        let pairs = model.params.iter().map(|p| (*p, map[p])).collect();
        (pairs, written, names)
    })
}

/// The indices of an old parameter on the left: one per dimension, each a literal in range or
/// a free index.
fn left_indices(m: &MapSyn, arg: &Arg) -> syn::Result<Vec<Index>> {
    let old = &m.old;
    if m.indices.is_empty() && !arg.dims.is_empty() {
        return Err(syn::Error::new(
            old.span(),
            format!(
                "`{old}` is an array: map each of its entries, as in `{old}[i] = eta[i].exp()`"
            ),
        ));
    }
    if m.indices.len() != arg.dims.len() {
        let want = match arg.dims.len() {
            0 => format!("`{old}` is a number: write `{old} = …`"),
            1 => format!("`{old}` has one index: write `{old}[i] = …`"),
            _ => format!("`{old}` has two indices: write `{old}[i][j] = …`"),
        };
        let span = m.indices.first().map(|e| e.span()).unwrap_or(old.span());
        return Err(syn::Error::new(span, want));
    }
    m.indices
        .iter()
        .zip(&arg.dims)
        .map(|(e, &n)| {
            if let Some(i) = literal_index(e) {
                if i >= n {
                    return Err(syn::Error::new(
                        e.span(),
                        format!("index {i} is out of range: `{old}` has {n} entries there"),
                    ));
                }
                return Ok(Index::At(i));
            }
            match single_ident(e) {
                Some(i) => Ok(Index::Free(i.to_string())),
                None => Err(syn::Error::new(
                    e.span(),
                    format!(
                        "an index on the left of a reparam is a literal (`{old}[2]`) or a free \
                         index for every entry (`{old}[i]`), not `{}`",
                        e.to_token_stream()
                    ),
                )),
            }
        })
        .collect()
}

/// Every entry the left side names, row-major, with the scope its right side is read in (the
/// free indices bound).
fn instances(arg: &Arg, indices: &[Index], scope: &Scope) -> Vec<(usize, Scope)> {
    let mut out: Vec<(Vec<usize>, Scope)> = vec![(Vec::new(), scope.clone())];
    for (d, index) in indices.iter().enumerate() {
        let mut next = Vec::new();
        for (at, s) in out {
            match index {
                Index::At(i) => next.push((push(&at, *i), s)),
                Index::Free(name) => {
                    // An index already bound (`a[i][i]`) keeps its value.
                    if let Some(Value::Int(i)) = s.get(name) {
                        let i = *i as usize;
                        next.push((push(&at, i), s));
                        continue;
                    }
                    for i in 0..arg.dims[d] {
                        let mut s = s.clone();
                        s.bind(name.clone(), Value::Int(i as i64), false);
                        next.push((push(&at, i), s));
                    }
                }
            }
        }
        out = next;
    }
    out.into_iter()
        .map(|(at, s)| {
            let k = at.iter().zip(&arg.dims).fold(0, |k, (i, n)| k * n + i);
            (k, s)
        })
        .collect()
}

fn push(v: &[usize], i: usize) -> Vec<usize> {
    let mut v = v.to_vec();
    v.push(i);
    v
}

/// A new name as an argument of the reparam's functions: `phi: f64` or `eta: [f64; 4]`.
pub(super) fn new_arg(arena: &mut Arena, w: &Written) -> Arg {
    let name = w.ident.to_string();
    let n: usize = w.dims.iter().product();
    Arg {
        ident: w.ident.clone(),
        ty: check::array_type(&w.dims),
        dims: w.dims.clone(),
        syms: (0..n)
            .map(|k| arena.symbol(&entry_name(&name, &w.dims, k)))
            .collect(),
        role: Role::Param,
        known: true,
    }
}

/// The new parameters: the names of the right-hand sides that are not constants or inputs, in
/// the order first written, each array whole; there must be as many entries as old
/// parameters. Returns their entries in order and the arguments that hold them.
pub(super) fn new_params(
    arena: &mut Arena,
    model: &Model,
    r: &ReparamSyn,
    written: &[Id],
    names: &[Written],
    errors: &mut Errors,
) -> Option<(Vec<Symbol>, Vec<Arg>)> {
    let k = model.params.len();
    let fixed = model.syms_where(|r| matches!(r, Role::Constant | Role::Input));
    let mut used: Vec<Symbol> = Vec::new();
    for &id in written {
        for s in arena.free_symbols(id) {
            if !fixed.contains(&s) && !used.contains(&s) {
                used.push(s);
            }
        }
    }
    // Each name as an argument: an old parameter kept keeps its own; a new name gets one.
    let mut args: Vec<Arg> = Vec::new();
    for w in names {
        let arg = match model.args.iter().find(|a| a.ident == w.ident) {
            Some(a) if matches!(a.role, Role::Constant | Role::Input | Role::Data) => continue,
            Some(a) => Arg {
                role: Role::Param,
                ..a.clone()
            },
            None => new_arg(arena, w),
        };
        // A name that reads as something else (a constant of std) is no parameter.
        if arg.syms.iter().any(|s| used.contains(s)) {
            args.push(arg);
        }
    }
    let params: Vec<Symbol> = args.iter().flat_map(|a| a.syms.iter().copied()).collect();
    let stray = used.iter().find(|s| !params.contains(s));
    if let Some(&s) = stray {
        // A symbol of no written name: only an entry of an array named differently on the
        // right than on the left could do this; name it rather than guess.
        errors.push(syn::Error::new(
            r.name.span(),
            format!(
                "reparam `{}`: `{}` is not a parameter of either side",
                r.name,
                arena.name(s)
            ),
        ));
        return None;
    }
    let mut clean = true;
    for a in &args {
        let unused: Vec<&str> = a
            .syms
            .iter()
            .filter(|s| !used.contains(s))
            .map(|&s| arena.name(s))
            .collect();
        if !unused.is_empty() && !a.dims.is_empty() {
            errors.push(syn::Error::new(
                a.ident.span(),
                format!(
                    "reparam `{}`: the new parameter array `{}` has entries no map uses ({}): \
                     every entry must be a parameter",
                    r.name,
                    a.ident,
                    unused.join(", ")
                ),
            ));
            clean = false;
        }
    }
    if params.len() == k {
        // A new parameter stands among the arguments of every generated function.
        for a in &args {
            if let Some(e) = check::collision(&a.ident, Some(Role::Param)) {
                let name = a.ident.to_string();
                let span = r
                    .maps
                    .iter()
                    .find_map(|m| check::find_ident(m.rhs.to_token_stream(), &name));
                errors.push(syn::Error::new(
                    span.unwrap_or_else(|| r.name.span()),
                    e.to_string(),
                ));
                clean = false;
            }
        }
        return clean.then_some((params, args));
    }
    if !clean {
        return None;
    }
    errors.push(syn::Error::new(
        r.name.span(),
        not_square(arena, model, r, written, &args),
    ));
    None
}

/// Why a reparam with a different number of new parameters than old is refused: a constant
/// written on the right may have been meant as one.
fn not_square(
    arena: &Arena,
    model: &Model,
    r: &ReparamSyn,
    written: &[Id],
    args: &[Arg],
) -> String {
    let k = model.params.len();
    let n: usize = args.iter().map(|a| a.syms.len()).sum();
    let constants: Vec<String> = written
        .iter()
        .flat_map(|&id| arena.free_symbols(id))
        .filter(|s| model.constants.contains(s))
        .map(|s| format!("`{}`", arena.name(s)))
        .fold(Vec::new(), |mut v, n| {
            if !v.contains(&n) {
                v.push(n);
            }
            v
        });
    if n < k && !constants.is_empty() {
        let (is, it) = if constants.len() == 1 {
            ("is a constant", "it")
        } else {
            ("are constants", "they")
        };
        return format!(
            "reparam `{}`: {} {is} of `{}` (arguments that are not params, data or inputs), so \
             {it} cannot be a new parameter; write the old parameters in new names, as in \
             `theta = phi / (1.0 + phi)`",
            r.name,
            constants.join(", "),
            model.item.sig.ident
        );
    }
    let listed: Vec<String> = args
        .iter()
        .map(|a| match a.syms.len() {
            1 if a.dims.is_empty() => a.ident.to_string(),
            m => format!("{} ({m} entries)", a.ident),
        })
        .collect();
    format!(
        "reparam `{}` has {n} new parameter{} ({}) for {k} old one{}: the map must be square",
        r.name,
        if n == 1 { "" } else { "s" },
        listed.join(", "),
        if k == 1 { "" } else { "s" },
    )
}
