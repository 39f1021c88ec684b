//! The `quadra glm-se` contract: JSON points and thresholds, JSON lines per shard that
//! merge into the full sweep, exit 1 on bad input.

mod common;
use common::*;

#[test]
fn json_has_points_and_thresholds() {
    let out = quadra(&[
        "glm-se",
        "--prior",
        "rademacher",
        "--channel",
        "sign",
        "--alpha",
        "1:1.5:0.25",
        "--format",
        "json",
    ]);
    let v = json(&out);
    let pts = v["points"].as_array().unwrap();
    assert_eq!(pts.len(), 3);
    for key in ["alpha", "overlap", "mmse", "gen_error", "free_entropy"] {
        assert!(pts[0].get(key).is_some(), "missing {key}");
    }
    // α = 1 < α_IT: partial overlap; α = 1.25 > α_IT = 1.245: perfect generalisation
    // while AMP stays at a positive error (the hard phase).
    assert!(pts[0]["gen_error"].as_f64().unwrap() > 0.2);
    assert_eq!(pts[1]["gen_error"].as_f64().unwrap(), 0.0);
    assert!(pts[1]["amp_gen_error"].as_f64().unwrap() > 0.1);
    let th = &v["thresholds"];
    assert!((th["algorithmic"].as_f64().unwrap() - 1.493).abs() < 5e-4);
    assert!((th["information_theoretic"].as_f64().unwrap() - 1.245).abs() < 5e-4);
    // No perfect recovery through a noisy channel: thresholds are null.
    let v = json(&quadra(&[
        "glm-se",
        "--prior",
        "gaussian",
        "--channel",
        "gaussian:0.5",
        "--alpha",
        "2",
        "--format",
        "json",
    ]));
    assert!(v["thresholds"]["algorithmic"].is_null());
    // Ridge closed form E = [−(Δ+α−1) + √((Δ+α−1)² + 4Δ)]/2 at α = 2, Δ = 0.5.
    let b: f64 = 1.5;
    let e = 0.5 * (-b + (b * b + 2.0).sqrt());
    assert!((v["points"][0]["mmse"].as_f64().unwrap() - e).abs() < 1e-8);
}

#[test]
fn shards_merge_into_the_full_sweep() {
    let args = [
        "glm-se",
        "--prior",
        "gauss-bernoulli:0.3",
        "--channel",
        "gaussian:0.01",
        "--alpha",
        "0.2:1.2:0.2",
        "--format",
        "json",
    ];
    let full = json(&quadra(&args));
    let mut merged: Vec<serde_json::Value> = Vec::new();
    let mut threshold_lines = 0;
    for i in 0..3 {
        let shard = format!("{i}/3");
        let mut a = args.to_vec();
        a.extend(["--shard", shard.as_str()]);
        let out = quadra(&a);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for line in String::from_utf8(out.stdout).unwrap().lines() {
            let v: serde_json::Value =
                serde_json::from_str(line).expect("one JSON object per line");
            if v.get("thresholds").is_some() {
                threshold_lines += 1;
            } else {
                merged.push(v);
            }
        }
    }
    assert_eq!(threshold_lines, 1);
    merged.sort_by_key(|v| v["index"].as_u64().unwrap());
    let pts = full["points"].as_array().unwrap();
    assert_eq!(merged.len(), pts.len());
    for (k, (m, p)) in merged.iter().zip(pts).enumerate() {
        assert_eq!(m["index"].as_u64().unwrap() as usize, k);
        assert_eq!(m["alpha"], p["alpha"]);
        let (a, b) = (m["mmse"].as_f64().unwrap(), p["mmse"].as_f64().unwrap());
        // Shards follow a different continuation path: agreement to the SE tolerance.
        assert!((a - b).abs() < 1e-7, "index {k}: {a} vs {b}");
    }
}

#[test]
fn bad_parameters_exit_1() {
    for args in [
        vec!["--prior", "laplace", "--channel", "sign", "--alpha", "1"],
        vec![
            "--prior",
            "gauss-bernoulli:1.5",
            "--channel",
            "sign",
            "--alpha",
            "1",
        ],
        vec![
            "--prior",
            "gaussian",
            "--channel",
            "gaussian:-0.1",
            "--alpha",
            "1",
        ],
        vec!["--prior", "gaussian", "--channel", "tanh", "--alpha", "1"],
        vec!["--prior", "gaussian", "--channel", "sign", "--alpha", "-1"],
        vec![
            "--prior",
            "gaussian",
            "--channel",
            "sign",
            "--alpha",
            "1",
            "--shard",
            "2/2",
        ],
        vec!["--prior", "gaussian", "--channel", "sign"],
    ] {
        let mut full = vec!["glm-se"];
        full.extend(args.iter());
        let out = quadra(&full);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stderr.is_empty());
    }
}
