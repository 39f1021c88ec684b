//! Sweep of IntRL policy iteration over the samples per interval N on both tasks of
//! Cao & Pan (2024): trapezoid, BQ Matérn-7/2 (ℓ = 0.3) exact and with the paper's 1e-8
//! jitter, and BQ Matérn-3/2 (ℓ = 0.3). Prints ‖ŵ − w*‖₂, the local order between
//! consecutive N, and the constant C = err·(N−1)² (trapezoid) or err·N^b (BQ, b = ν + ½).
//!
//! `cargo run --release -p quadra-quadrature --example intrl_sweep`

use quadra_quadrature::{
    policy_iteration, BayesQuadrature, BqSettings, IntrlSettings, Kernel, KernelKind,
    QuadratureRule, Task, Trapezoid,
};

fn main() {
    let ns = [2usize, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32];
    let m72 = Kernel::new(KernelKind::Matern72, 0.3).expect("valid kernel");
    let m32 = Kernel::new(KernelKind::Matern32, 0.3).expect("valid kernel");
    let bq = |kernel: Kernel, jitter: f64| -> Box<dyn QuadratureRule> {
        Box::new(BayesQuadrature {
            kernel,
            settings: BqSettings::with_jitter(jitter).expect("valid jitter"),
        })
    };
    // (rule, label, is BQ, order b; the trapezoid's constant uses (N − 1)²)
    let rules: Vec<(Box<dyn QuadratureRule>, &str, bool, f64)> = vec![
        (Box::new(Trapezoid), "trapezoid", false, 2.0),
        (bq(m72, 0.0), "bq:matern72:0.3 jitter 0", true, 4.0),
        (bq(m72, 1e-8), "bq:matern72:0.3 jitter 1e-8", true, 4.0),
        (bq(m32, 0.0), "bq:matern32:0.3 jitter 0", true, 2.0),
    ];
    for task in [Task::ThirdOrder, Task::Sin] {
        println!("task {task:?}");
        for (rule, label, bayes, order) in &rules {
            println!("  rule {label}");
            let mut prev: Option<(usize, f64)> = None;
            for &n in &ns {
                let s = IntrlSettings::paper(task, n, *bayes);
                match policy_iteration(task, rule.as_ref(), &s) {
                    Ok(r) => {
                        let e = r.weight_error;
                        let c = if *bayes {
                            e * (n as f64).powf(*order)
                        } else {
                            e * ((n - 1) as f64).powi(2)
                        };
                        let local = prev.map_or(String::from("     -"), |(m, em)| {
                            format!("{:6.2}", (em / e).ln() / (n as f64 / m as f64).ln())
                        });
                        println!(
                            "    N={n:>3}  weight_error={e:.3e}  gain_error={:.3e}  iterations={:>2}  local order {local}  C={c:.3e}",
                            r.gain_error, r.iterations
                        );
                        prev = Some((n, e));
                    }
                    Err(err) => println!("    N={n:>3}  error: {err}"),
                }
            }
        }
    }
}
