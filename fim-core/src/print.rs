//! IR → plain text in Rust syntax and LaTeX. (Being written.)
