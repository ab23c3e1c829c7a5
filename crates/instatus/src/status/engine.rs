//! The validated configuration ([`Engine`]), the carried [`State`], and [`Engine::evaluate`].

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::config::{Config, RuleConfig};
use super::flap::FlapState;
use super::graph::{DependencyGraph, Impact};
use super::hold::Held;
use super::incident::{self, Decision, Phase};
use super::matcher::{all_match, Matcher};
use super::observe::{Alert, AlertDelivery, CurrentPage, Observations};
use super::plan::{Action, IncidentStep, Note, NoteKind, Plan};
use super::{threshold, Level};
use crate::model::{
    ComponentId, ComponentStatus, ComponentTree, MaintenanceStatus, PATH_SEPARATOR,
};

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

/// A validated configuration, ready to evaluate.
#[derive(Debug)]
pub struct Engine {
    config: Config,
    /// `requires` / `optional` between the components, and their order.
    graph: DependencyGraph,
    /// Alert rules: (component, rule index, matchers).
    alert_rules: Vec<(usize, usize, Vec<Matcher>)>,
    /// label name → label value → alert rules with that `=` matcher.
    alert_index: HashMap<String, HashMap<String, Vec<usize>>>,
    /// Alert rules without an `=` matcher: checked against every alert.
    unindexed: Vec<usize>,
    heartbeat: Option<(Vec<Matcher>, u64)>,
    templates: minijinja::Environment<'static>,
}

/// What the engine carries from one evaluation to the next: hold timers, flap history and the
/// alerts it has heard of. Losing it is safe: levels restart from the page's statuses, incidents
/// are recognised from the page, and alerts come back with the next delivery or a read of
/// Alertmanager's `/api/v2/alerts`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// Per component name path.
    pub components: BTreeMap<String, ComponentState>,
    /// Alerts by `fingerprint@startsAt`.
    pub alerts: BTreeMap<String, AlertRecord>,
    /// When the heartbeat alert was last seen firing.
    pub heartbeat_seen: Option<Timestamp>,
}

/// One component's carried state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ComponentState {
    /// Each rule's held level and timers, in rule order.
    pub rules: Vec<Held>,
    /// Flap history.
    pub flap: FlapState,
}

/// One alert episode, keyed by (fingerprint, startsAt).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertRecord {
    /// The alert as last delivered.
    pub alert: Alert,
    /// Whether it still fires. Once resolved, an episode stays resolved: a late duplicate of its
    /// firing cannot revive it (a new episode has a new `startsAt`).
    pub firing: bool,
    /// Last delivery that mentioned it.
    pub last_seen: Timestamp,
}

impl Engine {
    /// Validates the configuration: unique name paths, thresholds ordered and on the right side,
    /// matchers that parse, dependencies that exist and have no cycle, templates that compile.
    pub fn new(config: Config) -> Result<Engine, ConfigError> {
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (i, c) in config.components.iter().enumerate() {
            check_path(&c.path).map_err(|m| err(format!("components[{i}].path"), m))?;
            if index.insert(c.path.as_str(), i).is_some() {
                return Err(err(
                    format!("components[{i}].path"),
                    format!("{:?} is configured twice", c.path),
                ));
            }
        }
        let graph = DependencyGraph::from_config(&config)?;
        let mut alert_rules = Vec::new();
        for (i, c) in config.components.iter().enumerate() {
            for (j, rule) in c.rules.iter().enumerate() {
                let at = format!("components[{i}].rules[{j}]");
                match rule {
                    RuleConfig::Threshold(t) => threshold::validate(t)
                        .map_err(|(f, m)| err(format!("{at}.threshold.{f}"), m))?,
                    RuleConfig::Alert(a) => {
                        if a.level == Level::Operational {
                            return Err(err(
                                format!("{at}.alert.level"),
                                "allowed values: degraded, partial_outage, major_outage",
                            ));
                        }
                        let matchers =
                            parse_matchers(&a.matchers, &format!("{at}.alert.matchers"))?;
                        alert_rules.push((i, j, matchers));
                    }
                }
            }
        }
        let mut alert_index: HashMap<String, HashMap<String, Vec<usize>>> = HashMap::new();
        let mut unindexed = Vec::new();
        for (k, (_, _, matchers)) in alert_rules.iter().enumerate() {
            // Prefer `alertname`, the most selective label in practice.
            let key = matchers
                .iter()
                .filter(|m| m.equality().is_some())
                .max_by_key(|m| m.name == "alertname");
            match key {
                Some(m) => alert_index
                    .entry(m.name.clone())
                    .or_default()
                    .entry(m.equality().unwrap_or_default().to_owned())
                    .or_default()
                    .push(k),
                None => unindexed.push(k),
            }
        }
        let mut groups = HashSet::new();
        for (i, g) in config.groups.iter().enumerate() {
            check_path(&g.path).map_err(|m| err(format!("groups[{i}].path"), m))?;
            if index.contains_key(g.path.as_str()) || !groups.insert(g.path.as_str()) {
                return Err(err(
                    format!("groups[{i}].path"),
                    format!("{:?} is configured twice (as a component or group)", g.path),
                ));
            }
        }
        let f = &config.flapping;
        if f.window < 3 || f.window > 1000 {
            return Err(err(
                "flapping.window",
                format!("{} is out of range; allowed: 3 to 1000", f.window),
            ));
        }
        if !(0.0..=100.0).contains(&f.low) || !(0.0..=100.0).contains(&f.high) || f.low >= f.high {
            return Err(err(
                "flapping",
                format!(
                    "need 0 <= low < high <= 100 (percent), got low {} and high {}",
                    f.low, f.high
                ),
            ));
        }
        let p = &config.incidents;
        if p.open_at == Level::Operational {
            return Err(err(
                "incidents.open_at",
                "allowed values: degraded, partial_outage, major_outage",
            ));
        }
        if p.marker.trim().is_empty() {
            return Err(err(
                "incidents.marker",
                "must not be empty: it is how automation recognises its incidents",
            ));
        }
        let heartbeat = match &config.freshness.heartbeat {
            Some(h) => Some((
                parse_matchers(&h.matchers, "freshness.heartbeat.matchers")?,
                h.max_silence_secs,
            )),
            None => None,
        };
        let templates = compile_templates(&config)?;
        Ok(Engine {
            config,
            graph,
            alert_rules,
            alert_index,
            unindexed,
            heartbeat,
            templates,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The dependency graph the evaluation propagates outages along.
    pub fn graph(&self) -> &DependencyGraph {
        &self.graph
    }

    /// The components impacted while the `maintained` ones are under maintenance, through this
    /// configuration's dependencies (see [`DependencyGraph::impact`]).
    pub fn impact<S: AsRef<str>>(&self, maintained: &[S]) -> Impact {
        self.graph.impact(maintained)
    }

    /// Every PromQL query the threshold rules need, once each.
    pub fn queries(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for c in &self.config.components {
            for r in &c.rules {
                if let RuleConfig::Threshold(t) = r {
                    if !out.contains(&t.query.as_str()) {
                        out.push(&t.query);
                    }
                }
            }
        }
        out
    }

    /// One evaluation: (observations, the page as read, the carried state, now) → (plan, new
    /// state). Pure: no I/O, no clock. Apply the plan, then keep the new state (or lose it: the
    /// next evaluation rebuilds what matters from the page).
    pub fn evaluate(
        &self,
        observations: &Observations,
        page: &CurrentPage,
        mut state: State,
        now: Timestamp,
    ) -> (Plan, State) {
        let mut plan = Plan::default();
        for delivery in &observations.alerts {
            self.ingest(&mut state, delivery);
        }
        self.prune(&mut state, now);
        let alerts_known = self.alerts_known(&state, now);
        let hits = self.alert_hits(&state, now);

        let tree = ComponentTree::from_components(page.components.iter().cloned());
        let mut by_path: HashMap<String, Vec<usize>> = HashMap::new();
        for i in tree.walk() {
            by_path.entry(tree.path(i)).or_default().push(i);
        }
        let owners = Owners::read(page, &self.config.incidents.marker);

        let n = self.config.components.len();
        let mut levels = vec![Level::Operational; n];
        let mut flapping = vec![false; n];
        let mut own = vec![Level::Operational; n];
        let mut raised_by = vec![None; n];
        let mut alert_rule_of: HashMap<(usize, usize), usize> = HashMap::new();
        for (k, (c, j, _)) in self.alert_rules.iter().enumerate() {
            alert_rule_of.insert((*c, *j), k);
        }
        for &i in self.graph.order() {
            let c = &self.config.components[i];
            let page_level = lookup(&by_path, &c.path)
                .map(|t| Level::from_status(&tree.node(t).component.status))
                .unwrap_or(Level::Operational);
            let cs = state.components.entry(c.path.clone()).or_default();
            if cs.rules.len() != c.rules.len() {
                // New or changed rules: start each at the page's level (capped at what the rule
                // can reach), so a restart never lowers a level before the exit hold.
                cs.rules = c
                    .rules
                    .iter()
                    .map(|r| Held::at(page_level.min(rule_max(r))))
                    .collect();
            }
            let mut unknown = Vec::new();
            let mut fresh_worst = Some(Level::Operational);
            for (j, rule) in c.rules.iter().enumerate() {
                let held = &mut cs.rules[j];
                let (reading, enter, exit) = match rule {
                    RuleConfig::Threshold(t) => (
                        threshold::read(
                            t,
                            observations.queries.get(&t.query),
                            held.level,
                            now,
                            self.config.freshness.max_sample_age_secs,
                        ),
                        t.enter_for_secs,
                        t.exit_for_secs,
                    ),
                    RuleConfig::Alert(a) => {
                        let k = alert_rule_of[&(i, j)];
                        let reading = match &alerts_known {
                            Ok(()) if hits[k] => Ok(a.level),
                            Ok(()) => Ok(Level::Operational),
                            Err(why) => Err(why.clone()),
                        };
                        (reading, a.enter_for_secs, a.exit_for_secs)
                    }
                };
                match &reading {
                    Ok(l) => fresh_worst = fresh_worst.map(|w| w.max(*l)),
                    Err(why) => {
                        fresh_worst = None;
                        unknown.push(format!("rule {j}: {why}"));
                    }
                }
                held.step(reading.ok(), now, enter, exit);
            }
            let f = &self.config.flapping;
            if let Some(reading) = fresh_worst.filter(|_| !c.rules.is_empty()) {
                cs.flap.record(reading, f.window, f.high, f.low);
            }
            let mut level = cs
                .rules
                .iter()
                .map(|h| h.level)
                .max()
                .unwrap_or(Level::Operational);
            if let Some(pin) = cs.flap.pinned {
                flapping[i] = true;
                if pin > level {
                    level = pin;
                }
                plan.notes.push(Note {
                    path: c.path.clone(),
                    kind: NoteKind::Flapping,
                    message: format!(
                        "flapping ({:.0}% state changes): held at {}",
                        super::flap::change_percent(&cs.flap.history, f.window),
                        level
                    ),
                });
            }
            if !unknown.is_empty() {
                plan.notes.push(Note {
                    path: c.path.clone(),
                    kind: NoteKind::Unknown,
                    message: format!("unknown, last level kept: {}", unknown.join("; ")),
                });
            }
            for (j, h) in cs.rules.iter().enumerate() {
                if let Some(since) = h.worse_since.or(h.better_since) {
                    plan.notes.push(Note {
                        path: c.path.clone(),
                        kind: NoteKind::Waiting,
                        message: format!(
                            "rule {j} at {}: a {} reading since {since} waits for its hold",
                            h.level,
                            if h.worse_since.is_some() {
                                "worse"
                            } else {
                                "better"
                            }
                        ),
                    });
                }
            }
            own[i] = level;
            let (level, by) = self.graph.propagate(i, level, &levels);
            raised_by[i] = by;
            levels[i] = level;
        }

        for (i, c) in self.config.components.iter().enumerate() {
            let Some(t) = lookup_noted(&by_path, &c.path, &mut plan) else {
                continue;
            };
            let component = &tree.node(t).component;
            let level = levels[i];
            let blocked = owners.blocked(&component.id, &component.status);
            self.write_status(
                &mut plan,
                &c.path,
                &component.id,
                &component.status,
                level,
                blocked.clone(),
                || {
                    let mut why = format!("rules at {}", own[i]);
                    if let Some((d, kind)) = raised_by[i].filter(|_| level > own[i]) {
                        why.push_str(&format!(
                            ", raised to {level} by {} {:?}",
                            kind.as_str(),
                            self.graph.path(d)
                        ));
                    }
                    if flapping[i] {
                        why.push_str(", held while flapping");
                    }
                    why
                },
            );
            if self.config.incidents.enabled {
                self.incident(
                    &mut plan,
                    page,
                    &state,
                    &c.path,
                    i,
                    &component.id,
                    level,
                    flapping[i],
                    blocked,
                    now,
                );
            }
        }

        self.groups(&mut plan, &tree, &by_path, &levels, &owners);
        (plan, state)
    }

    #[allow(clippy::too_many_arguments)]
    fn write_status(
        &self,
        plan: &mut Plan,
        path: &str,
        id: &ComponentId,
        current: &ComponentStatus,
        level: Level,
        blocked: Option<(NoteKind, String)>,
        reason: impl FnOnce() -> String,
    ) {
        let target = level.status();
        if &target == current {
            return;
        }
        if let Some((kind, why)) = blocked {
            plan.notes.push(Note {
                path: path.to_owned(),
                kind,
                message: format!("status not written ({target} wanted): {why}"),
            });
            return;
        }
        plan.actions.push(Action::SetStatus {
            component: id.clone(),
            path: path.to_owned(),
            from: current.clone(),
            to: target,
            reason: reason(),
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn incident(
        &self,
        plan: &mut Plan,
        page: &CurrentPage,
        state: &State,
        path: &str,
        i: usize,
        id: &ComponentId,
        level: Level,
        flapping: bool,
        blocked: Option<(NoteKind, String)>,
        now: Timestamp,
    ) {
        let policy = &self.config.incidents;
        let (phase, duplicates) = incident::phase(&page.incidents, id, policy, now);
        let keep = match phase {
            Phase::Open { incident, .. } | Phase::Monitoring { incident, .. } => Some(incident),
            Phase::Closed { .. } => None,
        };
        for dup in duplicates {
            if let Some(keep) = keep {
                plan.actions.push(Action::CloseDuplicate {
                    incident: dup.id.clone(),
                    duplicate_of: keep.id.clone(),
                    path: path.to_owned(),
                    message: format!(
                        "Closed automatically: a duplicate of incident {} about {path}.\n\n{}",
                        keep.id, policy.marker
                    ),
                });
            }
        }
        let previous = match phase {
            Phase::Open { posted, .. } => posted,
            Phase::Monitoring { incident, .. }
            | Phase::Closed {
                recent: Some(incident),
            } => incident
                .components
                .first()
                .and_then(|c| c.status.as_ref())
                .map(Level::from_status)
                .unwrap_or(Level::Operational),
            Phase::Closed { recent: None } => Level::Operational,
        };
        let decision = incident::decide(phase, level, policy, flapping, blocked, now);
        let render = |name: &str| self.render(name, state, i, level, previous, now, now);
        match decision {
            Decision::Nothing => {}
            Decision::Hold(kind, message) => plan.notes.push(Note {
                path: path.to_owned(),
                kind,
                message,
            }),
            Decision::Open => {
                let started = self
                    .matched_alerts(state, i, now)
                    .iter()
                    .map(|a| a.starts_at)
                    .min()
                    .unwrap_or(now)
                    .min(now);
                let name = self.render("title", state, i, level, previous, started, now);
                let message = self.render("opened", state, i, level, previous, started, now);
                plan.actions.push(Action::OpenIncident {
                    path: path.to_owned(),
                    component: id.clone(),
                    status: level.status(),
                    name,
                    message: format!("{message}\n\n{}", policy.marker),
                    started,
                    notify: policy.notify,
                });
            }
            Decision::Update(incident, step) => {
                let template = match step {
                    IncidentStep::LevelChanged => "updated",
                    IncidentStep::Monitoring => "monitoring",
                    IncidentStep::Relapsed | IncidentStep::Reopened => "reopened",
                    IncidentStep::Resolved => "resolved",
                };
                let message = render(template);
                plan.actions.push(Action::UpdateIncident {
                    incident: incident.id.clone(),
                    path: path.to_owned(),
                    component: id.clone(),
                    incident_status: incident::step_status(step),
                    status: level.status(),
                    message: format!("{message}\n\n{}", policy.marker),
                    step,
                    notify: policy.notify,
                });
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn render(
        &self,
        name: &str,
        state: &State,
        i: usize,
        level: Level,
        previous: Level,
        started: Timestamp,
        now: Timestamp,
    ) -> String {
        let c = &self.config.components[i];
        let alerts = self.matched_alerts(state, i, now);
        let mut links = c.links.clone();
        for a in &alerts {
            for (key, link) in [("runbook_url", "runbook"), ("dashboard", "grafana")] {
                if let Some(url) = a.annotations.get(key) {
                    links.entry(link.to_owned()).or_insert_with(|| url.clone());
                }
            }
        }
        let ctx = serde_json::json!({
            "component": c.path,
            "name": c.path.rsplit(PATH_SEPARATOR).next().unwrap_or(&c.path),
            "level": level.words(),
            "previous_level": previous.words(),
            "status": level.status().as_str(),
            "started": started.to_string(),
            "alerts": alerts.iter().map(|a| serde_json::json!({
                "labels": a.labels, "annotations": a.annotations, "starts_at": a.starts_at.to_string(),
            })).collect::<Vec<_>>(),
            "summaries": alerts.iter().filter_map(|a| a.annotations.get("summary")).collect::<Vec<_>>(),
            "links": links,
            "marker": self.config.incidents.marker,
        });
        match self
            .templates
            .get_template(name)
            .and_then(|t| t.render(&ctx))
        {
            Ok(text) => text,
            // Templates were test-rendered at validation; a failure here (an annotation that
            // breaks a filter, say) must not stop the status write: say what happened.
            Err(e) => format!(
                "{} is at {} (message template `{name}` failed: {e})",
                c.path,
                level.words()
            ),
        }
    }

    /// Firing alerts that match the component's alert rules (for templates).
    fn matched_alerts<'s>(&self, state: &'s State, i: usize, now: Timestamp) -> Vec<&'s Alert> {
        let rules: Vec<&Vec<Matcher>> = self
            .alert_rules
            .iter()
            .filter(|(c, _, _)| *c == i)
            .map(|(_, _, m)| m)
            .collect();
        if rules.is_empty() {
            return Vec::new();
        }
        state
            .alerts
            .values()
            .filter(|r| active(r, now))
            .map(|r| &r.alert)
            .filter(|a| rules.iter().any(|m| all_match(m, &a.labels)))
            .collect()
    }

    fn groups(
        &self,
        plan: &mut Plan,
        tree: &ComponentTree,
        by_path: &HashMap<String, Vec<usize>>,
        levels: &[Level],
        owners: &Owners,
    ) {
        let mut known: HashMap<usize, Level> = HashMap::new();
        for (i, c) in self.config.components.iter().enumerate() {
            if let Some(t) = lookup(by_path, &c.path) {
                known.insert(t, levels[i]);
            }
        }
        // Deepest groups first, so a group of groups sees its children's new levels.
        let mut groups: Vec<(usize, &super::config::GroupConfig)> = Vec::new();
        for g in &self.config.groups {
            if let Some(t) = lookup_noted(by_path, &g.path, plan) {
                groups.push((t, g));
            }
        }
        groups.sort_by_key(|(_, g)| std::cmp::Reverse(g.path.matches(PATH_SEPARATOR).count()));
        for (t, g) in groups {
            let node = tree.node(t);
            let mut children: Vec<Level> = node
                .children
                .iter()
                .map(|&ch| {
                    known
                        .get(&ch)
                        .copied()
                        .unwrap_or_else(|| Level::from_status(&tree.node(ch).component.status))
                })
                .collect();
            let n = children.len();
            let Some(level) = g.rule.combine(&mut children) else {
                continue;
            };
            known.insert(t, level);
            let component = &node.component;
            let blocked = owners.blocked(&component.id, &component.status);
            self.write_status(
                plan,
                &g.path,
                &component.id,
                &component.status,
                level,
                blocked,
                || format!("group rule {:?} over {n} children", g.rule),
            );
        }
    }

    fn ingest(&self, state: &mut State, delivery: &AlertDelivery) {
        let mut listed = HashSet::new();
        for alert in &delivery.alerts {
            let key = format!("{}@{}", alert.fingerprint, alert.starts_at);
            if let Some((matchers, _)) = &self.heartbeat {
                if alert.firing && all_match(matchers, &alert.labels) {
                    state.heartbeat_seen = state.heartbeat_seen.max(Some(delivery.received_at));
                }
            }
            match state.alerts.get_mut(&key) {
                Some(record) => {
                    // Resolved is final for an episode; the newest delivery's details win.
                    record.firing &= alert.firing;
                    if delivery.received_at >= record.last_seen {
                        record.last_seen = delivery.received_at;
                        record.alert = alert.clone();
                    }
                }
                None => {
                    state.alerts.insert(
                        key.clone(),
                        AlertRecord {
                            alert: alert.clone(),
                            firing: alert.firing,
                            last_seen: delivery.received_at,
                        },
                    );
                }
            }
            listed.insert(key);
        }
        if delivery.complete {
            for (key, record) in state.alerts.iter_mut() {
                if record.firing
                    && !listed.contains(key)
                    && record.last_seen <= delivery.received_at
                {
                    record.firing = false;
                    record.last_seen = delivery.received_at;
                }
            }
        }
    }

    fn prune(&self, state: &mut State, now: Timestamp) {
        let keep_after = now.as_second() - self.config.freshness.alert_retention_secs as i64;
        state.alerts.retain(|_, r| {
            let ended = !r.firing || r.alert.ends_at.is_some_and(|e| e <= now);
            !ended || r.last_seen.as_second() >= keep_after
        });
    }

    fn alerts_known(&self, state: &State, now: Timestamp) -> Result<(), String> {
        let Some((_, max_silence)) = &self.heartbeat else {
            return Ok(());
        };
        match state.heartbeat_seen {
            Some(seen) if now.as_second() - seen.as_second() <= *max_silence as i64 => Ok(()),
            Some(seen) => Err(format!(
                "the heartbeat alert was last seen at {seen}, more than {max_silence} s ago"
            )),
            None => Err("the heartbeat alert has not been seen yet".to_owned()),
        }
    }

    /// Which alert rules have a firing alert.
    fn alert_hits(&self, state: &State, now: Timestamp) -> Vec<bool> {
        let mut hits = vec![false; self.alert_rules.len()];
        for record in state.alerts.values() {
            if !active(record, now) {
                continue;
            }
            let labels = &record.alert.labels;
            for (name, value) in labels {
                let Some(candidates) = self
                    .alert_index
                    .get(name.as_str())
                    .and_then(|v| v.get(value.as_str()))
                else {
                    continue;
                };
                for &k in candidates {
                    if !hits[k] && all_match(&self.alert_rules[k].2, labels) {
                        hits[k] = true;
                    }
                }
            }
            for &k in &self.unindexed {
                if !hits[k] && all_match(&self.alert_rules[k].2, labels) {
                    hits[k] = true;
                }
            }
        }
        hits
    }
}

/// Whether an alert episode counts as firing at `now` (an `endsAt` in the past has expired:
/// Alertmanager's own rule for alerts whose resolve never arrived).
fn active(record: &AlertRecord, now: Timestamp) -> bool {
    record.firing && record.alert.ends_at.is_none_or(|e| e > now)
}

fn rule_max(rule: &RuleConfig) -> Level {
    match rule {
        RuleConfig::Threshold(t) => t
            .levels
            .iter()
            .map(|l| l.level)
            .max()
            .unwrap_or(Level::Operational),
        RuleConfig::Alert(a) => a.level,
    }
}

fn check_path(path: &str) -> Result<(), String> {
    if path.split(PATH_SEPARATOR).any(|s| s.trim().is_empty()) {
        return Err(format!(
            "{path:?} is not a name path: `Group{PATH_SEPARATOR}Component` or `Component`, no empty part"
        ));
    }
    Ok(())
}

fn parse_matchers(list: &[String], at: &str) -> Result<Vec<Matcher>, ConfigError> {
    if list.is_empty() {
        return Err(err(
            at,
            "needs at least one matcher, e.g. alertname=\"GethDown\"",
        ));
    }
    list.iter()
        .enumerate()
        .map(|(k, m)| Matcher::parse(m).map_err(|e| err(format!("{at}[{k}]"), e)))
        .collect()
}

fn lookup(by_path: &HashMap<String, Vec<usize>>, path: &str) -> Option<usize> {
    match by_path.get(path).map(Vec::as_slice) {
        Some([one]) => Some(*one),
        _ => None,
    }
}

fn lookup_noted(
    by_path: &HashMap<String, Vec<usize>>,
    path: &str,
    plan: &mut Plan,
) -> Option<usize> {
    match by_path.get(path).map(Vec::as_slice) {
        Some([one]) => Some(*one),
        found => {
            plan.notes.push(Note {
                path: path.to_owned(),
                kind: NoteKind::NotOnPage,
                message: match found {
                    Some(many) => format!(
                        "{} components have this name path; none is written",
                        many.len()
                    ),
                    None => "no component with this name path on the page".to_owned(),
                },
            });
            None
        }
    }
}

fn compile_templates(config: &Config) -> Result<minijinja::Environment<'static>, ConfigError> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    let t = &config.incidents.templates;
    let sample = serde_json::json!({
        "component": "Group/Component", "name": "Component", "level": "major outage",
        "previous_level": "operational", "status": "MAJOROUTAGE", "started": "2026-01-01T00:00:00Z",
        "alerts": [], "summaries": [], "links": {}, "marker": config.incidents.marker,
    });
    for (name, source) in [
        ("title", &t.title),
        ("opened", &t.opened),
        ("updated", &t.updated),
        ("monitoring", &t.monitoring),
        ("resolved", &t.resolved),
        ("reopened", &t.reopened),
    ] {
        let at = format!("incidents.templates.{name}");
        env.add_template_owned(name.to_owned(), source.clone())
            .map_err(|e| err(&at, format!("does not compile: {e}")))?;
        env.get_template(name)
            .and_then(|tpl| tpl.render(&sample))
            .map_err(|e| err(&at, format!("does not render (variables: component, name, level, previous_level, status, started, alerts, summaries, links, marker): {e}")))?;
    }
    Ok(env)
}

/// Who owns which component this evaluation: maintenances in progress and people's incidents.
struct Owners {
    maintenance: HashMap<ComponentId, String>,
    human: HashMap<ComponentId, String>,
}

impl Owners {
    fn read(page: &CurrentPage, marker: &str) -> Owners {
        let mut maintenance = HashMap::new();
        for m in &page.maintenances {
            if m.status == MaintenanceStatus::InProgress {
                for c in &m.components {
                    maintenance.insert(
                        c.id.clone(),
                        format!(
                            "maintenance {:?} ({}) is in progress",
                            m.name.as_str(),
                            m.id
                        ),
                    );
                }
            }
        }
        let mut human = HashMap::new();
        for inc in &page.incidents {
            if inc.is_open() && !incident::is_automation(inc, marker) {
                for c in &inc.components {
                    human.insert(
                        c.id.clone(),
                        format!(
                            "incident {:?} ({}) opened by a person is open",
                            inc.name.as_str(),
                            inc.id
                        ),
                    );
                }
            }
        }
        Owners { maintenance, human }
    }

    /// Maintenance first, then a person's incident (the precedence order).
    fn blocked(&self, id: &ComponentId, status: &ComponentStatus) -> Option<(NoteKind, String)> {
        if let Some(why) = self.maintenance.get(id) {
            return Some((NoteKind::Maintenance, why.clone()));
        }
        if *status == ComponentStatus::UnderMaintenance {
            return Some((
                NoteKind::Maintenance,
                "the component is under maintenance on the page".to_owned(),
            ));
        }
        self.human
            .get(id)
            .map(|why| (NoteKind::HumanIncident, why.clone()))
    }
}
