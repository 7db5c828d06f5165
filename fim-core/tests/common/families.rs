//! The three model families of the scaling benchmark, as attribute and function source text
//! for a size K: shared by `benches/derive.rs`, `tests/derive_families.rs` and the profiling
//! example.

pub fn names(prefix: &str, k: usize) -> Vec<String> {
    (1..=k).map(|i| format!("{prefix}{i}")).collect()
}

pub fn signature(args: &[String]) -> String {
    args.iter()
        .map(|a| format!("{a}: f64"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Dirichlet: `ln_gamma(a1 + … + aK) - Σ ln_gamma(ai) + Σ (ai - 1.0) * xi.ln()`, no moments.
pub fn dirichlet(k: usize) -> (String, String) {
    let (a, x) = (names("a", k), names("x", k));
    let attr = format!("params({}), data({})", a.join(", "), x.join(", "));
    let mut body = format!("ln_gamma({})", a.join(" + "));
    for ai in &a {
        body += &format!(" - ln_gamma({ai})");
    }
    for (ai, xi) in a.iter().zip(&x) {
        body += &format!(" + ({ai} - 1.0) * {xi}.ln()");
    }
    let args: Vec<String> = x.iter().chain(&a).cloned().collect();
    let item = format!("fn dirichlet({}) -> f64 {{ {body} }}", signature(&args));
    (attr, item)
}

/// Multinomial with K free probabilities (K + 1 categories), `E[xi] = n * pi` declared.
pub fn multinomial(k: usize) -> (String, String) {
    let (p, x) = (names("p", k), names("x", k));
    let moments: Vec<String> = p
        .iter()
        .zip(&x)
        .map(|(pi, xi)| format!("E[{xi}] = n * {pi}"))
        .collect();
    let attr = format!(
        "params({}), data({}), moments({})",
        p.join(", "),
        x.join(", "),
        moments.join(", ")
    );
    let terms: Vec<String> = p
        .iter()
        .zip(&x)
        .map(|(pi, xi)| format!("{xi} * {pi}.ln()"))
        .collect();
    let body = format!(
        "{} + (n - {}) * (1.0 - {}).ln()",
        terms.join(" + "),
        x.join(" - "),
        p.join(" - ")
    );
    let mut args: Vec<String> = x.iter().chain(&p).cloned().collect();
    args.push("n".to_string());
    let item = format!("fn multinomial({}) -> f64 {{ {body} }}", signature(&args));
    (attr, item)
}

/// K independent normals, parameters (m1, s1, …, mK, sK), first two moments declared.
pub fn normals(k: usize) -> (String, String) {
    let (m, s, x) = (names("m", k), names("s", k), names("x", k));
    let params: Vec<String> = m
        .iter()
        .zip(&s)
        .flat_map(|(mi, si)| [mi.clone(), si.clone()])
        .collect();
    let moments: Vec<String> = (0..k)
        .flat_map(|i| {
            [
                format!("E[{}] = {}", x[i], m[i]),
                format!("E[{}.powi(2)] = {}.powi(2) + {}.powi(2)", x[i], m[i], s[i]),
            ]
        })
        .collect();
    let attr = format!(
        "params({}), data({}), moments({})",
        params.join(", "),
        x.join(", "),
        moments.join(", ")
    );
    let terms: Vec<String> = (0..k)
        .map(|i| {
            format!(
                "(-{s}.ln() - ({x} - {m}).powi(2) / (2.0 * {s}.powi(2)))",
                s = s[i],
                x = x[i],
                m = m[i]
            )
        })
        .collect();
    let args: Vec<String> = x.iter().chain(&params).cloned().collect();
    let item = format!(
        "fn normals({}) -> f64 {{ {} }}",
        signature(&args),
        terms.join(" + ")
    );
    (attr, item)
}

/// Dirichlet with array arguments and iterator sums, `alpha: [f64; K]`, `x: [f64; K]`.
pub fn dirichlet_array(k: usize) -> (String, String) {
    let item = format!(
        "fn dirichlet(x: [f64; {k}], alpha: [f64; {k}]) -> f64 {{ \
         ln_gamma(alpha.iter().sum::<f64>()) \
         - alpha.iter().map(|a| ln_gamma(*a)).sum::<f64>() \
         + alpha.iter().zip(x.iter()).map(|(a, x)| (a - 1.0) * x.ln()).sum::<f64>() }}"
    );
    ("params(alpha), data(x)".to_string(), item)
}

/// K independent normals written with a `for` loop over arrays, first two moments indexed.
pub fn normals_array(k: usize) -> (String, String) {
    let attr = "params(m, s), data(x), \
                moments(E[x[i]] = m[i], E[x[i].powi(2)] = m[i].powi(2) + s[i].powi(2))";
    let item = format!(
        "fn normals(x: [f64; {k}], m: [f64; {k}], s: [f64; {k}]) -> f64 {{ \
         let mut l = 0.0; \
         for i in 0..{k} {{ l += -s[i].ln() - (x[i] - m[i]).powi(2) / (2.0 * s[i].powi(2)); }} \
         l }}"
    );
    (attr.to_string(), item)
}

/// Logistic regression with K coefficients for one observation over `inputs(c)`: the
/// derivation keeps one row and the generated `*_averaged` functions sum over a data set.
pub fn logistic_inputs(k: usize) -> (String, String) {
    let item = format!(
        "fn logistic(y: f64, b: [f64; {k}], c: [f64; {k}]) -> f64 {{ \
         let eta = b.iter().zip(c.iter()).map(|(b, c)| b * c).sum::<f64>(); \
         y * eta - (1.0 + eta.exp()).ln() }}"
    );
    ("params(b), data(y), inputs(c)".to_string(), item)
}

/// Logistic regression with K coefficients over a data set of N rows written out in the body
/// (the covariates `c` a constant matrix): N unrolled terms, each a sum of K products.
pub fn logistic_rows(k: usize, n: usize) -> (String, String) {
    let item = format!(
        "fn logistic(y: [f64; {n}], b: [f64; {k}], c: [[f64; {k}]; {n}]) -> f64 {{ \
         let mut l = 0.0; \
         for i in 0..{n} {{ \
           let mut eta = 0.0; \
           for j in 0..{k} {{ eta += b[j] * c[i][j]; }} \
           l += y[i] * eta - (1.0 + eta.exp()).ln(); \
         }} \
         l }}"
    );
    ("params(b), data(y)".to_string(), item)
}
