//! `ephemery.instatus.info`: read-only facts about a page, for `when:` conditions and templates.
//! Never changes anything, so it runs the same in check mode.

use instatus::api;
use instatus::model::{ComponentBrief, ComponentTree, MaintenanceStatus};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::common::{page_json, Api, CommonOptions};
use crate::protocol::{AnsibleModule, Context, Failure, Outcome};

/// The module.
pub struct InfoModule;

/// Options of `ephemery.instatus.info`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct InfoOptions {
    /// Connection options.
    #[serde(flatten)]
    pub common: CommonOptions,

    /// Also count the page's subscribers (one more request per 100 subscribers).
    #[serde(default = "yes")]
    pub subscribers: bool,
}

fn yes() -> bool {
    true
}

impl AnsibleModule for InfoModule {
    const NAME: &'static str = "info";
    type Options = InfoOptions;
    const READ_ONLY: bool = true;

    fn run(options: InfoOptions, ctx: &mut Context) -> Result<Outcome, Failure> {
        Api::run(&options.common, ctx, |api, _| run(&options, api))
    }
}

fn names(components: &[ComponentBrief]) -> Vec<String> {
    components
        .iter()
        .map(|c| {
            c.name
                .as_ref()
                .map(|n| n.as_str().to_owned())
                .unwrap_or_else(|| c.id.to_string())
        })
        .collect()
}

fn run(o: &InfoOptions, api: &mut Api<'_>) -> Result<Outcome, Failure> {
    let page = api.page()?;
    let pages: Vec<Value> = api.pages()?.iter().map(page_json).collect();
    let page_id = page.id.clone();

    let tree = ComponentTree::from_components(api.list_all(api::components::list(&page_id))?);
    let mut components = Vec::new();
    let mut status_by_path = Map::new();
    for i in tree.walk() {
        let node = tree.node(i);
        let c = &node.component;
        let path = tree.path(i);
        status_by_path.insert(path.clone(), json!(c.status.user_name()));
        components.push(json!({
            "id": c.id.as_str(),
            "name": c.name.as_str(),
            "path": path,
            "group": node.parent.map(|p| tree.node(p).component.name.as_str().to_owned()),
            "is_group": c.is_parent || !node.children.is_empty(),
            "description": c.description_str(),
            "status": c.status.user_name(),
            "order": c.order,
            "show_uptime": c.show_uptime.unwrap_or(false),
            "archived": c.is_archived(),
        }));
    }

    let incidents: Vec<Value> = api
        .list_all(api::incidents::list_open(&page_id))?
        .into_iter()
        .filter(|i| i.is_open())
        .map(|i| {
            json!({
                "id": i.id.as_str(),
                "name": i.name.as_str(),
                "status": i.status.user_name(),
                "started": i.started.map(|t| t.to_string()),
                "components": names(&i.components),
            })
        })
        .collect();

    let mut upcoming = Vec::new();
    let mut running = Vec::new();
    for m in api.list_all(api::maintenances::list(&page_id))? {
        let entry = json!({
            "id": m.id.as_str(),
            "name": m.name.as_str(),
            "status": m.status.user_name(),
            "start": m.start.map(|t| t.to_string()),
            "end": instatus::calendar::planned_end(&m).map(|t| t.to_string()),
            "components": names(&m.components),
        });
        match m.status {
            MaintenanceStatus::NotStartedYet => upcoming.push(entry),
            MaintenanceStatus::InProgress => running.push(entry),
            _ => {}
        }
    }

    let subscriber_count = if o.subscribers {
        json!(api.list_all(api::subscribers::list(&page_id))?.len())
    } else {
        Value::Null
    };

    Ok(Outcome::new(
        false,
        format!(
            "page '{}': {} components, {} open incidents, {} maintenances running, {} upcoming",
            page.name_str(),
            components.len(),
            incidents.len(),
            running.len(),
            upcoming.len()
        ),
    )
    .with("page", page_json(&page))
    .with("pages", json!(pages))
    .with("components", json!(components))
    .with("component_status", Value::Object(status_by_path))
    .with("component_tree", json!(tree.render()))
    .with("incidents", json!(incidents))
    .with("maintenances_running", json!(running))
    .with("maintenances_upcoming", json!(upcoming))
    .with("subscriber_count", subscriber_count))
}
