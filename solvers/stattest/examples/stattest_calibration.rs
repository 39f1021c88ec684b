//! Type-I error and power of the wild bootstrap vs the permutation test on AR(1) pairs.
//!
//! `cargo run --release -p quadra-stattest --example stattest_calibration [REPS] [N…]`
//! (default lengths N: 100 and 300)
//!
//! X and Y: independent 1-D stationary AR(1) series with coefficient φ and unit variance;
//! under H₀ both have mean 0, under H₁ Y is shifted by 0.5 (MMD) or Y_t = X_t + noise (HSIC
//! power is not tabulated here). Gaussian kernel, median heuristic, 300 draws, level 0.05,
//! block length from the lag-1 autocorrelation. Monte-Carlo SE = √(α(1−α)/REPS).

use quadra_core::seeded_rng;
use quadra_stattest::simulate::ar1_series;
use quadra_stattest::{hsic_test, mmd_test, Method, TestSettings, WildVariant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let reps: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(500);
    let lengths: Vec<usize> = if args.len() > 1 {
        args[1..].iter().filter_map(|a| a.parse().ok()).collect()
    } else {
        vec![100, 300]
    };
    let alpha = 0.05;
    println!(
        "reps = {reps}, alpha = {alpha}, MC SE at nominal = {:.4}",
        (alpha * (1.0 - alpha) / reps as f64).sqrt()
    );
    println!("| test | φ | n | wild level | perm level | wild power (shift 0.5) | perm power |");
    println!("|---|---|---|---|---|---|---|");
    for (test, is_mmd) in [("MMD", true), ("HSIC", false)] {
        for &phi in &[0.0, 0.5, 0.8, 0.95] {
            for &n in &lengths {
                let mut counts = [0usize; 4];
                for r in 0..reps {
                    let mut rng =
                        seeded_rng(1_000_000 * (phi * 100.0) as u64 + 1000 * n as u64 + r as u64);
                    let x = ar1_series(n, 1, phi, 0.0, &mut rng).unwrap();
                    let y0 = ar1_series(n, 1, phi, 0.0, &mut rng).unwrap();
                    let y1 = if is_mmd {
                        ar1_series(n, 1, phi, 0.5, &mut rng).unwrap()
                    } else {
                        // Y_t = X_t + Z_t (dependent at the same time).
                        let z = ar1_series(n, 1, phi, 0.0, &mut rng).unwrap();
                        let v: Vec<f64> = (0..n).map(|t| x.row(t)[0] + z.row(t)[0]).collect();
                        quadra_stattest::Series::univariate(v).unwrap()
                    };
                    for (k, method) in [Method::Wild(WildVariant::Centred), Method::Permutation]
                        .into_iter()
                        .enumerate()
                    {
                        let s = TestSettings::builder()
                            .method(method)
                            .n_boot(300)
                            .seed(r as u64)
                            .alpha(alpha)
                            .build()
                            .unwrap();
                        let run = |y| {
                            if is_mmd {
                                mmd_test(&x, y, &s).unwrap().reject
                            } else {
                                hsic_test(&x, y, &s).unwrap().reject
                            }
                        };
                        counts[k] += run(&y0) as usize;
                        counts[2 + k] += run(&y1) as usize;
                    }
                }
                let f = |c: usize| c as f64 / reps as f64;
                println!(
                    "| {test} | {phi} | {n} | {:.3} | {:.3} | {:.3} | {:.3} |",
                    f(counts[0]),
                    f(counts[1]),
                    f(counts[2]),
                    f(counts[3])
                );
            }
        }
    }
}
