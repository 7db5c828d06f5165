//! The depth check: a weighted nesting depth over raw tokens, computed without recursion, so that
//! nothing recursive (syn's parser, its `Drop`, `Spanned`) sees input deep enough to overflow a
//! 2 MiB stack.

use proc_macro2::{Span, TokenStream, TokenTree};

/// Documented nesting limit: the largest weighted nesting depth [`check_depth`] admits.
///
/// Depth is counted along every path into the token tree, per statement (`;` starts afresh):
/// a bracket pair of any kind counts 3, `<` counts 5, `=` counts 2, `@` counts 1, a prefix
/// `&`, `*` or `|` counts 3, any other prefix punctuation (unary `-`, `!`, …) counts 1, a keyword
/// counts 2 (`fn`, `impl`, `dyn` count 3; `as`, `self`, `Self`, `super`, `crate` count 0), and
/// the longest run of `.` postfix calls counts 1 per `.`. So at most 42 nested parentheses, 128
/// chained unary minuses or 125 chained method calls pass. Independently, along any path at most
/// `16 * MAX_DEPTH` (2048) punctuation, bracket and keyword tokens may stand in one statement,
/// which bounds a left-nested sum such as `x + x + … + x`.
///
/// The weights come from measuring syn 2 in a debug build (about 8 KiB of stack per unit at
/// worst): the deepest admitted input of any shape parses and drops in about 1.1 MiB, inside a
/// 2 MiB test thread. A realistic log-likelihood uses a few dozen units.
///
/// After `let` bindings are inlined, the IR that [`block`](super::block), [`expr`](super::expr)
/// and [`parse_str`](super::parse_str) return is at most `4 * MAX_DEPTH` (512) nodes deep, so
/// later stages may walk it recursively.
pub const MAX_DEPTH: usize = 128;

/// Longest admitted run of operators along one path; bounds syn's recursive `Drop`.
const MAX_CHAIN: usize = 16 * MAX_DEPTH;
/// Weight of one bracket pair of any delimiter (types in brackets cost syn the most).
const GROUP_WEIGHT: usize = 3;
/// Weight of `<` (generic arguments recurse deeply in syn's type parser).
const ANGLE_WEIGHT: usize = 5;

/// Rejects token streams nested deeper than MAX_DEPTH, iteratively (no recursion), before syn
/// (which is recursive) parses them. The macro calls this on the whole item before
/// `syn::parse2`.
///
/// See [`MAX_DEPTH`] for how depth is weighted and for the second bound on operator chains.
/// The error points at the token that crosses the limit and names it. Numeric literals longer
/// than [`MAX_LITERAL_DIGITS`](crate::budget::MAX_LITERAL_DIGITS) are refused here too: syn
/// reads a literal's digits in quadratic time (a 10⁵-digit literal took 45 s).
pub fn check_depth(tokens: &proc_macro2::TokenStream) -> syn::Result<()> {
    // Each pending group carries the depth and chain length accumulated on the path to it.
    let mut pending: Vec<(TokenStream, usize, usize)> = vec![(tokens.clone(), 0, 0)];
    while let Some((stream, depth, chain)) = pending.pop() {
        let trees: Vec<TokenTree> = stream.into_iter().collect();
        for statement in trees.split(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ';')) {
            let (mut weight, mut chain, mut run, mut longest_run) = (depth, chain, 0, 0);
            let (mut prev, mut before): (Option<&TokenTree>, Option<&TokenTree>) = (None, None);
            for tree in statement {
                let prefix = match prev {
                    None => true,
                    Some(p) => opens_operand(p) || before.is_some_and(is_quote),
                };
                match tree {
                    TokenTree::Group(_) => chain += 1,
                    TokenTree::Punct(p) => {
                        chain += 1;
                        let c = p.as_char();
                        weight += match c {
                            '<' => ANGLE_WEIGHT,
                            '=' => 2,
                            '@' => 1,
                            '&' | '*' | '|' if prefix => 3,
                            _ if prefix => 1,
                            _ => 0,
                        };
                        match c {
                            '.' => run += 1,
                            '+' | '-' | '*' | '/' | '%' | '^' | '&' | '|' | '=' | ',' | '!' => {
                                run = 0
                            }
                            _ => {}
                        }
                    }
                    TokenTree::Ident(i) => {
                        if let Some(w) = keyword_weight(&i.to_string()) {
                            chain += 1;
                            weight += w;
                        }
                    }
                    TokenTree::Literal(l) => crate::budget::check_literal(l)?,
                }
                longest_run = longest_run.max(run);
                if weight + longest_run > MAX_DEPTH {
                    return Err(too_deep(tree.span()));
                }
                if chain > MAX_CHAIN {
                    return Err(too_long(tree.span()));
                }
                (before, prev) = (prev, Some(tree));
            }
            let inner = weight + longest_run + GROUP_WEIGHT;
            for tree in statement {
                if let TokenTree::Group(g) = tree {
                    if inner > MAX_DEPTH {
                        return Err(too_deep(g.span_open()));
                    }
                    pending.push((g.stream(), inner, chain));
                }
            }
        }
    }
    Ok(())
}

/// True when the token after `prev` starts an operand, so punctuation there is a prefix.
fn opens_operand(prev: &TokenTree) -> bool {
    match prev {
        TokenTree::Punct(_) => true,
        TokenTree::Ident(i) => keyword_weight(&i.to_string()).is_some(),
        TokenTree::Group(_) | TokenTree::Literal(_) => false,
    }
}

/// True for the `'` of a lifetime or label: what follows `'a` starts an operand (`&'a &'b T`).
fn is_quote(tree: &TokenTree) -> bool {
    matches!(tree, TokenTree::Punct(p) if p.as_char() == '\'')
}

/// Depth weight of a keyword; `None` for an ordinary identifier or an operand keyword.
pub(super) fn keyword_weight(ident: &str) -> Option<usize> {
    match ident {
        "as" => Some(0),
        "fn" | "impl" | "dyn" => Some(3),
        "async" | "await" | "break" | "const" | "continue" | "else" | "enum" | "extern" | "for"
        | "if" | "in" | "let" | "loop" | "match" | "mod" | "move" | "mut" | "pub" | "ref"
        | "return" | "static" | "struct" | "trait" | "type" | "unsafe" | "use" | "where"
        | "while" | "abstract" | "become" | "box" | "do" | "final" | "macro" | "override"
        | "priv" | "typeof" | "unsized" | "virtual" | "yield" | "try" | "gen" => Some(2),
        _ => None,
    }
}

pub(super) fn too_deep(span: Span) -> syn::Error {
    syn::Error::new(
        span,
        "expression nested too deeply: one statement holds at most about 40 levels of \
         parentheses, brackets or calls, or about 120 chained method calls or unary minuses; \
         split it with `let` bindings",
    )
}

fn too_long(span: Span) -> syn::Error {
    syn::Error::new(
        span,
        format!(
            "expression too long: more than {MAX_CHAIN} operators in one statement that are not \
             a plain sum or product (which any length may be); split it with `let` bindings"
        ),
    )
}
