//! What every module shares: the connection options and [`Api`], a lazily built client that
//! resolves the page, counts requests and turns errors into [`Failure`]s.

use std::time::Duration;

use instatus::api::{self, Call, ListCall};
use instatus::model::{PageId, StatusPage};
use instatus::{Client, API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::protocol::{Context, Failure, Outcome};

/// The options of every module (flattened into each module's options). Set them once for a play
/// with `module_defaults: {group/ephemery.instatus.instatus: {...}}`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
pub struct CommonOptions {
    /// The Instatus API key (Instatus dashboard, User settings, Developer settings).
    #[schemars(extend("x-no-log" = true, "x-env" = "INSTATUS_API_KEY"))]
    pub api_key: String,

    /// The status page: its id, its subdomain, or its name (looked up with `GET /v2/pages`).
    pub page: String,

    /// The API's base URL; point it at `instatus-emulator` in tests.
    #[serde(default = "default_base_url")]
    #[schemars(extend("x-env" = "INSTATUS_BASE_URL"))]
    pub base_url: String,

    /// Seconds allowed for each HTTP request, from connect to the last byte of the answer (1 to
    /// 3600). The whole run is bounded too: it ends with a clean failure after 20 times this (at
    /// least 10 minutes, at most 2 hours), or as soon as the ansible-playbook that started it is
    /// gone.
    #[serde(default = "default_timeout")]
    #[schemars(range(min = 1, max = MAX_TIMEOUT_OPTION_SECS))]
    pub timeout: u64,
}

fn default_base_url() -> String {
    DEFAULT_BASE_URL.to_owned()
}

fn default_timeout() -> u64 {
    30
}

/// The largest `timeout` option, in seconds: an hour is already far past any sane request. (The
/// library's [`instatus::MAX_TIMEOUT`], a day, is only its guard against overflowing deadlines.)
pub const MAX_TIMEOUT_OPTION_SECS: u64 = 3600;
const _: () = assert!(MAX_TIMEOUT_OPTION_SECS <= instatus::MAX_TIMEOUT.as_secs());

// The env names in the schema attributes must match the client's.
const _: () = {
    assert!(matches!(API_KEY_ENV.as_bytes(), b"INSTATUS_API_KEY"));
    assert!(matches!(BASE_URL_ENV.as_bytes(), b"INSTATUS_BASE_URL"));
};

impl CommonOptions {
    /// Checks the connection options before any request, naming the option: a key or URL that
    /// cannot form a request is never sent (it failed as a transport error, retried for seconds).
    /// The key is never quoted.
    pub fn check(&self) -> Result<(), Failure> {
        if !(1..=MAX_TIMEOUT_OPTION_SECS).contains(&self.timeout) {
            return Err(Failure::new(format!(
                "timeout: {} is out of range; allowed: a number of seconds from 1 to {MAX_TIMEOUT_OPTION_SECS}",
                self.timeout
            )));
        }
        if let Err(e) = instatus::validate::api_key(&self.api_key) {
            return Err(Failure::new(format!("api_key: {e}")));
        }
        check_form(
            "base_url",
            Some(&self.base_url),
            instatus::validate::base_url,
        )
    }
}

/// The Instatus side of a module run: builds the HTTP client on the first request (a run that
/// fails validation or needs no request never pays for it), finds the page once, and records
/// every request for `api_requests` (and, at `-vvv`, `api_calls`).
pub struct Api<'a> {
    options: &'a CommonOptions,
    client: Option<Client>,
    pages: Option<Vec<StatusPage>>,
    page: Option<StatusPage>,
    calls: Vec<String>,
}

impl<'a> Api<'a> {
    /// An API handle; nothing is built or sent yet.
    pub fn new(options: &'a CommonOptions) -> Self {
        Self {
            options,
            client: None,
            pages: None,
            page: None,
            calls: Vec::new(),
        }
    }

    /// The HTTP client, built on first use (for work that goes through the library directly,
    /// such as `instatus::desired::apply`).
    pub fn client(&mut self) -> Result<&Client, Failure> {
        if self.client.is_none() {
            self.options.check()?;
            let client = Client::builder(self.options.api_key.as_str())
                .base_url(self.options.base_url.as_str())
                .timeout(Duration::from_secs(self.options.timeout))
                .user_agent(concat!("ephemery.instatus/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| Failure::new(e.to_string()))?;
            self.client = Some(client);
        }
        self.client
            .as_ref()
            .ok_or_else(|| Failure::new("the HTTP client could not be built"))
    }

    /// Sends one call.
    pub fn send<T: DeserializeOwned>(&mut self, call: Call<T>) -> Result<T, Failure> {
        self.calls
            .push(format!("{} {}", call.method().as_str(), call.path()));
        let result = self.client()?.send(call);
        result.map_err(|e| Failure::new(e.to_string()))
    }

    /// Every item of a list, page by page (the library's pagination: it stops after a short
    /// page, with no page cap).
    pub fn list_all<T: DeserializeOwned>(&mut self, list: ListCall<T>) -> Result<Vec<T>, Failure> {
        let first = list.page(1);
        self.calls.push(format!(
            "{} {} (every page)",
            first.method().as_str(),
            first.path()
        ));
        let result = self.client()?.list_all(list);
        result.map_err(|e| Failure::new(e.to_string()))
    }

    /// Every page of the account (listed once per run).
    pub fn pages(&mut self) -> Result<&[StatusPage], Failure> {
        if self.pages.is_none() {
            let pages = self.list_all(api::pages::list())?;
            self.pages = Some(pages);
        }
        Ok(self.pages.as_deref().unwrap_or_default())
    }

    /// The page the `page` option names: by id, then subdomain, then name (the library's rule,
    /// [`instatus::lookup::select_page`]).
    pub fn page(&mut self) -> Result<StatusPage, Failure> {
        if let Some(page) = &self.page {
            return Ok(page.clone());
        }
        let wanted = self.options.page.clone();
        if wanted.trim().is_empty() {
            return Err(Failure::new(
                "page: is empty; allowed: the page's id, subdomain or name",
            ));
        }
        let pages = self.pages()?.to_vec();
        let page = instatus::lookup::select_page(pages, &wanted)
            .map_err(|e| Failure::new(e.to_string()))?;
        self.page = Some(page.clone());
        Ok(page)
    }

    /// The resolved page's id.
    pub fn page_id(&mut self) -> Result<PageId, Failure> {
        Ok(self.page()?.id)
    }

    /// HTTP requests sent so far, retries and requests made through [`Api::client`] included.
    pub fn requests(&self) -> usize {
        self.client.as_ref().map_or(0, |c| {
            usize::try_from(c.request_count()).unwrap_or(usize::MAX)
        })
    }

    /// Runs `work` with this API and adds `api_requests` (and `api_calls` at `-vvv`) to its
    /// result, success or failure.
    pub fn run(
        options: &'a CommonOptions,
        ctx: &mut Context,
        work: impl FnOnce(&mut Api<'a>, &mut Context) -> Result<Outcome, Failure>,
    ) -> Result<Outcome, Failure> {
        let mut api = Api::new(options);
        let result = options.check().and_then(|()| work(&mut api, ctx));
        let count = json!(api.requests());
        let calls = (ctx.invocation.verbosity >= 3).then(|| json!(api.calls));
        match result {
            Ok(mut outcome) => {
                outcome.data.insert("api_requests".into(), count);
                if let Some(calls) = calls {
                    outcome.data.insert("api_calls".into(), calls);
                }
                Ok(outcome)
            }
            Err(failure) => {
                let mut failure = failure.with("api_requests", count);
                if let Some(calls) = calls {
                    failure = failure.with("api_calls", calls);
                }
                Err(failure)
            }
        }
    }
}

/// Every problem of a page declaration as one failure message (`path: problem; path: problem`).
pub fn spec_failure(errors: instatus::desired::InvalidSpec) -> Failure {
    Failure::new(errors.to_string())
}

/// A reconcile that stopped part-way, as a failure: what was applied and what failed; `changed`
/// when anything landed before the failure.
pub fn apply_failure(e: instatus::desired::ApplyError) -> Failure {
    let failure = Failure::new(e.to_string())
        .with("applied", json!(e.done))
        .with("failed_change", json!(e.failed));
    if e.done.is_empty() {
        failure
    } else {
        failure.after_writes()
    }
}

/// What was sent but is not on the page read back: the settings the API refused and the changes
/// it accepted without applying, one warning each. Returns them, for the result's `not_applied`.
pub fn report_not_applied(
    ctx: &mut Context,
    refused: &[(String, String)],
    verified_not_applied: &[String],
) -> Vec<String> {
    let mut not_applied = verified_not_applied.to_vec();
    for (setting, message) in refused {
        ctx.warn(format!("{setting}: the API refused it ({message})"));
        if !not_applied.contains(setting) {
            not_applied.push(setting.clone());
        }
    }
    for field in verified_not_applied {
        ctx.warn(not_applied_warning(field));
    }
    not_applied
}

/// What to do about a change the API accepted but did not apply.
pub fn not_applied_warning(field: &str) -> String {
    if field == "custom_domain" {
        "custom_domain: Instatus accepted the request but the page does not show the domain; set \
         it in the Instatus dashboard (Settings, Domain) and point a DNS CNAME at Instatus as it \
         asks"
            .to_owned()
    } else {
        format!(
            "{field}: the API accepted the change but the page read back does not show it; it is \
             reported in not_applied, not as done"
        )
    }
}

/// The warning for a setting left out of the plan because the API did not apply this very value
/// when it was last sent (see [`crate::cache`]).
pub fn not_sent_again_warning(field: &str, seen: Option<jiff::Timestamp>) -> String {
    let when = seen.map_or(String::new(), |t| format!(" on {}", t.strftime("%Y-%m-%d")));
    format!(
        "{} (not sent again: the API accepted this value{when} without applying it)",
        not_applied_warning(field)
    )
}

/// A write of a person's incident or maintenance task that stopped part-way
/// ([`instatus::apply::notice`]), as a failure: what was written before it (`written`), and
/// `changed` when anything was.
pub fn notice_failure(e: instatus::apply::notice::NoticeError) -> Failure {
    let failure = Failure::new(e.to_string()).with("written", json!(e.written));
    if e.written.is_empty() {
        failure
    } else {
        failure.after_writes()
    }
}

/// Parses a timestamp option (RFC 3339, e.g. `2026-11-26T14:00:00Z`), naming the option on error.
pub fn parse_timestamp(option: &str, text: &str) -> Result<instatus::jiff::Timestamp, Failure> {
    text.trim()
        .parse::<instatus::jiff::Timestamp>()
        .map_err(|e| {
            Failure::new(format!(
                "{option} must be an RFC 3339 timestamp such as 2026-11-26T14:00:00Z, got: '{text}' ({e})"
            ))
        })
}

/// The ids of the components at `paths` (name paths), or a failure naming `option`, every
/// unknown or ambiguous path, and the paths the page has.
pub fn resolve_paths<'p>(
    tree: &instatus::model::ComponentTree,
    option: &str,
    paths: impl IntoIterator<Item = &'p str>,
) -> Result<Vec<instatus::model::ComponentId>, Failure> {
    tree.ids_of(paths)
        .map_err(|e| Failure::new(format!("{option}: {e}")))
}

/// A result view as `--diff` shows it: without the keys a diff reader does not care about, the id
/// and the times the server sets (`started`, `resolved`).
pub fn diff_view(view: &Value) -> Value {
    let mut v = view.clone();
    if let Some(map) = v.as_object_mut() {
        for key in ["id", "started", "resolved"] {
            map.remove(key);
        }
    }
    v
}

/// A page as modules return it.
pub fn page_json(page: &StatusPage) -> Value {
    json!({
        "id": page.id.as_str(),
        "name": page.name_str(),
        "subdomain": page.subdomain,
    })
}

/// `state`: whether the object should exist.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// It exists, with the given settings.
    #[default]
    Present,
    /// It does not exist.
    Absent,
}

/// An API value as users write it (`major_outage`, `scheduled`): the library's vocabulary
/// ([`ComponentStatus::parse_known`](instatus::model::ComponentStatus::parse_known) reads it,
/// `user_names` lists the choices), so an option never re-declares the values by hand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserSpelled<T>(pub T);

/// The API enums an option can take as [`UserSpelled`].
pub trait Vocabulary: Sized {
    /// Reads a value as users write it (the API's spelling is accepted too).
    fn parse_known(value: &str) -> Result<Self, instatus::model::UnknownValue>;
    /// Every value as users write it: the option's choices.
    fn user_names() -> Vec<String>;
}

macro_rules! vocabulary {
    ($($t:ty),+) => {$(
        impl Vocabulary for $t {
            fn parse_known(value: &str) -> Result<Self, instatus::model::UnknownValue> {
                <$t>::parse_known(value)
            }
            fn user_names() -> Vec<String> {
                <$t>::user_names()
            }
        }
    )+};
}
vocabulary!(
    instatus::model::ComponentStatus,
    instatus::model::TemplateStatus
);

impl<'de, T: Vocabulary> Deserialize<'de> for UserSpelled<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        T::parse_known(text.trim())
            .map(UserSpelled)
            .map_err(serde::de::Error::custom)
    }
}

impl<T: Vocabulary> JsonSchema for UserSpelled<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "UserSpelled".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "enum": T::user_names() })
    }
}

/// Checks an option's form before any request ([`instatus::validate`]): the error names the
/// option the user wrote and the allowed form, and quotes the value (shortened).
pub fn check_form(
    option: &str,
    value: Option<&str>,
    form: fn(&str) -> Result<(), instatus::validate::Invalid>,
) -> Result<(), Failure> {
    match value.map(form) {
        Some(Err(e)) => Err(Failure::new(format!("{option}: {e}"))),
        _ => Ok(()),
    }
}

/// [`check_form`] for a secret option: the error never quotes the value.
pub fn check_secret_form(
    option: &str,
    value: Option<&str>,
    form: fn(&str) -> Result<(), instatus::validate::Invalid>,
) -> Result<(), Failure> {
    match value.map(form) {
        Some(Err(e)) => Err(Failure::new(format!(
            "{option}: the value (not shown: it is secret) does not have the allowed form; allowed: {}",
            e.allowed
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use instatus::model::{ComponentStatus, TemplateStatus};

    #[test]
    fn a_user_spelled_status_reads_the_users_and_the_apis_spelling_and_names_the_choices() {
        let read = |v: &str| serde_json::from_value::<UserSpelled<ComponentStatus>>(json!(v));
        assert_eq!(
            read("major_outage").unwrap().0,
            ComponentStatus::MajorOutage
        );
        assert_eq!(read("MAJOROUTAGE").unwrap().0, ComponentStatus::MajorOutage);
        let e = read("down").unwrap_err().to_string();
        assert!(
            e.contains("down") && e.contains("degraded_performance"),
            "{e}"
        );
        let scheduled = serde_json::from_value::<UserSpelled<TemplateStatus>>(json!("scheduled"));
        assert_eq!(scheduled.unwrap().0, TemplateStatus::NotStartedYet);
    }

    #[test]
    fn a_user_spelled_option_offers_the_librarys_user_names_as_choices() {
        let schema = schemars::schema_for!(UserSpelled<TemplateStatus>);
        assert_eq!(
            schema.get("enum"),
            Some(&json!(TemplateStatus::user_names()))
        );
        assert!(TemplateStatus::user_names().contains(&"scheduled".to_owned()));
    }
}
