//! Plain endpoint checks: `http` (status, latency, an optional JSON field or body match:
//! Grafana's `/api/health`, Prometheus' and Alertmanager's `/-/healthy`) and `tcp` (connect
//! only: says the port is open, nothing about sync).

use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{quantity, snippet, ProbeReading, Signal, DEFAULT_TIMEOUT_SECS};
use crate::Client;

/// The signals of an `http` probe.
pub const HTTP_SIGNALS: &[(&str, &str)] = &[
    (
        "up",
        "1 when the server answers HTTP at all, 0 when refused or timed out",
    ),
    (
        "ok",
        "1 when it answers with an expected status and the body matches, else 0",
    ),
    ("status_code", "the HTTP status"),
    (
        "latency_seconds",
        "seconds from the request to the end of the answer",
    ),
    (
        "value",
        "the number at `json.pointer` (absent when not a number)",
    ),
];

/// The signals of a `tcp` probe.
pub const TCP_SIGNALS: &[(&str, &str)] = &[
    ("up", "1 when a connection opens within the timeout, else 0"),
    ("latency_seconds", "seconds to connect"),
];

/// `http`: one GET.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HttpProbe {
    /// The probe's name: its signals are `NAME.ok`, `NAME.latency_seconds`...
    pub name: String,
    /// The URL, e.g. `http://127.0.0.1:3000/api/health`.
    pub url: String,
    /// The statuses that count as ok. Default: any 2xx.
    #[serde(default)]
    pub status: Vec<u16>,
    /// A JSON field the answer must have (and, with `equals`, its value).
    #[serde(default)]
    pub json: Option<JsonMatch>,
    /// Text the body must contain.
    #[serde(default)]
    pub body_contains: Option<String>,
    /// Seconds the request may take. Default 5.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
}

/// A JSON field of the answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonMatch {
    /// An RFC 6901 JSON pointer, e.g. `/database` or `/data/finalized/epoch`.
    pub pointer: String,
    /// The value it must have. Default: any value (the field must exist).
    #[serde(default)]
    pub equals: Option<Value>,
}

/// `tcp`: connect to a port.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TcpProbe {
    /// The probe's name.
    pub name: String,
    /// `HOST:PORT`, e.g. `127.0.0.1:30303`.
    pub address: String,
    /// Seconds the connect may take. Default 5.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
}

fn default_timeout() -> u64 {
    DEFAULT_TIMEOUT_SECS
}

impl HttpProbe {
    pub(super) fn validate(&self) -> Result<(), (String, String)> {
        if let Some(s) = self.status.iter().find(|s| !(100..=599).contains(*s)) {
            return Err((
                "status".into(),
                format!("{s} is not an HTTP status; allowed: 100 to 599"),
            ));
        }
        if let Some(j) = &self.json {
            if !(j.pointer.is_empty() || j.pointer.starts_with('/')) {
                return Err((
                    "json.pointer".into(),
                    format!(
                        "{:?} is not a JSON pointer; allowed: \"\" or /field/...",
                        j.pointer
                    ),
                ));
            }
        }
        Ok(())
    }

    pub(super) fn run(&self, client: &Client) -> ProbeReading {
        let started = Instant::now();
        let (status, body) = match client.get_foreign(&self.url, &[]) {
            Ok(answer) => answer,
            Err(why) => return ProbeReading::down(HTTP_SIGNALS, &["up", "ok"], why.to_string()),
        };
        let latency = started.elapsed().as_secs_f64();
        let status_ok = if self.status.is_empty() {
            (200..300).contains(&status)
        } else {
            self.status.contains(&status)
        };
        let mut why_not = (!status_ok).then(|| format!("HTTP {status} {:?}", snippet(&body)));
        let mut value = Signal::Absent("no `json` configured".into());
        if let Some(j) = &self.json {
            match serde_json::from_slice::<Value>(&body) {
                Ok(doc) => match doc.pointer(&j.pointer) {
                    Some(found) => {
                        value = match quantity(found) {
                            Some(v) => Signal::Value(v),
                            None => Signal::Absent(format!("{} is not a number", j.pointer)),
                        };
                        if let Some(want) = &j.equals {
                            if found != want {
                                why_not
                                    .get_or_insert(format!("{} is {found}, not {want}", j.pointer));
                            }
                        }
                    }
                    None => {
                        value = Signal::Failed(format!("{} not in the answer", j.pointer));
                        why_not.get_or_insert(format!("{} not in the answer", j.pointer));
                    }
                },
                Err(_) => {
                    value = Signal::Failed("the answer is not JSON".into());
                    why_not.get_or_insert(format!("not JSON: {:?}", snippet(&body)));
                }
            }
        }
        if let Some(text) = &self.body_contains {
            if !String::from_utf8_lossy(&body).contains(text.as_str()) {
                why_not.get_or_insert(format!("the body does not contain {text:?}"));
            }
        }
        let ok = why_not.is_none();
        ProbeReading {
            answered: ok,
            detail: match &why_not {
                None => format!("HTTP {status} in {:.0} ms", latency * 1e3),
                Some(why) => why.clone(),
            },
            signals: [
                ("up", Signal::Value(1.0)),
                ("ok", Signal::Value(f64::from(u8::from(ok)))),
                ("status_code", Signal::Value(f64::from(status))),
                ("latency_seconds", Signal::Value(latency)),
                ("value", value),
            ]
            .into_iter()
            .collect(),
        }
    }
}

impl TcpProbe {
    pub(super) fn validate(&self) -> Result<(), (String, String)> {
        match self.address.rsplit_once(':') {
            Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => Ok(()),
            _ => Err((
                "address".into(),
                format!("{:?} is not HOST:PORT, e.g. 127.0.0.1:30303", self.address),
            )),
        }
    }

    pub(super) fn run(&self, timeout: Duration) -> ProbeReading {
        let started = Instant::now();
        let addrs = match self.address.to_socket_addrs() {
            Ok(a) => a.collect::<Vec<_>>(),
            Err(e) => {
                return ProbeReading::down(TCP_SIGNALS, &["up"], format!("{}: {e}", self.address))
            }
        };
        let mut last = format!("{}: no address", self.address);
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, timeout) {
                Ok(_) => {
                    let latency = started.elapsed().as_secs_f64();
                    return ProbeReading {
                        answered: true,
                        detail: format!("connected to {addr} in {:.0} ms", latency * 1e3),
                        signals: [
                            ("up", Signal::Value(1.0)),
                            ("latency_seconds", Signal::Value(latency)),
                        ]
                        .into_iter()
                        .collect(),
                    };
                }
                Err(e) => last = format!("{addr}: {e}"),
            }
        }
        ProbeReading::down(TCP_SIGNALS, &["up"], last)
    }
}
