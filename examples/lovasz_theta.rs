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

use quadra::conic::{Model, SolverSettings, SymAffine};

fn theta_cycle(n: usize) -> Result<(f64, u32, f64), quadra::conic::ConicError> {
    let mut model = Model::new();
    let lambda = model.add_var();
    let mut lmi = SymAffine::zeros(n);
    lmi.add_identity_term(lambda, 1.0);
    for i in 0..n {
        for j in i..n {
            lmi.add_constant_entry(i, j, -1.0);
        }
        let y = model.add_var();
        let j = (i + 1) % n;
        lmi.add_term_entry(y, i.min(j), i.max(j), 1.0);
    }
    model.add_psd(lmi)?;
    model.minimize(lambda.into());
    let sol = model.solve(&SolverSettings::default())?;
    Ok((sol.objective, sol.iterations, sol.seconds))
}

fn main() {
    println!(
        "{:>4}  {:>14}  {:>14}  {:>9}  {:>5}  {:>8}",
        "n", "theta (SDP)", "closed form", "rel. err", "iters", "seconds"
    );
    for n in [5usize, 7, 8, 11, 16, 25, 40] {
        let c = (std::f64::consts::PI / n as f64).cos();
        let exact = if n % 2 == 1 {
            n as f64 * c / (1.0 + c)
        } else {
            n as f64 / 2.0
        };
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
