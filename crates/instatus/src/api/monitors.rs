//! Cron (heartbeat) monitors. Not in the OpenAPI spec: the shapes are those a public Instatus tool
//! (DogeOS69/scroll-sdk-cli, `src/utils/status-page-instatus.ts`) uses against the live API; the
//! operation table marks them
//! `not_in_spec`. The monitoring family pages with `limit` and `page` and answers an object.

use serde::Serialize;

use super::{Call, Op};
use crate::model::{CronMonitorAnswer, CronMonitorId, CronMonitorList, PageId};

/// What happens when pings stop (the monitoring family's `onFail`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnFail {
    /// Open an incident.
    pub create_incident: bool,
    /// Mark the monitor's component down (an outage on the uptime bars).
    pub create_outage_duration: bool,
    /// Publish the incident.
    pub publish_incident: bool,
    /// Notify subscribers.
    pub notify_subscribers: bool,
}

/// What happens when pings come back (`onRecover`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OnRecover {
    /// Resolve the incident.
    pub resolve_incident: bool,
    /// End the component's outage.
    pub resolve_outage_duration: bool,
    /// Publish the resolution.
    pub publish_incident: bool,
    /// Notify subscribers.
    pub notify_subscribers: bool,
}

/// Body of `POST /monitors/cron`.
///
/// ```
/// use instatus::api::monitors::CreateCronMonitorRequest;
/// use instatus::model::PageId;
///
/// let body = CreateCronMonitorRequest::new(&PageId::new("p1"), "Status automation", 180, 180);
/// let json = serde_json::to_value(&body).unwrap();
/// assert_eq!(json["pageId"], "p1");
/// assert_eq!(json["createComponent"], true);
/// assert_eq!(json["onFail"]["createOutageDuration"], true);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateCronMonitorRequest {
    /// The monitor's name (also its component's, with `create_component`).
    pub name: String,
    /// The page.
    pub page_id: PageId,
    /// Seconds expected between pings.
    pub period: u64,
    /// Seconds of slack after a missed period.
    pub grace: u64,
    /// Alert channels (none: the page itself shows the failure).
    pub alerts: Vec<serde_json::Value>,
    /// Create a component the monitor drives.
    pub create_component: bool,
    /// When pings stop.
    pub on_fail: OnFail,
    /// When pings come back.
    pub on_recover: OnRecover,
}

impl CreateCronMonitorRequest {
    /// A monitor with its own component, marked down (no incident, no notification) when no
    /// ping came for `period + grace` seconds, and up again with the next ping.
    pub fn new(page: &PageId, name: impl Into<String>, period: u64, grace: u64) -> Self {
        Self {
            name: name.into(),
            page_id: page.clone(),
            period,
            grace,
            alerts: Vec::new(),
            create_component: true,
            on_fail: OnFail {
                create_outage_duration: true,
                ..OnFail::default()
            },
            on_recover: OnRecover {
                resolve_outage_duration: true,
                ..OnRecover::default()
            },
        }
    }
}

/// Body of `PUT /monitors/cron/{monitor_id}`: only the fields set are sent.
///
/// ```
/// use instatus::api::monitors::UpdateCronMonitorRequest;
///
/// let body = UpdateCronMonitorRequest::new().period(300);
/// assert_eq!(serde_json::to_value(&body).unwrap(), serde_json::json!({"period": 300}));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UpdateCronMonitorRequest {
    /// New name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New period, seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<u64>,
    /// New grace, seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grace: Option<u64>,
    /// `ACTIVE` or `PAUSED`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

impl UpdateCronMonitorRequest {
    /// An update that changes nothing yet: chain the setters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the period.
    pub fn period(mut self, seconds: u64) -> Self {
        self.period = Some(seconds);
        self
    }

    /// Sets the grace.
    pub fn grace(mut self, seconds: u64) -> Self {
        self.grace = Some(seconds);
        self
    }

    /// Sets the state (`ACTIVE`, `PAUSED`).
    pub fn state(mut self, state: impl Into<String>) -> Self {
        self.state = Some(state.into());
        self
    }
}

/// The most monitors one list page holds (the family's `limit`).
pub const LIST_LIMIT: u32 = 100;

/// `GET /{page_id}/monitors/cron?limit=100&page=N` (from 1).
pub fn list(page: &PageId, page_no: u32) -> Call<CronMonitorList> {
    Call::new(Op::ListCronMonitors, &[page.as_str()])
        .query("limit", LIST_LIMIT.to_string())
        .query("page", page_no.to_string())
}

/// `POST /monitors/cron`.
pub fn create(body: &CreateCronMonitorRequest) -> Call<CronMonitorAnswer> {
    Call::with_body(Op::CreateCronMonitor, &[], body)
}

/// `PUT /monitors/cron/{monitor_id}`.
pub fn update(id: &CronMonitorId, body: &UpdateCronMonitorRequest) -> Call<CronMonitorAnswer> {
    Call::with_body(Op::UpdateCronMonitor, &[id.as_str()], body)
}
