//! LipSDP-Neuron on random Gaussian/√fan-in ReLU networks through the low-rank
//! interior point, optionally clarabel, and an export of the weights for the Python
//! side-by-side script (`benches/python/lipsdp_cvxpy.py`).
//!
//! ```text
//! cargo run --release -p quadra-conic --example lipsdp_lowrank -- 64-50-50-10 [--seed 0]
//!     [--clarabel] [--export weights.json] [--verbose]
//! ```
//! Prints one line: dims, LMI size, multipliers, √ρ (the Lipschitz bound), iterations,
//! seconds.

use quadra_conic::lmi::{ClarabelLmiBackend, LmiBackend};
use quadra_conic::lowrank::{LowRankIpmBackend, LowRankSettings};
use quadra_conic::problems::{lipsdp_neuron, random_weights};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dims: Vec<usize> = args
        .first()
        .expect(
            "usage: lipsdp_lowrank 64-50-50-10 [--seed N] [--clarabel] [--export FILE] [--verbose]",
        )
        .split('-')
        .map(|s| s.parse().expect("dims are integers joined by '-'"))
        .collect();
    let flag = |name: &str| args.iter().any(|a| a == name);
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|k| args.get(k + 1).cloned())
    };
    let seed: u64 = value("--seed").map_or(0, |s| s.parse().expect("--seed N"));
    let weights = random_weights(&dims, seed);
    if let Some(path) = value("--export") {
        // JSON: {"dims": [...], "seed": s, "weights": [[row, ...], ...]} (row-major rows).
        let mut s = format!("{{\"dims\": {dims:?}, \"seed\": {seed}, \"weights\": [");
        for (k, w) in weights.iter().enumerate() {
            if k > 0 {
                s.push_str(", ");
            }
            s.push('[');
            for r in 0..w.nrows() {
                if r > 0 {
                    s.push_str(", ");
                }
                let row: Vec<String> = (0..w.ncols()).map(|c| format!("{:e}", w[(r, c)])).collect();
                s.push_str(&format!("[{}]", row.join(", ")));
            }
            s.push(']');
        }
        s.push_str("]}\n");
        std::fs::write(&path, s).expect("write the weights file");
    }
    let p = lipsdp_neuron(&weights, 0.0, 1.0).expect("consistent shapes");
    let n = p.blocks[0].dim;
    let settings = LowRankSettings::builder()
        .verbose(flag("--verbose"))
        .build()
        .expect("valid settings");
    let sol = LowRankIpmBackend::new(settings)
        .solve(&p)
        .expect("lowrank solve");
    println!(
        "lowrank  dims {dims:?} n {n} m {} bound {:.10} rho {:.12e} gap {:.1e} iters {} seconds {:.3}",
        p.num_vars(),
        sol.objective.sqrt(),
        sol.objective,
        sol.gap_rel,
        sol.iterations,
        sol.seconds
    );
    if flag("--clarabel") {
        let c = ClarabelLmiBackend::default()
            .solve(&p)
            .expect("clarabel solve");
        println!(
            "clarabel dims {dims:?} n {n} m {} bound {:.10} rho {:.12e} gap {:.1e} iters {} seconds {:.3}",
            p.num_vars(),
            c.objective.sqrt(),
            c.objective,
            c.gap_rel,
            c.iterations,
            c.seconds
        );
    }
}
