//! fim-core: the symbolic engine behind `fim`.
//!
//! Data flows one way: tokens → IR ([`expr`], [`parse`]) → derivatives ([`diff`]) → expectation
//! → simplified results ([`simplify`]) → checks ([`equiv`]) → tokens. Nothing here depends on
//! `proc_macro`, so every stage is tested in-process. A derivation works in one [`Arena`]: the
//! expression store ([`expr::Ir`]) with the caches of the stages above it kept beside it.
#![warn(missing_docs)]
// Matrix code (F, H, J, their inverses) reads as the math does with explicit indices.
#![allow(clippy::needless_range_loop)]

mod arena;
pub mod budget;
pub mod ctxt;
pub mod diff;
pub mod emit;
pub mod equiv;
pub mod eval;
pub mod expect;
pub mod expr;
pub mod model;
pub mod parse;
mod poly;
pub mod print;
pub mod simplify;

pub use arena::Arena;
pub use expr::{Id, Node, Rational, Symbol};
