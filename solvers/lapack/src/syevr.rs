//! `?syevr`: eigenvalues and optionally eigenvectors of a real symmetric matrix, on faer's
//! self-adjoint eigendecomposition (Householder tridiagonalisation, then implicit QR for
//! n < 128 or divide and conquer above).
//!
//! LAPACK computes the selected eigenpairs with MRRR (`dstemr`); here all n eigenpairs are
//! computed and the selection (`range = V` or `I`) is made afterwards, which gives the same
//! output contract at the cost of computing eigenpairs that are then discarded.

use core::ffi::{c_char, c_int};

use faer::dyn_stack::{MemStack, StackReq};
use faer::linalg::evd::{self_adjoint_evd, self_adjoint_evd_scratch, ComputeEigenvectors};
use faer::linalg::{temp_mat_scratch, temp_mat_zeroed};
use faer::mat::AsMatMut;
use faer::prelude::{Reborrow, ReborrowMut};
use faer::{ColMut, MatMut, MatRef, Par};

use crate::ffi_util::{
    is_nan, lapack_call, lwork_for, mat_mut, mat_ref, nonnull, read_char, read_dim, read_int,
    read_ld, read_uplo, read_val, with_workspace, Real, Uplo,
};

/// `info` for a failed decomposition (no convergence, or NaN in the eigenvalues, which happens
/// exactly when the referenced triangle holds NaN or Inf). LAPACK documents `info > 0` as
/// "internal error" without a more specific meaning.
const EVD_FAILURE_INFO: c_int = 1;

/// Which eigenvalues are wanted.
#[derive(Clone, Copy, PartialEq)]
enum Range<T> {
    All,
    /// Half-open interval `(vl, vu]`.
    Values(T, T),
    /// 0-based inclusive index range (from the 1-based `il..=iu`).
    Indices(usize, usize),
}

#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn syevr<T: Real>(
    jobz: *const c_char,
    range: *const c_char,
    uplo: *const c_char,
    n: *const c_int,
    a: *mut T,
    lda: *const c_int,
    vl: *const T,
    vu: *const T,
    il: *const c_int,
    iu: *const c_int,
    _abstol: *const T,
    m: *mut c_int,
    w: *mut T,
    z: *mut T,
    ldz: *const c_int,
    isuppz: *mut c_int,
    work: *mut T,
    lwork: *const c_int,
    iwork: *mut c_int,
    liwork: *const c_int,
    info: *mut c_int,
) {
    lapack_call::<T>("SYEVR", info, || unsafe {
        // ---- argument checks, in LAPACK's order ----
        let wantz = match read_char(jobz, 1)? {
            b'V' => true,
            b'N' => false,
            _ => return Err(1),
        };
        let range_c = read_char(range, 2)?;
        if !matches!(range_c, b'A' | b'V' | b'I') {
            return Err(2);
        }
        let uplo = read_uplo(uplo, 3)?;
        let n = read_dim(n, 4)?;
        let lda = read_ld(lda, n, 6)?;
        let range = match range_c {
            b'V' => {
                let (vl, vu) = (read_val(vl, 7)?, read_val(vu, 8)?);
                // As LAPACK (`VU.LE.VL`): NaN bounds are not rejected; they select nothing.
                if n > 0 && vu <= vl {
                    return Err(8);
                }
                Range::Values(vl, vu)
            }
            b'I' => {
                let il = read_int(il, 9)?;
                let iu = read_int(iu, 10)?;
                let n_i = n as i64;
                if il < 1 || il as i64 > n_i.max(1) {
                    return Err(9);
                }
                if (iu as i64) < n_i.min(il as i64) || iu as i64 > n_i {
                    return Err(10);
                }
                // n = 0 allows il = 1, iu = 0: an empty selection.
                Range::Indices(il as usize - 1, iu as usize)
            }
            _ => Range::All,
        };
        let ldz = read_int(ldz, 15)?;
        if ldz < 1 || (wantz && (ldz as usize) < n) {
            return Err(15);
        }
        let ldz = ldz as usize;
        let lwork = read_int(lwork, 18)?;
        let liwork = read_int(liwork, 20)?;
        let lquery = lwork == -1 || liwork == -1;
        let lwmin = n.saturating_mul(26).max(1);
        let liwmin = n.saturating_mul(10).max(1);
        let liwmin_c = c_int::try_from(liwmin).unwrap_or(c_int::MAX);
        if !lquery && (lwork < 0 || (lwork as usize) < lwmin) {
            return Err(18);
        }
        if !lquery && (liwork < 0 || (liwork as usize) < liwmin) {
            return Err(20);
        }

        // ---- workspace: LAPACK's minimum, or what our faer path needs if that is more ----
        let full = matches!(range, Range::All);
        // (faer's scratch formula underflows for n = 0, which needs no scratch.)
        let req = if n == 0 {
            StackReq::EMPTY
        } else {
            let evd_req = self_adjoint_evd_scratch::<T>(
                n,
                if wantz {
                    ComputeEigenvectors::Yes
                } else {
                    ComputeEigenvectors::No
                },
                Par::Seq,
                Default::default(),
            );
            if wantz && !full {
                temp_mat_scratch::<T>(n, n).and(evd_req)
            } else {
                evd_req
            }
        };
        let lwkopt = lwmin.max(lwork_for::<T>(req));
        nonnull(work, 17)?;
        nonnull(iwork, 19)?;
        *work = T::encode_lwork(lwkopt);
        *iwork = liwmin_c;
        if lquery {
            return Ok(0);
        }

        // ---- computation ----
        nonnull(m, 12)?;
        *m = 0;
        if n == 0 {
            *work = T::ONE;
            return Ok(0);
        }
        nonnull(a, 5)?;
        nonnull(w, 13)?;
        if wantz {
            nonnull(z, 14)?;
            nonnull(isuppz, 16)?;
        }
        let av = mat_ref(a, n, n, lda);
        let low = match uplo {
            Uplo::Lower => av,
            Uplo::Upper => av.transpose(),
        };
        let ws = core::slice::from_raw_parts_mut(w, n);
        let outcome = with_workspace(req, work, lwork as usize, |stack: &mut MemStack| {
            if wantz && !full {
                // Selected eigenvectors: decompose into a temporary, then copy the wanted
                // columns (Z only has room for m columns).
                let (mut tmp, stack) = temp_mat_zeroed::<T, _, _>(n, n, stack);
                let mut tmp = tmp.as_mat_mut();
                decompose(low, ws, Some(tmp.rb_mut()), stack)?;
                let (lo, count) = select(ws, range);
                mat_mut(z, n, count, ldz).copy_from(tmp.rb().subcols(lo, count));
                Some(count)
            } else {
                let u = if wantz {
                    Some(mat_mut(z, n, n, ldz))
                } else {
                    None
                };
                decompose(low, ws, u, stack)?;
                Some(select(ws, range).1)
            }
        });
        let Some(count) = outcome.flatten() else {
            *work = T::encode_lwork(lwkopt);
            *iwork = liwmin_c;
            return Ok(EVD_FAILURE_INFO);
        };
        if wantz {
            let zv = mat_ref(z, n, count, ldz);
            let supp = core::slice::from_raw_parts_mut(isuppz, 2 * count);
            for j in 0..count {
                let col = zv.col(j);
                let first = (0..n).find(|&i| col[i] != T::ZERO).map_or(0, |i| i + 1);
                let last = (0..n)
                    .rev()
                    .find(|&i| col[i] != T::ZERO)
                    .map_or(0, |i| i + 1);
                supp[2 * j] = first as c_int;
                supp[2 * j + 1] = last as c_int;
            }
        }
        *m = count as c_int;
        *work = T::encode_lwork(lwkopt);
        *iwork = liwmin_c;
        Ok(0)
    })
}

/// All eigenpairs of the symmetric matrix whose lower triangle is `low`: ascending eigenvalues
/// in `w`, eigenvectors in `u` if given. `None` on failure (no convergence or NaN eigenvalues).
fn decompose<T: Real>(
    low: MatRef<'_, T>,
    w: &mut [T],
    u: Option<MatMut<'_, T>>,
    stack: &mut MemStack,
) -> Option<()> {
    let mut u = u;
    // Defensive: do not rely on the eigensolver initialising every entry of U.
    if let Some(u) = u.as_mut() {
        u.fill(T::ZERO);
    }
    let s = ColMut::from_slice_mut(&mut *w).as_diagonal_mut();
    self_adjoint_evd(low, s, u, Par::Seq, stack, Default::default()).ok()?;
    if w.iter().any(|&x| is_nan(x)) {
        None
    } else {
        Some(())
    }
}

/// Moves the selected eigenvalues (a contiguous block of the ascending `w`) to the front of
/// `w`; returns the block's original start and its length m.
fn select<T: Real>(w: &mut [T], range: Range<T>) -> (usize, usize) {
    let (lo, count) = match range {
        Range::All => (0, w.len()),
        Range::Values(vl, vu) if is_nan(vl) || is_nan(vu) => (0, 0),
        Range::Values(vl, vu) => {
            let lo = w.iter().take_while(|&&x| x <= vl).count();
            let hi = w.iter().take_while(|&&x| x <= vu).count();
            (lo, hi.saturating_sub(lo))
        }
        Range::Indices(lo, hi) => (lo, hi.saturating_sub(lo)),
    };
    w.copy_within(lo..lo + count, 0);
    (lo, count)
}
