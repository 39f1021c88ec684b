//! Solves every SDPLIB problem in `../shared/data/sdplib` with quadra's conic layer
//! (clarabel + faer-backed LAPACK) and prints a Markdown table against SDPLIB's optima.
//!
//! ```text
//! cargo run --release --example sdplib [-- --time-limit SECONDS] [-- NAME ...]
//! ```
//! Produced the SDPLIB table in `docs/validation.md`.

use quadra::conic::sdpa::SdpaProblem;
use quadra::conic::SolverSettings;
use std::path::PathBuf;

fn table(readme: &str) -> Vec<(String, String)> {
    readme
        .lines()
        .filter_map(|l| {
            let c: Vec<&str> = l.split('|').map(str::trim).collect();
            (c.len() > 4 && !c[1].is_empty() && c[1] != "Problem" && !c[1].starts_with('-'))
                .then(|| (c[1].to_string(), c[4].to_string()))
        })
        .collect()
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut time_limit = 120.0;
    if let Some(p) = args.iter().position(|a| a == "--time-limit") {
        time_limit = args
            .get(p + 1)
            .and_then(|s| s.parse().ok())
            .expect("--time-limit SECONDS");
        args.drain(p..p + 2);
    }
    let dir = std::env::var_os("QUADRA_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared"))
        .join("data/sdplib");
    let readme = std::fs::read_to_string(dir.join("README.md")).expect("SDPLIB README.md");
    let settings = SolverSettings::builder()
        .time_limit(time_limit)
        .build()
        .expect("settings");
    println!("| problem | m | blocks | ours | SDPLIB | rel. diff | status | re-check | iterations | seconds |");
    println!("|---|---:|---|---:|---:|---:|---|---|---:|---:|");
    for (name, optimum) in table(&readme) {
        if !args.is_empty() && !args.contains(&name) {
            continue;
        }
        let path = dir.join(format!("{name}.dat-s"));
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let problem = match SdpaProblem::parse(&text) {
            Ok(p) => p,
            Err(e) => {
                println!("| {name} | | | parse error: {e} | {optimum} | | | | | |");
                continue;
            }
        };
        // Block sizes, runs of equal sizes written as `size×count` (negative = diagonal).
        let sizes: Vec<i64> = problem
            .blocks
            .iter()
            .map(|b| match *b {
                quadra::conic::sdpa::BlockKind::Dense(n) => n as i64,
                quadra::conic::sdpa::BlockKind::Diagonal(n) => -(n as i64),
            })
            .collect();
        let mut blocks: Vec<String> = Vec::new();
        for run in sizes.chunk_by(|a, b| a == b) {
            blocks.push(match run.len() {
                1 => run[0].to_string(),
                k => format!("{}×{k}", run[0]),
            });
        }
        let start = std::time::Instant::now();
        let result = problem.to_model().and_then(|m| m.model.solve(&settings));
        let secs = start.elapsed().as_secs_f64();
        let m = problem.num_constraints();
        let blocks = blocks.join(",");
        match result {
            Ok(sol) => {
                let rel = optimum
                    .parse::<f64>()
                    .map(|t| format!("{:.1e}", (sol.objective - t).abs() / t.abs().max(1e-300)))
                    .unwrap_or_default();
                let check = if sol.verified() {
                    "passed".to_string()
                } else {
                    sol.verification.describe_failure()
                };
                println!(
                    "| {name} | {m} | {blocks} | {:.7e} | {optimum} | {rel} | {} | {check} | {} | {secs:.2} |",
                    sol.objective,
                    sol.status.as_str(),
                    sol.iterations
                );
            }
            Err(e) => {
                println!("| {name} | {m} | {blocks} | — | {optimum} | | {e} | | | {secs:.2} |")
            }
        }
    }
}
