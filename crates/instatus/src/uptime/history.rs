//! The input: components, and incidents and maintenances as spans of status over time.
//!
//! [`History::from_api`] builds it from what Instatus returns. An Instatus incident carries one
//! status per affected component (the incident's `components[].status`) and its `started` and
//! `resolved` times; its updates carry no component statuses in the responses, so each
//! component is counted in that status from start to resolution, which is what Instatus itself
//! counts ("outage = start → resolve"). A caller that knows how the statuses moved during an
//! incident (the bridge's journal) adds [`StatusChange`]s by hand.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::model::{
    Component, ComponentId, ComponentStatus, Incident, IncidentStatus, Maintenance,
    MaintenanceStatus,
};

use super::Level;

/// A component (or group) of the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ComponentInfo {
    /// The id.
    pub id: ComponentId,
    /// The name.
    pub name: String,
    /// The parent group's id.
    pub group: Option<ComponentId>,
    /// Whether this is a group.
    pub is_group: bool,
    /// When it was created: before that there is no data.
    pub created: Option<Timestamp>,
    /// When it was archived: from then on there is no data.
    pub archived: Option<Timestamp>,
    /// Whether the page shows its uptime.
    pub show_uptime: bool,
}

impl ComponentInfo {
    /// A top-level component without creation time.
    pub fn new(id: impl Into<ComponentId>, name: impl Into<String>) -> Self {
        ComponentInfo {
            id: id.into(),
            name: name.into(),
            group: None,
            is_group: false,
            created: None,
            archived: None,
            show_uptime: true,
        }
    }

    /// A group.
    pub fn group(id: impl Into<ComponentId>, name: impl Into<String>) -> Self {
        ComponentInfo {
            is_group: true,
            ..ComponentInfo::new(id, name)
        }
    }

    /// Puts the component in a group.
    pub fn in_group(mut self, group: impl Into<ComponentId>) -> Self {
        self.group = Some(group.into());
        self
    }

    /// Sets the creation time.
    pub fn created(mut self, at: Timestamp) -> Self {
        self.created = Some(at);
        self
    }

    /// Sets the archive time.
    pub fn archived(mut self, at: Timestamp) -> Self {
        self.archived = Some(at);
        self
    }
}

/// From `at` on (until the next change for the same component, or the incident's end), the
/// incident holds `component` in `status`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusChange {
    /// When (clamped to the incident's start).
    pub at: Timestamp,
    /// The component.
    pub component: ComponentId,
    /// The status it was given.
    pub status: ComponentStatus,
}

/// An incident as a span with status changes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IncidentRecord {
    /// The incident id (for the report's list).
    pub id: String,
    /// Its title.
    pub name: String,
    /// When it started.
    pub started: Timestamp,
    /// When it was resolved; `None` while open (it lasts until now).
    pub resolved: Option<Timestamp>,
    /// The status changes, in any order.
    pub changes: Vec<StatusChange>,
}

impl IncidentRecord {
    /// An incident from `started` to `resolved` without status changes yet.
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        started: Timestamp,
        resolved: Option<Timestamp>,
    ) -> Self {
        IncidentRecord {
            id: id.into(),
            name: name.into(),
            started,
            resolved,
            changes: Vec::new(),
        }
    }

    /// Adds a status change.
    pub fn change(
        mut self,
        at: Timestamp,
        component: impl Into<ComponentId>,
        status: ComponentStatus,
    ) -> Self {
        self.changes.push(StatusChange {
            at,
            component: component.into(),
            status,
        });
        self
    }

    /// Holds `component` in `status` for the whole incident.
    pub fn affects(self, component: impl Into<ComponentId>, status: ComponentStatus) -> Self {
        let at = self.started;
        self.change(at, component, status)
    }
}

/// A maintenance window as a span.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MaintenanceRecord {
    /// The maintenance id.
    pub id: String,
    /// Its title.
    pub name: String,
    /// When it started.
    pub start: Timestamp,
    /// When it ended; `None` while in progress (it lasts until now).
    pub end: Option<Timestamp>,
    /// The components under maintenance.
    pub components: Vec<ComponentId>,
}

impl MaintenanceRecord {
    /// A maintenance of `components` from `start` to `end`.
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        start: Timestamp,
        end: Option<Timestamp>,
        components: impl IntoIterator<Item = impl Into<ComponentId>>,
    ) -> Self {
        MaintenanceRecord {
            id: id.into(),
            name: name.into(),
            start,
            end,
            components: components.into_iter().map(Into::into).collect(),
        }
    }
}

/// Everything uptime is computed from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// Components and groups, in page order.
    pub components: Vec<ComponentInfo>,
    /// Incidents.
    pub incidents: Vec<IncidentRecord>,
    /// Maintenances.
    pub maintenances: Vec<MaintenanceRecord>,
}

/// A record from the API that cannot be placed in time.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{kind} {id}: {field} is missing, so it cannot be placed in time")]
pub struct HistoryError {
    /// `incident` or `maintenance`.
    pub kind: &'static str,
    /// Its id.
    pub id: String,
    /// The missing field.
    pub field: &'static str,
}

impl History {
    /// The history as Instatus returns it: the component list (flat or nested), every incident
    /// and every maintenance. Scheduled (not started) maintenances are left out; a completed
    /// one covers its planned window, one in progress lasts until now. An incident counts from
    /// `started` to `resolved` (open: until now) in each component's `components[].status`; a
    /// component without a status counts as operational.
    pub fn from_api(
        components: &[Component],
        incidents: &[Incident],
        maintenances: &[Maintenance],
    ) -> Result<History, HistoryError> {
        let mut out = History::default();
        fn walk(c: &Component, parent: Option<&ComponentId>, out: &mut Vec<ComponentInfo>) {
            out.push(ComponentInfo {
                id: c.id.clone(),
                name: c.name.as_str().to_owned(),
                group: c.parent_id().or(parent).cloned(),
                is_group: c.is_parent,
                created: c.created_at,
                archived: c.archived_at,
                show_uptime: c.shows_uptime(),
            });
            for child in &c.children {
                walk(child, Some(&c.id), out);
            }
        }
        for c in components {
            walk(c, None, &mut out.components);
        }
        for inc in incidents {
            out.incidents.push(incident_record(inc)?);
        }
        for m in maintenances {
            if let Some(r) = maintenance_record(m)? {
                out.maintenances.push(r);
            }
        }
        Ok(out)
    }

    /// The component with this id.
    pub fn component(&self, id: &ComponentId) -> Option<&ComponentInfo> {
        self.components.iter().find(|c| &c.id == id)
    }

    /// The component or group with this name, or `group/name` path.
    pub fn find(&self, name_or_path: &str) -> Option<&ComponentInfo> {
        let path = |c: &ComponentInfo| match c.group.as_ref().and_then(|g| self.component(g)) {
            Some(g) => format!("{}/{}", g.name, c.name),
            None => c.name.clone(),
        };
        self.components
            .iter()
            .find(|c| path(c) == name_or_path)
            .or_else(|| self.components.iter().find(|c| c.name == name_or_path))
    }

    /// The members of a group.
    pub fn members<'a>(
        &'a self,
        group: &'a ComponentId,
    ) -> impl Iterator<Item = &'a ComponentInfo> {
        self.components
            .iter()
            .filter(move |c| c.group.as_ref() == Some(group) && !c.is_group)
    }
}

fn incident_record(inc: &Incident) -> Result<IncidentRecord, HistoryError> {
    let missing = |field| HistoryError {
        kind: "incident",
        id: inc.id.to_string(),
        field,
    };
    let started = inc.started.ok_or_else(|| missing("started"))?;
    let resolved = match (&inc.status, inc.resolved) {
        (_, Some(at)) => Some(at),
        (IncidentStatus::Resolved, None) => Some(
            inc.updates
                .iter()
                .filter(|u| u.status == IncidentStatus::Resolved)
                .filter_map(|u| u.started)
                .max()
                .ok_or_else(|| missing("resolved"))?,
        ),
        (_, None) => None,
    };
    let mut rec = IncidentRecord::new(inc.id.as_str(), inc.name.as_str(), started, resolved);
    for c in &inc.components {
        if let Some(status) = &c.status {
            rec = rec.affects(c.id.clone(), status.clone());
        }
    }
    Ok(rec)
}

fn maintenance_record(m: &Maintenance) -> Result<Option<MaintenanceRecord>, HistoryError> {
    let missing = |field| HistoryError {
        kind: "maintenance",
        id: m.id.to_string(),
        field,
    };
    let end = match &m.status {
        MaintenanceStatus::InProgress => None,
        MaintenanceStatus::Completed => {
            // The planned window (`start + duration`), which is what the page shows; the
            // completing update's time only when there is no duration. (An update's time is
            // when it was written: a maintenance recorded as completed afterwards has its
            // completing update long after the window.)
            let done = || {
                m.updates
                    .iter()
                    .filter(|u| u.status == MaintenanceStatus::Completed)
                    .filter_map(|u| u.started)
                    .filter(|d| m.start.is_none_or(|s| *d > s))
                    .max()
            };
            Some(m.end().or_else(done).ok_or_else(|| missing("duration"))?)
        }
        _ => return Ok(None),
    };
    let start = m.start.ok_or_else(|| missing("start"))?;
    Ok(Some(MaintenanceRecord::new(
        m.id.as_str(),
        m.name.as_str(),
        start,
        end,
        m.components.iter().map(|c| c.id.clone()),
    )))
}

/// What a component status means for uptime: a level, or maintenance.
pub(crate) fn level_of(status: &ComponentStatus) -> Option<Level> {
    match status {
        ComponentStatus::MajorOutage => Some(Level::Major),
        ComponentStatus::PartialOutage => Some(Level::Partial),
        ComponentStatus::DegradedPerformance => Some(Level::Degraded),
        ComponentStatus::UnderMaintenance => None,
        _ => Some(Level::Operational),
    }
}
