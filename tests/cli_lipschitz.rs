//! `quadra lipschitz` and `quadra verify` on the shared networks: published numbers,
//! certificates that verify, tampering caught, bad input exit 1.

mod common;

use common::{json, quadra, shared, temp_file};

const RANDOM_NET: &str = "data/lipschitz/lipsdp_random_2-10-30-20-2.npz";

/// arobey1/LipSDP README: LipSDP-Neuron 36.482, LipSDP-Layer 39.839 on the 2-10-30-20-2 net.
#[test]
fn lipsdp_readme_numbers_reproduce_with_certificates() {
    let net = shared(RANDOM_NET);
    for (method, published) in [("lipsdp-neuron", 36.482), ("lipsdp-layer", 39.839)] {
        let cert = temp_file(&format!("{method}.json"), "");
        let out = quadra(&[
            "lipschitz",
            &net,
            "--activation",
            "relu",
            "--method",
            method,
            "--certificate",
            &cert,
            "--format",
            "json",
        ]);
        let v = json(&out);
        let bound = v["bound"].as_f64().unwrap();
        assert_eq!(v["certified"], true);
        // Printed to three decimals; the certificate pads by ≤ 1e-6 relative.
        assert!(
            (bound - published).abs() < 5e-4,
            "{method}: {bound} vs {published}"
        );
        if let Some(l) = v["lower_bound"].as_f64() {
            assert!(l <= bound);
        }
        let ok = quadra(&[
            "verify",
            &cert,
            &net,
            "--activation",
            "relu",
            "--format",
            "json",
        ]);
        assert_eq!(json(&ok)["verified"], true);
    }
}

#[test]
fn tampered_certificate_exits_3() {
    let net = shared(RANDOM_NET);
    let cert = temp_file("tamper.json", "");
    let out = quadra(&[
        "lipschitz",
        &net,
        "--activation",
        "relu",
        "--method",
        "lipsdp-layer",
        "--certificate",
        &cert,
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut c: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cert).unwrap()).unwrap();
    let b = c["bound"].as_f64().unwrap();
    c["bound"] = serde_json::json!(b * 0.9);
    let bad = temp_file("tamper_low.json", &c.to_string());
    let out = quadra(&["verify", &bad, &net, "--activation", "relu"]);
    assert_eq!(out.status.code(), Some(3));
    // The right certificate against another network: exit 3 as well.
    let other = shared("data/lipschitz/digits_fnn2_seed0.npz");
    let out = quadra(&["verify", &cert, &other, "--activation", "relu"]);
    assert_eq!(out.status.code(), Some(3));
    // Not a certificate at all: exit 1.
    let junk = temp_file("junk.json", "{\"x\": 1}");
    let out = quadra(&["verify", &junk, &net, "--activation", "relu"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn method_all_lists_tightest_first_and_orders_hold() {
    let net = shared("data/lipschitz/maxmin_l2_2fc_16.npz");
    let v = json(&quadra(&[
        "lipschitz",
        &net,
        "--activation",
        "maxmin",
        "--method",
        "all",
        "--format",
        "json",
    ]));
    let results = v["results"].as_array().unwrap();
    let bounds: Vec<f64> = results
        .iter()
        .map(|r| r["bound"].as_f64().unwrap())
        .collect();
    assert!(bounds.windows(2).all(|w| w[0] <= w[1]), "{bounds:?}");
    let get = |m: &str| {
        results
            .iter()
            .find(|r| r["method"] == m)
            .map(|r| r["bound"].as_f64().unwrap())
    };
    let nsr = get("lipsdp-nsr").unwrap();
    let neuron = get("lipsdp-neuron").unwrap();
    let naive = get("naive").unwrap();
    assert!(nsr <= neuron * (1.0 + 1e-5) && neuron <= naive * (1.0 + 1e-5));
    assert!(v["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["method"] == "eclipse-fast"));
}

/// Pauli et al. (ICLR 2024) Table 1: LipSDP-NSR ℓ2 on the 18-layer MaxMin net ≈ 17 432.
#[test]
fn maxmin_18_layers_nsr_reproduces_pauli_table_1() {
    let net = shared("data/lipschitz/maxmin_l2_18fc_32.npz");
    let v = json(&quadra(&[
        "lipschitz",
        &net,
        "--activation",
        "maxmin",
        "--method",
        "lipsdp-nsr",
        "--format",
        "json",
        "--no-lower-bound",
    ]));
    let b = v["bound"].as_f64().unwrap();
    assert!((b - 17432.0).abs() < 1.0, "{b}");
}

#[test]
fn margin_and_rows_and_linf() {
    let net = shared(RANDOM_NET);
    let m = json(&quadra(&[
        "lipschitz",
        &net,
        "--activation",
        "relu",
        "--margin",
        "0:1",
        "--format",
        "json",
    ]));
    let r = json(&quadra(&[
        "lipschitz",
        &net,
        "--activation",
        "relu",
        "--output-rows",
        "0",
        "--format",
        "json",
    ]));
    assert!(r["bound"].as_f64().unwrap() <= 36.483);
    assert!(m["bound"].as_f64().unwrap() <= 2f64.sqrt() * 36.483);
    let l = json(&quadra(&[
        "lipschitz",
        &net,
        "--activation",
        "relu",
        "--norm",
        "linf",
        "--margin",
        "0:1",
        "--format",
        "json",
    ]));
    // ‖·‖∞ ≤ ‖·‖₂·√n₀ on the input side: the ℓ∞ constant is at most √2 times the ℓ2 one.
    assert!(
        l["bound"].as_f64().unwrap() <= 2f64.sqrt() * m["bound"].as_f64().unwrap() * (1.0 + 1e-5)
    );
}

#[test]
fn bad_input_exits_1_naming_the_problem() {
    let net = shared(RANDOM_NET);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["lipschitz", &net], "--activation"),
        (
            vec!["lipschitz", &net, "--activation", "relu", "--margin", "0:7"],
            "margin",
        ),
        (
            vec![
                "lipschitz",
                &net,
                "--activation",
                "relu",
                "--margin",
                "zero",
            ],
            "--margin",
        ),
        (
            vec!["lipschitz", &net, "--activation", "swish"],
            "unknown activation",
        ),
        (
            vec![
                "lipschitz",
                &net,
                "--activation",
                "relu",
                "--method",
                "lipsdp-network",
            ],
            "unsound",
        ),
        (
            vec![
                "lipschitz",
                &net,
                "--activation",
                "relu",
                "--method",
                "lipsdp-nsr",
            ],
            "MaxMin",
        ),
        (vec!["lipschitz", "/nonexistent/net.onnx"], "cannot read"),
    ];
    for (args, needle) in cases {
        let out = quadra(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    let nan = temp_file(
        "nan.json",
        r#"{"format":"quadra-network","version":1,"input_dim":2,"layers":[{"type":"dense","weight":[[1.0,NaN]],"bias":[0.0]}]}"#,
    );
    let out = quadra(&["lipschitz", &nan]);
    assert_eq!(out.status.code(), Some(1));
}
