//! Reproduces the published points and prints the curves of the paper's Figure 1
//! (MMSE against α for several κ at Δ = 0, with α_PR) and the sheet's table.
//! `cargo run --release -p quadra-statphys --example bayes_figure1`

use quadra_statphys::{alpha_pr, bayes_optimal, FreeConvolution};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("published points (Maillard et al. 2024, authors' data):");
    for &(k, d, a, want) in &[
        (0.5, 0.0, 0.18947, 0.425322),
        (0.5, 0.25, 0.37820, 0.245599),
    ] {
        let p = bayes_optimal(a, k, d)?;
        println!(
            "  kappa {k} delta {d} alpha {a}: ours {:.8} published {want} diff {:.2e} residual {:.1e} iters {}",
            p.mmse, p.mmse - want, p.residual, p.iterations
        );
    }
    println!("reference-sheet table (edges, int rho^3, mmse_den):");
    for &(k, t) in &[(0.3, 0.05), (0.5, 0.3), (1.0, 1.0), (2.0, 0.05)] {
        let fc = FreeConvolution::new(k, t)?;
        println!(
            "  kappa {k} t {t}: edges {:?} int {:.10} mmse_den {:.10}",
            fc.edges(),
            fc.int_rho_cubed(),
            fc.mmse_den()
        );
    }
    println!("figure 1 (delta = 0): alpha, then MMSE for kappa = 0.2 0.5 1 2");
    for i in 1..=12 {
        let a = 0.05 * i as f64;
        let row: Vec<String> = [0.2, 0.5, 1.0, 2.0]
            .iter()
            .map(|&k| bayes_optimal(a, k, 0.0).map(|p| format!("{:.6}", p.mmse)))
            .collect::<Result<_, _>>()?;
        println!("  {a:.2}  {}", row.join("  "));
    }
    for k in [0.2, 0.5, 1.0, 2.0] {
        println!("  alpha_PR({k}) = {}", alpha_pr(k)?);
    }
    Ok(())
}
