//! `ephemery.instatus.component`: one component, found by name (inside a group given by name).
//!
//! Identity is the name path (`Group/Name`): a component with the same name elsewhere is a
//! different component, so nothing is ever moved between groups. Fields the task leaves out are
//! left as they are; the live `status` changes only when the task gives one.

use instatus::api::components::{self, CreateComponentRequest, UpdateComponentRequest};
use instatus::model::{Component, ComponentId, ComponentTree};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::common::{status_name, Api, CommonOptions, State, StatusOption};
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
    pub status: Option<StatusOption>,

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
        "show_uptime": c.show_uptime.unwrap_or(false),
        "archived": c.is_archived(),
        "status": status_name(&c.status),
    })
}

/// The diff view: the return view without the id (it says nothing to a reader of `--diff`).
fn diff_view(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(map) = v.as_object_mut() {
        map.remove("id");
    }
    v
}

fn run(o: &ComponentOptions, api: &mut Api<'_>, ctx: &mut Context) -> Result<Outcome, Failure> {
    for (option, value) in [("name", Some(&o.name)), ("group", o.group.as_ref())] {
        if let Some(value) = value {
            if value.trim().is_empty() || value.contains(instatus::model::PATH_SEPARATOR) {
                return Err(Failure::new(format!(
                    "{option} must be a non-empty name without '/', got: '{value}'"
                )));
            }
        }
    }
    let path = match &o.group {
        Some(group) => format!("{group}/{}", o.name),
        None => o.name.clone(),
    };
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
            api.send(components::delete(&page, &node.component.id))?;
        }
        return Ok(Outcome::new(true, format!("{verb} component '{path}'"))
            .with("component", before.clone())
            .with_diff(
                Diff::new(diff_view(&before), json!({})).headers(path.clone(), path.clone()),
            ));
    }

    // Present: find (or create) the group first.
    let mut group_created = false;
    let group_id: Option<ComponentId> = match &o.group {
        None => None,
        Some(group) => match tree.find_all(group).as_slice() {
            [one] => Some(tree.node(*one).component.id.clone()),
            [] => {
                group_created = true;
                if check {
                    None
                } else {
                    let created = api.send(components::create(
                        &page,
                        &CreateComponentRequest::new(group.as_str()),
                    ))?;
                    Some(created.id)
                }
            }
            many => {
                return Err(Failure::new(format!(
                    "{} top-level components are named '{group}'; remove the duplicates first",
                    many.len()
                )))
            }
        },
    };

    let Some(node) = existing else {
        // Create.
        let mut body = CreateComponentRequest::new(o.name.as_str());
        body.description = o.description.clone();
        body.order = o.order;
        body.show_uptime = o.show_uptime;
        body.archived = o.archived;
        body.status = o.status.map(StatusOption::to_api);
        if let Some(id) = &group_id {
            body = body.in_group(id.clone());
        }
        let predicted = json!({
            "id": null,
            "name": o.name,
            "group": o.group,
            "description": o.description.clone().unwrap_or_default(),
            "order": o.order,
            "show_uptime": o.show_uptime.unwrap_or(false),
            "archived": o.archived.unwrap_or(false),
            "status": o.status.map(|s| status_name(&s.to_api())).unwrap_or_else(|| "operational".into()),
        });
        let shown = if check {
            predicted.clone()
        } else {
            view(
                &api.send(components::create(&page, &body))?,
                o.group.as_deref(),
            )
        };
        let group_note = if group_created {
            format!(
                " (and its group '{}')",
                o.group.as_deref().unwrap_or_default()
            )
        } else {
            String::new()
        };
        let verb = if check { "would create" } else { "created" };
        return Ok(
            Outcome::new(true, format!("{verb} component '{path}'{group_note}"))
                .with("component", shown)
                .with("group_created", json!(group_created))
                .with_diff(
                    Diff::new(json!({}), diff_view(&predicted)).headers(path.clone(), path.clone()),
                ),
        );
    };

    // Update only what differs.
    let c = &node.component;
    let mut body = UpdateComponentRequest::default();
    let mut fields = Vec::new();
    if let Some(d) = &o.description {
        if d != c.description_str() {
            body.description = Some(d.clone());
            fields.push("description");
        }
    }
    if o.order.is_some() && o.order != c.order {
        body.order = o.order;
        fields.push("order");
    }
    if let Some(s) = o.show_uptime {
        if Some(s) != c.show_uptime {
            body.show_uptime = Some(s);
            fields.push("show_uptime");
        }
    }
    if let Some(a) = o.archived {
        if a != c.is_archived() {
            body.archived = Some(a);
            fields.push("archived");
        }
    }
    if let Some(s) = o.status {
        if s.to_api() != c.status {
            body.status = Some(s.to_api());
            fields.push("status");
        }
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
        let value = match *field {
            "description" => json!(o.description),
            "order" => json!(o.order),
            "show_uptime" => json!(o.show_uptime),
            "archived" => json!(o.archived),
            _ => json!(o.status.map(|s| status_name(&s.to_api()))),
        };
        after[*field] = value;
    }
    let shown = if check {
        after.clone()
    } else {
        view(
            &api.send(components::update(&page, &c.id, &body))?,
            o.group.as_deref(),
        )
    };
    let verb = if check { "would update" } else { "updated" };
    Ok(Outcome::new(
        true,
        format!("{verb} component '{path}': {}", fields.join(", ")),
    )
    .with("component", shown)
    .with("group_created", json!(group_created))
    .with_diff(Diff::new(diff_view(&before), diff_view(&after)).headers(path.clone(), path)))
}
