//! GAMP-RIE at finite `d` (Maillard et al. 2024, Algorithm 1) with its state
//! evolution beside it.
//!
//! Data: `y_μ = ⟨uX_μ, S⟩ + √Δ z_μ` with `uX_μ = (x_μx_μᵀ − I)/√d` and `S = S*/√d`.
//! Per iteration (damping θ on `V` and `ω`):
//! `ω_μ ← ⟨uX_μ, Ŝ⟩ − g_μ ĉ`, `V ← ĉ`, `g_μ = (y_μ − ω_μ)/(Δ + V)`,
//! `A = 2α·mean g²`, `R = Ŝ + (Σ_μ g_μ uX_μ)/(A d)`, `t = 1/(2A)`,
//! `Ŝ ← RIE(R; t)`, `ĉ = 2·mmse_den(t)`. The `n×d×d` tensor is never formed:
//! `⟨uX_μ, Ŝ⟩ = (x_μᵀŜx_μ − TrŜ)/√d` (one GEMM `XŜ`) and
//! `Σ g_μ uX_μ = (Xᵀdiag(g)X − (Σg)I)/√d` (one GEMM).

use crate::error::{check_nonnegative, check_positive, Result, StatphysError};
use crate::freeconv::FreeConvolution;
use crate::rie::rie_denoise_with;
use quadra_core::rng::{gaussian_matrix, seeded_rng, standard_normal};
use quadra_core::Mat;

/// Settings of a GAMP-RIE run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GampSettings {
    /// Damping θ ∈ (0, 1] (new = θ·update + (1 − θ)·old). Default 0.5.
    pub damping: f64,
    /// Stop when `‖ΔŜ‖²_F/d < tolerance`. Default 1e-6.
    pub tolerance: f64,
    /// Iteration cap. Default 100.
    pub max_iter: usize,
}

impl Default for GampSettings {
    fn default() -> Self {
        Self {
            damping: 0.5,
            tolerance: 1e-6,
            max_iter: 100,
        }
    }
}

/// Initial `ĉ = V = 2·MMSE₀` with `MMSE₀ = 1` (prior variance): the estimate
/// starts at the prior mean, as the state evolution does.
const INITIAL_VARIANCE: f64 = 2.0;

/// Result of one GAMP-RIE run.
#[derive(Debug, Clone, PartialEq)]
pub struct GampRun {
    /// `‖Ŝ − S‖²_F/d` after each iteration (`S = S*/√d`; equals `‖Ŝ√d − S*‖²/d²`).
    pub trajectory: Vec<f64>,
    /// Final error.
    pub error: f64,
    /// Iterations run.
    pub iterations: usize,
    /// Whether the tolerance was met.
    pub converged: bool,
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
    if !(settings.damping > 0.0 && settings.damping <= 1.0) {
        return Err(StatphysError::InvalidParameter {
            name: "damping",
            value: settings.damping,
            expected: "a number in (0, 1]",
        });
    }
    let m = ((kappa * d as f64).round() as usize).max(1);
    let n = ((alpha * (d * d) as f64).round() as usize).max(1);
    let sd = (d as f64).sqrt();
    let mut rng = seeded_rng(seed);
    let teacher = |rng: &mut quadra_core::ChaCha20Rng| -> Mat<f64> {
        let w = gaussian_matrix(d, m, rng);
        let s: Mat<f64> = &w * w.transpose() * (1.0 / ((m as f64).sqrt() * sd));
        Mat::from_fn(d, d, |i, j| 0.5 * (s[(i, j)] + s[(j, i)]))
    };
    let s_true = teacher(&mut rng);
    let x = gaussian_matrix(n, d, &mut rng);
    let xs = &x * &s_true;
    let tr_true: f64 = (0..d).map(|i| s_true[(i, i)]).sum();
    let y: Vec<f64> = (0..n)
        .map(|mu| {
            let q: f64 = (0..d).map(|j| xs[(mu, j)] * x[(mu, j)]).sum();
            (q - tr_true) / sd + delta.sqrt() * standard_normal(&mut rng)
        })
        .collect();
    // Start at the prior mean E[S] = √κ·I with ĉ = V = 2·MMSE₀ = 2 (MMSE₀ = 1),
    // the state evolution's starting point, so that trajectories are comparable.
    let mut s_hat = Mat::from_fn(d, d, |i, j| if i == j { kappa.sqrt() } else { 0.0 });
    let mut c_hat = INITIAL_VARIANCE;
    let mut v = INITIAL_VARIANCE;
    // ω₀ = ⟨uX_μ, Ŝ₀⟩ with g₀ = 0 (no Onsager term yet): the first, damped update of
    // ω then leaves it unchanged, so the first iterate is exactly the SE's first step
    // (up to finite size) instead of a damped mix with an arbitrary ω = 0.
    let mut omega: Vec<f64> = (0..n)
        .map(|mu| {
            let sq: f64 = (0..d).map(|j| x[(mu, j)] * x[(mu, j)]).sum();
            kappa.sqrt() * (sq - d as f64) / sd
        })
        .collect();
    let mut g = vec![0.0; n];
    let theta = settings.damping;
    let err = |a: &Mat<f64>| -> f64 {
        (0..d)
            .flat_map(|j| (0..d).map(move |i| (i, j)))
            .map(|(i, j)| (a[(i, j)] - s_true[(i, j)]).powi(2))
            .sum::<f64>()
            / d as f64
    };
    let mut trajectory = Vec::new();
    let mut converged = false;
    for _ in 0..settings.max_iter {
        // 1–2: Onsager-corrected ω and V, damped.
        let xsh = &x * &s_hat;
        let tr_hat: f64 = (0..d).map(|i| s_hat[(i, i)]).sum();
        for mu in 0..n {
            let q: f64 = (0..d).map(|j| xsh[(mu, j)] * x[(mu, j)]).sum();
            let w_new = (q - tr_hat) / sd - g[mu] * c_hat;
            omega[mu] = theta * w_new + (1.0 - theta) * omega[mu];
        }
        v = theta * c_hat + (1.0 - theta) * v;
        // 3: output function and the effective observation R.
        let mut sum_g = 0.0;
        let mut sum_g2 = 0.0;
        for mu in 0..n {
            g[mu] = (y[mu] - omega[mu]) / (delta + v);
            sum_g += g[mu];
            sum_g2 += g[mu] * g[mu];
        }
        let a = 2.0 * alpha * sum_g2 / n as f64;
        if !(a.is_finite() && a > 0.0) {
            return Err(StatphysError::NoConvergence {
                context: "GAMP-RIE (A = 2α·mean g² not positive)",
                iterations: trajectory.len(),
                residual: a,
            });
        }
        let gx = Mat::from_fn(n, d, |mu, j| g[mu] * x[(mu, j)]);
        let xtgx = x.transpose() * &gx;
        let scale = 1.0 / (a * d as f64 * sd);
        let r = Mat::from_fn(d, d, |i, j| {
            let sym = 0.5 * (xtgx[(i, j)] + xtgx[(j, i)]) - if i == j { sum_g } else { 0.0 };
            s_hat[(i, j)] + scale * sym
        });
        // 4: denoise.
        let t = 1.0 / (2.0 * a);
        let fc = FreeConvolution::new(kappa, t)?;
        let next = rie_denoise_with(r.as_ref(), &fc)?;
        c_hat = 2.0 * fc.mmse_den();
        let change = err_between(&next, &s_hat) / d as f64;
        s_hat = next;
        trajectory.push(err(&s_hat));
        if change < settings.tolerance {
            converged = true;
            break;
        }
    }
    let error = *trajectory.last().unwrap_or(&f64::NAN);
    Ok(GampRun {
        iterations: trajectory.len(),
        trajectory,
        error,
        converged,
    })
}

fn err_between(a: &Mat<f64>, b: &Mat<f64>) -> f64 {
    let mut s = 0.0;
    for j in 0..a.ncols() {
        for i in 0..a.nrows() {
            s += (a[(i, j)] - b[(i, j)]).powi(2);
        }
    }
    s
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
