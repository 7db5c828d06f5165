//! The expansion of `#[fisher_model]`, in-process: `expand(attr, item)` pretty-printed and
//! snapshot-tested, for the binomial, the normal and a reparameterization, and for a bad
//! attribute (the function and the stub module survive beside a `compile_error!`).
//!
//! Review a changed snapshot before accepting it: a snapshot is not a proof. The values are
//! proved in the root crate's behaviour tests (tests/test_catalog.rs and friends).

use fim_core::model::expand::expand;
use proc_macro2::TokenStream;
use quote::quote;

/// The expansion, parsed as a file and pretty-printed.
fn pretty(attr: TokenStream, item: TokenStream) -> String {
    let out = expand(attr, item);
    let file: syn::File = syn::parse2(out.clone())
        .unwrap_or_else(|e| panic!("the expansion is not a Rust file: {e}\n{out}"));
    prettyplease::unparse(&file)
}

/// The items of the module named `name` in the expansion.
fn module_items(file: &syn::File, name: &str) -> Vec<String> {
    let m = file
        .items
        .iter()
        .find_map(|i| match i {
            syn::Item::Mod(m) if m.ident == name => Some(m),
            _ => None,
        })
        .unwrap_or_else(|| {
            panic!(
                "no module `{name}` in the expansion:\n{}",
                prettyplease::unparse(file)
            )
        });
    m.content
        .as_ref()
        .map(|(_, items)| items.iter().filter_map(item_name).collect())
        .unwrap_or_default()
}

fn is_compile_error(path: &syn::Path) -> bool {
    path.segments
        .last()
        .is_some_and(|s| s.ident == "compile_error")
}

/// The `compile_error!` messages of an expansion.
fn errors_of(out: &TokenStream) -> Vec<String> {
    let file: syn::File = syn::parse2(out.clone()).expect("a Rust file");
    file.items
        .iter()
        .filter_map(|i| match i {
            syn::Item::Macro(m) if is_compile_error(&m.mac.path) => Some(m.mac.tokens.to_string()),
            _ => None,
        })
        .collect()
}

fn item_name(item: &syn::Item) -> Option<String> {
    match item {
        syn::Item::Fn(f) => Some(f.sig.ident.to_string()),
        syn::Item::Const(c) => Some(c.ident.to_string()),
        syn::Item::Mod(m) => Some(m.ident.to_string()),
        _ => None,
    }
}

fn submodule<'a>(file: &'a syn::File, path: &[&str]) -> Option<&'a syn::ItemMod> {
    let mut items = &file.items;
    let mut found = None;
    for name in path {
        let m = items.iter().find_map(|i| match i {
            syn::Item::Mod(m) if m.ident == *name => Some(m),
            _ => None,
        })?;
        found = Some(m);
        items = &m.content.as_ref()?.1;
    }
    found
}

fn names_in(m: &syn::ItemMod) -> Vec<String> {
    m.content
        .as_ref()
        .map(|(_, items)| items.iter().filter_map(item_name).collect())
        .unwrap_or_default()
}

/// Every item of the contract, for a model without inputs.
const CONTRACT: [&str; 11] = [
    "PARAMS",
    "FISHER",
    "JEFFREYS",
    "DERIVATION",
    "score",
    "hessian",
    "fisher",
    "fisher_inverse",
    "jeffreys_log_density",
    "natural_gradient",
    "kl_quadratic",
    // `fisher_averaged` only with inputs(..): checked separately.
];

fn binomial_item() -> TokenStream {
    quote! {
        /// Binomial: x successes in n trials.
        pub fn binomial(x: f64, theta: f64, n: f64) -> f64 {
            x * theta.ln() + (n - x) * (1.0 - theta).ln()
        }
    }
}

#[test]
fn binomial() {
    let text = pretty(
        quote! { params(theta), data(x), moments(E[x] = n * theta) },
        binomial_item(),
    );
    insta::assert_snapshot!("binomial", text);
}

#[test]
fn normal() {
    let text = pretty(
        quote! { params(mu, sigma), data(x) },
        quote! {
            pub fn normal(x: f64, mu: f64, sigma: f64) -> f64 {
                -sigma.ln() - (x - mu).powi(2) / (2.0 * sigma.powi(2))
            }
        },
    );
    insta::assert_snapshot!("normal", text);
}

#[test]
fn binomial_with_odds() {
    let text = pretty(
        quote! {
            params(theta),
            data(x),
            moments(E[x] = n * theta),
            verify(fisher = [[n / (theta * (1.0 - theta))]]),
            reparam(odds(theta = phi / (1.0 + phi))),
        },
        binomial_item(),
    );
    insta::assert_snapshot!("binomial_with_odds", text);
}

#[test]
fn bad_attribute_keeps_the_function_and_stubs() {
    let out = expand(
        quote! { params(theta), data(x), moments(E[x] = n * theta), bogus(1) },
        binomial_item(),
    );
    let file: syn::File = syn::parse2(out).expect("the expansion is a Rust file");
    let text = prettyplease::unparse(&file);
    insta::assert_snapshot!("bad_attribute", text);

    // The user's function, unchanged.
    assert!(
        file.items
            .iter()
            .any(|i| matches!(i, syn::Item::Fn(f) if f.sig.ident == "binomial")),
        "the function is gone"
    );
    // The stub module with every item of the contract.
    let items = module_items(&file, "binomial");
    for name in CONTRACT {
        assert!(
            items.iter().any(|i| i == name),
            "stub `{name}` is missing: {items:?}"
        );
    }
    // And the error.
    let errors: Vec<_> = file
        .items
        .iter()
        .filter(|i| matches!(i, syn::Item::Macro(m) if is_compile_error(&m.mac.path)))
        .collect();
    assert_eq!(errors.len(), 1, "one compile_error!, for the unknown key");
    assert!(text.contains("unknown key `bogus`"), "{text}");
}

/// A Poisson count with exposure c (an input) and a log-rate reparameterization: a model with
/// every optional item, for comparing its stubs with the real thing.
fn full_model_attr(bad: bool) -> TokenStream {
    let bogus = if bad {
        quote! { bogus(1), }
    } else {
        quote! {}
    };
    quote! {
        params(lambda),
        data(y),
        inputs(c),
        reparam(log_scale(lambda = l.exp())),
        #bogus
    }
}

fn exposure_item() -> TokenStream {
    quote! {
        pub fn exposure(y: f64, lambda: f64, c: f64) -> f64 {
            y * (lambda * c).ln() - lambda * c
        }
    }
}

#[test]
fn a_good_model_with_inputs_and_reparam_has_every_item() {
    let out = expand(full_model_attr(false), exposure_item());
    let file: syn::File = syn::parse2(out.clone()).expect("a Rust file");
    let items = module_items(&file, "exposure");
    for name in CONTRACT.iter().chain(&["fisher_averaged"]) {
        assert!(
            items.iter().any(|i| i == name),
            "`{name}` is missing: {items:?}\n{out}"
        );
    }
    let sub = submodule(&file, &["exposure", "log_scale"]).expect("the reparam submodule");
    let sub_items = names_in(sub);
    for name in CONTRACT.iter().chain(&["fisher_averaged"]) {
        assert!(
            sub_items.iter().any(|i| i == name),
            "reparam `{name}` is missing: {sub_items:?}"
        );
    }
}

/// On error "the module's items still exist (stub bodies)": every item the good model gets,
/// `fisher_averaged` and the reparam submodule's items included, so code that uses them keeps
/// compiling while the user fixes the attribute.
#[test]
fn stubs_of_a_bad_model_with_inputs_and_reparam() {
    let good: syn::File =
        syn::parse2(expand(full_model_attr(false), exposure_item())).expect("a Rust file");
    let bad: syn::File =
        syn::parse2(expand(full_model_attr(true), exposure_item())).expect("a Rust file");
    for path in [&["exposure"][..], &["exposure", "log_scale"][..]] {
        let want = names_in(submodule(&good, path).expect("the good module"));
        let got = names_in(submodule(&bad, path).expect("the stub module"));
        for name in &want {
            assert!(
                got.contains(name),
                "stub `{}::{name}` is missing: {got:?}",
                path.join("::")
            );
        }
    }
}

/// Deterministic output: the same input gives the same tokens every time.
#[test]
fn expansion_is_deterministic() {
    let attr = quote! {
        params(theta), data(x), moments(E[x] = n * theta),
        reparam(odds(theta = phi / (1.0 + phi)))
    };
    let first = expand(attr.clone(), binomial_item()).to_string();
    for _ in 0..3 {
        assert_eq!(expand(attr.clone(), binomial_item()).to_string(), first);
    }
}

fn regression_item() -> TokenStream {
    quote! {
        pub fn regression(y: f64, a: f64, b: f64, c: f64) -> f64 {
            -(y - a - b * c).powi(2) / 2.0
        }
    }
}

/// A linear regression's single-input F is singular (its Jeffreys density is −∞, legitimately),
/// and a reparameterization of it is a reparameterization like any other. Without moments: the
/// direct route in (u, w) needs E[y], which the original route never needed.
#[test]
fn reparam_of_a_regression_compiles() {
    let out = expand(
        quote! { params(a, b), data(y), inputs(c), reparam(log_slope(a = u, b = w.exp())) },
        regression_item(),
    );
    assert_eq!(errors_of(&out), Vec::<String>::new());
}

/// The same with E[y] declared: then the Jeffreys invariance check compares −∞ with −∞.
#[test]
fn reparam_of_a_regression_with_declared_mean_compiles() {
    let out = expand(
        quote! {
            params(a, b), data(y), inputs(c), moments(E[y] = a + b * c),
            reparam(log_slope(a = u, b = w.exp()))
        },
        regression_item(),
    );
    assert_eq!(errors_of(&out), Vec::<String>::new());
}

/// A nonlinear regression y ~ N(a·exp(b c), 1): every score component is (y − μ)·∂μ/∂θ, so
/// E[score] = 0 fixes E[y] = a·exp(b c) even though there are fewer statistics (1) than
/// parameters (2): the system is overdetermined but consistent (DESIGN.md §1).
#[test]
fn curved_family_moment_is_inferred() {
    let out = expand(
        quote! { params(a, b), data(y), inputs(c) },
        quote! {
            pub fn nonlinear(y: f64, a: f64, b: f64, c: f64) -> f64 {
                -(y - a * (b * c).exp()).powi(2) / 2.0
            }
        },
    );
    assert_eq!(errors_of(&out), Vec::<String>::new());
}
