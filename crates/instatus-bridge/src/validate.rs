//! `validate [FILE]`: checks a config as `promtool check config FILE` does, on the machine that
//! runs the bridge (every secret file read) or, with `--no-secrets`, anywhere (the secret files
//! are listed, not read).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::config::{self, Secrets, Settings};

/// `validate`'s arguments.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The config file (the same as `--config FILE`; one of the two).
    pub file: Option<PathBuf>,
    /// Do not read the secret files (API key, tokens, passwords, the client key): check the
    /// rest, and list them. For a machine that does not hold them (a laptop, CI).
    #[arg(long)]
    pub no_secrets: bool,
}

/// Runs `validate`; returns the exit code (0 valid, 1 not).
pub fn run(global: Option<&Path>, args: &ValidateArgs) -> i32 {
    let path = match (&args.file, global) {
        (Some(file), Some(global)) if file != global => {
            return fail(format!(
            "two configs: {} (argument) and {} (--config or INSTATUS_BRIDGE_CONFIG); allowed: one",
            file.display(),
            global.display()
        ))
        }
        (Some(file), _) => file.as_path(),
        (None, Some(global)) => global,
        (None, None) => {
            return fail("no config: pass FILE, --config FILE or set INSTATUS_BRIDGE_CONFIG")
        }
    };
    let mode = if args.no_secrets {
        Secrets::Skip
    } else {
        Secrets::Read
    };
    let settings = match Settings::load_with(path, &config::process_env, mode) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let s = &settings.config.status;
    let mut text = format!(
        "{}: valid ({} components, {} groups, {} queries, {} probes, {} public metrics)\n",
        path.display(),
        s.components.len(),
        s.groups.len(),
        settings.engine.queries().len(),
        settings.config.probes.len(),
        settings.config.metrics.len()
    );
    if !settings.unread_secrets.is_empty() {
        text.push_str("secret files not read (--no-secrets); the bridge reads them at start:\n");
        for (field, file) in &settings.unread_secrets {
            text.push_str(&format!("  {field}: {file}\n"));
        }
    }
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    crate::cli::EXIT_OK
}

fn fail(message: impl std::fmt::Display) -> i32 {
    eprintln!("instatus-bridge: error: {message}");
    crate::cli::EXIT_ERROR
}
