//! Instatus's outgoing webhooks: check the signature on the raw body, then parse the payload.
//!
//! Instatus posts JSON to every webhook subscriber when an incident or a maintenance is created
//! or updated and when a component's status changes. Each request carries
//! `x-instatus-webhook-signature`: the lower-case hex HMAC-SHA256 of the body, keyed by the
//! subscriber's webhook secret (dashboard → subscribers → webhook; see
//! <https://instatus.com/help/notifications/webhook>). Instatus's own sample receiver recomputes it
//! over `JSON.stringify(req.body)`, i.e. the compact JSON; [`Verifier`] checks the raw bytes and
//! then that compact form ([`SignedOver`] makes it raw-only). The comparison is constant time
//! (`ring::hmac::verify`).
//!
//! The signature has no timestamp, so a captured delivery verifies again when replayed: use
//! [`ReplayGuard`] (or [`Event::dedupe_key`]) to act on each change once.
//!
//! ```
//! use instatus::webhook::{sign, Event, ReplayGuard, Verifier, SIGNATURE_HEADER};
//! use instatus::model::IncidentStatus;
//! use instatus::Secret;
//!
//! let secret = Secret::new("whsec-from-the-dashboard");
//! // What a receiver gets: the raw body and the header.
//! let body = br#"{"meta":{},"page":{"id":"p1","status_indicator":"HASISSUES","url":"https://ephemery.instatus.com"},
//!   "incident":{"id":"i1","name":"Execution client down","status":"Investigating",
//!   "created_at":"2026-03-01T10:00:00.000Z","updated_at":"2026-03-01T10:00:00.000Z","incident_updates":[]}}"#;
//! let header = sign(&secret, body); // Instatus computes this side
//! assert_eq!(SIGNATURE_HEADER, "x-instatus-webhook-signature");
//!
//! let verifier = Verifier::new(&secret);
//! let mut seen = ReplayGuard::new(1000);
//! let event = verifier.verify_and_parse(body, Some(&header))?;
//! assert!(seen.first_time(&event));
//! let Event::Incident(e) = &event else { panic!("an incident") };
//! assert_eq!(e.incident.status, IncidentStatus::Investigating);
//! // The same delivery again verifies, but is not new.
//! let again = verifier.verify_and_parse(body, Some(&header))?;
//! assert!(!seen.first_time(&again));
//! # Ok::<(), instatus::webhook::WebhookError>(())
//! ```

use std::collections::{HashSet, VecDeque};

mod payload;
mod signature;

pub use payload::{
    parse, AffectedComponent, ComponentUpdateEvent, Event, IncidentEvent, IncidentNotice,
    MaintenanceEvent, MaintenanceNotice, Meta, NoticeUpdate, PageInfo, PayloadError,
};
pub use signature::{sign, SignatureError, SignedOver, Verifier};

/// The header that carries the signature (HTTP header names are case-insensitive).
pub const SIGNATURE_HEADER: &str = "x-instatus-webhook-signature";

/// A refused delivery: a bad signature, or a body that is not one of the payloads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The signature is missing, malformed or wrong. Answer 401; do not parse the body.
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// The signature is right but the body is not a payload this version understands. Answer 400.
    #[error(transparent)]
    Payload(#[from] PayloadError),
}

impl Verifier {
    /// Verifies the signature on the raw body, then parses it.
    pub fn verify_and_parse(
        &self,
        body: &[u8],
        signature: Option<&str>,
    ) -> Result<Event, WebhookError> {
        self.verify(body, signature)?;
        Ok(parse(body)?)
    }
}

/// Remembers the last `capacity` deliveries' [`Event::dedupe_key`]s, so a replayed or duplicate
/// delivery is recognised. In memory: after a restart a replay is acted on again, which the
/// receiver must make harmless anyway (Instatus stays the source of truth).
#[derive(Debug, Clone)]
pub struct ReplayGuard {
    capacity: usize,
    order: VecDeque<String>,
    seen: HashSet<String>,
}

impl ReplayGuard {
    /// A guard that remembers up to `capacity` deliveries (at least 1).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            order: VecDeque::new(),
            seen: HashSet::new(),
        }
    }

    /// Whether this is the first delivery of this change; records it.
    pub fn first_time(&mut self, event: &Event) -> bool {
        let key = event.dedupe_key();
        if self.seen.contains(&key) {
            return false;
        }
        if self.order.len() == self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        self.seen.insert(key.clone());
        self.order.push_back(key);
        true
    }
}
