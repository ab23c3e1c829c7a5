//! Built-in health probes: the status engine's third reading source, beside PromQL and alerts,
//! for hosts that run no Prometheus. A probe asks a service itself and yields named numeric
//! **signals** (`execution.head_age_seconds`, `beacon.head_lag_slots`, `grafana.ok`...); a
//! threshold rule reads one with `probe: NAME.SIGNAL` instead of `query:`, so levels, enter and
//! exit thresholds, hold times and "unknown" work exactly as for PromQL.
//!
//! Kinds (one file each):
//! * [`execution`]: an execution client's JSON-RPC (`eth_chainId`, `eth_syncing`,
//!   `eth_getBlockByNumber("latest", false)`, `net_peerCount`), the chain id checked against a
//!   fixed id or the Ephemery reset schedule.
//! * [`beacon`]: the standard Beacon node API (`/eth/v1/node/{health,syncing,peer_count}`, the
//!   genesis and spec for the wall clock, `states/head/finality_checkpoints`).
//! * [`http`]: status, latency, an optional JSON field or body match; and `tcp`: connect.
//! * [`host`]: the bridge's own host: free space of a path, memory, load.
//!
//! **Silence is not health.** Every kind has an `up` (or `ok`) signal that reads 0 when the
//! service does not answer (refused, timed out, an HTTP error): a rule maps that to an outage
//! explicitly. Every other signal of a probe that got no usable answer is *failed*, i.e. unknown
//! to the engine (the last level is kept, never lowered). A signal the service does not offer
//! (`net_peerCount` on a node without it, `el_offline` on an older beacon node) is *absent*: an
//! empty result, which a rule's `on_empty` decides (`unknown` by default; missing is not false).
//!
//! Probes run concurrently, one thread each, on a client with their own timeout
//! ([`ProbeConfig::client`]), and [`run_all`] waits at most the longest `timeout_secs` plus a second: a probe still running then counts as not answering, so one dead
//! endpoint cannot stall an evaluation. HTTP goes through the crate's one executor
//! ([`Client::get_foreign`], [`Client::post_foreign_json`]).

pub mod beacon;
pub mod execution;
pub mod host;
pub mod http;

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::status::{QueryResult, Sample};
use crate::Client;

/// The default time one probe may take, all its requests together, seconds.
pub const DEFAULT_TIMEOUT_SECS: u64 = 5;

/// The longest `timeout_secs` a probe may have.
pub const MAX_TIMEOUT_SECS: u64 = 120;

/// The prefix of probe signals among the engine's observations
/// ([`Observations::queries`](crate::status::Observations::queries)): `probe:NAME.SIGNAL`.
pub const KEY_PREFIX: &str = "probe:";

/// The observation key of a signal (`probe:execution.up`).
pub fn key(signal: &str) -> String {
    format!("{KEY_PREFIX}{signal}")
}

/// One probe: its kind and its settings. Written as a one-key map, as rules are
/// (`- execution: {name: execution, url: http://127.0.0.1:8545}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ProbeConfig {
    /// An execution client's JSON-RPC.
    Execution(execution::ExecutionProbe),
    /// A beacon node's standard API (or a checkpoint sync provider's finality).
    Beacon(beacon::BeaconProbe),
    /// An HTTP(S) endpoint: status, latency, optional JSON field or body match.
    Http(http::HttpProbe),
    /// A TCP port: connect only.
    Tcp(http::TcpProbe),
    /// The bridge's own host: free space of a path, memory, load.
    Host(host::HostProbe),
}

impl ProbeConfig {
    /// The probe's name, the first part of its signals' names.
    pub fn name(&self) -> &str {
        match self {
            ProbeConfig::Execution(p) => &p.name,
            ProbeConfig::Beacon(p) => &p.name,
            ProbeConfig::Http(p) => &p.name,
            ProbeConfig::Tcp(p) => &p.name,
            ProbeConfig::Host(p) => &p.name,
        }
    }

    /// The kind, as written in the config (`execution`, `beacon`, `http`, `tcp`, `host`).
    pub fn kind(&self) -> &'static str {
        match self {
            ProbeConfig::Execution(_) => "execution",
            ProbeConfig::Beacon(_) => "beacon",
            ProbeConfig::Http(_) => "http",
            ProbeConfig::Tcp(_) => "tcp",
            ProbeConfig::Host(_) => "host",
        }
    }

    /// What it asks, for people (`http://127.0.0.1:8545`, `/opt/ephemery`).
    pub fn target(&self) -> String {
        match self {
            ProbeConfig::Execution(p) => p.url.clone(),
            ProbeConfig::Beacon(p) => p.url.clone(),
            ProbeConfig::Http(p) => p.url.clone(),
            ProbeConfig::Tcp(p) => p.address.clone(),
            ProbeConfig::Host(p) => p.path.display().to_string(),
        }
    }

    /// The time it may take.
    pub fn timeout(&self) -> Duration {
        let secs = match self {
            ProbeConfig::Execution(p) => p.timeout_secs,
            ProbeConfig::Beacon(p) => p.timeout_secs,
            ProbeConfig::Http(p) => p.timeout_secs,
            ProbeConfig::Tcp(p) => p.timeout_secs,
            ProbeConfig::Host(_) => DEFAULT_TIMEOUT_SECS,
        };
        Duration::from_secs(secs.clamp(1, MAX_TIMEOUT_SECS))
    }

    /// The signals this kind yields, with a line each for people.
    pub fn signals(&self) -> &'static [(&'static str, &'static str)] {
        match self {
            ProbeConfig::Execution(_) => execution::SIGNALS,
            ProbeConfig::Beacon(_) => beacon::SIGNALS,
            ProbeConfig::Http(_) => http::HTTP_SIGNALS,
            ProbeConfig::Tcp(_) => http::TCP_SIGNALS,
            ProbeConfig::Host(_) => host::SIGNALS,
        }
    }

    /// Checks the settings: `Err((field, message))`, the field relative to the probe's kind
    /// (`execution.url`).
    pub fn validate(&self) -> Result<(), (String, String)> {
        let at = |f: &str| format!("{}.{f}", self.kind());
        let name = self.name();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err((
                at("name"),
                format!("{name:?} is not a name; allowed: letters, digits, `_` and `-`"),
            ));
        }
        let secs = match self {
            ProbeConfig::Execution(p) => Some(p.timeout_secs),
            ProbeConfig::Beacon(p) => Some(p.timeout_secs),
            ProbeConfig::Http(p) => Some(p.timeout_secs),
            ProbeConfig::Tcp(p) => Some(p.timeout_secs),
            ProbeConfig::Host(_) => None,
        };
        if let Some(secs) = secs {
            if !(1..=MAX_TIMEOUT_SECS).contains(&secs) {
                return Err((
                    at("timeout_secs"),
                    format!("{secs} is out of range; allowed: 1 to {MAX_TIMEOUT_SECS}"),
                ));
            }
        }
        match self {
            ProbeConfig::Execution(p) => {
                check_url(&p.url).map_err(|m| (at("url"), m))?;
                p.validate().map_err(|(f, m)| (at(&f), m))
            }
            ProbeConfig::Beacon(p) => {
                check_url(&p.url).map_err(|m| (at("url"), m))?;
                p.validate().map_err(|(f, m)| (at(&f), m))
            }
            ProbeConfig::Http(p) => {
                check_url(&p.url).map_err(|m| (at("url"), m))?;
                p.validate().map_err(|(f, m)| (at(&f), m))
            }
            ProbeConfig::Tcp(p) => p.validate().map_err(|(f, m)| (at(&f), m)),
            ProbeConfig::Host(p) => p.validate().map_err(|(f, m)| (at(&f), m)),
        }
    }

    /// The client this probe runs on: its `timeout_secs` per request (connect at most 3 s), no
    /// retries (a probe answers for one attempt), no Instatus key sent.
    pub fn client(&self, user_agent: &str) -> crate::Result<Client> {
        let timeout = self.timeout();
        Client::builder("unused")
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(3)))
            .retry(crate::RetryPolicy::none())
            .user_agent(user_agent)
            .build()
    }

    /// Runs the probe once at `now`. Blocking; bounded by the client's timeout per request and
    /// the probe's own deadline between requests.
    pub fn run(&self, client: &Client, now: Timestamp) -> ProbeReading {
        let deadline = Deadline::new(self.timeout());
        match self {
            ProbeConfig::Execution(p) => p.run(client, now, &deadline),
            ProbeConfig::Beacon(p) => p.run(client, now, &deadline),
            ProbeConfig::Http(p) => p.run(client),
            ProbeConfig::Tcp(p) => p.run(self.timeout()),
            ProbeConfig::Host(p) => p.run(),
        }
    }
}

fn check_url(url: &str) -> Result<(), String> {
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(())
    } else {
        Err(format!(
            "{url:?} is not a URL; allowed: http://... or https://..."
        ))
    }
}

/// The time left to a probe, checked between its requests.
#[derive(Clone, Copy, Debug)]
pub struct Deadline {
    at: Instant,
    total: Duration,
}

impl Deadline {
    /// A deadline `total` from now.
    pub fn new(total: Duration) -> Self {
        Self {
            at: Instant::now() + total,
            total,
        }
    }

    /// `Err` once it has passed.
    pub fn check(&self) -> Result<(), DeadlinePassed> {
        if Instant::now() >= self.at {
            Err(DeadlinePassed(self.total))
        } else {
            Ok(())
        }
    }
}

/// A probe's deadline passed before its service answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("no answer within {} s", .0.as_secs())]
pub struct DeadlinePassed(pub Duration);

impl From<DeadlinePassed> for String {
    fn from(e: DeadlinePassed) -> String {
        e.to_string()
    }
}

/// One signal's value in one run.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// A number (booleans are 0 and 1).
    Value(f64),
    /// The service does not offer it (an optional method or field): no series.
    Absent(String),
    /// No usable answer: unknown, with the reason.
    Failed(String),
}

/// What one run of one probe gave.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProbeReading {
    /// Whether the service answered usably (its `up`/`ok` signal is 1).
    pub answered: bool,
    /// A line for people: what it answered, or why not.
    pub detail: String,
    /// The signals by name (without the probe's name).
    pub signals: BTreeMap<&'static str, Signal>,
}

impl ProbeReading {
    /// A reading where the service did not answer: `up_signals` read 0, every other signal of
    /// `all` failed with `why`.
    pub fn down(
        all: &[(&'static str, &'static str)],
        up_signals: &[&'static str],
        why: String,
    ) -> Self {
        let signals = all
            .iter()
            .map(|(name, _)| {
                let s = if up_signals.contains(name) {
                    Signal::Value(0.0)
                } else {
                    Signal::Failed(why.clone())
                };
                (*name, s)
            })
            .collect();
        Self {
            answered: false,
            detail: why,
            signals,
        }
    }
}

/// The readings of every probe by probe name, as run by [`run_all`].
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Readings {
    /// Per probe name.
    pub probes: BTreeMap<String, ProbeReading>,
    /// When they were taken (the samples' time).
    #[serde(skip)]
    pub at: Option<Timestamp>,
}

impl Readings {
    /// The signals as the engine's observations: `probe:NAME.SIGNAL` → one sample labelled
    /// `probe=NAME` at the run's time, no sample (absent), or failed.
    pub fn observations(&self) -> BTreeMap<String, QueryResult> {
        let at = self.at.unwrap_or_else(Timestamp::now);
        let mut out = BTreeMap::new();
        for (name, reading) in &self.probes {
            for (signal, value) in &reading.signals {
                let result = match value {
                    Signal::Value(v) => QueryResult::Samples(vec![Sample {
                        labels: BTreeMap::from([("probe".to_owned(), name.clone())]),
                        value: *v,
                        timestamp: at,
                    }]),
                    Signal::Absent(_) => QueryResult::Samples(Vec::new()),
                    Signal::Failed(why) => QueryResult::Failed(format!("probe {name}: {why}")),
                };
                out.insert(key(&format!("{name}.{signal}")), result);
            }
        }
        out
    }
}

/// A probe with the client it runs on ([`ProbeConfig::client`]).
pub type Prepared = (ProbeConfig, Client);

/// Runs every probe at once, one thread each, and waits at most the longest timeout plus one
/// second. A probe that has not finished by then reads as not answering (its `up` is 0, its other
/// signals unknown); its thread ends on its own request timeout.
pub fn run_all(prepared: &[Prepared], now: Timestamp) -> Readings {
    let (tx, rx) = mpsc::channel();
    let probes: Vec<&ProbeConfig> = prepared.iter().map(|(p, _)| p).collect();
    let longest = probes.iter().map(|p| p.timeout()).max().unwrap_or_default();
    for (i, (probe, client)) in prepared.iter().enumerate() {
        let (sender, client, probe) = (tx.clone(), client.clone(), probe.clone());
        let spawned = std::thread::Builder::new()
            .name(format!("probe-{}", probe.name()))
            .spawn(move || {
                let _ = sender.send((i, probe.run(&client, now)));
            });
        if let Err(e) = spawned {
            let _ = tx.send((
                i,
                ProbeReading::down(
                    probes[i].signals(),
                    up_signals(probes[i]),
                    format!("cannot start the probe: {e}"),
                ),
            ));
        }
    }
    drop(tx);
    let deadline = Instant::now() + longest + Duration::from_secs(1);
    let mut got: BTreeMap<usize, ProbeReading> = BTreeMap::new();
    while got.len() < probes.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((i, reading)) => {
                got.insert(i, reading);
            }
            Err(_) => break,
        }
    }
    let mut readings = Readings {
        probes: BTreeMap::new(),
        at: Some(now),
    };
    for (i, probe) in probes.iter().enumerate() {
        let reading = got.remove(&i).unwrap_or_else(|| {
            ProbeReading::down(
                probe.signals(),
                up_signals(probe),
                format!("no answer within {} s", probe.timeout().as_secs()),
            )
        });
        readings.probes.insert(probe.name().to_owned(), reading);
    }
    readings
}

/// The signals that read 0 (not unknown) when a probe of this kind gets no answer.
pub fn up_signals(probe: &ProbeConfig) -> &'static [&'static str] {
    match probe {
        ProbeConfig::Http(_) => &["up", "ok"],
        ProbeConfig::Host(_) => &[],
        _ => &["up"],
    }
}

/// Parses a JSON-RPC / Beacon API quantity: `"0x1f"` (hex) or `"31"` (decimal string) or a
/// JSON number.
pub(crate) fn quantity(value: &serde_json::Value) -> Option<f64> {
    match value {
        serde_json::Value::String(s) => {
            if let Some(hex) = s.strip_prefix("0x") {
                u64::from_str_radix(hex, 16).ok().map(|v| v as f64)
            } else {
                s.parse::<u64>().ok().map(|v| v as f64)
            }
        }
        serde_json::Value::Number(n) => n.as_f64(),
        _ => None,
    }
}

fn bool_signal(value: Option<&serde_json::Value>, what: &str) -> Signal {
    match value {
        Some(serde_json::Value::Bool(b)) => Signal::Value(f64::from(u8::from(*b))),
        None => Signal::Absent(format!("{what} not in the answer")),
        Some(other) => Signal::Failed(format!("{what} is not a boolean: {other}")),
    }
}

fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(120)]);
    text.trim().replace('\n', " ")
}

#[cfg(test)]
mod tests;
