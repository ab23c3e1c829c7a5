//! The API's enumerations, with every documented value plus an `Unknown` fallback.
//!
//! A value Instatus adds later must not break deserialization, so every enum keeps an unknown value
//! verbatim in `Unknown(String)` and writes it back unchanged. Code that takes values from users
//! (module options, config files) parses with [`parse_known`](ComponentStatus::parse_known), which
//! rejects unknown values and names the allowed ones.

use std::fmt;

/// The error for a value that is not one of an enum's documented values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not a valid {kind}; allowed values: {} (the API's upper-case spelling, e.g. {}, is accepted too)", allowed.join(", "), api_spelling.first().copied().unwrap_or_default())]
pub struct UnknownValue {
    /// The enum's name, e.g. `component status`.
    pub kind: &'static str,
    /// The value that was given.
    pub value: String,
    /// The documented values as users write them (`major_outage`).
    pub allowed: Vec<String>,
    /// The documented values in the API's spelling (`MAJOROUTAGE`).
    pub api_spelling: &'static [&'static str],
}

/// The user spelling of a variant: the one given (`as "scheduled"`), or its name in snake_case.
fn user_spelling(variant: &str, given: &[&str]) -> String {
    given
        .first()
        .map_or_else(|| snake_case(variant), |s| (*s).to_owned())
}

/// `MajorOutage` → `major_outage`.
fn snake_case(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    for (i, ch) in camel.chars().enumerate() {
        if ch.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(ch.to_ascii_lowercase());
    }
    out
}

macro_rules! api_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $kind:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal $(as $user:literal)? ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the crate does not know, kept verbatim so it round-trips.
            Unknown(String),
        }

        impl $name {
            /// Every documented value, in the API's spelling.
            pub const KNOWN: &'static [&'static str] = &[$($wire),+];

            /// The value in the API's spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Unknown(other) => other,
                }
            }

            /// Parses a value leniently: an unknown value becomes `Unknown`.
            pub fn from_wire(value: &str) -> Self {
                match value {
                    $( $wire => Self::$variant, )+
                    other => Self::Unknown(other.to_owned()),
                }
            }

            /// Parses a value strictly, accepting the documented values only (case-insensitive,
            /// `_`, `-` and spaces ignored, so `major_outage` means `MAJOROUTAGE`).
            pub fn parse_known(value: &str) -> Result<Self, UnknownValue> {
                $( $( if value == $user { return Ok(Self::$variant); } )? )+
                let folded: String = value
                    .chars()
                    .filter(|c| !matches!(c, '_' | '-' | ' '))
                    .collect::<String>()
                    .to_ascii_uppercase();
                match Self::from_wire(&folded) {
                    Self::Unknown(_) => Err(UnknownValue {
                        kind: $kind,
                        value: value.to_owned(),
                        allowed: Self::user_names(),
                        api_spelling: Self::KNOWN,
                    }),
                    known => Ok(known),
                }
            }

            /// The value as Ansible users and config files write it: snake_case of the variant
            /// (`MAJOROUTAGE` → `major_outage`) unless the variant names a plainer word
            /// (`NOTSTARTEDYET` → `scheduled`); an unknown value lower-cased. [`parse_known`](Self::parse_known) reads it back.
            pub fn user_name(&self) -> String {
                match self {
                    $( Self::$variant => user_spelling(stringify!($variant), &[$($user)?]), )+
                    Self::Unknown(other) => other.to_ascii_lowercase(),
                }
            }

            /// Every documented value as users write it, in the API's order.
            pub fn user_names() -> Vec<String> {
                vec![$( user_spelling(stringify!($variant), &[$($user)?]) ),+]
            }

            /// Whether this is a documented value.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let value = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Ok(Self::from_wire(&value))
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string", "enum": Self::KNOWN })
            }
        }
    };
}

api_enum!(
    /// The live status of a component.
    ///
    /// How bad a status is, an unknown one included, is decided in one place:
    /// [`Level::from_status`](crate::status::Level::from_status). The derived `Ord` is declaration
    /// order, for sets and maps only.
    ComponentStatus, "component status" {
        /// Working normally.
        Operational = "OPERATIONAL",
        /// In a maintenance window.
        UnderMaintenance = "UNDERMAINTENANCE",
        /// Slower or less reliable than normal.
        DegradedPerformance = "DEGRADEDPERFORMANCE",
        /// Partly unavailable.
        PartialOutage = "PARTIALOUTAGE",
        /// Unavailable.
        MajorOutage = "MAJOROUTAGE",
    }
);

api_enum!(
    /// The stage of an incident.
    IncidentStatus, "incident status" {
        /// The cause is being looked for.
        Investigating = "INVESTIGATING",
        /// The cause is known.
        Identified = "IDENTIFIED",
        /// A fix is in place and being watched.
        Monitoring = "MONITORING",
        /// Over.
        Resolved = "RESOLVED",
    }
);

api_enum!(
    /// The stage of a maintenance window.
    MaintenanceStatus, "maintenance status" {
        /// Scheduled, not begun (`scheduled` as users write it).
        NotStartedYet = "NOTSTARTEDYET" as "scheduled",
        /// Running now.
        InProgress = "INPROGRESS",
        /// Over.
        Completed = "COMPLETED",
    }
);

api_enum!(
    /// The worst component status an incident caused.
    IncidentImpact, "incident impact" {
        /// No visible impact.
        Operational = "OPERATIONAL",
        /// Degraded performance.
        DegradedPerformance = "DEGRADEDPERFORMANCE",
        /// Partial outage.
        PartialOutage = "PARTIALOUTAGE",
        /// Major outage.
        MajorOutage = "MAJOROUTAGE",
    }
);

api_enum!(
    /// The overall status of a page, as the REST API reports it.
    PageStatus, "page status" {
        /// Every component is operational.
        Up = "UP",
        /// Something is wrong (older, coarse value).
        HasIssues = "HASISSUES",
        /// Every component is under maintenance.
        AllUnderMaintenance = "ALLUNDERMAINTENANCE",
        /// Every component is degraded.
        AllDegradedPerformance = "ALLDEGRADEDPERFORMANCE",
        /// Every component is partly down.
        AllPartialOutage = "ALLPARTIALOUTAGE",
        /// Every component has a minor outage.
        AllMinorOutage = "ALLMINOROUTAGE",
        /// Every component is down.
        AllMajorOutage = "ALLMAJOROUTAGE",
        /// Some components are under maintenance.
        SomeUnderMaintenance = "SOMEUNDERMAINTENANCE",
        /// Some components are degraded.
        SomeDegradedPerformance = "SOMEDEGRADEDPERFORMANCE",
        /// Some components are partly down.
        SomePartialOutage = "SOMEPARTIALOUTAGE",
        /// Some components have a minor outage.
        SomeMinorOutage = "SOMEMINOROUTAGE",
        /// Some components are down.
        SomeMajorOutage = "SOMEMAJOROUTAGE",
        /// One component is under maintenance.
        OneUnderMaintenance = "ONEUNDERMAINTENANCE",
        /// One component is degraded.
        OneDegradedPerformance = "ONEDEGRADEDPERFORMANCE",
        /// One component is partly down.
        OnePartialOutage = "ONEPARTIALOUTAGE",
        /// One component has a minor outage.
        OneMinorOutage = "ONEMINOROUTAGE",
        /// One component is down.
        OneMajorOutage = "ONEMAJOROUTAGE",
    }
);

api_enum!(
    /// The overall status on the public `summary.json`.
    PublicPageStatus, "public page status" {
        /// All good.
        Up = "UP",
        /// Something is wrong.
        HasIssues = "HASISSUES",
        /// A maintenance is running.
        UnderMaintenance = "UNDERMAINTENANCE",
    }
);

api_enum!(
    /// The status a template gives to the notice it creates (incident or maintenance statuses).
    TemplateStatus, "template status" {
        /// Incident: investigating.
        Investigating = "INVESTIGATING",
        /// Incident: identified.
        Identified = "IDENTIFIED",
        /// Incident: monitoring.
        Monitoring = "MONITORING",
        /// Incident: resolved.
        Resolved = "RESOLVED",
        /// Maintenance: not started yet (`scheduled` as users write it).
        NotStartedYet = "NOTSTARTEDYET" as "scheduled",
        /// Maintenance: in progress.
        InProgress = "INPROGRESS",
        /// Maintenance: completed.
        Completed = "COMPLETED",
    }
);

api_enum!(
    /// What a template creates.
    TemplateType, "template type" {
        /// Incidents.
        Incident = "INCIDENT",
        /// Maintenances.
        Maintenance = "MAINTENANCE",
    }
);

api_enum!(
    /// Who made a template.
    TemplateOrigin, "template origin" {
        /// A person, in the dashboard.
        Manual = "MANUAL",
        /// An integration.
        Integration = "INTEGRATION",
        /// A monitor.
        Monitor = "MONITOR",
    }
);

api_enum!(
    /// What a team member may do.
    TeammatePermission, "teammate permission" {
        /// Everything.
        Full = "FULL",
        /// Read only.
        Read = "READ",
        /// Read and write.
        Write = "WRITE",
        /// Member.
        Member = "MEMBER",
        /// Editor.
        Editor = "EDITOR",
    }
);

api_enum!(
    /// The SMS provider a page uses (lower-case on the wire).
    SmsService, "SMS service" {
        /// Twilio.
        Twilio = "twilio",
        /// Vonage (Nexmo).
        Vonage = "vonage",
        /// Esendex.
        Esendex = "esendex",
        /// MessageBird.
        Messagebird = "messagebird",
        /// Amazon SNS.
        Sns = "sns",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_round_trip() {
        let s: ComponentStatus = serde_json::from_str("\"MINOROUTAGE\"").unwrap();
        assert_eq!(s, ComponentStatus::Unknown("MINOROUTAGE".into()));
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"MINOROUTAGE\"");
    }

    #[test]
    fn every_known_value_round_trips() {
        for wire in ComponentStatus::KNOWN {
            let parsed = ComponentStatus::from_wire(wire);
            assert!(parsed.is_known(), "{wire}");
            assert_eq!(parsed.as_str(), *wire);
        }
        assert_eq!(PageStatus::KNOWN.len(), 17);
    }

    #[test]
    fn one_user_spelling_per_value_read_back_with_the_api_spelling_as_an_alias() {
        assert_eq!(MaintenanceStatus::NotStartedYet.user_name(), "scheduled");
        assert_eq!(MaintenanceStatus::InProgress.user_name(), "in_progress");
        assert_eq!(ComponentStatus::MajorOutage.user_name(), "major_outage");
        for spelling in ["scheduled", "NOTSTARTEDYET", "not_started_yet"] {
            assert_eq!(
                MaintenanceStatus::parse_known(spelling).unwrap(),
                MaintenanceStatus::NotStartedYet,
                "{spelling}"
            );
        }
        for status in ComponentStatus::user_names() {
            assert_eq!(
                ComponentStatus::parse_known(&status).unwrap().user_name(),
                status
            );
        }
    }

    #[test]
    fn strict_parse_names_the_allowed_values() {
        assert_eq!(
            ComponentStatus::parse_known("major_outage").unwrap(),
            ComponentStatus::MajorOutage
        );
        let err = ComponentStatus::parse_known("DEGRADED").unwrap_err();
        assert_eq!(
            err.to_string(),
            "'DEGRADED' is not a valid component status; allowed values: operational, \
             under_maintenance, degraded_performance, partial_outage, major_outage (the API's \
             upper-case spelling, e.g. OPERATIONAL, is accepted too)"
        );
    }

    /// The statuses' one ordering is the engine's level (`ComponentStatus::severity`, a second
    /// one, is gone); where the unknown-status rule is stated, this checks it holds.
    #[test]
    fn statuses_order_by_level_and_an_unknown_one_is_never_hidden() {
        use crate::status::Level;
        let level = Level::from_status;
        assert!(level(&ComponentStatus::MajorOutage) > level(&ComponentStatus::PartialOutage));
        assert!(
            level(&ComponentStatus::Unknown("X".into())) > level(&ComponentStatus::Operational)
        );
    }
}
