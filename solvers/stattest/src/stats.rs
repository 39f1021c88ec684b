//! The statistics: MMD² (V and U) and HSIC (V), from Gram matrices computed once.
//!
//! With the pooled Gram `G` of `[x; y]` (blocks `Kxx`, `Kxy`, `Kyy`):
//!
//! `MMD²_V = ΣKxx/nx² + ΣKyy/ny² − 2ΣKxy/(nx·ny) = aᵀGa`, `a = (1/nx,…, −1/ny,…)`;
//! `MMD²_U` drops the diagonals: `(ΣKxx − tr Kxx)/(nx(nx−1)) + (ΣKyy − tr Kyy)/(ny(ny−1)) − 2ΣKxy/(nx·ny)`;
//! `HSIC_V = tr(K̃L̃)/n² = Σᵢⱼ K̃ᵢⱼ L̃ᵢⱼ / n²` with `K̃ = HKH`, `H = I − 11ᵀ/n`
//! (Gretton et al. 2005, 2012).

use crate::error::{Result, StatTestError};
use quadra_core::{Mat, MatRef};

/// Block sums of a pooled Gram `G = [Kxx Kxy; Kyx Kyy]`, read from its lower triangle only.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockSums {
    nx: usize,
    ny: usize,
    /// `Σ_{i>j} (Kxx)ᵢⱼ`.
    xx_strict: f64,
    /// `tr Kxx`.
    xx_trace: f64,
    /// `Σ_{i>j} (Kyy)ᵢⱼ`.
    yy_strict: f64,
    /// `tr Kyy`.
    yy_trace: f64,
    /// `ΣKxy = ΣKyx`.
    xy: f64,
}

impl BlockSums {
    /// Sums over the lower triangle (diagonal included) of a symmetric pooled Gram with `nx`
    /// rows of `x`; each of `x`, `y` must have at least `min` rows.
    pub fn from_lower(lower: MatRef<'_, f64>, nx: usize, min: usize) -> Result<Self> {
        let n = lower.nrows();
        check_split(n, nx, min)?;
        let mut s = BlockSums {
            nx,
            ny: n - nx,
            xx_strict: 0.0,
            xx_trace: 0.0,
            yy_strict: 0.0,
            yy_trace: 0.0,
            xy: 0.0,
        };
        let mut below = Vec::with_capacity(n);
        for j in 0..n {
            // Column j from the diagonal down (contiguous for column-major storage).
            let col = lower.col(j).subrows(j, n - j);
            let col: &[f64] = match col.try_as_col_major() {
                Some(c) => c.as_slice(),
                None => {
                    below.clear();
                    below.extend(col.iter().copied());
                    &below
                }
            };
            if j < nx {
                let (xx, yx) = col.split_at(nx - j);
                s.xx_trace += xx[0];
                s.xx_strict += xx[1..].iter().sum::<f64>();
                s.xy += yx.iter().sum::<f64>();
            } else {
                s.yy_trace += col[0];
                s.yy_strict += col[1..].iter().sum::<f64>();
            }
        }
        Ok(s)
    }

    /// `MMD²_V = ΣKxx/nx² + ΣKyy/ny² − 2ΣKxy/(nx·ny)`.
    pub fn mmd2_v(&self) -> f64 {
        let (fx, fy) = (self.nx as f64, self.ny as f64);
        (2.0 * self.xx_strict + self.xx_trace) / (fx * fx)
            + (2.0 * self.yy_strict + self.yy_trace) / (fy * fy)
            - 2.0 * self.xy / (fx * fy)
    }

    /// `MMD²_U`: the diagonals dropped (`nx, ny ≥ 2`; NaN otherwise).
    pub fn mmd2_u(&self) -> f64 {
        let (fx, fy) = (self.nx as f64, self.ny as f64);
        2.0 * self.xx_strict / (fx * (fx - 1.0)) + 2.0 * self.yy_strict / (fy * (fy - 1.0))
            - 2.0 * self.xy / (fx * fy)
    }
}

/// `MMD²_V` from the pooled Gram of `[x; y]` with `nx` rows of `x` (its lower triangle is read).
pub fn mmd2_v(pooled: &Mat<f64>, nx: usize) -> Result<f64> {
    Ok(BlockSums::from_lower(pooled.as_ref(), nx, 1)?.mmd2_v())
}

/// `MMD²_U` (unbiased; needs `nx, ny ≥ 2`).
pub fn mmd2_u(pooled: &Mat<f64>, nx: usize) -> Result<f64> {
    Ok(BlockSums::from_lower(pooled.as_ref(), nx, 2)?.mmd2_u())
}

/// `HSIC_V = Σᵢⱼ K̃ᵢⱼ L̃ᵢⱼ / n²` from centred Grams.
pub fn hsic_v(k_centred: &Mat<f64>, l_centred: &Mat<f64>) -> Result<f64> {
    let n = k_centred.nrows();
    if l_centred.nrows() != n {
        return Err(StatTestError::DimensionMismatch {
            context: "hsic: Y length must equal X length (paired samples)",
            expected: n,
            found: l_centred.nrows(),
        });
    }
    let s: f64 = (0..n)
        .map(|j| {
            let (kj, lj) = (k_centred.col_as_slice(j), l_centred.col_as_slice(j));
            kj.iter().zip(lj).map(|(a, b)| a * b).sum::<f64>()
        })
        .sum();
    Ok(s / (n as f64 * n as f64))
}

fn check_split(n: usize, nx: usize, min: usize) -> Result<()> {
    if nx < min {
        return Err(StatTestError::TooShort {
            context: "X",
            needed: min,
            found: nx,
        });
    }
    if n < nx + min {
        return Err(StatTestError::TooShort {
            context: "Y",
            needed: min,
            found: n.saturating_sub(nx),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_sums_from_either_storage_equal_full_sums() {
        // A symmetric matrix with distinct entries; nx = 3, ny = 4.
        let (n, nx) = (7usize, 3usize);
        let g = Mat::from_fn(n, n, |i, j| 1.0 / (1.0 + (i + j) as f64 + (i * j) as f64));
        let (mut sxx, mut syy, mut sxy, mut tx, mut ty) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for j in 0..n {
            for i in 0..n {
                match (i < nx, j < nx) {
                    (true, true) => sxx += g[(i, j)],
                    (false, false) => syy += g[(i, j)],
                    _ => sxy += g[(i, j)] / 2.0,
                }
            }
            if j < nx {
                tx += g[(j, j)];
            } else {
                ty += g[(j, j)];
            }
        }
        let (fx, fy) = (nx as f64, (n - nx) as f64);
        let v = sxx / (fx * fx) + syy / (fy * fy) - 2.0 * sxy / (fx * fy);
        let u =
            (sxx - tx) / (fx * (fx - 1.0)) + (syy - ty) / (fy * (fy - 1.0)) - 2.0 * sxy / (fx * fy);
        // Column-major (contiguous columns) and its transpose (strided columns).
        for view in [g.as_ref(), g.as_ref().transpose()] {
            let s = BlockSums::from_lower(view, nx, 2).unwrap();
            assert!((s.mmd2_v() - v).abs() < 1e-15);
            assert!((s.mmd2_u() - u).abs() < 1e-15);
        }
        assert!(BlockSums::from_lower(g.as_ref(), 1, 2).is_err());
        assert!(BlockSums::from_lower(g.as_ref(), 6, 2).is_err());
    }
}
