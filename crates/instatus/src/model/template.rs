//! Incident and maintenance templates.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{
    ComponentId, ComponentStatus, LocalizedText, TemplateId, TemplateOrigin, TemplateStatus,
    TemplateType, Translations,
};

/// A template for incidents or maintenances.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Template {
    /// The template id.
    pub id: TemplateId,
    /// What it creates.
    #[serde(rename = "type")]
    pub kind: TemplateType,
    /// The name of the notice it creates.
    pub name: LocalizedText,
    /// The first update's message.
    #[serde(default)]
    pub message: Option<String>,
    /// The message as HTML.
    #[serde(default)]
    pub message_html: Option<String>,
    /// The status of the notice it creates.
    pub status: TemplateStatus,
    /// Whether subscribers are notified.
    #[serde(default)]
    pub notify: Option<bool>,
    /// Who made it.
    #[serde(default)]
    pub origin: Option<TemplateOrigin>,
    /// Affected components and their statuses.
    #[serde(default)]
    pub components: Vec<TemplateComponent>,
    /// Translations.
    #[serde(default)]
    pub translations: Option<Translations>,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
}

/// A component a template affects.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TemplateComponent {
    /// The link's own id.
    #[serde(default)]
    pub id: Option<String>,
    /// The component id.
    #[serde(default)]
    pub component_id: Option<ComponentId>,
    /// The status the template sets.
    #[serde(default)]
    pub status: Option<ComponentStatus>,
}

/// The record returned when a template is deleted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeletedTemplate {
    /// The template id.
    pub id: TemplateId,
    /// Its name.
    #[serde(default)]
    pub name: Option<LocalizedText>,
}
