//! A-posteriori re-check of a solution, independent of clarabel's status flag.
//!
//! clarabel's termination test measures the residuals of the *linear* KKT equations on
//! scaled data; cone membership of the iterates is maintained by its step-length rule
//! and is not re-checked at the end. On hard problems (e.g. SDPLIB `control1`) it can
//! report *solved* for a point whose dual matrix has a clearly negative eigenvalue, so
//! its objective is not the optimum. This module recomputes, from the returned `x` and
//! `z` and the model itself:
//!
//! - primal feasibility: the slack `s = b − Ax` of every block is in its cone
//!   (eigenvalues of `smat(s)` for LMIs, signs for orthants, `‖s₁‖ ≤ s₀` for SOC, `|s|`
//!   for equalities), relative to `1 + max(‖b‖∞, ‖Ax‖∞)` over the block (the size of the
//!   terms whose difference is `s`, so round-off in forming it is not counted);
//! - dual feasibility: `z` in the dual cone (the same cones; all are self-dual, the dual
//!   of the zero cone is free), relative to `1 + ‖z block‖∞`;
//! - stationarity `‖Px + q + Aᵀz‖∞ / (1 + max(‖Px‖∞, ‖q‖∞, ‖Aᵀz‖∞))`;
//! - the relative duality gap `|p − d| / (1 + |p| + |d|)`.
//!
//! A solution *passes* when every measure is below [`VERIFY_TOL`].

use crate::model::{Block, Model};
use crate::solve::Assembled;
use quadra_core::spectral::symmetric_eigenvalues;
use quadra_core::svec::smat;

/// Tolerance of the re-check. clarabel stops at 1e-8 on equilibrated data; undoing the
/// scaling and re-forming `b − Ax` costs up to two orders of magnitude on badly scaled
/// problems, so 1e-6 accepts every correct solution we have seen while rejecting
/// cone violations like `control1`'s (λ_min(Z) ≈ −3.5e-3 relative).
pub const VERIFY_TOL: f64 = 1e-6;

/// The outcome of [`Model::verify`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Verification {
    /// Worst relative primal cone violation over all blocks (0 if none).
    pub primal_infeasibility: f64,
    /// Worst relative dual cone violation over all blocks (0 if none).
    pub dual_infeasibility: f64,
    /// Relative stationarity residual `‖Px + q + Aᵀz‖∞ / (1 + max(‖Px‖∞, ‖q‖∞, ‖Aᵀz‖∞))`.
    pub stationarity: f64,
    /// Relative duality gap.
    pub gap: f64,
    /// Block with the worst primal violation, if any is violated.
    pub worst_primal_block: Option<usize>,
    /// Block with the worst dual violation, if any is violated.
    pub worst_dual_block: Option<usize>,
}

impl Verification {
    /// Whether every measure is below [`VERIFY_TOL`].
    pub fn passed(&self) -> bool {
        self.primal_infeasibility <= VERIFY_TOL
            && self.dual_infeasibility <= VERIFY_TOL
            && self.stationarity <= VERIFY_TOL
            && self.gap <= VERIFY_TOL
    }

    /// One line saying what failed (empty when it passed).
    pub fn describe_failure(&self) -> String {
        let mut parts = Vec::new();
        if self.primal_infeasibility > VERIFY_TOL {
            parts.push(format!(
                "primal cone violation {:.2e} in block {}",
                self.primal_infeasibility,
                self.worst_primal_block.map_or(0, |b| b + 1)
            ));
        }
        if self.dual_infeasibility > VERIFY_TOL {
            parts.push(format!(
                "dual cone violation {:.2e} in block {}",
                self.dual_infeasibility,
                self.worst_dual_block.map_or(0, |b| b + 1)
            ));
        }
        if self.stationarity > VERIFY_TOL {
            parts.push(format!("stationarity residual {:.2e}", self.stationarity));
        }
        if self.gap > VERIFY_TOL {
            parts.push(format!("duality gap {:.2e}", self.gap));
        }
        parts.join(", ")
    }
}

/// How far `v` is outside the cone of `block`, as a nonnegative number (0 inside).
fn cone_violation(block: &Block, v: &[f64], dual: bool) -> f64 {
    match block {
        Block::Zero(_) if dual => 0.0,
        Block::Zero(_) => v.iter().fold(0.0, |m, x| m.max(x.abs())),
        Block::Nonneg(_) => v.iter().fold(0.0, |m, x| m.max(-x)),
        Block::SecondOrder(_) => {
            let tail = v[1..].iter().map(|x| x * x).sum::<f64>().sqrt();
            (tail - v[0]).max(0.0)
        }
        Block::Psd(m) => match smat(v, m.dim()).and_then(|s| symmetric_eigenvalues(s.as_ref())) {
            Ok(eigs) => eigs.first().map_or(0.0, |l| (-l).max(0.0)),
            Err(_) => f64::INFINITY,
        },
    }
}

fn inf_norm(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

impl Model {
    /// Re-checks `(x, z)` against this model (see the module docs).
    pub(crate) fn verify_point(
        &self,
        data: &Assembled,
        x: &[f64],
        z: &[f64],
        primal: f64,
        dual: f64,
    ) -> Verification {
        // ax = A x, atz = Aᵀ z, px = P x (P stored as its upper triangle).
        let (n, m) = (x.len(), data.b.len());
        let (mut ax, mut atz, mut px) = (vec![0.0; m], vec![0.0; n], vec![0.0; n]);
        let a = &data.a;
        for (col, &xj) in x.iter().enumerate() {
            for k in a.colptr[col]..a.colptr[col + 1] {
                let row = a.rowval[k];
                ax[row] += a.nzval[k] * xj;
                atz[col] += a.nzval[k] * z[row];
            }
        }
        let p = &data.p;
        for col in 0..p.n {
            for k in p.colptr[col]..p.colptr[col + 1] {
                let row = p.rowval[k];
                px[row] += p.nzval[k] * x[col];
                if row != col {
                    px[col] += p.nzval[k] * x[row];
                }
            }
        }
        let s: Vec<f64> = data.b.iter().zip(&ax).map(|(b, ax)| b - ax).collect();
        let r: Vec<f64> = (0..n).map(|j| px[j] + data.q[j] + atz[j]).collect();
        let r_scale = 1.0 + inf_norm(&px).max(inf_norm(&data.q)).max(inf_norm(&atz));
        let mut out = Verification {
            primal_infeasibility: 0.0,
            dual_infeasibility: 0.0,
            stationarity: inf_norm(&r) / r_scale,
            gap: (primal - dual).abs() / (1.0 + primal.abs() + dual.abs()),
            worst_primal_block: None,
            worst_dual_block: None,
        };
        for (k, block) in self.blocks.iter().enumerate() {
            let range = data.offsets[k]..data.offsets[k] + block.rows();
            let scale = 1.0 + inf_norm(&data.b[range.clone()]).max(inf_norm(&ax[range.clone()]));
            let pv = cone_violation(block, &s[range.clone()], false) / scale;
            if pv > out.primal_infeasibility {
                out.primal_infeasibility = pv;
                out.worst_primal_block = Some(k);
            }
            let dv = cone_violation(block, &z[range.clone()], true) / (1.0 + inf_norm(&z[range]));
            if dv > out.dual_infeasibility {
                out.dual_infeasibility = dv;
                out.worst_dual_block = Some(k);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::{LinExpr, Model, SolverSettings, SymAffine};

    /// min t s.t. [[t, 1], [1, t]] ⪰ 0, t ≤ 3: optimum t = 1 with Z = ½[[1, −1], [−1, 1]].
    fn model() -> Model {
        let mut m = Model::new();
        let t = m.add_var();
        let mut lmi = SymAffine::zeros(2);
        lmi.add_identity_term(t, 1.0).add_constant_entry(0, 1, 1.0);
        m.add_psd(lmi).unwrap();
        m.add_nonneg(vec![LinExpr::constant(3.0) - t]).unwrap();
        m.minimize(t.into());
        m
    }

    #[test]
    fn an_optimal_pair_passes_and_perturbed_pairs_fail() {
        let m = model();
        let sol = m.solve(&SolverSettings::default()).unwrap();
        assert!(sol.verified(), "{:?}", sol.verification);
        let data = m.assemble().unwrap();
        let v = |x: &[f64], z: &[f64], p: f64, d: f64| m.verify_point(&data, x, z, p, d);
        let (x, z) = (sol.x.clone(), sol.z.clone());
        // Hand-made optimum: x = 1, z = svec(½[[1,−1],[−1,1]]) = (½, −1/√2, ½), multiplier 0.
        let z_exact = [0.5, -std::f64::consts::FRAC_1_SQRT_2, 0.5, 0.0];
        assert!(v(&[1.0], &z_exact, 1.0, 1.0).passed());
        // Primal point outside the LMI cone: t = 0.9 gives λ_min = −0.1.
        let bad = v(&[0.9], &z_exact, 0.9, 1.0);
        assert!(!bad.passed() && bad.primal_infeasibility > 0.04, "{bad:?}");
        assert_eq!(bad.worst_primal_block, Some(0));
        // Dual matrix with a negative eigenvalue: z = svec([[1, 0], [0, −0.2]]) → not PSD,
        // and stationarity fails too (tr Z ≠ 1).
        let zbad = [1.0, 0.0, -0.2, 0.0];
        let bad = v(&x, &zbad, 1.0, 1.0);
        assert!(
            bad.dual_infeasibility > 0.05 && bad.worst_dual_block == Some(0),
            "{bad:?}"
        );
        // A negative multiplier on the orthant block.
        let mut zneg = z.clone();
        zneg[3] = -0.5;
        assert_eq!(v(&x, &zneg, 1.0, 1.0).worst_dual_block, Some(1));
        // A duality gap.
        assert!(v(&x, &z, 1.0, 0.9).gap > 0.01);
        assert!(!v(&x, &z, 1.0, 0.9).describe_failure().is_empty());
    }
}
