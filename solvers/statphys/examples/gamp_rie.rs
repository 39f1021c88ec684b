//! GAMP-RIE at finite d against the Bayes-optimal theory and its state evolution.
//! `cargo run --release -p quadra-statphys --example gamp_rie`

use quadra_statphys::gamp::{gamp_rie, GampSettings};
use quadra_statphys::{bayes_optimal, state_evolution};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let s = GampSettings::default();
    for &(d, alpha, delta) in &[
        (100, 0.15, 0.0),
        (100, 0.3, 0.0),
        (100, 0.25, 0.25),
        (200, 0.2, 0.0),
    ] {
        let start = std::time::Instant::now();
        let run = gamp_rie(d, 0.5, alpha, delta, 7, &s)?;
        let secs = start.elapsed().as_secs_f64();
        let theory = bayes_optimal(alpha, 0.5, delta)?.mmse;
        let se = state_evolution(alpha, 0.5, delta, run.iterations)?;
        println!(
            "d {d} kappa 0.5 alpha {alpha} delta {delta}: GAMP {:.4} theory {theory:.4} iters {} converged {} time {secs:.2}s",
            run.error, run.iterations, run.converged
        );
        let show: Vec<String> = run
            .trajectory
            .iter()
            .zip(&se)
            .take(8)
            .map(|(g, e)| format!("{g:.3}/{e:.3}"))
            .collect();
        println!("  first iterations GAMP/SE: {}", show.join(" "));
    }
    Ok(())
}
