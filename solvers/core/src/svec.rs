//! `svec` / `smat`: the scaled half-vectorisation of symmetric matrices used
//! by clarabel's positive semidefinite triangle cone (`PSDTriangleConeT`).
//!
//! For a symmetric `A ∈ ℝ^{n×n}`, `svec(A) ∈ ℝ^{n(n+1)/2}` lists the upper
//! triangle **column by column**,
//!
//! ```text
//! svec(A) = (a₀₀, √2·a₀₁, a₁₁, √2·a₀₂, √2·a₁₂, a₂₂, …),
//! ```
//!
//! the entry `(i, j)` with `i ≤ j` at position `j(j+1)/2 + i`, off-diagonal
//! entries multiplied by √2. The scaling makes `svec` an isometry from the
//! symmetric matrices with the trace inner product onto ℝ^{n(n+1)/2}:
//!
//! ```text
//! ⟨svec A, svec B⟩ = Σ_i a_ii b_ii + Σ_{i<j} 2 a_ij b_ij = tr(AB).
//! ```
//!
//! This is exactly clarabel 0.11.1's convention (`algebra/dense/matrix_math.rs`,
//! `mat_to_svec` / `svec_to_mat`): `svec` of a non-symmetric input uses
//! `(a_ij + a_ji)/√2`, i.e. it vectorises the symmetric part; `smat`
//! divides off-diagonal entries by √2 and fills both triangles.

use crate::error::{CoreError, Result};
use crate::symmetric::check_square;
use faer::{Mat, MatRef};
use std::f64::consts::{FRAC_1_SQRT_2, SQRT_2};

/// Length `n(n+1)/2` of `svec` of an `n×n` matrix.
pub const fn svec_len(n: usize) -> usize {
    n * (n + 1) / 2
}

/// Position of entry `(i, j)` (either order) in `svec`: `j(j+1)/2 + i` for
/// `i ≤ j`.
pub const fn svec_index(i: usize, j: usize) -> usize {
    let (r, c) = if i <= j { (i, j) } else { (j, i) };
    c * (c + 1) / 2 + r
}

/// The `(row, col)` with `row ≤ col` stored at position `k` of `svec`
/// (inverse of [`svec_index`]).
pub fn svec_coord(k: usize) -> (usize, usize) {
    // Largest c with c(c+1)/2 ≤ k: start from the float estimate, then fix.
    let mut c = (((8.0 * k as f64 + 1.0).sqrt() - 1.0) / 2.0) as usize;
    while svec_len(c + 1) <= k {
        c += 1;
    }
    while svec_len(c) > k {
        c -= 1;
    }
    (k - svec_len(c), c)
}

/// The matrix size `n` with `n(n+1)/2 = len`, or
/// [`CoreError::InvalidParameter`] if `len` is not a triangular number.
pub fn svec_dim_from_len(len: usize) -> Result<usize> {
    let mut n = (((8.0 * len as f64 + 1.0).sqrt() - 1.0) / 2.0) as usize;
    while svec_len(n + 1) <= len {
        n += 1;
    }
    while n > 0 && svec_len(n) > len {
        n -= 1;
    }
    if svec_len(n) != len {
        return Err(CoreError::invalid(
            "svec length",
            len,
            "a triangular number n(n+1)/2",
        ));
    }
    Ok(n)
}

/// `svec(A)` of a square matrix (its symmetric part if `A` is not symmetric).
pub fn svec(a: MatRef<'_, f64>) -> Result<Vec<f64>> {
    let n = check_square(a)?;
    let mut out = vec![0.0; svec_len(n)];
    svec_into(a, &mut out)?;
    Ok(out)
}

/// `svec(A)` written into `out` (length `n(n+1)/2`).
pub fn svec_into(a: MatRef<'_, f64>, out: &mut [f64]) -> Result<()> {
    let n = check_square(a)?;
    if out.len() != svec_len(n) {
        return Err(CoreError::DimensionMismatch {
            context: "svec_into: output length",
            expected: svec_len(n),
            found: out.len(),
        });
    }
    let mut k = 0;
    for j in 0..n {
        for i in 0..=j {
            out[k] = if i == j {
                a[(i, j)]
            } else {
                (a[(i, j)] + a[(j, i)]) * FRAC_1_SQRT_2
            };
            k += 1;
        }
    }
    Ok(())
}

/// `smat(v)`: the `n×n` symmetric matrix with `svec(smat(v)) = v`.
/// `v.len()` must be `n(n+1)/2`.
pub fn smat(v: &[f64], n: usize) -> Result<Mat<f64>> {
    if v.len() != svec_len(n) {
        return Err(CoreError::DimensionMismatch {
            context: "smat: vector length n(n+1)/2",
            expected: svec_len(n),
            found: v.len(),
        });
    }
    let mut a = Mat::zeros(n, n);
    let mut k = 0;
    for j in 0..n {
        for i in 0..=j {
            if i == j {
                a[(i, j)] = v[k];
            } else {
                let x = v[k] * FRAC_1_SQRT_2;
                a[(i, j)] = x;
                a[(j, i)] = x;
            }
            k += 1;
        }
    }
    Ok(a)
}

/// The scale factor of entry `(i, j)` in `svec`: 1 on the diagonal, √2 off it.
pub fn svec_scale(i: usize, j: usize) -> f64 {
    if i == j {
        1.0
    } else {
        SQRT_2
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::symmetric::sym_from_fn;

    #[test]
    fn layout_matches_clarabel() {
        // Upper triangle column by column: (0,0) (0,1) (1,1) (0,2) (1,2) (2,2).
        let a = sym_from_fn(3, |i, j| (10 * i + j) as f64);
        let v = svec(a.as_ref()).unwrap();
        let s = SQRT_2;
        let expected = [0.0, s * 1.0, 11.0, s * 2.0, s * 12.0, 22.0];
        for (x, y) in v.iter().zip(expected.iter()) {
            assert!((x - y).abs() <= 4.0 * f64::EPSILON * y.abs());
        }
        assert_eq!(svec_index(1, 2), 4);
        assert_eq!(svec_index(2, 1), 4);
        for k in 0..svec_len(20) {
            let (i, j) = svec_coord(k);
            assert!(i <= j);
            assert_eq!(svec_index(i, j), k);
        }
    }

    #[test]
    fn dim_from_len() {
        for n in 0..200 {
            assert_eq!(svec_dim_from_len(svec_len(n)).unwrap(), n);
        }
        assert!(svec_dim_from_len(4).is_err());
        assert!(svec_dim_from_len(7).is_err());
        assert!(smat(&[1.0, 2.0], 2).is_err());
    }
}
