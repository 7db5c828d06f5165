//! Expands one model of the profile example's families and prints the emitted code's size
//! and its deepest nesting of parentheses, for measuring code generation:
//! `cargo run --release -p fim-core --example expand_size -- MODEL K [--print]`.
use std::str::FromStr;

use proc_macro2::TokenStream;

#[path = "../tests/common/families.rs"]
mod families;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let k: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);
    let (attr, item) = match args.get(1).map(String::as_str) {
        Some("dirichletA") => families::dirichlet_array(k),
        Some("normalsA") => families::normals_array(k),
        Some("logisticK") => families::logistic_inputs(k),
        Some("dirichletK") => families::dirichlet(k),
        Some("multinomialK") => families::multinomial(k),
        Some("normalsK") => families::normals(k),
        Some("logisticKN") => {
            let n = std::env::var("FIM_ROWS")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(10);
            families::logistic_rows(k, n)
        }
        _ => {
            eprintln!(
                "usage: expand_size MODEL K [--print], MODEL one of dirichletA, normalsA, \
                 logisticK, logisticKN (FIM_ROWS rows), dirichletK, multinomialK, normalsK"
            );
            std::process::exit(2);
        }
    };
    let attr = TokenStream::from_str(&attr).expect("attribute tokens");
    let item = TokenStream::from_str(&item).expect("item tokens");
    let t = std::time::Instant::now();
    let out = fim_core::model::expand::expand(attr, item);
    let elapsed = t.elapsed();
    let text = out.to_string();
    let (mut depth, mut deepest) = (0usize, 0usize);
    for c in text.chars() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    println!(
        "{}: expand {elapsed:?}, {} bytes, deepest nesting {deepest}",
        args[1],
        text.len()
    );
    if args.iter().any(|a| a == "--print") {
        println!("{text}");
    }
}
