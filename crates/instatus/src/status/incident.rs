//! The incident lifecycle of one cause, recognised again from what Instatus returns.
//!
//! An incident is automation's when its name or one of its update messages carries the policy's
//! marker. Every message automation posts ends with the "Affected components" line
//! ([`crate::affected`]) listing the cause first, then the components it affected; so the
//! incident's **cause** is the component its newest automation update lists first (an incident
//! without that line, from an older version, is about its only component, or its first one).
//! Nothing else is needed: after a restart, on another replica or in a cron run, the same page
//! gives the same answer, for an incident covering one component or several.

use jiff::Timestamp;

use super::config::IncidentPolicy;
use super::plan::{IncidentStep, NoteKind};
use super::Level;
use crate::affected;
use crate::model::{ComponentId, ComponentStatus, Incident, IncidentStatus, IncidentUpdate};

/// Whether automation opened this incident (the marker is in its name or an update).
pub fn is_automation(incident: &Incident, marker: &str) -> bool {
    incident.name.as_str().contains(marker)
        || incident
            .updates
            .iter()
            .any(|u| u.message.as_deref().is_some_and(|m| m.contains(marker)))
}

/// The newest update carrying the marker (Instatus lists updates newest first; a later time wins
/// where the list says otherwise).
pub fn newest_automation_update<'a>(
    incident: &'a Incident,
    marker: &str,
) -> Option<&'a IncidentUpdate> {
    incident
        .updates
        .iter()
        .enumerate()
        .filter(|(_, u)| u.message.as_deref().is_some_and(|m| m.contains(marker)))
        .max_by_key(|(k, u)| (u.created_at.or(u.started), std::cmp::Reverse(*k)))
        .map(|(_, u)| u)
}

/// What an automation incident says, as read from the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Told<'a> {
    /// The cause: the component the newest automation update lists first.
    pub cause: Option<&'a ComponentId>,
    /// Each listed component with the status the newest automation update gave it (from its
    /// "Affected components" line; without one, the statuses Instatus returns), in the
    /// incident's order.
    pub shown: Vec<(&'a ComponentId, ComponentStatus)>,
    /// Whether the statuses come from the line (what subscribers read).
    pub from_line: bool,
}

/// Reads an automation incident: its cause and the statuses it shows. `name_of` gives a
/// component's display name where the incident's own list leaves it out.
pub fn told<'a>(
    incident: &'a Incident,
    marker: &str,
    name_of: impl Fn(&ComponentId) -> Option<&'a str>,
) -> Told<'a> {
    let names: Vec<(&ComponentId, &str)> = incident
        .components
        .iter()
        .map(|c| {
            let name = c
                .name
                .as_ref()
                .map(|n| n.as_str())
                .or_else(|| name_of(&c.id))
                .unwrap_or_default();
            (&c.id, name)
        })
        .collect();
    let listed = newest_automation_update(incident, marker)
        .and_then(|u| u.message.as_deref())
        .and_then(affected::listed);
    let Some(list) = listed else {
        return Told {
            cause: incident.components.first().map(|c| &c.id),
            shown: incident
                .components
                .iter()
                .filter_map(|c| c.status.clone().map(|s| (&c.id, s)))
                .collect(),
            from_line: false,
        };
    };
    // The first entry: the longest name the list starts with, followed by " (".
    let cause = names
        .iter()
        .filter(|(_, n)| !n.is_empty() && list.starts_with(n) && list[n.len()..].starts_with(" ("))
        .max_by_key(|(_, n)| n.len())
        .map(|(id, _)| *id)
        .or_else(|| incident.components.first().map(|c| &c.id));
    Told {
        cause,
        shown: names
            .iter()
            .filter_map(|(id, name)| affected::status_in(list, name).map(|s| (*id, s)))
            .collect(),
        from_line: true,
    }
}

/// The entries of a message's "Affected components" line (see [`affected::listed`]): what an
/// automation update says of each component's status.
pub fn line(message: &str) -> Option<&str> {
    affected::listed(message)
}

/// Where one cause's automation incident stands, as read from the page.
#[derive(Clone, Copy, Debug)]
pub enum Phase<'a> {
    /// No automation incident is open; `recent` is the newest one resolved within the reopen
    /// window.
    Closed {
        /// A recently resolved automation incident, reopened by a relapse.
        recent: Option<&'a Incident>,
    },
    /// Open (INVESTIGATING or IDENTIFIED).
    Open {
        /// The incident.
        incident: &'a Incident,
        /// Whether it already shows every component it should list at the status automation
        /// would give it now (the stage aside).
        up_to_date: bool,
    },
    /// MONITORING since `since`.
    Monitoring {
        /// The incident.
        incident: &'a Incident,
        /// When MONITORING began.
        since: Timestamp,
    },
}

/// The phase of a cause from its automation incidents (those whose cause it is), and the newer
/// open ones that duplicate the oldest. `up_to_date` tells whether an open incident already shows
/// what automation would post.
pub fn phase<'a>(
    incidents: &[&'a Incident],
    policy: &IncidentPolicy,
    now: Timestamp,
    up_to_date: impl Fn(&Incident) -> bool,
) -> (Phase<'a>, Vec<&'a Incident>) {
    let mut open: Vec<&Incident> = Vec::new();
    let mut recent: Option<&Incident> = None;
    let window_start = now.as_second() - policy.reopen_within_secs as i64;
    for &incident in incidents {
        if incident.is_open() {
            open.push(incident);
        } else if let Some(resolved) = incident.resolved {
            let newer = recent.is_none_or(|r| r.resolved < Some(resolved));
            if resolved.as_second() >= window_start && newer {
                recent = Some(incident);
            }
        }
    }
    // The oldest open one stays; a race between replicas may have created the others.
    open.sort_by(|a, b| (a.started, a.id.as_str()).cmp(&(b.started, b.id.as_str())));
    let Some((&first, duplicates)) = open.split_first() else {
        return (Phase::Closed { recent }, Vec::new());
    };
    let phase = if first.status == IncidentStatus::Monitoring {
        let since = first
            .updates
            .iter()
            .filter(|u| u.status == IncidentStatus::Monitoring)
            .filter_map(|u| u.started.or(u.created_at))
            .max()
            .or(first.started)
            .unwrap_or(now);
        Phase::Monitoring {
            incident: first,
            since,
        }
    } else {
        Phase::Open {
            incident: first,
            up_to_date: up_to_date(first),
        }
    };
    (phase, duplicates.to_vec())
}

/// What the lifecycle knows of a cause this evaluation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cause {
    /// The cause component's level.
    pub level: Level,
    /// Whether flap protection holds it.
    pub flapping: bool,
    /// Set when a maintenance or a person owns it: who, and why.
    pub blocked: Option<(NoteKind, String)>,
    /// Whether a fresh reading ever showed its level (false: the level is only the page's
    /// status, adopted at start).
    pub observed: bool,
    /// Whether one of its readings is unknown now.
    pub unknown: bool,
    /// When one of its readings was last unknown: a MONITORING dwell counts from then at the
    /// earliest.
    pub last_unknown: Option<Timestamp>,
}

/// What the lifecycle decides for one cause.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision<'a> {
    /// Nothing to do.
    Nothing,
    /// Something holds the step back; the plan notes why.
    Hold(NoteKind, String),
    /// Open a new incident.
    Open,
    /// Post an update to this incident.
    Update(&'a Incident, IncidentStep),
}

/// The lifecycle: one exhaustive match over (phase, whether the cause's level reaches `open_at`).
pub fn decide<'a>(
    phase: Phase<'a>,
    cause: &Cause,
    policy: &IncidentPolicy,
    now: Timestamp,
) -> Decision<'a> {
    let reached = cause.level >= policy.open_at;
    match (phase, reached) {
        // Below the opening level and nothing open: there is nothing to tell anyone.
        (Phase::Closed { .. }, false) => Decision::Nothing,
        // The level is reached but a maintenance or a person's incident owns the component:
        // a second, automatic incident beside theirs would only confuse readers.
        (Phase::Closed { .. }, true) if cause.blocked.is_some() => {
            let (kind, why) = cause
                .blocked
                .clone()
                .unwrap_or((NoteKind::HumanIncident, String::new()));
            Decision::Hold(kind, format!("no incident opened: {why}"))
        }
        // The level is only the page's status (first run, state lost, no fresh reading yet):
        // a public incident needs evidence.
        (Phase::Closed { .. }, true) if !cause.observed => Decision::Hold(
            NoteKind::Unknown,
            format!(
                "no incident opened: {} is the page's status, not yet observed",
                cause.level
            ),
        ),
        // A relapse soon after a resolve: reopen that incident rather than open a second one.
        (
            Phase::Closed {
                recent: Some(incident),
            },
            true,
        ) => Decision::Update(incident, IncidentStep::Reopened),
        // The level is reached (its hold already passed): open.
        (Phase::Closed { recent: None }, true) => Decision::Open,
        // Flapping: hold the incident as it is, post nothing until it settles.
        (Phase::Open { .. }, _) if cause.flapping => Decision::Hold(
            NoteKind::Flapping,
            "flapping: no incident update posted".to_owned(),
        ),
        // Still showing what automation would post: nothing new to say.
        (
            Phase::Open {
                up_to_date: true, ..
            },
            true,
        ) => Decision::Nothing,
        // A level changed while open (worse, or better but still at or above `open_at`; the
        // cause's or a listed component's), or a component joined: post it on this incident.
        (Phase::Open { incident, .. }, true) => {
            Decision::Update(incident, IncidentStep::LevelChanged)
        }
        // Recovered below the opening level: MONITORING, resolve later if it stays so.
        (Phase::Open { incident, .. }, false) => {
            Decision::Update(incident, IncidentStep::Monitoring)
        }
        // Flapping while monitoring: neither relapse nor resolve until it settles.
        (Phase::Monitoring { .. }, _) if cause.flapping => Decision::Hold(
            NoteKind::Flapping,
            "flapping: no incident update posted".to_owned(),
        ),
        // A relapse during MONITORING: back to INVESTIGATING on the same incident.
        (Phase::Monitoring { incident, .. }, true) => {
            Decision::Update(incident, IncidentStep::Relapsed)
        }
        // Blind while monitoring: silence is not health, the dwell stops until readings return.
        (Phase::Monitoring { .. }, false) if cause.unknown => Decision::Hold(
            NoteKind::Unknown,
            "monitoring: a reading is unknown, the dwell waits for fresh readings".to_owned(),
        ),
        // Recovered for the whole dwell (counted from the last unknown reading at the earliest):
        // resolve.
        (Phase::Monitoring { incident, since }, false)
            if now.as_second() - since.max(cause.last_unknown.unwrap_or(since)).as_second()
                >= policy.resolve_after_secs as i64 =>
        {
            Decision::Update(incident, IncidentStep::Resolved)
        }
        // Recovered, dwell still running.
        (Phase::Monitoring { since, .. }, false) => Decision::Hold(
            NoteKind::Waiting,
            format!(
                "monitoring since {}; resolves after {} s without relapse or unknown reading",
                since.max(cause.last_unknown.unwrap_or(since)),
                policy.resolve_after_secs
            ),
        ),
    }
}

/// The incident stage an update step sets.
pub fn step_status(step: IncidentStep) -> IncidentStatus {
    match step {
        IncidentStep::LevelChanged | IncidentStep::Relapsed | IncidentStep::Reopened => {
            IncidentStatus::Investigating
        }
        IncidentStep::Monitoring => IncidentStatus::Monitoring,
        IncidentStep::Resolved => IncidentStatus::Resolved,
    }
}
