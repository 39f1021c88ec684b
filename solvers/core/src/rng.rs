//! Seeded randomness and random-matrix ensembles.
//!
//! All randomness in quadra comes from [`ChaCha20Rng`] seeded explicitly
//! ([`seeded_rng`]): the same seed gives the same stream on every platform
//! (ChaCha is specified bit-for-bit), hence the same matrices on the same
//! build. Each sampler documents the order in which it draws, so results are
//! reproducible from the description alone.
//!
//! | ensemble | definition | normalisation | limit spectrum |
//! |---|---|---|---|
//! | [`goe`] | `M = Mᵀ`, `m_ij ~ N(0, 1/n)` (i<j), `m_ii ~ N(0, 2/n)` | `E tr M²/n = (n+1)/n` | semicircle on `[−2, 2]` |
//! | [`wishart`] | `W = XXᵀ/p`, `X ∈ ℝ^{n×p}` iid `N(0,1)` | `E tr W/n = 1` | Marchenko–Pastur, ratio `c = n/p` |
//! | [`haar_orthogonal`] | `Q·diag(sign r_ii)` from `G = QR`, `G` Gaussian | `QᵀQ = I` | Haar measure on `O(n)` |
//!
//! References: G. W. Anderson, A. Guionnet, O. Zeitouni, *An Introduction
//! to Random Matrices* (2010), §2.1 (semicircle) and §2.5 (GOE);
//! V. A. Marchenko, L. A. Pastur, Math. USSR-Sb. 1 (1967) 457–483;
//! F. Mezzadri, *How to generate random matrices from the classical compact
//! groups*, Notices AMS 54 (2007) 592–604, arXiv:math-ph/0609050.

use crate::error::{CoreError, Result};
use faer::Mat;
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;

pub use rand_chacha::ChaCha20Rng;

/// A ChaCha20 generator seeded from a `u64` (via `SeedableRng::seed_from_u64`).
pub fn seeded_rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// One standard normal draw.
pub fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    rng.sample(StandardNormal)
}

/// `n` iid standard normal draws.
pub fn gaussian_vec<R: Rng + ?Sized>(n: usize, rng: &mut R) -> Vec<f64> {
    (0..n).map(|_| standard_normal(rng)).collect()
}

/// `nrows×ncols` matrix of iid standard normals, drawn in column-major order.
pub fn gaussian_matrix<R: Rng + ?Sized>(nrows: usize, ncols: usize, rng: &mut R) -> Mat<f64> {
    let mut g = Mat::zeros(nrows, ncols);
    for j in 0..ncols {
        for x in g.col_as_slice_mut(j) {
            *x = standard_normal(rng);
        }
    }
    g
}

/// Gaussian Orthogonal Ensemble, normalised so that the empirical spectral
/// distribution tends to the semicircle law on `[−2, 2]`:
/// `m_ij = m_ji ~ N(0, 1/n)` for `i < j`, `m_ii ~ N(0, 2/n)`, independent.
/// Draws the upper triangle column by column (`(0,0), (0,1), (1,1), (0,2), …`).
/// Finite-`n` moments: `E tr M²/n = (n+1)/n`, `E tr M⁴/n = 2 + 5/n + 5/n²`.
pub fn goe<R: Rng + ?Sized>(n: usize, rng: &mut R) -> Mat<f64> {
    let mut m = Mat::zeros(n, n);
    if n == 0 {
        return m;
    }
    let off = (1.0 / n as f64).sqrt();
    let diag = (2.0 / n as f64).sqrt();
    for j in 0..n {
        for i in 0..=j {
            let z = standard_normal(rng);
            if i == j {
                m[(i, i)] = diag * z;
            } else {
                m[(i, j)] = off * z;
                m[(j, i)] = off * z;
            }
        }
    }
    m
}

/// Real Wishart matrix `W = XXᵀ/p` with `X ∈ ℝ^{n×p}` iid `N(0, 1)` drawn
/// column-major. `E W = I`; the eigenvalues follow Marchenko–Pastur with ratio
/// `c = n/p`, support `[(1 − √c)², (1 + √c)²]` (plus an atom at 0 if
/// `c > 1`); finite-`n` moments `E tr W/n = 1`, `E tr W²/n = 1 + (n+1)/p`.
/// The result is exactly symmetric (the lower triangle is mirrored).
pub fn wishart<R: Rng + ?Sized>(n: usize, p: usize, rng: &mut R) -> Result<Mat<f64>> {
    if p == 0 {
        return Err(CoreError::invalid("p", p, "at least one sample (p ≥ 1)"));
    }
    let x = gaussian_matrix(n, p, rng);
    let mut w = &x * x.transpose();
    let inv_p = 1.0 / p as f64;
    for j in 0..n {
        for i in j..n {
            let v = w[(i, j)] * inv_p;
            w[(i, j)] = v;
            w[(j, i)] = v;
        }
    }
    Ok(w)
}

/// Haar-distributed orthogonal matrix (Mezzadri 2007, §5): QR of an `n×n`
/// standard Gaussian `G` (column-major draws), then `Q·diag(sign r_ii)` so
/// that the factorisation is unique and the law of `Q` is invariant under
/// `O(n)` on both sides. (Without the sign fix, Householder QR returns a
/// `Q` whose law is not Haar.)
pub fn haar_orthogonal<R: Rng + ?Sized>(n: usize, rng: &mut R) -> Mat<f64> {
    if n == 0 {
        return Mat::zeros(0, 0);
    }
    let g = gaussian_matrix(n, n, rng);
    let qr = g.qr();
    let mut q = qr.compute_Q();
    let r = qr.R();
    for j in 0..n {
        if r[(j, j)] < 0.0 {
            for x in q.col_as_slice_mut(j) {
                *x = -*x;
            }
        }
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn determinism() {
        let a = goe(5, &mut seeded_rng(7));
        let b = goe(5, &mut seeded_rng(7));
        let c = goe(5, &mut seeded_rng(8));
        assert_eq!(a, b);
        assert_ne!(a, c);
        let q1 = haar_orthogonal(4, &mut seeded_rng(1));
        let q2 = haar_orthogonal(4, &mut seeded_rng(1));
        assert_eq!(q1, q2);
    }

    #[test]
    fn shapes_and_symmetry() {
        let mut rng = seeded_rng(3);
        let w = wishart(6, 3, &mut rng).unwrap();
        assert_eq!(w, w.transpose().to_owned());
        assert!(wishart(3, 0, &mut rng).is_err());
        assert_eq!(goe(0, &mut rng).nrows(), 0);
        assert_eq!(haar_orthogonal(0, &mut rng).nrows(), 0);
        let g = goe(7, &mut rng);
        assert_eq!(g, g.transpose().to_owned());
    }
}
