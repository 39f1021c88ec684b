//! Kernels, the median heuristic and Gram matrices.
//!
//! All kernels are radial, `k(x, y) = κ(‖x − y‖ / σ)`:
//!
//! | kernel | `κ(r)` with `r = ‖x − y‖/σ` |
//! |---|---|
//! | Gaussian | `exp(−r²/2)` |
//! | Laplace | `exp(−r)` |
//! | Matérn ν=3/2 | `(1 + √3 r) exp(−√3 r)` |
//! | Matérn ν=5/2 | `(1 + √5 r + 5r²/3) exp(−√5 r)` |
//!
//! **Median heuristic (our convention, the MATLAB reference's):** `σ = √(0.5 · median{‖xᵢ − xⱼ‖² : i < j, ‖xᵢ − xⱼ‖ > 0})`,
//! so the Gaussian kernel is `exp(−‖x − y‖² / median‖·‖²)`. The median is taken over the pooled
//! sample (MMD) or over each sample separately (HSIC), using at most
//! [`MEDIAN_MAX_POINTS`] evenly spaced points (a deterministic subsample).

use crate::data::{sq_dist, Series};
use crate::error::{Result, StatTestError};
pub use crate::gram::{centre, gram, pooled_gram, sample_gram};

/// At most this many points enter the median heuristic (≈ 2·10⁶ pairs): the median of a
/// subsample of that size is within a fraction of a percent of the full one, and the cost
/// stays bounded for long series.
pub const MEDIAN_MAX_POINTS: usize = 2000;

/// Kernel family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KernelKind {
    /// `exp(−‖x−y‖²/(2σ²))`.
    #[default]
    Gaussian,
    /// `exp(−‖x−y‖/σ)`.
    Laplace,
    /// Matérn ν = 3/2.
    Matern32,
    /// Matérn ν = 5/2.
    Matern52,
}

/// Bandwidth choice.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Bandwidth {
    /// Median heuristic `σ = √(0.5 · median squared distance)`.
    #[default]
    Median,
    /// A given `σ > 0`.
    Fixed(f64),
}

/// A kernel with a resolved bandwidth.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kernel {
    /// Family.
    pub kind: KernelKind,
    /// Bandwidth σ.
    pub sigma: f64,
}

impl Kernel {
    /// A kernel of `kind` with bandwidth `sigma > 0`.
    pub fn new(kind: KernelKind, sigma: f64) -> Result<Self> {
        if !(sigma.is_finite() && sigma > 0.0) {
            return Err(StatTestError::invalid(
                "bandwidth",
                sigma,
                "a finite number > 0",
            ));
        }
        Ok(Kernel { kind, sigma })
    }

    /// Evaluates the kernel from a squared distance.
    #[inline]
    pub fn eval_sq(&self, d2: f64) -> f64 {
        let s = self.sigma;
        match self.kind {
            KernelKind::Gaussian => (-d2 / (2.0 * s * s)).exp(),
            KernelKind::Laplace => (-d2.sqrt() / s).exp(),
            KernelKind::Matern32 => {
                let r = 3f64.sqrt() * d2.sqrt() / s;
                (1.0 + r) * (-r).exp()
            }
            KernelKind::Matern52 => {
                let r = 5f64.sqrt() * d2.sqrt() / s;
                (1.0 + r + r * r / 3.0) * (-r).exp()
            }
        }
    }

    /// `k(a, b)`.
    pub fn eval(&self, a: &[f64], b: &[f64]) -> f64 {
        self.eval_sq(sq_dist(a, b))
    }
}

/// Median-heuristic bandwidth over the union of `samples` (all of the same dimension).
pub fn median_bandwidth(samples: &[&Series]) -> Result<f64> {
    let total: usize = samples.iter().map(|s| s.len()).sum();
    let rows: Vec<&[f64]> = samples
        .iter()
        .flat_map(|s| (0..s.len()).map(move |t| s.row(t)))
        .collect();
    let m = total.min(MEDIAN_MAX_POINTS);
    // Evenly spaced deterministic subsample of the pooled rows.
    let idx: Vec<usize> = (0..m).map(|i| i * total / m).collect();
    let mut d2 = Vec::with_capacity(m * (m.saturating_sub(1)) / 2);
    for (a, &i) in idx.iter().enumerate() {
        for &j in &idx[a + 1..] {
            let v = sq_dist(rows[i], rows[j]);
            if v > 0.0 {
                d2.push(v);
            }
        }
    }
    if d2.is_empty() {
        return Err(StatTestError::DegenerateBandwidth);
    }
    let mid = d2.len() / 2;
    let (_, med, _) = d2.select_nth_unstable_by(mid, |a, b| a.total_cmp(b));
    Ok((0.5 * *med).sqrt())
}

/// Resolves a [`Bandwidth`] on the given samples.
pub fn resolve_kernel(kind: KernelKind, bw: Bandwidth, samples: &[&Series]) -> Result<Kernel> {
    let sigma = match bw {
        Bandwidth::Median => median_bandwidth(samples)?,
        Bandwidth::Fixed(s) => s,
    };
    Kernel::new(kind, sigma)
}
