//! (Long: one `match` over the engine's `Action`s and the two writers behind it, kept together so the HTTP and in-memory pages cannot drift apart.)
//! Applying the status engine's [`Plan`]: one `match` over [`Action`], writing through a
//! [`StatusWriter`], either the API ([`HttpWriter`], what the bridge uses) or the in-memory page
//! ([`Preview`], for `plan` previews and for tests that run many evaluations without a server).
//!
//! Before each write the target is read again, because another replica (or this one, before a
//! restart) may have made it since the page was read: a write is skipped only when the page
//! already shows its **whole** target. For a status, the status; for an incident update, the
//! stage, the components listed, the title, and the newest automation update: its stage and its
//! "Affected components" line (each component's status as told): an escalation on the same stage
//! is a different update, never "already done". (The rest of the text is not compared: it may
//! differ by a minute between two replicas rendering the same step.) After a write the answer is compared
//! with the target, and a write the API accepted but did not apply is reported as failed.
//!
//! ```
//! use instatus::apply::status::{apply, Outcome, Preview};
//! use instatus::status::{Config, CurrentPage, Engine, Observations, State};
//!
//! let config: Config = serde_json::from_value(serde_json::json!({
//!     "components": [{"path": "API", "rules": [{"threshold": {
//!         "query": "up", "op": "<", "levels": [{"level": "major_outage", "enter": 1}],
//!         "enter_for_secs": 0, "exit_for_secs": 0}}]}]
//! }))?;
//! let engine = Engine::new(config)?;
//! let mut page = CurrentPage {
//!     components: vec![serde_json::from_value(
//!         serde_json::json!({"id": "c1", "name": "API", "status": "OPERATIONAL"}),
//!     )?],
//!     ..CurrentPage::default()
//! };
//! let now: jiff::Timestamp = "2026-12-01T12:00:00Z".parse()?;
//! let down: Observations = serde_json::from_value(serde_json::json!({"queries": {"up":
//!     {"samples": [{"value": 0.0, "timestamp": "2026-12-01T12:00:00Z"}]}}}))?;
//! let (plan, _state) = engine.evaluate(&down, &page, State::default(), now);
//! let reports = apply(&mut Preview::new(&mut page, now), &plan);
//! // One write: the incident, which carries the component's status.
//! assert_eq!(reports.len(), 1);
//! assert_eq!(reports[0].outcome, Outcome::Ok);
//! assert_eq!(page.components[0].status.as_str(), "MAJOROUTAGE");
//! assert!(page.incidents[0].updates[0].message.as_deref().unwrap()
//!     .contains("Affected components: API (major outage)."));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use jiff::Timestamp;
use serde::Serialize;

use crate::api::incidents::{
    CreateIncidentRequest, CreateIncidentUpdateRequest, UpdateIncidentRequest,
};
use crate::api::Op;
use crate::api::{self, components::UpdateComponentRequest, ComponentStatusEntry};
use crate::model::{
    Component, ComponentBrief, ComponentId, ComponentStatus, Incident, IncidentId, IncidentStatus,
    IncidentUpdate, IncidentUpdateId, LocalizedText, PageId,
};
use crate::recover::create_once;
use crate::status::incident::{is_automation, line, newest_automation_update, told};
use crate::status::{Action, Affected, CurrentPage, Plan};
use crate::{Client, Error, Target};

/// What became of one write.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Done (and the answer shows it).
    Ok,
    /// Refused, not sent, or accepted but not applied; the detail says which.
    Failed,
    /// May or may not have happened (a POST whose answer was lost).
    Ambiguous,
    /// Not sent: the page already showed the whole target (another replica was faster).
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

/// Where the applier reads and writes: the API ([`HttpWriter`]) or an in-memory page
/// ([`Preview`]). Every method reads or writes the live page, never a cached view.
pub trait StatusWriter {
    /// Waits until a write may be sent (a client-side write rate), so that the read before it
    /// is fresh when the write goes out.
    fn wait_for_turn(&mut self) {}
    /// A component's status now.
    fn component_status(&mut self, id: &ComponentId) -> Result<ComponentStatus, Error>;
    /// Sets a component's status; returns the status the answer shows.
    fn set_component_status(
        &mut self,
        id: &ComponentId,
        status: &ComponentStatus,
    ) -> Result<ComponentStatus, Error>;
    /// The unresolved incidents.
    fn open_incidents(&mut self) -> Result<Vec<Incident>, Error>;
    /// One incident now.
    fn incident(&mut self, id: &IncidentId) -> Result<Incident, Error>;
    /// Creates an incident exactly once: when the answer is lost, `find` (over the open
    /// incidents) says whether it landed before it is ever sent again. Returns the incident and
    /// whether it was found rather than answered.
    fn create_incident(
        &mut self,
        body: &CreateIncidentRequest,
        find: &dyn Fn(&[Incident]) -> Option<Incident>,
    ) -> Result<(Incident, bool), Error>;
    /// Posts an update; returns the incident as it stands after.
    fn post_update(
        &mut self,
        id: &IncidentId,
        body: &CreateIncidentUpdateRequest,
    ) -> Result<Incident, Error>;
    /// Renames an incident; returns it as it stands after.
    fn rename_incident(&mut self, id: &IncidentId, name: &str) -> Result<Incident, Error>;
}

/// Applies the plan's actions in order, one report per action.
pub fn apply(writer: &mut dyn StatusWriter, plan: &Plan) -> Vec<WriteReport> {
    plan.actions
        .iter()
        .map(|action| {
            let (outcome, detail) = match apply_one(writer, action, &plan.marker) {
                Ok(done) => done,
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

/// The one `match` over the engine's actions.
fn apply_one(
    w: &mut dyn StatusWriter,
    action: &Action,
    marker: &str,
) -> Result<(Outcome, String), Error> {
    match action {
        Action::SetStatus { component, to, .. } => {
            w.wait_for_turn();
            let now = w.component_status(component)?;
            if &now == to {
                return Ok((Outcome::Skipped, format!("already {now}")));
            }
            let written = w.set_component_status(component, to)?;
            if &written != to {
                return Ok((
                    Outcome::Failed,
                    format!("accepted, but the component shows {written}, not {to}"),
                ));
            }
            Ok((Outcome::Ok, format!("now {written}")))
        }
        Action::OpenIncident {
            components,
            name,
            message,
            started,
            notify,
            ..
        } => {
            let Some(cause) = components.first() else {
                return Ok((Outcome::Failed, "no component to open it for".to_owned()));
            };
            let find = |open: &[Incident]| -> Option<Incident> {
                open.iter()
                    .filter(|i| i.is_open() && is_automation(i, marker))
                    .find(|i| {
                        told(i, marker, |id| name_in(components, id)).cause
                            == Some(&cause.component)
                    })
                    .cloned()
            };
            w.wait_for_turn();
            let open = w.open_incidents()?;
            if let Some(existing) = find(&open) {
                return Ok((
                    Outcome::Skipped,
                    format!(
                        "incident {} about {} is already open",
                        existing.id, cause.name
                    ),
                ));
            }
            let mut body = CreateIncidentRequest::new(name.clone(), IncidentStatus::Investigating)
                .message(message.clone())
                .started(*started)
                .notify(*notify);
            body = with_components(body, components);
            let (incident, recovered) = w.create_incident(&body, &find)?;
            let detail = format!(
                "incident {}{}",
                incident.id,
                if recovered {
                    " (found after an ambiguous create)"
                } else {
                    ""
                }
            );
            match not_shown(&incident, components) {
                Some(why) => Ok((Outcome::Failed, format!("{detail}: {why}"))),
                None => Ok((Outcome::Ok, detail)),
            }
        }
        Action::UpdateIncident {
            incident,
            incident_status,
            components,
            name,
            message,
            notify,
            ..
        } => {
            w.wait_for_turn();
            let current = w.incident(incident)?;
            // Posted already: the incident is at the stage, lists exactly these components, and
            // its newest automation update moved it to that stage saying the same statuses
            // (the line; the rest of the text may differ by the minute between replicas).
            let newest = newest_automation_update(&current, marker);
            let posted = &current.status == incident_status
                && lists_exactly(&current, components)
                && newest.is_some_and(|u| {
                    &u.status == incident_status
                        && u.message.as_deref().and_then(line) == line(message)
                });
            let renamed = name.as_deref().is_none_or(|n| current.name.as_str() == n);
            if posted && renamed {
                return Ok((
                    Outcome::Skipped,
                    format!("incident {incident} already shows this update"),
                ));
            }
            // The title first: a crash between the two writes leaves the update to post, which
            // the next evaluation plans again (the other way round, the title would stay stale).
            if let Some(n) = name.as_deref().filter(|_| !renamed) {
                let after = w.rename_incident(incident, n)?;
                if after.name.as_str() != n {
                    return Ok((
                        Outcome::Failed,
                        format!("incident {incident}: renaming was accepted but not applied"),
                    ));
                }
            }
            if posted {
                return Ok((Outcome::Ok, format!("incident {incident} renamed")));
            }
            let mut body = CreateIncidentUpdateRequest::new(incident_status.clone())
                .message(message.clone())
                .notify(*notify);
            for a in components {
                if a.owned {
                    // Listed, its status left as the page shows it.
                    body.components.push(a.component.clone());
                } else {
                    body = body.affect(ComponentStatusEntry::new(
                        a.component.clone(),
                        a.status.clone(),
                    ));
                }
            }
            let after = w.post_update(incident, &body)?;
            if &after.status != incident_status {
                return Ok((
                    Outcome::Failed,
                    format!(
                        "incident {incident}: the update was accepted but the incident is {}, not {incident_status}",
                        after.status
                    ),
                ));
            }
            if let Some(why) = not_shown(&after, components) {
                return Ok((Outcome::Failed, format!("incident {incident}: {why}")));
            }
            Ok((
                Outcome::Ok,
                format!("incident {incident} {incident_status}"),
            ))
        }
        Action::CloseDuplicate {
            incident, message, ..
        } => {
            w.wait_for_turn();
            let current = w.incident(incident)?;
            if current.status == IncidentStatus::Resolved {
                return Ok((
                    Outcome::Skipped,
                    format!("incident {incident} is already resolved"),
                ));
            }
            let body =
                CreateIncidentUpdateRequest::new(IncidentStatus::Resolved).message(message.clone());
            let after = w.post_update(incident, &body)?;
            if after.status != IncidentStatus::Resolved {
                return Ok((
                    Outcome::Failed,
                    format!("incident {incident}: the resolve was accepted but not applied"),
                ));
            }
            Ok((Outcome::Ok, format!("incident {incident} resolved")))
        }
    }
}

/// A create listing the components, with the statuses of those automation writes.
fn with_components(
    mut body: CreateIncidentRequest,
    components: &[Affected],
) -> CreateIncidentRequest {
    for a in components {
        if a.owned {
            // Listed, its status left as the page shows it.
            body.components.push(a.component.clone());
        } else {
            body = body.affect(ComponentStatusEntry::new(
                a.component.clone(),
                a.status.clone(),
            ));
        }
    }
    body
}

/// A listed component's display name, from the action (for incidents whose list leaves names
/// out).
fn name_in<'a>(components: &'a [Affected], id: &ComponentId) -> Option<&'a str> {
    components
        .iter()
        .find(|a| &a.component == id)
        .map(|a| a.name.as_str())
}

/// Whether the incident lists exactly these components.
fn lists_exactly(incident: &Incident, components: &[Affected]) -> bool {
    incident.components.len() == components.len()
        && components
            .iter()
            .all(|a| incident.components.iter().any(|c| c.id == a.component))
}

/// Why the incident as answered does not show the components at their target statuses, if it
/// does not (a component missing, or another status where the answer gives one).
fn not_shown(incident: &Incident, components: &[Affected]) -> Option<String> {
    for a in components.iter().filter(|a| !a.owned) {
        match incident.components.iter().find(|c| c.id == a.component) {
            None => {
                return Some(format!(
                    "accepted, but {} is not listed in the incident",
                    a.name
                ))
            }
            Some(c) => {
                if let Some(s) = c.status.as_ref().filter(|s| **s != a.status) {
                    return Some(format!(
                        "accepted, but the incident shows {} at {s}, not {}",
                        a.name, a.status
                    ));
                }
            }
        }
    }
    None
}

/// Reads what the engine needs: every component, the open incidents plus those resolved within
/// the reopen window, and the maintenances (the engine looks at the ones in progress; a calendar
/// at the rest).
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
    let maintenances = client.list_all(api::maintenances::list(page))?;
    Ok(CurrentPage {
        components,
        incidents,
        maintenances,
    })
}

/// The API as a [`StatusWriter`]: reads with `reader`, writes with `writer` (throttled to the
/// write rate), and keeps `cache` (the page as last read) up to date with what was written, so
/// the next evaluation need not read it again.
#[derive(Debug)]
pub struct HttpWriter<'a> {
    reader: &'a Client,
    writer: &'a Client,
    page: &'a PageId,
    cache: &'a mut CurrentPage,
}

impl<'a> HttpWriter<'a> {
    /// A writer for `page`; `cache` follows the writes.
    pub fn new(
        reader: &'a Client,
        writer: &'a Client,
        page: &'a PageId,
        cache: &'a mut CurrentPage,
    ) -> HttpWriter<'a> {
        HttpWriter {
            reader,
            writer,
            page,
            cache,
        }
    }

    /// Re-reads one incident into the cache after a write (its stage, updates and component
    /// statuses as Instatus now has them), and the statuses of its components.
    fn refresh(&mut self, id: &IncidentId) -> Result<Incident, Error> {
        let fresh = self.reader.send(api::incidents::get(self.page, id));
        self.cache.incidents.retain(|i| &i.id != id);
        let fresh = fresh?;
        for c in &fresh.components {
            if let Some(s) = &c.status {
                set_status(&mut self.cache.components, &c.id, s);
            }
        }
        self.cache.incidents.push(fresh.clone());
        Ok(fresh)
    }
}

impl StatusWriter for HttpWriter<'_> {
    fn wait_for_turn(&mut self) {
        self.writer.wait_for_turn();
    }

    fn component_status(&mut self, id: &ComponentId) -> Result<ComponentStatus, Error> {
        let now = self.reader.send(api::components::get(self.page, id))?;
        set_status(&mut self.cache.components, id, &now.status);
        Ok(now.status)
    }

    fn set_component_status(
        &mut self,
        id: &ComponentId,
        status: &ComponentStatus,
    ) -> Result<ComponentStatus, Error> {
        let written = self.writer.send(api::components::update(
            self.page,
            id,
            &UpdateComponentRequest::status(status.clone()),
        ))?;
        set_status(&mut self.cache.components, id, &written.status);
        Ok(written.status)
    }

    fn open_incidents(&mut self) -> Result<Vec<Incident>, Error> {
        let open = self.reader.list_all(api::incidents::list_open(self.page))?;
        for incident in &open {
            self.cache.incidents.retain(|i| i.id != incident.id);
            self.cache.incidents.push(incident.clone());
        }
        Ok(open)
    }

    fn incident(&mut self, id: &IncidentId) -> Result<Incident, Error> {
        let current = self.reader.send(api::incidents::get(self.page, id))?;
        self.cache.incidents.retain(|i| &i.id != id);
        self.cache.incidents.push(current.clone());
        Ok(current)
    }

    fn create_incident(
        &mut self,
        body: &CreateIncidentRequest,
        find: &dyn Fn(&[Incident]) -> Option<Incident>,
    ) -> Result<(Incident, bool), Error> {
        let page = self.page;
        let created = create_once(
            self.writer,
            || api::incidents::create(page, body),
            |c| Ok(find(&c.list_all(api::incidents::list_open(page))?)),
        )?;
        let incident = created.value;
        for c in &incident.components {
            if let Some(s) = &c.status {
                set_status(&mut self.cache.components, &c.id, s);
            }
        }
        self.cache.incidents.retain(|i| i.id != incident.id);
        self.cache.incidents.push(incident.clone());
        Ok((incident, created.recovered))
    }

    fn post_update(
        &mut self,
        id: &IncidentId,
        body: &CreateIncidentUpdateRequest,
    ) -> Result<Incident, Error> {
        self.writer
            .send(api::incidents::create_update(self.page, id, body))?;
        self.refresh(id)
    }

    fn rename_incident(&mut self, id: &IncidentId, name: &str) -> Result<Incident, Error> {
        let after = self.writer.send(api::incidents::update(
            self.page,
            id,
            &UpdateIncidentRequest::new().name(name.to_owned()),
        ))?;
        self.cache.incidents.retain(|i| &i.id != id);
        self.cache.incidents.push(after.clone());
        Ok(after)
    }
}

/// An in-memory page as a [`StatusWriter`]: writes land as Instatus applies them (an incident
/// write sets its components' statuses on the page too; new incidents get ids `preview-<n>`), at
/// `now`.
#[derive(Debug)]
pub struct Preview<'a> {
    page: &'a mut CurrentPage,
    now: Timestamp,
}

impl<'a> Preview<'a> {
    /// Writes into `page` at `now`.
    pub fn new(page: &'a mut CurrentPage, now: Timestamp) -> Preview<'a> {
        Preview { page, now }
    }

    fn find(&self, id: &IncidentId) -> Result<usize, Error> {
        self.page
            .incidents
            .iter()
            .position(|i| &i.id == id)
            .ok_or_else(|| missing(Op::GetIncident, id.as_str()))
    }

    fn update(&self, message: Option<&str>, status: IncidentStatus, n: usize) -> IncidentUpdate {
        IncidentUpdate {
            id: IncidentUpdateId::new(format!("preview-update-{n}")),
            message: message.map(str::to_owned),
            message_html: None,
            status,
            notify: None,
            started: Some(self.now),
            ended: None,
            duration: None,
            created_at: Some(self.now),
        }
    }

    /// Sets the listed components and their statuses on the incident and the page.
    fn affect(&mut self, k: usize, listed: &[ComponentId], statuses: &[ComponentStatusEntry]) {
        if !listed.is_empty() {
            let old = std::mem::take(&mut self.page.incidents[k].components);
            let briefs = listed
                .iter()
                .map(|id| {
                    old.iter()
                        .find(|c| &c.id == id)
                        .cloned()
                        .unwrap_or_else(|| {
                            let live = find_component(&self.page.components, id);
                            ComponentBrief {
                                id: id.clone(),
                                name: live.map(|c| c.name.clone()),
                                status: live.map(|c| c.status.clone()),
                                show_uptime: None,
                            }
                        })
                })
                .collect();
            self.page.incidents[k].components = briefs;
        }
        for e in statuses {
            set_status(&mut self.page.components, &e.id, &e.status);
            if let Some(c) = self.page.incidents[k]
                .components
                .iter_mut()
                .find(|c| c.id == e.id)
            {
                c.status = Some(e.status.clone());
            }
        }
    }
}

/// What the API answers for an id that is not there (the preview has no paths: `preview/ID`).
fn missing(op: Op, id: &str) -> Error {
    Error::Api {
        target: Target {
            op,
            path: format!("preview/{id}"),
        },
        status: 404,
        code: Some("not_found".to_owned()),
        message: format!("{id} is not on the previewed page"),
    }
}

impl StatusWriter for Preview<'_> {
    fn component_status(&mut self, id: &ComponentId) -> Result<ComponentStatus, Error> {
        find_component(&self.page.components, id)
            .map(|c| c.status.clone())
            .ok_or_else(|| missing(Op::GetComponent, id.as_str()))
    }

    fn set_component_status(
        &mut self,
        id: &ComponentId,
        status: &ComponentStatus,
    ) -> Result<ComponentStatus, Error> {
        set_status(&mut self.page.components, id, status);
        self.component_status(id)
    }

    fn open_incidents(&mut self) -> Result<Vec<Incident>, Error> {
        Ok(self
            .page
            .incidents
            .iter()
            .filter(|i| i.is_open())
            .cloned()
            .collect())
    }

    fn incident(&mut self, id: &IncidentId) -> Result<Incident, Error> {
        let k = self.find(id)?;
        Ok(self.page.incidents[k].clone())
    }

    fn create_incident(
        &mut self,
        body: &CreateIncidentRequest,
        _find: &dyn Fn(&[Incident]) -> Option<Incident>,
    ) -> Result<(Incident, bool), Error> {
        let id = IncidentId::new(format!("preview-{}", self.page.incidents.len() + 1));
        let first = self.update(body.message.as_deref(), body.status.clone(), 0);
        self.page.incidents.push(Incident {
            id,
            name: LocalizedText::Plain(body.name.clone()),
            status: body.status.clone(),
            started: Some(body.started.unwrap_or(self.now)),
            resolved: None,
            duration: None,
            updates: vec![first],
            components: Vec::new(),
            impact: None,
            translations: None,
        });
        let k = self.page.incidents.len() - 1;
        self.affect(k, &body.components, &body.statuses);
        Ok((self.page.incidents[k].clone(), false))
    }

    fn post_update(
        &mut self,
        id: &IncidentId,
        body: &CreateIncidentUpdateRequest,
    ) -> Result<Incident, Error> {
        let k = self.find(id)?;
        let n = self.page.incidents[k].updates.len();
        let update = self.update(body.message.as_deref(), body.status.clone(), n);
        let now = self.now;
        let incident = &mut self.page.incidents[k];
        incident.updates.insert(0, update);
        incident.status = body.status.clone();
        incident.resolved = (body.status == IncidentStatus::Resolved).then_some(now);
        self.affect(k, &body.components, &body.statuses);
        Ok(self.page.incidents[k].clone())
    }

    fn rename_incident(&mut self, id: &IncidentId, name: &str) -> Result<Incident, Error> {
        let k = self.find(id)?;
        self.page.incidents[k].name = LocalizedText::Plain(name.to_owned());
        Ok(self.page.incidents[k].clone())
    }
}

impl CurrentPage {
    /// Applies `plan` to this in-memory page as Instatus would, at `now` (see [`Preview`]);
    /// returns the reports (a write naming something not on the page fails).
    pub fn apply_preview(&mut self, plan: &Plan, now: Timestamp) -> Vec<WriteReport> {
        apply(&mut Preview::new(self, now), plan)
    }
}

fn find_component<'a>(components: &'a [Component], id: &ComponentId) -> Option<&'a Component> {
    for c in components {
        if &c.id == id {
            return Some(c);
        }
        if let Some(found) = find_component(&c.children, id) {
            return Some(found);
        }
    }
    None
}

/// Sets a component's status wherever it is in the list (either list form).
fn set_status(components: &mut [Component], id: &ComponentId, status: &ComponentStatus) {
    for c in components {
        if &c.id == id {
            c.status = status.clone();
        }
        set_status(&mut c.children, id, status);
    }
}
