//! Errors of the conic modelling layer.

use thiserror::Error;

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, ConicError>;

/// What went wrong while building or solving a conic program.
///
/// Malformed models are reported when they are built or assembled; numerical
/// outcomes (infeasible, unbounded, stalled) come from [`crate::Model::solve`]
/// with the solver's iteration count and residuals, so the message says what
/// happened and how far the solver got.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ConicError {
    /// A variable handle that does not belong to this model.
    #[error("variable index {index} out of range: the model has {count} variables")]
    UnknownVariable { index: usize, count: usize },
    /// A matrix entry outside an LMI's dimension.
    #[error("entry ({row}, {col}) outside a {dim}x{dim} matrix expression")]
    EntryOutOfRange { row: usize, col: usize, dim: usize },
    /// A NaN or infinite coefficient.
    #[error("non-finite coefficient {value} in {place}")]
    NonFinite { place: String, value: f64 },
    /// Shapes that do not fit together.
    #[error("dimension mismatch in {place}: expected {expected}, found {found}")]
    DimensionMismatch {
        place: String,
        expected: usize,
        found: usize,
    },
    /// A quadratic objective whose Hessian is not positive semidefinite.
    #[error("quadratic objective is not convex: its Hessian has eigenvalue {lambda_min:.3e} < 0")]
    NonConvexObjective { lambda_min: f64 },
    /// Invalid solver settings.
    #[error("invalid setting {name} = {value}: {expected}")]
    InvalidSetting {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
    /// clarabel refused the assembled data.
    #[error("clarabel rejected the problem data: {0}")]
    Backend(String),
    /// The program has no feasible point (clarabel returned a certificate of primal infeasibility).
    #[error("primal infeasible{accuracy} after {iterations} iterations (infeasibility residual {residual:.2e})")]
    PrimalInfeasible {
        iterations: u32,
        residual: f64,
        accuracy: Accuracy,
    },
    /// The objective is unbounded below (certificate of dual infeasibility).
    #[error("dual infeasible (unbounded){accuracy} after {iterations} iterations (infeasibility residual {residual:.2e})")]
    DualInfeasible {
        iterations: u32,
        residual: f64,
        accuracy: Accuracy,
    },
    /// The iteration or time limit was hit before convergence.
    #[error("{limit} reached after {iterations} iterations: primal residual {r_prim:.2e}, dual residual {r_dual:.2e}, relative gap {gap_rel:.2e}")]
    LimitReached {
        limit: Limit,
        iterations: u32,
        r_prim: f64,
        r_dual: f64,
        gap_rel: f64,
    },
    /// The interior-point method stalled or hit a numerical error.
    #[error("numerical trouble ({what}) after {iterations} iterations: primal residual {r_prim:.2e}, dual residual {r_dual:.2e}, relative gap {gap_rel:.2e}")]
    NumericalTrouble {
        what: &'static str,
        iterations: u32,
        r_prim: f64,
        r_dual: f64,
        gap_rel: f64,
    },
    /// Malformed SDPA (`.dat-s`) input.
    #[error("line {line}: {message}")]
    Sdpa { line: usize, message: String },
    /// An error of the shared core (e.g. an eigen-decomposition failure).
    #[error(transparent)]
    Core(#[from] quadra_core::CoreError),
}

/// Whether a certificate met the full or only the reduced tolerances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accuracy {
    /// Full tolerances met.
    Full,
    /// Only clarabel's reduced ("almost") tolerances met.
    Reduced,
}

impl std::fmt::Display for Accuracy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Accuracy::Full => Ok(()),
            Accuracy::Reduced => f.write_str(" (to reduced accuracy)"),
        }
    }
}

/// Which limit stopped the solver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// `max_iter`.
    Iterations,
    /// `time_limit`.
    Time,
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Limit::Iterations => f.write_str("iteration limit"),
            Limit::Time => f.write_str("time limit"),
        }
    }
}

impl ConicError {
    /// True for outcomes of the solve (infeasible, unbounded, limits, numerical trouble)
    /// as opposed to malformed input. The CLI maps the former to exit code 2.
    pub fn is_numerical(&self) -> bool {
        matches!(
            self,
            ConicError::PrimalInfeasible { .. }
                | ConicError::DualInfeasible { .. }
                | ConicError::LimitReached { .. }
                | ConicError::NumericalTrouble { .. }
        )
    }
}
