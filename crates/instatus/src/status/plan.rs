//! What an evaluation decides: writes to make, and notes saying why something was not written.

use jiff::Timestamp;
use serde::Serialize;

use crate::model::{ComponentId, ComponentStatus, IncidentId, IncidentStatus};

/// The outcome of one evaluation.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Plan {
    /// Writes, in order.
    pub actions: Vec<Action>,
    /// Why something was held, skipped or not trusted.
    pub notes: Vec<Note>,
}

impl Plan {
    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// The notes about one component.
    pub fn notes_for<'a>(&'a self, path: &'a str) -> impl Iterator<Item = &'a Note> + 'a {
        self.notes.iter().filter(move |n| n.path == path)
    }
}

/// One write.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Set a component's status.
    SetStatus {
        /// The component.
        component: ComponentId,
        /// Its name path.
        path: String,
        /// The status on the page now.
        from: ComponentStatus,
        /// The status to set.
        to: ComponentStatus,
        /// Why.
        reason: String,
    },
    /// Open an incident for one component.
    OpenIncident {
        /// The component's name path.
        path: String,
        /// The component.
        component: ComponentId,
        /// The component's status in the incident.
        status: ComponentStatus,
        /// The incident name (rendered).
        name: String,
        /// The first message (rendered, marker appended).
        message: String,
        /// When the problem started.
        started: Timestamp,
        /// Whether subscribers are notified.
        notify: bool,
    },
    /// Post an update to an automation incident (a level change, MONITORING, RESOLVED, a reopen).
    UpdateIncident {
        /// The incident.
        incident: IncidentId,
        /// The component's name path.
        path: String,
        /// The component.
        component: ComponentId,
        /// The incident's new stage.
        incident_status: IncidentStatus,
        /// The component's status in the incident.
        status: ComponentStatus,
        /// The message (rendered, marker appended).
        message: String,
        /// Which lifecycle step this is.
        step: IncidentStep,
        /// Whether subscribers are notified.
        notify: bool,
    },
    /// Resolve an automation incident that duplicates an older one (a race between replicas).
    CloseDuplicate {
        /// The newer incident, to be resolved.
        incident: IncidentId,
        /// The incident that stays.
        duplicate_of: IncidentId,
        /// The component's name path.
        path: String,
        /// The note posted.
        message: String,
    },
}

/// The incident lifecycle step an [`Action::UpdateIncident`] performs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentStep {
    /// The level changed while open.
    LevelChanged,
    /// Recovered: MONITORING.
    Monitoring,
    /// A relapse during MONITORING: back to INVESTIGATING.
    Relapsed,
    /// No relapse for the dwell: RESOLVED.
    Resolved,
    /// A relapse soon after a resolve: the resolved incident is reopened.
    Reopened,
}

/// Why something was held or skipped.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Note {
    /// The component's name path.
    pub path: String,
    /// The kind of note.
    pub kind: NoteKind,
    /// A sentence for people.
    pub message: String,
}

/// The kinds of [`Note`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// An observation is unknown (failed query, stale samples, missing heartbeat): last level kept.
    Unknown,
    /// The component is flapping: held at the worse level, no incident update posted.
    Flapping,
    /// A maintenance is in progress: automation stands back.
    Maintenance,
    /// A person's incident is open on the component: automation stands back.
    HumanIncident,
    /// A person set the component's status on the page (a status automation neither wrote nor
    /// planned): automation stands back until the page shows the status automation would set,
    /// or `OPERATIONAL`.
    ManualStatus,
    /// The name path is not on the page, or names more than one component.
    NotOnPage,
    /// A level change or incident step waits for its hold or dwell.
    Waiting,
    /// The component is in observe mode ([`super::mode`]): what would have been written.
    Observe,
}
