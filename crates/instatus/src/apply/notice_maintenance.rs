//! Applying a person's maintenance task: the [`MaintenanceEdit`] plan written through the
//! [`Client`], read back and reported exactly (what landed, each field the API accepted but does
//! not show). Re-exported by [`crate::apply::notice`], which holds the incident half and what
//! both share.

use std::collections::BTreeSet;

use crate::api::maintenances::{
    self, CreateMaintenanceRequest, CreateMaintenanceUpdateRequest, UpdateMaintenanceRequest,
};
use crate::api::ComponentStatusEntry;
use crate::model::{
    ComponentBrief, ComponentId, LocalizedText, Maintenance, MaintenanceId, MaintenanceStatus,
    MaintenanceUpdate, MaintenanceUpdateId, PageId,
};
use crate::recover::create_once;
use crate::status::maintenance_edit::{
    latest_message as maintenance_message, stage_statuses, MaintenanceChange, MaintenanceEdit,
    MaintenanceSetting, MaintenanceTask,
};
use crate::Client;

use super::notice::*;

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
