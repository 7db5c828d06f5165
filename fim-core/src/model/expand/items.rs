//! The catalogue of generated items: one small function per item, and [`ITEMS`], the list
//! that both the real module and, on error, the stub module are built from. An item reads the
//! quantities the derivation computed ([`Ctx`]) and only writes tokens.

use std::collections::HashMap;

use proc_macro2::{Delimiter, Group, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, ToTokens};
use syn::Ident;

use crate::emit;
use crate::expr::{Id, Symbol};
use crate::print;
use crate::Arena;

use super::unrolled;
use crate::model::expfamily::{Family, Kl};
use crate::model::matrix::{upper, Inverse, Jeffreys, Matrix};
use crate::model::quantities::Forms;

/// One argument of a generated function: its name, its type (`f64` or an array of them, as the
/// user declared it) and its number of entries.
#[derive(Clone, Debug)]
pub struct Param {
    /// The name.
    pub ident: Ident,
    /// The type.
    pub ty: TokenStream,
    /// How many numbers it holds (1 for `f64`).
    pub entries: usize,
}

impl Param {
    /// An `f64` argument.
    pub fn scalar(ident: Ident) -> Param {
        Param {
            ident,
            ty: quote! { f64 },
            entries: 1,
        }
    }
}

/// The argument lists of one set of items: the model's own parameters or a reparam's.
#[derive(Clone, Debug)]
pub struct Shape {
    /// The parameter names in matrix order (`PARAMS`); K is their number.
    pub names: Vec<String>,
    /// `P`: the arguments of `fisher` & co., parameters and constants in order, inputs last.
    pub p: Vec<Param>,
    /// `P` without the inputs: the fixed arguments of the averaged items.
    pub fixed: Vec<Param>,
    /// All arguments, for `score` and `hessian`.
    pub all: Vec<Param>,
    /// The inputs of a conditional model.
    pub inputs: Vec<Param>,
}

impl Shape {
    fn k(&self) -> usize {
        self.names.len()
    }

    /// The name of an argument the items add (`grad`, `delta`, `inputs`): the plain name, or
    /// `__fim_grad` when a model argument already has it. The model is refused in that case
    /// (see `check::check_collisions`), but its stubs must still compile cleanly.
    fn free(&self, name: &str) -> Ident {
        let taken = self.all.iter().any(|p| p.ident == name);
        if taken {
            format_ident!("__fim_{}", name)
        } else {
            format_ident!("{}", name)
        }
    }
}

/// How generated code reads each symbol: `theta`, `alpha[2]`.
pub type Vars = HashMap<Symbol, TokenStream>;

/// What the items of one parameterization read: its derived quantities, and how the arguments
/// of [`Shape`] read each symbol.
pub struct Ctx<'a> {
    /// The arena the quantities live in.
    pub arena: &'a Arena,
    /// The argument lists.
    pub shape: &'a Shape,
    /// The symbols that the arguments `P` hold.
    pub p: &'a Vars,
    /// The symbols that all arguments hold.
    pub all: &'a Vars,
    /// Score and Hessian as emitted.
    pub emitted: &'a Forms,
    /// F.
    pub fisher: &'a Matrix,
    /// ½ ln det F.
    pub jeffreys: &'a Jeffreys,
    /// F⁻¹.
    pub inverse: &'a Inverse,
    /// Expressions that must be positive on the domain (NaN outside).
    pub guards: &'a [Id],
    /// Constants that must not be negative (NaN outside).
    pub nonnegative: &'a [Id],
    /// The exponential-family structure, when the derivation found it.
    pub family: Option<&'a Family>,
    /// The closed-form KL divergence, when the moments give it.
    pub kl: Option<&'a Kl>,
    /// The DERIVATION text.
    pub derivation: &'a str,
}

/// Whether an item is a constant or a function.
#[derive(Clone, Copy)]
enum Kind {
    Const,
    Fn,
}

/// The lints a generated function allows: all of them take arguments they may not read.
#[derive(Clone, Copy)]
enum Lints {
    /// `#[allow(unused_variables, unused_parens, clippy::all)] #[inline]`.
    Inline,
    /// `#[allow(unused_variables, clippy::all)] #[inline]`.
    InlinePlain,
    /// `#[allow(unused_variables, clippy::all)]`.
    Plain,
    /// None (constants).
    None,
}

/// One generated item.
pub struct Item {
    kind: Kind,
    lints: Lints,
    /// Whether the item exists for a shape (the averaged items need inputs); the stub module
    /// has every item that exists for the shape.
    present: fn(&Shape) -> bool,
    /// Whether the derivation supports it (the exponential-family items need the structure).
    derived: fn(&Ctx) -> bool,
    /// `pub fn name(args) -> T` or `pub const NAME: T`.
    signature: fn(&Shape) -> TokenStream,
    /// The value in a stub module: NaN of the right shape, or empty text.
    stub: fn(&Shape) -> TokenStream,
    /// The doc text and the value (a body or a constant's value) from a derivation.
    build: fn(&Ctx) -> syn::Result<(String, TokenStream)>,
}

/// Every generated item, in the order they are emitted.
pub const ITEMS: &[Item] = &[
    PARAMS,
    FISHER_TEXT,
    JEFFREYS_TEXT,
    DERIVATION,
    SCORE,
    HESSIAN,
    FISHER,
    FISHER_INVERSE,
    JEFFREYS_LOG_DENSITY,
    JEFFREYS_WIDE,
    NATURAL_GRADIENT,
    KL_QUADRATIC,
    FISHER_NATURAL,
    FISHER_MEAN,
    KL_DIVERGENCE,
    FISHER_AVERAGED,
    JEFFREYS_AVERAGED,
];

/// The items of one parameterization, from its derived quantities.
pub fn module_items(cx: &Ctx) -> syn::Result<TokenStream> {
    let mut out = TokenStream::new();
    for item in ITEMS
        .iter()
        .filter(|i| (i.present)(cx.shape) && (i.derived)(cx))
    {
        let (doc, value) = (item.build)(cx)?;
        out.extend(doc_lines(&doc));
        out.extend(lints(item.lints));
        out.extend((item.signature)(cx.shape));
        push_value(&mut out, item.kind, value);
    }
    Ok(out)
}

/// ` = value;` after a constant's signature, `{ value }` after a function's. The pieces of an
/// item are moved into the module's stream: interpolating them with `quote!` would copy every
/// token of the body and the doc once more, and then drop the originals.
fn push_value(out: &mut TokenStream, kind: Kind, value: TokenStream) {
    match kind {
        Kind::Const => {
            out.extend([TokenTree::Punct(Punct::new('=', Spacing::Alone))]);
            out.extend(value);
            out.extend([TokenTree::Punct(Punct::new(';', Spacing::Alone))]);
        }
        Kind::Fn => out.extend([TokenTree::Group(Group::new(Delimiter::Brace, value))]),
    }
}

/// The same items with stub values, for the module emitted beside an error.
pub fn stub_items(shape: &Shape) -> TokenStream {
    let mut out = TokenStream::new();
    for item in ITEMS.iter().filter(|i| (i.present)(shape)) {
        out.extend((item.signature)(shape));
        push_value(&mut out, item.kind, (item.stub)(shape));
    }
    out
}

fn lints(l: Lints) -> TokenStream {
    match l {
        Lints::Inline => {
            quote! { #[allow(unused_variables, unused_parens, clippy::all)] #[inline] }
        }
        Lints::InlinePlain => quote! { #[allow(unused_variables, clippy::all)] #[inline] },
        Lints::Plain => quote! { #[allow(unused_variables, clippy::all)] },
        Lints::None => quote! {},
    }
}

/// The doc attribute for `text`: one `#[doc = r" line\n line…"]`, each line indented by a
/// space as a `///` comment is (rustdoc reads it the same as one attribute per line, and one
/// literal is much cheaper to build and to lex than one per line).
pub fn doc_lines(text: &str) -> TokenStream {
    let mut doc = String::with_capacity(text.len() + text.len() / 16 + 1);
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            doc.push('\n');
        }
        doc.push(' ');
        doc.push_str(line);
    }
    if doc.is_empty() {
        return TokenStream::new();
    }
    let lit = emit::str_literal(&doc);
    quote! { #[doc = #lit] }
}

// ---- shared pieces ----------------------------------------------------------------------

fn always(_: &Shape) -> bool {
    true
}

fn any(_: &Ctx) -> bool {
    true
}

fn with_inputs(s: &Shape) -> bool {
    !s.inputs.is_empty()
}

/// `a: f64, b: [f64; 3],` — each argument with a trailing comma, so that a list with nothing
/// in it (a stub whose parameters could not be read) is still a valid start of a signature.
fn args(ps: &[Param]) -> TokenStream {
    let (ids, tys): (Vec<&Ident>, Vec<&TokenStream>) = ps.iter().map(|p| (&p.ident, &p.ty)).unzip();
    quote! { #(#ids: #tys,)* }
}

fn nan_scalar(_: &Shape) -> TokenStream {
    quote! { ::core::f64::NAN }
}

fn nan_vector(s: &Shape) -> TokenStream {
    let k = s.k();
    quote! { [::core::f64::NAN; #k] }
}

fn nan_matrix(s: &Shape) -> TokenStream {
    let k = s.k();
    quote! { [[::core::f64::NAN; #k]; #k] }
}

/// The number of entries of one row of `inputs`: every input's entries, in order.
fn input_entries(s: &Shape) -> usize {
    s.inputs.iter().map(|p| p.entries).sum()
}

/// The type of the `inputs` slice: one number per row, or an array of them.
fn inputs_type(s: &Shape) -> TokenStream {
    let m = input_entries(s);
    if m == 1 {
        quote! { &[f64] }
    } else {
        quote! { &[[f64; #m]] }
    }
}

/// The most characters of a matrix printed in a doc comment: a larger one (a Dirichlet with
/// K = 50 prints 1.5 MB) is described, and its entries are read in `FISHER` and the DERIVATION.
const MATRIX_DOC_MAX: usize = 16_384;

/// Rust text of a matrix of expressions, `[[a, b], [c, d]]`, for a doc comment: beyond
/// [`MATRIX_DOC_MAX`] characters, a description of it.
pub fn matrix_text(arena: &Arena, m: &[Vec<Id>]) -> String {
    let mut out = String::from("[");
    for (i, r) in m.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('[');
        for (j, &x) in r.iter().enumerate() {
            if j > 0 {
                out.push_str(", ");
            }
            out.push_str(&print::rust_brief(arena, x));
            if out.len() > MATRIX_DOC_MAX {
                let k = m.len();
                return format!(
                    "(a {k}×{k} matrix too long to show here: its entries are in `FISHER` and \
                     the DERIVATION)"
                );
            }
        }
        out.push(']');
    }
    out.push(']');
    out
}

/// A function body computing `roots` over the arguments that read `vars`, arranging their
/// values with `arrange`; it returns `nan` outside the domain (where a guard over its own
/// arguments is not positive) and for a NaN argument (an argument that no guard reads is
/// checked for NaN itself, so that NaN in gives NaN out even where the value does not depend
/// on it).
fn body(
    cx: &Ctx,
    roots: &[Id],
    vars: &Vars,
    nan: TokenStream,
    arrange: impl FnOnce(&[TokenStream]) -> TokenStream,
) -> syn::Result<TokenStream> {
    let arena = cx.arena;
    let checks: Vec<Id> = cx
        .guards
        .iter()
        .copied()
        .filter(|&c| arena.free_symbols(c).iter().all(|s| vars.contains_key(s)))
        .collect();
    let floors: Vec<Id> = cx
        .nonnegative
        .iter()
        .copied()
        .filter(|&c| arena.free_symbols(c).iter().all(|s| vars.contains_key(s)))
        .collect();
    let guarded: Vec<Symbol> = checks
        .iter()
        .chain(&floors)
        .flat_map(|&c| arena.free_symbols(c))
        .collect();
    let mut unguarded: Vec<(&Symbol, &TokenStream)> =
        vars.iter().filter(|(s, _)| !guarded.contains(s)).collect();
    // In the order of the arguments' names, so that the output is deterministic.
    unguarded.sort_by_key(|(_, t)| t.to_string());
    let mut all = roots.to_vec();
    all.extend(&checks);
    all.extend(&floors);
    let e = emit::emit(arena, &all, vars).map_err(|m| syn::Error::new(Span::call_site(), m))?;
    let lets = &e.lets;
    let (values, tests) = e.values.split_at(roots.len());
    let (tests, floors) = tests.split_at(checks.len());
    let out = arrange(values);
    // `!(v > 0)` is also true for NaN.
    let mut conditions: Vec<TokenStream> = tests.iter().map(|t| quote! { (#t) > 0.0 }).collect();
    conditions.extend(floors.iter().map(|t| quote! { (#t) >= 0.0 }));
    conditions.extend(unguarded.iter().map(|(_, t)| quote! { !#t.is_nan() }));
    // In chunks: rustc's stack overflows on a chain of a few hundred `&&` (100 independent
    // normals guard 300 arguments).
    let check = conditions.chunks(GUARD_CHUNK).map(|chunk| {
        quote! { if !(#(#chunk)&&*) { return #nan; } }
    });
    let check = quote! { #(#check)* };
    Ok(quote! { #(#lets)* #check #out })
}

fn p_vars<'a>(cx: &'a Ctx) -> &'a Vars {
    cx.p
}

fn all_vars<'a>(cx: &'a Ctx) -> &'a Vars {
    cx.all
}

/// A call of the sibling item `name` with the arguments `P`. The path starts at `self` so that
/// an argument with the same name as an item does not shadow it.
fn call_p(name: &str, s: &Shape) -> TokenStream {
    let f = Ident::new(name, Span::call_site());
    let p = s.p.iter().map(|p| &p.ident);
    quote! { self::#f(#(#p),*) }
}

// ---- the texts ----------------------------------------------------------------------------

/// The parameter names as a user reads them: a raw `r#type` is `type`.
fn shown_names(s: &Shape) -> Vec<&str> {
    s.names
        .iter()
        .map(|n| n.strip_prefix("r#").unwrap_or(n))
        .collect()
}

const PARAMS: Item = Item {
    kind: Kind::Const,
    lints: Lints::None,
    present: always,
    derived: any,
    signature: |s| {
        let k = s.k();
        quote! { pub const PARAMS: [&str; #k] }
    },
    stub: |s| {
        let names = shown_names(s);
        quote! { [#(#names),*] }
    },
    build: |cx| {
        let names = shown_names(cx.shape);
        let doc = format!("The parameters, in matrix order: {}.", names.join(", "));
        Ok((doc, quote! { [#(#names),*] }))
    },
};

const FISHER_TEXT: Item = Item {
    kind: Kind::Const,
    lints: Lints::None,
    present: always,
    derived: any,
    signature: |s| {
        let k = s.k();
        quote! { pub const FISHER: [[&str; #k]; #k] }
    },
    stub: |s| {
        let k = s.k();
        quote! { [[""; #k]; #k] }
    },
    build: |cx| {
        let rows: Vec<TokenStream> = cx
            .fisher
            .iter()
            .map(|r| {
                let cells: Vec<String> =
                    r.iter().map(|&x| print::rust_brief(cx.arena, x)).collect();
                quote! { [#(#cells),*] }
            })
            .collect();
        let doc = "The Fisher information entries as Rust expressions (an entry too long to read is described by its size).".to_string();
        Ok((doc, quote! { [#(#rows),*] }))
    },
};

const JEFFREYS_TEXT: Item = Item {
    kind: Kind::Const,
    lints: Lints::None,
    present: always,
    derived: any,
    signature: |_| quote! { pub const JEFFREYS: &str },
    stub: |_| quote! { "" },
    build: |cx| {
        let text = match cx.jeffreys {
            Jeffreys::Closed { expr, .. } => print::rust_brief(cx.arena, *expr),
            Jeffreys::Numeric => "0.5 * ln det F (numeric Cholesky log-determinant)".to_string(),
        };
        let doc = "The Jeffreys log density ½ ln det F as a Rust expression.".to_string();
        let text = emit::str_literal(&text);
        Ok((doc, quote! { #text }))
    },
};

const DERIVATION: Item = Item {
    kind: Kind::Const,
    lints: Lints::None,
    present: always,
    derived: any,
    signature: |_| quote! { pub const DERIVATION: &str },
    stub: |_| quote! { "" },
    build: |cx| {
        let text = emit::str_literal(cx.derivation);
        let doc = "The derivation, step by step (Markdown with LaTeX).".to_string();
        Ok((doc, quote! { #text }))
    },
};

// ---- one observation ------------------------------------------------------------------------

const SCORE: Item = Item {
    kind: Kind::Fn,
    lints: Lints::Inline,
    present: always,
    derived: any,
    signature: |s| {
        let (all, k) = (args(&s.all), s.k());
        quote! { pub fn score(#all) -> [f64; #k] }
    },
    stub: nan_vector,
    build: |cx| {
        let score = &cx.emitted.score;
        let lines: Vec<String> = cx
            .shape
            .names
            .iter()
            .zip(score)
            .map(|(n, &s)| format!("∂ℓ/∂{n} = {}", print::rust_brief(cx.arena, s)))
            .collect();
        let doc = format!("The score ∂ℓ/∂θ:\n\n```text\n{}\n```", lines.join("\n"));
        let body = body(cx, score, all_vars(cx), nan_vector(cx.shape), |v| {
            quote! { [#(#v),*] }
        })?;
        Ok((doc, body))
    },
};

const HESSIAN: Item = Item {
    kind: Kind::Fn,
    lints: Lints::Inline,
    present: always,
    derived: any,
    signature: |s| {
        let (all, k) = (args(&s.all), s.k());
        quote! { pub fn hessian(#all) -> [[f64; #k]; #k] }
    },
    stub: nan_matrix,
    build: |cx| {
        let h = &cx.emitted.hessian;
        let doc = format!(
            "The Hessian ∂²ℓ/∂θ∂θᵀ of the log-likelihood at one observation (symmetric):\n\n\
             ```text\nH = {}\n```\n\nNaN outside the domain.",
            matrix_text(cx.arena, h)
        );
        let k = cx.shape.k();
        let body = body(cx, &upper(h), all_vars(cx), nan_matrix(cx.shape), |v| {
            unrolled::matrix(k, v)
        })?;
        Ok((doc, body))
    },
};

// ---- F and what follows from it -----------------------------------------------------------

const FISHER: Item = Item {
    kind: Kind::Fn,
    lints: Lints::Inline,
    present: always,
    derived: any,
    signature: |s| {
        let (p, k) = (args(&s.p), s.k());
        quote! { pub fn fisher(#p) -> [[f64; #k]; #k] }
    },
    stub: nan_matrix,
    build: |cx| {
        let inputs_note = if cx.shape.inputs.is_empty() {
            ""
        } else {
            "\n\nThis is a conditional model: the inputs are the last arguments and this is F at \
             one input. The model's Fisher information is the average over inputs, \
             `fisher_averaged`."
        };
        let doc = format!(
            "Fisher information F = −E[∂²ℓ/∂θ∂θᵀ] in closed form:\n\n```text\nF = {}\n```\n\n\
             Outside the model's domain (where a logarithm's argument of ℓ is not positive) the \
             entries are NaN; no panic.{inputs_note}",
            matrix_text(cx.arena, cx.fisher)
        );
        let k = cx.shape.k();
        let body = body(
            cx,
            &upper(cx.fisher),
            p_vars(cx),
            nan_matrix(cx.shape),
            |v| unrolled::matrix(k, v),
        )?;
        Ok((doc, body))
    },
};

const FISHER_INVERSE: Item = Item {
    kind: Kind::Fn,
    lints: Lints::Inline,
    present: always,
    derived: any,
    signature: |s| {
        let (p, k) = (args(&s.p), s.k());
        quote! { pub fn fisher_inverse(#p) -> [[f64; #k]; #k] }
    },
    stub: nan_matrix,
    build: |cx| {
        let (how, body) = match cx.inverse {
            Inverse::Closed(inv) => {
                let k = cx.shape.k();
                let body = body(cx, &upper(inv), p_vars(cx), nan_matrix(cx.shape), |v| {
                    unrolled::matrix(k, v)
                })?;
                let text = matrix_text(cx.arena, inv);
                (format!("in closed form:\n\n```text\nF⁻¹ = {text}\n```"), body)
            }
            Inverse::RankOne { d, c } => {
                let k = cx.shape.k();
                let body = rank_one(cx, d, *c, nan_matrix(cx.shape), quote! {
                    let mut __fim_out = [[0.0_f64; #k]; #k];
                    for __fim_i in 0..#k {
                        for __fim_j in 0..#k {
                            __fim_out[__fim_i][__fim_j] =
                                -__fim_c * __fim_r[__fim_i] * __fim_r[__fim_j] / __fim_s;
                        }
                        __fim_out[__fim_i][__fim_i] += __fim_r[__fim_i];
                    }
                    __fim_out
                })?;
                (rank_one_text(cx, d, *c), body)
            }
            Inverse::Singular => (
                "not at all: F is singular for every value of the parameters, so this is NaN."
                    .to_string(),
                nan_matrix(cx.shape),
            ),
            Inverse::Cholesky => (
                "by a Cholesky factorization of F, unrolled (NaN where F is not positive definite)."
                    .to_string(),
                inverse_by_cholesky(cx.shape),
            ),
        };
        let doc = format!("The inverse Fisher information (the Cramér–Rao bound), {how}");
        Ok((doc, body))
    },
};

/// A body for F = D + c 11ᵀ ([`Inverse::RankOne`]): binds `__fim_c` = c, `__fim_r` = [1/dᵢ]
/// and `__fim_s` = 1 + c Σ rᵢ, then runs `tail` (O(K) code and work, where the closed-form
/// entries would be K²).
fn rank_one(
    cx: &Ctx,
    d: &[Id],
    c: Id,
    nan: TokenStream,
    tail: TokenStream,
) -> syn::Result<TokenStream> {
    let k = d.len();
    let mut roots = vec![c];
    roots.extend(d);
    body(cx, &roots, p_vars(cx), nan, |v| {
        let (c, d) = (&v[0], &v[1..]);
        quote! {
            let __fim_c: f64 = #c;
            let __fim_r: [f64; #k] = [#(1.0_f64 / (#d)),*];
            let mut __fim_s = 1.0_f64;
            for __fim_i in 0..#k {
                __fim_s += __fim_c * __fim_r[__fim_i];
            }
            #tail
        }
    })
}

/// How `fisher_inverse` computes a rank-one structured F⁻¹, for its doc.
fn rank_one_text(cx: &Ctx, d: &[Id], c: Id) -> String {
    let ds: Vec<String> = d.iter().map(|&x| print::rust_brief(cx.arena, x)).collect();
    let mut ds = ds.join(", ");
    if ds.len() > MATRIX_DOC_MAX {
        ds = format!("({} entries too long to show here)", d.len());
    }
    format!(
        "by Sherman–Morrison in O(K): F = D + c 11ᵀ with\n\n```text\nD = diag([{ds}])\nc = {}\n\
         ```\n\nso F⁻¹ = D⁻¹ − c D⁻¹11ᵀD⁻¹ / (1 + c Σ 1/dᵢ).",
        print::rust_brief(cx.arena, c)
    )
}

/// F⁻¹ column by column from an unrolled Cholesky factorization of F.
fn inverse_by_cholesky(s: &Shape) -> TokenStream {
    let k = s.k();
    let factor = unrolled::cholesky(k, &nan_matrix(s));
    let columns: Vec<TokenStream> = (0..k)
        .map(|j| {
            let e: Vec<TokenStream> = (0..k)
                .map(|i| {
                    if i == j {
                        quote! { 1.0_f64 }
                    } else {
                        quote! { 0.0_f64 }
                    }
                })
                .collect();
            unrolled::solve(k, &e)
        })
        .collect();
    let cells: Vec<TokenStream> = (0..k)
        .map(|i| {
            let row: Vec<TokenStream> = (0..k).map(|j| quote! { __fim_cols[#j][#i] }).collect();
            quote! { [#(#row),*] }
        })
        .collect();
    let fisher = call_p("fisher", s);
    quote! {
        let __fim_f = #fisher;
        #factor
        let __fim_cols: [[f64; #k]; #k] = [#({ #columns }),*];
        [#(#cells),*]
    }
}

const JEFFREYS_LOG_DENSITY: Item = Item {
    kind: Kind::Fn,
    lints: Lints::Inline,
    present: always,
    derived: any,
    signature: |s| {
        let p = args(&s.p);
        quote! { pub fn jeffreys_log_density(#p) -> f64 }
    },
    stub: nan_scalar,
    build: |cx| {
        let (form, body) = match cx.jeffreys {
            Jeffreys::Closed { expr, .. } => {
                let wide =
                    wide_jeffreys(cx).map(|_| call_p("__jeffreys_log_density_wide", cx.shape));
                let body = body(cx, &[*expr], p_vars(cx), nan_scalar(cx.shape), |v| {
                    let v0 = &v[0];
                    match wide {
                        // Where the f64 form overflows or underflows on the way (ψ₁(α) for
                        // α < 10⁻¹⁵⁴), the same form with an unbounded exponent.
                        Some(wide) => quote! {
                            let __fim_v: f64 = #v0;
                            if __fim_v.is_finite() { __fim_v } else { #wide }
                        },
                        None => quote! { #v0 },
                    }
                })?;
                (format!("`{}`", print::rust_brief(cx.arena, *expr)), body)
            }
            Jeffreys::Numeric => (
                "½ ln det F by a Cholesky factorization at run time (F is dense and large)"
                    .to_string(),
                jeffreys_by_cholesky(cx.shape),
            ),
        };
        let doc = format!(
            "½ ln det F exactly, which is the Jeffreys prior's log density up to its (usually \
             infinite) normalizing constant: {form}.\n\n−∞ where F is singular, NaN outside the \
             domain; at the boundary of the domain it may be ±∞."
        );
        Ok((doc, body))
    },
};

/// The closed form of ½ ln det F when it depends on the arguments: the one that
/// [`JEFFREYS_WIDE`] computes.
fn wide_jeffreys(cx: &Ctx) -> Option<Id> {
    match cx.jeffreys {
        Jeffreys::Closed { expr, .. } if !cx.arena.free_symbols(*expr).is_empty() => Some(*expr),
        _ => None,
    }
}

/// `jeffreys_log_density`'s closed form in `fim::__private::wide::Wide`, a float with an
/// unbounded exponent: its fallback where the `f64` form is not finite. Hidden, and without a
/// domain check of its own (`jeffreys_log_density` checks before it calls it).
const JEFFREYS_WIDE: Item = Item {
    kind: Kind::Fn,
    lints: Lints::Plain,
    present: always,
    derived: |cx| wide_jeffreys(cx).is_some(),
    signature: |s| {
        let p = args(&s.p);
        quote! { #[doc(hidden)] pub fn __jeffreys_log_density_wide(#p) -> f64 }
    },
    stub: nan_scalar,
    build: |cx| {
        let Some(expr) = wide_jeffreys(cx) else {
            return Ok((String::new(), nan_scalar(cx.shape)));
        };
        let vars: Vars =
            cx.p.iter()
                .map(|(s, t)| (*s, quote! { ::fim::__private::wide::Wide::from(#t) }))
                .collect();
        let e = emit::emit_wide(cx.arena, &[expr], &vars)
            .map_err(|m| syn::Error::new(Span::call_site(), m))?;
        let (lets, v) = (&e.lets, &e.values[0]);
        let doc = "½ ln det F as in [`jeffreys_log_density`], computed with an unbounded \
                   exponent: its fallback where the `f64` form overflows. No domain check."
            .to_string();
        Ok((
            doc,
            quote! { #(#lets)* ::fim::__private::wide::Wide::from(#v).to_f64() },
        ))
    },
};

/// ½ ln det F = Σ ln lᵢᵢ from an unrolled Cholesky factorization; where a pivot fails, the
/// run-time helper tells −∞ (singular) from NaN.
fn jeffreys_by_cholesky(s: &Shape) -> TokenStream {
    let k = s.k();
    let fail = quote! { ::fim::__private::half_log_det(&__fim_f) };
    let factor = unrolled::cholesky(k, &fail);
    let logs: Vec<TokenStream> = (0..k)
        .map(|i| {
            let l = unrolled::lname(i, i);
            quote! { #l.ln() }
        })
        .collect();
    let fisher = call_p("fisher", s);
    quote! {
        let __fim_f = #fisher;
        #factor
        // det F = Π lᵢᵢ², so ½ ln det F = Σ ln lᵢᵢ.
        #(#logs)+*
    }
}

const NATURAL_GRADIENT: Item = Item {
    kind: Kind::Fn,
    lints: Lints::Inline,
    present: always,
    derived: any,
    signature: |s| {
        let (p, k, grad) = (args(&s.p), s.k(), s.free("grad"));
        quote! { pub fn natural_gradient(#p #grad: [f64; #k]) -> [f64; #k] }
    },
    stub: nan_vector,
    build: |cx| {
        let doc = "The natural gradient F⁻¹ · grad, with F as in [`fisher`] and F⁻¹ as in \
                   [`fisher_inverse`]. NaN outside the domain."
            .to_string();
        let s = cx.shape;
        let (k, g) = (s.k(), s.free("grad"));
        let body = match cx.inverse {
            Inverse::Closed(inv) => {
                // Entries of F⁻¹ known to be zero (a block structure) are left out.
                let rows: Vec<TokenStream> = (0..k)
                    .map(|i| {
                        let terms: Vec<TokenStream> = (0..k)
                            .filter(|&j| !cx.arena.is_zero(inv[i][j]))
                            .map(|j| quote! { __fim_inv[#i][#j] * #g[#j] })
                            .collect();
                        if terms.is_empty() {
                            quote! { 0.0_f64 }
                        } else {
                            quote! { #(#terms)+* }
                        }
                    })
                    .collect();
                let inverse = call_p("fisher_inverse", s);
                quote! {
                    let __fim_inv = #inverse;
                    [#(#rows),*]
                }
            }
            Inverse::RankOne { d, c } => rank_one(
                cx,
                d,
                *c,
                nan_vector(s),
                quote! {
                    // F⁻¹ g = D⁻¹ g − c D⁻¹1 (1ᵀD⁻¹g) / s = r ∘ (g − c (r · g) / s).
                    let mut __fim_t = 0.0_f64;
                    for __fim_i in 0..#k {
                        __fim_t += __fim_r[__fim_i] * #g[__fim_i];
                    }
                    let __fim_u = __fim_c * __fim_t / __fim_s;
                    let mut __fim_out = [0.0_f64; #k];
                    for __fim_i in 0..#k {
                        __fim_out[__fim_i] = __fim_r[__fim_i] * (#g[__fim_i] - __fim_u);
                    }
                    __fim_out
                },
            )?,
            Inverse::Singular => nan_vector(s),
            Inverse::Cholesky => {
                let factor = unrolled::cholesky(k, &nan_vector(s));
                let grad: Vec<TokenStream> = (0..k).map(|i| quote! { #g[#i] }).collect();
                let solve = unrolled::solve(k, &grad);
                let fisher = call_p("fisher", s);
                quote! {
                    let __fim_f = #fisher;
                    #factor
                    #solve
                }
            }
        };
        Ok((doc, body))
    },
};

/// A matrix-valued item over `P`: the matrix `m` of the family, documented by `what`.
fn family_matrix(cx: &Ctx, m: &Matrix, what: &str) -> syn::Result<(String, TokenStream)> {
    let doc = format!(
        "{what}\n\n```text\n{}\n```\n\nNaN outside the domain.",
        matrix_text(cx.arena, m)
    );
    let k = cx.shape.k();
    let body = body(cx, &upper(m), p_vars(cx), nan_matrix(cx.shape), |v| {
        unrolled::matrix(k, v)
    })?;
    Ok((doc, body))
}

/// The statistics and natural parameters of the family, as doc text.
fn family_text(cx: &Ctx, f: &Family) -> String {
    let rows: Vec<String> = f
        .stats
        .iter()
        .zip(&f.natural)
        .map(|(&t, &e)| {
            format!(
                "T = {}, η = {}",
                print::rust_brief(cx.arena, t),
                print::rust_brief(cx.arena, e)
            )
        })
        .collect();
    rows.join("; ")
}

const FISHER_NATURAL: Item = Item {
    kind: Kind::Fn,
    lints: Lints::Inline,
    present: always,
    derived: |cx| cx.family.is_some_and(|f| f.natural_fisher.is_some()),
    signature: |s| {
        let (p, k) = (args(&s.p), s.k());
        quote! { pub fn fisher_natural(#p) -> [[f64; #k]; #k] }
    },
    stub: nan_matrix,
    build: |cx| {
        let f = cx.family.expect("derived");
        let n = f.natural_fisher.as_ref().expect("derived");
        let what = format!(
            "The Fisher information in the natural parameters η of the exponential family \
             ℓ = ηᵀ T(x) − A + h(x) ({}), at the distribution with these parameters: \
             F(η) = ∇²_η A = Cov[T], rows and columns in the order of the statistics. \
             `fisher_natural = fisher_mean⁻¹` (proved at compile time).",
            family_text(cx, f)
        );
        family_matrix(cx, n, &what)
    },
};

const FISHER_MEAN: Item = Item {
    kind: Kind::Fn,
    lints: Lints::Inline,
    present: always,
    derived: |cx| cx.family.is_some_and(|f| f.mean_fisher.is_some()),
    signature: |s| {
        let (p, k) = (args(&s.p), s.k());
        quote! { pub fn fisher_mean(#p) -> [[f64; #k]; #k] }
    },
    stub: nan_matrix,
    build: |cx| {
        let f = cx.family.expect("derived");
        let m = f.mean_fisher.as_ref().expect("derived");
        let what = format!(
            "The Fisher information in the mean parameters m = E[T] of the exponential family \
             ({}), at the distribution with these parameters: F(m) = (∇²_η A)⁻¹, rows and \
             columns in the order of the statistics. `fisher_mean · fisher_natural = I` \
             (proved at compile time).",
            family_text(cx, f)
        );
        family_matrix(cx, m, &what)
    },
};

/// Whether the argument `p` of `P` is a parameter (scalar `theta` or array `alpha`).
fn is_param(s: &Shape, p: &Param) -> bool {
    let ident = p.ident.to_string();
    s.names
        .iter()
        .any(|n| n.split('[').next() == Some(ident.as_str()))
}

/// The arguments of `kl_divergence`: P's parameters, Q's (the same shapes, named
/// `<name>_q`, or `__fim_<name>_q` where a model argument has that name), then the
/// constants and inputs of `P`. The second list pairs each parameter with Q's.
fn kl_args(s: &Shape) -> (Vec<Param>, Vec<(Ident, Ident)>) {
    let params: Vec<&Param> = s.p.iter().filter(|p| is_param(s, p)).collect();
    let mut out: Vec<Param> = params.iter().map(|p| (*p).clone()).collect();
    let mut pairs = Vec::new();
    for p in &params {
        let name = p.ident.to_string();
        let q = s.free(&format!("{}_q", name.strip_prefix("r#").unwrap_or(&name)));
        pairs.push((p.ident.clone(), q.clone()));
        out.push(Param {
            ident: q,
            ty: p.ty.clone(),
            entries: p.entries,
        });
    }
    out.extend(s.p.iter().filter(|p| !is_param(s, p)).cloned());
    (out, pairs)
}

/// `alpha[2]` read from the argument `q` instead of `p`: the tokens with the leading name
/// replaced.
fn renamed(tokens: &TokenStream, p: &Ident, q: &Ident) -> TokenStream {
    let mut out = TokenStream::new();
    let mut first = true;
    for t in tokens.clone() {
        match t {
            proc_macro2::TokenTree::Ident(i) if first && i == *p => {
                out.extend(q.to_token_stream());
            }
            other => out.extend(std::iter::once(other)),
        }
        first = false;
    }
    out
}

const KL_DIVERGENCE: Item = Item {
    kind: Kind::Fn,
    lints: Lints::InlinePlain,
    present: always,
    derived: |cx| cx.kl.is_some(),
    signature: |s| {
        let a = args(&kl_args(s).0);
        quote! { pub fn kl_divergence(#a) -> f64 }
    },
    stub: nan_scalar,
    build: |cx| {
        let kl = cx.kl.expect("derived");
        let (_, pairs) = kl_args(cx.shape);
        let qs: Vec<String> = pairs.iter().map(|(_, q)| q.to_string()).collect();
        let doc = format!(
            "The exact Kullback–Leibler divergence KL(p_P ‖ p_Q) = E_P[ℓ(P) − ℓ(Q)] from the \
             model at P to the model at Q, called with P's parameters, then Q's (`{}`, the \
             same shapes), then the constants:\n\n```text\nKL = {}\n```\n\nProved at compile \
             time: KL = 0, ∇_Q KL = 0 and ∇²_Q KL = F at Q = P, so that for small δ it is \
             `kl_quadratic(P, δ)` to second order. NaN outside the domain (at P or at Q).",
            qs.join("`, `"),
            print::rust_brief(cx.arena, kl.value),
        );
        let mut vars = cx.p.clone();
        for (&p, &q) in kl.params.iter().zip(&kl.q) {
            // P reads the parameter as `alpha[2]`: Q reads it from its own argument.
            let Some(tokens) = cx.p.get(&p) else {
                continue;
            };
            let Some(proc_macro2::TokenTree::Ident(head)) = tokens.clone().into_iter().next()
            else {
                continue;
            };
            let Some((pi, qi)) = pairs.iter().find(|(pi, _)| *pi == head) else {
                continue;
            };
            vars.insert(q, renamed(tokens, pi, qi));
        }
        let mut guards = cx.guards.to_vec();
        guards.extend(&kl.guards);
        let inner = Ctx {
            guards: &guards,
            ..*cx
        };
        let body = body(&inner, &[kl.value], &vars, nan_scalar(cx.shape), |v| {
            let v = &v[0];
            quote! { #v }
        })?;
        Ok((doc, body))
    },
};

/// Domain conditions per `if` in generated code.
const GUARD_CHUNK: usize = 32;

/// Above this many nonzero entries in F's upper triangle, `kl_quadratic` loops over F.
const KL_UNROLLED_MAX: usize = 64;

const KL_QUADRATIC: Item = Item {
    kind: Kind::Fn,
    lints: Lints::InlinePlain,
    present: always,
    derived: any,
    signature: |s| {
        let (p, k, delta) = (args(&s.p), s.k(), s.free("delta"));
        quote! { pub fn kl_quadratic(#p #delta: [f64; #k]) -> f64 }
    },
    stub: nan_scalar,
    build: |cx| {
        let doc = "The local Kullback–Leibler divergence ½ δᵀ F δ between the model at P and \
                   at P + δ (second order in δ), with F as in [`fisher`]. NaN outside the domain."
            .to_string();
        let (k, d) = (cx.shape.k(), cx.shape.free("delta"));
        let fisher = call_p("fisher", cx.shape);
        // δᵀ F δ over the upper triangle's entries that are not known to be zero, written out
        // while they are few; otherwise a loop, so the code stays small (and rustc's parser
        // never meets a sum of K² terms).
        let mut terms: Vec<TokenStream> = Vec::new();
        for i in 0..k {
            for j in i..k {
                if cx.arena.is_zero(cx.fisher[i][j]) {
                    continue;
                }
                terms.push(if i == j {
                    quote! { #d[#i] * __fim_f[#i][#i] * #d[#i] }
                } else {
                    quote! { 2.0 * #d[#i] * __fim_f[#i][#j] * #d[#j] }
                });
            }
        }
        let value = if terms.is_empty() {
            quote! { let _ = (#fisher, #d); 0.0 }
        } else if terms.len() <= KL_UNROLLED_MAX {
            quote! {
                let __fim_f = #fisher;
                0.5 * (#(#terms)+*)
            }
        } else {
            quote! {
                let __fim_f = #fisher;
                let mut __fim_q = 0.0;
                for __fim_i in 0..#k {
                    __fim_q += #d[__fim_i] * __fim_f[__fim_i][__fim_i] * #d[__fim_i];
                    for __fim_j in __fim_i + 1..#k {
                        __fim_q += 2.0 * #d[__fim_i] * __fim_f[__fim_i][__fim_j] * #d[__fim_j];
                    }
                }
                0.5 * __fim_q
            }
        };
        Ok((doc, value))
    },
};

// ---- conditional models -------------------------------------------------------------------

/// Binds each input from the row `__fim_c` of `inputs`: the inputs' entries stand in the row in
/// order (a lone `f64` input is the row itself).
fn bind_inputs(s: &Shape) -> TokenStream {
    if input_entries(s) == 1 {
        let c = &s.inputs[0].ident;
        return quote! { let #c: f64 = *__fim_c; };
    }
    let mut at = 0usize;
    let mut out = TokenStream::new();
    for p in &s.inputs {
        let (c, ty) = (&p.ident, &p.ty);
        let value = if p.entries == 1 && ty.to_string() == "f64" {
            quote! { __fim_c[#at] }
        } else {
            // An array input: its entries are consecutive in the row, read in its own shape.
            let entries: Vec<TokenStream> = (at..at + p.entries)
                .map(|k| quote! { __fim_c[#k] })
                .collect();
            regroup(ty, &entries)
        };
        out.extend(quote! { let #c: #ty = #value; });
        at += p.entries;
    }
    out
}

/// `entries` arranged as a value of the array type `ty` (`[f64; 3]` or `[[f64; 2]; 3]`).
fn regroup(ty: &TokenStream, entries: &[TokenStream]) -> TokenStream {
    let parsed: Option<syn::TypeArray> = syn::parse2(ty.clone()).ok();
    match parsed {
        Some(a) if matches!(*a.elem, syn::Type::Array(_)) => {
            let inner = a.elem.to_token_stream();
            let rows = entries.len() / inner_len(&a.elem).max(1);
            let step = entries.len() / rows.max(1);
            let chunks: Vec<TokenStream> = entries
                .chunks(step.max(1))
                .map(|c| regroup(&inner, c))
                .collect();
            quote! { [#(#chunks),*] }
        }
        _ => quote! { [#(#entries),*] },
    }
}

/// The number of entries of an array type of `f64`.
fn inner_len(ty: &syn::Type) -> usize {
    match ty {
        syn::Type::Array(a) => {
            let n = match &a.len {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Int(n),
                    ..
                }) => n.base10_parse::<usize>().unwrap_or(1),
                _ => 1,
            };
            n * inner_len(&a.elem)
        }
        _ => 1,
    }
}

const FISHER_AVERAGED: Item = Item {
    kind: Kind::Fn,
    lints: Lints::Plain,
    present: with_inputs,
    derived: any,
    signature: |s| {
        let (fixed, ty, k, inputs) = (args(&s.fixed), inputs_type(s), s.k(), s.free("inputs"));
        quote! { pub fn fisher_averaged(#fixed #inputs: #ty) -> [[f64; #k]; #k] }
    },
    stub: nan_matrix,
    build: |cx| {
        let doc = "The Fisher information of the conditional model, averaged over a set of \
                   inputs: (1/N) Σ F(inputs[i]). NaN for an empty slice."
            .to_string();
        let s = cx.shape;
        let (k, inputs) = (s.k(), s.free("inputs"));
        let bind = bind_inputs(s);
        let fisher = call_p("fisher", s);
        Ok((
            doc,
            quote! {
                let mut __fim_acc = [[0.0_f64; #k]; #k];
                for __fim_c in #inputs {
                    #bind
                    let __fim_f = #fisher;
                    for __fim_i in 0..#k {
                        for __fim_j in 0..#k {
                            __fim_acc[__fim_i][__fim_j] += __fim_f[__fim_i][__fim_j];
                        }
                    }
                }
                let __fim_n = #inputs.len() as f64;
                for __fim_row in __fim_acc.iter_mut() {
                    for __fim_x in __fim_row.iter_mut() {
                        *__fim_x /= __fim_n;
                    }
                }
                __fim_acc
            },
        ))
    },
};

const JEFFREYS_AVERAGED: Item = Item {
    kind: Kind::Fn,
    lints: Lints::Plain,
    present: with_inputs,
    derived: any,
    signature: |s| {
        let (fixed, ty, inputs) = (args(&s.fixed), inputs_type(s), s.free("inputs"));
        quote! { pub fn jeffreys_log_density_averaged(#fixed #inputs: #ty) -> f64 }
    },
    stub: nan_scalar,
    build: |cx| {
        let doc = "The Jeffreys log density ½ ln det of the averaged Fisher information \
                   ([`fisher_averaged`]), by a Cholesky factorization; −∞ where it is singular."
            .to_string();
        let fixed = cx.shape.fixed.iter().map(|p| &p.ident);
        let inputs = cx.shape.free("inputs");
        Ok((
            doc,
            quote! {
                ::fim::__private::half_log_det(&self::fisher_averaged(#(#fixed,)* #inputs))
            },
        ))
    },
};
