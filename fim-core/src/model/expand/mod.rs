//! Expansion of `#[fisher_model]`: the user's function unchanged, plus a module of the same
//! name and visibility with the generated items ([`items`]). On error the module still exists
//! with stub bodies ([`fallback`]), so the rest of the crate and the IDE keep working, beside
//! the errors. Expansion only writes tokens from quantities the derivation computed.

pub mod fallback;
pub mod items;
mod unrolled;

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Ident, ItemFn};

use crate::expr::Symbol;
use crate::print;
use crate::Arena;

use super::attr;
use super::check::Role;
use super::derivation::Derivation;
use super::report;
use super::Model;
use crate::ctxt::Errors;
use items::{doc_lines, module_items, Ctx, Shape};

/// The whole expansion: never panics; errors become `compile_error!`s beside stub items.
pub fn expand(attr_tokens: TokenStream, item: TokenStream) -> TokenStream {
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
    if let Err(e) = crate::parse::check_depth(&attr_tokens) {
        let stubs = fallback::stub_module(&func, &attr::Attr::default());
        let err = e.to_compile_error();
        return quote! { #func #stubs #err };
    }
    let mut errors = Errors::new();
    let attr = attr::parse(attr_tokens, &mut errors);
    let module = Model::from_attr(attr.clone(), func.clone(), errors)
        .and_then(Derivation::new)
        .and_then(|d| generate(&d));
    match module {
        Ok(module) => quote! { #func #module },
        Err(e) => {
            let stubs = fallback::stub_module(&func, &attr);
            let err = e.to_compile_error();
            quote! { #func #stubs #err }
        }
    }
}

/// The generated module for a derivation.
pub fn generate(d: &Derivation) -> syn::Result<TokenStream> {
    let derivation = report::markdown(d);
    let model = &d.model;
    let arena = &model.arena;
    let mut p = model.syms_where(|r| matches!(r, Role::Param | Role::Constant));
    p.extend(model.inputs.iter().copied());
    let all: Vec<Symbol> = model.args.iter().map(|a| a.sym).collect();
    let shape = shape_of(d, &model.params, &p, &all);
    let main = module_items(&Ctx {
        arena,
        shape: &shape,
        p: &p,
        all: &all,
        emitted: &d.core.emitted,
        fisher: &d.core.fisher,
        jeffreys: &d.core.jeffreys,
        inverse: &d.core.inverse,
        guards: &d.core.samples.positive,
        derivation: &derivation,
    })?;
    let mut subs = Vec::new();
    for r in &d.reparams {
        let fixed = model.syms_where(|r| r == Role::Constant);
        let random = model.syms_where(|r| matches!(r, Role::Data | Role::Input));
        let p: Vec<Symbol> = r
            .params
            .iter()
            .chain(&fixed)
            .chain(&model.inputs)
            .copied()
            .collect();
        let all: Vec<Symbol> = random
            .iter()
            .chain(&r.params)
            .chain(&fixed)
            .copied()
            .collect();
        let shape = shape_of(d, &r.params, &p, &all);
        let items = module_items(&Ctx {
            arena,
            shape: &shape,
            p: &p,
            all: &all,
            emitted: &r.direct.emitted,
            fisher: &r.fisher,
            jeffreys: &r.jeffreys,
            inverse: &r.inverse,
            guards: &r.direct.samples.positive,
            derivation: &derivation,
        })?;
        let name = &r.name;
        let map: Vec<String> = r
            .map
            .iter()
            .map(|(s, g)| format!("{} = {}", arena.name(*s), print::rust(arena, *g)))
            .collect();
        let doc = doc_lines(&format!(
            "The same items in the parameterization `{name}`: {}. Functions take the new \
             parameters in this order, then the constants in the function's order.",
            map.join(", ")
        ));
        subs.push(quote! {
            #doc
            pub mod #name {
                #items
            }
        });
    }
    let vis = &model.item.vis;
    let name = &model.item.sig.ident;
    let doc = doc_lines(&format!(
        "Fisher information of [`{name}`](fn@{name}), derived at compile time by `#[fisher_model]`.\n\n\
         ```text\nF = {}\n```",
        items::matrix_text(arena, &d.core.fisher)
    ));
    Ok(quote! {
        #doc
        #vis mod #name {
            #main
            #(#subs)*
        }
    })
}

/// The argument lists for parameters `params`, `P` = `p` and all arguments `all`: each symbol
/// named by the user's own identifier where it is an argument of the function.
fn shape_of(d: &Derivation, params: &[Symbol], p: &[Symbol], all: &[Symbol]) -> Shape {
    let model = &d.model;
    let ident = |s: &Symbol| ident_of(&model.arena, model, *s);
    let inputs = &model.inputs;
    Shape {
        names: params
            .iter()
            .map(|&s| model.arena.name(s).to_string())
            .collect(),
        p: p.iter().map(ident).collect(),
        fixed: p
            .iter()
            .filter(|s| !inputs.contains(s))
            .map(ident)
            .collect(),
        all: all.iter().map(ident).collect(),
        inputs: inputs.iter().map(ident).collect(),
    }
}

fn ident_of(arena: &Arena, model: &Model, s: Symbol) -> Ident {
    match model.args.iter().find(|a| a.sym == s) {
        Some(a) => a.ident.clone(),
        None => Ident::new(arena.name(s), Span::call_site()),
    }
}
