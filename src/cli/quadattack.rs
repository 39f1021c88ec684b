//! `quadra quadattack --head HEAD.npz --features F.npy --targets 3,5,1`: the QuadAttack
//! ordered top-K projection (or, with `--attack`, the attack loop) on a linear head.
//!
//! `HEAD.npz` holds `W` (`C × d`; also accepted as `weight`/`weights`) and optionally `b`
//! (`C`; also `bias`); a `.npy` head is `W` alone. `F.npy` holds one feature vector (`d`)
//! or a batch (`N × d`, solved in parallel). Exit 1 for malformed files, shape mismatches,
//! NaN, repeated or out-of-range targets or `K ≥ C`; exit 2 when the ordered region is
//! unreachable (infeasible; the JSON still carries the certificate).

use super::output::{print_table, CliError, Format};
use anyhow::anyhow;
use quadra::io::npy::{read_npy, read_npz, NpyArray};
use quadra_qp::{
    attack_linear_head, check_targets, AttackSettings, LinearHead, OrderedTopK, TopKSettings,
    TopKSolution, TopKStatus,
};
use rayon::prelude::*;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Arguments of `quadra quadattack`.
#[derive(Debug, clap::Args)]
pub struct QuadAttackArgs {
    /// Linear head: .npz with `W` (C × d) and optional `b` (C), or a .npy with `W`.
    #[arg(long)]
    pub head: PathBuf,
    /// Features: .npy with one vector (d) or a batch (N × d).
    #[arg(long)]
    pub features: PathBuf,
    /// Ordered targets t₁,t₂,…,t_K (distinct class indices, K < C).
    #[arg(long, value_delimiter = ',', required = true)]
    pub targets: Vec<usize>,
    /// Logit margin m.
    #[arg(long, default_value_t = 0.2)]
    pub margin: f64,
    /// Run the attack loop (gradient steps with a binary search on the loss weight)
    /// instead of one projection.
    #[arg(long)]
    pub attack: bool,
    /// Attack: gradient steps per loss weight.
    #[arg(long, default_value_t = 20)]
    pub steps: usize,
    /// Attack: binary-search rounds on the loss weight.
    #[arg(long, default_value_t = 8)]
    pub binary_steps: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Serialize)]
struct Certificate {
    /// `(constraint index, v_j)`.
    ray: Vec<(usize, f64)>,
    ray_residual: f64,
    ray_gap: f64,
}

#[derive(Debug, Serialize)]
struct SolveReport {
    status: &'static str,
    z: Vec<f64>,
    distance: f64,
    /// Active constraints as `[a, b]`: `ℓ_a(z) − ℓ_b(z) = m`.
    active: Vec<[usize; 2]>,
    kkt_residual: f64,
    kkt_primal: f64,
    kkt_dual: f64,
    kkt_complementarity: f64,
    success: bool,
    iterations: usize,
    seconds: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    certificate: Option<Certificate>,
}

#[derive(Debug, Serialize)]
struct AttackReport {
    success: bool,
    infeasible: bool,
    delta: Vec<f64>,
    perturbation_norm: f64,
    weight: Option<f64>,
    qp_solves: usize,
    solves_per_second: f64,
    seconds: f64,
}

fn bad(path: &Path, msg: impl std::fmt::Display) -> CliError {
    CliError::BadInput(anyhow!("{}: {msg}", path.display()))
}

fn check_finite(path: &Path, name: &str, a: &NpyArray) -> Result<(), CliError> {
    match a.first_non_finite() {
        Some(i) => Err(bad(
            path,
            format!(
                "array '{name}' has a non-finite value {} at flat index {i}",
                a.data[i]
            ),
        )),
        None => Ok(()),
    }
}

/// Reads the head (W, b) from .npz or .npy.
fn load_head(path: &Path) -> Result<LinearHead, CliError> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let (w, b) = if ext.eq_ignore_ascii_case("npy") {
        (
            read_npy(path).map_err(|e| CliError::BadInput(e.into()))?,
            None,
        )
    } else {
        let arrays = read_npz(path).map_err(|e| CliError::BadInput(e.into()))?;
        let find = |names: &[&str]| {
            arrays
                .iter()
                .find(|(n, _)| names.contains(&n.as_str()))
                .map(|(_, a)| a.clone())
        };
        let w = find(&["W", "weight", "weights"]).ok_or_else(|| {
            let names: Vec<&str> = arrays.iter().map(|(n, _)| n.as_str()).collect();
            bad(
                path,
                format!("no array 'W' (or 'weight'/'weights') in the archive; found {names:?}"),
            )
        })?;
        (w, find(&["b", "bias"]))
    };
    if w.shape.len() != 2 {
        return Err(bad(
            path,
            format!(
                "'W' has shape {:?} (expected 2-D: classes × features)",
                w.shape
            ),
        ));
    }
    check_finite(path, "W", &w)?;
    let (c, d) = (w.shape[0], w.shape[1]);
    let bias = match b {
        Some(b) => {
            if b.shape.len() != 1 || b.shape[0] != c {
                return Err(bad(
                    path,
                    format!(
                        "'b' has shape {:?} (expected ({c},), one bias per class of W)",
                        b.shape
                    ),
                ));
            }
            check_finite(path, "b", &b)?;
            b.data
        }
        None => vec![0.0; c],
    };
    LinearHead::new(&w.data, c, d, &bias).map_err(|e| bad(path, e))
}

/// Reads the features: one vector (d) or a batch (N × d).
fn load_features(path: &Path, d: usize) -> Result<Vec<Vec<f64>>, CliError> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let a = if ext.eq_ignore_ascii_case("npz") {
        let mut arrays = read_npz(path).map_err(|e| CliError::BadInput(e.into()))?;
        if arrays.len() != 1 {
            return Err(bad(
                path,
                format!("expected one array in the archive, found {}", arrays.len()),
            ));
        }
        arrays.remove(0).1
    } else {
        read_npy(path).map_err(|e| CliError::BadInput(e.into()))?
    };
    check_finite(path, "features", &a)?;
    let rows = match a.shape.as_slice() {
        [n] if *n == d => vec![a.data],
        [_, n] if *n == d => a.data.chunks(d).map(<[f64]>::to_vec).collect(),
        shape => {
            return Err(bad(
                path,
                format!(
                "features have shape {shape:?}; the head has d = {d} (expected ({d},) or (N, {d}))"
            ),
            ))
        }
    };
    if rows.is_empty() {
        return Err(bad(path, "no feature vectors (N = 0)"));
    }
    Ok(rows)
}

fn solve_report(problem: &OrderedTopK, sol: TopKSolution, seconds: f64) -> SolveReport {
    let certificate = match &sol.status {
        TopKStatus::Infeasible {
            ray,
            ray_residual,
            ray_gap,
        } => Some(Certificate {
            ray: ray.clone(),
            ray_residual: *ray_residual,
            ray_gap: *ray_gap,
        }),
        TopKStatus::Optimal => None,
    };
    SolveReport {
        status: sol.status.as_str(),
        distance: sol.distance,
        active: sol
            .active
            .iter()
            .map(|&j| {
                let (a, b) = problem.pairs()[j];
                [a, b]
            })
            .collect(),
        kkt_residual: sol.kkt.max(),
        kkt_primal: sol.kkt.primal,
        kkt_dual: sol.kkt.dual,
        kkt_complementarity: sol.kkt.complementarity,
        success: sol.success,
        iterations: sol.iterations,
        seconds,
        certificate,
        z: sol.z,
    }
}

/// Runs `quadra quadattack`.
pub fn run(args: QuadAttackArgs) -> Result<(), CliError> {
    if !(args.margin.is_finite() && args.margin >= 0.0) {
        return Err(CliError::BadInput(anyhow!(
            "--margin {}: expected a finite number ≥ 0",
            args.margin
        )));
    }
    let t0 = Instant::now();
    let head = load_head(&args.head)?;
    let gram_seconds = t0.elapsed().as_secs_f64();
    let features = load_features(&args.features, head.dim())?;
    check_targets(&args.targets, head.classes()).map_err(|e| {
        CliError::BadInput(anyhow!(
            "--targets: {e} (the head {} has C = {} classes)",
            args.head.display(),
            head.classes()
        ))
    })?;
    let settings = TopKSettings::builder()
        .margin(args.margin)
        .build()
        .map_err(|e| CliError::BadInput(e.into()))?;
    if args.attack {
        let attack = AttackSettings::builder()
            .steps(args.steps)
            .binary_steps(args.binary_steps)
            .qp(settings)
            .build()
            .map_err(|e| CliError::BadInput(e.into()))?;
        let results: Vec<_> = features
            .par_iter()
            .map(|f| attack_linear_head(&head, f, &args.targets, &attack))
            .collect();
        let mut reports = Vec::new();
        for r in results {
            let r = r.map_err(|e| CliError::Numerical(e.into()))?;
            reports.push(AttackReport {
                success: r.success,
                infeasible: r.infeasible,
                perturbation_norm: r.perturbation_norm,
                weight: r.weight.is_finite().then_some(r.weight),
                qp_solves: r.qp_solves,
                solves_per_second: r.solves_per_second(),
                seconds: r.seconds,
                delta: r.delta,
            });
        }
        let infeasible = reports.iter().filter(|r| r.infeasible).count();
        emit(args.format, &reports, gram_seconds, |r| {
            vec![
                ("success", r.success.to_string()),
                ("infeasible", r.infeasible.to_string()),
                ("perturbation norm", format!("{:.9e}", r.perturbation_norm)),
                ("QP solves", r.qp_solves.to_string()),
                ("solves/s", format!("{:.0}", r.solves_per_second)),
                ("seconds", format!("{:.4}", r.seconds)),
            ]
        })?;
        return infeasible_exit(infeasible, reports.len());
    }
    let problem = OrderedTopK::new(&head, &args.targets, args.margin)
        .map_err(|e| CliError::BadInput(e.into()))?;
    let solved: Vec<_> = features
        .par_iter()
        .map(|f| {
            let t = Instant::now();
            problem
                .solve(f, None, &settings)
                .map(|s| (s, t.elapsed().as_secs_f64()))
        })
        .collect();
    let mut reports = Vec::new();
    for s in solved {
        let (sol, secs) = s.map_err(|e| CliError::Numerical(e.into()))?;
        reports.push(solve_report(&problem, sol, secs));
    }
    let infeasible = reports.iter().filter(|r| r.status == "infeasible").count();
    emit(args.format, &reports, gram_seconds, |r| {
        vec![
            ("status", r.status.to_string()),
            ("distance", format!("{:.12e}", r.distance)),
            ("active constraints", r.active.len().to_string()),
            ("kkt residual", format!("{:.2e}", r.kkt_residual)),
            ("ordered top-K", r.success.to_string()),
            ("iterations", r.iterations.to_string()),
            ("seconds", format!("{:.6}", r.seconds)),
        ]
    })?;
    infeasible_exit(infeasible, reports.len())
}

fn infeasible_exit(infeasible: usize, total: usize) -> Result<(), CliError> {
    if infeasible > 0 {
        Err(CliError::Numerical(anyhow!(
            "{infeasible} of {total} programs infeasible: no embedding reaches the ordered top-K region (the head's logits span a subspace that misses it); see the certificate"
        )))
    } else {
        Ok(())
    }
}

/// One report: its fields at top level; a batch: `{"results": [...], "gram_seconds": …}`.
fn emit<R: Serialize>(
    format: Format,
    reports: &[R],
    gram_seconds: f64,
    rows: impl Fn(&R) -> Vec<(&'static str, String)>,
) -> Result<(), CliError> {
    match format {
        Format::Json => {
            let json = if reports.len() == 1 {
                let mut v =
                    serde_json::to_value(&reports[0]).map_err(|e| CliError::Numerical(e.into()))?;
                v["gram_seconds"] = gram_seconds.into();
                v
            } else {
                serde_json::json!({ "results": reports, "gram_seconds": gram_seconds })
            };
            println!(
                "{}",
                serde_json::to_string_pretty(&json).map_err(|e| CliError::Numerical(e.into()))?
            );
        }
        Format::Text => {
            for (i, r) in reports.iter().enumerate() {
                if reports.len() > 1 {
                    println!("[{i}]");
                }
                print_table(&rows(r));
            }
            print_table(&[("load + WWᵀ seconds", format!("{gram_seconds:.3}"))]);
        }
    }
    Ok(())
}
