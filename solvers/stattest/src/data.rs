//! Multivariate time series: `n` time steps × `d` dimensions, stored row-major.

use crate::error::{Result, StatTestError};

/// A multivariate series (one row per time step, one column per dimension).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    n: usize,
    d: usize,
    data: Vec<f64>,
}

impl Series {
    /// Builds a series from row-major data of `n` rows and `d` columns.
    ///
    /// Errors: `n == 0` or `d == 0`, a length mismatch, or a non-finite entry (with its position).
    pub fn from_rows(n: usize, d: usize, data: Vec<f64>) -> Result<Self> {
        if n == 0 || d == 0 {
            return Err(StatTestError::TooShort {
                context: "series",
                needed: 1,
                found: n.min(d),
            });
        }
        if data.len() != n * d {
            return Err(StatTestError::DimensionMismatch {
                context: "series data length (rows × columns)",
                expected: n * d,
                found: data.len(),
            });
        }
        if let Some(i) = data.iter().position(|v| !v.is_finite()) {
            return Err(StatTestError::NonFinite {
                context: "series",
                row: i / d,
                col: i % d,
                value: data[i],
            });
        }
        Ok(Series { n, d, data })
    }

    /// A one-dimensional series.
    pub fn univariate(values: Vec<f64>) -> Result<Self> {
        let n = values.len();
        Series::from_rows(n, 1, values)
    }

    /// Number of time steps.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Always false (a series has at least one row); present for clippy's `len_without_is_empty`.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Number of dimensions.
    pub fn dim(&self) -> usize {
        self.d
    }

    /// Row `t`.
    pub fn row(&self, t: usize) -> &[f64] {
        &self.data[t * self.d..(t + 1) * self.d]
    }

    /// Row-major data.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// Largest absolute lag-1 sample autocorrelation over the columns (0 for constant columns).
    pub fn lag1_autocorrelation(&self) -> f64 {
        let mut best: f64 = 0.0;
        if self.n < 3 {
            return 0.0;
        }
        for c in 0..self.d {
            let col: Vec<f64> = (0..self.n).map(|t| self.data[t * self.d + c]).collect();
            let mean = col.iter().sum::<f64>() / self.n as f64;
            let var: f64 = col.iter().map(|v| (v - mean).powi(2)).sum();
            if var <= 0.0 {
                continue;
            }
            let cov: f64 = col.windows(2).map(|w| (w[0] - mean) * (w[1] - mean)).sum();
            best = best.max((cov / var).abs());
        }
        best
    }
}

/// Squared Euclidean distance.
pub(crate) fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}
