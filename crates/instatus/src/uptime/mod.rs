//! Uptime from incident and maintenance history, stated so it can be checked by hand.
//!
//! **The method** (the default is Instatus's own, so a report matches the public page):
//!
//! ```text
//! uptime = (T − (major × 1.0 + partial × 0.3 + degraded × 0.0)) / T
//! ```
//!
//! - T is the time in the window that has data: the component existed (after `created`, before
//!   `archived`) and it is not the future (before `now`). Time without data is reported apart
//!   (`no_data_ms`) and never counts as down.
//! - Each instant counts once, in the worst status any open incident gave the component, so
//!   overlapping incidents are not counted twice.
//! - An incident's level comes from the "Affected components" line of each of its updates
//!   ([`crate::affected`]), else from its statuses or its impact; when nothing tells it, it
//!   counts at [`Method::unknown_level`] (a major outage by default), never as zero, and reports
//!   say so ([`History::from_api`]).
//! - Maintenance counts as up by default ([`MaintenancePolicy`]: or left out of T, or down).
//! - A group is at each instant in the worst state of its members ([`GroupRule`]: or their
//!   average).
//! - Durations are integer milliseconds and weights integer thousandths, so every figure is
//!   exact; percentages are rounded down.
//!
//! Around it: [`sla`] (targets, error budget, burn rates), [`internal`] (availability from a
//! Prometheus range query), [`report`] (Markdown, HTML with SVG bars, JSON) and [`fetch`] (the
//! history from the API). A whole report, for a caller with a client:
//!
//! ```no_run
//! use instatus::uptime::report::{self, Colors, Format, Report, ReportOptions};
//! use instatus::uptime::{fetch, Window};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let client = instatus::Client::builder("key").build()?;
//! let now = instatus::jiff::Timestamp::now();
//! let page = instatus::model::PageId::new("ckpage");
//! let (status_page, history) = fetch::page_history(&client, &page)?;
//! let window = Window::previous_month(now, &instatus::jiff::tz::TimeZone::UTC)?;
//! let built = Report::build(status_page.name_str(), Colors::of(&status_page), &history, &ReportOptions::new(window), now)?;
//! std::fs::write("uptime.md", report::render(&built, Format::Markdown)?)?;
//! # Ok(()) }
//! ```
//!
//! ```
//! use instatus::jiff::Timestamp;
//! use instatus::model::ComponentStatus;
//! use instatus::uptime::{ComponentInfo, History, IncidentRecord, Method, Uptime, Window};
//!
//! let t = |s: &str| s.parse::<Timestamp>().unwrap();
//! let history = History {
//!     components: vec![ComponentInfo::new("el", "Execution Client")],
//!     incidents: vec![
//!         // 1 h of major outage on 2026-11-10.
//!         IncidentRecord::new("i1", "EL down", t("2026-11-10T10:00:00Z"), Some(t("2026-11-10T11:00:00Z")))
//!             .affects("el", ComponentStatus::MajorOutage),
//!     ],
//!     maintenances: vec![],
//! };
//! let uptime = Uptime::new(&history, Method::default(), t("2026-12-01T00:00:00Z"));
//! let november = Window::month(2026, 11, &instatus::jiff::tz::TimeZone::UTC)?;
//! let tally = uptime.tally(&"el".into(), november);
//! // 30 days = 2,592,000 s; (2,592,000 − 3,600) / 2,592,000 = 99.8611…
//! assert_eq!(tally.major_ms, 3_600_000);
//! assert_eq!(tally.uptime_percent(3).as_deref(), Some("99.861"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod compute;
pub mod fetch;
mod history;
pub mod internal;
mod method;
pub mod report;
pub mod sla;
mod window;

pub use compute::{Day, DayKind, Tally, Uptime};
pub use history::{
    ComponentInfo, History, HistoryError, IncidentRecord, LevelSource, MaintenanceRecord,
    StatusChange, UnknownLevel,
};
pub use method::{GroupRule, Level, MaintenancePolicy, Method, MethodError, Weights};
pub use window::{Window, WindowError};
