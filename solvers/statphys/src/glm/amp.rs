//! Bayes-optimal AMP for the Gaussian channel at finite `N`: the algorithm whose
//! asymptotic trajectory the state evolution ([`super::se`]) predicts, used as the
//! independent finite-size check of it.
//!
//! Data `y = F x* + √Δ ζ`, `F ∈ ℝ^{n×N}` with i.i.d. `N(0, 1/N)` entries, `n = αN`.
//! Iteration (Donoho, Maleki, Montanari 2009; Krzakala et al. 2012, eqs. (25)–(30)), from
//! `x̂ = 0`, `v = ρ`, `z = y`:
//!
//! ```text
//! Σ² = (Δ + v)/α,   R = x̂ + Fᵀz/α,
//! x̂ᵢ, vᵢ = posterior mean, variance of x₀ given R = x₀ + Σζ,   v ← mean vᵢ,
//! z ← y − F x̂ + z · v/(Δ + v_prev)                                 (Onsager term)
//! ```
//!
//! Its mean squared error per component follows `E_{t+1} = mmse(α/(Δ + E_t))` up to
//! `O(N^{-1/2})` fluctuations.

use super::GlmPrior;
use crate::error::{check_nonnegative, check_positive, Result, StatphysError};
use quadra_core::rng::{seeded_rng, standard_normal};

/// The per-iteration mean squared error `‖x̂ − x*‖²/N` of AMP on one sampled instance.
pub fn amp_gaussian_channel(
    prior: GlmPrior,
    delta: f64,
    alpha: f64,
    n_dim: usize,
    iterations: usize,
    seed: u64,
) -> Result<Vec<f64>> {
    prior.validate()?;
    check_positive("alpha", alpha)?;
    check_nonnegative("delta", delta)?;
    if n_dim < 2 {
        return Err(StatphysError::InvalidParameter {
            name: "n_dim",
            value: n_dim as f64,
            expected: "N ≥ 2",
        });
    }
    let n = ((alpha * n_dim as f64).round() as usize).max(1);
    let mut rng = seeded_rng(seed);
    let x_true: Vec<f64> = (0..n_dim)
        .map(|_| {
            let z1 = standard_normal(&mut rng);
            let z2 = standard_normal(&mut rng);
            prior.sample_from_normals(z1, z2)
        })
        .collect();
    let scale = 1.0 / (n_dim as f64).sqrt();
    // Row-major F (n × N).
    let f: Vec<f64> = (0..n * n_dim)
        .map(|_| scale * standard_normal(&mut rng))
        .collect();
    let y: Vec<f64> = (0..n)
        .map(|mu| {
            let row = &f[mu * n_dim..(mu + 1) * n_dim];
            let z: f64 = row.iter().zip(&x_true).map(|(a, b)| a * b).sum();
            z + delta.sqrt() * standard_normal(&mut rng)
        })
        .collect();
    let alpha_eff = n as f64 / n_dim as f64;
    let mut x_hat = vec![0.0; n_dim];
    let mut v = prior.second_moment();
    let mut v_prev = v;
    let mut z = y.clone();
    let mut onsager_first = true;
    let mut out = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        // z ← y − F x̂ + Onsager (none before the first denoising).
        let mut z_new = vec![0.0; n];
        for mu in 0..n {
            let row = &f[mu * n_dim..(mu + 1) * n_dim];
            let fx: f64 = row.iter().zip(&x_hat).map(|(a, b)| a * b).sum();
            let ons = if onsager_first {
                0.0
            } else {
                z[mu] * v / (delta + v_prev)
            };
            z_new[mu] = y[mu] - fx + ons;
        }
        z = z_new;
        onsager_first = false;
        let sigma2 = (delta + v) / alpha_eff;
        let r_snr = 1.0 / sigma2;
        let mut ftz = vec![0.0; n_dim];
        for mu in 0..n {
            let row = &f[mu * n_dim..(mu + 1) * n_dim];
            for (acc, a) in ftz.iter_mut().zip(row) {
                *acc += a * z[mu];
            }
        }
        let mut v_sum = 0.0;
        for i in 0..n_dim {
            let r_i = x_hat[i] + ftz[i] / alpha_eff;
            let (m, var) = prior.posterior(r_snr, r_i / sigma2.sqrt());
            x_hat[i] = m;
            v_sum += var;
        }
        v_prev = v;
        v = v_sum / n_dim as f64;
        let mse = x_hat
            .iter()
            .zip(&x_true)
            .map(|(a, b)| (a - b).powi(2))
            .sum::<f64>()
            / n_dim as f64;
        if !mse.is_finite() {
            return Err(StatphysError::NoConvergence {
                context: "GLM AMP (non-finite estimate)",
                iterations: out.len(),
                residual: mse,
            });
        }
        out.push(mse);
    }
    Ok(out)
}
