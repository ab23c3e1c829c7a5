//! (Long: one planner, the task's types and errors and the one `plan` match with the helpers it needs; its tests are in maintenance_edit_tests.rs.)
//! A person's maintenance task (the `maintenance` module's options) against the page's
//! maintenances: which window it means, what settings change, whether the stage moves, and what
//! to write. Pure, with `now` an argument; the caller reads, calls [`plan`], writes and reports.
//!
//! Identity is the name plus the start; without a start (or with `now`) it is the one
//! not-completed maintenance with the name. The stage moves forward only (scheduled → in progress
//! → completed, [`moves_forward`]); a completed maintenance is never reopened; cancelling deletes
//! a maintenance that is not completed (the API has no cancelled stage). The declared-window
//! lifecycle the schedules use is [`step`](super::maintenance::step).
//!
//! ```
//! use instatus::model::{Maintenance, MaintenanceStatus};
//! use instatus::status::maintenance_edit::{plan, MaintenanceEdit, MaintenanceTarget, MaintenanceTask, WindowStart};
//!
//! let now: jiff::Timestamp = "2030-01-15T09:00:00Z".parse()?;
//! let task = MaintenanceTask {
//!     name: "Upgrade".into(),
//!     start: Some(WindowStart::At("2030-01-15T10:00:00Z".parse()?)),
//!     duration: Some(60),
//!     ..MaintenanceTask::default()
//! };
//! let MaintenanceEdit::Create { stage, minutes, .. } = plan(&task, &[], now)? else { panic!() };
//! assert_eq!((stage, minutes), (MaintenanceStatus::NotStartedYet, 60));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};

use jiff::{SignedDuration, Timestamp};

use super::incident_edit::newest_message;
use crate::model::{ComponentId, ComponentStatus, Maintenance, MaintenanceStatus};

/// The longest maintenance accepted, in minutes (a year): past it, end times overflow the calendar.
pub const MAX_MINUTES: i64 = 366 * 24 * 60;

/// The stage a task wants.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MaintenanceTarget {
    /// Scheduled (created when missing; its settings updated).
    #[default]
    Scheduled,
    /// Running: components under maintenance.
    InProgress,
    /// Over: components back to operational.
    Completed,
    /// Called off: deleted, since the API has no cancelled stage.
    Cancelled,
}

impl MaintenanceTarget {
    /// The option value users write.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }

    /// The API stage the target means (cancelled: the end of the line, as completed).
    pub fn stage(self) -> MaintenanceStatus {
        match self {
            Self::Scheduled => MaintenanceStatus::NotStartedYet,
            Self::InProgress => MaintenanceStatus::InProgress,
            Self::Completed | Self::Cancelled => MaintenanceStatus::Completed,
        }
    }
}

/// The `start` a task gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowStart {
    /// A fixed start: part of the identity.
    At(Timestamp),
    /// Now: the identity is the not-completed maintenance with the name; a new one starts now.
    Now,
}

/// What a task asks for, with component names already resolved to ids.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MaintenanceTask {
    /// The title; with a fixed start, the identity.
    pub name: String,
    /// The start.
    pub start: Option<WindowStart>,
    /// Length in minutes.
    pub duration: Option<i64>,
    /// The end, instead of the duration.
    pub end: Option<Timestamp>,
    /// The stage wanted.
    pub target: MaintenanceTarget,
    /// The whole list of affected components; `None` leaves it.
    pub components: Option<Vec<ComponentId>>,
    /// The text of a new maintenance or of the update a change posts.
    pub message: Option<String>,
    /// Start automatically.
    pub auto_start: Option<bool>,
    /// End automatically.
    pub auto_end: Option<bool>,
    /// Notify when it starts (settable only at creation).
    pub notify_start: Option<bool>,
    /// Notify when it ends (settable only at creation).
    pub notify_end: Option<bool>,
    /// Notify ahead of the start (settable only at creation).
    pub notify_early: Option<bool>,
    /// Minutes ahead for the early notification (settable only at creation).
    pub notify_minutes: Option<i64>,
    /// While in progress, the status of components that are affected but not maintained
    /// themselves (the impacted ones); every other component is under maintenance.
    pub running_statuses: BTreeMap<ComponentId, ComponentStatus>,
    /// Whether the write (the new maintenance, or the update) notifies subscribers.
    pub notify: bool,
}

impl MaintenanceTask {
    /// Adds an impact assessment to the task. `statement` (the rendered
    /// [impact statement](super::impact_statement)) joins the message after a blank line, or is
    /// the message, when the task announces or starts the window (a completion or a cancel is
    /// not about the impact, so its message is left alone). `included` (the impacted components
    /// that are not maintained, each with the status it has while the window runs) join
    /// `components`, each once, and keep that status while in progress; they go back to
    /// operational with the rest when it completes.
    ///
    /// The message stays the same from run to run for the same page and declarations, so a
    /// rerun posts no note.
    pub fn add_impact(
        &mut self,
        statement: &str,
        included: impl IntoIterator<Item = (ComponentId, ComponentStatus)>,
    ) {
        match self.target {
            // Announcing or starting: the statement tells subscribers what they will miss.
            MaintenanceTarget::Scheduled | MaintenanceTarget::InProgress => {
                self.message = Some(
                    match self.message.as_deref().filter(|m| !m.trim().is_empty()) {
                        Some(m) => format!("{m}\n\n{statement}"),
                        None => statement.to_owned(),
                    },
                );
            }
            // Over or called off: nothing is impacted any more.
            MaintenanceTarget::Completed | MaintenanceTarget::Cancelled => {}
        }
        let mut included = included.into_iter().peekable();
        if included.peek().is_none() {
            return;
        }
        let list = self.components.get_or_insert_with(Vec::new);
        for (id, status) in included {
            if list.contains(&id) {
                // Maintained itself: under maintenance wins.
                continue;
            }
            list.push(id.clone());
            self.running_statuses.insert(id, status);
        }
    }

    /// The fixed start, when the task gives one.
    pub fn fixed_start(&self) -> Option<Timestamp> {
        match self.start {
            Some(WindowStart::At(t)) => Some(t),
            _ => None,
        }
    }

    /// How messages name the window: `maintenance 'NAME'`, `… at START` with a fixed start.
    pub fn label(&self) -> String {
        match self.fixed_start() {
            Some(s) => format!("maintenance '{}' at {s}", self.name),
            None => format!("maintenance '{}'", self.name),
        }
    }

    /// The checks that need no page: the duration's range, the end after a fixed start, a
    /// non-negative `notify_minutes`. Run before any request.
    pub fn check(&self) -> Result<(), MaintenanceTaskError> {
        if let Some(d) = self.duration {
            wanted_minutes(Some(d), None, Timestamp::UNIX_EPOCH)?;
        }
        if let Some(m) = self.notify_minutes.filter(|m| *m < 0) {
            return Err(MaintenanceTaskError::NegativeNotifyMinutes(m));
        }
        if let (Some(s), Some(_)) = (self.fixed_start(), self.end) {
            wanted_minutes(None, self.end, s)?;
        }
        Ok(())
    }
}

/// A setting of an existing maintenance a task changes (a PUT of the whole maintenance).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MaintenanceSetting {
    /// The length (and so the end).
    Duration,
    /// The affected components.
    Components,
    /// Automatic start.
    AutoStart,
    /// Automatic end.
    AutoEnd,
}

impl MaintenanceSetting {
    /// The option name users know it by.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Duration => "duration",
            Self::Components => "components",
            Self::AutoStart => "auto_start",
            Self::AutoEnd => "auto_end",
        }
    }
}

/// What changes on an existing maintenance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaintenanceChange {
    /// The settings to PUT, in option order (empty: no PUT).
    pub settings: Vec<MaintenanceSetting>,
    /// The wanted length, when the task gives one (by duration or end).
    pub minutes: Option<i64>,
    /// The planned end after the change.
    pub end: Option<Timestamp>,
    /// The affected components after the change.
    pub components: Vec<ComponentId>,
    /// The stage to move to, forward only.
    pub advance: Option<MaintenanceStatus>,
    /// Whether the task's message is posted as an update without a stage change.
    pub note: bool,
}

impl MaintenanceChange {
    /// Whether a maintenance update is posted (a stage change or a note).
    pub fn posts_update(&self) -> bool {
        self.advance.is_some() || self.note
    }

    /// Whether the settings PUT carries the `notify` wish: only when no update carries it, so
    /// subscribers hear once.
    pub fn put_notifies(&self, notify: bool) -> bool {
        notify && !self.posts_update()
    }

    /// The component statuses the posted update sets ([`stage_statuses`] of the stage it moves
    /// to); none for a note.
    pub fn statuses(
        &self,
        running: &BTreeMap<ComponentId, ComponentStatus>,
    ) -> Vec<(ComponentId, ComponentStatus)> {
        match &self.advance {
            Some(stage) => stage_statuses(stage, &self.components, running),
            None => Vec::new(),
        }
    }
}

/// Why a task writes nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MaintenanceUnchanged {
    /// Asked cancelled, and there is no such window.
    NothingToCancel,
    /// Asked completed (or anything) and it is completed.
    AlreadyCompleted,
    /// Asked scheduled or in progress, but it is completed: not reopened.
    NotReopened,
    /// Settings and stage as asked.
    UpToDate,
    /// Asked an earlier stage than it has: the stage only moves forward.
    OnlyForward(MaintenanceStatus),
}

/// What to write for a task.
#[derive(Clone, Debug, PartialEq)]
pub enum MaintenanceEdit<'m> {
    /// Nothing; the maintenance found (if any) and why.
    Nothing {
        /// The maintenance the task means, when there is one.
        maintenance: Option<&'m Maintenance>,
        /// Why nothing is written.
        why: MaintenanceUnchanged,
    },
    /// Create one.
    Create {
        /// Scheduled or in progress.
        stage: MaintenanceStatus,
        /// Its start (`now` to the second for a `now` task).
        start: Timestamp,
        /// Its end.
        end: Timestamp,
        /// Its length in minutes.
        minutes: i64,
    },
    /// Delete this (cancelled) maintenance.
    Delete(&'m Maintenance),
    /// Change this maintenance.
    Change {
        /// The maintenance.
        maintenance: &'m Maintenance,
        /// What changes.
        change: MaintenanceChange,
    },
}

/// A task the options or the page cannot satisfy.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MaintenanceTaskError {
    /// `duration` out of range.
    #[error("duration: {0} is out of range; allowed: a number of minutes from 1 to {MAX_MINUTES} (a year)")]
    DurationOutOfRange(i64),
    /// `end` not after `start`.
    #[error("end must be at least a minute after start ({start}), got: {end}")]
    EndNotAfterStart {
        /// The start.
        start: Timestamp,
        /// The end given.
        end: Timestamp,
    },
    /// `end` more than a year after `start`.
    #[error(
        "end must be at most a year ({MAX_MINUTES} minutes) after start ({start}), got: {end}"
    )]
    EndTooLate {
        /// The start.
        start: Timestamp,
        /// The end given.
        end: Timestamp,
    },
    /// `notify_minutes` negative.
    #[error("notify_minutes must not be negative, got: {0}")]
    NegativeNotifyMinutes(i64),
    /// Several maintenances match.
    #[error(
        "{} {}maintenances are called '{name}'{}: {}; give start to pick one",
        found.len(),
        if start.is_some() { "" } else { "not-completed " },
        start.map(|s| format!(" and start at {s}")).unwrap_or_default(),
        found.join(", ")
    )]
    Ambiguous {
        /// The name.
        name: String,
        /// The fixed start, when given.
        start: Option<Timestamp>,
        /// `id (start …)` of each.
        found: Vec<String>,
    },
    /// Completing a window that does not exist.
    #[error(
        "{label} not found: nothing to complete (scheduled maintenances called '{name}': {others})"
    )]
    NothingToComplete {
        /// How the task names the window.
        label: String,
        /// The name.
        name: String,
        /// `id (start, stage)` of every maintenance with the name, or `none`.
        others: String,
    },
    /// Creating a window without a length.
    #[error("{label} not found; give duration or end to create it (state={state})")]
    NoLength {
        /// How the task names the window.
        label: String,
        /// The target as users write it.
        state: &'static str,
    },
    /// Cancelling a completed window.
    #[error("{label} is completed; a completed maintenance cannot be cancelled (id {id})")]
    CompletedCannotCancel {
        /// How the task names the window.
        label: String,
        /// Its id.
        id: String,
    },
}

/// The length in minutes a task asks for, given the maintenance's start: `duration`, or
/// `end - start`; `None` when it gives neither.
pub fn wanted_minutes(
    duration: Option<i64>,
    end: Option<Timestamp>,
    start: Timestamp,
) -> Result<Option<i64>, MaintenanceTaskError> {
    match (duration, end) {
        (Some(d), _) if !(1..=MAX_MINUTES).contains(&d) => {
            Err(MaintenanceTaskError::DurationOutOfRange(d))
        }
        (Some(d), _) => Ok(Some(d)),
        (None, Some(end)) => match end.duration_since(start).as_mins() {
            m if m <= 0 => Err(MaintenanceTaskError::EndNotAfterStart { start, end }),
            m if m > MAX_MINUTES => Err(MaintenanceTaskError::EndTooLate { start, end }),
            m => Ok(Some(m)),
        },
        (None, None) => Ok(None),
    }
}

/// `start + minutes`, when it fits the calendar.
pub fn end_of(start: Timestamp, minutes: i64) -> Option<Timestamp> {
    start
        .checked_add(SignedDuration::try_from_mins(minutes)?)
        .ok()
}

/// The maintenance a task means: the one called `name` starting at `start`, or, without a
/// start, the one called `name` that is not completed. Several → an error listing them.
pub fn select<'m>(
    all: &'m [Maintenance],
    name: &str,
    start: Option<Timestamp>,
) -> Result<Option<&'m Maintenance>, MaintenanceTaskError> {
    let found: Vec<&Maintenance> = all
        .iter()
        .filter(|m| m.name.as_str() == name)
        .filter(|m| match start {
            Some(start) => m.start == Some(start),
            None => m.status != MaintenanceStatus::Completed,
        })
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        many => Err(MaintenanceTaskError::Ambiguous {
            name: name.to_owned(),
            start,
            found: many
                .iter()
                .map(|m| format!("{} (start {})", m.id, start_text(m)))
                .collect(),
        }),
    }
}

fn start_text(m: &Maintenance) -> String {
    m.start.map(|t| t.to_string()).unwrap_or_else(|| "?".into())
}

/// How far along a stage is: scheduled 0, in progress 1, completed 2 (an unknown stage 0).
pub fn stage_rank(status: &MaintenanceStatus) -> u8 {
    match status {
        MaintenanceStatus::NotStartedYet | MaintenanceStatus::Unknown(_) => 0,
        MaintenanceStatus::InProgress => 1,
        MaintenanceStatus::Completed => 2,
    }
}

/// Whether going from `from` to `to` is a step forward (stages never move back).
pub fn moves_forward(from: &MaintenanceStatus, to: &MaintenanceStatus) -> bool {
    stage_rank(to) > stage_rank(from)
}

/// The component status a stage sets on the affected components: under maintenance while it
/// runs, operational once completed; none while scheduled.
pub fn implied_component_status(stage: &MaintenanceStatus) -> Option<ComponentStatus> {
    match stage {
        MaintenanceStatus::InProgress => Some(ComponentStatus::UnderMaintenance),
        MaintenanceStatus::Completed => Some(ComponentStatus::Operational),
        MaintenanceStatus::NotStartedYet | MaintenanceStatus::Unknown(_) => None,
    }
}

/// The component statuses a move to `stage` sets on `components`: the stage's
/// [`implied_component_status`], except that while in progress a component `running` names (an
/// impacted one, not maintained itself) gets its status there.
pub fn stage_statuses(
    stage: &MaintenanceStatus,
    components: &[ComponentId],
    running: &BTreeMap<ComponentId, ComponentStatus>,
) -> Vec<(ComponentId, ComponentStatus)> {
    let Some(implied) = implied_component_status(stage) else {
        return Vec::new();
    };
    components
        .iter()
        .map(|id| {
            let status = match (stage, running.get(id)) {
                (MaintenanceStatus::InProgress, Some(s)) => s.clone(),
                _ => implied.clone(),
            };
            (id.clone(), status)
        })
        .collect()
}

/// The settings a task changes on an existing maintenance, in option order (each only when the
/// task gives it and it differs).
pub fn setting_changes(
    current: &Maintenance,
    minutes: Option<i64>,
    components: Option<&BTreeSet<ComponentId>>,
    auto_start: Option<bool>,
    auto_end: Option<bool>,
) -> Vec<MaintenanceSetting> {
    let mut out = Vec::new();
    if minutes.is_some() && minutes != current.duration {
        out.push(MaintenanceSetting::Duration);
    }
    let now: BTreeSet<ComponentId> = current.components.iter().map(|b| b.id.clone()).collect();
    if components.is_some_and(|c| c != &now) {
        out.push(MaintenanceSetting::Components);
    }
    if auto_start.is_some_and(|a| a != current.auto_start.unwrap_or(false)) {
        out.push(MaintenanceSetting::AutoStart);
    }
    if auto_end.is_some_and(|a| a != current.auto_end.unwrap_or(false)) {
        out.push(MaintenanceSetting::AutoEnd);
    }
    out
}

/// The options a task gives that differ from an existing maintenance but that the API's update
/// cannot change (they are set at creation): `(option, the value the page keeps)`.
pub fn fixed_at_creation(
    current: &Maintenance,
    task: &MaintenanceTask,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for (option, given, now) in [
        ("notify_start", task.notify_start, current.notify_start),
        ("notify_end", task.notify_end, current.notify_end),
        ("notify_early", task.notify_early, current.notify_early),
    ] {
        if given.is_some_and(|g| g != now.unwrap_or(false)) {
            out.push((option, now.unwrap_or(false).to_string()));
        }
    }
    if task.notify_minutes.is_some() && task.notify_minutes != current.notify_minutes {
        let kept = current.notify_minutes.map(|m| m.to_string());
        out.push(("notify_minutes", kept.unwrap_or_else(|| "none".into())));
    }
    out
}

/// The message of the maintenance's newest update.
pub fn latest_message(m: &Maintenance) -> Option<&str> {
    newest_message(
        m.updates
            .iter()
            .map(|u| (u.created_at.or(u.started), u.message.as_deref())),
    )
}

/// `id (start, stage)` of every maintenance called `name`, or `none`.
pub fn describe_all(all: &[Maintenance], name: &str) -> String {
    let list: Vec<String> = all
        .iter()
        .filter(|m| m.name.as_str() == name)
        .map(|m| {
            format!(
                "{} (start {}, {})",
                m.id,
                start_text(m),
                m.status.user_name()
            )
        })
        .collect();
    if list.is_empty() {
        "none".into()
    } else {
        list.join(", ")
    }
}

/// The task against the page's maintenances at `now` → what to write. One exhaustive match over
/// (target, the stage of the maintenance found).
pub fn plan<'m>(
    task: &MaintenanceTask,
    all: &'m [Maintenance],
    now: Timestamp,
) -> Result<MaintenanceEdit<'m>, MaintenanceTaskError> {
    use MaintenanceStatus as S;
    use MaintenanceTarget as T;
    task.check()?;
    let label = task.label();
    let found = select(all, &task.name, task.fixed_start())?;
    let nothing = |maintenance, why| MaintenanceEdit::Nothing { maintenance, why };
    let status = found.map(|m| &m.status);
    Ok(match (task.target, found, status) {
        // Nothing to call off.
        (T::Cancelled, None, _) => nothing(None, MaintenanceUnchanged::NothingToCancel),
        // Completing again without a start: the newest completed one with the name is it.
        (T::Completed, None, _) => {
            let done = all
                .iter()
                .filter(|m| m.name.as_str() == task.name && m.status == S::Completed)
                .max_by_key(|m| m.start);
            match (done, task.fixed_start()) {
                (Some(m), None) => nothing(Some(m), MaintenanceUnchanged::AlreadyCompleted),
                _ => {
                    return Err(MaintenanceTaskError::NothingToComplete {
                        label,
                        name: task.name.clone(),
                        others: describe_all(all, &task.name),
                    })
                }
            }
        }
        // Missing: create it, scheduled or already running, from `start` (`now`: this second).
        (T::Scheduled | T::InProgress, None, _) => {
            let start = task
                .fixed_start()
                .unwrap_or_else(|| Timestamp::from_second(now.as_second()).unwrap_or(now));
            let minutes = wanted_minutes(task.duration, task.end, start)?.ok_or(
                MaintenanceTaskError::NoLength {
                    label,
                    state: task.target.as_str(),
                },
            )?;
            let end =
                end_of(start, minutes).ok_or(MaintenanceTaskError::DurationOutOfRange(minutes))?;
            MaintenanceEdit::Create {
                stage: task.target.stage(),
                start,
                end,
                minutes,
            }
        }
        // History is not rewritten: a completed window is not cancelled.
        (T::Cancelled, Some(m), Some(S::Completed)) => {
            return Err(MaintenanceTaskError::CompletedCannotCancel {
                label,
                id: m.id.to_string(),
            })
        }
        // Called off before or while it runs: deleted (the API has no cancelled stage).
        (T::Cancelled, Some(m), _) => MaintenanceEdit::Delete(m),
        // Completed: nothing changes it, and it is not reopened.
        (T::Completed, Some(m), Some(S::Completed)) => {
            nothing(Some(m), MaintenanceUnchanged::AlreadyCompleted)
        }
        (T::Scheduled | T::InProgress, Some(m), Some(S::Completed)) => {
            nothing(Some(m), MaintenanceUnchanged::NotReopened)
        }
        // Scheduled, running or in a stage this crate does not know: settings, then the stage
        // forward only, then a note.
        (_, Some(m), _) => {
            let change = change(task, m)?;
            if !change.settings.is_empty() || change.posts_update() {
                MaintenanceEdit::Change {
                    maintenance: m,
                    change,
                }
            } else if moves_forward(&task.target.stage(), &m.status) {
                nothing(Some(m), MaintenanceUnchanged::OnlyForward(m.status.clone()))
            } else {
                nothing(Some(m), MaintenanceUnchanged::UpToDate)
            }
        }
    })
}

/// What a task changes on a maintenance that is not completed.
fn change(
    task: &MaintenanceTask,
    m: &Maintenance,
) -> Result<MaintenanceChange, MaintenanceTaskError> {
    let start = m.start.unwrap_or(Timestamp::UNIX_EPOCH);
    let minutes = wanted_minutes(task.duration, task.end, start)?;
    let wanted: Option<BTreeSet<ComponentId>> = task
        .components
        .as_ref()
        .map(|c| c.iter().cloned().collect());
    // Completing touches no settings: the window is over.
    let settings = if task.target == MaintenanceTarget::Completed {
        Vec::new()
    } else {
        setting_changes(m, minutes, wanted.as_ref(), task.auto_start, task.auto_end)
    };
    let target = task.target.stage();
    let advance = moves_forward(&m.status, &target).then_some(target.clone());
    // A note only in the stage asked for: a task behind the maintenance (the announcement of a
    // window that is running) carries that earlier stage's text, which is no news now.
    let note = stage_rank(&m.status) == stage_rank(&target)
        && task
            .message
            .as_deref()
            .is_some_and(|msg| msg.trim() != latest_message(m).unwrap_or_default().trim());
    let end = match minutes {
        Some(mins) if settings.contains(&MaintenanceSetting::Duration) => end_of(start, mins),
        _ => m.end(),
    };
    Ok(MaintenanceChange {
        settings,
        minutes,
        end,
        components: task
            .components
            .clone()
            .unwrap_or_else(|| m.components.iter().map(|c| c.id.clone()).collect()),
        advance,
        note,
    })
}

#[cfg(test)]
#[path = "maintenance_edit_tests.rs"]
mod tests;
