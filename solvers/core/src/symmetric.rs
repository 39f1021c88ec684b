//! Dense symmetric matrices on faer: shape, finiteness and symmetry checks,
//! symmetrisation, construction from a function, and the norms the rest of
//! the crate uses.
//!
//! A symmetric matrix is stored in full (both triangles) in a column-major
//! [`Mat<f64>`]; functions that factor or decompose it state which triangle
//! they read. Symmetry is checked relative to the largest entry,
//! `|a_ij − a_ji| ≤ tol · max_kl |a_kl|`, because a matrix assembled in
//! floating point (e.g. `BᵀB` by a blocked product) is symmetric only up to
//! rounding.

use crate::error::{CoreError, Result};
use faer::{Mat, MatRef};

/// Default relative symmetry tolerance: `1024·ε`. Products such as `BᵀB`
/// computed by a blocked kernel differ from their transpose by a few ulps of
/// the largest entry in each dot product; 1024·ε leaves room for inner
/// dimensions in the hundreds while still catching any genuine asymmetry.
pub const SYMMETRY_TOL: f64 = 1024.0 * f64::EPSILON;

/// The dimension of a square matrix, or [`CoreError::NotSquare`].
pub fn check_square(a: MatRef<'_, f64>) -> Result<usize> {
    if a.nrows() != a.ncols() {
        return Err(CoreError::NotSquare {
            rows: a.nrows(),
            cols: a.ncols(),
        });
    }
    Ok(a.nrows())
}

/// `Ok` if every entry is finite, else [`CoreError::NonFiniteEntry`] naming
/// the first offending entry in column-major order.
pub fn check_finite(a: MatRef<'_, f64>) -> Result<()> {
    for j in 0..a.ncols() {
        for i in 0..a.nrows() {
            let v = a[(i, j)];
            if !v.is_finite() {
                return Err(CoreError::NonFiniteEntry {
                    row: i,
                    col: j,
                    value: v,
                });
            }
        }
    }
    Ok(())
}

/// `Ok` if `a` is square and `|a_ij − a_ji| ≤ rel_tol · max|a|` for all
/// `i, j`; otherwise the worst pair as [`CoreError::NotSymmetric`].
/// `rel_tol = 0` demands exact symmetry. Non-finite entries are reported as
/// [`CoreError::NonFiniteEntry`].
pub fn check_symmetric(a: MatRef<'_, f64>, rel_tol: f64) -> Result<()> {
    let n = check_square(a)?;
    check_finite(a)?;
    if rel_tol.is_nan() || rel_tol < 0.0 {
        return Err(CoreError::invalid(
            "rel_tol",
            rel_tol,
            "a non-negative number",
        ));
    }
    let tol = rel_tol * max_abs(a);
    let mut worst = (0usize, 0usize, 0.0f64);
    for j in 0..n {
        for i in 0..j {
            let d = (a[(i, j)] - a[(j, i)]).abs();
            if d > worst.2 {
                worst = (i, j, d);
            }
        }
    }
    if worst.2 > tol {
        return Err(CoreError::NotSymmetric {
            row: worst.0,
            col: worst.1,
            difference: worst.2,
            tolerance: tol,
        });
    }
    Ok(())
}

/// The symmetric part `(A + Aᵀ)/2`, exactly symmetric as stored (the two
/// triangles are computed by the same floating-point expression).
pub fn symmetrize(a: MatRef<'_, f64>) -> Result<Mat<f64>> {
    let n = check_square(a)?;
    let mut s = Mat::zeros(n, n);
    for j in 0..n {
        s[(j, j)] = a[(j, j)];
        for i in 0..j {
            let v = 0.5 * (a[(i, j)] + a[(j, i)]);
            s[(i, j)] = v;
            s[(j, i)] = v;
        }
    }
    Ok(s)
}

/// The `n×n` symmetric matrix with `a_ij = a_ji = f(i, j)` for `i ≤ j`;
/// `f` is called once per upper-triangular entry, column by column.
pub fn sym_from_fn(n: usize, mut f: impl FnMut(usize, usize) -> f64) -> Mat<f64> {
    let mut a = Mat::zeros(n, n);
    for j in 0..n {
        for i in 0..=j {
            let v = f(i, j);
            a[(i, j)] = v;
            a[(j, i)] = v;
        }
    }
    a
}

/// `max_ij |a_ij|` (0 for an empty matrix, NaN if any entry is NaN).
pub fn max_abs(a: MatRef<'_, f64>) -> f64 {
    let mut m = 0.0f64;
    for j in 0..a.ncols() {
        for i in 0..a.nrows() {
            let v = a[(i, j)].abs();
            if v.is_nan() {
                return f64::NAN;
            }
            m = m.max(v);
        }
    }
    m
}

/// Frobenius norm `‖A‖_F = (Σ a_ij²)^{1/2}`, computed without overflow
/// (faer's scaled sum of squares).
pub fn frobenius_norm(a: MatRef<'_, f64>) -> f64 {
    a.norm_l2()
}

/// ∞-norm `‖A‖_∞ = max_i Σ_j |a_ij|` (largest absolute row sum; equal to
/// the 1-norm for symmetric `A`).
pub fn inf_norm(a: MatRef<'_, f64>) -> f64 {
    let mut best = 0.0f64;
    for i in 0..a.nrows() {
        let mut s = 0.0;
        for j in 0..a.ncols() {
            s += a[(i, j)].abs();
        }
        if s.is_nan() {
            return f64::NAN;
        }
        best = best.max(s);
    }
    best
}

/// The identity matrix of size `n`.
pub fn identity(n: usize) -> Mat<f64> {
    Mat::identity(n, n)
}

/// Copy of a column-major slice `data` (length `nrows·ncols`) into a matrix.
pub fn mat_from_col_major(nrows: usize, ncols: usize, data: &[f64]) -> Result<Mat<f64>> {
    let expected = nrows.checked_mul(ncols).ok_or_else(|| {
        CoreError::invalid(
            "nrows·ncols",
            format!("{nrows}·{ncols}"),
            "a product below usize::MAX",
        )
    })?;
    if data.len() != expected {
        return Err(CoreError::DimensionMismatch {
            context: "mat_from_col_major: data length",
            expected,
            found: data.len(),
        });
    }
    Ok(Mat::from_fn(nrows, ncols, |i, j| data[i + j * nrows]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symmetry_check_names_worst_entry() {
        let mut a = sym_from_fn(4, |i, j| (i + 2 * j) as f64);
        assert!(check_symmetric(a.as_ref(), 0.0).is_ok());
        a[(1, 3)] += 0.5;
        a[(0, 2)] += 0.25;
        match check_symmetric(a.as_ref(), 0.0) {
            Err(CoreError::NotSymmetric {
                row,
                col,
                difference,
                ..
            }) => {
                assert_eq!((row, col), (1, 3));
                assert_eq!(difference, 0.5);
            }
            other => panic!("expected NotSymmetric, got {other:?}"),
        }
        // A relative tolerance of 0.1·max|a| = 0.1·9.5 accepts both.
        assert!(check_symmetric(a.as_ref(), 0.1).is_ok());
        let s = symmetrize(a.as_ref()).unwrap();
        assert!(check_symmetric(s.as_ref(), 0.0).is_ok());
        assert_eq!(s[(1, 3)], a[(3, 1)] + 0.25);
    }

    #[test]
    fn non_square_and_non_finite_are_errors() {
        let a = Mat::<f64>::zeros(2, 3);
        assert_eq!(
            check_square(a.as_ref()),
            Err(CoreError::NotSquare { rows: 2, cols: 3 })
        );
        let mut b = Mat::<f64>::zeros(3, 3);
        b[(2, 1)] = f64::NAN;
        assert!(matches!(
            check_symmetric(b.as_ref(), 0.0),
            Err(CoreError::NonFiniteEntry { row: 2, col: 1, .. })
        ));
    }

    #[test]
    fn norms() {
        let a = sym_from_fn(2, |i, j| if i == j { 3.0 } else { -4.0 });
        assert!((frobenius_norm(a.as_ref()) - (9.0f64 * 2.0 + 32.0).sqrt()).abs() < 1e-15);
        assert_eq!(inf_norm(a.as_ref()), 7.0);
        assert_eq!(max_abs(a.as_ref()), 4.0);
        let m = mat_from_col_major(2, 2, &[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(m[(1, 0)], 2.0);
        assert_eq!(m[(0, 1)], 3.0);
        assert!(mat_from_col_major(2, 2, &[1.0]).is_err());
    }
}
