//! Reading the page the engine needs, and applying a plan's actions with the client, one
//! reported outcome per write. The cached page is updated with the writes' answers so the next
//! evaluation does not need to read it again.

use instatus::api::components::UpdateComponentRequest;
use instatus::api::incidents::{CreateIncidentRequest, CreateIncidentUpdateRequest};
use instatus::api::{self, ComponentStatusEntry};
use instatus::model::{ComponentId, Incident, IncidentStatus, PageId};
use instatus::recover::create_once;
use instatus::status::incident::is_automation;
use instatus::status::{Action, CurrentPage};
use instatus::{jiff::Timestamp, Client, Error};
use serde::Serialize;

/// Reads what the engine needs: every component, the open incidents plus those resolved within
/// the reopen window, and the maintenances in progress.
pub fn read_page(
    client: &Client,
    page: &PageId,
    reopen_within_secs: u64,
    now: Timestamp,
) -> Result<CurrentPage, Error> {
    let components = client.list_all(api::components::list(page))?;
    let window_start = now.as_second() - reopen_within_secs as i64;
    let incidents = client
        .list_all(api::incidents::list(page))?
        .into_iter()
        .filter(|i| i.is_open() || i.resolved.is_some_and(|r| r.as_second() >= window_start))
        .collect();
    // All of them: the engine looks at the ones in progress, `/calendar.ics` at the rest.
    let maintenances = client.list_all(api::maintenances::list(page))?;
    Ok(CurrentPage {
        components,
        incidents,
        maintenances,
    })
}

/// What became of one write.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Done.
    Ok,
    /// Refused or not sent; nothing changed.
    Failed,
    /// May or may not have happened (a POST whose answer was lost).
    Ambiguous,
    /// Not sent: the page already had it (another replica was faster).
    Skipped,
}

/// One write and its outcome.
#[derive(Clone, Debug, Serialize)]
pub struct WriteReport {
    /// The action as planned.
    pub action: Action,
    /// What happened.
    pub outcome: Outcome,
    /// Details for people (the error, the incident id...).
    pub detail: String,
}

/// Applies the actions in order, updating `page` with what was written. Writes go through
/// `writer` (throttled); the look-ups before creating an incident through `reader`.
pub fn apply(
    reader: &Client,
    writer: &Client,
    page_id: &PageId,
    page: &mut CurrentPage,
    actions: &[Action],
    marker: &str,
) -> Vec<WriteReport> {
    actions
        .iter()
        .map(|action| {
            let (outcome, detail) = match apply_one(reader, writer, page_id, page, action, marker) {
                Ok(detail) => detail,
                Err(e) if e.is_ambiguous() => (Outcome::Ambiguous, e.to_string()),
                Err(e) => (Outcome::Failed, e.to_string()),
            };
            WriteReport {
                action: action.clone(),
                outcome,
                detail,
            }
        })
        .collect()
}

/// The automation incident open on exactly this component, if any.
fn open_automation<'a>(
    incidents: &'a [Incident],
    component: &ComponentId,
    marker: &str,
) -> Option<&'a Incident> {
    incidents.iter().find(|i| {
        i.is_open()
            && i.components.len() == 1
            && &i.components[0].id == component
            && is_automation(i, marker)
    })
}

fn apply_one(
    reader: &Client,
    writer: &Client,
    page_id: &PageId,
    page: &mut CurrentPage,
    action: &Action,
    marker: &str,
) -> Result<(Outcome, String), Error> {
    match action {
        Action::SetStatus { component, to, .. } => {
            // Another replica may have written it since the page was read: look first (after
            // the write rate's wait, so the look is fresh), so two bridges make one write.
            writer.wait_for_turn();
            let now = reader.send(api::components::get(page_id, component))?;
            if &now.status == to {
                set_component_status(page, component, &now.status);
                return Ok((Outcome::Skipped, format!("already {}", now.status)));
            }
            let written = writer.send(api::components::update(
                page_id,
                component,
                &UpdateComponentRequest::status(to.clone()),
            ))?;
            set_component_status(page, component, &written.status);
            Ok((Outcome::Ok, format!("now {}", written.status)))
        }
        Action::OpenIncident {
            component,
            status,
            name,
            message,
            started,
            notify,
            ..
        } => {
            // Another replica (or an earlier ambiguous run) may have opened it since the page
            // was read: look first, so two bridges make one incident.
            let open = reader.list_all(api::incidents::list_open(page_id))?;
            if let Some(existing) = open_automation(&open, component, marker) {
                let detail = format!("incident {} is already open", existing.id);
                merge_incidents(page, open);
                return Ok((Outcome::Skipped, detail));
            }
            let body = CreateIncidentRequest::new(name.clone(), IncidentStatus::Investigating)
                .message(message.clone())
                .affect(ComponentStatusEntry::new(component.clone(), status.clone()))
                .started(*started)
                .notify(*notify);
            let created = create_once(
                writer,
                || api::incidents::create(page_id, &body),
                |c| {
                    let open = c.list_all(api::incidents::list_open(page_id))?;
                    Ok(open_automation(&open, component, marker).cloned())
                },
            )?;
            let incident = created.value;
            let detail = format!(
                "incident {}{}",
                incident.id,
                if created.recovered {
                    " (found after an ambiguous create)"
                } else {
                    ""
                }
            );
            set_component_status(page, component, status);
            page.incidents.retain(|i| i.id != incident.id);
            page.incidents.push(incident);
            Ok((Outcome::Ok, detail))
        }
        Action::UpdateIncident {
            incident,
            component,
            incident_status,
            status,
            message,
            notify,
            ..
        } => {
            // As for statuses: another replica may have posted this step already.
            writer.wait_for_turn();
            let current = reader.send(api::incidents::get(page_id, incident))?;
            let shown = reader.send(api::components::get(page_id, component))?;
            if &current.status == incident_status && &shown.status == status {
                set_component_status(page, component, &shown.status);
                page.incidents.retain(|i| i.id != current.id);
                page.incidents.push(current);
                return Ok((
                    Outcome::Skipped,
                    format!("incident {incident} is already {incident_status}"),
                ));
            }
            let body = CreateIncidentUpdateRequest::new(incident_status.clone())
                .message(message.clone())
                .affect(ComponentStatusEntry::new(component.clone(), status.clone()))
                .notify(*notify);
            writer.send(api::incidents::create_update(page_id, incident, &body))?;
            set_component_status(page, component, status);
            refresh_incident(reader, page_id, page, incident);
            Ok((
                Outcome::Ok,
                format!("incident {incident} {incident_status}"),
            ))
        }
        Action::CloseDuplicate {
            incident, message, ..
        } => {
            writer.wait_for_turn();
            let current = reader.send(api::incidents::get(page_id, incident))?;
            if current.status == IncidentStatus::Resolved {
                page.incidents.retain(|i| i.id != current.id);
                page.incidents.push(current);
                return Ok((
                    Outcome::Skipped,
                    format!("incident {incident} is already resolved"),
                ));
            }
            let body =
                CreateIncidentUpdateRequest::new(IncidentStatus::Resolved).message(message.clone());
            writer.send(api::incidents::create_update(page_id, incident, &body))?;
            refresh_incident(reader, page_id, page, incident);
            Ok((Outcome::Ok, format!("incident {incident} resolved")))
        }
    }
}

fn set_component_status(
    page: &mut CurrentPage,
    id: &ComponentId,
    status: &instatus::model::ComponentStatus,
) {
    fn walk(
        list: &mut [instatus::model::Component],
        id: &ComponentId,
        status: &instatus::model::ComponentStatus,
    ) {
        for c in list {
            if &c.id == id {
                c.status = status.clone();
            }
            walk(&mut c.children, id, status);
        }
    }
    walk(&mut page.components, id, status);
}

/// Re-reads one incident after an update (its stage, updates and component status as Instatus
/// now has them); on failure the cached copy is dropped so the next evaluation re-reads the page.
fn refresh_incident(
    reader: &Client,
    page_id: &PageId,
    page: &mut CurrentPage,
    id: &instatus::model::IncidentId,
) {
    let fresh = reader.send(api::incidents::get(page_id, id));
    page.incidents.retain(|i| &i.id != id);
    if let Ok(incident) = fresh {
        page.incidents.push(incident);
    }
}

fn merge_incidents(page: &mut CurrentPage, open: Vec<Incident>) {
    for incident in open {
        page.incidents.retain(|i| i.id != incident.id);
        page.incidents.push(incident);
    }
}
