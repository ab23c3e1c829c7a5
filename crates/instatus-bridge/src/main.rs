//! The `instatus-bridge` binary: see `docs/bridge.md`.

use std::process::ExitCode;

use clap::Parser;
use instatus_bridge::cli::{Cli, Command};

/// The environment variable setting the memory ceiling, in MiB.
const CEILING_ENV: &str = "INSTATUS_BRIDGE_MEMORY_MIB";

/// The ceiling of the one-shot commands when [`CEILING_ENV`] is not set: 1 GiB.
const DEFAULT_CEILING_MIB: u64 = 1024;

/// Runs the command; an error is printed once, here, and exits 1.
fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(message) = apply_memory_ceiling(&cli.command) {
        eprintln!("instatus-bridge: error: {message}");
        return ExitCode::FAILURE;
    }
    match instatus_bridge::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("instatus-bridge: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Caps the data size (`RLIMIT_DATA`) of `validate`, `plan`, `once`, `report` and `schema` at
/// [`CEILING_ENV`] MiB (default 1 GiB), and of `serve` only when [`CEILING_ENV`] is set (the
/// daemon's memory grows with the alerts it holds: its unit's `MemoryMax=` is the tool there).
/// The template engine has no memory limit of its own, and a template doubling a text in a loop
/// reached gigabytes in `validate`; past the ceiling the process aborts ("memory allocation of
/// N bytes failed", exit by SIGABRT) instead of taking the host's memory.
fn apply_memory_ceiling(command: &Command) -> Result<(), String> {
    let value = std::env::var(CEILING_ENV).ok();
    let mib = match (&value, command) {
        (None, Command::Serve { .. }) => return Ok(()),
        (None, _) => DEFAULT_CEILING_MIB,
        (Some(v), _) => v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|n| (64..=1 << 20).contains(n))
            .ok_or_else(|| {
                format!(
                    "{CEILING_ENV}: {v:?} is not a memory ceiling; allowed: a number of MiB from \
                     64 to 1048576 (default {DEFAULT_CEILING_MIB}, none for serve)"
                )
            })?,
    };
    let bytes = mib.saturating_mul(1 << 20);
    // A limit that cannot be set (an odd platform) leaves the process as it was.
    if let Ok((_, hard)) = rlimit::getrlimit(rlimit::Resource::DATA) {
        let _ = rlimit::setrlimit(rlimit::Resource::DATA, bytes.min(hard), hard);
    }
    Ok(())
}
