//! The `quadra sdp` contract: JSON on stdout, exit codes 0/1/2, messages naming the line.

mod common;
use common::*;

#[test]
fn bundled_example_solves_to_sqrt5_in_json() {
    let out = quadra(&["sdp", "examples/theta_c5.dat-s", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("one JSON document on stdout");
    let obj = v["objective"].as_f64().unwrap();
    assert!((obj - 5f64.sqrt()).abs() < 1e-7, "objective {obj}");
    assert_eq!(v["status"], "solved");
    assert_eq!(v["verified"], true);
    assert!(v["iterations"].as_u64().unwrap() > 0);
    assert!(v["seconds"].as_f64().unwrap() >= 0.0);
    // Nothing but JSON on stdout, and no progress on a non-terminal stderr.
    assert!(
        out.stderr.is_empty(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn text_output_names_status_and_objective() {
    let out = quadra(&["sdp", "examples/theta_c5.dat-s"]);
    assert_eq!(out.status.code(), Some(0));
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(
        s.contains("status") && s.contains("solved") && s.contains("2.2360679"),
        "{s}"
    );
}

#[test]
fn infeasible_problems_exit_2_with_status() {
    let out = quadra(&[
        "sdp",
        &shared("data/sdplib/infp1.dat-s"),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "primal_infeasible");
    assert!(String::from_utf8_lossy(&out.stderr).contains("primal infeasible"));
    let out = quadra(&[
        "sdp",
        &shared("data/sdplib/infd1.dat-s"),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "dual_infeasible");
}

/// clarabel stops with "solved" on control1 at a point whose dual matrix is not PSD; the
/// CLI must not print that objective as an optimum.
#[test]
fn a_solved_claim_that_fails_the_re_check_exits_2() {
    let out = quadra(&[
        "sdp",
        &shared("data/sdplib/control1.dat-s"),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "unverified");
    assert_eq!(v["verified"], false);
    assert!(v["verification"]["dual_infeasibility"].as_f64().unwrap() > 1e-4);
    assert!(String::from_utf8_lossy(&out.stderr).contains("re-check"));
}

#[test]
fn malformed_input_exits_1_naming_the_line() {
    let cases = [
        ("truncated.dat-s", "2\n1\n", "line 3"),
        ("zero-block.dat-s", "1\n2\n{3, 0}\n1.0\n", "line 3"),
        (
            "non-numeric.dat-s",
            "\"comment\n1\n1\n2\n1.0\n0 1 1 1 1.0\n1 1 x 1 1.0\n",
            "line 7",
        ),
        ("wrong-count.dat-s", "2\n1\n2\n1.0 2.0 3.0\n", "line 4"),
    ];
    for (name, text, needle) in cases {
        let p = temp_file(name, text);
        let out = quadra(&["sdp", &p]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle) && err.contains(name), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
    let out = quadra(&["sdp", "does/not/exist.dat-s"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does/not/exist.dat-s"));
}

#[test]
fn usage_errors_exit_1() {
    let out = quadra(&["sdp", "examples/theta_c5.dat-s", "--max-iter", "many"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--max-iter"));
    assert_eq!(quadra(&["no-such-subcommand"]).status.code(), Some(1));
    assert_eq!(quadra(&["--help"]).status.code(), Some(0));
}

#[test]
fn version_flag() {
    let out = quadra(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("quadra "));
}

#[test]
fn lowrank_solver_gives_the_same_optimum_and_exit_codes() {
    let out = quadra(&[
        "sdp",
        "examples/theta_c5.dat-s",
        "--solver",
        "lowrank",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    let obj = v["objective"].as_f64().unwrap();
    assert!((obj - 5f64.sqrt()).abs() < 1e-7, "objective {obj}");
    assert_eq!(v["verified"], true);
    // An infeasible program exits 2 with the status named.
    let out = quadra(&[
        "sdp",
        &shared("data/sdplib/infp1.dat-s"),
        "--solver",
        "lowrank",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "primal_infeasible");
    // An unknown solver name is a usage error (exit 1).
    let out = quadra(&["sdp", "examples/theta_c5.dat-s", "--solver", "mosek"]);
    assert_eq!(out.status.code(), Some(1));
}
