//! Fixed-point engine: a scalar contraction, a linear contraction with
//! ρ(M) = 0.95 where Anderson needs far fewer iterations, divergence, and
//! damping of a non-contractive map.

mod common;

use common::{linspace, with_spectrum};
use quadra_core::{
    cholesky, fixed_point, rng, CoreError, FixedPointSettings, FixedPointSolver, Mat, ObserverMode,
    RecordingObserver,
};

fn cos_map(x: &[f64], out: &mut [f64]) -> quadra_core::Result<()> {
    out[0] = x[0].cos();
    Ok(())
}

/// x = cos x has the fixed point 0.7390851332151607 (Dottie number); the
/// Picard iteration contracts by |sin x*| ≈ 0.674 per step.
#[test]
fn cosine_contraction() {
    let s = FixedPointSettings::builder()
        .tolerance(1e-14)
        .build()
        .unwrap();
    let r = fixed_point(cos_map, &[1.0], &s).unwrap();
    assert!((r.x[0] - 0.739_085_133_215_160_7).abs() <= 1e-13, "{r:?}");
    assert!(r.converged && r.residual <= 1e-14);
    assert_eq!(r.residual_history.len(), r.iterations + 1);
    // Linear rate ≈ sin(x*) = 0.6736: the residual ratio late in the run.
    let h = &r.residual_history;
    let ratio = h[20] / h[19];
    assert!(
        (ratio - 0.739_085_133_215_160_7f64.sin()).abs() < 1e-3,
        "{ratio}"
    );
    let aa = FixedPointSettings::builder()
        .tolerance(1e-14)
        .anderson_memory(2)
        .build()
        .unwrap();
    let ra = fixed_point(cos_map, &[1.0], &aa).unwrap();
    assert!((ra.x[0] - 0.739_085_133_215_160_7).abs() <= 1e-13);
    assert!(
        ra.iterations * 3 < r.iterations,
        "{} vs {}",
        ra.iterations,
        r.iterations
    );
}

/// x = Mx + b with M symmetric, ρ(M) = 0.95: the Picard iteration needs
/// ≈ log(tol/‖f₀‖)/log 0.95 ≈ 500 steps, Anderson(10) a few dozen; both
/// reach x* = (I − M)⁻¹b (solved independently by Cholesky).
#[test]
fn anderson_beats_picard_on_linear_contraction() {
    let n = 60;
    let mut lam = linspace(-0.95, 0.95, n);
    lam[n / 2] = 0.0;
    let m = with_spectrum(&lam, 31);
    let b = rng::gaussian_vec(n, &mut rng::seeded_rng(32));
    let i_minus_m = Mat::from_fn(n, n, |i, j| if i == j { 1.0 } else { 0.0 } - m[(i, j)]);
    let x_star = cholesky(i_minus_m.as_ref()).unwrap().solve_vec(&b).unwrap();
    let map = |x: &[f64], out: &mut [f64]| {
        for i in 0..n {
            out[i] = b[i] + (0..n).map(|j| m[(i, j)] * x[j]).sum::<f64>();
        }
        Ok(())
    };
    let base = FixedPointSettings::builder()
        .tolerance(1e-10)
        .max_iter(2000);
    let plain = fixed_point(map, &vec![0.0; n], &base.build().unwrap()).unwrap();
    let aa = fixed_point(
        map,
        &vec![0.0; n],
        &base.anderson_memory(10).build().unwrap(),
    )
    .unwrap();
    for r in [&plain, &aa] {
        let err =
            r.x.iter()
                .zip(&x_star)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
        // ‖x − x*‖ ≤ ‖(I − M)⁻¹‖ ‖f‖ = 20·tol.
        assert!(err <= 20.0 * 1e-10 * 1.01, "{err}");
    }
    assert!(plain.iterations > 300, "{}", plain.iterations);
    assert!(
        plain.iterations >= 5 * aa.iterations,
        "plain {} vs Anderson {}",
        plain.iterations,
        aa.iterations
    );
}

/// x ↦ 2x + 1 is expanding: no convergence, and the error carries the
/// (huge) residual; `iterate` returns the same outcome as a status.
#[test]
fn divergent_map_is_an_error() {
    let map = |x: &[f64], out: &mut [f64]| {
        out[0] = 2.0 * x[0] + 1.0;
        Ok(())
    };
    let s = FixedPointSettings::builder().max_iter(100).build().unwrap();
    match fixed_point(map, &[0.0], &s) {
        Err(e @ CoreError::MaxIterations { .. }) => {
            let CoreError::MaxIterations {
                iterations,
                residual,
                ..
            } = e.clone()
            else {
                unreachable!()
            };
            assert_eq!(iterations, 100);
            assert!(residual > 1e20);
            assert!(e.to_string().contains("residual"));
        }
        other => panic!("{other:?}"),
    }
    let report = FixedPointSolver::new(map, s).iterate(&[0.0]).unwrap();
    assert!(!report.converged);
    assert!(report.residual_history.windows(2).all(|w| w[1] > w[0]));
}

/// x ↦ −1.5x + 2.5 (fixed point 1) oscillates and diverges undamped; with
/// β = 0.5 the damped map x ↦ x + β(g(x) − x) contracts by |1 − 2.5β| = 1/4.
/// Anderson(1) is the secant method here and converges even undamped.
#[test]
fn damping_tames_an_oscillating_map() {
    let map = |x: &[f64], out: &mut [f64]| {
        out[0] = -1.5 * x[0] + 2.5;
        Ok(())
    };
    let plain = FixedPointSettings::builder().max_iter(200).build().unwrap();
    assert!(matches!(
        fixed_point(map, &[0.0], &plain),
        Err(CoreError::MaxIterations { .. })
    ));
    let damped = FixedPointSettings::builder()
        .damping(0.5)
        .tolerance(1e-12)
        .build()
        .unwrap();
    let r = fixed_point(map, &[0.0], &damped).unwrap();
    assert!((r.x[0] - 1.0).abs() < 1e-12);
    let h = &r.residual_history;
    assert!((h[1] / h[0] - 0.25).abs() < 1e-12);
    let aa = FixedPointSettings::builder()
        .anderson_memory(1)
        .tolerance(1e-12)
        .build()
        .unwrap();
    let r = fixed_point(map, &[0.0], &aa).unwrap();
    assert!((r.x[0] - 1.0).abs() < 1e-12);
    assert!(r.iterations <= 3, "{r:?}");
}

/// With the safeguard (which rejects Anderson steps that increase the
/// residual), Anderson(5) converges on a strongly nonlinear map from far
/// away; every rejected step costs exactly one extra evaluation, and the
/// observer sees every iteration.
#[test]
fn safeguard_and_observer() {
    // g(x) = 0.5·sin(3x) + 0.1·x³ clipped — a contraction near its fixed
    // point 0 with strong nonlinearity away from it.
    let map = |x: &[f64], out: &mut [f64]| {
        for (o, &v) in out.iter_mut().zip(x) {
            *o = 0.5 * (3.0 * v).sin() / 3.0 + 0.1 * v.powi(3).clamp(-1.0, 1.0);
        }
        Ok(())
    };
    let s = FixedPointSettings::builder()
        .anderson_memory(5)
        .tolerance(1e-12)
        .build()
        .unwrap();
    let mut solver = FixedPointSolver::new(map, s)
        .with_observer(RecordingObserver::default(), ObserverMode::Always);
    let r = solver.solve(&[2.0, -1.5, 0.7]).unwrap();
    assert!(r.x.iter().all(|v| v.abs() < 1e-11));
    assert!(r.evaluations == r.iterations + 1 + r.anderson_restarts);
    assert_eq!(solver.observer().residuals.len(), r.iterations + 1);
}
