//! `ephemery.instatus.maintenance`: schedule, start, complete and cancel one maintenance window,
//! identified by name and start time.
//!
//! Identity is the name plus the start: the maintenance with the same name and the same start.
//! Without `start` (or with `start: now`) it is the one not-completed maintenance with the name.
//! Settings (duration, components, automation) change with a PUT of the whole maintenance
//! ([`UpdateMaintenanceRequest::from_maintenance`] with the changed fields); the stage moves
//! forward only (`scheduled` → `in_progress` → `completed`), with a maintenance update, so
//! subscribers see the history. The API has no cancelled stage: `cancelled` deletes it.

use std::collections::BTreeSet;

use instatus::api::maintenances::{
    self, CreateMaintenanceRequest, CreateMaintenanceUpdateRequest, UpdateMaintenanceRequest,
};
use instatus::api::{components, ComponentStatusEntry};
use instatus::model::{
    ComponentId, ComponentStatus, ComponentTree, Maintenance, MaintenanceStatus,
};
use jiff::{SignedDuration, Timestamp};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use super::incident::{parse_timestamp, path_of, resolve_paths};
use crate::common::{Api, CommonOptions};
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

impl MaintenanceState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }
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
    /// maintenance whose stage does not change, a message different from the latest update's is
    /// posted as an update.
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
// Pure helpers.

/// The `start` option: a timestamp, or `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// A fixed start: part of the identity.
    At(Timestamp),
    /// Now: the identity is the not-completed maintenance with the name.
    Now,
}

/// Parses `start`.
pub fn parse_start(text: &str) -> Result<Start, Failure> {
    if text.trim().eq_ignore_ascii_case("now") {
        Ok(Start::Now)
    } else {
        parse_timestamp("start", text)
            .map(Start::At)
            .map_err(|f| Failure::new(format!("{} (or now)", f.msg)))
    }
}

/// The longest maintenance accepted, in minutes (a year): past it, end times overflow the calendar.
pub const MAX_MINUTES: i64 = 366 * 24 * 60;

/// The duration in minutes the task asks for, given the maintenance's start: `duration`, or
/// `end - start`. Fails naming the option when it is not positive.
pub fn wanted_minutes(
    duration: Option<i64>,
    end: Option<Timestamp>,
    start: Timestamp,
) -> Result<Option<i64>, Failure> {
    match (duration, end) {
        (Some(d), _) if !(1..=MAX_MINUTES).contains(&d) => Err(Failure::new(format!(
            "duration: {d} is out of range; allowed: a number of minutes from 1 to {MAX_MINUTES} (a year)"
        ))),
        (Some(d), _) => Ok(Some(d)),
        (None, Some(end)) => {
            let minutes = end.duration_since(start).as_mins();
            if minutes <= 0 {
                Err(Failure::new(format!(
                    "end must be at least a minute after start ({start}), got: {end}"
                )))
            } else if minutes > MAX_MINUTES {
                Err(Failure::new(format!(
                    "end must be at most a year ({MAX_MINUTES} minutes) after start ({start}), got: {end}"
                )))
            } else {
                Ok(Some(minutes))
            }
        }
        (None, None) => Ok(None),
    }
}

/// Picks the maintenance a task means: the one called `name` starting at `start`, or, without a
/// start, the one called `name` that is not completed. Several → a failure listing them.
pub fn select<'m>(
    all: &'m [Maintenance],
    name: &str,
    start: Option<Timestamp>,
) -> Result<Option<&'m Maintenance>, Failure> {
    let found: Vec<&Maintenance> = all
        .iter()
        .filter(|m| m.name.as_str() == name)
        .filter(|m| match start {
            Some(start) => m.start == Some(start),
            None => m.status != MaintenanceStatus::Completed,
        })
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        many => Err(Failure::new(format!(
            "{} {}maintenances are called '{name}'{}: {}; give start to pick one",
            many.len(),
            if start.is_some() {
                ""
            } else {
                "not-completed "
            },
            start
                .map(|s| format!(" and start at {s}"))
                .unwrap_or_default(),
            many.iter()
                .map(|m| format!(
                    "{} (start {})",
                    m.id,
                    m.start.map(|t| t.to_string()).unwrap_or_else(|| "?".into())
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// How far along a stage is: scheduled 0, in progress 1, completed 2 (unknown stages 0).
pub fn rank(status: &MaintenanceStatus) -> u8 {
    match status {
        MaintenanceStatus::InProgress => 1,
        MaintenanceStatus::Completed => 2,
        _ => 0,
    }
}

/// The stage as users write it (`INPROGRESS` → `in_progress`, `NOTSTARTEDYET` → `scheduled`):
/// the library's one spelling, shared with `info`.
pub fn stage_name(status: &MaintenanceStatus) -> String {
    status.user_name()
}

/// The settings a task changes on an existing maintenance: `duration`, `components`,
/// `auto_start`, `auto_end`, in that order (each only when the task gives it).
pub fn setting_changes(
    current: &Maintenance,
    minutes: Option<i64>,
    components: Option<&BTreeSet<ComponentId>>,
    auto_start: Option<bool>,
    auto_end: Option<bool>,
) -> Vec<&'static str> {
    let mut out = Vec::new();
    if minutes.is_some() && minutes != current.duration {
        out.push("duration");
    }
    if components.is_some_and(|c| c != &current.components.iter().map(|b| b.id.clone()).collect()) {
        out.push("components");
    }
    if auto_start.is_some_and(|a| a != current.auto_start.unwrap_or(false)) {
        out.push("auto_start");
    }
    if auto_end.is_some_and(|a| a != current.auto_end.unwrap_or(false)) {
        out.push("auto_end");
    }
    out
}

/// The message of the newest update; `None` when it has none (or an empty one).
pub fn latest_message(m: &Maintenance) -> Option<&str> {
    m.updates
        .iter()
        .enumerate()
        .max_by_key(|(i, u)| (u.created_at.or(u.started), std::cmp::Reverse(*i)))
        .and_then(|(_, u)| u.message.as_deref())
        .filter(|m| !m.is_empty())
}

/// The maintenance as the module returns it.
fn view(m: &Maintenance, tree: &ComponentTree) -> Value {
    json!({
        "id": m.id.as_str(),
        "name": m.name.as_str(),
        "status": stage_name(&m.status),
        "start": m.start.map(|t| t.to_string()),
        "end": m.end().map(|t| t.to_string()),
        "duration": m.duration,
        "components": m.components.iter().map(|c| path_of(tree, &c.id)).collect::<Vec<_>>(),
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
fn diff_view(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(map) = v.as_object_mut() {
        map.remove("id");
    }
    v
}

fn end_of(start: Timestamp, minutes: i64) -> Option<String> {
    start
        .checked_add(SignedDuration::from_mins(minutes))
        .ok()
        .map(|t| t.to_string())
}

// ---------------------------------------------------------------------------------------------
// The run.

fn run(o: &MaintenanceOptions, api: &mut Api<'_>, ctx: &mut Context) -> Result<Outcome, Failure> {
    // Options first: a bad option fails before any request.
    crate::common::check_form("name", Some(&o.name), instatus::validate::name)?;
    let start = o.start.as_deref().map(parse_start).transpose()?;
    let end = o
        .end
        .as_deref()
        .map(|e| parse_timestamp("end", e))
        .transpose()?;
    if let Some(d) = o.duration {
        wanted_minutes(Some(d), None, Timestamp::UNIX_EPOCH)?;
    }
    if let Some(m) = o.notify_minutes {
        if m < 0 {
            return Err(Failure::new(format!(
                "notify_minutes must not be negative, got: {m}"
            )));
        }
    }
    let fixed_start = match start {
        Some(Start::At(t)) => Some(t),
        _ => None,
    };
    if let (Some(s), Some(_)) = (fixed_start, end) {
        wanted_minutes(None, end, s)?;
    }
    let label = match fixed_start {
        Some(s) => format!("maintenance '{}' at {s}", o.name),
        None => format!("maintenance '{}'", o.name),
    };
    let check = ctx.check_mode();
    let target = match o.state {
        MaintenanceState::Scheduled => MaintenanceStatus::NotStartedYet,
        MaintenanceState::InProgress => MaintenanceStatus::InProgress,
        MaintenanceState::Completed | MaintenanceState::Cancelled => MaintenanceStatus::Completed,
    };

    let page = api.page_id()?;
    let all = api.list_all(maintenances::list(&page))?;
    let existing = select(&all, &o.name, fixed_start)?;
    let tree = ComponentTree::from_components(api.list_all(components::list(&page))?);
    let wanted_components: Option<Vec<ComponentId>> = o
        .components
        .as_ref()
        .map(|paths| resolve_paths(&tree, "components", paths.iter().map(String::as_str)))
        .transpose()?;
    let empty = Diff::new(json!({}), json!({}));

    let Some(current) = existing else {
        return match o.state {
            MaintenanceState::Cancelled => Ok(Outcome::new(
                false,
                format!("{label} is absent (nothing to cancel)"),
            )
            .with("maintenance", Value::Null)
            .with_diff(empty)),
            MaintenanceState::Completed => {
                // Completing again: without a start, the one with this name is completed now.
                let done = all
                    .iter()
                    .filter(|m| {
                        m.name.as_str() == o.name && m.status == MaintenanceStatus::Completed
                    })
                    .max_by_key(|m| m.start);
                match (done, fixed_start) {
                    (Some(m), None) => {
                        let v = view(m, &tree);
                        Ok(Outcome::new(false, format!("{label} is already completed"))
                            .with("maintenance", v.clone())
                            .with_diff(Diff::new(diff_view(&v), diff_view(&v))))
                    }
                    _ => Err(Failure::new(format!(
                        "{label} not found: nothing to complete (scheduled maintenances called '{}': {})",
                        o.name,
                        describe_all(&all, &o.name)
                    ))),
                }
            }
            MaintenanceState::Scheduled | MaintenanceState::InProgress => {
                let start_at = match start {
                    Some(Start::At(t)) => t,
                    // `now`, or starting without a start: now, to the second.
                    _ => Timestamp::from_second(Timestamp::now().as_second())
                        .unwrap_or_else(|_| Timestamp::now()),
                };
                let Some(minutes) = wanted_minutes(o.duration, end, start_at)? else {
                    return Err(Failure::new(format!(
                        "{label} not found; give duration or end to create it (state={})",
                        o.state.as_str()
                    )));
                };
                create(
                    o,
                    api,
                    ctx,
                    &page,
                    &tree,
                    target,
                    start_at,
                    minutes,
                    wanted_components,
                    &label,
                )
            }
        };
    };

    let before = view(current, &tree);
    let unchanged = |msg: String| {
        Outcome::new(false, msg)
            .with("maintenance", before.clone())
            .with_diff(Diff::new(diff_view(&before), diff_view(&before)))
    };

    if o.state == MaintenanceState::Cancelled {
        if current.status == MaintenanceStatus::Completed {
            return Err(Failure::new(format!(
                "{label} is completed; a completed maintenance cannot be cancelled (id {})",
                current.id
            )));
        }
        if !check {
            api.send(maintenances::delete(&page, &current.id))?;
        }
        let verb = if check {
            "would cancel (delete)"
        } else {
            "cancelled (deleted)"
        };
        return Ok(Outcome::new(true, format!("{verb} {label}"))
            .with("maintenance", before.clone())
            .with_diff(Diff::new(diff_view(&before), json!({})).headers(&label, &label)));
    }
    if current.status == MaintenanceStatus::Completed {
        return Ok(unchanged(format!(
            "{label} is already completed{}",
            if o.state == MaintenanceState::Completed {
                ""
            } else {
                " (a completed maintenance is not reopened)"
            }
        )));
    }

    // Settings: duration, components, automation (PUT of the whole maintenance).
    let current_start = current.start.unwrap_or(Timestamp::UNIX_EPOCH);
    let minutes = wanted_minutes(o.duration, end, current_start)?;
    let component_set: Option<BTreeSet<ComponentId>> = wanted_components
        .as_ref()
        .map(|c| c.iter().cloned().collect());
    let settings = if o.state == MaintenanceState::Completed {
        Vec::new()
    } else {
        setting_changes(
            current,
            minutes,
            component_set.as_ref(),
            o.auto_start,
            o.auto_end,
        )
    };
    for (option, given, now) in [
        ("notify_start", o.notify_start, current.notify_start),
        ("notify_end", o.notify_end, current.notify_end),
        ("notify_early", o.notify_early, current.notify_early),
    ] {
        if given.is_some_and(|g| g != now.unwrap_or(false)) {
            ctx.warn(format!(
                "{option} cannot be changed on an existing maintenance (the API's update has no such field); left as {}",
                now.unwrap_or(false)
            ));
        }
    }
    if o.notify_minutes.is_some() && o.notify_minutes != current.notify_minutes {
        ctx.warn("notify_minutes cannot be changed on an existing maintenance (the API's update has no such field)");
    }
    // Stage: forward only.
    let advance = rank(&target) > rank(&current.status);
    let note = !advance
        && o.message
            .as_deref()
            .is_some_and(|m| m.trim() != latest_message(current).unwrap_or_default().trim());
    if settings.is_empty() && !advance && !note {
        let why = if rank(&target) < rank(&current.status) {
            format!(
                " ({} already; the stage only moves forward)",
                stage_name(&current.status)
            )
        } else {
            String::new()
        };
        return Ok(unchanged(format!("{label} is up to date{why}")));
    }

    let mut after = before.clone();
    let ids: Vec<ComponentId> = wanted_components
        .clone()
        .unwrap_or_else(|| current.components.iter().map(|c| c.id.clone()).collect());
    if settings.contains(&"duration") {
        let m = minutes.unwrap_or_default();
        after["duration"] = json!(m);
        after["end"] = json!(end_of(current_start, m));
    }
    if settings.contains(&"components") {
        after["components"] = json!(ids.iter().map(|id| path_of(&tree, id)).collect::<Vec<_>>());
    }
    if let Some(a) = o.auto_start {
        after["auto_start"] = json!(a);
    }
    if let Some(a) = o.auto_end {
        after["auto_end"] = json!(a);
    }
    if advance {
        after["status"] = json!(stage_name(&target));
    }
    if advance || note {
        // The update posted carries the message (none: the latest update has none).
        after["message"] = json!(o.message.as_deref().filter(|m| !m.is_empty()));
    }

    let shown = if check {
        after.clone()
    } else {
        if !settings.is_empty() {
            let message = o
                .message
                .clone()
                .or_else(|| latest_message(current).map(str::to_owned))
                .unwrap_or_default();
            let mut body = UpdateMaintenanceRequest::from_maintenance(current, message)
                .ok_or_else(|| {
                    Failure::new(format!(
                        "{label} (id {}) has no start or duration in the API's answer; cannot update it",
                        current.id
                    ))
                })?;
            if let Some(m) = minutes {
                body.duration = m;
                body.end = current_start
                    .checked_add(SignedDuration::from_mins(m))
                    .map_err(|e| Failure::new(format!("duration: {e}")))?;
            }
            body.components = ids.clone();
            if let Some(a) = o.auto_start {
                body.auto_start = a;
            }
            if let Some(a) = o.auto_end {
                body.auto_end = a;
            }
            body.notify = o.notify && !advance && !note;
            api.send(maintenances::update(&page, &current.id, &body))?;
        }
        if advance || note {
            let status = if advance {
                target.clone()
            } else {
                current.status.clone()
            };
            let mut body = CreateMaintenanceUpdateRequest::new(status.clone());
            body.message = o.message.clone();
            body.notify = Some(o.notify);
            body.components = ids.clone();
            let implied = match status {
                MaintenanceStatus::InProgress => Some(ComponentStatus::UnderMaintenance),
                MaintenanceStatus::Completed => Some(ComponentStatus::Operational),
                _ => None,
            };
            if let (true, Some(s)) = (advance, implied) {
                body.statuses = ids
                    .iter()
                    .map(|id| ComponentStatusEntry::new(id.clone(), s.clone()))
                    .collect();
            }
            api.send(maintenances::create_update(&page, &current.id, &body))?;
        }
        view(&api.send(maintenances::get(&page, &current.id))?, &tree)
    };
    let mut what: Vec<String> = settings.iter().map(|s| (*s).to_owned()).collect();
    if note {
        what.push("message".into());
    }
    let msg = if advance {
        let verb = match (o.state, check) {
            (MaintenanceState::InProgress, true) => "would start",
            (MaintenanceState::InProgress, false) => "started",
            (_, true) => "would complete",
            (_, false) => "completed",
        };
        if what.is_empty() {
            format!("{verb} {label}")
        } else {
            format!("{verb} {label} and updated: {}", what.join(", "))
        }
    } else {
        format!(
            "{} {label}: {}",
            if check { "would update" } else { "updated" },
            what.join(", ")
        )
    };
    Ok(Outcome::new(true, msg)
        .with("maintenance", shown)
        .with_diff(Diff::new(diff_view(&before), diff_view(&after)).headers(&label, &label)))
}

/// `id (start, stage)` of every maintenance called `name`, for messages.
fn describe_all(all: &[Maintenance], name: &str) -> String {
    let list: Vec<String> = all
        .iter()
        .filter(|m| m.name.as_str() == name)
        .map(|m| {
            format!(
                "{} (start {}, {})",
                m.id,
                m.start.map(|t| t.to_string()).unwrap_or_else(|| "?".into()),
                stage_name(&m.status)
            )
        })
        .collect();
    if list.is_empty() {
        "none".into()
    } else {
        list.join(", ")
    }
}

#[allow(clippy::too_many_arguments)]
fn create(
    o: &MaintenanceOptions,
    api: &mut Api<'_>,
    ctx: &Context,
    page: &instatus::model::PageId,
    tree: &ComponentTree,
    status: MaintenanceStatus,
    start: Timestamp,
    minutes: i64,
    components: Option<Vec<ComponentId>>,
    label: &str,
) -> Result<Outcome, Failure> {
    let check = ctx.check_mode();
    let ids = components.unwrap_or_default();
    let end = start
        .checked_add(SignedDuration::from_mins(minutes))
        .map_err(|e| Failure::new(format!("duration: {e}")))?;
    let predicted = json!({
        "id": null,
        "name": o.name,
        "status": stage_name(&status),
        "start": start.to_string(),
        "end": end.to_string(),
        "duration": minutes,
        "components": ids.iter().map(|id| path_of(tree, id)).collect::<Vec<_>>(),
        "message": o.message,
        "auto_start": o.auto_start.unwrap_or(false),
        "auto_end": o.auto_end.unwrap_or(false),
        "notify_start": o.notify_start.unwrap_or(false),
        "notify_end": o.notify_end.unwrap_or(false),
        "notify_early": o.notify_early.unwrap_or(false),
        "notify_minutes": o.notify_minutes,
    });
    let shown = if check {
        predicted.clone()
    } else {
        let mut body = CreateMaintenanceRequest::new(o.name.as_str(), start, end);
        body.message = o.message.clone();
        body.components = ids.clone();
        body.status = status.clone();
        body.notify = o.notify;
        body.duration = Some(minutes);
        body.notify_start = o.notify_start.unwrap_or(false);
        body.notify_end = o.notify_end.unwrap_or(false);
        body.notify_early = o.notify_early.unwrap_or(false);
        body.notify_minutes = o.notify_minutes;
        body.auto_start = o.auto_start.unwrap_or(false);
        body.auto_end = o.auto_end.unwrap_or(false);
        if status == MaintenanceStatus::InProgress {
            body.statuses = ids
                .iter()
                .map(|id| ComponentStatusEntry::new(id.clone(), ComponentStatus::UnderMaintenance))
                .collect();
        }
        // A create whose answer is lost is looked up (same name and start) before it is ever
        // sent again.
        let client = api.client()?;
        let created = instatus::recover::create_once(
            client,
            || maintenances::create(page, &body),
            |c| {
                Ok(c.list_all(maintenances::list(page))?
                    .into_iter()
                    .find(|m| m.name.as_str() == o.name && m.start == Some(start)))
            },
            instatus::recover::DEFAULT_RECOVERY_WAIT,
        )
        .map_err(|e| Failure::new(e.to_string()))?;
        view(&created.value, tree)
    };
    let verb = match (status == MaintenanceStatus::InProgress, check) {
        (true, true) => "would start a new",
        (true, false) => "started a new",
        (false, true) => "would schedule",
        (false, false) => "scheduled",
    };
    let label_at = if label.contains(" at ") {
        label.to_owned()
    } else {
        format!("{label} at {start}")
    };
    Ok(Outcome::new(true, format!("{verb} {label_at}"))
        .with("maintenance", shown)
        .with_diff(Diff::new(json!({}), diff_view(&predicted)).headers(&label_at, &label_at)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn maintenance(id: &str, name: &str, status: &str, start: &str, duration: i64) -> Maintenance {
        serde_json::from_value(json!({
            "id": id, "name": name, "status": status, "start": start, "duration": duration,
            "autoStart": false, "autoEnd": false,
            "components": [{"id": "c1", "name": "Geth"}],
            "updates": [{"id": "u1", "message": "planned", "status": status,
                         "createdAt": "2026-11-20T10:00:00Z"}],
        }))
        .unwrap()
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn identity_is_name_and_start_or_the_single_open_one() {
        let all = vec![
            maintenance("m0", "Upgrade", "COMPLETED", "2026-11-20T14:00:00Z", 60),
            maintenance(
                "m1",
                "Upgrade",
                "NOTSTARTEDYET",
                "2026-11-26T14:00:00.000Z",
                60,
            ),
            maintenance("m2", "Other", "NOTSTARTEDYET", "2026-11-26T14:00:00Z", 60),
        ];
        let at = |s| {
            select(&all, "Upgrade", Some(ts(s)))
                .unwrap()
                .map(|m| m.id.as_str())
        };
        assert_eq!(at("2026-11-26T14:00:00Z"), Some("m1"));
        assert_eq!(at("2026-11-20T14:00:00Z"), Some("m0"));
        assert_eq!(at("2026-11-27T14:00:00Z"), None);
        // Without a start: the one not completed.
        assert_eq!(
            select(&all, "Upgrade", None)
                .unwrap()
                .map(|m| m.id.as_str()),
            Some("m1")
        );
        let mut two = all.clone();
        two.push(maintenance(
            "m3",
            "Upgrade",
            "INPROGRESS",
            "2026-11-25T14:00:00Z",
            30,
        ));
        let err = select(&two, "Upgrade", None).unwrap_err();
        assert_eq!(
            err.msg,
            "2 not-completed maintenances are called 'Upgrade': m1 (start 2026-11-26T14:00:00Z), \
             m3 (start 2026-11-25T14:00:00Z); give start to pick one"
        );
    }

    #[test]
    fn duration_comes_from_duration_or_end_and_must_be_positive() {
        let start = ts("2026-11-26T14:00:00Z");
        assert_eq!(wanted_minutes(Some(90), None, start).unwrap(), Some(90));
        assert_eq!(
            wanted_minutes(None, Some(ts("2026-11-26T16:30:00Z")), start).unwrap(),
            Some(150)
        );
        assert_eq!(wanted_minutes(None, None, start).unwrap(), None);
        assert!(wanted_minutes(Some(0), None, start)
            .unwrap_err()
            .msg
            .starts_with("duration: 0 is out of range; allowed: a number of minutes from 1 to"));
        // Regression: a duration of i64::MAX overflowed the end time and panicked.
        assert!(wanted_minutes(Some(i64::MAX), None, start)
            .unwrap_err()
            .msg
            .starts_with("duration: 9223372036854775807 is out of range"));
        assert!(
            wanted_minutes(None, Some(ts("2026-11-26T13:00:00Z")), start)
                .unwrap_err()
                .msg
                .starts_with("end must be at least a minute after start")
        );
    }

    #[test]
    fn start_accepts_now_and_names_the_option() {
        assert_eq!(parse_start(" NOW ").unwrap(), Start::Now);
        assert_eq!(
            parse_start("2026-11-26T14:00:00Z").unwrap(),
            Start::At(ts("2026-11-26T14:00:00Z"))
        );
        let err = parse_start("tomorrow").unwrap_err();
        assert!(
            err.msg.starts_with("start must be an RFC 3339 timestamp"),
            "{}",
            err.msg
        );
        assert!(err.msg.ends_with("(or now)"), "{}", err.msg);
    }

    #[test]
    fn only_given_settings_that_differ_are_changes() {
        let m = maintenance("m1", "Upgrade", "NOTSTARTEDYET", "2026-11-26T14:00:00Z", 60);
        let same: BTreeSet<ComponentId> = [ComponentId::new("c1")].into();
        assert!(setting_changes(&m, Some(60), Some(&same), Some(false), None).is_empty());
        assert!(setting_changes(&m, None, None, None, None).is_empty());
        let other: BTreeSet<ComponentId> = [ComponentId::new("c2")].into();
        assert_eq!(
            setting_changes(&m, Some(90), Some(&other), Some(true), Some(true)),
            ["duration", "components", "auto_start", "auto_end"]
        );
    }

    #[test]
    fn stages_only_move_forward() {
        assert!(rank(&MaintenanceStatus::InProgress) > rank(&MaintenanceStatus::NotStartedYet));
        assert!(rank(&MaintenanceStatus::Completed) > rank(&MaintenanceStatus::InProgress));
        assert_eq!(stage_name(&MaintenanceStatus::NotStartedYet), "scheduled");
        assert_eq!(stage_name(&MaintenanceStatus::InProgress), "in_progress");
    }
}
