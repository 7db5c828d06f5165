//! Expansion of `#[fisher_model]`: the user's function unchanged, plus a module of the same
//! name and visibility with the generated items ([`items`]). On error the module still exists
//! with stub bodies ([`fallback`]), so the rest of the crate and the IDE keep working, beside
//! the errors. Expansion only writes tokens from quantities the derivation computed.

pub mod fallback;
pub mod items;
mod unrolled;

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use quote::{quote, ToTokens};
use syn::ItemFn;

use crate::print;

use super::attr;
use super::check::Arg;
use super::check::Role;
use super::derivation::Derivation;
use super::reparam::Reparam;
use super::report;
use super::Model;
use crate::ctxt::Errors;
use items::{doc_lines, module_items, Ctx, Param, Shape, Vars};

/// The whole expansion: never panics; errors become `compile_error!`s beside stub items.
pub fn expand(attr_tokens: TokenStream, item: TokenStream) -> TokenStream {
    // The engine reads long sums regrouped (see `parse::balance`); the user's function is
    // emitted exactly as written.
    let balanced = crate::parse::balance(item.clone());
    if let Err(e) = crate::parse::check_depth(&balanced) {
        // The body is too deep for syn; the signature is not, and the stubs need only it.
        let err = e.to_compile_error();
        let stubs = signature_only(&balanced)
            .map(|func| fallback::stub_module(&func, &attr_of(attr_tokens)))
            .unwrap_or_default();
        return quote! { #item #stubs #err };
    }
    let func: ItemFn = match syn::parse2(balanced) {
        Ok(f) => f,
        Err(e) => {
            let err = e.to_compile_error();
            return quote! { #item #err };
        }
    };
    let attr_tokens = crate::parse::balance(attr_tokens);
    if let Err(e) = crate::parse::check_depth(&attr_tokens) {
        let stubs = fallback::stub_module(&func, &attr::Attr::default());
        let err = e.to_compile_error();
        return quote! { #item #stubs #err };
    }
    let mut errors = Errors::new();
    let attr = attr::parse(attr_tokens, &mut errors);
    let module = crate::budget::within_work_budget(
        || func.sig.ident.span(),
        || {
            Model::from_attr(attr.clone(), func.clone(), errors)
                .and_then(Derivation::new)
                .and_then(|d| generate(&d))
        },
    );
    match module {
        Ok(module) => quote! { #item #module },
        Err(e) => {
            let stubs = fallback::stub_module(&func, &attr);
            let err = e.to_compile_error();
            quote! { #item #stubs #err }
        }
    }
}

/// The function with its body replaced by `{}`: what the stub module needs when the body
/// itself cannot be read. `None` when even that does not parse as a function.
fn signature_only(item: &TokenStream) -> Option<ItemFn> {
    let mut trees: Vec<proc_macro2::TokenTree> = item.clone().into_iter().collect();
    let body = trees.iter().rposition(|t| {
        matches!(t, proc_macro2::TokenTree::Group(g) if g.delimiter() == proc_macro2::Delimiter::Brace)
    })?;
    trees[body] = proc_macro2::TokenTree::Group(proc_macro2::Group::new(
        proc_macro2::Delimiter::Brace,
        TokenStream::new(),
    ));
    let item: TokenStream = trees.into_iter().collect();
    crate::parse::check_depth(&item).ok()?;
    syn::parse2(item).ok()
}

/// The attribute as far as it can be read (nothing when it is itself too deep).
fn attr_of(tokens: TokenStream) -> attr::Attr {
    let tokens = crate::parse::balance(tokens);
    if crate::parse::check_depth(&tokens).is_err() {
        return attr::Attr::default();
    }
    attr::parse(tokens, &mut Errors::new())
}

/// The generated module for a derivation.
pub fn generate(d: &Derivation) -> syn::Result<TokenStream> {
    let derivation = report::markdown(d);
    let model = &d.model;
    let arena = &model.arena;
    let args = |keep: &dyn Fn(Role) -> bool| -> Vec<&Arg> {
        model.args.iter().filter(|a| keep(a.role)).collect()
    };
    let mut p = args(&|r| matches!(r, Role::Param | Role::Constant));
    p.extend(args(&|r| r == Role::Input));
    let all = args(&|_| true);
    let shape = Shape {
        names: model
            .params
            .iter()
            .map(|&s| arena.name(s).to_string())
            .collect(),
        p: p.iter().map(|a| param_of(a)).collect(),
        fixed: args(&|r| matches!(r, Role::Param | Role::Constant))
            .into_iter()
            .map(param_of)
            .collect(),
        all: all.iter().map(|a| param_of(a)).collect(),
        inputs: args(&|r| r == Role::Input)
            .into_iter()
            .map(param_of)
            .collect(),
    };
    let main = module_items(&Ctx {
        arena,
        shape: &shape,
        p: &vars_of(&p),
        all: &vars_of(&all),
        emitted: &d.core.emitted,
        fisher: &d.core.fisher,
        jeffreys: &d.core.jeffreys,
        inverse: &d.core.inverse,
        guards: &d.core.guards,
        nonnegative: &d.core.nonnegative,
        family: d.core.family.as_ref().ok(),
        kl: d.core.kl.as_ref().ok(),
        derivation: &derivation,
    })?;
    let mut subs = Vec::new();
    for r in &d.reparams {
        subs.push(reparam_module(d, r, &derivation)?);
    }
    let vis = &model.item.vis;
    let name = &model.item.sig.ident;
    let doc = doc_lines(&format!(
        "Fisher information of [`{name}`](fn@{name}), derived at compile time by `#[fisher_model]`.\n\n\
         ```text\nF = {}\n```",
        items::matrix_text(arena, &d.core.fisher)
    ));
    let mut body = main;
    body.extend(subs);
    Ok(module(quote! { #doc #vis mod #name }, body))
}

/// `head { body }`, with `body` moved into the braces: interpolating it with `quote!` would
/// copy every item once more.
fn module(mut head: TokenStream, body: TokenStream) -> TokenStream {
    head.extend([TokenTree::Group(Group::new(Delimiter::Brace, body))]);
    head
}

/// The submodule of one reparameterization: the same items in the new parameters, which come
/// first, then the constants (and inputs) in the function's order.
fn reparam_module(d: &Derivation, r: &Reparam, derivation: &str) -> syn::Result<TokenStream> {
    let model = &d.model;
    let arena = &model.arena;
    let of_role = |keep: &dyn Fn(Role) -> bool| -> Vec<&Arg> {
        model.args.iter().filter(|a| keep(a.role)).collect()
    };
    let constants = of_role(&|r| r == Role::Constant);
    let inputs = of_role(&|r| r == Role::Input);
    let random = of_role(&|r| matches!(r, Role::Data | Role::Input));
    let new: Vec<Param> = r.args.iter().map(param_of).collect();
    let vars_new = vars_of(&r.args.iter().collect::<Vec<_>>());
    let params = |list: &[&Arg]| -> Vec<Param> { list.iter().map(|a| param_of(a)).collect() };
    let shape = Shape {
        names: r
            .params
            .iter()
            .map(|&s| arena.name(s).to_string())
            .collect(),
        p: new
            .iter()
            .cloned()
            .chain(params(&constants))
            .chain(params(&inputs))
            .collect(),
        fixed: new.iter().cloned().chain(params(&constants)).collect(),
        all: params(&random)
            .into_iter()
            .chain(new.iter().cloned())
            .chain(params(&constants))
            .collect(),
        inputs: params(&inputs),
    };
    let mut p = vars_new.clone();
    p.extend(vars_of(&constants));
    p.extend(vars_of(&inputs));
    let mut all = p.clone();
    all.extend(vars_of(&random));
    let items = module_items(&Ctx {
        arena,
        shape: &shape,
        p: &p,
        all: &all,
        emitted: &r.direct.emitted,
        fisher: &r.fisher,
        jeffreys: &r.jeffreys,
        inverse: &r.inverse,
        guards: &r.direct.guards,
        nonnegative: &r.direct.nonnegative,
        family: r.direct.family.as_ref().ok(),
        kl: r.direct.kl.as_ref().ok(),
        derivation,
    })?;
    let name = &r.name;
    let map: Vec<String> = r
        .map
        .iter()
        .map(|(s, g)| format!("{} = {}", arena.name(*s), print::rust_brief(arena, *g)))
        .collect();
    let doc = doc_lines(&format!(
        "The same items in the parameterization `{name}`: {}. Functions take the new \
         parameters in this order, then the constants in the function's order.",
        map.join(", ")
    ));
    Ok(module(quote! { #doc pub mod #name }, items))
}

/// An argument of the model as an argument of generated functions, in its declared type.
fn param_of(a: &Arg) -> Param {
    Param {
        ident: a.ident.clone(),
        ty: a.ty.to_token_stream(),
        entries: a.syms.len(),
    }
}

/// How generated code reads the entries of `args`: `theta`, `alpha[2]`.
fn vars_of(args: &[&Arg]) -> Vars {
    let mut vars = Vars::default();
    for a in args {
        for (k, &s) in a.syms.iter().enumerate() {
            vars.insert(s, a.entry_tokens(k));
        }
    }
    vars
}
