//! Alertmanager: the webhook payload (version 4) and the `/api/v2/alerts` list. Parsed leniently
//! (fields were added in 0.21, 0.32, 0.34), keyed per alert by `(fingerprint, startsAt)`.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::status::{Alert, AlertDelivery};
use crate::Client;

/// A webhook notification body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookPayload {
    /// Always `"4"`.
    pub version: String,
    /// The route's group key: for logging, never an identity.
    #[serde(default)]
    pub group_key: String,
    /// Alerts left out by `max_alerts`.
    #[serde(default)]
    pub truncated_alerts: u64,
    /// `firing` if any included alert fires. Not used for decisions (a partial view under HA).
    pub status: String,
    /// The receiver name.
    #[serde(default)]
    pub receiver: String,
    /// Group labels.
    #[serde(default)]
    pub group_labels: BTreeMap<String, String>,
    /// Labels common to the included alerts.
    #[serde(default)]
    pub common_labels: BTreeMap<String, String>,
    /// Annotations common to the included alerts.
    #[serde(default)]
    pub common_annotations: BTreeMap<String, String>,
    /// The sending Alertmanager.
    #[serde(default, rename = "externalURL")]
    pub external_url: String,
    /// The alerts.
    pub alerts: Vec<WebhookAlert>,
}

/// An alert's status in a webhook: exactly `firing` or `resolved` (anything else, `FIRING`
/// included, is refused naming the field rather than read as resolved).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertStatus {
    /// The alert fires.
    Firing,
    /// The alert ended.
    Resolved,
}

/// A webhook body that cannot be taken: the field (`alerts[0].status`, or `.` for the whole
/// body) and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", if path == "." { "not an Alertmanager webhook payload: ".to_owned() } else { format!("{path}: ") })]
pub struct PayloadError {
    /// The field path, `.` for the body itself.
    pub path: String,
    /// What is wrong, with the allowed values where there is a list.
    pub message: String,
}

/// One alert in a webhook.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookAlert {
    /// `firing` or `resolved`.
    pub status: AlertStatus,
    /// Labels.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Annotations.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// Start.
    pub starts_at: Timestamp,
    /// End; `0001-01-01T00:00:00Z` while firing.
    pub ends_at: Timestamp,
    /// The rule's link.
    #[serde(default, rename = "generatorURL")]
    pub generator_url: String,
    /// Hash of the label set.
    pub fingerprint: String,
}

/// Go's zero time, which Alertmanager writes as "no end".
fn real_end(t: Timestamp) -> Option<Timestamp> {
    (t.as_second() > -62_000_000_000).then_some(t)
}

impl WebhookPayload {
    /// Parses a body; an error names the field (`alerts[0].startsAt: ...`), and an unsupported
    /// version names the supported one.
    ///
    /// ```
    /// use instatus::sources::alertmanager::WebhookPayload;
    ///
    /// let body = br#"{"version":"4","status":"firing","alerts":[{"status":"FIRING",
    ///     "startsAt":"2026-12-01T10:00:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"f"}]}"#;
    /// let err = WebhookPayload::parse(body).unwrap_err();
    /// assert_eq!(err.path, "alerts[0].status");
    /// assert!(err.message.contains("`firing`"), "{err}");
    /// ```
    pub fn parse(body: &[u8]) -> Result<Self, PayloadError> {
        let de = &mut serde_json::Deserializer::from_slice(body);
        let payload: Self = serde_path_to_error::deserialize(de).map_err(|e| PayloadError {
            path: e.path().to_string(),
            message: e.inner().to_string(),
        })?;
        if payload.version != "4" {
            return Err(PayloadError {
                path: "version".into(),
                message: format!("{:?} is not supported; supported: \"4\"", payload.version),
            });
        }
        Ok(payload)
    }

    /// The delivery for the status engine (per-alert status; the group's status is ignored).
    pub fn delivery(&self, received_at: Timestamp) -> AlertDelivery {
        AlertDelivery {
            received_at,
            alerts: self
                .alerts
                .iter()
                .map(|a| Alert {
                    fingerprint: a.fingerprint.clone(),
                    starts_at: a.starts_at,
                    ends_at: real_end(a.ends_at).filter(|_| a.status != AlertStatus::Firing),
                    firing: a.status == AlertStatus::Firing,
                    labels: a.labels.clone(),
                    annotations: a.annotations.clone(),
                })
                .collect(),
            complete: false,
        }
    }
}

/// One alert of `GET /api/v2/alerts`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiAlert {
    /// Labels.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Annotations.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// Start.
    pub starts_at: Timestamp,
    /// When Alertmanager will consider it resolved unless renewed.
    #[serde(default)]
    pub ends_at: Option<Timestamp>,
    /// Hash of the label set.
    pub fingerprint: String,
    /// `{state: active|suppressed|unprocessed, silencedBy, inhibitedBy}`.
    #[serde(default)]
    pub status: Option<serde_json::Value>,
}

/// Why Alertmanager's alerts could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// No answer (connection refused, timeout) after the retries.
    #[error(transparent)]
    Unreachable(#[from] crate::ForeignError),
    /// An answer other than 200.
    #[error("Alertmanager answered HTTP {status}: {snippet}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The start of the body.
        snippet: String,
    },
    /// A body that is not an alert list.
    #[error("not an Alertmanager alert list: {0}")]
    NotAlerts(#[source] serde_json::Error),
}

/// Reads every alert Alertmanager holds (silenced and inhibited included: a silenced alert that
/// resolves just disappears) as a complete delivery: alerts missing from it are resolved.
pub fn read_alerts(
    client: &Client,
    base_url: &str,
    now: Timestamp,
) -> Result<AlertDelivery, ReadError> {
    let url = format!("{}/api/v2/alerts", base_url.trim_end_matches('/'));
    let query = [
        ("active", "true"),
        ("silenced", "true"),
        ("inhibited", "true"),
        ("unprocessed", "true"),
    ];
    let (status, body) = client.get_foreign(&url, &query)?;
    if status != 200 {
        return Err(ReadError::Status {
            status,
            snippet: String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned(),
        });
    }
    parse_alerts(&body, now)
}

/// Parses a `/api/v2/alerts` body as a complete delivery.
pub fn parse_alerts(body: &[u8], now: Timestamp) -> Result<AlertDelivery, ReadError> {
    let alerts: Vec<ApiAlert> = serde_json::from_slice(body).map_err(ReadError::NotAlerts)?;
    Ok(AlertDelivery {
        received_at: now,
        alerts: alerts
            .into_iter()
            .map(|a| Alert {
                fingerprint: a.fingerprint,
                starts_at: a.starts_at,
                ends_at: a.ends_at.and_then(real_end),
                firing: true,
                labels: a.labels,
                annotations: a.annotations,
            })
            .collect(),
        complete: true,
    })
}
