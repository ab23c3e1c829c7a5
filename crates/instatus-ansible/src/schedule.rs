//! The Ephemery reset schedule as module options, shared by `ephemery_resets` and `calendar`
//! (so neither module imports the other): the anchor, the period and how a reset becomes a
//! window, parsed into the library's [`instatus::ephemery`] types before any request.

use instatus::ephemery::{self, Schedule, WindowConfig};
use jiff::Timestamp;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::protocol::Failure;

/// The reset schedule and how a reset becomes a window.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
pub struct ScheduleOptions {
    /// How many resets ahead to declare (1 to 24). A window running now counts as the first.
    #[serde(default = "default_count")]
    pub count: usize,

    /// A known iteration (C(ITERATION_NUMBER) in the genesis repository's C(values.env)).
    #[serde(default = "default_anchor_iteration")]
    pub anchor_iteration: u64,

    /// The genesis time of O(anchor_iteration) (C(GENESIS_TIMESTAMP)), RFC 3339 or Unix seconds.
    #[serde(default = "default_anchor_genesis")]
    pub anchor_genesis: String,

    /// Seconds between two resets (C(GENESIS_INTERVAL); 28 days).
    #[serde(default = "default_period")]
    pub period: i64,

    /// Minutes the window starts before the genesis (nodes reset 5 minutes early).
    #[serde(default = "default_lead_in")]
    pub lead_in: i64,

    /// Minutes the window lasts after the genesis (1 to 10080).
    #[serde(default = "default_duration")]
    pub duration: i64,

    /// The window's title, a minijinja template. Variables: C(iteration),
    /// C(previous_iteration), C(chain_id), C(genesis), C(genesis_unix), C(start), C(end),
    /// C(lead_in), C(duration), C(marker). In a playbook, mark it C(!unsafe) so Ansible leaves
    /// the braces alone.
    #[serde(default = "default_name_template")]
    pub name_template: String,

    /// The announcement, the impact statement: a minijinja template with the variables of
    /// O(name_template). The token C(MARKER:ITERATION), in square brackets, is added at the end.
    #[serde(default = "default_message_template")]
    pub message_template: String,

    /// The word in the token that marks a window as this schedule's (letters, digits, C(-),
    /// C(_), C(.)). Maintenances without it are never touched.
    #[serde(default = "default_marker")]
    pub marker: String,

    /// For testing only: the time to act at (RFC 3339) instead of the clock, to cross a
    /// simulated reset.
    pub now: Option<String>,
}

fn default_count() -> usize {
    3
}
fn default_anchor_iteration() -> u64 {
    Schedule::EPHEMERY.anchor_iteration()
}
fn default_anchor_genesis() -> String {
    Schedule::EPHEMERY.anchor_genesis().to_string()
}
fn default_period() -> i64 {
    ephemery::PERIOD_SECS
}
fn default_lead_in() -> i64 {
    WindowConfig::default().lead_in_minutes
}
fn default_duration() -> i64 {
    WindowConfig::default().after_minutes
}
fn default_name_template() -> String {
    ephemery::DEFAULT_NAME_TEMPLATE.to_owned()
}
fn default_message_template() -> String {
    ephemery::DEFAULT_MESSAGE_TEMPLATE.to_owned()
}
fn default_marker() -> String {
    ephemery::DEFAULT_MARKER.to_owned()
}

/// The largest `count`.
pub use instatus::ephemery::MAX_COUNT;

impl ScheduleOptions {
    /// The schedule, the window settings and `now`, checked before any request.
    pub fn parse(&self) -> Result<(Schedule, WindowConfig, Timestamp), Failure> {
        if !(1..=MAX_COUNT).contains(&self.count) {
            return Err(Failure::new(format!(
                "count: {} is out of range; allowed: 1 to {MAX_COUNT}",
                self.count
            )));
        }
        let text = self.anchor_genesis.trim();
        let genesis = match text.parse::<i64>() {
            Ok(secs) => Timestamp::from_second(secs).map_err(|e| {
                Failure::new(format!("anchor_genesis: {secs} is not a Unix time ({e})"))
            })?,
            Err(_) => text.parse::<Timestamp>().map_err(|e| {
                Failure::new(format!(
                    "anchor_genesis must be an RFC 3339 timestamp such as 2026-06-04T19:00:00Z or Unix seconds, got: '{text}' ({e})"
                ))
            })?,
        };
        let schedule = Schedule::new(self.anchor_iteration, genesis, self.period)
            .map_err(|e| Failure::new(e.to_string()))?;
        let config = WindowConfig {
            lead_in_minutes: self.lead_in,
            after_minutes: self.duration,
            name_template: self.name_template.clone(),
            message_template: self.message_template.clone(),
            marker: self.marker.clone(),
        };
        config.validate().map_err(|e| Failure::new(e.to_string()))?;
        let now = match &self.now {
            Some(t) => t.trim().parse::<Timestamp>().map_err(|e| {
                Failure::new(format!(
                    "now must be an RFC 3339 timestamp such as 2026-12-17T19:00:00Z, got: '{t}' ({e})"
                ))
            })?,
            None => Timestamp::now(),
        };
        Ok((schedule, config, now))
    }
}
