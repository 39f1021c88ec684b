//! Output format, exit codes and progress shared by the subcommands.

use std::fmt;
use std::io::IsTerminal;

/// `--format`: text for people (default), JSON for scripts (one document on stdout).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    /// Aligned `key value` lines.
    #[default]
    Text,
    /// One JSON document.
    Json,
}

/// An error with the exit code of the CLI contract.
#[derive(Debug)]
pub enum CliError {
    /// Exit 1: the input is malformed (the message names the file and the problem).
    BadInput(anyhow::Error),
    /// Exit 2: a numerical failure (solver status, iterations, residuals).
    Numerical(anyhow::Error),
    /// Exit 3: a check that was asked for did not hold.
    CheckFailed(anyhow::Error),
}

impl CliError {
    /// The process exit code.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::BadInput(_) => 1,
            CliError::Numerical(_) => 2,
            CliError::CheckFailed(_) => 3,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = match self {
            CliError::BadInput(e) | CliError::Numerical(e) | CliError::CheckFailed(e) => e,
        };
        if f.alternate() {
            write!(f, "{e:#}")
        } else {
            write!(f, "{e}")
        }
    }
}

/// Progress on stderr, shown only when stderr is a terminal.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    enabled: bool,
}

impl Progress {
    /// Progress for the current process (enabled iff stderr is a terminal).
    pub fn for_stderr() -> Self {
        Progress {
            enabled: std::io::stderr().is_terminal(),
        }
    }

    /// Overwrites the current status line.
    pub fn line(self, msg: &str) {
        if self.enabled {
            eprint!("\r\x1b[2K{msg}");
        }
    }

    /// Clears the status line.
    pub fn finish(self) {
        if self.enabled {
            eprint!("\r\x1b[2K");
        }
    }
}

/// Prints `key value` rows aligned.
pub fn print_table(rows: &[(&str, String)]) {
    let w = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in rows {
        println!("{k:<w$}  {v}");
    }
}
