//! LipLT: the loop-transformed recursion (Fazlyab, Entesari, Roy, Chellappa, NeurIPS 2023,
//! "Certified robustness via dynamic margin maximization and improved Lipschitz
//! regularization", §4).
//!
//! A slope-restricted `φ ∈ [α, β]` is `φ(z) = m z + r ψ(z)` with `m = (α+β)/2`,
//! `r = (β−α)/2` and `ψ` 1-Lipschitz. With `z₀ = W₀x` and `z_{k+1} = W_{k+1} φ(z_k)`,
//! unrolling the linear parts gives
//!
//! ```text
//!   z_{k+1} = m^{k+1} W_{k+1}⋯W₀ x + Σ_{j=0}^{k} r m^{k−j} W_{k+1}⋯W_{j+1} ψ(z_j),
//!   L_{k+1} ≤ |m|^{k+1} ‖W_{k+1}⋯W₀‖ + Σ_{j=0}^{k} |r| |m|^{k−j} ‖W_{k+1}⋯W_{j+1}‖ L_j,
//! ```
//!
//! `L₀ = ‖W₀‖`, and the bound is `L_L` for the last layer. Every product norm is an upper
//! enclosure ([`super::product_norm_upper`]), so the recursion is a rigorous bound.
//! Group maps have no linear part (`m = 0`, `r = 1`), which gives the naive bound.

use quadra_core::rounding::up;

use super::product_norm_upper;
use crate::{FeedForward, LipschitzError, QcClass, Result};

/// The LipLT bound of a feed-forward network (ℓ2).
pub fn liplt(ff: &FeedForward) -> Result<f64> {
    let big_l = ff.weights.len() - 1;
    let mut mr = Vec::with_capacity(big_l);
    for a in &ff.activations {
        match a.qc_class() {
            QcClass::SlopeRestricted { alpha, beta } => {
                mr.push((0.5 * (alpha + beta), 0.5 * (beta - alpha)))
            }
            QcClass::GroupOrthogonal { .. } => mr.push((0.0, 1.0)),
        }
    }
    if mr.windows(2).any(|w| w[0] != w[1]) {
        return Err(LipschitzError::Unsupported(
            "LipLT is implemented for networks whose activations share one slope class".into(),
        ));
    }
    let (m, r) = mr.first().copied().unwrap_or((0.0, 1.0));
    let (m, r) = (m.abs(), r.abs());
    // ‖W_b ⋯ W_a‖ for a ≤ b.
    let prod = |a: usize, b: usize| -> Result<f64> {
        let mats: Vec<&quadra_core::Mat<f64>> = (a..=b).map(|k| &ff.weights[k]).collect();
        product_norm_upper(&mats)
    };
    let mut l = vec![prod(0, 0)?];
    for k in 0..big_l {
        let mut next = up(m.powi(k as i32 + 1) * prod(0, k + 1)?);
        for (j, lj) in l.iter().enumerate() {
            let term = up(up(r * m.powi((k - j) as i32)) * up(prod(j + 1, k + 1)? * lj));
            next = up(next + term);
        }
        l.push(next);
    }
    Ok(l[big_l])
}
