//! The ignored-writes cache the page modules share with `instatus-bridge page`: it lives in the
//! library ([`instatus::desired::cache`]) so both keep the same facts in the same file.

pub use instatus::desired::cache::{IgnoredWrites, FORGET_AFTER, MAX_ENTRIES};
