//! Incident and maintenance templates.

use serde::Serialize;

use super::{Call, ComponentStatusEntry, ListCall, Op};
use crate::model::{
    DeletedTemplate, PageId, Template, TemplateId, TemplateStatus, TemplateType, Translations,
};

/// Body of `POST /v1/{page_id}/templates` (spec: `CreateTemplateRequest`).
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

impl CreateTemplateRequest {
    /// A template with no components that does not notify.
    pub fn new(
        kind: TemplateType,
        subdomain: impl Into<String>,
        name: impl Into<String>,
        message: impl Into<String>,
        status: TemplateStatus,
    ) -> Self {
        Self {
            kind,
            subdomain: subdomain.into(),
            name: name.into(),
            message: message.into(),
            status,
            notify: false,
            components: Vec::new(),
            translations: None,
        }
    }
}

/// Body of `PUT /v1/{page_id}/templates/{template_id}` (spec: `UpdateTemplateRequest`).
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
