//! (Long: one module; its single form and its list form share the options, the identity, the views and the add/remove requests.)
//! `ephemery.instatus.subscriber`: subscribers (email, SMS phone number or webhook URL), each to
//! every component or to a list of components by name path. One subscriber (`email` / `phone` /
//! `webhook`), or a declared set (`subscribers`), optionally `exclusive` (removes the page's other
//! subscribers). The API has no update: a subscriber whose components differ is removed and
//! added again.

use std::collections::BTreeSet;

use instatus::api::components;
use instatus::api::subscribers::{self, AddSubscriberRequest};
use instatus::model::{ComponentId, ComponentTree, PageId, Subscriber, SubscriberDetail};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::common::{check_form, check_secret_form, resolve_paths, Api, CommonOptions, State};
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

    /// An email address to notify. Exactly one of `email`, `phone`, `webhook` and `subscribers`
    /// is required.
    pub email: Option<String>,

    /// A phone number to notify by SMS (the page must have SMS set up: the `sms_service` and
    /// `sms_credentials` options of `ephemery.instatus.page`).
    pub phone: Option<String>,

    /// A webhook URL to notify. Treated as a secret, since such URLs often carry a token.
    #[schemars(extend("x-no-log" = true))]
    pub webhook: Option<String>,

    /// Where Instatus sends an email when the webhook fails.
    pub webhook_email: Option<String>,

    /// The components to subscribe to, by name path (`Group/Name`); every component when omitted.
    pub components: Option<Vec<String>>,

    /// The list form: the declared set of subscribers, each a dict with exactly one of `email`,
    /// `phone`, `webhook`, and optionally `components` (name paths; every component when
    /// omitted), `webhook_email`, `language`, `auto_confirm`. Webhook URLs are secret.
    #[schemars(extend("items" = {"type": "object", "properties": {"webhook": {"x-no-log": true}}}))]
    pub subscribers: Option<Vec<Map<String, Value>>>,

    /// With `subscribers`: remove every subscriber of the page that the list does not declare.
    #[serde(default)]
    pub exclusive: bool,

    /// The language of the notifications (`en`, `fr`, ...), used when a subscriber is added (in
    /// the list form, the default for the entries).
    pub language: Option<String>,

    /// Skip the confirmation message (paid plans), used when a subscriber is added (in the list
    /// form, the default for the entries).
    pub auto_confirm: Option<bool>,

    /// `present` adds the subscriber(s) (or re-adds one whose components differ), `absent`
    /// removes them.
    #[serde(default)]
    pub state: State,
}

impl AnsibleModule for SubscriberModule {
    const NAME: &'static str = "subscriber";
    type Options = SubscriberOptions;
    const RULES: Rules = Rules {
        mutually_exclusive: &[
            &["email", "phone", "webhook"],
            &["subscribers", "email"],
            &["subscribers", "phone"],
            &["subscribers", "webhook"],
            &["subscribers", "components"],
            &["subscribers", "webhook_email"],
        ],
        required_one_of: &[&["email", "phone", "webhook", "subscribers"]],
        required_if: &[],
    };

    fn run(options: SubscriberOptions, ctx: &mut Context) -> Result<Outcome, Failure> {
        Api::run(&options.common, ctx, |api, ctx| {
            match &options.subscribers {
                Some(entries) => run_list(&options, entries, api, ctx),
                None => run(&options, api, ctx),
            }
        })
    }
}

/// One declared subscriber: what identifies it and what it should follow.
#[derive(Clone, Debug, PartialEq)]
struct Wanted {
    kind: &'static str,
    address: String,
    webhook_email: Option<String>,
    /// Name paths; `None` = every component.
    components: Option<Vec<String>>,
    language: Option<String>,
    auto_confirm: Option<bool>,
}

/// An entry of `subscribers`, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    email: Option<String>,
    phone: Option<String>,
    webhook: Option<String>,
    webhook_email: Option<String>,
    components: Option<Vec<String>>,
    language: Option<String>,
    auto_confirm: Option<bool>,
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

/// (kind, address) of a subscriber as listed.
fn listed_identity(s: &Subscriber) -> (&'static str, String) {
    match (&s.email, &s.phone, &s.webhook) {
        (Some(e), _, _) if !e.is_empty() => ("email", e.clone()),
        (_, Some(p), _) if !p.is_empty() => ("phone", p.clone()),
        (_, _, Some(w)) if !w.is_empty() => ("webhook", w.clone()),
        _ => ("other", String::new()),
    }
}

/// A webhook URL as shown for a subscriber the task did not declare (its URL is not a known
/// secret, so it is cut to the scheme and host).
fn undeclared_address(kind: &str, address: &str) -> String {
    if kind != "webhook" {
        return address.to_owned();
    }
    let (scheme, rest) = address.split_once("://").unwrap_or(("", address));
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or(host);
    format!("{scheme}://{host}/********")
}

fn view(kind: &str, address: &str, all: bool, names: &[String]) -> Value {
    json!({
        "type": kind,
        "address": address,
        "all_components": all,
        "components": names,
    })
}

/// Component names <-> ids.
struct Names {
    tree: ComponentTree,
}

impl Names {
    /// (all, ids, sorted names) of a listed subscriber.
    fn current(&self, s: &Subscriber) -> (bool, BTreeSet<ComponentId>, Vec<String>) {
        let all = s.all.unwrap_or(s.components.is_empty());
        let mut names: Vec<String> = if all {
            Vec::new()
        } else {
            s.components.iter().map(|c| self.tree.path_of(c)).collect()
        };
        names.sort();
        (all, s.components.iter().cloned().collect(), names)
    }

    /// (all, ids, sorted names) of declared name paths; unknown and ambiguous paths are an
    /// error naming `at`.
    fn wanted(
        &self,
        at: &str,
        paths: Option<&Vec<String>>,
    ) -> Result<(bool, BTreeSet<ComponentId>, Vec<String>), Failure> {
        let Some(paths) = paths else {
            return Ok((true, BTreeSet::new(), Vec::new()));
        };
        let ids = resolve_paths(&self.tree, at, paths.iter().map(String::as_str))?
            .into_iter()
            .collect();
        let mut names = paths.clone();
        names.sort();
        names.dedup();
        Ok((false, ids, names))
    }
}

fn load_names(api: &mut Api<'_>, needed: bool) -> Result<Names, Failure> {
    let tree = if needed {
        let page = api.page_id()?;
        ComponentTree::from_components(api.list_all(components::list(&page))?)
    } else {
        ComponentTree::default()
    };
    Ok(Names { tree })
}

fn check_forms(at: &str, w: &Wanted) -> Result<(), Failure> {
    use instatus::validate;
    let name = |field: &str| {
        if at.is_empty() {
            field.to_owned()
        } else {
            format!("{at}.{field}")
        }
    };
    match w.kind {
        "email" => check_form(&name("email"), Some(&w.address), validate::email)?,
        "phone" => check_form(&name("phone"), Some(&w.address), validate::phone_e164)?,
        _ => check_secret_form(&name("webhook"), Some(&w.address), validate::http_url)?,
    }
    check_form(
        &name("webhook_email"),
        w.webhook_email.as_deref(),
        validate::email,
    )?;
    check_form(&name("language"), w.language.as_deref(), validate::language)?;
    Ok(())
}

fn run(o: &SubscriberOptions, api: &mut Api<'_>, ctx: &mut Context) -> Result<Outcome, Failure> {
    let (kind, address) = identity(o);
    let wanted = Wanted {
        kind,
        address: address.to_owned(),
        webhook_email: o.webhook_email.clone(),
        components: o.components.clone(),
        language: o.language.clone(),
        auto_confirm: o.auto_confirm,
    };
    check_forms("", &wanted)?;
    let (page, current, names) = read_single(o, api, ctx)?;
    let current = current.as_ref();
    let check = ctx.check_mode();
    let current_view = current.map(|s| names.current(s));

    if o.state == State::Absent {
        let Some(s) = current else {
            return Ok(
                Outcome::new(false, format!("the {kind} subscriber is absent"))
                    .with("subscriber", Value::Null),
            );
        };
        let (all, _, names) = current_view.unwrap_or_default();
        let before = view(kind, address, all, &names);
        if !check {
            api.send(subscribers::remove(&page, &s.id))?;
        }
        let verb = if check { "would remove" } else { "removed" };
        return Ok(Outcome::new(true, format!("{verb} the {kind} subscriber"))
            .with("subscriber", with_id(before.clone(), Some(s.id.as_str())))
            .with_diff(Diff::new(before, json!({}))));
    }

    let (want_all, want_ids, want_names) = names.wanted("components", o.components.as_ref())?;
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
                    .with("subscriber", with_id(before.clone(), Some(s.id.as_str())))
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
        let mut id = None;
        if !check {
            // The old one is removed: a failing add must not hide that write.
            let added = add(api, &wanted, want_all, &want_ids).map_err(|f| {
                Failure::new(format!(
                    "the {kind} subscriber was removed to change its components, but adding it \
                     again failed: {}",
                    f.msg
                ))
                .after_writes()
            })?;
            id = Some(added.id.to_string());
        }
        return Ok(Outcome::new(
            true,
            format!("{verb} the {kind} subscriber with new components"),
        )
        .with("subscriber", with_id(after.clone(), id.as_deref()))
        .with_diff(Diff::new(before, after)));
    }

    let mut id = None;
    if !check {
        id = Some(add(api, &wanted, want_all, &want_ids)?.id.to_string());
    }
    let verb = if check { "would add" } else { "added" };
    Ok(Outcome::new(true, format!("{verb} the {kind} subscriber"))
        .with("subscriber", with_id(after.clone(), id.as_deref()))
        .with_diff(Diff::new(json!({}), after)))
}

/// The page, the first subscriber with the task's identity (a warning when several have it),
/// and the component names, read only when a list is involved.
fn read_single(
    o: &SubscriberOptions,
    api: &mut Api<'_>,
    ctx: &mut Context,
) -> Result<(PageId, Option<Subscriber>, Names), Failure> {
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
    let current = existing.into_iter().next();
    let needs_tree =
        o.components.is_some() || current.as_ref().is_some_and(|s| !s.components.is_empty());
    let names = load_names(api, needs_tree)?;
    Ok((page, current, names))
}

/// A view with the subscriber's id (`null` when it does not exist yet: check mode).
fn with_id(mut view: Value, id: Option<&str>) -> Value {
    if let Value::Object(m) = &mut view {
        m.insert("id".into(), id.map_or(Value::Null, |i| json!(i)));
    }
    view
}

/// The entries of `subscribers`, checked: one identity each, known keys, forms, no duplicates.
fn parse_entries(
    o: &SubscriberOptions,
    entries: &[Map<String, Value>],
) -> Result<Vec<Wanted>, Failure> {
    if o.exclusive && o.state == State::Absent {
        return Err(Failure::new(
            "exclusive: only with state=present (state=absent removes the listed subscribers; \
             exclusive keeps only them)",
        ));
    }
    let mut out: Vec<Wanted> = Vec::new();
    for (i, raw) in entries.iter().enumerate() {
        let at = format!("subscribers[{i}]");
        let e: Entry = serde_json::from_value(Value::Object(raw.clone())).map_err(|err| {
            Failure::new(format!(
                "{at}: {err}; allowed keys: email, phone, webhook, webhook_email, components, \
                 language, auto_confirm"
            ))
        })?;
        let identities: Vec<(&'static str, String)> = [
            ("email", e.email),
            ("phone", e.phone),
            ("webhook", e.webhook),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect();
        let [(kind, address)] = identities.as_slice() else {
            return Err(Failure::new(format!(
                "{at}: exactly one of email, phone, webhook is required (found {})",
                identities.len()
            )));
        };
        let wanted = Wanted {
            kind,
            address: address.clone(),
            webhook_email: e.webhook_email,
            components: e.components,
            language: e.language.or_else(|| o.language.clone()),
            auto_confirm: e.auto_confirm.or(o.auto_confirm),
        };
        check_forms(&at, &wanted)?;
        if let Some(j) = out.iter().position(|w| {
            w.kind == wanted.kind && same_address(w.kind, &w.address, &wanted.address)
        }) {
            return Err(Failure::new(format!(
                "{at}: the same {kind} as subscribers[{j}]; declare each subscriber once"
            )));
        }
        out.push(wanted);
    }
    Ok(out)
}

fn same_address(kind: &str, a: &str, b: &str) -> bool {
    match kind {
        "email" => a.trim().eq_ignore_ascii_case(b.trim()),
        "phone" => {
            let digits = |v: &str| v.chars().filter(char::is_ascii_digit).collect::<String>();
            digits(a) == digits(b)
        }
        _ => a == b,
    }
}

/// What the list form does to one subscriber.
enum Step<'a> {
    Keep,
    Add(&'a Wanted),
    Readd(&'a Subscriber, &'a Wanted),
    Remove(&'a Subscriber),
}

fn run_list(
    o: &SubscriberOptions,
    entries: &[Map<String, Value>],
    api: &mut Api<'_>,
    ctx: &mut Context,
) -> Result<Outcome, Failure> {
    let wanted = parse_entries(o, entries)?;
    let page = api.page_id()?;
    let listed = api.list_all(subscribers::list(&page))?;
    let check = ctx.check_mode();
    let (pairs, claimed) = pair(&wanted, &listed);
    let needs_tree = wanted.iter().any(|w| w.components.is_some())
        || listed.iter().any(|s| !s.components.is_empty());
    let names = load_names(api, needs_tree)?;
    let steps = plan_list(o, &pairs, &listed, &claimed, &names, ctx)?;
    let (results, counts) = apply_list(api, &page, &names, &steps, check, ctx)?;
    Ok(list_outcome(&steps, results, counts, check, wanted.len()))
}

/// A declared subscriber and the listed one with its identity, if any.
type Pair<'a> = (&'a Wanted, Option<&'a Subscriber>);

/// Pairs each declared subscriber with the first listed one that has its identity; returns the
/// pairs and which listed ones were claimed.
fn pair<'a>(wanted: &'a [Wanted], listed: &'a [Subscriber]) -> (Vec<Pair<'a>>, Vec<bool>) {
    let mut claimed = vec![false; listed.len()];
    let mut pairs: Vec<(&Wanted, Option<&Subscriber>)> = Vec::new();
    for w in wanted {
        let found = listed
            .iter()
            .enumerate()
            .find(|(i, s)| !claimed[*i] && matches(s, w.kind, &w.address));
        if let Some((i, _)) = found {
            claimed[i] = true;
        }
        pairs.push((w, found.map(|(_, s)| s)));
    }
    (pairs, claimed)
}

/// A step with the subscriber's view before and after it.
type Planned<'a> = (Step<'a>, Value, Value);

/// The steps, and the before/after views (declared webhooks are scrubbed as secrets by the
/// protocol; undeclared ones are cut to their host here).
fn plan_list<'a>(
    o: &SubscriberOptions,
    pairs: &[Pair<'a>],
    listed: &'a [Subscriber],
    claimed: &[bool],
    names: &Names,
    ctx: &mut Context,
) -> Result<Vec<Planned<'a>>, Failure> {
    let mut steps: Vec<(Step<'_>, Value, Value)> = Vec::new();
    for (i, (w, current)) in pairs.iter().enumerate() {
        let at = format!("subscribers[{i}].components");
        let before = current.map(|s| {
            let (all, _, n) = names.current(s);
            with_id(view(w.kind, &w.address, all, &n), Some(s.id.as_str()))
        });
        if o.state == State::Absent {
            if let (Some(s), Some(before)) = (current, before) {
                steps.push((Step::Remove(s), before, Value::Null));
            }
            continue;
        }
        let (all, ids, n) = names.wanted(&at, w.components.as_ref())?;
        let after = with_id(view(w.kind, &w.address, all, &n), None);
        match (current, before) {
            (Some(s), Some(before)) => {
                let (cur_all, cur_ids, _) = names.current(s);
                let same = if all {
                    cur_all
                } else {
                    !cur_all && cur_ids == ids
                };
                if same {
                    steps.push((Step::Keep, before.clone(), before));
                } else {
                    steps.push((Step::Readd(s, w), before, after));
                }
            }
            _ => steps.push((Step::Add(w), Value::Null, after)),
        }
    }
    if o.exclusive {
        for (i, s) in listed.iter().enumerate() {
            if claimed[i] {
                continue;
            }
            let (kind, address) = listed_identity(s);
            let (all, _, n) = names.current(s);
            let before = with_id(
                view(kind, &undeclared_address(kind, &address), all, &n),
                Some(s.id.as_str()),
            );
            steps.push((Step::Remove(s), before, Value::Null));
        }
    }
    let undeclared = listed.len() - claimed.iter().filter(|c| **c).count();
    if !o.exclusive && undeclared > 0 && o.state == State::Present {
        ctx.warn(format!(
            "the page has {undeclared} subscriber(s) the list does not declare; they are kept \
             (exclusive=true removes them)"
        ));
    }

    Ok(steps)
}

/// How many subscribers were added, re-added and removed.
#[derive(Clone, Copy, Default)]
struct Counts {
    added: usize,
    readded: usize,
    removed: usize,
}

/// Applies the steps (not in check mode), recording each result; a failure reports what was
/// done.
fn apply_list(
    api: &mut Api<'_>,
    page: &PageId,
    names: &Names,
    steps: &[Planned<'_>],
    check: bool,
    ctx: &mut Context,
) -> Result<(Vec<Value>, Counts), Failure> {
    let mut results: Vec<Value> = Vec::new();
    let mut counts = Counts::default();
    for (step, before, after) in steps {
        let (action, shown) = match step {
            Step::Keep => ("unchanged", before.clone()),
            Step::Add(w) => {
                let mut shown = after.clone();
                if !check {
                    let (all, ids, _) = names.wanted("", w.components.as_ref())?;
                    let done = add(api, w, all, &ids)
                        .map_err(|f| partial(f, &results, "adding a subscriber"))?;
                    shown = with_id(after.clone(), Some(done.id.as_str()));
                }
                counts.added += 1;
                ("added", shown)
            }
            Step::Readd(s, w) => {
                let mut shown = after.clone();
                if !check {
                    api.send(subscribers::remove(page, &s.id))
                        .map_err(|f| partial(f, &results, "removing a subscriber to re-add it"))?;
                    let (all, ids, _) = names.wanted("", w.components.as_ref())?;
                    let done = add(api, w, all, &ids).map_err(|f| {
                        let mut done = results.clone();
                        done.push(json!({"action": "removed", "subscriber": before}));
                        partial(
                            f,
                            &done,
                            "adding a subscriber again after removing it to change its components",
                        )
                    })?;
                    shown = with_id(after.clone(), Some(done.id.as_str()));
                }
                if w.auto_confirm != Some(true) {
                    ctx.warn(format!(
                        "a {} subscriber is re-added to change its components; it may have to confirm again",
                        w.kind
                    ));
                }
                counts.readded += 1;
                ("readded", shown)
            }
            Step::Remove(s) => {
                if !check {
                    api.send(subscribers::remove(page, &s.id))
                        .map_err(|f| partial(f, &results, "removing a subscriber"))?;
                }
                counts.removed += 1;
                ("removed", before.clone())
            }
        };
        results.push(json!({"action": action, "subscriber": shown}));
    }

    Ok((results, counts))
}

/// The result: counts, each subscriber's action, and the diff of the declared set.
fn list_outcome(
    steps: &[Planned<'_>],
    results: Vec<Value>,
    counts: Counts,
    check: bool,
    declared: usize,
) -> Outcome {
    let Counts {
        added,
        readded,
        removed,
    } = counts;
    let changed = added + readded + removed > 0;
    let verb = |n: usize, what: &str| {
        let pre = if check { "would be " } else { "" };
        format!("{n} {pre}{what}")
    };
    let msg = if changed {
        format!(
            "subscribers: {}, {}, {}",
            verb(added, "added"),
            verb(readded, "re-added"),
            verb(removed, "removed")
        )
    } else {
        format!("the {} declared subscriber(s) are up to date", declared)
    };
    let sorted = |after: bool| {
        let mut v: Vec<Value> = steps
            .iter()
            .map(|(_, before, later)| if after { later } else { before })
            .filter(|v| !v.is_null())
            .cloned()
            .collect();
        v.sort_by_key(|x| (x["type"].to_string(), x["address"].to_string()));
        // Ids are not part of what is compared: a re-add changes it, check mode has none yet.
        for x in &mut v {
            if let Value::Object(m) = x {
                m.remove("id");
            }
        }
        Value::Array(v)
    };
    let diff = Diff::new(
        json!({"subscribers": sorted(false)}),
        json!({"subscribers": sorted(true)}),
    );
    Outcome::new(changed, msg)
        .with("subscribers", Value::Array(results))
        .with("added", json!(added))
        .with("readded", json!(readded))
        .with("removed", json!(removed))
        .with_diff(diff)
}

/// A failure in the middle of the list: says which writes were done before it.
fn partial(f: Failure, done: &[Value], doing: &str) -> Failure {
    let writes = done.iter().filter(|r| r["action"] != "unchanged").count();
    let failure = Failure::new(format!(
        "{doing} failed after {writes} completed change(s) (see `subscribers`): {}",
        f.msg
    ))
    .with("subscribers", Value::Array(done.to_vec()));
    if writes > 0 {
        failure.after_writes()
    } else {
        failure
    }
}

fn add(
    api: &mut Api<'_>,
    w: &Wanted,
    all: bool,
    ids: &BTreeSet<ComponentId>,
) -> Result<SubscriberDetail, Failure> {
    let page = api.page_id()?;
    let mut body = AddSubscriberRequest::default();
    match w.kind {
        "email" => body.email = Some(w.address.clone()),
        "phone" => body.phone = Some(w.address.clone()),
        _ => body.webhook = Some(w.address.clone()),
    }
    body.webhook_email = w.webhook_email.clone();
    body.language = w.language.clone();
    body.auto_confirm = w.auto_confirm;
    if all {
        body.all = Some(true);
    } else {
        body.all = Some(false);
        body.components = Some(ids.iter().cloned().collect());
    }
    let (kind, address) = (w.kind, w.address.as_str());
    // An add whose answer is lost is looked up before it is ever sent again.
    let client = api.client()?;
    let created = create_once(
        client,
        || subscribers::add(&page, &body),
        |c| {
            let found = c
                .list_all(subscribers::list(&page))?
                .into_iter()
                .find(|s| matches(s, kind, address));
            Ok(found.map(Into::into))
        },
    )
    .map_err(|e| Failure::new(e.to_string()))?;
    Ok(created.value)
}
