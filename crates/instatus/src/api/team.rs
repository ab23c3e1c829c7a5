//! Team members.

use serde::Serialize;

use super::{Call, ListCall, Op};
use crate::model::{
    PageId, TeamMemberId, Teammate, TeammateInvited, TeammatePermission, TeammateRemoved,
};

/// Body of `POST /v1/{page_id}/team` (spec: `AddTeammateRequest`).
///
/// ```
/// use instatus::api::team::AddTeammateRequest;
/// use instatus::model::TeammatePermission;
///
/// let body = AddTeammateRequest::new("oncall@ephemery.dev", TeammatePermission::Full).team("ckteam");
/// assert_eq!(body.team.as_deref(), Some("ckteam"));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AddTeammateRequest {
    /// Email address to invite.
    pub email: String,
    /// What they may do.
    pub permission: TeammatePermission,
    /// Audience groups (private pages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audience_groups: Option<Vec<String>>,
    /// Team id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
}

impl AddTeammateRequest {
    /// Invites `email` with `permission`.
    pub fn new(email: impl Into<String>, permission: TeammatePermission) -> Self {
        Self {
            email: email.into(),
            permission,
            audience_groups: None,
            team: None,
        }
    }
}

setters!(AddTeammateRequest {
    opt_list audience_groups: String,
    opt team: String,
});

/// `GET /v1/{page_id}/team`.
pub fn list(page: &PageId) -> ListCall<Teammate> {
    ListCall::new(Op::ListTeam, &[page.as_str()])
}

/// `POST /v1/{page_id}/team`.
pub fn add(page: &PageId, body: &AddTeammateRequest) -> Call<TeammateInvited> {
    Call::with_body(Op::AddTeammate, &[page.as_str()], body)
}

/// `DELETE /v1/{page_id}/team/{member_id}`.
pub fn remove(page: &PageId, member: &TeamMemberId) -> Call<TeammateRemoved> {
    Call::new(Op::RemoveTeammate, &[page.as_str(), member.as_str()])
}
