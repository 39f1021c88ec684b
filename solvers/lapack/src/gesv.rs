//! `?gesv`: LU factorisation with partial pivoting (`?getrf`) followed by the solve (`?getrs`).
//!
//! The factorisation is LAPACK's right-looking blocked `dgetrf` written out here, so that the
//! pivot sequence, the `ipiv` convention and the treatment of exactly-zero pivots match LAPACK:
//! panels of [`NB`] columns are factored by the unblocked `dgetf2` algorithm (first maximal
//! `|a|` as pivot, a zero pivot column is left unscaled and recorded in `info`), the row
//! interchanges are applied to the rest of the matrix, and the trailing matrix is updated with
//! faer's triangular solve and matrix multiply.

use core::ffi::c_int;

use faer::linalg::matmul::matmul;
use faer::linalg::triangular_solve::{
    solve_unit_lower_triangular_in_place, solve_upper_triangular_in_place,
};
use faer::prelude::{Reborrow, ReborrowMut};
use faer::{Accum, MatMut, MatRef, Par};

use crate::ffi_util::{abs, lapack_call, mat_mut, nonnull, read_dim, read_ld, Real};

/// Panel width of the blocked factorisation.
const NB: usize = 32;

/// Solves `A·X = B` for square A (n×n) and B (n×nrhs). On exit A holds L (unit diagonal, not
/// stored) and U of `A = P·L·U`, `ipiv[i]` (1-based) is the row interchanged with row `i` at
/// step `i`, and B holds X. `info = i > 0`: `U(i,i)` is exactly zero, the factorisation was
/// completed but B is left unchanged.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn gesv<T: Real>(
    n: *const c_int,
    nrhs: *const c_int,
    a: *mut T,
    lda: *const c_int,
    ipiv: *mut c_int,
    b: *mut T,
    ldb: *const c_int,
    info: *mut c_int,
) {
    lapack_call::<T>("GESV", info, || unsafe {
        let n = read_dim(n, 1)?;
        let nrhs = read_dim(nrhs, 2)?;
        let lda = read_ld(lda, n, 4)?;
        let ldb = read_ld(ldb, n, 7)?;
        if n == 0 {
            return Ok(0);
        }
        nonnull(a, 3)?;
        nonnull(ipiv, 5)?;
        if nrhs > 0 {
            nonnull(b, 6)?;
        }
        let mut av = mat_mut(a, n, n, lda);
        // SAFETY: ipiv has n elements (LAPACK contract), non-null checked above.
        let ipiv = core::slice::from_raw_parts_mut(ipiv, n);
        let info = getrf(av.rb_mut(), ipiv);
        if info == 0 && nrhs > 0 {
            getrs(av.rb(), ipiv, mat_mut(b, n, nrhs, ldb));
        }
        Ok(info)
    })
}

/// Blocked right-looking LU with partial pivoting of the square `a` (LAPACK `dgetrf`).
/// Returns `info` (first exactly-zero `U(i,i)`, 1-based, or 0).
fn getrf<T: Real>(mut a: MatMut<'_, T>, ipiv: &mut [c_int]) -> c_int {
    let n = a.nrows();
    let mut info = 0usize;
    let mut j = 0;
    while j < n {
        let jb = NB.min(n - j);
        let panel_info = getf2(
            a.rb_mut().submatrix_mut(j, j, n - j, jb),
            &mut ipiv[j..j + jb],
        );
        if info == 0 && panel_info > 0 {
            info = panel_info + j;
        }
        for i in j..j + jb {
            // Local (1-based within the panel) → global (1-based) pivot row.
            ipiv[i] += j as c_int;
            let p = ipiv[i] as usize - 1;
            if p != i {
                for c in (0..j).chain(j + jb..n) {
                    let t = a[(i, c)];
                    a[(i, c)] = a[(p, c)];
                    a[(p, c)] = t;
                }
            }
        }
        if j + jb < n {
            let (a11, mut a12, a21, a22) = a
                .rb_mut()
                .submatrix_mut(j, j, n - j, n - j)
                .split_at_mut(jb, jb);
            solve_unit_lower_triangular_in_place(a11.rb(), a12.rb_mut(), Par::Seq);
            matmul(a22, Accum::Add, a21.rb(), a12.rb(), -T::ONE, Par::Seq);
        }
        j += jb;
    }
    c_int::try_from(info).unwrap_or(c_int::MAX)
}

/// Unblocked LU with partial pivoting of the m×n panel `p` (m ≥ n), LAPACK `dgetf2`: pivot is
/// the first entry of maximal `|a|` (NaN never wins a comparison, as in `idamax`); a zero pivot
/// leaves the column unscaled. `ipiv` gets 1-based local pivot rows. Returns the local `info`.
fn getf2<T: Real>(mut p: MatMut<'_, T>, ipiv: &mut [c_int]) -> usize {
    let (m, n) = (p.nrows(), p.ncols());
    let mut info = 0;
    for jj in 0..n.min(m) {
        let mut piv = jj;
        let mut max = abs(p[(jj, jj)]);
        for i in jj + 1..m {
            let v = abs(p[(i, jj)]);
            if v > max {
                max = v;
                piv = i;
            }
        }
        ipiv[jj] = (piv + 1) as c_int;
        if p[(piv, jj)] != T::ZERO {
            if piv != jj {
                for c in 0..n {
                    let t = p[(jj, c)];
                    p[(jj, c)] = p[(piv, c)];
                    p[(piv, c)] = t;
                }
            }
            let d = p[(jj, jj)];
            if abs(d) >= T::SFMIN {
                let r = T::ONE / d;
                for i in jj + 1..m {
                    p[(i, jj)] *= r;
                }
            } else {
                for i in jj + 1..m {
                    p[(i, jj)] /= d;
                }
            }
        } else if info == 0 {
            info = jj + 1;
        }
        // Rank-1 update of the trailing panel (reference dger skips zero multipliers).
        for c in jj + 1..n {
            let u = p[(jj, c)];
            if u != T::ZERO {
                for i in jj + 1..m {
                    p[(i, c)] = p[(i, c)] - p[(i, jj)] * u;
                }
            }
        }
    }
    info
}

/// `B ← U⁻¹·L⁻¹·P⁻¹·B` with the factors and pivots from [`getrf`] (LAPACK `dgetrs`, `N`).
fn getrs<T: Real>(lu: MatRef<'_, T>, ipiv: &[c_int], mut b: MatMut<'_, T>) {
    let n = lu.nrows();
    for (i, &p) in ipiv.iter().enumerate().take(n) {
        let p = p as usize - 1;
        if p != i {
            for c in 0..b.ncols() {
                let t = b[(i, c)];
                b[(i, c)] = b[(p, c)];
                b[(p, c)] = t;
            }
        }
    }
    solve_unit_lower_triangular_in_place(lu, b.rb_mut(), Par::Seq);
    solve_upper_triangular_in_place(lu, b, Par::Seq);
}
