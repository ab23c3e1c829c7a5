//! The public, unauthenticated views on the page host: `summary.json` and `v2/components.json`.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{
    ComponentId, ComponentStatus, IncidentImpact, IncidentStatus, MaintenanceStatus,
    PublicPageStatus,
};

/// `GET https://<page-host>/summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PublicSummary {
    /// The page.
    pub page: PublicPage,
    /// Open incidents.
    #[serde(default)]
    pub active_incidents: Vec<PublicIncident>,
    /// Running or upcoming maintenances.
    #[serde(default)]
    pub active_maintenances: Vec<PublicMaintenance>,
}

/// The page in a [`PublicSummary`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PublicPage {
    /// The page name.
    pub name: String,
    /// The page URL.
    pub url: String,
    /// The coarse status.
    pub status: PublicPageStatus,
}

/// An open incident in a [`PublicSummary`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PublicIncident {
    /// The title.
    pub name: String,
    /// When it started.
    #[serde(default)]
    pub started: Option<Timestamp>,
    /// The stage.
    pub status: IncidentStatus,
    /// The impact.
    #[serde(default)]
    pub impact: Option<IncidentImpact>,
    /// Link to the incident page.
    #[serde(default)]
    pub url: Option<String>,
}

/// A maintenance in a [`PublicSummary`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PublicMaintenance {
    /// The maintenance id.
    #[serde(default)]
    pub id: Option<String>,
    /// The title.
    pub name: String,
    /// Planned start.
    #[serde(default)]
    pub start: Option<Timestamp>,
    /// The stage.
    pub status: MaintenanceStatus,
    /// Minutes.
    #[serde(default)]
    pub duration: Option<f64>,
    /// Link.
    #[serde(default)]
    pub url: Option<String>,
}

/// `GET https://<page-host>/v2/components.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PublicComponents {
    /// Every component.
    pub components: Vec<PublicComponent>,
}

/// A component in [`PublicComponents`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PublicComponent {
    /// The component id.
    pub id: ComponentId,
    /// The name.
    pub name: String,
    /// The status.
    pub status: ComponentStatus,
    /// The group, if any.
    #[serde(default)]
    pub group: Option<PublicGroup>,
}

/// The group of a [`PublicComponent`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PublicGroup {
    /// The group name.
    pub name: String,
}
