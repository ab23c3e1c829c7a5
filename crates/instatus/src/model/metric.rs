//! Public metrics (the charts under "System metrics") and their data points.

use serde::{Deserialize, Serialize};

use super::{LocalizedText, MetricId};

/// A metric.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Metric {
    /// The metric id.
    pub id: MetricId,
    /// The name (seen as a translations object in lists).
    pub name: LocalizedText,
    /// Whether it is shown on the page.
    #[serde(default)]
    pub active: Option<bool>,
    /// Position.
    #[serde(default)]
    pub order: Option<i64>,
    /// Unit suffix, e.g. `ms`.
    #[serde(default)]
    pub suffix: Option<String>,
    /// Data points.
    #[serde(default)]
    pub data: Vec<Datapoint>,
}

/// One data point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Datapoint {
    /// The point's id.
    #[serde(default)]
    pub id: Option<String>,
    /// Epoch milliseconds.
    pub timestamp: i64,
    /// The value.
    pub value: f64,
}

/// The record returned when a metric is deleted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeletedMetric {
    /// The metric id.
    pub id: MetricId,
    /// Its name.
    #[serde(default)]
    pub name: Option<LocalizedText>,
}

/// The record returned when a metric's data points are deleted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeletedDatapoints {
    /// The metric name.
    #[serde(default)]
    pub name: Option<LocalizedText>,
    /// The metric suffix.
    #[serde(default)]
    pub suffix: Option<String>,
}
