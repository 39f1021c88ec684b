//! Pure-Rust BLAS/LAPACK symbols for clarabel's SDP path, backed by [faer].
//!
//! # What and why
//! clarabel (features `sdp`, `blas-src`, `lapack-src`, no backend) calls dense kernels through
//! the `blas-sys` / `lapack-sys` declarations and expects some library to define those
//! Fortran-ABI symbols at link time. This crate defines them in Rust on faer's kernels and
//! decompositions, so quadra builds and runs without a system BLAS/LAPACK or a Fortran
//! toolchain. Only the routines clarabel uses are provided:
//!
//! | symbols | reference | backed by |
//! |---|---|---|
//! | [`dgemm_`], [`sgemm_`] | BLAS `xGEMM` | faer `matmul` |
//! | [`dgemv_`], [`sgemv_`] | BLAS `xGEMV` | faer `matmul` |
//! | [`dsymv_`], [`ssymv_`] | BLAS `xSYMV` | faer triangular `matmul` |
//! | [`dsyrk_`], [`ssyrk_`] | BLAS `xSYRK` | faer triangular `matmul` |
//! | [`dsyr2k_`], [`ssyr2k_`] | BLAS `xSYR2K` | faer triangular `matmul` |
//! | [`dpotrf_`], [`spotrf_`] | LAPACK `xPOTRF` | faer `llt` |
//! | [`dpotrs_`], [`spotrs_`] | LAPACK `xPOTRS` | faer triangular solves |
//! | [`dsyevr_`], [`ssyevr_`] | LAPACK `xSYEVR` | faer `self_adjoint_evd` |
//! | [`dgesdd_`], [`sgesdd_`] | LAPACK `xGESDD` | faer `svd` |
//! | [`dgesvd_`], [`sgesvd_`] | LAPACK `xGESVD` | faer `svd` |
//! | [`dgesv_`], [`sgesv_`] | LAPACK `xGESV` | blocked `getrf` here + faer solves/`matmul` |
//!
//! Every routine honours the reference semantics for all argument combinations (transpose and
//! triangle flags in either case, `beta = 0` not reading the output, leading dimensions larger
//! than the row count, negative increments, quick returns, workspace queries, `info` codes);
//! each symbol's documentation lists the deviations (mostly: a different algorithm inside,
//! `abstol` ignored, inputs that LAPACK may destroy are preserved). Results agree with LAPACK
//! to rounding, not bit for bit.
//!
//! # Errors never unwind
//! Illegal arguments are reported like the reference `xerbla` — one line on stderr naming the
//! routine and the argument index — and, for LAPACK routines, `info = −i`; but unlike the
//! reference the program is not stopped: BLAS routines return with their outputs untouched.
//! Each body runs under `catch_unwind`; a panic (which would be a bug here) is reported on
//! stderr and, for LAPACK routines, as `info = i32::MAX`.
//!
//! # Safety
//! Every symbol is an `unsafe extern "C" fn` with the Fortran calling convention of
//! `blas-sys 0.7` / `lapack-sys 0.14`: all arguments by pointer, characters as
//! `*const c_char`, no hidden string lengths. The caller must pass arrays of the sizes the
//! reference documentation requires for the given dimensions (e.g. `lda·(n−1) + m` elements
//! for an m×n matrix), with outputs not overlapping inputs. Null scalar arguments and null
//! arrays that would be dereferenced are reported as illegal arguments.
//!
//! # Linking
//! A binary must name this crate for the linker to keep it, e.g. `use quadra_lapack as _;`
//! (the same rule as for the `*-src` crates). With the `system` feature the crate exports
//! nothing, so that a system BLAS/LAPACK (OpenBLAS, MKL, Accelerate) can provide the symbols.
//!
//! # References
//! - E. Anderson et al., *LAPACK Users' Guide*, 3rd ed., SIAM 1999,
//!   <https://netlib.org/lapack/lug/>; routine documentation at <https://netlib.org/lapack/explore-html/>.
//! - J. J. Dongarra, J. Du Croz, S. Hammarling, I. Duff, "A set of level 3 basic linear algebra
//!   subprograms", ACM TOMS 16(1), 1990, doi:10.1145/77626.79170.
//! - The reference implementations (`dgemm.f`, `dsyevr.f`, `dgesdd.f`, …) vendored in
//!   `lapack-sys 0.14.0` (`lapack/BLAS/SRC`, `lapack/SRC`) define the argument checks and
//!   workspace formulas reproduced here.

#![cfg_attr(feature = "system", allow(dead_code, unused_imports))]

mod blas2;
mod blas3;
mod ffi_util;
mod gesv;
mod potrf;
mod svd;
mod syevr;

#[cfg(not(feature = "system"))]
mod exports;

#[cfg(not(feature = "system"))]
pub use exports::double::*;
#[cfg(not(feature = "system"))]
pub use exports::single::*;
