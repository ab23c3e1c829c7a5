//! Status pages.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{Component, LocalizedText, PageId, PageStatus, SmsService, Translations, WorkspaceId};

/// A status page, as listed by `GET /v2/pages` and returned by create and update.
///
/// Only `id` is relied on: the create response has been seen both as the full object and as
/// `{id, workspaceId, workspaceSlug}`, and `name` sometimes comes back as a translations object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StatusPage {
    /// The page id.
    pub id: PageId,
    /// The slug: `<subdomain>.instatus.com`.
    #[serde(default)]
    pub subdomain: Option<String>,
    /// The page name.
    #[serde(default)]
    pub name: Option<LocalizedText>,
    /// The overall status.
    #[serde(default)]
    pub status: Option<PageStatus>,
    /// Logo image URL.
    #[serde(default)]
    pub logo_url: Option<String>,
    /// Favicon URL.
    #[serde(default)]
    pub favicon_url: Option<String>,
    /// The organisation's website.
    #[serde(default)]
    pub website_url: Option<String>,
    /// Custom domain, e.g. `status.ephemery.xyz`.
    #[serde(default)]
    pub custom_domain: Option<String>,
    /// Public contact email.
    #[serde(default)]
    pub public_email: Option<String>,
    /// Twitter handle.
    #[serde(default)]
    pub twitter: Option<String>,
    /// Whether visitors can subscribe by SMS.
    #[serde(default)]
    pub subscribe_by_sms: Option<bool>,
    /// The SMS provider.
    #[serde(default)]
    pub sms_service: Option<SmsService>,
    /// Language code (`en`, `fr`, ...).
    #[serde(default)]
    pub language: Option<String>,
    /// Whether the large header is used.
    #[serde(default)]
    pub use_large_header: Option<bool>,
    /// Brand colour.
    #[serde(default)]
    pub brand_color: Option<String>,
    /// Colour for operational.
    #[serde(default)]
    pub ok_color: Option<String>,
    /// Colour for partial outage.
    #[serde(default)]
    pub disrupted_color: Option<String>,
    /// Colour for degraded performance.
    #[serde(default)]
    pub degraded_color: Option<String>,
    /// Colour for major outage.
    #[serde(default)]
    pub down_color: Option<String>,
    /// Colour for maintenance.
    #[serde(default)]
    pub notice_color: Option<String>,
    /// Colour for unknown status.
    #[serde(default)]
    pub unknown_color: Option<String>,
    /// Google Analytics id.
    #[serde(default)]
    pub google_analytics: Option<String>,
    /// HTML injected in `<head>`.
    #[serde(default)]
    pub html_in_meta: Option<String>,
    /// HTML above the header.
    #[serde(default)]
    pub html_above_header: Option<String>,
    /// HTML below the header.
    #[serde(default)]
    pub html_below_header: Option<String>,
    /// HTML above the footer.
    #[serde(default)]
    pub html_above_footer: Option<String>,
    /// HTML below the footer.
    #[serde(default)]
    pub html_below_footer: Option<String>,
    /// HTML below the summary.
    #[serde(default)]
    pub html_below_summary: Option<String>,
    /// Global CSS.
    #[serde(default)]
    pub css_global: Option<String>,
    /// Launch date.
    #[serde(default)]
    pub launch_date: Option<String>,
    /// Date format (date-fns pattern).
    #[serde(default)]
    pub date_format: Option<String>,
    /// Short date format (date-fns pattern).
    #[serde(default)]
    pub date_format_short: Option<String>,
    /// Time format (date-fns pattern).
    #[serde(default)]
    pub time_format: Option<String>,
    /// Whether the page is private.
    #[serde(default)]
    pub private: Option<bool>,
    /// Whether the private page uses an allow list.
    #[serde(default)]
    pub use_allow_list: Option<bool>,
    /// Secure link of a private page.
    #[serde(default)]
    pub secure_link: Option<String>,
    /// The workspace that owns the page (create response, list items on the live API).
    #[serde(default)]
    pub workspace_id: Option<WorkspaceId>,
    /// Components embedded in a create/update response.
    #[serde(default)]
    pub components: Option<Vec<Component>>,
    /// Translations.
    #[serde(default)]
    pub translations: Option<Translations>,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Last update time.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
}

impl StatusPage {
    /// The page name as text (empty when the response did not include it).
    pub fn name_str(&self) -> &str {
        self.name.as_ref().map(LocalizedText::as_str).unwrap_or("")
    }
}
