//! The `quadra quadattack`, `quadra combine-surrogates` and `quadra qp` contracts: JSON
//! fields, closed forms through the binary, exit codes for bad input (1) and infeasible
//! programs (2).

mod common;
use common::*;
use std::io::Write;

/// `.npy` bytes (little-endian f64, C order).
fn npy(shape: &[usize], data: &[f64]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    let shape_txt = if shape.len() == 1 {
        format!("({},)", dims[0])
    } else {
        format!("({})", dims.join(", "))
    };
    let mut header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape_txt}, }}");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut b = b"\x93NUMPY\x01\x00".to_vec();
    b.extend_from_slice(&(header.len() as u16).to_le_bytes());
    b.extend_from_slice(header.as_bytes());
    for v in data {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b
}

fn write_npy(name: &str, shape: &[usize], data: &[f64]) -> String {
    let p = temp_path(name);
    std::fs::write(&p, npy(shape, data)).unwrap();
    p.display().to_string()
}

fn write_npz(name: &str, arrays: &[(&str, &[usize], &[f64])]) -> String {
    let p = temp_path(name);
    let mut z = zip::ZipWriter::new(std::fs::File::create(&p).unwrap());
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (n, shape, data) in arrays {
        z.start_file(format!("{n}.npy"), opts).unwrap();
        z.write_all(&npy(shape, data)).unwrap();
    }
    z.finish().unwrap();
    p.display().to_string()
}

/// W = [[1,0],[0,1],[−1,−1]], b = 0: with target 0 and f = (0, 0.5) only ℓ₀ − ℓ₁ ≥ 0.2 is
/// violated and the projection is (0.35, 0.15).
fn halfspace_head() -> String {
    write_npz(
        "halfspace.npz",
        &[
            ("W", &[3, 2], &[1.0, 0.0, 0.0, 1.0, -1.0, -1.0]),
            ("b", &[3], &[0.0; 3]),
        ],
    )
}

#[test]
fn quadattack_json_contract_and_halfspace_closed_form() {
    let head = halfspace_head();
    let f = write_npy("f_half.npy", &[2], &[0.0, 0.5]);
    let v = json(&quadra(&[
        "quadattack",
        "--head",
        &head,
        "--features",
        &f,
        "--targets",
        "0",
        "--format",
        "json",
    ]));
    for key in [
        "z",
        "distance",
        "active",
        "status",
        "kkt_residual",
        "seconds",
    ] {
        assert!(v.get(key).is_some(), "missing {key}: {v}");
    }
    assert_eq!(v["status"], "optimal");
    let z: Vec<f64> = v["z"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    assert!(
        (z[0] - 0.35).abs() < 1e-14 && (z[1] - 0.15).abs() < 1e-14,
        "{z:?}"
    );
    assert_eq!(v["active"], serde_json::json!([[0, 1]]));
    assert!((v["distance"].as_f64().unwrap() - 0.35 * 2f64.sqrt()).abs() < 1e-14);
    assert!(v["kkt_residual"].as_f64().unwrap() < 1e-14);
    assert_eq!(v["success"], true);
    // A margin of 0.7 moves the boundary: z = f + (0.7 + 0.5)/2 (1, −1).
    let v = json(&quadra(&[
        "quadattack",
        "--head",
        &head,
        "--features",
        &f,
        "--targets",
        "0",
        "--margin",
        "0.7",
        "--format",
        "json",
    ]));
    assert!((v["z"][0].as_f64().unwrap() - 0.6).abs() < 1e-14);
}

#[test]
fn quadattack_batch_and_attack_loop() {
    // A 6-class head in 8 dimensions (rows independent: every ordering is reachable).
    let c = 6;
    let d = 8;
    let w: Vec<f64> = (0..c * d)
        .map(|k| ((k * 37 % 11) as f64 - 5.0) / 7.0 + if k % (d + 1) == 0 { 1.0 } else { 0.0 })
        .collect();
    let b: Vec<f64> = (0..c).map(|i| 0.1 * i as f64).collect();
    let head = write_npz("h6.npz", &[("W", &[c, d], &w), ("b", &[c], &b)]);
    let feats: Vec<f64> = (0..3 * d).map(|k| ((k * 13 % 7) as f64) / 7.0).collect();
    let f = write_npy("f_batch.npy", &[3, d], &feats);
    let v = json(&quadra(&[
        "quadattack",
        "--head",
        &head,
        "--features",
        &f,
        "--targets",
        "2,4,0",
        "--format",
        "json",
    ]));
    let results = v["results"].as_array().expect("a batch gives results");
    assert_eq!(results.len(), 3);
    for r in results {
        assert_eq!(r["status"], "optimal");
        assert_eq!(r["success"], true);
        assert!(r["kkt_residual"].as_f64().unwrap() < 1e-12);
    }
    let f1 = write_npy("f_one.npy", &[d], &feats[..d]);
    let a = json(&quadra(&[
        "quadattack",
        "--head",
        &head,
        "--features",
        &f1,
        "--targets",
        "2,4,0",
        "--attack",
        "--steps",
        "10",
        "--binary-steps",
        "4",
        "--format",
        "json",
    ]));
    assert_eq!(a["success"], true);
    assert_eq!(a["qp_solves"], 40);
    // The attack needs at least the exact projection distance with margin 0.
    let p = json(&quadra(&[
        "quadattack",
        "--head",
        &head,
        "--features",
        &f1,
        "--targets",
        "2,4,0",
        "--margin",
        "0",
        "--format",
        "json",
    ]));
    assert!(
        a["perturbation_norm"].as_f64().unwrap() >= p["distance"].as_f64().unwrap() * (1.0 - 1e-9)
    );
}

#[test]
fn unreachable_ordering_exits_2_with_a_certificate() {
    // NumPy fixture: W = arange(20).reshape(5, 4)/10, b = 0..4: logits are affine in the
    // class index, so class 2 can never be on top.
    let head = format!(
        "{}/tests/data/npy/head_compressed.npz",
        env!("CARGO_MANIFEST_DIR")
    );
    let f = write_npy("f4.npy", &[4], &[1.0, 0.5, -0.5, 0.2]);
    let out = quadra(&[
        "quadattack",
        "--head",
        &head,
        "--features",
        &f,
        "--targets",
        "2",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "infeasible");
    assert!(v["certificate"]["ray_gap"].as_f64().unwrap() > 0.0);
    assert!(v["certificate"]["ray_residual"].as_f64().unwrap() < 1e-12);
    assert!(String::from_utf8_lossy(&out.stderr).contains("infeasible"));
    // Class 4 on top is reachable on the same head.
    let v = json(&quadra(&[
        "quadattack",
        "--head",
        &head,
        "--features",
        &f,
        "--targets",
        "4,3",
        "--format",
        "json",
    ]));
    assert_eq!(v["status"], "optimal");
}

#[test]
fn quadattack_bad_input_exits_1_naming_the_problem() {
    let head = halfspace_head();
    let f = write_npy("f_ok.npy", &[2], &[0.0, 0.5]);
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["--targets".into(), "0,0".into()], "repeated"),
        (vec!["--targets".into(), "7".into()], "out of range"),
        (vec!["--targets".into(), "0,1,2".into()], "K = 3"),
        (vec!["--targets".into(), "x".into()], "invalid value"),
        (
            vec!["--targets".into(), "0".into(), "--margin=-1".into()],
            "--margin",
        ),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["quadattack", "--head", &head, "--features", &f];
        args.extend(extra.iter().map(String::as_str));
        let out = quadra(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{extra:?}: {err}");
        assert!(err.contains(needle), "{extra:?}: {err}");
    }
    let nan = write_npy("f_nan.npy", &[2], &[0.0, f64::NAN]);
    let wrong = write_npy("f_wrong.npy", &[3], &[0.0, 1.0, 2.0]);
    let text = temp_file("not_a_head.npz", "hello");
    let nohead = write_npz("nohead.npz", &[("V", &[3, 2], &[0.0; 6])]);
    let badb = write_npz(
        "badb.npz",
        &[("W", &[3, 2], &[1.0; 6]), ("b", &[2], &[0.0; 2])],
    );
    for (h, feat, needle) in [
        (head.as_str(), nan.as_str(), "non-finite"),
        (head.as_str(), wrong.as_str(), "shape [3]"),
        (text.as_str(), f.as_str(), "not a valid .npz"),
        (nohead.as_str(), f.as_str(), "no array 'W'"),
        (badb.as_str(), f.as_str(), "'b' has shape"),
    ] {
        let out = quadra(&[
            "quadattack",
            "--head",
            h,
            "--features",
            feat,
            "--targets",
            "0",
        ]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{needle}: {err}");
        assert!(err.contains(needle), "{needle}: {err}");
    }
}

#[test]
fn combine_surrogates_recovers_an_exact_mixture() {
    // y = 0.25 a + 0.75 c exactly; b is a distractor; weights column w.
    let mut csv = String::from("y,a,b,c,w\n");
    for s in 0..30 {
        let t = s as f64 * 0.37;
        let (a, b, c) = (t.sin(), (1.3 * t).cos(), (0.7 * t + 0.2).sin() + 0.1 * t);
        csv.push_str(&format!(
            "{},{a},{b},{c},{}\n",
            0.25 * a + 0.75 * c,
            1.0 + (s % 3) as f64
        ));
    }
    let p = temp_file("surr.csv", &csv);
    for constraint in ["simplex", "nonneg", "free"] {
        let v = json(&quadra(&[
            "combine-surrogates",
            &p,
            "--weights",
            "w",
            "--constraint",
            constraint,
            "--format",
            "json",
        ]));
        assert_eq!(v["surrogates"], serde_json::json!(["a", "b", "c"]));
        let alpha: Vec<f64> = v["alpha"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        for (a, e) in alpha.iter().zip([0.25, 0.0, 0.75]) {
            assert!((a - e).abs() < 1e-10, "{constraint}: {alpha:?}");
        }
        assert!(v["objective"].as_f64().unwrap() < 1e-20);
        assert_eq!(v["constraint"], constraint);
    }
    let v = json(&quadra(&[
        "combine-surrogates",
        &p,
        "--target",
        "y",
        "--method",
        "active-set",
        "--format",
        "json",
    ]));
    assert_eq!(v["method"], "active_set");
    assert_eq!(v["surrogates"], serde_json::json!(["a", "b", "c", "w"]));
    let out = quadra(&["combine-surrogates", &p]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("objective"));
}

#[test]
fn combine_surrogates_bad_input_exits_1() {
    let ragged = temp_file("ragged.csv", "y,a,b\n1,2,3\n1,2\n");
    let nan = temp_file("nan.csv", "y,a,b\n1,2,3\n1,NaN,3\n");
    let noheader = temp_file("noheader.csv", "1,2,3\n4,5,6\n");
    let ok = temp_file("ok.csv", "y,a,b\n1,2,3\n2,1,3\n");
    for (file, extra, needle) in [
        (&ragged, None, "line 3: expected 3 columns"),
        (&nan, None, "non-finite"),
        (&noheader, None, "header"),
        (&ok, Some("--weights=zz"), "no such column"),
    ] {
        let mut args = vec!["combine-surrogates", file.as_str()];
        if let Some(e) = extra {
            args.push(e);
        }
        let out = quadra(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{needle}: {err}");
        assert!(err.contains(needle), "{needle}: {err}");
    }
}

#[test]
fn qp_drops_infinite_bounds_and_reproduces_hs35() {
    // Hock–Schittkowski 35: f* = 1/9 (objective without the constant 9 is 1/9 − 9).
    let hs35 = r#"{"P": [[4,2,2],[2,4,0],[2,0,2]], "q": [-8,-6,-4],
        "A": [[1,1,2],[1,0,0]], "l": [null, "-inf"], "u": [3, "inf"],
        "lb": [0,0,0], "ub": ["inf", 1e30, null]}"#;
    let p = temp_file("hs35.json", hs35);
    let v = json(&quadra(&["qp", &p, "--format", "json", "--tol", "1e-10"]));
    assert!(
        (v["objective"].as_f64().unwrap() + 9.0 - 1.0 / 9.0).abs() < 1e-8,
        "{v}"
    );
    assert_eq!(v["dropped_infinite"], 6);
    assert_eq!(v["inequalities"], 4);
    assert_eq!(v["verified"], true);
    let infeasible = temp_file(
        "inf.json",
        r#"{"P": [[1]], "q": [0], "A": [[1],[1]], "l": [1, null], "u": [null, 0]}"#,
    );
    let out = quadra(&["qp", &infeasible, "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "primal_infeasible");
    for (name, text, needle) in [
        ("bad1.json", "{\"P\": [[1, 2]]}", "square"),
        ("bad2.json", "{\"P\": [[1]], \"q\": [\"x\"]}", "q[0]"),
        (
            "bad3.json",
            "{\"P\": [[1]], \"A\": [[1]], \"l\": [2], \"u\": [1]}",
            "lower bound",
        ),
        ("bad4.json", "not json", "invalid JSON"),
    ] {
        let f = temp_file(name, text);
        let out = quadra(&["qp", &f]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains(needle), "{name}: {err}");
    }
}

#[test]
fn qp_reads_npz_with_numpy_infinities() {
    // HS35 again, as an archive: no `l` (rows unbounded below), `ub` = +∞.
    let p = write_npz(
        "hs35.npz",
        &[
            ("P", &[3, 3], &[4.0, 2.0, 2.0, 2.0, 4.0, 0.0, 2.0, 0.0, 2.0]),
            ("q", &[3], &[-8.0, -6.0, -4.0]),
            ("A", &[1, 3], &[1.0, 1.0, 2.0]),
            ("u", &[1], &[3.0]),
            ("lb", &[3], &[0.0; 3]),
            ("ub", &[3], &[f64::INFINITY; 3]),
        ],
    );
    let v = json(&quadra(&["qp", &p, "--format", "json", "--tol", "1e-10"]));
    assert!(
        (v["objective"].as_f64().unwrap() + 9.0 - 1.0 / 9.0).abs() < 1e-8,
        "{v}"
    );
    assert_eq!(v["dropped_infinite"], 4);
}
