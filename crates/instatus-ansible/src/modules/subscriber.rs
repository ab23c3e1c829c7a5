//! `ephemery.instatus.subscriber`: one subscriber (email, SMS phone number or webhook URL), to
//! every component or to a list of components by name path. The API has no update: a subscriber
//! whose components differ is removed and added again.

use std::collections::BTreeSet;

use instatus::api::components;
use instatus::api::subscribers::{self, AddSubscriberRequest};
use instatus::model::{ComponentId, ComponentTree, Subscriber};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::common::{check_form, check_secret_form, Api, CommonOptions, State};
use crate::protocol::{AnsibleModule, Context, Diff, Failure, Outcome, Rules};
use instatus::recover::create_once;

/// The module.
pub struct SubscriberModule;

/// Options of `ephemery.instatus.subscriber`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SubscriberOptions {
    /// Connection options.
    #[serde(flatten)]
    pub common: CommonOptions,

    /// An email address to notify. Exactly one of `email`, `phone` and `webhook` is required.
    pub email: Option<String>,

    /// A phone number to notify by SMS (the page must have SMS set up).
    pub phone: Option<String>,

    /// A webhook URL to notify. Treated as a secret, since such URLs often carry a token.
    #[schemars(extend("x-no-log" = true))]
    pub webhook: Option<String>,

    /// Where Instatus sends an email when the webhook fails.
    pub webhook_email: Option<String>,

    /// The components to subscribe to, by name path (`Group/Name`); every component when omitted.
    pub components: Option<Vec<String>>,

    /// The language of the notifications (`en`, `fr`, ...), used when the subscriber is added.
    pub language: Option<String>,

    /// Skip the confirmation message (paid plans), used when the subscriber is added.
    pub auto_confirm: Option<bool>,

    /// `present` adds the subscriber (or re-adds it when its components differ), `absent` removes it.
    #[serde(default)]
    pub state: State,
}

impl AnsibleModule for SubscriberModule {
    const NAME: &'static str = "subscriber";
    type Options = SubscriberOptions;
    const RULES: Rules = Rules {
        mutually_exclusive: &[&["email", "phone", "webhook"]],
        required_one_of: &[&["email", "phone", "webhook"]],
        required_if: &[],
    };

    fn run(options: SubscriberOptions, ctx: &mut Context) -> Result<Outcome, Failure> {
        Api::run(&options.common, ctx, |api, ctx| run(&options, api, ctx))
    }
}

/// (kind, address) of the subscriber the options name.
fn identity(o: &SubscriberOptions) -> (&'static str, &str) {
    match (&o.email, &o.phone, &o.webhook) {
        (Some(e), _, _) => ("email", e),
        (_, Some(p), _) => ("phone", p),
        (_, _, Some(w)) => ("webhook", w),
        _ => ("email", ""),
    }
}

fn matches(s: &Subscriber, kind: &str, address: &str) -> bool {
    let norm = |v: &str| v.trim().to_ascii_lowercase();
    match kind {
        "email" => s.email.as_deref().map(norm) == Some(norm(address)),
        "phone" => {
            let digits = |v: &str| v.chars().filter(char::is_ascii_digit).collect::<String>();
            s.phone.as_deref().map(digits) == Some(digits(address))
        }
        _ => s.webhook.as_deref() == Some(address),
    }
}

fn view(kind: &str, address: &str, all: bool, names: &[String]) -> Value {
    json!({
        "type": kind,
        "address": address,
        "all_components": all,
        "components": names,
    })
}

fn run(o: &SubscriberOptions, api: &mut Api<'_>, ctx: &mut Context) -> Result<Outcome, Failure> {
    use instatus::validate;
    check_form("email", o.email.as_deref(), validate::email)?;
    check_form("phone", o.phone.as_deref(), validate::phone_e164)?;
    check_secret_form("webhook", o.webhook.as_deref(), validate::http_url)?;
    check_form("webhook_email", o.webhook_email.as_deref(), validate::email)?;
    check_form("language", o.language.as_deref(), validate::language)?;
    let (kind, address) = identity(o);
    let page = api.page_id()?;
    let existing: Vec<Subscriber> = api
        .list_all(subscribers::list(&page))?
        .into_iter()
        .filter(|s| matches(s, kind, address))
        .collect();
    if existing.len() > 1 {
        ctx.warn(format!(
            "{} subscribers have this {kind}; the module manages the first",
            existing.len()
        ));
    }
    let current = existing.first();
    let check = ctx.check_mode();

    // Component names <-> ids, only when a list is involved.
    let needs_tree = o.components.is_some() || current.is_some_and(|s| !s.components.is_empty());
    let tree = if needs_tree {
        ComponentTree::from_components(api.list_all(components::list(&page))?)
    } else {
        ComponentTree::default()
    };
    let name_of = |id: &ComponentId| {
        tree.index_of(id)
            .map(|i| tree.path(i))
            .unwrap_or_else(|| id.to_string())
    };
    let current_view = current.map(|s| {
        let all = s.all.unwrap_or(s.components.is_empty());
        let mut names: Vec<String> = if all {
            Vec::new()
        } else {
            s.components.iter().map(name_of).collect()
        };
        names.sort();
        (
            all,
            s.components.iter().cloned().collect::<BTreeSet<_>>(),
            names,
        )
    });

    if o.state == State::Absent {
        let Some(s) = current else {
            return Ok(Outcome::new(
                false,
                format!("the {kind} subscriber is absent"),
            ));
        };
        let (all, _, names) = current_view.unwrap_or_default();
        let before = view(kind, address, all, &names);
        if !check {
            api.send(subscribers::remove(&page, &s.id))?;
        }
        let verb = if check { "would remove" } else { "removed" };
        return Ok(Outcome::new(true, format!("{verb} the {kind} subscriber"))
            .with_diff(Diff::new(before, json!({}))));
    }

    // Desired components.
    let (want_all, want_ids, mut want_names) = match &o.components {
        None => (true, BTreeSet::new(), Vec::new()),
        Some(paths) => {
            let mut ids = BTreeSet::new();
            let mut unknown = Vec::new();
            for path in paths {
                match tree.find(path) {
                    Some(c) => {
                        ids.insert(c.id.clone());
                    }
                    None => unknown.push(path.as_str()),
                }
            }
            if !unknown.is_empty() {
                return Err(Failure::new(format!(
                    "components not found on the page (name paths, `Group/Name`): {}",
                    unknown.join(", ")
                )));
            }
            (false, ids, paths.clone())
        }
    };
    want_names.sort();
    let after = view(kind, address, want_all, &want_names);

    if let (Some(s), Some((all, ids, names))) = (current, &current_view) {
        let same = if want_all {
            *all
        } else {
            !*all && *ids == want_ids
        };
        let before = view(kind, address, *all, names);
        if same {
            return Ok(
                Outcome::new(false, format!("the {kind} subscriber is up to date"))
                    .with_diff(Diff::new(before.clone(), before)),
            );
        }
        // No update operation: remove, then add below.
        if !check {
            api.send(subscribers::remove(&page, &s.id))?;
        }
        if o.auto_confirm != Some(true) {
            ctx.warn(format!(
                "the {kind} subscriber was re-added to change its components; it may have to confirm again"
            ));
        }
        let verb = if check { "would re-add" } else { "re-added" };
        if !check {
            // The old one is removed: a failing add must not hide that write.
            add(api, o, kind, address, want_all, &want_ids).map_err(|f| {
                Failure::new(format!(
                    "the {kind} subscriber was removed to change its components, but adding it \
                     again failed: {}",
                    f.msg
                ))
                .after_writes()
            })?;
        }
        return Ok(Outcome::new(
            true,
            format!("{verb} the {kind} subscriber with new components"),
        )
        .with_diff(Diff::new(before, after)));
    }

    if !check {
        add(api, o, kind, address, want_all, &want_ids)?;
    }
    let verb = if check { "would add" } else { "added" };
    Ok(Outcome::new(true, format!("{verb} the {kind} subscriber"))
        .with_diff(Diff::new(json!({}), after)))
}

fn add(
    api: &mut Api<'_>,
    o: &SubscriberOptions,
    kind: &str,
    address: &str,
    all: bool,
    ids: &BTreeSet<ComponentId>,
) -> Result<(), Failure> {
    let page = api.page_id()?;
    let mut body = AddSubscriberRequest::default();
    match kind {
        "email" => body.email = Some(address.to_owned()),
        "phone" => body.phone = Some(address.to_owned()),
        _ => body.webhook = Some(address.to_owned()),
    }
    body.webhook_email = o.webhook_email.clone();
    body.language = o.language.clone();
    body.auto_confirm = o.auto_confirm;
    if all {
        body.all = Some(true);
    } else {
        body.all = Some(false);
        body.components = Some(ids.iter().cloned().collect());
    }
    // An add whose answer is lost is looked up before it is ever sent again.
    let client = api.client()?;
    create_once(
        client,
        || subscribers::add(&page, &body),
        |c| {
            let found = c
                .list_all(subscribers::list(&page))?
                .into_iter()
                .find(|s| matches(s, kind, address));
            Ok(found.map(Into::into))
        },
        instatus::recover::DEFAULT_RECOVERY_WAIT,
    )
    .map_err(|e| Failure::new(e.to_string()))?;
    Ok(())
}
