//! Public metrics and their data points.

use serde::Serialize;

use super::{Call, ListCall, Op};
use crate::model::{Datapoint, DeletedDatapoints, DeletedMetric, Metric, MetricId, PageId};

/// Body of `POST /v1/{page_id}/metrics` (spec: `AddMetricRequest`).
///
/// ```
/// use instatus::api::metrics::AddMetricRequest;
///
/// let body = AddMetricRequest::new("Block time", "s");
/// assert_eq!((body.name.as_str(), body.suffix.as_str()), ("Block time", "s"));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AddMetricRequest {
    /// Name.
    pub name: String,
    /// Unit suffix, e.g. `ms`.
    pub suffix: String,
}

impl AddMetricRequest {
    /// A metric with a name and a unit.
    pub fn new(name: impl Into<String>, suffix: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            suffix: suffix.into(),
        }
    }
}

/// Body of `PUT /v1/{page_id}/metrics/{metric_id}` (spec: `UpdateMetricRequest`).
///
/// ```
/// use instatus::api::metrics::UpdateMetricRequest;
///
/// let body = UpdateMetricRequest::new().suffix("s");
/// assert_eq!(body.name, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UpdateMetricRequest {
    /// New name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New suffix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
}

impl UpdateMetricRequest {
    /// An update that changes nothing yet: chain the setters.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(UpdateMetricRequest {
    opt name: String,
    opt suffix: String,
});

/// One data point to add (spec: `AddDatapointRequest`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AddDatapointRequest {
    /// Epoch milliseconds.
    pub timestamp: i64,
    /// The value.
    pub value: f64,
}

impl AddDatapointRequest {
    /// A point at `timestamp` (epoch ms).
    pub fn new(timestamp: i64, value: f64) -> Self {
        Self { timestamp, value }
    }
}

/// Body of `POST .../metrics/{metric_id}/data` (spec: `AddMultipleDatapointsRequest`; points at
/// least 30 s apart).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AddMultipleDatapointsRequest {
    /// The points.
    pub data: Vec<AddDatapointRequest>,
}

impl AddMultipleDatapointsRequest {
    /// Wraps points.
    pub fn new(data: Vec<AddDatapointRequest>) -> Self {
        Self { data }
    }
}

/// `GET /v1/{page_id}/metrics`.
pub fn list(page: &PageId) -> ListCall<Metric> {
    ListCall::new(Op::ListMetrics, &[page.as_str()])
}

/// `GET /v1/{page_id}/metrics/{metric_id}`.
pub fn get(page: &PageId, metric: &MetricId) -> Call<Metric> {
    Call::new(Op::GetMetric, &[page.as_str(), metric.as_str()])
}

/// `POST /v1/{page_id}/metrics`.
pub fn create(page: &PageId, body: &AddMetricRequest) -> Call<Metric> {
    Call::with_body(Op::CreateMetric, &[page.as_str()], body)
}

/// `PUT /v1/{page_id}/metrics/{metric_id}`.
pub fn update(page: &PageId, metric: &MetricId, body: &UpdateMetricRequest) -> Call<Metric> {
    Call::with_body(Op::UpdateMetric, &[page.as_str(), metric.as_str()], body)
}

/// `DELETE /v1/{page_id}/metrics/{metric_id}`.
pub fn delete(page: &PageId, metric: &MetricId) -> Call<DeletedMetric> {
    Call::new(Op::DeleteMetric, &[page.as_str(), metric.as_str()])
}

/// `POST /v1/{page_id}/metrics/{metric_id}`: one point.
pub fn add_datapoint(
    page: &PageId,
    metric: &MetricId,
    point: &AddDatapointRequest,
) -> Call<Datapoint> {
    Call::with_body(
        Op::AddMetricDatapoint,
        &[page.as_str(), metric.as_str()],
        point,
    )
}

/// `POST /v1/{page_id}/metrics/{metric_id}/data`: many points.
pub fn add_datapoints(
    page: &PageId,
    metric: &MetricId,
    points: &AddMultipleDatapointsRequest,
) -> Call<Vec<Datapoint>> {
    Call::with_body(
        Op::AddMetricDatapoints,
        &[page.as_str(), metric.as_str()],
        points,
    )
}

/// `DELETE /v1/{page_id}/metrics/{metric_id}/data`: every point.
pub fn delete_datapoints(page: &PageId, metric: &MetricId) -> Call<DeletedDatapoints> {
    Call::new(
        Op::DeleteMetricDatapoints,
        &[page.as_str(), metric.as_str()],
    )
}
