//! Components and groups. A group is a component with children; create takes the parent id in
//! `group` (with `grouped: true`), reads return it in `groupId`.

use serde::Serialize;

use super::{Call, ListCall, Op};
use crate::model::{Component, ComponentId, ComponentStatus, Deleted, PageId, Translations};

/// Body of `POST /v1/{page_id}/components` (spec: `CreateComponentRequest`).
///
/// ```
/// use instatus::api::components::CreateComponentRequest;
/// use instatus::model::{ComponentId, ComponentStatus};
///
/// let body = CreateComponentRequest::new("Execution Client")
///     .in_group(ComponentId::new("ckgroup"))
///     .description("geth on the bootnode")
///     .status(ComponentStatus::Operational)
///     .order(1)
///     .show_uptime(true);
/// assert_eq!(body.order, Some(1));
/// assert_eq!(body.group, Some(ComponentId::new("ckgroup")));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateComponentRequest {
    /// The name.
    pub name: String,
    /// The description (may hold a Markdown link, e.g. to a Grafana dashboard).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Initial status (Instatus defaults to operational).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ComponentStatus>,
    /// Position on the page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<i64>,
    /// Show the uptime bar.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub show_uptime: Option<bool>,
    /// `true` when `group` is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grouped: Option<bool>,
    /// The parent group's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<ComponentId>,
    /// Create it archived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
    /// Translations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translations: Option<Translations>,
}

impl CreateComponentRequest {
    /// A top-level component with defaults.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// Puts the new component inside a group.
    pub fn in_group(mut self, group: ComponentId) -> Self {
        self.grouped = Some(true);
        self.group = Some(group);
        self
    }
}

setters!(CreateComponentRequest {
    opt description: String,
    opt status: ComponentStatus,
    opt order: i64,
    opt show_uptime: bool,
    opt archived: bool,
    opt translations: Translations,
});

/// Body of `PUT /v1/{page_id}/components/{component_id}` (spec: `UpdateComponentRequest`).
/// `None` leaves a field as it is; leaving `status` out keeps the live status.
///
/// ```
/// use instatus::api::components::UpdateComponentRequest;
/// use instatus::model::ComponentStatus;
///
/// let rename = UpdateComponentRequest::new().name("Beacon Node").order(2);
/// assert_eq!(rename.status, None, "the live status is left alone");
///
/// let outage = UpdateComponentRequest::status(ComponentStatus::MajorOutage).move_to(None);
/// assert_eq!(outage.group_id, Some(None));
/// assert!(UpdateComponentRequest::new().is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UpdateComponentRequest {
    /// New name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New live status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ComponentStatus>,
    /// New position.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<i64>,
    /// Show the uptime bar.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub show_uptime: Option<bool>,
    /// Whether the component sits in a group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grouped: Option<bool>,
    /// Move to this group (`Some(None)` moves to top level). Not in the spec's update schema; the
    /// field the API's clients send to re-parent (see the deviations list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<Option<ComponentId>>,
    /// Archive or unarchive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
    /// Translations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translations: Option<Translations>,
}

impl UpdateComponentRequest {
    /// An update that changes nothing yet: chain the setters.
    pub fn new() -> Self {
        Self::default()
    }

    /// An update that only changes the live status.
    pub fn status(status: ComponentStatus) -> Self {
        Self {
            status: Some(status),
            ..Self::default()
        }
    }

    /// Sets the live status ([`status`](Self::status) on the wire; the associated function
    /// `UpdateComponentRequest::status` starts an update with it).
    pub fn live_status(mut self, status: ComponentStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Sets the parent: `Some(group)` moves into that group, `None` to top level.
    pub fn move_to(mut self, group: Option<ComponentId>) -> Self {
        self.grouped = Some(group.is_some());
        self.group_id = Some(group);
        self
    }

    /// Whether the update changes nothing.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

setters!(UpdateComponentRequest {
    opt name: String,
    opt description: String,
    opt order: i64,
    opt show_uptime: bool,
    opt archived: bool,
    opt translations: Translations,
});

/// `GET /v1/{page_id}/components`: every component, flat.
pub fn list(page: &PageId) -> ListCall<Component> {
    ListCall::new(Op::ListComponents, &[page.as_str()])
}

/// `GET /v2/{page_id}/components`: groups with their children nested.
pub fn list_tree(page: &PageId) -> ListCall<Component> {
    ListCall::new(Op::ListComponentTree, &[page.as_str()])
}

/// `GET /v1/{page_id}/components/{component_id}`.
pub fn get(page: &PageId, component: &ComponentId) -> Call<Component> {
    Call::new(Op::GetComponent, &[page.as_str(), component.as_str()])
}

/// `POST /v1/{page_id}/components`.
pub fn create(page: &PageId, body: &CreateComponentRequest) -> Call<Component> {
    Call::with_body(Op::CreateComponent, &[page.as_str()], body)
}

/// `PUT /v1/{page_id}/components/{component_id}`.
pub fn update(
    page: &PageId,
    component: &ComponentId,
    body: &UpdateComponentRequest,
) -> Call<Component> {
    Call::with_body(
        Op::UpdateComponent,
        &[page.as_str(), component.as_str()],
        body,
    )
}

/// `DELETE /v1/{page_id}/components/{component_id}`.
pub fn delete(page: &PageId, component: &ComponentId) -> Call<Deleted> {
    Call::new(Op::DeleteComponent, &[page.as_str(), component.as_str()])
}
