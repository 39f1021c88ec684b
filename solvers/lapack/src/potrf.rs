//! Cholesky: `?potrf` (factor) and `?potrs` (solve with the factor), on faer's blocked `LLᵀ`
//! and triangular solves.
//!
//! For `uplo = U` the routines work on the transposed view `Aᵀ`, whose lower triangle is A's
//! upper triangle: `Aᵀ = L·Lᵀ` with `L = Uᵀ` is exactly LAPACK's `A = Uᵀ·U`.

use core::ffi::{c_char, c_int};

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt::factor::{
    cholesky_in_place, cholesky_in_place_scratch, LltError, LltRegularization,
};
use faer::linalg::triangular_solve::{
    solve_lower_triangular_in_place, solve_upper_triangular_in_place,
};
use faer::prelude::ReborrowMut;
use faer::{MatMut, MatRef, Par};

use crate::ffi_util::{
    lapack_call, mat_mut, mat_ref, nonnull, read_dim, read_ld, read_uplo, Real, Uplo,
    INTERNAL_ERROR_INFO,
};

/// Cholesky factorisation of the symmetric positive definite A, in place in the `uplo`
/// triangle; the other triangle is neither read nor written. `info = k > 0`: the leading minor
/// of order k is not positive definite (its pivot is `<= 0` or NaN) and the factorisation was
/// not completed.
pub(crate) unsafe fn potrf<T: Real>(
    uplo: *const c_char,
    n: *const c_int,
    a: *mut T,
    lda: *const c_int,
    info: *mut c_int,
) {
    lapack_call::<T>("POTRF", info, || unsafe {
        let uplo = read_uplo(uplo, 1)?;
        let n = read_dim(n, 2)?;
        let lda = read_ld(lda, n, 4)?;
        if n == 0 {
            return Ok(0);
        }
        nonnull(a, 3)?;
        let av = mat_mut(a, n, n, lda);
        let low = match uplo {
            Uplo::Lower => av,
            Uplo::Upper => av.transpose_mut(),
        };
        Ok(llt_in_place(low))
    })
}

/// `LLᵀ` of the lower triangle of `low` in place; returns the LAPACK `info`.
///
/// faer's in-place Cholesky uses the strictly upper triangle as workspace, while LAPACK
/// promises not to reference it (clarabel multiplies the whole array after `dpotrf_('L')`,
/// relying on the zeros it left there), so that triangle is saved and restored.
fn llt_in_place<T: Real>(mut low: MatMut<'_, T>) -> c_int {
    let n = low.nrows();
    let saved: Vec<T> = (1..n)
        .flat_map(|j| (0..j).map(move |i| (i, j)))
        .map(|(i, j)| low[(i, j)])
        .collect();
    let info = llt_lower(low.rb_mut());
    let mut k = 0;
    for j in 1..n {
        for i in 0..j {
            low[(i, j)] = saved[k];
            k += 1;
        }
    }
    info
}

fn llt_lower<T: Real>(low: MatMut<'_, T>) -> c_int {
    let n = low.nrows();
    let req = cholesky_in_place_scratch::<T>(n, Par::Seq, Default::default());
    let Ok(mut buf) = MemBuffer::try_new(req) else {
        return INTERNAL_ERROR_INFO;
    };
    let result = cholesky_in_place(
        low,
        LltRegularization::default(),
        Par::Seq,
        MemStack::new(&mut buf),
        Default::default(),
    );
    match result {
        Ok(_) => 0,
        Err(LltError::NonPositivePivot { index }) => {
            c_int::try_from(index + 1).unwrap_or(INTERNAL_ERROR_INFO)
        }
    }
}

/// Solves `A·X = B` with the factor from [`potrf`] (`A = Uᵀ·U` or `A = L·Lᵀ`); B (n×nrhs) is
/// overwritten by X. Only the `uplo` triangle of the factor is read.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn potrs<T: Real>(
    uplo: *const c_char,
    n: *const c_int,
    nrhs: *const c_int,
    a: *const T,
    lda: *const c_int,
    b: *mut T,
    ldb: *const c_int,
    info: *mut c_int,
) {
    lapack_call::<T>("POTRS", info, || unsafe {
        let uplo = read_uplo(uplo, 1)?;
        let n = read_dim(n, 2)?;
        let nrhs = read_dim(nrhs, 3)?;
        let lda = read_ld(lda, n, 5)?;
        let ldb = read_ld(ldb, n, 7)?;
        if n == 0 || nrhs == 0 {
            return Ok(0);
        }
        nonnull(a, 4)?;
        nonnull(b, 6)?;
        let av = mat_ref(a, n, n, lda);
        let mut bv = mat_mut(b, n, nrhs, ldb);
        // L with A = L·Lᵀ: the lower triangle of A (uplo = L) or of Aᵀ (uplo = U, L = Uᵀ).
        let l: MatRef<'_, T> = match uplo {
            Uplo::Lower => av,
            Uplo::Upper => av.transpose(),
        };
        solve_lower_triangular_in_place(l, bv.rb_mut(), Par::Seq);
        solve_upper_triangular_in_place(l.transpose(), bv, Par::Seq);
        Ok(0)
    })
}
