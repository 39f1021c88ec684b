//! Closed forms and exact identities of the statistics, kernels, multiplier and tests.

use quadra_core::rng::{gaussian_vec, standard_normal};
use quadra_core::seeded_rng;
use quadra_stattest::kernel::{centre, gram, median_bandwidth, pooled_gram};
use quadra_stattest::multiplier::{ar_multiplier, block_from_autocorrelation};
use quadra_stattest::stats::{hsic_v, mmd2_u, mmd2_v};
use quadra_stattest::{
    hsic_test, mmd_test, Bandwidth, Block, Kernel, KernelKind, Method, Pairing, Series,
    StatTestError, TestSettings, WildVariant,
};

/// Sums of O(n²) terms of size ≤ 1: rounding stays below a few hundred ε.
const EXACT_TOL: f64 = 1e-13;

fn uni(v: &[f64]) -> Series {
    Series::univariate(v.to_vec()).unwrap()
}

#[test]
fn mmd_hand_computed_two_points_each() {
    // x = {0, 1}, y = {0, 3}, Gaussian σ = 1: k(a,b) = exp(−(a−b)²/2).
    let (x, y) = (uni(&[0.0, 1.0]), uni(&[0.0, 3.0]));
    let k = Kernel::new(KernelKind::Gaussian, 1.0).unwrap();
    let g = pooled_gram(&k, &x, &y).unwrap();
    let e = |d2: f64| (-d2 / 2.0f64).exp();
    let kxx = 2.0 + 2.0 * e(1.0);
    let kyy = 2.0 + 2.0 * e(9.0);
    let kxy = e(0.0) + e(9.0) + e(1.0) + e(4.0);
    let v = kxx / 4.0 + kyy / 4.0 - 2.0 * kxy / 4.0;
    let u = 2.0 * e(1.0) / 2.0 + 2.0 * e(9.0) / 2.0 - 2.0 * kxy / 4.0;
    assert!((mmd2_v(&g, 2).unwrap() - v).abs() < EXACT_TOL);
    assert!((mmd2_u(&g, 2).unwrap() - u).abs() < EXACT_TOL);
}

#[test]
fn identical_samples_give_zero_and_p_value_one() {
    let mut rng = seeded_rng(3);
    let x = Series::from_rows(40, 2, gaussian_vec(80, &mut rng)).unwrap();
    for method in [
        Method::Wild(WildVariant::Centred),
        Method::Wild(WildVariant::NonCentred),
        Method::Permutation,
    ] {
        let s = TestSettings::builder()
            .n_boot(99)
            .method(method)
            .build()
            .unwrap();
        let r = mmd_test(&x, &x, &s).unwrap();
        assert!(r.statistic.abs() < EXACT_TOL, "{method:?}: {}", r.statistic);
        // Every draw is a quadratic form in a PSD Gram, so T* ≥ −rounding ≥ T ≈ 0... except
        // draws that are exactly 0 up to rounding; the p-value is at least 1/2 in any case.
        assert!(r.p_value > 0.5, "{method:?}: p = {}", r.p_value);
        assert!(!r.reject);
    }
}

#[test]
fn mmd_null_expectation_matches_closed_form() {
    // X, Y iid N(0,1), Gaussian kernel with fixed σ: E k(x,x') = σ/√(σ²+2), k(x,x) = 1,
    // so E MMD²_V = (1/nx + 1/ny)(1 − σ/√(σ²+2)) and E MMD²_U = 0 (proofs/mmd_null_expectation.md).
    let (nx, ny, sigma, reps) = (15usize, 25usize, 0.8, 400usize);
    let k = Kernel::new(KernelKind::Gaussian, sigma).unwrap();
    let mut rng = seeded_rng(11);
    let (mut v, mut u) = (Vec::new(), Vec::new());
    for _ in 0..reps {
        let x = uni(&gaussian_vec(nx, &mut rng));
        let y = uni(&gaussian_vec(ny, &mut rng));
        let g = pooled_gram(&k, &x, &y).unwrap();
        v.push(mmd2_v(&g, nx).unwrap());
        u.push(mmd2_u(&g, nx).unwrap());
    }
    let mean_se = |a: &[f64]| {
        let m = a.iter().sum::<f64>() / a.len() as f64;
        let var = a.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (a.len() - 1) as f64;
        (m, (var / a.len() as f64).sqrt())
    };
    let expect_v =
        (1.0 / nx as f64 + 1.0 / ny as f64) * (1.0 - sigma / (sigma * sigma + 2.0f64).sqrt());
    let (mv, sv) = mean_se(&v);
    let (mu, su) = mean_se(&u);
    // 4 Monte-Carlo standard errors: a false failure has probability ≈ 6·10⁻⁵.
    assert!(
        (mv - expect_v).abs() < 4.0 * sv,
        "V: {mv} vs {expect_v} ± {sv}"
    );
    assert!(mu.abs() < 4.0 * su, "U: {mu} ± {su}");
}

#[test]
fn hsic_matches_expanded_trace_formula() {
    // tr(KHLH)/n² = ΣK∘L/n² + ΣK·ΣL/n⁴ − 2 Σᵢ(Σⱼ Kᵢⱼ)(Σⱼ Lᵢⱼ)/n³.
    let mut rng = seeded_rng(5);
    let n = 17;
    let x = Series::from_rows(n, 2, gaussian_vec(2 * n, &mut rng)).unwrap();
    let y = Series::from_rows(n, 3, gaussian_vec(3 * n, &mut rng)).unwrap();
    let kk = gram(&Kernel::new(KernelKind::Laplace, 1.3).unwrap(), &x, &x).unwrap();
    let ll = gram(&Kernel::new(KernelKind::Matern32, 0.7).unwrap(), &y, &y).unwrap();
    let nf = n as f64;
    let (mut kl, mut sk, mut sl, mut cross) = (0.0, 0.0, 0.0, 0.0);
    for i in 0..n {
        let (mut rk, mut rl) = (0.0, 0.0);
        for j in 0..n {
            kl += kk[(i, j)] * ll[(i, j)];
            rk += kk[(i, j)];
            rl += ll[(i, j)];
        }
        sk += rk;
        sl += rl;
        cross += rk * rl;
    }
    let expect = kl / nf.powi(2) + sk * sl / nf.powi(4) - 2.0 * cross / nf.powi(3);
    let got = hsic_v(&centre(&kk), &centre(&ll)).unwrap();
    assert!((got - expect).abs() < EXACT_TOL, "{got} vs {expect}");
}

#[test]
fn kernel_values_at_one_bandwidth() {
    let e = std::f64::consts::E;
    let r3 = 3f64.sqrt();
    let r5 = 5f64.sqrt();
    let cases = [
        (KernelKind::Gaussian, e.powf(-0.5)),
        (KernelKind::Laplace, 1.0 / e),
        (KernelKind::Matern32, (1.0 + r3) * (-r3).exp()),
        (KernelKind::Matern52, (1.0 + r5 + 5.0 / 3.0) * (-r5).exp()),
    ];
    for (kind, want) in cases {
        let k = Kernel::new(kind, 2.0).unwrap();
        // ‖(0,0) − (1.2, 1.6)‖ = 2 = σ.
        let got = k.eval(&[0.0, 0.0], &[1.2, 1.6]);
        assert!((got - want).abs() < EXACT_TOL, "{kind:?}: {got} vs {want}");
        assert!((k.eval(&[0.3, 0.1], &[0.3, 0.1]) - 1.0).abs() < EXACT_TOL);
    }
}

#[test]
fn median_heuristic_convention() {
    // Points 0, 1, 2: squared distances {1, 4, 1}, median 1, σ = √(0.5·1).
    let s = uni(&[0.0, 1.0, 2.0]);
    assert!((median_bandwidth(&[&s]).unwrap() - 0.5f64.sqrt()).abs() < EXACT_TOL);
    // Pooled over two samples: {0, 3} ∪ {1}: squared distances {9, 1, 4}, median 4.
    let (a, b) = (uni(&[0.0, 3.0]), uni(&[1.0]));
    assert!((median_bandwidth(&[&a, &b]).unwrap() - 2.0f64.sqrt()).abs() < EXACT_TOL);
    assert!(matches!(
        median_bandwidth(&[&uni(&[1.0, 1.0])]),
        Err(StatTestError::DegenerateBandwidth)
    ));
}

#[test]
fn multiplier_is_stationary_with_exponential_autocorrelation() {
    let (l, n, reps) = (5.0, 40usize, 4000usize);
    let mut rng = seeded_rng(9);
    let mut w = vec![0.0; n];
    let (mut v0, mut vlast, mut c1, mut c3) = (0.0, 0.0, 0.0, 0.0);
    for _ in 0..reps {
        ar_multiplier(l, &mut rng, &mut w);
        v0 += w[0] * w[0];
        vlast += w[n - 1] * w[n - 1];
        c1 += w[10] * w[11];
        c3 += w[10] * w[13];
    }
    let r = reps as f64;
    // Var of a product/square of unit normals ≤ 2, so SE ≤ √(2/reps) ≈ 0.022; 4 SE.
    let tol = 4.0 * (2.0 / r).sqrt();
    assert!((v0 / r - 1.0).abs() < tol);
    assert!((vlast / r - 1.0).abs() < tol);
    assert!((c1 / r - (-1.0 / l).exp()).abs() < tol);
    assert!((c3 / r - (-3.0 / l).exp()).abs() < tol);
}

#[test]
fn block_from_autocorrelation_is_four_correlation_times() {
    let l = block_from_autocorrelation((-1.0f64 / 7.0).exp(), 1000);
    assert!((l - 28.0).abs() < 1e-12, "{l}");
    assert!((block_from_autocorrelation(0.1, 1000) - 4.0 / 10f64.ln()).abs() < 1e-12);
    assert_eq!(block_from_autocorrelation(0.01, 1000), 1.0);
    assert_eq!(block_from_autocorrelation(0.999999, 100), 12.5);
    assert_eq!(block_from_autocorrelation(f64::NAN, 100), 1.0);
    assert_eq!(block_from_autocorrelation(-0.4, 100), 1.0);
}

#[test]
fn same_seed_same_draws_independent_of_thread_count() {
    let mut rng = seeded_rng(21);
    let x = Series::from_rows(70, 2, gaussian_vec(140, &mut rng)).unwrap();
    let y = Series::from_rows(50, 2, gaussian_vec(100, &mut rng)).unwrap();
    for method in [Method::Wild(WildVariant::Centred), Method::Permutation] {
        let s = TestSettings::builder()
            .n_boot(100)
            .method(method)
            .seed(4)
            .build()
            .unwrap();
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let three = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let a = one.install(|| mmd_test(&x, &y, &s).unwrap());
        let b = three.install(|| mmd_test(&x, &y, &s).unwrap());
        assert_eq!(a.null_draws, b.null_draws);
        let h1 = one.install(|| hsic_test(&x, &x, &s).unwrap());
        let h3 = three.install(|| hsic_test(&x, &x, &s).unwrap());
        assert_eq!(h1.null_draws, h3.null_draws);
        let other = mmd_test(
            &x,
            &y,
            &TestSettings::builder()
                .n_boot(100)
                .method(method)
                .seed(5)
                .build()
                .unwrap(),
        )
        .unwrap();
        assert_ne!(a.null_draws, other.null_draws);
    }
}

#[test]
fn shifted_mean_and_dependence_are_detected() {
    let mut rng = seeded_rng(8);
    let x = quadra_stattest::simulate::ar1_series(150, 2, 0.5, 0.0, &mut rng).unwrap();
    let y = quadra_stattest::simulate::ar1_series(120, 2, 0.5, 1.5, &mut rng).unwrap();
    let s = TestSettings::builder().n_boot(199).seed(1).build().unwrap();
    let r = mmd_test(&x, &y, &s).unwrap();
    assert!(r.reject && r.p_value <= 0.01, "p = {}", r.p_value);
    assert_eq!(r.null_draws.len(), 199);
    // Y_t = X_t² + small noise: dependent, uncorrelated.
    let n = 150;
    let xs: Vec<f64> = (0..n).map(|t| x.row(t)[0]).collect();
    let ys: Vec<f64> = xs
        .iter()
        .map(|v| v * v + 0.1 * standard_normal(&mut rng))
        .collect();
    let h = hsic_test(&uni(&xs), &uni(&ys), &s).unwrap();
    assert!(h.reject && h.p_value <= 0.01, "p = {}", h.p_value);
    assert_eq!(h.bandwidth.len(), 2);
}

#[test]
fn paired_multiplier_and_fixed_bandwidth() {
    let mut rng = seeded_rng(2);
    let x = quadra_stattest::simulate::ar1_series(100, 1, 0.3, 0.0, &mut rng).unwrap();
    let y = quadra_stattest::simulate::ar1_series(100, 1, 0.3, 0.0, &mut rng).unwrap();
    let s = TestSettings::builder()
        .pairing(Pairing::Paired)
        .block(Block::Fixed(3.0))
        .bandwidth(Bandwidth::Fixed(0.9))
        .kernel(KernelKind::Laplace)
        .n_boot(50)
        .build()
        .unwrap();
    let r = mmd_test(&x, &y, &s).unwrap();
    assert_eq!(r.block, Some(3.0));
    assert_eq!(r.bandwidth, vec![0.9]);
    let short = Series::univariate(vec![0.0, 1.0, 2.0]).unwrap();
    assert!(matches!(
        mmd_test(&x, &short, &s),
        Err(StatTestError::DimensionMismatch { .. })
    ));
}

#[test]
fn bad_input_is_an_error_naming_the_problem() {
    match Series::from_rows(2, 2, vec![1.0, 2.0, f64::NAN, 4.0]) {
        Err(StatTestError::NonFinite { row: 1, col: 0, .. }) => {}
        other => panic!("{other:?}"),
    }
    assert!(Series::from_rows(0, 1, vec![]).is_err());
    assert!(Series::from_rows(2, 2, vec![1.0]).is_err());
    let a = Series::from_rows(3, 1, vec![1.0, 2.0, 3.0]).unwrap();
    let b = Series::from_rows(3, 2, vec![1.0; 6]).unwrap();
    let s = TestSettings::default();
    assert!(matches!(
        mmd_test(&a, &b, &s),
        Err(StatTestError::DimensionMismatch { .. })
    ));
    let c = Series::from_rows(4, 1, vec![1.0, 2.0, 3.0, 5.0]).unwrap();
    assert!(matches!(
        hsic_test(&a, &c, &s),
        Err(StatTestError::DimensionMismatch { .. })
    ));
    assert!(TestSettings::builder().n_boot(0).build().is_err());
    assert!(TestSettings::builder().alpha(1.5).build().is_err());
    assert!(TestSettings::builder()
        .block(Block::Fixed(-1.0))
        .build()
        .is_err());
    assert!(TestSettings::builder()
        .bandwidth(Bandwidth::Fixed(0.0))
        .build()
        .is_err());
    assert!(Kernel::new(KernelKind::Gaussian, f64::NAN).is_err());
}
