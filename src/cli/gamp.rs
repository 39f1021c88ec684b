//! `quadra gamp-rie`: GAMP-RIE at finite d on sampled data, several seeds in
//! parallel, with the state-evolution prediction beside every iteration.

use super::output::{CliError, Format, Progress};
use anyhow::anyhow;
use quadra_statphys::{
    bayes_optimal, gamp_rie_seeds, se_prediction, GampIterate, GampSettings, GampStop,
    StatphysError,
};
use serde::Serialize;
use std::path::PathBuf;

/// Arguments of `quadra gamp-rie`.
#[derive(Debug, clap::Args)]
pub struct GampArgs {
    /// Input dimension d (≥ 2).
    #[arg(long)]
    pub d: usize,
    /// Width ratio κ = m/d (> 0).
    #[arg(long, allow_hyphen_values = true)]
    pub kappa: f64,
    /// Samples per d² (> 0); n = round(α d²).
    #[arg(long, allow_hyphen_values = true)]
    pub alpha: f64,
    /// Label-noise variance Δ (≥ 0).
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    pub delta: f64,
    /// Number of independent runs (seeds N, N+1, …).
    #[arg(long, default_value_t = 1)]
    pub seeds: u64,
    /// First seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Damping θ ∈ (0, 1] of V and ω; the state-evolution prediction is exact at θ = 1.
    #[arg(long, default_value_t = 0.5, allow_hyphen_values = true)]
    pub damping: f64,
    /// Iteration cap.
    #[arg(long, default_value_t = 100)]
    pub max_iter: usize,
    /// Stop when the step ‖ΔŜ‖²/d sets no new minimum for this many iterations (0: never).
    #[arg(long, default_value_t = 10)]
    pub stall_window: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Draw the error per iteration (each seed) and the SE prediction into this SVG.
    #[arg(long)]
    pub plot: Option<PathBuf>,
}

#[derive(Debug, Serialize)]
struct RunOut {
    seed: u64,
    error: f64,
    iterations: usize,
    converged: bool,
    stop: GampStop,
    /// Per iteration: measured error, SE prediction, own estimate, step.
    trajectory: Vec<GampIterate>,
}

#[derive(Debug, Serialize)]
struct Report {
    d: usize,
    kappa: f64,
    alpha: f64,
    delta: f64,
    damping: f64,
    /// Whether the SE prediction is exact for these settings (θ = 1).
    se_exact: bool,
    theory_mmse: f64,
    mean_error: f64,
    std_error: f64,
    se_trajectory: Vec<f64>,
    runs: Vec<RunOut>,
}

fn to_cli(e: StatphysError) -> CliError {
    match e {
        StatphysError::InvalidParameter { .. } => CliError::BadInput(anyhow!(e)),
        other => CliError::Numerical(anyhow!(other)),
    }
}

/// Runs `quadra gamp-rie`.
pub fn run(args: GampArgs) -> Result<(), CliError> {
    if args.seeds == 0 {
        return Err(CliError::BadInput(anyhow!("--seeds: expected at least 1")));
    }
    if args.max_iter == 0 {
        return Err(CliError::BadInput(anyhow!(
            "--max-iter: expected at least 1"
        )));
    }
    for (name, v) in [("kappa", args.kappa), ("alpha", args.alpha)] {
        if !(v.is_finite() && v > 0.0) {
            return Err(CliError::BadInput(anyhow!(
                "--{name}: {v} must be a finite number > 0"
            )));
        }
    }
    if !(args.delta.is_finite() && args.delta >= 0.0) {
        return Err(CliError::BadInput(anyhow!(
            "--delta: {} must be a finite number ≥ 0",
            args.delta
        )));
    }
    let settings = GampSettings {
        damping: args.damping,
        max_iter: args.max_iter,
        stall_window: args.stall_window,
        ..GampSettings::default()
    };
    settings.validate().map_err(to_cli)?;
    let seeds: Vec<u64> = (0..args.seeds).map(|k| args.seed.wrapping_add(k)).collect();
    let progress = Progress::for_stderr();
    progress.line(&format!("gamp-rie: {} runs at d = {}", seeds.len(), args.d));
    let runs = gamp_rie_seeds(
        args.d, args.kappa, args.alpha, args.delta, &seeds, &settings,
    )
    .map_err(to_cli)?;
    progress.finish();
    let theory = bayes_optimal(args.alpha, args.kappa, args.delta)
        .map_err(to_cli)?
        .mmse;
    let longest = runs.iter().map(|r| r.iterations).max().unwrap_or(0);
    let se = se_prediction(args.alpha, args.kappa, args.delta, longest).map_err(to_cli)?;
    let errs: Vec<f64> = runs.iter().map(|r| r.error).collect();
    let mean = errs.iter().sum::<f64>() / errs.len() as f64;
    let std = if errs.len() > 1 {
        (errs.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (errs.len() - 1) as f64).sqrt()
    } else {
        0.0
    };
    let report = Report {
        d: args.d,
        kappa: args.kappa,
        alpha: args.alpha,
        delta: args.delta,
        damping: args.damping,
        se_exact: settings.se_exact(),
        theory_mmse: theory,
        mean_error: mean,
        std_error: std,
        se_trajectory: se,
        runs: seeds
            .iter()
            .zip(runs)
            .map(|(&seed, r)| RunOut {
                seed,
                error: r.error,
                iterations: r.iterations,
                converged: r.converged,
                stop: r.stop,
                trajectory: r.iterates,
            })
            .collect(),
    };
    if let Some(path) = &args.plot {
        let curves: Vec<(String, Vec<f64>)> = report
            .runs
            .iter()
            .map(|r| {
                let errors = r.trajectory.iter().map(|i| i.error).collect();
                (format!("GAMP-RIE seed {}", r.seed), errors)
            })
            .collect();
        let se_label = if report.se_exact {
            "state evolution".to_string()
        } else {
            format!("state evolution (undamped; runs θ = {})", report.damping)
        };
        super::bayes_plot::draw_trajectories(
            path,
            &curves,
            (&se_label, &report.se_trajectory),
            theory,
        )
        .map_err(|e| CliError::BadInput(anyhow!("--plot {}: {e}", path.display())))?;
    }
    match args.format {
        Format::Json => {
            let doc = serde_json::to_string_pretty(&report)
                .map_err(|e| CliError::Numerical(anyhow!(e)))?;
            println!("{doc}");
        }
        Format::Text => {
            println!(
                "d {}  kappa {}  alpha {}  delta {}",
                report.d, report.kappa, report.alpha, report.delta
            );
            println!("theory (Bayes-optimal MMSE)  {theory:.6}");
            println!(
                "GAMP-RIE error               {mean:.6} ± {std:.6} over {} seeds",
                report.runs.len()
            );
            for r in &report.runs {
                println!(
                    "  seed {:>4}  error {:.6}  iterations {:>4}  stop {:?}",
                    r.seed, r.error, r.iterations, r.stop
                );
            }
            let note = if report.se_exact {
                ""
            } else {
                "  (SE is exact for --damping 1; damped runs lag it)"
            };
            println!("iteration  mean error  state evolution{note}");
            for (k, se) in report.se_trajectory.iter().enumerate() {
                let reached: Vec<f64> = report
                    .runs
                    .iter()
                    .filter_map(|r| r.trajectory.get(k).map(|i| i.error))
                    .collect();
                let mean = reached.iter().sum::<f64>() / reached.len().max(1) as f64;
                println!("{:>9}  {mean:>10.6}  {se:>15.6}", k + 1);
            }
        }
    }
    Ok(())
}
