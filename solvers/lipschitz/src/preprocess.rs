//! Exact preprocessing before an SDP solve.
//!
//! * **Per-layer normalisation.** Dividing `W_k` by `s_k > 0` and scaling the hidden
//!   signals accordingly is a congruence of the LipSDP matrix: the scaled program's
//!   optimum is the original's divided by `(Π s_k)²`, for every slope-restricted or
//!   positively homogeneous group activation (`proofs/lipschitz_certificate.md`). We use
//!   powers of two near `‖W_k‖₂`, so the division is exact in floating point and the
//!   verifier rebuilds the same matrices. Without it an 18-layer MaxMin net spans 10⁴⁰
//!   between its first and last blocks and solvers report it infeasible.
//! * **ℓ2 input reduction.** `f(x)` depends on `x` only through `W₀x`; with
//!   `W₀ᵀ = QR` (thin QR, `Q` orthonormal columns) `W₀ = RᵀQᵀ` and `x ↦ Qᵀx` maps the
//!   unit ball onto the unit ball of the range, so the ℓ2 constant of `f` equals that of
//!   the network with first weight `Rᵀ` (`n₁ × n₁`). A 784-input net shrinks to its
//!   hidden width. The certificate is then checked on the original network.

use quadra_core::Mat;

use crate::{Layer, Network, Result};

/// Largest exponent used for normalisation (keeps `2^{±e}` normal).
const MAX_EXP: i32 = 500;

/// Divides every dense layer of a feed-forward network by a power of two near its
/// spectral norm; returns the scaled network and the exponents (one per dense layer,
/// in order; all zero for residual or implicit networks, which are left unchanged).
pub fn normalise_layers(net: &Network) -> Result<(Network, Vec<i32>)> {
    let feed_forward = net
        .layers
        .iter()
        .all(|l| matches!(l, Layer::Dense(_) | Layer::Activation(_)));
    let mut out = net.clone();
    let mut exps = Vec::new();
    for layer in &mut out.layers {
        if let Layer::Dense(d) = layer {
            let e = if feed_forward {
                let s = quadra_core::spectral_norm(d.weight.as_ref())?.value;
                if s > 0.0 && s.is_finite() {
                    (s.log2().round() as i32).clamp(-MAX_EXP, MAX_EXP)
                } else {
                    0
                }
            } else {
                0
            };
            apply_exponent(d, e);
            exps.push(e);
        }
    }
    Ok((out, exps))
}

/// Below this estimate of the normalised network's constant, the first layer absorbs
/// the scale for the certificate.
const REBALANCE_BELOW: f64 = 1.0 / 16.0;

/// After per-layer normalisation a deep network's constant can be far below 1 (each
/// `‖W_k‖₂` overestimates the layer's effect on the signals that reach it; 40 random
/// layers of width 64 give `ρ ≈ 10⁻¹⁶`), which puts the objective `ρ` of LipSDP many
/// orders of magnitude below the hidden blocks — and then the certificate's absolute
/// rounding margin exceeds `ρ` and nothing can be proven. Dividing `W₀` by one more
/// power of two `2^k` (`k ≤ 0`) near `estimate` (the normalised constant: the solver's
/// `√ρ`, or a closed-form bound) is the congruence `diag(2^{−k}I, I)` of the LipSDP
/// matrix: the hidden multipliers are unchanged and `ρ` scales by `4^{−k}`, back near
/// 1. Returns `k` (0 when `estimate ≥ 1/16` or is not a positive number).
pub fn rebalance_exponent(estimate: f64) -> i32 {
    if !(estimate > 0.0 && estimate.is_finite() && estimate < REBALANCE_BELOW) {
        return 0;
    }
    (estimate.log2().round() as i32).clamp(-MAX_EXP, 0)
}

fn apply_exponent(d: &mut crate::Dense, e: i32) {
    if e == 0 {
        return;
    }
    let f = quadra_core::rounding::pow2(-e);
    for j in 0..d.weight.ncols() {
        for i in 0..d.weight.nrows() {
            d.weight[(i, j)] *= f;
        }
    }
    // Biases do not affect a Lipschitz constant; scaling them keeps the scaled network a
    // genuine rescaling of the original for positively homogeneous activations.
    d.bias.iter_mut().for_each(|b| *b *= f);
}

/// Rebuilds the normalised network from stored exponents (what the verifier does).
pub fn apply_exponents(net: &Network, exps: &[i32]) -> Result<Network> {
    let mut out = net.clone();
    let mut k = 0;
    for layer in &mut out.layers {
        if let Layer::Dense(d) = layer {
            let e = *exps.get(k).ok_or_else(|| {
                crate::LipschitzError::BadCertificate(format!(
                    "{} layer exponents for a network with more dense layers",
                    exps.len()
                ))
            })?;
            if e.abs() > MAX_EXP {
                return Err(crate::LipschitzError::BadCertificate(format!(
                    "layer exponent {e} out of range"
                )));
            }
            apply_exponent(d, e);
            k += 1;
        }
    }
    if k != exps.len() {
        return Err(crate::LipschitzError::BadCertificate(format!(
            "{} layer exponents for a network with {k} dense layers",
            exps.len()
        )));
    }
    Ok(out)
}

/// `2^{Σ e}` as an exact power of two.
pub fn scale_of(exps: &[i32]) -> f64 {
    let s: i32 = exps.iter().sum();
    quadra_core::rounding::pow2(s)
}

/// The ℓ2 input reduction (module docs), when the first layer is dense with more
/// inputs than outputs; `None` otherwise.
pub fn reduce_input_l2(net: &Network) -> Result<Option<Network>> {
    let Some(Layer::Dense(first)) = net.layers.first() else {
        return Ok(None);
    };
    let (n1, n0) = (first.weight.nrows(), first.weight.ncols());
    if n0 <= n1 {
        return Ok(None);
    }
    let wt = first.weight.transpose().to_owned();
    let qr = wt.qr();
    let r = qr.thin_R();
    let rt: Mat<f64> = r.transpose().to_owned();
    let mut out = net.clone();
    out.input_dim = rt.ncols();
    if let Layer::Dense(d) = &mut out.layers[0] {
        d.weight = rt;
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Activation, Dense};

    #[test]
    fn reduction_preserves_the_gram_matrix() {
        let w = Mat::from_fn(2, 5, |i, j| ((i * 5 + j) as f64).sin());
        let net = Network {
            input_dim: 5,
            layers: vec![
                Layer::Dense(Dense::new(w.clone())),
                Layer::Activation(Activation::Relu),
                Layer::Dense(Dense::new(Mat::from_fn(1, 2, |_, j| j as f64 + 1.0))),
            ],
        };
        let red = reduce_input_l2(&net).unwrap().unwrap();
        assert_eq!(red.input_dim, 2);
        let Layer::Dense(d) = &red.layers[0] else {
            panic!()
        };
        let g1 = &w * w.transpose();
        let g2 = &d.weight * d.weight.transpose();
        for i in 0..2 {
            for j in 0..2 {
                assert!((g1[(i, j)] - g2[(i, j)]).abs() < 1e-13);
            }
        }
        let (scaled, e) = normalise_layers(&net).unwrap();
        assert_eq!(apply_exponents(&net, &e).unwrap(), scaled);
    }
}
