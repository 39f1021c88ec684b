//! Random ensembles: closed-form moments with tolerances from the sample
//! size, limit spectra, orthogonality, Haar statistics and determinism.

mod common;

use common::mean_se;
use quadra_core::symmetric::frobenius_norm;
use quadra_core::{rng, spectral, Mat};

/// Standard errors allowed for a Monte Carlo mean; 5σ makes a false failure
/// a ~1e-6 event while a wrong normalisation (off by a factor) fails.
const Z: f64 = 5.0;

fn trace_pow2(m: &Mat<f64>) -> f64 {
    let f = frobenius_norm(m.as_ref());
    f * f
}

/// GOE (off-diagonal variance 1/n, diagonal 2/n): E tr M²/n = (n+1)/n and
/// E tr M⁴/n = 2 + 5/n + 5/n² exactly (→ the semicircle moments 1 and 2).
#[test]
fn goe_moments() {
    for (n, samples, seed) in [(4usize, 4000usize, 1u64), (40, 400, 2)] {
        let mut r = rng::seeded_rng(seed);
        let (mut t2, mut t4) = (Vec::new(), Vec::new());
        for _ in 0..samples {
            let m = rng::goe(n, &mut r);
            let m2 = &m * &m;
            t2.push(trace_pow2(&m) / n as f64);
            t4.push(trace_pow2(&m2) / n as f64);
        }
        let nf = n as f64;
        let (m2, se2) = mean_se(&t2);
        let (m4, se4) = mean_se(&t4);
        assert!(
            (m2 - (nf + 1.0) / nf).abs() <= Z * se2,
            "n={n}: {m2} ± {se2}"
        );
        let e4 = 2.0 + 5.0 / nf + 5.0 / (nf * nf);
        assert!((m4 - e4).abs() <= Z * se4, "n={n}: {m4} ± {se4} vs {e4}");
    }
}

/// Semicircle on [−2, 2]: at n = 400 the edge is within n^{-2/3}-scale
/// fluctuations of 2, and the fraction of eigenvalues in [−1, 1] is
/// (√3 + 2π/3)/(2π) ≈ 0.609 (deviation O(log n / n)).
#[test]
fn goe_semicircle_edge_and_bulk() {
    let n = 400;
    let m = rng::goe(n, &mut rng::seeded_rng(3));
    let ev = spectral::symmetric_eigenvalues(m.as_ref()).unwrap();
    assert!((ev[n - 1] - 2.0).abs() < 0.15, "λ_max = {}", ev[n - 1]);
    assert!((ev[0] + 2.0).abs() < 0.15, "λ_min = {}", ev[0]);
    let frac = ev.iter().filter(|l| l.abs() <= 1.0).count() as f64 / n as f64;
    let exact = (3f64.sqrt() + 2.0 * std::f64::consts::PI / 3.0) / (2.0 * std::f64::consts::PI);
    assert!((frac - exact).abs() < 0.03, "{frac} vs {exact}");
}

/// Wishart W = XXᵀ/p: E tr W/n = 1 and E tr W²/n = 1 + (n+1)/p exactly, so
/// the eigenvalue variance is (n+1)/p → c (Marchenko–Pastur); the edges
/// tend to (1 ± √c)².
#[test]
fn wishart_marchenko_pastur() {
    for (n, p, samples, seed) in [(5usize, 20usize, 3000usize, 4u64), (30, 60, 300, 5)] {
        let mut r = rng::seeded_rng(seed);
        let (mut t1, mut t2) = (Vec::new(), Vec::new());
        for _ in 0..samples {
            let w = rng::wishart(n, p, &mut r).unwrap();
            t1.push((0..n).map(|i| w[(i, i)]).sum::<f64>() / n as f64);
            t2.push(trace_pow2(&w) / n as f64);
        }
        let (m1, se1) = mean_se(&t1);
        let (m2, se2) = mean_se(&t2);
        assert!((m1 - 1.0).abs() <= Z * se1, "{m1} ± {se1}");
        let e2 = 1.0 + (n as f64 + 1.0) / p as f64;
        assert!((m2 - e2).abs() <= Z * se2, "{m2} ± {se2} vs {e2}");
    }
    let (n, p) = (300, 600);
    let c: f64 = n as f64 / p as f64;
    let w = rng::wishart(n, p, &mut rng::seeded_rng(6)).unwrap();
    let ev = spectral::symmetric_eigenvalues(w.as_ref()).unwrap();
    assert!(
        (ev[n - 1] - (1.0 + c.sqrt()).powi(2)).abs() < 0.12,
        "{}",
        ev[n - 1]
    );
    assert!((ev[0] - (1.0 - c.sqrt()).powi(2)).abs() < 0.06, "{}", ev[0]);
}

/// Haar orthogonal: QᵀQ = I to rounding (≤ 64·n·ε entrywise) at several sizes.
#[test]
fn haar_is_orthogonal() {
    for (idx, n) in [1usize, 2, 5, 50, 200].into_iter().enumerate() {
        let q = rng::haar_orthogonal(n, &mut rng::seeded_rng(idx as u64));
        let g = q.transpose() * &q;
        let tol = 64.0 * n as f64 * f64::EPSILON;
        for j in 0..n {
            for i in 0..n {
                let e = g[(i, j)] - if i == j { 1.0 } else { 0.0 };
                assert!(e.abs() <= tol, "n={n} ({i},{j}): {e}");
            }
        }
    }
}

/// Haar statistics: q₁₁² ~ Beta(1/2, (n−1)/2) has mean 1/n; tr Q has mean 0
/// and E (tr Q)² = 1 for n ≥ 2 (Diaconis & Shahshahani 1994). Without the
/// sign fix the law of the diagonal is biased and these fail.
#[test]
fn haar_moments() {
    let n = 6;
    let samples = 3000;
    let mut r = rng::seeded_rng(77);
    let (mut q11, mut tr, mut tr2, mut qd) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..samples {
        let q = rng::haar_orthogonal(n, &mut r);
        q11.push(q[(0, 0)] * q[(0, 0)]);
        let t: f64 = (0..n).map(|i| q[(i, i)]).sum();
        tr.push(t);
        tr2.push(t * t);
        qd.push(q[(n - 1, n - 1)]);
    }
    let (m, se) = mean_se(&q11);
    assert!((m - 1.0 / n as f64).abs() <= Z * se, "E q11² = {m} ± {se}");
    let (m, se) = mean_se(&tr);
    assert!(m.abs() <= Z * se, "E tr Q = {m} ± {se}");
    let (m, se) = mean_se(&tr2);
    assert!((m - 1.0).abs() <= Z * se, "E (tr Q)² = {m} ± {se}");
    let (m, se) = mean_se(&qd);
    assert!(m.abs() <= Z * se, "E q_nn = {m} ± {se}");
}

/// Same seed, same matrices; different seed, different matrices.
#[test]
fn determinism() {
    let draw = |seed| {
        let mut r = rng::seeded_rng(seed);
        (
            rng::goe(7, &mut r),
            rng::wishart(4, 9, &mut r).unwrap(),
            rng::haar_orthogonal(5, &mut r),
            rng::gaussian_matrix(3, 2, &mut r),
        )
    };
    let (a, b) = (draw(2024), draw(2024));
    assert_eq!(a.0, b.0);
    assert_eq!(a.1, b.1);
    assert_eq!(a.2, b.2);
    assert_eq!(a.3, b.3);
    let c = draw(2025);
    assert_ne!(a.0, c.0);
}
