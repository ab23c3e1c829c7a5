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

/// One alert in a webhook.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookAlert {
    /// `firing` or `resolved`.
    pub status: String,
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
    /// Parses a body; an unsupported version is an error naming the supported one.
    pub fn parse(body: &[u8]) -> Result<Self, String> {
        let payload: Self = serde_json::from_slice(body)
            .map_err(|e| format!("not an Alertmanager webhook payload: {e}"))?;
        if payload.version != "4" {
            return Err(format!(
                "webhook version {:?} is not supported; supported: \"4\"",
                payload.version
            ));
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
                    ends_at: real_end(a.ends_at).filter(|_| a.status != "firing"),
                    firing: a.status == "firing",
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

/// Reads every alert Alertmanager holds (silenced and inhibited included: a silenced alert that
/// resolves just disappears) as a complete delivery: alerts missing from it are resolved.
pub fn read_alerts(
    client: &Client,
    base_url: &str,
    now: Timestamp,
) -> Result<AlertDelivery, String> {
    let url = format!("{}/api/v2/alerts", base_url.trim_end_matches('/'));
    let query = [
        ("active", "true"),
        ("silenced", "true"),
        ("inhibited", "true"),
        ("unprocessed", "true"),
    ];
    let (status, body) = client.get_foreign(&url, &query)?;
    if status != 200 {
        return Err(format!(
            "Alertmanager answered HTTP {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(200)])
        ));
    }
    parse_alerts(&body, now)
}

/// Parses a `/api/v2/alerts` body as a complete delivery.
pub fn parse_alerts(body: &[u8], now: Timestamp) -> Result<AlertDelivery, String> {
    let alerts: Vec<ApiAlert> =
        serde_json::from_slice(body).map_err(|e| format!("not an Alertmanager alert list: {e}"))?;
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
