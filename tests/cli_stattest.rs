//! The `quadra mmd` / `quadra hsic` contract: JSON fields, exit codes, errors naming the line,
//! determinism for a seed, `--plot`.

mod common;
use common::*;

/// A deterministic 2-column series: a sine with a phase, plus `shift`.
fn series_csv(n: usize, phase: f64, shift: f64, header: bool) -> String {
    let mut s = String::new();
    if header {
        s.push_str("a,b\n");
    }
    for t in 0..n {
        let u = t as f64 * 0.61 + phase;
        s.push_str(&format!("{},{}\n", u.sin() + shift, (1.7 * u).cos()));
    }
    s
}

#[test]
fn mmd_json_has_the_contract_fields_and_detects_a_shift() {
    let x = temp_file("x.csv", &series_csv(80, 0.0, 0.0, true));
    let y = temp_file("y_shift.csv", &series_csv(60, 0.3, 2.0, false));
    let v = json(&quadra(&[
        "mmd", &x, &y, "--format", "json", "--n-boot", "199", "--seed", "3",
    ]));
    for key in [
        "statistic",
        "p_value",
        "reject",
        "alpha",
        "bootstrap",
        "n_boot",
        "block",
        "bandwidth",
    ] {
        assert!(v.get(key).is_some(), "missing {key}: {v}");
    }
    assert_eq!(v["reject"], true);
    assert_eq!(v["bootstrap"], "wild");
    assert_eq!(v["n_boot"], 199);
    assert!(v["p_value"].as_f64().unwrap() <= 0.01);
    assert!(v["block"].as_f64().unwrap() >= 1.0);
    assert!(v["bandwidth"].as_f64().unwrap() > 0.0);
}

#[test]
fn permutation_fixed_block_bandwidth_and_determinism() {
    let x = temp_file("xp.csv", &series_csv(50, 0.0, 0.0, false));
    let y = temp_file("yp.csv", &series_csv(50, 1.1, 0.0, false));
    let args = [
        "mmd",
        &x,
        &y,
        "--format",
        "json",
        "--bootstrap",
        "permutation",
        "--kernel",
        "laplace",
        "--bandwidth",
        "0.7",
        "--n-boot",
        "99",
        "--seed",
        "5",
    ];
    let a = json(&quadra(&args));
    let b = json(&quadra(&args));
    assert_eq!(a, b);
    assert_eq!(a["bootstrap"], "permutation");
    assert!(a["block"].is_null());
    assert_eq!(a["bandwidth"].as_f64(), Some(0.7));
    let w = json(&quadra(&[
        "mmd", &x, &y, "--format", "json", "--block", "4.5", "--n-boot", "99",
    ]));
    assert_eq!(w["block"].as_f64(), Some(4.5));
}

#[test]
fn hsic_detects_dependence_and_plots() {
    let x = temp_file("hx.csv", &series_csv(90, 0.0, 0.0, false));
    // y_t = first column of x squared: dependent.
    let y: String = (0..90)
        .map(|t| format!("{}\n", (t as f64 * 0.61).sin().powi(2)))
        .collect();
    let y = temp_file("hy.csv", &y);
    let svg = temp_file("null.svg", "");
    let v = json(&quadra(&[
        "hsic", &x, &y, "--format", "json", "--n-boot", "199", "--plot", &svg,
    ]));
    assert_eq!(v["reject"], true);
    assert_eq!(v["bandwidth"].as_array().map(|a| a.len()), Some(2));
    let pic = std::fs::read_to_string(&svg).unwrap();
    assert!(pic.starts_with("<svg") && pic.contains("stroke=\"red\"") && pic.contains("</svg>"));
}

#[test]
fn malformed_csv_exits_1_naming_the_line() {
    let good = temp_file("good.csv", &series_csv(20, 0.0, 0.0, false));
    let cases = [
        ("ragged.csv", "1,2\n3,4\n5\n", "line 3"),
        ("nan.csv", "x,y\n1,2\nNaN,4\n", "line 3"),
        ("empty.csv", "", "empty"),
        ("text.csv", "1,2\n3,abc\n", "line 2"),
    ];
    for (name, body, needle) in cases {
        let bad = temp_file(name, body);
        let out = quadra(&["mmd", &good, &bad]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle) && err.contains(name), "{name}: {err}");
    }
    let one_col = temp_file("one.csv", "1\n2\n3\n4\n");
    let out = quadra(&["mmd", &good, &one_col]);
    assert_eq!(out.status.code(), Some(1));
    let out = quadra(&["hsic", &good, &one_col]);
    assert_eq!(out.status.code(), Some(1), "HSIC with unequal lengths");
    let out = quadra(&["mmd", &good, &good, "--block", "0"]);
    // Rejected by the argument parser (clap's usage-error exit), naming the option.
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--block"));
}

#[test]
fn detect_attack_alarms_under_attack_and_rejects_bad_window() {
    let v = json(&quadra(&[
        "detect-attack",
        "--runs",
        "4",
        "--attack-slope",
        "0.1",
        "--n-boot",
        "99",
        "--format",
        "json",
    ]));
    assert!(v["alarm_rate"].as_f64().unwrap() >= 0.75, "{v}");
    assert_eq!(v["p_values"].as_array().map(|a| a.len()), Some(4));
    let out = quadra(&["detect-attack", "--window", "500"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--window"));
}

/// The shipped example scenario, relative to the package root.
fn example_scenario() -> String {
    format!(
        "{}/examples/pursuit_evasion.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn detect_attack_scenario_file_reproduces_the_built_in_default() {
    let common = [
        "--runs", "3", "--n-boot", "99", "--seed", "2", "--format", "json",
    ];
    let builtin = json(&quadra(&[&["detect-attack"][..], &common].concat()));
    let scenario = example_scenario();
    let from_file = json(&quadra(
        &[&["detect-attack", "--scenario", &scenario][..], &common].concat(),
    ));
    assert_eq!(builtin, from_file);
    // Options override the file: no attack, so the slope reported is 0 and the observers stay close.
    let quiet = json(&quadra(
        &[
            &[
                "detect-attack",
                "--scenario",
                &scenario,
                "--attack-slope",
                "0",
            ][..],
            &common,
        ]
        .concat(),
    ));
    assert_eq!(quiet["attack_slope"].as_f64(), Some(0.0));
    assert!(quiet["mean_gap"].as_f64().unwrap() < from_file["mean_gap"].as_f64().unwrap());
}

#[test]
fn malformed_scenario_exits_1_naming_the_field() {
    let good = std::fs::read_to_string(example_scenario()).unwrap();
    let cases = [
        (
            "ragged.json",
            good.replace("[0.0, 1.0, 0.0, 0.0]]", "[0.0, 1.0, 0.0]]"),
            "C_lin",
        ),
        ("missing.json", good.replace("\"x0\"", "\"x_0\""), "x_0"),
        (
            "shape.json",
            good.replace("\"sensor_std\": [0.2, 0.2]", "\"sensor_std\": [0.2]"),
            "sensor_std",
        ),
        (
            "type.json",
            good.replace("\"quadratic_std\": 0.2", "\"quadratic_std\": \"low\""),
            "quadratic_std",
        ),
        ("truncated.json", good[..good.len() / 2].to_string(), "JSON"),
    ];
    for (name, body, needle) in cases {
        let path = temp_file(name, &body);
        let out = quadra(&["detect-attack", "--scenario", &path, "--runs", "1"]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle) && err.contains(name), "{name}: {err}");
    }
}
