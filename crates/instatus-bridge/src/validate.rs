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

/// Why a config is not valid, or which config is meant is not clear.
#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    /// A file argument and a different `--config`.
    #[error("two configs: {} (argument) and {} (--config or INSTATUS_BRIDGE_CONFIG); allowed: one", file.display(), global.display())]
    TwoConfigs {
        /// The argument.
        file: PathBuf,
        /// `--config` or `INSTATUS_BRIDGE_CONFIG`.
        global: PathBuf,
    },
    /// No config at all.
    #[error("no config: pass FILE, --config FILE or set INSTATUS_BRIDGE_CONFIG")]
    NoConfig,
    /// The config is not valid (the error names the field).
    #[error(transparent)]
    Invalid(#[from] config::ConfigError),
}

/// Runs `validate`: prints the summary of a valid config, or says why it is not.
pub fn run(global: Option<&Path>, args: &ValidateArgs) -> Result<(), ValidateError> {
    let path = match (&args.file, global) {
        (Some(file), Some(global)) if file != global => {
            return Err(ValidateError::TwoConfigs {
                file: file.clone(),
                global: global.to_owned(),
            })
        }
        (Some(file), _) => file.as_path(),
        (None, Some(global)) => global,
        (None, None) => return Err(ValidateError::NoConfig),
    };
    let mode = if args.no_secrets {
        Secrets::Skip
    } else {
        Secrets::Read
    };
    let settings = Settings::load_with(path, &config::process_env, mode)?;
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
    Ok(())
}
