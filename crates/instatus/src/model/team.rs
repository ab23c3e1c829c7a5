//! Team members and the current user.

use serde::{Deserialize, Serialize};

use super::{TeamMemberId, UserId};

/// A team member of a page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Teammate {
    /// The membership id (what removal takes).
    pub id: TeamMemberId,
    /// The user.
    pub user: User,
}

/// A user as embedded in a [`Teammate`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct User {
    /// The user id.
    pub id: UserId,
    /// The name, if set.
    #[serde(default)]
    pub name: Option<String>,
    /// The email address.
    pub email: String,
    /// Avatar URL, if set.
    #[serde(default)]
    pub avatar: Option<String>,
}

/// The answer to adding a team member.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TeammateInvited {
    /// The invited email address.
    pub email: String,
}

/// The answer to removing a team member.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TeammateRemoved {
    /// The membership id.
    pub member_id: TeamMemberId,
}

/// The owner of the API key (`GET /v1/user`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UserProfile {
    /// The user id.
    pub id: UserId,
    /// The email address.
    pub email: String,
    /// The name.
    #[serde(default)]
    pub name: Option<String>,
    /// The slug.
    #[serde(default)]
    pub slug: Option<String>,
    /// Avatar URL.
    #[serde(default)]
    pub avatar: Option<String>,
}
