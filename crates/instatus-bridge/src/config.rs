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

/// How the bridge reaches Prometheus or Alertmanager: the URL (checked, no credentials in it),
/// the credentials and TLS settings read from their files.
#[derive(Clone, Debug, Default)]
pub struct ForeignHttp {
    /// `Authorization` sent with every request.
    pub auth: Option<instatus::ForeignAuth>,
    /// CA and client certificate.
    pub tls: instatus::ForeignTls,
}

/// Whether secret files are read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Secrets {
    /// Read every secret file; one that cannot be read is an error (every command but
    /// `validate --no-secrets`).
    #[default]
    Read,
    /// Leave the secret files alone (for a machine that does not hold them): each is listed in
    /// [`Settings::unread_secrets`] and stands in as an empty secret.
    Skip,
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
    /// Prometheus's credentials and TLS.
    pub prometheus_http: ForeignHttp,
    /// Alertmanager's credentials and TLS.
    pub alertmanager_http: ForeignHttp,
    /// With [`Secrets::Skip`]: the secret files not read, as (field, path shown).
    pub unread_secrets: Vec<(String, String)>,
}

/// Reads the environment variable (the process environment, or a map in tests).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The process environment, empty values treated as unset.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The longest duration any `*_secs` field may hold: ten years. Nothing the bridge times is
/// longer, and time arithmetic on larger values overflows.
pub const MAX_DURATION_SECS: u64 = 10 * 366 * 24 * 3600;

/// The largest config file read.
pub const MAX_CONFIG_BYTES: u64 = 4 * 1024 * 1024;

/// Reads secret files (or lists them, with [`Secrets::Skip`]).
struct SecretReader {
    mode: Secrets,
    unread: Vec<(String, String)>,
}

impl SecretReader {
    fn read(&mut self, field: &str, file: &Path) -> Result<Secret, ConfigError> {
        match self.mode {
            Secrets::Read => crate::secret_file::read_secret(field, file),
            Secrets::Skip => {
                self.unread
                    .push((field.to_owned(), crate::secret_file::shown(file)));
                Ok(Secret::new(""))
            }
        }
    }

    fn read_pem(&mut self, field: &str, file: &Path) -> Result<Vec<u8>, ConfigError> {
        crate::secret_file::read_bounded(field, file, crate::secret_file::MAX_PEM_BYTES)
    }

    /// The client certificate's key: a secret.
    fn read_key(&mut self, field: &str, file: &Path) -> Result<Option<Secret>, ConfigError> {
        match self.mode {
            Secrets::Read => {
                let bytes = crate::secret_file::read_bounded(
                    field,
                    file,
                    crate::secret_file::MAX_PEM_BYTES,
                )?;
                let text = String::from_utf8(bytes).map_err(|_| {
                    err(
                        field,
                        format!("{} is not PEM text", crate::secret_file::shown(file)),
                    )
                })?;
                Ok(Some(Secret::new(text)))
            }
            Secrets::Skip => {
                self.unread
                    .push((field.to_owned(), crate::secret_file::shown(file)));
                Ok(None)
            }
        }
    }

    /// The `http_config` of a foreign server: one of basic auth and a bearer token, and TLS.
    fn foreign(
        &mut self,
        section: &str,
        basic: Option<&BasicAuthConfig>,
        bearer: Option<&PathBuf>,
        tls: Option<&TlsFilesConfig>,
    ) -> Result<ForeignHttp, ConfigError> {
        let auth = match (basic, bearer) {
            (Some(_), Some(_)) => {
                return Err(err(
                    section,
                    "basic_auth and bearer_token_file are both set; allowed: one of them",
                ))
            }
            (Some(b), None) => {
                check_username(&format!("{section}.basic_auth.username"), &b.username)?;
                Some(instatus::ForeignAuth::Basic {
                    username: b.username.clone(),
                    password: self.read(
                        &format!("{section}.basic_auth.password_file"),
                        &b.password_file,
                    )?,
                })
            }
            (None, Some(file)) => Some(instatus::ForeignAuth::Bearer(
                self.read(&format!("{section}.bearer_token_file"), file)?,
            )),
            (None, None) => None,
        };
        let mut out = ForeignHttp {
            auth,
            tls: Default::default(),
        };
        if let Some(t) = tls {
            let field = |name: &str| format!("{section}.tls_config.{name}");
            if let Some(ca) = &t.ca_file {
                out.tls.ca_pem = Some(self.read_pem(&field("ca_file"), ca)?);
            }
            match (&t.cert_file, &t.key_file) {
                (Some(cert), Some(key)) => {
                    let chain = self.read_pem(&field("cert_file"), cert)?;
                    if let Some(key) = self.read_key(&field("key_file"), key)? {
                        out.tls.client_pem = Some((chain, key));
                    }
                }
                (None, None) => {}
                _ => {
                    return Err(err(
                        format!("{section}.tls_config"),
                        "cert_file and key_file go together; allowed: both or neither",
                    ))
                }
            }
            // The PEM is checked where it is used: a client built with it.
            if self.mode == Secrets::Read || out.tls.client_pem.is_none() {
                instatus::Client::builder("check")
                    .foreign_tls(out.tls.clone())
                    .build()
                    .map_err(|e| err(format!("{section}.tls_config"), e.to_string()))?;
            }
        }
        Ok(out)
    }
}

impl Settings {
    /// Reads and checks the config file at `path`.
    pub fn load(path: &Path, env: Env<'_>) -> Result<Settings, ConfigError> {
        Settings::load_with(path, env, Secrets::Read)
    }

    /// Reads and checks the config file at `path`, reading its secret files or not.
    pub fn load_with(path: &Path, env: Env<'_>, secrets: Secrets) -> Result<Settings, ConfigError> {
        let bytes = crate::secret_file::read_bounded("--config", path, MAX_CONFIG_BYTES)?;
        let text = String::from_utf8(bytes).map_err(|e| {
            err(
                "--config",
                format!("{} is not UTF-8 text: {e}", path.display()),
            )
        })?;
        let config = parse(&text, path)?;
        Settings::resolve_with(config, env, secrets)
    }

    /// Applies the environment, reads the secrets and checks everything.
    pub fn resolve(config: Config, env: Env<'_>) -> Result<Settings, ConfigError> {
        Settings::resolve_with(config, env, Secrets::Read)
    }

    /// [`resolve`](Self::resolve), reading the secret files or not.
    pub fn resolve_with(
        mut config: Config,
        env: Env<'_>,
        secrets: Secrets,
    ) -> Result<Settings, ConfigError> {
        let mut reader = SecretReader {
            mode: secrets,
            unread: Vec::new(),
        };
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
        crate::checks::url("instatus.base_url", &i.base_url)?;
        let api_key = match (env(instatus::API_KEY_ENV), &i.api_key_file) {
            (Some(key), _) => Secret::new(key),
            (None, Some(file)) => reader.read("instatus.api_key_file", file)?,
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
            && i.writes_per_second >= instatus::MIN_REQUESTS_PER_SECOND
            && i.writes_per_second <= 1000.0)
        {
            return Err(err(
                "instatus.writes_per_second",
                format!(
                    "{} is out of range; allowed: a number of at least {} (one an hour) and at most 1000",
                    i.writes_per_second,
                    instatus::MIN_REQUESTS_PER_SECOND
                ),
            ));
        }
        within("instatus.timeout_secs", i.timeout_secs, 1, 3600)?;
        within("instatus.replica", u64::from(i.replica), 0, 16)?;
        within("instatus.replica_wait_secs", i.replica_wait_secs, 0, 300)?;
        let mut prometheus_http = ForeignHttp::default();
        if let Some(p) = &config.prometheus {
            crate::checks::url("prometheus.url", &p.url)?;
            within("prometheus.interval_secs", p.interval_secs, 1, 86_400)?;
            within("prometheus.timeout_secs", p.timeout_secs, 1, 3600)?;
            prometheus_http = reader.foreign(
                "prometheus",
                p.basic_auth.as_ref(),
                p.bearer_token_file.as_ref(),
                p.tls_config.as_ref(),
            )?;
        }
        let mut alertmanager_http = ForeignHttp::default();
        if let Some(a) = &config.alertmanager {
            crate::checks::url("alertmanager.url", &a.url)?;
            alertmanager_http = reader.foreign(
                "alertmanager",
                a.basic_auth.as_ref(),
                a.bearer_token_file.as_ref(),
                a.tls_config.as_ref(),
            )?;
        }
        let server = &config.server;
        let listen: SocketAddr = server.listen.parse().map_err(|_| {
            err(
                "server.listen",
                format!(
                    "{:?} is not an address; allowed: IP:PORT, e.g. 127.0.0.1:9741 or [::1]:9741",
                    server.listen
                ),
            )
        })?;
        within(
            "server.max_body_bytes",
            server.max_body_bytes as u64,
            1024,
            256 * 1024 * 1024,
        )?;
        within(
            "server.max_connections",
            server.max_connections as u64,
            1,
            65_536,
        )?;
        within(
            "server.idle_timeout_secs",
            server.idle_timeout_secs,
            1,
            3600,
        )?;
        within(
            "server.body_read_timeout_secs",
            server.body_read_timeout_secs,
            1,
            3600,
        )?;
        within(
            "server.evaluation_timeout_secs",
            server.evaluation_timeout_secs,
            config.instatus.timeout_secs,
            86_400,
        )
        .map_err(|e| ConfigError {
            message: format!(
                "{} (at least instatus.timeout_secs: an evaluation needs time for one request)",
                e.message
            ),
            ..e
        })?;
        let webhook_auth = match &server.auth {
            None => None,
            Some(AuthConfig::BearerTokenFile(file)) => Some(WebhookAuth::Bearer(
                reader.read("server.auth.bearer_token_file", file)?,
            )),
            Some(AuthConfig::Basic(b)) => {
                check_username("server.auth.basic.username", &b.username)?;
                Some(WebhookAuth::Basic {
                    username: b.username.clone(),
                    password: reader.read("server.auth.basic.password_file", &b.password_file)?,
                })
            }
        };
        if server.auth.is_none() && !listen.ip().is_loopback() && !server.allow_unauthenticated {
            return Err(err(
                "server.listen",
                format!(
                    "{listen} is reachable from other hosts and server.auth is not set: anyone reaching the port could post alerts; allowed: a loopback address (127.0.0.1, [::1]), server.auth, or server.allow_unauthenticated: true"
                ),
            ));
        }
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
            within(
                &format!("metrics[{k}].every_secs"),
                m.every_secs,
                MIN_METRIC_SPACING_SECS,
                86_400,
            )?;
        }
        if !config.metrics.is_empty() && config.prometheus.is_none() {
            return Err(err(
                "metrics",
                "public metrics need a `prometheus` section (or PROMETHEUS_URL)",
            ));
        }
        let has_promql = config.status.components.iter().any(|c| {
            c.rules.iter().any(|r| {
                matches!(r, instatus::status::RuleConfig::Threshold(t) if t.promql().is_some())
                    || matches!(r, instatus::status::RuleConfig::BurnRate(_))
            })
        });
        if has_promql && config.prometheus.is_none() {
            return Err(err(
                "prometheus",
                "threshold rules need a `prometheus` section (or PROMETHEUS_URL) for their `query`, burn-rate rules for their windows",
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
            (None, Some(file)) => Some(reader.read("server.instatus_webhook_secret_file", file)?),
            (None, None) => None,
        };
        if let Some(dir) = &config.state_dir {
            crate::checks::state_dir("state_dir", dir)?;
        }
        if let Some(h) = &config.heartbeat {
            let name = h.name.trim();
            if name.is_empty() || name.chars().count() > 100 {
                return Err(err(
                    "heartbeat.name",
                    "allowed: 1 to 100 characters (the monitor's and its component's name)",
                ));
            }
            within("heartbeat.period_secs", h.period_secs, 1, 86_400)?;
            within("heartbeat.grace_secs", h.grace_secs, 1, 86_400)?;
            let interval = config
                .prometheus
                .as_ref()
                .map_or(DEFAULT_INTERVAL_SECS, |p| p.interval_secs);
            if h.period_secs < interval {
                return Err(err(
                    "heartbeat.period_secs",
                    format!(
                        "{} is shorter than the evaluation interval ({interval} s, prometheus.interval_secs): the monitor would fail between two evaluations; allowed: at least {interval}",
                        h.period_secs
                    ),
                ));
            }
            crate::checks::url("heartbeat.ping_url", &h.ping_url)?;
        }
        Ok(Settings {
            config,
            api_key,
            page,
            webhook_auth,
            listen,
            engine,
            resets,
            instatus_webhook_secret,
            prometheus_http,
            alertmanager_http,
            unread_secrets: reader.unread,
        })
    }

    /// The longest gap between two evaluations of a live evaluator: the interval, the replica
    /// wait and `server.evaluation_timeout_secs`.
    pub fn stall_after(&self) -> Duration {
        let i = &self.config.instatus;
        self.interval()
            + Duration::from_secs(u64::from(i.replica) * i.replica_wait_secs)
            + Duration::from_secs(self.config.server.evaluation_timeout_secs)
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

fn check_username(field: &str, username: &str) -> Result<(), ConfigError> {
    if username.is_empty() || username.contains(':') || username.chars().any(char::is_control) {
        return Err(err(
            field,
            "must be non-empty and contain no `:` and no control character",
        ));
    }
    Ok(())
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
