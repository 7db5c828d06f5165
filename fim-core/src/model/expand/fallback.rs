//! The module emitted beside an error: every item of [`super::items::ITEMS`] with a stub value
//! (NaN, or empty text), shaped from whatever of the attribute and the signature could be read,
//! so that the rest of the crate and the IDE keep working while the error is fixed.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::{Ident, ItemFn};

use crate::model::attr::Attr;
use crate::model::check::{array_type, dims_of, entry_name, RESERVED_PREFIX};
use crate::model::reparam::written_names;

use super::items::{stub_items, Param, Shape};

/// The stub module for `func` with the (possibly partial) attribute `attr`.
pub fn stub_module(func: &ItemFn, attr: &Attr) -> TokenStream {
    let args: Vec<(Param, Vec<usize>)> = func
        .sig
        .inputs
        .iter()
        .filter_map(|a| match a {
            syn::FnArg::Typed(pt) => match &*pt.pat {
                syn::Pat::Ident(pi) => {
                    // A type that is not a number or an array of them is stubbed as `f64`: it
                    // may name what the module cannot see (`[f64; N]`).
                    let (dims, ty) = match dims_of(&pt.ty) {
                        Some(d) => (d, pt.ty.to_token_stream()),
                        None => (Vec::new(), quote! { f64 }),
                    };
                    let param = Param {
                        ident: pi.ident.clone(),
                        ty,
                        entries: dims.iter().product(),
                    };
                    Some((param, dims))
                }
                _ => None,
            },
            _ => None,
        })
        .collect();
    let params: Vec<Ident> = attr.params.clone().map(|p| p.1).unwrap_or_default();
    let random: Vec<&Ident> = attr.data.iter().chain(&attr.inputs).collect();
    let find = |i: &Ident| args.iter().find(|(p, _)| p.ident == *i);
    let of = |names: &[&Ident]| -> Vec<Param> {
        names
            .iter()
            .filter_map(|i| find(i))
            .map(|a| a.0.clone())
            .collect()
    };
    let arg_names: Vec<&Ident> = args.iter().map(|a| &a.0.ident).collect();
    let constants: Vec<&Ident> = arg_names
        .iter()
        .copied()
        .filter(|a| !random.contains(a) && !params.contains(a))
        .collect();
    let inputs: Vec<&Ident> = attr.inputs.iter().collect();
    let p: Vec<&Ident> = arg_names
        .iter()
        .copied()
        .filter(|a| !random.contains(a))
        .chain(inputs.iter().copied())
        .collect();
    // The parameter names, entry by entry as in the real module.
    let names: Vec<String> = params
        .iter()
        .flat_map(|i| match find(i) {
            Some((_, dims)) => {
                let n: usize = dims.iter().product();
                (0..n)
                    .map(|k| entry_name(&i.to_string(), dims, k))
                    .collect()
            }
            None => vec![i.to_string()],
        })
        .collect();
    let fixed: Vec<&Ident> = p.iter().copied().filter(|a| !inputs.contains(a)).collect();
    let main = stub_items(&Shape {
        names: at_least_one(names),
        p: of(&dedup(p)),
        fixed: of(&dedup(fixed)),
        all: of(&arg_names),
        inputs: of(&inputs),
    });
    let subs: Vec<TokenStream> = attr
        .reparams
        .iter()
        .map(|r| {
            // The new parameters as the real module takes them, as far as they can be read.
            let arg_dims = |i: &Ident| find(i).map(|a| a.1.clone());
            let written = written_names(&r.maps, &arg_dims).unwrap_or_default();
            let new: Vec<Param> = written
                .iter()
                .filter(|w| {
                    let i = &w.ident;
                    !constants.contains(&i)
                        && !attr.inputs.contains(i)
                        && !attr.data.contains(i)
                        && usable_as_argument(i)
                })
                .map(|w| Param {
                    ident: w.ident.clone(),
                    ty: array_type(&w.dims).to_token_stream(),
                    entries: w.dims.iter().product(),
                })
                .collect();
            let names: Vec<String> = written
                .iter()
                .filter(|w| new.iter().any(|p| p.ident == w.ident))
                .flat_map(|w| {
                    let n: usize = w.dims.iter().product();
                    let name = w.ident.to_string();
                    (0..n).map(move |k| entry_name(&name, &w.dims, k))
                })
                .collect();
            let scalars = new;
            let with = |list: Vec<Param>, extra: &[&Ident]| -> Vec<Param> {
                list.into_iter().chain(of(extra)).collect()
            };
            let fixed = with(scalars.clone(), &constants);
            let p = with(fixed.clone(), &inputs);
            let random: Vec<Param> = of(&attr.data.iter().chain(&attr.inputs).collect::<Vec<_>>());
            let all: Vec<Param> = random
                .into_iter()
                .chain(scalars)
                .chain(of(&constants))
                .collect();
            let items = stub_items(&Shape {
                names: at_least_one(names),
                p,
                fixed,
                all,
                inputs: of(&inputs),
            });
            let rname = &r.name;
            quote! { pub mod #rname { #items } }
        })
        .collect();
    let vis = &func.vis;
    let name = &func.sig.ident;
    quote! {
        #[allow(unused_variables, dead_code, clippy::all)]
        #vis mod #name {
            #main
            #(#subs)*
        }
    }
}

/// Whether a name read from a reparam can be an argument of the stubs: not `self` & co. (which
/// cannot name an argument) and not a reserved name (the error already names it).
fn usable_as_argument(i: &Ident) -> bool {
    let name = i.to_string();
    !matches!(name.as_str(), "self" | "Self" | "super" | "crate")
        && !name.starts_with(RESERVED_PREFIX)
}

/// One empty name when none could be read, so that K ≥ 1.
fn at_least_one(names: Vec<String>) -> Vec<String> {
    if names.is_empty() {
        vec![String::new()]
    } else {
        names
    }
}

fn dedup(v: Vec<&Ident>) -> Vec<&Ident> {
    let mut out: Vec<&Ident> = Vec::with_capacity(v.len());
    for i in v {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}
