//! `ephemery.instatus.maintenance`: schedule, start, complete and cancel one maintenance window,
//! identified by name and start time.
//!
//! The module is a translator over the library's
//! [`instatus::status::maintenance_edit::plan`]: that decides which maintenance the task means
//! (name plus start, or the one not completed), which settings change, whether the stage moves
//! (forward only: `scheduled` → `in_progress` → `completed`) and what a cancel is (a delete: the
//! API has no cancelled stage). Here the options are parsed, the page read, the clock read once,
//! and [`instatus::apply::notice`] writes what the plan says and reads it back: settings with a
//! PUT of the whole maintenance, a stage or a note with a maintenance update, so subscribers see
//! the history.

use instatus::api::{components, maintenances};
use instatus::apply::notice::{apply_maintenance, predict_maintenance, MaintenanceWritten};
use instatus::model::{ComponentTree, Maintenance, MaintenanceStatus};
use instatus::status::maintenance_edit::{
    fixed_at_creation, latest_message, plan, MaintenanceEdit, MaintenanceTarget, MaintenanceTask,
    MaintenanceTaskError, MaintenanceUnchanged, WindowStart,
};
use instatus::status::{impact_statement, ComponentConfig, DependencyGraph, Impact, Impacted};
use jiff::Timestamp;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::common::{
    diff_view, not_applied_warning, notice_failure, parse_timestamp, resolve_paths, Api,
    CommonOptions,
};
use crate::protocol::{AnsibleModule, Context, Diff, Failure, Outcome, RequiredIf, Rules};

/// The module.
pub struct MaintenanceModule;

/// `state`: the stage the maintenance should be in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MaintenanceState {
    /// Scheduled (created when missing; its settings updated).
    #[default]
    Scheduled,
    /// Running: components under maintenance.
    InProgress,
    /// Over: components back to operational.
    Completed,
    /// Cancelled: deleted, since the API has no cancelled stage.
    Cancelled,
}

/// Options of `ephemery.instatus.maintenance`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct MaintenanceOptions {
    /// Connection options.
    #[serde(flatten)]
    pub common: CommonOptions,

    /// The maintenance's title; with `start`, its identity.
    pub name: String,

    /// When it starts (RFC 3339, e.g. `2026-11-26T14:00:00Z`), or `now`. With a timestamp, the
    /// maintenance is the one with this name and this start (so a new start means a new
    /// maintenance: cancel the old one). Omitted or `now`, it is the one maintenance with this
    /// name that is not completed (`now` creates one starting now when there is none). Required
    /// with `state=scheduled`.
    pub start: Option<String>,

    /// Length in minutes. Mutually exclusive with `end`; one of them is required with
    /// `state=scheduled`.
    pub duration: Option<i64>,

    /// When it ends (RFC 3339), instead of `duration`; stored as the duration from the start.
    pub end: Option<String>,

    /// `scheduled` creates the maintenance or updates its settings; `in_progress` starts it
    /// (components under maintenance); `completed` completes it (components back to
    /// operational); `cancelled` deletes it, since the API has no cancelled stage. The stage only
    /// moves forward: `scheduled` leaves a running maintenance running. Starting a running one
    /// or completing a completed one is no change.
    #[serde(default)]
    pub state: MaintenanceState,

    /// The affected components, by name path (`Group/Component`, or a top-level name). Given, it
    /// is the whole list; omitted, the list is left as it is (empty for a new maintenance).
    pub components: Option<Vec<String>>,

    /// The text of the new maintenance, or of the update a stage change posts. On an existing
    /// maintenance already in the stage `state` asks for, a message different from the latest
    /// update's is posted as an update in that stage; a task asking an earlier stage posts none.
    pub message: Option<String>,

    /// Start automatically at `start`; false for a new maintenance, left as it is when omitted.
    pub auto_start: Option<bool>,

    /// End automatically after the duration; false for a new maintenance, left as it is when
    /// omitted.
    pub auto_end: Option<bool>,

    /// Notify subscribers of this change (the new maintenance, or the update).
    #[serde(default)]
    pub notify: bool,

    /// Notify subscribers when it starts. Set when the maintenance is created (false when
    /// omitted); the API cannot change it afterwards.
    pub notify_start: Option<bool>,

    /// Notify subscribers when it ends. Set when the maintenance is created (false when omitted).
    pub notify_end: Option<bool>,

    /// Notify subscribers ahead of the start. Set when the maintenance is created (false when
    /// omitted).
    pub notify_early: Option<bool>,

    /// How many minutes ahead the early notification goes out. Set when the maintenance is
    /// created.
    pub notify_minutes: Option<i64>,

    /// The impact assessment: from the maintained `components` (required with it) through the
    /// dependency declarations, the impacted components (direct, through `requires` a major
    /// outage, through `optional` at most a partial outage, transitively; the status engine's
    /// rule). The statement rendered from `impact.template` is appended to `message` when the
    /// window is announced or started (a completion keeps its own message); the result's
    /// `impact` shows it. Give the same `impact` to every task of one window (announce, start,
    /// complete): with `include_components` it is part of the component list, and a task with
    /// `components` but without it would shrink the list.
    ///
    /// Keys: `dependencies` (required), a list of `{path, requires, optional}` (name paths; the
    /// `components` entries of the bridge's status config fit as they are, their `rules` and
    /// `links` ignored); `template`, the statement's minijinja template (strict), seeing
    /// `impacted` (each with `path`, `kind` `direct`/`requires`/`optional`, `status`,
    /// `status_text`, `through`, the chain as text) and `maintained`, `requires`, `optional`
    /// (lists of paths), by default `Impact:` and a line `- PATH: STATUS (CHAIN)` per impacted
    /// component; `include_components` (default false), see below.
    ///
    /// With `include_components`, the impacted components that are not maintained join the
    /// maintenance's components: while it runs each shows its impacted status (`major_outage`
    /// through `requires`, at most `partial_outage` through `optional`), the maintained ones
    /// `under_maintenance`; all are `operational` when it completes, and automation (the bridge)
    /// leaves them all alone meanwhile. Each must be on the page.
    pub impact: Option<ImpactOptions>,
}

/// `impact`: the dependencies, the template, and whether the impacted components are added.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImpactOptions {
    /// The dependency declarations, as in the bridge's status config (`components:` there; load
    /// it with `lookup('file', ...) | from_yaml` and pass its `components`): each with `path` (a
    /// name path on the page) and the paths it `requires` and uses as `optional`. Other keys of
    /// the bridge's entries (`rules`, `links`) are ignored.
    pub dependencies: Vec<DependencyOption>,

    /// The statement's template (minijinja, strict). Variables: `impacted` (each with `path`,
    /// `kind` direct/requires/optional, `status`, `status_text` and `through`, the chain as
    /// text), `maintained`, `requires`, `optional` (lists of paths). Default: a list of
    /// `path: status (chain)` lines under `Impact:`.
    pub template: Option<String>,

    /// Add the impacted components (not maintained themselves) to the maintenance's components:
    /// while it runs each shows its impacted status (`major_outage` through `requires`, at most
    /// `partial_outage` through `optional`), the maintained ones `under_maintenance`; all are
    /// `operational` when it completes, and automation (the bridge) leaves them all alone
    /// meanwhile. Each must be on the page.
    #[serde(default)]
    pub include_components: bool,
}

/// One dependency declaration (a component entry of the bridge's status config).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DependencyOption {
    /// The component's name path.
    pub path: String,
    /// The paths it cannot work without.
    #[serde(default)]
    pub requires: Vec<String>,
    /// The paths it works less well without.
    #[serde(default)]
    pub optional: Vec<String>,
    /// Ignored (the bridge's threshold and alert rules).
    #[serde(default)]
    #[schemars(with = "Option<Vec<serde_json::Value>>")]
    pub rules: Option<Value>,
    /// Ignored (the bridge's links).
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Map<String, Value>>")]
    pub links: Option<Value>,
}

impl AnsibleModule for MaintenanceModule {
    const NAME: &'static str = "maintenance";
    type Options = MaintenanceOptions;
    const RULES: Rules = Rules {
        mutually_exclusive: &[&["duration", "end"]],
        required_one_of: &[],
        required_if: &[
            RequiredIf {
                key: "state",
                value: "scheduled",
                requirements: &["start"],
                any: false,
            },
            RequiredIf {
                key: "state",
                value: "scheduled",
                requirements: &["duration", "end"],
                any: true,
            },
        ],
    };

    fn run(options: MaintenanceOptions, ctx: &mut Context) -> Result<Outcome, Failure> {
        Api::run(&options.common, ctx, |api, ctx| run(&options, api, ctx))
    }
}

// ---------------------------------------------------------------------------------------------
// Option parsing and reporting; every stage decision is the library's
// (`instatus::status::maintenance_edit`).

/// Parses `start`: a timestamp, or `now`.
pub fn parse_start(text: &str) -> Result<WindowStart, Failure> {
    if text.trim().eq_ignore_ascii_case("now") {
        Ok(WindowStart::Now)
    } else {
        parse_timestamp("start", text)
            .map(WindowStart::At)
            .map_err(|f| Failure::new(format!("{} (or now)", f.msg)))
    }
}

/// The stage as users write it (`INPROGRESS` → `in_progress`, `NOTSTARTEDYET` → `scheduled`):
/// the library's one spelling, shared with `info`.
pub fn stage_name(status: &MaintenanceStatus) -> String {
    status.user_name()
}

impl MaintenanceState {
    fn target(self) -> MaintenanceTarget {
        match self {
            Self::Scheduled => MaintenanceTarget::Scheduled,
            Self::InProgress => MaintenanceTarget::InProgress,
            Self::Completed => MaintenanceTarget::Completed,
            Self::Cancelled => MaintenanceTarget::Cancelled,
        }
    }
}

/// The options as the library's task (components not resolved yet); every check that needs no
/// page, so a bad option fails before any request.
fn task(o: &MaintenanceOptions) -> Result<MaintenanceTask, Failure> {
    crate::common::check_form("name", Some(&o.name), instatus::validate::name)?;
    let task = MaintenanceTask {
        name: o.name.clone(),
        start: o.start.as_deref().map(parse_start).transpose()?,
        duration: o.duration,
        end: o
            .end
            .as_deref()
            .map(|e| parse_timestamp("end", e))
            .transpose()?,
        target: o.state.target(),
        components: None,
        message: o.message.clone(),
        auto_start: o.auto_start,
        auto_end: o.auto_end,
        notify_start: o.notify_start,
        notify_end: o.notify_end,
        notify_early: o.notify_early,
        notify_minutes: o.notify_minutes,
        running_statuses: Default::default(),
        notify: o.notify,
    };
    task.check().map_err(failure)?;
    Ok(task)
}

fn failure(e: MaintenanceTaskError) -> Failure {
    Failure::new(e.to_string())
}

/// The maintenance as the module returns it.
fn view(m: &Maintenance, tree: &ComponentTree) -> Value {
    json!({
        "id": Some(m.id.as_str()).filter(|id| !id.is_empty()),
        "name": m.name.as_str(),
        "status": stage_name(&m.status),
        "start": m.start.map(|t| t.to_string()),
        "end": m.end().map(|t| t.to_string()),
        "duration": m.duration,
        "components": m.components.iter().map(|c| tree.path_of(&c.id)).collect::<Vec<_>>(),
        "message": latest_message(m),
        "auto_start": m.auto_start.unwrap_or(false),
        "auto_end": m.auto_end.unwrap_or(false),
        "notify_start": m.notify_start.unwrap_or(false),
        "notify_end": m.notify_end.unwrap_or(false),
        "notify_early": m.notify_early.unwrap_or(false),
        "notify_minutes": m.notify_minutes,
    })
}

/// The diff view: the return view without the id.
/// Whether the edit changes the page, and what the result says.
fn summary(edit: &MaintenanceEdit<'_>, label: &str, check: bool) -> (bool, String) {
    let would = |planned: &str, done: &str| {
        if check {
            planned.to_owned()
        } else {
            done.to_owned()
        }
    };
    let msg = match edit {
        MaintenanceEdit::Nothing { why, .. } => {
            let msg = match why {
                MaintenanceUnchanged::NothingToCancel => {
                    format!("{label} is absent (nothing to cancel)")
                }
                MaintenanceUnchanged::AlreadyCompleted => format!("{label} is already completed"),
                MaintenanceUnchanged::NotReopened => format!(
                    "{label} is already completed (a completed maintenance is not reopened)"
                ),
                MaintenanceUnchanged::UpToDate => format!("{label} is up to date"),
                MaintenanceUnchanged::OnlyForward(stage) => format!(
                    "{label} is up to date ({} already; the stage only moves forward)",
                    stage_name(stage)
                ),
            };
            return (false, msg);
        }
        MaintenanceEdit::Delete(_) => format!(
            "{} {label}",
            would("would cancel (delete)", "cancelled (deleted)")
        ),
        MaintenanceEdit::Create { stage, .. } => {
            let verb = match stage {
                MaintenanceStatus::InProgress => would("would start a new", "started a new"),
                _ => would("would schedule", "scheduled"),
            };
            format!("{verb} {label}")
        }
        MaintenanceEdit::Change { change, .. } => {
            let mut what: Vec<&str> = change.settings.iter().map(|s| s.as_str()).collect();
            if change.note {
                what.push("message");
            }
            match &change.advance {
                Some(stage) => {
                    let verb = match stage {
                        MaintenanceStatus::InProgress => would("would start", "started"),
                        _ => would("would complete", "completed"),
                    };
                    if what.is_empty() {
                        format!("{verb} {label}")
                    } else {
                        format!("{verb} {label} and updated: {}", what.join(", "))
                    }
                }
                None => format!(
                    "{} {label}: {}",
                    would("would update", "updated"),
                    what.join(", ")
                ),
            }
        }
    };
    (true, msg)
}

/// The maintenance before the edit: the one it means, if any.
fn current<'m>(edit: &MaintenanceEdit<'m>) -> Option<&'m Maintenance> {
    match edit {
        MaintenanceEdit::Nothing { maintenance, .. } => *maintenance,
        MaintenanceEdit::Delete(m) | MaintenanceEdit::Change { maintenance: m, .. } => Some(m),
        MaintenanceEdit::Create { .. } => None,
    }
}

// ---------------------------------------------------------------------------------------------
// The run: options → task → plan → (check mode: the predicted view; else: the library applies
// it) → view.

fn run(o: &MaintenanceOptions, api: &mut Api<'_>, ctx: &mut Context) -> Result<Outcome, Failure> {
    // The impact needs no page: a bad declaration or template fails before any request.
    let assessed = o.impact.as_ref().map(|i| assess(o, i)).transpose()?;
    let mut task = task(o)?;
    let check = ctx.check_mode();
    // The clock is read here, at the edge, and handed to the library.
    let now = Timestamp::now();

    let page = api.page_id()?;
    let all = api.list_all(maintenances::list(&page))?;
    let tree = ComponentTree::from_components(api.list_all(components::list(&page))?);
    task.components = o
        .components
        .as_ref()
        .map(|paths| resolve_paths(&tree, "components", paths.iter().map(String::as_str)))
        .transpose()?;
    if let Some(a) = &assessed {
        a.apply(&tree, &mut task)?;
    }
    let edit = plan(&task, &all, now).map_err(failure)?;
    let mut label = task.label();
    if let MaintenanceEdit::Create { start, .. } = &edit {
        if task.fixed_start().is_none() {
            label = format!("{label} at {start}");
        }
    }
    if let (Some(m), false) = (current(&edit), matches!(edit, MaintenanceEdit::Delete(_))) {
        warn_fixed(ctx, m, &task, &edit);
    }

    let before = current(&edit).map(|m| view(m, &tree));
    let predicted = predict_maintenance(&edit, &task).map(|m| view(&m, &tree));
    let (changed, msg) = summary(&edit, &label, check);
    let mut not_applied: Vec<&str> = Vec::new();
    let shown = if check || !changed {
        predicted.clone()
    } else {
        let client = api.client()?;
        let (written, missing) =
            match apply_maintenance(client, &page, &task, &edit).map_err(notice_failure)? {
                MaintenanceWritten::Created {
                    maintenance,
                    not_applied,
                    ..
                }
                | MaintenanceWritten::Changed {
                    maintenance,
                    not_applied,
                    ..
                } => (Some(maintenance), not_applied),
                _ => (None, Vec::new()),
            };
        for field in &missing {
            ctx.warn(not_applied_warning(field.as_str()));
            not_applied.push(field.as_str());
        }
        written.map(|m| view(&m, &tree)).or(predicted.clone())
    };

    let empty = || json!({});
    let diff = Diff::new(
        before.as_ref().map_or_else(empty, diff_view),
        predicted.as_ref().map_or_else(empty, diff_view),
    );
    let mut out = Outcome::new(changed, msg).with(
        "maintenance",
        match edit {
            MaintenanceEdit::Delete(_) => before,
            _ => shown,
        }
        .unwrap_or(Value::Null),
    );
    if matches!(
        edit,
        MaintenanceEdit::Create { .. } | MaintenanceEdit::Change { .. }
    ) {
        out = out.with("not_applied", json!(not_applied));
    }
    if let Some(a) = &assessed {
        out = out.with("impact", a.view());
    }
    Ok(if changed {
        out.with_diff(diff.headers(&label, &label))
    } else {
        out.with_diff(diff)
    })
}

/// The impact of a task's maintained components, and its statement.
struct Assessed<'o> {
    options: &'o ImpactOptions,
    impact: Impact,
    statement: String,
}

impl Assessed<'_> {
    /// The impact as the module returns it.
    fn view(&self) -> Value {
        json!({
            "statement": self.statement,
            "impacted": self.impact.impacted.iter().map(|i| json!({
                "path": i.path,
                "kind": i.kind,
                "status": i.status.user_name(),
                "through": i.through.iter().map(|h| &h.path).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    }

    /// Adds the statement and (with `include_components`) the impacted components to the task;
    /// the library decides how ([`MaintenanceTask::add_impact`]).
    fn apply(&self, tree: &ComponentTree, task: &mut MaintenanceTask) -> Result<(), Failure> {
        let included = if self.options.include_components {
            let others: Vec<&Impacted> = self.impact.dependents().collect();
            let ids = resolve_paths(
                tree,
                "impact.dependencies",
                others.iter().map(|i| i.path.as_str()),
            )?;
            ids.into_iter()
                .zip(others)
                .map(|(id, i)| (id, i.status.clone()))
                .collect()
        } else {
            Vec::new()
        };
        task.add_impact(&self.statement, included);
        Ok(())
    }
}

/// Translates `impact` into the library's dependency graph, assesses the maintained
/// `components` through it ([`DependencyGraph::impact`]) and renders the statement.
fn assess<'o>(o: &MaintenanceOptions, options: &'o ImpactOptions) -> Result<Assessed<'o>, Failure> {
    let maintained = match &o.components {
        Some(c) if !c.is_empty() => c,
        _ => {
            return Err(Failure::new(
                "impact needs components: the maintained components the impact starts from",
            ))
        }
    };
    let declared: Vec<ComponentConfig> = options
        .dependencies
        .iter()
        .map(|d| ComponentConfig {
            path: d.path.clone(),
            requires: d.requires.clone(),
            optional: d.optional.clone(),
            ..ComponentConfig::default()
        })
        .collect();
    let graph = DependencyGraph::from_components(&declared).map_err(|e| {
        let at = e.path.strip_prefix("components").unwrap_or(&e.path);
        Failure::new(format!("impact.dependencies{at}: {}", e.message))
    })?;
    let impact = graph.impact(maintained);
    let statement = impact_statement::render(&impact, options.template.as_deref())
        .map_err(|e| Failure::new(format!("impact.{e}")))?;
    Ok(Assessed {
        options,
        impact,
        statement,
    })
}

/// Warns about options the task gives that the API cannot change on an existing maintenance
/// (when the task would change it or finds it up to date).
fn warn_fixed(
    ctx: &mut Context,
    current: &Maintenance,
    task: &MaintenanceTask,
    edit: &MaintenanceEdit<'_>,
) {
    let relevant = match edit {
        MaintenanceEdit::Change { .. } => true,
        MaintenanceEdit::Nothing { why, .. } => matches!(
            why,
            MaintenanceUnchanged::UpToDate | MaintenanceUnchanged::OnlyForward(_)
        ),
        _ => false,
    };
    if !relevant {
        return;
    }
    for (option, kept) in fixed_at_creation(current, task) {
        ctx.warn(format!(
            "{option} cannot be changed on an existing maintenance (the API's update has no such field); left as {kept}"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_accepts_now_and_names_the_option() {
        assert_eq!(parse_start(" NOW ").unwrap(), WindowStart::Now);
        let at: Timestamp = "2026-11-26T14:00:00Z".parse().unwrap();
        assert_eq!(
            parse_start("2026-11-26T14:00:00Z").unwrap(),
            WindowStart::At(at)
        );
        let err = parse_start("tomorrow").unwrap_err();
        assert!(
            err.msg.starts_with("start must be an RFC 3339 timestamp"),
            "{}",
            err.msg
        );
        assert!(err.msg.ends_with("(or now)"), "{}", err.msg);
    }
}
