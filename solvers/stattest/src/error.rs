//! The crate's error type.

use quadra_core::CoreError;

/// Errors of `quadra-stattest`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StatTestError {
    /// A sample has no rows or no columns.
    #[error("{context}: empty sample (need at least {needed} time steps, found {found})")]
    TooShort {
        /// Which sample.
        context: &'static str,
        /// Minimum number of rows.
        needed: usize,
        /// Rows found.
        found: usize,
    },
    /// Two samples disagree in dimension or length where they must agree.
    #[error("{context}: expected {expected}, found {found}")]
    DimensionMismatch {
        /// What was compared.
        context: &'static str,
        /// Expected size.
        expected: usize,
        /// Found size.
        found: usize,
    },
    /// A non-finite entry in a sample.
    #[error("{context}: non-finite value {value} at row {row}, column {col}")]
    NonFinite {
        /// Which sample.
        context: &'static str,
        /// Row (time step, 0-based).
        row: usize,
        /// Column (dimension, 0-based).
        col: usize,
        /// The value.
        value: f64,
    },
    /// A parameter outside its range.
    #[error("invalid {name} = {value}: expected {expected}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// Value given.
        value: String,
        /// Allowed range.
        expected: &'static str,
    },
    /// The median heuristic found no positive pairwise distance (all points equal).
    #[error("median heuristic: all pairwise distances are zero; give a bandwidth")]
    DegenerateBandwidth,
    /// The quadric level set `{x : xᵀQx + qᵀx = y}` is empty (or reached only at infinity).
    #[error("the level set xᵀQx + qᵀx = {y} is empty (y is beyond the quadratic's range)")]
    EmptyLevelSet {
        /// The level.
        y: f64,
    },
    /// An error from quadra-core.
    #[error(transparent)]
    Core(#[from] CoreError),
}

impl StatTestError {
    /// Shorthand for [`StatTestError::InvalidParameter`].
    pub fn invalid(
        name: &'static str,
        value: impl std::fmt::Display,
        expected: &'static str,
    ) -> Self {
        StatTestError::InvalidParameter {
            name,
            value: value.to_string(),
            expected,
        }
    }
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, StatTestError>;
