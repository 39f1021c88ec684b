//! Command-line interface: one module per subcommand.

mod output;
mod sdp;

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
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Sdp(args) => sdp::run(args),
    }
}
