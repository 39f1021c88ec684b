//! The attack-detection pipeline: false alarms without attack, detection with one.

use quadra_stattest::observer::{run_detection, Scenario};
use quadra_stattest::TestSettings;

/// Seeds per arm (a few seconds in release).
const SEEDS: u64 = 12;

fn alarms(slope: f64) -> (usize, f64) {
    let sc = Scenario {
        attack_slope: slope,
        ..Scenario::default()
    };
    let test = TestSettings::builder().n_boot(200).build().unwrap();
    let mut n = 0;
    let mut gap = 0.0;
    for s in 0..SEEDS {
        let r = run_detection(&sc, 1000 + s, &test).unwrap();
        n += r.alarm as usize;
        gap += r.mean_gap;
    }
    (n, gap / SEEDS as f64)
}

#[test]
fn no_attack_rarely_alarms_and_a_ramp_attack_is_detected() {
    let (fa, gap0) = alarms(0.0);
    // At level 0.05, P(≥ 4 alarms of 12) < 0.003 under a calibrated test.
    assert!(fa <= 3, "false alarms {fa}/{SEEDS}");
    let (det, gap1) = alarms(0.05);
    // The attack separates the observers (gap grows) and the MMD test sees it.
    assert!(gap1 > 5.0 * gap0, "gap {gap1} vs {gap0}");
    assert!(det >= 9, "detections {det}/{SEEDS}");
}

#[test]
fn scenario_checks_name_the_field() {
    use quadra_stattest::observer::QuadraticSensorSystem;
    let good = Scenario::default();
    assert!(good.check().is_ok());
    let with = |f: &dyn Fn(&mut QuadraticSensorSystem)| {
        let mut sc = Scenario::default();
        f(&mut sc.system);
        sc.check().unwrap_err().to_string()
    };
    assert!(with(&|s| s.c_lin = quadra_core::Mat::zeros(2, 3)).contains("C_lin"));
    assert!(with(&|s| s.q_lin = vec![0.0; 3]).contains("q:"));
    assert!(with(&|s| s.sensor_std = vec![0.2, 0.0]).contains("sensor_std"));
    assert!(with(&|s| s.process_std[2] = f64::NAN).contains("process_std"));
    assert!(with(&|s| s.x0 = vec![1.0]).contains("x0"));
    assert!(with(&|s| s.q_quad[(0, 1)] = 0.5).contains("symmetric"));
    assert!(with(&|s| s.a[(1, 2)] = f64::INFINITY).contains("A"));
    let sc = Scenario {
        window: 400,
        ..Scenario::default()
    };
    assert!(sc.check().unwrap_err().to_string().contains("window"));
    let test = TestSettings::builder().n_boot(20).build().unwrap();
    assert!(run_detection(&sc, 0, &test).is_err());
}

#[test]
fn a_general_system_runs_one_dimensional_sensor_and_shifted_quadric() {
    // One state of each kind: a scalar AR(1) seen through the linear sensor, and a quadratic
    // sensor f(x) = x² + x whose range is [−1/4, ∞) (noisy readings below it are clamped).
    use quadra_core::Mat;
    use quadra_stattest::observer::QuadraticSensorSystem;
    let system = QuadraticSensorSystem {
        a: Mat::from_fn(1, 1, |_, _| 0.95),
        c_lin: Mat::from_fn(1, 1, |_, _| 1.0),
        q_quad: Mat::from_fn(1, 1, |_, _| 1.0),
        q_lin: vec![1.0],
        process_std: vec![0.3],
        sensor_std: vec![0.1],
        quadratic_std: 0.1,
        x0: vec![2.0],
        attack_direction: vec![1.0],
    };
    let test = TestSettings::builder().n_boot(100).build().unwrap();
    let run = |slope: f64, seed: u64| {
        let sc = Scenario {
            system: system.clone(),
            steps: 200,
            attack_slope: slope,
            attack_start: 100,
            window: 100,
        };
        run_detection(&sc, seed, &test).unwrap()
    };
    let (quiet, loud) = (run(0.0, 3), run(0.2, 3));
    assert!(quiet.mean_gap.is_finite() && loud.mean_gap > quiet.mean_gap);
    assert!((0.0..=1.0).contains(&quiet.p_value) && loud.alarm);
}
