//! Maintenance windows and their updates.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::{
    ComponentBrief, LocalizedText, MaintenanceId, MaintenanceStatus, MaintenanceUpdateId,
    Translations,
};

/// A maintenance window. Responses carry `start` and `duration` but no `end`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Maintenance {
    /// The maintenance id.
    pub id: MaintenanceId,
    /// The title.
    pub name: LocalizedText,
    /// The stage.
    pub status: MaintenanceStatus,
    /// Planned start.
    #[serde(default)]
    pub start: Option<Timestamp>,
    /// Length in minutes.
    #[serde(default)]
    pub duration: Option<i64>,
    /// Notify subscribers at the start.
    #[serde(default)]
    pub notify_start: Option<bool>,
    /// Notify subscribers at the end.
    #[serde(default)]
    pub notify_end: Option<bool>,
    /// Notify subscribers ahead of the start.
    #[serde(default)]
    pub notify_early: Option<bool>,
    /// How many minutes ahead the early notification goes out.
    #[serde(default)]
    pub notify_minutes: Option<i64>,
    /// Start automatically at `start`.
    #[serde(default)]
    pub auto_start: Option<bool>,
    /// End automatically after `duration`.
    #[serde(default)]
    pub auto_end: Option<bool>,
    /// The updates.
    #[serde(default)]
    pub updates: Vec<MaintenanceUpdate>,
    /// Affected components.
    #[serde(default)]
    pub components: Vec<ComponentBrief>,
    /// Translations.
    #[serde(default)]
    pub translations: Option<Translations>,
}

impl Maintenance {
    /// The planned end: `start + duration`, when both are known.
    pub fn end(&self) -> Option<Timestamp> {
        let start = self.start?;
        let minutes = self.duration?;
        // `try_`: a duration of 2^63-1 minutes (which the API accepts) must not panic.
        start
            .checked_add(SignedDuration::try_from_mins(minutes)?)
            .ok()
    }
}

/// One update of a maintenance window, as embedded in [`Maintenance::updates`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MaintenanceUpdate {
    /// The update id.
    pub id: MaintenanceUpdateId,
    /// The message.
    #[serde(default)]
    pub message: Option<String>,
    /// The message as HTML.
    #[serde(default)]
    pub message_html: Option<String>,
    /// The stage.
    pub status: MaintenanceStatus,
    /// Whether subscribers were notified.
    #[serde(default)]
    pub notify: Option<bool>,
    /// When the update happened.
    #[serde(default)]
    pub started: Option<Timestamp>,
    /// When it ended.
    #[serde(default)]
    pub ended: Option<Timestamp>,
    /// Minutes.
    #[serde(default)]
    pub duration: Option<i64>,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
}

/// A maintenance update as returned by the maintenance-update operations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MaintenanceUpdateDetailed {
    /// The update id.
    pub id: MaintenanceUpdateId,
    /// The message.
    #[serde(default)]
    pub message: Option<String>,
    /// The message as HTML.
    #[serde(default)]
    pub message_html: Option<String>,
    /// The stage.
    pub status: MaintenanceStatus,
    /// Whether subscribers were notified.
    #[serde(default)]
    pub notify: Option<bool>,
    /// When the update happened.
    #[serde(default)]
    pub started: Option<Timestamp>,
    /// The maintenance it belongs to.
    #[serde(default)]
    pub maintenance: Option<MaintenanceBrief>,
    /// Translations.
    #[serde(default)]
    pub translations: Option<Translations>,
}

/// The maintenance summary embedded in a [`MaintenanceUpdateDetailed`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MaintenanceBrief {
    /// The maintenance id.
    pub id: MaintenanceId,
    /// The title.
    #[serde(default)]
    pub name: Option<LocalizedText>,
    /// Planned start.
    #[serde(default)]
    pub start: Option<Timestamp>,
    /// The stage.
    #[serde(default)]
    pub status: Option<MaintenanceStatus>,
    /// Affected components.
    #[serde(default)]
    pub components: Vec<ComponentBrief>,
}

#[cfg(test)]
mod overflow_tests {
    use super::*;

    #[test]
    fn a_maintenance_of_2_pow_63_minutes_no_longer_panics_the_end() {
        let m: Maintenance = serde_json::from_value(serde_json::json!({
            "id": "m1", "name": "Forever", "status": "INPROGRESS",
            "start": "2026-12-01T10:00:00Z", "duration": i64::MAX
        }))
        .unwrap();
        assert_eq!(m.end(), None);
        let m: Maintenance = serde_json::from_value(serde_json::json!({
            "id": "m1", "name": "Upgrade", "status": "INPROGRESS",
            "start": "2026-12-01T10:00:00Z", "duration": 90
        }))
        .unwrap();
        assert_eq!(m.end().unwrap().to_string(), "2026-12-01T11:30:00Z");
    }
}
