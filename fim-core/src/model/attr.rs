//! The attribute grammar of `#[fisher_model(..)]`, parsed into syntax that keeps every span.
//!
//! ```text
//! params(a, b), data(x), inputs(c), moments(E[x] = .., Var[x] = ..),
//! verify(fisher = [[..], [..]], jeffreys = ..), reparam(NAME(a = .., b = ..))
//! ```

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, Ident, Token};

use crate::ctxt::Errors;

/// `params(..)`: the parameters; the matrix order is this order.
pub const PARAMS: &str = "params";
/// `data(..)`: the random arguments.
pub const DATA: &str = "data";
/// `inputs(..)`: covariates of a conditional model.
pub const INPUTS: &str = "inputs";
/// `moments(..)`: declared expectations.
pub const MOMENTS: &str = "moments";
/// `verify(..)`: formulas to prove equal to the derived ones.
pub const VERIFY: &str = "verify";
/// `reparam(..)`: other parameterizations.
pub const REPARAM: &str = "reparam";
/// All keys, for the error on an unknown one.
pub const KEYS: [&str; 6] = [PARAMS, DATA, INPUTS, MOMENTS, VERIFY, REPARAM];

/// One declared moment as written.
#[derive(Clone, Debug)]
pub struct MomentSyn {
    /// `E` or `Var`.
    pub kind: Ident,
    /// The data expression inside the brackets.
    pub lhs: Expr,
    /// The stated value.
    pub rhs: Expr,
    /// Span of the whole `E[..] = ..`.
    pub span: Span,
}

/// One reparameterization as written: `NAME(theta = g(phi), alpha[i] = eta[i].exp(), ..)`.
#[derive(Clone, Debug)]
pub struct ReparamSyn {
    /// The submodule name.
    pub name: Ident,
    /// `old = expression in the new parameters`, in order.
    pub maps: Vec<MapSyn>,
}

/// One `old = expression` of a reparameterization; `old` may be an entry of an array
/// parameter, `alpha[2]`, or all of them, `alpha[i]` with a free index `i`.
#[derive(Clone, Debug)]
pub struct MapSyn {
    /// The old parameter.
    pub old: Ident,
    /// Its indices as written, one per dimension (none for an `f64`).
    pub indices: Vec<Expr>,
    /// The expression in the new parameters.
    pub rhs: Expr,
}

/// The parsed attribute.
#[derive(Clone, Debug, Default)]
pub struct Attr {
    /// `params(..)` with the key's span.
    pub params: Option<(Ident, Vec<Ident>)>,
    /// `data(..)`.
    pub data: Vec<Ident>,
    /// `inputs(..)`.
    pub inputs: Vec<Ident>,
    /// `moments(..)`, and the key for error spans.
    pub moments: Vec<MomentSyn>,
    /// The `moments` key, if present.
    pub moments_key: Option<Ident>,
    /// `verify(fisher = ..)`.
    pub verify_fisher: Option<Expr>,
    /// `verify(jeffreys = ..)`.
    pub verify_jeffreys: Option<Expr>,
    /// `reparam(..)`.
    pub reparams: Vec<ReparamSyn>,
    /// Keys that were present but could not be read: checks that depend on them are skipped,
    /// so that one mistake gives one error.
    pub broken: Vec<String>,
}

/// Parses the attribute's tokens, collecting every error.
pub fn parse(tokens: TokenStream, errors: &mut Errors) -> Attr {
    let mut attr = Attr::default();
    let mut seen: Vec<String> = Vec::new();
    let mut iter = tokens.into_iter().peekable();
    loop {
        let Some(tt) = iter.next() else { break };
        let key = match tt {
            TokenTree::Ident(i) => i,
            TokenTree::Punct(p) if p.as_char() == ',' => continue,
            other => {
                errors.push(syn::Error::new(
                    other.span(),
                    "expected a key such as `params(..)`, `data(..)` or `moments(..)`",
                ));
                // Skip to the next comma.
                for t in iter.by_ref() {
                    if matches!(&t, TokenTree::Punct(p) if p.as_char() == ',') {
                        break;
                    }
                }
                continue;
            }
        };
        let body = match iter.next() {
            Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => g.stream(),
            next => {
                errors.push(syn::Error::new(
                    key.span(),
                    format!("expected `{key}(..)`: each key takes a parenthesized list"),
                ));
                attr.broken.push(key.to_string());
                // Skip the rest of this entry so it does not cascade into more errors.
                if !matches!(&next, Some(TokenTree::Punct(p)) if p.as_char() == ',') {
                    for t in iter.by_ref() {
                        if matches!(&t, TokenTree::Punct(p) if p.as_char() == ',') {
                            break;
                        }
                    }
                }
                continue;
            }
        };
        let name = key.to_string();
        if !KEYS.contains(&name.as_str()) {
            errors.push(syn::Error::new(
                key.span(),
                format!(
                    "unknown key `{name}`: expected one of {}",
                    KEYS.iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
            continue;
        }
        if seen.contains(&name) {
            errors.push(syn::Error::new(
                key.span(),
                format!("duplicate key `{name}`: list everything in one `{name}(..)`"),
            ));
            continue;
        }
        seen.push(name.clone());
        match name.as_str() {
            PARAMS => match idents(body) {
                Ok(v) if v.is_empty() => errors.push(syn::Error::new(
                    key.span(),
                    "`params()` is empty: name at least one parameter",
                )),
                Ok(v) => attr.params = Some((key, v)),
                Err(e) => errors.push(e),
            },
            DATA => match idents(body) {
                Ok(v) => attr.data = v,
                Err(e) => {
                    errors.push(e);
                    attr.broken.push(name.clone());
                }
            },
            INPUTS => match idents(body) {
                Ok(v) => attr.inputs = v,
                Err(e) => {
                    errors.push(e);
                    attr.broken.push(name.clone());
                }
            },
            MOMENTS => {
                attr.moments_key = Some(key);
                match moments.parse2(body) {
                    Ok(v) => attr.moments = v,
                    Err(e) => errors.push(e),
                }
            }
            VERIFY => match verify.parse2(body) {
                Ok((f, j)) => {
                    attr.verify_fisher = f;
                    attr.verify_jeffreys = j;
                }
                Err(e) => errors.push(e),
            },
            REPARAM => match reparams.parse2(body) {
                Ok(v) => attr.reparams = v,
                Err(e) => errors.push(e),
            },
            _ => {}
        }
    }
    attr
}

fn idents(body: TokenStream) -> syn::Result<Vec<Ident>> {
    let p = Punctuated::<Ident, Token![,]>::parse_terminated;
    Ok(p.parse2(body)?.into_iter().collect())
}

fn moments(input: ParseStream) -> syn::Result<Vec<MomentSyn>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let kind: Ident = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected `E[expr] = expr` or `Var[expr] = expr` in moments(..)",
            )
        })?;
        if kind != "E" && kind != "Var" {
            return Err(syn::Error::new(
                kind.span(),
                format!("expected `E[expr] = expr` or `Var[expr] = expr` in moments(..), found `{kind}`"),
            ));
        }
        let content;
        syn::bracketed!(content in input);
        let lhs: Expr = content.parse()?;
        if !content.is_empty() {
            return Err(content.error("expected one expression inside `E[..]`"));
        }
        let eq: Token![=] = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                format!("expected `=` after `{kind}[..]` in moments(..)"),
            )
        })?;
        let rhs: Expr = input.parse()?;
        let span = kind.span().join(rhs.span()).unwrap_or(eq.span);
        out.push(MomentSyn {
            kind,
            lhs,
            rhs,
            span,
        });
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok(out)
}

type VerifyPair = (Option<Expr>, Option<Expr>);

fn verify(input: ParseStream) -> syn::Result<VerifyPair> {
    let (mut f, mut j) = (None, None);
    while !input.is_empty() {
        let key: Ident = input.parse()?;
        input.parse::<Token![=]>()?;
        let value: Expr = input.parse()?;
        match key.to_string().as_str() {
            "fisher" if f.is_none() => f = Some(value),
            "jeffreys" if j.is_none() => j = Some(value),
            "fisher" | "jeffreys" => {
                return Err(syn::Error::new(
                    key.span(),
                    format!("duplicate `{key}` in verify(..)"),
                ))
            }
            _ => {
                return Err(syn::Error::new(
                    key.span(),
                    format!(
                        "unknown verify key `{key}`: expected `fisher = [[..]]` or `jeffreys = ..`"
                    ),
                ))
            }
        }
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok((f, j))
}

fn reparams(input: ParseStream) -> syn::Result<Vec<ReparamSyn>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let name: Ident = input.parse()?;
        let content;
        syn::parenthesized!(content in input);
        let mut maps = Vec::new();
        while !content.is_empty() {
            let old: Ident = content.parse()?;
            let mut indices = Vec::new();
            while content.peek(syn::token::Bracket) {
                let index;
                syn::bracketed!(index in content);
                indices.push(index.parse::<Expr>()?);
            }
            content.parse::<Token![=]>().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    format!("expected `{old} = expression` in reparam `{name}`"),
                )
            })?;
            let rhs: Expr = content.parse()?;
            maps.push(MapSyn { old, indices, rhs });
            if content.is_empty() {
                break;
            }
            content.parse::<Token![,]>()?;
        }
        if maps.is_empty() {
            return Err(syn::Error::new(
                name.span(),
                format!("reparam `{name}` maps no parameter"),
            ));
        }
        out.push(ReparamSyn { name, maps });
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok(out)
}
