//! Identifier newtypes, so a component id can never be passed where an incident id is wanted.

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id as Instatus returns it (a cuid such as `ckf01fvnxywz50a35nh1qzssm`).
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string" })
            }
        }
    };
}

id_type!(
    /// A status page (Instatus calls it a site).
    PageId
);
id_type!(
    /// A component or a component group (a group is a component with `isParent: true`).
    ComponentId
);
id_type!(
    /// An incident.
    IncidentId
);
id_type!(
    /// One update (message and status change) of an incident.
    IncidentUpdateId
);
id_type!(
    /// A maintenance window.
    MaintenanceId
);
id_type!(
    /// One update of a maintenance window.
    MaintenanceUpdateId
);
id_type!(
    /// A subscriber (email, phone or webhook).
    SubscriberId
);
id_type!(
    /// An incident or maintenance template.
    TemplateId
);
id_type!(
    /// A public metric shown on the page.
    MetricId
);
id_type!(
    /// A team member of a page.
    TeamMemberId
);
id_type!(
    /// A user account.
    UserId
);
id_type!(
    /// A workspace (the owner of one or more pages).
    WorkspaceId
);
id_type!(
    /// A cron (heartbeat) monitor.
    CronMonitorId
);
