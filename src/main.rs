//! The `quadra` command-line tool. See `docs/cli.md` for the contract:
//! `--format text|json`, JSON on stdout, progress on stderr only for a terminal,
//! exit codes 0 (success), 1 (bad input), 2 (numerical failure), 3 (a requested check failed).

mod cli;

use clap::Parser;

/// Large LMIs allocate and free `N × N` matrices every iteration: recycle them instead of
/// mapping and page-faulting them in again (`quadra_core::memory`).
#[global_allocator]
static ALLOC: quadra_core::memory::RecyclingAllocator = quadra_core::memory::RecyclingAllocator;

fn main() {
    // Usage errors are bad input (exit 1), not clap's default 2, which our contract reserves
    // for numerical failures; --help and --version still exit 0.
    let args = match cli::Cli::try_parse() {
        Ok(args) => args,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    let code = match cli::run(args) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e:#}");
            e.exit_code()
        }
    };
    std::process::exit(code);
}
