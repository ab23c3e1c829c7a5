//! `instatus-bridge page plan|apply FILE`: the declarative page without Ansible. The file is the
//! declaration the `page_spec` module (and so the `status_page` role) takes: `settings`,
//! `components`, `scope`, `prune`, `dedupe`, read into the same types with the same errors, and
//! run through the same library call ([`instatus::desired::converge()`]). Exit codes for CI: 0 the
//! page is as declared, 2 changes planned (plan) or sent (apply), 1 error. The contract is
//! `docs/page-cli.md`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand};
use instatus::desired::{self, ConvergeError, Converged, InvalidSpec, Mode, PageSpec, PlanOptions};
use instatus::{Client, API_KEY_ENV, DEFAULT_BASE_URL};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use std::process::ExitCode;

use crate::cli::EXIT_NOT_CONVERGED;

/// The largest declaration file read.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// `page`: plan or apply a page declaration.
#[derive(Debug, Args)]
pub struct PageArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: PageAction,
}

/// `page` subcommands.
#[derive(Debug, Subcommand)]
pub enum PageAction {
    /// Print what `apply` would change; sends no write. Exit 0 as declared, 2 changes planned, 1
    /// error.
    Plan(PageRun),
    /// Apply the declaration, read the page back and report what it now shows. Exit 0 nothing to
    /// change, 2 changes sent, 1 error (after writes: with what was written).
    Apply(PageRun),
}

/// The options of `page plan` and `page apply`. The API key comes from `INSTATUS_API_KEY` only
/// (a flag would show in the process list).
#[derive(Debug, Args)]
pub struct PageRun {
    /// The page declaration (YAML or JSON): `settings`, `components`, `scope`, `prune`, `dedupe`.
    pub file: PathBuf,
    /// The status page: its id, subdomain or name.
    #[arg(long, env = "INSTATUS_PAGE", default_value = "ephemery")]
    pub page: String,
    /// The API's base URL.
    #[arg(long, env = "INSTATUS_BASE_URL", default_value = DEFAULT_BASE_URL)]
    pub base_url: String,
    /// Seconds allowed for each HTTP request (1 to 3600).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// Print one JSON object instead of lines.
    #[arg(long)]
    pub json: bool,
}

/// The declaration file: the `page_spec` module's declaration options.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Declaration {
    #[serde(default)]
    settings: Map<String, Value>,
    #[serde(default)]
    components: Vec<Value>,
    #[serde(default)]
    scope: Vec<Value>,
    #[serde(default)]
    prune: bool,
    #[serde(default)]
    dedupe: bool,
}

/// A declaration file that cannot be used; nothing was sent.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file cannot be read, or a field has the wrong shape (YAML, types, unknown keys).
    #[error("{path}: {message}")]
    Field {
        /// Where: `FILE`, `(YAML)`, `(top level)`, `components[0].colour`...
        path: String,
        /// What is wrong, with the allowed values where there is a list.
        message: String,
    },
    /// The declaration reads but is wrong: every problem, each with its field path.
    #[error(transparent)]
    Spec(#[from] InvalidSpec),
}

fn field(path: impl Into<String>, message: impl Into<String>) -> InputError {
    InputError::Field {
        path: path.into(),
        message: message.into(),
    }
}

/// Reads and checks a declaration file: the spec and its plan options. Errors name the field
/// (`components[1].components[0].name: ...`).
pub fn load(path: &Path) -> Result<(PageSpec, PlanOptions), InputError> {
    let bytes = crate::secret_file::read_bounded("FILE", path, MAX_FILE_BYTES)
        .map_err(|e| field(e.path, e.message))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| field("FILE", format!("{} is not UTF-8 text: {e}", path.display())))?;
    // Through a YAML value: it refuses a key given twice (JSON is YAML).
    let yaml: yaml_serde::Value = yaml_serde::from_str(&text).map_err(|e| {
        let e = crate::checks::yaml_error(&text, &e);
        field(e.path, e.message)
    })?;
    let value = serde_json::to_value(yaml).map_err(|e| field("(YAML)", e.to_string()))?;
    if !value.is_object() {
        return Err(field(
            "(top level)",
            "the declaration must be a mapping (settings, components, scope, prune, dedupe)",
        ));
    }
    let d: Declaration = serde_path_to_error::deserialize(&value)
        .map_err(|e| field(e.path().to_string(), e.inner().to_string()))?;
    if d.settings.contains_key("sms_credentials") {
        return Err(field(
            "settings.sms_credentials",
            "not taken from a declaration file (it would sit next to the page in version \
             control); set SMS credentials with the ephemery.instatus.page_spec module's \
             sms_credentials option",
        ));
    }
    let spec = PageSpec::from_json(json!({
        "settings": d.settings,
        "components": d.components,
        "scope": d.scope,
    }))?;
    Ok((
        spec,
        PlanOptions {
            prune: d.prune,
            dedupe: d.dedupe,
        },
    ))
}

/// Runs `page plan` or `page apply`; returns the exit code (its error, if any, is printed here,
/// once, after the report that carries it too).
pub fn run(args: &PageArgs) -> ExitCode {
    let (mode, run) = match &args.action {
        PageAction::Plan(r) => (Mode::Plan, r),
        PageAction::Apply(r) => (Mode::Apply, r),
    };
    let mut report = Report::new(mode);
    let code = match execute(mode, run, &mut report) {
        Ok(code) => code,
        Err(message) => {
            report.error = Some(message);
            ExitCode::FAILURE
        }
    };
    if run.json {
        crate::cli::print(&format!("{:#}\n", report.json()));
    } else {
        crate::cli::print(&report.text());
    }
    if let Some(e) = &report.error {
        eprintln!("instatus-bridge: error: {e}");
    }
    code
}

fn execute(mode: Mode, run: &PageRun, report: &mut Report) -> Result<ExitCode, String> {
    let (spec, options) = load(&run.file).map_err(|e| e.to_string())?;
    let key = std::env::var(API_KEY_ENV).unwrap_or_default();
    instatus::validate::api_key(&key).map_err(|e| format!("{API_KEY_ENV}: {e}"))?;
    instatus::validate::base_url(&run.base_url).map_err(|e| format!("--base-url: {e}"))?;
    if run.page.trim().is_empty() {
        return Err(
            "--page (INSTATUS_PAGE): is empty; allowed: the page's id, subdomain or name".into(),
        );
    }
    let client = Client::builder(key)
        .base_url(run.base_url.as_str())
        .timeout(Duration::from_secs(run.timeout))
        .user_agent(concat!("instatus-bridge/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| e.to_string())?;
    let result = desired::read(&client, &run.page)
        .map_err(|e| e.to_string())
        .and_then(|current| {
            report.page = Some(json!({
                "id": current.page.id.as_str(),
                "name": current.page.name_str(),
                "subdomain": current.page.subdomain,
            }));
            let mut cache = desired::cache::IgnoredWrites::open(&run.base_url);
            let now = instatus::jiff::Timestamp::now();
            desired::converge(&client, &spec, &current, options, mode, &mut cache, now).map_err(
                |e| {
                    report.written = e.written().to_vec();
                    if let ConvergeError::Apply(a) = &e {
                        report.failed_change = Some(a.failed.clone());
                    }
                    e.to_string()
                },
            )
        });
    report.requests = client.request_count();
    let done = result?;
    report.record(&done);
    Ok(if done.plan.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_NOT_CONVERGED)
    })
}

/// What a run prints: the same fields in text and JSON.
struct Report {
    mode: Mode,
    page: Option<Value>,
    done: Option<Converged>,
    written: Vec<String>,
    failed_change: Option<String>,
    requests: u64,
    error: Option<String>,
}

impl Report {
    fn new(mode: Mode) -> Self {
        Self {
            mode,
            page: None,
            done: None,
            written: Vec::new(),
            failed_change: None,
            requests: 0,
            error: None,
        }
    }

    fn record(&mut self, done: &Converged) {
        if let Some(applied) = &done.applied {
            self.written = applied.done.clone();
        }
        self.done = Some(done.clone());
    }

    fn json(&self) -> Value {
        let mut out = json!({
            "command": match self.mode { Mode::Plan => "plan", Mode::Apply => "apply" },
            "page": self.page,
            "written": self.written,
            "requests": self.requests,
        });
        if let Some(d) = &self.done {
            let applied = d.applied.as_ref();
            let fields = json!({
                "changed": d.changed(),
                "plan": d.plan.render().lines().collect::<Vec<_>>(),
                "changes": d.plan.change_labels(),
                "writes_planned": d.plan.write_count(),
                "applied": d.verified.as_ref().map(|v| v.applied.clone()).unwrap_or_default(),
                "not_applied": d.not_applied(),
                "created": applied.map(|a| a.created.iter()
                    .map(|(path, id)| (path.clone(), json!(id.as_str())))
                    .collect::<Map<_, _>>()).unwrap_or_default(),
                "recovered": applied.map(|a| a.recovered.clone()).unwrap_or_default(),
                "refused": applied.map(|a| a.refused.iter()
                    .map(|(s, m)| json!({"setting": s, "message": m}))
                    .collect::<Vec<_>>()).unwrap_or_default(),
                "unmanaged": d.plan.unmanaged,
                "duplicates": d.duplicates().iter().map(|x| json!({
                    "path": x.path,
                    "kept": x.kept.as_str(),
                    "copies": x.copies.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
                "warnings": d.plan.warnings,
            });
            if let (Some(o), Value::Object(f)) = (out.as_object_mut(), fields) {
                o.extend(f);
            }
        }
        if let Some(e) = &self.error {
            out["error"] = json!(e);
            out["changed"] = json!(!self.written.is_empty());
            if let Some(f) = &self.failed_change {
                out["failed_change"] = json!(f);
            }
        }
        out
    }

    fn text(&self) -> String {
        let mut out = String::new();
        if let Some(d) = &self.done {
            out.push_str(&d.plan.render());
            let summary = match (self.mode, &d.verified) {
                (_, _) if d.plan.is_empty() => "the page is as declared".to_owned(),
                (Mode::Plan, _) => format!(
                    "would apply: {} write(s); nothing was sent",
                    d.plan.write_count()
                ),
                (Mode::Apply, Some(v)) if v.changed() => format!(
                    "applied: {} write(s) accepted, {} change(s) on the page read back",
                    self.written.len(),
                    v.applied.len()
                ),
                (Mode::Apply, _) => {
                    "nothing applied: the API did not apply the changes it was sent".to_owned()
                }
            };
            out.push_str(&summary);
            out.push('\n');
            let not_applied = d.not_applied();
            if !not_applied.is_empty() {
                out.push_str(&format!(
                    "not applied (the page does not show it): {}\n",
                    not_applied.join(", ")
                ));
            }
        } else if !self.written.is_empty() {
            out.push_str(&format!(
                "written before the error: {}\n",
                self.written.join("; ")
            ));
        }
        out
    }
}
