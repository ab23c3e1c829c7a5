//! An execution client's JSON-RPC (ethereum/execution-apis): `eth_chainId`, `eth_syncing`,
//! `eth_getBlockByNumber("latest", false)` for the head's age, and `net_peerCount`, which is not
//! in the spec (anvil answers `-32601`): an error there means *unsupported*, not down.

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{quantity, snippet, Deadline, ProbeReading, Signal, DEFAULT_TIMEOUT_SECS};
use crate::ephemery::Schedule;
use crate::Client;

/// The signals of an `execution` probe.
pub const SIGNALS: &[(&str, &str)] = &[
    ("up", "1 when the node answers JSON-RPC, 0 when refused, timed out or not JSON-RPC"),
    ("syncing", "1 while eth_syncing returns an object, 0 when it returns false"),
    ("head_block", "the latest block's number"),
    ("head_age_seconds", "seconds since the latest block's timestamp"),
    ("peers", "net_peerCount (absent when the node does not offer the method)"),
    ("chain_id", "eth_chainId"),
    (
        "chain_id_mismatch",
        "1 when eth_chainId is not an expected id (`chain_id` set), else 0; absent without `chain_id`",
    ),
];

/// `execution`: an execution client's JSON-RPC endpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExecutionProbe {
    /// The probe's name: its signals are `NAME.up`, `NAME.head_age_seconds`...
    pub name: String,
    /// The JSON-RPC URL, e.g. `http://127.0.0.1:8545`.
    pub url: String,
    /// The chain id expected (`chain_id_mismatch`): a fixed id or the Ephemery schedule.
    /// Default: none (no check).
    #[serde(default)]
    pub chain_id: Option<ExpectedChainId>,
    /// Seconds the whole probe may take. Default 5.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
}

fn default_timeout() -> u64 {
    DEFAULT_TIMEOUT_SECS
}

/// The chain id a node should report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ExpectedChainId {
    /// Always this id.
    Fixed(u64),
    /// Ephemery's: `39438000 + iteration`, the iteration computed from the reset schedule, so a
    /// reset never reads as a mismatch: within `tolerance_secs` of a reset both the old and the
    /// new id are accepted (nodes reset a few minutes early, or late when their cron runs late).
    Ephemery(EphemeryChainId),
}

/// The Ephemery schedule the expected chain id follows (ephemery-genesis `values.env`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct EphemeryChainId {
    /// A known iteration (`ITERATION_NUMBER`). Default 160.
    pub anchor_iteration: u64,
    /// Its genesis, Unix seconds (`GENESIS_TIMESTAMP`). Default 1780599600.
    pub anchor_genesis: i64,
    /// Seconds between resets (`GENESIS_INTERVAL`). Default 2419200.
    pub period_secs: i64,
    /// Around each reset, both ids are accepted this long before and after it. Default 3600.
    pub tolerance_secs: i64,
}

impl Default for EphemeryChainId {
    fn default() -> Self {
        Self {
            anchor_iteration: Schedule::EPHEMERY.anchor_iteration(),
            anchor_genesis: Schedule::EPHEMERY.anchor_genesis().as_second(),
            period_secs: Schedule::EPHEMERY.period_secs(),
            tolerance_secs: 3600,
        }
    }
}

impl EphemeryChainId {
    fn schedule(&self) -> Result<Schedule, String> {
        let genesis = Timestamp::from_second(self.anchor_genesis)
            .map_err(|e| format!("anchor_genesis: {e}"))?;
        Schedule::new(self.anchor_iteration, genesis, self.period_secs).map_err(|e| e.to_string())
    }
}

impl ExpectedChainId {
    /// The ids accepted at `now` (one, or two around an Ephemery reset).
    pub fn accepted(&self, now: Timestamp) -> Vec<u64> {
        match self {
            ExpectedChainId::Fixed(id) => vec![*id],
            ExpectedChainId::Ephemery(e) => {
                let Ok(schedule) = e.schedule() else {
                    return Vec::new();
                };
                let Some(current) = schedule.iteration_at(now) else {
                    return Vec::new();
                };
                let mut ids = vec![current.chain_id];
                let since = now.as_second() - current.genesis.as_second();
                if since < e.tolerance_secs && current.iteration > 0 {
                    ids.insert(0, current.chain_id - 1);
                }
                if let Some(next) = schedule.reset(current.iteration + 1) {
                    if next.genesis.as_second() - now.as_second() <= e.tolerance_secs {
                        ids.push(next.chain_id);
                    }
                }
                ids
            }
        }
    }
}

impl ExecutionProbe {
    pub(super) fn validate(&self) -> Result<(), (String, String)> {
        if let Some(ExpectedChainId::Ephemery(e)) = &self.chain_id {
            e.schedule()
                .map_err(|m| ("chain_id.ephemery".to_owned(), m))?;
            if !(0..=e.period_secs / 2).contains(&e.tolerance_secs) {
                return Err((
                    "chain_id.ephemery.tolerance_secs".into(),
                    format!(
                        "{} is out of range; allowed: 0 to half the period ({})",
                        e.tolerance_secs,
                        e.period_secs / 2
                    ),
                ));
            }
        }
        Ok(())
    }

    pub(super) fn run(&self, client: &Client, now: Timestamp, deadline: &Deadline) -> ProbeReading {
        let down = |why: String| ProbeReading::down(SIGNALS, &["up"], why);
        // eth_chainId first: it decides `up`.
        let chain_id = match call(client, &self.url, "eth_chainId", json!([])) {
            Ok(Ok(v)) => match quantity(&v) {
                Some(id) => Signal::Value(id),
                None => Signal::Failed(format!("eth_chainId is not a quantity: {v}")),
            },
            Ok(Err(e)) => Signal::Failed(format!("eth_chainId: {e}")),
            Err(why) => return down(why),
        };
        let mut reading = ProbeReading {
            answered: true,
            detail: String::new(),
            signals: Default::default(),
        };
        let s = &mut reading.signals;
        s.insert("up", Signal::Value(1.0));
        s.insert(
            "chain_id_mismatch",
            match (&self.chain_id, &chain_id) {
                (None, _) => Signal::Absent("no expected chain id configured".into()),
                (Some(expected), Signal::Value(id)) => {
                    let accepted = expected.accepted(now);
                    if accepted.is_empty() {
                        Signal::Failed("the schedule gives no chain id at this time".into())
                    } else {
                        Signal::Value(f64::from(u8::from(
                            !accepted.iter().any(|a| *a as f64 == *id),
                        )))
                    }
                }
                (Some(_), Signal::Failed(why) | Signal::Absent(why)) => Signal::Failed(why.clone()),
            },
        );
        s.insert("chain_id", chain_id);
        let step = |method: &str, params: Value| -> Result<Result<Value, String>, String> {
            deadline.check()?;
            call(client, &self.url, method, params)
        };
        match step("eth_syncing", json!([])) {
            Ok(Ok(Value::Bool(false))) => s.insert("syncing", Signal::Value(0.0)),
            Ok(Ok(Value::Object(_))) => s.insert("syncing", Signal::Value(1.0)),
            Ok(Ok(other)) => s.insert(
                "syncing",
                Signal::Failed(format!(
                    "eth_syncing is neither false nor an object: {other}"
                )),
            ),
            Ok(Err(e)) | Err(e) => s.insert("syncing", Signal::Failed(format!("eth_syncing: {e}"))),
        };
        match step("eth_getBlockByNumber", json!(["latest", false])) {
            Ok(Ok(block @ Value::Object(_))) => {
                match (
                    block.get("number").and_then(quantity),
                    block.get("timestamp").and_then(quantity),
                ) {
                    (Some(number), Some(time)) => {
                        s.insert("head_block", Signal::Value(number));
                        let age = (now.as_second() as f64 - time).max(0.0);
                        s.insert("head_age_seconds", Signal::Value(age));
                    }
                    _ => {
                        let why = "the latest block has no number or timestamp".to_owned();
                        s.insert("head_block", Signal::Failed(why.clone()));
                        s.insert("head_age_seconds", Signal::Failed(why));
                    }
                }
            }
            Ok(Ok(other)) => {
                let why = format!("eth_getBlockByNumber(latest) returned {other}");
                s.insert("head_block", Signal::Failed(why.clone()));
                s.insert("head_age_seconds", Signal::Failed(why));
            }
            Ok(Err(e)) | Err(e) => {
                let why = format!("eth_getBlockByNumber: {e}");
                s.insert("head_block", Signal::Failed(why.clone()));
                s.insert("head_age_seconds", Signal::Failed(why));
            }
        }
        let peers = match step("net_peerCount", json!([])) {
            Ok(Ok(v)) => match quantity(&v) {
                Some(n) => Signal::Value(n),
                None => Signal::Failed(format!("net_peerCount is not a quantity: {v}")),
            },
            // An optional method: any JSON-RPC error means the node does not offer it.
            Ok(Err(e)) => Signal::Absent(format!("net_peerCount unsupported: {e}")),
            Err(e) => Signal::Failed(format!("net_peerCount: {e}")),
        };
        s.insert("peers", peers);
        reading.detail = detail(&reading);
        reading
    }
}

fn detail(reading: &ProbeReading) -> String {
    let v = |name: &str| match reading.signals.get(name) {
        Some(Signal::Value(v)) => format!("{v}"),
        Some(Signal::Absent(_)) => "n/a".to_owned(),
        _ => "?".to_owned(),
    };
    format!(
        "chain id {}, block {} ({} s old), syncing {}, peers {}",
        v("chain_id"),
        v("head_block"),
        v("head_age_seconds"),
        v("syncing"),
        v("peers")
    )
}

/// One JSON-RPC call: `Err` when the node did not answer JSON-RPC at all (transport, HTTP
/// error, not a JSON-RPC envelope); `Ok(Err)` for a JSON-RPC error object; `Ok(Ok(result))`.
fn call(
    client: &Client,
    url: &str,
    method: &str,
    params: Value,
) -> Result<Result<Value, String>, String> {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    let (status, bytes) = client
        .post_foreign_json(url, &body)
        .map_err(|e| e.to_string())?;
    let envelope: Value = serde_json::from_slice(&bytes)
        .map_err(|_| format!("HTTP {status}, not JSON-RPC: {:?}", snippet(&bytes)))?;
    if let Some(error) = envelope.get("error") {
        let code = error
            .get("code")
            .and_then(Value::as_i64)
            .unwrap_or_default();
        let message = error
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default();
        return Ok(Err(format!("JSON-RPC error {code}: {message}")));
    }
    match envelope.get("result") {
        Some(result) if envelope.get("jsonrpc").is_some() => Ok(Ok(result.clone())),
        _ => Err(format!(
            "HTTP {status}, not JSON-RPC: {:?}",
            snippet(&bytes)
        )),
    }
}
