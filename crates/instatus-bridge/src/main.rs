//! The `instatus-bridge` binary: see `docs/bridge.md`.

use clap::Parser;

fn main() {
    let cli = instatus_bridge::cli::Cli::parse();
    std::process::exit(instatus_bridge::cli::run(cli));
}
