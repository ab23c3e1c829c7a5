//! The `instatus-bridge` binary: see `docs/bridge.md`.

use std::process::ExitCode;

use clap::Parser;

/// Runs the command; an error is printed once, here, and exits 1.
fn main() -> ExitCode {
    let cli = instatus_bridge::cli::Cli::parse();
    match instatus_bridge::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("instatus-bridge: error: {e}");
            ExitCode::FAILURE
        }
    }
}
