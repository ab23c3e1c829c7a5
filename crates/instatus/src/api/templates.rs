//! Incident and maintenance templates.

use serde::Serialize;

use super::{Call, ComponentStatusEntry, ListCall, Op};
use crate::model::{
    DeletedTemplate, PageId, Template, TemplateId, TemplateStatus, TemplateType, Translations,
};

/// The required fields of a new template, by name: three strings in a row are too easy to swap
/// in a positional constructor. Every field is required, so this struct is exhaustive on purpose.
#[derive(Clone, Debug, PartialEq)]
pub struct NewTemplate {
    /// Incident or maintenance.
    pub kind: TemplateType,
    /// The page's subdomain.
    pub subdomain: String,
    /// The notice's title.
    pub name: String,
    /// The first update's message.
    pub message: String,
    /// The notice's status.
    pub status: TemplateStatus,
}

/// Body of `POST /v1/{page_id}/templates` (spec: `CreateTemplateRequest`).
///
/// ```
/// use instatus::api::templates::{CreateTemplateRequest, NewTemplate};
/// use instatus::api::ComponentStatusEntry;
/// use instatus::model::{ComponentId, ComponentStatus, TemplateStatus, TemplateType};
///
/// let body = CreateTemplateRequest::from(NewTemplate {
///     kind: TemplateType::Incident,
///     subdomain: "ephemery".into(),
///     name: "Execution client down".into(),
///     message: "We are investigating.".into(),
///     status: TemplateStatus::Investigating,
/// })
/// .notify(true)
/// .affect(ComponentStatusEntry::new(ComponentId::new("ckexec"), ComponentStatus::MajorOutage));
/// assert_eq!(body.name, "Execution client down");
/// assert_eq!(body.components.len(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateTemplateRequest {
    /// Incident or maintenance.
    #[serde(rename = "type")]
    pub kind: TemplateType,
    /// The page's subdomain.
    pub subdomain: String,
    /// The notice's title.
    pub name: String,
    /// The first update's message.
    pub message: String,
    /// The notice's status.
    pub status: TemplateStatus,
    /// Notify subscribers.
    pub notify: bool,
    /// Affected components and statuses.
    pub components: Vec<ComponentStatusEntry>,
    /// Translations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translations: Option<Translations>,
}

impl From<NewTemplate> for CreateTemplateRequest {
    /// A template with no components that does not notify.
    fn from(t: NewTemplate) -> Self {
        Self {
            kind: t.kind,
            subdomain: t.subdomain,
            name: t.name,
            message: t.message,
            status: t.status,
            notify: false,
            components: Vec::new(),
            translations: None,
        }
    }
}

setters!(CreateTemplateRequest {
    val notify: bool,
    list components: ComponentStatusEntry,
    opt translations: Translations,
});

impl CreateTemplateRequest {
    /// A template with no components that does not notify. Positional (kept for existing
    /// callers); prefer `CreateTemplateRequest::from(NewTemplate { .. })`, which names each string.
    pub fn new(
        kind: TemplateType,
        subdomain: impl Into<String>,
        name: impl Into<String>,
        message: impl Into<String>,
        status: TemplateStatus,
    ) -> Self {
        Self::from(NewTemplate {
            kind,
            subdomain: subdomain.into(),
            name: name.into(),
            message: message.into(),
            status,
        })
    }

    /// Adds a component and the status the notice gives it.
    pub fn affect(mut self, entry: ComponentStatusEntry) -> Self {
        self.components.push(entry);
        self
    }
}

/// Body of `PUT /v1/{page_id}/templates/{template_id}` (spec: `UpdateTemplateRequest`).
///
/// ```
/// use instatus::api::templates::UpdateTemplateRequest;
///
/// let body = UpdateTemplateRequest::new().message("We are on it.").notify(false);
/// assert_eq!(body.name, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UpdateTemplateRequest {
    /// Incident or maintenance.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<TemplateType>,
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<TemplateStatus>,
    /// Notify subscribers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify: Option<bool>,
    /// Components and statuses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<ComponentStatusEntry>>,
    /// Translations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translations: Option<Translations>,
}

impl UpdateTemplateRequest {
    /// An update that changes nothing yet: chain the setters.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(UpdateTemplateRequest {
    opt kind: TemplateType,
    opt name: String,
    opt message: String,
    opt status: TemplateStatus,
    opt notify: bool,
    opt_list components: ComponentStatusEntry,
    opt translations: Translations,
});

/// `GET /v1/{page_id}/templates`.
pub fn list(page: &PageId) -> ListCall<Template> {
    ListCall::new(Op::ListTemplates, &[page.as_str()])
}

/// `GET /v1/{page_id}/templates/{template_id}`.
pub fn get(page: &PageId, template: &TemplateId) -> Call<Template> {
    Call::new(Op::GetTemplate, &[page.as_str(), template.as_str()])
}

/// `POST /v1/{page_id}/templates`.
pub fn create(page: &PageId, body: &CreateTemplateRequest) -> Call<Template> {
    Call::with_body(Op::CreateTemplate, &[page.as_str()], body)
}

/// `PUT /v1/{page_id}/templates/{template_id}`.
pub fn update(
    page: &PageId,
    template: &TemplateId,
    body: &UpdateTemplateRequest,
) -> Call<Template> {
    Call::with_body(
        Op::UpdateTemplate,
        &[page.as_str(), template.as_str()],
        body,
    )
}

/// `DELETE /v1/{page_id}/templates/{template_id}`.
pub fn delete(page: &PageId, template: &TemplateId) -> Call<DeletedTemplate> {
    Call::new(Op::DeleteTemplate, &[page.as_str(), template.as_str()])
}
