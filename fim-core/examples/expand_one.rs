//! Expands one model through the macro's entry point, in-process, and prints how long it took
//! and the first error (if any): the probe for resource budgets, to run under
//! `/usr/bin/time -v` for peak memory.
//!
//! `cargo run --release -p fim-core --example expand_one -- 'params(theta), data(x)' \
//!     'fn f(x: f64, theta: f64) -> f64 { x * theta.ln() - theta }'`

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(attr), Some(item)) = (args.next(), args.next()) else {
        eprintln!("usage: expand_one ATTR ITEM (ITEM may be @file)");
        std::process::exit(2);
    };
    let item = match item.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path).expect("read the item file"),
        None => item,
    };
    let attr: proc_macro2::TokenStream = attr.parse().expect("the attribute lexes");
    let item: proc_macro2::TokenStream = item.parse().expect("the item lexes");
    let t = Instant::now();
    let out = fim_core::model::expand::expand(attr, item);
    let elapsed = t.elapsed();
    let text = out.to_string();
    let error = text
        .find("compile_error")
        .map(|i| &text[i..(i + 400).min(text.len())]);
    println!("expanded in {elapsed:?}, {} bytes", text.len());
    if let Ok(path) = std::env::var("FIM_DUMP") {
        std::fs::write(&path, &text).expect("write FIM_DUMP");
    }
    match error {
        Some(e) => println!("first error: {e}"),
        None => println!("no error"),
    }
}
