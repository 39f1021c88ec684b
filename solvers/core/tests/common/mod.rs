//! Helpers shared by the integration tests: matrices with a prescribed
//! spectrum built from Haar-orthogonal bases (fixed seeds).

#![allow(dead_code)]

use quadra_core::{rng, Mat};

/// `Q diag(lambda) Qᵀ` with `Q` Haar from `seed`, made exactly symmetric.
pub fn with_spectrum(lambda: &[f64], seed: u64) -> Mat<f64> {
    let n = lambda.len();
    let q = rng::haar_orthogonal(n, &mut rng::seeded_rng(seed));
    let ql = Mat::from_fn(n, n, |i, j| q[(i, j)] * lambda[j]);
    let a = &ql * q.transpose();
    quadra_core::symmetric::sym_from_fn(n, |i, j| 0.5 * (a[(i, j)] + a[(j, i)]))
}

/// `n` points from `lo` to `hi` inclusive (`lo` if `n = 1`).
pub fn linspace(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if n == 1 {
        return vec![lo];
    }
    (0..n)
        .map(|k| lo + (hi - lo) * k as f64 / (n - 1) as f64)
        .collect()
}

/// Sample mean and standard error of the mean.
pub fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}
