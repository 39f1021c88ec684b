//! # quadra-lipschitz — certified Lipschitz bounds for exported networks
//!
//! A network ([`Network`]: affine layers, activations, residual blocks, implicit layers)
//! is bounded by several methods, from the product of spectral norms to the LipSDP family
//! of semidefinite programs (Fazlyab et al. 2019) and the sum-preserving quadratic
//! constraints for MaxMin/GroupSort/Householder activations (Pauli et al. 2024). A number
//! is reported as a *bound* only with a certificate proven in floating point with a margin
//! ([`certify`]); [`verify_certificate`] re-checks one from the network alone, and
//! [`lower_bound`] shows the gap from below.
//!
//! | module | what |
//! |---|---|
//! | [`network`], [`Activation`] | the IR; forward pass, Jacobian, output selection |
//! | [`signal_graph`] | every activation input as a linear map of the stacked increments |
//! | [`program`] | the LipSDP LMI (neuron / layer / NSR multipliers, ℓ2 or ℓ∞) |
//! | [`preprocess`] | exact power-of-two normalisation and ℓ2 input reduction |
//! | [`certify`] | multipliers → recomputed objective → Rump-verified LMI |
//! | [`closed_form`] | naive, LipLT, ECLipsE-Fast |
//! | [`bound`] | [`lipschitz_bound`], [`Certificate`], [`verify_certificate`] |
//! | [`lower_bound`] | gradient-norm maximisation, exact activation patterns |
//!
//! ```text
//!   L ≤ √ρ  whenever  ρ·diag(I, 0) − CᵀC − Σ_q τ_q Φ_q ⪰ 0,  τ ≥ 0
//! ```
//!
//! ## References
//! - M. Fazlyab, A. Robey, H. Hassani, M. Morari, G. Pappas, *Efficient and accurate
//!   estimation of Lipschitz constants for deep neural networks*, NeurIPS 2019, arXiv:1906.04893.
//! - P. Pauli, A. Havens, A. Araujo, S. Garg, F. Khorrami, F. Allgöwer, B. Hu, *Novel
//!   quadratic constraints for extending LipSDP beyond slope-restricted activations*,
//!   ICLR 2024.
//! - M. Fazlyab, T. Entesari, A. Roy, R. Chellappa, *Certified robustness via dynamic margin
//!   maximization and improved Lipschitz regularization* (LipLT), NeurIPS 2023.
//! - Y. Xu, S. Sivaranjani, *ECLipsE: efficient compositional Lipschitz constant estimation
//!   for deep neural networks*, NeurIPS 2024.
//! - M. Revay, R. Wang, I. Manchester, *Lipschitz bounded equilibrium networks*, arXiv:2010.01732.
//! - S. M. Rump, *Verification of positive definiteness*, BIT 46 (2006).

mod activation;
pub mod bound;
pub mod certify;
pub mod closed_form;
mod error;
pub mod lower_bound;
mod method;
pub mod network;
pub mod norm;
pub mod preprocess;
pub mod program;
pub mod signal_graph;

pub use activation::{Activation, QcClass};
pub use bound::{
    lipschitz_bound, verify_certificate, Bound, BoundSettings, Certificate, OutputSelection,
    SolverChoice,
};
pub use error::{LipschitzError, Result};
pub use method::Method;
pub use network::{Dense, FeedForward, Implicit, Layer, Network};
pub use norm::Norm;
