//! `ephemery.instatus.incident`: open, update and resolve one incident, found by name (or id).
//!
//! Identity is the title of an *open* incident (at most one may have it), or the id. The
//! lifecycle is `state` (`open`, `resolved`, `absent`); the stage of an open incident is
//! `status` (`investigating`, `identified`, `monitoring`). A change to an open incident is posted
//! as ONE incident update (never a PUT of the incident), so subscribers see the history.
//!
//! The module is a translator: it parses the options, reads the page, asks the library's
//! [`instatus::status::incident_edit::plan`] what to write (which incident, what differs, update,
//! reopen or resolve), and has [`instatus::apply::notice`] write it (every incident and update
//! ending with the "Affected components" line, so uptime reports can count the outage later) and
//! read it back; it reports what was written. No lifecycle decision and no write lives here.

use std::collections::BTreeMap;

use instatus::api::{components, incidents};
use instatus::apply::notice::{apply_incident, predict_incident, IncidentWritten};
use instatus::model::{ComponentStatus, ComponentTree, Incident, IncidentStatus};
use instatus::status::incident_edit::{
    affected, latest_message, plan, IncidentEdit, IncidentTarget, IncidentTask, IncidentTaskError,
    IncidentUnchanged, PostKind,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::common::{
    diff_view, not_applied_warning, notice_failure, parse_timestamp, resolve_paths, Api,
    CommonOptions,
};
use crate::protocol::{AnsibleModule, Context, Diff, Failure, Outcome, Rules};

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
    /// differs from the latest update's message; omitted, the message is not compared. Every
    /// incident and update the module posts ends with a line of its own, `Affected components:`
    /// and each affected component's name with the status it has from then on, which uptime
    /// reports read back once the incident is resolved; the result and the comparison leave that
    /// line out.
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
// Options in, views out.

/// Parses the `components` option's statuses (`major_outage`...), naming the option and every
/// bad entry on error. Returns (path, status) pairs in path order.
fn parse_statuses(
    components: &BTreeMap<String, String>,
) -> Result<Vec<(String, ComponentStatus)>, Failure> {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for (path, status) in components {
        match ComponentStatus::parse_known(status.trim()) {
            Ok(s) => out.push((path.clone(), s)),
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

/// The options as the library's task (components not resolved yet); every check that needs no
/// page, so a bad option fails before any request.
fn task(o: &IncidentOptions) -> Result<IncidentTask, Failure> {
    crate::common::check_form("name", o.name.as_deref(), instatus::validate::name)?;
    if o.status.is_some() && o.state != IncidentState::Open {
        return Err(Failure::new(format!(
            "status is the stage of an open incident and applies only with state=open, not state={}",
            json!(o.state).as_str().unwrap_or_default()
        )));
    }
    Ok(IncidentTask {
        id: o.id.clone(),
        name: o.name.clone(),
        target: match o.state {
            IncidentState::Open => IncidentTarget::Open {
                status: o.status.map(IncidentStage::to_api),
            },
            IncidentState::Resolved => IncidentTarget::Resolved,
            IncidentState::Absent => IncidentTarget::Absent,
        },
        components: None,
        message: o.message.clone(),
        notify: o.notify,
        started: o
            .started
            .as_deref()
            .map(|s| parse_timestamp("started", s))
            .transpose()?,
    })
}

/// How messages name the incident.
fn label(o: &IncidentOptions) -> String {
    match (&o.id, &o.name) {
        (Some(id), _) => format!("incident {id}"),
        (None, Some(name)) => format!("incident '{name}'"),
        (None, None) => "incident".to_owned(),
    }
}

/// The incident as the module returns it (a predicted new one has a null id).
fn view(incident: &Incident, tree: &ComponentTree) -> Value {
    let components: Map<String, Value> = affected(incident)
        .iter()
        .map(|(id, status)| (tree.path_of(id), json!(status.user_name())))
        .collect();
    json!({
        "id": Some(incident.id.as_str()).filter(|id| !id.is_empty()),
        "name": incident.name.as_str(),
        "status": incident.status.user_name(),
        "message": latest_message(incident),
        "components": components,
        "started": incident.started.map(|t| t.to_string()),
        "resolved": incident.resolved.map(|t| t.to_string()),
    })
}

/// The diff view: what a reader of `--diff` cares about (no id, no times).
/// Whether the edit changes the page, and what the result says.
fn summary(edit: &IncidentEdit<'_>, label: &str, check: bool) -> (bool, String) {
    let would = |planned: &str, done: &str| {
        if check {
            planned.to_owned()
        } else {
            done.to_owned()
        }
    };
    match edit {
        IncidentEdit::Nothing { why, .. } => (
            false,
            match why {
                IncidentUnchanged::Absent => format!("{label} is absent"),
                IncidentUnchanged::NothingToResolve => {
                    format!("no open {label}: nothing to resolve")
                }
                IncidentUnchanged::AlreadyResolved => format!("{label} is already resolved"),
                IncidentUnchanged::UpToDate => format!("{label} is up to date"),
            },
        ),
        IncidentEdit::Delete(_) => (
            true,
            format!("{} {label}", would("would delete", "deleted")),
        ),
        IncidentEdit::Open { .. } => (true, format!("{} {label}", would("would open", "opened"))),
        IncidentEdit::Post { post, .. } => {
            let what: Vec<&str> = post.changed.iter().map(|f| f.as_str()).collect();
            (
                true,
                match post.kind {
                    PostKind::Resolve => format!("{} {label}", would("would resolve", "resolved")),
                    PostKind::Reopen => format!(
                        "{} {label}: {}",
                        would("would reopen", "reopened"),
                        what.join(", ")
                    ),
                    PostKind::Update => format!(
                        "{} {label}: {}",
                        would("would update", "updated"),
                        what.join(", ")
                    ),
                },
            )
        }
    }
}

/// The incident before the edit: the one it means, if any.
fn current<'i>(edit: &IncidentEdit<'i>) -> Option<&'i Incident> {
    match edit {
        IncidentEdit::Nothing { incident, .. } => *incident,
        IncidentEdit::Delete(i) | IncidentEdit::Post { incident: i, .. } => Some(i),
        IncidentEdit::Open { .. } => None,
    }
}

// ---------------------------------------------------------------------------------------------
// The run: options → task → plan → (check mode: the predicted view; else: the library applies
// it) → view.

fn run(o: &IncidentOptions, api: &mut Api<'_>, ctx: &mut Context) -> Result<Outcome, Failure> {
    let mut task = task(o)?;
    let wanted = o.components.as_ref().map(parse_statuses).transpose()?;
    let label = label(o);
    let check = ctx.check_mode();
    let failure = |e: IncidentTaskError| Failure::new(e.to_string());

    let page = api.page_id()?;
    let all = api.list_all(incidents::list(&page))?;
    // Deleting needs no component names: the tree is read only to show what is deleted.
    let deletes_or_not_absent = o.state != IncidentState::Absent
        || matches!(plan(&task, &all).map_err(failure)?, IncidentEdit::Delete(_));
    let tree = if deletes_or_not_absent {
        ComponentTree::from_components(api.list_all(components::list(&page))?)
    } else {
        ComponentTree::default()
    };
    if let Some(pairs) = &wanted {
        let ids = resolve_paths(&tree, "components", pairs.iter().map(|(p, _)| p.as_str()))?;
        task.components = Some(
            ids.into_iter()
                .zip(pairs.iter().map(|(_, s)| s.clone()))
                .collect(),
        );
    }
    let edit = plan(&task, &all).map_err(failure)?;

    let before = current(&edit).map(|i| view(i, &tree));
    let predicted = predict_incident(&edit, &task, &tree).map(|i| view(&i, &tree));
    let (changed, msg) = summary(&edit, &label, check);
    let mut not_applied: Vec<&str> = Vec::new();
    let shown = if check || !changed {
        predicted.clone()
    } else {
        let client = api.client()?;
        let (incident, recovered, missing) =
            match apply_incident(client, &page, &task, &edit, &tree).map_err(notice_failure)? {
                IncidentWritten::Opened {
                    incident,
                    recovered,
                    not_applied,
                } => (Some(incident), recovered, not_applied),
                IncidentWritten::Posted {
                    incident,
                    not_applied,
                } => (Some(incident), false, not_applied),
                _ => (None, false, Vec::new()),
            };
        if recovered {
            ctx.warn(format!(
                "{label}: the create's outcome was unclear; read back and found it opened"
            ));
        }
        for field in &missing {
            ctx.warn(not_applied_warning(field.as_str()));
            not_applied.push(field.as_str());
        }
        incident.map(|i| view(&i, &tree)).or(predicted.clone())
    };

    let empty = || json!({});
    let diff = Diff::new(
        before.as_ref().map_or_else(empty, diff_view),
        predicted.as_ref().map_or_else(empty, diff_view),
    );
    let mut out = Outcome::new(changed, msg);
    out = match &edit {
        IncidentEdit::Nothing {
            why: IncidentUnchanged::Absent,
            ..
        } => out,
        IncidentEdit::Delete(_) => out.with("incident", before.unwrap_or(Value::Null)),
        _ => out.with("incident", shown.unwrap_or(Value::Null)),
    };
    if current(&edit).is_some() || matches!(edit, IncidentEdit::Open { .. }) {
        out = out.with("created", json!(matches!(edit, IncidentEdit::Open { .. })));
    }
    if matches!(edit, IncidentEdit::Post { .. }) {
        out = out.with("not_applied", json!(not_applied));
    }
    Ok(if changed {
        out.with_diff(diff.headers(&label, &label))
    } else {
        out.with_diff(diff)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use instatus::model::ComponentId;

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
            tree.path_of(&ComponentId::new("c1")),
            "Ethereum Services/Execution Client"
        );
    }
}
