//! The three families of the scaling benchmark (benches/derive.rs), checked for correctness at
//! sizes where the structure matters: Dirichlet (F = diag(ψ₁(aᵢ)) − ψ₁(a₀) 11ᵀ, a₀ = Σ aᵢ,
//! moments inferred), multinomial with K free probabilities (F = n (diag(1/pᵢ) + 11ᵀ/p₀),
//! p₀ = 1 − Σ pᵢ) and K independent normals (F = diag(1/sᵢ², 2/sᵢ²)). Every entry and J are
//! proved equal to the closed forms written here and compared numerically with plain Rust.

// F, its closed form and the points are indexed together, as the math writes them.
#![allow(clippy::needless_range_loop)]

use std::collections::HashMap;

use fim_core::expect::Source;
use fim_core::model::{Derivation, Jeffreys};
use fim_core::{print, Id};
use special::Gamma;

mod common;
use common::families::{dirichlet, multinomial, names, normals};
use common::{assert_identity, derive, sources, text_ops};

fn jeffreys(d: &Derivation) -> (Id, &'static str) {
    match &d.core.jeffreys {
        Jeffreys::Closed { expr, how } => (*expr, how),
        Jeffreys::Numeric => panic!("expected a closed-form Jeffreys"),
    }
}

fn eval(d: &Derivation, id: Id, env: &[(String, f64)]) -> f64 {
    let env: HashMap<_, _> = env
        .iter()
        .filter_map(|(n, v)| d.model.arena.find_symbol(n).map(|s| (s, *v)))
        .collect();
    d.model.arena.eval(id, &env)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// The Dirichlet J as a person writes it: ½ [Σ ln ψ₁(aᵢ) + ln(1 − ψ₁(a₀) Σ 1/ψ₁(aᵢ))].
fn dirichlet_jeffreys_text(k: usize) -> String {
    let a = names("a", k);
    let a0 = a.join(" + ");
    let logs: Vec<String> = a.iter().map(|ai| format!("trigamma({ai}).ln()")).collect();
    let recips: Vec<String> = a.iter().map(|ai| format!("1.0 / trigamma({ai})")).collect();
    format!(
        "0.5 * ({} + (1.0 - trigamma({a0}) * ({})).ln())",
        logs.join(" + "),
        recips.join(" + ")
    )
}

#[test]
fn dirichlet_family() {
    for k in [3, 4, 6] {
        let (attr, item) = dirichlet(k);
        let mut d = derive(&attr, &item);
        assert!(d.core.inference_note.is_none());
        assert_eq!(sources(&d, Source::Inferred), k, "E[ln xᵢ] inferred");
        // Their second moments from Cov[T] = ∇²_η A: E[ln xᵢ ln xⱼ] for i ≤ j.
        assert_eq!(
            sources(&d, Source::Covariance),
            k * (k + 1) / 2,
            "E[ln xᵢ ln xⱼ] from Cov[T]"
        );
        let a = names("a", k);
        let a0 = a.join(" + ");
        for i in 0..k {
            for j in i..k {
                let want = if i == j {
                    format!("trigamma({}) - trigamma({a0})", a[i])
                } else {
                    format!("-trigamma({a0})")
                };
                let f = d.core.fisher[i][j];
                assert_identity(&mut d, &want, f, &format!("Dirichlet K={k} F[{i}][{j}]"));
            }
        }
        let (j, how) = jeffreys(&d);
        let want_j = dirichlet_jeffreys_text(k);
        assert_identity(&mut d, &want_j, j, &format!("Dirichlet K={k} J ({how})"));

        // Numerically, at a point.
        let vals: Vec<f64> = (0..k).map(|i| 0.4 + 0.7 * i as f64).collect();
        let env: Vec<(String, f64)> = a.iter().cloned().zip(vals.iter().copied()).collect();
        let t0 = vals.iter().sum::<f64>().trigamma();
        let t: Vec<f64> = vals.iter().map(|v| v.trigamma()).collect();
        for i in 0..k {
            for jj in 0..k {
                let want = if i == jj { t[i] - t0 } else { -t0 };
                let got = eval(&d, d.core.fisher[i][jj], &env);
                assert!(close(got, want), "K={k} F[{i}][{jj}]: {got} vs {want}");
            }
        }
        let want = 0.5
            * (t.iter().map(|v| v.ln()).sum::<f64>()
                + (1.0 - t0 * t.iter().map(|v| 1.0 / v).sum::<f64>()).ln());
        let got = eval(&d, j, &env);
        assert!(close(got, want), "K={k} J: {got} vs {want}");
    }
}

/// The Dirichlet J within two operators of ½ [Σ ln ψ₁(aᵢ) + ln(1 − ψ₁(a₀) Σ 1/ψ₁(aᵢ))] as
/// written below. It used to print the determinant multiplied out (106 operators at K = 5);
/// since d9c18c3 it keeps the rank-one factor, but divides each of the K + 1 logarithms by 2
/// (`trigamma(a1).ln() / 2.0 + …`), K operators more than one `0.5 * (…)`: 43 against 38 at
/// K = 5.
#[test]
#[ignore = "ugly print: Dirichlet Jeffreys divides each of its K + 1 logarithms by 2.0 (43 operators at K = 5 against 38)"]
fn dirichlet_jeffreys_printed_in_rank_one_form() {
    assert_eq!(text_ops(&dirichlet_jeffreys_text(5)), 38);
    assert_eq!(text_ops(&dirichlet_jeffreys_text(8)), 59);
    for k in [3, 5, 8] {
        let (attr, item) = dirichlet(k);
        let d = derive(&attr, &item);
        let (j, _) = jeffreys(&d);
        let have = print::op_count(&d.model.arena, j);
        let budget = text_ops(&dirichlet_jeffreys_text(k));
        assert!(
            have <= budget + 2,
            "K={k}: {have} operators against {budget}: `{}`",
            print::rust(&d.model.arena, j)
        );
    }
}

#[test]
fn multinomial_family() {
    for k in [3, 5] {
        let (attr, item) = multinomial(k);
        let mut d = derive(&attr, &item);
        let p = names("p", k);
        let p0 = format!("(1.0 - {})", p.join(" - "));
        for i in 0..k {
            for j in i..k {
                let want = if i == j {
                    format!("n / {} + n / {p0}", p[i])
                } else {
                    format!("n / {p0}")
                };
                let f = d.core.fisher[i][j];
                assert_identity(&mut d, &want, f, &format!("multinomial K={k} F[{i}][{j}]"));
            }
        }
        let logs: Vec<String> = p.iter().map(|pi| format!("{pi}.ln()")).collect();
        let want_j = format!("0.5 * ({k}.0 * n.ln() - {} - {p0}.ln())", logs.join(" - "));
        let (j, _) = jeffreys(&d);
        assert_identity(&mut d, &want_j, j, &format!("multinomial K={k} J"));

        let vals: Vec<f64> = (0..k).map(|i| 0.05 + 0.03 * i as f64).collect();
        let n = 11.0;
        let mut env: Vec<(String, f64)> = p.iter().cloned().zip(vals.iter().copied()).collect();
        env.push(("n".to_string(), n));
        let q0 = 1.0 - vals.iter().sum::<f64>();
        for i in 0..k {
            for jj in 0..k {
                let want = n * (if i == jj { 1.0 / vals[i] } else { 0.0 } + 1.0 / q0);
                let got = eval(&d, d.core.fisher[i][jj], &env);
                assert!(close(got, want), "K={k} F[{i}][{jj}]: {got} vs {want}");
            }
        }
        let want = 0.5 * (k as f64 * n.ln() - vals.iter().map(|v| v.ln()).sum::<f64>() - q0.ln());
        let got = eval(&d, j, &env);
        assert!(close(got, want), "K={k} J: {got} vs {want}");
    }
}

#[test]
fn normals_family() {
    for k in [3, 6] {
        let (attr, item) = normals(k);
        let mut d = derive(&attr, &item);
        assert_eq!(d.core.fisher.len(), 2 * k);
        let s = names("s", k);
        for i in 0..2 * k {
            for j in i..2 * k {
                let want = if i != j {
                    "0.0".to_string()
                } else if i % 2 == 0 {
                    format!("1.0 / {}.powi(2)", s[i / 2])
                } else {
                    format!("2.0 / {}.powi(2)", s[i / 2])
                };
                let f = d.core.fisher[i][j];
                assert_identity(&mut d, &want, f, &format!("normals K={k} F[{i}][{j}]"));
            }
        }
        let logs: Vec<String> = s.iter().map(|si| format!("2.0 * {si}.ln()")).collect();
        let want_j = format!("{}.0 * 0.5 * 2.0_f64.ln() - {}", k, logs.join(" - "));
        let (j, how) = jeffreys(&d);
        assert_eq!(how, "diagonal");
        assert_identity(&mut d, &want_j, j, &format!("normals K={k} J"));
    }
}
