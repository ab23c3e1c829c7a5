//! Subscribers: list, add, remove. There is no update: change = remove + add.

use serde::Serialize;

use super::{Call, ListCall, Op};
use crate::model::{
    ComponentId, PageId, RemovedSubscriber, Subscriber, SubscriberDetail, SubscriberId,
};

/// Body of `POST /v1/{page_id}/subscribers` (spec: `AddSubscriberRequest`). Set exactly one of
/// `email`, `phone` or `webhook`: start from [`email`](Self::email), [`phone`](Self::phone) or
/// [`webhook`](Self::webhook).
///
/// ```
/// use instatus::api::subscribers::AddSubscriberRequest;
/// use instatus::model::ComponentId;
///
/// let body = AddSubscriberRequest::email("ops@ephemery.dev")
///     .components([ComponentId::new("ckexec")])
///     .auto_confirm(true);
/// assert_eq!(body.phone, None);
/// let hook = AddSubscriberRequest::webhook("https://hooks.example.org/x").webhook_email("ops@ephemery.dev").all(true);
/// assert_eq!(hook.all, Some(true));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AddSubscriberRequest {
    /// Email address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number (SMS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Webhook URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook: Option<String>,
    /// Where Instatus emails when the webhook fails.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_email: Option<String>,
    /// Subscribe to every component.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all: Option<bool>,
    /// Skip the confirmation mail (paid plans).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_confirm: Option<bool>,
    /// The components, when not `all`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<ComponentId>>,
    /// Language code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

impl AddSubscriberRequest {
    /// An email subscriber.
    pub fn email(address: impl Into<String>) -> Self {
        Self {
            email: Some(address.into()),
            ..Self::default()
        }
    }

    /// An SMS subscriber (E.164 number, e.g. `+4915112345678`).
    pub fn phone(number: impl Into<String>) -> Self {
        Self {
            phone: Some(number.into()),
            ..Self::default()
        }
    }

    /// A webhook subscriber.
    pub fn webhook(url: impl Into<String>) -> Self {
        Self {
            webhook: Some(url.into()),
            ..Self::default()
        }
    }
}

setters!(AddSubscriberRequest {
    opt webhook_email: String,
    opt all: bool,
    opt auto_confirm: bool,
    opt_list components: ComponentId,
    opt language: String,
});

/// `GET /v2/{page_id}/subscribers`.
pub fn list(page: &PageId) -> ListCall<Subscriber> {
    ListCall::new(Op::ListSubscribers, &[page.as_str()])
}

/// `GET /v2/{page_id}/subscribers?search=...`: by email address or phone number.
pub fn search(page: &PageId, needle: &str) -> ListCall<Subscriber> {
    list(page).query("search", needle)
}

/// `POST /v1/{page_id}/subscribers`.
pub fn add(page: &PageId, body: &AddSubscriberRequest) -> Call<SubscriberDetail> {
    Call::with_body(Op::AddSubscriber, &[page.as_str()], body)
}

/// `DELETE /v1/{page_id}/subscribers/{subscriber_id}`.
pub fn remove(page: &PageId, subscriber: &SubscriberId) -> Call<RemovedSubscriber> {
    Call::new(Op::RemoveSubscriber, &[page.as_str(), subscriber.as_str()])
}
