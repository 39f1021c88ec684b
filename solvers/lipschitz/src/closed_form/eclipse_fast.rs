//! ECLipsE-Fast (Xu & Sivaranjani, NeurIPS 2024, "ECLipsE: Efficient compositional
//! Lipschitz constant estimation for deep neural networks"), derived here for this
//! crate's LipSDP-Layer normalisation (`proofs/lipschitz_eclipse_fast.md`).
//!
//! For slope `[0, β]`, LipSDP-Layer with one multiplier `t_k` per layer is the block
//! tridiagonal LMI with diagonal blocks `ρI, t₁I, …, t_L I − W_LᵀW_L` and off-diagonal
//! blocks `−(β t_k/2) W_{k−1}`. Eliminating blocks from the input with `t_k = ρ τ_k`:
//!
//! ```text
//!   X₀ = I,   X_k = τ_k I − (β² τ_k² / 4) W_{k−1} X_{k−1}⁻¹ W_{k−1}ᵀ,
//!   τ_k = 2 / (β² σ_k),  σ_k = λ_max(W_{k−1} X_{k−1}⁻¹ W_{k−1}ᵀ)   (maximises λ_min(X_k)),
//!   ρ = λ_max(W_L X_L⁻¹ W_Lᵀ),
//! ```
//!
//! a feasible point in closed form. It is returned as multipliers `(ρ, ρτ₁, …, ρτ_L)` of
//! the LipSDP-Layer program and certified exactly like a solver's output.

use quadra_core::{cholesky, lambda_max, Mat};

use crate::{FeedForward, LipschitzError, QcClass, Result};

/// Layer multipliers `(ρ, t₁, …, t_L)` of LipSDP-Layer in closed form.
pub fn eclipse_fast_multipliers(ff: &FeedForward) -> Result<Vec<f64>> {
    let mut betas = Vec::new();
    for a in &ff.activations {
        match a.qc_class() {
            QcClass::SlopeRestricted { alpha, beta } if alpha == 0.0 && beta > 0.0 => {
                betas.push(beta)
            }
            _ => {
                return Err(LipschitzError::Unsupported(format!(
                    "ECLipsE-Fast needs slope-restricted activations in [0, β]; {} is not",
                    a.name()
                )))
            }
        }
    }
    let n0 = ff.input_dim();
    let mut x = Mat::<f64>::identity(n0, n0);
    let mut taus = Vec::new();
    for (k, &beta) in betas.iter().enumerate() {
        let w = &ff.weights[k];
        let q = quad_form_inverse(w, &x)?;
        let sigma = lambda_max(q.as_ref())?.value;
        if sigma <= 0.0 || !sigma.is_finite() {
            return Err(LipschitzError::Unsupported(format!(
                "ECLipsE-Fast: layer {k} has a zero weight matrix"
            )));
        }
        let tau = 2.0 / (beta * beta * sigma);
        let c = beta * beta * tau * tau / 4.0;
        x = Mat::from_fn(q.nrows(), q.ncols(), |i, j| {
            f64::from(u8::from(i == j)) * tau - c * q[(i, j)]
        });
        taus.push(tau);
    }
    let last = ff.weights.last().expect("at least one weight");
    let q = quad_form_inverse(last, &x)?;
    let rho = lambda_max(q.as_ref())?.value.max(0.0);
    let mut y = vec![rho];
    y.extend(taus.iter().map(|t| rho * t));
    Ok(y)
}

/// `W X⁻¹ Wᵀ` (symmetrised) for `X ≻ 0`.
fn quad_form_inverse(w: &Mat<f64>, x: &Mat<f64>) -> Result<Mat<f64>> {
    let chol = cholesky(x.as_ref()).map_err(|e| {
        LipschitzError::NotCertified(format!(
            "ECLipsE-Fast: a Schur complement lost definiteness ({e})"
        ))
    })?;
    let wt = w.transpose().to_owned();
    let s = chol.solve(wt.as_ref())?;
    let q = w * &s;
    Ok(Mat::from_fn(q.nrows(), q.ncols(), |i, j| {
        0.5 * (q[(i, j)] + q[(j, i)])
    }))
}
