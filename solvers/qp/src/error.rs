//! Errors of the QP solvers.

use thiserror::Error;

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, QpError>;

/// Malformed input and solver failures. Infeasibility of a well-formed QuadAttack
/// program is *not* an error: it is a [`crate::TopKStatus::Infeasible`] outcome carrying
/// its Farkas certificate.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum QpError {
    /// Shapes that do not fit together.
    #[error("dimension mismatch in {place}: expected {expected}, found {found}")]
    DimensionMismatch {
        /// Which argument.
        place: &'static str,
        /// Expected length.
        expected: usize,
        /// Found length.
        found: usize,
    },
    /// A NaN or infinite number in the data.
    #[error("non-finite value {value} in {place} at index {index}")]
    NonFinite {
        /// Which argument.
        place: &'static str,
        /// Flat index of the offending entry.
        index: usize,
        /// The value.
        value: f64,
    },
    /// A bad target list for the ordered top-K program.
    #[error("invalid targets: {0}")]
    InvalidTargets(String),
    /// A parameter outside its range.
    #[error("invalid setting {name} = {value}: expected {expected}")]
    InvalidSetting {
        /// Setting name.
        name: &'static str,
        /// The value given.
        value: String,
        /// The admissible range.
        expected: &'static str,
    },
    /// Empty data.
    #[error("empty input: {0}")]
    Empty(&'static str),
    /// The weighted Gram matrix of the surrogates is singular (collinear surrogates).
    #[error("the surrogates are linearly dependent under the weights (weighted Gram matrix not positive definite, pivot {pivot}); drop a collinear column or use support enumeration")]
    RankDeficient {
        /// The failing pivot.
        pivot: usize,
    },
    /// The active-set iteration did not finish within its limit.
    #[error("active-set method stopped at its iteration limit {max_iter} with {active} active constraints (largest violation {violation:.2e})")]
    IterationLimit {
        /// The limit.
        max_iter: usize,
        /// Active constraints when stopped.
        active: usize,
        /// Largest constraint violation when stopped.
        violation: f64,
    },
    /// The surrogate program (simplex constraint) has no feasible point: cannot happen for
    /// M ≥ 1, kept for equality-constrained variants.
    #[error("the program is infeasible: {0}")]
    Infeasible(String),
    /// An error of the conic layer (general QP path).
    #[error(transparent)]
    Conic(#[from] quadra_conic::ConicError),
    /// An error of the shared core.
    #[error(transparent)]
    Core(#[from] quadra_core::CoreError),
}

/// Checks that every entry is finite.
pub(crate) fn check_finite(place: &'static str, v: &[f64]) -> Result<()> {
    match v.iter().position(|x| !x.is_finite()) {
        Some(index) => Err(QpError::NonFinite {
            place,
            index,
            value: v[index],
        }),
        None => Ok(()),
    }
}

/// Checks a length.
pub(crate) fn check_len(place: &'static str, expected: usize, found: usize) -> Result<()> {
    if expected == found {
        Ok(())
    } else {
        Err(QpError::DimensionMismatch {
            place,
            expected,
            found,
        })
    }
}
