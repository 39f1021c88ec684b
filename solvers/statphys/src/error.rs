//! The crate's error type.

use quadra_core::CoreError;

/// Errors of `quadra-statphys`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StatphysError {
    /// A parameter is outside its domain (negative, zero where positive is
    /// required, or not finite).
    #[error("invalid parameter `{name}` = {value}: expected {expected}")]
    InvalidParameter {
        /// Parameter name as in the public API.
        name: &'static str,
        /// The offending value.
        value: f64,
        /// What was expected.
        expected: &'static str,
    },
    /// A root or fixed point was not located to the requested accuracy.
    #[error("{context}: no convergence after {iterations} iterations (residual {residual:e})")]
    NoConvergence {
        /// What was being solved.
        context: &'static str,
        /// Iterations spent.
        iterations: usize,
        /// Final residual.
        residual: f64,
    },
    /// The support of a free convolution could not be identified.
    #[error("support edges not found for kappa = {kappa}, t = {t}: {reason}")]
    Support {
        /// Aspect ratio κ.
        kappa: f64,
        /// Noise variance t.
        t: f64,
        /// Why.
        reason: &'static str,
    },
    /// An error of the shared numerics core.
    #[error(transparent)]
    Core(#[from] CoreError),
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, StatphysError>;

/// Checks `value` is finite and `> 0`.
pub(crate) fn check_positive(name: &'static str, value: f64) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(StatphysError::InvalidParameter {
            name,
            value,
            expected: "a finite number > 0",
        })
    }
}

/// Checks `value` is finite and `≥ 0`.
pub(crate) fn check_nonnegative(name: &'static str, value: f64) -> Result<()> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(StatphysError::InvalidParameter {
            name,
            value,
            expected: "a finite number ≥ 0",
        })
    }
}
