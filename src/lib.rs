//! # quadra
//!
//! Convex certificates and the statistical physics of learning, in Rust.
//!
//! This facade re-exports the solver crates so a user needs one dependency:
//!
//! | module | crate | what |
//! |---|---|---|
//! | [`core`] | `quadra-core` | shared linear algebra: symmetric eigen with bounds, verified PD checks, ensembles, quadrature, roots, fixed points |
//! | [`statphys`] | `quadra-statphys` | Bayes-optimal curves: free convolution, RIE, state evolution, MP/semicircle/BBP |
//! | [`conic`] | `quadra-conic` | conic modelling over clarabel (LMIs, SOC, nonneg), SDPA reader |
//! | [`quadrature`] | `quadra-quadrature` | kernel embeddings, Bayesian quadrature, classical rules, integral RL |
//! | [`qp`] | `quadra-qp` | QuadAttack ordered top-K QP (exact dual active set), surrogate combination, dense QPs via clarabel |
//! | [`stattest`] | `quadra-stattest` | MMD / HSIC tests for dependent data: wild bootstrap, permutation |
//! | [`lipschitz`] | `quadra-lipschitz` | network IR, LipSDP family, certified Lipschitz bounds |
//! | [`io`] | (facade) | importers: ONNX, NNet, NPZ, safetensors, JSON networks; NPY arrays |
//!
//! BLAS/LAPACK for clarabel's SDP path come from `quadra-lapack` (faer-backed); no
//! system library is needed.

pub mod io;

pub use quadra_conic as conic;
pub use quadra_core as core;
pub use quadra_lipschitz as lipschitz;
pub use quadra_qp as qp;
pub use quadra_quadrature as quadrature;
pub use quadra_statphys as statphys;
pub use quadra_stattest as stattest;
