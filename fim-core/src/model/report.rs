//! The derivation report: plain text (formulas in Rust syntax), and Markdown with LaTeX (the
//! generated `DERIVATION` constant). Both list the same steps: log-likelihood, score, Hessian,
//! moments, F, Jeffreys, every reparameterization, and every check with the method that proved
//! it.

use crate::expect::Source;
use crate::expr::{Id, Symbol};
use crate::print;
use crate::Arena;

use super::derivation::Derivation;
use super::matrix::{Jeffreys, CLOSED_FORM_MAX_OPS, SYMBOLIC_DET_MAX};
use super::proofs::{Check, CheckOutcome};
use super::quantities::Quantities;

/// One line of the report: `line!(out, "…", args)` appends the formatted text and a newline.
macro_rules! line {
    ($out:expr, $($fmt:tt)*) => {{
        $out.push_str(&format!($($fmt)*));
        $out.push('\n');
    }};
}

/// The steps as plain text (Rust syntax for every formula).
pub fn text(d: &Derivation) -> String {
    render(d, Style::Text)
}

/// The steps as Markdown with LaTeX formulas.
pub fn markdown(d: &Derivation) -> String {
    render(d, Style::Tex)
}

#[derive(Clone, Copy, PartialEq)]
enum Style {
    Text,
    Tex,
}

fn source_name(s: Source) -> &'static str {
    match s {
        Source::Declared => "declared",
        Source::Derived => "derived from the declared moments",
        Source::Inferred => "inferred from E[score] = 0 (exponential family)",
        Source::Covariance => "from Cov[T] = ∇²_η A (exponential family)",
    }
}

struct Fmt<'a> {
    a: &'a Arena,
    style: Style,
}

impl Fmt<'_> {
    /// A formula.
    fn f(&self, id: Id) -> String {
        match self.style {
            Style::Tex => format!("${}$", print::latex_brief(self.a, id)),
            Style::Text => format!("`{}`", print::rust_brief(self.a, id)),
        }
    }

    /// `E[t] = v`.
    fn moment(&self, t: Id, v: Id) -> String {
        match self.style {
            Style::Tex => format!(
                "$E[{}] = {}$",
                print::latex_brief(self.a, t),
                print::latex_brief(self.a, v)
            ),
            Style::Text => format!(
                "E[{}] = {}",
                print::rust_brief(self.a, t),
                print::rust_brief(self.a, v)
            ),
        }
    }

    /// A symbol's name (LaTeX in Markdown).
    fn name(&self, s: Symbol) -> String {
        match self.style {
            Style::Tex => print::latex_name(self.a.name(s)),
            Style::Text => self.a.name(s).to_string(),
        }
    }

    fn d1(&self, p: Symbol) -> String {
        match self.style {
            Style::Tex => format!("$\\partial \\ell / \\partial {}$", self.name(p)),
            Style::Text => format!("∂ℓ/∂{}", self.name(p)),
        }
    }

    fn d2(&self, p: Symbol, q: Symbol) -> String {
        match self.style {
            Style::Tex => format!(
                "$\\partial^2 \\ell / \\partial {} \\partial {}$",
                self.name(p),
                self.name(q)
            ),
            Style::Text => format!("∂²ℓ/∂{}∂{}", self.name(p), self.name(q)),
        }
    }

    fn entry(&self, m: &str, p: Symbol, q: Symbol) -> String {
        match self.style {
            Style::Tex => format!("${m}_{{{} {}}}$", self.name(p), self.name(q)),
            Style::Text => format!("{m}[{}][{}]", self.name(p), self.name(q)),
        }
    }

    fn list(&self, syms: &[Symbol]) -> String {
        if syms.is_empty() {
            "none".to_string()
        } else {
            syms.iter()
                .map(|&s| format!("`{}`", self.a.name(s)))
                .collect::<Vec<_>>()
                .join(", ")
        }
    }
}

/// One line `label(i, j) = m[i][j]` per entry of the upper triangle of the symmetric `m`.
fn upper_triangle(
    out: &mut String,
    fm: &Fmt,
    m: &[Vec<Id>],
    label: impl Fn(usize, usize) -> String,
) {
    for i in 0..m.len() {
        for j in i..m.len() {
            line!(out, "- {} = {}", label(i, j), fm.f(m[i][j]));
        }
    }
}

fn check_line(c: &Check) -> String {
    let o = match &c.outcome {
        CheckOutcome::Proved(m) => format!("proved ({m})"),
        CheckOutcome::Skipped(why) => format!("skipped: {why}"),
        CheckOutcome::Failed(why) => format!("FAILED: {why}"),
    };
    format!("- {}: {o}\n", c.name)
}

fn jeffreys_line(fm: &Fmt, j: &Jeffreys, k: usize) -> String {
    match j {
        Jeffreys::Closed { expr, how } => format!(
            "½ ln det F = {} (determinant by {how}; the log density up to an additive constant)\n",
            fm.f(*expr)
        ),
        Jeffreys::Numeric if k <= SYMBOLIC_DET_MAX => format!(
            "½ ln det F is computed numerically (Cholesky log-determinant): F's entries hold \
             more than {CLOSED_FORM_MAX_OPS} operations, too large for a closed-form determinant\n"
        ),
        Jeffreys::Numeric => format!(
            "½ ln det F is computed numerically (Cholesky log-determinant): F is dense and \
             larger than {SYMBOLIC_DET_MAX}×{SYMBOLIC_DET_MAX}\n"
        ),
    }
}

/// The exponential-family structure (T, η, A, h, m, ∇²_η A, F(m)) and the KL divergence, or
/// why each is absent.
fn family_section(out: &mut String, fm: &Fmt, q: &Quantities) {
    line!(out, "\n## Exponential family\n");
    match &q.family {
        Err(why) => line!(
            out,
            "Not an exponential family in these coordinates: {why}."
        ),
        Ok(f) => {
            line!(out, "ℓ = ηᵀ(θ) T(x) − A(θ) + h(x) with\n");
            for (l, (&t, &e)) in f.stats.iter().zip(&f.natural).enumerate() {
                line!(
                    out,
                    "- T{l} = {}, η{l} = {}, m{l} = E[T{l}] = {}",
                    fm.f(t),
                    fm.f(e),
                    fm.f(f.mean[l])
                );
            }
            line!(out, "- A = {}", fm.f(f.log_partition));
            line!(out, "- h = {}", fm.f(f.base));
            if let Some(n) = &f.natural_fisher {
                line!(
                    out,
                    "\nF in the natural parameters, ∇²_η A = dm/dη = Cov[T]:\n"
                );
                upper_triangle(out, fm, n, |i, j| format!("F(η)[{i}][{j}]"));
            }
            if let Some(m) = &f.mean_fisher {
                line!(out, "\nF in the mean parameters m = E[T], (∇²_η A)⁻¹:\n");
                upper_triangle(out, fm, m, |i, j| format!("F(m)[{i}][{j}]"));
            }
            if let Some(note) = &f.note {
                line!(out, "\nNote: {note}.");
            }
        }
    }
    match &q.kl {
        Ok(kl) => {
            let names: Vec<String> =
                kl.q.iter()
                    .map(|&s| match fm.style {
                        Style::Tex => format!("${}$", fm.name(s)),
                        Style::Text => fm.name(s),
                    })
                    .collect();
            line!(
                out,
                "\nKL(P‖Q) = E_P[ℓ(P) − ℓ(Q)] = {} (Q's parameters {})",
                fm.f(kl.value),
                names.join(", ")
            );
        }
        Err(why) => line!(out, "\nNo closed-form KL divergence: {why}."),
    }
}

fn render(d: &Derivation, style: Style) -> String {
    let fm = Fmt {
        a: &d.model.arena,
        style,
    };
    let params = &d.model.params;
    let mut out = String::new();
    line!(
        out,
        "# Fisher information of `{}`\n",
        d.model.item.sig.ident
    );
    line!(
        out,
        "Parameters: {}; data: {}; inputs: {}; constants: {}.\n",
        fm.list(params),
        fm.list(&d.model.data),
        fm.list(&d.model.inputs),
        fm.list(&d.model.constants)
    );
    line!(out, "## Log-likelihood\n\nℓ = {}\n", fm.f(d.model.loglik));
    // Score and Hessian are shown simplified; everything else is simplified already.
    line!(out, "## Score\n");
    for (i, s) in d.core.shown.score.iter().enumerate() {
        line!(out, "- {} = {}", fm.d1(params[i]), fm.f(*s));
    }
    line!(out, "\n## Hessian\n");
    upper_triangle(&mut out, &fm, &d.core.shown.hessian, |i, j| {
        fm.d2(params[i], params[j])
    });
    line!(out, "\n## Moments\n");
    if d.core.table.entries().is_empty() && d.core.table.relations().is_empty() {
        line!(out, "- none needed");
    }
    for e in d.core.table.entries() {
        line!(
            out,
            "- {} ({})",
            fm.moment(e.factor, e.value),
            source_name(e.source)
        );
    }
    // Combinations known only together (statistics counted by rank, moments with several
    // unknowns).
    for r in d.core.table.relations() {
        line!(
            out,
            "- {} ({})",
            fm.moment(r.shown.0, r.shown.1),
            source_name(r.source)
        );
    }
    if let Some(note) = &d.core.inference_note {
        line!(out, "- exponential-family inference declined: {note}");
    }
    line!(out, "\n## Fisher information F = −E[H]\n");
    upper_triangle(&mut out, &fm, &d.core.fisher, |i, j| {
        fm.entry("F", params[i], params[j])
    });
    line!(out, "\n## Jeffreys prior\n");
    out.push_str(&jeffreys_line(&fm, &d.core.jeffreys, params.len()));
    family_section(&mut out, &fm, &d.core);
    for r in &d.reparams {
        line!(out, "\n## Reparameterization `{}`\n", r.name);
        for (old, g) in &r.map {
            let old = match style {
                Style::Tex => format!("${}$", fm.name(*old)),
                Style::Text => fm.name(*old),
            };
            line!(out, "- {old} = {}", fm.f(*g));
        }
        line!(
            out,
            "\nF in ({}) by Jᵀ F(g(φ)) J, J = ∂θ/∂φ:\n",
            fm.list(&r.params)
        );
        upper_triangle(&mut out, &fm, &r.fisher, |i, j| {
            fm.entry("F", r.params[i], r.params[j])
        });
        out.push('\n');
        out.push_str(&jeffreys_line(&fm, &r.jeffreys, r.params.len()));
    }
    line!(out, "\n## Checks\n");
    for c in d
        .core
        .checks
        .iter()
        .chain(d.reparams.iter().flat_map(|r| r.checks.iter()))
    {
        out.push_str(&check_line(c));
    }
    out
}
