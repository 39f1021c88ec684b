//! Bounds in closed form: no SDP solve.
//!
//! * [`naive`]: the product of layer norms and activation Lipschitz constants;
//! * [`liplt`]: LipLT's loop transformation (Fazlyab et al. 2023);
//! * [`eclipse_fast`]: ECLipsE-Fast's sequential Schur complements (Xu & Sivaranjani 2024),
//!   a closed-form feasible point of LipSDP-Layer that is certified like any SDP solution.
//!
//! Norm-product bounds are computed with rigorous upper enclosures of every norm and
//! every product (quadra-core's spectral enclosures plus `γ_n |A||B|` for products), so
//! the value they return is itself a bound without a further check.

pub mod eclipse_fast;
pub mod liplt;
pub mod naive;

use quadra_core::rounding::{frobenius_upper, gamma, up};
use quadra_core::Mat;

use crate::Result;

/// Rigorous upper bound on `‖M_k ⋯ M_1‖₂` for `mats = [M_1, …, M_k]` (applied in order).
pub fn product_norm_upper(mats: &[&Mat<f64>]) -> Result<f64> {
    let mut p = mats[0].clone();
    let mut a = abs(mats[0]);
    let mut inner = 0usize;
    for m in &mats[1..] {
        inner += m.ncols();
        p = *m * &p;
        a = &abs(m) * &a;
    }
    let s = quadra_core::spectral_norm(p.as_ref())?.upper;
    if mats.len() == 1 {
        return Ok(s);
    }
    let n = a.nrows();
    let c = a.ncols();
    let entries: Vec<f64> = (0..c)
        .flat_map(|j| (0..n).map(move |i| (i, j)))
        .map(|(i, j)| a[(i, j)])
        .collect();
    // |fl(M_k⋯M_1) − M_k⋯M_1| ≤ γ_{Σn} |M_k|⋯|M_1| (Higham, Accuracy and Stability, §3.5);
    // the computed |M|-product itself is rounded, hence the extra factor.
    let err = up(gamma(inner + 2 * mats.len()) * frobenius_upper(entries) * (1.0 + 1e-10));
    Ok(up(s + err))
}

fn abs(m: &Mat<f64>) -> Mat<f64> {
    Mat::from_fn(m.nrows(), m.ncols(), |i, j| m[(i, j)].abs())
}

/// `max_i Σ_j |m_ij|` rounded upwards (the ℓ∞ operator norm).
pub fn inf_norm_upper(m: &Mat<f64>) -> f64 {
    (0..m.nrows())
        .map(|i| {
            let s: f64 = (0..m.ncols()).map(|j| m[(i, j)].abs()).sum();
            up(s * (1.0 + gamma(m.ncols() + 1)))
        })
        .fold(0.0, f64::max)
}

/// `√(Σ_i ‖row_i‖₁²)` rounded upwards: a bound on the `‖·‖∞ → ‖·‖₂` operator norm.
pub fn inf_to_two_upper(m: &Mat<f64>) -> f64 {
    let rows: Vec<f64> = (0..m.nrows())
        .map(|i| {
            let s: f64 = (0..m.ncols()).map(|j| m[(i, j)].abs()).sum();
            up(s * (1.0 + gamma(m.ncols() + 1)))
        })
        .collect();
    frobenius_upper(rows)
}
