//! The `quadra` command-line tool. See `docs/cli.md` for the contract:
//! `--format text|json`, JSON on stdout, progress on stderr only for a terminal,
//! exit codes 0 (success), 1 (bad input), 2 (numerical failure), 3 (a requested check failed).

mod cli;

use clap::Parser;

fn main() {
    let args = cli::Cli::parse();
    let code = match cli::run(args) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e:#}");
            e.exit_code()
        }
    };
    std::process::exit(code);
}
