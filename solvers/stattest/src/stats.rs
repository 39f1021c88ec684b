//! The statistics: MMD² (V and U) and HSIC (V), from Gram matrices computed once.
//!
//! With the pooled Gram `G` of `[x; y]` (blocks `Kxx`, `Kxy`, `Kyy`):
//!
//! `MMD²_V = ΣKxx/nx² + ΣKyy/ny² − 2ΣKxy/(nx·ny) = aᵀGa`, `a = (1/nx,…, −1/ny,…)`;
//! `MMD²_U` drops the diagonals: `(ΣKxx − tr Kxx)/(nx(nx−1)) + (ΣKyy − tr Kyy)/(ny(ny−1)) − 2ΣKxy/(nx·ny)`;
//! `HSIC_V = tr(K̃L̃)/n² = Σᵢⱼ K̃ᵢⱼ L̃ᵢⱼ / n²` with `K̃ = HKH`, `H = I − 11ᵀ/n`
//! (Gretton et al. 2005, 2012).

use crate::error::{Result, StatTestError};
use quadra_core::Mat;

/// `MMD²_V` from the pooled Gram of `[x; y]` with `nx` rows of `x`.
pub fn mmd2_v(pooled: &Mat<f64>, nx: usize) -> Result<f64> {
    let n = pooled.nrows();
    check_split(n, nx, 1)?;
    let ny = n - nx;
    let a: Vec<f64> = (0..n)
        .map(|i| {
            if i < nx {
                1.0 / nx as f64
            } else {
                -1.0 / ny as f64
            }
        })
        .collect();
    Ok(quad_form(pooled, &a))
}

/// `MMD²_U` (unbiased; needs `nx, ny ≥ 2`).
pub fn mmd2_u(pooled: &Mat<f64>, nx: usize) -> Result<f64> {
    let n = pooled.nrows();
    check_split(n, nx, 2)?;
    let ny = n - nx;
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for j in 0..n {
        for i in 0..n {
            if i == j {
                continue;
            }
            let g = pooled[(i, j)];
            match (i < nx, j < nx) {
                (true, true) => sxx += g,
                (false, false) => syy += g,
                _ => sxy += g,
            }
        }
    }
    let (fx, fy) = (nx as f64, ny as f64);
    // sxy counts both Kxy and Kyx.
    Ok(sxx / (fx * (fx - 1.0)) + syy / (fy * (fy - 1.0)) - sxy / (fx * fy))
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
    let mut s = 0.0;
    for j in 0..n {
        for i in 0..n {
            s += k_centred[(i, j)] * l_centred[(i, j)];
        }
    }
    Ok(s / (n as f64 * n as f64))
}

/// `vᵀ G v`.
pub(crate) fn quad_form(g: &Mat<f64>, v: &[f64]) -> f64 {
    let n = v.len();
    let mut s = 0.0;
    for j in 0..n {
        let col = g.col_as_slice(j);
        let dot: f64 = col.iter().zip(v).map(|(a, b)| a * b).sum();
        s += v[j] * dot;
    }
    s
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
