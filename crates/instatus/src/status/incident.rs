//! The incident lifecycle of one component, recognised again from what Instatus returns.
//!
//! An incident is automation's when its name or one of its update messages carries the policy's
//! marker and it covers exactly that one component. Nothing else is needed: after a restart, on
//! another replica or in a cron run, the same page gives the same answer.

use jiff::Timestamp;

use super::config::IncidentPolicy;
use super::plan::{IncidentStep, NoteKind};
use super::Level;
use crate::model::{ComponentId, Incident, IncidentStatus};

/// Whether automation opened this incident (the marker is in its name or an update).
pub fn is_automation(incident: &Incident, marker: &str) -> bool {
    incident.name.as_str().contains(marker)
        || incident
            .updates
            .iter()
            .any(|u| u.message.as_deref().is_some_and(|m| m.contains(marker)))
}

/// Whether the incident covers exactly this one component.
fn covers_only(incident: &Incident, component: &ComponentId) -> bool {
    incident.components.len() == 1 && &incident.components[0].id == component
}

/// Where one component's automation incident stands, as read from the page.
#[derive(Clone, Copy, Debug)]
pub enum Phase<'a> {
    /// No automation incident is open; `recent` is the newest one resolved within the reopen
    /// window.
    Closed {
        /// A recently resolved automation incident, reopened by a relapse.
        recent: Option<&'a Incident>,
    },
    /// Open (INVESTIGATING or IDENTIFIED), last posted at `posted`.
    Open {
        /// The incident.
        incident: &'a Incident,
        /// The component level the incident shows.
        posted: Level,
    },
    /// MONITORING since `since`.
    Monitoring {
        /// The incident.
        incident: &'a Incident,
        /// When MONITORING began.
        since: Timestamp,
    },
}

/// The phase of `component`, and newer open automation incidents that duplicate the oldest one.
pub fn phase<'a>(
    incidents: &'a [Incident],
    component: &ComponentId,
    policy: &IncidentPolicy,
    now: Timestamp,
) -> (Phase<'a>, Vec<&'a Incident>) {
    let mut open: Vec<&Incident> = Vec::new();
    let mut recent: Option<&Incident> = None;
    let window_start = now.as_second() - policy.reopen_within_secs as i64;
    for incident in incidents {
        if !covers_only(incident, component) || !is_automation(incident, &policy.marker) {
            continue;
        }
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
        let posted = first
            .components
            .first()
            .and_then(|c| c.status.as_ref())
            .map(Level::from_status)
            .unwrap_or(policy.open_at);
        Phase::Open {
            incident: first,
            posted,
        }
    };
    (phase, duplicates.to_vec())
}

/// What the lifecycle decides for one component.
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

/// The lifecycle: one exhaustive match over (phase, whether the level reaches `open_at`).
/// `blocked` is set when a maintenance or a person's incident owns the component; `flapping`
/// when flap protection holds it.
pub fn decide<'a>(
    phase: Phase<'a>,
    level: Level,
    policy: &IncidentPolicy,
    flapping: bool,
    blocked: Option<(NoteKind, String)>,
    now: Timestamp,
) -> Decision<'a> {
    let reached = level >= policy.open_at;
    match (phase, reached) {
        // Below the opening level and nothing open: there is nothing to tell anyone.
        (Phase::Closed { .. }, false) => Decision::Nothing,
        // The level is reached but a maintenance or a person's incident owns the component:
        // a second, automatic incident beside theirs would only confuse readers.
        (Phase::Closed { .. }, true) if blocked.is_some() => {
            let (kind, why) = blocked.unwrap_or((NoteKind::HumanIncident, String::new()));
            Decision::Hold(kind, format!("no incident opened: {why}"))
        }
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
        (Phase::Open { .. }, _) if flapping => Decision::Hold(
            NoteKind::Flapping,
            "flapping: no incident update posted".to_owned(),
        ),
        // Still at the level the incident shows: nothing new to say.
        (Phase::Open { posted, .. }, true) if posted == level => Decision::Nothing,
        // The level changed while open (worse, or better but still at or above `open_at`).
        (Phase::Open { incident, .. }, true) => {
            Decision::Update(incident, IncidentStep::LevelChanged)
        }
        // Recovered below the opening level: MONITORING, resolve later if it stays so.
        (Phase::Open { incident, .. }, false) => {
            Decision::Update(incident, IncidentStep::Monitoring)
        }
        // Flapping while monitoring: neither relapse nor resolve until it settles.
        (Phase::Monitoring { .. }, _) if flapping => Decision::Hold(
            NoteKind::Flapping,
            "flapping: no incident update posted".to_owned(),
        ),
        // A relapse during MONITORING: back to INVESTIGATING on the same incident.
        (Phase::Monitoring { incident, .. }, true) => {
            Decision::Update(incident, IncidentStep::Relapsed)
        }
        // Recovered for the whole dwell: resolve.
        (Phase::Monitoring { incident, since }, false)
            if now.as_second() - since.as_second() >= policy.resolve_after_secs as i64 =>
        {
            Decision::Update(incident, IncidentStep::Resolved)
        }
        // Recovered, dwell still running.
        (Phase::Monitoring { since, .. }, false) => Decision::Hold(
            NoteKind::Waiting,
            format!(
                "monitoring since {since}; resolves after {} s without relapse",
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
