//! The four levels automation can set, ordered from healthy to down.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::ComponentStatus;

/// How bad a component is: `Operational < Degraded < PartialOutage < MajorOutage`.
///
/// Maintenance is not a level: it is a person's decision, and automation stands back from it
/// (see the precedence rules in [`crate::status`]).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub enum Level {
    /// Working normally.
    #[default]
    Operational,
    /// Slower or less reliable than normal.
    Degraded,
    /// Partly unavailable.
    PartialOutage,
    /// Unavailable.
    MajorOutage,
}

/// A word [`Level::parse`] does not know; the message lists the allowed values.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not a level; allowed values: {}", Level::ALLOWED.join(", "))]
pub struct UnknownLevel {
    /// The word as written.
    pub value: String,
}

impl Level {
    /// Every level, healthy first.
    pub const ALL: [Level; 4] = [
        Level::Operational,
        Level::Degraded,
        Level::PartialOutage,
        Level::MajorOutage,
    ];

    /// The spellings accepted in configuration (Instatus' own spellings are accepted too).
    pub const ALLOWED: &'static [&'static str] =
        &["operational", "degraded", "partial_outage", "major_outage"];

    /// The configuration spelling: `operational`, `degraded`, `partial_outage`, `major_outage`.
    pub fn as_str(self) -> &'static str {
        Self::ALLOWED[self as usize]
    }

    /// Words for messages: `major outage`.
    pub fn words(self) -> &'static str {
        match self {
            Level::Operational => "operational",
            Level::Degraded => "degraded performance",
            Level::PartialOutage => "partial outage",
            Level::MajorOutage => "major outage",
        }
    }

    /// Parses a level: the configuration spelling or Instatus' (`MAJOROUTAGE`,
    /// `degraded_performance`), case-insensitive, `_`, `-` and spaces ignored.
    pub fn parse(value: &str) -> Result<Level, UnknownLevel> {
        let folded: String = value
            .chars()
            .filter(|c| !matches!(c, '_' | '-' | ' '))
            .collect::<String>()
            .to_ascii_lowercase();
        match folded.as_str() {
            "operational" => Ok(Level::Operational),
            "degraded" | "degradedperformance" => Ok(Level::Degraded),
            "partialoutage" => Ok(Level::PartialOutage),
            "majoroutage" => Ok(Level::MajorOutage),
            _ => Err(UnknownLevel {
                value: value.to_owned(),
            }),
        }
    }

    /// The component status Instatus stores for this level.
    pub fn status(self) -> ComponentStatus {
        match self {
            Level::Operational => ComponentStatus::Operational,
            Level::Degraded => ComponentStatus::DegradedPerformance,
            Level::PartialOutage => ComponentStatus::PartialOutage,
            Level::MajorOutage => ComponentStatus::MajorOutage,
        }
    }

    /// The level a page status stands for. Maintenance reads as operational (automation does not
    /// own it); a status this crate does not know reads as degraded: worse than healthy, never hidden.
    pub fn from_status(status: &ComponentStatus) -> Level {
        match status {
            ComponentStatus::Operational | ComponentStatus::UnderMaintenance => Level::Operational,
            ComponentStatus::DegradedPerformance => Level::Degraded,
            ComponentStatus::PartialOutage => Level::PartialOutage,
            ComponentStatus::MajorOutage => Level::MajorOutage,
            _ => Level::Degraded,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Level {
    type Error = UnknownLevel;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Level::parse(&value)
    }
}

impl From<Level> for String {
    fn from(level: Level) -> String {
        level.as_str().to_owned()
    }
}

/// The configuration spellings (Instatus' own spellings are accepted too, see [`Level::parse`]).
impl schemars::JsonSchema for Level {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Level".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "enum": Level::ALLOWED })
    }
}
