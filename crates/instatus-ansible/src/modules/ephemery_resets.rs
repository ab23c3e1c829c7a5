//! `ephemery.instatus.ephemery_resets`: declares Ephemery's next network resets as Instatus
//! maintenances, computed from the genesis values ([`instatus::ephemery`]).
//!
//! Each window carries the token `[MARKER:ITERATION]` in its messages, so a rerun recognises
//! the windows it announced and touches no other maintenance. The decisions are the library's
//! ([`instatus::ephemery::plan_resets`], through the maintenance lifecycle); this file reads the
//! page, translates each step into requests and reports them.

use instatus::api::maintenances::{
    self, CreateMaintenanceRequest, CreateMaintenanceUpdateRequest, UpdateMaintenanceRequest,
};
use instatus::api::{components, ComponentStatusEntry};
use instatus::ephemery::{self, ResetStep, ResetWindow, Schedule};
use instatus::model::{
    ComponentId, ComponentStatus, ComponentTree, Maintenance, MaintenanceStatus, PageId,
};
use instatus::status::maintenance::MaintenanceAction;
use jiff::Timestamp;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::common::{Api, CommonOptions, State};
use crate::protocol::{AnsibleModule, Context, Diff, Failure, Outcome};
use crate::schedule::ScheduleOptions;

/// The module.
pub struct EphemeryResetsModule;

/// Options of `ephemery.instatus.ephemery_resets`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct EphemeryResetsOptions {
    /// Connection options.
    #[serde(flatten)]
    pub common: CommonOptions,

    /// The schedule.
    #[serde(flatten)]
    pub schedule: ScheduleOptions,

    /// The components a reset takes down, by name path (C(Group/Component)); under maintenance
    /// while a window runs, so the status bridge leaves them alone. Given, it is the whole list
    /// of every scheduled window; omitted, a window has none (and existing ones keep theirs).
    pub components: Option<Vec<String>>,

    /// C(present) declares the next O(count) windows; C(absent) withdraws the schedule: its
    /// scheduled windows are cancelled (deleted) and a running one is completed.
    #[serde(default)]
    pub state: State,

    /// Notify subscribers when a window is announced or changes stage.
    #[serde(default)]
    pub notify: bool,

    /// Notify subscribers ahead of each window (set when it is created).
    #[serde(default)]
    pub notify_early: bool,

    /// How many minutes ahead the early notification goes out (set when a window is created).
    pub notify_minutes: Option<i64>,

    /// Let Instatus start and complete each window at its times between runs.
    #[serde(default = "yes")]
    pub auto: bool,
}

fn yes() -> bool {
    true
}

impl AnsibleModule for EphemeryResetsModule {
    const NAME: &'static str = "ephemery_resets";
    type Options = EphemeryResetsOptions;

    fn run(options: EphemeryResetsOptions, ctx: &mut Context) -> Result<Outcome, Failure> {
        Api::run(&options.common, ctx, |api, ctx| run(&options, api, ctx))
    }
}

/// A step's verb as the result reports it.
fn verb(action: &MaintenanceAction, texts: &[&str]) -> &'static str {
    use MaintenanceAction as A;
    match action {
        A::Schedule => "schedule",
        A::CreateInProgress => "start a new",
        A::Reschedule => "reschedule",
        A::Start => "start",
        A::Extend => "extend",
        A::Complete => "complete",
        A::Cancel => "cancel",
        A::Nothing(_) if !texts.is_empty() => "update",
        A::Nothing(_) => "keep",
    }
}

/// A window or a maintenance as the diff and the result show it.
fn window_view(w: &ResetWindow, status: &str, id: Option<&str>) -> Value {
    json!({
        "iteration": w.reset.iteration,
        "chain_id": w.reset.chain_id,
        "genesis": w.reset.genesis.to_string(),
        "maintenance_id": id,
        "status": status,
        "name": w.name,
        "start": w.start.to_string(),
        "end": w.end.to_string(),
        "message": w.message,
    })
}

fn maintenance_view(m: &Maintenance, iteration: u64, schedule: &Schedule) -> Value {
    let reset = schedule.reset(iteration);
    json!({
        "iteration": iteration,
        "chain_id": reset.map(|r| r.chain_id),
        "genesis": reset.map(|r| r.genesis.to_string()),
        "maintenance_id": m.id.as_str(),
        "status": m.status.user_name(),
        "name": m.name.as_str(),
        "start": m.start.map(|t| t.to_string()),
        "end": m.end().map(|t| t.to_string()),
        "message": ephemery::latest_message(m),
    })
}

fn run(
    o: &EphemeryResetsOptions,
    api: &mut Api<'_>,
    ctx: &mut Context,
) -> Result<Outcome, Failure> {
    let (schedule, config, now) = o.schedule.parse()?;
    if let Some(m) = o.notify_minutes {
        if !(0..=10_080).contains(&m) {
            return Err(Failure::new(format!(
                "notify_minutes: {m} is out of range; allowed: 0 to 10080"
            )));
        }
    }
    let page = api.page_id()?;
    let all = api.list_all(maintenances::list(&page))?;
    let (tree, wanted) = match &o.components {
        Some(paths) => {
            let tree = ComponentTree::from_components(api.list_all(components::list(&page))?);
            let ids = crate::common::resolve_paths(
                &tree,
                "components",
                paths.iter().map(String::as_str),
            )?;
            (Some(tree), Some(ids))
        }
        None => (None, None),
    };
    let plan = ephemery::plan_resets(
        &schedule,
        &config,
        &all,
        now,
        o.schedule.count,
        o.state == State::Absent,
    )
    .map_err(|e| Failure::new(e.to_string()))?;
    for d in &plan.duplicates {
        ctx.warn(format!(
            "maintenance {} carries the token of an iteration that already has a window (a race between two runs?); left alone",
            d.id
        ));
    }
    let r = Run {
        o,
        page,
        schedule,
        tree,
        wanted,
        now,
        check: ctx.check_mode(),
    };
    let mut done = Done::default();
    for s in &plan.steps {
        step(&r, api, s, &mut done)?;
    }
    Ok(outcome(&r, &plan, done))
}

/// A run's inputs, checked and read.
struct Run<'a> {
    o: &'a EphemeryResetsOptions,
    page: PageId,
    schedule: Schedule,
    tree: Option<ComponentTree>,
    /// The declared components' ids, when declared.
    wanted: Option<Vec<ComponentId>>,
    now: Timestamp,
    check: bool,
}

/// What the steps did so far: the diff, each window's result, counts per verb, writes.
#[derive(Default)]
struct Done {
    before: Map<String, Value>,
    after: Map<String, Value>,
    results: Vec<Value>,
    counts: std::collections::BTreeMap<&'static str, usize>,
    writes: usize,
}

/// One window: decide the verb, write it (not in check mode), record the views.
fn step(r: &Run<'_>, api: &mut Api<'_>, s: &ResetStep<'_>, done: &mut Done) -> Result<(), Failure> {
    let key = format!("iteration {}", s.iteration);
    let old = s
        .current
        .map(|m| maintenance_view(m, s.iteration, &r.schedule));
    let components_change = match (s.current, &r.wanted, &s.action) {
        (Some(m), Some(ids), MaintenanceAction::Nothing(_) | MaintenanceAction::Reschedule)
            if m.status == MaintenanceStatus::NotStartedYet =>
        {
            let now_ids: std::collections::BTreeSet<&ComponentId> =
                m.components.iter().map(|c| &c.id).collect();
            now_ids != ids.iter().collect()
        }
        _ => false,
    };
    let mut texts = s.text_changes.clone();
    if components_change {
        texts.push("components");
    }
    let what = verb(&s.action, &texts);
    let changed = what != "keep";
    let applied = if changed && !r.check {
        match apply(r.o, api, &r.page, s, &texts, r.wanted.as_deref(), r.now) {
            Ok(v) => v,
            Err(f) => {
                let f = Failure::new(format!(
                    "iteration {}: could not {what} its window: {}",
                    s.iteration, f.msg
                ))
                .with("resets", Value::Array(std::mem::take(&mut done.results)));
                return Err(if done.writes > 0 { f.after_writes() } else { f });
            }
        }
    } else {
        None
    };
    if changed && !r.check {
        done.writes += 1;
    }
    let new = predicted(s, &r.schedule, what, applied.as_ref());
    if changed {
        *done.counts.entry(what).or_default() += 1;
        done.before
            .insert(key.clone(), old.clone().unwrap_or(Value::Null));
        done.after.insert(key, new.clone().unwrap_or(Value::Null));
    }
    let mut entry = new.or(old).unwrap_or(Value::Null);
    if let Some(map) = entry.as_object_mut() {
        map.insert("action".into(), json!(what));
        if !texts.is_empty() {
            map.insert("changes".into(), json!(texts));
        }
        if let (Some(tree), Some(ids)) = (&r.tree, &r.wanted) {
            map.insert(
                "components".into(),
                json!(ids.iter().map(|id| tree.path_of(id)).collect::<Vec<_>>()),
            );
        }
    }
    done.results.push(entry);
    Ok(())
}

/// The result: counts per verb, each window, the current iteration and the diff.
fn outcome(r: &Run<'_>, plan: &ephemery::ResetPlan<'_>, done: Done) -> Outcome {
    let Done {
        before,
        after,
        results,
        counts,
        ..
    } = done;
    let (check, now, schedule) = (r.check, r.now, &r.schedule);
    let changed = !counts.is_empty();
    let msg = if changed {
        let parts: Vec<String> = counts
            .iter()
            .map(|(verb, n)| format!("{verb} {n}"))
            .collect();
        format!(
            "{} Ephemery reset window(s): {}",
            if check { "would change" } else { "changed" },
            parts.join(", ")
        )
    } else {
        format!("{} Ephemery reset window(s) up to date", plan.steps.len())
    };
    let current = schedule.iteration_at(now);
    Outcome::new(changed, msg)
        .with("resets", Value::Array(results))
        .with(
            "current",
            json!(current.map(|r| json!({
                "iteration": r.iteration, "chain_id": r.chain_id, "genesis": r.genesis.to_string()
            }))),
        )
        .with("now", json!(now.to_string()))
        .with(
            "duplicates",
            json!(plan
                .duplicates
                .iter()
                .map(|m| m.id.as_str())
                .collect::<Vec<_>>()),
        )
        .with_diff(Diff::new(Value::Object(before), Value::Object(after)))
}

/// The step's result as the page will show it (the answer of the write when there was one).
fn predicted(
    s: &ResetStep<'_>,
    schedule: &Schedule,
    what: &str,
    applied: Option<&Maintenance>,
) -> Option<Value> {
    if let Some(m) = applied {
        return Some(maintenance_view(m, s.iteration, schedule));
    }
    let id = s.current.map(|m| m.id.as_str());
    let status = match &s.action {
        MaintenanceAction::Schedule => "scheduled".to_owned(),
        MaintenanceAction::CreateInProgress | MaintenanceAction::Start => "in_progress".to_owned(),
        MaintenanceAction::Complete => "completed".to_owned(),
        MaintenanceAction::Cancel => return None,
        _ => s
            .current
            .map(|m| m.status.user_name())
            .unwrap_or_else(|| "scheduled".into()),
    };
    match (&s.window, s.current) {
        // Only stage changes on a maintenance whose times stay.
        (_, Some(m)) if matches!(what, "start" | "complete" | "keep") => {
            let mut v = maintenance_view(m, s.iteration, schedule);
            v["status"] = json!(status);
            Some(v)
        }
        (Some(w), _) => Some(window_view(w, &status, id)),
        (None, Some(m)) => Some(maintenance_view(m, s.iteration, schedule)),
        (None, None) => None,
    }
}

/// Sends one step's requests; returns the maintenance as the API answered when a write returns
/// it.
fn apply(
    o: &EphemeryResetsOptions,
    api: &mut Api<'_>,
    page: &PageId,
    s: &ResetStep<'_>,
    texts: &[&str],
    components: Option<&[ComponentId]>,
    now: Timestamp,
) -> Result<Option<Maintenance>, Failure> {
    use MaintenanceAction as A;
    let ids: Vec<ComponentId> = components.map(<[ComponentId]>::to_vec).unwrap_or_else(|| {
        s.current
            .map(|m| m.components.iter().map(|c| c.id.clone()).collect())
            .unwrap_or_default()
    });
    let stage = |api: &mut Api<'_>, m: &Maintenance, status: MaintenanceStatus, message: String| {
        post_stage(o, api, page, m, status, message, now).map(|()| None)
    };
    match (&s.action, s.current, &s.window) {
        (A::Schedule | A::CreateInProgress, None, Some(w)) => {
            let body = create_request(o, s, w, &ids);
            let marker = o.schedule.marker.clone();
            let iteration = s.iteration;
            let client = api.client()?;
            let created = instatus::recover::create_once(
                client,
                || maintenances::create(page, &body),
                |c| {
                    Ok(c.list_all(maintenances::list(page))?
                        .into_iter()
                        .find(|m| ephemery::owned_iteration(m, &marker) == Some(iteration)))
                },
            )
            .map_err(|e| Failure::new(e.to_string()))?;
            Ok(Some(created.value))
        }
        (A::Start, Some(m), _) => stage(
            api,
            m,
            MaintenanceStatus::InProgress,
            format!(
                "The reset to iteration {} has begun.\n\n{}",
                s.iteration,
                ephemery::token(&o.schedule.marker, s.iteration)
            ),
        ),
        (A::Complete, Some(m), _) => stage(
            api,
            m,
            MaintenanceStatus::Completed,
            format!(
                "The reset to iteration {} is over{}.\n\n{}",
                s.iteration,
                if m.status == MaintenanceStatus::NotStartedYet
                    && s.window.as_ref().is_some_and(|w| now >= w.end)
                {
                    " (its window has passed)"
                } else {
                    ""
                },
                ephemery::token(&o.schedule.marker, s.iteration)
            ),
        ),
        (A::Cancel, Some(m), _) => api.send(maintenances::delete(page, &m.id)).map(|_| None),
        (A::Reschedule | A::Extend | A::Nothing(_), Some(m), Some(w)) => {
            let moved = matches!(s.action, A::Reschedule | A::Extend)
                || texts.contains(&"name")
                || texts.contains(&"components");
            let mut answer = None;
            if moved {
                let body = update_request(o, s, m, w, &ids)?;
                answer = Some(api.send(maintenances::update(page, &m.id, &body))?);
            }
            if texts.contains(&"message") {
                // The new announcement as an update: subscribers see it, calendars see a newer
                // SEQUENCE.
                let mut body = CreateMaintenanceUpdateRequest::new(m.status.clone());
                body.message = Some(w.message.clone());
                body.notify = Some(o.notify);
                api.send(maintenances::create_update(page, &m.id, &body))?;
                answer = None;
            }
            Ok(answer)
        }
        (action, current, window) => Err(Failure::new(format!(
            "no request for {action:?} (maintenance {}, window {})",
            current.map_or("none", |m| m.id.as_str()),
            if window.is_some() {
                "declared"
            } else {
                "withdrawn"
            }
        ))),
    }
}

/// Posts a stage change (`InProgress`, `Completed`) with the statuses it implies for the
/// window's components.
fn post_stage(
    o: &EphemeryResetsOptions,
    api: &mut Api<'_>,
    page: &PageId,
    m: &Maintenance,
    status: MaintenanceStatus,
    message: String,
    now: Timestamp,
) -> Result<(), Failure> {
    let implied = match status {
        MaintenanceStatus::InProgress => ComponentStatus::UnderMaintenance,
        _ => ComponentStatus::Operational,
    };
    let mut body = CreateMaintenanceUpdateRequest::new(status);
    body.message = Some(message);
    body.notify = Some(o.notify);
    // When the stage changed: the time the module acts at (the clock, or `now` in tests), so
    // a window completed after it passed never reads as called off.
    body.started = Some(Timestamp::from_second(now.as_second()).unwrap_or(now));
    body.components = m.components.iter().map(|c| c.id.clone()).collect();
    body.statuses = body
        .components
        .iter()
        .map(|id| ComponentStatusEntry::new(id.clone(), implied.clone()))
        .collect();
    api.send(maintenances::create_update(page, &m.id, &body))
        .map(|_| ())
}

/// The create request of a window not on the page yet (scheduled, or in progress when it
/// already runs).
fn create_request(
    o: &EphemeryResetsOptions,
    s: &ResetStep<'_>,
    w: &ResetWindow,
    ids: &[ComponentId],
) -> CreateMaintenanceRequest {
    let status = if s.action == MaintenanceAction::Schedule {
        MaintenanceStatus::NotStartedYet
    } else {
        MaintenanceStatus::InProgress
    };
    let mut body = CreateMaintenanceRequest::new(w.name.as_str(), w.start, w.end);
    body.message = Some(w.message.clone());
    body.components = ids.to_vec();
    body.status = status.clone();
    body.notify = o.notify;
    body.duration = Some(w.minutes());
    body.notify_start = o.notify;
    body.notify_end = o.notify;
    body.notify_early = o.notify_early;
    body.notify_minutes = o.notify_minutes;
    body.auto_start = o.auto;
    body.auto_end = o.auto;
    if status == MaintenanceStatus::InProgress {
        body.statuses = ids
            .iter()
            .map(|id| ComponentStatusEntry::new(id.clone(), ComponentStatus::UnderMaintenance))
            .collect();
    }
    body
}

/// The update request that moves, extends or renames a window (or changes its components).
fn update_request(
    o: &EphemeryResetsOptions,
    s: &ResetStep<'_>,
    m: &Maintenance,
    w: &ResetWindow,
    ids: &[ComponentId],
) -> Result<UpdateMaintenanceRequest, Failure> {
    let mut body =
        UpdateMaintenanceRequest::from_maintenance(m, w.message.clone()).ok_or_else(|| {
            Failure::new(format!(
                "maintenance {} has no start or duration in the API's answer",
                m.id
            ))
        })?;
    body.name = Some(w.name.clone());
    if s.action == MaintenanceAction::Extend {
        body.end = w.end;
        body.duration = m
            .start
            .map_or(w.minutes(), |start| w.end.duration_since(start).as_mins());
    } else {
        body.start = w.start;
        body.end = w.end;
        body.duration = w.minutes();
    }
    body.components = ids.to_vec();
    body.auto_start = o.auto;
    body.auto_end = o.auto;
    Ok(body)
}
