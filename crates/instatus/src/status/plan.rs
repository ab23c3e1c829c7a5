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
    /// The marker of the incident policy the plan was made with (the applier recognises
    /// automation's incidents by it).
    #[serde(skip)]
    pub marker: String,
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
    /// Open an incident for one cause. Its writes carry the statuses of the components it lists
    /// (no separate status write for them).
    OpenIncident {
        /// The cause's name path (the incident's first component).
        path: String,
        /// The components listed, the cause first, each with the status this write gives it.
        components: Vec<Affected>,
        /// The incident name (rendered).
        name: String,
        /// The first message (rendered, the "Affected components" line and the marker appended).
        message: String,
        /// When the problem started.
        started: Timestamp,
        /// Whether subscribers are notified.
        notify: bool,
    },
    /// Post an update to an automation incident (a level change, MONITORING, RESOLVED, a
    /// reopen), with the statuses of the components it lists.
    UpdateIncident {
        /// The incident.
        incident: IncidentId,
        /// The cause's name path (the incident's first component).
        path: String,
        /// The incident's new stage.
        incident_status: IncidentStatus,
        /// The components listed, the cause first, each with the status this write gives it.
        components: Vec<Affected>,
        /// The incident's new name, when the step changes the level (the title follows the
        /// level's incident type); set before the update is posted.
        name: Option<String>,
        /// The message (rendered, the "Affected components" line and the marker appended).
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

impl Action {
    /// The components whose status this action writes, with the status.
    pub fn statuses(&self) -> Vec<(&ComponentId, &ComponentStatus)> {
        match self {
            Action::SetStatus { component, to, .. } => vec![(component, to)],
            Action::OpenIncident { components, .. } | Action::UpdateIncident { components, .. } => {
                components
                    .iter()
                    .filter(|a| !a.owned)
                    .map(|a| (&a.component, &a.status))
                    .collect()
            }
            Action::CloseDuplicate { .. } => Vec::new(),
        }
    }
}

/// A component an incident lists, and the status a write gives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Affected {
    /// The component.
    pub component: ComponentId,
    /// Its name path (empty for a component the configuration does not know).
    pub path: String,
    /// Its display name on the page (the "Affected components" line uses it).
    pub name: String,
    /// Its status with this write (for an owned one, the status the page shows).
    pub status: ComponentStatus,
    /// Someone else owns its status (a maintenance, a person's incident or status edit): it
    /// stays listed, but its status is not written, and only the cause is named in the
    /// "Affected components" line while owned (the line says what automation gave each one).
    pub owned: bool,
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
    /// A burn-rate rule's reading: the window pair that drove its level, or how close the
    /// nearest pair came ([`super::burn`]).
    BurnRate,
}
