//! Symmetric eigen with rigorous bounds: closed-form spectra, independent
//! methods (faer SVD, Lanczos, a secular equation solved by Brent), and the
//! size of the bounds.

mod common;

use common::{linspace, with_spectrum};
use quadra_core::lanczos::{lanczos_extremes, LanczosSettings, SymmetricOperator};
use quadra_core::symmetric::sym_from_fn;
use quadra_core::{brent, rng, spectral, BrentSettings, CoreError, Mat};

/// The tridiagonal Toeplitz matrix tridiag(−1, 2, −1) has eigenvalues
/// 2 − 2cos(kπ/(n+1)), k = 1..n: every enclosure must contain its closed
/// form, and the radius must be of the size the theory predicts (≤ n²·u·‖A‖
/// up to a small constant), so the bound is neither wrong nor vacuous.
#[test]
fn toeplitz_closed_form_inside_enclosures() {
    for n in [1usize, 2, 10, 100] {
        let a = sym_from_fn(n, |i, j| match j - i {
            0 => 2.0,
            1 => -1.0,
            _ => 0.0,
        });
        let e = spectral::symmetric_eigen(a.as_ref()).unwrap();
        for k in 0..n {
            let exact = 2.0 - 2.0 * ((k + 1) as f64 * std::f64::consts::PI / (n + 1) as f64).cos();
            let enc = e.enclosure(k);
            assert!(enc.contains(exact), "n={n} k={k}: {exact} not in {enc:?}");
            assert!(e.pair_residuals[k] <= e.bound(k) * 10.0 + 1e-14);
        }
        let tol = 8.0 * ((n * n) as f64 + 1.0) * f64::EPSILON * 4.0;
        assert!(
            e.residual_bound <= tol,
            "n={n}: bound {} > {tol}",
            e.residual_bound
        );
        assert!(e.orthogonality_defect < 1e-10);
    }
}

/// Prescribed spectra Q diag(λ) Qᵀ: λ_max and λ_min enclosures contain the
/// prescribed values (the construction error, ~n·u, is far below the
/// radius), for several sizes.
#[test]
fn prescribed_spectrum_extremes() {
    for (n, seed) in [(3usize, 1u64), (40, 2), (150, 3)] {
        let lam = linspace(-3.0, 5.0, n);
        let a = with_spectrum(&lam, seed);
        let lmax = spectral::lambda_max(a.as_ref()).unwrap();
        let lmin = spectral::lambda_min(a.as_ref()).unwrap();
        let construction = 64.0 * n as f64 * f64::EPSILON * 5.0;
        assert!(
            lmax.lower - construction <= 5.0 && 5.0 <= lmax.upper + construction,
            "{lmax:?}"
        );
        assert!(
            lmin.lower - construction <= -3.0 && -3.0 <= lmin.upper + construction,
            "{lmin:?}"
        );
        assert!(lmax.radius() < 1e-9);
    }
}

/// Spectral norm of U diag(σ) Vᵀ (rectangular, Haar factors): the enclosure
/// contains σ_max and faer's independently computed largest singular value.
#[test]
fn spectral_norm_matches_svd() {
    for (m, n, seed) in [(5usize, 3usize, 4u64), (30, 45, 5)] {
        let k = m.min(n);
        let u = rng::haar_orthogonal(m, &mut rng::seeded_rng(seed));
        let v = rng::haar_orthogonal(n, &mut rng::seeded_rng(seed + 100));
        let sigma = linspace(3.0, 0.1, k);
        let a = Mat::from_fn(m, n, |i, j| {
            (0..k).map(|l| u[(i, l)] * sigma[l] * v[(j, l)]).sum()
        });
        let s = spectral::spectral_norm(a.as_ref()).unwrap();
        let svd_max = a.singular_values().unwrap()[0];
        assert!(s.contains(svd_max), "{s:?} vs faer {svd_max}");
        assert!((s.value - 3.0).abs() < 1e-12);
    }
}

/// Lanczos on a dense GOE matrix agrees with the dense enclosure within the
/// Lanczos residual.
#[test]
fn lanczos_agrees_with_dense_goe() {
    let n = 200;
    let a = rng::goe(n, &mut rng::seeded_rng(9));
    let dense = spectral::symmetric_eigen(a.as_ref()).unwrap();
    let settings = LanczosSettings {
        max_iter: 200,
        tolerance: 1e-8,
    };
    let r = lanczos_extremes(&a, &settings, &mut rng::seeded_rng(10)).unwrap();
    assert!(r.converged, "{r:?}");
    let (hi, lo) = (dense.max(), dense.min());
    assert!(
        (r.lambda_max - hi.value).abs() <= r.residual_max + hi.radius() + 1e-12,
        "{r:?} {hi:?}"
    );
    assert!(
        (r.lambda_min - lo.value).abs() <= r.residual_min + lo.radius() + 1e-12,
        "{r:?} {lo:?}"
    );
    // Ritz values lie inside the spectrum (Cauchy interlacing).
    assert!(r.lambda_max <= hi.upper && r.lambda_min >= lo.lower);
}

/// Matrix-free diagonal-plus-rank-one operator D + wwᵀ: λ_max solves the
/// secular equation 1 + Σ w_i²/(d_i − λ) = 0 on (max d, max d + ‖w‖²],
/// found independently by Brent's method.
#[test]
fn lanczos_matrix_free_secular_equation() {
    struct Dpr {
        d: Vec<f64>,
        w: Vec<f64>,
    }
    impl SymmetricOperator for Dpr {
        fn dim(&self) -> usize {
            self.d.len()
        }
        fn apply(&self, x: &[f64], y: &mut [f64]) {
            let wx: f64 = self.w.iter().zip(x).map(|(a, b)| a * b).sum();
            for i in 0..x.len() {
                y[i] = self.d[i] * x[i] + self.w[i] * wx;
            }
        }
    }
    let n = 1000;
    let d: Vec<f64> = (0..n).map(|i| i as f64 / n as f64).collect();
    let w = vec![1.0 / (n as f64).sqrt(); n];
    let dmax = d[n - 1];
    let secular = |l: f64| 1.0 + d.iter().map(|di| (1.0 / n as f64) / (di - l)).sum::<f64>();
    let exact = brent(
        secular,
        dmax + 1e-9,
        dmax + 1.0 + 1e-9,
        &BrentSettings::default(),
    )
    .unwrap()
    .x;
    let op = Dpr { d: d.clone(), w };
    // λ_max is separated from the rest of the spectrum (which fills [0, 1)),
    // so it converges in a few dozen steps; λ_min (gap 1e-3) would not, so
    // the run is capped and only λ_max is checked.
    let settings = LanczosSettings {
        max_iter: 40,
        tolerance: 1e-12,
    };
    let r = lanczos_extremes(&op, &settings, &mut rng::seeded_rng(3)).unwrap();
    assert!(r.residual_max < 1e-10, "{r:?}");
    assert!(
        (r.lambda_max - exact).abs() <= r.residual_max + 1e-11,
        "{r:?} vs {exact}"
    );
    assert!(r.lambda_max <= exact + 1e-12, "Ritz value above λ_max");
}

/// Slightly asymmetric input (within SYMMETRY_TOL) is decomposed as its
/// symmetric part; larger asymmetry is an error naming the entry.
#[test]
fn symmetric_part_and_asymmetry_errors() {
    let lam = linspace(1.0, 2.0, 6);
    let mut a = with_spectrum(&lam, 30);
    a[(0, 5)] += 1e-14;
    let e = spectral::symmetric_eigen(a.as_ref()).unwrap();
    assert!(e.max().contains(2.0) || (e.max().value - 2.0).abs() < 1e-13);
    a[(1, 4)] += 1e-3;
    match spectral::symmetric_eigen(a.as_ref()) {
        Err(CoreError::NotSymmetric { row, col, .. }) => assert_eq!((row, col), (1, 4)),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        spectral::spectral_norm(Mat::<f64>::zeros(0, 3).as_ref()),
        Err(CoreError::Empty { .. })
    ));
}
