//! What the page looks like after a plan: an in-memory application, for previews (`plan` commands
//! that show the outcome) and for tests that run many evaluations without a server.

use jiff::Timestamp;

use super::observe::CurrentPage;
use super::plan::{Action, Plan};
use crate::model::{
    Component, ComponentBrief, Incident, IncidentId, IncidentStatus, IncidentUpdate,
    IncidentUpdateId, LocalizedText,
};

impl CurrentPage {
    /// Applies `plan` to this in-memory page as Instatus would (new incidents get ids
    /// `preview-<n>`), at `now`. Actions naming something that is not there are skipped.
    pub fn apply_preview(&mut self, plan: &Plan, now: Timestamp) {
        for action in &plan.actions {
            match action {
                Action::SetStatus { component, to, .. } => {
                    if let Some(c) = find_component(&mut self.components, component.as_str()) {
                        c.status = to.clone();
                    }
                }
                Action::OpenIncident {
                    component,
                    status,
                    name,
                    message,
                    started,
                    ..
                } => {
                    let id = IncidentId::new(format!("preview-{}", self.incidents.len() + 1));
                    self.incidents.push(Incident {
                        id,
                        name: LocalizedText::Plain(name.clone()),
                        status: IncidentStatus::Investigating,
                        started: Some(*started),
                        resolved: None,
                        duration: None,
                        updates: vec![update(message, IncidentStatus::Investigating, now, 0)],
                        components: vec![ComponentBrief {
                            id: component.clone(),
                            name: None,
                            status: Some(status.clone()),
                            show_uptime: None,
                        }],
                        impact: None,
                        translations: None,
                    });
                }
                Action::UpdateIncident {
                    incident,
                    incident_status,
                    status,
                    message,
                    ..
                } => {
                    if let Some(i) = self.incidents.iter_mut().find(|i| &i.id == incident) {
                        let n = i.updates.len();
                        i.updates
                            .insert(0, update(message, incident_status.clone(), now, n));
                        i.status = incident_status.clone();
                        i.resolved = (*incident_status == IncidentStatus::Resolved).then_some(now);
                        for c in &mut i.components {
                            c.status = Some(status.clone());
                        }
                    }
                }
                Action::CloseDuplicate {
                    incident, message, ..
                } => {
                    if let Some(i) = self.incidents.iter_mut().find(|i| &i.id == incident) {
                        let n = i.updates.len();
                        i.updates
                            .insert(0, update(message, IncidentStatus::Resolved, now, n));
                        i.status = IncidentStatus::Resolved;
                        i.resolved = Some(now);
                    }
                }
            }
        }
    }
}

fn update(message: &str, status: IncidentStatus, now: Timestamp, n: usize) -> IncidentUpdate {
    IncidentUpdate {
        id: IncidentUpdateId::new(format!("preview-update-{n}")),
        message: Some(message.to_owned()),
        message_html: None,
        status,
        notify: None,
        started: Some(now),
        ended: None,
        duration: None,
        created_at: Some(now),
    }
}

fn find_component<'a>(components: &'a mut [Component], id: &str) -> Option<&'a mut Component> {
    for c in components {
        if c.id.as_str() == id {
            return Some(c);
        }
        if let Some(found) = find_component(&mut c.children, id) {
            return Some(found);
        }
    }
    None
}
