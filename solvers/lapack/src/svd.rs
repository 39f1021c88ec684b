//! Singular value decomposition `A = U·Σ·Vᵀ`: `?gesdd` (divide and conquer in LAPACK) and
//! `?gesvd` (QR iteration in LAPACK), both on faer's SVD (bidiagonalisation, then divide and
//! conquer above 128 columns or implicit QR below; a QR factorisation first for very tall or
//! wide A). Singular values come out in descending order.
//!
//! faer returns V; VT is written by viewing the caller's `vt` array transposed, so the `S`/`A`
//! jobs need no extra copy. The `O` jobs (vectors overwrite A) go through a temporary, because
//! A is still the input while the vectors are computed.

use core::ffi::{c_char, c_int};

use faer::dyn_stack::{MemStack, StackReq};
use faer::linalg::svd::{svd, svd_scratch, ComputeSvdVectors};
use faer::linalg::{temp_mat_scratch, temp_mat_zeroed};
use faer::mat::AsMatMut;
use faer::prelude::{Reborrow, ReborrowMut};
use faer::{ColMut, MatMut, MatRef, Par};

use crate::ffi_util::{
    is_nan, lapack_call, lwork_for, mat_mut, mat_ref, nonnull, read_char, read_dim, read_int,
    read_ld, with_workspace, Real,
};

/// What to do with one side's singular vectors (LAPACK's `A`, `S`, `O`, `N`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Job {
    /// All of them (m columns of U, or n rows of VT) into the output array.
    All,
    /// The first min(m, n) into the output array.
    Thin,
    /// The first min(m, n) overwrite A.
    Overwrite,
    /// None.
    Skip,
}

impl Job {
    unsafe fn read(p: *const c_char, arg: c_int) -> Result<Job, c_int> {
        match unsafe { read_char(p, arg) }? {
            b'A' => Ok(Job::All),
            b'S' => Ok(Job::Thin),
            b'O' => Ok(Job::Overwrite),
            b'N' => Ok(Job::Skip),
            _ => Err(arg),
        }
    }

    fn faer(self) -> ComputeSvdVectors {
        match self {
            Job::All => ComputeSvdVectors::Full,
            Job::Thin | Job::Overwrite => ComputeSvdVectors::Thin,
            Job::Skip => ComputeSvdVectors::No,
        }
    }
}

/// The arrays of one SVD call, dimensions already validated.
struct SvdArgs<T> {
    m: usize,
    n: usize,
    a: *mut T,
    lda: usize,
    s: *mut T,
    ujob: Job,
    u: *mut T,
    ldu: usize,
    vjob: Job,
    vt: *mut T,
    ldvt: usize,
}

impl<T: Real> SvdArgs<T> {
    fn k(&self) -> usize {
        self.m.min(self.n)
    }

    /// faer scratch for the SVD, plus the temporary for an `O` job (allocated first).
    fn req(&self) -> StackReq {
        let svd_req = svd_scratch::<T>(
            self.m,
            self.n,
            self.ujob.faer(),
            self.vjob.faer(),
            Par::Seq,
            Default::default(),
        );
        match self.tmp_rows() {
            Some(rows) => temp_mat_scratch::<T>(rows, self.k()).and(svd_req),
            None => svd_req,
        }
    }

    /// Rows of the temporary needed by an `O` job (m for U, n for V = VTᵀ).
    fn tmp_rows(&self) -> Option<usize> {
        if self.ujob == Job::Overwrite {
            Some(self.m)
        } else if self.vjob == Job::Overwrite {
            Some(self.n)
        } else {
            None
        }
    }

    /// Runs the SVD (k = min(m, n) > 0). `None` on failure (no convergence, NaN singular
    /// values, or no memory for the workspace).
    ///
    /// # Safety
    /// The arrays must match the validated dimensions; `work` holds `lwork` elements.
    unsafe fn run(&self, work: *mut T, lwork: usize) -> Option<()> {
        let k = self.k();
        let outcome = unsafe {
            with_workspace(self.req(), work, lwork, |stack: &mut MemStack| {
                match self.tmp_rows() {
                    Some(rows) => {
                        let (mut tmp, stack) = temp_mat_zeroed::<T, _, _>(rows, k, stack);
                        self.run_with(Some(tmp.as_mat_mut()), stack)
                    }
                    None => self.run_with(None, stack),
                }
            })
        };
        outcome.flatten()
    }

    unsafe fn run_with(&self, tmp: Option<MatMut<'_, T>>, stack: &mut MemStack) -> Option<()> {
        let (m, n, k) = (self.m, self.n, self.k());
        let mut tmp = tmp;
        // SAFETY (all views): dimensions validated against the leading dimensions by the
        // caller; U, VT, S and A are distinct arrays (LAPACK contract).
        let mut u: Option<MatMut<'_, T>> = match self.ujob {
            Job::All => Some(unsafe { mat_mut(self.u, m, m, self.ldu) }),
            Job::Thin => Some(unsafe { mat_mut(self.u, m, k, self.ldu) }),
            Job::Overwrite => tmp.take(),
            Job::Skip => None,
        };
        // V = VTᵀ: a transposed view of the caller's VT.
        let mut v: Option<MatMut<'_, T>> = match self.vjob {
            Job::All => Some(unsafe { mat_mut(self.vt, n, n, self.ldvt) }.transpose_mut()),
            Job::Thin => Some(unsafe { mat_mut(self.vt, k, n, self.ldvt) }.transpose_mut()),
            Job::Overwrite => tmp.take(),
            Job::Skip => None,
        };
        // faer's SVD assumes zero-initialised outputs on one path: for a full U of a very tall
        // (or full V of a very wide) matrix it leaves the block U[..n, n..] as it found it.
        for x in [u.as_mut(), v.as_mut()].into_iter().flatten() {
            x.fill(T::ZERO);
        }
        let s = unsafe { core::slice::from_raw_parts_mut(self.s, k) };
        {
            let av: MatRef<'_, T> = unsafe { mat_ref(self.a, m, n, self.lda) };
            let sd = ColMut::from_slice_mut(&mut *s).as_diagonal_mut();
            svd(
                av,
                sd,
                u.as_mut().map(|x| x.rb_mut()),
                v.as_mut().map(|x| x.rb_mut()),
                Par::Seq,
                stack,
                Default::default(),
            )
            .ok()?;
        }
        if s.iter().any(|&x| is_nan(x)) {
            return None;
        }
        if self.ujob == Job::Overwrite {
            let src = u.as_ref()?.rb();
            unsafe { mat_mut(self.a, m, k, self.lda) }.copy_from(src);
        }
        if self.vjob == Job::Overwrite {
            let src = v.as_ref()?.rb();
            unsafe { mat_mut(self.a, k, n, self.lda) }.copy_from(src.transpose());
        }
        Some(())
    }
}

/// LAPACK `dgesdd`'s minimal `lwork` (its formulas, path by path). Computed in `u128` and
/// saturated, so absurd dimensions cannot overflow.
fn gesdd_minwrk(job: Job, m: usize, n: usize) -> usize {
    let (k, big) = (m.min(n) as u128, m.max(n) as u128);
    if k == 0 {
        return 1;
    }
    let bdspac = if job == Job::Skip {
        7 * k
    } else {
        3 * k * k + 4 * k
    };
    let mnthr = (k as f64 * 11.0 / 6.0) as u128;
    let w = if big >= mnthr {
        match job {
            Job::Skip => bdspac + k,
            Job::Overwrite => bdspac + 2 * k * k + 3 * k,
            Job::Thin => bdspac + k * k + 3 * k,
            Job::All => k * k + (3 * k + bdspac).max(k + big),
        }
    } else {
        match job {
            Job::Overwrite => 3 * k + big.max(k * k + bdspac),
            _ => 3 * k + big.max(bdspac),
        }
    };
    usize::try_from(w).unwrap_or(usize::MAX)
}

/// LAPACK `dgesvd`'s minimal `lwork` (its formulas, path by path; `mnthr` from `ilaenv`).
fn gesvd_minwrk(ujob: Job, vjob: Job, m: usize, n: usize) -> usize {
    let (k, big) = (m.min(n) as u128, m.max(n) as u128);
    if k == 0 {
        return 1;
    }
    let bdspac = 5 * k;
    // ilaenv(6, 'DGESVD', ...) = INT(REAL(MIN(M, N)) * 1.6E0), in single precision.
    let mnthr = (k as f32 * 1.6f32) as u128;
    // The long side's vectors not wanted at all: LAPACK's cheaper path.
    let long_side_skipped = if m >= n {
        ujob == Job::Skip
    } else {
        vjob == Job::Skip
    };
    let w = if big >= mnthr && long_side_skipped {
        (4 * k).max(bdspac)
    } else {
        (3 * k + big).max(bdspac)
    };
    usize::try_from(w).unwrap_or(usize::MAX)
}

#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn gesdd<T: Real>(
    jobz: *const c_char,
    m: *const c_int,
    n: *const c_int,
    a: *mut T,
    lda: *const c_int,
    s: *mut T,
    u: *mut T,
    ldu: *const c_int,
    vt: *mut T,
    ldvt: *const c_int,
    work: *mut T,
    lwork: *const c_int,
    _iwork: *mut c_int,
    info: *mut c_int,
) {
    lapack_call::<T>("GESDD", info, || unsafe {
        let job = Job::read(jobz, 1)?;
        let m = read_dim(m, 2)?;
        let n = read_dim(n, 3)?;
        let lda = read_ld(lda, m, 5)?;
        let k = m.min(n);
        let wantqas = matches!(job, Job::All | Job::Thin);
        let ldu_v = read_int(ldu, 8)?;
        if ldu_v < 1
            || (wantqas && (ldu_v as usize) < m)
            || (job == Job::Overwrite && m < n && (ldu_v as usize) < m)
        {
            return Err(8);
        }
        let ldvt_v = read_int(ldvt, 10)?;
        if ldvt_v < 1
            || (job == Job::All && (ldvt_v as usize) < n)
            || (job == Job::Thin && (ldvt_v as usize) < k)
            || (job == Job::Overwrite && m >= n && (ldvt_v as usize) < n)
        {
            return Err(10);
        }
        // jobz = O: U overwrites A when m >= n (VT to VT), else VT overwrites A (U to U).
        let (ujob, vjob) = match job {
            Job::Overwrite if m >= n => (Job::Overwrite, Job::Thin),
            Job::Overwrite => (Job::Thin, Job::Overwrite),
            j => (j, j),
        };
        let args = SvdArgs {
            m,
            n,
            a,
            lda,
            s,
            ujob,
            u,
            ldu: ldu_v as usize,
            vjob,
            vt,
            ldvt: ldvt_v as usize,
        };
        let lwork = read_int(lwork, 12)?;
        let lquery = lwork == -1;
        let minwrk = gesdd_minwrk(job, m, n);
        if !lquery && (lwork < 0 || (lwork as usize) < minwrk) {
            return Err(12);
        }
        let maxwrk = minwrk.max(lwork_for::<T>(args.req()));
        nonnull(work, 11)?;
        *work = T::encode_lwork(maxwrk);
        if lquery || k == 0 {
            return Ok(0);
        }
        check_arrays(&args, 4, 6, 7, 9)?;
        // LAPACK 3.x dgesdd: a NaN in A is reported as info = -4 (without xerbla).
        if (0..n).any(|j| (0..m).any(|i| is_nan(*a.add(i + j * lda)))) {
            return Ok(-4);
        }
        let code = match args.run(work, lwork as usize) {
            Some(()) => 0,
            None => 1,
        };
        *work = T::encode_lwork(maxwrk);
        Ok(code)
    })
}

#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn gesvd<T: Real>(
    jobu: *const c_char,
    jobvt: *const c_char,
    m: *const c_int,
    n: *const c_int,
    a: *mut T,
    lda: *const c_int,
    s: *mut T,
    u: *mut T,
    ldu: *const c_int,
    vt: *mut T,
    ldvt: *const c_int,
    work: *mut T,
    lwork: *const c_int,
    info: *mut c_int,
) {
    lapack_call::<T>("GESVD", info, || unsafe {
        let ujob = Job::read(jobu, 1)?;
        let vjob = Job::read(jobvt, 2)?;
        if ujob == Job::Overwrite && vjob == Job::Overwrite {
            return Err(2);
        }
        let m = read_dim(m, 3)?;
        let n = read_dim(n, 4)?;
        let lda = read_ld(lda, m, 6)?;
        let k = m.min(n);
        let ldu_v = read_int(ldu, 9)?;
        if ldu_v < 1 || (matches!(ujob, Job::All | Job::Thin) && (ldu_v as usize) < m) {
            return Err(9);
        }
        let ldvt_v = read_int(ldvt, 11)?;
        if ldvt_v < 1
            || (vjob == Job::All && (ldvt_v as usize) < n)
            || (vjob == Job::Thin && (ldvt_v as usize) < k)
        {
            return Err(11);
        }
        let args = SvdArgs {
            m,
            n,
            a,
            lda,
            s,
            ujob,
            u,
            ldu: ldu_v as usize,
            vjob,
            vt,
            ldvt: ldvt_v as usize,
        };
        let lwork = read_int(lwork, 13)?;
        let lquery = lwork == -1;
        let minwrk = gesvd_minwrk(ujob, vjob, m, n);
        if !lquery && (lwork < 0 || (lwork as usize) < minwrk) {
            return Err(13);
        }
        let maxwrk = minwrk.max(lwork_for::<T>(args.req()));
        nonnull(work, 12)?;
        *work = T::encode_lwork(maxwrk);
        if lquery || k == 0 {
            return Ok(0);
        }
        check_arrays(&args, 5, 7, 8, 10)?;
        let code = match args.run(work, lwork as usize) {
            Some(()) => 0,
            // LAPACK: "INFO superdiagonals did not converge"; we report all of them.
            None => (k as c_int - 1).max(1),
        };
        *work = T::encode_lwork(maxwrk);
        Ok(code)
    })
}

/// Null checks for the arrays that will be dereferenced (argument indices per routine).
fn check_arrays<T>(
    args: &SvdArgs<T>,
    a: c_int,
    s: c_int,
    u: c_int,
    vt: c_int,
) -> Result<(), c_int> {
    nonnull(args.a, a)?;
    nonnull(args.s, s)?;
    if matches!(args.ujob, Job::All | Job::Thin) {
        nonnull(args.u, u)?;
    }
    if matches!(args.vjob, Job::All | Job::Thin) {
        nonnull(args.vt, vt)?;
    }
    Ok(())
}
