//! The module emitted beside an error: every item of [`super::items::ITEMS`] with a stub value
//! (NaN, or empty text), shaped from whatever of the attribute could be read, so that the rest
//! of the crate and the IDE keep working while the error is fixed.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Ident, ItemFn};

use super::items::{stub_items, Shape};
use crate::model::attr::Attr;
use crate::model::check::expr_idents;

/// The stub module for `func` with the (possibly partial) attribute `attr`.
pub fn stub_module(func: &ItemFn, attr: &Attr) -> TokenStream {
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
    let random: Vec<&Ident> = attr.data.iter().chain(&attr.inputs).collect();
    let constants: Vec<Ident> = args
        .iter()
        .filter(|a| !random.contains(a) && !params.contains(a))
        .cloned()
        .collect();
    let p: Vec<Ident> = args
        .iter()
        .filter(|a| !random.contains(a))
        .chain(&attr.inputs)
        .cloned()
        .collect();
    let main = stub_items(&shape(attr, names(&params), p, args.clone()));
    let subs: Vec<TokenStream> = attr
        .reparams
        .iter()
        .map(|r| {
            let mut new: Vec<Ident> = Vec::new();
            for (_, e) in &r.maps {
                expr_idents(e, &mut new);
            }
            new.retain(|i| {
                !constants.contains(i) && !attr.inputs.contains(i) && !attr.data.contains(i)
            });
            let p: Vec<Ident> = new
                .iter()
                .chain(&constants)
                .chain(&attr.inputs)
                .cloned()
                .collect();
            let all: Vec<Ident> = attr
                .data
                .iter()
                .chain(&attr.inputs)
                .chain(&new)
                .chain(&constants)
                .cloned()
                .collect();
            let items = stub_items(&shape(attr, names(&new), p, all));
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

/// The parameter names; one empty name when none could be read, so that K ≥ 1.
fn names(params: &[Ident]) -> Vec<String> {
    if params.is_empty() {
        vec![String::new()]
    } else {
        params.iter().map(|p| p.to_string()).collect()
    }
}

fn shape(attr: &Attr, names: Vec<String>, p: Vec<Ident>, all: Vec<Ident>) -> Shape {
    let (p, all) = (dedup(p), dedup(all));
    Shape {
        names,
        fixed: p
            .iter()
            .filter(|a| !attr.inputs.contains(a))
            .cloned()
            .collect(),
        p,
        all,
        inputs: attr.inputs.clone(),
    }
}

fn dedup(v: Vec<Ident>) -> Vec<Ident> {
    let mut out: Vec<Ident> = Vec::with_capacity(v.len());
    for i in v {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}
