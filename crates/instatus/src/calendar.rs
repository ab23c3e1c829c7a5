//! A page's maintenances as an iCalendar document (RFC 5545), so calendar clients show the
//! windows and update them instead of duplicating them.
//!
//! - Every event has a stable `UID`: `maintenance-ID@DOMAIN` from the maintenance id, and
//!   `ephemery-reset-N@DOMAIN` for Ephemery resets (whether the reset's maintenance exists yet or
//!   is only computed from the schedule), so a reset keeps its UID when it is announced.
//! - `DTSTAMP` and `SEQUENCE` come from the maintenance itself (its newest update's time, its
//!   number of updates), never from the clock: the same page gives the same bytes, so a writer can
//!   tell "unchanged" and clients see a newer `SEQUENCE` when a window moved or changed stage.
//! - A reset computed from the schedule (not yet on the page) has `SEQUENCE:0` and a `DTSTAMP`
//!   that is the latest reset of the schedule at or before `now` (and before the reset it
//!   precedes): never in the future, and the same bytes until the next reset passes. Once
//!   announced, the reset's event has `SEQUENCE` 1 or more, so calendar clients take the
//!   announced version over the computed one (RFC 5545 §3.8.7.4: higher `SEQUENCE` wins).
//! - A maintenance completed before its planned start without ever running was called off:
//!   `STATUS:CANCELLED`; everything else is `STATUS:CONFIRMED`.
//! - Written by hand (about a hundred lines, no dependency): CRLF line ends, lines folded at 75
//!   octets without splitting a UTF-8 sequence, `\`, `;`, `,` and newlines escaped in text, UTC
//!   times (`YYYYMMDDTHHMMSSZ`).
//!
//! Pure: [`events`] and [`render`] take the page's maintenances and `now`; the `calendar` module
//! writes the result to a file and the bridge serves it at `/calendar.ics` ([`document`]).
//!
//! ```
//! use instatus::calendar::{self, CalendarOptions};
//! use instatus::model::Maintenance;
//!
//! let m: Maintenance = serde_json::from_value(serde_json::json!({
//!     "id": "ckm1", "name": "Geth upgrade", "status": "NOTSTARTEDYET",
//!     "start": "2026-12-10T14:00:00Z", "duration": 60,
//!     "updates": [{"id": "u1", "status": "NOTSTARTEDYET", "message": "Upgrading; blocks may be late",
//!                  "createdAt": "2026-12-01T09:00:00Z"}],
//! }))?;
//! let options = CalendarOptions::new("Ephemery", "ephemery.instatus.com");
//! let now: jiff::Timestamp = "2026-12-02T00:00:00Z".parse()?;
//! let ics = calendar::document(&[m], None, now, &options);
//! assert!(ics.contains("UID:maintenance-ckm1@ephemery.instatus.com\r\n"));
//! assert!(ics.contains("DTSTART:20261210T140000Z\r\nDTEND:20261210T150000Z\r\n"));
//! assert!(ics.contains("DESCRIPTION:Upgrading\\; blocks may be late\r\n"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::ephemery::{self, ResetWindow};
use crate::model::{Maintenance, MaintenanceStatus, StatusPage};

/// The `PRODID` of every document.
pub const PRODID: &str = "-//ephemery-testnet//ephemery.instatus calendar//EN";

/// The longest line, in octets, before folding (RFC 5545 §3.1).
pub const MAX_LINE_OCTETS: usize = 75;

/// What a document is called and which maintenances it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CalendarOptions {
    /// The calendar's name (`X-WR-CALNAME`), e.g. the page's name.
    pub name: String,
    /// The right-hand side of every UID (the page's host is a good one).
    pub uid_domain: String,
    /// Maintenances that ended more than this many days before `now` are left out.
    pub past_days: i64,
    /// The public page, as each event's `URL`.
    pub url: Option<String>,
}

impl CalendarOptions {
    /// Options with 30 days of history and no URL.
    pub fn new(name: impl Into<String>, uid_domain: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            uid_domain: uid_domain.into(),
            past_days: 30,
            url: None,
        }
    }
}

/// The Ephemery resets a document includes: the upcoming windows and the marker that recognises
/// their maintenances on the page.
#[derive(Clone, Copy, Debug)]
pub struct Resets<'a> {
    /// The windows (from [`ephemery::upcoming_windows`]); those already on the page are taken from
    /// the page.
    pub windows: &'a [ResetWindow],
    /// The marker of the schedule's tokens.
    pub marker: &'a str,
}

/// The public host of a page: its custom domain, else `SUBDOMAIN.instatus.com` (the default
/// UID domain and URL of a page's calendar, the same in the `calendar` module and the bridge).
pub fn page_domain(page: &StatusPage) -> String {
    page.custom_domain
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .map(str::to_owned)
        .or_else(|| {
            page.subdomain
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(|s| format!("{s}.instatus.com"))
        })
        .unwrap_or_else(|| format!("{}.instatus.com", page.id))
}

/// The options a page's calendar gets by default: named after the page, UIDs and URL on
/// [`page_domain`], 30 days of history.
pub fn page_options(page: &StatusPage) -> CalendarOptions {
    let domain = page_domain(page);
    let name = page
        .name
        .as_ref()
        .map(|n| n.as_str().to_owned())
        .unwrap_or_else(|| domain.clone());
    let mut options = CalendarOptions::new(name, domain.clone());
    options.url = Some(format!("https://{domain}"));
    options
}

impl CalendarOptions {
    /// These options with what a user set in their place (the `calendar` module's options, the
    /// bridge's `calendar:` section): a name, a UID domain, the days of history.
    pub fn overridden(
        mut self,
        name: Option<&str>,
        uid_domain: Option<&str>,
        past_days: i64,
    ) -> Self {
        if let Some(name) = name {
            self.name = name.to_owned();
        }
        if let Some(domain) = uid_domain {
            self.uid_domain = domain.to_owned();
        }
        self.past_days = past_days;
        self
    }
}

/// An event's `STATUS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum EventStatus {
    /// Planned, running or done.
    Confirmed,
    /// Called off.
    Cancelled,
}

impl EventStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Confirmed => "CONFIRMED",
            Self::Cancelled => "CANCELLED",
        }
    }
}

/// One `VEVENT`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Event {
    /// Stable identity.
    pub uid: String,
    /// When this version of the event was made (from the maintenance, not the clock).
    pub dtstamp: Timestamp,
    /// Start.
    pub start: Timestamp,
    /// End.
    pub end: Timestamp,
    /// Title.
    pub summary: String,
    /// The announcement (the newest update's message).
    pub description: String,
    /// Confirmed or cancelled.
    pub status: EventStatus,
    /// Revision: how many times the maintenance was updated after its creation.
    pub sequence: u32,
    /// `Maintenance`, plus `Ephemery reset` for resets.
    pub categories: Vec<String>,
    /// The maintenance id, when the event is on the page.
    pub maintenance_id: Option<String>,
    /// The stage on the page (`scheduled`, `in_progress`, `completed`), or `planned` for a reset
    /// not yet announced.
    pub stage: String,
}

/// Whether a maintenance was called off: completed, never in progress, and completed before its
/// planned start.
pub fn was_called_off(m: &Maintenance) -> bool {
    if m.status != MaintenanceStatus::Completed {
        return false;
    }
    let ran = m
        .updates
        .iter()
        .any(|u| u.status == MaintenanceStatus::InProgress);
    let completed_at = m
        .updates
        .iter()
        .filter(|u| u.status == MaintenanceStatus::Completed)
        .filter_map(|u| u.started.or(u.created_at))
        .min();
    !ran && matches!((completed_at, m.start), (Some(done), Some(start)) if done < start)
}

fn newest_update_time(m: &Maintenance) -> Option<Timestamp> {
    m.updates
        .iter()
        .filter_map(|u| u.created_at.or(u.started))
        .max()
}

/// A maintenance's planned end ([`Maintenance::end`]), saturated: a duration past the calendar
/// (the API accepts 2^63 - 1 minutes) ends at [`Timestamp::MAX`], a negative one at the start.
pub fn planned_end(m: &Maintenance) -> Option<Timestamp> {
    match (m.end(), m.start, m.duration) {
        (Some(end), _, _) => Some(end),
        (None, Some(start), Some(minutes)) if minutes < 0 => Some(start),
        (None, Some(_), Some(_)) => Some(Timestamp::MAX),
        _ => None,
    }
}

/// The events of a page: its maintenances that ended at most `past_days` before `now` (or have
/// not ended) and, with `resets`, the upcoming resets not yet on the page. Sorted by start, then
/// UID.
pub fn events(
    maintenances: &[Maintenance],
    resets: Option<Resets<'_>>,
    now: Timestamp,
    options: &CalendarOptions,
) -> Vec<Event> {
    let horizon = now
        .checked_sub(SignedDuration::from_hours(
            24 * options.past_days.clamp(0, 3660),
        ))
        .unwrap_or(Timestamp::MIN);
    let mut out = Vec::new();
    let mut announced = std::collections::BTreeSet::new();
    for m in maintenances {
        let Some(start) = m.start else { continue };
        let end = planned_end(m).unwrap_or(start);
        if end < horizon {
            continue;
        }
        let iteration = resets.and_then(|r| ephemery::owned_iteration(m, r.marker));
        let mut categories = vec!["Maintenance".to_owned()];
        let uid = match iteration {
            Some(n) => {
                announced.insert(n);
                categories.push("Ephemery reset".to_owned());
                format!("ephemery-reset-{n}@{}", options.uid_domain)
            }
            None => format!("maintenance-{}@{}", m.id, options.uid_domain),
        };
        // An announced reset outranks its computed version (SEQUENCE 0): one more than the
        // updates after the first.
        let sequence = m.updates.len().saturating_sub(1) + usize::from(iteration.is_some());
        out.push(Event {
            uid,
            // Never after `now`: a clock running ahead on the server would otherwise date the
            // event in the future.
            dtstamp: newest_update_time(m).unwrap_or(start).min(now),
            start,
            end,
            summary: m.name.as_str().to_owned(),
            description: ephemery::latest_message(m).unwrap_or_default().to_owned(),
            status: if was_called_off(m) {
                EventStatus::Cancelled
            } else {
                EventStatus::Confirmed
            },
            sequence: u32::try_from(sequence).unwrap_or(u32::MAX),
            categories,
            maintenance_id: Some(m.id.as_str().to_owned()),
            stage: m.status.user_name(),
        });
    }
    for w in resets.map(|r| r.windows).unwrap_or_default() {
        if announced.contains(&w.reset.iteration) {
            continue;
        }
        let dtstamp = computed_dtstamp(&w.reset, now);
        out.push(Event {
            uid: format!(
                "ephemery-reset-{}@{}",
                w.reset.iteration, options.uid_domain
            ),
            dtstamp,
            start: w.start,
            end: w.end,
            summary: w.name.clone(),
            description: w.message.clone(),
            status: EventStatus::Confirmed,
            sequence: 0,
            categories: vec!["Maintenance".to_owned(), "Ephemery reset".to_owned()],
            maintenance_id: None,
            stage: "planned".to_owned(),
        });
    }
    out.sort_by(|a, b| (a.start, &a.uid).cmp(&(b.start, &b.uid)));
    out
}

/// The `DTSTAMP` of a reset computed from the schedule: the latest reset of the schedule at or
/// before both `now` and the previous reset. Never in the future (a future `DTSTAMP` made the
/// announced version, stamped at its creation, look older to calendar clients), and the same
/// until the next reset passes, so a rerun writes the same bytes.
fn computed_dtstamp(reset: &ephemery::Reset, now: Timestamp) -> Timestamp {
    let period = reset.period_secs.max(1);
    let genesis = reset.genesis.as_second();
    let limit = now.as_second().min(genesis.saturating_sub(period));
    // Whole periods back from this genesis to the last one at or before `limit` (at least one).
    let back = genesis.saturating_sub(limit).saturating_add(period - 1) / period;
    back.checked_mul(period)
        .and_then(|d| genesis.checked_sub(d))
        .and_then(|s| Timestamp::from_second(s).ok())
        .unwrap_or(Timestamp::MIN)
}

/// The document of `events`.
pub fn render(events: &[Event], options: &CalendarOptions) -> String {
    let mut out = String::new();
    let mut line = |text: String| out.push_str(&fold(&text));
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line(format!("PRODID:{PRODID}"));
    line("CALSCALE:GREGORIAN".into());
    line("METHOD:PUBLISH".into());
    line(format!("X-WR-CALNAME:{}", escape(&options.name)));
    for e in events {
        line("BEGIN:VEVENT".into());
        line(format!("UID:{}", escape(&e.uid)));
        line(format!("DTSTAMP:{}", utc(e.dtstamp)));
        line(format!("DTSTART:{}", utc(e.start)));
        line(format!("DTEND:{}", utc(e.end)));
        line(format!("SUMMARY:{}", escape(&e.summary)));
        if !e.description.is_empty() {
            line(format!("DESCRIPTION:{}", escape(&e.description)));
        }
        line(format!("STATUS:{}", e.status.as_str()));
        line(format!("SEQUENCE:{}", e.sequence));
        line(format!(
            "CATEGORIES:{}",
            e.categories
                .iter()
                .map(|c| escape(c))
                .collect::<Vec<_>>()
                .join(",")
        ));
        line("TRANSP:OPAQUE".into());
        if let Some(url) = &options.url {
            line(format!("URL:{url}"));
        }
        line("END:VEVENT".into());
    }
    line("END:VCALENDAR".into());
    out
}

/// [`events`] then [`render`]: the whole document, as the bridge serves it at `/calendar.ics`
/// (`Content-Type: text/calendar; charset=utf-8`).
pub fn document(
    maintenances: &[Maintenance],
    resets: Option<Resets<'_>>,
    now: Timestamp,
    options: &CalendarOptions,
) -> String {
    render(&events(maintenances, resets, now, options), options)
}

/// A UTC date-time: `20261217T185500Z`.
pub fn utc(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes a TEXT value: `\` first, then `;`, `,` and newlines (CRLF, CR or LF → `\n`).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            // Other control characters are not allowed in TEXT (RFC 5545 §3.3.11).
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded: at most 75 octets per line (the leading space of a continuation
/// counts), never inside a UTF-8 sequence, each line ended with CRLF.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut used = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if used + n > MAX_LINE_OCTETS {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += n;
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
#[path = "calendar_tests.rs"]
mod tests;
