//! What the engine is told: query results, alert deliveries, and the page as Instatus returns it.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::model::{Component, Incident, Maintenance};

/// Everything observed since the last evaluation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Observations {
    /// Instant-query results, keyed by the PromQL text: [`ThresholdRule::query`](super::ThresholdRule::query),
    /// or a burn-rate rule's query expanded for one window (every text
    /// [`Engine::queries`](super::Engine::queries) lists). A query missing here is unknown for
    /// this evaluation.
    #[serde(default)]
    pub queries: BTreeMap<String, QueryResult>,
    /// Alert deliveries (webhooks, or reads of Alertmanager's `/api/v2/alerts`), in any order,
    /// duplicates allowed.
    #[serde(default)]
    pub alerts: Vec<AlertDelivery>,
}

/// The result of one instant query.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryResult {
    /// The samples of an instant vector (a scalar is one sample without labels).
    Samples(Vec<Sample>),
    /// The query failed; the reason is shown in the plan.
    Failed(String),
}

/// One sample of an instant vector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// The series labels.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// The value (NaN makes the sample unusable).
    pub value: f64,
    /// The sample time.
    pub timestamp: Timestamp,
}

/// Alerts received together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertDelivery {
    /// When they arrived.
    pub received_at: Timestamp,
    /// The alerts, each firing or resolved.
    pub alerts: Vec<Alert>,
    /// Whether this is the complete list of active alerts (a read of `/api/v2/alerts`): an alert
    /// remembered as firing but missing from a complete list is resolved.
    #[serde(default)]
    pub complete: bool,
}

/// One alert as the engine needs it (converted from the Alertmanager types in
/// [`crate::sources`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Alertmanager's fingerprint (a hash of the label set).
    pub fingerprint: String,
    /// When it started; with the fingerprint, the identity of this firing episode.
    pub starts_at: Timestamp,
    /// When it ended or will be considered ended; `None` while firing without an end.
    #[serde(default)]
    pub ends_at: Option<Timestamp>,
    /// Whether it is firing (false: resolved).
    pub firing: bool,
    /// Labels.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Annotations (`summary`, `description`, `runbook_url`...).
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// The page as Instatus returned it this evaluation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CurrentPage {
    /// The components (either list form).
    pub components: Vec<Component>,
    /// Unresolved incidents, plus incidents resolved within the reopen window.
    pub incidents: Vec<Incident>,
    /// Maintenances (at least the ones in progress).
    pub maintenances: Vec<Maintenance>,
}
