//! The normal form of data expressions (DESIGN §2b): each rewrite on its own, the sign facts it
//! needs, and the cases where it must not apply. Two spellings meet when their normal forms
//! have the same keys with coefficients proved equal.

use fim_core::equiv::{equiv, SampleDomain, Verdict};
use fim_core::expect::{DeclaredMoment, MomentKind, MomentTable, Terms};
use fim_core::simplify::Domain;
use fim_core::{parse, print, Arena, Id};

/// An arena with data `x` (and `y`) and the domain's facts: each name in `positive` is > 0.
fn setup(positive: &[&str]) -> (Arena, MomentTable) {
    let mut a = Arena::new();
    let data = vec![a.symbol("x"), a.symbol("y")];
    let mut d = Domain::new();
    for p in positive {
        let v = a.var(p);
        d.assume_positive(&mut a, v);
    }
    let t = MomentTable::new(&data, &d);
    (a, t)
}

fn nf(a: &mut Arena, t: &mut MomentTable, src: &str) -> Terms {
    let e = parse::parse_str(a, src).unwrap();
    t.normalizer().terms(a, e)
}

fn keys(a: &Arena, t: &Terms) -> Vec<String> {
    t.iter().map(|&(_, k)| print::rust(a, k)).collect()
}

/// The two spellings have the same keys, in some order, with coefficients proved equal.
fn same(a: &mut Arena, t: &mut MomentTable, p: &str, q: &str) {
    let (tp, tq) = (nf(a, t, p), nf(a, t, q));
    assert_eq!(
        tp.len(),
        tq.len(),
        "`{p}`: {:?}, `{q}`: {:?}",
        keys(a, &tp),
        keys(a, &tq)
    );
    let domain = t.normalizer().domain().clone();
    for &(c, k) in &tp {
        let Some(&(d, _)) = tq.iter().find(|x| x.1 == k) else {
            panic!(
                "`{q}` has no key `{}`: {:?}",
                print::rust(a, k),
                keys(a, &tq)
            );
        };
        let v = equiv(a, &domain, &SampleDomain::default(), c, d);
        assert!(matches!(v, Verdict::Proved(_)), "{p} vs {q}: {v:?}");
    }
}

fn coefficient(a: &Arena, t: &Terms, key: &str) -> Id {
    t.iter()
        .find(|&&(_, k)| print::rust(a, k) == key)
        .unwrap_or_else(|| panic!("no key `{key}` among {:?}", keys(a, t)))
        .0
}

#[test]
fn powers_of_quotients_split_over_positive_factors() {
    let (mut a, mut t) = setup(&["x", "lam", "k"]);
    same(
        &mut a,
        &mut t,
        "(x / lam).powf(k)",
        "x.powf(k) * lam.powf(-k)",
    );
    same(&mut a, &mut t, "(x / lam).ln()", "x.ln() - lam.ln()");
    same(
        &mut a,
        &mut t,
        "(x / lam).powf(k) * (x / lam).ln().powi(2)",
        "(x.powf(k) * x.ln().powi(2) - 2.0 * lam.ln() * x.powf(k) * x.ln() + lam.ln().powi(2) * x.powf(k)) / lam.powf(k)",
    );
    same(&mut a, &mut t, "(k * x.ln()).exp()", "x.powf(k)");
    same(
        &mut a,
        &mut t,
        "(2.0 * x).sqrt()",
        "2.0_f64.sqrt() * x.sqrt()",
    );
}

#[test]
fn nothing_splits_without_the_sign_facts() {
    let (mut a, mut t) = setup(&[]);
    let w = nf(&mut a, &mut t, "(x / lam).powf(k)");
    assert_eq!(keys(&a, &w), ["(x / lam).powf(k)"]);
    let l = nf(&mut a, &mut t, "(x / lam).ln()");
    assert_eq!(keys(&a, &l), ["(x / lam).ln()"]);
    // A negative factor never leaves a logarithm, facts or not.
    let (mut a, mut t) = setup(&["x"]);
    let l = nf(&mut a, &mut t, "(-2.0 * x).ln()");
    assert_eq!(keys(&a, &l), ["(-2.0 * x).ln()"]);
    let l = nf(&mut a, &mut t, "(2.0 * x).ln()");
    assert_eq!(keys(&a, &l), ["1.0", "x.ln()"], "ln 2 + ln x");
}

#[test]
fn exp_of_a_sum_leaves_its_data_free_part_in_the_coefficient() {
    let (mut a, mut t) = setup(&["beta"]);
    same(
        &mut a,
        &mut t,
        "(-(x - mu) / beta).exp()",
        "((mu - x) / beta).exp()",
    );
    same(
        &mut a,
        &mut t,
        "(-(x - mu) / beta).exp()",
        "(mu / beta).exp() * (-x / beta).exp()",
    );
    let e = nf(&mut a, &mut t, "(x - mu) / beta * (-(x - mu) / beta).exp()");
    assert_eq!(e.len(), 2, "{:?}", keys(&a, &e));
    let c = coefficient(&a, &e, "x * (-x / beta).exp()");
    let want = parse::parse_str(&mut a, "(mu / beta).exp() / beta").unwrap();
    let v = equiv(&mut a, &Domain::new(), &SampleDomain::default(), c, want);
    assert!(matches!(v, Verdict::Proved(_)), "{v:?}");
}

#[test]
fn a_sum_that_stays_whole_loses_its_content() {
    let (mut a, mut t) = setup(&["s", "nu"]);
    same(
        &mut a,
        &mut t,
        "1.0 / (s.powi(2) + (x - m).powi(2))",
        "1.0 / (s.powi(2) * (1.0 + ((x - m) / s).powi(2)))",
    );
    same(
        &mut a,
        &mut t,
        "((x - m) / s) / (1.0 + ((x - m) / s).powi(2) / nu).powi(2)",
        "nu.powi(2) * s.powi(3) * (x - m) / (nu * s.powi(2) + (x - m).powi(2)).powi(2)",
    );
}

#[test]
fn products_of_sums_multiply_out() {
    let (mut a, mut t) = setup(&[]);
    same(
        &mut a,
        &mut t,
        "(x - m).powi(2) * y",
        "x.powi(2) * y - 2.0 * m * x * y + m.powi(2) * y",
    );
    same(
        &mut a,
        &mut t,
        "(x + y) / (x - m).abs()",
        "x / (x - m).abs() + y / (x - m).abs()",
    );
}

/// Moments with two unknown expectations each are relations; together they determine both.
#[test]
fn relations_solve_together() {
    let (mut a, _) = setup(&[]);
    let data = vec![a.symbol("x"), a.symbol("y")];
    let mut declared = Vec::new();
    for (lhs, rhs) in [("x + y", "3.0 * m"), ("x - 2.0 * y", "0.0")] {
        let lhs = parse::parse_str(&mut a, lhs).unwrap();
        let rhs = parse::parse_str(&mut a, rhs).unwrap();
        declared.push(DeclaredMoment {
            kind: MomentKind::Mean,
            lhs,
            rhs,
        });
    }
    let (mut table, redundant, unsolved) =
        MomentTable::from_declared(&mut a, &data, &Domain::new(), &declared);
    assert!(redundant.is_empty() && unsolved.is_empty());
    assert!(table.relations().is_empty(), "both solved");
    for (e, want) in [
        ("x", "2.0 * m"),
        ("y", "m"),
        ("(x + y).powi(1) * 2.0 - y", "5.0 * m"),
    ] {
        let id = parse::parse_str(&mut a, e).unwrap();
        let got = table.expectation(&mut a, id).unwrap();
        let w = parse::parse_str(&mut a, want).unwrap();
        let v = equiv(&mut a, &Domain::new(), &SampleDomain::default(), got, w);
        assert!(matches!(v, Verdict::Proved(_)), "E[{e}]: {v:?}");
    }
    // One relation alone determines its own combination and nothing else.
    let (table, _, _) = MomentTable::from_declared(&mut a, &data, &Domain::new(), &declared[..1]);
    let mut table = table;
    assert_eq!(table.relations().len(), 1);
    let x = parse::parse_str(&mut a, "x").unwrap();
    assert!(table.expectation(&mut a, x).is_err());
    let s = parse::parse_str(&mut a, "2.0 * x + 2.0 * y").unwrap();
    let got = table.expectation(&mut a, s).unwrap();
    let w = parse::parse_str(&mut a, "6.0 * m").unwrap();
    let v = equiv(&mut a, &Domain::new(), &SampleDomain::default(), got, w);
    assert!(matches!(v, Verdict::Proved(_)), "{v:?}");
}
