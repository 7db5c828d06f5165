//! `syn::Expr` / `syn::Block` → IR. (Being written.)
