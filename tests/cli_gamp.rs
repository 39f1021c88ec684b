//! The `quadra gamp-rie` contract: JSON with per-seed runs and SE, exit 1 on bad input.

mod common;
use common::*;

#[test]
fn json_has_runs_and_state_evolution() {
    let out = quadra(&[
        "gamp-rie",
        "--d",
        "40",
        "--kappa",
        "0.5",
        "--alpha",
        "0.25",
        "--delta",
        "0.25",
        "--seeds",
        "2",
        "--seed",
        "3",
        "--max-iter",
        "30",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["seed"], 3);
    assert_eq!(runs[1]["seed"], 4);
    let theory = v["theory_mmse"].as_f64().unwrap();
    // d = 40 is small: a loose finite-size tolerance (0.15) still tells a working
    // run (error near the theory 0.416) from a failed one (error ≥ 1).
    let mean = v["mean_error"].as_f64().unwrap();
    assert!((mean - theory).abs() < 0.15, "{mean} vs {theory}");
    assert!(!v["se_trajectory"].as_array().unwrap().is_empty());
    // Same seed, same output.
    let again = quadra(&[
        "gamp-rie",
        "--d",
        "40",
        "--kappa",
        "0.5",
        "--alpha",
        "0.25",
        "--delta",
        "0.25",
        "--seeds",
        "2",
        "--seed",
        "3",
        "--max-iter",
        "30",
        "--format",
        "json",
    ]);
    assert_eq!(out.stdout, again.stdout);
}

#[test]
fn bad_parameters_exit_1() {
    for args in [
        vec!["--d", "40", "--kappa", "-0.5", "--alpha", "0.2"],
        vec!["--d", "40", "--kappa", "0.5", "--alpha", "0"],
        vec![
            "--d", "40", "--kappa", "0.5", "--alpha", "0.2", "--delta", "-1",
        ],
        vec!["--d", "1", "--kappa", "0.5", "--alpha", "0.2"],
        vec![
            "--d", "40", "--kappa", "0.5", "--alpha", "0.2", "--seeds", "0",
        ],
    ] {
        let mut full = vec!["gamp-rie"];
        full.extend(args.iter());
        let out = quadra(&full);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
