//! # quadra-core
//!
//! The linear-algebra and numerics core shared by every quadra solver crate.
//! Downstream crates reach faer **only** through this crate ([`faer`] and the
//! matrix types are re-exported), so the pinned faer version is changed in
//! one place.
//!
//! | module | what |
//! |---|---|
//! | [`error`] | [`CoreError`] and [`Result`] |
//! | [`rounding`] | unit roundoff, γ_k, directed rounding emulated by `next_up`/`next_down`, rigorous Frobenius norms |
//! | [`symmetric`] | shape/finiteness/symmetry checks, symmetrisation, norms |
//! | [`svec`](mod@svec) | `svec`/`smat` with clarabel's √2-scaled upper-triangle convention |
//! | [`spectral`] | symmetric eigen with rigorous a-posteriori bounds, λ_max/λ_min enclosures, spectral norm |
//! | [`lanczos`] | Lanczos extreme eigenvalues of matrix-free symmetric operators |
//! | [`memory`] | a global allocator that recycles large buffers (no page-fault churn) |
//! | [`factor`] | Cholesky and Bunch–Kaufman `LBLᵀ` with failure reporting and inertia |
//! | [`verified`] | Rump's verified positive-definiteness test (`λ_min(A) > m` proven in floating point) |
//! | [`rng`] | seeded ChaCha20, Gaussian, GOE, Wishart, Haar orthogonal |
//! | [`quadrature`] | Gauss–Legendre rules, adaptive Gauss–Kronrod (incl. infinite intervals) |
//! | [`roots`] | Brent's bracketing root finder |
//! | [`fixed_point`](mod@fixed_point) | damped and Anderson-accelerated fixed-point executor with observers |
//!
//! ## Conventions
//!
//! * `f64` throughout; matrices are faer [`Mat<f64>`] (column-major).
//!   Symmetric matrices are stored in full; each function says which
//!   triangle it reads and how much asymmetry it tolerates
//!   ([`symmetric::SYMMETRY_TOL`]).
//! * Randomness only from [`rng::ChaCha20Rng`] seeded explicitly
//!   ([`rng::seeded_rng`]); samplers document their draw order.
//! * No panics on user input: malformed input and numerical failure are
//!   [`CoreError`] values carrying the index, value or residual.
//! * Tolerances are named constants whose doc comment says why they have
//!   that size (e.g. [`symmetric::SYMMETRY_TOL`] = 1024·ε,
//!   [`factor::ZERO_PIVOT_RTOL`] = 16·ε per unit of `n·max|a|`).
//! * A number called a *bound* is rigorous: [`spectral`] and [`verified`]
//!   account for every rounding error of the check itself (see
//!   [`rounding`]); an *estimate* (quadrature error, Lanczos residual) is
//!   labelled as such.
//!
//! ## Example
//!
//! ```
//! use quadra_core::{rng, verified, spectral, symmetric};
//! let mut r = rng::seeded_rng(42);
//! let w = rng::wishart(20, 80, &mut r).unwrap();
//! // Marchenko–Pastur: λ_min ≈ (1 − √(1/4))² = 0.25 > 0, so W ≻ 0 provably.
//! let cert = verified::verify_positive_definite(w.as_ref()).unwrap();
//! let lmin = spectral::lambda_min(w.as_ref()).unwrap();
//! assert!(cert.lower_bound > 0.0 && cert.lower_bound <= lmin.upper);
//! assert!(symmetric::check_symmetric(w.as_ref(), 0.0).is_ok());
//! ```

pub mod error;
pub mod factor;
pub mod fixed_point;
pub mod lanczos;
pub mod memory;
pub mod quadrature;
pub mod rng;
pub mod roots;
pub mod rounding;
pub mod spectral;
pub mod svec;
pub mod symmetric;
pub mod vector_state;
pub mod verified;

pub use error::{CoreError, Result};
pub use faer;
pub use faer::{Col, ColMut, ColRef, Mat, MatMut, MatRef, Side};

pub use factor::{cholesky, ldlt, Cholesky, Inertia, Ldlt};
pub use fixed_point::{
    fixed_point, FixedPointMap, FixedPointObserver, FixedPointReport, FixedPointSettings,
    FixedPointSolver, IterationState, NoObserver, ObserverMode, RecordingObserver,
};
pub use lanczos::{
    lanczos_extremes, lanczos_smallest, LanczosResult, LanczosSettings, SymmetricOperator,
};
pub use quadrature::{
    gauss_legendre, integrate_adaptive, integrate_fixed, AdaptiveSettings, GaussRule, Integral,
};
pub use rng::{gaussian_matrix, goe, haar_orthogonal, seeded_rng, wishart, ChaCha20Rng};
pub use roots::{brent, BrentSettings, Root};
pub use spectral::{
    lambda_max, lambda_min, spectral_norm, symmetric_eigen, EigenBound, SymmetricEigen,
};
pub use svec::{smat, svec, svec_dim_from_len, svec_index, svec_len};
pub use symmetric::{check_symmetric, sym_from_fn, symmetrize, SYMMETRY_TOL};
pub use verified::{verify_positive_definite, verify_psd_with_margin, PdCertificate};
