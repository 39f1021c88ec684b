//! GAMP-RIE at finite `d` (Maillard et al. 2024, Algorithm 1) with its state
//! evolution beside it, iteration by iteration.
//!
//! Data: `y_μ = ⟨uX_μ, S⟩ + √Δ z_μ` with `uX_μ = (x_μx_μᵀ − I)/√d` and `S = S*/√d`.
//! Per iteration (damping θ on `V` and `ω`; `w_μ = ‖uX_μ‖²_F/(d + 1)`):
//!
//! 1. `ω_μ ← ⟨uX_μ, Ŝ⟩ − w_μ ĉ g_μ`, `V ← ĉ` (then damped);
//! 2. `g_μ = (y_μ − ω_μ)/(Δ + w_μ V)`, `A = 2α·mean_μ w_μ g_μ²`;
//! 3. `R = Ŝ + (Σ_μ g_μ uX_μ)/(A d)`, `t = 1/(2A)`;
//! 4. `Ŝ ← RIE(R; t)`, `ĉ = 2·mmse_den(t)`.
//!
//! The per-row variance `w_μ V` is GAMP's `V_μ = Σ_k a_μk² c_k` for a rotationally
//! invariant denoiser; the paper's algorithm uses `w_μ = 1`, its `d → ∞` limit. At
//! `d = 100` the row norms `‖uX_μ‖²` spread by ±28 % (`2√(2/d)`), and dropping them
//! inflates the effective noise of `R` by ~10 % and lets undamped runs drift away
//! from the state evolution (`proofs/gamp_rie_state_evolution.md`).
//!
//! The `n×d×d` tensor is never formed:
//! `⟨uX_μ, Ŝ⟩ = (x_μᵀŜx_μ − TrŜ)/√d` (one GEMM `XŜ`) and
//! `Σ g_μ uX_μ = (Xᵀdiag(g)X − (Σg)I)/√d` (one GEMM).
//!
//! **State evolution.** Undamped (θ = 1) GAMP-RIE started from the prior mean
//! `Ŝ₀ = √κ·I` (error `MMSE₀ = 1`) is described, iteration by iteration, by
//! `t_{k+1} = (Δ + 2·MMSE_k)/(4α)`, `MMSE_{k+1} = mmse_den(t_{k+1})`
//! ([`se_prediction`]); each [`GampIterate`] carries both. With θ < 1 the runs lag
//! that prediction (no exact scalar state evolution exists for damping of `ω`, which
//! mixes residuals of different iterations); [`GampSettings::se_exact`] says which.

mod instance;
mod settings;

pub use settings::GampSettings;

use crate::bayes::state_evolution;
use crate::error::{check_nonnegative, check_positive, Result, StatphysError};
use crate::freeconv::FreeConvolution;
use crate::rie::rie_denoise_with;
use instance::{quadratic_forms, squared_distance, Instance};
use quadra_core::Mat;
use serde::Serialize;

/// Initial `ĉ = V = 2·MMSE₀` with `MMSE₀ = 1` (prior variance): the estimate
/// starts at the prior mean, as the state evolution does.
const INITIAL_VARIANCE: f64 = 2.0;

/// Why a run stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum GampStop {
    /// `‖ΔŜ‖²_F/d < tolerance`.
    Tolerance,
    /// The step `‖ΔŜ‖²_F/d` set no new minimum within `stall_window` iterations:
    /// it sits on the finite-size noise floor.
    Stalled,
    /// `max_iter` reached.
    MaxIter,
}

/// One iteration of a run, with the state-evolution prediction beside it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GampIterate {
    /// Iteration number, from 1.
    pub iteration: usize,
    /// Measured error `‖Ŝ − S‖²_F/d` against the sampled teacher.
    pub error: f64,
    /// State-evolution prediction `MMSE_k` for this iteration (exact for θ = 1).
    pub se: f64,
    /// The algorithm's own estimate of its error, `mmse_den(t)` (no teacher used).
    pub estimate: f64,
    /// The step `‖Ŝ_k − Ŝ_{k−1}‖²_F/d`.
    pub change: f64,
}

/// Result of one GAMP-RIE run.
#[derive(Debug, Clone, PartialEq)]
pub struct GampRun {
    /// `‖Ŝ − S‖²_F/d` after each iteration (`S = S*/√d`; equals `‖Ŝ√d − S*‖²/d²`).
    pub trajectory: Vec<f64>,
    /// Per iteration: error, state-evolution prediction, own estimate, step.
    pub iterates: Vec<GampIterate>,
    /// Final error.
    pub error: f64,
    /// Iterations run.
    pub iterations: usize,
    /// Whether the tolerance was met.
    pub converged: bool,
    /// Why the run stopped.
    pub stop: GampStop,
}

/// The state-evolution prediction of undamped GAMP-RIE from `MMSE₀ = 1`:
/// `MMSE_k` for `k = 1..=iterations` (`t_{k+1} = (Δ + 2·MMSE_k)/(4α)`,
/// `MMSE_{k+1} = mmse_den(t_{k+1})`), always `iterations` entries (0 after
/// perfect recovery at `Δ = 0`).
pub fn se_prediction(alpha: f64, kappa: f64, delta: f64, iterations: usize) -> Result<Vec<f64>> {
    let mut se = state_evolution(alpha, kappa, delta, iterations)?;
    let last = se.last().copied().unwrap_or(1.0);
    se.resize(iterations, last);
    Ok(se)
}

/// Samples a teacher and data at `(d, κ, α, Δ)` with `seed` and runs GAMP-RIE.
pub fn gamp_rie(
    d: usize,
    kappa: f64,
    alpha: f64,
    delta: f64,
    seed: u64,
    settings: &GampSettings,
) -> Result<GampRun> {
    check_positive("kappa", kappa)?;
    check_positive("alpha", alpha)?;
    check_nonnegative("delta", delta)?;
    if d < 2 {
        return Err(StatphysError::InvalidParameter {
            name: "d",
            value: d as f64,
            expected: "d ≥ 2",
        });
    }
    settings.validate()?;
    let inst = Instance::sample(d, kappa, alpha, delta, seed);
    run(&inst, kappa, alpha, delta, settings)
}

/// The iteration on a sampled instance.
fn run(
    inst: &Instance,
    kappa: f64,
    alpha: f64,
    delta: f64,
    settings: &GampSettings,
) -> Result<GampRun> {
    let x = &inst.x;
    let w = &inst.row_weight;
    let (n, d) = (x.nrows(), x.ncols());
    let sd = (d as f64).sqrt();
    let theta = settings.damping;
    // Start at the prior mean E[S] = √κ·I with ĉ = V = 2·MMSE₀ = 2, the state
    // evolution's starting point. ω₀ = ⟨uX_μ, Ŝ₀⟩ with g₀ = 0 (no Onsager term
    // yet), so the first damped update of ω leaves it unchanged and the first
    // iterate is the SE's first step (up to finite size).
    let mut s_hat = Mat::from_fn(d, d, |i, j| if i == j { kappa.sqrt() } else { 0.0 });
    let mut c_hat = INITIAL_VARIANCE;
    let mut v = INITIAL_VARIANCE;
    let mut omega = quadratic_forms(x, &s_hat);
    let mut g = vec![0.0; n];
    let mut iterates: Vec<GampIterate> = Vec::new();
    let mut stop = GampStop::MaxIter;
    // Smallest step so far and the iteration it was reached at (stall rule).
    let mut best_change = (f64::INFINITY, 0usize);
    for k in 1..=settings.max_iter {
        // 1: Onsager-corrected ω (row variance w_μ ĉ) and V, damped.
        let q = quadratic_forms(x, &s_hat);
        for mu in 0..n {
            let w_new = q[mu] - w[mu] * c_hat * g[mu];
            omega[mu] = theta * w_new + (1.0 - theta) * omega[mu];
        }
        v = theta * c_hat + (1.0 - theta) * v;
        // 2: output function and the input precision A.
        let mut sum_g = 0.0;
        let mut sum_wg2 = 0.0;
        for mu in 0..n {
            g[mu] = (inst.y[mu] - omega[mu]) / (delta + w[mu] * v);
            sum_g += g[mu];
            sum_wg2 += w[mu] * g[mu] * g[mu];
        }
        let a = 2.0 * alpha * sum_wg2 / n as f64;
        if !(a.is_finite() && a > 0.0) {
            return Err(StatphysError::NoConvergence {
                context: "GAMP-RIE (A = 2α·mean w g² not positive)",
                iterations: iterates.len(),
                residual: a,
            });
        }
        // 3: the effective observation R = S + √t·GOE/√d.
        let gx = Mat::from_fn(n, d, |mu, j| g[mu] * x[(mu, j)]);
        let xtgx = x.transpose() * &gx;
        // The denoiser below is scalar math (cubic roots, logs): clear the AVX state the
        // product may leave behind (`quadra_core::vector_state`).
        quadra_core::vector_state::after_vector_product();
        let scale = 1.0 / (a * d as f64 * sd);
        let r = Mat::from_fn(d, d, |i, j| {
            let sym = 0.5 * (xtgx[(i, j)] + xtgx[(j, i)]) - if i == j { sum_g } else { 0.0 };
            s_hat[(i, j)] + scale * sym
        });
        // 4: denoise.
        let t = 1.0 / (2.0 * a);
        let fc = FreeConvolution::new(kappa, t)?;
        let next = rie_denoise_with(r.as_ref(), &fc)?;
        let estimate = fc.mmse_den();
        c_hat = 2.0 * estimate;
        let change = squared_distance(&next, &s_hat) / d as f64;
        s_hat = next;
        iterates.push(GampIterate {
            iteration: k,
            error: inst.error(&s_hat),
            se: f64::NAN,
            estimate,
            change,
        });
        if change < settings.tolerance {
            stop = GampStop::Tolerance;
            break;
        }
        if change < best_change.0 {
            best_change = (change, k);
        } else if settings.stall_window > 0 && k - best_change.1 >= settings.stall_window {
            stop = GampStop::Stalled;
            break;
        }
    }
    let se = se_prediction(alpha, kappa, delta, iterates.len())?;
    for (it, s) in iterates.iter_mut().zip(se) {
        it.se = s;
    }
    let trajectory: Vec<f64> = iterates.iter().map(|i| i.error).collect();
    Ok(GampRun {
        error: *trajectory.last().unwrap_or(&f64::NAN),
        iterations: trajectory.len(),
        trajectory,
        iterates,
        converged: stop == GampStop::Tolerance,
        stop,
    })
}

/// Runs [`gamp_rie`] for each seed in parallel (rayon); results in seed order.
pub fn gamp_rie_seeds(
    d: usize,
    kappa: f64,
    alpha: f64,
    delta: f64,
    seeds: &[u64],
    settings: &GampSettings,
) -> Result<Vec<GampRun>> {
    use rayon::prelude::*;
    seeds
        .par_iter()
        .map(|&s| gamp_rie(d, kappa, alpha, delta, s, settings))
        .collect()
}
