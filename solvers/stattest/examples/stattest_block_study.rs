//! Level of the wild bootstrap against the block-length rule on AR(1) pairs.
//!
//! `cargo run --release -p quadra-stattest --example stattest_block_study [REPS] [N…]`
//!
//! X, Y: independent 1-D stationary AR(1) with coefficient φ (H₀ true for both MMD and
//! HSIC); `ρ̂` the largest lag-1 autocorrelation of the two series and `τ̂ = −1/ln ρ̂`, as the
//! automatic rule computes them. Rules: `l = c·τ̂` clamped to `[1, n/8]` for c ∈ {1, 4, 8}
//! (c = 1 is the rule `e^{−1/l} = ρ̂`, multiplier lag-1 correlation equal to the data's;
//! c = 4 was the default before), and the balance rule `l = √(n·ρ̂/(1−ρ̂²))` clamped to
//! `[1, n/4]` (see `multiplier::block_from_autocorrelation`). Same data for every rule.
//! Gaussian kernel, median heuristic, 300 draws, level 0.05. Monte-Carlo SE = √(α(1−α)/REPS).
//! `PHIS=0.5,0.8` in the environment restricts the AR coefficients (default 0.5, 0.8, 0.95).

use quadra_core::seeded_rng;
use quadra_stattest::simulate::ar1_series;
use quadra_stattest::{hsic_test, mmd_test, Block, TestSettings};
use rayon::prelude::*;

/// Block length of rule `k` (0: τ̂, 1: 4τ̂, 2: 8τ̂, 3: the balance rule).
fn block(rule: usize, rho: f64, n: usize) -> f64 {
    let rho = rho.min(1.0 - 1e-12);
    let tau = if rho > 0.0 { -1.0 / rho.ln() } else { 0.0 };
    let nf = n as f64;
    match rule {
        0 => tau.clamp(1.0, (nf / 8.0).max(1.0)),
        1 => (4.0 * tau).clamp(1.0, (nf / 8.0).max(1.0)),
        2 => (8.0 * tau).clamp(1.0, (nf / 8.0).max(1.0)),
        _ => (nf * rho.max(0.0) / (1.0 - rho * rho))
            .sqrt()
            .clamp(1.0, (nf / 4.0).max(1.0)),
    }
}

const RULES: usize = 4;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let reps: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(200);
    let ns: Vec<usize> = if args.len() > 1 {
        args[1..].iter().filter_map(|a| a.parse().ok()).collect()
    } else {
        vec![300, 1000]
    };
    // AR coefficients: `PHIS=0.5,0.8` in the environment, default 0.5, 0.8, 0.95.
    let phis: Vec<f64> = std::env::var("PHIS")
        .ok()
        .map(|v| v.split(',').filter_map(|p| p.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![0.5, 0.8, 0.95]);
    let alpha = 0.05;
    println!(
        "reps = {reps}, alpha = {alpha}, MC SE at nominal = {:.4}",
        (alpha * (1.0 - alpha) / reps as f64).sqrt()
    );
    println!("| test | φ | n | l = τ̂ | l = 4τ̂ | l = 8τ̂ | l = √(nρ̂/(1−ρ̂²)) |");
    println!("|---|---|---|---|---|---|---|");
    for &n in &ns {
        for &phi in &phis {
            // counts[rep][rule][test]
            let counts: Vec<[[usize; 2]; RULES]> = (0..reps)
                .into_par_iter()
                .map(|r| {
                    let mut rng = seeded_rng(
                        7_000_000 + 1000 * n as u64 + (phi * 100.0) as u64 * 100_000 + r as u64,
                    );
                    let x = ar1_series(n, 1, phi, 0.0, &mut rng).unwrap();
                    let y = ar1_series(n, 1, phi, 0.0, &mut rng).unwrap();
                    let rho = x.lag1_autocorrelation().max(y.lag1_autocorrelation());
                    let mut c = [[0usize; 2]; RULES];
                    for (k, ck) in c.iter_mut().enumerate() {
                        let l = block(k, rho, n);
                        let s = TestSettings::builder()
                            .block(Block::Fixed(l))
                            .n_boot(300)
                            .seed(r as u64)
                            .alpha(alpha)
                            .build()
                            .unwrap();
                        ck[0] += mmd_test(&x, &y, &s).unwrap().reject as usize;
                        ck[1] += hsic_test(&x, &y, &s).unwrap().reject as usize;
                    }
                    c
                })
                .collect();
            for (t, name) in ["MMD", "HSIC"].iter().enumerate() {
                let row: Vec<String> = (0..RULES)
                    .map(|k| {
                        let c: usize = counts.iter().map(|c| c[k][t]).sum();
                        format!("{:.3}", c as f64 / reps as f64)
                    })
                    .collect();
                println!("| {name} | {phi} | {n} | {} |", row.join(" | "));
            }
        }
    }
}
