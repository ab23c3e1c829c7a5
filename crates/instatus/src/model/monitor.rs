//! Cron (heartbeat) monitors: Instatus expects a ping at `https://cron.instatus.com/<slug>` at
//! least every `period` seconds (plus `grace`); when pings stop, the monitor fails and its
//! component shows an outage. Not in the OpenAPI spec (see [`crate::api::monitors`]).

use serde::{Deserialize, Serialize};

use super::{ComponentId, CronMonitorId};

/// A cron monitor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CronMonitor {
    /// The monitor id.
    pub id: CronMonitorId,
    /// The ping URL's last segment.
    pub slug: String,
    /// The name (absent from the create answer).
    #[serde(default)]
    pub name: Option<String>,
    /// The page (site) it belongs to.
    #[serde(default)]
    pub site_id: Option<String>,
    /// The component it drives, when created with `createComponent`.
    #[serde(default)]
    pub component_id: Option<ComponentId>,
    /// Seconds expected between pings.
    #[serde(default)]
    pub period: Option<u64>,
    /// Seconds of slack after a missed period.
    #[serde(default)]
    pub grace: Option<u64>,
    /// `ACTIVE` or `PAUSED`.
    #[serde(default)]
    pub state: Option<String>,
}

/// The answer of a create or update: `{"cronMonitor": {...}}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CronMonitorAnswer {
    /// The monitor.
    pub cron_monitor: CronMonitor,
}

/// One page of the list: `{"cronMonitors": [...], "totalPages": N}` (the monitoring family pages
/// with `limit` and `page`, not with a bare array).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CronMonitorList {
    /// The monitors of this page.
    #[serde(default)]
    pub cron_monitors: Vec<CronMonitor>,
    /// How many pages there are.
    #[serde(default)]
    pub total_pages: u32,
}
