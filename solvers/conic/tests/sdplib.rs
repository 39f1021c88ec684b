//! SDPLIB through the SDPA reader and clarabel, against the optima in SDPLIB's README
//! table (read from `../shared/data/sdplib/README.md`, not pasted here).
//!
//! The set below is every problem in `../shared/data/sdplib` that clarabel solves on
//! the 2-core reference machine in about a minute or less *and* whose solution passes the
//! a-posteriori re-check (timings in `docs/validation.md`, produced by
//! `cargo run --release --example sdplib`); the two that clarabel calls solved but that
//! fail the re-check are asserted to be flagged, and the four infeasible ones to be
//! reported as such.

use quadra_conic::sdpa::SdpaProblem;
use quadra_conic::{ConicError, SolverSettings};
use std::path::PathBuf;

/// Relative agreement required with the table (the 1e-5), loosened only to the
/// table's own printed precision when it lists fewer digits: one unit in the last printed
/// place, since the table both rounds and truncates (hinf1 is listed as 2.0326 while its
/// verified optimum is 2.0326567).
const REL_TOL: f64 = 1e-5;

fn sdplib_dir() -> PathBuf {
    let dir = std::env::var_os("QUADRA_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
        .join("data/sdplib");
    assert!(
        dir.join("README.md").is_file(),
        "SDPLIB not found at {} (set QUADRA_SHARED)",
        dir.display()
    );
    dir
}

/// `(optimum, one unit in the last printed place)` from the README table.
fn table_value(name: &str) -> (f64, f64) {
    let readme = std::fs::read_to_string(sdplib_dir().join("README.md")).unwrap();
    for line in readme.lines() {
        let cols: Vec<&str> = line.split('|').map(str::trim).collect();
        if cols.len() > 4 && cols[1] == name {
            let text = cols[4];
            let v: f64 = text
                .parse()
                .unwrap_or_else(|_| panic!("no numeric optimum for {name}: {text}"));
            let (mantissa, exp) = text.split_once(['e', 'E']).unwrap_or((text, "0"));
            let decimals = mantissa.split_once('.').map_or(0, |(_, d)| d.len()) as i32;
            let exp: i32 = exp.parse().unwrap();
            return (v, 10f64.powi(exp - decimals));
        }
    }
    panic!("{name} not in the SDPLIB table");
}

fn solve(name: &str) -> Result<quadra_conic::Solution, ConicError> {
    let text = std::fs::read_to_string(sdplib_dir().join(format!("{name}.dat-s"))).unwrap();
    let p = SdpaProblem::parse(&text).unwrap();
    p.to_model()
        .unwrap()
        .model
        .solve(&SolverSettings::default())
}

fn check_optimum(name: &str) {
    let (table, ulp) = table_value(name);
    let sol = solve(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(
        sol.verified(),
        "{name}: re-check failed: {}",
        sol.verification.describe_failure()
    );
    let tol = (REL_TOL * table.abs()).max(ulp);
    assert!(
        (sol.objective - table).abs() <= tol,
        "{name}: ours {:.9e}, table {table:e} (tolerance {tol:.1e}, status {:?})",
        sol.objective,
        sol.status
    );
}

macro_rules! sdplib_tests {
    ($($name:ident => $file:literal),* $(,)?) => {
        $(#[test] fn $name() { check_optimum($file); })*
    };
}

sdplib_tests! {
    arch0 => "arch0",
    control2 => "control2",
    control3 => "control3",
    gpp100 => "gpp100",
    hinf1 => "hinf1",
    hinf4 => "hinf4",
    hinf9 => "hinf9",
    mcp100 => "mcp100",
    mcp124_1 => "mcp124-1",
    qap5 => "qap5",
    qap6 => "qap6",
    ss30 => "ss30",
    theta1 => "theta1",
    theta2 => "theta2",
    truss1 => "truss1",
    truss3 => "truss3",
    truss4 => "truss4",
    truss5 => "truss5",
    truss8 => "truss8",
}

#[test]
fn infp_problems_are_primal_infeasible() {
    for name in ["infp1", "infp2"] {
        let e = solve(name).unwrap_err();
        assert!(
            matches!(e, ConicError::PrimalInfeasible { .. }),
            "{name}: {e}"
        );
    }
}

#[test]
fn infd_problems_are_dual_infeasible() {
    for name in ["infd1", "infd2"] {
        let e = solve(name).unwrap_err();
        assert!(
            matches!(e, ConicError::DualInfeasible { .. }),
            "{name}: {e}"
        );
    }
}

/// Problems where clarabel stops with *solved* but the point fails the independent
/// re-check: `control1` (dual matrix λ_min ≈ −2.5e-3 relative, stationarity 1.9e-2; its
/// objective 18.05 is not the optimum 17.78) and `hinf12` (stationarity 4e-5). The
/// conic layer must flag them, never pass the objective off as an optimum.
#[test]
fn false_solved_claims_are_caught_by_the_re_check() {
    for name in ["control1", "hinf12"] {
        let sol = solve(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            !sol.verified(),
            "{name} unexpectedly verified: {:?}",
            sol.verification
        );
    }
}
