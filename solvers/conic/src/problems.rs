//! Classic conic programs with closed-form optima, shared by the tests, the benchmarks
//! and the examples (as clarabel keeps its reference problems in one place).

use crate::lmi::{CoefMatrix, LmiBlock, LmiProblem, SparseVector, VarDomain};
use crate::{ConicError, Model, Result, SymAffine};
use quadra_core::Mat;

/// The Lovász theta number of the cycle `C_n` as an SDP (Lovász 1979):
///
/// ```text
///   θ(C_n) = min λ  s.t.  λI + Σ_{ij ∈ E} y_ij (e_i e_jᵀ + e_j e_iᵀ) − J ⪰ 0,
/// ```
/// with optimum `n cos(π/n)/(1 + cos(π/n))` for odd `n` and `n/2` for even `n`
/// (see [`lovasz_theta_cycle_exact`] and `proofs/lovasz_theta_cycles.md`). The objective
/// is the first variable, `λ`. Requires `n ≥ 3`.
pub fn lovasz_theta_cycle(n: usize) -> Model {
    let mut model = Model::new();
    let lambda = model.add_var();
    let mut lmi = SymAffine::zeros(n);
    lmi.add_identity_term(lambda, 1.0);
    for i in 0..n {
        for j in i..n {
            lmi.add_constant_entry(i, j, -1.0);
        }
        let y = model.add_var();
        let j = (i + 1) % n;
        lmi.add_term_entry(y, i.min(j), i.max(j), 1.0);
    }
    model
        .add_psd(lmi)
        .expect("indices are below n and coefficients finite by construction");
    model.minimize(lambda.into());
    model
}

/// The closed form of [`lovasz_theta_cycle`]'s optimum.
pub fn lovasz_theta_cycle_exact(n: usize) -> f64 {
    let c = (std::f64::consts::PI / n as f64).cos();
    if n % 2 == 1 {
        n as f64 * c / (1.0 + c)
    } else {
        n as f64 / 2.0
    }
}

/// Random weights `W_k ∈ ℝ^{dims[k+1] × dims[k]}` with iid `N(0, 1/dims[k])` entries
/// (Gaussian scaled by `1/√fan-in`), drawn layer by layer, each column-major, from
/// `seeded_rng(seed)`. `dims = [n₀, n₁, …, n_L]` lists input, hidden and output widths.
pub fn random_weights(dims: &[usize], seed: u64) -> Vec<Mat<f64>> {
    let mut rng = quadra_core::seeded_rng(seed);
    dims.windows(2)
        .map(|d| {
            let mut w = quadra_core::gaussian_matrix(d[1], d[0], &mut rng);
            let scale = 1.0 / (d[0] as f64).sqrt();
            for j in 0..w.ncols() {
                for x in w.col_as_slice_mut(j) {
                    *x *= scale;
                }
            }
            w
        })
        .collect()
}

/// LipSDP-Neuron (Fazlyab et al. 2019, Theorem 2) for
/// `f(x) = W_L φ(W_{L−1} ⋯ φ(W₀ x))` with `φ` slope-restricted in `[α, β]`
/// (ReLU: `α = 0, β = 1`), as an [`LmiProblem`]:
///
/// ```text
///   minimise ρ  s.t.  F(ρ, t) = ρ·diag(I_{n₀}, 0)
///                       + Σ_j t_j [2αβ a_j a_jᵀ − (α+β)(a_j e_jᵀ + e_j a_jᵀ) + 2 e_j e_jᵀ]
///                       − diag(0, …, 0, W_Lᵀ W_L) ⪰ 0,     t ≥ 0,
/// ```
///
/// one block of size `n₀ + N` (`N` hidden neurons) ordered input coordinates, then the
/// hidden neurons layer by layer; `a_j` is neuron `j`'s incoming weight row placed at
/// its layer's inputs and `e_j` the unit vector at the neuron's own position. The
/// Lipschitz bound is `√ρ`. Variable 0 is `ρ` (free), variables `1..=N` are the `t_j`
/// (nonnegative). Each `t_j` matrix lives in `span{a_j, e_j}` with Gram form
/// `K = [[2αβ, −(α+β)], [−(α+β), 2]]`, so it is passed as the two rank-one terms of
/// `K`'s eigen-decomposition; `W_Lᵀ W_L` as the rank-one terms of `W_L`'s rows.
///
/// `weights[k]` maps layer `k` to layer `k+1`; at least two weight matrices (one
/// hidden layer) are required and consecutive shapes must chain.
pub fn lipsdp_neuron(weights: &[Mat<f64>], alpha: f64, beta: f64) -> Result<LmiProblem> {
    if weights.len() < 2 {
        return Err(ConicError::DimensionMismatch {
            place: "LipSDP-Neuron weights: number of layers".into(),
            expected: 2,
            found: weights.len(),
        });
    }
    for (k, w) in weights.windows(2).enumerate() {
        if w[1].ncols() != w[0].nrows() {
            return Err(ConicError::DimensionMismatch {
                place: format!("LipSDP-Neuron weights: columns of layer {}", k + 1),
                expected: w[0].nrows(),
                found: w[1].ncols(),
            });
        }
    }
    let n0 = weights[0].ncols();
    let hidden: Vec<usize> = weights[..weights.len() - 1]
        .iter()
        .map(|w| w.nrows())
        .collect();
    let n_hidden: usize = hidden.iter().sum();
    let dim = n0 + n_hidden;
    let mut p = LmiProblem::new(1 + n_hidden, VarDomain::Nonneg);
    p.objective[0] = 1.0;
    p.domains[0] = VarDomain::Free;
    let mut block = LmiBlock::new(dim);
    block.terms.push((
        0,
        CoefMatrix::LowRank((0..n0).map(|i| (1.0, SparseVector::unit(i))).collect()),
    ));
    // Eigen-decomposition of the 2×2 Gram form K in the basis (a_j, e_j).
    let (k11, k12, k22) = (2.0 * alpha * beta, -(alpha + beta), 2.0);
    let half_tr = 0.5 * (k11 + k22);
    let disc = (0.25 * (k11 - k22).powi(2) + k12 * k12).sqrt();
    let eig = [half_tr + disc, half_tr - disc];
    let vec_of = |lambda: f64| -> (f64, f64) {
        // (K − λI) q = 0: q ∝ (k12, λ − k11) unless k12 = 0.
        let (u, v) = if k12.abs() > 0.0 {
            (k12, lambda - k11)
        } else if (lambda - k11).abs() <= (lambda - k22).abs() {
            (1.0, 0.0)
        } else {
            (0.0, 1.0)
        };
        let n = (u * u + v * v).sqrt();
        (u / n, v / n)
    };
    let mut var = 1;
    let mut in_offset = 0; // position of the current layer's inputs
    let mut in_dim = n0;
    let mut out_offset = n0;
    for w in &weights[..weights.len() - 1] {
        for r in 0..w.nrows() {
            let own = out_offset + r;
            let mut terms = Vec::with_capacity(2);
            for &lambda in &eig {
                if lambda == 0.0 {
                    continue;
                }
                let (qa, qe) = vec_of(lambda);
                let mut pairs: Vec<(usize, f64)> = (0..in_dim)
                    .map(|c| (in_offset + c, qa * w[(r, c)]))
                    .collect();
                pairs.push((own, qe));
                terms.push((lambda, SparseVector::from_pairs(pairs)));
            }
            block.terms.push((var, CoefMatrix::LowRank(terms)));
            var += 1;
        }
        in_offset = out_offset;
        in_dim = w.nrows();
        out_offset += w.nrows();
    }
    let last = &weights[weights.len() - 1];
    block.constant = CoefMatrix::LowRank(
        (0..last.nrows())
            .map(|r| {
                (
                    -1.0,
                    SparseVector::from_pairs((0..in_dim).map(|c| (in_offset + c, last[(r, c)]))),
                )
            })
            .collect(),
    );
    p.blocks.push(block);
    Ok(p)
}

/// [`lipsdp_neuron`] for ReLU (`α = 0, β = 1`) on [`random_weights`]`(dims, seed)`.
/// `dims = [n₀, n₁, …, n_L]` needs at least three entries.
pub fn lipsdp_neuron_random(dims: &[usize], seed: u64) -> Result<LmiProblem> {
    lipsdp_neuron(&random_weights(dims, seed), 0.0, 1.0)
}
