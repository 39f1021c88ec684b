//! Solutions: primal values, duals per constraint block, and solve statistics.

use crate::error::Result;
use crate::expr::{LinExpr, Var};
use crate::model::ConstraintId;

/// How a successful solve ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SolveStatus {
    /// All tolerances met.
    Solved,
    /// Only clarabel's reduced tolerances met (accepted by the settings).
    AlmostSolved,
}

impl SolveStatus {
    /// Lower-case name used in CLI output.
    pub fn as_str(self) -> &'static str {
        match self {
            SolveStatus::Solved => "solved",
            SolveStatus::AlmostSolved => "almost_solved",
        }
    }
}

/// One interior-point iteration, as seen by an observer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IterationInfo {
    /// Iteration number.
    pub iteration: u32,
    /// Primal objective.
    pub cost_primal: f64,
    /// Dual objective.
    pub cost_dual: f64,
    /// Primal residual.
    pub r_prim: f64,
    /// Dual residual.
    pub r_dual: f64,
    /// Relative duality gap.
    pub gap_rel: f64,
}

/// The result of a successful solve.
#[derive(Debug, Clone)]
pub struct Solution {
    /// Solved or almost solved.
    pub status: SolveStatus,
    /// Primal point.
    pub x: Vec<f64>,
    pub(crate) z: Vec<f64>,
    pub(crate) s: Vec<f64>,
    pub(crate) offsets: Vec<usize>,
    pub(crate) block_dims: Vec<usize>,
    pub(crate) block_is_psd: Vec<bool>,
    /// Primal objective (including the objective's constant).
    pub objective: f64,
    /// Dual objective (including the objective's constant).
    pub dual_objective: f64,
    /// Interior-point iterations.
    pub iterations: u32,
    /// Final primal residual.
    pub r_prim: f64,
    /// Final dual residual.
    pub r_dual: f64,
    /// Final relative duality gap.
    pub gap_rel: f64,
    /// Solve time in seconds (clarabel's timer).
    pub seconds: f64,
    /// The a-posteriori re-check of `(x, z)` against the model (see [`crate::verify`]).
    pub verification: crate::verify::Verification,
}

/// The dual of one constraint block.
#[derive(Debug, Clone)]
pub enum Dual {
    /// Multipliers of a zero, nonnegative or second-order cone block, one per row.
    Vector(Vec<f64>),
    /// The dual matrix `Z ⪰ 0` of an LMI, with `⟨Z, M(x*)⟩ ≈ 0`.
    Matrix(quadra_core::Mat<f64>),
}

impl Solution {
    /// Whether the solution passed the a-posteriori re-check; a solution that did not is
    /// *not* an optimum, whatever clarabel's status says.
    pub fn verified(&self) -> bool {
        self.verification.passed()
    }

    /// Value of a variable.
    pub fn value(&self, v: Var) -> f64 {
        self.x[v.index()]
    }

    /// Value of an affine expression.
    pub fn eval(&self, e: &LinExpr) -> f64 {
        e.eval(&self.x)
    }

    fn range(&self, id: ConstraintId) -> std::ops::Range<usize> {
        let start = self.offsets[id.0];
        let d = self.block_dims[id.0];
        let len = if self.block_is_psd[id.0] {
            d * (d + 1) / 2
        } else {
            d
        };
        start..start + len
    }

    /// The dual of a constraint block (the matrix of an LMI, else a vector).
    pub fn dual(&self, id: ConstraintId) -> Result<Dual> {
        let z = &self.z[self.range(id)];
        if self.block_is_psd[id.0] {
            Ok(Dual::Matrix(quadra_core::svec::smat(
                z,
                self.block_dims[id.0],
            )?))
        } else {
            Ok(Dual::Vector(z.to_vec()))
        }
    }

    /// The slack of a constraint block: `M(x*)` for an LMI, the expression values otherwise.
    pub fn slack(&self, id: ConstraintId) -> Result<Dual> {
        let s = &self.s[self.range(id)];
        if self.block_is_psd[id.0] {
            Ok(Dual::Matrix(quadra_core::svec::smat(
                s,
                self.block_dims[id.0],
            )?))
        } else {
            Ok(Dual::Vector(s.to_vec()))
        }
    }
}
