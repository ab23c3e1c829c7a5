//! The config file (YAML or JSON) as the user writes it: its types, defaults, JSON Schema and
//! parsing. [`Settings::load`] (in `settings.rs`: the environment overrides, the secrets read from
//! files, every check) gives a checked, resolved configuration or an error naming the field path.

use std::path::{Path, PathBuf};

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
    /// An Instatus cron monitor pinged after every successful evaluation: when the bridge dies,
    /// Instatus marks the monitor's component down. Default: none.
    #[serde(default)]
    pub heartbeat: Option<HeartbeatConfig>,
}

/// The heartbeat: an Instatus cron monitor (found by name or created, with a component of its
/// own), pinged after every successful evaluation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct HeartbeatConfig {
    /// The monitor's name, also its component's on the page. Default "Status automation".
    pub name: String,
    /// Seconds Instatus waits for the next ping (1 to 86400, at least the evaluation interval).
    /// Default 180.
    pub period_secs: u64,
    /// Seconds of slack after a missed period (1 to 86400). Default 180.
    pub grace_secs: u64,
    /// Where pings go; the monitor's slug is appended. Default `https://cron.instatus.com`.
    pub ping_url: String,
}

impl Default for HeartbeatConfig {
    fn default() -> Self {
        Self {
            name: "Status automation".to_owned(),
            period_secs: 180,
            grace_secs: 180,
            ping_url: "https://cron.instatus.com".to_owned(),
        }
    }
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
    /// Time allowed per query, seconds (1 to 3600). Default 10.
    pub timeout_secs: u64,
    /// Basic auth, as Prometheus's `http_config` (`username`, `password_file`). Default: none.
    pub basic_auth: Option<BasicAuthConfig>,
    /// A file holding a bearer token (`Authorization: Bearer ...`). Default: none.
    pub bearer_token_file: Option<PathBuf>,
    /// TLS, as Prometheus's `tls_config`. Default: the built-in roots, no client certificate.
    pub tls_config: Option<TlsFilesConfig>,
}

impl Default for PrometheusConfig {
    fn default() -> Self {
        Self {
            url: "http://127.0.0.1:9090".to_owned(),
            interval_secs: DEFAULT_INTERVAL_SECS,
            timeout_secs: 10,
            basic_auth: None,
            bearer_token_file: None,
            tls_config: None,
        }
    }
}

/// TLS files, as Prometheus's `tls_config` names them (PEM).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TlsFilesConfig {
    /// CA certificates to trust instead of the built-in roots.
    pub ca_file: Option<PathBuf>,
    /// A client certificate (with its chain), sent when the server asks for one.
    pub cert_file: Option<PathBuf>,
    /// The client certificate's private key.
    pub key_file: Option<PathBuf>,
}

/// The evaluation interval when nothing says otherwise.
pub const DEFAULT_INTERVAL_SECS: u64 = 30;

/// Alertmanager.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AlertmanagerConfig {
    /// The server. Default `http://127.0.0.1:9093`.
    pub url: String,
    /// Basic auth, as Alertmanager's `http_config` (`username`, `password_file`). Default: none.
    pub basic_auth: Option<BasicAuthConfig>,
    /// A file holding a bearer token (`Authorization: Bearer ...`). Default: none.
    pub bearer_token_file: Option<PathBuf>,
    /// TLS, as Alertmanager's `tls_config`. Default: the built-in roots, no client certificate.
    pub tls_config: Option<TlsFilesConfig>,
}

impl Default for AlertmanagerConfig {
    fn default() -> Self {
        Self {
            url: "http://127.0.0.1:9093".to_owned(),
            basic_auth: None,
            bearer_token_file: None,
            tls_config: None,
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
    /// Connections open at most (1 to 65536); when reached, the oldest idle connection is
    /// closed to make room. Must stay below the open-file limit (`LimitNOFILE`) minus 64, which
    /// `serve` checks at start. Default 256.
    pub max_connections: usize,
    /// A connection waiting for a request (a new one, or one kept alive after an answer) is
    /// closed when the request's headers have not all arrived within this many seconds: the
    /// header read timeout and the idle timeout in one (1 to 3600). Default 10.
    pub idle_timeout_secs: u64,
    /// A request's body must arrive within this many seconds after its headers, else 408
    /// (1 to 3600). Default 10.
    pub body_read_timeout_secs: u64,
    /// An evaluation (reads, writes, the replica wait) running longer than this counts as
    /// stuck: `/healthz` answers 503 and the systemd watchdog is no longer fed, so systemd
    /// restarts the bridge (60 to 86400, and more than the replica wait plus
    /// `instatus.timeout_secs`). Default 300.
    pub evaluation_timeout_secs: u64,
    /// Allows `listen` on a non-loopback address (0.0.0.0, ::, a LAN address) without `auth`.
    /// Default false: that is a config error, since anyone reaching the port could post alerts.
    pub allow_unauthenticated: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:9741".to_owned(),
            auth: None,
            max_body_bytes: 1024 * 1024,
            instatus_webhook_secret_file: None,
            max_connections: 256,
            idle_timeout_secs: 10,
            body_read_timeout_secs: 10,
            evaluation_timeout_secs: 300,
            allow_unauthenticated: false,
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
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

/// A config error: the field path (e.g. `server.auth`) and what is wrong; the status engine's
/// type, so an error from `status:` and one from the bridge's own fields read alike.
pub use instatus::status::ConfigError;

pub use crate::settings::{process_env, Env, ForeignHttp, Secrets, Settings, WebhookAuth};

/// A [`ConfigError`] at `path`.
pub(crate) fn err(path: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError {
        path: path.into(),
        message: message.into(),
    }
}

/// The longest duration any `*_secs` field may hold: ten years. Nothing the bridge times is
/// longer, and time arithmetic on larger values overflows.
pub const MAX_DURATION_SECS: u64 = 10 * 366 * 24 * 3600;

/// The largest config file read.
pub const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

/// Parses the file's text: JSON for `.json` or a body starting with `{`, YAML otherwise. A key
/// given twice in one mapping is an error naming both lines; a `*_secs` value above ten years
/// ([`MAX_DURATION_SECS`]) is an error naming its path.
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
    let value: serde_json::Value = if json {
        let de = &mut serde_json::Deserializer::from_str(text);
        let value: crate::checks::UniqueKeys = serde_path_to_error::deserialize(de)
            .map_err(|e| located(e.path().to_string(), e.inner().to_string()))?;
        value.0
    } else {
        // Through a YAML value (it refuses a key given twice; a JSON value would keep the last),
        // then a JSON value: yaml_serde reads externally tagged enums only as YAML tags
        // (`!threshold`), and the documented form is the map (`threshold: {...}`).
        let value: yaml_serde::Value =
            yaml_serde::from_str(text).map_err(|e| crate::checks::yaml_error(text, &e))?;
        serde_json::to_value(value).map_err(|e| err("(YAML)", e.to_string()))?
    };
    if !value.is_object() {
        // serde would read a sequence as the struct's fields in order ("[0]: expected struct").
        return Err(err(
            "(top level)",
            "the config must be a mapping of sections (instatus, status, server, ...)",
        ));
    }
    let config = serde_path_to_error::deserialize(&value)
        .map_err(|e| located(e.path().to_string(), e.inner().to_string()))?;
    // After the types: every `*_secs` left is a field the config knows.
    crate::checks::durations(&value, "", MAX_DURATION_SECS)?;
    Ok(config)
}

/// `value` within `min..=max`, else an error naming `field` and the range.
pub fn within(field: &str, value: u64, min: u64, max: u64) -> Result<(), ConfigError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(err(
            field,
            format!("{value} is out of range; allowed: {min} to {max}"),
        ))
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
