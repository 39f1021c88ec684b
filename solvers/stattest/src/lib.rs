//! # quadra-stattest
//!
//! Kernel two-sample (MMD) and independence (HSIC) tests for **dependent** data.
//!
//! ## The statistics
//! For samples `x₁…x_{nx}`, `y₁…y_{ny}` and a characteristic kernel `k`,
//!
//! `MMD²_V = 1/nx² Σᵢⱼ k(xᵢ,xⱼ) + 1/ny² Σᵢⱼ k(yᵢ,yⱼ) − 2/(nx·ny) Σᵢⱼ k(xᵢ,yⱼ)`
//!
//! (and the unbiased `MMD²_U` without diagonal terms), and for paired `(xₜ, yₜ)`,
//! `HSIC_V = tr(K̃L̃)/n²`, `K̃ = HKH`. See [`stats`].
//!
//! ## Null distributions
//! A permutation test assumes exchangeable (i.i.d.) samples and over-rejects on
//! autocorrelated series. The **wild bootstrap** (Chwialkowski, Sejdinovic & Gretton 2014)
//! multiplies the degenerate V-statistic's kernel by an autoregressive multiplier
//! `W_t = e^{−1/l} W_{t−1} + √(1 − e^{−2/l}) ε_t` ([`multiplier`]), whose
//! autocorrelation `e^{−k/l}` mimics the data's; see [`bootstrap`]. Gram matrices are built
//! once ([`gram`]: lower triangle only, squared distances from one matrix product for
//! `d ≥ 4`) and the draws are batched into triangular matrix products ([`draws`]).
//!
//! [`projection`] gives the exact Euclidean projection onto `{x : xᵀQx + qᵀx = y}` and
//! [`observer`] the attack-detection pipeline (Kalman filter vs quadratic-sensor projection
//! observer, compared with the paired wild-bootstrap MMD).
//!
//! ```
//! use quadra_stattest::{mmd_test, Series, TestSettings};
//! let x = Series::univariate((0..60).map(|t| (t as f64 * 0.37).sin()).collect()).unwrap();
//! let y = Series::univariate((0..60).map(|t| 3.0 + (t as f64 * 0.37).sin()).collect()).unwrap();
//! let s = TestSettings::builder().n_boot(200).seed(1).build().unwrap();
//! let r = mmd_test(&x, &y, &s).unwrap();
//! assert!(r.reject && r.p_value < 0.01);
//! ```
//!
//! ## References
//! - K. Chwialkowski, D. Sejdinovic, A. Gretton, *A wild bootstrap for degenerate kernel
//!   tests*, NeurIPS 2014, arXiv:1408.5404.
//! - A. Gretton, K. Borgwardt, M. Rasch, B. Schölkopf, A. Smola, *A kernel two-sample test*,
//!   JMLR 13 (2012) 723–773.
//! - A. Gretton, O. Bousquet, A. Smola, B. Schölkopf, *Measuring statistical dependence with
//!   Hilbert–Schmidt norms*, ALT 2005.
//! - A. Leucht, M. H. Neumann, *Dependent wild bootstrap for degenerate U- and V-statistics*,
//!   J. Multivariate Anal. 117 (2013) 257–280.

pub mod bootstrap;
pub mod data;
pub mod draws;
pub mod error;
pub mod gram;
pub mod kernel;
pub mod multiplier;
pub mod observer;
pub mod projection;
pub mod settings;
pub mod simulate;
pub mod stats;

pub use bootstrap::{hsic_test, mmd_test, TestResult};
pub use data::Series;
pub use error::{Result, StatTestError};
pub use kernel::{Bandwidth, Kernel, KernelKind};
pub use projection::{project_quadric, Projection};
pub use settings::{Block, Method, Pairing, TestSettings, WildVariant};
