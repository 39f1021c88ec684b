//! State-space (Kalman) BQ against the dense Cholesky rule: same weights, variance and
//! amplitude on random node sets for every Matérn ν; the Matérn-½ closed form; jitter as
//! measurement noise; nodes outside the interval, unsorted or repeated.

use quadra_core::rng::standard_normal;
use quadra_core::seeded_rng;
use quadra_quadrature::{
    fit_lengthscale, BqMethod, BqRule, BqSettings, Interval, Kernel, KernelKind, QuadratureError,
};
use rand::Rng;

const MATERN: [KernelKind; 4] = [
    KernelKind::Matern12,
    KernelKind::Matern32,
    KernelKind::Matern52,
    KernelKind::Matern72,
];

/// Agreement of the two methods on well-conditioned node sets (cond(K) ≲ 1e5 here): both
/// are backward stable, so their weights differ by about ε·cond(K).
const AGREE_RTOL: f64 = 1e-10;

fn settings(method: BqMethod, jitter: f64) -> BqSettings {
    BqSettings::builder()
        .method(method)
        .jitter(jitter)
        .build()
        .unwrap()
}

fn both(kernel: Kernel, iv: Interval, x: &[f64], jitter: f64) -> (BqRule, BqRule) {
    let ss = BqRule::new(kernel, iv, x, settings(BqMethod::StateSpace, jitter)).unwrap();
    let dense = BqRule::new(kernel, iv, x, settings(BqMethod::Dense, jitter)).unwrap();
    assert_eq!(ss.method, BqMethod::StateSpace);
    assert_eq!(dense.method, BqMethod::Dense);
    (ss, dense)
}

fn assert_agree(ss: &BqRule, dense: &BqRule, rtol: f64, what: &str) {
    let scale = dense.weights.iter().map(|w| w.abs()).fold(0.0, f64::max);
    for (i, (a, b)) in ss.weights.iter().zip(&dense.weights).enumerate() {
        assert!(
            (a - b).abs() <= rtol * scale,
            "{what}: weight {i}: state space {a} vs dense {b}"
        );
    }
    // The dense variance ∫∫k − zᵀw cancels down from ∫∫k: compare at that scale.
    let tol = rtol * ss.variance.abs() + 1e2 * f64::EPSILON * dense.initial_error;
    assert!(
        (ss.variance - dense.variance).abs() <= tol,
        "{what}: variance state space {} vs dense {}",
        ss.variance,
        dense.variance
    );
}

/// Distinct random nodes with a minimum gap of `gap·L/n` (keeps cond(K) moderate).
fn random_nodes(rng: &mut impl Rng, lo: f64, hi: f64, n: usize, gap: f64) -> Vec<f64> {
    let len = hi - lo;
    let mut raw: Vec<f64> = (0..n).map(|_| rng.random::<f64>()).collect();
    raw.sort_by(f64::total_cmp);
    let free = 1.0 - gap;
    raw.iter()
        .enumerate()
        .map(|(i, &u)| lo + len * (u * free + gap * i as f64 / n as f64))
        .collect()
}

#[test]
fn state_space_weights_equal_dense_weights_on_random_nodes() {
    let mut rng = seeded_rng(11);
    for kind in MATERN {
        for &(a, b, ell, n) in &[
            (0.0, 1.0, 0.3, 12),
            (-2.0, 3.0, 0.7, 25),
            (240.0, 240.1, 0.05, 9),
            (0.0, 10.0, 0.4, 40),
        ] {
            let iv = Interval::new(a, b).unwrap();
            let k = Kernel::new(kind, ell).unwrap();
            // Ends included, interior random.
            let mut x = random_nodes(&mut rng, a, b, n - 2, 0.5);
            x.push(a);
            x.push(b);
            let (ss, dense) = both(k, iv, &x, 0.0);
            assert_agree(
                &ss,
                &dense,
                AGREE_RTOL,
                &format!("{kind:?} [{a},{b}] ℓ={ell}"),
            );
        }
    }
}

#[test]
fn state_space_handles_unsorted_nodes_and_nodes_outside_the_interval() {
    let mut rng = seeded_rng(5);
    for kind in MATERN {
        let k = Kernel::new(kind, 0.5).unwrap();
        let iv = Interval::new(0.0, 1.0).unwrap();
        // Nodes on [−0.6, 1.7], none at the ends, then shuffled.
        let mut x = random_nodes(&mut rng, -0.6, 1.7, 15, 0.5);
        for i in (1..x.len()).rev() {
            let j = rng.random_range(0..=i);
            x.swap(i, j);
        }
        let (ss, dense) = both(k, iv, &x, 0.0);
        assert_agree(
            &ss,
            &dense,
            AGREE_RTOL,
            &format!("{kind:?} outside/unsorted"),
        );
        // All nodes left of a, or right of b.
        for x in [vec![-1.0, -0.7, -0.2], vec![1.1, 1.5, 2.5]] {
            let (ss, dense) = both(k, iv, &x, 0.0);
            assert_agree(&ss, &dense, AGREE_RTOL, &format!("{kind:?} one side {x:?}"));
        }
        // One node.
        let (ss, dense) = both(k, iv, &[0.3], 0.0);
        assert_agree(&ss, &dense, AGREE_RTOL, &format!("{kind:?} one node"));
    }
}

#[test]
fn jitter_is_measurement_noise_in_the_state_space() {
    let iv = Interval::new(0.0, 0.1).unwrap();
    let x = iv.equispaced(20);
    for kind in MATERN {
        // ℓ comparable to the spacing keeps K well conditioned even at jitter 1e-8.
        let k = Kernel::new(kind, 0.02).unwrap();
        for jitter in [1e-8, 1e-3, 0.5] {
            let (ss, dense) = both(k, iv, &x, jitter);
            assert_agree(
                &ss,
                &dense,
                AGREE_RTOL,
                &format!("{kind:?} jitter {jitter}"),
            );
        }
        // A repeated node is an error without jitter, and fine with it.
        let mut dup = x.clone();
        dup.push(x[3]);
        let err = BqRule::new(k, iv, &dup, settings(BqMethod::StateSpace, 0.0)).unwrap_err();
        assert!(
            matches!(
                err,
                QuadratureError::GramNotPositiveDefinite { index: 20, .. }
            ),
            "{err}"
        );
        // cond(K + jitter·I) ≈ N/jitter: 1e-3 keeps the dense reference at ~1e-13.
        let (ss, dense) = both(k, iv, &dup, 1e-3);
        assert_agree(&ss, &dense, AGREE_RTOL, &format!("{kind:?} repeated node"));
    }
}

#[test]
fn state_space_matern12_weights_are_ell_tanh() {
    // Closed form (ν = ½, nodes covering [a, b] with both ends): w_i = ℓ·tanh(h_{i−1}/2ℓ) +
    // ℓ·tanh(h_i/2ℓ), variance Σ 2ℓh − 4ℓ²·tanh(h/2ℓ) (proofs/bq_closed_forms.md).
    let mut rng = seeded_rng(3);
    for &ell in &[0.01, 0.2, 3.0] {
        let iv = Interval::new(-1.0, 2.0).unwrap();
        let mut x = random_nodes(&mut rng, -1.0, 2.0, 30, 0.2);
        x.insert(0, -1.0);
        x.push(2.0);
        let rule = BqRule::new(
            Kernel::new(KernelKind::Matern12, ell).unwrap(),
            iv,
            &x,
            BqSettings::default(),
        )
        .unwrap();
        assert_eq!(rule.method, BqMethod::StateSpace);
        let h: Vec<f64> = x.windows(2).map(|w| w[1] - w[0]).collect();
        let t = |h: f64| ell * (h / (2.0 * ell)).tanh();
        for i in 0..x.len() {
            let want =
                if i > 0 { t(h[i - 1]) } else { 0.0 } + if i < h.len() { t(h[i]) } else { 0.0 };
            assert!(
                (rule.weights[i] - want).abs() <= 1e-13 * want,
                "ℓ={ell} i={i}: {} vs {want}",
                rule.weights[i]
            );
        }
        let want: f64 = h
            .iter()
            .map(|&h| 2.0 * ell * h - 4.0 * ell * ell * (h / (2.0 * ell)).tanh())
            .sum();
        // Summed in the filter without cancellation: relative accuracy even when tiny.
        assert!(
            (rule.variance - want).abs() <= 1e-12 * want,
            "ℓ={ell}: variance {} vs {want}",
            rule.variance
        );
    }
}

#[test]
fn state_space_amplitude_equals_dense_amplitude() {
    // yᵀ(K + jitter·I)⁻¹y from the innovations equals the Cholesky quadratic form.
    let mut rng = seeded_rng(17);
    let iv = Interval::new(0.0, 2.0).unwrap();
    for kind in MATERN {
        let k = Kernel::new(kind, 0.6).unwrap();
        let x = random_nodes(&mut rng, 0.0, 2.0, 18, 0.5);
        let y: Vec<f64> = (0..x.len()).map(|_| standard_normal(&mut rng)).collect();
        for jitter in [0.0, 1e-4] {
            let (ss, dense) = both(k, iv, &x, jitter);
            let (es, ed) = (ss.estimate(&y).unwrap(), dense.estimate(&y).unwrap());
            assert!(
                (es.amplitude - ed.amplitude).abs() <= 1e-9 * ed.amplitude,
                "{kind:?}: amplitude {} vs {}",
                es.amplitude,
                ed.amplitude
            );
            assert!((es.mean - ed.mean).abs() <= 1e-10 * y.iter().map(|v| v.abs()).sum::<f64>());
        }
    }
}

#[test]
fn state_space_is_refused_for_kernels_without_an_sde() {
    let iv = Interval::new(0.0, 1.0).unwrap();
    let s = settings(BqMethod::StateSpace, 0.0);
    let rbf = Kernel::new(KernelKind::Rbf, 0.3).unwrap();
    assert!(matches!(
        BqRule::new(rbf, iv, &[0.2, 0.5], s),
        Err(QuadratureError::InvalidParameter { name: "method", .. })
    ));
    // Auto keeps the dense path for RBF and Brownian.
    let auto = BqRule::new(rbf, iv, &[0.2, 0.5], BqSettings::default()).unwrap();
    assert_eq!(auto.method, BqMethod::Dense);
    assert!(BqSettings::builder().jitter(f64::NAN).build().is_err());
}

#[test]
fn state_space_stays_accurate_where_cholesky_does_not() {
    // Matérn-7/2, ℓ = 0.3, 20 equispaced nodes on [0, 0.1]: cond(K) = 8.5e15. Reference:
    // 50-digit mpmath solve of K w = z (`benches/python/bq_reference_mp.py --weights` on the
    // output of `--example bq_conditioning`). Measured errors: state space 3.7e-10 (weights,
    // relative to max|w|) and 1.0e-8 (variance); dense Cholesky 1.3e-3 and 3.8e-2.
    const W_REF: [(usize, f64); 4] = [
        (0, 0.0017617014061778909),
        (1, 0.006903032655228173),
        (9, 0.005272752624438655),
        (19, 0.001761701406177892),
    ];
    const VAR_REF: f64 = 1.983656516705212e-17;
    let iv = Interval::new(0.0, 0.1).unwrap();
    let k = Kernel::new(KernelKind::Matern72, 0.3).unwrap();
    let rule = BqRule::new(k, iv, &iv.equispaced(20), BqSettings::default()).unwrap();
    assert_eq!(rule.method, BqMethod::StateSpace);
    let wmax = 0.006903032655228173;
    for (i, want) in W_REF {
        assert!(
            (rule.weights[i] - want).abs() <= 1e-8 * wmax,
            "w[{i}] = {} vs {want}",
            rule.weights[i]
        );
    }
    assert!(
        (rule.variance - VAR_REF).abs() <= 1e-6 * VAR_REF,
        "variance {} vs {VAR_REF}",
        rule.variance
    );
}

#[test]
fn maximum_likelihood_by_the_filter_equals_the_dense_fit() {
    // The profile likelihood from the innovations (Σ v²/S, Σ ln S) equals the Cholesky one,
    // so both searches land on the same lengthscale.
    // Nodes ~0.2 apart and ℓ ≤ 0.6 keep cond(K) below ~1e6 for the dense reference (at
    // larger ℓ Cholesky loses digits and the two fits part, the filter's being the likelier).
    let mut rng = seeded_rng(23);
    let x = random_nodes(&mut rng, 0.0, 3.0, 15, 0.5);
    let y: Vec<f64> = x
        .iter()
        .map(|&t| (5.0 * t).sin() + 0.5 * (11.0 * t).cos())
        .collect();
    for kind in MATERN {
        for jitter in [0.0, 1e-6] {
            let fit = |method| {
                fit_lengthscale(kind, &x, &y, (0.02, 0.6), settings(method, jitter)).unwrap()
            };
            let (ss, dense) = (fit(BqMethod::Auto), fit(BqMethod::Dense));
            assert!(
                (ss.log_likelihood - dense.log_likelihood).abs()
                    <= 1e-8 * dense.log_likelihood.abs(),
                "{kind:?}: {ss:?} vs {dense:?}"
            );
            assert!(
                (ss.lengthscale - dense.lengthscale).abs() <= 1e-5 * dense.lengthscale,
                "{kind:?}: {ss:?} vs {dense:?}"
            );
        }
    }
}

#[test]
fn steady_state_shortcut_on_long_equispaced_grids_matches_dense() {
    // Equal steps let the filter freeze its gain once the Riccati recursion repeats, and the
    // backward pass its weights once r repeats: check both against Cholesky on long grids,
    // with the grid covering [a, b] and with a grid that overhangs both ends.
    for kind in MATERN {
        for &(lo, hi, n, jitter) in &[
            (0.0, 1.0, 300, 0.0),
            (-0.2, 1.3, 301, 0.0),
            (0.0, 1.0, 300, 1e-4),
        ] {
            let grid = Interval::new(lo, hi).unwrap();
            let x = grid.equispaced(n);
            let h = (hi - lo) / (n - 1) as f64;
            // ℓ = 3h: long enough for a smooth rule, short enough for cond(K) ≲ 1e6.
            let k = Kernel::new(kind, 3.0 * h).unwrap();
            let iv = Interval::new(0.0, 1.0).unwrap();
            let (ss, dense) = both(k, iv, &x, jitter);
            assert_agree(
                &ss,
                &dense,
                AGREE_RTOL,
                &format!("{kind:?} grid [{lo},{hi}] n={n}"),
            );
        }
    }
}
