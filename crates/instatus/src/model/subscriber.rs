//! Subscribers: email, SMS and webhook.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{ComponentId, SubscriberId};

/// A subscriber, as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Subscriber {
    /// The subscriber id.
    pub id: SubscriberId,
    /// Email address, for email subscribers.
    #[serde(default)]
    pub email: Option<String>,
    /// Phone number, for SMS subscribers.
    #[serde(default)]
    pub phone: Option<String>,
    /// Webhook URL, for webhook subscribers.
    #[serde(default)]
    pub webhook: Option<String>,
    /// Where Instatus emails when the webhook fails.
    #[serde(default)]
    pub webhook_email: Option<String>,
    /// Whether the subscription is confirmed.
    #[serde(default)]
    pub confirmed: Option<bool>,
    /// Subscribed to every component.
    #[serde(default)]
    pub all: Option<bool>,
    /// The components subscribed to, when not `all`.
    #[serde(default)]
    pub components: Vec<ComponentId>,
}

/// The subscriber record returned when one is added.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SubscriberDetail {
    /// The subscriber id.
    pub id: SubscriberId,
    /// Email address.
    #[serde(default)]
    pub email: Option<String>,
    /// Phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// Webhook URL.
    #[serde(default)]
    pub webhook: Option<String>,
    /// Webhook failure email.
    #[serde(default)]
    pub webhook_email: Option<String>,
    /// Whether the subscription is confirmed.
    #[serde(default)]
    pub confirmed: Option<bool>,
    /// Subscribed to every component.
    #[serde(default)]
    pub all: Option<bool>,
    /// Language code.
    #[serde(default)]
    pub language: Option<String>,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
}

impl From<Subscriber> for SubscriberDetail {
    /// The detail of a listed subscriber (what an add answers), for a subscriber found by a
    /// lookup after an add whose answer was lost.
    fn from(s: Subscriber) -> Self {
        SubscriberDetail {
            id: s.id,
            email: s.email,
            phone: s.phone,
            webhook: s.webhook,
            webhook_email: s.webhook_email,
            confirmed: s.confirmed,
            all: s.all,
            language: None,
            created_at: None,
        }
    }
}

/// The record returned when a subscriber is removed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RemovedSubscriber {
    /// The subscriber id.
    pub id: SubscriberId,
    /// Email address.
    #[serde(default)]
    pub email: Option<String>,
    /// Phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// Webhook URL.
    #[serde(default)]
    pub webhook: Option<String>,
}
