//! Command-line interface: one module per subcommand.

mod bayes;
mod bayes_plot;
mod gamp;
mod glm;
mod lipschitz;
mod output;
mod qp;
mod quadattack;
mod quadrature;
mod scenario_file;
mod sdp;
mod shard;
mod stattest;

pub use output::CliError;

use clap::{Parser, Subcommand};

/// quadra: convex certificates and the statistical physics of learning.
#[derive(Debug, Parser)]
#[command(name = "quadra", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Bayes-optimal learning curve of the extensive-width quadratic network.
    BayesOptimal(bayes::BayesArgs),
    /// GAMP-RIE on sampled data (finite d) beside its state evolution.
    GampRie(gamp::GampArgs),
    /// Bayes-optimal state evolution, free entropy and thresholds of a generalised linear model.
    GlmSe(glm::GlmArgs),
    /// Certified Lipschitz upper bound of a network (LipSDP family), with a lower bound beside it.
    Lipschitz(lipschitz::LipschitzArgs),
    /// Re-check a Lipschitz certificate against its network (exit 3 if it does not hold).
    Verify(lipschitz::VerifyArgs),
    /// Solve a semidefinite program in SDPA sparse format (.dat-s) with clarabel.
    Sdp(sdp::SdpArgs),
    /// QuadAttack ordered top-K projection (or attack loop) on a linear head, solved exactly.
    Quadattack(quadattack::QuadAttackArgs),
    /// Combination weights of surrogate models by weighted least squares (simplex, nonneg or free).
    CombineSurrogates(qp::SurrogateArgs),
    /// Solve a convex QP (JSON or NPZ: P, q, A, l, u, lb, ub) with clarabel; infinite bounds dropped.
    Qp(qp::QpArgs),
    /// Bayesian quadrature of given values with a Matérn, RBF or Brownian kernel.
    Quadrature(quadrature::QuadratureArgs),
    /// Integral RL policy iteration (Cao & Pan 2024) with a chosen quadrature rule.
    Intrl(quadrature::IntrlArgs),
    /// Kernel two-sample test (MMD) with a wild-bootstrap or permutation null.
    Mmd(stattest::KernelTestArgs),
    /// Kernel independence test (HSIC) with a wild-bootstrap or permutation null.
    Hsic(stattest::KernelTestArgs),
    /// Attack detection: Kalman filter vs quadratic-sensor projection observer, wild-bootstrap MMD.
    DetectAttack(stattest::DetectAttackArgs),
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::BayesOptimal(args) => bayes::run(args),
        Command::GampRie(args) => gamp::run(args),
        Command::GlmSe(args) => glm::run(args),
        Command::Sdp(args) => sdp::run(args),
        Command::Lipschitz(args) => lipschitz::run_lipschitz(args),
        Command::Verify(args) => lipschitz::run_verify(args),
        Command::Quadattack(args) => quadattack::run(args),
        Command::CombineSurrogates(args) => qp::run_combine(args),
        Command::Qp(args) => qp::run_qp(args),
        Command::Quadrature(args) => quadrature::run_quadrature(args),
        Command::Intrl(args) => quadrature::run_intrl(args),
        Command::Mmd(args) => stattest::run_mmd(args),
        Command::Hsic(args) => stattest::run_hsic(args),
        Command::DetectAttack(args) => stattest::run_detect_attack(args),
    }
}
