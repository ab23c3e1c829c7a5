//! `instatus-emulator`: runs the local Instatus API stand-in until SIGINT/SIGTERM.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use instatus_emulator::{cli, Config, Emulator, FaultRule, RateLimit};

/// A faithful local stand-in for the Instatus REST API.
#[derive(Parser)]
#[command(name = "instatus-emulator", version, about)]
struct Args {
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to listen on (0 picks a free one; the chosen address is printed).
    #[arg(long, default_value_t = 8788)]
    port: u16,
    /// API key clients must send as a Bearer token.
    #[arg(
        long,
        env = "INSTATUS_EMULATOR_API_KEY",
        hide_env_values = true,
        default_value = instatus_emulator::DEFAULT_API_KEY,
        hide_default_value = true
    )]
    api_key: String,
    /// State file: loaded at start if present, saved on SIGINT/SIGTERM and POST /_emulator/save.
    #[arg(long = "state", value_name = "FILE")]
    state: Option<PathBuf>,
    /// Pre-create a page: SUBDOMAIN[=NAME] (repeatable).
    #[arg(long = "page", value_name = "SUBDOMAIN[=NAME]", value_parser = cli::parse_page)]
    pages: Vec<(String, String)>,
    /// Rate limit on API requests: N/SECONDS[,no-retry-after].
    #[arg(long, value_name = "N/SECONDS[,no-retry-after]", value_parser = cli::parse_rate_limit)]
    rate_limit: Option<RateLimit>,
    /// Inject a fault: 'METHOD PATH ACTION[ xN]' (repeatable); ACTION = 500, 500-after,
    /// delay=10s, delay=250ms, drop, drop-after, malformed.
    #[arg(long = "fault", value_name = "METHOD PATH ACTION[ xN]", value_parser = cli::parse_fault)]
    faults: Vec<FaultRule>,
    /// Largest request body accepted, in bytes; larger ones get HTTP 413.
    #[arg(long, value_name = "BYTES", default_value_t = instatus_emulator::DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: usize,
    /// Behave like a lenient API: accept this request field (wire name, e.g. customDomain or
    /// groupId) with 200 but do not apply it (repeatable).
    #[arg(long = "ignore-field", value_name = "FIELD")]
    ignored_fields: Vec<String>,
    /// Secret that outgoing webhooks to webhook subscribers are signed with
    /// (`x-instatus-webhook-signature`, hex HMAC-SHA256 of the body).
    #[arg(
        long,
        env = "INSTATUS_EMULATOR_WEBHOOK_SECRET",
        hide_env_values = true,
        default_value = instatus_emulator::DEFAULT_WEBHOOK_SECRET,
        hide_default_value = true
    )]
    webhook_secret: String,
}

/// Why the emulator stopped with an error; `main` prints it once.
#[derive(Debug, thiserror::Error)]
enum MainError {
    /// The listener or the state file could not be set up.
    #[error("cannot start: {0}")]
    Start(#[source] std::io::Error),
    /// The async runtime could not be built.
    #[error("{0}")]
    Runtime(#[source] std::io::Error),
    /// The state could not be saved at shutdown.
    #[error("saving state failed: {0}")]
    Save(#[source] std::io::Error),
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("instatus-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Serves until SIGINT or SIGTERM, then saves the state (when a state file is set).
fn run(args: Args) -> Result<(), MainError> {
    let config = Config {
        api_key: args.api_key,
        bind: SocketAddr::new(args.host, args.port),
        state_file: args.state,
        rate_limit: args.rate_limit,
        faults: args.faults,
        pages: args.pages,
        max_body_bytes: args.max_body_bytes,
        ignored_fields: args.ignored_fields,
        webhook_secret: instatus::Secret::new(args.webhook_secret),
    };
    let emu = Emulator::start(config).map_err(MainError::Start)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(MainError::Runtime)?;
    // The signal handlers are installed before the address is printed: whoever reads the line
    // and sends SIGTERM at once gets a saved state, not a killed process.
    rt.block_on(async {
        let signalled = wait_for_signal();
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "instatus-emulator listening on {}", emu.url());
        let _ = writeln!(out, "preview: {}", emu.preview_url());
        let _ = out.flush();
        drop(out);
        signalled.await;
    });
    let saved = emu.save().map_err(MainError::Save);
    emu.shutdown();
    saved
}

/// Installs the SIGTERM and Ctrl-C handlers now; the returned future ends on either.
fn wait_for_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let ctrl_c = tokio::signal::ctrl_c();
    async move {
        #[cfg(unix)]
        if let Some(mut term) = term {
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = ctrl_c.await;
    }
}
