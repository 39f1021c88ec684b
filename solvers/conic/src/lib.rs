//! # quadra-conic — a modelling layer over clarabel
//!
//! Build a conic program from scalar variables, affine expressions and cone
//! constraints, solve it with [clarabel](https://clarabel.org), and read back the
//! primal point, the dual of every block (the dual *matrix* of each LMI) and the
//! solver's statistics:
//!
//! ```text
//!   minimise  ½ xᵀPx + qᵀx + c
//!   subject to  M_k(x) = M_k0 + Σᵢ xᵢ M_ki ⪰ 0   (LMIs, or ⪯ 0)
//!               aᵀx + c ≥ 0,  aᵀx + c = 0,  ‖(a_jᵀx + c_j)_j‖₂ ≤ a₀ᵀx + c₀.
//! ```
//!
//! clarabel's SDP path needs BLAS/LAPACK; they come from `quadra-lapack` (faer-backed,
//! no system library). KKT systems are factorised by faer's supernodal LDLᵀ (clarabel's
//! `faer-sparse` feature, picked by its `auto` setting), several times faster than its
//! default QDLDL on SDPs with dense PSD blocks (`docs/benchmarks.md`).
//!
//! Every solution is re-checked independently of clarabel's status ([`verify`]):
//! [`Solution::verified`] is false for a "solved" point outside the cones. Outcomes other than *solved* are [`ConicError`]s that name
//! what happened (infeasible, unbounded, iteration/time limit, numerical trouble).
//!
//! The SDPA sparse format (`.dat-s`, SDPLIB's format) is read by [`sdpa`].
//!
//! ## References
//! - P. J. Goulart, Y. Chen, *Clarabel: An interior-point solver for conic programs
//!   with quadratic objectives*, arXiv:2405.12762 (2024).
//! - K. Fujisawa, M. Kojima, K. Nakata, *SDPA User's Manual*, B-308, Tokyo Tech (1998).

// The faer-backed BLAS/LAPACK symbols clarabel links to.
use quadra_lapack as _;

mod error;
mod expr;
pub mod lmi;
pub mod lowrank;
mod model;
pub mod problems;
pub mod sdpa;
mod settings;
mod solution;
mod solve;
pub mod verify;

pub use error::{Accuracy, ConicError, Limit, Result};
pub use expr::{LinExpr, SymAffine, Var};
pub use model::{ConstraintId, Model};
pub use settings::{SolverSettings, SolverSettingsBuilder};
pub use solution::{Dual, IterationInfo, Solution, SolveStatus};
pub use verify::{Verification, VERIFY_TOL};
