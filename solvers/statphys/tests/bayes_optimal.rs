//! The Bayes-optimal fixed point: published points, every limit of the sheet,
//! state evolution, bad inputs.

use quadra_statphys::{alpha_pr, bayes_optimal, mmse_den, state_evolution};

/// The issue asks for the published points to 1e-5 (they are printed to 6 digits).
const PUBLISHED_TOL: f64 = 1e-5;

#[test]
fn published_points() {
    let p = bayes_optimal(0.18947, 0.5, 0.0).unwrap();
    assert!((p.mmse - 0.425322).abs() < PUBLISHED_TOL, "{p:?}");
    let p = bayes_optimal(0.37820, 0.5, 0.25).unwrap();
    assert!((p.mmse - 0.245599).abs() < PUBLISHED_TOL, "{p:?}");
}

#[test]
fn fixed_point_residual_and_derived_quantities() {
    for &(a, k, d) in &[
        (0.1, 0.5, 0.0),
        (0.3, 2.0, 0.1),
        (1.0, 0.3, 0.5),
        (0.05, 4.0, 1.0),
    ] {
        let p = bayes_optimal(a, k, d).unwrap();
        let m = mmse_den(k, p.t).unwrap();
        // The fixed-point equation holds at the returned t.
        assert!((m - (2.0 * a * p.t - d / 2.0)).abs() < 1e-9, "{p:?}");
        assert!((p.mmse - m).abs() < 1e-9);
        assert!((p.test_error - (2.0 * p.mmse + d)).abs() < 1e-15);
        assert!((p.q_hat.unwrap() * p.t - 1.0).abs() < 1e-12);
        assert!((p.overlap - (1.0 - p.mmse)).abs() < 1e-15);
        assert!(p.residual < 1e-9);
    }
}

#[test]
fn alpha_pr_and_perfect_recovery() {
    assert_eq!(alpha_pr(0.5).unwrap(), 0.375);
    assert_eq!(alpha_pr(1.0).unwrap(), 0.5);
    assert_eq!(alpha_pr(3.0).unwrap(), 0.5);
    for &k in &[0.3, 0.5, 2.0] {
        let apr = alpha_pr(k).unwrap();
        assert_eq!(bayes_optimal(apr * 1.01, k, 0.0).unwrap().mmse, 0.0);
        let below = bayes_optimal(apr * 0.95, k, 0.0).unwrap();
        assert!(below.mmse > 0.0 && below.mmse < 0.2, "κ={k}: {below:?}");
    }
}

#[test]
fn small_alpha_limits() {
    // MMSE = 1 − 4α/(2+Δ) + O(α²).
    for &d in &[0.25, 1.0] {
        let a = 1e-3;
        let p = bayes_optimal(a, 0.5, d).unwrap();
        let want = 1.0 - 4.0 * a / (2.0 + d);
        // O(α²) remainder: a few α² with the constants of this model.
        assert!(
            (p.mmse - want).abs() < 20.0 * a * a,
            "Δ={d}: {} vs {want}",
            p.mmse
        );
    }
    // Δ = 0: 1 − 2α − (4/κ)α² + O(α³).
    for &k in &[0.5, 2.0] {
        let a = 1e-2;
        let p = bayes_optimal(a, k, 0.0).unwrap();
        let want = 1.0 - 2.0 * a - 4.0 / k * a * a;
        assert!(
            (p.mmse - want).abs() < 50.0 * a * a * a,
            "κ={k}: {} vs {want}",
            p.mmse
        );
    }
}

#[test]
fn large_kappa_limit() {
    let k = 1e5;
    for &(a, d) in &[(0.1, 0.0), (0.3, 0.0), (0.2, 0.5), (1.0, 0.25)] {
        let p = bayes_optimal(a, k, d).unwrap();
        let b = 4.0 * a + d - 2.0;
        let want = (-b + (b * b + 8.0 * d).sqrt()) / 4.0;
        // Corrections are O(1/√κ) ≈ 3e-3.
        assert!(
            (p.mmse - want).abs() < 5e-3,
            "α={a} Δ={d}: {} vs {want}",
            p.mmse
        );
    }
}

#[test]
fn large_alpha_with_noise() {
    // MMSE ≈ α_PR·Δ/(2(α − α_PR)) for α ≫ α_PR, Δ small.
    for &k in &[0.5, 2.0] {
        let apr = alpha_pr(k).unwrap();
        let (a, d) = (50.0, 0.01);
        let p = bayes_optimal(a, k, d).unwrap();
        let want = apr * d / (2.0 * (a - apr));
        assert!(
            (p.mmse / want - 1.0).abs() < 0.05,
            "κ={k}: {} vs {want}",
            p.mmse
        );
    }
}

#[test]
fn near_alpha_pr_for_kappa_above_one() {
    // Δ = 0, κ > 1, α → 1/2: MMSE ≈ (1 − 1/κ)(1 − 2α).
    for &k in &[2.0, 4.0] {
        let a = 0.499;
        let p = bayes_optimal(a, k, 0.0).unwrap();
        let want = (1.0 - 1.0 / k) * (1.0 - 2.0 * a);
        assert!(
            (p.mmse / want - 1.0).abs() < 0.05,
            "κ={k}: {} vs {want}",
            p.mmse
        );
    }
}

#[test]
fn state_evolution_converges_to_fixed_point() {
    for &(a, k, d) in &[(0.2, 0.5, 0.0), (0.3, 0.5, 0.25), (0.4, 2.0, 0.1)] {
        let traj = state_evolution(a, k, d, 400).unwrap();
        let p = bayes_optimal(a, k, d).unwrap();
        let last = *traj.last().unwrap();
        assert!(
            (last - p.mmse).abs() < 1e-6,
            "α={a} κ={k} Δ={d}: SE {last} vs {}",
            p.mmse
        );
        assert!(
            traj.windows(2).all(|w| w[1] <= w[0] + 1e-12),
            "SE not monotone"
        );
    }
}

#[test]
fn monotone_in_alpha() {
    let mut prev = 1.0;
    for i in 1..40 {
        let p = bayes_optimal(0.01 * i as f64, 0.5, 0.1).unwrap();
        assert!(p.mmse < prev);
        prev = p.mmse;
    }
}

#[test]
fn bad_inputs() {
    assert!(bayes_optimal(-0.1, 0.5, 0.0).is_err());
    assert!(bayes_optimal(0.0, 0.5, 0.0).is_err());
    assert!(bayes_optimal(0.1, -0.5, 0.0).is_err());
    assert!(bayes_optimal(0.1, 0.5, -1.0).is_err());
    assert!(bayes_optimal(f64::NAN, 0.5, 0.0).is_err());
    assert!(bayes_optimal(0.1, f64::INFINITY, 0.0).is_err());
    let msg = bayes_optimal(0.1, 0.5, -1.0).unwrap_err().to_string();
    assert!(msg.contains("delta"), "{msg}");
}

#[test]
fn grid_equals_pointwise() {
    let alphas = [0.1, 0.3, 0.6];
    let kappas = [0.5, 1.5];
    let grid = quadra_statphys::bayes_optimal_grid(&alphas, &kappas, 0.1).unwrap();
    assert_eq!(grid.len(), 6);
    for (i, &k) in kappas.iter().enumerate() {
        for (j, &a) in alphas.iter().enumerate() {
            let p = quadra_statphys::bayes_optimal(a, k, 0.1).unwrap();
            assert_eq!(grid[i * alphas.len() + j], p);
        }
    }
    assert!(quadra_statphys::bayes_optimal_grid(&[0.1], &[-1.0], 0.0).is_err());
}

/// The generic replica engine runs this model's SE: from MMSE₀ = 1 it reaches the
/// Brent root of `bayes_optimal` (an independent method), and Anderson acceleration
/// gets there in fewer map evaluations than the plain iteration.
#[test]
fn replica_engine_runs_the_quadratic_network_se() {
    use quadra_core::FixedPointSettings;
    use quadra_statphys::{QuadraticNetworkSe, ReplicaSolver};
    for (alpha, kappa, delta) in [(0.2, 0.5, 0.1), (0.3, 2.0, 0.25), (0.15, 0.5, 0.0)] {
        let p = QuadraticNetworkSe::new(alpha, kappa, delta).unwrap();
        let theory = bayes_optimal(alpha, kappa, delta).unwrap().mmse;
        let plain = ReplicaSolver::new(
            FixedPointSettings::builder()
                .tolerance(1e-11)
                .max_iter(10_000)
                .build()
                .unwrap(),
        );
        let fast = ReplicaSolver::new(
            FixedPointSettings::builder()
                .tolerance(1e-11)
                .max_iter(10_000)
                .anderson_memory(3)
                .build()
                .unwrap(),
        );
        let a = plain.branch(&p, &[1.0]).unwrap();
        let b = fast.branch(&p, &[1.0]).unwrap();
        // SE contraction ≤ ~0.9 here: residual 1e-11 means |m − m*| < 1e-9.
        assert!(
            (a.order[0] - theory).abs() < 1e-8,
            "{alpha} {kappa} {delta}: {} vs {theory}",
            a.order[0]
        );
        assert!((b.order[0] - theory).abs() < 1e-8);
        assert!(
            b.iterations < a.iterations,
            "Anderson {} vs plain {}",
            b.iterations,
            a.iterations
        );
    }
    assert!(QuadraticNetworkSe::new(0.2, -1.0, 0.0).is_err());
}
