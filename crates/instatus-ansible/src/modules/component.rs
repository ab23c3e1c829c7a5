//! `ephemery.instatus.component`: one component, found by name (inside a group given by name).
//!
//! Identity is the name path (`Group/Name`): a component with the same name elsewhere is a
//! different component, so nothing is ever moved between groups. Fields the task leaves out are
//! left as they are; the live `status` changes only when the task gives one.

use instatus::api::components::{self, CreateComponentRequest};
use instatus::desired::{component_fields, ComponentSpec};
use instatus::lookup::find_component;
use instatus::model::{Component, ComponentId, ComponentStatus, ComponentTree, PageId, TreeNode};
use instatus::recover::create_once;
use instatus::Client;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::common::{check_form, diff_view, Api, CommonOptions, State, UserSpelled};
use crate::protocol::{AnsibleModule, Context, Diff, Failure, Outcome};

/// The module.
pub struct ComponentModule;

/// Options of `ephemery.instatus.component`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ComponentOptions {
    /// Connection options.
    #[serde(flatten)]
    pub common: CommonOptions,

    /// The component's name (without the group).
    pub name: String,

    /// The name of the group the component sits in; top level when omitted. With
    /// `state=present` a missing group is created (reported in `group_created`).
    pub group: Option<String>,

    /// The description shown under the name (Markdown links allowed); left as it is when omitted.
    pub description: Option<String>,

    /// Position on the page; left as it is when omitted.
    pub order: Option<i64>,

    /// Whether the uptime bar is shown; left as it is when omitted.
    pub show_uptime: Option<bool>,

    /// Whether the component is archived (hidden from the page); left as it is when omitted.
    pub archived: Option<bool>,

    /// The live status. Omit it to leave the status to monitoring; a declaration never resets it.
    pub status: Option<UserSpelled<ComponentStatus>>,

    /// `present` creates or updates the component, `absent` deletes it (a group is deleted only
    /// when it has no components left).
    #[serde(default)]
    pub state: State,
}

impl AnsibleModule for ComponentModule {
    const NAME: &'static str = "component";
    type Options = ComponentOptions;

    fn run(options: ComponentOptions, ctx: &mut Context) -> Result<Outcome, Failure> {
        Api::run(&options.common, ctx, |api, ctx| run(&options, api, ctx))
    }
}

/// The component as the module shows it (diff, return value).
fn view(c: &Component, group: Option<&str>) -> Value {
    json!({
        "id": c.id.as_str(),
        "name": c.name.as_str(),
        "group": group,
        "description": c.description_str(),
        "order": c.order,
        "show_uptime": c.shows_uptime(),
        "archived": c.is_archived(),
        "status": c.status.user_name(),
    })
}

/// The diff view: the return view without the id (it says nothing to a reader of `--diff`).
fn run(o: &ComponentOptions, api: &mut Api<'_>, ctx: &mut Context) -> Result<Outcome, Failure> {
    let path = checked_path(o)?;
    let page = api.page_id()?;
    let tree = ComponentTree::from_components(api.list_all(components::list(&page))?);
    let found = tree.find_all(&path);
    if found.len() > 1 {
        return Err(Failure::new(format!(
            "{} components are named '{path}' on the page; remove the duplicates first (ids: {})",
            found.len(),
            found
                .iter()
                .map(|&i| tree.node(i).component.id.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let existing = found.first().map(|&i| tree.node(i));
    let check = ctx.check_mode();
    if o.state == State::Absent {
        return delete(o, api, &page, &path, existing, check);
    }
    // Present: find (or create) the group first.
    let client = api.client()?.clone();
    let (group_id, group_created) = group(o, &client, &page, &tree, ctx)?;
    let task = Present {
        o,
        path,
        page,
        group_id,
        group_created,
        declared: ComponentSpec {
            name: o.name.clone(),
            description: o.description.clone(),
            show_uptime: o.show_uptime,
            archived: o.archived,
            status: o.status.as_ref().map(|s| s.0.clone()),
            ..ComponentSpec::default()
        },
        check,
    };
    match existing {
        None => create(&task, &client, ctx),
        Some(node) => update(&task, api, &node.component, ctx),
    }
}

/// The name path the options declare, after checking the name and the group.
fn checked_path(o: &ComponentOptions) -> Result<String, Failure> {
    for (option, value) in [("name", Some(&o.name)), ("group", o.group.as_ref())] {
        if let Some(value) = value {
            check_form(option, Some(value), instatus::validate::name)?;
            if value.trim() != value || value.contains(instatus::model::PATH_SEPARATOR) {
                return Err(Failure::new(format!(
                    "{option}: {value:?} has leading or trailing spaces or a '/'; allowed: a name \
                     without '/' (it separates group and component in name paths)"
                )));
            }
        }
    }
    Ok(match &o.group {
        Some(group) => format!("{group}/{}", o.name),
        None => o.name.clone(),
    })
}

/// `state: absent` (a group only once it has no components).
fn delete(
    o: &ComponentOptions,
    api: &mut Api<'_>,
    page: &PageId,
    path: &str,
    existing: Option<&TreeNode>,
    check: bool,
) -> Result<Outcome, Failure> {
    let Some(node) = existing else {
        return Ok(Outcome::new(false, format!("component '{path}' is absent"))
            .with_diff(Diff::new(json!({}), json!({}))));
    };
    if !node.children.is_empty() {
        return Err(Failure::new(format!(
            "component '{path}' is a group with {} components; remove them first",
            node.children.len()
        )));
    }
    let before = view(&node.component, o.group.as_deref());
    let verb = if check { "would delete" } else { "deleted" };
    if !check {
        api.send(components::delete(page, &node.component.id))?;
    }
    Ok(Outcome::new(true, format!("{verb} component '{path}'"))
        .with("component", before.clone())
        .with_diff(Diff::new(diff_view(&before), json!({})).headers(path, path)))
}

/// The group's id (none in check mode when it would be created) and whether it was created.
fn group(
    o: &ComponentOptions,
    client: &Client,
    page: &PageId,
    tree: &ComponentTree,
    ctx: &mut Context,
) -> Result<(Option<ComponentId>, bool), Failure> {
    let Some(group) = &o.group else {
        return Ok((None, false));
    };
    match tree.find_all(group).as_slice() {
        [one] => Ok((Some(tree.node(*one).component.id.clone()), false)),
        [] if ctx.check_mode() => Ok((None, true)),
        [] => {
            let body = CreateComponentRequest::new(group.as_str());
            let created = create_once(
                client,
                || components::create(page, &body),
                |c| find_component(c, page, group),
            )
            .map_err(|e| Failure::new(format!("creating the group '{group}': {e}")))?;
            if created.recovered {
                ctx.warn(recovered_note(group));
            }
            Ok((Some(created.value.id), true))
        }
        many => Err(Failure::new(format!(
            "{} top-level components are named '{group}'; remove the duplicates first",
            many.len()
        ))),
    }
}

/// A present task with its group found or created.
struct Present<'a> {
    o: &'a ComponentOptions,
    path: String,
    page: PageId,
    group_id: Option<ComponentId>,
    group_created: bool,
    declared: ComponentSpec,
    check: bool,
}

impl Present<'_> {
    /// A failure after the group was created still reports that write.
    fn after_group(&self, failure: Failure) -> Failure {
        if self.group_created && !self.check {
            failure
                .after_writes()
                .with("group_created", json!(true))
                .with(
                    "group_id",
                    json!(self.group_id.as_ref().map(|g| g.as_str())),
                )
        } else {
            failure
        }
    }
}

/// A component not there yet.
fn create(task: &Present<'_>, client: &Client, ctx: &mut Context) -> Result<Outcome, Failure> {
    let Present {
        o,
        path,
        page,
        group_created,
        declared,
        check,
        ..
    } = task;
    let (wanted, _) = component_fields(declared, None);
    let mut body = CreateComponentRequest::new(o.name.as_str());
    body.description = wanted.description;
    body.order = o.order;
    body.show_uptime = wanted.show_uptime;
    body.archived = wanted.archived;
    body.status = wanted.status;
    if let Some(id) = &task.group_id {
        body = body.in_group(id.clone());
    }
    // What Instatus creates: its defaults for what the task leaves out.
    let predicted = json!({
        "id": null,
        "name": o.name,
        "group": o.group,
        "description": o.description.clone().unwrap_or_default(),
        "order": o.order,
        "show_uptime": o.show_uptime.unwrap_or(true),
        "archived": o.archived.unwrap_or(false),
        "status": o.status.as_ref().map(|s| s.0.user_name()).unwrap_or_else(|| "operational".into()),
    });
    let mut not_applied = Vec::new();
    let shown = if *check {
        predicted.clone()
    } else {
        let created = create_once(
            client,
            || components::create(page, &body),
            |c| find_component(c, page, path),
        )
        .map_err(|e| task.after_group(Failure::new(format!("creating '{path}': {e}"))))?;
        if created.recovered {
            ctx.warn(recovered_note(path));
        }
        not_applied = unapplied(declared, o.order, &created.value);
        view(&created.value, o.group.as_deref())
    };
    warn_not_applied(ctx, path, &not_applied);
    let group_note = if *group_created {
        format!(
            " (and its group '{}')",
            o.group.as_deref().unwrap_or_default()
        )
    } else {
        String::new()
    };
    let verb = if *check { "would create" } else { "created" };
    Ok(
        Outcome::new(true, format!("{verb} component '{path}'{group_note}"))
            .with("component", shown)
            .with("group_created", json!(group_created))
            .with("not_applied", json!(not_applied))
            .with_diff(Diff::new(json!({}), diff_view(&predicted)).headers(path, path)),
    )
}

/// The component there: update only what differs (the declarative planner's comparison, plus
/// the explicit order).
fn update(
    task: &Present<'_>,
    api: &mut Api<'_>,
    c: &Component,
    ctx: &mut Context,
) -> Result<Outcome, Failure> {
    let (o, path, page, declared) = (task.o, &task.path, &task.page, &task.declared);
    let (check, group_created) = (&task.check, &task.group_created);
    let (mut body, changes) = component_fields(declared, Some(c));
    let mut fields: Vec<String> = changes.into_iter().map(|f| f.field).collect();
    if o.order.is_some() && o.order != c.order {
        body.order = o.order;
        fields.push("order".into());
    }
    let before = view(c, o.group.as_deref());
    if fields.is_empty() {
        return Ok(
            Outcome::new(false, format!("component '{path}' is up to date"))
                .with("component", before.clone())
                .with("group_created", json!(false))
                .with_diff(Diff::new(diff_view(&before), diff_view(&before))),
        );
    }
    let mut after = before.clone();
    for field in &fields {
        let value = match field.as_str() {
            "description" => json!(o.description),
            "order" => json!(o.order),
            "show_uptime" => json!(o.show_uptime),
            "archived" => json!(o.archived),
            _ => json!(o.status.as_ref().map(|s| s.0.user_name())),
        };
        after[field.as_str()] = value;
    }
    let mut not_applied = Vec::new();
    let shown = if *check {
        after.clone()
    } else {
        let updated = api
            .send(components::update(page, &c.id, &body))
            .map_err(|f| task.after_group(f))?;
        not_applied = unapplied(declared, o.order, &updated);
        view(&updated, o.group.as_deref())
    };
    warn_not_applied(ctx, path, &not_applied);
    let done: Vec<&str> = fields
        .iter()
        .map(String::as_str)
        .filter(|f| !not_applied.iter().any(|n| n == f))
        .collect();
    let changed = *check || !done.is_empty() || *group_created;
    let verb = if *check { "would update" } else { "updated" };
    Ok(Outcome::new(
        changed,
        format!("{verb} component '{path}': {}", fields.join(", ")),
    )
    .with("component", shown)
    .with("group_created", json!(group_created))
    .with("not_applied", json!(not_applied))
    .with_diff(Diff::new(diff_view(&before), diff_view(&after)).headers(path, path)))
}

fn recovered_note(path: &str) -> String {
    format!("{path}: the create's outcome was unclear; read back and found it created")
}

/// The fields the API answered with a value other than the one sent (read-back verification).
fn unapplied(declared: &ComponentSpec, order: Option<i64>, answer: &Component) -> Vec<String> {
    let (_, differ) = component_fields(declared, Some(answer));
    let mut out: Vec<String> = differ.into_iter().map(|f| f.field).collect();
    if order.is_some() && order != answer.order {
        out.push("order".into());
    }
    out
}

fn warn_not_applied(ctx: &mut Context, path: &str, fields: &[String]) {
    if !fields.is_empty() {
        ctx.warn(format!(
            "{path}: the API accepted {} but its answer does not show it; reported in not_applied",
            fields.join(", ")
        ));
    }
}
