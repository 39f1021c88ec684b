//! Level-3 BLAS: `?gemm`, `?syrk`, `?syr2k` on faer's (triangular) matrix-multiply kernels.
//!
//! Argument checks, their order and the quick returns follow the reference BLAS
//! (`dgemm.f`, `dsyrk.f`, `dsyr2k.f`).

use core::ffi::{c_char, c_int};

use faer::linalg::matmul::matmul;
use faer::linalg::matmul::triangular::{self, BlockStructure};
use faer::prelude::ReborrowMut;
use faer::{Accum, MatMut, MatRef, Par};

use crate::ffi_util::{
    blas_call, mat_mut, mat_ref, nonnull, prepare_accum, read_dim, read_ld, read_trans, read_uplo,
    read_val, scale, scale_triangle, Real, Uplo,
};

/// `C ← alpha·op(A)·op(B) + beta·C`.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn gemm<T: Real>(
    transa: *const c_char,
    transb: *const c_char,
    m: *const c_int,
    n: *const c_int,
    k: *const c_int,
    alpha: *const T,
    a: *const T,
    lda: *const c_int,
    b: *const T,
    ldb: *const c_int,
    beta: *const T,
    c: *mut T,
    ldc: *const c_int,
) {
    blas_call::<T>("GEMM", || unsafe {
        let ta = read_trans(transa, 1)?;
        let tb = read_trans(transb, 2)?;
        let m = read_dim(m, 3)?;
        let n = read_dim(n, 4)?;
        let k = read_dim(k, 5)?;
        let (nrowa, ncola) = if ta { (k, m) } else { (m, k) };
        let (nrowb, ncolb) = if tb { (n, k) } else { (k, n) };
        let lda = read_ld(lda, nrowa, 8)?;
        let ldb = read_ld(ldb, nrowb, 10)?;
        let ldc = read_ld(ldc, m, 13)?;
        if m == 0 || n == 0 {
            return Ok(());
        }
        let alpha = read_val(alpha, 6)?;
        let beta = read_val(beta, 11)?;
        if (alpha == T::ZERO || k == 0) && beta == T::ONE {
            return Ok(());
        }
        nonnull(c, 12)?;
        let mut cv = mat_mut(c, m, n, ldc);
        if alpha == T::ZERO || k == 0 {
            scale(cv, beta);
            return Ok(());
        }
        nonnull(a, 7)?;
        nonnull(b, 9)?;
        let av = op(mat_ref(a, nrowa, ncola, lda), ta);
        let bv = op(mat_ref(b, nrowb, ncolb, ldb), tb);
        let accum = prepare_accum(cv.rb_mut(), beta);
        matmul(cv, accum, av, bv, alpha, Par::Seq);
        Ok(())
    })
}

/// `C ← alpha·A·Aᵀ + beta·C` (`trans = N`, A is n×k) or `C ← alpha·Aᵀ·A + beta·C`
/// (`trans = T/C`, A is k×n); only the `uplo` triangle of C is read and written.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn syrk<T: Real>(
    uplo: *const c_char,
    trans: *const c_char,
    n: *const c_int,
    k: *const c_int,
    alpha: *const T,
    a: *const T,
    lda: *const c_int,
    beta: *const T,
    c: *mut T,
    ldc: *const c_int,
) {
    blas_call::<T>("SYRK", || unsafe {
        let uplo = read_uplo(uplo, 1)?;
        let tr = read_trans(trans, 2)?;
        let n = read_dim(n, 3)?;
        let k = read_dim(k, 4)?;
        let (nrowa, ncola) = if tr { (k, n) } else { (n, k) };
        let lda = read_ld(lda, nrowa, 7)?;
        let ldc = read_ld(ldc, n, 10)?;
        if n == 0 {
            return Ok(());
        }
        let alpha = read_val(alpha, 5)?;
        let beta = read_val(beta, 8)?;
        if (alpha == T::ZERO || k == 0) && beta == T::ONE {
            return Ok(());
        }
        nonnull(c, 9)?;
        let mut cv = mat_mut(c, n, n, ldc);
        let accum = triangle_accum(cv.rb_mut(), uplo, beta);
        if alpha == T::ZERO || k == 0 {
            if accum == Accum::Replace {
                scale_triangle(cv, uplo, T::ZERO);
            }
            return Ok(());
        }
        nonnull(a, 6)?;
        let av = op(mat_ref(a, nrowa, ncola, lda), tr);
        triangular::matmul(
            lower_view(cv, uplo),
            BlockStructure::TriangularLower,
            accum,
            av,
            BlockStructure::Rectangular,
            av.transpose(),
            BlockStructure::Rectangular,
            alpha,
            Par::Seq,
        );
        Ok(())
    })
}

/// `C ← alpha·(A·Bᵀ + B·Aᵀ) + beta·C` (`trans = N`, A, B are n×k) or
/// `C ← alpha·(Aᵀ·B + Bᵀ·A) + beta·C` (`trans = T/C`, A, B are k×n); only the `uplo` triangle of
/// C is read and written.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn syr2k<T: Real>(
    uplo: *const c_char,
    trans: *const c_char,
    n: *const c_int,
    k: *const c_int,
    alpha: *const T,
    a: *const T,
    lda: *const c_int,
    b: *const T,
    ldb: *const c_int,
    beta: *const T,
    c: *mut T,
    ldc: *const c_int,
) {
    blas_call::<T>("SYR2K", || unsafe {
        let uplo = read_uplo(uplo, 1)?;
        let tr = read_trans(trans, 2)?;
        let n = read_dim(n, 3)?;
        let k = read_dim(k, 4)?;
        let (nrow, ncol) = if tr { (k, n) } else { (n, k) };
        let lda = read_ld(lda, nrow, 7)?;
        let ldb = read_ld(ldb, nrow, 9)?;
        let ldc = read_ld(ldc, n, 12)?;
        if n == 0 {
            return Ok(());
        }
        let alpha = read_val(alpha, 5)?;
        let beta = read_val(beta, 10)?;
        if (alpha == T::ZERO || k == 0) && beta == T::ONE {
            return Ok(());
        }
        nonnull(c, 11)?;
        let mut cv = mat_mut(c, n, n, ldc);
        let accum = triangle_accum(cv.rb_mut(), uplo, beta);
        if alpha == T::ZERO || k == 0 {
            if accum == Accum::Replace {
                scale_triangle(cv, uplo, T::ZERO);
            }
            return Ok(());
        }
        nonnull(a, 6)?;
        nonnull(b, 8)?;
        let av = op(mat_ref(a, nrow, ncol, lda), tr);
        let bv = op(mat_ref(b, nrow, ncol, ldb), tr);
        let mut dst = lower_view(cv, uplo);
        for (l, r, acc) in [(av, bv, accum), (bv, av, Accum::Add)] {
            triangular::matmul(
                dst.rb_mut(),
                BlockStructure::TriangularLower,
                acc,
                l,
                BlockStructure::Rectangular,
                r.transpose(),
                BlockStructure::Rectangular,
                alpha,
                Par::Seq,
            );
        }
        Ok(())
    })
}

/// `op(X)`: X or Xᵀ.
fn op<T>(x: MatRef<'_, T>, trans: bool) -> MatRef<'_, T> {
    if trans {
        x.transpose()
    } else {
        x
    }
}

/// A view whose lower triangle is the `uplo` triangle of the square `c`. The updates written
/// through it are symmetric, so for `uplo = U` updating `Cᵀ`'s lower triangle is updating C's
/// upper triangle.
fn lower_view<T>(c: MatMut<'_, T>, uplo: Uplo) -> MatMut<'_, T> {
    match uplo {
        Uplo::Lower => c,
        Uplo::Upper => c.transpose_mut(),
    }
}

/// Applies `beta` to the `uplo` triangle and says how the product is to be accumulated:
/// `beta = 0` → `Replace` (the triangle is not read), otherwise scale then `Add`.
fn triangle_accum<T: Real>(c: MatMut<'_, T>, uplo: Uplo, beta: T) -> Accum {
    if beta == T::ZERO {
        Accum::Replace
    } else {
        scale_triangle(c, uplo, beta);
        Accum::Add
    }
}
