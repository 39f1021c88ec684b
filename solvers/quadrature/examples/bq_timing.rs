//! Wall-clock time of BQ weight computation for Matérn-5/2, ℓ = 0.05, N equispaced nodes on
//! [0, 1]: the default state-space filter and the dense path (Gram, kernel mean, Cholesky,
//! solve); the side-by-side partner of `benches/python/bq_weights.py`.
//! Prints `method N seconds_per_call estimate_of_∫sin(3x)`.
//!
//! `cargo run --release -p quadra-quadrature --example bq_timing`

use quadra_quadrature::{BqMethod, BqRule, BqSettings, Interval, Kernel, KernelKind};
use std::time::Instant;

fn main() {
    let iv = Interval::new(0.0, 1.0).expect("valid interval");
    let k = Kernel::new(KernelKind::Matern52, 0.05).expect("valid kernel");
    for (name, method) in [
        ("state-space", BqMethod::StateSpace),
        ("dense", BqMethod::Dense),
    ] {
        let settings = BqSettings::builder()
            .method(method)
            .build()
            .expect("valid settings");
        for n in [10usize, 100, 1000] {
            let x = iv.equispaced(n);
            let y: Vec<f64> = x.iter().map(|&t| (3.0 * t).sin()).collect();
            let reps = match method {
                BqMethod::Dense => (20_000 / n).max(3),
                _ => (2_000_000 / n).max(3),
            };
            let mut est = 0.0;
            let t0 = Instant::now();
            for _ in 0..reps {
                let r = BqRule::new(k, iv, &x, settings).expect("PD Gram");
                est = r.weights.iter().zip(&y).map(|(w, v)| w * v).sum();
            }
            let dt = t0.elapsed().as_secs_f64() / reps as f64;
            println!("{name} {n} {dt:.6e} {est:.15}");
        }
    }
}
