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
