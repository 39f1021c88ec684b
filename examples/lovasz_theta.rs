//! The modelling API on a classic SDP with a closed form: the Lovász theta number of
//! the cycle C_n,
//!
//! ```text
//!   θ(C_n) = min λ  s.t.  λI + Σ_{ij ∈ E} y_ij (e_i e_jᵀ + e_j e_iᵀ) − J ⪰ 0,
//! ```
//! equal to n cos(π/n) / (1 + cos(π/n)) for odd n and n/2 for even n (Lovász 1979).
//!
//! ```text
//! cargo run --release --example lovasz_theta
//! ```

use quadra::conic::{problems, SolverSettings};

fn theta_cycle(n: usize) -> Result<(f64, u32, f64), quadra::conic::ConicError> {
    let sol = problems::lovasz_theta_cycle(n).solve(&SolverSettings::default())?;
    Ok((sol.objective, sol.iterations, sol.seconds))
}

fn main() {
    println!(
        "{:>4}  {:>14}  {:>14}  {:>9}  {:>5}  {:>8}",
        "n", "theta (SDP)", "closed form", "rel. err", "iters", "seconds"
    );
    for n in [5usize, 7, 8, 11, 16, 25, 40] {
        let exact = problems::lovasz_theta_cycle_exact(n);
        match theta_cycle(n) {
            Ok((v, it, s)) => {
                println!(
                    "{n:>4}  {v:>14.10}  {exact:>14.10}  {:>9.1e}  {it:>5}  {s:>8.4}",
                    (v - exact).abs() / exact
                )
            }
            Err(e) => println!("{n:>4}  failed: {e}"),
        }
    }
}
