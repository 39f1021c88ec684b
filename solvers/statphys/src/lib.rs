//! # quadra-statphys
//!
//! Bayes-optimal learning curves of the extensive-width quadratic network
//! (Maillard, Troiani, Martin, Krzakala, Zdeborová, arXiv:2408.03733):
//!
//! * [`rmt`]: semicircle and Marchenko–Pastur laws, BBP outliers;
//! * [`freeconv`]: `ν_κ ⊞ semicircle(t)` — Cauchy transform, density, edges, `∫ρ³`, `mmse_den`;
//! * [`rie`]: the rotationally invariant estimator `λ ↦ λ − 2t·Re G(λ)`;
//! * [`bayes`]: the scalar fixed point `mmse_den(t) = 2αt − Δ/2`, the MMSE, the
//!   test error `2·MMSE + Δ`, `q̂ = 1/t`, and the perfect-recovery threshold α_PR;
//! * [`replica`]: a generic replica fixed-point engine (branches from several starts,
//!   free-entropy selection, continuation) on `quadra_core::fixed_point`;
//! * [`glm`]: generalised linear models — Gaussian/Rademacher/Gauss–Bernoulli priors ×
//!   Gaussian/sign/ReLU channels — state evolution, replica free entropy, thresholds.
//!
//! ## References
//! - Maillard et al., *Bayes-optimal learning of an extensive-width neural network
//!   from quadratically many samples*, NeurIPS 2024, arXiv:2408.03733.
//! - Bun, Bouchaud, Potters, *Cleaning large correlation matrices*, Phys. Rep. 666 (2017).
//! - Baik, Ben Arous, Péché, Ann. Probab. 33 (2005).

pub mod bayes;
mod complex;
pub mod error;
pub mod freeconv;
pub mod gamp;
pub mod glm;
pub mod replica;
pub mod rie;
pub mod rmt;

pub use bayes::{
    alpha_pr, bayes_optimal, bayes_optimal_curve, bayes_optimal_grid, state_evolution, BayesPoint,
    QuadraticNetworkSe,
};
pub use error::{Result, StatphysError};
pub use freeconv::{mmse_den, Bulk, FreeConvolution, Prior};
pub use gamp::{
    gamp_rie, gamp_rie_seeds, se_prediction, GampIterate, GampRun, GampSettings, GampStop,
};
pub use glm::{
    glm_curve, glm_point, glm_thresholds, GlmChannel, GlmModel, GlmPoint, GlmPrior, GlmThresholds,
};
pub use num_complex::Complex64;
pub use replica::{Branch, Equilibrium, ReplicaProblem, ReplicaSolver};
pub use rie::rie_denoise;
pub use rmt::{spiked_covariance_top, spiked_wigner_top, MarchenkoPastur, Semicircle};
