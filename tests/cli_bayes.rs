//! The `quadra bayes-optimal` contract: JSON shape, CSV, plot, exit 1 on bad input.

mod common;
use common::*;

#[test]
fn single_point_json_matches_published_value() {
    let out = quadra(&[
        "bayes-optimal",
        "--kappa",
        "0.5",
        "--delta",
        "0",
        "--alpha",
        "0.18947",
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
    assert_eq!(v["kappa"], 0.5);
    assert_eq!(v["delta"], 0.0);
    assert_eq!(v["alpha_pr"], 0.375);
    let p = &v["points"][0];
    for key in ["alpha", "mmse", "test_error", "q_hat", "overlap"] {
        assert!(p[key].is_number(), "missing {key}: {p}");
    }
    // Published (Maillard et al. 2024): 0.425322.
    assert!((p["mmse"].as_f64().unwrap() - 0.425322).abs() < 1e-5);
}

#[test]
fn sweep_csv_and_plot() {
    let svg = std::env::temp_dir().join(format!("quadra-bayes-{}.svg", std::process::id()));
    let out = quadra(&[
        "bayes-optimal",
        "--kappa",
        "0.5",
        "--delta",
        "0.25",
        "--alpha",
        "0.1:0.5:0.1",
        "--format",
        "csv",
        "--plot",
        svg.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "kappa,delta,alpha,mmse,test_error,q_hat,overlap");
    assert_eq!(lines.len(), 6, "{text}");
    let svg_text = std::fs::read_to_string(&svg).unwrap();
    assert!(svg_text.contains("<svg"));
    let _ = std::fs::remove_file(svg);
}

#[test]
fn beyond_alpha_pr_is_perfect_recovery() {
    let out = quadra(&[
        "bayes-optimal",
        "--kappa",
        "2",
        "--alpha",
        "0.6",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["points"][0]["mmse"], 0.0);
    assert!(v["points"][0]["q_hat"].is_null());
}

#[test]
fn bad_parameters_exit_1_with_a_message() {
    for args in [
        vec!["--kappa", "-1", "--alpha", "0.1"],
        vec!["--kappa", "0.5", "--alpha", "0"],
        vec!["--kappa", "0.5", "--alpha", "0.1", "--delta", "-0.5"],
        vec!["--kappa", "nan", "--alpha", "0.1"],
        vec!["--kappa", "0.5", "--alpha", "0.5:0.1:0.1"],
        vec!["--kappa", "0.5", "--alpha", "x"],
    ] {
        let mut full = vec!["bayes-optimal"];
        full.extend(args.iter());
        let out = quadra(&full);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--"), "{args:?}: {err}");
    }
}

#[test]
fn shards_write_json_lines_that_merge_into_the_sweep() {
    let base = [
        "bayes-optimal",
        "--kappa",
        "0.5,2",
        "--delta",
        "0,0.25",
        "--alpha",
        "0.1:0.4:0.1",
    ];
    let mut lines: Vec<serde_json::Value> = Vec::new();
    for i in 0..3 {
        let shard = format!("{i}/3");
        let mut a = base.to_vec();
        a.extend(["--shard", shard.as_str()]);
        let out = quadra(&a);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for l in String::from_utf8(out.stdout).unwrap().lines() {
            lines.push(serde_json::from_str(l).expect("one JSON object per line"));
        }
    }
    // 2 κ × 2 Δ × 4 α = 16 points, each exactly once, equal to the unsharded run.
    lines.sort_by_key(|v| v["index"].as_u64().unwrap());
    assert_eq!(lines.len(), 16);
    let mut full = base.to_vec();
    full.extend(["--format", "json"]);
    let curves = json(&quadra(&full));
    let expect: Vec<&serde_json::Value> = curves
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["points"].as_array().unwrap().iter())
        .collect();
    for (k, (l, p)) in lines.iter().zip(expect).enumerate() {
        assert_eq!(l["index"].as_u64().unwrap() as usize, k);
        assert_eq!(l["alpha"], p["alpha"]);
        assert_eq!(l["mmse"], p["mmse"]);
    }
    let bad = quadra(&[
        "bayes-optimal",
        "--kappa",
        "0.5",
        "--alpha",
        "0.1",
        "--shard",
        "1/1",
    ]);
    assert_eq!(bad.status.code(), Some(1));
}
