//! The `#[fisher_model]` attribute. All logic lives in `fim-core`, where it is tested in-process;
//! this crate only hands the tokens over.

use proc_macro::TokenStream;

/// Derives the Fisher information of a log-likelihood at compile time. See the `fim` crate.
#[proc_macro_attribute]
pub fn fisher_model(attr: TokenStream, item: TokenStream) -> TokenStream {
    fim_core::model::expand::expand(attr.into(), item.into()).into()
}
