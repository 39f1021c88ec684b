//! The naive bound `Π_k ‖W_k‖ · Π_k Lip(φ_k)`.
//!
//! ℓ2: spectral norms; a residual block contributes `1 + Lip(branch)`, an implicit layer
//! `z = φ(Wz + Ux + b)` with `β‖W‖₂ < 1` contributes `β‖U‖₂ / (1 − β‖W‖₂)`.
//! ℓ∞ (input ‖·‖∞, output ‖·‖₂): `‖·‖∞` operator norms for hidden layers and
//! `‖W_L‖_{∞→2} ≤ √(Σᵢ‖rowᵢ‖₁²)` for the last, feed-forward networks only.

use quadra_core::rounding::up;

use super::{inf_norm_upper, inf_to_two_upper};
use crate::{Activation, Layer, LipschitzError, Network, Norm, QcClass, Result};

/// Lipschitz constant of an activation in ℓ2.
pub fn activation_lipschitz_l2(a: &Activation) -> f64 {
    match a.qc_class() {
        QcClass::SlopeRestricted { alpha, beta } => alpha.abs().max(beta.abs()),
        QcClass::GroupOrthogonal { .. } => 1.0,
    }
}

/// Lipschitz constant of an activation for ‖·‖∞.
pub fn activation_lipschitz_linf(a: &Activation) -> f64 {
    match a {
        Activation::Householder { v } => {
            // ‖I − 2vvᵀ‖∞ = max_i Σ_j |δ_ij − 2 v_i v_j|.
            let g = v.len();
            (0..g)
                .map(|i| {
                    (0..g)
                        .map(|j| (f64::from(u8::from(i == j)) - 2.0 * v[i] * v[j]).abs())
                        .sum::<f64>()
                })
                .fold(1.0, f64::max)
                * (1.0 + 1e-14)
        }
        _ => activation_lipschitz_l2(a),
    }
}

fn layers_l2(layers: &[Layer]) -> Result<f64> {
    let mut l = 1.0f64;
    for layer in layers {
        let f = match layer {
            Layer::Dense(d) => quadra_core::spectral_norm(d.weight.as_ref())?.upper,
            Layer::Activation(a) => activation_lipschitz_l2(a),
            Layer::Residual(inner) => up(1.0 + layers_l2(inner)?),
            Layer::Implicit(imp) => {
                let beta = activation_lipschitz_l2(&imp.activation);
                let w = up(beta * quadra_core::spectral_norm(imp.w.as_ref())?.upper);
                if w >= 1.0 {
                    return Err(LipschitzError::Unsupported(
                        "naive bound of an implicit layer needs β‖W‖₂ < 1".into(),
                    ));
                }
                let u = up(beta * quadra_core::spectral_norm(imp.u.as_ref())?.upper);
                up(u / quadra_core::rounding::down(1.0 - w))
            }
        };
        l = up(l * f);
    }
    Ok(l)
}

/// The naive bound.
pub fn naive(net: &Network, norm: Norm) -> Result<f64> {
    net.validate()?;
    match norm {
        Norm::L2 => layers_l2(&net.layers),
        Norm::Linf => {
            let ff = net.feed_forward()?.ok_or_else(|| {
                LipschitzError::Unsupported(
                    "the naive ℓ∞ bound is implemented for feed-forward networks only".into(),
                )
            })?;
            let last = ff.weights.len() - 1;
            let mut l = inf_to_two_upper(&ff.weights[last]);
            for k in 0..last {
                l = up(l * inf_norm_upper(&ff.weights[k]));
                l = up(l * activation_lipschitz_linf(&ff.activations[k]));
            }
            Ok(l)
        }
    }
}
