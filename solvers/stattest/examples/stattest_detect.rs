//! Detection and false-alarm rates of the attack-detection pipeline over seeds.
//! `cargo run --release -p quadra-stattest --example stattest_detect [SEEDS]`
use quadra_stattest::observer::{run_detection, Scenario};
use quadra_stattest::TestSettings;
fn main() {
    let seeds: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50);
    let test = TestSettings::builder().n_boot(300).build().unwrap();
    println!("| attack slope | alarm rate | mean gap |\n|---|---|---|");
    for slope in [0.0, 0.005, 0.01, 0.02, 0.05] {
        let sc = Scenario {
            attack_slope: slope,
            ..Scenario::default()
        };
        let (mut alarms, mut gap) = (0, 0.0);
        for s in 0..seeds {
            let r = run_detection(&sc, s, &test).unwrap();
            alarms += r.alarm as usize;
            gap += r.mean_gap;
        }
        println!(
            "| {slope} | {:.3} | {:.3} |",
            alarms as f64 / seeds as f64,
            gap / seeds as f64
        );
    }
}
