//! Applying a person's incident and maintenance tasks: the [`IncidentEdit`] and
//! [`MaintenanceEdit`] plans of [`crate::status::incident_edit`] and
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

use std::collections::{BTreeMap, BTreeSet};

use crate::api::incidents::{self, CreateIncidentRequest, CreateIncidentUpdateRequest};
use crate::api::maintenances::{
    self, CreateMaintenanceRequest, CreateMaintenanceUpdateRequest, UpdateMaintenanceRequest,
};
use crate::api::ComponentStatusEntry;
use crate::model::{
    ComponentBrief, ComponentId, ComponentStatus, ComponentTree, Incident, IncidentId,
    IncidentStatus, IncidentUpdate, IncidentUpdateId, LocalizedText, Maintenance, MaintenanceId,
    MaintenanceStatus, MaintenanceUpdate, MaintenanceUpdateId, PageId,
};
use crate::recover::create_once;
use crate::status::incident_edit::{
    affected as affected_of, latest_message as incident_message, IncidentEdit, IncidentField,
    IncidentTask,
};
use crate::status::maintenance_edit::{
    latest_message as maintenance_message, stage_statuses, MaintenanceChange, MaintenanceEdit,
    MaintenanceSetting, MaintenanceTask,
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
    fn new(
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

// ---------------------------------------------------------------------------------------------
// Maintenances.

/// A field of a maintenance a write may set but the API not apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MaintenanceField {
    /// The stage.
    Status,
    /// The length.
    Duration,
    /// The affected components.
    Components,
    /// Automatic start.
    AutoStart,
    /// Automatic end.
    AutoEnd,
    /// The latest update's message.
    Message,
}

impl MaintenanceField {
    /// The option name users know it by.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Duration => "duration",
            Self::Components => "components",
            Self::AutoStart => "auto_start",
            Self::AutoEnd => "auto_end",
            Self::Message => "message",
        }
    }
}

/// What applying a [`MaintenanceEdit`] wrote.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum MaintenanceWritten {
    /// Nothing: the plan wrote nothing.
    Nothing,
    /// A new maintenance, as the create answered (or the look-up found it: `recovered`).
    Created {
        /// The maintenance.
        maintenance: Maintenance,
        /// Found by a look-up after an ambiguous create.
        recovered: bool,
        /// What the API accepted but the answer does not show.
        not_applied: Vec<MaintenanceField>,
    },
    /// Settings (a PUT) and/or an update (a stage or a note), then the maintenance read back.
    Changed {
        /// The maintenance as read back.
        maintenance: Maintenance,
        /// What was written, in order: `the settings`, `the update`.
        written: Vec<&'static str>,
        /// What the API accepted but the read-back does not show.
        not_applied: Vec<MaintenanceField>,
    },
    /// The maintenance was deleted (a cancel).
    Deleted,
}

/// The maintenance as the page will show it after `edit`, without writing (see
/// [`predict_incident`]); a new one has an empty id.
pub fn predict_maintenance(
    edit: &MaintenanceEdit<'_>,
    task: &MaintenanceTask,
) -> Option<Maintenance> {
    match edit {
        MaintenanceEdit::Nothing { maintenance, .. } => maintenance.cloned(),
        MaintenanceEdit::Delete(_) => None,
        MaintenanceEdit::Create {
            stage,
            start,
            minutes,
            ..
        } => Some(Maintenance {
            id: MaintenanceId::new(""),
            name: LocalizedText::Plain(task.name.clone()),
            status: stage.clone(),
            start: Some(*start),
            duration: Some(*minutes),
            notify_start: Some(task.notify_start.unwrap_or(false)),
            notify_end: Some(task.notify_end.unwrap_or(false)),
            notify_early: Some(task.notify_early.unwrap_or(false)),
            notify_minutes: task.notify_minutes,
            auto_start: Some(task.auto_start.unwrap_or(false)),
            auto_end: Some(task.auto_end.unwrap_or(false)),
            updates: vec![maintenance_update(stage, task.message.clone())],
            components: task.components.iter().flatten().map(brief).collect(),
            translations: None,
        }),
        MaintenanceEdit::Change {
            maintenance,
            change,
        } => {
            let mut after = (*maintenance).clone();
            let set = |s| change.settings.contains(&s);
            if set(MaintenanceSetting::Duration) {
                after.duration = change.minutes;
            }
            if set(MaintenanceSetting::Components) {
                after.components = change.components.iter().map(brief).collect();
            }
            if set(MaintenanceSetting::AutoStart) {
                after.auto_start = task.auto_start;
            }
            if set(MaintenanceSetting::AutoEnd) {
                after.auto_end = task.auto_end;
            }
            if let Some(stage) = &change.advance {
                after.status = stage.clone();
            }
            if change.posts_update() {
                // The update posted carries the message (none: the latest update has none).
                after.updates = vec![maintenance_update(&after.status, task.message.clone())];
            }
            Some(after)
        }
    }
}

fn brief(id: &ComponentId) -> ComponentBrief {
    ComponentBrief {
        id: id.clone(),
        name: None,
        status: None,
        show_uptime: None,
    }
}

fn maintenance_update(status: &MaintenanceStatus, message: Option<String>) -> MaintenanceUpdate {
    MaintenanceUpdate {
        id: MaintenanceUpdateId::new(""),
        message: message.filter(|m| !m.is_empty()),
        message_html: None,
        status: status.clone(),
        notify: None,
        started: None,
        ended: None,
        duration: None,
        created_at: None,
    }
}

/// What `read` does not show of what `predicted` says the write set (only the fields the write
/// touched: `fields`).
fn maintenance_not_applied(
    read: &Maintenance,
    predicted: &Maintenance,
    fields: &[MaintenanceField],
) -> Vec<MaintenanceField> {
    let ids = |m: &Maintenance| -> BTreeSet<ComponentId> {
        m.components.iter().map(|c| c.id.clone()).collect()
    };
    fields
        .iter()
        .copied()
        .filter(|f| match f {
            MaintenanceField::Status => read.status != predicted.status,
            MaintenanceField::Duration => read.duration != predicted.duration,
            MaintenanceField::Components => ids(read) != ids(predicted),
            MaintenanceField::AutoStart => {
                read.auto_start.unwrap_or(false) != predicted.auto_start.unwrap_or(false)
            }
            MaintenanceField::AutoEnd => {
                read.auto_end.unwrap_or(false) != predicted.auto_end.unwrap_or(false)
            }
            MaintenanceField::Message => {
                maintenance_message(read).map(str::trim)
                    != maintenance_message(predicted).map(str::trim)
            }
        })
        .collect()
}

/// The fields a change writes.
fn changed_fields(change: &MaintenanceChange, message: bool) -> Vec<MaintenanceField> {
    let mut out: Vec<MaintenanceField> = change
        .settings
        .iter()
        .map(|s| match s {
            MaintenanceSetting::Duration => MaintenanceField::Duration,
            MaintenanceSetting::Components => MaintenanceField::Components,
            MaintenanceSetting::AutoStart => MaintenanceField::AutoStart,
            MaintenanceSetting::AutoEnd => MaintenanceField::AutoEnd,
        })
        .collect();
    if change.advance.is_some() {
        out.push(MaintenanceField::Status);
    }
    if change.posts_update() && message {
        out.push(MaintenanceField::Message);
    }
    out
}

/// Writes what `edit` (planned from `task`) says: one create; a PUT of the settings and/or one
/// update, then a read-back; or one delete.
pub fn apply_maintenance(
    client: &Client,
    page: &PageId,
    task: &MaintenanceTask,
    edit: &MaintenanceEdit<'_>,
) -> Result<MaintenanceWritten, NoticeError> {
    match edit {
        MaintenanceEdit::Nothing { .. } => Ok(MaintenanceWritten::Nothing),
        MaintenanceEdit::Delete(current) => {
            client
                .send(maintenances::delete(page, &current.id))
                .map_err(|e| NoticeError::new(&[], "deleting the maintenance", e))?;
            Ok(MaintenanceWritten::Deleted)
        }
        MaintenanceEdit::Create {
            stage,
            start,
            end,
            minutes,
        } => {
            let ids = task.components.clone().unwrap_or_default();
            let mut body = CreateMaintenanceRequest::new(task.name.as_str(), *start, *end);
            body.message = task.message.clone();
            body.components = ids.clone();
            body.status = stage.clone();
            body.notify = task.notify;
            body.duration = Some(*minutes);
            body.notify_start = task.notify_start.unwrap_or(false);
            body.notify_end = task.notify_end.unwrap_or(false);
            body.notify_early = task.notify_early.unwrap_or(false);
            body.notify_minutes = task.notify_minutes;
            body.auto_start = task.auto_start.unwrap_or(false);
            body.auto_end = task.auto_end.unwrap_or(false);
            body.statuses = stage_statuses(stage, &ids, &task.running_statuses)
                .into_iter()
                .map(|(id, s)| ComponentStatusEntry::new(id, s))
                .collect();
            // A create whose answer is lost is looked up (same name and start) before it is
            // ever sent again.
            let created = create_once(
                client,
                || maintenances::create(page, &body),
                |c| {
                    Ok(c.list_all(maintenances::list(page))?
                        .into_iter()
                        .find(|m| m.name.as_str() == task.name && m.start == Some(*start)))
                },
            )
            .map_err(|e| NoticeError::new(&[], "creating the maintenance", e))?;
            let not_applied = match predict_maintenance(edit, task) {
                Some(p) => {
                    let mut fields = vec![MaintenanceField::Status, MaintenanceField::Duration];
                    fields.extend([
                        MaintenanceField::Components,
                        MaintenanceField::AutoStart,
                        MaintenanceField::AutoEnd,
                    ]);
                    if task.message.is_some() {
                        fields.push(MaintenanceField::Message);
                    }
                    maintenance_not_applied(&created.value, &p, &fields)
                }
                None => Vec::new(),
            };
            Ok(MaintenanceWritten::Created {
                maintenance: created.value,
                recovered: created.recovered,
                not_applied,
            })
        }
        MaintenanceEdit::Change {
            maintenance: current,
            change,
        } => {
            let mut written: Vec<&'static str> = Vec::new();
            if !change.settings.is_empty() {
                let message = task
                    .message
                    .clone()
                    .or_else(|| maintenance_message(current).map(str::to_owned))
                    .unwrap_or_default();
                let Some(mut body) = UpdateMaintenanceRequest::from_maintenance(current, message)
                else {
                    return Err(NoticeError::new(
                        &[],
                        "updating the settings",
                        NoticeFailure::NoWindow(current.id.clone()),
                    ));
                };
                if let (Some(m), Some(end)) = (change.minutes, change.end) {
                    body.duration = m;
                    body.end = end;
                }
                body.components = change.components.clone();
                if let Some(a) = task.auto_start {
                    body.auto_start = a;
                }
                if let Some(a) = task.auto_end {
                    body.auto_end = a;
                }
                body.notify = change.put_notifies(task.notify);
                client
                    .send(maintenances::update(page, &current.id, &body))
                    .map_err(|e| NoticeError::new(&written, "updating the settings", e))?;
                written.push("the settings");
            }
            if change.posts_update() {
                let stage = change
                    .advance
                    .clone()
                    .unwrap_or_else(|| current.status.clone());
                let mut body = CreateMaintenanceUpdateRequest::new(stage);
                body.message = task.message.clone();
                body.notify = Some(task.notify);
                body.components = change.components.clone();
                body.statuses = change
                    .statuses(&task.running_statuses)
                    .into_iter()
                    .map(|(id, s)| ComponentStatusEntry::new(id, s))
                    .collect();
                client
                    .send(maintenances::create_update(page, &current.id, &body))
                    .map_err(|e| NoticeError::new(&written, "posting the update", e))?;
                written.push("the update");
            }
            // What landed must not be hidden by a failing read-back.
            let read = client
                .send(maintenances::get(page, &current.id))
                .map_err(|e| NoticeError::new(&written, "reading the maintenance back", e))?;
            let not_applied = match predict_maintenance(edit, task) {
                Some(p) => maintenance_not_applied(
                    &read,
                    &p,
                    &changed_fields(change, task.message.is_some()),
                ),
                None => Vec::new(),
            };
            Ok(MaintenanceWritten::Changed {
                maintenance: read,
                written,
                not_applied,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::components::CreateComponentRequest;
    use crate::status::incident_edit::{self, IncidentTarget};
    use crate::status::maintenance_edit::{self, MaintenanceTarget, WindowStart};
    use instatus_emulator::{Config, Emulator, FaultAction, FaultRule};

    struct Lab {
        emulator: Emulator,
        client: Client,
        page: PageId,
        tree: ComponentTree,
        geth: ComponentId,
    }

    fn lab() -> Lab {
        let emulator = Emulator::start(Config::default()).unwrap();
        let page = PageId::new(emulator.create_page("lab", "Lab"));
        let client = Client::builder(emulator.api_key())
            .base_url(emulator.url())
            .build()
            .unwrap();
        let geth = client
            .send(crate::api::components::create(
                &page,
                &CreateComponentRequest::new("Geth"),
            ))
            .unwrap()
            .id;
        let tree = ComponentTree::from_components(
            client
                .list_all(crate::api::components::list(&page))
                .unwrap(),
        );
        Lab {
            emulator,
            client,
            page,
            tree,
            geth,
        }
    }

    impl Lab {
        fn incident(&self, task: &IncidentTask) -> Result<IncidentWritten, NoticeError> {
            let all = self.client.list_all(incidents::list(&self.page)).unwrap();
            let edit = incident_edit::plan(task, &all).unwrap();
            apply_incident(&self.client, &self.page, task, &edit, &self.tree)
        }

        fn maintenance(&self, task: &MaintenanceTask) -> Result<MaintenanceWritten, NoticeError> {
            let all = self
                .client
                .list_all(maintenances::list(&self.page))
                .unwrap();
            let now: jiff::Timestamp = "2030-01-15T09:00:00Z".parse().unwrap();
            let edit = maintenance_edit::plan(task, &all, now).unwrap();
            apply_maintenance(&self.client, &self.page, task, &edit)
        }

        fn fail(&self, method: &str, path: &str, status: u16) {
            self.emulator.add_fault(FaultRule {
                method: Some(method.into()),
                path: path.into(),
                action: FaultAction::Status(status),
                times: Some(1),
            });
        }
    }

    fn geth_down(lab: &Lab, status: ComponentStatus) -> IncidentTask {
        IncidentTask {
            name: Some("Geth down".into()),
            target: IncidentTarget::Open { status: None },
            components: Some([(lab.geth.clone(), status)].into_iter().collect()),
            message: Some("Looking.".into()),
            ..IncidentTask::default()
        }
    }

    #[test]
    fn every_incident_write_ends_with_the_affected_components_line() {
        let lab = lab();
        let Ok(IncidentWritten::Opened { incident, .. }) =
            lab.incident(&geth_down(&lab, ComponentStatus::MajorOutage))
        else {
            panic!("opened")
        };
        assert_eq!(
            incident.updates[0].message.as_deref(),
            Some("Looking.\n\nAffected components: Geth (major outage).")
        );
        let resolve = IncidentTask {
            target: IncidentTarget::Resolved,
            message: None,
            ..geth_down(&lab, ComponentStatus::MajorOutage)
        };
        let resolve = IncidentTask {
            components: None,
            ..resolve
        };
        let Ok(IncidentWritten::Posted {
            incident,
            not_applied,
        }) = lab.incident(&resolve)
        else {
            panic!("posted")
        };
        assert_eq!(not_applied, []);
        let newest = incident
            .updates
            .iter()
            .find(|u| u.status == IncidentStatus::Resolved)
            .unwrap();
        assert_eq!(
            newest.message.as_deref(),
            Some("Affected components: Geth (operational).")
        );
    }

    #[test]
    fn an_update_whose_read_back_fails_is_reported_as_written() {
        let lab = lab();
        lab.incident(&geth_down(&lab, ComponentStatus::MajorOutage))
            .unwrap();
        lab.fail("GET", "/v1/*/incidents/*", 404);
        let err = lab
            .incident(&geth_down(&lab, ComponentStatus::PartialOutage))
            .unwrap_err();
        assert_eq!(err.written, ["the update"]);
        assert_eq!(err.failed, "reading the incident back");
        assert!(
            err.to_string()
                .starts_with("the update written, then reading the incident back failed: "),
            "{err}"
        );
        // It did land.
        let all = lab.client.list_all(incidents::list(&lab.page)).unwrap();
        assert_eq!(
            affected_of(&all[0]).into_values().collect::<Vec<_>>(),
            [ComponentStatus::PartialOutage]
        );
    }

    #[test]
    fn a_message_the_api_accepts_but_does_not_keep_is_reported_not_applied() {
        let lab = lab();
        lab.incident(&geth_down(&lab, ComponentStatus::MajorOutage))
            .unwrap();
        lab.emulator.set_ignored_fields(vec!["message".into()]);
        let mut task = geth_down(&lab, ComponentStatus::MajorOutage);
        task.message = Some("Found it.".into());
        let Ok(IncidentWritten::Posted { not_applied, .. }) = lab.incident(&task) else {
            panic!("posted")
        };
        assert_eq!(not_applied, [IncidentField::Message]);
    }

    fn window(lab: &Lab) -> MaintenanceTask {
        MaintenanceTask {
            name: "Upgrade".into(),
            start: Some(WindowStart::At("2030-01-15T10:00:00Z".parse().unwrap())),
            duration: Some(60),
            components: Some(vec![lab.geth.clone()]),
            message: Some("Upgrading Geth.".into()),
            ..MaintenanceTask::default()
        }
    }

    #[test]
    fn a_maintenance_change_that_stops_part_way_says_what_landed() {
        let lab = lab();
        lab.maintenance(&window(&lab)).unwrap();
        // A longer window (a PUT) and a new message (an update): the update fails.
        let mut task = window(&lab);
        task.duration = Some(90);
        task.message = Some("Upgrading Geth and Lighthouse.".into());
        lab.fail("POST", "/v1/*/maintenances/*/maintenance-updates", 400);
        let err = lab.maintenance(&task).unwrap_err();
        assert_eq!(
            (err.written.as_slice(), err.failed),
            (&["the settings"][..], "posting the update")
        );
        let all = lab.client.list_all(maintenances::list(&lab.page)).unwrap();
        assert_eq!(all[0].duration, Some(90), "the PUT landed");
        // Run again: only the update is left to write.
        let Ok(MaintenanceWritten::Changed {
            written,
            not_applied,
            ..
        }) = lab.maintenance(&task)
        else {
            panic!("changed")
        };
        assert_eq!((written, not_applied), (vec!["the update"], vec![]));
    }

    #[test]
    fn a_maintenance_stage_and_note_read_back_and_a_dropped_message_is_not_applied() {
        let lab = lab();
        lab.maintenance(&window(&lab)).unwrap();
        let start = MaintenanceTask {
            target: MaintenanceTarget::InProgress,
            message: Some("Started.".into()),
            ..window(&lab)
        };
        lab.emulator.set_ignored_fields(vec!["message".into()]);
        let Ok(MaintenanceWritten::Changed {
            maintenance,
            written,
            not_applied,
        }) = lab.maintenance(&start)
        else {
            panic!("changed")
        };
        assert_eq!(maintenance.status, MaintenanceStatus::InProgress);
        assert_eq!(written, ["the update"]);
        assert_eq!(not_applied, [MaintenanceField::Message]);
    }
}
