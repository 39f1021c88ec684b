//! SDPLIB through both LMI backends (`lowrank` and `clarabel`), side by side:
//! objective, relative difference, iterations, seconds.
//!
//! `cargo run --release -p quadra-conic --example lowrank_sdplib [NAME ...]`
//! (default: every problem in `../shared/data/sdplib`). Set `QUADRA_SHARED` to point
//! elsewhere.

use quadra_conic::lmi::{ClarabelLmiBackend, LmiBackend};
use quadra_conic::lowrank::LowRankIpmBackend;
use quadra_conic::sdpa::SdpaProblem;
use std::path::PathBuf;

fn main() {
    let dir = std::env::var_os("QUADRA_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
        .join("data/sdplib");
    let mut names: Vec<String> = std::env::args().skip(1).collect();
    if names.is_empty() {
        let mut all: Vec<String> = std::fs::read_dir(&dir)
            .expect("SDPLIB directory")
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                e.file_name()
                    .to_str()
                    .and_then(|s| s.strip_suffix(".dat-s").map(String::from))
            })
            .collect();
        all.sort();
        names = all;
    }
    println!(
        "| problem | lowrank | clarabel | rel. diff | lowrank iters / s | clarabel iters / s |"
    );
    println!("|---|---|---|---|---|---|");
    for name in names {
        let text = std::fs::read_to_string(dir.join(format!("{name}.dat-s"))).expect("read");
        let p = SdpaProblem::parse(&text).expect("parse").to_lmi();
        let verbose = std::env::var_os("VERBOSE").is_some();
        let ours = LowRankIpmBackend::new(
            quadra_conic::lowrank::LowRankSettings::builder()
                .verbose(verbose)
                .build()
                .expect("valid settings"),
        )
        .solve(&p);
        let theirs = ClarabelLmiBackend::default().solve(&p);
        let cell = |r: &Result<quadra_conic::lmi::LmiSolution, quadra_conic::ConicError>| match r {
            Ok(s) => (
                format!("{:.9e}", s.objective),
                format!("{} / {:.2}", s.iterations, s.seconds),
            ),
            Err(e) => (format!("error: {e}"), String::from("–")),
        };
        let diff = match (&ours, &theirs) {
            (Ok(a), Ok(b)) => format!(
                "{:.1e}",
                (a.objective - b.objective).abs()
                    / (1.0 + a.objective.abs().max(b.objective.abs()))
            ),
            _ => "–".into(),
        };
        let (oa, ob) = cell(&ours);
        let (ta, tb) = cell(&theirs);
        println!("| {name} | {oa} | {ta} | {diff} | {ob} | {tb} |");
    }
}
