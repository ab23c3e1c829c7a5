//! Components and component groups.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{ComponentId, ComponentStatus, LocalizedText, Translations};

/// A component, or a group of components (`is_parent`).
///
/// The flat v1 list gives each child a `group_id` (and the parent object in `group`); the v2 list
/// nests children under their parent in `children`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Component {
    /// The component id.
    pub id: ComponentId,
    /// The name (a string, or a translations object in some responses).
    pub name: LocalizedText,
    /// The description.
    #[serde(default)]
    pub description: Option<LocalizedText>,
    /// The live status.
    pub status: ComponentStatus,
    /// Position on the page; the server may reassign it.
    #[serde(default)]
    pub order: Option<i64>,
    /// Whether the uptime bar and percentage are shown.
    #[serde(default)]
    pub show_uptime: Option<bool>,
    /// The parent group's id, `None` at top level.
    #[serde(default)]
    pub group_id: Option<ComponentId>,
    /// The parent group object, as the v1 list embeds it.
    #[serde(default)]
    pub group: Option<GroupRef>,
    /// Whether this component is a group.
    #[serde(default)]
    pub is_parent: bool,
    /// Children, in the nested v2 list.
    #[serde(default)]
    pub children: Vec<Component>,
    /// The automation email address (`DOWN` / `UP` subjects).
    #[serde(default)]
    pub unique_email: Option<String>,
    /// When the component was archived, if it is.
    #[serde(default)]
    pub archived_at: Option<Timestamp>,
    /// HTML form of the description.
    #[serde(default)]
    pub description_html: Option<String>,
    /// The page id.
    #[serde(default)]
    pub site_id: Option<String>,
    /// Translations.
    #[serde(default)]
    pub translations: Option<Translations>,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Last update time.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
}

impl Component {
    /// The parent id from whichever field the response filled (`groupId` or `group.id`).
    pub fn parent_id(&self) -> Option<&ComponentId> {
        self.group_id
            .as_ref()
            .or_else(|| self.group.as_ref().map(|g| &g.id))
    }

    /// The description as text, empty when absent.
    pub fn description_str(&self) -> &str {
        self.description
            .as_ref()
            .map(LocalizedText::as_str)
            .unwrap_or("")
    }

    /// Whether the component is archived.
    pub fn is_archived(&self) -> bool {
        self.archived_at.is_some()
    }

    /// Whether the uptime bar is shown; Instatus shows it unless told otherwise.
    pub fn shows_uptime(&self) -> bool {
        self.show_uptime.unwrap_or(true)
    }
}

/// The parent group embedded in a v1 component.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GroupRef {
    /// The group id.
    pub id: ComponentId,
    /// The group name.
    #[serde(default)]
    pub name: Option<LocalizedText>,
}

/// A component as an incident or maintenance lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ComponentBrief {
    /// The component id.
    pub id: ComponentId,
    /// The name.
    #[serde(default)]
    pub name: Option<LocalizedText>,
    /// The status. The spec types this as an incident status on incidents, but the API sends
    /// component statuses (a spec bug); unknown values are kept either way.
    #[serde(default)]
    pub status: Option<ComponentStatus>,
    /// Whether uptime is shown.
    #[serde(default)]
    pub show_uptime: Option<bool>,
}
