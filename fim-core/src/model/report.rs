//! The derivation report: plain text, and Markdown with LaTeX (the `DERIVATION` constant).

use std::fmt::Write;

use crate::expect::Source;
use crate::expr::Id;
use crate::print;
use crate::simplify;

use super::derive::{CheckOutcome, Derivation, Jeffreys};

fn source_name(s: Source) -> &'static str {
    match s {
        Source::Declared => "declared",
        Source::Derived => "derived from the declared moments",
        Source::Inferred => "inferred from E[score] = 0 (exponential family)",
    }
}

struct Lines<'a> {
    d: &'a mut Derivation,
}

impl Lines<'_> {
    fn show(&mut self, id: Id) -> Id {
        let m = &mut self.d.model;
        simplify::simplify(&mut m.arena, &self.d.core.domain, id)
    }
}

/// The steps as plain text (Rust syntax for every formula).
pub fn text(d: &mut Derivation) -> String {
    render(d, false)
}

/// The steps as Markdown with LaTeX formulas.
pub fn markdown(d: &mut Derivation) -> String {
    render(d, true)
}

fn render(d: &mut Derivation, tex: bool) -> String {
    let mut out = String::new();
    let k = d.model.params.len();
    let score: Vec<Id> = {
        let mut l = Lines { d };
        let s = l.d.core.score.clone();
        s.into_iter().map(|x| l.show(x)).collect()
    };
    let hessian: Vec<Vec<Id>> = {
        let mut l = Lines { d };
        let h = l.d.core.hessian.clone();
        h.into_iter()
            .map(|row| row.into_iter().map(|x| l.show(x)).collect())
            .collect()
    };
    let d = &*d;
    let a = &d.model.arena;
    let f = |id: Id| -> String {
        if tex {
            format!("${}$", print::latex(a, id))
        } else {
            format!("`{}`", print::rust(a, id))
        }
    };
    let name = |i: usize| -> String {
        let n = a.name(d.model.params[i]).to_string();
        if tex {
            let s = a.find_symbol(&n).map(|s| {
                let mut tmp = crate::Arena::new();
                let v = tmp.var(a.name(s));
                print::latex(&tmp, v)
            });
            s.unwrap_or(n)
        } else {
            n
        }
    };
    let list = |syms: &[crate::Symbol]| -> String {
        if syms.is_empty() {
            "none".to_string()
        } else {
            syms.iter()
                .map(|&s| format!("`{}`", a.name(s)))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let _ = writeln!(
        out,
        "# Fisher information of `{}`\n",
        d.model.item.sig.ident
    );
    let _ = writeln!(
        out,
        "Parameters: {}; data: {}; inputs: {}; constants: {}.\n",
        list(&d.model.params),
        list(&d.model.data),
        list(&d.model.inputs),
        list(&d.model.constants)
    );
    let _ = writeln!(out, "## Log-likelihood\n\nℓ = {}\n", f(d.model.loglik));
    let _ = writeln!(out, "## Score\n");
    for (i, s) in score.iter().enumerate() {
        if tex {
            let _ = writeln!(
                out,
                "- $\\partial \\ell / \\partial {}$ = {}",
                name(i),
                f(*s)
            );
        } else {
            let _ = writeln!(out, "- ∂ℓ/∂{} = {}", name(i), f(*s));
        }
    }
    let _ = writeln!(out, "\n## Hessian\n");
    for i in 0..k {
        for j in i..k {
            if tex {
                let _ = writeln!(
                    out,
                    "- $\\partial^2 \\ell / \\partial {} \\partial {}$ = {}",
                    name(i),
                    name(j),
                    f(hessian[i][j])
                );
            } else {
                let _ = writeln!(out, "- ∂²ℓ/∂{}∂{} = {}", name(i), name(j), f(hessian[i][j]));
            }
        }
    }
    let _ = writeln!(out, "\n## Moments\n");
    if d.core.table.entries().is_empty() {
        let _ = writeln!(out, "- none needed");
    }
    for e in d.core.table.entries() {
        if tex {
            let _ = writeln!(
                out,
                "- $E[{}] = {}$ ({})",
                print::latex(a, e.factor),
                print::latex(a, e.value),
                source_name(e.source)
            );
        } else {
            let _ = writeln!(
                out,
                "- E[{}] = {} ({})",
                print::rust(a, e.factor),
                print::rust(a, e.value),
                source_name(e.source)
            );
        }
    }
    if let Some(note) = &d.core.inference_note {
        let _ = writeln!(out, "- exponential-family inference declined: {note}");
    }
    let _ = writeln!(out, "\n## Fisher information F = −E[H]\n");
    for i in 0..k {
        for j in i..k {
            let _ = writeln!(
                out,
                "- F[{}][{}] = {}",
                name(i),
                name(j),
                f(d.core.fisher[i][j])
            );
        }
    }
    let _ = writeln!(out, "\n## Jeffreys prior\n");
    match &d.core.jeffreys {
        Jeffreys::Closed { expr, how } => {
            let _ = writeln!(
                out,
                "½ ln det F = {} (determinant by {how}; the log density up to an additive constant)",
                f(*expr)
            );
        }
        Jeffreys::Numeric => {
            let _ = writeln!(
                out,
                "½ ln det F is computed numerically (Cholesky log-determinant): F is dense and larger than {}×{}",
                super::derive::SYMBOLIC_DET_MAX,
                super::derive::SYMBOLIC_DET_MAX
            );
        }
    }
    let _ = writeln!(out, "\n## Checks\n");
    for c in &d.core.checks {
        let o = match &c.outcome {
            CheckOutcome::Proved(m) => format!("proved ({m})"),
            CheckOutcome::Skipped(why) => format!("skipped: {why}"),
            CheckOutcome::Failed(why) => format!("FAILED: {why}"),
        };
        let _ = writeln!(out, "- {}: {o}", c.name);
    }
    out
}
