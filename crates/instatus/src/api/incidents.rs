//! Incidents and incident updates.

use jiff::Timestamp;
use serde::Serialize;

use super::{Call, ComponentStatusEntry, ListCall, Op};
use crate::model::{
    ComponentId, Deleted, Incident, IncidentFromTemplate, IncidentId, IncidentStatus,
    IncidentUpdateDetailed, IncidentUpdateFromTemplate, IncidentUpdateId, PageId, Translations,
};

/// Body of `POST /v1/{page_id}/incidents` (spec: `CreateIncidentRequest`).
///
/// ```
/// use instatus::api::{incidents::CreateIncidentRequest, ComponentStatusEntry};
/// use instatus::jiff::Timestamp;
/// use instatus::model::{ComponentId, ComponentStatus, IncidentStatus};
///
/// let body = CreateIncidentRequest::new("Execution client down", IncidentStatus::Investigating)
///     .message("geth stopped answering; we are looking into it")
///     .affect(ComponentStatusEntry::new(ComponentId::new("ckexec"), ComponentStatus::MajorOutage))
///     .started("2026-11-25T12:00:00Z".parse::<Timestamp>().unwrap())
///     .notify(true);
/// assert_eq!(body.components, [ComponentId::new("ckexec")]);
/// assert_eq!(body.statuses.len(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateIncidentRequest {
    /// Title.
    pub name: String,
    /// First update's message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Affected component ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<ComponentId>,
    /// Start time (default now).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started: Option<Timestamp>,
    /// Stage.
    pub status: IncidentStatus,
    /// Notify subscribers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify: Option<bool>,
    /// Publish on the page (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub should_publish: Option<bool>,
    /// Component statuses to set (ids must also be in `components`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub statuses: Vec<ComponentStatusEntry>,
    /// Translations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translations: Option<Translations>,
}

impl CreateIncidentRequest {
    /// An incident with a title and a stage, no components.
    pub fn new(name: impl Into<String>, status: IncidentStatus) -> Self {
        Self {
            name: name.into(),
            message: None,
            components: Vec::new(),
            started: None,
            status,
            notify: None,
            should_publish: None,
            statuses: Vec::new(),
            translations: None,
        }
    }

    /// Marks a component as affected, with its status: adds it to both `components` and
    /// `statuses`, as the API requires.
    pub fn affect(mut self, entry: ComponentStatusEntry) -> Self {
        self.components.push(entry.id.clone());
        self.statuses.push(entry);
        self
    }
}

setters!(CreateIncidentRequest {
    opt message: String,
    list components: ComponentId,
    opt started: Timestamp,
    val status: IncidentStatus,
    opt notify: bool,
    opt should_publish: bool,
    list statuses: ComponentStatusEntry,
    opt translations: Translations,
});

/// Body of `PUT /v1/{page_id}/incidents/{incident_id}` (spec: `UpdateIncidentRequest`).
///
/// ```
/// use instatus::api::incidents::UpdateIncidentRequest;
/// use instatus::model::IncidentStatus;
///
/// let body = UpdateIncidentRequest::new().name("Execution client degraded").status(IncidentStatus::Monitoring);
/// assert_eq!(body.components, None, "left as it is");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UpdateIncidentRequest {
    /// New title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Affected component ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<ComponentId>>,
    /// Start time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started: Option<Timestamp>,
    /// Stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<IncidentStatus>,
    /// Notify subscribers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify: Option<bool>,
    /// Component statuses to set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statuses: Option<Vec<ComponentStatusEntry>>,
    /// Translations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translations: Option<Translations>,
}

impl UpdateIncidentRequest {
    /// An update that changes nothing yet: chain the setters.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(UpdateIncidentRequest {
    opt name: String,
    opt_list components: ComponentId,
    opt started: Timestamp,
    opt status: IncidentStatus,
    opt notify: bool,
    opt_list statuses: ComponentStatusEntry,
    opt translations: Translations,
});

/// Body of `POST .../incident-updates` (spec: `CreateIncidentUpdateRequest`).
///
/// ```
/// use instatus::api::{incidents::CreateIncidentUpdateRequest, ComponentStatusEntry};
/// use instatus::model::{ComponentId, ComponentStatus, IncidentStatus};
///
/// let body = CreateIncidentUpdateRequest::new(IncidentStatus::Resolved)
///     .message("geth is back")
///     .affect(ComponentStatusEntry::new(ComponentId::new("ckexec"), ComponentStatus::Operational));
/// assert_eq!(body.status, IncidentStatus::Resolved);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateIncidentUpdateRequest {
    /// The message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Affected component ids (required by the spec, may be empty).
    pub components: Vec<ComponentId>,
    /// When the update happened (default now).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started: Option<Timestamp>,
    /// New stage.
    pub status: IncidentStatus,
    /// Notify subscribers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify: Option<bool>,
    /// Component statuses to set (required by the spec, may be empty).
    pub statuses: Vec<ComponentStatusEntry>,
    /// Translations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translations: Option<Translations>,
}

impl CreateIncidentUpdateRequest {
    /// An update moving the incident to `status`.
    pub fn new(status: IncidentStatus) -> Self {
        Self {
            message: None,
            components: Vec::new(),
            started: None,
            status,
            notify: None,
            statuses: Vec::new(),
            translations: None,
        }
    }

    /// Sets a component's status with this update (adds it to `components` too).
    pub fn affect(mut self, entry: ComponentStatusEntry) -> Self {
        self.components.push(entry.id.clone());
        self.statuses.push(entry);
        self
    }
}

setters!(CreateIncidentUpdateRequest {
    opt message: String,
    list components: ComponentId,
    opt started: Timestamp,
    val status: IncidentStatus,
    opt notify: bool,
    list statuses: ComponentStatusEntry,
    opt translations: Translations,
});

/// Body of `PUT .../incident-updates/{id}` (spec: `UpdateIncidentUpdateRequest`).
///
/// ```
/// use instatus::api::incidents::UpdateIncidentUpdateRequest;
///
/// let body = UpdateIncidentUpdateRequest::new().message("Fixed a typo");
/// assert_eq!(body.message.as_deref(), Some("Fixed a typo"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UpdateIncidentUpdateRequest {
    /// The message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Affected component ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<ComponentId>>,
    /// When it happened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started: Option<Timestamp>,
    /// Stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<IncidentStatus>,
    /// Notify subscribers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify: Option<bool>,
    /// Component statuses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statuses: Option<Vec<ComponentStatusEntry>>,
    /// Translations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translations: Option<Translations>,
}

impl UpdateIncidentUpdateRequest {
    /// An edit that changes nothing yet: chain the setters.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(UpdateIncidentUpdateRequest {
    opt message: String,
    opt_list components: ComponentId,
    opt started: Timestamp,
    opt status: IncidentStatus,
    opt notify: bool,
    opt_list statuses: ComponentStatusEntry,
    opt translations: Translations,
});

/// `GET /v1/{page_id}/incidents`, all statuses.
pub fn list(page: &PageId) -> ListCall<Incident> {
    ListCall::new(Op::ListIncidents, &[page.as_str()])
}

/// `GET /v1/{page_id}/incidents?!status=RESOLVED`: the open incidents.
pub fn list_open(page: &PageId) -> ListCall<Incident> {
    list(page).query("!status", IncidentStatus::Resolved.as_str())
}

/// `GET /v1/{page_id}/incidents/{incident_id}`.
pub fn get(page: &PageId, incident: &IncidentId) -> Call<Incident> {
    Call::new(Op::GetIncident, &[page.as_str(), incident.as_str()])
}

/// `POST /v1/{page_id}/incidents`.
pub fn create(page: &PageId, body: &CreateIncidentRequest) -> Call<Incident> {
    Call::with_body(Op::CreateIncident, &[page.as_str()], body)
}

/// `POST /v1/{page_id}/incidents/{template}`: `template` is a template id or name.
pub fn create_from_template(page: &PageId, template: &str) -> Call<IncidentFromTemplate> {
    Call::new(Op::CreateIncidentFromTemplate, &[page.as_str(), template])
}

/// `PUT /v1/{page_id}/incidents/{incident_id}`.
pub fn update(
    page: &PageId,
    incident: &IncidentId,
    body: &UpdateIncidentRequest,
) -> Call<Incident> {
    Call::with_body(
        Op::UpdateIncident,
        &[page.as_str(), incident.as_str()],
        body,
    )
}

/// `DELETE /v1/{page_id}/incidents/{incident_id}`.
pub fn delete(page: &PageId, incident: &IncidentId) -> Call<Deleted> {
    Call::new(Op::DeleteIncident, &[page.as_str(), incident.as_str()])
}

/// `POST /v1/{page_id}/incidents/{incident_id}/incident-updates`.
pub fn create_update(
    page: &PageId,
    incident: &IncidentId,
    body: &CreateIncidentUpdateRequest,
) -> Call<IncidentUpdateDetailed> {
    Call::with_body(
        Op::CreateIncidentUpdate,
        &[page.as_str(), incident.as_str()],
        body,
    )
}

/// `GET .../incident-updates/{incident_update_id}`.
pub fn get_update(
    page: &PageId,
    incident: &IncidentId,
    update: &IncidentUpdateId,
) -> Call<IncidentUpdateDetailed> {
    Call::new(
        Op::GetIncidentUpdate,
        &[page.as_str(), incident.as_str(), update.as_str()],
    )
}

/// `PUT .../incident-updates/{incident_update_id}`.
pub fn edit_update(
    page: &PageId,
    incident: &IncidentId,
    update: &IncidentUpdateId,
    body: &UpdateIncidentUpdateRequest,
) -> Call<IncidentUpdateDetailed> {
    Call::with_body(
        Op::EditIncidentUpdate,
        &[page.as_str(), incident.as_str(), update.as_str()],
        body,
    )
}

/// `DELETE .../incident-updates/{incident_update_id}`.
pub fn delete_update(
    page: &PageId,
    incident: &IncidentId,
    update: &IncidentUpdateId,
) -> Call<Deleted> {
    Call::new(
        Op::DeleteIncidentUpdate,
        &[page.as_str(), incident.as_str(), update.as_str()],
    )
}

/// `POST /v2/{page_id}/incidents/{incident_id}/incident-updates/{template}`: resolve with a
/// template (id or name).
pub fn resolve_with_template(
    page: &PageId,
    incident: &IncidentId,
    template: &str,
) -> Call<IncidentUpdateFromTemplate> {
    Call::new(
        Op::ResolveIncidentWithTemplate,
        &[page.as_str(), incident.as_str(), template],
    )
}
