//! Incidents and their updates.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{
    ComponentBrief, IncidentId, IncidentImpact, IncidentStatus, IncidentUpdateId, LocalizedText,
    Translations,
};

/// An incident.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Incident {
    /// The incident id.
    pub id: IncidentId,
    /// The title.
    pub name: LocalizedText,
    /// The current stage.
    pub status: IncidentStatus,
    /// When it started.
    #[serde(default)]
    pub started: Option<Timestamp>,
    /// When it was resolved; `None` while open.
    #[serde(default)]
    pub resolved: Option<Timestamp>,
    /// Minutes from start to resolution; `None` while open.
    #[serde(default)]
    pub duration: Option<i64>,
    /// The updates, newest first as Instatus lists them.
    #[serde(default)]
    pub updates: Vec<IncidentUpdate>,
    /// Affected components with their status during the incident.
    #[serde(default)]
    pub components: Vec<ComponentBrief>,
    /// The impact, where the response includes it.
    #[serde(default)]
    pub impact: Option<IncidentImpact>,
    /// Translations.
    #[serde(default)]
    pub translations: Option<Translations>,
}

impl Incident {
    /// Whether the incident is still open.
    pub fn is_open(&self) -> bool {
        self.status != IncidentStatus::Resolved
    }
}

/// One update of an incident, as embedded in [`Incident::updates`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct IncidentUpdate {
    /// The update id.
    pub id: IncidentUpdateId,
    /// The message (Markdown).
    #[serde(default)]
    pub message: Option<String>,
    /// The message rendered to HTML by Instatus.
    #[serde(default)]
    pub message_html: Option<String>,
    /// The stage this update moved the incident to.
    pub status: IncidentStatus,
    /// Whether subscribers were notified.
    #[serde(default)]
    pub notify: Option<bool>,
    /// When the update happened.
    #[serde(default)]
    pub started: Option<Timestamp>,
    /// When a resolving update ended.
    #[serde(default)]
    pub ended: Option<Timestamp>,
    /// Minutes.
    #[serde(default)]
    pub duration: Option<i64>,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
}

/// An incident update as returned by the incident-update operations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct IncidentUpdateDetailed {
    /// The update id.
    pub id: IncidentUpdateId,
    /// The message.
    #[serde(default)]
    pub message: Option<String>,
    /// The message as HTML.
    #[serde(default)]
    pub message_html: Option<String>,
    /// The stage.
    pub status: IncidentStatus,
    /// Whether subscribers were notified.
    #[serde(default)]
    pub notify: Option<bool>,
    /// When the update happened.
    #[serde(default)]
    pub started: Option<Timestamp>,
    /// The incident it belongs to.
    #[serde(default)]
    pub incident: Option<IncidentBrief>,
    /// Translations.
    #[serde(default)]
    pub translations: Option<Translations>,
}

/// The incident summary embedded in an [`IncidentUpdateDetailed`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct IncidentBrief {
    /// The incident id.
    pub id: IncidentId,
    /// The title.
    #[serde(default)]
    pub name: Option<LocalizedText>,
    /// When it started.
    #[serde(default)]
    pub started: Option<Timestamp>,
    /// The stage.
    #[serde(default)]
    pub status: Option<IncidentStatus>,
    /// Affected components.
    #[serde(default)]
    pub components: Vec<ComponentBrief>,
}

/// The incident created from a template (`POST /v1/{page}/incidents/{template}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct IncidentFromTemplate {
    /// The incident id.
    pub id: IncidentId,
    /// The title.
    #[serde(default)]
    pub name: Option<LocalizedText>,
    /// The stage.
    pub status: IncidentStatus,
    /// Whether subscribers were notified.
    #[serde(default)]
    pub notify: Option<bool>,
    /// When it started.
    #[serde(default)]
    pub started: Option<Timestamp>,
    /// When it was resolved.
    #[serde(default)]
    pub resolved: Option<Timestamp>,
    /// The impact.
    #[serde(default)]
    pub impact: Option<IncidentImpact>,
    /// Whether an automation made it.
    #[serde(default)]
    pub automated: Option<bool>,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
}

/// The update a template added to an incident (`POST /v2/{page}/incidents/{id}/incident-updates/{template}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct IncidentUpdateFromTemplate {
    /// The update id.
    pub id: IncidentUpdateId,
    /// The message.
    #[serde(default)]
    pub message: Option<String>,
    /// The stage.
    pub status: IncidentStatus,
    /// Whether subscribers were notified.
    #[serde(default)]
    pub notify: Option<bool>,
    /// When the update happened.
    #[serde(default)]
    pub started: Option<Timestamp>,
    /// The incident id.
    #[serde(default)]
    pub incident_id: Option<IncidentId>,
}
