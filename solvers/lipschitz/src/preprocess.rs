//! Exact preprocessing before an SDP solve.
//!
//! * **Per-layer normalisation.** Dividing `W_k` by `s_k > 0` and scaling the hidden
//!   signals accordingly is a congruence of the LipSDP matrix: the scaled program's
//!   optimum is the original's divided by `(Π s_k)²`, for every slope-restricted or
//!   positively homogeneous group activation (`proofs/lipschitz_certificate.md`). We use
//!   powers of two near `‖W_k‖₂`, so the division is exact in floating point and the
//!   verifier rebuilds the same matrices. Without it an 18-layer MaxMin net spans 10⁴⁰
//!   between its first and last blocks and solvers report it infeasible.
//! * **Per-layer rebalancing** ([`Rebalancing`]). Any power of two per signal block is
//!   also an exact congruence (a change of the layer exponents and of the multipliers'
//!   units); it brings a deep network's multipliers, which still fall geometrically towards
//!   the input after normalisation, to order one — before the solve from ECLipsE-Fast's
//!   layer multipliers, and for the certificate from the solved ones.
//! * **ℓ2 input reduction.** `f(x)` depends on `x` only through `W₀x`; with
//!   `W₀ᵀ = QR` (thin QR, `Q` orthonormal columns) `W₀ = RᵀQᵀ` and `x ↦ Qᵀx` maps the
//!   unit ball onto the unit ball of the range, so the ℓ2 constant of `f` equals that of
//!   the network with first weight `Rᵀ` (`n₁ × n₁`). A 784-input net shrinks to its
//!   hidden width. The certificate is then checked on the original network.

use quadra_core::Mat;

use crate::program::LipProgram;
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

/// The exponents of a congruence `D = diag(2^{−m₀} I, 2^{−m₁} I, …, 2^{−m_L} I)` of the
/// LipSDP matrix of a feed-forward network, one per signal block: `m₀` for the input,
/// `m_k` for the output of activation node `k`.
///
/// Substituting `Δx_k = c_k Δx̃_k` (`c_k = 2^{−m_k}`) turns every quadratic constraint of
/// node `k` into `c_k²` times the same constraint of the network whose dense layer `j`
/// (from block `a` to block `b`) is `(c_a / c_b) W_j`, and the objective block `ρI` into
/// `c₀² ρ I`. So `D F(ρ, τ) D = F̃(c₀² ρ, c_k² τ_k)`: the program of the network with
/// layer exponents `e_j' = e_j + m_a − m_b` (the output block keeps `m = 0`) at multipliers
/// scaled by `4^{−m_k}`, an exact change of units because every factor is a power of two.
/// Its bound `√ρ̃ · 2^{Σe'}` equals the original `√ρ · 2^{Σe}`.
///
/// Why: after per-layer normalisation the multipliers of a deep network still fall
/// geometrically towards the input (40 random ReLU layers of width 64: from 1 at the
/// output to 10⁻¹⁶ at the input, with `ρ` just as small). The certificate's rounding
/// margin is absolute (a multiple of the largest entries), so blocks that small cannot be
/// proven positive; after the congruence every block's multipliers are near 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rebalancing {
    /// `m₀`: the input block (scales the objective variables by `4^{−m₀}`).
    pub input: i32,
    /// `m_k` per activation node (scales its multipliers by `4^{−m_k}`).
    pub nodes: Vec<i32>,
}

impl Rebalancing {
    /// Exponents that bring the largest multiplier of each node, and the largest objective
    /// variable, to within a factor 2 of 1 (`m = round(log₂(max |y|)/2)`; 0 for a block
    /// whose multipliers are all zero or not finite, and for a node that feeds the output
    /// directly, which has no dense layer after it to absorb the scale).
    pub fn from_multipliers(prog: &LipProgram, y: &[f64], dense_layers: usize) -> Rebalancing {
        let largest = |vals: &mut dyn Iterator<Item = f64>| -> f64 {
            vals.fold(0.0f64, |m, a| m.max(a.abs()))
        };
        let objective = largest(&mut y.iter().take(prog.objective_vars).copied());
        let count = prog.groups.iter().map(|g| g.node + 1).max().unwrap_or(0);
        let nodes: Vec<f64> = (0..count)
            .map(|k| {
                largest(
                    &mut prog
                        .groups
                        .iter()
                        .filter(|g| g.node == k)
                        .flat_map(|g| y.iter().skip(g.start).take(g.count))
                        .copied(),
                )
            })
            .collect();
        Rebalancing::from_scales(objective, &nodes, dense_layers)
    }

    /// The same from one scale per block (the largest objective variable, the largest
    /// multiplier of each node).
    pub fn from_scales(objective: f64, nodes: &[f64], dense_layers: usize) -> Rebalancing {
        let exponent = |big: f64| -> i32 {
            if big > 0.0 && big.is_finite() {
                ((big.log2() / 2.0).round() as i32).clamp(-MAX_EXP, MAX_EXP)
            } else {
                0
            }
        };
        Rebalancing {
            input: exponent(objective),
            nodes: nodes
                .iter()
                .enumerate()
                .map(|(k, &t)| if k + 1 < dense_layers { exponent(t) } else { 0 })
                .collect(),
        }
    }

    /// Whether the congruence is the identity.
    pub fn is_identity(&self) -> bool {
        self.input == 0 && self.nodes.iter().all(|&m| m == 0)
    }

    /// The layer exponents `e_j' = e_j + m_{in(j)} − m_{out(j)}` of the rebalanced
    /// program, for a canonical feed-forward network (dense layer `j` reads node `j − 1`,
    /// or the input for `j = 0`, and writes node `j`, or the output for the last one).
    pub fn layer_exponents(&self, exps: &[i32]) -> Vec<i32> {
        let block = |k: Option<usize>| -> i32 {
            match k {
                None => self.input,
                Some(k) => self.nodes.get(k).copied().unwrap_or(0),
            }
        };
        exps.iter()
            .enumerate()
            .map(|(j, &e)| {
                let into = block(j.checked_sub(1));
                let out = if j + 1 < exps.len() {
                    block(Some(j))
                } else {
                    0
                };
                (e + into - out).clamp(-MAX_EXP, MAX_EXP)
            })
            .collect()
    }

    /// The multipliers of the rebalanced program: `y · 4^{−m}` of their block.
    pub fn multipliers(&self, prog: &LipProgram, y: &[f64]) -> Vec<f64> {
        let mut out = y.to_vec();
        let scale = |m: i32| quadra_core::rounding::pow2(-2 * m);
        for a in out.iter_mut().take(prog.objective_vars) {
            *a *= scale(self.input);
        }
        for g in &prog.groups {
            let m = self.nodes.get(g.node).copied().unwrap_or(0);
            for a in out.iter_mut().skip(g.start).take(g.count) {
                *a *= scale(m);
            }
        }
        out
    }
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

    /// `D F(y) D = F̃(ỹ)` exactly (powers of two), where `F̃` is the program of the
    /// network with the rebalanced layer exponents and `ỹ` the rescaled multipliers; for
    /// LipSDP-Neuron (ℓ2) and LipSDP-Layer (ℓ∞, one objective variable per input).
    #[test]
    fn rebalancing_is_the_congruence_it_claims() {
        use crate::program::{build_program, SdpMethod};
        use crate::signal_graph::SignalGraph;
        use crate::Norm;
        let mut rng = quadra_core::seeded_rng(5);
        let dims = [3usize, 4, 5, 2];
        let mut layers = Vec::new();
        for k in 0..dims.len() - 1 {
            let w = quadra_core::gaussian_matrix(dims[k + 1], dims[k], &mut rng);
            layers.push(Layer::Dense(Dense::new(w)));
            if k + 2 < dims.len() {
                layers.push(Layer::Activation(Activation::Relu));
            }
        }
        let net = Network {
            input_dim: dims[0],
            layers,
        };
        let (scaled, exps) = normalise_layers(&net).unwrap();
        for (method, norm) in [
            (SdpMethod::Neuron, Norm::L2),
            (SdpMethod::Layer, Norm::Linf),
        ] {
            let prog = build_program(
                &SignalGraph::from_network(&scaled).unwrap(),
                method,
                norm,
                0.0,
            )
            .unwrap();
            let y: Vec<f64> = (0..prog.problem.num_vars())
                .map(|i| 0.25 + (i as f64 * 0.7).sin().abs())
                .collect();
            let r = Rebalancing {
                input: -3,
                nodes: vec![2, -1],
            };
            let e = r.layer_exponents(&exps);
            assert_eq!(e, vec![exps[0] - 3 - 2, exps[1] + 2 + 1, exps[2] - 1]);
            let net2 = apply_exponents(&net, &e).unwrap();
            let prog2 = build_program(
                &SignalGraph::from_network(&net2).unwrap(),
                method,
                norm,
                0.0,
            )
            .unwrap();
            let y2 = r.multipliers(&prog, &y);
            let f = prog.problem.blocks[0].eval(&y);
            let f2 = prog2.problem.blocks[0].eval(&y2);
            // Block exponents along the stacked signal (input 3, nodes 4 and 5).
            let m: Vec<i32> = (0..12)
                .map(|i| match i {
                    0..=2 => -3,
                    3..=6 => 2,
                    _ => -1,
                })
                .collect();
            for i in 0..12 {
                for j in 0..12 {
                    let want = f[(i, j)] * quadra_core::rounding::pow2(-m[i] - m[j]);
                    assert!(
                        (f2[(i, j)] - want).abs() <= 1e-14 * (1.0 + want.abs()),
                        "{method:?} ({i},{j}): {} vs {want}",
                        f2[(i, j)]
                    );
                }
            }
            assert_eq!(
                scale_of(&e),
                scale_of(&exps) * quadra_core::rounding::pow2(-3)
            );
        }
    }

    /// Per-node exponents from multipliers: the largest of each node lands in `[½, 2]`,
    /// the last node (feeding the output) and all-zero nodes keep 0.
    #[test]
    fn rebalancing_exponents_come_from_the_largest_multiplier() {
        use crate::program::{build_program, SdpMethod};
        use crate::signal_graph::SignalGraph;
        use crate::Norm;
        let w = |r: usize, c: usize| Mat::from_fn(r, c, |i, j| 1.0 + (i + 2 * j) as f64);
        let mk = |end_with_activation: bool| {
            let mut layers = vec![
                Layer::Dense(Dense::new(w(2, 2))),
                Layer::Activation(Activation::Relu),
                Layer::Dense(Dense::new(w(2, 2))),
                Layer::Activation(Activation::Relu),
                Layer::Dense(Dense::new(w(1, 2))),
            ];
            if end_with_activation {
                layers.push(Layer::Activation(Activation::Relu));
            }
            Network {
                input_dim: 2,
                layers,
            }
        };
        let prog = build_program(
            &SignalGraph::from_network(&mk(false)).unwrap(),
            SdpMethod::Neuron,
            Norm::L2,
            0.0,
        )
        .unwrap();
        // ρ = 2⁻¹⁰, node 0: (1e-6, 3e-6), node 1: zeros.
        let y = [2f64.powi(-10), 1e-6, 3e-6, 0.0, 0.0];
        let r = Rebalancing::from_multipliers(&prog, &y, 3);
        assert_eq!(r.input, -5);
        assert_eq!(r.nodes, vec![-9, 0]);
        let y2 = r.multipliers(&prog, &y);
        assert_eq!(y2[0], 1.0);
        assert!((0.5..=2.0).contains(&y2[2]));
        // A node that feeds the output directly is not rescaled.
        let prog = build_program(
            &SignalGraph::from_network(&mk(true)).unwrap(),
            SdpMethod::Neuron,
            Norm::L2,
            0.0,
        )
        .unwrap();
        let y = [1.0, 1e-6, 3e-6, 1e-6, 1e-6, 1e-6];
        let r = Rebalancing::from_multipliers(&prog, &y, 3);
        assert_eq!(r.nodes, vec![-9, -10, 0]);
        assert!(
            Rebalancing::from_multipliers(&prog, &[1.0, 0.0, 0.0, 0.0, 0.0, 0.0], 3).is_identity()
        );
    }
}
