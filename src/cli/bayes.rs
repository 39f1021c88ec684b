//! `quadra bayes-optimal`: Bayes-optimal learning curve of the extensive-width
//! quadratic network (Maillard et al., arXiv:2408.03733).
//!
//! `--alpha A` for one point or `--alpha A0:A1:STEP` for a sweep; `--kappa` and
//! `--delta` accept a comma-separated list (one curve each, the plot draws them all
//! with their α_PR lines). Exit 1 for malformed or out-of-domain parameters, 2 if
//! the fixed point cannot be located.

use super::output::{CliError, Progress};
use anyhow::anyhow;
use quadra_statphys::{alpha_pr, bayes_optimal, BayesPoint, StatphysError};
use serde::Serialize;
use std::path::PathBuf;

/// Output format of `bayes-optimal` (text, json, or csv).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum CurveFormat {
    /// Aligned columns.
    #[default]
    Text,
    /// One JSON document (a list of curves when several κ or Δ are given).
    Json,
    /// `kappa,delta,alpha,mmse,test_error,q_hat,overlap` rows with a header.
    Csv,
}

/// Arguments of `quadra bayes-optimal`.
#[derive(Debug, clap::Args)]
pub struct BayesArgs {
    /// Width ratio κ = m/d (> 0); a comma-separated list draws several curves.
    #[arg(long, allow_hyphen_values = true)]
    pub kappa: String,
    /// Label-noise variance Δ (≥ 0); a comma-separated list draws several curves.
    #[arg(long, default_value = "0", allow_hyphen_values = true)]
    pub delta: String,
    /// Samples per d²: one value `A`, or a sweep `A0:A1:STEP` (inclusive).
    #[arg(long, allow_hyphen_values = true)]
    pub alpha: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CurveFormat::Text)]
    pub format: CurveFormat,
    /// Draw MMSE against α (with α_PR lines) into this SVG file.
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// Compute only shard I of N of the (κ, Δ, α) sweep and write JSON lines, one per
    /// point with its global index (ignores --format and --plot); see docs/cli.md.
    #[arg(long)]
    pub shard: Option<String>,
}

#[derive(Debug, Serialize)]
struct ShardLine {
    shard: String,
    index: usize,
    kappa: f64,
    delta: f64,
    alpha_pr: f64,
    alpha: f64,
    mmse: f64,
    test_error: f64,
    q_hat: Option<f64>,
    overlap: f64,
    residual: f64,
}

/// `--shard I/N`: the points `k ≡ I (mod N)` of the sweep in (κ, Δ, α) order, as JSON lines.
fn run_shard(shard: &str, kappas: &[f64], deltas: &[f64], alphas: &[f64]) -> Result<(), CliError> {
    use rayon::prelude::*;
    let sh = super::shard::Shard::parse(shard)?;
    let mut jobs = Vec::new();
    let mut k = 0usize;
    for &kappa in kappas {
        for &delta in deltas {
            for &alpha in alphas {
                if sh.owns(k) {
                    jobs.push((k, kappa, delta, alpha));
                }
                k += 1;
            }
        }
    }
    let lines = jobs
        .par_iter()
        .map(|&(index, kappa, delta, alpha)| {
            let p = bayes_optimal(alpha, kappa, delta).map_err(to_cli)?;
            let line = ShardLine {
                shard: sh.label(),
                index,
                kappa,
                delta,
                alpha_pr: alpha_pr(kappa).map_err(to_cli)?,
                alpha,
                mmse: p.mmse,
                test_error: p.test_error,
                q_hat: p.q_hat,
                overlap: p.overlap,
                residual: p.residual,
            };
            serde_json::to_string(&line).map_err(|e| CliError::Numerical(anyhow!(e)))
        })
        .collect::<Result<Vec<String>, CliError>>()?;
    for l in lines {
        println!("{l}");
    }
    Ok(())
}

#[derive(Debug, Serialize)]
struct JsonPoint {
    alpha: f64,
    mmse: f64,
    test_error: f64,
    q_hat: Option<f64>,
    overlap: f64,
    residual: f64,
}

#[derive(Debug, Serialize)]
struct Curve {
    kappa: f64,
    delta: f64,
    alpha_pr: f64,
    points: Vec<JsonPoint>,
}

fn bad(msg: String) -> CliError {
    CliError::BadInput(anyhow!(msg))
}

fn parse_num(name: &str, s: &str) -> Result<f64, CliError> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| bad(format!("--{name}: `{s}` is not a number")))?;
    if !v.is_finite() {
        return Err(bad(format!("--{name}: `{s}` is not finite")));
    }
    Ok(v)
}

fn parse_list(name: &str, s: &str, positive: bool) -> Result<Vec<f64>, CliError> {
    let mut out = Vec::new();
    for part in s.split(',') {
        let v = parse_num(name, part)?;
        if positive && v <= 0.0 {
            return Err(bad(format!("--{name}: {v} must be > 0")));
        }
        if !positive && v < 0.0 {
            return Err(bad(format!("--{name}: {v} must be ≥ 0")));
        }
        out.push(v);
    }
    Ok(out)
}

/// Largest number of α values a sweep may have (a typo such as a tiny STEP
/// should not hang the tool).
const MAX_POINTS: usize = 1_000_000;

pub(super) fn parse_alpha(s: &str) -> Result<Vec<f64>, CliError> {
    let parts: Vec<&str> = s.split(':').collect();
    let alphas = match parts.as_slice() {
        [a] => vec![parse_num("alpha", a)?],
        [a0, a1, step] => {
            let (a0, a1, step) = (
                parse_num("alpha", a0)?,
                parse_num("alpha", a1)?,
                parse_num("alpha", step)?,
            );
            if step <= 0.0 || a1 < a0 {
                return Err(bad(format!(
                    "--alpha {s}: expected A0:A1:STEP with A0 ≤ A1 and STEP > 0"
                )));
            }
            // Inclusive of A1 up to rounding of the step count.
            let count = ((a1 - a0) / step + 1e-9).floor() + 1.0;
            if count > MAX_POINTS as f64 {
                return Err(bad(format!("--alpha {s}: more than {MAX_POINTS} points")));
            }
            (0..count as usize).map(|i| a0 + step * i as f64).collect()
        }
        _ => return Err(bad(format!("--alpha {s}: expected a number or A0:A1:STEP"))),
    };
    if let Some(a) = alphas.iter().find(|&&a| a <= 0.0) {
        return Err(bad(format!("--alpha: {a} must be > 0")));
    }
    Ok(alphas)
}

fn to_cli(e: StatphysError) -> CliError {
    match e {
        StatphysError::InvalidParameter { .. } => CliError::BadInput(anyhow!(e)),
        other => CliError::Numerical(anyhow!(other)),
    }
}

/// Runs `quadra bayes-optimal`.
pub fn run(args: BayesArgs) -> Result<(), CliError> {
    let kappas = parse_list("kappa", &args.kappa, true)?;
    let deltas = parse_list("delta", &args.delta, false)?;
    let alphas = parse_alpha(&args.alpha)?;
    if let Some(shard) = &args.shard {
        return run_shard(shard, &kappas, &deltas, &alphas);
    }
    let progress = Progress::for_stderr();
    let total = kappas.len() * deltas.len() * alphas.len();
    let mut done = 0usize;
    let mut curves = Vec::new();
    for &kappa in &kappas {
        for &delta in &deltas {
            let mut points: Vec<BayesPoint> = Vec::with_capacity(alphas.len());
            for &alpha in &alphas {
                points.push(bayes_optimal(alpha, kappa, delta).map_err(to_cli)?);
                done += 1;
                progress.line(&format!("bayes-optimal {done}/{total}"));
            }
            curves.push((kappa, delta, alpha_pr(kappa).map_err(to_cli)?, points));
        }
    }
    progress.finish();
    if let Some(path) = &args.plot {
        super::bayes_plot::draw(path, &curves)
            .map_err(|e| CliError::BadInput(anyhow!("--plot {}: {e}", path.display())))?;
    }
    let json_curves: Vec<Curve> = curves
        .iter()
        .map(|(kappa, delta, apr, pts)| Curve {
            kappa: *kappa,
            delta: *delta,
            alpha_pr: *apr,
            points: pts
                .iter()
                .map(|p| JsonPoint {
                    alpha: p.alpha,
                    mmse: p.mmse,
                    test_error: p.test_error,
                    q_hat: p.q_hat,
                    overlap: p.overlap,
                    residual: p.residual,
                })
                .collect(),
        })
        .collect();
    match args.format {
        CurveFormat::Json => {
            let doc = if json_curves.len() == 1 {
                serde_json::to_string_pretty(&json_curves[0])
            } else {
                serde_json::to_string_pretty(&json_curves)
            }
            .map_err(|e| CliError::Numerical(anyhow!(e)))?;
            println!("{doc}");
        }
        CurveFormat::Csv => {
            println!("kappa,delta,alpha,mmse,test_error,q_hat,overlap");
            for c in &json_curves {
                for p in &c.points {
                    let q = p.q_hat.map_or("inf".to_string(), |q| format!("{q}"));
                    println!(
                        "{},{},{},{},{},{},{}",
                        c.kappa, c.delta, p.alpha, p.mmse, p.test_error, q, p.overlap
                    );
                }
            }
        }
        CurveFormat::Text => {
            for c in &json_curves {
                println!(
                    "kappa {}  delta {}  alpha_PR {}",
                    c.kappa, c.delta, c.alpha_pr
                );
                println!(
                    "{:>10}  {:>12}  {:>12}  {:>12}  {:>12}",
                    "alpha", "mmse", "test_error", "q_hat", "overlap"
                );
                for p in &c.points {
                    let q = p.q_hat.map_or("inf".to_string(), |q| format!("{q:.6}"));
                    println!(
                        "{:>10.6}  {:>12.8}  {:>12.8}  {:>12}  {:>12.8}",
                        p.alpha, p.mmse, p.test_error, q, p.overlap
                    );
                }
            }
        }
    }
    Ok(())
}
