//! Ill-conditioned Gram matrices: state-space against dense BQ weights, both printed as JSON
//! lines for `benches/python/bq_reference_mp.py`, which compares them with a 50-digit
//! mpmath solve of `K w = z`.
//!
//! `cargo run --release -p quadra-quadrature --example bq_conditioning > /tmp/bq_cond.jsonl`

use quadra_quadrature::{BqMethod, BqRule, BqSettings, Interval, Kernel, KernelKind};

fn main() {
    let iv = Interval::new(0.0, 0.1).expect("valid interval");
    let ell = 0.3;
    for kind in [
        KernelKind::Matern12,
        KernelKind::Matern32,
        KernelKind::Matern52,
        KernelKind::Matern72,
    ] {
        let k = Kernel::new(kind, ell).expect("valid kernel");
        for n in [5usize, 9, 20, 40] {
            let x = iv.equispaced(n);
            let rule = |method| {
                let s = BqSettings::builder().method(method).build().expect("valid");
                BqRule::new(k, iv, &x, s)
            };
            let ss = rule(BqMethod::StateSpace).expect("distinct nodes");
            let (dense_w, dense_v) = match rule(BqMethod::Dense) {
                Ok(d) => (format!("{:?}", d.weights), format!("{:e}", d.variance)),
                Err(_) => ("null".into(), "null".into()),
            };
            println!(
                "{{\"kernel\":\"{}\",\"ell\":{ell},\"a\":{},\"b\":{},\"nodes\":{:?},\"state_space\":{:?},\"dense\":{dense_w},\"state_space_variance\":{:e},\"dense_variance\":{dense_v}}}",
                kind.name(),
                iv.a,
                iv.b,
                x,
                ss.weights,
                ss.variance
            );
        }
    }
}
