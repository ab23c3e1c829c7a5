//! Response types: what the API returns.
//!
//! Every struct is `#[non_exhaustive]` and tolerant: fields Instatus omits in some responses are
//! `Option` or default to empty, and unknown fields are ignored, so a new server field never breaks
//! a client. Enums keep unknown values (see [`enums`]). Request bodies live in [`crate::api`].

mod component;
pub mod enums;
mod ids;
mod incident;
mod maintenance;
mod metric;
mod monitor;
mod page;
mod public;
mod subscriber;
mod team;
mod template;
mod text;
mod tree;

pub use component::{Component, ComponentBrief, GroupRef};
pub use enums::{
    ComponentStatus, IncidentImpact, IncidentStatus, MaintenanceStatus, PageStatus,
    PublicPageStatus, SmsService, TeammatePermission, TemplateOrigin, TemplateStatus, TemplateType,
    UnknownValue,
};
pub use ids::{
    ComponentId, CronMonitorId, IncidentId, IncidentUpdateId, MaintenanceId, MaintenanceUpdateId,
    MetricId, PageId, SubscriberId, TeamMemberId, TemplateId, UserId, WorkspaceId,
};
pub use incident::{
    Incident, IncidentBrief, IncidentFromTemplate, IncidentUpdate, IncidentUpdateDetailed,
    IncidentUpdateFromTemplate,
};
pub use maintenance::{
    Maintenance, MaintenanceBrief, MaintenanceUpdate, MaintenanceUpdateDetailed,
};
pub use metric::{Datapoint, DeletedDatapoints, DeletedMetric, Metric};
pub use monitor::{CronMonitor, CronMonitorAnswer, CronMonitorList};
pub use page::StatusPage;
pub use public::{
    PublicComponent, PublicComponents, PublicGroup, PublicIncident, PublicMaintenance, PublicPage,
    PublicSummary,
};
pub use subscriber::{RemovedSubscriber, Subscriber, SubscriberDetail};
pub use team::{Teammate, TeammateInvited, TeammateRemoved, User, UserProfile};
pub use template::{DeletedTemplate, Template, TemplateComponent};
pub use text::{LocalizedText, Translations};
pub use tree::{ComponentTree, PathsError, TreeNode, PATH_SEPARATOR};

/// The answer to most deletes: the id of what was removed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Deleted {
    /// The removed object's id.
    pub id: String,
}
