//! A person's incident task (the `incident` module's options) against the page's incidents:
//! which incident it means, what differs, and what to write. Pure: the caller reads the page,
//! calls [`plan`], writes what the [`IncidentEdit`] says and reports it.
//!
//! The stages move freely between INVESTIGATING, IDENTIFIED and MONITORING (people go back and
//! forth); a non-resolved stage posted on a RESOLVED incident *reopens* it ([`is_reopen`]), the
//! same update the engine's [`IncidentStep::Reopened`](super::IncidentStep::Reopened) posts. The
//! OpenAPI spec puts no restriction on the stage of an incident update, and the emulator clears
//! `resolved` when it lands; the module reads the incident back and reports a stage the API did
//! not apply.
//!
//! ```
//! use instatus::model::{Incident, IncidentStatus};
//! use instatus::status::incident_edit::{plan, IncidentEdit, IncidentTarget, IncidentTask};
//!
//! let incidents: Vec<Incident> = serde_json::from_value(serde_json::json!([
//!     {"id": "i1", "name": "Geth down", "status": "INVESTIGATING"}
//! ]))?;
//! let task = IncidentTask {
//!     name: Some("Geth down".into()),
//!     target: IncidentTarget::Open { status: Some(IncidentStatus::Identified) },
//!     ..IncidentTask::default()
//! };
//! let IncidentEdit::Post { post, .. } = plan(&task, &incidents)? else { panic!() };
//! assert_eq!(post.status, IncidentStatus::Identified);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::model::{ComponentId, ComponentStatus, Incident, IncidentStatus};

/// Where the task wants the incident.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IncidentTarget {
    /// Open, at `status` (omitted: INVESTIGATING for a new or reopened incident, the current
    /// stage for an open one). Never [`IncidentStatus::Resolved`]: that is [`Self::Resolved`].
    Open {
        /// The stage wanted.
        status: Option<IncidentStatus>,
    },
    /// Resolved.
    Resolved,
    /// Deleted.
    Absent,
}

impl Default for IncidentTarget {
    fn default() -> Self {
        Self::Open { status: None }
    }
}

/// What a task asks for, with component names already resolved to ids.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IncidentTask {
    /// The incident's id; wins over `name`.
    pub id: Option<String>,
    /// The title: the open incident with this title (any incident, to delete).
    pub name: Option<String>,
    /// The lifecycle target.
    pub target: IncidentTarget,
    /// The whole list of affected components and their statuses; `None` leaves them.
    pub components: Option<BTreeMap<ComponentId, ComponentStatus>>,
    /// The update's text; `None` is not compared. What is posted ends with the "Affected
    /// components" line ([`crate::affected`]); comparisons and views leave that line out.
    pub message: Option<String>,
    /// Whether the posted incident or update notifies subscribers.
    pub notify: bool,
    /// When a new incident started (default: when it is created); not compared.
    pub started: Option<Timestamp>,
}

/// A field of an incident a task changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum IncidentField {
    /// The stage.
    Status,
    /// The affected components or their statuses.
    Components,
    /// The latest update's message.
    Message,
}

impl IncidentField {
    /// The option name users know it by.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Components => "components",
            Self::Message => "message",
        }
    }
}

/// What kind of update an [`IncidentPost`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PostKind {
    /// An open incident changes stage, components or message.
    Update,
    /// A RESOLVED incident gets a non-resolved stage again.
    Reopen,
    /// An open incident is resolved.
    Resolve,
}

/// The one incident update to post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncidentPost {
    /// Update, reopen or resolve.
    pub kind: PostKind,
    /// The stage the update sets.
    pub status: IncidentStatus,
    /// The affected components after the update, with their statuses.
    pub components: BTreeMap<ComponentId, ComponentStatus>,
    /// Whether the update sets those component statuses on the page (given by the task, or a
    /// resolve); otherwise it keeps the list and leaves the live statuses to whoever set them.
    pub set_statuses: bool,
    /// What differs, in option order.
    pub changed: Vec<IncidentField>,
}

/// Why a task writes nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IncidentUnchanged {
    /// Asked absent, and no incident matches.
    Absent,
    /// Asked resolved, and no open incident has the name.
    NothingToResolve,
    /// Asked resolved, and it is.
    AlreadyResolved,
    /// Stage, components and message are as asked.
    UpToDate,
}

/// What to write for a task.
#[derive(Clone, Debug, PartialEq)]
pub enum IncidentEdit<'i> {
    /// Nothing; the incident found (if any) and why.
    Nothing {
        /// The incident the task means, when there is one.
        incident: Option<&'i Incident>,
        /// Why nothing is written.
        why: IncidentUnchanged,
    },
    /// Create a new incident.
    Open {
        /// Its stage.
        status: IncidentStatus,
        /// Its affected components and statuses.
        components: BTreeMap<ComponentId, ComponentStatus>,
    },
    /// Post one update to this incident.
    Post {
        /// The incident.
        incident: &'i Incident,
        /// The update.
        post: IncidentPost,
    },
    /// Delete this incident.
    Delete(&'i Incident),
}

/// A task the page's incidents cannot satisfy.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IncidentTaskError {
    /// More than one incident has the title.
    #[error(
        "{} {}incidents are titled '{name}' (ids: {}); give the id instead of the name",
        ids.len(), if *open_only { "open " } else { "" }, ids.join(", ")
    )]
    Ambiguous {
        /// The title.
        name: String,
        /// The ids of the incidents with it.
        ids: Vec<String>,
        /// Whether only open incidents were considered.
        open_only: bool,
    },
    /// `id` and `name` were both given and disagree.
    #[error("name '{name}' does not match the title of incident {id} ('{title}'); the module does not rename incidents")]
    NameMismatch {
        /// The id given.
        id: String,
        /// The name given.
        name: String,
        /// The incident's title.
        title: String,
    },
    /// No incident has the id.
    #[error("id: the page has no incident {id}; give name to open a new incident")]
    NoSuchId {
        /// The id given.
        id: String,
    },
}

/// The message of the newest update, by creation time (ties: list order, newest first); `None`
/// when there is none or it is empty. Shared by incidents and maintenances.
pub(super) fn newest_message<'a>(
    updates: impl Iterator<Item = (Option<Timestamp>, Option<&'a str>)>,
) -> Option<&'a str> {
    updates
        .enumerate()
        .max_by_key(|(i, (at, _))| (*at, std::cmp::Reverse(*i)))
        .and_then(|(_, (_, message))| message)
        .filter(|m| !m.is_empty())
}

/// The text of the incident's newest update, without its "Affected components" line
/// ([`crate::affected::strip`]); `None` when there is none or nothing else.
pub fn latest_message(incident: &Incident) -> Option<String> {
    newest_message(
        incident
            .updates
            .iter()
            .map(|u| (u.created_at.or(u.started), u.message.as_deref())),
    )
    .map(crate::affected::strip)
    .filter(|m| !m.is_empty())
}

/// The incident's affected components: id → status (operational when the API gives none).
pub fn affected(incident: &Incident) -> BTreeMap<ComponentId, ComponentStatus> {
    incident
        .components
        .iter()
        .map(|c| {
            let status = c.status.clone().unwrap_or(ComponentStatus::Operational);
            (c.id.clone(), status)
        })
        .collect()
}

/// Whether posting `status` on `current` reopens it: a non-resolved stage on a resolved one.
pub fn is_reopen(current: &Incident, status: &IncidentStatus) -> bool {
    !current.is_open() && status != &IncidentStatus::Resolved
}

/// The incident a task means: by `id`, else the open one titled `name` (`any_state`: any one
/// titled `name`, as deletion wants). Several → [`IncidentTaskError::Ambiguous`].
pub fn select<'i>(
    incidents: &'i [Incident],
    id: Option<&str>,
    name: Option<&str>,
    any_state: bool,
) -> Result<Option<&'i Incident>, IncidentTaskError> {
    if let Some(id) = id {
        return Ok(incidents.iter().find(|i| i.id.as_str() == id));
    }
    let name = name.unwrap_or_default();
    let found: Vec<&Incident> = incidents
        .iter()
        .filter(|i| i.name.as_str() == name && (any_state || i.is_open()))
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        many => Err(IncidentTaskError::Ambiguous {
            name: name.to_owned(),
            ids: many.iter().map(|i| i.id.as_str().to_owned()).collect(),
            open_only: !any_state,
        }),
    }
}

/// What differs between an incident and a wanted stage, component map and message, in option
/// order. A message is compared trimmed; `None` components or message are not compared.
pub fn changes(
    current: &Incident,
    status: &IncidentStatus,
    components: Option<&BTreeMap<ComponentId, ComponentStatus>>,
    message: Option<&str>,
) -> Vec<IncidentField> {
    let mut out = Vec::new();
    if &current.status != status {
        out.push(IncidentField::Status);
    }
    if components.is_some_and(|c| c != &affected(current)) {
        out.push(IncidentField::Components);
    }
    if message.is_some_and(|m| m.trim() != latest_message(current).unwrap_or_default()) {
        out.push(IncidentField::Message);
    }
    out
}

/// The task against the page's incidents → what to write. One exhaustive match over (target,
/// the incident found and whether it is open).
pub fn plan<'i>(
    task: &IncidentTask,
    incidents: &'i [Incident],
) -> Result<IncidentEdit<'i>, IncidentTaskError> {
    let absent = task.target == IncidentTarget::Absent;
    let found = select(incidents, task.id.as_deref(), task.name.as_deref(), absent)?;
    if let (Some(found), Some(id), Some(name)) = (found, &task.id, &task.name) {
        if found.name.as_str() != name {
            return Err(IncidentTaskError::NameMismatch {
                id: id.clone(),
                name: name.clone(),
                title: found.name.as_str().to_owned(),
            });
        }
    }
    let nothing = |incident, why| IncidentEdit::Nothing { incident, why };
    Ok(match (&task.target, found) {
        // Nothing to delete.
        (IncidentTarget::Absent, None) => nothing(None, IncidentUnchanged::Absent),
        // Deleting removes it from the page's history, whatever its stage.
        (IncidentTarget::Absent, Some(incident)) => IncidentEdit::Delete(incident),
        // An id names one incident; opening a new one would not be it.
        (_, None) if task.id.is_some() => {
            return Err(IncidentTaskError::NoSuchId {
                id: task.id.clone().unwrap_or_default(),
            })
        }
        // No open incident has the name: it is resolved, or never was.
        (IncidentTarget::Resolved, None) => nothing(None, IncidentUnchanged::NothingToResolve),
        // No open incident has the name: open one (a resolved one with the name is history).
        (IncidentTarget::Open { status }, None) => IncidentEdit::Open {
            status: status.clone().unwrap_or(IncidentStatus::Investigating),
            components: task.components.clone().unwrap_or_default(),
        },
        // Resolved already (found by id): resolving again is no change.
        (IncidentTarget::Resolved, Some(incident)) if !incident.is_open() => {
            nothing(Some(incident), IncidentUnchanged::AlreadyResolved)
        }
        // Resolve: the components given, or every affected one back to operational.
        (IncidentTarget::Resolved, Some(incident)) => IncidentEdit::Post {
            incident,
            post: IncidentPost {
                kind: PostKind::Resolve,
                status: IncidentStatus::Resolved,
                components: task.components.clone().unwrap_or_else(|| {
                    affected(incident)
                        .into_keys()
                        .map(|id| (id, ComponentStatus::Operational))
                        .collect()
                }),
                set_statuses: true,
                changed: vec![IncidentField::Status],
            },
        },
        // Open (or reopen, when it is resolved): one update with whatever differs.
        (IncidentTarget::Open { status }, Some(incident)) => {
            let status = match (status, incident.is_open()) {
                (Some(s), _) => s.clone(),
                (None, true) => incident.status.clone(),
                (None, false) => IncidentStatus::Investigating,
            };
            let changed = changes(
                incident,
                &status,
                task.components.as_ref(),
                task.message.as_deref(),
            );
            if changed.is_empty() {
                nothing(Some(incident), IncidentUnchanged::UpToDate)
            } else {
                IncidentEdit::Post {
                    incident,
                    post: IncidentPost {
                        kind: if is_reopen(incident, &status) {
                            PostKind::Reopen
                        } else {
                            PostKind::Update
                        },
                        status,
                        components: task
                            .components
                            .clone()
                            .unwrap_or_else(|| affected(incident)),
                        set_statuses: task.components.is_some(),
                        changed,
                    },
                }
            }
        }
    })
}

#[cfg(test)]
#[path = "incident_edit_tests.rs"]
mod tests;
