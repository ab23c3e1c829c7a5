//! The uptime bars and the recent incidents, computed from the page's history by the library's
//! own `instatus::uptime`, exactly as a client of the real API would.

use instatus::jiff::tz::TimeZone;
use instatus::jiff::Timestamp;
use instatus::model::ComponentId;
use instatus::status::Level;
use instatus::uptime::report::{self as uptime_report, BarDay};
use instatus::uptime::{History, Method, Uptime, Window};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use crate::state::{Component, NoticeUpdate, Page};

/// A component's uptime over the bar's days: the percentage and one bar per day.
#[derive(Debug, Serialize)]
pub(super) struct Bars {
    /// Rounded down to 2 decimals, as the page shows it; `None` without data.
    percent: Option<String>,
    days: Vec<BarDay>,
    /// `"90 days ago"`.
    first: String,
}

/// The days of the uptime bars.
pub(super) const BAR_DAYS: u16 = 90;

/// The page's incident and maintenance history as `instatus::uptime` reads it: the page's
/// components, incidents and maintenances in the API's JSON shape, read by the library's own
/// model types and [`History::from_api`], exactly as a client of the real API would. A record
/// that does not parse (hand-edited state) leaves the bars without history rather than failing
/// the preview.
pub(super) fn history(page: &Page) -> History {
    let components: Vec<instatus::model::Component> = read(page.components.iter().map(|c| {
        json!({
            "id": c.id, "name": c.name, "status": c.status, "groupId": c.group_id,
            "isParent": c.is_parent, "showUptime": c.show_uptime,
            "createdAt": c.created_at, "archivedAt": c.archived_at,
        })
    }));
    let briefs = |affected: &[(String, String)]| -> Vec<Value> {
        affected
            .iter()
            .map(|(id, status)| json!({"id": id, "status": status}))
            .collect()
    };
    // With their messages: each update's "Affected components" line is how uptime learns the
    // level an incident had once it is resolved.
    let updates = |updates: &[NoticeUpdate]| -> Vec<Value> {
        updates
            .iter()
            .map(|u| {
                json!({"id": u.id, "status": u.status, "started": u.started,
                       "createdAt": u.created_at, "message": u.message})
            })
            .collect()
    };
    let incidents: Vec<instatus::model::Incident> = read(page.incidents.iter().map(|i| {
        json!({
            "id": i.id, "name": i.name, "status": i.status, "started": i.started,
            "resolved": i.resolved, "updates": updates(&i.updates),
            "components": briefs(&i.components),
        })
    }));
    let maintenances: Vec<instatus::model::Maintenance> = read(page.maintenances.iter().map(|m| {
        json!({
            "id": m.id, "name": m.name, "status": m.status, "start": m.start,
            "duration": m.duration, "updates": updates(&m.updates),
            "components": briefs(&m.components),
        })
    }));
    History::from_api(&components, &incidents, &maintenances).unwrap_or_else(|_| History {
        components: History::from_api(&components, &[], &[])
            .map(|h| h.components)
            .unwrap_or_default(),
        ..History::default()
    })
}

/// The records among `answers` that the library's model reads (the others are left out).
fn read<T: DeserializeOwned>(answers: impl Iterator<Item = Value>) -> Vec<T> {
    answers
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect()
}

/// Uptime bars for the rows of one page, as of `now`.
pub(super) struct UptimeView<'h> {
    pub(super) uptime: Uptime<'h>,
    pub(super) window: Option<Window>,
    pub(super) colors: uptime_report::Colors,
}

impl UptimeView<'_> {
    /// A component's bar, or a group's (at each instant its worst member, as the page shows the
    /// group's status).
    pub(super) fn bars(&self, c: &Component) -> Option<Bars> {
        if !c.show_uptime {
            return None;
        }
        let window = self.window?;
        let id = ComponentId::new(c.id.as_str());
        let days =
            uptime_report::bars(&self.uptime, &id, window, &TimeZone::UTC, &self.colors, 2).ok()?;
        Some(Bars {
            percent: self.uptime.tally(&id, window).uptime_percent(2),
            days,
            first: format!("{BAR_DAYS} days ago"),
        })
    }
}

/// A past incident of the recent history.
#[derive(Debug, Serialize)]
pub(super) struct Past {
    name: String,
    started: String,
    resolved: String,
    duration: String,
    /// `major`, `partial`, `degraded`, `operational` (or empty: no level).
    level: String,
    /// "Major outage", ...
    level_label: String,
    color: String,
    components: Vec<String>,
    /// "level unknown, counted as a major outage", when so.
    note: Option<String>,
}

/// The days of the recent history.
pub(super) const HISTORY_DAYS: i64 = 14;

/// The incidents resolved in the last [`HISTORY_DAYS`] days, newest first.
pub(super) fn past(history: &History, colors: &uptime_report::Colors, now: Timestamp) -> Vec<Past> {
    let from = now
        .checked_sub(instatus::jiff::SignedDuration::from_hours(
            24 * HISTORY_DAYS,
        ))
        .unwrap_or(now);
    let lines =
        uptime_report::incident_lines(history, from, now, &Method::default(), &TimeZone::UTC);
    let mut out: Vec<Past> = lines
        .into_iter()
        .filter_map(|i| {
            let duration = i.duration?;
            let level = i.worst;
            Some(Past {
                name: i.name,
                started: i.started,
                resolved: i.resolved,
                duration,
                level: level.map_or("", level_key).to_owned(),
                level_label: level.map_or("", level_label).to_owned(),
                color: level
                    .map_or(colors.unknown.as_str(), |l| colors.of_level(l))
                    .to_owned(),
                components: i.components,
                note: i.note,
            })
        })
        .collect();
    out.reverse();
    out
}

fn level_key(level: Level) -> &'static str {
    match level {
        Level::Operational => "operational",
        Level::Degraded => "degraded",
        Level::PartialOutage => "partial",
        Level::MajorOutage => "major",
    }
}

fn level_label(level: Level) -> &'static str {
    match level {
        Level::Operational => "No impact",
        Level::Degraded => "Degraded performance",
        Level::PartialOutage => "Partial outage",
        Level::MajorOutage => "Major outage",
    }
}
