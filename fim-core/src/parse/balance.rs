//! Long flat chains of `+ -` and `* /` regrouped into balanced trees before syn parses them.
//!
//! syn parses `t₁ + t₂ + … + tₙ` into a left-nested tree n levels deep, and drops and spans it
//! recursively: a sum of a few thousand terms overflows a 2 MiB stack. The same sum written as
//! `((t₁ + t₂) + (t₃ + t₄)) + …` is log₂ n levels deep and means the same here, where sums and
//! products are exact and n-ary. So a chain of more than [`CHAIN_MIN`] operators is regrouped
//! at the token level, its subtractions and divisions written as additions of `-(t)` and
//! multiplications by `(1.0 / t)`; shorter chains are left exactly as written. The user's
//! function is emitted as written: only the engine reads the regrouped tokens.

use proc_macro2::{Delimiter, Group, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

use super::depth::keyword_weight;
use super::MAX_DEPTH;

/// Chains with at most this many operators stay as written.
pub const CHAIN_MIN: usize = 16;

/// `tokens` with every long chain of `+ -` or `* /` regrouped into a balanced tree, inside
/// groups too (down to [`MAX_DEPTH`] levels: anything deeper is refused by the depth check).
pub fn balance(tokens: TokenStream) -> TokenStream {
    balance_in(tokens, 0)
}

fn balance_in(tokens: TokenStream, depth: usize) -> TokenStream {
    let trees: Vec<TokenTree> = tokens
        .into_iter()
        .map(|t| match t {
            TokenTree::Group(g) if depth < MAX_DEPTH => {
                let mut inner = Group::new(g.delimiter(), balance_in(g.stream(), depth + 1));
                inner.set_span(g.span());
                TokenTree::Group(inner)
            }
            t => t,
        })
        .collect();
    let mut out = TokenStream::new();
    let mut start = 0;
    for i in 0..=trees.len() {
        if i == trees.len() || is_boundary(&trees, i) {
            out.extend(segment(&trees[start..i]));
            if i < trees.len() {
                out.extend([trees[i].clone()]);
            }
            start = i + 1;
        }
    }
    out
}

/// Where one expression of a token list ends: `;`, `,`, a lone `=`, `=>` and the compound
/// assignments `+=` … (whose `=` ends the target).
fn is_boundary(trees: &[TokenTree], i: usize) -> bool {
    let TokenTree::Punct(p) = &trees[i] else {
        return false;
    };
    match p.as_char() {
        ';' | ',' => true,
        '=' => {
            // Part of `==`, `<=`, `>=`, `!=` is not a boundary; `=` alone, `=>` and `op=` are.
            let prev = i.checked_sub(1).map(|j| &trees[j]);
            let joined_before = matches!(prev, Some(TokenTree::Punct(q))
                if q.spacing() == Spacing::Joint && matches!(q.as_char(), '=' | '<' | '>' | '!'));
            let eq_eq = p.spacing() == Spacing::Joint
                && matches!(trees.get(i + 1), Some(TokenTree::Punct(q)) if q.as_char() == '=');
            !joined_before && !eq_eq
        }
        _ => false,
    }
}

/// One expression's tokens, regrouped if it is a long chain that regrouping cannot change the
/// meaning of.
fn segment(trees: &[TokenTree]) -> Vec<TokenTree> {
    // A closure's parameters stay in front of its regrouped body: `|i| t₁ + … + tₙ`.
    if let Some(TokenTree::Punct(p)) = trees.first() {
        if p.as_char() == '|' {
            if let Some(end) = trees[1..].iter().position(|t| is_punct(t, '|')) {
                let mut out = trees[..end + 2].to_vec();
                out.extend(segment(&trees[end + 2..]));
                return out;
            }
        }
    }
    if !trees.iter().all(arithmetic) {
        return trees.to_vec();
    }
    let terms = split(trees, &['+', '-']);
    if terms.len() > CHAIN_MIN {
        return tree(&terms, '+', '-');
    }
    let factors = split(trees, &['*', '/']);
    if factors.len() > CHAIN_MIN {
        return tree(&factors, '*', '/');
    }
    trees.to_vec()
}

/// A token that may stand in a chain whose operators bind loosest: operands, paths, method
/// calls, casts, the arithmetic operators. Anything else (`%`, comparisons, ranges, keywords
/// such as `if`) could bind differently, so its expression is left alone.
fn arithmetic(t: &TokenTree) -> bool {
    match t {
        TokenTree::Group(_) | TokenTree::Literal(_) => true,
        TokenTree::Ident(i) => {
            let s = i.to_string();
            s == "as" || keyword_weight(&s).is_none()
        }
        TokenTree::Punct(p) => matches!(p.as_char(), '+' | '-' | '*' | '/' | '.' | ':'),
    }
}

fn is_punct(t: &TokenTree, c: char) -> bool {
    matches!(t, TokenTree::Punct(p) if p.as_char() == c)
}

/// True when the token before an operator ends an operand, so the operator is binary (not a
/// unary minus or a dereference).
fn ends_operand(t: Option<&TokenTree>) -> bool {
    match t {
        Some(TokenTree::Group(_) | TokenTree::Literal(_)) => true,
        Some(TokenTree::Ident(i)) => keyword_weight(&i.to_string()).is_none(),
        _ => false,
    }
}

/// The operands of the binary operators `ops` at this level, each with the operator before it
/// (`None` for the first).
fn split<'t>(trees: &'t [TokenTree], ops: &[char]) -> Vec<(Option<&'t Punct>, &'t [TokenTree])> {
    let mut parts = Vec::new();
    let (mut start, mut op) = (0, None);
    for (i, t) in trees.iter().enumerate() {
        if let TokenTree::Punct(p) = t {
            let binary = i > 0 && ends_operand(trees.get(i - 1));
            // `::` of a path is two joint `:`; only a single operator character counts.
            if binary && ops.contains(&p.as_char()) && p.spacing() == Spacing::Alone {
                parts.push((op, &trees[start..i]));
                op = Some(p);
                start = i + 1;
            }
        }
    }
    parts.push((op, &trees[start..]));
    parts
}

/// `parts` combined as a balanced tree of `plus` (a `minus` part is negated, or inverted,
/// first).
fn tree(parts: &[(Option<&Punct>, &[TokenTree])], plus: char, minus: char) -> Vec<TokenTree> {
    if let [(op, operand)] = parts {
        let inner = paren(operand.to_vec(), operand.first().map(|t| t.span()));
        return match op {
            Some(p) if p.as_char() == minus => {
                let span = p.span();
                let body: Vec<TokenTree> = if plus == '+' {
                    vec![punct('-', span), inner]
                } else {
                    let mut one = Literal::f64_suffixed(1.0);
                    one.set_span(span);
                    vec![TokenTree::Literal(one), punct('/', span), inner]
                };
                vec![paren(body, Some(span))]
            }
            _ => vec![inner],
        };
    }
    let mid = parts.len() / 2;
    let span = parts[mid].0.map(|p| p.span());
    let mut body = tree(&parts[..mid], plus, minus);
    body.push(punct(plus, span.unwrap_or_else(Span::call_site)));
    body.extend(tree(&parts[mid..], plus, minus));
    vec![paren(body, span)]
}

fn paren(body: Vec<TokenTree>, span: Option<Span>) -> TokenTree {
    let mut g = Group::new(Delimiter::Parenthesis, body.into_iter().collect());
    if let Some(s) = span {
        g.set_span(s);
    }
    TokenTree::Group(g)
}

fn punct(c: char, span: Span) -> TokenTree {
    let mut p = Punct::new(c, Spacing::Alone);
    p.set_span(span);
    TokenTree::Punct(p)
}
