//! The exported `extern "C"` symbols: thin wrappers that instantiate the generic routines for
//! `f64` (`d…_`) and `f32` (`s…_`). The signatures are exactly those declared by `blas-sys 0.7`
//! and `lapack-sys 0.14` (Fortran ABI: every argument by pointer, characters as `*const c_char`,
//! no hidden string-length arguments).
//!
//! # Safety (all symbols)
//! The caller upholds the BLAS/LAPACK contract: every pointer argument that the routine reads
//! or writes points to an array of the documented size for the given dimensions, leading
//! dimensions and increments, and output arrays do not overlap inputs. Null pointers for
//! scalar arguments, and for arrays the routine needs, are reported as illegal arguments
//! instead of being dereferenced.

use core::ffi::{c_char, c_int};

use crate::blas2::{gemv, symv};
use crate::blas3::{gemm, syr2k, syrk};
use crate::gesv::gesv;
use crate::potrf::{potrf, potrs};
use crate::svd::{gesdd, gesvd};
use crate::syevr::syevr;

/// Generates, for each routine, the double-precision symbol (with the given docs) in module
/// `double` and its single-precision twin in `single`. `R` in the argument types stands for the
/// precision.
macro_rules! exports {
    ($(
        $(#[$meta:meta])*
        fn $d:ident, $s:ident = $imp:ident($($arg:ident: $ty:ty),* $(,)?);
    )*) => {
        pub(crate) mod double {
            use super::*;
            type R = f64;
            $(
                $(#[$meta])*
                ///
                /// # Safety
                /// See the [crate documentation](crate#safety).
                #[no_mangle]
                #[allow(clippy::too_many_arguments)]
                pub unsafe extern "C" fn $d($($arg: $ty),*) {
                    unsafe { $imp::<R>($($arg),*) }
                }
            )*
        }
        pub(crate) mod single {
            use super::*;
            type R = f32;
            $(
                #[doc = concat!("Single-precision twin of [`", stringify!($d), "`](crate::",
                    stringify!($d), "), same semantics.")]
                ///
                /// # Safety
                /// See the [crate documentation](crate#safety).
                #[no_mangle]
                #[allow(clippy::too_many_arguments)]
                pub unsafe extern "C" fn $s($($arg: $ty),*) {
                    unsafe { $imp::<R>($($arg),*) }
                }
            )*
        }
    };
}

exports! {
    /// `C ← alpha·op(A)·op(B) + beta·C` (reference BLAS `dgemm`).
    ///
    /// `trans{a,b}` ∈ {N, T, C} (case-insensitive; C ≡ T for real data). `beta = 0`: C is
    /// not read (NaN/Inf in C do not propagate); `alpha = 0` or `k = 0`: A and B are not read.
    /// Quick return when `m = 0`, `n = 0`, or `(alpha = 0 or k = 0) and beta = 1`.
    /// Illegal arguments (1 trans_a, 2 trans_b, 3 m, 4 n, 5 k, 8 lda, 10 ldb, 13 ldc): a
    /// xerbla-style line on stderr and return with C untouched (the reference stops).
    fn dgemm_, sgemm_ = gemm(
        transa: *const c_char, transb: *const c_char, m: *const c_int, n: *const c_int,
        k: *const c_int, alpha: *const R, a: *const R, lda: *const c_int, b: *const R,
        ldb: *const c_int, beta: *const R, c: *mut R, ldc: *const c_int,
    );

    /// `y ← alpha·op(A)·x + beta·y`, A m×n (reference BLAS `dgemv`).
    ///
    /// Increments may be negative (element i of x lives at `x[(len−1−i)·|incx|]`, as in the
    /// reference). `beta = 0`: y is not read. Illegal arguments (1 trans, 2 m, 3 n, 6 lda,
    /// 8 incx = 0, 11 incy = 0): message on stderr, y untouched.
    fn dgemv_, sgemv_ = gemv(
        trans: *const c_char, m: *const c_int, n: *const c_int, alpha: *const R, a: *const R,
        lda: *const c_int, x: *const R, incx: *const c_int, beta: *const R, y: *mut R,
        incy: *const c_int,
    );

    /// `y ← alpha·A·x + beta·y`, A symmetric n×n given by its `uplo` triangle only
    /// (reference BLAS `dsymv`).
    ///
    /// The other triangle is never read. Negative increments and `beta = 0` as in
    /// [`dgemv_`]. Illegal arguments (1 uplo, 2 n, 5 lda, 7 incx, 10 incy): message on
    /// stderr, y untouched.
    fn dsymv_, ssymv_ = symv(
        uplo: *const c_char, n: *const c_int, alpha: *const R, a: *const R, lda: *const c_int,
        x: *const R, incx: *const c_int, beta: *const R, y: *mut R, incy: *const c_int,
    );

    /// Symmetric rank-k update `C ← alpha·A·Aᵀ + beta·C` (`trans = N`, A n×k) or
    /// `C ← alpha·Aᵀ·A + beta·C` (`trans = T`/`C`, A k×n) (reference BLAS `dsyrk`).
    ///
    /// Only the `uplo` triangle of C is read and written; the other triangle is untouched.
    /// `beta = 0`: C is not read. Illegal arguments (1 uplo, 2 trans, 3 n, 4 k, 7 lda,
    /// 10 ldc): message on stderr, C untouched.
    fn dsyrk_, ssyrk_ = syrk(
        uplo: *const c_char, trans: *const c_char, n: *const c_int, k: *const c_int,
        alpha: *const R, a: *const R, lda: *const c_int, beta: *const R, c: *mut R,
        ldc: *const c_int,
    );

    /// Symmetric rank-2k update `C ← alpha·(A·Bᵀ + B·Aᵀ) + beta·C` (`trans = N`, A, B n×k) or
    /// `C ← alpha·(Aᵀ·B + Bᵀ·A) + beta·C` (`trans = T`/`C`, A, B k×n) (reference BLAS
    /// `dsyr2k`).
    ///
    /// Only the `uplo` triangle of C is read and written. `beta = 0`: C is not read. Illegal
    /// arguments (1 uplo, 2 trans, 3 n, 4 k, 7 lda, 9 ldb, 12 ldc): message, C untouched.
    fn dsyr2k_, ssyr2k_ = syr2k(
        uplo: *const c_char, trans: *const c_char, n: *const c_int, k: *const c_int,
        alpha: *const R, a: *const R, lda: *const c_int, b: *const R, ldb: *const c_int,
        beta: *const R, c: *mut R, ldc: *const c_int,
    );

    /// Cholesky factorisation `A = Uᵀ·U` (`uplo = U`) or `A = L·Lᵀ` (`uplo = L`) in place
    /// (LAPACK `dpotrf`).
    ///
    /// Only the `uplo` triangle is read and written. `info = 0` success; `−i` illegal argument
    /// i (1 uplo, 2 n, 4 lda); `k > 0` the leading minor of order k is not positive definite:
    /// its pivot is `≤ 0` or NaN (so NaN anywhere in the referenced triangle also gives
    /// `info > 0`), and the factorisation stopped there — as in LAPACK, the leading k−1
    /// columns hold the factor of that minor and the rest is partially updated (the exact
    /// intermediate values differ from LAPACK's blocking).
    fn dpotrf_, spotrf_ = potrf(
        uplo: *const c_char, n: *const c_int, a: *mut R, lda: *const c_int, info: *mut c_int,
    );

    /// Solves `A·X = B` with the Cholesky factor from [`dpotrf_`] (LAPACK `dpotrs`); B
    /// (n×nrhs, leading dimension ldb) is overwritten by X.
    ///
    /// Only the `uplo` triangle of the factor is read. `info = −i` for illegal argument i
    /// (1 uplo, 2 n, 3 nrhs, 5 lda, 7 ldb). Like LAPACK, a zero on the factor's diagonal is
    /// not checked (it yields Inf/NaN in X).
    fn dpotrs_, spotrs_ = potrs(
        uplo: *const c_char, n: *const c_int, nrhs: *const c_int, a: *const R,
        lda: *const c_int, b: *mut R, ldb: *const c_int, info: *mut c_int,
    );

    /// Symmetric eigenproblem (LAPACK `dsyevr` interface): `jobz` N (values) / V (values and
    /// vectors), `range` A (all) / V (`vl < λ ≤ vu`) / I (`il..=iu`, 1-based), `uplo` U/L
    /// (only that triangle of A is read).
    ///
    /// On success `m` is the number of eigenvalues found, `w[..m]` holds them in ascending
    /// order, and with `jobz = V` the columns `z[.., ..m]` are the orthonormal eigenvectors
    /// and `isuppz[2j], isuppz[2j+1]` (1-based) the first and last non-zero row of column j.
    /// `w` must have n elements (as in LAPACK; all n are used as scratch).
    ///
    /// Workspace: `lwork = −1` or `liwork = −1` is a query that writes the optimal sizes to
    /// `work[0]` / `iwork[0]` and computes nothing. `lwork < max(1, 26n)` gives `info = −18`,
    /// `liwork < max(1, 10n)` gives `info = −20`. The optimal `lwork` is LAPACK's minimum or
    /// what faer's algorithm needs (about n² + O(n), or 2n² + O(n) for `range ≠ A` with
    /// vectors), whichever is larger; with at least that much `work` no memory is allocated,
    /// with less (but `≥ 26n`) the scratch is allocated. `iwork` is not used.
    /// Other illegal arguments: 1 jobz, 2 range, 3 uplo, 4 n, 6 lda, 8 `vu ≤ vl`, 9 il,
    /// 10 iu, 15 ldz.
    ///
    /// Deviations from LAPACK: all eigenpairs are computed (Householder tridiagonalisation +
    /// implicit QR / divide and conquer, not MRRR) and the selection is made afterwards;
    /// `abstol` is ignored (accuracy is that of the QR / divide-and-conquer solver, backward
    /// stable to O(ε‖A‖)); `isuppz` is computed from the stored vectors for every `range`
    /// (LAPACK fills it only for `range = A` or a full index range); A is not modified
    /// (LAPACK destroys it); `info = 1` if the algorithm did not converge or the eigenvalues
    /// are NaN (NaN/Inf in A), with `m = 0`.
    fn dsyevr_, ssyevr_ = syevr(
        jobz: *const c_char, range: *const c_char, uplo: *const c_char, n: *const c_int,
        a: *mut R, lda: *const c_int, vl: *const R, vu: *const R, il: *const c_int,
        iu: *const c_int, abstol: *const R, m: *mut c_int, w: *mut R, z: *mut R,
        ldz: *const c_int, isuppz: *mut c_int, work: *mut R, lwork: *const c_int,
        iwork: *mut c_int, liwork: *const c_int, info: *mut c_int,
    );

    /// Singular value decomposition `A = U·Σ·Vᵀ` (LAPACK `dgesdd` interface): `jobz` A (all
    /// m columns of U, all n rows of VT), S (the first min(m,n) of each), O (m ≥ n: U's
    /// first n columns overwrite A and VT is n×n; m < n: U is m×m and VT's first m rows
    /// overwrite A), N (values only).
    ///
    /// `s` gets the singular values in descending order. `lwork = −1` is a query writing the
    /// optimal size to `work[0]`; `lwork` below LAPACK's documented per-path minimum gives
    /// `info = −12`. Other illegal arguments: 1 jobz, 2 m, 3 n, 5 lda, 8 ldu, 10 ldvt. As in
    /// LAPACK 3.x, a NaN in A gives `info = −4` (without the stderr message).
    ///
    /// Deviations: the decomposition is faer's (bidiagonalisation + divide and conquer or
    /// implicit QR), not `dbdsdc`; `iwork` is not used; A is left unchanged unless `jobz = O`
    /// (LAPACK destroys it); `info = 1` if the algorithm fails (no convergence or NaN
    /// singular values, e.g. Inf in A).
    fn dgesdd_, sgesdd_ = gesdd(
        jobz: *const c_char, m: *const c_int, n: *const c_int, a: *mut R, lda: *const c_int,
        s: *mut R, u: *mut R, ldu: *const c_int, vt: *mut R, ldvt: *const c_int,
        work: *mut R, lwork: *const c_int, iwork: *mut c_int, info: *mut c_int,
    );

    /// Singular value decomposition `A = U·Σ·Vᵀ` (LAPACK `dgesvd` interface): `jobu` and
    /// `jobvt` each A (all), S (first min(m,n)), O (first min(m,n) overwrite A) or N; they
    /// cannot both be O (`info = −2`).
    ///
    /// `s` gets the singular values in descending order. `lwork = −1` is a query writing the
    /// optimal size to `work[0]`; `lwork` below LAPACK's documented per-path minimum gives
    /// `info = −13`. Other illegal arguments: 1 jobu, 2 jobvt, 3 m, 4 n, 6 lda, 9 ldu,
    /// 11 ldvt.
    ///
    /// Deviations: the decomposition is faer's, not `dbdsqr`; A is left unchanged unless a
    /// job is O (LAPACK destroys it); on failure (no convergence, NaN/Inf in A)
    /// `info = max(1, min(m,n) − 1)` ("all superdiagonals unconverged") and
    /// `work[1..min(m,n)]` does not hold LAPACK's unconverged bidiagonal.
    fn dgesvd_, sgesvd_ = gesvd(
        jobu: *const c_char, jobvt: *const c_char, m: *const c_int, n: *const c_int,
        a: *mut R, lda: *const c_int, s: *mut R, u: *mut R, ldu: *const c_int, vt: *mut R,
        ldvt: *const c_int, work: *mut R, lwork: *const c_int, info: *mut c_int,
    );

    /// Solves `A·X = B` by LU with partial pivoting (LAPACK `dgesv` = `dgetrf` + `dgetrs`).
    ///
    /// On exit A holds L (unit diagonal not stored) and U of `A = P·L·U`; `ipiv[i]` (1-based)
    /// is the row interchanged with row i+1 at step i+1 (LAPACK's convention: applying the
    /// interchanges in order to A gives L·U); B holds X. `info = i > 0`: `U(i,i)` is exactly
    /// zero — the factorisation is completed (zero pivot columns are left unscaled, as in
    /// `dgetf2`) but B is not modified. `info = −i`: illegal argument (1 n, 2 nrhs, 4 lda,
    /// 7 ldb). Like LAPACK, NaN in A is not detected (gives NaN in X with `info = 0`).
    fn dgesv_, sgesv_ = gesv(
        n: *const c_int, nrhs: *const c_int, a: *mut R, lda: *const c_int, ipiv: *mut c_int,
        b: *mut R, ldb: *const c_int, info: *mut c_int,
    );
}
