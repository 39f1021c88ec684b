//! Errors of the Lipschitz crate.

use thiserror::Error;

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, LipschitzError>;

/// What went wrong while building, bounding or verifying.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum LipschitzError {
    /// Shapes that do not chain.
    #[error("shape mismatch at layer {layer}: {what}: expected {expected}, found {found}")]
    Shape {
        layer: usize,
        what: String,
        expected: usize,
        found: usize,
    },
    /// A NaN or infinite weight.
    #[error("non-finite value {value} in layer {layer} ({what})")]
    NonFinite {
        layer: usize,
        what: String,
        value: f64,
    },
    /// A network or parameter the method cannot handle.
    #[error("{0}")]
    Unsupported(String),
    /// Invalid argument (output rows, margin pair, activation parameters).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The SDP backend failed (infeasible, stalled, limit).
    #[error("SDP solve failed: {0}")]
    Solver(#[from] quadra_conic::ConicError),
    /// A linear-algebra failure in the core.
    #[error(transparent)]
    Core(#[from] quadra_core::CoreError),
    /// The certificate could not be verified.
    #[error("certificate not verified: {0}")]
    NotCertified(String),
    /// A certificate file that does not parse or does not match the network.
    #[error("bad certificate: {0}")]
    BadCertificate(String),
}
