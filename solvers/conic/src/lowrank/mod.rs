//! A primal–dual interior point for [`LmiProblem`]s that keeps the coefficient
//! matrices in structure (the `lowrank` backend).
//!
//! It solves `min cᵀy s.t. F_b0 + Σᵢ yᵢ F_bi ⪰ 0, yᵢ ≥ 0 (i nonneg)` together with its
//! dual `max −Σ_b⟨F_b0, X_b⟩ s.t. Σ_b⟨F_bi, X_b⟩ (+ zᵢ) = cᵢ, X_b ⪰ 0` by an
//! infeasible-start path-following method with the HKM search direction and
//! Mehrotra's predictor–corrector ([`ipm`]). The Newton system is reduced to the
//! `m × m` Schur complement `M_ij = Σ_b tr(F_bi X_b F_bj S_b⁻¹)`, formed directly from
//! the rank-one factors of each `F_bi` ([`schur`]; derivation in
//! `proofs/lmi_ipm_schur.md`): for LipSDP-Neuron, whose multiplier matrices have rank 2,
//! an iteration costs `O(n³ + n·nnz(W) + m·nnz(W))` for an `n × n` LMI instead of the
//! `O(n⁴)`–`O(n⁶)` of a solver that vectorises the PSD cone.
//!
//! `1×1` blocks and the sign constraints are handled as LP cones. Infeasibility is
//! reported from normalised iterates (a Farkas certificate `X/(−⟨F₀,X⟩)` with small
//! `A(X)`, or a recession direction `y/(−cᵀy)`) as [`ConicError::PrimalInfeasible`]
//! (the LMI has no solution) or [`ConicError::DualInfeasible`] (`cᵀy` unbounded below).
//! Settings: [`LowRankSettings`]; algorithm notes and when it beats clarabel:
//! `docs/lmi_ipm.md`.
//!
//! ## References
//! - C. Helmberg, F. Rendl, R. Vanderbei, H. Wolkowicz, *An interior-point method for
//!   semidefinite programming*, SIAM J. Optim. 6 (1996) 342–361.
//! - M. J. Todd, K.-C. Toh, R. H. Tütüncü, *On the Nesterov–Todd direction in
//!   semidefinite programming*, SIAM J. Optim. 8 (1998) 769–796.
//! - S. Mehrotra, *On the implementation of a primal–dual interior point method*,
//!   SIAM J. Optim. 2 (1992) 575–601.
//! - M. Fazlyab, A. Robey, H. Hassani, M. Morari, G. Pappas, *Efficient and accurate
//!   estimation of Lipschitz constants for deep neural networks*, NeurIPS 2019.

mod block_tridiagonal;
mod data;
mod factor;
pub(crate) mod ipm;
mod panels;
pub(crate) mod schur;
mod settings;

use std::sync::Arc;
use std::time::Instant;

use quadra_core::Mat;

pub use settings::{Centring, LowRankSettings, LowRankSettingsBuilder};

use crate::lmi::{LmiBackend, LmiProblem, LmiSolution};
use crate::{ConicError, Result};
use data::{IpmData, LpOrigin};

/// One line of the iteration log.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IterationRecord {
    /// Iteration number (0 = the starting point).
    pub iteration: u32,
    /// `cᵀy`.
    pub primal_objective: f64,
    /// `−⟨F₀, X⟩`.
    pub dual_objective: f64,
    /// Relative duality gap.
    pub gap_rel: f64,
    /// `‖c − A(X)‖ / (1 + ‖c‖)`.
    pub primal_residual: f64,
    /// `‖F₀ + A*(y) − S‖ / (1 + ‖F₀‖)`.
    pub dual_residual: f64,
    /// `⟨X, S⟩ / n`.
    pub mu: f64,
    /// Seconds since the start of the solve.
    pub seconds: f64,
    /// Primal (`X`) step length of the step that led here (0 at the start).
    pub step_primal: f64,
    /// Dual (`y, S`) step length of the step that led here.
    pub step_dual: f64,
    /// Centring parameter `σ` of that step.
    pub sigma: f64,
}

/// A callback that receives every [`IterationRecord`].
pub type IterationObserver = Arc<dyn Fn(&IterationRecord) + Send + Sync>;

/// The low-rank interior-point backend.
#[derive(Clone, Default)]
pub struct LowRankIpmBackend {
    /// Settings (see [`LowRankSettings`]).
    pub settings: LowRankSettings,
    /// Called once per iteration (none by default).
    pub observer: Option<IterationObserver>,
    /// Starting multipliers `y` (warm start); `None` starts from `y = 0`.
    pub initial_y: Option<Vec<f64>>,
}

impl std::fmt::Debug for LowRankIpmBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LowRankIpmBackend")
            .field("settings", &self.settings)
            .field("observer", &self.observer.is_some())
            .field("initial_y", &self.initial_y)
            .finish()
    }
}

impl LowRankIpmBackend {
    /// A backend with the given settings.
    pub fn new(settings: LowRankSettings) -> Self {
        LowRankIpmBackend {
            settings,
            ..Default::default()
        }
    }

    /// Adds an iteration observer.
    pub fn with_observer(
        mut self,
        observer: impl Fn(&IterationRecord) + Send + Sync + 'static,
    ) -> Self {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// Starts from the multipliers `y0` (the slack is `F(y0)` lifted into the interior).
    pub fn with_initial_y(mut self, y0: Vec<f64>) -> Self {
        self.initial_y = Some(y0);
        self
    }

    /// The structure this backend would exploit in each PSD block of `problem`
    /// (blocks of size ≥ 2, in the problem's order).
    pub fn structure(&self, problem: &LmiProblem) -> Result<Vec<BlockStructure>> {
        problem.validate()?;
        let data = IpmData::new(
            problem,
            (self.settings.block_tridiagonal, self.settings.dense_panels),
        );
        Ok(data.psd.iter().map(BlockStructure::of).collect())
    }
}

/// What the interior point exploits in one PSD block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockStructure {
    /// Index of the block in the problem.
    pub block: usize,
    /// Its size.
    pub dim: usize,
    /// Diagonal blocks of the block-tridiagonal slack factor (`None`: dense Cholesky).
    pub tridiagonal_blocks: Option<usize>,
    /// Dense factor panels of the Schur complement (`None`: sparse factor or dense
    /// column routes).
    pub panels: Option<usize>,
}

impl BlockStructure {
    fn of(b: &data::PsdBlock) -> BlockStructure {
        BlockStructure {
            block: b.original,
            dim: b.dim,
            tridiagonal_blocks: b.partition.as_ref().map(|p| p.len()),
            panels: b.panels.as_ref().map(|p| p.len()),
        }
    }
}

impl LmiBackend for LowRankIpmBackend {
    fn name(&self) -> &'static str {
        "lowrank"
    }

    fn solve(&self, problem: &LmiProblem) -> Result<LmiSolution> {
        let start = Instant::now();
        self.settings.validate()?;
        problem.validate()?;
        if let Some(y0) = &self.initial_y {
            if y0.len() != problem.num_vars() {
                return Err(ConicError::DimensionMismatch {
                    place: "initial y of the low-rank backend".into(),
                    expected: problem.num_vars(),
                    found: y0.len(),
                });
            }
            if let Some((i, v)) = y0.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                return Err(ConicError::NonFinite {
                    place: format!("initial y[{i}]"),
                    value: *v,
                });
            }
        }
        let data = IpmData::new(
            problem,
            (self.settings.block_tridiagonal, self.settings.dense_panels),
        );
        let verbose = self.settings.verbose;
        if verbose {
            for b in data.psd.iter().map(BlockStructure::of) {
                eprintln!(
                    "block {} ({}×{}): slack factor {}, Schur complement {}",
                    b.block,
                    b.dim,
                    b.dim,
                    b.tridiagonal_blocks
                        .map_or("dense".to_string(), |k| format!(
                            "block tridiagonal ({k} blocks)"
                        )),
                    b.panels
                        .map_or("by sparse factors".to_string(), |k| format!(
                            "by {k} dense panels"
                        )),
                );
            }
        }
        let observer = self.observer.clone();
        let mut log = |r: &IterationRecord| {
            if verbose {
                if r.iteration == 0 {
                    eprintln!(
                        "{:>4} {:>14} {:>14} {:>9} {:>9} {:>9} {:>9} {:>6} {:>6} {:>6} {:>8}",
                        "iter",
                        "c'y",
                        "-<F0,X>",
                        "gap",
                        "pres",
                        "dres",
                        "mu",
                        "a_p",
                        "a_d",
                        "sigma",
                        "time"
                    );
                }
                eprintln!(
                    "{:>4} {:>14.7e} {:>14.7e} {:>9.2e} {:>9.2e} {:>9.2e} {:>9.2e} {:>6.3} {:>6.3} {:>6.3} {:>8.2}",
                    r.iteration,
                    r.primal_objective,
                    r.dual_objective,
                    r.gap_rel,
                    r.primal_residual,
                    r.dual_residual,
                    r.mu,
                    r.step_primal,
                    r.step_dual,
                    r.sigma,
                    r.seconds
                );
            }
            if let Some(o) = &observer {
                o(r);
            }
        };
        let out = ipm::solve(&data, &self.settings, self.initial_y.as_deref(), &mut log)?;
        // Dual matrices back in the user's block order (1×1 blocks from the LP part).
        let mut block_duals: Vec<Mat<f64>> = problem
            .blocks
            .iter()
            .map(|b| Mat::zeros(b.dim, b.dim))
            .collect();
        for (b, x) in data.psd.iter().zip(out.x) {
            block_duals[b.original] = x;
        }
        for (origin, x) in data.lp.origin.iter().zip(&out.xl) {
            if let LpOrigin::Block(b) = origin {
                block_duals[*b][(0, 0)] = *x;
            }
        }
        debug_assert_eq!(block_duals.len(), data.num_user_blocks);
        Ok(LmiSolution {
            objective: problem.objective_value(&out.y),
            y: out.y,
            dual_objective: out.dobj,
            block_duals,
            iterations: out.iterations,
            seconds: start.elapsed().as_secs_f64(),
            gap_rel: out.gap_rel,
            backend: "lowrank",
        })
    }
}
