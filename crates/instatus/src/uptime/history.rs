//! The input: components, and incidents and maintenances as spans of status over time.
//!
//! [`History::from_api`] builds it from what Instatus returns. Instatus keeps no component
//! statuses per incident update, and an incident's `components[].status` is the status *now*:
//! once an incident is resolved with its components back to operational, the API no longer says
//! how bad it was. So the level of each component during an incident is found, in this order
//! ([`LevelSource`]):
//!
//! 1. **The "Affected components" line** ([`crate::affected`]) that every update this project
//!    writes ends with: each update's line holds from that update's time until the next line (the
//!    first update's from the incident's start).
//! 2. **The incident's own statuses**, when they still say something: an open incident's
//!    components are in their current status; a resolved incident that left a component worse
//!    than operational counts it in that status.
//! 3. **The incident's `impact`**, where the API returns it and it is worse than operational.
//! 4. Otherwise the level is **unknown** ([`IncidentRecord::unknown`]): never counted as zero,
//!    but at the method's [`Method::unknown_level`](super::Method::unknown_level) for the whole
//!    incident, and every report names the incident and the rule.

use std::collections::HashMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::affected;
use crate::model::{
    Component, ComponentId, ComponentStatus, Incident, IncidentImpact, IncidentStatus, Maintenance,
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
    /// The components whose level during (part of) the incident the history does not tell: each
    /// counts at the method's [`unknown_level`](super::Method::unknown_level) from the start
    /// for that span, and reports say so.
    #[serde(default)]
    pub unknown: Vec<UnknownLevel>,
    /// Where each component's level came from (for reports; empty for a hand-built record).
    #[serde(default)]
    pub sources: Vec<(ComponentId, LevelSource)>,
}

/// A component of an incident whose level is not known from the incident's start until `until`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnknownLevel {
    /// The component.
    pub component: ComponentId,
    /// Until when: its first "Affected components" line, written after updates without any (a
    /// person's incident that the automation or a module updated later); `None`: the whole
    /// incident.
    pub until: Option<Timestamp>,
}

/// Where the level of a component during an incident came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LevelSource {
    /// The "Affected components" lines of its updates.
    AffectedLine,
    /// The incident's current status for it (open), or the status a resolved incident left it
    /// in (worse than operational).
    IncidentStatus,
    /// The incident's `impact`.
    Impact,
    /// Nothing tells: counted at the method's unknown level.
    Unknown,
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
            unknown: Vec::new(),
            sources: Vec::new(),
        }
    }

    /// Marks `component`'s level during the whole incident as unknown (see [`Self::unknown`]).
    pub fn level_unknown(mut self, component: impl Into<ComponentId>) -> Self {
        self.unknown.push(UnknownLevel {
            component: component.into(),
            until: None,
        });
        self
    }

    /// Marks `component`'s level as unknown from the incident's start until `until`.
    pub fn level_unknown_until(
        mut self,
        component: impl Into<ComponentId>,
        until: Timestamp,
    ) -> Self {
        self.unknown.push(UnknownLevel {
            component: component.into(),
            until: Some(until),
        });
        self
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
    /// `started` to `resolved` (open: until now), each component at the level its updates'
    /// "Affected components" lines, its statuses or its impact tell (see the module docs), or
    /// as unknown.
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
        let names: HashMap<&ComponentId, &str> = out
            .components
            .iter()
            .map(|c| (&c.id, c.name.as_str()))
            .collect();
        let mut records = Vec::with_capacity(incidents.len());
        for inc in incidents {
            records.push(incident_record(inc, &names)?);
        }
        out.incidents = records;
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

fn incident_record(
    inc: &Incident,
    page_names: &HashMap<&ComponentId, &str>,
) -> Result<IncidentRecord, HistoryError> {
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

    // The incident's components by display name (the page's name, else the incident's). A name
    // two of them share cannot be told apart in a line: those fall through to the other sources.
    let named: Vec<(&ComponentId, &str)> = inc
        .components
        .iter()
        .filter_map(|c| {
            let name = page_names
                .get(&c.id)
                .copied()
                .or_else(|| c.name.as_ref().map(|n| n.as_str()))?;
            Some((&c.id, name))
        })
        .collect();
    let unique: Vec<&str> = named
        .iter()
        .map(|(_, n)| *n)
        .filter(|n| named.iter().filter(|(_, m)| m == n).count() == 1)
        .collect();

    // 1. The lines, oldest update first (the list is newest first; ties keep that order
    //    reversed). The first update describes the incident from its start.
    let mut updates: Vec<(usize, Timestamp, &str)> = inc
        .updates
        .iter()
        .enumerate()
        .filter_map(|(i, u)| Some((i, u.started.or(u.created_at)?, u.message.as_deref()?)))
        .collect();
    updates.sort_by_key(|(i, at, _)| (*at, std::cmp::Reverse(*i)));
    // Each component's first line, and the first line of all.
    let mut from_lines: Vec<(&ComponentId, Timestamp)> = Vec::new();
    let mut first_line: Option<Timestamp> = None;
    for (n, (_, at, message)) in updates.iter().enumerate() {
        let at = if n == 0 { started } else { *at };
        for (name, status) in affected::parse(message, &unique) {
            if let Some((id, _)) = named.iter().find(|(_, n)| *n == name) {
                rec = rec.change(at, (*id).clone(), status);
                first_line.get_or_insert(at);
                if !from_lines.iter().any(|(c, _)| c == id) {
                    from_lines.push((id, at));
                }
            }
        }
    }

    // 2.-4. The components no line names.
    let impact = match &inc.impact {
        Some(IncidentImpact::MajorOutage) => Some(ComponentStatus::MajorOutage),
        Some(IncidentImpact::PartialOutage) => Some(ComponentStatus::PartialOutage),
        Some(IncidentImpact::DegradedPerformance) => Some(ComponentStatus::DegradedPerformance),
        _ => None,
    };
    for c in &inc.components {
        if let Some((_, at)) = from_lines.iter().find(|(id, _)| *id == &c.id) {
            // Named from a later update on, after updates without any line (a person's incident
            // that a module or the automation updated): before that, its level was not written
            // down. (After an earlier line that did not list it, it was simply not affected.)
            if *at > started && first_line == Some(*at) {
                rec = match &impact {
                    Some(level) => rec.affects(c.id.clone(), level.clone()),
                    None => rec.level_unknown_until(c.id.clone(), *at),
                };
            }
            rec.sources.push((c.id.clone(), LevelSource::AffectedLine));
            continue;
        }
        let status = c.status.clone().unwrap_or(ComponentStatus::Operational);
        let source = match (inc.is_open(), &status, &impact) {
            // Open: its status now is its status in the incident so far.
            (true, _, _) => LevelSource::IncidentStatus,
            // Resolved but left worse than operational (or under maintenance): that status.
            (false, s, _) if s != &ComponentStatus::Operational => LevelSource::IncidentStatus,
            // Resolved back to operational: the statuses say nothing any more.
            (false, _, Some(_)) => LevelSource::Impact,
            (false, _, None) => LevelSource::Unknown,
        };
        rec = match (source, &impact) {
            (LevelSource::Impact, Some(level)) => rec.affects(c.id.clone(), level.clone()),
            (LevelSource::Unknown, _) => rec.level_unknown(c.id.clone()),
            _ => rec.affects(c.id.clone(), status),
        };
        rec.sources.push((c.id.clone(), source));
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
