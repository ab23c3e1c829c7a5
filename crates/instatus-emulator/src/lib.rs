//! A faithful, stateful, in-memory stand-in for the Instatus REST API (`https://api.instatus.com`).
//!
//! Every operation of the `instatus` crate's operation table is served with the same method, path
//! and response shape as the real API (the official OpenAPI spec), plus the documented quirks.
//! Tests start it with [`Emulator::start`] on port 0; demos run the `instatus-emulator` binary.
//!
//! Besides the API, a control API under `/_emulator` (no auth, not logged) lets tests inspect the
//! request log, inject faults, set a rate limit, make the API lenient (accept named fields without
//! applying them, [`Config::ignored_fields`]), and read, reset or save the state. It also
//! renders each page it holds as an Instatus-like HTML status page at `/_emulator/preview/{page}`
//! (see [`Emulator::preview_url`] and [`Emulator::preview_html`]), with an index at `/_emulator/`.
//!
//! ```no_run
//! use instatus_emulator::{Config, Emulator};
//!
//! let emu = Emulator::start(Config::default()).unwrap();
//! let page = emu.create_page("ephemery", "Ephemery");
//! println!("{} {page} {}", emu.url(), emu.api_key());
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

mod api;
pub mod cli;
mod control;
mod preview;
mod server;
mod shared;
mod state;
mod time;
mod webhooks;

pub use webhooks::{WebhookDelivery, DEFAULT_WEBHOOK_SECRET};

/// How to run an emulator.
#[derive(Clone)]
pub struct Config {
    /// The API key clients must send as `Authorization: Bearer <key>`.
    pub api_key: String,
    /// Where to listen; port 0 picks a free port.
    pub bind: SocketAddr,
    /// State file: loaded at start when it exists, written by [`Emulator::save`].
    pub state_file: Option<PathBuf>,
    /// Rate limit on API requests (the control API is never limited).
    pub rate_limit: Option<RateLimit>,
    /// Faults to inject from the start.
    pub faults: Vec<FaultRule>,
    /// Pages to create at start, as `(subdomain, name)` (skipped when the subdomain exists).
    pub pages: Vec<(String, String)>,
    /// Largest request body accepted, in bytes ([`DEFAULT_MAX_BODY_BYTES`] by default). A larger
    /// one is answered HTTP 413 with the error envelope; it is read and thrown away as it arrives
    /// (up to a bound, then the connection is closed), never held in memory.
    pub max_body_bytes: usize,
    /// Request fields to accept with 200 but not apply, as a lenient API does (wire names, e.g.
    /// `customDomain`, `groupId`): removed from every write's JSON body before it is processed.
    /// The request log still shows what the client sent.
    pub ignored_fields: Vec<String>,
    /// The secret outgoing webhooks are signed with (`x-instatus-webhook-signature`, hex
    /// HMAC-SHA256 of the body); [`DEFAULT_WEBHOOK_SECRET`] by default.
    pub webhook_secret: instatus::Secret,
}

/// The default request body limit: 1 MiB, far above any Instatus request.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// The default API key.
pub const DEFAULT_API_KEY: &str = "emulator-api-key-0000000000000000";

impl Default for Config {
    fn default() -> Self {
        Config {
            api_key: DEFAULT_API_KEY.to_owned(),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            state_file: None,
            rate_limit: None,
            faults: Vec::new(),
            pages: Vec::new(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            ignored_fields: Vec::new(),
            webhook_secret: instatus::Secret::new(DEFAULT_WEBHOOK_SECRET),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("api_key", &"<redacted>")
            .field("bind", &self.bind)
            .field("state_file", &self.state_file)
            .field("rate_limit", &self.rate_limit)
            .field("faults", &self.faults)
            .field("pages", &self.pages)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("ignored_fields", &self.ignored_fields)
            .field("webhook_secret", &self.webhook_secret)
            .finish()
    }
}

/// At most `limit` API requests per `window`; more get HTTP 429 with the error envelope.
///
/// Its serde form is the control API's (`PUT /_emulator/rate-limit`):
/// `{"limit": 5, "window_ms": 1000, "retry_after": true}`, `retry_after` true when absent or null.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub limit: u32,
    /// The window length; a window starts with the first request after the previous one ended.
    #[serde(rename = "window_ms", with = "control::wire::positive_millis")]
    pub window: Duration,
    /// Whether a 429 carries `Retry-After: <seconds until the window resets, at least 1>`.
    #[serde(
        default = "control::wire::yes",
        deserialize_with = "control::wire::null_is_true"
    )]
    pub retry_after: bool,
}

/// A fault injected into matching API requests.
///
/// Its serde form is the control API's (`POST /_emulator/faults`):
/// `{"method": "POST", "path": "/v1/*/components", "action": {"status": 503}, "times": 2}`, with
/// `method` absent, null, `"*"` or `"any"` for any method, and `times` absent or null for forever.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// The method to match (`None` = any), case-insensitive.
    #[serde(default, deserialize_with = "control::wire::method")]
    pub method: Option<String>,
    /// Path glob: `*` matches within one segment, a `**` segment matches any rest
    /// (e.g. `/v1/*/components`, `/v1/**`).
    pub path: String,
    /// What to do.
    pub action: FaultAction,
    /// How many matches to affect; `None` = forever. Decremented per match, removed at 0.
    #[serde(default, deserialize_with = "control::wire::positive_times")]
    pub times: Option<u32>,
}

impl FaultRule {
    /// A rule for `method` (`"*"` or `"any"`: every method) on the `path` glob, applied to every
    /// match until cleared; [`FaultRule::times`] bounds it.
    ///
    /// ```
    /// use instatus_emulator::{FaultAction, FaultRule};
    ///
    /// let rule = FaultRule::new("POST", "/v1/*/components", FaultAction::Status(503)).times(2);
    /// assert_eq!((rule.method.as_deref(), rule.times), (Some("POST"), Some(2)));
    /// assert_eq!(FaultRule::new("*", "/v1/**", FaultAction::Drop).method, None);
    /// ```
    pub fn new(method: &str, path: &str, action: FaultAction) -> FaultRule {
        FaultRule {
            method: control::wire::any_method(method),
            path: path.to_owned(),
            action,
            times: None,
        }
    }

    /// The same rule, applied to the next `n` matches only.
    pub fn times(self, n: u32) -> FaultRule {
        FaultRule {
            times: Some(n),
            ..self
        }
    }
}

/// What a fault does to a matching request.
///
/// Its serde form is the control API's: `{"status": 500}`, `{"status_after": 500}`,
/// `{"delay_ms": 10000}`, `"drop"`, `"drop_after"` or `"malformed"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultAction {
    /// Answer with this status and the error envelope, without processing.
    Status(#[serde(deserialize_with = "control::wire::http_status")] u16),
    /// Process the request (state changes), then answer this status with the error envelope.
    StatusAfter(#[serde(deserialize_with = "control::wire::http_status")] u16),
    /// Sleep, then process normally.
    #[serde(rename = "delay_ms")]
    Delay(#[serde(with = "control::wire::millis")] Duration),
    /// Close the connection without processing and without answering.
    Drop,
    /// Process, then close the connection without answering.
    DropAfter,
    /// Answer 200 with the invalid JSON body `{"id": `, without processing.
    Malformed,
}

/// One API request as the emulator saw it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestRecord {
    /// Sequence number, from 1, increasing.
    pub seq: u64,
    /// The HTTP method.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The raw query string (empty when none).
    pub query: String,
    /// The status answered; 0 when the connection was dropped.
    pub status: u16,
    /// The operation's name (`CreateComponent`, ...) when the path matched one.
    pub operation: Option<String>,
    /// Whether the method was not GET.
    pub write: bool,
    /// The fault applied, if any (e.g. `status=500`, `drop`).
    pub fault: Option<String>,
    /// The JSON request body, when there was one that parsed, the request carried the API key and
    /// the body was within the limit (bodies of unauthenticated requests are never kept).
    pub body: Option<serde_json::Value>,
}

/// A running emulator. Dropping it shuts the server down.
pub struct Emulator {
    shared: Arc<shared::Shared>,
    addr: SocketAddr,
    stop: Option<tokio::sync::watch::Sender<bool>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Emulator {
    /// Loads the state file (if set and present), binds, and serves on a background thread.
    pub fn start(config: Config) -> std::io::Result<Emulator> {
        let shared = Arc::new(shared::Shared::new(&config)?);
        let listener = std::net::TcpListener::bind(config.bind)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("instatus-emulator")
            .enable_all()
            .build()?;
        let (stop, stop_rx) = tokio::sync::watch::channel(false);
        let serve_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("instatus-emulator-accept".into())
            .spawn(move || {
                runtime.block_on(async move {
                    match tokio::net::TcpListener::from_std(listener) {
                        Ok(listener) => server::accept_loop(listener, serve_shared, stop_rx).await,
                        Err(e) => eprintln!("instatus-emulator: {e}"),
                    }
                });
                runtime.shutdown_timeout(Duration::from_millis(200));
            })?;
        Ok(Emulator {
            shared,
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:8788`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The URL of the rendered preview of the first page: `<url>/_emulator/preview`.
    pub fn preview_url(&self) -> String {
        format!("{}/_emulator/preview", self.url())
    }

    /// The page preview as served at `/_emulator/preview/{page}`, where `page` is a page id or
    /// subdomain (`None`: the first page). `None` when there is no such page.
    pub fn preview_html(&self, page: Option<&str>) -> Option<Result<String, String>> {
        self.shared.preview(page)
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The API key clients must send.
    pub fn api_key(&self) -> &str {
        &self.shared.api_key
    }

    /// Creates a page directly in the state (not logged); returns its id.
    pub fn create_page(&self, subdomain: &str, name: &str) -> String {
        self.shared.create_page(subdomain, name)
    }

    /// The logged API requests, oldest first (the control API is not logged). The log keeps the
    /// newest 200,000 records and at most 64 MiB of request bodies; older records are forgotten.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.requests_since(0)
    }

    /// Forgets the logged requests (sequence numbers keep increasing).
    pub fn clear_requests(&self) {
        self.shared.clear_requests();
    }

    /// Adds a fault rule (checked after the earlier ones).
    pub fn add_fault(&self, rule: FaultRule) {
        self.shared.add_fault(rule);
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.shared.clear_faults();
    }

    /// Sets or removes the rate limit (a new limit starts a fresh window).
    pub fn set_rate_limit(&self, limit: Option<RateLimit>) {
        self.shared.set_rate_limit(limit);
    }

    /// Makes the emulator accept these request fields but not apply them (see
    /// [`Config::ignored_fields`]); an empty list makes it strict again.
    pub fn set_ignored_fields(&self, fields: Vec<String>) {
        self.shared.set_ignored_fields(fields);
    }

    /// The fields currently accepted but not applied.
    pub fn ignored_fields(&self) -> Vec<String> {
        self.shared.ignored_fields()
    }

    /// The whole state, in the state file's format.
    pub fn state_json(&self) -> serde_json::Value {
        self.shared.state_json()
    }

    /// Writes the state to the state file, if one is configured.
    pub fn save(&self) -> std::io::Result<()> {
        self.shared.save()
    }

    /// The webhooks sent to webhook subscribers so far, oldest first (the newest 1,000). A
    /// delivery is recorded once the receiver answered or failed.
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.shared.webhooks.deliveries()
    }

    /// Stops the server and waits for its thread.
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.stop_now();
    }
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr)
            .finish()
    }
}
