//! SVG plot of Bayes-optimal curves (MMSE against α, dashed α_PR lines), drawn
//! with plotters' pure-Rust SVG backend.

use plotters::prelude::*;
use quadra_statphys::BayesPoint;
use std::path::Path;

type CurveData = (f64, f64, f64, Vec<BayesPoint>);

/// Draws every curve `(κ, Δ, α_PR, points)` into `path`.
pub fn draw(path: &Path, curves: &[CurveData]) -> Result<(), Box<dyn std::error::Error>> {
    let amax = curves
        .iter()
        .flat_map(|c| c.3.iter().map(|p| p.alpha))
        .fold(0.0_f64, f64::max)
        .max(1e-3);
    let root = SVGBackend::new(path, (800, 560)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption("Bayes-optimal MMSE", ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0.0..amax, 0.0..1.02)?;
    chart
        .configure_mesh()
        .x_desc("alpha = n/d^2")
        .y_desc("MMSE")
        .draw()?;
    for (i, (kappa, delta, apr, points)) in curves.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        chart
            .draw_series(LineSeries::new(
                points.iter().map(|p| (p.alpha, p.mmse)),
                color.stroke_width(2),
            ))?
            .label(format!("kappa={kappa} delta={delta}"))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
        if *delta == 0.0 && *apr <= amax {
            // Dashed vertical line at α_PR.
            let n = 40;
            for k in (0..n).step_by(2) {
                let y0 = 1.02 * k as f64 / n as f64;
                let y1 = 1.02 * (k + 1) as f64 / n as f64;
                chart.draw_series(LineSeries::new(vec![(*apr, y0), (*apr, y1)], color))?;
            }
        }
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

/// Draws error-per-iteration curves, the state-evolution prediction `se` (label,
/// values) in black, and a dashed horizontal line at `theory`.
pub fn draw_trajectories(
    path: &Path,
    curves: &[(String, Vec<f64>)],
    se: (&str, &[f64]),
    theory: f64,
) -> Result<(), Box<dyn std::error::Error>> {
    let len = curves
        .iter()
        .map(|c| c.1.len())
        .chain(std::iter::once(se.1.len()))
        .max()
        .unwrap_or(1)
        .max(2);
    let ymax = curves
        .iter()
        .flat_map(|c| c.1.iter().copied())
        .chain(se.1.iter().copied())
        .fold(theory, f64::max)
        .max(1e-3)
        * 1.05;
    let root = SVGBackend::new(path, (800, 560)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption("GAMP-RIE error vs state evolution", ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0.0..len as f64, 0.0..ymax)?;
    chart
        .configure_mesh()
        .x_desc("iteration")
        .y_desc("error")
        .draw()?;
    for (i, (label, ys)) in curves.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        chart
            .draw_series(LineSeries::new(
                ys.iter().enumerate().map(|(k, &y)| ((k + 1) as f64, y)),
                color.stroke_width(2),
            ))?
            .label(label.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
    }
    // The state-evolution prediction: thick black line with a dot per iteration.
    let points: Vec<(f64, f64)> =
        se.1.iter()
            .enumerate()
            .map(|(k, &y)| ((k + 1) as f64, y))
            .collect();
    chart
        .draw_series(LineSeries::new(points.clone(), BLACK.stroke_width(3)))?
        .label(se.0)
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(3)));
    chart.draw_series(
        points
            .into_iter()
            .map(|p| Circle::new(p, 3, BLACK.filled())),
    )?;
    for k in (0..len).step_by(2) {
        chart.draw_series(LineSeries::new(
            vec![(k as f64, theory), ((k + 1) as f64, theory)],
            BLACK,
        ))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}
