//! The Jeffreys prior is invariant under reparameterization, seen: the binomial's Jeffreys prior
//! in its success probability θ (left) and in its odds φ = θ/(1−θ) (right), both computed from
//! the code `#[fisher_model]` generates. The two densities look nothing alike (one is a bathtub
//! on [0, 1], the other a spike at 0 with a long tail), yet every interval [θa, θb] and its
//! image [φ(θa), φ(θb)] carry the same prior mass: the shaded regions of one colour have equal
//! areas. That is what makes the Jeffreys prior a non-informative prior: it does not depend on
//! how the model is written down. The example asserts each pair of masses agrees to 1e-6.
//!
//! Writes `docs/jeffreys.svg`. `cargo run --example jeffreys`

use fim::fisher_model;
use plotters::prelude::*;
use std::f64::consts::FRAC_PI_2;

/// Binomial: x successes in n trials, derived in θ and, through `reparam`, in the odds φ.
#[fisher_model(
    params(theta),
    data(x),
    moments(E[x] = n * theta),
    reparam(odds(theta = phi / (1.0 + phi))),
)]
pub fn binomial(x: f64, theta: f64, n: f64) -> f64 {
    x * theta.ln() + (n - x) * (1.0 - theta).ln()
}

const N: f64 = 10.0;
/// The intervals in θ that are shaded, with their colours (Okabe–Ito, colour-blind safe).
const INTERVALS: [(f64, f64, RGBColor); 3] = [
    (0.05, 0.2, RGBColor(0xE6, 0x9F, 0x00)),
    (0.4, 0.6, RGBColor(0x00, 0x9E, 0x73)),
    (0.7, 0.85, RGBColor(0xCC, 0x79, 0xA7)),
];
const Y_MAX: f64 = 1.6;
const PHI_MAX: f64 = 6.0;

/// ∫ f over [a, b] by composite two-point Gauss–Legendre: it never evaluates the endpoints,
/// where the densities are infinite.
fn integrate(f: impl Fn(f64) -> f64, a: f64, b: f64, cells: usize) -> f64 {
    let h = (b - a) / cells as f64;
    let d = h / (2.0 * 3f64.sqrt());
    (0..cells)
        .map(|i| a + (i as f64 + 0.5) * h)
        .map(|m| 0.5 * h * (f(m - d) + f(m + d)))
        .sum()
}

/// The point in [lo, hi] where the decreasing function f crosses y, by bisection.
fn crossing(f: impl Fn(f64) -> f64, y: f64, (mut lo, mut hi): (f64, f64)) -> f64 {
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if f(mid) > y {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

fn odds(theta: f64) -> f64 {
    theta / (1.0 - theta)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The unnormalized densities sqrt(det F) from the generated code.
    let p_theta = |t: f64| binomial::jeffreys_log_density(t, N).exp();
    let p_phi = |f: f64| binomial::odds::jeffreys_log_density(f, N).exp();
    // Normalize by quadrature after substitutions that remove the endpoint singularities:
    // θ = sin²u and φ = tan²u, u ∈ (0, π/2), make both integrands smooth (here: constant).
    let z_theta = integrate(
        |u| p_theta(u.sin().powi(2)) * (2.0 * u).sin(),
        0.0,
        FRAC_PI_2,
        1000,
    );
    let z_phi = integrate(
        |u| p_phi(u.tan().powi(2)) * 2.0 * u.tan() / u.cos().powi(2),
        0.0,
        FRAC_PI_2,
        1000,
    );
    println!("n = {N}: ∫ sqrt(F) dθ = {z_theta:.9}, ∫ sqrt(F) dφ = {z_phi:.9}");
    println!(
        "         π √n        = {:.9}\n",
        std::f64::consts::PI * N.sqrt()
    );
    let density_theta = |t: f64| p_theta(t) / z_theta;
    let density_phi = |f: f64| p_phi(f) / z_phi;

    println!("  θ interval      mass in θ     φ interval        mass in φ     closed form");
    let mut masses = Vec::new();
    for &(a, b, _) in &INTERVALS {
        let m_theta = integrate(density_theta, a, b, 1000);
        let m_phi = integrate(density_phi, odds(a), odds(b), 1000);
        // P(a < Θ < b) = (2/π)(asin √b − asin √a) for the Beta(½, ½).
        let exact = (b.sqrt().asin() - a.sqrt().asin()) / FRAC_PI_2;
        println!(
            "  [{a:.2}, {b:.2}]    {m_theta:.10}  [{:.4}, {:.4}]  {m_phi:.10}  {exact:.10}",
            odds(a),
            odds(b)
        );
        assert!(
            (m_theta - m_phi).abs() < 1e-6,
            "the Jeffreys masses of θ in [{a}, {b}] and φ in [{}, {}] differ: {m_theta} vs {m_phi}",
            odds(a),
            odds(b)
        );
        masses.push(m_theta);
    }

    // One panel per parameterization: its density, the substitution x(u) along which the curve
    // is sampled (uniform in u gives the steep ends their share of points), the map from θ, and
    // where the curve leaves the top of the axes.
    struct Panel<'a> {
        density: &'a dyn Fn(f64) -> f64,
        x_of_u: fn(f64) -> f64,
        from_theta: fn(f64) -> f64,
        u_range: (f64, f64),
        x_max: f64,
        title: &'a str,
        x_desc: &'a str,
    }
    let theta_lo = crossing(density_theta, Y_MAX, (1e-12, 0.5)).sqrt().asin();
    let phi_lo = crossing(density_phi, Y_MAX, (1e-12, 1.0)).sqrt().atan();
    let panels = [
        Panel {
            density: &density_theta,
            x_of_u: |u| u.sin().powi(2),
            from_theta: |t| t,
            u_range: (theta_lo, FRAC_PI_2 - theta_lo),
            x_max: 1.0,
            title: "in θ: p(θ) = 1 / (π √(θ(1−θ)))",
            x_desc: "θ (success probability)",
        },
        Panel {
            density: &density_phi,
            x_of_u: |u| u.tan().powi(2),
            from_theta: odds,
            u_range: (phi_lo, PHI_MAX.sqrt().atan()),
            x_max: PHI_MAX,
            title: "in φ: p(φ) = 1 / (π √φ (1+φ))",
            x_desc: "φ = θ / (1−θ) (odds)",
        },
    ];

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 420)).into_drawing_area();
        root.fill(&WHITE)?;
        let (left, right) = root.split_horizontally(450);
        for (area, panel) in [left, right].iter().zip(&panels) {
            let mut chart = ChartBuilder::on(area)
                .caption(panel.title, ("sans-serif", 18))
                .margin(12)
                .x_label_area_size(45)
                .y_label_area_size(50)
                .build_cartesian_2d(0.0..panel.x_max, 0.0..Y_MAX)?;
            chart
                .configure_mesh()
                .disable_mesh()
                .x_desc(panel.x_desc)
                .y_desc("jeffreys prior density")
                .x_labels(7)
                .y_labels(5)
                .x_label_formatter(&|v| format!("{v:.1}"))
                .y_label_formatter(&|v| format!("{v:.1}"))
                .label_style(("sans-serif", 14))
                .axis_desc_style(("sans-serif", 15))
                .draw()?;
            let density = panel.density;
            for (&(a, b, colour), mass) in INTERVALS.iter().zip(&masses) {
                let (xa, xb) = ((panel.from_theta)(a), (panel.from_theta)(b));
                let mut shape: Vec<_> = (0..=60)
                    .map(|i| xa + (xb - xa) * i as f64 / 60.0)
                    .map(|x| (x, density(x)))
                    .collect();
                let top = shape.iter().map(|p| p.1).fold(0.0, f64::max);
                shape.extend([(xb, 0.0), (xa, 0.0)]);
                chart.draw_series([Polygon::new(shape, colour.mix(0.45).filled())])?;
                let style = ("sans-serif", 14).into_font().color(&colour);
                let at = (0.5 * (xa + xb) - 0.035 * panel.x_max, top + 0.12);
                chart.draw_series([Text::new(format!("{mass:.4}"), at, style)])?;
            }
            let (u0, u1) = panel.u_range;
            let curve = (0..=300)
                .map(|i| (panel.x_of_u)(u0 + (u1 - u0) * i as f64 / 300.0))
                .map(|x| (x, density(x)));
            chart.draw_series(LineSeries::new(curve, BLACK.stroke_width(2)))?;
        }
        root.present()?;
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/jeffreys.svg");
    std::fs::write(path, &svg)?;
    println!("\nwrote docs/jeffreys.svg ({} bytes)", svg.len());
    Ok(())
}
