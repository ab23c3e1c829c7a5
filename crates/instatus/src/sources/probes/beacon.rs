//! A beacon node's standard API (ethereum/beacon-APIs). Numbers are JSON strings. The head lag
//! and the finality distance are computed from the wall clock (`/eth/v1/beacon/genesis` and
//! `/eth/v1/config/spec`), because `sync_distance` and `/node/health` can both say "fine" while
//! the head is stalled (Lodestar reports `sync_distance` 0 whenever it thinks it is synced).
//! `is_optimistic` and `el_offline` are optional in practice (older clients omit them): a
//! missing field is *absent*, never false.

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::execution::ExpectedChainId;
use super::{bool_signal, quantity, snippet, Deadline, ProbeReading, Signal, DEFAULT_TIMEOUT_SECS};
use crate::Client;

/// The signals of a `beacon` probe.
pub const SIGNALS: &[(&str, &str)] = &[
    ("up", "1 when /eth/v1/node/syncing (or, with checks [finality] only, /eth/v1/beacon/genesis) answers 200, else 0"),
    ("health_status", "the HTTP status of /eth/v1/node/health: 200 ready, 206 syncing or optimistic, 503 not ready (Lighthouse: EL offline)"),
    ("syncing", "is_syncing as 0 or 1"),
    ("sync_distance", "sync_distance as the node reports it"),
    ("optimistic", "is_optimistic as 0 or 1 (absent when the node omits it)"),
    ("el_offline", "el_offline as 0 or 1 (absent when the node omits it)"),
    ("head_slot", "head_slot"),
    ("head_lag_slots", "the wall-clock slot minus head_slot (0 before genesis)"),
    ("peers", "connected peers (/eth/v1/node/peer_count)"),
    ("finality_distance_epochs", "the wall-clock epoch minus the finalized epoch of states/head/finality_checkpoints (healthy: 2)"),
    ("chain_id_mismatch", "1 when DEPOSIT_CHAIN_ID is not an expected id (`chain_id` set), else 0"),
];

/// What a `beacon` probe asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BeaconCheck {
    /// `/eth/v1/node/{syncing,health,peer_count}` and the head lag.
    Node,
    /// `/eth/v1/beacon/states/head/finality_checkpoints` and the finality distance (all a
    /// checkpoint sync provider such as checkpointz serves).
    Finality,
}

/// `beacon`: a beacon node's API, or a checkpoint sync provider with `checks: [finality]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BeaconProbe {
    /// The probe's name: its signals are `NAME.up`, `NAME.head_lag_slots`...
    pub name: String,
    /// The API's base URL, e.g. `http://127.0.0.1:5052`.
    pub url: String,
    /// What to ask. Default `[node, finality]`.
    #[serde(default = "default_checks")]
    pub checks: Vec<BeaconCheck>,
    /// The chain id expected as `DEPOSIT_CHAIN_ID` (`chain_id_mismatch`). Default: none.
    #[serde(default)]
    pub chain_id: Option<ExpectedChainId>,
    /// Seconds the whole probe may take. Default 5.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
}

fn default_checks() -> Vec<BeaconCheck> {
    vec![BeaconCheck::Node, BeaconCheck::Finality]
}

fn default_timeout() -> u64 {
    DEFAULT_TIMEOUT_SECS
}

/// The clock of the chain: genesis time and slot length, from the node.
struct Clock {
    genesis: i64,
    seconds_per_slot: i64,
    slots_per_epoch: i64,
}

impl Clock {
    fn slot(&self, now: Timestamp) -> i64 {
        (now.as_second() - self.genesis).max(0) / self.seconds_per_slot
    }
}

impl BeaconProbe {
    pub(super) fn validate(&self) -> Result<(), (String, String)> {
        if self.checks.is_empty() {
            return Err((
                "checks".into(),
                "needs at least one of node, finality".into(),
            ));
        }
        Ok(())
    }

    pub(super) fn run(&self, client: &Client, now: Timestamp, deadline: &Deadline) -> ProbeReading {
        let node = self.checks.contains(&BeaconCheck::Node);
        let finality = self.checks.contains(&BeaconCheck::Finality);
        let down = |why: String| ProbeReading::down(SIGNALS, &["up"], why);
        let mut reading = ProbeReading {
            answered: true,
            detail: String::new(),
            signals: Default::default(),
        };
        let get = |path: &str| -> Result<(u16, Vec<u8>), String> {
            deadline.check()?;
            client
                .get_foreign(&format!("{}{path}", self.url.trim_end_matches('/')), &[])
                .map_err(|e| e.to_string())
        };
        // The request that decides `up`.
        let syncing = if node {
            match get("/eth/v1/node/syncing").and_then(|a| data(a, "/eth/v1/node/syncing")) {
                Ok(d) => Some(d),
                Err(why) => return down(why),
            }
        } else {
            None
        };
        let genesis = get("/eth/v1/beacon/genesis").and_then(|a| data(a, "/eth/v1/beacon/genesis"));
        if !node {
            if let Err(why) = &genesis {
                return down(why.clone());
            }
        }
        let s = &mut reading.signals;
        s.insert("up", Signal::Value(1.0));
        let spec = get("/eth/v1/config/spec").and_then(|a| data(a, "/eth/v1/config/spec"));
        let clock = match (&genesis, &spec) {
            (Ok(g), Ok(spec)) => {
                let field = |v: &Value, k: &str| v.get(k).and_then(quantity).map(|x| x as i64);
                match (
                    field(g, "genesis_time"),
                    field(spec, "SECONDS_PER_SLOT"),
                    field(spec, "SLOTS_PER_EPOCH"),
                ) {
                    (Some(genesis), Some(sps), Some(spe)) if sps > 0 && spe > 0 => Ok(Clock {
                        genesis,
                        seconds_per_slot: sps,
                        slots_per_epoch: spe,
                    }),
                    _ => {
                        Err("genesis_time, SECONDS_PER_SLOT or SLOTS_PER_EPOCH missing".to_owned())
                    }
                }
            }
            (Err(e), _) | (_, Err(e)) => Err(e.clone()),
        };
        s.insert(
            "chain_id_mismatch",
            match (&self.chain_id, &spec) {
                (None, _) => Signal::Absent("no expected chain id configured".into()),
                (Some(expected), Ok(spec)) => match spec.get("DEPOSIT_CHAIN_ID").and_then(quantity)
                {
                    Some(id) => {
                        let accepted = expected.accepted(now);
                        if accepted.is_empty() {
                            Signal::Failed("the schedule gives no chain id at this time".into())
                        } else {
                            Signal::Value(f64::from(u8::from(
                                !accepted.iter().any(|a| *a as f64 == id),
                            )))
                        }
                    }
                    None => {
                        Signal::Failed("DEPOSIT_CHAIN_ID missing from /eth/v1/config/spec".into())
                    }
                },
                (Some(_), Err(e)) => Signal::Failed(e.clone()),
            },
        );
        if let Some(d) = syncing {
            let num = |k: &str| match d.get(k).and_then(quantity) {
                Some(v) => Signal::Value(v),
                None => Signal::Failed(format!("{k} missing or not a number")),
            };
            let head = d.get("head_slot").and_then(quantity);
            s.insert("head_slot", num("head_slot"));
            s.insert("sync_distance", num("sync_distance"));
            s.insert("syncing", bool_signal(d.get("is_syncing"), "is_syncing"));
            s.insert(
                "optimistic",
                bool_signal(d.get("is_optimistic"), "is_optimistic"),
            );
            s.insert("el_offline", bool_signal(d.get("el_offline"), "el_offline"));
            s.insert(
                "head_lag_slots",
                match (&clock, head) {
                    (Ok(c), Some(h)) => Signal::Value((c.slot(now) as f64 - h).max(0.0)),
                    (Err(e), _) => Signal::Failed(e.clone()),
                    (_, None) => Signal::Failed("head_slot missing".into()),
                },
            );
            s.insert(
                "health_status",
                match get("/eth/v1/node/health") {
                    Ok((status, _)) => Signal::Value(f64::from(status)),
                    Err(e) => Signal::Failed(format!("/eth/v1/node/health: {e}")),
                },
            );
            s.insert(
                "peers",
                match get("/eth/v1/node/peer_count")
                    .and_then(|a| data(a, "/eth/v1/node/peer_count"))
                {
                    Ok(d) => match d.get("connected").and_then(quantity) {
                        Some(n) => Signal::Value(n),
                        None => {
                            Signal::Failed("connected missing from /eth/v1/node/peer_count".into())
                        }
                    },
                    Err(e) => Signal::Failed(e),
                },
            );
        } else {
            for name in [
                "head_slot",
                "sync_distance",
                "syncing",
                "optimistic",
                "el_offline",
                "head_lag_slots",
                "health_status",
                "peers",
            ] {
                s.insert(name, Signal::Absent("checks has no `node`".into()));
            }
        }
        s.insert(
            "finality_distance_epochs",
            if finality {
                let path = "/eth/v1/beacon/states/head/finality_checkpoints";
                match (get(path).and_then(|a| data(a, path)), &clock) {
                    (Ok(d), Ok(c)) => match d.pointer("/finalized/epoch").and_then(quantity) {
                        Some(epoch) => Signal::Value(
                            ((c.slot(now) / c.slots_per_epoch) as f64 - epoch).max(0.0),
                        ),
                        None => Signal::Failed(format!("{path}: finalized.epoch missing")),
                    },
                    (Err(e), _) => Signal::Failed(e),
                    (_, Err(e)) => Signal::Failed(e.clone()),
                }
            } else {
                Signal::Absent("checks has no `finality`".into())
            },
        );
        reading.detail = detail(&reading);
        reading
    }
}

fn detail(reading: &ProbeReading) -> String {
    let parts: Vec<String> = [
        ("head_slot", "head slot"),
        ("head_lag_slots", "slots behind the clock"),
        ("health_status", "health"),
        ("peers", "peers"),
        ("finality_distance_epochs", "epochs since finality"),
    ]
    .iter()
    .filter_map(|(name, label)| match reading.signals.get(name) {
        Some(Signal::Value(v)) => Some(format!("{label} {v}")),
        Some(Signal::Failed(why)) => Some(format!("{label} unknown ({why})")),
        _ => None,
    })
    .collect();
    parts.join(", ")
}

/// The `data` of a 200 answer; anything else is an error naming the route.
fn data((status, body): (u16, Vec<u8>), route: &str) -> Result<Value, String> {
    if status != 200 {
        return Err(format!("{route}: HTTP {status} {:?}", snippet(&body)));
    }
    let value: Value = serde_json::from_slice(&body)
        .map_err(|_| format!("{route}: not JSON: {:?}", snippet(&body)))?;
    value
        .get("data")
        .cloned()
        .ok_or_else(|| format!("{route}: no `data` in the answer"))
}
