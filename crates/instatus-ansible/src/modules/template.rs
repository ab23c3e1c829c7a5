//! `ephemery.instatus.template`: one Instatus incident or maintenance template (the dashboard's
//! "templates": a prepared title, first message, status and affected components), found by its
//! type and name. Fields the task leaves out are left as they are.

use std::collections::BTreeMap;

use instatus::api::templates::{self, CreateTemplateRequest, NewTemplate, UpdateTemplateRequest};
use instatus::api::{components, ComponentStatusEntry};
use instatus::model::{
    ComponentId, ComponentStatus, ComponentTree, PageId, StatusPage, Template, TemplateStatus,
    TemplateType,
};
use instatus::recover::create_once;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::common::{check_form, diff_view, resolve_paths, Api, CommonOptions, State, UserSpelled};
use crate::protocol::{AnsibleModule, Context, Diff, Failure, Outcome};

/// The module.
pub struct TemplateModule;

/// What a template creates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum KindOption {
    /// An incident template.
    #[default]
    #[serde(alias = "INCIDENT")]
    Incident,
    /// A maintenance template.
    #[serde(alias = "MAINTENANCE")]
    Maintenance,
}

impl KindOption {
    fn to_api(self) -> TemplateType {
        match self {
            Self::Incident => TemplateType::Incident,
            Self::Maintenance => TemplateType::Maintenance,
        }
    }

    fn word(self) -> &'static str {
        match self {
            Self::Incident => "incident",
            Self::Maintenance => "maintenance",
        }
    }
}

/// Whether a template of `kind` can give its notice `status` (incident statuses for incident
/// templates, maintenance statuses for maintenance templates).
fn fits(status: &TemplateStatus, kind: KindOption) -> bool {
    let incident = matches!(
        status,
        TemplateStatus::Investigating
            | TemplateStatus::Identified
            | TemplateStatus::Monitoring
            | TemplateStatus::Resolved
    );
    incident == (kind == KindOption::Incident)
}

/// Options of `ephemery.instatus.template`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct TemplateOptions {
    /// Connection options.
    #[serde(flatten)]
    pub common: CommonOptions,

    /// The template's name: the title of the incident or maintenance it creates. With `type`, it
    /// identifies the template.
    pub name: String,

    /// `incident` or `maintenance`.
    #[serde(default, rename = "type")]
    pub kind: KindOption,

    /// The first update's message. Required to create the template; left as it is when omitted.
    pub message: Option<String>,

    /// The notice's status: `investigating`, `identified`, `monitoring`, `resolved` (incident
    /// templates) or `scheduled`, `in_progress`, `completed` (maintenance templates). On create
    /// the default is `investigating` or `scheduled`; left as it is when omitted.
    pub status: Option<UserSpelled<TemplateStatus>>,

    /// Whether a notice made from the template notifies subscribers. On create the default is
    /// false; left as it is when omitted.
    pub notify: Option<bool>,

    /// The affected components, by name path (`Group/Name`), each with the status the notice gives
    /// it: `operational`, `under_maintenance`, `degraded_performance`, `partial_outage`,
    /// `major_outage`. `{}` clears them; left as they are when omitted.
    pub components: Option<BTreeMap<String, String>>,

    /// `present` creates or updates the template, `absent` deletes it.
    #[serde(default)]
    pub state: State,
}

impl AnsibleModule for TemplateModule {
    const NAME: &'static str = "template";
    type Options = TemplateOptions;

    fn run(options: TemplateOptions, ctx: &mut Context) -> Result<Outcome, Failure> {
        Api::run(&options.common, ctx, |api, ctx| run(&options, api, ctx))
    }
}

/// The template as the module shows it: components by name path with user-spelled statuses.
fn view(t: &Template, tree: &ComponentTree) -> Value {
    let components: BTreeMap<String, String> = t
        .components
        .iter()
        .filter_map(|c| {
            let id = c.component_id.as_ref()?;
            let name = tree
                .index_of(id)
                .map(|i| tree.path(i))
                .unwrap_or_else(|| id.to_string());
            Some((
                name,
                c.status
                    .as_ref()
                    .map(ComponentStatus::user_name)
                    .unwrap_or_default(),
            ))
        })
        .collect();
    json!({
        "id": t.id.as_str(),
        "type": t.kind.as_str().to_ascii_lowercase(),
        "name": t.name.as_str(),
        "message": t.message.clone().unwrap_or_default(),
        "status": t.status.user_name(),
        "notify": t.notify.unwrap_or(false),
        "components": components,
    })
}

/// Declared components as the view shows them.
fn shown_components(declared: Option<&BTreeMap<String, ComponentStatus>>) -> Value {
    let shown: BTreeMap<&String, String> = declared
        .into_iter()
        .flatten()
        .map(|(path, status)| (path, status.user_name()))
        .collect();
    json!(shown)
}

fn run(o: &TemplateOptions, api: &mut Api<'_>, ctx: &mut Context) -> Result<Outcome, Failure> {
    let declared = checked_options(o)?;
    let (page, current, tree) = read(o, api, ctx)?;
    let check = ctx.check_mode();
    if o.state == State::Absent {
        return delete(o, api, &page.id, current.as_ref(), &tree, check);
    }
    let wanted = wanted_components(&tree, declared.as_ref())?;
    let task = Task {
        o,
        page,
        tree,
        declared,
        wanted,
        check,
    };
    match &current {
        None => create(&task, api),
        Some(t) => update(&task, api, t),
    }
}

/// A present task, checked and resolved against the page.
struct Task<'a> {
    o: &'a TemplateOptions,
    page: StatusPage,
    tree: ComponentTree,
    /// The declared component statuses by name path.
    declared: Option<BTreeMap<String, ComponentStatus>>,
    /// The same, resolved to ids.
    wanted: Option<Vec<ComponentStatusEntry>>,
    check: bool,
}

/// Every check that needs no page (so a bad option fails before any request); returns the
/// declared component statuses.
fn checked_options(
    o: &TemplateOptions,
) -> Result<Option<BTreeMap<String, ComponentStatus>>, Failure> {
    check_form("name", Some(&o.name), instatus::validate::name)?;
    let kind = o.kind;
    if let Some(UserSpelled(status)) = &o.status {
        if !fits(status, kind) {
            let allowed = match kind {
                KindOption::Incident => "investigating, identified, monitoring, resolved",
                KindOption::Maintenance => "scheduled, in_progress, completed",
            };
            return Err(Failure::new(format!(
                "status: {} is not a status of {} templates; allowed: {allowed}",
                status.user_name(),
                kind.word()
            )));
        }
    }
    let declared = match &o.components {
        None => None,
        Some(map) => Some(
            map.iter()
                .map(|(path, status)| {
                    ComponentStatus::parse_known(status)
                        .map(|s| (path.clone(), s))
                        .map_err(|e| Failure::new(format!("components.{path}: {e}")))
                })
                .collect::<Result<_, _>>()?,
        ),
    };
    if o.state == State::Present {
        if let Some(m) = &o.message {
            if m.trim().is_empty() {
                return Err(Failure::new(
                    "message: is empty; allowed: the text of the first update",
                ));
            }
        }
    }
    Ok(declared)
}

/// The page, the template of this name and type (the first, with a warning when several
/// have it), and the component tree when a view or the task needs it.
fn read(
    o: &TemplateOptions,
    api: &mut Api<'_>,
    ctx: &mut Context,
) -> Result<(StatusPage, Option<Template>, ComponentTree), Failure> {
    let kind = o.kind;
    let page = api.page()?;
    let found: Vec<Template> = api
        .list_all(templates::list(&page.id))?
        .into_iter()
        .filter(|t| t.kind == kind.to_api() && t.name.as_str() == o.name)
        .collect();
    if found.len() > 1 {
        ctx.warn(format!(
            "{} {} templates are named '{}'; the module manages the first (id {})",
            found.len(),
            kind.word(),
            o.name,
            found[0].id
        ));
    }
    let current = found.into_iter().next();
    let needs_tree =
        o.components.is_some() || current.as_ref().is_some_and(|t| !t.components.is_empty());
    let tree = if needs_tree {
        ComponentTree::from_components(api.list_all(components::list(&page.id))?)
    } else {
        ComponentTree::default()
    };
    Ok((page, current, tree))
}

/// Declared name paths -> ids; unknown and ambiguous paths are named.
fn wanted_components(
    tree: &ComponentTree,
    declared: Option<&BTreeMap<String, ComponentStatus>>,
) -> Result<Option<Vec<ComponentStatusEntry>>, Failure> {
    let Some(map) = declared else {
        return Ok(None);
    };
    let ids = resolve_paths(tree, "components", map.keys().map(String::as_str))?;
    Ok(Some(
        ids.into_iter()
            .zip(map.values())
            .map(|(id, status)| ComponentStatusEntry::new(id, status.clone()))
            .collect(),
    ))
}

/// `state: absent`.
fn delete(
    o: &TemplateOptions,
    api: &mut Api<'_>,
    page_id: &PageId,
    current: Option<&Template>,
    tree: &ComponentTree,
    check: bool,
) -> Result<Outcome, Failure> {
    let kind = o.kind;
    let Some(t) = current else {
        return Ok(Outcome::new(
            false,
            format!("the {} template '{}' is absent", kind.word(), o.name),
        )
        .with("template", Value::Null));
    };
    let before = view(t, tree);
    if !check {
        api.send(templates::delete(page_id, &t.id))?;
    }
    let verb = if check { "would delete" } else { "deleted" };
    Ok(Outcome::new(
        true,
        format!("{verb} the {} template '{}'", kind.word(), o.name),
    )
    .with("template", before.clone())
    .with_diff(Diff::new(diff_view(&before), json!({}))))
}

/// A template not there yet: created (once, even after an ambiguous create).
fn create(task: &Task<'_>, api: &mut Api<'_>) -> Result<Outcome, Failure> {
    let Task {
        o,
        page,
        tree,
        check,
        ..
    } = task;
    let kind = o.kind;
    let page_id = &page.id;
    let Some(message) = &o.message else {
        return Err(Failure::new(format!(
            "message: required to create the {} template '{}'",
            kind.word(),
            o.name
        )));
    };
    let status = o
        .status
        .as_ref()
        .map(|s| s.0.clone())
        .unwrap_or(match kind {
            KindOption::Incident => TemplateStatus::Investigating,
            KindOption::Maintenance => TemplateStatus::NotStartedYet,
        });
    let Some(subdomain) = page.subdomain.clone() else {
        return Err(Failure::new(
            "page: the page has no subdomain; a template needs it",
        ));
    };
    let body = CreateTemplateRequest::from(NewTemplate {
        kind: kind.to_api(),
        subdomain,
        name: o.name.clone(),
        message: message.clone(),
        status: status.clone(),
    })
    .notify(o.notify.unwrap_or(false))
    .components(task.wanted.clone().unwrap_or_default());
    let predicted = json!({
        "id": null,
        "type": kind.word(),
        "name": o.name,
        "message": message,
        "status": status.user_name(),
        "notify": o.notify.unwrap_or(false),
        "components": shown_components(task.declared.as_ref()),
    });
    let shown = if *check {
        predicted
    } else {
        let name = o.name.clone();
        let client = api.client()?;
        let created = create_once(
            client,
            || templates::create(page_id, &body),
            |c| {
                Ok(c.list_all(templates::list(page_id))?
                    .into_iter()
                    .find(|t| t.kind == kind.to_api() && t.name.as_str() == name))
            },
        )
        .map_err(|e| Failure::new(e.to_string()))?;
        view(&created.value, tree)
    };
    let verb = if *check { "would create" } else { "created" };
    Ok(Outcome::new(
        true,
        format!("{verb} the {} template '{}'", kind.word(), o.name),
    )
    .with("template", shown.clone())
    .with_diff(Diff::new(json!({}), diff_view(&shown))))
}

/// The template there: compare what the task declares and send only what differs.
fn update(task: &Task<'_>, api: &mut Api<'_>, t: &Template) -> Result<Outcome, Failure> {
    let Task {
        o,
        page,
        tree,
        declared,
        check,
        ..
    } = task;
    let kind = o.kind;
    let before = view(t, tree);
    let (update, changes) = changes(o, t, task.wanted.as_ref());
    if changes.is_empty() {
        return Ok(Outcome::new(
            false,
            format!("the {} template '{}' is up to date", kind.word(), o.name),
        )
        .with("template", before.clone())
        .with_diff(Diff::new(diff_view(&before), diff_view(&before))));
    }
    let shown = if *check {
        let mut after = before.clone();
        if let Some(m) = after.as_object_mut() {
            if let Some(x) = &o.message {
                m.insert("message".into(), json!(x));
            }
            if let Some(UserSpelled(s)) = &o.status {
                m.insert("status".into(), json!(s.user_name()));
            }
            if let Some(n) = o.notify {
                m.insert("notify".into(), json!(n));
            }
            if declared.is_some() {
                m.insert("components".into(), shown_components(declared.as_ref()));
            }
        }
        after
    } else {
        let updated = api.send(templates::update(&page.id, &t.id, &update))?;
        view(&updated, tree)
    };
    let verb = if *check { "would update" } else { "updated" };
    Ok(Outcome::new(
        true,
        format!(
            "{verb} the {} template '{}' ({})",
            kind.word(),
            o.name,
            changes.join(", ")
        ),
    )
    .with("template", shown.clone())
    .with("changes", json!(changes))
    .with_diff(Diff::new(diff_view(&before), diff_view(&shown))))
}

/// The update request with what the task declares and `t` lacks, and the names of the fields.
fn changes(
    o: &TemplateOptions,
    t: &Template,
    wanted: Option<&Vec<ComponentStatusEntry>>,
) -> (UpdateTemplateRequest, Vec<&'static str>) {
    let mut update = UpdateTemplateRequest::new();
    let mut changes = Vec::new();
    if let Some(m) = &o.message {
        if t.message.as_deref() != Some(m.as_str()) {
            update = update.message(m.clone());
            changes.push("message");
        }
    }
    if let Some(UserSpelled(s)) = &o.status {
        if &t.status != s {
            update = update.status(s.clone());
            changes.push("status");
        }
    }
    if let Some(n) = o.notify {
        if t.notify.unwrap_or(false) != n {
            update = update.notify(n);
            changes.push("notify");
        }
    }
    if let Some(wanted) = wanted {
        let have: BTreeMap<&ComponentId, Option<&ComponentStatus>> = t
            .components
            .iter()
            .filter_map(|c| Some((c.component_id.as_ref()?, c.status.as_ref())))
            .collect();
        let want: BTreeMap<&ComponentId, Option<&ComponentStatus>> =
            wanted.iter().map(|e| (&e.id, Some(&e.status))).collect();
        if have != want {
            update = update.components(wanted.clone());
            changes.push("components");
        }
    }
    (update, changes)
}
