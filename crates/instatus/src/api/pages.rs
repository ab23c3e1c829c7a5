//! Status pages: list, create, update, delete. There is no "get one page" operation.

use serde::Serialize;

use super::{Call, ListCall, Op};
use crate::model::{Deleted, PageId, PageStatus, SmsService, StatusPage, Translations};
use crate::Secret;

/// Settings shared by page create and update. `None` leaves a setting as it is.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PageSettings {
    /// Logo image URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    /// Favicon URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub favicon_url: Option<String>,
    /// The organisation's website.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website_url: Option<String>,
    /// Language code (`en`, `fr`, `de`...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Use the large header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_large_header: Option<bool>,
    /// Brand colour (hex or `rgb(r,g,b)`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brand_color: Option<String>,
    /// Operational colour.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ok_color: Option<String>,
    /// Partial outage colour.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disrupted_color: Option<String>,
    /// Degraded performance colour.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub degraded_color: Option<String>,
    /// Major outage colour.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub down_color: Option<String>,
    /// Maintenance colour.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice_color: Option<String>,
    /// Unknown status colour.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unknown_color: Option<String>,
    /// Google Analytics id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub google_analytics: Option<String>,
    /// Let visitors subscribe by SMS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscribe_by_sms: Option<bool>,
    /// SMS provider; fill the matching credentials below.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sms_service: Option<SmsService>,
    /// Twilio account SID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub twilio_sid: Option<String>,
    /// Twilio token (secret).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "Secret::serialize_exposed_opt"
    )]
    pub twilio_token: Option<Secret>,
    /// Twilio sender.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub twilio_sender: Option<String>,
    /// Esendex user name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub esendex_username: Option<String>,
    /// Esendex password (secret).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "Secret::serialize_exposed_opt"
    )]
    pub esendex_password: Option<Secret>,
    /// Esendex account reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub esendex_account_ref: Option<String>,
    /// Vonage (Nexmo) key (secret).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "Secret::serialize_exposed_opt"
    )]
    pub nexmo_key: Option<Secret>,
    /// Vonage (Nexmo) secret.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "Secret::serialize_exposed_opt"
    )]
    pub nexmo_secret: Option<Secret>,
    /// Vonage (Nexmo) sender.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nexmo_sender: Option<String>,
    /// HTML in `<head>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html_in_meta: Option<String>,
    /// HTML above the header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html_above_header: Option<String>,
    /// HTML below the header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html_below_header: Option<String>,
    /// HTML above the footer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html_above_footer: Option<String>,
    /// HTML below the footer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html_below_footer: Option<String>,
    /// HTML below the summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html_below_summary: Option<String>,
    /// Global CSS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub css_global: Option<String>,
    /// Launch date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub launch_date: Option<String>,
    /// Date format (date-fns).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_format: Option<String>,
    /// Short date format (date-fns).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_format_short: Option<String>,
    /// Time format (date-fns).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_format: Option<String>,
}

/// The required fields of a new page, by name (three strings in a row are too easy to swap).
/// Every field is required, so this struct is exhaustive on purpose.
#[derive(Clone, Debug, PartialEq)]
pub struct NewStatusPage {
    /// The owner's email address.
    pub email: String,
    /// The page name.
    pub name: String,
    /// The unique slug.
    pub subdomain: String,
}

impl PageSettings {
    /// No setting changed yet: chain the setters.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(PageSettings {
    opt logo_url: String,
    opt favicon_url: String,
    opt website_url: String,
    opt language: String,
    opt use_large_header: bool,
    opt brand_color: String,
    opt ok_color: String,
    opt disrupted_color: String,
    opt degraded_color: String,
    opt down_color: String,
    opt notice_color: String,
    opt unknown_color: String,
    opt google_analytics: String,
    opt subscribe_by_sms: bool,
    opt sms_service: SmsService,
    opt twilio_sid: String,
    opt twilio_token: Secret,
    opt twilio_sender: String,
    opt esendex_username: String,
    opt esendex_password: Secret,
    opt esendex_account_ref: String,
    opt nexmo_key: Secret,
    opt nexmo_secret: Secret,
    opt nexmo_sender: String,
    opt html_in_meta: String,
    opt html_above_header: String,
    opt html_below_header: String,
    opt html_above_footer: String,
    opt html_below_footer: String,
    opt html_below_summary: String,
    opt css_global: String,
    opt launch_date: String,
    opt date_format: String,
    opt date_format_short: String,
    opt time_format: String,
});

/// Body of `POST /v1/pages` (spec: `CreateStatusPageRequest`).
///
/// ```
/// use instatus::api::pages::{CreateStatusPageRequest, NewStatusPage, PageSettings};
///
/// let body = CreateStatusPageRequest::from(NewStatusPage {
///     email: "ops@ephemery.dev".into(),
///     name: "Ephemery".into(),
///     subdomain: "ephemery".into(),
/// })
/// .components(["Execution Client".to_owned(), "Consensus Client".to_owned()])
/// .settings(PageSettings::new().language("en").brand_color("#3b82f6"));
/// assert_eq!(body.subdomain, "ephemery");
/// assert_eq!(body.settings.language.as_deref(), Some("en"));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateStatusPageRequest {
    /// The owner's email address.
    pub email: String,
    /// The page name.
    pub name: String,
    /// The unique slug.
    pub subdomain: String,
    /// Names of components to create with the page (may be empty).
    pub components: Vec<String>,
    /// Workspace to create the page in; a new workspace when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace: Option<String>,
    /// Other settings.
    #[serde(flatten)]
    pub settings: PageSettings,
}

impl From<NewStatusPage> for CreateStatusPageRequest {
    /// A page with no components and default settings.
    fn from(p: NewStatusPage) -> Self {
        Self::new(p.email, p.name, p.subdomain)
    }
}

setters!(CreateStatusPageRequest {
    list components: String,
    opt workspace: String,
    val settings: PageSettings,
});

impl CreateStatusPageRequest {
    /// A page with no components and default settings. Positional (kept for existing callers);
    /// prefer `CreateStatusPageRequest::from(NewStatusPage { .. })`, which names each string.
    pub fn new(
        email: impl Into<String>,
        name: impl Into<String>,
        subdomain: impl Into<String>,
    ) -> Self {
        Self {
            email: email.into(),
            name: name.into(),
            subdomain: subdomain.into(),
            components: Vec::new(),
            workspace: None,
            settings: PageSettings::default(),
        }
    }
}

/// Body of `PUT /v2/{page_id}` (spec: `UpdateStatusPageRequest`). `None` leaves a field as it is.
///
/// ```
/// use instatus::api::pages::{PageSettings, UpdateStatusPageRequest};
///
/// let body = UpdateStatusPageRequest::new()
///     .name("Ephemery Status")
///     .public_email("ops@ephemery.dev")
///     .settings(PageSettings::new().website_url("https://ephemery.dev"));
/// assert_eq!(body.subdomain, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UpdateStatusPageRequest {
    /// New name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New slug.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subdomain: Option<String>,
    /// Public contact email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_email: Option<String>,
    /// Custom domain. Not in the spec's request schema; sent the way the Terraform provider does
    /// (see the deviations list in [`crate::api::operations`]'s docs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_domain: Option<String>,
    /// Overall status override.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<PageStatus>,
    /// Make the page private.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private: Option<bool>,
    /// Use an allow list (private pages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_allow_list: Option<bool>,
    /// Translations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translations: Option<Translations>,
    /// Other settings.
    #[serde(flatten)]
    pub settings: PageSettings,
}

impl UpdateStatusPageRequest {
    /// An update that changes nothing yet: chain the setters.
    pub fn new() -> Self {
        Self::default()
    }
}

setters!(UpdateStatusPageRequest {
    opt name: String,
    opt subdomain: String,
    opt public_email: String,
    opt custom_domain: String,
    opt status: PageStatus,
    opt private: bool,
    opt use_allow_list: bool,
    opt translations: Translations,
    val settings: PageSettings,
});

/// `GET /v2/pages`.
pub fn list() -> ListCall<StatusPage> {
    ListCall::new(Op::ListPages, &[])
}

/// `POST /v1/pages`.
pub fn create(body: &CreateStatusPageRequest) -> Call<StatusPage> {
    Call::with_body(Op::CreatePage, &[], body)
}

/// `PUT /v2/{page_id}`.
pub fn update(page: &PageId, body: &UpdateStatusPageRequest) -> Call<StatusPage> {
    Call::with_body(Op::UpdatePage, &[page.as_str()], body)
}

/// `PUT /v2/{page_id}` with just the given API fields (camelCase names), for callers that compute
/// the changed fields themselves (the declarative planner).
pub fn update_fields(
    page: &PageId,
    fields: &serde_json::Map<String, serde_json::Value>,
) -> Call<StatusPage> {
    Call::with_body(Op::UpdatePage, &[page.as_str()], fields)
}

/// `DELETE /v2/{page_id}`.
pub fn delete(page: &PageId) -> Call<Deleted> {
    Call::new(Op::DeletePage, &[page.as_str()])
}
