//! In one dimension the reference prior is the Jeffreys prior, seen. The prior that maximizes
//! the mutual information I(θ; X) between the binomial's θ and its data X ~ Binomial(n, θ), the
//! capacity-achieving prior (Bernardo's reference prior is defined as its limit as n → ∞), is
//! computed on a grid of θ. For small n it is discrete: a few atoms (for n = 1, half the mass at
//! θ = 0 and half at θ = 1). As n grows the atoms multiply and their cumulative distribution
//! closes in on that of the Jeffreys prior p(θ) ∝ sqrt(F(θ)), taken from the generated
//! `binomial::jeffreys_log_density`: the prior that lets the data say the most is the one Fisher
//! information writes down. The picture shows both cumulative distributions (a discrete prior has
//! no density to draw) and the atoms' masses as stems, for n = 1, 5, 20, 100.
//!
//! The computation is Blahut–Arimoto's, with its stopping rule: the capacity lies between
//! I(r) = Σ r_j D_j and max_j D_j, D_j = KL(p(x|θ_j) ‖ Σ_k r_k p(x|θ_k)), and it stops when these
//! bounds are within 1e-9. Plain Blahut–Arimoto does not get there on a fine grid: its gap falls
//! like 1/iterations (4e-6 after 131,072 of them), because mass drains only slowly from the grid
//! points next to an atom. So it runs until the gap is below 1e-3, which shows where the atoms
//! are, and Newton's method on those grid points finishes; a grid point whose D_j stays above the
//! capacity joins them.
//!
//! Writes `docs/reference_prior.svg`. `cargo run --example reference_prior`

use fim::fisher_model;
use fim::special::ln_gamma;
use plotters::prelude::*;
use std::f64::consts::{E, PI};

/// Binomial: x successes in n trials.
#[fisher_model(params(theta), data(x), moments(E[x] = n * theta))]
pub fn binomial(x: f64, theta: f64, n: f64) -> f64 {
    x * theta.ln() + (n - x) * (1.0 - theta).ln()
}

/// Grid points θ_j = j / GRID, j = 0..=GRID: the endpoints are included, since for small n the
/// capacity-achieving prior puts mass there.
const GRID: usize = 2000;
const TOLERANCE: f64 = 1e-9;
const NS: [usize; 4] = [1, 5, 20, 100];
const ORANGE: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);

/// The channel θ_j → x: rows p(x | θ_j) and their negative entropies Σ_x p ln p.
struct Channel {
    rows: Vec<Vec<f64>>,
    neg_entropy: Vec<f64>,
}

impl Channel {
    fn binomial(n: usize, thetas: &[f64]) -> Channel {
        // ln Binomial(x; n, θ) in log space (n = 100 underflows otherwise), with 0 ln 0 = 0.
        let n = n as f64;
        let xlogy = |a: f64, b: f64| if a == 0.0 { 0.0 } else { a * b.ln() };
        let ln_pmf = |x: f64, t: f64| {
            ln_gamma(n + 1.0) - ln_gamma(x + 1.0) - ln_gamma(n - x + 1.0)
                + xlogy(x, t)
                + xlogy(n - x, 1.0 - t)
        };
        let rows: Vec<Vec<f64>> = thetas
            .iter()
            .map(|&t| {
                (0..=n as usize)
                    .map(|x| ln_pmf(x as f64, t).exp())
                    .collect()
            })
            .collect();
        let neg_entropy = rows
            .iter()
            .map(|row| row.iter().filter(|&&p| p > 0.0).map(|&p| p * p.ln()).sum())
            .collect();
        Channel { rows, neg_entropy }
    }

    /// The output distribution q = Σ_j r_j p(· | θ_j).
    fn output(&self, r: &[f64]) -> Vec<f64> {
        let mut q = vec![0.0; self.rows[0].len()];
        for (row, &rj) in self.rows.iter().zip(r).filter(|(_, &rj)| rj > 0.0) {
            q.iter_mut().zip(row).for_each(|(qx, p)| *qx += rj * p);
        }
        q
    }

    /// The D_j, the lower bound I(r) = Σ r_j D_j, the upper bound max_j D_j and its j.
    fn divergences(&self, r: &[f64]) -> (Vec<f64>, f64, f64, usize) {
        let ln_q: Vec<f64> = self.output(r).iter().map(|qx| qx.ln()).collect();
        let cross = |row: &Vec<f64>| -> f64 { row.iter().zip(&ln_q).map(|(p, l)| p * l).sum() };
        let d: Vec<f64> = self
            .rows
            .iter()
            .zip(&self.neg_entropy)
            .map(|(row, h)| h - cross(row))
            .collect();
        let lower = r.iter().zip(&d).map(|(rj, dj)| rj * dj).sum();
        let argmax = (0..d.len()).fold(0, |a, j| if d[j] > d[a] { j } else { a });
        let upper = d[argmax];
        (d, lower, upper, argmax)
    }
}

/// Solves a x = b by Gaussian elimination with partial pivoting (a is small and dense).
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let k = b.len();
    for c in 0..k {
        let p = (c..k).fold(c, |p, i| if a[i][c].abs() > a[p][c].abs() { i } else { p });
        a.swap(c, p);
        b.swap(c, p);
        for i in c + 1..k {
            let f = a[i][c] / a[c][c];
            (c..k).for_each(|j| a[i][j] -= f * a[c][j]);
            b[i] -= f * b[c];
        }
    }
    for c in (0..k).rev() {
        b[c] = (b[c] - (c + 1..k).map(|j| a[c][j] * b[j]).sum::<f64>()) / a[c][c];
    }
    b
}

/// One Newton step for max I(r) over the priors on `support` (gradient D_j − 1, Hessian
/// −Σ_x p(x|θ_j) p(x|θ_k) / q_x, Σ r = 1 kept by a bordered system), shortened so that no mass
/// turns negative; a point whose mass reaches 0 leaves the support.
fn newton_step(channel: &Channel, support: &mut Vec<usize>, r: &mut [f64], d: &[f64]) {
    let (k, q) = (support.len(), channel.output(r));
    let mut a = vec![vec![1.0; k + 1]; k + 1];
    a[k][k] = 0.0;
    for (i, &ji) in support.iter().enumerate() {
        for (l, &jl) in support.iter().enumerate() {
            let (wi, wl) = (&channel.rows[ji], &channel.rows[jl]);
            a[i][l] = (0..q.len()).map(|x| wi[x] * wl[x] / q[x]).sum();
        }
    }
    let delta = solve(a, support.iter().map(|&j| d[j]).chain([0.0]).collect());
    let shorten = |t: f64, (&j, &dj): (&usize, &f64)| if dj < 0.0 { t.min(-r[j] / dj) } else { t };
    let t = support.iter().zip(&delta).fold(1.0, shorten);
    for (&j, dj) in support.iter().zip(&delta) {
        r[j] = (r[j] + t * dj).max(0.0);
    }
    support.retain(|&j| r[j] > 0.0);
}

/// The capacity-achieving prior on the grid, the capacity, the gap between the bounds, and the
/// Blahut–Arimoto iterations and Newton steps taken.
fn capacity(channel: &Channel, m: usize) -> (Vec<f64>, f64, f64, [usize; 2]) {
    // Blahut–Arimoto, r_j ← r_j exp(D_j) / Σ, from the uniform prior.
    let mut r = vec![1.0 / m as f64; m];
    let mut iterations = 1;
    loop {
        let (d, lower, upper, _) = channel.divergences(&r);
        if upper - lower < 1e-3 {
            break;
        }
        r.iter_mut()
            .zip(&d)
            .for_each(|(rj, dj)| *rj *= (dj - upper).exp());
        let total: f64 = r.iter().sum();
        r.iter_mut().for_each(|rj| *rj /= total);
        iterations += 1;
    }
    // Newton on the peaks of r; once the D_j on the support agree, the grid point with the
    // largest D_j joins it, until the bounds meet.
    let peak = |j: usize| (j == 0 || r[j] >= r[j - 1]) && (j + 1 == m || r[j] >= r[j + 1]);
    let top = r.iter().cloned().fold(0.0, f64::max);
    let mut support: Vec<usize> = (0..m).filter(|&j| peak(j) && r[j] > 1e-3 * top).collect();
    let total: f64 = support.iter().map(|&j| r[j]).sum();
    let mut rs = vec![0.0; m];
    support.iter().for_each(|&j| rs[j] = r[j] / total);
    let mut steps = 0;
    loop {
        let (d, lower, upper, worst) = channel.divergences(&rs);
        if upper - lower < TOLERANCE || steps == 10_000 {
            return (rs, lower, upper - lower, [iterations, steps]);
        }
        let on = support.iter().map(|&j| d[j]);
        if on.clone().fold(f64::MIN, f64::max) - on.fold(f64::MAX, f64::min) < 1e-12 {
            support.push(worst);
            support.sort();
        }
        newton_step(channel, &mut support, &mut rs, &d);
        steps += 1;
    }
}

/// Atoms (θ, mass): neighbouring support points (closer than 0.005) merged at their mean.
fn atoms(thetas: &[f64], prior: &[f64]) -> Vec<(f64, f64)> {
    let mut atoms: Vec<(f64, f64)> = Vec::new();
    for (&t, &m) in thetas.iter().zip(prior).filter(|(_, &m)| m > 0.0) {
        match atoms.last_mut() {
            Some((c, w)) if t - *c / *w < 0.005 => (*c, *w) = (*c + m * t, *w + m),
            _ => atoms.push((m * t, m)),
        }
    }
    atoms.into_iter().map(|(c, w)| (c / w, w)).collect()
}

fn cdf(prior: &[f64]) -> Vec<f64> {
    let mut acc = 0.0;
    prior
        .iter()
        .map(|m| {
            acc += m;
            acc
        })
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let delta = 1.0 / GRID as f64;
    let thetas: Vec<f64> = (0..=GRID).map(|j| j as f64 * delta).collect();
    // The Jeffreys prior on the grid: each point gets the mass of its cell [θ_j ± δ/2] ∩ [0, 1]
    // under exp(jeffreys_log_density), integrated in u (θ = sin²u removes the endpoint
    // singularities) by two-point Gauss–Legendre, then normalized.
    let f = |u: f64| binomial::jeffreys_log_density(u.sin().powi(2), 1.0).exp() * (2.0 * u).sin();
    let u = |t: f64| t.clamp(0.0, 1.0).sqrt().asin();
    let cell = |t: f64| {
        let (a, b) = (u(t - delta / 2.0), u(t + delta / 2.0));
        let (m, h) = ((a + b) / 2.0, (b - a) / (2.0 * 3f64.sqrt()));
        (b - a) / 2.0 * (f(m - h) + f(m + h))
    };
    let total: f64 = thetas.iter().map(|&t| cell(t)).sum();
    let jeffreys: Vec<f64> = thetas.iter().map(|&t| cell(t) / total).collect();
    let jeffreys_cdf = cdf(&jeffreys);

    println!(
        "capacity-achieving prior of Binomial(n, θ) on {} grid points",
        GRID + 1
    );
    println!(
        "  n  BA iterations  newton steps  gap      capacity  I(jeffreys)  ½ln(n/2πe)+lnπ  distance"
    );
    let mut panels = Vec::new();
    for n in NS {
        let channel = Channel::binomial(n, &thetas);
        let (prior, capacity, gap, [iterations, steps]) = capacity(&channel, thetas.len());
        assert!(
            gap < TOLERANCE,
            "n = {n}: the capacity bounds are {gap} apart"
        );
        let (_, i_jeffreys, _, _) = channel.divergences(&jeffreys);
        let asymptotic = 0.5 * (n as f64 / (2.0 * PI * E)).ln() + PI.ln();
        // The distance: the L1 distance between the CDFs (the Wasserstein-1 distance).
        let ba_cdf = cdf(&prior);
        let l1 = ba_cdf.iter().zip(&jeffreys_cdf).map(|(a, b)| (a - b).abs());
        let w1 = l1.sum::<f64>() * delta;
        println!(
            "{n:>3}  {iterations:>13}  {steps:>12}  {gap:.1e}  {capacity:.6}  {i_jeffreys:>11.6}  \
             {asymptotic:>14.6}  {w1:.4}"
        );
        let atoms = atoms(&thetas, &prior);
        let list: Vec<String> = atoms
            .iter()
            .map(|(t, m)| format!("{t:.3} ({m:.4})"))
            .collect();
        println!(
            "     {} atoms at θ (mass): {}",
            atoms.len(),
            list.join(", ")
        );
        panels.push((n, w1, atoms));
    }

    let jeffreys_line: Vec<(f64, f64)> = std::iter::once((0.0, 0.0))
        .chain(
            (0..=GRID)
                .step_by(10)
                .map(|j| (thetas[j] + delta / 2.0, jeffreys_cdf[j])),
        )
        .collect();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 640)).into_drawing_area();
        root.fill(&WHITE)?;
        for (area, (n, w1, atoms)) in root.split_evenly((2, 2)).iter().zip(&panels) {
            let title = format!(
                "n = {n}: {} atoms, distance to jeffreys {w1:.3}",
                atoms.len()
            );
            let mut chart = ChartBuilder::on(area)
                .caption(title, ("sans-serif", 17))
                .margin(10)
                .x_label_area_size(40)
                .y_label_area_size(45)
                .build_cartesian_2d(-0.02..1.02, 0.0..1.0)?;
            chart
                .configure_mesh()
                .disable_mesh()
                .x_desc("θ")
                .y_desc("probability")
                .x_labels(6)
                .y_labels(6)
                .x_label_formatter(&|v| format!("{v:.1}"))
                .y_label_formatter(&|v| format!("{v:.1}"))
                .label_style(("sans-serif", 13))
                .axis_desc_style(("sans-serif", 14))
                .draw()?;
            let mut stairs = vec![(-0.02, 0.0)];
            for &(t, m) in atoms {
                let level = stairs.last().map_or(0.0, |p| p.1);
                stairs.extend([(t, level), (t, level + m)]);
            }
            stairs.push((1.02, 1.0));
            let line = |c: RGBColor| c.stroke_width(2);
            let swatch = |c| move |(x, y)| PathElement::new([(x, y), (x + 20, y)], line(c));
            chart
                .draw_series(LineSeries::new(jeffreys_line.clone(), line(BLACK)))?
                .label("jeffreys prior, cdf")
                .legend(swatch(BLACK));
            chart
                .draw_series(LineSeries::new(stairs, line(ORANGE)))?
                .label("capacity-achieving prior, cdf")
                .legend(swatch(ORANGE));
            let stems = atoms
                .iter()
                .map(|&(t, m)| PathElement::new([(t, 0.0), (t, m)], line(BLUE)));
            chart
                .draw_series(stems)?
                .label("its atoms, mass")
                .legend(swatch(BLUE));
            chart.draw_series(
                atoms
                    .iter()
                    .map(|&(t, m)| Circle::new((t, m), 3, BLUE.filled())),
            )?;
            if *n == NS[0] {
                chart
                    .configure_series_labels()
                    .position(SeriesLabelPosition::UpperLeft)
                    .label_font(("sans-serif", 13))
                    .background_style(WHITE.mix(0.9))
                    .draw()?;
            }
        }
        root.present()?;
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/reference_prior.svg");
    std::fs::write(path, &svg)?;
    println!("\nwrote docs/reference_prior.svg ({} bytes)", svg.len());
    Ok(())
}
