//! (Long: one concept, the HTTP executor: the builder, the retrying executor, pagination and the foreign requests share its private state and its one retry policy.)
//! The one place that does HTTP: auth, timeouts, retries, the request rate, pagination.

use std::collections::VecDeque;
use std::fmt;
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::de::DeserializeOwned;

use crate::api::{Call, ListCall, Method};
use crate::error::{excerpt, Error, Result, Target, EXCERPT_CHARS};
use crate::retry::{parse_retry_after, RetryPolicy};
use crate::throttle::Throttle;
use crate::Secret;

/// The real Instatus API.
pub const DEFAULT_BASE_URL: &str = "https://api.instatus.com";

/// Environment variable holding the API key.
pub const API_KEY_ENV: &str = "INSTATUS_API_KEY";

/// Environment variable overriding the base URL (e.g. the emulator).
pub const BASE_URL_ENV: &str = "INSTATUS_BASE_URL";

/// Largest response body read (the biggest real lists are well under 1 MiB).
const MAX_BODY: u64 = 32 * 1024 * 1024;

/// Pages walked at most by one list, so a server that ignores paging cannot loop us forever.
/// Reaching it is an error, never a silent stop: 10,000 pages of 100 is a million items.
pub const MAX_PAGES: u32 = 10_000;

/// The longest timeout a client uses (one day). Longer ones given to [`ClientBuilder::timeout`]
/// or [`ClientBuilder::connect_timeout`] are cut to this, so no deadline computed from them can
/// overflow (`Instant + Duration` panics past the clock's range).
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// The slowest request rate [`ClientBuilder::max_requests_per_second`] accepts: one an hour.
pub const MIN_REQUESTS_PER_SECOND: f64 = 1.0 / 3600.0;

/// Query characters escaped: all but unreserved ones and `!` (the incidents filter is `!status`).
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!');

/// Configures a [`Client`].
///
/// `Debug` shows every setting except the key, which prints as `***`.
#[derive(Clone, Debug)]
pub struct ClientBuilder {
    api_key: Secret,
    base_url: String,
    connect_timeout: Duration,
    timeout: Duration,
    retry: RetryPolicy,
    max_requests_per_second: Option<f64>,
    user_agent: String,
    foreign_auth: Option<ForeignAuth>,
    foreign_tls: ForeignTls,
}

/// How [`Client::get_foreign`] authenticates to a server other than Instatus (Prometheus,
/// Alertmanager), as Prometheus's own `http_config` does: one of basic auth or a bearer token.
/// `Debug` never shows the secret.
#[derive(Clone)]
pub enum ForeignAuth {
    /// `Authorization: Basic base64(username:password)`.
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: Secret,
    },
    /// `Authorization: Bearer <token>`.
    Bearer(Secret),
}

impl fmt::Debug for ForeignAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ForeignAuth::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"***")
                .finish(),
            ForeignAuth::Bearer(_) => f.debug_tuple("Bearer").field(&"***").finish(),
        }
    }
}

impl ForeignAuth {
    /// The `Authorization` header value.
    fn header(&self) -> Secret {
        use base64::Engine as _;
        match self {
            ForeignAuth::Basic { username, password } => {
                let pair = format!("{username}:{}", password.expose());
                Secret::new(format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                ))
            }
            ForeignAuth::Bearer(token) => Secret::new(format!("Bearer {}", token.expose())),
        }
    }
}

/// TLS settings for a server other than Instatus, as Prometheus's `tls_config`: a CA bundle to
/// trust instead of the built-in roots, and a client certificate with its key (all PEM). They
/// apply to every request of the client they are given to, so give them to a client used for
/// [`Client::get_foreign`] only. `Debug` never shows the key.
#[derive(Clone, Default)]
pub struct ForeignTls {
    /// PEM certificates to trust (`ca_file`).
    pub ca_pem: Option<Vec<u8>>,
    /// PEM certificate chain and PEM private key (`cert_file`, `key_file`).
    pub client_pem: Option<(Vec<u8>, Secret)>,
}

impl fmt::Debug for ForeignTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ForeignTls")
            .field("ca_pem", &self.ca_pem.as_ref().map(|c| c.len()))
            .field("client_pem", &self.client_pem.as_ref().map(|_| "***"))
            .finish()
    }
}

impl ForeignTls {
    /// ureq's TLS config; `None` with nothing set (the defaults).
    fn config(&self) -> Result<Option<ureq::tls::TlsConfig>> {
        use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, TlsConfig};
        if self.ca_pem.is_none() && self.client_pem.is_none() {
            return Ok(None);
        }
        let certs = |pem: &[u8], what: &str| -> Result<Vec<Certificate<'static>>> {
            let mut out = Vec::new();
            for item in ureq::tls::parse_pem(pem) {
                match item {
                    Ok(PemItem::Certificate(c)) => out.push(c),
                    Ok(_) => {}
                    Err(e) => return Err(Error::Config(format!("{what}: not PEM: {e}"))),
                }
            }
            if out.is_empty() {
                return Err(Error::Config(format!("{what}: no PEM certificate in it")));
            }
            Ok(out)
        };
        let mut builder = TlsConfig::builder();
        if let Some(ca) = &self.ca_pem {
            builder = builder.root_certs(RootCerts::new_with_certs(&certs(ca, "ca_file")?));
        }
        if let Some((chain, key)) = &self.client_pem {
            let chain = certs(chain, "cert_file")?;
            // The key's parse error says nothing of the key itself.
            let key = PrivateKey::from_pem(key.expose().as_bytes())
                .map_err(|_| Error::Config("key_file: no PEM private key in it".into()))?;
            builder = builder.client_cert(Some(ClientCert::new_with_certs(&chain, key)));
        }
        Ok(Some(builder.build()))
    }
}

impl ClientBuilder {
    /// Sets the base URL (default [`DEFAULT_BASE_URL`]); point it at the emulator in tests.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Time allowed to open a connection (default 5 s, at most [`MAX_TIMEOUT`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout.min(MAX_TIMEOUT);
        self
    }

    /// Time allowed for one request from connect to the last byte of the answer (default 30 s,
    /// at most [`MAX_TIMEOUT`]: a longer one is cut to it).
    ///
    /// ```
    /// use std::time::Duration;
    /// use instatus::{Client, MAX_TIMEOUT};
    ///
    /// let client = Client::builder("key").timeout(Duration::MAX).build()?;
    /// assert!(format!("{client:?}").contains(&format!("{MAX_TIMEOUT:?}")));
    /// # Ok::<(), instatus::Error>(())
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.min(MAX_TIMEOUT);
        self
    }

    /// How failed requests are retried (default [`RetryPolicy::default`]).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Spaces requests to at most this many per second (default: no limit). Instatus does not
    /// publish its rate limit; a bridge running next to other tools may want to stay polite.
    /// [`build`](Self::build) refuses a rate below [`MIN_REQUESTS_PER_SECOND`].
    pub fn max_requests_per_second(mut self, rate: f64) -> Self {
        self.max_requests_per_second = Some(rate);
        self
    }

    /// Replaces the User-Agent (default `instatus-rs/<version>`). Instatus's edge has rejected
    /// generic library agents, so keep it explicit.
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = agent.into();
        self
    }

    /// Credentials [`Client::get_foreign`] sends (never to Instatus; default: none).
    pub fn foreign_auth(mut self, auth: ForeignAuth) -> Self {
        self.foreign_auth = Some(auth);
        self
    }

    /// TLS settings for a client used with [`Client::get_foreign`] (see [`ForeignTls`]).
    pub fn foreign_tls(mut self, tls: ForeignTls) -> Self {
        self.foreign_tls = tls;
        self
    }

    /// Builds the client, checking the settings.
    pub fn build(self) -> Result<Client> {
        // Checked here, not left to the first request: a key or URL that cannot form a request
        // failed there as a transport error, retried for seconds before being reported.
        if self.api_key.is_empty() {
            return Err(Error::Config(format!(
                "no API key: pass one or set {API_KEY_ENV}"
            )));
        }
        if let Err(e) = crate::validate::api_key(self.api_key.expose()) {
            // `Invalid` from `api_key` never quotes the key.
            return Err(Error::Config(format!("API key: {e}")));
        }
        if let Err(e) = crate::validate::base_url(&self.base_url) {
            return Err(Error::Config(format!("base URL: {e}")));
        }
        let base_url = self.base_url.trim_end_matches('/').to_owned();
        if let Some(rate) = self.max_requests_per_second {
            if !(rate.is_finite() && rate >= MIN_REQUESTS_PER_SECOND) {
                return Err(Error::Config(format!(
                    "max_requests_per_second must be a number of at least \
                     {MIN_REQUESTS_PER_SECOND} (one an hour), got {rate}"
                )));
            }
        }
        if self.retry.max_attempts == 0 {
            return Err(Error::Config(
                "retry.max_attempts must be at least 1".into(),
            ));
        }
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(self.connect_timeout))
            .timeout_global(Some(self.timeout))
            .user_agent(self.user_agent.as_str());
        if let Some(tls) = self.foreign_tls.config()? {
            config = config.tls_config(tls);
        }
        let agent: ureq::Agent = config.build().into();
        Ok(Client {
            inner: Arc::new(Inner {
                agent,
                auth: Secret::new(format!("Bearer {}", self.api_key.expose())),
                base_url,
                timeout: self.timeout,
                retry: self.retry,
                throttle: self.max_requests_per_second.map(Throttle::new),
                requests: AtomicU64::new(0),
                foreign_auth: self.foreign_auth.as_ref().map(ForeignAuth::header),
            }),
        })
    }
}

/// A client for the Instatus API. Cheap to clone; clones share the connection pool, the request
/// rate and the request counter.
///
/// ```no_run
/// use instatus::{api, Client};
///
/// let client = Client::builder("my-api-key").build()?;
/// for page in client.list_all(api::pages::list())? {
///     println!("{} {}", page.id, page.name_str());
/// }
/// # Ok::<(), instatus::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    agent: ureq::Agent,
    auth: Secret,
    base_url: String,
    timeout: Duration,
    retry: RetryPolicy,
    throttle: Option<Throttle>,
    requests: AtomicU64,
    /// The `Authorization` value [`Client::get_foreign`] sends.
    foreign_auth: Option<Secret>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("api_key", &"***")
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .finish()
    }
}

/// What one HTTP attempt produced, before deciding whether to retry.
enum Attempt {
    Answer {
        status: u16,
        retry_after: Option<Duration>,
        body: Vec<u8>,
    },
    /// The server cannot have seen the request (connection refused, DNS, connect timeout).
    NotSent(String),
    /// The request may have reached the server.
    Broken(String),
    TimedOut,
}

impl Client {
    /// Starts configuring a client with an API key.
    pub fn builder(api_key: impl Into<Secret>) -> ClientBuilder {
        ClientBuilder {
            api_key: api_key.into(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            max_requests_per_second: None,
            user_agent: concat!("instatus-rs/", env!("CARGO_PKG_VERSION")).to_owned(),
            foreign_auth: None,
            foreign_tls: ForeignTls::default(),
        }
    }

    /// A builder from the environment: the key from `INSTATUS_API_KEY`, the base URL from
    /// `INSTATUS_BASE_URL` when set.
    pub fn builder_from_env() -> ClientBuilder {
        let key = std::env::var(API_KEY_ENV).unwrap_or_default();
        let builder = Self::builder(key);
        match std::env::var(BASE_URL_ENV) {
            Ok(url) if !url.is_empty() => builder.base_url(url),
            _ => builder,
        }
    }

    /// How long one request may take before the client gives up on it.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Waits until this client's request rate would let a request go now, without taking the
    /// slot. Callers that check the page before writing wait here first, so the check is as
    /// fresh as possible when the write leaves (a throttle wait between them would widen the
    /// window in which another writer goes unseen). Returns at once without a rate.
    pub fn wait_for_turn(&self) {
        if let Some(throttle) = &self.inner.throttle {
            throttle.wait_free();
        }
    }

    /// HTTP requests sent so far by this client and its clones, retries included.
    pub fn request_count(&self) -> u64 {
        self.inner.requests.load(Ordering::Relaxed)
    }

    /// Sends one call and decodes its answer.
    pub fn send<T: DeserializeOwned>(&self, call: Call<T>) -> Result<T> {
        self.execute(&self.inner.base_url, call, true)
    }

    /// Sends a call to a public page view ([`api::public`](crate::api::public)) on the page's
    /// host, e.g. `https://ephemery.instatus.com`, without the key.
    pub fn send_public<T: DeserializeOwned>(&self, page_url: &str, call: Call<T>) -> Result<T> {
        self.execute(page_url.trim_end_matches('/'), call, false)
    }

    /// Walks every page of a list, one request per page, yielding items as they arrive.
    ///
    /// - It stops after the first page shorter than the page size (the API sends no total), so
    ///   a list of 250 items at 100 a page costs 3 requests, and one of exactly 200 costs 3 (the
    ///   third, empty, page says it ended).
    /// - It has no silent cap: a list that has not ended after [`MAX_PAGES`] pages (a server
    ///   ignoring `page`) yields an error naming the operation, never a truncated list.
    /// - An error on any page is yielded once, and the iteration ends.
    /// - [`Pages::pages_fetched`] counts its requests (retries aside; [`Client::request_count`]
    ///   counts every HTTP request of the client).
    ///
    /// ```
    /// use instatus::{api, Client};
    /// # let emulator = instatus_emulator::Emulator::start(instatus_emulator::Config::default()).unwrap();
    /// # let page = instatus::model::PageId::new(emulator.create_page("ephemery", "Ephemery"));
    /// # let client = Client::builder(emulator.api_key()).base_url(emulator.url()).build()?;
    /// for name in ["a", "b", "c"] {
    ///     let body = api::components::CreateComponentRequest::new(name);
    ///     client.send(api::components::create(&page, &body))?;
    /// }
    /// let mut pages = client.paginate(api::components::list(&page).per_page(2));
    /// let names: Vec<String> = pages
    ///     .by_ref()
    ///     .map(|c| c.map(|c| c.name.as_str().to_owned()))
    ///     .collect::<Result<_, _>>()?;
    /// assert_eq!(names, ["a", "b", "c"]);
    /// assert_eq!(pages.pages_fetched(), 2, "the short second page ended it");
    /// # Ok::<(), instatus::Error>(())
    /// ```
    pub fn paginate<T: DeserializeOwned>(&self, list: ListCall<T>) -> Pages<'_, T> {
        Pages {
            client: self,
            list,
            next_page: 1,
            buffer: VecDeque::new(),
            done: false,
        }
    }

    /// Every item of a list: [`paginate`](Self::paginate) collected, with the same rules (stops
    /// on a short page, no silent cap, the first error ends it).
    pub fn list_all<T: DeserializeOwned>(&self, list: ListCall<T>) -> Result<Vec<T>> {
        self.paginate(list).collect()
    }

    fn execute<T: DeserializeOwned>(&self, base: &str, call: Call<T>, auth: bool) -> Result<T> {
        let target = Target {
            op: call.op(),
            path: call.path().to_owned(),
        };
        if let Some(message) = call.body_error() {
            return Err(Error::Encode {
                target,
                message: message.to_owned(),
            });
        }
        let url = build_url(base, &call);
        let body = call.body().map(|v| v.to_string().into_bytes());
        let method = call.method();
        // Error texts quote response bodies: the key is masked in them (a proxy may echo it).
        let key = self.inner.auth.expose().trim_start_matches("Bearer ");
        let secrets = [key];
        let policy = &self.inner.retry;
        let started = Instant::now();
        let mut attempt = 0u32;
        let mut last_retry_after = None;
        loop {
            attempt += 1;
            let authorization = auth.then(|| self.inner.auth.expose());
            let outcome = self.attempt(method, &url, body.as_deref(), authorization);
            // Decide: done, or wait this long and try again.
            let wait = match outcome {
                Attempt::Answer { status, body, .. } if (200..300).contains(&status) => {
                    return decode(&target, status, &body, &secrets);
                }
                Attempt::Answer {
                    status: 429,
                    retry_after,
                    ..
                } => {
                    // Rate-limited requests were not processed: safe to repeat, POST included.
                    // A Retry-After longer than the budget ends the call instead of cutting it short.
                    last_retry_after = retry_after;
                    retry_after.unwrap_or_else(|| policy.backoff(attempt, fastrand::f64()))
                }
                Attempt::Answer { status, body, .. } if status >= 500 && method.is_idempotent() => {
                    let wait = policy.backoff(attempt, fastrand::f64());
                    if !self.may_retry(attempt, started, wait) {
                        return Err(api_error(target, status, &body, &secrets));
                    }
                    wait
                }
                Attempt::Answer { status, body, .. } if status >= 500 => {
                    return Err(Error::Ambiguous {
                        cause: Box::new(api_error(target.clone(), status, &body, &secrets)),
                        target,
                    });
                }
                Attempt::Answer { status, body, .. } => {
                    return Err(api_error(target, status, &body, &secrets))
                }
                Attempt::NotSent(message) => {
                    let wait = policy.backoff(attempt, fastrand::f64());
                    if !self.may_retry(attempt, started, wait) {
                        return Err(Error::Transport { target, message });
                    }
                    wait
                }
                Attempt::Broken(message) => {
                    let err = Error::Transport {
                        target: target.clone(),
                        message,
                    };
                    if !method.is_idempotent() {
                        return Err(Error::Ambiguous {
                            target,
                            cause: Box::new(err),
                        });
                    }
                    let wait = policy.backoff(attempt, fastrand::f64());
                    if !self.may_retry(attempt, started, wait) {
                        return Err(err);
                    }
                    wait
                }
                Attempt::TimedOut => {
                    let err = Error::Timeout {
                        target: target.clone(),
                        timeout: self.inner.timeout,
                    };
                    if !method.is_idempotent() {
                        return Err(Error::Ambiguous {
                            target,
                            cause: Box::new(err),
                        });
                    }
                    let wait = policy.backoff(attempt, fastrand::f64());
                    if !self.may_retry(attempt, started, wait) {
                        return Err(err);
                    }
                    wait
                }
            };
            if !self.may_retry(attempt, started, wait) || wait > policy.max_delay {
                // Only 429 reaches here: every other arm returned or checked already.
                return Err(Error::RateLimited {
                    target,
                    attempts: attempt,
                    retry_after: last_retry_after,
                });
            }
            std::thread::sleep(wait);
        }
    }

    /// Whether another attempt fits the policy after waiting `wait`.
    fn may_retry(&self, attempt: u32, started: Instant, wait: Duration) -> bool {
        let policy = &self.inner.retry;
        // Saturating: a wait of 2^64-1 s (a hostile `Retry-After`) must not overflow.
        attempt < policy.max_attempts
            && started.elapsed().saturating_add(wait) <= policy.max_elapsed
    }

    fn attempt(
        &self,
        method: Method,
        url: &str,
        body: Option<&[u8]>,
        authorization: Option<&str>,
    ) -> Attempt {
        if let Some(throttle) = &self.inner.throttle {
            throttle.acquire();
        }
        self.inner.requests.fetch_add(1, Ordering::Relaxed);
        let mut request = ureq::http::Request::builder()
            .method(method.as_str())
            .uri(url)
            .header("Accept", "application/json");
        if let Some(value) = authorization {
            request = request.header("Authorization", value);
        }
        let result = match body {
            Some(bytes) => request
                .header("Content-Type", "application/json")
                .body(bytes.to_vec())
                .map_err(ureq::Error::Http)
                .and_then(|r| self.inner.agent.run(r)),
            // ureq sends a bodiless POST with no length at all (RFC 9110 §8.6 wants one; servers may
            // answer 411 Length Required):
            // an empty body gives it `Content-Length: 0`.
            None if method == Method::Post => request
                .body(Vec::new())
                .map_err(ureq::Error::Http)
                .and_then(|r| self.inner.agent.run(r)),
            None => request
                .body(())
                .map_err(ureq::Error::Http)
                .and_then(|r| self.inner.agent.run(r)),
        };
        match result {
            Ok(mut response) => {
                let status = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| parse_retry_after(v, jiff::Timestamp::now()));
                let mut bytes = Vec::new();
                let read = response
                    .body_mut()
                    .as_reader()
                    .take(MAX_BODY)
                    .read_to_end(&mut bytes);
                match read {
                    Ok(_) => Attempt::Answer {
                        status,
                        retry_after,
                        body: bytes,
                    },
                    Err(e) => classify(&ureq::Error::Io(e)),
                }
            }
            Err(e) => classify(&e),
        }
    }
}

/// Sorts a transport failure by whether the server may have seen the request.
fn classify(error: &ureq::Error) -> Attempt {
    use std::io::ErrorKind;
    use ureq::Timeout as T;
    match error {
        ureq::Error::Timeout(T::Resolve | T::Connect) => Attempt::NotSent(error.to_string()),
        ureq::Error::Timeout(_) => Attempt::TimedOut,
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => {
            Attempt::NotSent(error.to_string())
        }
        ureq::Error::Io(io) if io.kind() == ErrorKind::TimedOut => Attempt::TimedOut,
        ureq::Error::Io(io)
            if matches!(
                io.kind(),
                ErrorKind::ConnectionRefused | ErrorKind::AddrNotAvailable | ErrorKind::NotFound
            ) =>
        {
            Attempt::NotSent(error.to_string())
        }
        _ => Attempt::Broken(error.to_string()),
    }
}

fn build_url<T>(base: &str, call: &Call<T>) -> String {
    let mut url = format!("{base}{}", call.path());
    for (i, (name, value)) in call.query_params().iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.extend(utf8_percent_encode(name, QUERY));
        url.push('=');
        url.extend(utf8_percent_encode(value, QUERY));
    }
    url
}

fn decode<T: DeserializeOwned>(
    target: &Target,
    status: u16,
    body: &[u8],
    secrets: &[&str],
) -> Result<T> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|_| Error::NotJson {
        target: target.clone(),
        status,
        snippet: snippet(body, secrets),
    })?;
    serde_path_to_error::deserialize(value).map_err(|e| Error::Decode {
        target: target.clone(),
        type_name: short_type_name::<T>(),
        field: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

fn api_error(target: Target, status: u16, body: &[u8], secrets: &[&str]) -> Error {
    let envelope = serde_json::from_slice::<serde_json::Value>(body).ok();
    let error = envelope.as_ref().and_then(|v| v.get("error"));
    let code = error
        .and_then(|e| e.get("code"))
        .and_then(|c| c.as_str())
        .map(str::to_owned);
    let message = error
        .and_then(|e| e.get("message").or(Some(e)))
        .and_then(|m| m.as_str())
        .map(|m| excerpt(m, secrets, usize::MAX))
        .unwrap_or_else(|| snippet(body, secrets));
    Error::Api {
        target,
        status,
        code,
        message,
    }
}

fn snippet(body: &[u8], secrets: &[&str]) -> String {
    excerpt(&String::from_utf8_lossy(body), secrets, EXCERPT_CHARS)
}

fn short_type_name<T>() -> String {
    // `alloc::vec::Vec<instatus::model::component::Component>` → `Vec<Component>`
    let mut out = String::new();
    let mut segment = String::new();
    for ch in std::any::type_name::<T>().chars() {
        if ch.is_alphanumeric() || ch == '_' || ch == ':' {
            segment.push(ch);
        } else {
            out.push_str(segment.rsplit("::").next().unwrap_or_default());
            segment.clear();
            out.push(ch);
        }
    }
    out.push_str(segment.rsplit("::").next().unwrap_or_default());
    out
}

/// Iterator over every item of a list, fetching one page at a time (see [`Client::paginate`]).
/// Yields an error once and then ends if a page fails.
pub struct Pages<'a, T> {
    client: &'a Client,
    list: ListCall<T>,
    next_page: u32,
    buffer: VecDeque<T>,
    done: bool,
}

impl<T> Pages<'_, T> {
    /// Pages requested so far (one call each; retries of a call are not counted here).
    pub fn pages_fetched(&self) -> u32 {
        self.next_page - 1
    }
}

impl<T: DeserializeOwned> Iterator for Pages<'_, T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(Ok(item));
            }
            if self.done {
                return None;
            }
            if self.next_page > MAX_PAGES {
                self.done = true;
                return Some(Err(Error::Config(format!(
                    "{} did not end after {MAX_PAGES} pages",
                    self.list.op().name()
                ))));
            }
            let call = self.list.page(self.next_page);
            self.next_page += 1;
            match self.client.send(call) {
                Ok(items) => {
                    self.done = (items.len() as u64) < u64::from(self.list.page_size());
                    self.buffer.extend(items);
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

/// Why a request to a server other than Instatus ([`Client::get_foreign`],
/// [`Client::post_foreign_json`]) got no answer. An answer, whatever its status, is not an error.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ForeignError {
    /// The request could not be sent, or the connection broke (in the transport's words).
    #[error("{0}")]
    Transport(String),
    /// No answer within the client's timeout.
    #[error("no answer within {0:?}")]
    TimedOut(Duration),
}

impl Client {
    /// GET of an absolute URL on a server other than Instatus (Prometheus, Alertmanager), for
    /// [`crate::sources`]: no Instatus key is sent (the [`ForeignAuth`] given to the builder is,
    /// and its [`ForeignTls`] applies); the executor's timeouts, retries (transport
    /// failures and 5xx; GET is safe to repeat), throttle and request count apply. Returns the
    /// final HTTP status and body whatever the status, so the caller can read its own error
    /// envelope; `Err` is a transport failure or timeout after the retries.
    pub fn get_foreign(
        &self,
        url: &str,
        query: &[(&str, &str)],
    ) -> std::result::Result<(u16, Vec<u8>), ForeignError> {
        let mut full = url.to_owned();
        for (i, (name, value)) in query.iter().enumerate() {
            full.push(if i == 0 && !url.contains('?') {
                '?'
            } else {
                '&'
            });
            full.extend(utf8_percent_encode(name, QUERY));
            full.push('=');
            full.extend(utf8_percent_encode(value, QUERY));
        }
        let policy = &self.inner.retry;
        let started = Instant::now();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let authorization = self.inner.foreign_auth.as_ref().map(Secret::expose);
            let failure = match self.attempt(Method::Get, &full, None, authorization) {
                Attempt::Answer { status, body, .. } if status < 500 => return Ok((status, body)),
                Attempt::Answer { status, body, .. } => Ok((status, body)),
                Attempt::NotSent(message) | Attempt::Broken(message) => {
                    Err(ForeignError::Transport(message))
                }
                Attempt::TimedOut => Err(ForeignError::TimedOut(self.inner.timeout)),
            };
            let wait = policy.backoff(attempt, fastrand::f64());
            if !self.may_retry(attempt, started, wait) {
                return failure;
            }
            std::thread::sleep(wait);
        }
    }
}

impl Client {
    /// POST of a JSON body to an absolute URL on a server other than Instatus (an execution
    /// client's JSON-RPC, for [`crate::sources::probes`]): no Instatus key is sent (the
    /// [`ForeignAuth`] given to the builder is, as for [`get_foreign`](Self::get_foreign)); the
    /// executor's timeouts, throttle and request count apply. Sent once: a JSON-RPC read is
    /// safe to repeat, but the caller decides (a probe answers for this one attempt). Returns the
    /// HTTP status and body whatever the status; `Err` is a transport failure or timeout.
    pub fn post_foreign_json(
        &self,
        url: &str,
        body: &serde_json::Value,
    ) -> std::result::Result<(u16, Vec<u8>), ForeignError> {
        let bytes = body.to_string().into_bytes();
        let authorization = self.inner.foreign_auth.as_ref().map(Secret::expose);
        match self.attempt(Method::Post, url, Some(&bytes), authorization) {
            Attempt::Answer { status, body, .. } => Ok((status, body)),
            Attempt::NotSent(message) | Attempt::Broken(message) => {
                Err(ForeignError::Transport(message))
            }
            Attempt::TimedOut => Err(ForeignError::TimedOut(self.inner.timeout)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_api_key_with_a_newline_is_refused_at_build_and_never_echoed() {
        // It used to fail at the first request as a transport error, retried for 4-5 s.
        for key in ["k3y-0123456789\n", "k3y 0123456789", "k3y-\u{0}-0123456789"] {
            let err = Client::builder(key).build().unwrap_err();
            let text = format!("{err} {err:?}");
            assert!(matches!(err, Error::Config(_)), "{text}");
            assert!(text.contains("API key: the key (not shown"), "{text}");
            assert!(!text.contains("k3y"), "the key leaked: {text}");
        }
    }

    #[test]
    fn a_malformed_base_url_is_refused_at_build_naming_it() {
        for url in [
            "http://",
            "http://[::1",
            "https://exa mple.com",
            "ftp://x.example",
        ] {
            let err = Client::builder("key").base_url(url).build().unwrap_err();
            let text = err.to_string();
            assert!(
                text.contains(&format!("base URL: {url:?} is not a base URL")),
                "{url}: {text}"
            );
        }
        assert!(Client::builder("key")
            .base_url("http://127.0.0.1:8788/")
            .build()
            .is_ok());
    }
}
