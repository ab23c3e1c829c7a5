//! The public views on the page host (no API key): send them with
//! [`Client::send_public`](crate::Client::send_public) and the page's URL.

use super::{Call, Op};
use crate::model::{PublicComponents, PublicSummary};

/// `GET /summary.json`.
pub fn summary() -> Call<PublicSummary> {
    Call::new(Op::PublicSummary, &[])
}

/// `GET /v2/components.json`.
pub fn components() -> Call<PublicComponents> {
    Call::new(Op::PublicComponents, &[])
}
