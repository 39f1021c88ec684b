//! Command-line interface: one module per subcommand.

mod bayes;
mod bayes_plot;
mod gamp;
mod output;
mod quadrature;
mod sdp;
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
    /// Solve a semidefinite program in SDPA sparse format (.dat-s) with clarabel.
    Sdp(sdp::SdpArgs),
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
        Command::Sdp(args) => sdp::run(args),
        Command::Quadrature(args) => quadrature::run_quadrature(args),
        Command::Intrl(args) => quadrature::run_intrl(args),
        Command::Mmd(args) => stattest::run_mmd(args),
        Command::Hsic(args) => stattest::run_hsic(args),
        Command::DetectAttack(args) => stattest::run_detect_attack(args),
    }
}
