//! Straight-line matrix code for generated functions: a symmetric matrix from its upper
//! triangle, and an unrolled Cholesky factorization with its triangular solves.

use std::collections::HashMap;

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::Ident;

/// A symmetric matrix from its upper triangle (row by row), each entry computed once: an
/// entry that is one token (a literal such as a known zero, or a name) is written in place,
/// any other is bound once. Every `let` opens a scope that rustc nests inside the previous
/// one, so 20,000 bindings (the zeros of 100 independent normals' F) overflow its stack.
///
/// Where at most a quarter of the upper triangle is nonzero (independent blocks: 100
/// independent normals have 300 nonzero entries of 20 100), the matrix starts as zeros and
/// only the nonzero entries are written: code in proportion to what F holds, not to K².
pub fn matrix(k: usize, vals: &[TokenStream]) -> TokenStream {
    let zero = |v: &TokenStream| {
        let mut it = v.clone().into_iter();
        matches!((it.next(), it.next()), (Some(proc_macro2::TokenTree::Literal(l)), None)
            if matches!(l.to_string().as_str(), "0.0_f64" | "0.0" | "0f64"))
    };
    let nonzero = vals.iter().filter(|v| !zero(v)).count();
    if k > 3 && 4 * nonzero <= vals.len() {
        let mut sets = Vec::with_capacity(2 * nonzero);
        let mut n = 0;
        for i in 0..k {
            for j in i..k {
                let v = &vals[n];
                n += 1;
                if zero(v) {
                    continue;
                }
                if i == j {
                    sets.push(quote! { __fim_out[#i][#i] = #v; });
                } else {
                    sets.push(quote! {
                        let __fim_v: f64 = #v;
                        __fim_out[#i][#j] = __fim_v;
                        __fim_out[#j][#i] = __fim_v;
                    });
                }
            }
        }
        return quote! {
            let mut __fim_out = [[0.0_f64; #k]; #k];
            #({ #sets })*
            __fim_out
        };
    }
    let mut idx = HashMap::new();
    let mut cells = Vec::with_capacity(vals.len());
    let mut binds = Vec::new();
    let mut n = 0;
    for i in 0..k {
        for j in i..k {
            idx.insert((i, j), n);
            let v = &vals[n];
            if v.clone().into_iter().count() == 1 {
                cells.push(v.clone());
            } else {
                let name = Ident::new(&format!("__fim_m{n}"), Span::call_site());
                binds.push(quote! { let #name: f64 = #v; });
                cells.push(quote! { #name });
            }
            n += 1;
        }
    }
    let rows: Vec<TokenStream> = (0..k)
        .map(|i| {
            let row = (0..k).map(|j| &cells[idx[&(i.min(j), i.max(j))]]);
            quote! { [#(#row),*] }
        })
        .collect();
    quote! { #(#binds)* [#(#rows),*] }
}

/// The name of the Cholesky factor's entry `L[i][j]`.
pub fn lname(i: usize, j: usize) -> Ident {
    Ident::new(&format!("__fim_l{i}_{j}"), Span::call_site())
}

/// Straight-line Cholesky factorization `__fim_f = L Lᵀ` into `__fim_l{i}_{j}`; returns `fail`
/// from the function at a pivot that is not positive and finite (as `fim::__private::cholesky`).
pub fn cholesky(k: usize, fail: &TokenStream) -> TokenStream {
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

/// Straight-line `L Lᵀ x = rhs` after [`cholesky`]; evaluates to `[x0, …]`.
pub fn solve(k: usize, rhs: &[TokenStream]) -> TokenStream {
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
