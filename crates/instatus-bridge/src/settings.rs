//! The resolved configuration: [`Settings::resolve`] applies the environment overrides, reads the
//! secret files, checks every value against the others and builds the engine, from the
//! [`Config`] the user wrote. Every error names the field path.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use instatus::status::Engine;
use instatus::Secret;

use crate::config::{
    err, parse, within, AuthConfig, BasicAuthConfig, Config, ConfigError, TlsFilesConfig,
    DEFAULT_INTERVAL_SECS, MAX_CONFIG_BYTES, MIN_METRIC_SPACING_SECS,
};

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

fn check_username(field: &str, username: &str) -> Result<(), ConfigError> {
    if username.is_empty() || username.contains(':') || username.chars().any(char::is_control) {
        return Err(err(
            field,
            "must be non-empty and contain no `:` and no control character",
        ));
    }
    Ok(())
}
