//! Ephemery's network resets as a maintenance schedule, computed from the genesis values.
//!
//! Ephemery starts a new chain every [`PERIOD_SECS`] (28 days): iteration `n + 1` has its genesis
//! one period after iteration `n`, and chain id [`CHAIN_ID_BASE`]` + n`. That is how the upstream
//! `ephemery-genesis` repository rolls its `values.env` forward (`prepare-rollback.sh` adds 1 to
//! `ITERATION_NUMBER` and `CHAIN_ID`, `GENESIS_INTERVAL` to `GENESIS_TIMESTAMP`), so the whole
//! schedule follows from one known iteration and its genesis time ([`Schedule::EPHEMERY`]:
//! iteration 160 at 2026-06-04 19:00:00 UTC). Nodes reset a few minutes before the genesis (the
//! upstream `retention.sh` resets 300 s early), so a reset's maintenance window starts a lead-in
//! before the genesis and lasts a while after it ([`WindowConfig`]).
//!
//! Pure: no clock (`now` is an argument), no I/O. The `ephemery_resets` Ansible module, the
//! calendar export and the bridge share it.
//!
//! ```
//! use instatus::ephemery::{Schedule, WindowConfig};
//!
//! let schedule = Schedule::EPHEMERY;
//! let now: jiff::Timestamp = "2026-12-02T07:00:00Z".parse()?;
//! let current = schedule.iteration_at(now).unwrap();
//! assert_eq!((current.iteration, current.chain_id), (166, 39_438_166));
//! let next = schedule.next_resets(now, 2);
//! assert_eq!(next[0].iteration, 167);
//! assert_eq!(next[0].genesis.to_string(), "2026-12-17T19:00:00Z");
//!
//! let window = WindowConfig::default().window(&next[0])?;
//! assert_eq!(window.start.to_string(), "2026-12-17T18:55:00Z");
//! assert!(window.message.contains("[ephemery-reset:167]"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::model::{Maintenance, MaintenanceStatus};
use crate::status::maintenance::{step, MaintenanceAction};

/// Seconds between two genesis times: 28 days (`GENESIS_INTERVAL` in `values.env`).
pub const PERIOD_SECS: i64 = 2_419_200;

/// The chain id of iteration 0: iteration `n` has chain id `39438000 + n`.
pub const CHAIN_ID_BASE: u64 = 39_438_000;

/// How many resets a schedule lists at most in one call: a bound on work, far past any use.
pub const MAX_RESETS: usize = 100;

/// The largest `count` of upcoming resets a front end declares or lists (the `ephemery_resets`
/// and `calendar` modules, the bridge's `ephemery_resets.count`).
pub const MAX_COUNT: usize = 24;

/// A reset schedule: one known iteration, its genesis time, and the period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    anchor_iteration: u64,
    anchor_genesis: Timestamp,
    period_secs: i64,
}

/// Why a schedule or a window cannot be built; the message names the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduleError {
    /// The field (option) at fault.
    pub field: &'static str,
    /// What is wrong, with the allowed values.
    pub message: String,
}

impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for ScheduleError {}

fn bad(field: &'static str, message: impl Into<String>) -> ScheduleError {
    ScheduleError {
        field,
        message: message.into(),
    }
}

/// One reset: the start of iteration `iteration`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Reset {
    /// The iteration the reset starts.
    pub iteration: u64,
    /// Its chain id (`39438000 + iteration`).
    pub chain_id: u64,
    /// Its genesis time.
    pub genesis: Timestamp,
    /// Seconds between two resets of the schedule it comes from (what dates a computed reset in
    /// a calendar, [`crate::calendar::events`]). Not in results: it is the schedule's.
    #[serde(skip)]
    pub period_secs: i64,
}

impl Schedule {
    /// The published Ephemery schedule: iteration 160 had its genesis at 1780599600
    /// (2026-06-04 19:00:00 UTC), every 2,419,200 s (`values.env` of `ephemery-genesis`).
    pub const EPHEMERY: Schedule = Schedule {
        anchor_iteration: 160,
        anchor_genesis: Timestamp::constant(1_780_599_600, 0),
        period_secs: PERIOD_SECS,
    };

    /// A schedule in which iteration `anchor_iteration` had (or will have) its genesis at
    /// `anchor_genesis`, and one more every `period_secs`. The period must be at least an hour
    /// and at most a year.
    pub fn new(
        anchor_iteration: u64,
        anchor_genesis: Timestamp,
        period_secs: i64,
    ) -> Result<Self, ScheduleError> {
        if !(3600..=366 * 86_400).contains(&period_secs) {
            return Err(bad(
                "period",
                format!(
                    "{period_secs} is out of range; allowed: a number of seconds from 3600 (an hour) to 31622400 (a year); Ephemery's is {PERIOD_SECS}"
                ),
            ));
        }
        if anchor_iteration > 1_000_000 {
            return Err(bad(
                "anchor_iteration",
                format!("{anchor_iteration} is out of range; allowed: 0 to 1000000"),
            ));
        }
        Ok(Self {
            anchor_iteration,
            anchor_genesis,
            period_secs,
        })
    }

    /// The known iteration.
    pub fn anchor_iteration(&self) -> u64 {
        self.anchor_iteration
    }

    /// Its genesis time.
    pub fn anchor_genesis(&self) -> Timestamp {
        self.anchor_genesis
    }

    /// Seconds between two resets.
    pub fn period_secs(&self) -> i64 {
        self.period_secs
    }

    /// The reset that starts `iteration`; `None` when its time falls outside the calendar.
    pub fn reset(&self, iteration: u64) -> Option<Reset> {
        let steps = i64::try_from(iteration).ok()? - i64::try_from(self.anchor_iteration).ok()?;
        let offset = steps.checked_mul(self.period_secs)?;
        let genesis = self
            .anchor_genesis
            .checked_add(SignedDuration::from_secs(offset))
            .ok()?;
        Some(Reset {
            iteration,
            chain_id: CHAIN_ID_BASE.checked_add(iteration)?,
            genesis,
            period_secs: self.period_secs,
        })
    }

    /// The iteration running at `now`: the last one whose genesis is at or before `now`. `None`
    /// before iteration 0.
    pub fn iteration_at(&self, now: Timestamp) -> Option<Reset> {
        let since = now.as_second() - self.anchor_genesis.as_second();
        let steps = since.div_euclid(self.period_secs);
        let iteration = i64::try_from(self.anchor_iteration)
            .ok()?
            .checked_add(steps)?;
        self.reset(u64::try_from(iteration).ok()?)
    }

    /// The next `count` resets strictly after `now` (at most [`MAX_RESETS`]).
    pub fn next_resets(&self, now: Timestamp, count: usize) -> Vec<Reset> {
        let first = self
            .iteration_at(now)
            .map_or(0, |current| current.iteration + 1);
        (first..)
            .take(count.min(MAX_RESETS))
            .map_while(|n| self.reset(n))
            .collect()
    }
}

/// How a reset becomes a maintenance window: its times and its texts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WindowConfig {
    /// Minutes before the genesis the window starts (nodes reset 5 minutes early).
    pub lead_in_minutes: i64,
    /// Minutes after the genesis the window ends (the new chain starting and syncing).
    pub after_minutes: i64,
    /// The title (minijinja; variables in [`WindowConfig::window`]).
    pub name_template: String,
    /// The announcement, the impact statement (minijinja; same variables).
    pub message_template: String,
    /// The word that marks a maintenance as this schedule's: `[MARKER:ITERATION]` ends every
    /// message, so the window is recognised on the page again.
    pub marker: String,
}

/// The default title.
pub const DEFAULT_NAME_TEMPLATE: &str = "Ephemery network reset to iteration {{ iteration }}";

/// The default announcement.
pub const DEFAULT_MESSAGE_TEMPLATE: &str = "Ephemery resets itself to a new genesis at \
{{ genesis }} (UTC): iteration {{ iteration }}, chain id {{ chain_id }}. From {{ start }} to \
{{ end }} the previous chain's history is gone, nodes restart from the new genesis and RPC \
endpoints, explorers and faucets may be unavailable. Accounts are funded again from the genesis; \
deployed contracts and transactions of iteration {{ previous_iteration }} do not carry over.";

/// The default marker.
pub const DEFAULT_MARKER: &str = "ephemery-reset";

impl Default for WindowConfig {
    fn default() -> Self {
        Self {
            lead_in_minutes: 5,
            after_minutes: 60,
            name_template: DEFAULT_NAME_TEMPLATE.to_owned(),
            message_template: DEFAULT_MESSAGE_TEMPLATE.to_owned(),
            marker: DEFAULT_MARKER.to_owned(),
        }
    }
}

/// A reset as a maintenance window, ready to declare.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResetWindow {
    /// The reset.
    pub reset: Reset,
    /// Window start (genesis − lead-in).
    pub start: Timestamp,
    /// Window end (genesis + after).
    pub end: Timestamp,
    /// The title.
    pub name: String,
    /// The announcement, ending with the identity token.
    pub message: String,
}

impl ResetWindow {
    /// Length in minutes.
    pub fn minutes(&self) -> i64 {
        self.end.duration_since(self.start).as_mins()
    }

    /// The window as the maintenance lifecycle declares it.
    pub fn declared(&self) -> crate::status::maintenance::DeclaredWindow {
        crate::status::maintenance::DeclaredWindow {
            start: self.start,
            end: self.end,
            cancelled: false,
        }
    }
}

impl WindowConfig {
    /// Checks the numbers, the marker and both templates (compiled and test-rendered with
    /// strict undefined variables) before anything is sent.
    pub fn validate(&self) -> Result<(), ScheduleError> {
        if !(0..=1440).contains(&self.lead_in_minutes) {
            return Err(bad(
                "lead_in",
                format!(
                    "{} is out of range; allowed: 0 to 1440 minutes",
                    self.lead_in_minutes
                ),
            ));
        }
        if !(1..=10_080).contains(&self.after_minutes) {
            return Err(bad(
                "duration",
                format!(
                    "{} is out of range; allowed: 1 to 10080 minutes (a week)",
                    self.after_minutes
                ),
            ));
        }
        let marker_ok = !self.marker.is_empty()
            && self.marker.len() <= 64
            && self
                .marker
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
        if !marker_ok {
            return Err(bad(
                "marker",
                format!(
                    "{:?} is not allowed; allowed: 1 to 64 letters, digits, '-', '_' or '.'",
                    self.marker
                ),
            ));
        }
        let sample = Schedule::EPHEMERY.reset(160).map(|r| self.window(&r));
        match sample {
            Some(Ok(_)) | None => Ok(()),
            Some(Err(e)) => Err(e),
        }
    }

    /// The window of `reset`. Template variables: `iteration`, `previous_iteration`, `chain_id`,
    /// `genesis`, `start`, `end` (RFC 3339, UTC), `genesis_unix`, `lead_in`, `duration`
    /// (minutes), `marker`.
    pub fn window(&self, reset: &Reset) -> Result<ResetWindow, ScheduleError> {
        // Checked arithmetic: `window` is public, so it may get numbers `validate` would refuse
        // (`from_mins` panics past about 1.5e17 minutes).
        let minutes = |field: &'static str, n: i64, allowed: &str| {
            SignedDuration::try_from_mins(n).ok_or_else(|| {
                bad(
                    field,
                    format!("{n} is out of range; allowed: {allowed} minutes"),
                )
            })
        };
        let start = reset
            .genesis
            .checked_sub(minutes("lead_in", self.lead_in_minutes, "0 to 1440")?)
            .map_err(|e| bad("lead_in", e.to_string()))?;
        let end = reset
            .genesis
            .checked_add(minutes("duration", self.after_minutes, "1 to 10080")?)
            .map_err(|e| bad("duration", e.to_string()))?;
        let ctx = serde_json::json!({
            "iteration": reset.iteration,
            "previous_iteration": reset.iteration.saturating_sub(1),
            "chain_id": reset.chain_id,
            "genesis": reset.genesis.to_string(),
            "genesis_unix": reset.genesis.as_second(),
            "start": start.to_string(),
            "end": end.to_string(),
            "lead_in": self.lead_in_minutes,
            "duration": self.after_minutes,
            "marker": self.marker,
        });
        let name = render("name_template", &self.name_template, &ctx)?;
        let body = render("message_template", &self.message_template, &ctx)?;
        if name.trim().is_empty() {
            return Err(bad("name_template", "renders to an empty title"));
        }
        let message = format!(
            "{}\n\n{}",
            body.trim_end(),
            token(&self.marker, reset.iteration)
        );
        Ok(ResetWindow {
            reset: *reset,
            start,
            end,
            name: name.trim().to_owned(),
            message,
        })
    }
}

fn render(
    field: &'static str,
    source: &str,
    ctx: &serde_json::Value,
) -> Result<String, ScheduleError> {
    crate::templates::render_str(source, ctx).map_err(|e| {
        bad(
            field,
            format!(
                "does not render (variables: iteration, previous_iteration, chain_id, genesis, \
                 genesis_unix, start, end, lead_in, duration, marker): {e}"
            ),
        )
    })
}

/// The identity token of iteration `iteration`: `[MARKER:ITERATION]`.
pub fn token(marker: &str, iteration: u64) -> String {
    format!("[{marker}:{iteration}]")
}

/// The iteration a text's token names, for this marker (the first token in the text).
pub fn parse_token(text: &str, marker: &str) -> Option<u64> {
    let open = format!("[{marker}:");
    let mut rest = text;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at + open.len()..];
        if let Some(close) = after.find(']') {
            if let Ok(n) = after[..close].parse::<u64>() {
                return Some(n);
            }
        }
        rest = after;
    }
    None
}

/// The iteration a maintenance announces, when it carries this marker's token in its name or in
/// one of its update messages; `None` for every maintenance the schedule does not own.
pub fn owned_iteration(m: &Maintenance, marker: &str) -> Option<u64> {
    parse_token(m.name.as_str(), marker).or_else(|| {
        // Updates are listed newest first; the first message carries the token too.
        m.updates
            .iter()
            .filter_map(|u| u.message.as_deref())
            .find_map(|text| parse_token(text, marker))
    })
}

/// The windows to declare at `now`: the first `count` resets whose window has not ended (a
/// window running now comes first).
pub fn upcoming_windows(
    schedule: &Schedule,
    config: &WindowConfig,
    now: Timestamp,
    count: usize,
) -> Result<Vec<ResetWindow>, ScheduleError> {
    // The reset running at now may still be inside its window.
    let mut out = Vec::new();
    let first = schedule.iteration_at(now).map_or(0, |r| r.iteration);
    for n in (first..).take(count.min(MAX_RESETS) + 1) {
        let Some(reset) = schedule.reset(n) else {
            break;
        };
        let window = config.window(&reset)?;
        if window.end > now && out.len() < count {
            out.push(window);
        }
    }
    Ok(out)
}

/// What differs between a scheduled maintenance and its window, beyond the times the lifecycle
/// compares: `name`, `message` (the latest update's text), in that order.
pub fn text_changes(window: &ResetWindow, current: &Maintenance) -> Vec<&'static str> {
    let mut out = Vec::new();
    if current.name.as_str().trim() != window.name {
        out.push("name");
    }
    if latest_message(current).map(str::trim) != Some(window.message.trim()) {
        out.push("message");
    }
    out
}

/// The message of the newest update (by creation time, then list order: the API lists newest
/// first).
pub fn latest_message(m: &Maintenance) -> Option<&str> {
    m.updates
        .iter()
        .enumerate()
        .max_by_key(|(i, u)| (u.created_at.or(u.started), std::cmp::Reverse(*i)))
        .and_then(|(_, u)| u.message.as_deref())
}

/// One reset's step: the window (none when the schedule is withdrawn), the maintenance that
/// announces it (none when not yet on the page), and what to do.
#[derive(Clone, Debug, PartialEq)]
pub struct ResetStep<'m> {
    /// The iteration.
    pub iteration: u64,
    /// The window the schedule declares; `None` with `withdraw`.
    pub window: Option<ResetWindow>,
    /// The maintenance on the page that carries this iteration's token (the oldest, when a race
    /// left several).
    pub current: Option<&'m Maintenance>,
    /// The lifecycle's step ([`crate::status::maintenance::step`]).
    pub action: MaintenanceAction,
    /// For a scheduled maintenance the lifecycle leaves as it is: texts that differ from the
    /// window's ([`text_changes`]).
    pub text_changes: Vec<&'static str>,
}

/// What a reconcile of the schedule against the page decides.
#[derive(Clone, Debug, PartialEq)]
pub struct ResetPlan<'m> {
    /// One step per iteration, in iteration order: the upcoming windows and every owned
    /// maintenance that is not completed.
    pub steps: Vec<ResetStep<'m>>,
    /// Newer maintenances with the token of an iteration that already has one (a race between
    /// two runs): left alone, reported.
    pub duplicates: Vec<&'m Maintenance>,
}

/// Plans the resets at `now`: the first `count` windows that have not ended, plus every
/// not-completed maintenance this marker owns (rescheduled when the schedule moved, completed
/// when its window is over). `withdraw` declares no window at all: scheduled ones are cancelled,
/// running ones completed. Maintenances without the token are never in the plan.
pub fn plan_resets<'m>(
    schedule: &Schedule,
    config: &WindowConfig,
    maintenances: &'m [Maintenance],
    now: Timestamp,
    count: usize,
    withdraw: bool,
) -> Result<ResetPlan<'m>, ScheduleError> {
    let mut owned: std::collections::BTreeMap<u64, Vec<&'m Maintenance>> = Default::default();
    for m in maintenances {
        if let Some(n) = owned_iteration(m, &config.marker) {
            owned.entry(n).or_default().push(m);
        }
    }
    let mut duplicates = Vec::new();
    let mut current: std::collections::BTreeMap<u64, &'m Maintenance> = Default::default();
    for (n, mut list) in owned {
        // The oldest stays: its first update is the earliest.
        list.sort_by_key(|m| {
            (
                m.updates.iter().filter_map(|u| u.created_at).min(),
                m.id.as_str().to_owned(),
            )
        });
        let mut it = list.into_iter();
        if let Some(first) = it.next() {
            current.insert(n, first);
        }
        duplicates.extend(it);
    }
    let mut iterations: std::collections::BTreeSet<u64> = current
        .iter()
        .filter(|(_, m)| m.status != MaintenanceStatus::Completed)
        .map(|(n, _)| *n)
        .collect();
    if !withdraw {
        for w in upcoming_windows(schedule, config, now, count)? {
            iterations.insert(w.reset.iteration);
        }
    }
    let mut steps = Vec::new();
    for n in iterations {
        let window = match (withdraw, schedule.reset(n)) {
            (false, Some(reset)) => Some(config.window(&reset)?),
            _ => None,
        };
        let declared = window.as_ref().map(ResetWindow::declared);
        let m = current.get(&n).copied();
        let action = step(declared.as_ref(), m, now);
        let text_changes = match (&window, m, &action) {
            (Some(w), Some(m), MaintenanceAction::Nothing(_) | MaintenanceAction::Reschedule)
                if m.status == MaintenanceStatus::NotStartedYet =>
            {
                text_changes(w, m)
            }
            _ => Vec::new(),
        };
        steps.push(ResetStep {
            iteration: n,
            window,
            current: m,
            action,
            text_changes,
        });
    }
    Ok(ResetPlan { steps, duplicates })
}

impl ResetPlan<'_> {
    /// Whether the plan writes nothing.
    pub fn is_noop(&self) -> bool {
        self.steps
            .iter()
            .all(|s| matches!(s.action, MaintenanceAction::Nothing(_)) && s.text_changes.is_empty())
    }
}

#[cfg(test)]
#[path = "ephemery_tests.rs"]
mod tests;
