//! Prints the perfect-recovery thresholds of the GLM family and a few Bayes-optimal
//! points (the numbers quoted in docs/statphys.md):
//!
//! ```text
//! cargo run --release -p quadra-statphys --example glm_thresholds
//! ```

use quadra_statphys::glm::default_settings;
use quadra_statphys::{glm_point, glm_thresholds, GlmChannel, GlmModel, GlmPrior};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let priors = [
        ("gaussian", GlmPrior::Gaussian),
        ("rademacher", GlmPrior::Rademacher),
        ("gauss-bernoulli:0.1", GlmPrior::GaussBernoulli { rho: 0.1 }),
        ("gauss-bernoulli:0.3", GlmPrior::GaussBernoulli { rho: 0.3 }),
        ("gauss-bernoulli:0.5", GlmPrior::GaussBernoulli { rho: 0.5 }),
    ];
    let channels = [
        ("gaussian:0", GlmChannel::Gaussian { delta: 0.0 }),
        ("sign", GlmChannel::Sign),
        ("relu", GlmChannel::Relu),
    ];
    println!(
        "{:<22} {:<12} {:>12} {:>12}",
        "prior", "channel", "alpha_alg", "alpha_IT"
    );
    for (pn, p) in priors {
        for (cn, c) in channels {
            let t0 = std::time::Instant::now();
            let th = glm_thresholds(p, c)?;
            let show = |v: Option<f64>| v.map_or("-".to_string(), |x| format!("{x:.6}"));
            println!(
                "{pn:<22} {cn:<12} {:>12} {:>12}   ({:.0} ms)",
                show(th.algorithmic),
                show(th.information_theoretic),
                t0.elapsed().as_secs_f64() * 1e3
            );
        }
    }
    println!("\nbinary perceptron (rademacher, sign):");
    for alpha in [0.5, 1.0, 1.2, 1.3, 1.45, 1.5, 2.0] {
        let m = GlmModel::new(GlmPrior::Rademacher, GlmChannel::Sign, alpha)?;
        let t0 = std::time::Instant::now();
        let p = glm_point(&m, &default_settings())?;
        println!(
            "alpha {alpha:<5} q {:.6} gen {:.6} f {:?} branch {:?} amp_q {:.6} it {} ({:.1} ms)",
            p.overlap,
            p.gen_error,
            p.free_entropy,
            p.branch,
            p.amp_overlap,
            p.iterations,
            t0.elapsed().as_secs_f64() * 1e3
        );
    }
    Ok(())
}
