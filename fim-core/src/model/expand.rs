//! Expansion of `#[fisher_model]`: the user's function unchanged, plus a module of the same
//! name and visibility with the generated items. On error the module still exists with stub
//! bodies (NaN), so the rest of the crate and the IDE keep working, beside the errors.

use std::collections::HashMap;

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Ident, ItemFn};

use crate::emit;
use crate::expr::{Id, Symbol};
use crate::print;
use crate::simplify;
use crate::Arena;

use super::attr;
use super::derive::{Derivation, Jeffreys};
use super::report;
use super::{Errors, Model, Role};

/// Above this size `fisher_inverse` and `natural_gradient` use a Cholesky factorization at run
/// time rather than a closed-form inverse.
pub const CLOSED_INVERSE_MAX: usize = 3;

/// The whole expansion: never panics; errors become `compile_error!`s beside stub items.
pub fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    if let Err(e) = crate::parse::check_depth(&item) {
        return e.to_compile_error();
    }
    let func: ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(e) => {
            let err = e.to_compile_error();
            return quote! { #item #err };
        }
    };
    match Model::from_item(attr.clone(), func.clone()).and_then(Derivation::new) {
        Ok(mut d) => match generate(&mut d) {
            Ok(module) => quote! { #func #module },
            Err(e) => {
                let stubs = stub_module(&func, attr);
                let err = e.to_compile_error();
                quote! { #func #stubs #err }
            }
        },
        Err(e) => {
            let stubs = stub_module(&func, attr);
            let err = e.to_compile_error();
            quote! { #func #stubs #err }
        }
    }
}

/// One set of generated functions: for the model's own parameters or for a reparam.
struct Shape {
    /// The parameter symbols in matrix order.
    params: Vec<Symbol>,
    /// `P`: the arguments of fisher & co (with inputs last, when there are inputs).
    p_args: Vec<Symbol>,
    /// All arguments of score and hessian.
    all_args: Vec<Symbol>,
    /// Input symbols (for fisher_averaged).
    inputs: Vec<Symbol>,
}

fn ident_of(arena: &Arena, s: Symbol) -> Ident {
    Ident::new(arena.name(s), Span::call_site())
}

fn arg_list(arena: &Arena, syms: &[Symbol]) -> TokenStream {
    let ids: Vec<Ident> = syms.iter().map(|&s| ident_of(arena, s)).collect();
    quote! { #(#ids: f64),* }
}

fn var_map(arena: &Arena, syms: &[Symbol]) -> HashMap<Symbol, TokenStream> {
    syms.iter()
        .map(|&s| {
            let id = ident_of(arena, s);
            (s, quote! { #id })
        })
        .collect()
}

fn doc_lines(text: &str) -> TokenStream {
    let lines: Vec<String> = text.lines().map(|l| format!(" {l}")).collect();
    quote! { #(#[doc = #lines])* }
}

/// A function body computing `roots` and arranging them with `shape`.
/// The domain of the generated functions: expressions that must be positive (the arguments of
/// the log-likelihood's logarithms and the like) and what to return outside it.
struct Guard<'a> {
    positive: &'a [Id],
    nan: TokenStream,
}

fn body(
    arena: &Arena,
    roots: &[Id],
    vars: &[Symbol],
    guard: &Guard,
    arrange: impl FnOnce(&[TokenStream]) -> TokenStream,
) -> syn::Result<TokenStream> {
    // Only the constraints this function can check: those over its own arguments.
    let checks: Vec<Id> = guard
        .positive
        .iter()
        .copied()
        .filter(|&c| arena.free_symbols(c).iter().all(|s| vars.contains(s)))
        .collect();
    let mut all = roots.to_vec();
    all.extend(&checks);
    let map = var_map(arena, vars);
    let e = emit::emit(arena, &all, &map).map_err(|m| syn::Error::new(Span::call_site(), m))?;
    let lets = &e.lets;
    let (values, tests) = e.values.split_at(roots.len());
    let out = arrange(values);
    let nan = &guard.nan;
    let check = if tests.is_empty() {
        quote! {}
    } else {
        // `!(v > 0)` is also true for NaN.
        quote! { if !(#((#tests) > 0.0)&&*) { return #nan; } }
    };
    Ok(quote! { #(#lets)* #check #out })
}

/// A symmetric matrix from its upper triangle (row by row), each entry computed once.
fn matrix(k: usize, vals: &[TokenStream]) -> TokenStream {
    let mut idx = HashMap::new();
    let mut names = Vec::with_capacity(vals.len());
    let mut binds = Vec::with_capacity(vals.len());
    let mut n = 0;
    for i in 0..k {
        for j in i..k {
            idx.insert((i, j), n);
            let name = Ident::new(&format!("__fim_m{n}"), Span::call_site());
            let v = &vals[n];
            binds.push(quote! { let #name: f64 = #v; });
            names.push(name);
            n += 1;
        }
    }
    let rows: Vec<TokenStream> = (0..k)
        .map(|i| {
            let cells: Vec<&Ident> = (0..k).map(|j| &names[idx[&(i.min(j), i.max(j))]]).collect();
            quote! { [#(#cells),*] }
        })
        .collect();
    quote! { #(#binds)* [#(#rows),*] }
}

fn upper(m: &[Vec<Id>]) -> Vec<Id> {
    let k = m.len();
    let mut v = Vec::with_capacity(k * (k + 1) / 2);
    for i in 0..k {
        for j in i..k {
            v.push(m[i][j]);
        }
    }
    v
}

fn matrix_text(arena: &Arena, m: &[Vec<Id>]) -> String {
    let rows: Vec<String> = m
        .iter()
        .map(|r| {
            format!(
                "[{}]",
                r.iter()
                    .map(|&x| print::rust(arena, x))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    format!("[{}]", rows.join(", "))
}

/// Symbolic inverse of a small symmetric matrix: adj(F) / det(F), simplified.
fn inverse(d: &mut Derivation, f: &[Vec<Id>], det: Id, domain: &simplify::Domain) -> Vec<Vec<Id>> {
    let arena = &mut d.model.arena;
    let k = f.len();
    let mut inv = vec![vec![arena.int(0); k]; k];
    for i in 0..k {
        for j in i..k {
            // cofactor C_ji (= C_ij, F symmetric)
            let minor: Vec<Vec<Id>> = (0..k)
                .filter(|&r| r != j)
                .map(|r| (0..k).filter(|&c| c != i).map(|c| f[r][c]).collect())
                .collect();
            let c = if minor.is_empty() {
                arena.int(1)
            } else {
                super::derive::det_cofactor(arena, &minor)
            };
            let sign = arena.int(if (i + j) % 2 == 0 { 1 } else { -1 });
            let num = arena.mul([sign, c]);
            let x = arena.div(num, det);
            let x = simplify::tidy(arena, domain, x);
            inv[i][j] = x;
            inv[j][i] = x;
        }
    }
    inv
}

/// Items for one parameterization.
#[allow(clippy::too_many_arguments)]
fn items(
    d: &mut Derivation,
    shape: &Shape,
    score: &[Id],
    hessian: &[Vec<Id>],
    fisher: &[Vec<Id>],
    jeffreys: &Jeffreys,
    domain: &simplify::Domain,
    guards: &[Id],
    derivation_md: &str,
) -> syn::Result<TokenStream> {
    let k = shape.params.len();
    // F identically singular (one input of a regression): no inverse exists anywhere.
    let det =
        (k <= CLOSED_INVERSE_MAX).then(|| super::derive::det_cofactor(&mut d.model.arena, fisher));
    let singular = det.is_some_and(|det| simplify::is_zero(&mut d.model.arena, domain, det));
    let inv = match det {
        Some(det) if !singular => Some(inverse(d, fisher, det, domain)),
        _ => None,
    };
    let arena = &d.model.arena;
    let kk = k;
    let names: Vec<String> = shape
        .params
        .iter()
        .map(|&s| arena.name(s).to_string())
        .collect();
    let all = arg_list(arena, &shape.all_args);
    let p = arg_list(arena, &shape.p_args);
    let p_call: Vec<Ident> = shape.p_args.iter().map(|&s| ident_of(arena, s)).collect();

    let f_text = matrix_text(arena, fisher);
    let f_cells: Vec<Vec<String>> = fisher
        .iter()
        .map(|r| r.iter().map(|&x| print::rust(arena, x)).collect())
        .collect();
    let f_rows: Vec<TokenStream> = f_cells.iter().map(|r| quote! { [#(#r),*] }).collect();
    let (j_text, j_doc) = match jeffreys {
        Jeffreys::Closed { expr, .. } => (
            print::rust(arena, *expr),
            format!("`{}`", print::rust(arena, *expr)),
        ),
        Jeffreys::Numeric => (
            "0.5 * ln det F (numeric Cholesky log-determinant)".to_string(),
            "½ ln det F by a Cholesky factorization at run time (F is dense and large)".to_string(),
        ),
    };
    let score_text: Vec<String> = score.iter().map(|&x| print::rust(arena, x)).collect();

    let nan_vec = Guard {
        positive: guards,
        nan: quote! { [::core::f64::NAN; #kk] },
    };
    let nan_mat = Guard {
        positive: guards,
        nan: quote! { [[::core::f64::NAN; #kk]; #kk] },
    };
    let nan_one = Guard {
        positive: guards,
        nan: quote! { ::core::f64::NAN },
    };
    let score_body = body(
        arena,
        score,
        &shape.all_args,
        &nan_vec,
        |v| quote! { [#(#v),*] },
    )?;
    let hess_body = body(arena, &upper(hessian), &shape.all_args, &nan_mat, |v| {
        matrix(kk, v)
    })?;
    let fisher_body = body(arena, &upper(fisher), &shape.p_args, &nan_mat, |v| {
        matrix(kk, v)
    })?;

    let params_doc = doc_lines(&format!(
        "The parameters, in matrix order: {}.",
        names.join(", ")
    ));
    let inputs_note = if shape.inputs.is_empty() {
        String::new()
    } else {
        "\n\nThis is a conditional model: the inputs are the last arguments and this is F at one \
         input. The model's Fisher information is the average over inputs, `fisher_averaged`."
            .to_string()
    };
    let fisher_doc = doc_lines(&format!(
        "Fisher information F = −E[∂²ℓ/∂θ∂θᵀ] in closed form:\n\n```text\nF = {f_text}\n```\n\n\
         Outside the model's domain (where a logarithm's argument of ℓ is not positive) the \
         entries are NaN; no panic.{inputs_note}"
    ));
    let score_doc = doc_lines(&format!(
        "The score ∂ℓ/∂θ:\n\n```text\n{}\n```",
        names
            .iter()
            .zip(&score_text)
            .map(|(n, s)| format!("∂ℓ/∂{n} = {s}"))
            .collect::<Vec<_>>()
            .join("\n")
    ));
    let hess_doc = doc_lines(&format!(
        "The Hessian ∂²ℓ/∂θ∂θᵀ of the log-likelihood at one observation (symmetric):\n\n\
         ```text\nH = {}\n```\n\nNaN outside the domain.",
        matrix_text(arena, hessian)
    ));

    let (inv_fn, ng_fn, inv_doc_text) = match &inv {
        Some(inv) => {
            let inv_text = matrix_text(arena, inv);
            let inv_body = body(arena, &upper(inv), &shape.p_args, &nan_mat, |v| {
                matrix(kk, v)
            })?;
            let rows: Vec<TokenStream> = (0..kk)
                .map(|i| {
                    let terms: Vec<TokenStream> = (0..kk)
                        .map(|j| quote! { __fim_inv[#i][#j] * grad[#j] })
                        .collect();
                    quote! { #(#terms)+* }
                })
                .collect();
            let ng_body = quote! {
                let __fim_inv = fisher_inverse(#(#p_call),*);
                [#(#rows),*]
            };
            (
                inv_body,
                ng_body,
                format!("in closed form:\n\n```text\nF⁻¹ = {inv_text}\n```"),
            )
        }
        None if singular => (
            quote! { [[::core::f64::NAN; #kk]; #kk] },
            quote! { [::core::f64::NAN; #kk] },
            "not at all: F is singular for every value of the parameters, so this is NaN."
                .to_string(),
        ),
        None => {
            let nan_m = quote! { [[::core::f64::NAN; #kk]; #kk] };
            let nan_v = quote! { [::core::f64::NAN; #kk] };
            let factor_m = cholesky_tokens(kk, &nan_m);
            let factor_v = cholesky_tokens(kk, &nan_v);
            let grad: Vec<TokenStream> = (0..kk).map(|i| quote! { grad[#i] }).collect();
            let solve = solve_tokens(kk, &grad);
            let columns: Vec<TokenStream> = (0..kk)
                .map(|j| {
                    let e: Vec<TokenStream> = (0..kk)
                        .map(|i| {
                            if i == j {
                                quote! { 1.0_f64 }
                            } else {
                                quote! { 0.0_f64 }
                            }
                        })
                        .collect();
                    let col = solve_tokens(kk, &e);
                    quote! { #col }
                })
                .collect();
            let cells: Vec<TokenStream> = (0..kk)
                .map(|i| {
                    let row: Vec<TokenStream> =
                        (0..kk).map(|j| quote! { __fim_cols[#j][#i] }).collect();
                    quote! { [#(#row),*] }
                })
                .collect();
            (
                quote! {
                    let __fim_f = fisher(#(#p_call),*);
                    #factor_m
                    let __fim_cols: [[f64; #kk]; #kk] = [#({ #columns }),*];
                    [#(#cells),*]
                },
                quote! {
                    let __fim_f = fisher(#(#p_call),*);
                    #factor_v
                    #solve
                },
                "by a Cholesky factorization of F, unrolled (NaN where F is not positive definite)."
                    .to_string(),
            )
        }
    };
    let inv_doc = doc_lines(&format!(
        "The inverse Fisher information (the Cramér–Rao bound), {inv_doc_text}"
    ));
    let ng_doc = doc_lines(&format!(
        "The natural gradient F⁻¹ · grad, with F⁻¹ as in [`fisher_inverse`] and\n\n\
         ```text\nF = {f_text}\n```\n\nNaN outside the domain."
    ));
    let kl_doc = doc_lines(&format!(
        "The local Kullback–Leibler divergence ½ δᵀ F δ between the model at P and at P + δ \
         (second order in δ), with\n\n```text\nF = {f_text}\n```\n\nNaN outside the domain."
    ));
    let jeff_body = match jeffreys {
        Jeffreys::Closed { expr, .. } => body(arena, &[*expr], &shape.p_args, &nan_one, |v| {
            let v0 = &v[0];
            quote! { #v0 }
        })?,
        Jeffreys::Numeric => {
            // Unrolled; where a pivot fails the run-time helper tells −∞ (singular) from NaN.
            let fail = quote! { ::fim::__private::half_log_det(&__fim_f) };
            let factor = cholesky_tokens(kk, &fail);
            let logs: Vec<TokenStream> = (0..kk)
                .map(|i| {
                    let l = lname(i, i);
                    quote! { #l.ln() }
                })
                .collect();
            quote! {
                let __fim_f = fisher(#(#p_call),*);
                #factor
                // det F = Π lᵢᵢ², so ½ ln det F = Σ ln lᵢᵢ.
                #(#logs)+*
            }
        }
    };
    let jeff_doc = doc_lines(&format!(
        "½ ln det F exactly, which is the Jeffreys prior's log density up to its (usually \
         infinite) normalizing constant: {j_doc}.\n\n−∞ where F is singular, NaN outside the \
         domain; at the boundary of the domain it may be ±∞."
    ));
    let averaged = if shape.inputs.is_empty() {
        quote! {}
    } else {
        let fixed: Vec<Symbol> = shape
            .p_args
            .iter()
            .copied()
            .filter(|s| !shape.inputs.contains(s))
            .collect();
        let fixed_args = arg_list(arena, &fixed);
        let m = shape.inputs.len();
        let in_ids: Vec<Ident> = shape.inputs.iter().map(|&s| ident_of(arena, s)).collect();
        let (ty, bind) = if m == 1 {
            let c = &in_ids[0];
            (quote! { &[f64] }, quote! { let #c: f64 = *__fim_c; })
        } else {
            let idx: Vec<usize> = (0..m).collect();
            (
                quote! { &[[f64; #m]] },
                quote! { #(let #in_ids: f64 = __fim_c[#idx];)* },
            )
        };
        let doc = doc_lines(
            "The Fisher information of the conditional model, averaged over a set of inputs: \
             (1/N) Σ F(inputs[i]). NaN for an empty slice.",
        );
        let jdoc = doc_lines(
            "The Jeffreys log density ½ ln det of the averaged Fisher information \
             ([`fisher_averaged`]), by a Cholesky factorization; −∞ where it is singular.",
        );
        let fixed_call: Vec<Ident> = fixed.iter().map(|&s| ident_of(arena, s)).collect();
        quote! {
            #doc
            #[allow(unused_variables, clippy::all)]
            pub fn fisher_averaged(#fixed_args, inputs: #ty) -> [[f64; #kk]; #kk] {
                let mut __fim_acc = [[0.0_f64; #kk]; #kk];
                for __fim_c in inputs {
                    #bind
                    let __fim_f = fisher(#(#p_call),*);
                    for __fim_i in 0..#kk {
                        for __fim_j in 0..#kk {
                            __fim_acc[__fim_i][__fim_j] += __fim_f[__fim_i][__fim_j];
                        }
                    }
                }
                let __fim_n = inputs.len() as f64;
                for __fim_row in __fim_acc.iter_mut() {
                    for __fim_x in __fim_row.iter_mut() {
                        *__fim_x /= __fim_n;
                    }
                }
                __fim_acc
            }

            #jdoc
            #[allow(unused_variables, clippy::all)]
            pub fn jeffreys_log_density_averaged(#fixed_args, inputs: #ty) -> f64 {
                ::fim::__private::half_log_det(&fisher_averaged(#(#fixed_call,)* inputs))
            }
        }
    };
    let kl_terms: Vec<TokenStream> = (0..kk)
        .flat_map(|i| (0..kk).map(move |j| quote! { delta[#i] * __fim_f[#i][#j] * delta[#j] }))
        .collect();
    let derivation_doc = doc_lines("The derivation, step by step (Markdown with LaTeX).");
    let items = quote! {
        #params_doc
        pub const PARAMS: [&str; #kk] = [#(#names),*];
        #[doc = " The Fisher information entries as Rust expressions."]
        pub const FISHER: [[&str; #kk]; #kk] = [#(#f_rows),*];
        #[doc = " The Jeffreys log density ½ ln det F as a Rust expression."]
        pub const JEFFREYS: &str = #j_text;
        #derivation_doc
        pub const DERIVATION: &str = #derivation_md;

        #score_doc
        #[allow(unused_variables, unused_parens, clippy::all)]
        #[inline]
        pub fn score(#all) -> [f64; #kk] { #score_body }

        #hess_doc
        #[allow(unused_variables, unused_parens, clippy::all)]
        #[inline]
        pub fn hessian(#all) -> [[f64; #kk]; #kk] { #hess_body }

        #fisher_doc
        #[allow(unused_variables, unused_parens, clippy::all)]
        #[inline]
        pub fn fisher(#p) -> [[f64; #kk]; #kk] { #fisher_body }

        #inv_doc
        #[allow(unused_variables, unused_parens, clippy::all)]
        #[inline]
        pub fn fisher_inverse(#p) -> [[f64; #kk]; #kk] { #inv_fn }

        #jeff_doc
        #[allow(unused_variables, unused_parens, clippy::all)]
        #[inline]
        pub fn jeffreys_log_density(#p) -> f64 { #jeff_body }

        #ng_doc
        #[allow(unused_variables, unused_parens, clippy::all)]
        #[inline]
        pub fn natural_gradient(#p, grad: [f64; #kk]) -> [f64; #kk] { #ng_fn }

        #kl_doc
        #[allow(unused_variables, clippy::all)]
        #[inline]
        pub fn kl_quadratic(#p, delta: [f64; #kk]) -> f64 {
            let __fim_f = fisher(#(#p_call),*);
            0.5 * (#(#kl_terms)+*)
        }

        #averaged
    };
    Ok(items)
}

/// Score and Hessian as emitted: each entry in its simplified form where that is shorter than
/// the form the derivative rules produced (the chain rule through a reparameterization is long).
fn shortest_forms(
    d: &mut Derivation,
    score: &[Id],
    hessian: &[Vec<Id>],
    domain: &simplify::Domain,
) -> (Vec<Id>, Vec<Vec<Id>>) {
    let arena = &mut d.model.arena;
    let mut pick = |x: Id| {
        let s = simplify::tidy(arena, domain, x);
        if print::op_count(arena, s) < print::op_count(arena, x) {
            s
        } else {
            x
        }
    };
    let score: Vec<Id> = score.iter().map(|&x| pick(x)).collect();
    let hessian: Vec<Vec<Id>> = hessian
        .iter()
        .map(|row| row.iter().map(|&x| pick(x)).collect())
        .collect();
    (score, hessian)
}

fn lname(i: usize, j: usize) -> Ident {
    Ident::new(&format!("__fim_l{i}_{j}"), Span::call_site())
}

/// Straight-line Cholesky factorization `__fim_f = L Lᵀ` into `__fim_l{i}_{j}`; returns `fail`
/// from the function at a pivot that is not positive and finite (as `fim::__private::cholesky`).
fn cholesky_tokens(k: usize, fail: &TokenStream) -> TokenStream {
    let mut out = Vec::new();
    for i in 0..k {
        for j in 0..=i {
            let minus: Vec<TokenStream> = (0..j)
                .map(|m| {
                    let (a, b) = (lname(i, m), lname(j, m));
                    quote! { - #a * #b }
                })
                .collect();
            let l = lname(i, j);
            if i == j {
                out.push(quote! {
                    let #l: f64 = __fim_f[#i][#i] #(#minus)*;
                    if #l.is_nan() || #l <= 0.0 || #l.is_infinite() {
                        return #fail;
                    }
                    let #l: f64 = #l.sqrt();
                });
            } else {
                let d = lname(j, j);
                out.push(quote! { let #l: f64 = (__fim_f[#i][#j] #(#minus)*) / #d; });
            }
        }
    }
    quote! { #(#out)* }
}

/// Straight-line `L Lᵀ x = rhs` after [`cholesky_tokens`]; evaluates to `[x0, …]`.
fn solve_tokens(k: usize, rhs: &[TokenStream]) -> TokenStream {
    let y = |i: usize| Ident::new(&format!("__fim_y{i}"), Span::call_site());
    let x = |i: usize| Ident::new(&format!("__fim_x{i}"), Span::call_site());
    let mut out = Vec::new();
    for i in 0..k {
        let minus: Vec<TokenStream> = (0..i)
            .map(|m| {
                let (l, ym) = (lname(i, m), y(m));
                quote! { - #l * #ym }
            })
            .collect();
        let (yi, li, r) = (y(i), lname(i, i), &rhs[i]);
        out.push(quote! { let #yi: f64 = (#r #(#minus)*) / #li; });
    }
    for i in (0..k).rev() {
        let minus: Vec<TokenStream> = (i + 1..k)
            .map(|m| {
                let (l, xm) = (lname(m, i), x(m));
                quote! { - #l * #xm }
            })
            .collect();
        let (xi, yi, li) = (x(i), y(i), lname(i, i));
        out.push(quote! { let #xi: f64 = (#yi #(#minus)*) / #li; });
    }
    let xs: Vec<Ident> = (0..k).map(x).collect();
    quote! { #(#out)* [#(#xs),*] }
}

/// The generated module for a derivation.
pub fn generate(d: &mut Derivation) -> syn::Result<TokenStream> {
    let md = report::markdown(d);
    let model = &d.model;
    let base_shape = {
        let mut p_args = model.syms_where(|r| matches!(r, Role::Param | Role::Constant));
        p_args.extend(model.inputs.iter().copied());
        Shape {
            params: model.params.clone(),
            p_args,
            all_args: model.args.iter().map(|a| a.sym).collect(),
            inputs: model.inputs.clone(),
        }
    };
    let core = d.core.clone();
    let (score, hessian) = shortest_forms(d, &core.score, &core.hessian, &core.domain);
    let main = items(
        d,
        &base_shape,
        &score,
        &hessian,
        &core.fisher,
        &core.jeffreys,
        &core.domain,
        &core.samples.positive,
        &md,
    )?;
    let mut subs = Vec::new();
    for r in d.reparams.clone() {
        let model = &d.model;
        let fixed = model.syms_where(|r| r == Role::Constant);
        let random = model.syms_where(|r| matches!(r, Role::Data | Role::Input));
        let shape = Shape {
            params: r.params.clone(),
            p_args: r
                .params
                .iter()
                .chain(&fixed)
                .copied()
                .chain(model.inputs.iter().copied())
                .collect(),
            all_args: random
                .iter()
                .chain(&r.params)
                .chain(&fixed)
                .copied()
                .collect(),
            inputs: model.inputs.clone(),
        };
        let text = md.clone();
        let (score, hessian) =
            shortest_forms(d, &r.direct.score, &r.direct.hessian, &r.direct.domain);
        let g = items(
            d,
            &shape,
            &score,
            &hessian,
            &r.fisher,
            &r.jeffreys,
            &r.direct.domain,
            &r.direct.samples.positive,
            &text,
        )?;
        let name = &r.name;
        let inner = g;
        let doc = doc_lines(&format!(
            "The same items in the parameterization `{name}`: {}. Functions take the new \
             parameters in this order, then the constants in the function's order.",
            r.map
                .iter()
                .map(|(s, g)| format!(
                    "{} = {}",
                    d.model.arena.name(*s),
                    print::rust(&d.model.arena, *g)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        subs.push(quote! {
            #doc
            pub mod #name {
                #inner
            }
        });
    }
    let vis = &d.model.item.vis;
    let name = &d.model.item.sig.ident;
    let doc = doc_lines(&format!(
        "Fisher information of [`{name}`](fn@{name}), derived at compile time by `#[fisher_model]`.\n\n\
         ```text\nF = {}\n```",
        matrix_text(&d.model.arena, &d.core.fisher)
    ));
    Ok(quote! {
        #doc
        #vis mod #name {
            #main
            #(#subs)*
        }
    })
}

/// Stub items with NaN bodies, shaped from whatever of the attribute could be read.
fn stub_module(func: &ItemFn, attr_tokens: TokenStream) -> TokenStream {
    let mut errors = Errors::new();
    let attr = attr::parse(attr_tokens, &mut errors);
    let args: Vec<Ident> = func
        .sig
        .inputs
        .iter()
        .filter_map(|a| match a {
            syn::FnArg::Typed(pt) => match &*pt.pat {
                syn::Pat::Ident(pi) => Some(pi.ident.clone()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let params: Vec<Ident> = attr.params.clone().map(|p| p.1).unwrap_or_default();
    let random: Vec<&Ident> = attr.data.iter().chain(attr.inputs.iter()).collect();
    let p_args: Vec<&Ident> = args
        .iter()
        .filter(|a| !random.contains(a))
        .chain(attr.inputs.iter())
        .collect();
    let vis = &func.vis;
    let name = &func.sig.ident;
    let with_inputs = !attr.inputs.is_empty();
    let m = attr.inputs.len();
    let stub_items = |p_args: &[&Ident], all: &[&Ident], names: Vec<String>| -> TokenStream {
        let p_args = dedup(p_args);
        let all = dedup(all);
        let k = names.len();
        let nan_row = quote! { [::core::f64::NAN; #k] };
        let fixed: Vec<&Ident> = p_args
            .iter()
            .copied()
            .filter(|a| !attr.inputs.contains(a))
            .collect();
        let ty = if m == 1 {
            quote! { &[f64] }
        } else {
            quote! { &[[f64; #m]] }
        };
        let averaged = if with_inputs {
            quote! {
                pub fn fisher_averaged(#(#fixed: f64,)* inputs: #ty) -> [[f64; #k]; #k] {
                    [#nan_row; #k]
                }
                pub fn jeffreys_log_density_averaged(#(#fixed: f64,)* inputs: #ty) -> f64 {
                    ::core::f64::NAN
                }
            }
        } else {
            quote! {}
        };
        quote! {
            #averaged
            pub const PARAMS: [&str; #k] = [#(#names),*];
            pub const FISHER: [[&str; #k]; #k] = [[""; #k]; #k];
            pub const JEFFREYS: &str = "";
            pub const DERIVATION: &str = "";
            pub fn score(#(#all: f64),*) -> [f64; #k] { #nan_row }
            pub fn hessian(#(#all: f64),*) -> [[f64; #k]; #k] { [#nan_row; #k] }
            pub fn fisher(#(#p_args: f64),*) -> [[f64; #k]; #k] { [#nan_row; #k] }
            pub fn fisher_inverse(#(#p_args: f64),*) -> [[f64; #k]; #k] { [#nan_row; #k] }
            pub fn jeffreys_log_density(#(#p_args: f64),*) -> f64 { ::core::f64::NAN }
            pub fn natural_gradient(#(#p_args: f64,)* grad: [f64; #k]) -> [f64; #k] { #nan_row }
            pub fn kl_quadratic(#(#p_args: f64,)* delta: [f64; #k]) -> f64 { ::core::f64::NAN }
        }
    };
    let all: Vec<&Ident> = args.iter().collect();
    let names: Vec<String> = if params.is_empty() {
        vec![String::new()]
    } else {
        params.iter().map(|p| p.to_string()).collect()
    };
    let main = stub_items(&p_args, &all, names);
    let constants: Vec<&Ident> = args
        .iter()
        .filter(|a| !random.contains(a) && !params.contains(a))
        .collect();
    let subs: Vec<TokenStream> = attr
        .reparams
        .iter()
        .map(|r| {
            let rname = &r.name;
            let mut new: Vec<Ident> = Vec::new();
            for (_, e) in &r.maps {
                expr_idents(e, &mut new);
            }
            new.retain(|i| {
                !constants.contains(&i) && !attr.inputs.contains(i) && !attr.data.contains(i)
            });
            let names: Vec<String> = if new.is_empty() {
                vec![String::new()]
            } else {
                new.iter().map(|p| p.to_string()).collect()
            };
            let np: Vec<&Ident> = new
                .iter()
                .chain(constants.iter().copied())
                .chain(attr.inputs.iter())
                .collect();
            let nall: Vec<&Ident> = attr
                .data
                .iter()
                .chain(attr.inputs.iter())
                .chain(new.iter())
                .chain(constants.iter().copied())
                .collect();
            let inner = stub_items(&np, &nall, names);
            quote! { pub mod #rname { #inner } }
        })
        .collect();
    quote! {
        #[allow(unused_variables, dead_code, clippy::all)]
        #vis mod #name {
            #main
            #(#subs)*
        }
    }
}

fn dedup<'a>(v: &[&'a Ident]) -> Vec<&'a Ident> {
    let mut out: Vec<&Ident> = Vec::with_capacity(v.len());
    for i in v {
        if !out.contains(i) {
            out.push(i);
        }
    }
    out
}

/// The plain identifiers (variables) of an expression, in order of first appearance.
fn expr_idents(e: &syn::Expr, out: &mut Vec<Ident>) {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match e {
            syn::Expr::Path(p) if p.qself.is_none() => {
                if let Some(i) = p.path.get_ident() {
                    if !out.contains(i) {
                        out.push(i.clone());
                    }
                }
            }
            syn::Expr::Binary(b) => {
                stack.push(&b.right);
                stack.push(&b.left);
            }
            syn::Expr::Unary(u) => stack.push(&u.expr),
            syn::Expr::Paren(p) => stack.push(&p.expr),
            syn::Expr::Group(g) => stack.push(&g.expr),
            syn::Expr::MethodCall(m) => {
                for a in m.args.iter().rev() {
                    stack.push(a);
                }
                stack.push(&m.receiver);
            }
            syn::Expr::Call(c) => {
                for a in c.args.iter().rev() {
                    stack.push(a);
                }
            }
            _ => {}
        }
    }
}
