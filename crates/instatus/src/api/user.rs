//! The owner of the API key.

use super::{Call, Op};
use crate::model::UserProfile;

/// `GET /v1/user`: a cheap way to check that a key works.
pub fn get() -> Call<UserProfile> {
    Call::new(Op::GetUser, &[])
}
