//! SDPLIB access shared by the integration tests: the problems and the optima of
//! SDPLIB's README table, read from `../shared/data/sdplib` (not pasted here).

use quadra_conic::sdpa::SdpaProblem;
use std::path::PathBuf;

/// Relative agreement required with the table (the 1e-5), loosened only to the
/// table's own printed precision when it lists fewer digits: one unit in the last printed
/// place, since the table both rounds and truncates (hinf1 is listed as 2.0326 while its
/// verified optimum is 2.0326567).
pub const TABLE_REL_TOL: f64 = 1e-5;

/// `../shared/data/sdplib` (or `$QUADRA_SHARED/data/sdplib`).
pub fn sdplib_dir() -> PathBuf {
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

/// The problem `name` (`NAME.dat-s`).
pub fn sdplib_problem(name: &str) -> SdpaProblem {
    let text = std::fs::read_to_string(sdplib_dir().join(format!("{name}.dat-s")))
        .unwrap_or_else(|e| panic!("{name}.dat-s: {e}"));
    SdpaProblem::parse(&text).unwrap_or_else(|e| panic!("{name}.dat-s: {e}"))
}

/// `(optimum, one unit in the last printed place)` from the README table.
pub fn table_value(name: &str) -> (f64, f64) {
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

/// Asserts `objective` agrees with the table's optimum for `name`.
pub fn assert_table_value(name: &str, objective: f64, context: &str) {
    let (table, ulp) = table_value(name);
    let tol = (TABLE_REL_TOL * table.abs()).max(ulp);
    assert!(
        (objective - table).abs() <= tol,
        "{name}: ours {objective:.9e}, table {table:e} (tolerance {tol:.1e}, {context})"
    );
}
