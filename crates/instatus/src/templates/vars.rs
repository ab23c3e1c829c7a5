//! What a message is about ([`MessageVars`]), and the variables a template sees.

use std::collections::BTreeMap;

use jiff::tz::TimeZone;
use jiff::Timestamp;
use minijinja::value::Value;
use serde_json::Value as Json;

use super::filters::{clock, display_name, duration_words, period, state_words, PageTimeZone};
use crate::status::Level;

/// Every variable a message template sees, for error messages and the static check.
pub const VARIABLES: &str = "stage, name, component, path, dependants, components, level, \
previous_level, state, previous_state, escalated, deescalated, status, started, started_at, \
recovered, recovered_at, now, now_at, duration, period, start, start_at, end, end_at, window, \
window_length, impact, time_zone, alerts, summaries, links, marker, extra";

/// What an incident or maintenance message is about: typed values, turned into the template
/// variables (words, times in the page's time zone) when it is rendered. See the
/// [module docs](super) for the variables.
///
/// ```
/// use instatus::status::Level;
/// use instatus::templates::MessageVars;
///
/// let now = "2026-12-07T14:30:00Z".parse()?;
/// let vars = MessageVars::incident("Ethereum Services/Execution Client", Level::MajorOutage, now)
///     .started("2026-12-07T14:05:00Z".parse()?)
///     .dependants(["Ethereum Services/Consensus Client", "Ethereum Services/Validator Client"])
///     .time_zone(instatus::jiff::tz::TimeZone::get("Europe/Berlin")?);
/// assert_eq!(vars.incident_type(), "major_outage");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct MessageVars {
    /// The component the notice is about (for an incident, the root of the cause), by name
    /// path; its display name is the last segment.
    pub path: String,
    /// Components affected because they depend on `path`, by name path.
    pub dependants: Vec<String>,
    /// The level now (operational once recovered).
    pub level: Level,
    /// The level the incident stated before this message: the old level of a level change;
    /// when it recovers (`monitoring`) or is resolved, the level it recovered from (its worst,
    /// where the caller knows it; the resolved title says "was down" from it, or "has
    /// recovered" when it is operational).
    pub previous_level: Level,
    /// When the problem began (default: `now`).
    pub started: Option<Timestamp>,
    /// When it recovered (default: `now`); set it for `resolved`, which is posted after the
    /// dwell.
    pub recovered: Option<Timestamp>,
    /// When the message is posted.
    pub now: Timestamp,
    /// The page's time zone (Instatus's API has none: a setting, default UTC).
    pub time_zone: TimeZone,
    /// A maintenance's window (start, planned end).
    pub window: Option<(Timestamp, Timestamp)>,
    /// The maintained components, by name path.
    pub components: Vec<String>,
    /// The impact statement of a maintenance ([`crate::status::impact_statement`]).
    pub impact: String,
    /// The firing alerts, each `{labels, annotations, starts_at}`.
    pub alerts: Vec<Json>,
    /// The alerts' `summary` annotations.
    pub summaries: Vec<String>,
    /// Links by name (`grafana`, `runbook`, ...).
    pub links: BTreeMap<String, String>,
    /// The automation marker (the engine appends it after the message).
    pub marker: String,
    /// Any other values, seen as `extra.NAME` (`{{ extra.disk | default('?') }}`).
    pub extra: BTreeMap<String, Json>,
}

impl MessageVars {
    /// An incident message about `path` at `level`, posted at `now`; the previous level is
    /// operational, the problem began `now`, the time zone is UTC.
    pub fn incident(path: impl Into<String>, level: Level, now: Timestamp) -> Self {
        Self {
            path: path.into(),
            dependants: Vec::new(),
            level,
            previous_level: Level::Operational,
            started: None,
            recovered: None,
            now,
            time_zone: TimeZone::UTC,
            window: None,
            components: Vec::new(),
            impact: String::new(),
            alerts: Vec::new(),
            summaries: Vec::new(),
            links: BTreeMap::new(),
            marker: String::new(),
            extra: BTreeMap::new(),
        }
    }

    /// A maintenance message about `components` (name paths) for the window `start`..`end`,
    /// posted at `now`.
    pub fn maintenance<S: Into<String>>(
        components: impl IntoIterator<Item = S>,
        start: Timestamp,
        end: Timestamp,
        now: Timestamp,
    ) -> Self {
        let components: Vec<String> = components.into_iter().map(Into::into).collect();
        let mut vars = Self::incident(
            components.first().cloned().unwrap_or_default(),
            Level::Operational,
            now,
        );
        vars.components = components;
        vars.window = Some((start, end));
        vars
    }

    /// The values every template is test-rendered with when a catalog is built (with
    /// variations: see [`MessageVars::samples`]).
    pub fn sample() -> Self {
        let at = |s: &str| s.parse::<Timestamp>().unwrap_or(Timestamp::UNIX_EPOCH);
        Self::incident(
            "Group/Component",
            Level::MajorOutage,
            at("2026-01-01T00:30:00Z"),
        )
        .previous_level(Level::PartialOutage)
        .started(at("2026-01-01T00:00:00Z"))
        .summary("Component is not responding")
        .link("grafana", "https://grafana.example/d/component")
        .link("runbook", "https://runbook.example/component")
        .with_window(at("2026-01-02T10:00:00Z"), at("2026-01-02T11:00:00Z"))
        .components(["Group/Component"])
        .impact("Impact:\n- Component: under maintenance")
        .marker("(Posted by status automation.)")
    }

    /// [`MessageVars::sample`] and variations (dependants, a recovery, a de-escalation, a
    /// maintenance of several components, another time zone), so the branches of a template
    /// are rendered too.
    pub fn samples() -> Vec<Self> {
        let base = Self::sample();
        let mut recovered = base.clone().previous_level(Level::MajorOutage);
        recovered.level = Level::Operational;
        let mut better = base.clone().previous_level(Level::MajorOutage);
        better.level = Level::Degraded;
        vec![
            base.clone(),
            base.clone()
                .dependants(["Group/Dependant A", "Group/Dependant B"]),
            recovered.recovered(base.now),
            better.time_zone(TimeZone::fixed(jiff::tz::offset(2))),
            base.components(["Group/Component", "Group/Other", "Other Group/Third"]),
        ]
    }

    /// The built-in incident type of this message: the level's (`major_outage`...), or for a
    /// recovered one the level it recovered from; `default` when both are operational.
    pub fn incident_type(&self) -> &'static str {
        let level = match self.level {
            Level::Operational => self.previous_level,
            level => level,
        };
        match level {
            Level::Operational => super::DEFAULT_TYPE,
            Level::Degraded => "degraded_performance",
            Level::PartialOutage => "partial_outage",
            Level::MajorOutage => "major_outage",
        }
    }

    /// Sets `previous_level`.
    pub fn previous_level(mut self, level: Level) -> Self {
        self.previous_level = level;
        self
    }

    /// Sets when the problem began.
    pub fn started(mut self, at: Timestamp) -> Self {
        self.started = Some(at);
        self
    }

    /// Sets when it recovered.
    pub fn recovered(mut self, at: Timestamp) -> Self {
        self.recovered = Some(at);
        self
    }

    /// Sets the page's time zone.
    pub fn time_zone(mut self, tz: TimeZone) -> Self {
        self.time_zone = tz;
        self
    }

    /// Sets the components affected through `path` (name paths).
    pub fn dependants<S: Into<String>>(mut self, paths: impl IntoIterator<Item = S>) -> Self {
        self.dependants = paths.into_iter().map(Into::into).collect();
        self
    }

    /// Sets a maintenance's window.
    pub fn with_window(mut self, start: Timestamp, end: Timestamp) -> Self {
        self.window = Some((start, end));
        self
    }

    /// Sets the maintained components (name paths).
    pub fn components<S: Into<String>>(mut self, paths: impl IntoIterator<Item = S>) -> Self {
        self.components = paths.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the impact statement.
    pub fn impact(mut self, text: impl Into<String>) -> Self {
        self.impact = text.into();
        self
    }

    /// Adds a firing alert (`{labels, annotations, starts_at}`).
    pub fn alert(mut self, alert: Json) -> Self {
        self.alerts.push(alert);
        self
    }

    /// Adds an alert summary.
    pub fn summary(mut self, text: impl Into<String>) -> Self {
        self.summaries.push(text.into());
        self
    }

    /// Adds a link.
    pub fn link(mut self, name: impl Into<String>, url: impl Into<String>) -> Self {
        self.links.insert(name.into(), url.into());
        self
    }

    /// Sets the marker.
    pub fn marker(mut self, text: impl Into<String>) -> Self {
        self.marker = text.into();
        self
    }

    /// Adds an extra value, seen as `extra.NAME`.
    pub fn extra(mut self, name: impl Into<String>, value: impl Into<Json>) -> Self {
        self.extra.insert(name.into(), value.into());
        self
    }

    /// The variables a template sees for `stage` (see the [module docs](super)).
    pub(super) fn context(&self, stage: &str) -> Value {
        let tz = &self.time_zone;
        let now = self.now;
        let started = self.started.unwrap_or(now);
        let recovered = self.recovered.unwrap_or(now);
        let time = |at: Timestamp| clock(at, now, tz);
        let name = display_name(&self.path).to_owned();
        let dependants: Vec<&str> = self.dependants.iter().map(|p| display_name(p)).collect();
        // A maintenance names its components (none: the whole page); an incident, by default,
        // its root and dependants.
        let components: Vec<&str> = if self.components.is_empty() && self.window.is_none() {
            std::iter::once(name.as_str())
                .chain(dependants.iter().copied())
                .collect()
        } else {
            self.components.iter().map(|p| display_name(p)).collect()
        };
        let (start, end) = self.window.unwrap_or((now, now));
        let mut extra = BTreeMap::new();
        for (k, v) in &self.extra {
            extra.insert(k.as_str(), v);
        }
        minijinja::context! {
            stage => stage,
            name => &name,
            component => &name,
            path => &self.path,
            dependants => dependants,
            components => components,
            level => self.level.words(),
            previous_level => self.previous_level.words(),
            state => state_words(self.level),
            previous_state => state_words(self.previous_level),
            escalated => self.level > self.previous_level,
            deescalated => self.level < self.previous_level,
            status => self.level.status().as_str(),
            started => time(started),
            started_at => started.to_string(),
            recovered => time(recovered),
            recovered_at => recovered.to_string(),
            now => time(now),
            now_at => now.to_string(),
            duration => duration_words(recovered.duration_since(started).as_secs()),
            period => period(started, recovered, now, tz, false),
            start => time(start),
            start_at => start.to_string(),
            end => time(end),
            end_at => end.to_string(),
            window => period(start, end, now, tz, true),
            window_length => duration_words(end.duration_since(start).as_secs()),
            impact => &self.impact,
            time_zone => Value::from_object(PageTimeZone(tz.clone())),
            alerts => &self.alerts,
            summaries => &self.summaries,
            links => &self.links,
            marker => &self.marker,
            extra => extra,
        }
    }
}
