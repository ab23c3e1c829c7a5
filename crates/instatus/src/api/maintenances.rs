//! Maintenance windows and their updates.

use jiff::Timestamp;
use serde::Serialize;

use super::{Call, ComponentStatusEntry, ListCall, Op};
use crate::model::{
    ComponentId, Deleted, Maintenance, MaintenanceId, MaintenanceStatus, MaintenanceUpdateDetailed,
    MaintenanceUpdateId, PageId, Translations,
};

/// Body of `POST /v1/{page_id}/maintenances` (spec: `CreateMaintenanceRequest`; the spec requires
/// every flag, so they are plain booleans here).
///
/// ```
/// use instatus::api::{maintenances::CreateMaintenanceRequest, ComponentStatusEntry};
/// use instatus::jiff::{Timestamp, ToSpan};
/// use instatus::model::{ComponentId, ComponentStatus};
///
/// let start: Timestamp = "2026-11-25T12:00:00Z".parse().unwrap();
/// let body = CreateMaintenanceRequest::new("Client upgrade", start, start + 2.hours())
///     .message("Upgrading geth and lighthouse")
///     .affect(ComponentStatusEntry::new(ComponentId::new("ckexec"), ComponentStatus::UnderMaintenance))
///     .duration(120)
///     .auto_start(true)
///     .auto_end(true);
/// assert_eq!(body.components, [ComponentId::new("ckexec")]);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateMaintenanceRequest {
    /// Title.
    pub name: String,
    /// First message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Affected component ids.
    pub components: Vec<ComponentId>,
    /// Start (UTC).
    pub start: Timestamp,
    /// End (UTC).
    pub end: Timestamp,
    /// Stage.
    pub status: MaintenanceStatus,
    /// Notify subscribers now.
    pub notify: bool,
    /// Minutes, used with `auto_end`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<i64>,
    /// Notify at start.
    pub notify_start: bool,
    /// Notify at end.
    pub notify_end: bool,
    /// Notify ahead of the start.
    pub notify_early: bool,
    /// Minutes ahead for the early notification.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_minutes: Option<i64>,
    /// Start automatically.
    pub auto_start: bool,
    /// End automatically.
    pub auto_end: bool,
    /// Shown collapsed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_collapsed: Option<bool>,
    /// When a collapsed maintenance expands.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expand_at: Option<Timestamp>,
    /// Component statuses (ids must also be in `components`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub statuses: Vec<ComponentStatusEntry>,
    /// Translations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translations: Option<Translations>,
}

impl CreateMaintenanceRequest {
    /// A scheduled, not-started maintenance from `start` to `end`, no notifications, no automation.
    pub fn new(name: impl Into<String>, start: Timestamp, end: Timestamp) -> Self {
        Self {
            name: name.into(),
            message: None,
            components: Vec::new(),
            start,
            end,
            status: MaintenanceStatus::NotStartedYet,
            notify: false,
            duration: None,
            notify_start: false,
            notify_end: false,
            notify_early: false,
            notify_minutes: None,
            auto_start: false,
            auto_end: false,
            is_collapsed: None,
            expand_at: None,
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

setters!(CreateMaintenanceRequest {
    opt message: String,
    list components: ComponentId,
    val start: Timestamp,
    val end: Timestamp,
    val status: MaintenanceStatus,
    val notify: bool,
    opt duration: i64,
    val notify_start: bool,
    val notify_end: bool,
    val notify_early: bool,
    opt notify_minutes: i64,
    val auto_start: bool,
    val auto_end: bool,
    opt is_collapsed: bool,
    opt expand_at: Timestamp,
    list statuses: ComponentStatusEntry,
    opt translations: Translations,
});

/// Body of `PUT /v1/{page_id}/maintenances/{maintenance_id}` (spec: `UpdateMaintenanceRequest`,
/// which requires most fields: it is a full replacement). Start from what the API returned, then
/// change what you mean to change:
///
/// ```
/// use instatus::api::maintenances::UpdateMaintenanceRequest;
/// use instatus::jiff::ToSpan;
/// use instatus::model::Maintenance;
///
/// # let current: Maintenance = serde_json::from_value(serde_json::json!({
/// #     "id": "ckm", "name": "Client upgrade", "status": "NOTSTARTEDYET",
/// #     "start": "2026-11-25T12:00:00Z", "duration": 60, "components": []
/// # })).unwrap();
/// let later = current.start.unwrap() + 1.hour();
/// let body = UpdateMaintenanceRequest::from_maintenance(&current, "Moved by an hour")
///     .unwrap()
///     .start(later)
///     .end(later + 1.hour());
/// assert_eq!(body.duration, 60);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UpdateMaintenanceRequest {
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Message.
    pub message: String,
    /// Affected component ids.
    pub components: Vec<ComponentId>,
    /// Start.
    pub start: Timestamp,
    /// End.
    pub end: Timestamp,
    /// Stage.
    pub status: MaintenanceStatus,
    /// Notify subscribers.
    pub notify: bool,
    /// Component statuses.
    pub statuses: Vec<ComponentStatusEntry>,
    /// Minutes.
    pub duration: i64,
    /// Start automatically.
    pub auto_start: bool,
    /// End automatically.
    pub auto_end: bool,
    /// Translations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translations: Option<Translations>,
}

impl UpdateMaintenanceRequest {
    /// A replacement that keeps everything `current` has, with a new `message`: change the fields
    /// you mean to change afterwards. `None` when `current` lacks its start or duration.
    pub fn from_maintenance(current: &Maintenance, message: impl Into<String>) -> Option<Self> {
        let start = current.start?;
        let end = current.end()?;
        Some(Self {
            name: Some(current.name.as_str().to_owned()),
            message: message.into(),
            components: current.components.iter().map(|c| c.id.clone()).collect(),
            start,
            end,
            status: current.status.clone(),
            notify: false,
            statuses: Vec::new(),
            duration: current.duration?,
            auto_start: current.auto_start.unwrap_or(false),
            auto_end: current.auto_end.unwrap_or(false),
            translations: None,
        })
    }
}

setters!(UpdateMaintenanceRequest {
    opt name: String,
    val message: String,
    list components: ComponentId,
    val start: Timestamp,
    val end: Timestamp,
    val status: MaintenanceStatus,
    val notify: bool,
    list statuses: ComponentStatusEntry,
    val duration: i64,
    val auto_start: bool,
    val auto_end: bool,
    opt translations: Translations,
});

/// Body of `POST .../maintenance-updates` (spec: `CreateMaintenanceUpdateRequest`).
///
/// ```
/// use instatus::api::maintenances::CreateMaintenanceUpdateRequest;
/// use instatus::model::MaintenanceStatus;
///
/// let body = CreateMaintenanceUpdateRequest::new(MaintenanceStatus::Completed)
///     .message("Upgrade done")
///     .notify(true);
/// assert_eq!(body.notify, Some(true));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateMaintenanceUpdateRequest {
    /// Message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Affected component ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<ComponentId>,
    /// When it happened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started: Option<Timestamp>,
    /// New end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<Timestamp>,
    /// New stage.
    pub status: MaintenanceStatus,
    /// Notify subscribers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify: Option<bool>,
    /// Component statuses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub statuses: Vec<ComponentStatusEntry>,
    /// Translations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translations: Option<Translations>,
}

impl CreateMaintenanceUpdateRequest {
    /// An update moving the maintenance to `status`.
    pub fn new(status: MaintenanceStatus) -> Self {
        Self {
            message: None,
            components: Vec::new(),
            started: None,
            end: None,
            status,
            notify: None,
            statuses: Vec::new(),
            translations: None,
        }
    }
}

setters!(CreateMaintenanceUpdateRequest {
    opt message: String,
    list components: ComponentId,
    opt started: Timestamp,
    opt end: Timestamp,
    val status: MaintenanceStatus,
    opt notify: bool,
    list statuses: ComponentStatusEntry,
    opt translations: Translations,
});

/// Body of `PUT .../maintenance-updates/{id}` (spec: `UpdateMaintenanceUpdateRequest`).
///
/// ```
/// use instatus::api::maintenances::UpdateMaintenanceUpdateRequest;
///
/// let body = UpdateMaintenanceUpdateRequest::new().message("Fixed a typo");
/// assert_eq!(body.status, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UpdateMaintenanceUpdateRequest {
    /// Message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Affected component ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<ComponentId>>,
    /// When it happened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started: Option<Timestamp>,
    /// End.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<Timestamp>,
    /// Stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<MaintenanceStatus>,
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

impl UpdateMaintenanceUpdateRequest {
    /// An edit that changes nothing yet: chain the setters.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(UpdateMaintenanceUpdateRequest {
    opt message: String,
    opt_list components: ComponentId,
    opt started: Timestamp,
    opt end: Timestamp,
    opt status: MaintenanceStatus,
    opt notify: bool,
    opt_list statuses: ComponentStatusEntry,
    opt translations: Translations,
});

/// `GET /v1/{page_id}/maintenances`.
pub fn list(page: &PageId) -> ListCall<Maintenance> {
    ListCall::new(Op::ListMaintenances, &[page.as_str()])
}

/// `GET /v1/{page_id}/maintenances/{maintenance_id}`.
pub fn get(page: &PageId, maintenance: &MaintenanceId) -> Call<Maintenance> {
    Call::new(Op::GetMaintenance, &[page.as_str(), maintenance.as_str()])
}

/// `POST /v1/{page_id}/maintenances`.
pub fn create(page: &PageId, body: &CreateMaintenanceRequest) -> Call<Maintenance> {
    Call::with_body(Op::CreateMaintenance, &[page.as_str()], body)
}

/// `PUT /v1/{page_id}/maintenances/{maintenance_id}`.
pub fn update(
    page: &PageId,
    maintenance: &MaintenanceId,
    body: &UpdateMaintenanceRequest,
) -> Call<Maintenance> {
    Call::with_body(
        Op::UpdateMaintenance,
        &[page.as_str(), maintenance.as_str()],
        body,
    )
}

/// `DELETE /v1/{page_id}/maintenances/{maintenance_id}`.
pub fn delete(page: &PageId, maintenance: &MaintenanceId) -> Call<Deleted> {
    Call::new(
        Op::DeleteMaintenance,
        &[page.as_str(), maintenance.as_str()],
    )
}

/// `POST .../maintenance-updates`.
pub fn create_update(
    page: &PageId,
    maintenance: &MaintenanceId,
    body: &CreateMaintenanceUpdateRequest,
) -> Call<MaintenanceUpdateDetailed> {
    Call::with_body(
        Op::CreateMaintenanceUpdate,
        &[page.as_str(), maintenance.as_str()],
        body,
    )
}

/// `GET .../maintenance-updates/{maintenance_update_id}`.
pub fn get_update(
    page: &PageId,
    maintenance: &MaintenanceId,
    update: &MaintenanceUpdateId,
) -> Call<MaintenanceUpdateDetailed> {
    Call::new(
        Op::GetMaintenanceUpdate,
        &[page.as_str(), maintenance.as_str(), update.as_str()],
    )
}

/// `PUT .../maintenance-updates/{maintenance_update_id}`.
pub fn edit_update(
    page: &PageId,
    maintenance: &MaintenanceId,
    update: &MaintenanceUpdateId,
    body: &UpdateMaintenanceUpdateRequest,
) -> Call<MaintenanceUpdateDetailed> {
    Call::with_body(
        Op::EditMaintenanceUpdate,
        &[page.as_str(), maintenance.as_str(), update.as_str()],
        body,
    )
}

/// `DELETE .../maintenance-updates/{maintenance_update_id}`.
pub fn delete_update(
    page: &PageId,
    maintenance: &MaintenanceId,
    update: &MaintenanceUpdateId,
) -> Call<Deleted> {
    Call::new(
        Op::DeleteMaintenanceUpdate,
        &[page.as_str(), maintenance.as_str(), update.as_str()],
    )
}
