//! What the user writes: components and their rules, groups, the incident policy, flap and
//! freshness settings. [`Engine::new`](super::Engine::new) validates it up front.
//!
//! Durations are whole seconds (`*_secs`). Every field has a stated default.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Level;

/// A configuration error: the field path and what is wrong (with the allowed values where there
/// is a list).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{path}`: {message}")]
pub struct ConfigError {
    /// The field, e.g. `components[2].rules[0].levels[1].exit`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

pub(super) fn err(path: impl Into<String>, message: impl Into<String>) -> ConfigError {
    ConfigError {
        path: path.into(),
        message: message.into(),
    }
}

/// The whole status configuration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Components automation sets, by name path (`Ethereum Services/Execution Client`).
    pub components: Vec<ComponentConfig>,
    /// Groups whose status follows their children.
    #[serde(default)]
    pub groups: Vec<GroupConfig>,
    /// When incidents are opened, updated and resolved, and their texts.
    #[serde(default)]
    pub incidents: IncidentPolicy,
    /// Flap protection.
    #[serde(default)]
    pub flapping: FlapConfig,
    /// When an observation counts as unknown.
    #[serde(default)]
    pub freshness: Freshness,
}

/// One component automation sets.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponentConfig {
    /// The name path on the page, `Group/Component` or `Component`.
    pub path: String,
    /// The rules; the component takes the worst level among them.
    #[serde(default)]
    pub rules: Vec<RuleConfig>,
    /// Components this one cannot work without: their outage (partial or major) becomes this one's.
    #[serde(default)]
    pub requires: Vec<String>,
    /// Components this one works less well without: their outage makes this one at most a
    /// partial outage.
    #[serde(default)]
    pub optional: Vec<String>,
    /// Links for incident texts, e.g. `grafana`, `runbook`.
    #[serde(default)]
    pub links: BTreeMap<String, String>,
    /// `automatic` (default: write), `observe` (evaluate, write nothing, say what would be
    /// written) or `off` (write nothing): see [`super::mode`].
    #[serde(default)]
    pub mode: super::mode::Mode,
}

/// A rule that yields a level for its component.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleConfig {
    /// Thresholds on a PromQL instant query.
    Threshold(ThresholdRule),
    /// Firing Alertmanager alerts that match label matchers.
    Alert(AlertRule),
    /// Multiwindow burn rates of an SLO's error budget (see [`super::burn`]).
    BurnRate(super::burn::BurnRateRule),
}

/// Thresholds on the samples of a PromQL instant query, or on a built-in probe's signal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThresholdRule {
    /// The PromQL expression; observations are keyed by this exact text. Give this or `probe`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub query: String,
    /// A probe signal, `NAME.SIGNAL` (`execution.head_age_seconds`): the bridge's built-in
    /// probes (`probes:` in its config) yield them; observations are keyed by
    /// `probe:NAME.SIGNAL`. Give this or `query`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<String>,
    /// How a sample is compared with the thresholds (`>`, `>=`, `<`, `<=`).
    pub op: Comparison,
    /// One entry per level, each with its enter and exit threshold.
    pub levels: Vec<LevelThreshold>,
    /// How the levels of several series combine. Default `worst`.
    #[serde(default)]
    pub aggregate: Aggregate,
    /// What an empty result means. Default `unknown` (silence is not health).
    #[serde(default)]
    pub on_empty: OnEmpty,
    /// The condition must hold this long before the level rises. Default 60.
    #[serde(default = "default_threshold_enter")]
    pub enter_for_secs: u64,
    /// Recovery must hold this long before the level falls. Default 300.
    #[serde(default = "default_exit")]
    pub exit_for_secs: u64,
}

impl ThresholdRule {
    /// The key of this rule's reading in [`Observations::queries`](super::Observations::queries):
    /// the PromQL text, or `probe:NAME.SIGNAL`.
    pub fn observation_key(&self) -> std::borrow::Cow<'_, str> {
        match &self.probe {
            Some(signal) => crate::sources::probes::key(signal).into(),
            None => self.query.as_str().into(),
        }
    }

    /// The PromQL query, `None` for a probe rule.
    pub fn promql(&self) -> Option<&str> {
        self.probe.is_none().then_some(self.query.as_str())
    }

    /// What the rule reads, for people: ``query `...` `` or ``probe signal `...` ``.
    pub fn source_text(&self) -> String {
        match &self.probe {
            Some(signal) => format!("probe signal `{signal}`"),
            None => format!("query `{}`", self.query),
        }
    }
}

/// One level of a threshold rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelThreshold {
    /// The level (not `operational`).
    pub level: Level,
    /// A sample reaches the level when `value op enter`.
    pub enter: f64,
    /// A series at this level stays there while `value op exit`; on the healthy side of `enter`.
    /// Default: `enter` (no threshold hysteresis).
    #[serde(default)]
    pub exit: Option<f64>,
}

/// The comparison of a threshold rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub enum Comparison {
    /// Greater than.
    #[serde(rename = ">")]
    Gt,
    /// Greater than or equal.
    #[serde(rename = ">=")]
    Ge,
    /// Less than.
    #[serde(rename = "<")]
    Lt,
    /// Less than or equal.
    #[serde(rename = "<=")]
    Le,
}

impl Comparison {
    /// Whether `value op threshold`. NaN never passes.
    pub fn passes(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::Gt => value > threshold,
            Comparison::Ge => value >= threshold,
            Comparison::Lt => value < threshold,
            Comparison::Le => value <= threshold,
        }
    }

    /// Whether larger values are worse.
    pub fn rising(self) -> bool {
        matches!(self, Comparison::Gt | Comparison::Ge)
    }
}

/// How per-series levels combine into the rule's level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Aggregate {
    /// The worst series decides (each series is judged on its own).
    #[default]
    Worst,
    /// A level is reached when any series reaches it (the same as `worst`, named for reading).
    Any,
    /// A level is reached only when every series reaches it.
    All,
    /// A level is reached when at least this fraction (0 < f <= 1) of the series reach it.
    Ratio(f64),
    /// A level is reached when at least this many series reach it.
    Quorum(usize),
}

/// What an empty query result means.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OnEmpty {
    /// Unknown: keep the last level (for queries that always return series, like `up`).
    #[default]
    Unknown,
    /// Healthy: the query returns series only when something is wrong (`up == 0`).
    Operational,
}

/// Firing alerts matching all `matchers` put the component at `level`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertRule {
    /// Alertmanager matchers: `alertname="GethDown"`, `severity=~"critical|page"`, `env!="dev"`,
    /// `instance!~"test-.*"`. Regexes are anchored at both ends, as in Alertmanager.
    pub matchers: Vec<String>,
    /// The level while a matching alert fires (not `operational`).
    pub level: Level,
    /// How long an alert must fire before the level rises. Default 0 (Prometheus' `for:` already
    /// waited).
    #[serde(default)]
    pub enter_for_secs: u64,
    /// How long no alert may fire before the level falls. Default 300.
    #[serde(default = "default_exit")]
    pub exit_for_secs: u64,
}

/// A group whose status follows its children on the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupConfig {
    /// The group's name path.
    pub path: String,
    /// How the children's levels combine. Default `worst`.
    #[serde(default)]
    pub rule: GroupRule,
}

/// How a group's level follows its children.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum GroupRule {
    /// The worst child.
    #[default]
    Worst,
    /// The highest level that more than half of the children have reached.
    Majority,
    /// The best child (the group is down only when every child is).
    Best,
}

/// When incidents are opened, moved through their stages, and what they say.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct IncidentPolicy {
    /// Whether automation opens incidents at all. Default true.
    pub enabled: bool,
    /// The level (after its hold) at which an incident opens. Default `partial_outage`.
    pub open_at: Level,
    /// How long a recovered incident stays in MONITORING without relapse before it is resolved.
    /// Default 900.
    pub resolve_after_secs: u64,
    /// A relapse this soon after a resolve reopens that incident instead of opening another.
    /// Default 3600.
    pub reopen_within_secs: u64,
    /// The text that marks an incident as automation's; appended to every message. Never change it
    /// while incidents are open: it is how they are recognised.
    pub marker: String,
    /// Whether subscribers are notified. Default true.
    pub notify: bool,
    /// What one incident covers: `cause` (default) opens one incident per cause, listing the
    /// components whose level comes from it through `requires`/`optional`; `component` opens one
    /// per component.
    pub one_per: IncidentScope,
    /// The page's time zone for the times in incident texts (an IANA name: `UTC`,
    /// `Europe/Berlin`; Instatus's API does not say it). Default `UTC`.
    pub time_zone: String,
    /// The minijinja templates. A stage set here replaces the catalog's text of that stage for
    /// every incident type (see [`crate::templates`]).
    pub templates: Templates,
}

/// What one automation incident covers.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum IncidentScope {
    /// One incident per cause: a component whose level comes from a dependency is listed in the
    /// incident of the component that caused it, with its own status.
    #[default]
    Cause,
    /// One incident per component, dependants included.
    Component,
}

impl Default for IncidentPolicy {
    fn default() -> Self {
        Self {
            enabled: true,
            open_at: Level::PartialOutage,
            resolve_after_secs: 900,
            reopen_within_secs: 3600,
            marker: "(Posted by status automation.)".to_owned(),
            notify: true,
            one_per: IncidentScope::Cause,
            time_zone: "UTC".to_owned(),
            templates: Templates::default(),
        }
    }
}

/// Incident texts (minijinja, strict: a misspelt variable is a config error at render time and
/// a syntax error is one up front). Variables: `component` (name path), `name` (last segment),
/// `level`, `previous_level` (words), `status` (Instatus spelling), `started` (RFC 3339),
/// `alerts` (list of `{labels, annotations, starts_at}`), `summaries` (alert `summary`
/// annotations), `links` (the component's links plus `runbook_url`/`dashboard` annotations).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Templates {
    /// The incident name.
    pub title: String,
    /// The first message.
    pub opened: String,
    /// A level change while open.
    pub updated: String,
    /// Recovered, watching.
    pub monitoring: String,
    /// Resolved after the dwell.
    pub resolved: String,
    /// Reopened by a relapse (within the reopen window, or during MONITORING).
    pub reopened: String,
}

const LINKS: &str = "{% for s in summaries %}\n- {{ s }}{% endfor %}{% if links.grafana is defined %}\n\nDashboard: {{ links.grafana }}{% endif %}{% if links.runbook is defined %}\nRunbook: {{ links.runbook }}{% endif %}";

impl Default for Templates {
    fn default() -> Self {
        Self {
            title: "{{ name }}: {{ level }}".to_owned(),
            opened: format!("{{{{ component }}}} has a {{{{ level }}}} since {{{{ started }}}}.{LINKS}"),
            updated: format!("{{{{ component }}}} is now at {{{{ level }}}} (was {{{{ previous_level }}}}).{LINKS}"),
            monitoring: "{{ component }} has recovered ({{ level }}); we are watching it.".to_owned(),
            resolved: "{{ component }} has been {{ level }} without relapse; resolved.".to_owned(),
            reopened: format!("{{{{ component }}}} relapsed: {{{{ level }}}}.{LINKS}"),
        }
    }
}

/// Flap protection (Nagios/Icinga style, over time): the weighted share of state changes in the
/// last `window_secs`, counted against the `window - 1` transitions of `window` evenly spaced
/// readings; flapping starts at `high` percent and stops at `low` percent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct FlapConfig {
    /// Readings a window stands for (3 to 1000). Default 21 (as Nagios).
    pub window: usize,
    /// How far back changes count, in seconds (60 to 86400). Default 600 (21 readings 30 s
    /// apart).
    pub window_secs: u64,
    /// Percent at which flapping starts. Default 50.
    pub high: f64,
    /// Percent at which flapping stops. Default 25.
    pub low: f64,
}

impl Default for FlapConfig {
    fn default() -> Self {
        Self {
            window: 21,
            window_secs: 600,
            high: 50.0,
            low: 25.0,
        }
    }
}

/// When an observation is too old or too quiet to trust.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Freshness {
    /// A sample older than this is stale and ignored. Default 300.
    pub max_sample_age_secs: u64,
    /// The always-firing alert that proves the alert pipeline works (kube-prometheus `Watchdog`).
    /// While it has not been seen for `max_silence_secs`, every alert rule is unknown.
    pub heartbeat: Option<Heartbeat>,
    /// How long a resolved alert is remembered, so a late duplicate of its firing cannot revive
    /// it. Default 86400.
    pub alert_retention_secs: u64,
}

impl Default for Freshness {
    fn default() -> Self {
        Self {
            max_sample_age_secs: 300,
            heartbeat: None,
            alert_retention_secs: 86_400,
        }
    }
}

/// The heartbeat alert.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Heartbeat {
    /// Matchers of the heartbeat alert, e.g. `alertname="Watchdog"`.
    pub matchers: Vec<String>,
    /// Longest silence tolerated. Default 600.
    #[serde(default = "default_silence")]
    pub max_silence_secs: u64,
}

fn default_threshold_enter() -> u64 {
    60
}

fn default_exit() -> u64 {
    300
}

fn default_silence() -> u64 {
    600
}
