//! The LipSDP family as one linear matrix inequality over the stacked signal.
//!
//! With `s = (Δx, Δv₁, …)` and the network written as `Δz_k = Z_k s`, `Δy = C s`
//! ([`SignalGraph`]), a constant `L` with `‖Δy‖₂ ≤ L‖Δx‖` follows from the S-procedure
//! whenever multipliers make
//!
//! ```text
//!   F(ρ, τ) = N(ρ) − CᵀC − Σ_q τ_q Φ_q ⪰ 0,          L = √(objective)
//! ```
//!
//! where `sᵀΦ_q s ≥ 0` are quadratic constraints every admissible activation satisfies,
//! `τ_q ≥ 0` (or free where the constraint is an equality), and `N` is `ρ·I` on the input
//! block (ℓ2, objective ρ) or `diag(λ)` with objective `Σλᵢ` (ℓ∞ input, since
//! `‖Δx‖∞ ≤ 1 ⇒ Σλᵢ Δxᵢ² ≤ Σλᵢ`). The constraints (`proofs/lipschitz_quadratic_constraints.md`):
//!
//! * slope restriction `[α, β]` of neuron `j` (Fazlyab et al. 2019, Lemma 1):
//!   `(Δv − αΔz)(βΔz − Δv) ≥ 0`, so `−Φ = −¼(β−α)² a aᵀ + ¼ (2e − (α+β)a)(2e − (α+β)a)ᵀ`
//!   with `a` the row of `Z` and `e` the neuron's own coordinate (rank 2);
//! * a group map with orthogonal Jacobian (MaxMin, GroupSort, Householder) on group `G`:
//!   `‖P ΔzG‖² − ‖P ΔvG‖² ≥ 0` for the projector `P` onto the part it may change, and
//!   `‖R ΔzG‖² − ‖R ΔvG‖² = 0` on the part it preserves (`R = 11ᵀ/g` for sorting: sum
//!   preservation; `R = I − vvᵀ` for Householder), whose multiplier has no sign
//!   (Pauli et al., ICLR 2024). Without the preserved part (`P = I`) this is plain
//!   1-Lipschitzness.
//!
//! Methods differ in how many multipliers they use: one per neuron or group
//! ([`SdpMethod::Neuron`], LipSDP-Neuron), one per activation layer
//! ([`SdpMethod::Layer`], LipSDP-Layer), or one per group plus a free one for the preserved
//! part ([`SdpMethod::Nsr`], LipSDP-NSR). LipSDP-Network's coupled multipliers are not
//! offered: they are unsound (a 3-3-1 ReLU net gives 3.0767 < 3.6169, the true constant).

use quadra_conic::lmi::{CoefMatrix, LmiBlock, LmiProblem, SparseVector, VarDomain};

use crate::signal_graph::{ActivationNode, SignalGraph};
use crate::{Activation, Norm, QcClass};

/// Which multipliers an SDP bound uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SdpMethod {
    /// One multiplier per neuron (per group for group maps).
    Neuron,
    /// One multiplier per activation layer.
    Layer,
    /// Per neuron/group, plus sign-free multipliers for preserved directions of group maps.
    Nsr,
}

/// What one multiplier variable stands for (for certificates people read).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MultiplierGroup {
    /// Activation node index.
    pub node: usize,
    /// Network layer index.
    pub layer: usize,
    /// `"slope"`, `"norm"` (‖P·‖ inequality) or `"preserved"` (sign-free equality).
    pub kind: String,
    /// First variable index.
    pub start: usize,
    /// Number of variables.
    pub count: usize,
}

/// A LipSDP program ready for a backend, with the bookkeeping certificates need.
#[derive(Debug, Clone)]
pub struct LipProgram {
    /// The LMI program (variables: objective variables first, then multipliers).
    pub problem: LmiProblem,
    /// Number of leading objective variables (1 for ℓ2: ρ; `n₀` for ℓ∞: λ).
    pub objective_vars: usize,
    /// Size of the input block (the first rows/columns of the LMI).
    pub input_dim: usize,
    /// The norm.
    pub norm: Norm,
    /// Multiplier layout.
    pub groups: Vec<MultiplierGroup>,
    /// Frobenius-norm bound on the error of the constant matrix from rounding in the graph.
    pub constant_error: f64,
    /// Per variable: Frobenius-norm bound on the error of its coefficient matrix.
    pub coef_errors: Vec<f64>,
}

/// `ca·a + ce·e_idx` as a sparse vector.
fn combine(a: &SparseVector, ca: f64, idx: usize, ce: f64) -> SparseVector {
    let mut out = SparseVector::default();
    let mut placed = false;
    for (i, v) in a.iter() {
        if i == idx {
            out.indices.push(i);
            out.values.push(ca * v + ce);
            placed = true;
        } else {
            out.indices.push(i);
            out.values.push(ca * v);
        }
    }
    if !placed && ce != 0.0 {
        out.indices.push(idx);
        out.values.push(ce);
    }
    out
}

fn norm2(v: &SparseVector) -> f64 {
    v.values.iter().map(|a| a * a).sum::<f64>().sqrt()
}

/// Frobenius error of `s·w wᵀ` when `w` carries an error of norm at most `d`.
fn rank_one_error(s: f64, w: &SparseVector, d: f64) -> f64 {
    s.abs() * (2.0 * norm2(w) * d + d * d)
}

/// Orthonormal bases `(P-basis, R-basis)` of the changed and preserved subspaces of a
/// group map on one group.
fn group_bases(act: &Activation, g: usize, sign_free: bool) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let unit = |i: usize| -> Vec<f64> { (0..g).map(|k| f64::from(u8::from(k == i))).collect() };
    if !sign_free {
        return ((0..g).map(unit).collect(), Vec::new());
    }
    let special: Vec<f64> = match act {
        Activation::Householder { v } => v.clone(),
        _ => vec![1.0 / (g as f64).sqrt(); g],
    };
    // Orthonormal complement of `special` by Gram–Schmidt on the unit vectors.
    let mut complement: Vec<Vec<f64>> = Vec::new();
    for i in 0..g {
        let mut w = unit(i);
        for b in std::iter::once(&special).chain(complement.iter()) {
            let d: f64 = w.iter().zip(b).map(|(x, y)| x * y).sum();
            w.iter_mut().zip(b).for_each(|(x, y)| *x -= d * y);
        }
        let n: f64 = w.iter().map(|x| x * x).sum::<f64>().sqrt();
        if n > 1e-8 && complement.len() + 1 < g {
            complement.push(w.iter().map(|x| x / n).collect());
        }
    }
    match act {
        // Householder changes only the v direction; sorting changes the complement of 1.
        Activation::Householder { .. } => (vec![special], complement),
        _ => (complement, vec![special]),
    }
}

/// Builds the LipSDP program of `graph`. `hidden_margin ≥ 0` asks for `F ⪰ margin·I` on
/// the non-input block (a strictly feasible point that survives rounding; 0 for the
/// exact program used by verification).
pub fn build_program(
    graph: &SignalGraph,
    method: SdpMethod,
    norm: Norm,
    hidden_margin: f64,
) -> crate::Result<LipProgram> {
    let n0 = graph.input_dim;
    let objective_vars = match norm {
        Norm::L2 => 1,
        Norm::Linf => n0,
    };
    let mut domains = vec![VarDomain::Nonneg; objective_vars];
    let mut objective = vec![1.0; objective_vars];
    let mut terms: Vec<(usize, CoefMatrix)> = Vec::new();
    let mut coef_errors = vec![0.0; objective_vars];
    match norm {
        Norm::L2 => terms.push((
            0,
            CoefMatrix::Sparse((0..n0).map(|i| (i, i, 1.0)).collect()),
        )),
        Norm::Linf => {
            for i in 0..n0 {
                terms.push((i, CoefMatrix::Sparse(vec![(i, i, 1.0)])));
            }
        }
    }
    let mut groups = Vec::new();
    for (k, node) in graph.nodes.iter().enumerate() {
        let per_var = node_terms(node, method)?;
        let mut by_kind: Vec<(String, usize)> = Vec::new();
        for (kind, dom, lr, err) in per_var {
            let var = domains.len();
            domains.push(dom);
            objective.push(0.0);
            coef_errors.push(err);
            terms.push((var, CoefMatrix::LowRank(lr)));
            match by_kind.last_mut() {
                Some((kd, c)) if *kd == kind => *c += 1,
                _ => by_kind.push((kind, 1)),
            }
        }
        let mut start = domains.len() - by_kind.iter().map(|(_, c)| c).sum::<usize>();
        for (kind, count) in by_kind {
            groups.push(MultiplierGroup {
                node: k,
                layer: node.layer,
                kind,
                start,
                count,
            });
            start += count;
        }
    }
    // Constant: −CᵀC, minus the margin on the non-input block.
    let mut constant: Vec<(f64, SparseVector)> = Vec::new();
    let mut constant_error = 0.0;
    for (c, &d) in graph.outputs.iter().zip(&graph.output_errors) {
        constant.push((-1.0, c.clone()));
        constant_error += rank_one_error(1.0, c, d);
    }
    if hidden_margin > 0.0 {
        for i in n0..graph.dim {
            constant.push((-hidden_margin, SparseVector::unit(i)));
        }
    }
    let mut block = LmiBlock::new(graph.dim);
    block.constant = CoefMatrix::LowRank(constant);
    block.terms = terms;
    objective.truncate(domains.len());
    let problem = LmiProblem {
        objective: objective
            .iter()
            .enumerate()
            .map(|(i, &c)| if i < objective_vars { c } else { 0.0 })
            .collect(),
        domains,
        blocks: vec![block],
    };
    Ok(LipProgram {
        problem,
        objective_vars,
        input_dim: n0,
        norm,
        groups,
        constant_error,
        coef_errors,
    })
}

type VarTerms = (String, VarDomain, Vec<(f64, SparseVector)>, f64);

/// The multiplier variables of one activation node: kind, domain, `−Φ` as rank-one
/// terms, and the Frobenius error bound of that matrix.
fn node_terms(node: &ActivationNode, method: SdpMethod) -> crate::Result<Vec<VarTerms>> {
    let mut out: Vec<VarTerms> = Vec::new();
    match node.activation.qc_class() {
        QcClass::SlopeRestricted { alpha, beta } => {
            for (j, a) in node.inputs.iter().enumerate() {
                let d = node.input_errors[j];
                let e = node.output_offset + j;
                let w1 = combine(a, beta - alpha, usize::MAX, 0.0);
                let w2 = combine(a, -(alpha + beta), e, 2.0);
                let err = rank_one_error(0.25, &w1, (beta - alpha).abs() * d)
                    + rank_one_error(0.25, &w2, (alpha + beta).abs() * d);
                let lr = vec![(-0.25, w1), (0.25, w2)];
                out.push(("slope".into(), VarDomain::Nonneg, lr, err));
            }
        }
        QcClass::GroupOrthogonal { group, .. } => {
            let sign_free = method == SdpMethod::Nsr;
            let (p_basis, r_basis) = group_bases(&node.activation, group, sign_free);
            let groups = node.width() / group;
            for kind in ["norm", "preserved"] {
                let basis = if kind == "norm" { &p_basis } else { &r_basis };
                if basis.is_empty() {
                    continue;
                }
                for gi in 0..groups {
                    let mut lr = Vec::new();
                    let mut err = 0.0;
                    for b in basis {
                        // Zᵀb over the group's input rows; Vᵀb on its output coordinates.
                        let mut zb = SparseVector::default();
                        let mut d = 0.0;
                        let mut acc = std::collections::BTreeMap::new();
                        for (p, &bp) in b.iter().enumerate() {
                            let row = &node.inputs[gi * group + p];
                            d += bp.abs() * node.input_errors[gi * group + p];
                            for (i, v) in row.iter() {
                                *acc.entry(i).or_insert(0.0) += bp * v;
                            }
                        }
                        for (i, v) in acc {
                            if v != 0.0 {
                                zb.indices.push(i);
                                zb.values.push(v);
                            }
                        }
                        let vb = SparseVector::from_pairs(
                            b.iter()
                                .enumerate()
                                .map(|(p, &bp)| (node.output_offset + gi * group + p, bp)),
                        );
                        err += rank_one_error(1.0, &zb, d);
                        lr.push((-1.0, zb));
                        lr.push((1.0, vb));
                    }
                    let dom = if kind == "norm" {
                        VarDomain::Nonneg
                    } else {
                        VarDomain::Free
                    };
                    out.push((kind.into(), dom, lr, err));
                }
            }
        }
    }
    if method == SdpMethod::Layer {
        // One multiplier per kind: sum the terms.
        let mut merged: Vec<VarTerms> = Vec::new();
        for (kind, dom, lr, err) in out {
            match merged.iter_mut().find(|(k, ..)| *k == kind) {
                Some(m) => {
                    m.2.extend(lr);
                    m.3 += err;
                }
                None => merged.push((kind, dom, lr, err)),
            }
        }
        return Ok(merged);
    }
    Ok(out)
}
