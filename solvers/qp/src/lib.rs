//! # quadra-qp — exact, fast solvers for the quadratic programs inside attack and testing loops
//!
//! Three programs, each solved many times inside a loop:
//!
//! 1. **QuadAttack's ordered top-K projection** ([`quadattack`]): for a linear head
//!    `ℓ(z) = Wz + b`, the nearest embedding whose logits rank targets `t₁ > … > t_K`
//!    above every other class with margin `m`,
//!    `min ‖z − f‖² s.t. ℓ_{t_k} − ℓ_{t_{k+1}} ≥ m, ℓ_{t_K} − ℓ_c ≥ m (c ∉ T)`,
//!    solved exactly through its `(C−1)`-dimensional dual with a per-head Gram matrix
//!    `WWᵀ`, warm starts, KKT residuals and infeasibility certificates; batches in
//!    parallel; the attack loop ([`attack`]).
//! 2. **Surrogate combination** ([`surrogate`]) for adaptive testing:
//!    `min_α Σ_s w_s (y_s − F_s α)²` over the simplex, the nonnegative orthant or `R^M`,
//!    by support enumeration or the same dual active-set method.
//! 3. **General convex QPs** ([`general`]) `l ≤ Ax ≤ u` through clarabel, with infinite
//!    bounds dropped instead of passed on.
//!
//! The engine of 1 and 2 is the Goldfarb–Idnani dual active-set method written in
//! constraint space ([`dual_active_set`]): it needs only the Gram matrix of the constraint
//! normals, which is what makes a `C = 1000, d = 2048` QuadAttack solve take milliseconds.
//!
//! ## References
//! - T. Paniagua, R. Grainger, T. Wu, *QuadAttacK: A Quadratic Programming Approach to
//!   Learning Ordered Top-K Adversarial Attacks*, NeurIPS 2023, arXiv:2312.11510.
//! - D. Goldfarb, A. Idnani, *A numerically stable dual method for solving strictly convex
//!   quadratic programs*, Math. Programming 27 (1983) 1–33, doi:10.1007/BF02591962.
//! - X. Yang et al., adaptive testing of CAVs with dense reinforcement learning (2024):
//!   surrogate-model combination by weighted least squares.
//! - P. J. Goulart, Y. Chen, *Clarabel*, arXiv:2405.12762 (2024).

pub mod attack;
pub mod dual_active_set;
mod error;
pub mod general;
pub mod quadattack;
mod settings;
pub mod surrogate;

pub use attack::{attack_linear_head, AttackResult};
pub use error::{QpError, Result};
pub use general::{DenseQp, DenseQpSolution, INFINITE_BOUND};
pub use quadattack::{
    check_targets, ordered_topk_success, solve_batch, KktResiduals, LinearHead, OrderedTopK,
    TopKInstance, TopKSolution, TopKStatus,
};
pub use settings::{AttackSettings, AttackSettingsBuilder, TopKSettings, TopKSettingsBuilder};
pub use surrogate::{
    combine_surrogates, SurrogateData, SurrogateFit, SurrogateMethod, WeightConstraint,
};
