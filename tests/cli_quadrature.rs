//! The `quadra quadrature` and `quadra intrl` contracts: JSON fields, exit codes, plots.

mod common;
use common::*;

#[test]
fn brownian_quadrature_is_the_trapezoid_rule() {
    let out = quadra(&[
        "quadrature",
        "--kernel",
        "brownian",
        "--nodes",
        "0.5,1,1.5,2.5",
        "--values",
        "1,2,3,4",
        "--format",
        "json",
    ]);
    let v = json(&out);
    let w: Vec<f64> = v["weights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    let want = [0.25, 0.5, 0.75, 0.5];
    for (a, b) in w.iter().zip(&want) {
        assert!((a - b).abs() < 1e-10, "{w:?}");
    }
    let est = v["estimate"].as_f64().unwrap();
    assert!((est - (0.25 + 1.0 + 2.25 + 2.0)).abs() < 1e-10);
    assert!(v["std"].as_f64().unwrap() > 0.0);
}

#[test]
fn matern12_with_an_interval_matches_the_closed_form_weights() {
    let out = quadra(&[
        "quadrature",
        "--kernel",
        "matern12",
        "--lengthscale",
        "0.5",
        "--nodes",
        "0,0.4,1",
        "--values",
        "1,1,1",
        "--interval",
        "0,1",
        "--format",
        "json",
    ]);
    let v = json(&out);
    let t = |h: f64| 0.5 * (h / 1.0).tanh();
    let want = [t(0.4), t(0.4) + t(0.6), t(0.6)];
    let w = v["weights"].as_array().unwrap();
    for (a, b) in w.iter().zip(&want) {
        assert!((a.as_f64().unwrap() - b).abs() < 1e-10, "{w:?} vs {want:?}");
    }
}

#[test]
fn quadrature_bad_input_exits_1_with_a_message() {
    let out = quadra(&[
        "quadrature",
        "--kernel",
        "matern92",
        "--nodes",
        "0,1",
        "--values",
        "1,2",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("kernel"));
    let out = quadra(&[
        "quadrature",
        "--kernel",
        "rbf",
        "--lengthscale",
        "1",
        "--nodes",
        "0,1",
        "--values",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--values"));
    // Coincident nodes: the Gram matrix is singular, a numerical failure.
    let out = quadra(&[
        "quadrature",
        "--kernel",
        "rbf",
        "--lengthscale",
        "1",
        "--nodes",
        "0,0,1",
        "--values",
        "1,1,2",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn intrl_json_has_exactly_the_contract_fields() {
    let out = quadra(&[
        "intrl",
        "--task",
        "sin",
        "--rule",
        "trapezoid",
        "--samples",
        "5",
        "--format",
        "json",
    ]);
    let v = json(&out);
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "gain_error",
            "iterations",
            "samples",
            "weight_error",
            "weights"
        ]
    );
    assert_eq!(v["samples"], 5);
    assert_eq!(v["weights"].as_array().unwrap().len(), 3);
    // Trapezoid: C/(N−1)² with C ≈ 2.06e-3 measured (examples/intrl_sweep.rs).
    let e = v["weight_error"].as_f64().unwrap();
    assert!(e > 1e-4 && e < 1.6e-4, "{e}");
}

#[test]
fn intrl_bq_with_jitter_and_plot() {
    let dir = std::env::temp_dir().join(format!("quadra-cli-quadrature-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let svg = dir.join("sweep.svg");
    let out = quadra(&[
        "intrl",
        "--task",
        "third-order",
        "--rule",
        "bq:matern72:0.3",
        "--samples",
        "8",
        "--jitter",
        "1e-8",
        "--format",
        "json",
        "--plot",
        svg.to_str().unwrap(),
    ]);
    let v = json(&out);
    assert_eq!(v["weights"].as_array().unwrap().len(), 9);
    assert!(v["weight_error"].as_f64().unwrap() < 1e-4);
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg") && text.contains("polyline"));
}

#[test]
fn intrl_bad_rule_and_task_exit_1() {
    for args in [
        ["intrl", "--task", "sin", "--rule", "bq:matern99"],
        ["intrl", "--task", "fourth", "--rule", "trapezoid"],
        ["intrl", "--task", "sin", "--rule", "midpoint"],
    ] {
        let out = quadra(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
    }
    let out = quadra(&[
        "intrl",
        "--task",
        "sin",
        "--rule",
        "simpson",
        "--samples",
        "4",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("odd"));
}

#[test]
fn intrl_gauss_legendre_samples_at_the_gauss_nodes() {
    // N Gauss nodes per interval integrate polynomials of degree 2N − 1 exactly, so at equal
    // N the policy-evaluation error is far below the trapezoid rule's (which uses N
    // equispaced samples including both ends).
    let run = |rule: &str, n: &str| {
        let out = quadra(&[
            "intrl",
            "--task",
            "sin",
            "--rule",
            rule,
            "--samples",
            n,
            "--format",
            "json",
        ]);
        let v = json(&out);
        assert_eq!(v["samples"].as_u64(), Some(n.parse().unwrap()));
        v["weight_error"].as_f64().unwrap()
    };
    let (gl3, trap3) = (run("gauss-legendre", "3"), run("trapezoid", "3"));
    assert!(gl3 < 1e-2 * trap3, "GL {gl3} vs trapezoid {trap3} at N = 3");
    let gl2 = run("gauss-legendre", "2");
    assert!(gl3 < gl2, "GL error decreases with N: {gl2} → {gl3}");
    let out = quadra(&[
        "intrl",
        "--task",
        "sin",
        "--rule",
        "gauss-legendre",
        "--samples",
        "0",
    ]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn quadrature_methods_agree_and_are_reported() {
    // The default state-space filter and the dense Cholesky path give the same rule.
    let run = |method: &str| {
        let out = quadra(&[
            "quadrature",
            "--kernel",
            "matern52",
            "--lengthscale",
            "0.4",
            "--nodes",
            "0,0.3,0.45,0.8,1",
            "--values",
            "1,2,0.5,-1,3",
            "--method",
            method,
            "--format",
            "json",
        ]);
        json(&out)
    };
    let (ss, dense) = (run("state-space"), run("dense"));
    assert_eq!(run("auto")["method"], "state-space");
    assert_eq!(ss["method"], "state-space");
    assert_eq!(dense["method"], "dense");
    for key in ["estimate", "std", "amplitude"] {
        let (a, b) = (ss[key].as_f64().unwrap(), dense[key].as_f64().unwrap());
        assert!((a - b).abs() <= 1e-10 * b.abs(), "{key}: {a} vs {b}");
    }
    // State space needs a Matérn kernel: bad input, exit 1.
    let out = quadra(&[
        "quadrature",
        "--kernel",
        "rbf",
        "--lengthscale",
        "0.4",
        "--nodes",
        "0,1",
        "--values",
        "1,2",
        "--method",
        "state-space",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Matérn"));
}
