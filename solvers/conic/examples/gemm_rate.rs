//! The machine's dense GEMM rate through faer (what `docs/lmi_ipm.md` compares the
//! low-rank backend's products against): `C = A·B` for square `n × n` matrices on one
//! thread and on all of rayon's threads.
//!
//!     cargo run --release -p quadra-conic --example gemm_rate -- [n]

use quadra_core::faer::linalg::matmul::matmul;
use quadra_core::faer::{Accum, Par};
use quadra_core::Mat;
use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let a = Mat::<f64>::from_fn(n, n, |i, j| ((i * 7 + j * 3) % 11) as f64);
    let b = Mat::<f64>::from_fn(n, n, |i, j| ((i * 5 + j) % 13) as f64);
    let mut c = Mat::<f64>::zeros(n, n);
    for (name, par) in [("1 thread", Par::Seq), ("all threads", Par::rayon(0))] {
        let reps = 3;
        let start = Instant::now();
        for _ in 0..reps {
            matmul(c.as_mut(), Accum::Replace, a.as_ref(), b.as_ref(), 1.0, par);
        }
        let secs = start.elapsed().as_secs_f64();
        let gflops = 2.0 * (n * n * n * reps) as f64 / secs / 1e9;
        println!("{n}×{n} GEMM, {name}: {gflops:.1} GFlop/s");
    }
}
