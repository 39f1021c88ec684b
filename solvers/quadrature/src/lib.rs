//! # quadra-quadrature
//!
//! Kernel mean embeddings, Bayesian quadrature (BQ), classical rules and integral
//! reinforcement learning (IntRL) policy iteration.
//!
//! **Bayesian quadrature.** With a Gaussian-process prior `f ~ GP(0, k)` and values
//! `y_i = f(x_i)`, the integral `∫ₐᵇ f` is Gaussian with
//! mean `zᵀK⁻¹y = wᵀy` and variance `∫∫k − zᵀK⁻¹z`, where `K_ij = k(x_i, x_j)` and
//! `z_i = ∫ₐᵇ k(x, x_i) dx` (the kernel mean). The weights `w = K⁻¹z` minimise the
//! worst-case error `sup_{‖f‖_H ≤ 1} |∫f − wᵀf(x)|`, whose square is
//! `∫∫k − 2wᵀz + wᵀKw` for any weights ([`worst_case_error`]).
//! With a Matérn-ν kernel the RKHS is the Sobolev space of order `b = ν + ½` and the
//! worst-case error of equispaced BQ decays as `N^{−b}`. For half-integer ν the Matérn
//! process is a linear SDE, and the weights, mean and variance come from a Kalman filter
//! on the state augmented with the running integral in O(N) ([`BqMethod::StateSpace`], the
//! default; `proofs/state_space_bq.md`); the Gram-matrix Cholesky path stays available.
//!
//! **Integral RL.** For `ẋ = f(x) + g(x)u` with cost `xᵀQx + uᵀRu` and `V(x) = wᵀφ(x)`,
//! policy evaluation solves `(φ(x(t)) − φ(x(t+T)))ᵀw = ∫ₜ^{t+T} xᵀQx + uᵀRu dτ` in least
//! squares over intervals of one trajectory, with the integral replaced by a quadrature
//! rule over `N` samples; policy improvement is `u = −½R⁻¹g(x)ᵀ∇φ(x)ᵀw`. This is
//! Kleinman's (Newton's) iteration on the HJB equation, so the quadrature error enters the
//! fixed point: `O((N−1)^{−2})` for the trapezoid rule, `O(N^{−b})` for BQ.
//!
//! ## Example
//! ```
//! use quadra_quadrature::{BqRule, BqSettings, Interval, Kernel, Trapezoid, QuadratureRule};
//! // Brownian-motion BQ on nodes that include both ends is the trapezoid rule,
//! // with posterior variance Σ h³/12.
//! let iv = Interval::new(1.0, 2.0)?;
//! let x = [1.0, 1.25, 1.5, 2.0];
//! let bq = BqRule::new(Kernel::brownian(), iv, &x, BqSettings::default())?;
//! let trap = Trapezoid.weights(&x, iv)?;
//! for (w, t) in bq.weights.iter().zip(&trap) {
//!     assert!((w - t).abs() < 1e-12);
//! }
//! let want = (2.0 * 0.25f64.powi(3) + 0.5f64.powi(3)) / 12.0;
//! assert!((bq.variance - want).abs() < 1e-12);
//! # Ok::<(), quadra_quadrature::QuadratureError>(())
//! ```
//!
//! ## References
//! - W. Cao, W. Pan, *Impact of computation in integral reinforcement learning for
//!   continuous-time control*, ICLR 2024, arXiv:2402.17138.
//! - F.-X. Briol, C. J. Oates, M. Girolami, M. A. Osborne, D. Sejdinovic, *Probabilistic
//!   integration: a role in statistical computation?*, Statist. Sci. 34 (2019), arXiv:1512.00933.
//! - D. Vrabie, O. Pastravanu, M. Abu-Khalaf, F. L. Lewis, *Adaptive optimal control for
//!   continuous-time linear systems based on policy iteration*, Automatica 45 (2009).
//! - D. L. Kleinman, *On an iterative technique for Riccati equation computations*,
//!   IEEE TAC 13 (1968).
//! - J. R. Dormand, P. J. Prince, *A family of embedded Runge–Kutta formulae*,
//!   J. Comput. Appl. Math. 6 (1980).

pub mod error;
pub mod kernel;

pub use error::{QuadratureError, Result};
pub use kernel::{Interval, Kernel, KernelKind};
pub mod bq;
pub mod rules;
mod state_space;

pub use bq::{
    fit_lengthscale, worst_case_error, BqEstimate, BqMethod, BqRule, BqSettings, BqSettingsBuilder,
    LengthscaleFit,
};
pub use rules::{BayesQuadrature, GaussLegendre, QuadratureRule, Simpson, Trapezoid};
pub mod care;
pub mod intrl;
pub mod ode;

pub use care::{care, CareSolution};
pub use intrl::{policy_iteration, IntrlReport, IntrlSettings, Task};
pub use ode::{DormandPrince, OdeSettings};
