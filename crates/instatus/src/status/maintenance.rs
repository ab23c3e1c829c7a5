//! The maintenance lifecycle: a declared window against the maintenance on the page.
//!
//! A pure function the `maintenance` module and the maintenance workflow call with `now`.

use jiff::Timestamp;

use crate::model::{Maintenance, MaintenanceStatus};

/// The window a user (or the Ephemery reset schedule) declares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclaredWindow {
    /// Planned start.
    pub start: Timestamp,
    /// Planned end.
    pub end: Timestamp,
    /// Whether the window was called off.
    pub cancelled: bool,
}

/// What to do about a maintenance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MaintenanceAction {
    /// Nothing; the reason says why.
    Nothing(&'static str),
    /// Create it, scheduled (NOTSTARTEDYET).
    Schedule,
    /// Create it already running (the window has begun).
    CreateInProgress,
    /// Change the planned start or end of a scheduled maintenance.
    Reschedule,
    /// Start it (INPROGRESS).
    Start,
    /// Make a running maintenance last until the declared end.
    Extend,
    /// Complete it (the window is over, or it was called off while running).
    Complete,
    /// Cancel a maintenance that has not started.
    Cancel,
}

/// One lifecycle step: (declared window or none, current maintenance or none, now) → action.
/// `None` as declared means the window is no longer wanted (as `cancelled`).
pub fn step(
    declared: Option<&DeclaredWindow>,
    current: Option<&Maintenance>,
    now: Timestamp,
) -> MaintenanceAction {
    use MaintenanceAction as A;
    let wanted = declared.filter(|d| !d.cancelled);
    let status = current.map(|m| &m.status);
    match (wanted, status) {
        // Neither wanted nor there.
        (None, None) => A::Nothing("no maintenance wanted and none exists"),
        // Called off before it began.
        (None, Some(MaintenanceStatus::NotStartedYet)) => A::Cancel,
        // Called off while running: end it now.
        (None, Some(MaintenanceStatus::InProgress)) => A::Complete,
        // Over already; history is not rewritten.
        (_, Some(MaintenanceStatus::Completed)) => A::Nothing("the maintenance is completed"),
        // A stage this crate does not know: touch nothing.
        (_, Some(MaintenanceStatus::Unknown(_))) => A::Nothing("unknown maintenance stage"),
        // Wanted, missing, window still ahead.
        (Some(w), None) if now < w.start => A::Schedule,
        // Wanted, missing, window running.
        (Some(w), None) if now < w.end => A::CreateInProgress,
        // Wanted, missing, window past: creating it now would invent history.
        (Some(_), None) => A::Nothing("the declared window is over"),
        // Scheduled and the window is past without it starting: close it.
        (Some(w), Some(MaintenanceStatus::NotStartedYet)) if now >= w.end => A::Complete,
        // Scheduled and the window has begun.
        (Some(w), Some(MaintenanceStatus::NotStartedYet)) if now >= w.start => A::Start,
        // Scheduled with other times than declared.
        (Some(w), Some(MaintenanceStatus::NotStartedYet))
            if current.and_then(|m| m.start) != Some(w.start)
                || current.and_then(Maintenance::end) != Some(w.end) =>
        {
            A::Reschedule
        }
        // Scheduled as declared.
        (Some(_), Some(MaintenanceStatus::NotStartedYet)) => A::Nothing("scheduled as declared"),
        // Running and the declared end is later than the page's: extend.
        (Some(w), Some(MaintenanceStatus::InProgress))
            if current
                .and_then(Maintenance::end)
                .is_some_and(|end| w.end > end) =>
        {
            A::Extend
        }
        // Running past the declared end: complete.
        (Some(w), Some(MaintenanceStatus::InProgress)) if now >= w.end => A::Complete,
        // Running inside the window.
        (Some(_), Some(MaintenanceStatus::InProgress)) => A::Nothing("in progress as declared"),
    }
}
