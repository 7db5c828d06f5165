//! Natural gradient against plain gradient ascent, seen: a gamma (shape α, rate β) fitted to 500
//! simulated draws from Gamma(3, 2) by both, from the same start, drawn on the contours of the
//! average log-likelihood ℓ̄(α, β). The contours are long thin ellipses along a ridge (α/β, the
//! mean, is well determined; α and β separately are not), so the plain gradient, which points
//! across the ridge, zigzags and then crawls along it. The natural gradient F⁻¹∇ℓ̄, from the
//! generated `gamma::natural_gradient`, measures steps by the Fisher information: it heads for
//! the maximum in a few strides. (For the gamma, ℓ̄'s Hessian is −F exactly, so this is Newton's
//! method.) Both stop when the summed score is below 1e-8, and the example asserts that they
//! end at the same estimate.
//!
//! Writes `docs/natural_gradient.svg`. `cargo run --example natural_gradient`

use fim::fisher_model;
use fim::special::ln_gamma;
use plotters::prelude::*;
use rand::{rngs::StdRng, SeedableRng};
use rand_distr::Distribution;

/// Gamma(α, β): density β^α x^(α−1) e^(−βx) / Γ(α).
#[fisher_model(params(alpha, beta), data(x))]
pub fn gamma(x: f64, alpha: f64, beta: f64) -> f64 {
    alpha * beta.ln() - ln_gamma(alpha) + (alpha - 1.0) * x.ln() - beta * x
}

const START: [f64; 2] = [1.5, 0.6];
/// The plain step size. ℓ̄'s Hessian is −F (the gamma's Hessian is free of the data), so ℓ̄ is
/// λ_max(F)-smooth and the textbook fixed step is 1/λ_max: λ_max(F) is 1.0 at the optimum, hence
/// η = 1 (stable up to 2/λ_max = 2 there). At the start λ_max(F) is 4.9 and η = 1 overshoots:
/// that is where the step halving steps in.
const ETA: f64 = 1.0;
const BOX: ([f64; 2], [f64; 2]) = ([1.0, 4.0], [0.4, 2.8]);
const ORANGE: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);

/// Ascent from START: θ ← θ + t·step(θ, mean score), with t = 1 halved while ℓ̄ would decrease
/// (beyond rounding: 1e-13) or θ leave the domain, until |Σ score| < 1e-8. Returns the path and
/// the halvings.
fn ascend(
    data: &[f64],
    mean_ll: &dyn Fn([f64; 2]) -> f64,
    step: &dyn Fn([f64; 2], [f64; 2]) -> [f64; 2],
) -> (Vec<[f64; 2]>, usize) {
    let (mut path, mut halvings) = (vec![START], 0);
    for _ in 0..100_000 {
        let p = path[path.len() - 1];
        let total = data.iter().fold([0.0; 2], |s, &x| {
            let g = gamma::score(x, p[0], p[1]);
            [s[0] + g[0], s[1] + g[1]]
        });
        if total[0].hypot(total[1]) < 1e-8 {
            break;
        }
        let d = step(p, total.map(|g| g / data.len() as f64));
        let mut t = 1.0;
        let at = |t: f64| [p[0] + t * d[0], p[1] + t * d[1]];
        let worse = |q: [f64; 2]| mean_ll(q).is_nan() || mean_ll(q) < mean_ll(p) - 1e-13;
        while t > 1e-12 && worse(at(t)) {
            (t, halvings) = (t / 2.0, halvings + 1);
        }
        path.push(at(t));
    }
    (path, halvings)
}

/// The contour ℓ̄ = level. ℓ̄ is strictly concave (its Hessian is −F, positive definite), so the
/// part of {ℓ̄ > level} in the box is convex and contains the maximum: along each of 720 rays from
/// the maximum (uniform in the box's scaled coordinates), bisect for the edge of that set. Where
/// the edge is the box's, not the contour's, the point is `None`, which breaks the line.
fn contour(f: &dyn Fn([f64; 2]) -> f64, top: [f64; 2], level: f64) -> Vec<Option<(f64, f64)>> {
    let ([a0, a1], [b0, b1]) = BOX;
    let in_box = |p: [f64; 2]| p[0] >= a0 && p[0] <= a1 && p[1] >= b0 && p[1] <= b1;
    (0..=720)
        .map(|k| {
            let phi = k as f64 * std::f64::consts::TAU / 720.0;
            let dir = [phi.cos() * (a1 - a0), phi.sin() * (b1 - b0)];
            let at = |r: f64| [top[0] + r * dir[0], top[1] + r * dir[1]];
            let (mut lo, mut hi) = (0.0, 1.0);
            for _ in 0..50 {
                let mid = 0.5 * (lo + hi);
                let inside = in_box(at(mid)) && f(at(mid)) > level;
                *(if inside { &mut lo } else { &mut hi }) = mid;
            }
            let p = at(lo);
            ((f(p) - level).abs() < 1e-9).then_some((p[0], p[1]))
        })
        .collect()
}

/// Drops points closer than 1.5 px (at `scale` px per unit) to the last one kept.
fn thin(points: impl IntoIterator<Item = [f64; 2]>, scale: [f64; 2]) -> Vec<(f64, f64)> {
    let mut kept: Vec<(f64, f64)> = Vec::new();
    for p in points {
        let far = |q: &(f64, f64)| ((p[0] - q.0) * scale[0]).hypot((p[1] - q.1) * scale[1]) > 1.5;
        if kept.last().map_or(true, far) {
            kept.push((p[0], p[1]));
        }
    }
    kept
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = StdRng::seed_from_u64(20_240_601);
    let draws = rand_distr::Gamma::new(3.0, 1.0 / 2.0)?; // shape 3, scale 1/rate
    let data: Vec<f64> = (0..500).map(|_| draws.sample(&mut rng)).collect();
    // ℓ̄, the average of `gamma` over the data, depends on the data only through mean x and
    // mean ln x: it is evaluated that way (and checked against the average once).
    let n = data.len() as f64;
    let (mean_x, mean_ln_x) = (
        data.iter().sum::<f64>() / n,
        data.iter().map(|x| x.ln()).sum::<f64>() / n,
    );
    let mean_ll = |p: [f64; 2]| {
        let [a, b] = p;
        if a > 0.0 && b > 0.0 {
            a * b.ln() - ln_gamma(a) + (a - 1.0) * mean_ln_x - b * mean_x
        } else {
            f64::NAN
        }
    };
    let direct = data
        .iter()
        .map(|&x| gamma(x, START[0], START[1]))
        .sum::<f64>()
        / n;
    assert!(
        (direct - mean_ll(START)).abs() < 1e-10,
        "ℓ̄ from the sufficient statistics is off"
    );
    println!(
        "500 draws from Gamma(shape 3, rate 2): mean x = {mean_x:.6}, mean ln x = {mean_ln_x:.6}"
    );
    println!(
        "start (α, β) = ({}, {}), ℓ̄ = {:.6}\n",
        START[0],
        START[1],
        mean_ll(START)
    );

    let lambda_max = |p: [f64; 2]| {
        let f = gamma::fisher(p[0], p[1]);
        let (mid, half) = ((f[0][0] + f[1][1]) / 2.0, (f[0][0] - f[1][1]) / 2.0);
        mid + half.hypot(f[0][1])
    };
    let plain = |_: [f64; 2], g: [f64; 2]| g.map(|gi| ETA * gi);
    let natural = |p: [f64; 2], g: [f64; 2]| gamma::natural_gradient(p[0], p[1], g);
    let runs = [
        (
            "plain gradient, η = 1",
            ascend(&data, &mean_ll, &plain),
            ORANGE,
        ),
        ("natural gradient", ascend(&data, &mean_ll, &natural), BLUE),
    ];
    println!("  method                  iterations  halvings  α̂            β̂            ℓ̄");
    for (name, (path, halvings), _) in &runs {
        let [a, b] = path[path.len() - 1];
        let iterations = path.len() - 1;
        println!(
            "  {name:<22}  {iterations:>10}  {halvings:>8}  {a:.9}  {b:.9}  {:.12}",
            mean_ll([a, b])
        );
        assert!(iterations < 100_000, "{name} did not converge");
    }
    let (gd, ng) = (&runs[0].1 .0, &runs[1].1 .0);
    let (top, other) = (ng[ng.len() - 1], gd[gd.len() - 1]);
    let gap = (top[0] - other[0]).hypot(top[1] - other[1]);
    assert!(gap < 1e-6, "the two fits end {gap:e} apart");
    let show = |ps: &[[f64; 2]]| {
        let points: Vec<String> = ps
            .iter()
            .map(|p| format!("({:.4}, {:.4})", p[0], p[1]))
            .collect();
        points.join(" → ")
    };
    println!("\nthe estimates agree to {gap:.1e}");
    println!(
        "λ_max(F): {:.4} at the start, {:.4} at the estimate",
        lambda_max(START),
        lambda_max(top)
    );
    println!("natural-gradient path: {}", show(ng));
    println!("plain-gradient path, first steps: {} …", show(&gd[..6]));

    // Contour levels 0.0025·4^k below the maximum: about evenly spaced, as ℓ̄ is nearly quadratic.
    let levels: Vec<f64> = (0..6).map(|k| 0.0025 * 4f64.powi(k)).collect();
    println!("contours at ℓ̄ = {:.9} minus {levels:?}", mean_ll(top));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 640)).into_drawing_area();
        root.fill(&WHITE)?;
        let ([a0, a1], [b0, b1]) = BOX;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "fitting a gamma: plain gradient ascent and natural gradient",
                ("sans-serif", 19),
            )
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(55)
            .build_cartesian_2d(a0..a1, b0..b1)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("α (shape)")
            .y_desc("β (rate)")
            .x_label_formatter(&|v| format!("{v:.1}"))
            .y_label_formatter(&|v| format!("{v:.1}"))
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 16))
            .draw()?;
        let (w, h) = chart.plotting_area().dim_in_pixel();
        let scale = [w as f64 / (a1 - a0), h as f64 / (b1 - b0)];
        let grey = RGBColor(0x99, 0x99, 0x99);
        for &dl in &levels {
            let points = contour(&mean_ll, top, mean_ll(top) - dl);
            for piece in points.split(|p| p.is_none()).filter(|s| s.len() > 1) {
                let line = thin(piece.iter().flatten().map(|&(a, b)| [a, b]), scale);
                chart.draw_series(LineSeries::new(line, grey))?;
            }
        }
        chart
            .draw_series(Vec::<PathElement<(f64, f64)>>::new())? // a legend entry only
            .label("ℓ̄ = its maximum − 0.0025·4ᵏ, k = 0, …, 5")
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], grey));
        let start = ("sans-serif", 14).into_font().color(&BLACK);
        chart.draw_series([Text::new(
            "start",
            (START[0] + 0.03, START[1] - 0.03),
            start,
        )])?;
        for (name, (path, _), colour) in &runs {
            let label = format!("{name}: {} iterations", path.len() - 1);
            let line = thin(path.iter().copied(), scale);
            let colour = *colour;
            chart
                .draw_series(LineSeries::new(line.clone(), colour.stroke_width(2)))?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(2))
                });
            chart.draw_series(line.iter().map(|&p| Circle::new(p, 3, colour.filled())))?;
        }
        chart
            .draw_series([Cross::new((top[0], top[1]), 6, BLACK.stroke_width(2))])?
            .label(format!("estimate ({:.3}, {:.3})", top[0], top[1]))
            .legend(|(x, y)| Cross::new((x + 10, y), 5, BLACK.stroke_width(2)));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .label_font(("sans-serif", 14))
            .background_style(WHITE.mix(0.9))
            .border_style(grey)
            .draw()?;
        root.present()?;
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/natural_gradient.svg");
    std::fs::write(path, &svg)?;
    println!("\nwrote docs/natural_gradient.svg ({} bytes)", svg.len());
    Ok(())
}
