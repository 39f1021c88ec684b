//! Command-line interface: one module per subcommand.

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
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Sdp(args) => sdp::run(args),
        Command::Quadrature(args) => quadrature::run_quadrature(args),
        Command::Intrl(args) => quadrature::run_intrl(args),
        Command::Mmd(args) => stattest::run_mmd(args),
        Command::Hsic(args) => stattest::run_hsic(args),
    }
}
