//! The command line: `instatus-bridge [--config FILE] <serve|once|plan|report|validate|schema>`,
//! and `instatus-bridge page plan|apply FILE` (the page declaration, no config: [`crate::page`]).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::bridge::{Bridge, Evaluation, Mode};
use crate::config::{self, Settings};
use crate::report;

/// Keeps an Instatus page true from Prometheus and Alertmanager.
#[derive(Debug, Parser)]
#[command(name = "instatus-bridge", version)]
pub struct Cli {
    /// The config file (YAML or JSON).
    #[arg(long, global = true, env = "INSTATUS_BRIDGE_CONFIG")]
    pub config: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the daemon: webhook receiver, evaluations on webhooks and every interval, /metrics.
    Serve {
        /// Address to bind (overrides server.listen); 127.0.0.1:0 picks a free port.
        #[arg(long)]
        listen: Option<String>,
    },
    /// One evaluation and apply; exit 0 converged, 2 not converged or unknown, 1 error.
    Once {
        /// Output form.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print what would change; writes nothing.
    Plan {
        /// Output form.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Also list every component with its mode and each source, and whether it answers.
        #[arg(long)]
        sources: bool,
    },
    /// Write the uptime report (Markdown, HTML, JSON) of a month or of the last days; exit 0
    /// written, 1 error, 2 written but an internal (Prometheus) figure is missing.
    Report(crate::uptime_report::ReportArgs),
    /// Check the config; exit 1 naming the field on an error.
    Validate(crate::validate::ValidateArgs),
    /// Print the config's JSON Schema.
    Schema,
    /// Plan or apply a page declaration (the status_page role's, without Ansible); needs no
    /// config. Exit 0 as declared, 2 changes planned or sent, 1 error.
    Page(crate::page::PageArgs),
}

/// Output forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable lines.
    Text,
    /// One JSON object.
    Json,
}

/// Exit code of `once` when it wrote or tried and the page is not known to be right.
pub const EXIT_NOT_CONVERGED: u8 = 2;

/// Why a command failed; `main` prints it once and exits 1.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// No `--config` and no `INSTATUS_BRIDGE_CONFIG`.
    #[error("no config: pass --config FILE or set INSTATUS_BRIDGE_CONFIG")]
    NoConfig,
    /// The config is not valid (the error names the field).
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    /// `validate` found the config not valid.
    #[error(transparent)]
    Validate(#[from] crate::validate::ValidateError),
    /// Another bridge uses the state folder.
    #[error(transparent)]
    Lock(#[from] crate::lock::LockError),
    /// The bridge cannot be built, or an evaluation could not run.
    #[error(transparent)]
    Bridge(#[from] crate::bridge::BridgeError),
    /// `serve` failed.
    #[error(transparent)]
    Serve(#[from] crate::server::ServeError),
    /// `report` wrote nothing.
    #[error("report: {0}")]
    Report(#[from] crate::uptime_report::ReportCommandError),
}

pub(crate) fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Runs the command line: the exit code (0 done; `once` and `report` document their 2), or the
/// error for `main` to print.
pub fn run(cli: Cli) -> Result<ExitCode, CliError> {
    if let Command::Schema = cli.command {
        print(&config::schema_json());
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Page(args) = &cli.command {
        return Ok(crate::page::run(args));
    }
    if let Command::Validate(args) = &cli.command {
        crate::validate::run(cli.config.as_deref(), args)?;
        return Ok(ExitCode::SUCCESS);
    }
    let path = cli.config.ok_or(CliError::NoConfig)?;
    let settings = Settings::load(&path, &config::process_env)?;
    match cli.command {
        Command::Schema | Command::Validate(_) | Command::Page(_) => Ok(ExitCode::SUCCESS),
        Command::Plan { format, sources } => plan(settings, format, sources),
        Command::Once { format } => once(settings, format),
        Command::Report(args) => Ok(crate::uptime_report::run(&settings, &args)?),
        Command::Serve { listen } => {
            crate::server::serve(settings, listen.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `plan`: evaluate without writing and print what would change.
fn plan(mut settings: Settings, format: Format, sources: bool) -> Result<ExitCode, CliError> {
    // `plan` writes nothing: a state folder not there yet holds no state, and stays absent.
    if settings
        .config
        .state_dir
        .as_ref()
        .is_some_and(|d| !d.exists())
    {
        settings.config.state_dir = None;
    }
    let mut bridge = Bridge::new(settings)?;
    let mode = Mode {
        read_sources: true,
        refresh_page: true,
        write: false,
    };
    let e = bridge.evaluate(replay(&bridge), mode)?;
    let status = &bridge.settings.config.status;
    let components = sources.then(|| bridge.probes.report(status, &bridge.persisted.answered));
    match format {
        Format::Text => {
            print(&report::plan_text(&e));
            if let Some(c) = &components {
                print(&crate::probes::report_text(c));
            }
        }
        Format::Json => {
            let mut json = report::plan_json(&e);
            if let Some(c) = &components {
                json["components"] = serde_json::json!(c);
            }
            print(&format!("{json:#}\n"));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The journal's deliveries (a `serve` may have left some), to take into this evaluation.
fn replay(bridge: &Bridge) -> Vec<instatus::status::AlertDelivery> {
    bridge.store().map(|s| s.replay().0).unwrap_or_default()
}

/// `once`: evaluate, apply, save the state, check convergence (exit 0, or
/// [`EXIT_NOT_CONVERGED`]).
pub fn once(settings: Settings, format: Format) -> Result<ExitCode, CliError> {
    let _lock = crate::lock::for_once(&settings)?;
    let mut bridge = Bridge::new(settings)?;
    for note in &bridge.startup_notes {
        eprintln!("instatus-bridge: {note}");
    }
    let (journal, next_generation) = bridge.store().map(|s| s.replay()).unwrap_or_default();
    let mode = Mode {
        read_sources: true,
        refresh_page: true,
        write: true,
    };
    let mut evaluation = bridge.evaluate(journal, mode)?;
    // Sample the due public metrics and push their one point each.
    let pushed = bridge.feed_metrics(true);
    evaluation.metrics.extend(pushed);
    crate::heartbeat::beat_once(&bridge.settings);
    if let Err(e) = bridge.save() {
        eprintln!("instatus-bridge: {e}");
    } else if let Some(store) = bridge.store() {
        if next_generation > 0 {
            store.forget_journals(next_generation - 1);
        }
    }
    let converged = converged(&mut bridge, &evaluation);
    match format {
        Format::Text => print(&report::once_text(
            &evaluation,
            converged.as_ref().err().map(String::as_str),
        )),
        Format::Json => print(&format!(
            "{:#}\n",
            report::once_json(&evaluation, converged.as_ref().err().map(String::as_str))
        )),
    }
    Ok(if converged.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_NOT_CONVERGED)
    })
}

fn converged(bridge: &mut Bridge, e: &Evaluation) -> Result<(), String> {
    let failed = e.failed_writes();
    if failed > 0 {
        return Err(format!(
            "{failed} of {} writes failed or are ambiguous",
            e.writes.len()
        ));
    }
    if let Some(m) = e
        .metrics
        .iter()
        .find(|m| m.outcome != crate::apply::Outcome::Ok)
    {
        return Err(format!("metric {}: {}", m.metric, m.detail));
    }
    if !e.writes.is_empty() {
        match bridge.check_converged() {
            Ok(plan) if !plan.actions.is_empty() => {
                return Err(format!(
                    "after the writes the plan still has {} actions (first: {})",
                    plan.actions.len(),
                    report::action_line(&plan.actions[0])
                ))
            }
            Ok(_) => {}
            Err(err) => return Err(format!("cannot re-read the page: {err}")),
        }
    }
    if let Some(s) = e.sources.iter().find(|s| !s.ok) {
        return Err(format!("{} unknown: {}", s.source, s.detail));
    }
    if let Some(n) = e
        .notes
        .iter()
        .find(|n| n.kind == instatus::status::NoteKind::Unknown)
    {
        return Err(format!("{}: {}", n.path, n.message));
    }
    Ok(())
}
