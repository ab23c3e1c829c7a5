//! Ephemery's network resets: automation stands back during each reset window, and the
//! calendar lists the upcoming ones.
//!
//! The schedule is computed (`instatus::ephemery`), so the bridge needs no maintenance on the page
//! to know that the chain is being reset: from the window's start (genesis − lead-in) to its end
//! the configured components are owned by the reset, as if a maintenance were in progress, and
//! nothing the monitoring sees then (every client restarting, the chain id changing) is written.

use instatus::ephemery::{self, ResetWindow, Schedule, WindowConfig};
use instatus::jiff::Timestamp;
use instatus::model::{ComponentTree, Maintenance, MaintenanceStatus};
use instatus::status::CurrentPage;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `ephemery_resets`: the schedule (the options of the `ephemery_resets` module, same defaults)
/// and what it mutes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ResetsConfig {
    /// The components automation leaves alone during each window (name paths). Default: every
    /// component in `status.components`.
    pub components: Vec<String>,
    /// A known iteration (`ITERATION_NUMBER` in the genesis repository's `values.env`).
    /// Default 160.
    pub anchor_iteration: u64,
    /// Its genesis time (`GENESIS_TIMESTAMP`), RFC 3339 or Unix seconds. Default
    /// `2026-06-04T19:00:00Z`.
    pub anchor_genesis: String,
    /// Seconds between two resets (`GENESIS_INTERVAL`). Default 2419200 (28 days).
    pub period_secs: i64,
    /// Minutes the window starts before the genesis. Default 5.
    pub lead_in_minutes: i64,
    /// Minutes the window lasts after the genesis. Default 60.
    pub after_minutes: i64,
    /// The marker of the windows the `ephemery_resets` module declares (`[MARKER:ITERATION]`),
    /// so `/calendar.ics` shows a declared reset once. Default `ephemery-reset`.
    pub marker: String,
    /// How many upcoming resets `/calendar.ics` lists (1 to 24). Default 3.
    pub count: usize,
}

impl Default for ResetsConfig {
    fn default() -> Self {
        let w = WindowConfig::default();
        Self {
            components: Vec::new(),
            anchor_iteration: Schedule::EPHEMERY.anchor_iteration(),
            anchor_genesis: Schedule::EPHEMERY.anchor_genesis().to_string(),
            period_secs: ephemery::PERIOD_SECS,
            lead_in_minutes: w.lead_in_minutes,
            after_minutes: w.after_minutes,
            marker: w.marker,
            count: 3,
        }
    }
}

/// The most upcoming resets listed (as the modules allow).
pub use instatus::ephemery::MAX_COUNT;

/// The schedule, checked.
#[derive(Clone, Debug)]
pub struct Resets {
    /// The schedule.
    pub schedule: Schedule,
    /// The windows' times and texts.
    pub window: WindowConfig,
    /// The muted components (name paths).
    pub components: Vec<String>,
    /// How many upcoming resets the calendar lists.
    pub count: usize,
}

/// A field and what is wrong with it.
pub type FieldError = (String, String);

impl ResetsConfig {
    /// Checks every field; `declared` are the paths of `status.components` (the default set and
    /// the allowed values).
    pub fn resolve(&self, declared: &[String]) -> Result<Resets, FieldError> {
        let field = |f: &str| format!("ephemery_resets.{f}");
        let text = self.anchor_genesis.trim();
        let genesis = match text.parse::<i64>() {
            Ok(secs) => Timestamp::from_second(secs)
                .map_err(|e| (field("anchor_genesis"), format!("{secs} is not a Unix time ({e})")))?,
            Err(_) => text.parse::<Timestamp>().map_err(|e| {
                (
                    field("anchor_genesis"),
                    format!("{text:?} is not a time ({e}); allowed: RFC 3339 such as 2026-06-04T19:00:00Z, or Unix seconds"),
                )
            })?,
        };
        let schedule =
            Schedule::new(self.anchor_iteration, genesis, self.period_secs).map_err(|e| {
                let name = match e.field {
                    "period" => "period_secs",
                    other => other,
                };
                (field(name), e.message)
            })?;
        let window = WindowConfig {
            lead_in_minutes: self.lead_in_minutes,
            after_minutes: self.after_minutes,
            marker: self.marker.clone(),
            ..WindowConfig::default()
        };
        window.validate().map_err(|e| {
            let name = match e.field {
                "lead_in" => "lead_in_minutes",
                "duration" => "after_minutes",
                other => other,
            };
            (field(name), e.message)
        })?;
        if !(1..=MAX_COUNT).contains(&self.count) {
            return Err((
                field("count"),
                format!("{} is out of range; allowed: 1 to {MAX_COUNT}", self.count),
            ));
        }
        for (k, path) in self.components.iter().enumerate() {
            if !declared.contains(path) {
                return Err((
                    format!("ephemery_resets.components[{k}]"),
                    format!(
                        "{path:?} is not in status.components; allowed: {}",
                        declared.join(", ")
                    ),
                ));
            }
        }
        let components = if self.components.is_empty() {
            declared.to_vec()
        } else {
            self.components.clone()
        };
        Ok(Resets {
            schedule,
            window,
            components,
            count: self.count,
        })
    }
}

impl Resets {
    /// The upcoming windows at `now` (a running one first), for the calendar.
    pub fn upcoming(&self, now: Timestamp) -> Vec<ResetWindow> {
        ephemery::upcoming_windows(&self.schedule, &self.window, now, self.count)
            .unwrap_or_default()
    }

    /// The window running at `now`, if any.
    pub fn running(&self, now: Timestamp) -> Option<ResetWindow> {
        ephemery::upcoming_windows(&self.schedule, &self.window, now, 1)
            .ok()?
            .into_iter()
            .find(|w| w.start <= now && now < w.end)
    }

    /// During a window: a maintenance in progress over the muted components (those on the page)
    /// added to what the engine sees, so the engine's precedence (maintenance first) keeps
    /// automation off them and says why. Returns the id added, to take it out after.
    pub fn mute(&self, page: &mut CurrentPage, now: Timestamp) -> Option<String> {
        let w = self.running(now)?;
        let tree = ComponentTree::from_components(page.components.iter().cloned());
        let components: Vec<_> = self
            .components
            .iter()
            .filter_map(|p| tree.find(p))
            .map(|c| serde_json::json!({"id": c.id, "name": c.name}))
            .collect();
        let id = format!("{}-{}", self.window.marker, w.reset.iteration);
        let synthetic = serde_json::json!({
            "id": id,
            "name": format!("{} (computed)", w.name),
            "status": MaintenanceStatus::InProgress,
            "start": w.start,
            "duration": w.minutes(),
            "components": components,
        });
        let m: Maintenance = serde_json::from_value(synthetic).ok()?;
        page.maintenances.push(m);
        Some(id)
    }
}

/// Takes the maintenance [`Resets::mute`] added back out.
pub fn unmute(page: &mut CurrentPage, id: Option<String>) {
    if let Some(id) = id {
        page.maintenances.retain(|m| m.id.as_str() != id);
    }
}
