//! The config file (YAML or JSON), its defaults, the environment overrides, and the secrets read
//! from files. [`Settings::load`] gives a checked, resolved configuration or an error naming the
//! field path.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use instatus::status::Engine;
use instatus::Secret;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The whole config file.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The Instatus account and page.
    #[serde(default)]
    pub instatus: InstatusConfig,
    /// Prometheus, for threshold rules and public metrics. Env `PROMETHEUS_URL` creates or
    /// overrides it.
    #[serde(default)]
    pub prometheus: Option<PrometheusConfig>,
    /// Alertmanager, read (`/api/v2/alerts`) at start, every interval and by `once`/`plan`. Env
    /// `ALERTMANAGER_URL` creates or overrides it.
    #[serde(default)]
    pub alertmanager: Option<AlertmanagerConfig>,
    /// The webhook receiver of `serve`.
    #[serde(default)]
    pub server: ServerConfig,
    /// Where the state (hold timers, alerts) and the webhook journal are kept. Default: none
    /// (state in memory only; `once` then starts its timers from the page every run).
    #[serde(default)]
    pub state_dir: Option<PathBuf>,
    /// Built-in health probes (execution JSON-RPC, beacon API, HTTP, TCP, this host), run
    /// concurrently at every interval evaluation; threshold rules read their signals with
    /// `probe: NAME.SIGNAL`. Default: none.
    #[serde(default)]
    pub probes: Vec<instatus::sources::probes::ProbeConfig>,
    /// The status engine's configuration (components, rules, groups, incidents, flapping,
    /// freshness): see docs/status-engine.md.
    pub status: instatus::status::Config,
    /// Public Instatus metrics fed from PromQL. Default: none.
    #[serde(default)]
    pub metrics: Vec<PublicMetric>,
    /// Ephemery's network resets: automation leaves the components alone during each reset
    /// window (computed from the schedule, no maintenance needed), and `/calendar.ics` lists
    /// the upcoming resets. Default: none.
    #[serde(default)]
    pub ephemery_resets: Option<crate::resets::ResetsConfig>,
    /// `/calendar.ics`: the page's maintenances (and the resets) as an iCalendar file.
    #[serde(default)]
    pub calendar: CalendarConfig,
}

/// `/calendar.ics`, as the `calendar` module writes it (same UIDs, so one subscription never
/// duplicates the other's events).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CalendarConfig {
    /// The calendar's name (`X-WR-CALNAME`). Default: the page's name.
    pub name: Option<String>,
    /// The right-hand side of every UID. Default: the page's custom domain, else
    /// `SUBDOMAIN.instatus.com`.
    pub uid_domain: Option<String>,
    /// Maintenances that ended more than this many days ago are left out (0 to 3660). Default 30.
    pub past_days: i64,
}

impl Default for CalendarConfig {
    fn default() -> Self {
        Self {
            name: None,
            uid_domain: None,
            past_days: 30,
        }
    }
}

/// The Instatus side.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct InstatusConfig {
    /// The API. Default `https://api.instatus.com`; env `INSTATUS_BASE_URL` wins.
    pub base_url: String,
    /// A file holding the API key. Env `INSTATUS_API_KEY` wins over it.
    pub api_key_file: Option<PathBuf>,
    /// The page: its id, subdomain or name. Env `INSTATUS_PAGE` wins.
    pub page: Option<String>,
    /// Writes per second at most, spaced evenly. Default 1.
    pub writes_per_second: f64,
    /// Time allowed per request, seconds. Default 30.
    pub timeout_secs: u64,
    /// This replica's position among the bridges writing the same page, from 0. Replica N waits
    /// N x `replica_wait_secs` before it writes, then reads the page again and skips what
    /// another replica wrote meanwhile (as Alertmanager's replicas wait their position x
    /// `peer_timeout`), so two replicas make one write. Default 0 (write at once).
    pub replica: u32,
    /// The wait per position, seconds. Default 5.
    pub replica_wait_secs: u64,
}

impl Default for InstatusConfig {
    fn default() -> Self {
        Self {
            base_url: instatus::DEFAULT_BASE_URL.to_owned(),
            api_key_file: None,
            page: None,
            writes_per_second: 1.0,
            timeout_secs: 30,
            replica: 0,
            replica_wait_secs: 5,
        }
    }
}

/// Prometheus.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PrometheusConfig {
    /// The server. Default `http://127.0.0.1:9090`.
    pub url: String,
    /// `serve` evaluates this often, seconds. Default 30 (also without a `prometheus` section).
    pub interval_secs: u64,
    /// Time allowed per query, seconds. Default 10.
    pub timeout_secs: u64,
}

impl Default for PrometheusConfig {
    fn default() -> Self {
        Self {
            url: "http://127.0.0.1:9090".to_owned(),
            interval_secs: DEFAULT_INTERVAL_SECS,
            timeout_secs: 10,
        }
    }
}

/// The evaluation interval when nothing says otherwise.
pub const DEFAULT_INTERVAL_SECS: u64 = 30;

/// Alertmanager.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AlertmanagerConfig {
    /// The server. Default `http://127.0.0.1:9093`.
    pub url: String,
}

impl Default for AlertmanagerConfig {
    fn default() -> Self {
        Self {
            url: "http://127.0.0.1:9093".to_owned(),
        }
    }
}

/// The webhook receiver.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address to bind. Default `127.0.0.1:9741`; `serve --listen` wins.
    pub listen: String,
    /// How Alertmanager authenticates (its `http_config`). Default: none (keep `listen` on
    /// loopback then).
    pub auth: Option<AuthConfig>,
    /// Largest webhook body accepted, bytes. Default 1048576 (1 MiB); larger get 413.
    pub max_body_bytes: usize,
    /// A file holding the secret of an Instatus webhook subscriber pointed at `POST /instatus`
    /// (the signature `x-instatus-webhook-signature` is checked with it): a person's incident or
    /// maintenance is then seen at once, not at the next interval. Env `INSTATUS_WEBHOOK_SECRET`
    /// wins. Default: none (`/instatus` answers 404).
    pub instatus_webhook_secret_file: Option<PathBuf>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:9741".to_owned(),
            auth: None,
            max_body_bytes: 1024 * 1024,
            instatus_webhook_secret_file: None,
        }
    }
}

/// Webhook authentication, as Alertmanager's `http_config` sends it (one of the two).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum AuthConfig {
    /// `Authorization: Bearer <token>`; the token is read from this file.
    BearerTokenFile(PathBuf),
    /// `Authorization: Basic ...`.
    Basic(BasicAuthConfig),
}

/// Basic auth credentials.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BasicAuthConfig {
    /// The user name.
    pub username: String,
    /// A file holding the password.
    pub password_file: PathBuf,
}

/// A public metric on the page, fed from a PromQL query.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicMetric {
    /// The metric's name on the page; created when missing.
    pub name: String,
    /// An instant query giving one series or a scalar.
    pub query: String,
    /// The unit shown, used when the metric is created. Default "".
    #[serde(default)]
    pub suffix: String,
    /// Seconds between points. Default 60, at least 30 (the API's spacing of points).
    #[serde(default = "default_every")]
    pub every_secs: u64,
}

fn default_every() -> u64 {
    60
}

/// The smallest spacing of metric points the API accepts.
pub const MIN_METRIC_SPACING_SECS: u64 = 30;

/// A config error: the field path and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{path}`: {message}")]
pub struct ConfigError {
    /// The field, e.g. `server.auth`.
    pub path: String,
    /// What is wrong, with the allowed values where there is a list.
    pub message: String,
}

fn err(path: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError {
        path: path.into(),
        message: message.into(),
    }
}

/// Webhook credentials, read from their files.
#[derive(Clone, Debug)]
pub enum WebhookAuth {
    /// The bearer token.
    Bearer(Secret),
    /// User and password.
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: Secret,
    },
}

/// The configuration resolved: environment applied, secrets read, everything checked.
#[derive(Debug)]
pub struct Settings {
    /// The file as parsed, with the environment's overrides applied.
    pub config: Config,
    /// The Instatus API key.
    pub api_key: Secret,
    /// The page (id, subdomain or name).
    pub page: String,
    /// The webhook credentials, if any.
    pub webhook_auth: Option<WebhookAuth>,
    /// The listen address.
    pub listen: SocketAddr,
    /// The validated engine.
    pub engine: Engine,
    /// The Ephemery reset schedule, if configured.
    pub resets: Option<crate::resets::Resets>,
    /// The secret Instatus signs its webhooks to `/instatus` with, if configured.
    pub instatus_webhook_secret: Option<Secret>,
}

/// Reads the environment variable (the process environment, or a map in tests).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment, empty values treated as unset.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Settings {
    /// Reads and checks the config file at `path`.
    pub fn load(path: &Path, env: Env<'_>) -> Result<Settings, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| err("--config", format!("cannot read {}: {e}", path.display())))?;
        let config = parse(&text, path)?;
        Settings::resolve(config, env)
    }

    /// Applies the environment, reads the secrets and checks everything.
    pub fn resolve(mut config: Config, env: Env<'_>) -> Result<Settings, ConfigError> {
        if let Some(url) = env(instatus::BASE_URL_ENV) {
            config.instatus.base_url = url;
        }
        if let Some(page) = env("INSTATUS_PAGE") {
            config.instatus.page = Some(page);
        }
        if let Some(url) = env("PROMETHEUS_URL") {
            config.prometheus.get_or_insert_with(Default::default).url = url;
        }
        if let Some(url) = env("ALERTMANAGER_URL") {
            config.alertmanager.get_or_insert_with(Default::default).url = url;
        }
        let i = &config.instatus;
        check_url("instatus.base_url", &i.base_url)?;
        let api_key = match (env(instatus::API_KEY_ENV), &i.api_key_file) {
            (Some(key), _) => Secret::new(key),
            (None, Some(file)) => read_secret("instatus.api_key_file", file)?,
            (None, None) => {
                return Err(err(
                    "instatus.api_key_file",
                    "no API key: set instatus.api_key_file or the environment variable INSTATUS_API_KEY",
                ))
            }
        };
        let page = match &i.page {
            Some(p) if !p.trim().is_empty() => p.trim().to_owned(),
            _ => {
                return Err(err(
                    "instatus.page",
                    "missing: the page's id, subdomain or name (or the environment variable INSTATUS_PAGE)",
                ))
            }
        };
        if !(i.writes_per_second.is_finite()
            && i.writes_per_second >= instatus::MIN_REQUESTS_PER_SECOND)
        {
            return Err(err(
                "instatus.writes_per_second",
                format!(
                    "{} is out of range; allowed: a number of at least {} (one an hour)",
                    i.writes_per_second,
                    instatus::MIN_REQUESTS_PER_SECOND
                ),
            ));
        }
        positive("instatus.timeout_secs", i.timeout_secs)?;
        if i.replica > 16 {
            return Err(err(
                "instatus.replica",
                format!(
                    "{} is out of range; allowed: 0 to 16 (this bridge's position among the replicas)",
                    i.replica
                ),
            ));
        }
        if i.replica_wait_secs > 300 {
            return Err(err(
                "instatus.replica_wait_secs",
                format!(
                    "{} is out of range; allowed: 0 to 300 seconds",
                    i.replica_wait_secs
                ),
            ));
        }
        if let Some(p) = &config.prometheus {
            check_url("prometheus.url", &p.url)?;
            positive("prometheus.interval_secs", p.interval_secs)?;
            positive("prometheus.timeout_secs", p.timeout_secs)?;
        }
        if let Some(a) = &config.alertmanager {
            check_url("alertmanager.url", &a.url)?;
        }
        let listen: SocketAddr = config.server.listen.parse().map_err(|_| {
            err(
                "server.listen",
                format!(
                    "{:?} is not an address; allowed: IP:PORT, e.g. 127.0.0.1:9741 or [::1]:9741",
                    config.server.listen
                ),
            )
        })?;
        if config.server.max_body_bytes < 1024 {
            return Err(err(
                "server.max_body_bytes",
                format!(
                    "{} is too small; allowed: at least 1024",
                    config.server.max_body_bytes
                ),
            ));
        }
        let webhook_auth = match &config.server.auth {
            None => None,
            Some(AuthConfig::BearerTokenFile(file)) => Some(WebhookAuth::Bearer(read_secret(
                "server.auth.bearer_token_file",
                file,
            )?)),
            Some(AuthConfig::Basic(b)) => {
                if b.username.is_empty() || b.username.contains(':') {
                    return Err(err(
                        "server.auth.basic.username",
                        "must be non-empty and contain no `:`",
                    ));
                }
                Some(WebhookAuth::Basic {
                    username: b.username.clone(),
                    password: read_secret("server.auth.basic.password_file", &b.password_file)?,
                })
            }
        };
        let mut names = std::collections::HashSet::new();
        for (k, m) in config.metrics.iter().enumerate() {
            if m.name.trim().is_empty() {
                return Err(err(format!("metrics[{k}].name"), "must not be empty"));
            }
            if !names.insert(m.name.as_str()) {
                return Err(err(
                    format!("metrics[{k}].name"),
                    format!("{:?} is configured twice", m.name),
                ));
            }
            if m.query.trim().is_empty() {
                return Err(err(format!("metrics[{k}].query"), "must not be empty"));
            }
            if m.every_secs < MIN_METRIC_SPACING_SECS {
                return Err(err(
                    format!("metrics[{k}].every_secs"),
                    format!(
                        "{} is too small; allowed: at least {MIN_METRIC_SPACING_SECS} (Instatus wants points at least 30 s apart)",
                        m.every_secs
                    ),
                ));
            }
        }
        if !config.metrics.is_empty() && config.prometheus.is_none() {
            return Err(err(
                "metrics",
                "public metrics need a `prometheus` section (or PROMETHEUS_URL)",
            ));
        }
        let has_promql = config.status.components.iter().any(|c| {
            c.rules.iter().any(
                |r| matches!(r, instatus::status::RuleConfig::Threshold(t) if t.promql().is_some()),
            )
        });
        if has_promql && config.prometheus.is_none() {
            return Err(err(
                "prometheus",
                "threshold rules need a `prometheus` section (or PROMETHEUS_URL) for their `query`",
            ));
        }
        let engine = Engine::new(config.status.clone())
            .map_err(|e| err(format!("status.{}", e.path), e.message))?;
        crate::probes::validate(&config.probes, &config.status)
            .map_err(|(path, message)| err(path, message))?;
        let declared: Vec<String> = config
            .status
            .components
            .iter()
            .map(|c| c.path.clone())
            .collect();
        let resets = match &config.ephemery_resets {
            Some(r) => Some(
                r.resolve(&declared)
                    .map_err(|(path, message)| err(path, message))?,
            ),
            None => None,
        };
        if !(0..=3660).contains(&config.calendar.past_days) {
            return Err(err(
                "calendar.past_days",
                format!(
                    "{} is out of range; allowed: 0 to 3660",
                    config.calendar.past_days
                ),
            ));
        }
        let instatus_webhook_secret = match (
            env("INSTATUS_WEBHOOK_SECRET"),
            &config.server.instatus_webhook_secret_file,
        ) {
            (Some(secret), _) => Some(Secret::new(secret)),
            (None, Some(file)) => Some(read_secret("server.instatus_webhook_secret_file", file)?),
            (None, None) => None,
        };
        Ok(Settings {
            config,
            api_key,
            page,
            webhook_auth,
            listen,
            engine,
            resets,
            instatus_webhook_secret,
        })
    }

    /// How often `serve` evaluates.
    pub fn interval(&self) -> Duration {
        Duration::from_secs(
            self.config
                .prometheus
                .as_ref()
                .map_or(DEFAULT_INTERVAL_SECS, |p| p.interval_secs),
        )
    }
}

/// Parses the file's text: JSON for `.json` or a body starting with `{`, YAML otherwise.
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let json = match path.extension().and_then(|e| e.to_str()) {
        Some("json") => true,
        Some("yml" | "yaml") => false,
        _ => text.trim_start().starts_with('{'),
    };
    let located = |path: String, message: String| {
        let path = if path == "." || path.is_empty() {
            "(top level)".to_owned()
        } else {
            path
        };
        err(path, message)
    };
    if json {
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de)
            .map_err(|e| located(e.path().to_string(), e.inner().to_string()))
    } else {
        // Through a JSON value: yaml_serde reads externally tagged enums only as YAML tags
        // (`!threshold`), and the documented form is the map (`threshold: {...}`).
        let value: serde_json::Value =
            yaml_serde::from_str(text).map_err(|e| err("(YAML syntax)", e.to_string()))?;
        serde_path_to_error::deserialize(value)
            .map_err(|e| located(e.path().to_string(), e.inner().to_string()))
    }
}

fn read_secret(field: &str, file: &Path) -> Result<Secret, ConfigError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| err(field, format!("cannot read {}: {e}", file.display())))?;
    let value = text.trim_end_matches(['\n', '\r']);
    if value.is_empty() {
        return Err(err(field, format!("{} is empty", file.display())));
    }
    Ok(Secret::new(value))
}

fn check_url(field: &str, url: &str) -> Result<(), ConfigError> {
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(())
    } else {
        Err(err(
            field,
            format!("{url:?} is not a URL; allowed: http://... or https://..."),
        ))
    }
}

fn positive(field: &str, value: u64) -> Result<(), ConfigError> {
    if value == 0 {
        Err(err(field, "must be at least 1"))
    } else {
        Ok(())
    }
}

/// The config's JSON Schema, pretty-printed with a trailing newline (as committed in
/// `docs/bridge-config.schema.json`).
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(Config);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
