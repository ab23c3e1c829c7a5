//! `ephemery.instatus.incident`: open, update and resolve one incident, found by name (or id).
//!
//! Identity is the title of an *open* incident (at most one may have it), or the id. The
//! lifecycle is `state` (`open`, `resolved`, `absent`); the stage of an open incident is
//! `status` (`investigating`, `identified`, `monitoring`). A change to an open incident is posted
//! as ONE incident update (never a PUT of the incident), so subscribers see the history.
//!
//! The module is a translator: it parses the options, reads the page, asks the library's
//! [`instatus::status::incident_edit::plan`] what to write (which incident, what differs, update,
//! reopen or resolve), writes that and reports it. No lifecycle decision lives here.

use std::collections::BTreeMap;

use instatus::api::incidents::{self, CreateIncidentRequest, CreateIncidentUpdateRequest};
use instatus::api::{components, ComponentStatusEntry};
use instatus::model::{ComponentId, ComponentStatus, ComponentTree, Incident, IncidentStatus};
use instatus::status::incident_edit::{
    affected, latest_message, plan, IncidentEdit, IncidentTarget, IncidentTask, IncidentUnchanged,
    PostKind,
};
use jiff::Timestamp;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::common::{status_name, Api, CommonOptions, StatusOption};
use crate::protocol::{AnsibleModule, Context, Diff, Failure, Outcome, Rules};
use instatus::recover::create_once;

/// The module.
pub struct IncidentModule;

/// `state`: where the incident should be in its lifecycle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum IncidentState {
    /// Open (created when missing), with the given stage, message and components.
    #[default]
    Open,
    /// Resolved (no change when it is already resolved or no open incident has the name).
    Resolved,
    /// Deleted (rarely wanted: it removes the incident from the page's history).
    Absent,
}

/// `status`: the stage of an open incident, as users write it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum IncidentStage {
    /// The cause is being looked for.
    Investigating,
    /// The cause is known.
    Identified,
    /// A fix is in place and being watched.
    Monitoring,
}

impl IncidentStage {
    /// The API value.
    pub fn to_api(self) -> IncidentStatus {
        match self {
            Self::Investigating => IncidentStatus::Investigating,
            Self::Identified => IncidentStatus::Identified,
            Self::Monitoring => IncidentStatus::Monitoring,
        }
    }
}

/// Options of `ephemery.instatus.incident`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct IncidentOptions {
    /// Connection options.
    #[serde(flatten)]
    pub common: CommonOptions,

    /// The incident's title. It identifies the incident: the open incident with this title (at
    /// most one may have it), or a new one. Required unless `id` is given.
    pub name: Option<String>,

    /// The incident's id, instead of finding it by `name` (the title is then not changed).
    pub id: Option<String>,

    /// `open` opens the incident (or posts an update when it differs), `resolved` posts a
    /// resolving update (no change when it is resolved already, or when no open incident has the
    /// name), `absent` deletes the incident (by id, or the only incident with the name).
    #[serde(default)]
    pub state: IncidentState,

    /// The stage of the open incident. Omitted: `investigating` for a new incident, the current
    /// stage for an open one. Only with `state=open` (resolving is `state=resolved`).
    pub status: Option<IncidentStage>,

    /// The text of the update (the first update of a new incident). An update is posted when it
    /// differs from the latest update's message; omitted, the message is not compared.
    pub message: Option<String>,

    /// The affected components and their statuses, by name path (`Group/Component`, or the name
    /// of a top-level component), e.g. `{"Ethereum Services/Execution Client": major_outage}`.
    /// The statuses are `operational`, `under_maintenance`, `degraded_performance`,
    /// `partial_outage` and `major_outage`. Given, it is the whole list of affected components;
    /// omitted, the affected components are left as they are. With `state=resolved` it defaults
    /// to every affected component back to `operational`.
    pub components: Option<BTreeMap<String, String>>,

    /// Notify the page's subscribers of the new incident or update.
    #[serde(default)]
    pub notify: bool,

    /// When a new incident started (RFC 3339, e.g. `2026-11-26T14:00:00Z`); default now. Used
    /// only when the incident is created.
    pub started: Option<String>,
}

impl AnsibleModule for IncidentModule {
    const NAME: &'static str = "incident";
    type Options = IncidentOptions;
    const RULES: Rules = Rules {
        mutually_exclusive: &[],
        required_one_of: &[&["name", "id"]],
        required_if: &[],
    };

    fn run(options: IncidentOptions, ctx: &mut Context) -> Result<Outcome, Failure> {
        Api::run(&options.common, ctx, |api, ctx| run(&options, api, ctx))
    }
}

// ---------------------------------------------------------------------------------------------
// Option parsing and reporting (shared with the maintenance module).

/// Parses a timestamp option (RFC 3339, e.g. `2026-11-26T14:00:00Z`), naming the option on error.
pub fn parse_timestamp(option: &str, text: &str) -> Result<Timestamp, Failure> {
    text.trim().parse::<Timestamp>().map_err(|e| {
        Failure::new(format!(
            "{option} must be an RFC 3339 timestamp such as 2026-11-26T14:00:00Z, got: '{text}' ({e})"
        ))
    })
}

/// Parses the `components` option's statuses (`major_outage`...), naming the option and every
/// bad entry on error. Returns (path, status) pairs in path order.
pub fn parse_statuses(
    components: &BTreeMap<String, String>,
) -> Result<Vec<(String, ComponentStatus)>, Failure> {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for (path, status) in components {
        match serde_json::from_value::<StatusOption>(json!(status.trim())) {
            Ok(s) => out.push((path.clone(), s.to_api())),
            Err(_) => bad.push(format!("'{path}': '{status}'")),
        }
    }
    if bad.is_empty() {
        Ok(out)
    } else {
        Err(Failure::new(format!(
            "components has invalid statuses ({}); each must be one of: operational, \
             under_maintenance, degraded_performance, partial_outage, major_outage",
            bad.join(", ")
        )))
    }
}

/// Resolves component name paths through the tree. Fails naming `option`, every unknown or
/// ambiguous path, and the paths the page has.
pub fn resolve_paths<'p>(
    tree: &ComponentTree,
    option: &str,
    paths: impl IntoIterator<Item = &'p str>,
) -> Result<Vec<ComponentId>, Failure> {
    let mut ids = Vec::new();
    let mut unknown = Vec::new();
    let mut ambiguous = Vec::new();
    for path in paths {
        match tree.find_all(path).as_slice() {
            [one] => ids.push(tree.node(*one).component.id.clone()),
            [] => unknown.push(format!("'{path}'")),
            many => ambiguous.push(format!("'{path}' ({} components)", many.len())),
        }
    }
    if unknown.is_empty() && ambiguous.is_empty() {
        return Ok(ids);
    }
    let mut problems = Vec::new();
    if !unknown.is_empty() {
        let known: Vec<String> = tree.walk().into_iter().map(|i| tree.path(i)).collect();
        problems.push(format!(
            "unknown components {} (the page has: {})",
            unknown.join(", "),
            if known.is_empty() {
                "no components".to_owned()
            } else {
                known.join(", ")
            }
        ));
    }
    if !ambiguous.is_empty() {
        problems.push(format!(
            "ambiguous names {}; remove the duplicates first",
            ambiguous.join(", ")
        ));
    }
    Err(Failure::new(format!("{option}: {}", problems.join("; "))))
}

/// The name path of the component `id` in the tree; its id when the page no longer has it.
pub fn path_of(tree: &ComponentTree, id: &ComponentId) -> String {
    tree.walk()
        .into_iter()
        .find(|&i| &tree.node(i).component.id == id)
        .map(|i| tree.path(i))
        .unwrap_or_else(|| id.to_string())
}

/// An incident status as users write it (`INVESTIGATING` → `investigating`).
fn stage_name(status: &IncidentStatus) -> String {
    status.user_name()
}

/// The incident as the module returns it.
fn view(incident: &Incident, tree: &ComponentTree) -> Value {
    let components: Map<String, Value> = affected(incident)
        .iter()
        .map(|(id, status)| (path_of(tree, id), json!(status_name(status))))
        .collect();
    json!({
        "id": incident.id.as_str(),
        "name": incident.name.as_str(),
        "status": stage_name(&incident.status),
        "message": latest_message(incident),
        "components": components,
        "started": incident.started.map(|t| t.to_string()),
        "resolved": incident.resolved.map(|t| t.to_string()),
    })
}

/// The diff view: what a reader of `--diff` cares about (no id, no times).
fn diff_view(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(map) = v.as_object_mut() {
        for key in ["id", "started", "resolved"] {
            map.remove(key);
        }
    }
    v
}

/// `before` with the stage, message and components the task posts.
fn predict(
    before: &Value,
    status: &IncidentStatus,
    message: Option<&str>,
    components: &BTreeMap<ComponentId, ComponentStatus>,
    tree: &ComponentTree,
) -> Value {
    let mut after = before.clone();
    after["status"] = json!(stage_name(status));
    // The update posted carries the message (none: the latest update has none).
    after["message"] = json!(message.filter(|m| !m.is_empty()));
    let map: Map<String, Value> = components
        .iter()
        .map(|(id, s)| (path_of(tree, id), json!(status_name(s))))
        .collect();
    after["components"] = Value::Object(map);
    after
}

// ---------------------------------------------------------------------------------------------
// The run: parse the options, read the page, let the library decide, write, report.

/// The options as the library's task; components resolved through the page's tree.
fn task(
    o: &IncidentOptions,
    desired: Option<BTreeMap<ComponentId, ComponentStatus>>,
) -> IncidentTask {
    IncidentTask {
        id: o.id.clone(),
        name: o.name.clone(),
        target: match o.state {
            IncidentState::Open => IncidentTarget::Open {
                status: o.status.map(IncidentStage::to_api),
            },
            IncidentState::Resolved => IncidentTarget::Resolved,
            IncidentState::Absent => IncidentTarget::Absent,
        },
        components: desired,
        message: o.message.clone(),
    }
}

fn run(o: &IncidentOptions, api: &mut Api<'_>, ctx: &mut Context) -> Result<Outcome, Failure> {
    // Options first: a bad option fails before any request.
    crate::common::check_form("name", o.name.as_deref(), instatus::validate::name)?;
    if o.status.is_some() && o.state != IncidentState::Open {
        return Err(Failure::new(format!(
            "status is the stage of an open incident and applies only with state=open, not state={}",
            json!(o.state).as_str().unwrap_or_default()
        )));
    }
    let started = o
        .started
        .as_deref()
        .map(|s| parse_timestamp("started", s))
        .transpose()?;
    let wanted = o.components.as_ref().map(parse_statuses).transpose()?;
    let label = match (&o.id, &o.name) {
        (Some(id), _) => format!("incident {id}"),
        (None, Some(name)) => format!("incident '{name}'"),
        (None, None) => "incident".to_owned(),
    };
    let check = ctx.check_mode();

    let page = api.page_id()?;
    let all = api.list_all(incidents::list(&page))?;
    let failure =
        |e: instatus::status::incident_edit::IncidentTaskError| Failure::new(e.to_string());
    // Deleting needs no component names: the tree is read only to show what is deleted.
    let (edit, tree) = if o.state == IncidentState::Absent {
        let edit = plan(&task(o, None), &all).map_err(failure)?;
        let tree = match edit {
            IncidentEdit::Delete(_) => {
                ComponentTree::from_components(api.list_all(components::list(&page))?)
            }
            _ => ComponentTree::from_components(Vec::new()),
        };
        (edit, tree)
    } else {
        let tree = ComponentTree::from_components(api.list_all(components::list(&page))?);
        let desired = match &wanted {
            Some(pairs) => {
                let paths = pairs.iter().map(|(p, _)| p.as_str());
                let ids = resolve_paths(&tree, "components", paths)?;
                Some(
                    ids.into_iter()
                        .zip(pairs.iter().map(|(_, s)| s.clone()))
                        .collect(),
                )
            }
            None => None,
        };
        (plan(&task(o, desired), &all).map_err(failure)?, tree)
    };

    match edit {
        IncidentEdit::Nothing { incident, why } => {
            let shown = incident.map(|i| view(i, &tree));
            let msg = match why {
                IncidentUnchanged::Absent => format!("{label} is absent"),
                IncidentUnchanged::NothingToResolve => {
                    format!("no open {label}: nothing to resolve")
                }
                IncidentUnchanged::AlreadyResolved => format!("{label} is already resolved"),
                IncidentUnchanged::UpToDate => format!("{label} is up to date"),
            };
            let same = shown.as_ref().map(diff_view).unwrap_or_else(|| json!({}));
            let mut out = Outcome::new(false, msg).with_diff(Diff::new(same.clone(), same));
            if why != IncidentUnchanged::Absent {
                out = out.with("incident", shown.unwrap_or(Value::Null));
            }
            if incident.is_some() {
                out = out.with("created", json!(false));
            }
            Ok(out)
        }
        IncidentEdit::Delete(found) => {
            let before = view(found, &tree);
            if !check {
                api.send(incidents::delete(&page, &found.id))?;
            }
            let verb = if check { "would delete" } else { "deleted" };
            Ok(Outcome::new(true, format!("{verb} {label}"))
                .with("incident", before.clone())
                .with_diff(Diff::new(diff_view(&before), json!({})).headers(&label, &label)))
        }
        IncidentEdit::Open { status, components } => {
            let name = o.name.clone().unwrap_or_default();
            let predicted = json!({
                "id": null,
                "name": name,
                "status": stage_name(&status),
                "message": o.message,
                "components": components.iter()
                    .map(|(id, s)| (path_of(&tree, id), json!(status_name(s))))
                    .collect::<Map<String, Value>>(),
                "started": started.map(|t| t.to_string()),
                "resolved": null,
            });
            let shown = if check {
                predicted.clone()
            } else {
                let mut body = CreateIncidentRequest::new(name.as_str(), status);
                body.message = o.message.clone();
                body.started = started;
                body.notify = Some(o.notify);
                for (id, s) in &components {
                    body = body.affect(ComponentStatusEntry::new(id.clone(), s.clone()));
                }
                // A create whose answer is lost is looked up (an open incident of this name)
                // before it is ever sent again.
                let client = api.client()?;
                let created = create_once(
                    client,
                    || incidents::create(&page, &body),
                    |c| {
                        let open = c.list_all(incidents::list(&page))?;
                        Ok(open
                            .into_iter()
                            .find(|i| i.name.as_str() == name.as_str() && i.is_open()))
                    },
                )
                .map_err(|e| Failure::new(e.to_string()))?;
                if created.recovered {
                    ctx.warn(format!(
                        "{label}: the create's outcome was unclear; read back and found it opened"
                    ));
                }
                view(&created.value, &tree)
            };
            let verb = if check { "would open" } else { "opened" };
            Ok(Outcome::new(true, format!("{verb} {label}"))
                .with("incident", shown)
                .with("created", json!(true))
                .with_diff(Diff::new(json!({}), diff_view(&predicted)).headers(&label, &label)))
        }
        IncidentEdit::Post { incident, post } => {
            let before = view(incident, &tree);
            let after = predict(
                &before,
                &post.status,
                o.message.as_deref(),
                &post.components,
                &tree,
            );
            let mut not_applied: Vec<&str> = Vec::new();
            let shown = if check {
                after.clone()
            } else {
                let mut body = CreateIncidentUpdateRequest::new(post.status.clone());
                body.message = o.message.clone();
                body.notify = Some(o.notify);
                if post.set_statuses {
                    for (id, s) in &post.components {
                        body = body.affect(ComponentStatusEntry::new(id.clone(), s.clone()));
                    }
                } else {
                    // Keep the affected list and leave the live statuses to whoever set them.
                    body.components = post.components.keys().cloned().collect();
                }
                api.send(incidents::create_update(&page, &incident.id, &body))?;
                // The update landed: a failing read-back must not hide it.
                let read = api.send(incidents::get(&page, &incident.id)).map_err(|f| {
                    Failure::new(format!("the update was posted, but: {}", f.msg)).after_writes()
                })?;
                // A stage the API accepted but did not apply (a reopen it refused) is said.
                if read.status != post.status {
                    not_applied.push("status");
                    ctx.warn(format!(
                        "status: the API accepted the {} update but {label} reads back as {}",
                        stage_name(&post.status),
                        stage_name(&read.status)
                    ));
                }
                view(&read, &tree)
            };
            let verb = match (post.kind, check) {
                (PostKind::Resolve, true) => "would resolve",
                (PostKind::Resolve, false) => "resolved",
                (PostKind::Reopen, true) => "would reopen",
                (PostKind::Reopen, false) => "reopened",
                (PostKind::Update, true) => "would update",
                (PostKind::Update, false) => "updated",
            };
            let what: Vec<&str> = post.changed.iter().map(|f| f.as_str()).collect();
            let msg = match post.kind {
                PostKind::Resolve => format!("{verb} {label}"),
                _ => format!("{verb} {label}: {}", what.join(", ")),
            };
            Ok(Outcome::new(true, msg)
                .with("incident", shown)
                .with("created", json!(false))
                .with("not_applied", json!(not_applied))
                .with_diff(
                    Diff::new(diff_view(&before), diff_view(&after)).headers(&label, &label),
                ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_statuses_and_timestamps_name_the_option() {
        let mut comps = BTreeMap::new();
        comps.insert("A/B".to_owned(), "major_outage".to_owned());
        comps.insert("C".to_owned(), "down".to_owned());
        let err = parse_statuses(&comps).unwrap_err();
        assert!(
            err.msg
                .starts_with("components has invalid statuses ('C': 'down')"),
            "{}",
            err.msg
        );
        comps.remove("C");
        assert_eq!(
            parse_statuses(&comps).unwrap(),
            [("A/B".to_owned(), ComponentStatus::MajorOutage)]
        );
        assert!(parse_timestamp("started", "yesterday")
            .unwrap_err()
            .msg
            .starts_with("started must be an RFC 3339 timestamp"));
        assert_eq!(
            parse_timestamp("started", "2026-11-26T14:00:00Z")
                .unwrap()
                .to_string(),
            "2026-11-26T14:00:00Z"
        );
    }

    #[test]
    fn unknown_paths_are_listed_with_the_known_ones() {
        let tree = ComponentTree::from_components(
            serde_json::from_value::<Vec<instatus::model::Component>>(json!([
                {"id": "g", "name": "Ethereum Services", "isParent": true, "status": "OPERATIONAL"},
                {"id": "c1", "name": "Execution Client", "groupId": "g", "status": "OPERATIONAL"},
            ]))
            .unwrap(),
        );
        assert_eq!(
            resolve_paths(&tree, "components", ["Ethereum Services/Execution Client"]).unwrap(),
            [ComponentId::new("c1")]
        );
        let err = resolve_paths(&tree, "components", ["Nope", "Execution Client"]).unwrap_err();
        assert_eq!(
            err.msg,
            "components: unknown components 'Nope', 'Execution Client' (the page has: \
             Ethereum Services, Ethereum Services/Execution Client)"
        );
        assert_eq!(
            path_of(&tree, &ComponentId::new("c1")),
            "Ethereum Services/Execution Client"
        );
    }
}
