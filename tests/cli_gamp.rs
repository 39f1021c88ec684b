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
    // Damped (default θ = 0.5): the SE column is flagged as not exact.
    assert_eq!(v["se_exact"], false);
    for run in runs {
        let traj = run["trajectory"].as_array().unwrap();
        assert_eq!(traj.len() as u64, run["iterations"].as_u64().unwrap());
        assert!(traj[0]["error"].as_f64().is_some() && traj[0]["se"].as_f64().is_some());
        assert!(run["stop"].is_string());
    }
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

/// Undamped (θ = 1): every trajectory entry carries the measured error and the SE
/// prediction of that iteration; the first iterates follow the SE; the plot draws both.
#[test]
fn undamped_trajectory_carries_se_per_iteration() {
    let svg = std::env::temp_dir().join(format!("quadra-gamp-{}.svg", std::process::id()));
    let out = quadra(&[
        "gamp-rie",
        "--d",
        "60",
        "--kappa",
        "0.5",
        "--alpha",
        "0.3",
        "--delta",
        "0.25",
        "--damping",
        "1",
        "--max-iter",
        "5",
        "--stall-window",
        "0",
        "--seed",
        "1",
        "--format",
        "json",
        "--plot",
        svg.to_str().unwrap(),
    ]);
    let v = json(&out);
    assert_eq!(v["se_exact"], true);
    let se = v["se_trajectory"].as_array().unwrap();
    let traj = v["runs"][0]["trajectory"].as_array().unwrap();
    assert_eq!(traj.len(), 5);
    assert_eq!(v["runs"][0]["stop"], "max_iter");
    for (k, it) in traj.iter().enumerate() {
        assert_eq!(it["iteration"], k + 1);
        assert_eq!(it["se"], se[k]);
        // Finite-size tolerance 2/(αd) of the library test, at d = 60.
        let (e, s) = (it["error"].as_f64().unwrap(), it["se"].as_f64().unwrap());
        assert!(
            (e - s).abs() < 2.0 / (0.3 * 60.0),
            "iteration {}: {e} vs {s}",
            k + 1
        );
    }
    let svg_text = std::fs::read_to_string(&svg).unwrap();
    assert!(svg_text.contains("<svg") && svg_text.contains("state evolution"));
    let _ = std::fs::remove_file(svg);
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
        vec![
            "--d",
            "40",
            "--kappa",
            "0.5",
            "--alpha",
            "0.2",
            "--damping",
            "0",
        ],
        vec![
            "--d",
            "40",
            "--kappa",
            "0.5",
            "--alpha",
            "0.2",
            "--damping",
            "1.5",
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
