//! Applying a person's incident and maintenance tasks: the [`IncidentEdit`] and
//! [`MaintenanceEdit`](crate::status::maintenance_edit::MaintenanceEdit) plans of [`crate::status::incident_edit`] and
//! [`crate::status::maintenance_edit`], written through the [`Client`], read back, and reported
//! exactly: what was written (a failure part-way says what landed before it), and each field the
//! API accepted but does not show ([`IncidentField`], [`MaintenanceField`]).
//!
//! Every incident or update written here ends with the "Affected components" line
//! ([`crate::affected`]), the status each component had at that update, so that uptime can be
//! counted from the history later ([`crate::uptime`]).
//!
//! [`predict_incident`] and [`predict_maintenance`] give what the page will show after a plan
//! without writing, for check mode and diffs; the front ends show the same view of either.
//!
//! ```
//! use instatus::apply::notice::{apply_incident, IncidentWritten};
//! use instatus::model::{ComponentTree, IncidentStatus, PageId};
//! use instatus::status::incident_edit::{plan, IncidentTarget, IncidentTask};
//! # let emulator = instatus_emulator::Emulator::start(instatus_emulator::Config::default()).unwrap();
//! # let page = PageId::new(emulator.create_page("ephemery", "Ephemery"));
//! # let client = instatus::Client::builder(emulator.api_key()).base_url(emulator.url()).build()?;
//!
//! let task = IncidentTask {
//!     name: Some("Faucet slow".into()),
//!     target: IncidentTarget::Open { status: None },
//!     message: Some("We are looking into it.".into()),
//!     ..IncidentTask::default()
//! };
//! let incidents = client.list_all(instatus::api::incidents::list(&page))?;
//! let tree = ComponentTree::default();
//! let written = apply_incident(&client, &page, &task, &plan(&task, &incidents)?, &tree)?;
//! let IncidentWritten::Opened { incident, .. } = written else { panic!() };
//! assert_eq!(incident.status, IncidentStatus::Investigating);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use crate::api::incidents::{self, CreateIncidentRequest, CreateIncidentUpdateRequest};
use crate::api::ComponentStatusEntry;
use crate::model::{
    ComponentBrief, ComponentId, ComponentStatus, ComponentTree, Incident, IncidentId,
    IncidentStatus, IncidentUpdate, IncidentUpdateId, LocalizedText, MaintenanceId, PageId,
};
use crate::recover::create_once;
use crate::status::incident_edit::{
    affected as affected_of, latest_message as incident_message, IncidentEdit, IncidentField,
    IncidentTask,
};
use crate::{affected, Client, Error};

/// A write that failed, with what had landed before it.
#[derive(Debug, thiserror::Error)]
#[error("{}{failed} failed: {source}", written_prefix(.written))]
pub struct NoticeError {
    /// What was written before the failure, in order (e.g. `the settings (PUT)`).
    pub written: Vec<&'static str>,
    /// The step that failed (e.g. `reading it back`).
    pub failed: &'static str,
    /// Why.
    #[source]
    pub source: Box<NoticeFailure>,
}

/// Why a write of a [`NoticeError`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NoticeFailure {
    /// The API refused or failed.
    #[error(transparent)]
    Api(#[from] Error),
    /// A maintenance whose answer lacks its start or duration cannot be PUT whole.
    #[error(
        "maintenance {0} has no start or duration in the API's answer, so it cannot be updated"
    )]
    NoWindow(MaintenanceId),
}

fn written_prefix(written: &[&str]) -> String {
    if written.is_empty() {
        String::new()
    } else {
        format!("{} written, then ", written.join(" and "))
    }
}

impl NoticeError {
    pub(super) fn new(
        written: &[&'static str],
        failed: &'static str,
        source: impl Into<NoticeFailure>,
    ) -> Self {
        NoticeError {
            written: written.to_vec(),
            failed,
            source: Box::new(source.into()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Incidents.

/// What applying an [`IncidentEdit`] wrote.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum IncidentWritten {
    /// Nothing: the plan wrote nothing.
    Nothing,
    /// A new incident, as the create answered (or as the look-up found it, when the answer was
    /// lost: `recovered`).
    Opened {
        /// The incident.
        incident: Incident,
        /// Found by a look-up after an ambiguous create.
        recovered: bool,
        /// What the API accepted but the answer does not show.
        not_applied: Vec<IncidentField>,
    },
    /// One update posted, then the incident read back.
    Posted {
        /// The incident as read back.
        incident: Incident,
        /// What the API accepted but the read-back does not show.
        not_applied: Vec<IncidentField>,
    },
    /// The incident was deleted.
    Deleted,
}

/// The "Affected components" line for `components`, in page order, by display name.
pub fn affected_line(
    components: &BTreeMap<ComponentId, ComponentStatus>,
    tree: &ComponentTree,
) -> String {
    let mut list: Vec<(usize, String, ComponentStatus)> = components
        .iter()
        .map(|(id, s)| (tree.rank_of(id), tree.name_of(id), s.clone()))
        .collect();
    list.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let pairs: Vec<(String, ComponentStatus)> = list.into_iter().map(|(_, n, s)| (n, s)).collect();
    affected::render(&pairs)
}

/// The message an incident write posts: the task's text, then the line.
fn posted_message(
    task: &IncidentTask,
    components: &BTreeMap<ComponentId, ComponentStatus>,
    tree: &ComponentTree,
) -> Option<String> {
    affected::append(task.message.as_deref(), &affected_line(components, tree))
}

/// The incident as the page will show it after `edit`, without writing: the incident found for
/// [`IncidentEdit::Nothing`], a new one (empty id, no times but a given start) for
/// [`IncidentEdit::Open`], the incident with the posted stage, components and update for
/// [`IncidentEdit::Post`] (its updates are only the one posted); `None` when it is gone or was
/// never there.
pub fn predict_incident(
    edit: &IncidentEdit<'_>,
    task: &IncidentTask,
    tree: &ComponentTree,
) -> Option<Incident> {
    match edit {
        IncidentEdit::Nothing { incident, .. } => incident.cloned(),
        IncidentEdit::Delete(_) => None,
        IncidentEdit::Open { status, components } => Some(Incident {
            id: IncidentId::new(""),
            name: LocalizedText::Plain(task.name.clone().unwrap_or_default()),
            status: status.clone(),
            started: task.started,
            resolved: None,
            duration: None,
            updates: vec![new_update(
                status,
                posted_message(task, components, tree),
                task.notify,
            )],
            components: briefs(components),
            impact: None,
            translations: None,
        }),
        IncidentEdit::Post { incident, post } => {
            let mut after = (*incident).clone();
            after.status = post.status.clone();
            after.components = briefs(&post.components);
            after.updates = vec![new_update(
                &post.status,
                posted_message(task, &post.components, tree),
                task.notify,
            )];
            Some(after)
        }
    }
}

fn new_update(status: &IncidentStatus, message: Option<String>, notify: bool) -> IncidentUpdate {
    IncidentUpdate {
        id: IncidentUpdateId::new(""),
        message,
        message_html: None,
        status: status.clone(),
        notify: Some(notify),
        started: None,
        ended: None,
        duration: None,
        created_at: None,
    }
}

fn briefs(components: &BTreeMap<ComponentId, ComponentStatus>) -> Vec<ComponentBrief> {
    components
        .iter()
        .map(|(id, s)| ComponentBrief {
            id: id.clone(),
            name: None,
            status: Some(s.clone()),
            show_uptime: None,
        })
        .collect()
}

/// What `read` does not show of a write that set `status`, `components` (their statuses too
/// when `statuses` is set) and the task's message.
fn incident_not_applied(
    read: &Incident,
    status: &IncidentStatus,
    components: &BTreeMap<ComponentId, ComponentStatus>,
    statuses: bool,
    message: Option<&str>,
) -> Vec<IncidentField> {
    let mut out = Vec::new();
    if &read.status != status {
        out.push(IncidentField::Status);
    }
    let shown = affected_of(read);
    let differs = if statuses {
        &shown != components
    } else {
        !shown.keys().eq(components.keys())
    };
    if differs {
        out.push(IncidentField::Components);
    }
    if message.is_some_and(|m| m.trim() != incident_message(read).unwrap_or_default()) {
        out.push(IncidentField::Message);
    }
    out
}

/// Writes what `edit` (planned from `task`) says: one create, one update then a read-back, or one
/// delete. Every incident and update it posts ends with the "Affected components" line of the
/// components it leaves affected (display names from `tree`).
pub fn apply_incident(
    client: &Client,
    page: &PageId,
    task: &IncidentTask,
    edit: &IncidentEdit<'_>,
    tree: &ComponentTree,
) -> Result<IncidentWritten, NoticeError> {
    match edit {
        IncidentEdit::Nothing { .. } => Ok(IncidentWritten::Nothing),
        IncidentEdit::Delete(found) => {
            client
                .send(incidents::delete(page, &found.id))
                .map_err(|e| NoticeError::new(&[], "deleting the incident", e))?;
            Ok(IncidentWritten::Deleted)
        }
        IncidentEdit::Open { status, components } => {
            let name = task.name.clone().unwrap_or_default();
            let mut body = CreateIncidentRequest::new(name.as_str(), status.clone());
            body.message = posted_message(task, components, tree);
            body.started = task.started;
            body.notify = Some(task.notify);
            for (id, s) in components {
                body = body.affect(ComponentStatusEntry::new(id.clone(), s.clone()));
            }
            // A create whose answer is lost is looked up (an open incident of this name) before
            // it is ever sent again.
            let created = create_once(
                client,
                || incidents::create(page, &body),
                |c| {
                    let all = c.list_all(incidents::list(page))?;
                    Ok(all
                        .into_iter()
                        .find(|i| i.name.as_str() == name.as_str() && i.is_open()))
                },
            )
            .map_err(|e| NoticeError::new(&[], "creating the incident", e))?;
            let not_applied = incident_not_applied(
                &created.value,
                status,
                components,
                true,
                task.message.as_deref(),
            );
            Ok(IncidentWritten::Opened {
                incident: created.value,
                recovered: created.recovered,
                not_applied,
            })
        }
        IncidentEdit::Post { incident, post } => {
            let mut body = CreateIncidentUpdateRequest::new(post.status.clone());
            body.message = posted_message(task, &post.components, tree);
            body.notify = Some(task.notify);
            if post.set_statuses {
                for (id, s) in &post.components {
                    body = body.affect(ComponentStatusEntry::new(id.clone(), s.clone()));
                }
            } else {
                // Keep the affected list and leave the live statuses to whoever set them.
                body.components = post.components.keys().cloned().collect();
            }
            client
                .send(incidents::create_update(page, &incident.id, &body))
                .map_err(|e| NoticeError::new(&[], "posting the update", e))?;
            // The update landed: a failing read-back must not hide it.
            let read = client
                .send(incidents::get(page, &incident.id))
                .map_err(|e| NoticeError::new(&["the update"], "reading the incident back", e))?;
            let not_applied = incident_not_applied(
                &read,
                &post.status,
                &post.components,
                post.set_statuses,
                task.message.as_deref(),
            );
            Ok(IncidentWritten::Posted {
                incident: read,
                not_applied,
            })
        }
    }
}

// Maintenances: `notice_maintenance.rs`.
pub use super::notice_maintenance::{
    apply_maintenance, predict_maintenance, MaintenanceField, MaintenanceWritten,
};

#[cfg(test)]
#[path = "notice_tests.rs"]
mod tests;
