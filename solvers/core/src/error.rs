//! The one error type of `quadra-core`.
//!
//! Every variant carries the offending index, value or residual, so that the
//! message alone tells a user what went wrong and where (STYLE.md item 7).
//! Downstream crates wrap it with `#[from]`.

use thiserror::Error;

/// Errors returned by `quadra-core`. Malformed input is reported at the call
/// that receives it; numerical outcomes (no convergence, a pivot that is not
/// positive, a bound that could not be certified) carry the iteration count,
/// index or residual that decided them.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum CoreError {
    /// A matrix that must be square is not.
    #[error("matrix must be square, got {rows}×{cols}")]
    NotSquare {
        /// Number of rows.
        rows: usize,
        /// Number of columns.
        cols: usize,
    },

    /// Two sizes that must agree do not.
    #[error("dimension mismatch in {context}: expected {expected}, found {found}")]
    DimensionMismatch {
        /// What was being checked (function and argument).
        context: &'static str,
        /// The size that was required.
        expected: usize,
        /// The size that was given.
        found: usize,
    },

    /// An input that must be non-empty is empty.
    #[error("{context}: input is empty")]
    Empty {
        /// What was being checked.
        context: &'static str,
    },

    /// A matrix that must be symmetric is not, within the stated tolerance.
    #[error(
        "matrix is not symmetric: |a[{row},{col}] - a[{col},{row}]| = {difference:e} exceeds {tolerance:e}"
    )]
    NotSymmetric {
        /// Row of the worst offending entry.
        row: usize,
        /// Column of the worst offending entry.
        col: usize,
        /// `|a_ij − a_ji|`.
        difference: f64,
        /// The absolute tolerance that was exceeded.
        tolerance: f64,
    },

    /// A matrix entry is NaN or infinite.
    #[error("non-finite matrix entry a[{row},{col}] = {value}")]
    NonFiniteEntry {
        /// Row of the first non-finite entry (column-major scan).
        row: usize,
        /// Column of the first non-finite entry.
        col: usize,
        /// The entry.
        value: f64,
    },

    /// A scalar or vector value is NaN or infinite.
    #[error("non-finite value {value} in {context} (index {index})")]
    NonFinite {
        /// Where the value came from (e.g. `"brent: f(a)"`).
        context: &'static str,
        /// Index within a vector, or 0 for a scalar.
        index: usize,
        /// The value.
        value: f64,
    },

    /// Floating-point Cholesky met a pivot that is not positive.
    #[error("matrix is not positive definite: Cholesky pivot {index} (0-based) is not positive")]
    NotPositiveDefinite {
        /// 0-based index of the failing pivot.
        index: usize,
    },

    /// A matrix is (numerically) singular where a solve needs it invertible.
    #[error("matrix is singular: zero pivot block at index {index} (0-based)")]
    Singular {
        /// 0-based index of the zero pivot (block).
        index: usize,
    },

    /// The rigorous positive-definiteness test (Rump 2006) did not succeed:
    /// the matrix may be indefinite, singular, or positive definite with
    /// `λ_min − margin` below the resolution of the test.
    #[error(
        "positive definiteness (λ_min > {margin:e}) could not be verified: \
         Cholesky of the shifted matrix failed at pivot {index} (0-based) with rounding allowance {allowance:e}"
    )]
    NotVerified {
        /// 0-based index of the pivot at which the floating-point Cholesky
        /// of the shifted matrix failed (`usize::MAX` when it was not run).
        index: usize,
        /// The margin that was to be certified.
        margin: f64,
        /// The rounding allowance ρ̄ that was subtracted from the diagonal.
        allowance: f64,
    },

    /// An integrand returned NaN or ±∞.
    #[error("integrand is not finite at x = {x:e}: f(x) = {value}")]
    NonFiniteIntegrand {
        /// The abscissa.
        x: f64,
        /// The value returned.
        value: f64,
    },

    /// A bracketing root finder was given endpoints of the same sign.
    #[error("no sign change on [{a}, {b}]: f(a) = {fa:e}, f(b) = {fb:e}")]
    NoBracket {
        /// Left endpoint.
        a: f64,
        /// Right endpoint.
        b: f64,
        /// f(a).
        fa: f64,
        /// f(b).
        fb: f64,
    },

    /// An iterative method stopped at its iteration limit.
    #[error("{context}: no convergence after {iterations} iterations (residual {residual:e})")]
    MaxIterations {
        /// Which method.
        context: &'static str,
        /// Iterations performed.
        iterations: usize,
        /// The final residual (method-specific norm, stated in its docs).
        residual: f64,
    },

    /// Adaptive quadrature used all allowed subdivisions without reaching the
    /// requested tolerance.
    #[error(
        "adaptive quadrature did not converge after {subdivisions} subdivisions: \
         value {value:e}, error estimate {error_estimate:e} > requested {requested:e}"
    )]
    QuadratureNotConverged {
        /// Subintervals in the final partition.
        subdivisions: usize,
        /// Best value found.
        value: f64,
        /// Estimated absolute error of `value`.
        error_estimate: f64,
        /// The requested absolute error.
        requested: f64,
    },

    /// A dense eigen/singular value solver did not converge.
    #[error("{context}: the dense solver did not converge")]
    NoConvergence {
        /// Which decomposition.
        context: &'static str,
    },

    /// A parameter (setting, size, interval) is outside its valid range.
    #[error("invalid parameter {name} = {value}: {expected}")]
    InvalidParameter {
        /// Name of the parameter.
        name: &'static str,
        /// Its value, formatted.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
}

/// `Result` with [`CoreError`].
pub type Result<T> = std::result::Result<T, CoreError>;

impl CoreError {
    /// Shorthand for [`CoreError::InvalidParameter`].
    pub fn invalid(
        name: &'static str,
        value: impl std::fmt::Display,
        expected: &'static str,
    ) -> Self {
        CoreError::InvalidParameter {
            name,
            value: value.to_string(),
            expected,
        }
    }
}
