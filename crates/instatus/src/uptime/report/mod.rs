//! Uptime reports: figures per component and group (uptime, the time in each status, SLA
//! compliance, error budget, burn rates, the internal SLO beside the public figure, 90-day bars)
//! built by [`Report::build`], and rendered as Markdown, a standalone HTML page with SVG bars in
//! the page's colours, or JSON ([`render`]).
//!
//! A report holds no generation time, only the time its data runs to, so the same history gives
//! the same bytes (the Ansible `report` module relies on this to report "unchanged").

//!
//! The seams: the model is here; [`Report::build`] computes it (`build.rs`), with the page's
//! colours (`colors.rs`) and figures spelled for people (`text.rs`); [`render`] turns it into
//! Markdown, HTML or JSON (`render.rs`); [`write_if_changed`] puts it in a file (`io.rs`).

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::model::ComponentId;

use super::internal::Availability;
use super::sla::{Burn, Compliance, Target};
use super::{DayKind, Method, Tally, Window, WindowError};
use crate::status::Level;

mod build;
mod colors;
mod io;
mod render;
mod text;

pub use build::{bars, incident_lines};
pub use colors::{ink, Colors};
pub use io::{write_atomically, write_if_changed};
pub use render::{render, Format};
pub use text::duration;

/// Why a report could not be built or rendered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A name in `slas` or `internal` that is not a component or group of the page.
    #[error("{field}: no component or group named {name:?} on the page; known: {}", known.join(", "))]
    UnknownComponent {
        /// The option path, e.g. `slas[0].component`.
        field: String,
        /// The name given.
        name: String,
        /// The names on the page.
        known: Vec<String>,
    },
    /// The window or the bars' days.
    #[error(transparent)]
    Window(#[from] WindowError),
    /// A template failed (a bug: the templates are fixed at build time and tested).
    #[error("rendering {0}")]
    Render(String),
}

/// An SLA target on a component or group (by name or `group/name` path).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SlaSpec {
    /// The component or group.
    pub component: String,
    /// The target.
    pub target: Target,
}

/// An internal SLO measured by Prometheus, for one component or group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InternalSpec {
    /// The component or group (by name or path).
    pub component: String,
    /// The query, shown in the report.
    pub query: String,
    /// What the range query gave.
    pub availability: Availability,
}

/// What to report.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportOptions {
    /// The title; default "Uptime report: {page}".
    pub title: Option<String>,
    /// The window the figures cover.
    pub window: Window,
    /// A label for it ("November 2026"); default its dates.
    pub window_label: Option<String>,
    /// The method.
    pub method: Method,
    /// The time zone of the days.
    pub time_zone: TimeZone,
    /// Days in the uptime bars (0: no bars), ending with the window's last day.
    pub bar_days: u16,
    /// Decimals of the percentages (rounded down).
    pub decimals: u32,
    /// SLA targets.
    pub slas: Vec<SlaSpec>,
    /// SLO period for the burn-rate factors (30 days in the workbook).
    pub slo_period: SignedDuration,
    /// Internal SLOs.
    pub internal: Vec<InternalSpec>,
}

impl ReportOptions {
    /// Defaults for a window: Instatus's method, UTC, 90-day bars, 3 decimals, no SLAs.
    pub fn new(window: Window) -> ReportOptions {
        ReportOptions {
            title: None,
            window,
            window_label: None,
            method: Method::default(),
            time_zone: TimeZone::UTC,
            bar_days: 90,
            decimals: 3,
            slas: Vec::new(),
            slo_period: SignedDuration::from_hours(30 * 24),
            internal: Vec::new(),
        }
    }
}

/// One day of a bar.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BarDay {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The colour class.
    pub kind: DayKind,
    /// Its colour.
    pub color: String,
    /// The day's uptime, when it had data.
    pub uptime: Option<String>,
    /// The hover and screen-reader text, e.g. "2026-11-10: major outage 1 h, 99.861 % uptime".
    pub title: String,
}

/// The SLA part of a row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SlaLine {
    /// Compliance over the window.
    #[serde(flatten)]
    pub compliance: Compliance,
    /// The verdict in a word: `met`, `breached`, or `no data`.
    pub verdict: &'static str,
    /// Budget left, percent of the budget, rounded down.
    pub left_percent: Option<String>,
    /// The budget as text.
    pub budget: String,
    /// The downtime used as text.
    pub used: String,
    /// What is left as text (`-` when overspent).
    pub left: String,
    /// Each rule's long/short burn rates as text, e.g. `0.00 / 0.00`.
    pub burn_text: Vec<String>,
    /// The burn-rate rules at the end of the data.
    pub burn: Vec<Burn>,
    /// Rules firing, e.g. "page (1h/5m > 14.4)".
    pub firing: Vec<String>,
}

/// The internal SLO part of a row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InternalLine {
    /// The query.
    pub query: String,
    /// The mean availability, percent rounded down.
    pub uptime: Option<String>,
    /// The worst series', percent rounded down.
    pub worst: Option<String>,
    /// Missing steps, percent.
    pub missing: String,
    /// The raw figures.
    pub availability: Availability,
}

/// One component or group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    /// The id.
    pub id: ComponentId,
    /// The name.
    pub name: String,
    /// `group/name`, or the name.
    pub path: String,
    /// Whether it is a group.
    pub is_group: bool,
    /// Whether it is in a group (indented).
    pub in_group: bool,
    /// Uptime, percent rounded down; `None` without data.
    pub uptime: Option<String>,
    /// The exact figures.
    pub tally: Tally,
    /// The same times as readable text: weighted down, major, partial, degraded, maintenance,
    /// no data.
    pub down: String,
    /// Major outage.
    pub major: String,
    /// Partial outage.
    pub partial: String,
    /// Degraded.
    pub degraded: String,
    /// Maintenance.
    pub maintenance: String,
    /// No data.
    pub no_data: String,
    /// The SLA, if one was set.
    pub sla: Option<SlaLine>,
    /// The internal SLO, if one was measured.
    pub internal: Option<InternalLine>,
    /// The bars.
    pub days: Vec<BarDay>,
}

/// An incident that overlaps the window.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IncidentLine {
    /// Its title.
    pub name: String,
    /// Start, `YYYY-MM-DD HH:MM`.
    pub started: String,
    /// Resolution, or "open".
    pub resolved: String,
    /// How long it lasted (`None` while open).
    pub duration: Option<String>,
    /// The worst level any of its components had (an unknown level counted as the method says);
    /// `None` when it names no component or only put them under maintenance.
    pub worst: Option<Level>,
    /// The components it names.
    pub components: Vec<String>,
    /// The components whose level during it the history does not tell.
    pub unknown: Vec<String>,
    /// What the report did about them, e.g. `level unknown, counted as major outage`; `None`
    /// when every level is known.
    pub note: Option<String>,
}

/// A built report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// The title.
    pub title: String,
    /// The page name.
    pub page: String,
    /// The window.
    pub window: Window,
    /// Its label.
    pub window_label: String,
    /// The data runs to here: the window's end, or `now` if earlier.
    pub data_until: Timestamp,
    /// The same, `YYYY-MM-DD HH:MM` in the report's time zone.
    pub data_until_text: String,
    /// The text colour on the brand colour.
    pub brand_ink: String,
    /// The method in words.
    pub method_text: String,
    /// The method's settings.
    pub method: Method,
    /// Decimals of the percentages.
    pub decimals: u32,
    /// The time zone of the days.
    pub time_zone: String,
    /// Colours.
    pub colors: Colors,
    /// Rows, groups first with their members, in page order.
    pub rows: Vec<Row>,
    /// Days in the bars.
    pub bar_days: u16,
    /// The first and last day of the bars.
    pub bar_range: Option<(String, String)>,
    /// Incidents overlapping the window, oldest first.
    pub incidents: Vec<IncidentLine>,
}
