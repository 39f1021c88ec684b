//! Errors of `quadra-quadrature`.

use quadra_core::CoreError;

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QuadratureError {
    /// An error of the shared core (Cholesky pivot, adaptive quadrature, ...).
    #[error(transparent)]
    Core(#[from] CoreError),
    /// A parameter out of its range (names the parameter, the value and what was expected).
    #[error("invalid {name} = {value}: expected {expected}")]
    InvalidParameter {
        /// The parameter.
        name: &'static str,
        /// Its value as given.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
    /// The Gram matrix of the nodes is not numerically positive definite.
    #[error(
        "Gram matrix of {nodes} nodes is not positive definite at pivot {index} with jitter {jitter:e} \
         (nodes too close for lengthscale {lengthscale}; add jitter or use fewer nodes)"
    )]
    GramNotPositiveDefinite {
        /// Number of nodes.
        nodes: usize,
        /// First pivot that failed.
        index: usize,
        /// Jitter that was used.
        jitter: f64,
        /// Kernel lengthscale.
        lengthscale: f64,
    },
    /// The explicit Runge–Kutta integrator could not meet its tolerance.
    #[error("ODE integration failed at t = {t}: {reason}")]
    OdeFailed {
        /// Time reached.
        t: f64,
        /// Why.
        reason: String,
    },
    /// An iteration (Kleinman, policy iteration) did not converge.
    #[error("{context} did not converge in {iterations} iterations (last change {residual:e})")]
    NotConverged {
        /// Which iteration.
        context: &'static str,
        /// Iterations done.
        iterations: usize,
        /// Last step size or residual.
        residual: f64,
    },
}

impl QuadratureError {
    pub(crate) fn invalid(
        name: &'static str,
        value: impl ToString,
        expected: &'static str,
    ) -> Self {
        QuadratureError::InvalidParameter {
            name,
            value: value.to_string(),
            expected,
        }
    }
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, QuadratureError>;
