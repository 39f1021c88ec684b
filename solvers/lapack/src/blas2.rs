//! Level-2 BLAS: `?gemv`, `?symv` on faer's matrix-vector kernels.
//!
//! Argument checks, their order, the quick returns and the handling of negative increments
//! follow the reference BLAS (`dgemv.f`, `dsymv.f`).

use core::ffi::{c_char, c_int};

use faer::linalg::matmul::matmul;
use faer::linalg::matmul::triangular::{self, BlockStructure};
use faer::prelude::ReborrowMut;
use faer::{Accum, Par};

use crate::ffi_util::{
    blas_call, mat_ref, nonnull, prepare_accum, read_dim, read_inc, read_ld, read_trans, read_uplo,
    read_val, scale, vec_mut, vec_ref, Real, Uplo,
};

/// `y ← alpha·op(A)·x + beta·y`, A is m×n.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn gemv<T: Real>(
    trans: *const c_char,
    m: *const c_int,
    n: *const c_int,
    alpha: *const T,
    a: *const T,
    lda: *const c_int,
    x: *const T,
    incx: *const c_int,
    beta: *const T,
    y: *mut T,
    incy: *const c_int,
) {
    blas_call::<T>("GEMV", || unsafe {
        let tr = read_trans(trans, 1)?;
        let m = read_dim(m, 2)?;
        let n = read_dim(n, 3)?;
        let lda = read_ld(lda, m, 6)?;
        let incx = read_inc(incx, 8)?;
        let incy = read_inc(incy, 11)?;
        if m == 0 || n == 0 {
            return Ok(());
        }
        let alpha = read_val(alpha, 4)?;
        let beta = read_val(beta, 9)?;
        if alpha == T::ZERO && beta == T::ONE {
            return Ok(());
        }
        let (lenx, leny) = if tr { (m, n) } else { (n, m) };
        nonnull(y, 10)?;
        let mut yv = vec_mut(y, leny, incy);
        if alpha == T::ZERO {
            scale(yv.as_mat_mut(), beta);
            return Ok(());
        }
        nonnull(a, 5)?;
        nonnull(x, 7)?;
        let av = mat_ref(a, m, n, lda);
        let av = if tr { av.transpose() } else { av };
        let xv = vec_ref(x, lenx, incx);
        let accum = prepare_accum(yv.rb_mut().as_mat_mut(), beta);
        matmul(yv.as_mat_mut(), accum, av, xv.as_mat(), alpha, Par::Seq);
        Ok(())
    })
}

/// `y ← alpha·A·x + beta·y`, A symmetric n×n of which only the `uplo` triangle is read.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn symv<T: Real>(
    uplo: *const c_char,
    n: *const c_int,
    alpha: *const T,
    a: *const T,
    lda: *const c_int,
    x: *const T,
    incx: *const c_int,
    beta: *const T,
    y: *mut T,
    incy: *const c_int,
) {
    blas_call::<T>("SYMV", || unsafe {
        let uplo = read_uplo(uplo, 1)?;
        let n = read_dim(n, 2)?;
        let lda = read_ld(lda, n, 5)?;
        let incx = read_inc(incx, 7)?;
        let incy = read_inc(incy, 10)?;
        if n == 0 {
            return Ok(());
        }
        let alpha = read_val(alpha, 3)?;
        let beta = read_val(beta, 8)?;
        if alpha == T::ZERO && beta == T::ONE {
            return Ok(());
        }
        nonnull(y, 9)?;
        let mut yv = vec_mut(y, n, incy);
        if alpha == T::ZERO {
            scale(yv.as_mat_mut(), beta);
            return Ok(());
        }
        nonnull(a, 4)?;
        nonnull(x, 6)?;
        // `low` is a view whose lower triangle holds the referenced triangle; A = L + Lₛᵀ with
        // L = lower triangle (with diagonal) and Lₛ = strictly lower triangle of `low`.
        let av = mat_ref(a, n, n, lda);
        let low = match uplo {
            Uplo::Lower => av,
            Uplo::Upper => av.transpose(),
        };
        let xv = vec_ref(x, n, incx).as_mat();
        let accum = prepare_accum(yv.rb_mut().as_mat_mut(), beta);
        triangular::matmul(
            yv.rb_mut().as_mat_mut(),
            BlockStructure::Rectangular,
            accum,
            low,
            BlockStructure::TriangularLower,
            xv,
            BlockStructure::Rectangular,
            alpha,
            Par::Seq,
        );
        triangular::matmul(
            yv.as_mat_mut(),
            BlockStructure::Rectangular,
            Accum::Add,
            low.transpose(),
            BlockStructure::StrictTriangularUpper,
            xv,
            BlockStructure::Rectangular,
            alpha,
            Par::Seq,
        );
        Ok(())
    })
}
