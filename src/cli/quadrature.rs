//! `quadra quadrature …` (Bayesian quadrature of given values) and `quadra intrl …`
//! (integral RL policy iteration with a chosen quadrature rule).

use super::output::{print_table, CliError, Format, Progress};
use anyhow::anyhow;
use quadra_quadrature::{
    fit_lengthscale, policy_iteration, BayesQuadrature, BqMethod, BqRule, BqSettings,
    GaussLegendre, Interval, IntrlSettings, Kernel, KernelKind, QuadratureError, QuadratureRule,
    Simpson, Task, Trapezoid,
};
use serde::Serialize;
use std::path::PathBuf;

/// Arguments of `quadra quadrature`.
#[derive(Debug, clap::Args)]
pub struct QuadratureArgs {
    /// Kernel: matern12|matern32|matern52|matern72|rbf|brownian.
    #[arg(long)]
    pub kernel: String,
    /// Lengthscale ℓ (default: maximum likelihood over [1e-3, 1e2]·(b − a)).
    #[arg(long)]
    pub lengthscale: Option<f64>,
    /// Nodes, comma-separated.
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub nodes: Vec<f64>,
    /// Values f(nodes), comma-separated.
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub values: Vec<f64>,
    /// Interval a,b (default: the smallest and largest node).
    #[arg(long, allow_hyphen_values = true)]
    pub interval: Option<String>,
    /// Diagonal jitter added to the Gram matrix.
    #[arg(long, default_value_t = 0.0)]
    pub jitter: f64,
    /// How the weights are computed: auto (state space for Matérn kernels, else dense),
    /// state-space (Matérn only) or dense (Gram matrix + Cholesky, for cross-checks).
    #[arg(long, value_enum, default_value_t = MethodArg::Auto)]
    pub method: MethodArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `--method` of `quadra quadrature`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MethodArg {
    /// State space for Matérn kernels, dense otherwise.
    Auto,
    /// Kalman filter on the Matérn SDE, O(N).
    StateSpace,
    /// Gram matrix and Cholesky, O(N³).
    Dense,
}

impl MethodArg {
    fn method(self) -> BqMethod {
        match self {
            MethodArg::Auto => BqMethod::Auto,
            MethodArg::StateSpace => BqMethod::StateSpace,
            MethodArg::Dense => BqMethod::Dense,
        }
    }
}

#[derive(Debug, Serialize)]
struct QuadReport {
    kernel: String,
    lengthscale: Option<f64>,
    interval: [f64; 2],
    weights: Vec<f64>,
    estimate: f64,
    std: f64,
    variance: f64,
    amplitude: f64,
    jitter: f64,
    method: BqMethod,
}

fn bad(e: QuadratureError) -> CliError {
    match e {
        QuadratureError::GramNotPositiveDefinite { .. }
        | QuadratureError::OdeFailed { .. }
        | QuadratureError::NotConverged { .. } => CliError::Numerical(e.into()),
        e => CliError::BadInput(e.into()),
    }
}

fn parse_interval(s: &str) -> Result<(f64, f64), CliError> {
    let parts: Vec<&str> = s.split(',').collect();
    let parsed: Vec<Option<f64>> = parts.iter().map(|p| p.trim().parse().ok()).collect();
    match parsed.as_slice() {
        [Some(a), Some(b)] => Ok((*a, *b)),
        _ => Err(CliError::BadInput(anyhow!(
            "--interval {s:?}: expected two numbers a,b"
        ))),
    }
}

/// Runs `quadra quadrature`.
pub fn run_quadrature(args: QuadratureArgs) -> Result<(), CliError> {
    let kind = KernelKind::parse(&args.kernel).map_err(bad)?;
    if args.nodes.is_empty() {
        return Err(CliError::BadInput(anyhow!(
            "--nodes: expected at least one node"
        )));
    }
    if args.nodes.len() != args.values.len() {
        return Err(CliError::BadInput(anyhow!(
            "--values has {} entries but --nodes has {}",
            args.values.len(),
            args.nodes.len()
        )));
    }
    let (a, b) = match &args.interval {
        Some(s) => parse_interval(s)?,
        None => (
            args.nodes.iter().copied().fold(f64::INFINITY, f64::min),
            args.nodes.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        ),
    };
    let iv = Interval::new(a, b).map_err(bad)?;
    let settings = BqSettings::builder()
        .jitter(args.jitter)
        .method(args.method.method())
        .build()
        .map_err(bad)?;
    let (kernel, ell) = if kind == KernelKind::Brownian {
        (Kernel::brownian(), None)
    } else {
        let ell = match args.lengthscale {
            Some(l) => l,
            None => {
                let l = iv.length();
                fit_lengthscale(
                    kind,
                    &args.nodes,
                    &args.values,
                    (1e-3 * l, 1e2 * l),
                    settings,
                )
                .map_err(bad)?
                .lengthscale
            }
        };
        (Kernel::new(kind, ell).map_err(bad)?, Some(ell))
    };
    let rule = BqRule::new(kernel, iv, &args.nodes, settings).map_err(bad)?;
    let est = rule.estimate(&args.values).map_err(bad)?;
    let report = QuadReport {
        kernel: kind.name().to_string(),
        lengthscale: ell,
        interval: [a, b],
        weights: rule.weights.clone(),
        estimate: est.mean,
        std: est.std,
        variance: est.variance,
        amplitude: est.amplitude,
        jitter: rule.jitter,
        method: rule.method,
    };
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| CliError::Numerical(e.into()))?
        ),
        Format::Text => print_table(&[
            ("kernel", report.kernel.clone()),
            (
                "lengthscale",
                ell.map_or("-".into(), |l| format!("{l:.6e}")),
            ),
            ("interval", format!("[{a}, {b}]")),
            ("estimate", format!("{:.12e}", report.estimate)),
            ("std", format!("{:.6e}", report.std)),
            ("jitter", format!("{:e}", report.jitter)),
            (
                "method",
                serde_json::to_value(report.method)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
            ),
            ("weights", format!("{:?}", report.weights)),
        ]),
    }
    Ok(())
}

/// Arguments of `quadra intrl`.
#[derive(Debug, clap::Args)]
pub struct IntrlArgs {
    /// Task: third-order|sin.
    #[arg(long)]
    pub task: String,
    /// Rule: trapezoid|simpson|gauss-legendre|bq:KERNEL[:ELL] (ELL default 0.3). Gauss–Legendre
    /// samples the trajectory at the N Gauss nodes of each interval (not equispaced).
    #[arg(long, default_value = "trapezoid")]
    pub rule: String,
    /// Samples N per interval.
    #[arg(long, default_value_t = 5)]
    pub samples: usize,
    /// Diagonal jitter for BQ.
    #[arg(long, default_value_t = 0.0)]
    pub jitter: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also sweep N and draw weight error against N (log–log) to this SVG file.
    #[arg(long)]
    pub plot: Option<PathBuf>,
}

#[derive(Debug, Serialize)]
struct IntrlJson {
    weights: Vec<f64>,
    weight_error: f64,
    gain_error: f64,
    iterations: usize,
    samples: usize,
}

fn parse_rule(s: &str, jitter: f64) -> Result<(Box<dyn QuadratureRule>, bool), CliError> {
    let parts: Vec<&str> = s.split(':').collect();
    match parts.as_slice() {
        ["trapezoid"] => Ok((Box::new(Trapezoid), false)),
        ["simpson"] => Ok((Box::new(Simpson), false)),
        ["gauss-legendre"] => Ok((Box::new(GaussLegendre), false)),
        ["bq", kernel, rest @ ..] if rest.len() <= 1 => {
            let kind = KernelKind::parse(kernel).map_err(bad)?;
            let ell = match rest.first() {
                Some(e) => e.parse::<f64>().map_err(|_| {
                    CliError::BadInput(anyhow!("--rule {s:?}: lengthscale {e:?} is not a number"))
                })?,
                None => 0.3,
            };
            let kernel = if kind == KernelKind::Brownian {
                Kernel::brownian()
            } else {
                Kernel::new(kind, ell).map_err(bad)?
            };
            let settings = BqSettings::with_jitter(jitter).map_err(bad)?;
            Ok((Box::new(BayesQuadrature { kernel, settings }), true))
        }
        _ => Err(CliError::BadInput(anyhow!(
            "--rule {s:?}: expected trapezoid, simpson, gauss-legendre or bq:KERNEL[:ELL]"
        ))),
    }
}

/// Runs `quadra intrl`.
pub fn run_intrl(args: IntrlArgs) -> Result<(), CliError> {
    let task = Task::parse(&args.task).map_err(bad)?;
    let (rule, bayes) = parse_rule(&args.rule, args.jitter)?;
    let settings = IntrlSettings::paper(task, args.samples, bayes);
    let report = policy_iteration(task, rule.as_ref(), &settings).map_err(bad)?;
    if let Some(path) = &args.plot {
        let progress = Progress::for_stderr();
        let simpson = args.rule == "simpson";
        let ns: Vec<usize> = if simpson {
            vec![3, 5, 7, 9, 13, 17, 25, 33]
        } else {
            vec![2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32]
        };
        let mut points = Vec::new();
        for &n in &ns {
            progress.line(&format!("sweep: N = {n}"));
            let s = IntrlSettings::paper(task, n, bayes);
            if let Ok(r) = policy_iteration(task, rule.as_ref(), &s) {
                points.push((n as f64, r.weight_error));
            }
        }
        progress.finish();
        let svg = loglog_svg(&format!("{:?} — {}", task, rule.name()), &points);
        std::fs::write(path, svg)
            .map_err(|e| CliError::BadInput(anyhow!("cannot write {}: {e}", path.display())))?;
    }
    let json = IntrlJson {
        weights: report.weights.clone(),
        weight_error: report.weight_error,
        gain_error: report.gain_error,
        iterations: report.iterations,
        samples: report.samples,
    };
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json).map_err(|e| CliError::Numerical(e.into()))?
        ),
        Format::Text => print_table(&[
            ("task", args.task.clone()),
            ("rule", report.rule.clone()),
            ("samples", report.samples.to_string()),
            ("iterations", report.iterations.to_string()),
            ("weight error", format!("{:.6e}", report.weight_error)),
            ("gain error", format!("{:.6e}", report.gain_error)),
            ("weights", format!("{:?}", report.weights)),
        ]),
    }
    Ok(())
}

/// A minimal log–log line plot with reference slopes −2 and −4 through the first point.
fn loglog_svg(title: &str, pts: &[(f64, f64)]) -> String {
    let (w, h, m) = (640.0, 480.0, 60.0);
    let pts: Vec<(f64, f64)> = pts.iter().filter(|p| p.1 > 0.0).copied().collect();
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{}\" y=\"25\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"14\">{}</text>\n",
        w / 2.0,
        title.replace('<', "&lt;")
    );
    if pts.is_empty() {
        return s + "</svg>\n";
    }
    let lx: Vec<f64> = pts.iter().map(|p| p.0.log10()).collect();
    let ly: Vec<f64> = pts.iter().map(|p| p.1.log10()).collect();
    let (x0, x1) = (
        lx.iter().copied().fold(f64::INFINITY, f64::min),
        lx.iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max)
            .max(lx[0] + 0.1),
    );
    let (y0, y1) = (
        ly.iter().copied().fold(f64::INFINITY, f64::min).floor(),
        ly.iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max)
            .ceil()
            .max(ly[0] + 1.0),
    );
    let px = |x: f64| m + (x - x0) / (x1 - x0) * (w - 2.0 * m);
    let py = |y: f64| h - m - (y - y0) / (y1 - y0) * (h - 2.0 * m);
    s += &format!(
        "<rect x=\"{m}\" y=\"{m}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"black\"/>\n",
        w - 2.0 * m,
        h - 2.0 * m
    );
    let mut e = y0 as i64;
    while e as f64 <= y1 {
        s += &format!("<text x=\"{}\" y=\"{}\" font-family=\"sans-serif\" font-size=\"11\" text-anchor=\"end\">1e{e}</text>\n", m - 4.0, py(e as f64) + 4.0);
        e += 1;
    }
    for p in &pts {
        s += &format!("<text x=\"{}\" y=\"{}\" font-family=\"sans-serif\" font-size=\"11\" text-anchor=\"middle\">{}</text>\n", px(p.0.log10()), h - m + 16.0, p.0);
    }
    s += &format!("<text x=\"{}\" y=\"{}\" font-family=\"sans-serif\" font-size=\"12\" text-anchor=\"middle\">samples per interval N</text>\n", w / 2.0, h - 15.0);
    let line = |xs: &[f64], ys: &[f64], style: &str| {
        let d: Vec<String> = xs
            .iter()
            .zip(ys)
            .map(|(x, y)| format!("{:.1},{:.1}", px(*x), py(y.clamp(y0, y1))))
            .collect();
        format!(
            "<polyline fill=\"none\" {style} points=\"{}\"/>\n",
            d.join(" ")
        )
    };
    s += &line(&lx, &ly, "stroke=\"steelblue\" stroke-width=\"2\"");
    for (k, color) in [(2.0, "gray"), (4.0, "orange")] {
        let ys: Vec<f64> = lx.iter().map(|x| ly[0] - k * (x - lx[0])).collect();
        s += &line(
            &lx,
            &ys,
            &format!("stroke=\"{color}\" stroke-dasharray=\"5,4\""),
        );
        s += &format!("<text x=\"{}\" y=\"{}\" font-family=\"sans-serif\" font-size=\"11\" fill=\"{color}\">N^-{k}</text>\n", w - m - 40.0, m + 15.0 * k);
    }
    s + "</svg>\n"
}
