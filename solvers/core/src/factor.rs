//! Cholesky (`A = LLᵀ`) and symmetric indefinite (`PAPᵀ = LBLᵀ`,
//! Bunch–Kaufman) factorisations on faer, with failures reported as errors.
//!
//! * [`cholesky`] reports a matrix that is not (numerically) positive
//!   definite as [`CoreError::NotPositiveDefinite`] with the 0-based index of
//!   the failing pivot. This is the *floating-point* test: success does not
//!   prove `A ≻ 0` — use [`crate::verified`] for a proof.
//! * [`ldlt`] factors any symmetric matrix with Bunch–Kaufman pivoting
//!   (1×1 and 2×2 pivot blocks; Bunch & Kaufman, *Math. Comp.* 31 (1977)
//!   163–179), which is backward stable, and reports the numerical inertia by
//!   Sylvester's law: the inertia of `A` equals that of the block-diagonal `B`.
//!
//! Both read the lower triangle of `A` after checking that `A` is finite and
//! symmetric within [`SYMMETRY_TOL`].

use crate::error::{CoreError, Result};
use crate::symmetric::{check_finite, check_square, check_symmetric, max_abs, SYMMETRY_TOL};
use faer::linalg::solvers::{DenseSolveCore, Lblt, Llt, LltError, Solve};
use faer::{Mat, MatRef, Side};

/// Relative size below which a Bunch–Kaufman pivot eigenvalue counts as
/// zero: `n·16·ε·max|a_ij|`. Backward stability of Bunch–Kaufman gives a
/// perturbation of order `n·ε·‖A‖` (Higham, *Accuracy and Stability*, §11.1.2),
/// so smaller pivots are indistinguishable from zero; the factor 16 absorbs
/// the growth factor constant in typical cases.
pub const ZERO_PIVOT_RTOL: f64 = 16.0 * f64::EPSILON;

fn check_input(a: MatRef<'_, f64>) -> Result<usize> {
    let n = check_square(a)?;
    check_finite(a)?;
    check_symmetric(a, SYMMETRY_TOL)?;
    Ok(n)
}

fn check_rhs(n: usize, b: MatRef<'_, f64>, context: &'static str) -> Result<()> {
    if b.nrows() != n {
        return Err(CoreError::DimensionMismatch {
            context,
            expected: n,
            found: b.nrows(),
        });
    }
    check_finite(b)
}

/// Cholesky factor `A = LLᵀ` of a symmetric positive definite matrix.
#[derive(Debug, Clone)]
pub struct Cholesky {
    llt: Llt<f64>,
}

/// Cholesky factorisation of `a` (lower triangle read).
///
/// Errors: [`CoreError::NotSquare`], [`CoreError::NonFiniteEntry`],
/// [`CoreError::NotSymmetric`], [`CoreError::NotPositiveDefinite`] with the
/// 0-based index of the first pivot that is not positive.
pub fn cholesky(a: MatRef<'_, f64>) -> Result<Cholesky> {
    check_input(a)?;
    let llt = a.llt(Side::Lower).map_err(|e| match e {
        LltError::NonPositivePivot { index } => CoreError::NotPositiveDefinite { index },
    })?;
    let l = llt.L();
    // faer stops at a pivot that is not positive; NaN cannot arise from
    // finite input except through overflow, which we report the same way.
    for j in 0..l.ncols() {
        if !l[(j, j)].is_finite() || l[(j, j)] <= 0.0 {
            return Err(CoreError::NotPositiveDefinite { index: j });
        }
    }
    Ok(Cholesky { llt })
}

impl Cholesky {
    /// Matrix size.
    pub fn dim(&self) -> usize {
        self.llt.L().nrows()
    }

    /// The lower-triangular factor `L`.
    pub fn l(&self) -> MatRef<'_, f64> {
        self.llt.L()
    }

    /// Solves `A X = B`.
    pub fn solve(&self, b: MatRef<'_, f64>) -> Result<Mat<f64>> {
        check_rhs(self.dim(), b, "Cholesky::solve: rows of B")?;
        Ok(self.llt.solve(b))
    }

    /// Solves `A x = b` for one right-hand side.
    pub fn solve_vec(&self, b: &[f64]) -> Result<Vec<f64>> {
        let bm = MatRef::from_column_major_slice(b, b.len(), 1);
        let x = self.solve(bm)?;
        Ok(x.col_as_slice(0).to_vec())
    }

    /// `log det A = 2 Σ log l_ii`.
    pub fn log_det(&self) -> f64 {
        let l = self.l();
        2.0 * (0..self.dim()).map(|i| l[(i, i)].ln()).sum::<f64>()
    }

    /// `A⁻¹` (dense).
    pub fn inverse(&self) -> Mat<f64> {
        self.llt.inverse()
    }

    /// `LLᵀ` (reconstruction of `A`).
    pub fn reconstruct(&self) -> Mat<f64> {
        self.llt.reconstruct()
    }
}

/// Inertia `(n₊, n₋, n₀)`: numbers of positive, negative and zero
/// eigenvalues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inertia {
    /// Positive eigenvalues.
    pub positive: usize,
    /// Negative eigenvalues.
    pub negative: usize,
    /// Zero eigenvalues (within the tolerance [`ZERO_PIVOT_RTOL`]).
    pub zero: usize,
}

/// Symmetric indefinite factorisation `PAPᵀ = LBLᵀ` (Bunch–Kaufman): `L`
/// unit lower triangular, `B` block diagonal with 1×1 and 2×2 blocks.
#[derive(Debug, Clone)]
pub struct Ldlt {
    lblt: Lblt<f64>,
    /// Eigenvalues of the pivot blocks, in block order, with the index of
    /// the block's first row.
    pivot_eigenvalues: Vec<(usize, f64)>,
    zero_tol: f64,
}

/// Bunch–Kaufman `LBLᵀ` factorisation of a symmetric (possibly indefinite
/// or singular) matrix. Never fails on finite symmetric input; singularity is
/// reported by [`Ldlt::inertia`] and by [`Ldlt::solve`].
pub fn ldlt(a: MatRef<'_, f64>) -> Result<Ldlt> {
    let n = check_input(a)?;
    let lblt = a.lblt(Side::Lower);
    let d = lblt.B_diag().column_vector();
    let s = lblt.B_subdiag().column_vector();
    let mut pivot_eigenvalues = Vec::with_capacity(n);
    let mut i = 0;
    while i < n {
        if i + 1 < n && s[i] != 0.0 {
            // 2×2 block [[d_i, s_i], [s_i, d_{i+1}]]: explicit eigenvalues.
            let (p, q, r) = (d[i], s[i], d[i + 1]);
            let mid = 0.5 * (p + r);
            let rad = (0.5 * (p - r)).hypot(q);
            pivot_eigenvalues.push((i, mid - rad));
            pivot_eigenvalues.push((i, mid + rad));
            i += 2;
        } else {
            pivot_eigenvalues.push((i, d[i]));
            i += 1;
        }
    }
    let zero_tol = ZERO_PIVOT_RTOL * n as f64 * max_abs(a);
    Ok(Ldlt {
        lblt,
        pivot_eigenvalues,
        zero_tol,
    })
}

impl Ldlt {
    /// Matrix size.
    pub fn dim(&self) -> usize {
        self.lblt.L().nrows()
    }

    /// Unit lower-triangular factor `L`.
    pub fn l(&self) -> MatRef<'_, f64> {
        self.lblt.L()
    }

    /// Diagonal of `B`.
    pub fn b_diag(&self) -> Vec<f64> {
        let d = self.lblt.B_diag().column_vector();
        (0..self.dim()).map(|i| d[i]).collect()
    }

    /// Subdiagonal of `B` (nonzero at `i` where rows `i, i+1` form a 2×2 block).
    pub fn b_subdiag(&self) -> Vec<f64> {
        let s = self.lblt.B_subdiag().column_vector();
        (0..self.dim()).map(|i| s[i]).collect()
    }

    /// The permutation `P` as forward indices: row `k` of `PA` is row
    /// `perm[k]` of `A`.
    pub fn permutation(&self) -> Vec<usize> {
        self.lblt.P().arrays().0.to_vec()
    }

    /// Numerical inertia by Sylvester's law of inertia from the pivot blocks;
    /// a pivot eigenvalue with `|μ| ≤ n·16·ε·max|a_ij|` counts as zero.
    pub fn inertia(&self) -> Inertia {
        let mut out = Inertia {
            positive: 0,
            negative: 0,
            zero: 0,
        };
        for &(_, mu) in &self.pivot_eigenvalues {
            if mu.abs() <= self.zero_tol {
                out.zero += 1;
            } else if mu > 0.0 {
                out.positive += 1;
            } else {
                out.negative += 1;
            }
        }
        out
    }

    /// Solves `A X = B`; [`CoreError::Singular`] naming the first zero pivot
    /// block if `A` is numerically singular.
    pub fn solve(&self, b: MatRef<'_, f64>) -> Result<Mat<f64>> {
        check_rhs(self.dim(), b, "Ldlt::solve: rows of B")?;
        if let Some(&(index, _)) = self
            .pivot_eigenvalues
            .iter()
            .find(|(_, mu)| mu.abs() <= self.zero_tol)
        {
            return Err(CoreError::Singular { index });
        }
        Ok(self.lblt.solve(b))
    }

    /// Solves `A x = b` for one right-hand side.
    pub fn solve_vec(&self, b: &[f64]) -> Result<Vec<f64>> {
        let bm = MatRef::from_column_major_slice(b, b.len(), 1);
        let x = self.solve(bm)?;
        Ok(x.col_as_slice(0).to_vec())
    }

    /// `Pᵀ(LBLᵀ)P` (reconstruction of `A`). Computed here from the factors
    /// because faer 0.24.4's `Lblt::reconstruct` does not return `A` when
    /// 2×2 pivots occur (its `solve` is correct; see the unit test).
    pub fn reconstruct(&self) -> Mat<f64> {
        let n = self.dim();
        let d = self.b_diag();
        let s = self.b_subdiag();
        let b = Mat::from_fn(n, n, |i, j| {
            if i == j {
                d[i]
            } else if i == j + 1 {
                s[j]
            } else if j == i + 1 {
                s[i]
            } else {
                0.0
            }
        });
        let l = self.l();
        let m = l * &b * l.transpose();
        let perm = self.permutation();
        let mut a = Mat::zeros(n, n);
        for j in 0..n {
            for i in 0..n {
                a[(perm[i], perm[j])] = m[(i, j)];
            }
        }
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symmetric::sym_from_fn;

    #[test]
    fn cholesky_reports_failing_pivot() {
        // Leading 2×2 block [[1, 2], [2, 1]] is indefinite: pivot 1 fails.
        let a = sym_from_fn(3, |i, j| {
            if i == j {
                1.0
            } else if i + j == 1 {
                2.0
            } else {
                0.0
            }
        });
        assert_eq!(
            cholesky(a.as_ref()).unwrap_err(),
            CoreError::NotPositiveDefinite { index: 1 }
        );
        let mut b = sym_from_fn(3, |i, j| if i == j { 2.0 } else { 0.0 });
        b[(2, 2)] = -1.0;
        assert_eq!(
            cholesky(b.as_ref()).unwrap_err(),
            CoreError::NotPositiveDefinite { index: 2 }
        );
        b[(1, 0)] = f64::INFINITY;
        assert!(matches!(
            cholesky(b.as_ref()),
            Err(CoreError::NonFiniteEntry { row: 1, col: 0, .. })
        ));
    }

    #[test]
    fn cholesky_solve_and_logdet() {
        let a = sym_from_fn(2, |i, j| if i == j { 4.0 } else { 2.0 });
        let c = cholesky(a.as_ref()).unwrap();
        // det = 16 − 4 = 12.
        assert!((c.log_det() - 12f64.ln()).abs() < 1e-14);
        let x = c.solve_vec(&[6.0, 6.0]).unwrap();
        assert!((x[0] - 1.0).abs() < 1e-15 && (x[1] - 1.0).abs() < 1e-15);
        assert!(c.solve_vec(&[1.0]).is_err());
    }

    #[test]
    fn inertia_of_indefinite_and_singular() {
        // diag(3, −2, 0) conjugated by a permutation-free mixing.
        let a = sym_from_fn(3, |i, j| {
            [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 2.0]][i][j]
        });
        // eigenvalues ±1 and 2.
        let f = ldlt(a.as_ref()).unwrap();
        assert_eq!(
            f.inertia(),
            Inertia {
                positive: 2,
                negative: 1,
                zero: 0
            }
        );
        let x = f.solve_vec(&[1.0, 2.0, 4.0]).unwrap();
        assert!(
            (x[0] - 2.0).abs() < 1e-15 && (x[1] - 1.0).abs() < 1e-15 && (x[2] - 2.0).abs() < 1e-15
        );
        // A 2×2 pivot is used here; the reconstruction must still be A.
        let b = sym_from_fn(3, |i, j| {
            [[1.0, 2.0, 0.5], [2.0, -1.0, 0.3], [0.5, 0.3, 2.0]][i][j]
        });
        let fb = ldlt(b.as_ref()).unwrap();
        assert!(fb.b_subdiag().iter().any(|&v| v != 0.0));
        let r = fb.reconstruct();
        for j in 0..3 {
            for i in 0..3 {
                assert!((r[(i, j)] - b[(i, j)]).abs() < 1e-14, "({i},{j})");
            }
        }
        let s = sym_from_fn(2, |_, _| 1.0);
        let fs = ldlt(s.as_ref()).unwrap();
        assert_eq!(fs.inertia().zero, 1);
        assert!(matches!(
            fs.solve_vec(&[1.0, 1.0]),
            Err(CoreError::Singular { .. })
        ));
    }
}
