//! The validated configuration ([`Engine`]), the carried [`State`], and [`Engine::evaluate`].

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::config::{Config, RuleConfig};
use super::flap::FlapState;
use super::graph::{DependencyGraph, Impact};
use super::hold::Held;
use super::incident::{self, Decision, Phase};
use super::manual::StatusRecord;
use super::matcher::{all_compiled, Compiled, Matcher};
use super::observe::{Alert, AlertDelivery, CurrentPage, Observations};
use super::page_index::{Found, PageIndex};
use super::plan::{Action, IncidentStep, Note, NoteKind, Plan};
use super::{threshold, Level};
use crate::model::{ComponentId, ComponentStatus, Incident, MaintenanceStatus, PATH_SEPARATOR};

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
    /// Alert rules: (component, rule index, matchers prepared for the hot loop).
    alert_rules: Vec<(usize, usize, Vec<Compiled>)>,
    /// Per component, per rule: its index in `alert_rules` (threshold rules: unused).
    alert_rule_of: Vec<Vec<usize>>,
    /// Name path → slot: components `0..n`, then groups `n..n + groups`.
    slots: HashMap<String, usize>,
    /// Group indexes, deepest first (a group of groups sees its children's new levels).
    group_order: Vec<usize>,
    /// label name → label value → alert rules with that `=` matcher.
    alert_index: HashMap<String, HashMap<String, Vec<usize>>>,
    /// Alert rules without an `=` matcher: checked against every alert.
    unindexed: Vec<usize>,
    heartbeat: Option<(Vec<Compiled>, u64)>,
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
    /// Per name path (components and groups): the status automation set or accepted, to tell a
    /// person's edit on the page from its own (see [`StatusRecord`]).
    #[serde(default)]
    pub statuses: BTreeMap<String, StatusRecord>,
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
                        alert_rules.push((
                            i,
                            j,
                            matchers.iter().map(Compiled::new).collect::<Vec<_>>(),
                        ));
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
                .filter_map(Compiled::equality)
                .max_by_key(|(name, _)| *name == "alertname");
            match key {
                Some((name, value)) => alert_index
                    .entry(name.to_owned())
                    .or_default()
                    .entry(value.to_owned())
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
                parse_matchers(&h.matchers, "freshness.heartbeat.matchers")?
                    .iter()
                    .map(Compiled::new)
                    .collect(),
                h.max_silence_secs,
            )),
            None => None,
        };
        let templates = compile_templates(&config)?;
        let mut alert_rule_of: Vec<Vec<usize>> = config
            .components
            .iter()
            .map(|c| vec![usize::MAX; c.rules.len()])
            .collect();
        for (k, (c, j, _)) in alert_rules.iter().enumerate() {
            alert_rule_of[*c][*j] = k;
        }
        let n = config.components.len();
        let slots: HashMap<String, usize> = config
            .components
            .iter()
            .map(|c| c.path.clone())
            .chain(config.groups.iter().map(|g| g.path.clone()))
            .enumerate()
            .map(|(slot, path)| (path, slot))
            .collect();
        let _ = n;
        let mut group_order: Vec<usize> = (0..config.groups.len()).collect();
        group_order.sort_by_key(|&g| {
            std::cmp::Reverse(config.groups[g].path.matches(PATH_SEPARATOR).count())
        });
        Ok(Engine {
            config,
            graph,
            alert_rule_of,
            slots,
            group_order,
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
                if let Some(q) = threshold_query(r) {
                    if !out.contains(&q) {
                        out.push(q);
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

        let index = PageIndex::build(&page.components, &self.slots, self.slots.len());
        let owners = Owners::read(page, &self.config.incidents.marker);
        let candidates = IncidentCandidates::read(page, self.config.incidents.enabled);
        // The alerts each alert rule matches, for incident texts: found only if a text is
        // rendered this evaluation (a storm of openings stays one pass over the alerts).
        let matches: OnceCell<Vec<Vec<(usize, &Alert)>>> = OnceCell::new();

        let n = self.config.components.len();
        let mut levels = vec![Level::Operational; n];
        let mut flapping = vec![false; n];
        let mut own = vec![Level::Operational; n];
        let mut raised_by = vec![None; n];
        for &i in self.graph.order() {
            let c = &self.config.components[i];
            let page_level = match index.found(i) {
                Found::One(t) => Level::from_status(&index.component(t).status),
                _ => Level::Operational,
            };
            let cs = match state.components.get_mut(&c.path) {
                Some(cs) => cs,
                None => state.components.entry(c.path.clone()).or_default(),
            };
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
                            observations.queries.get(t.observation_key().as_ref()),
                            held.level,
                            now,
                            self.config.freshness.max_sample_age_secs,
                        ),
                        t.enter_for_secs,
                        t.exit_for_secs,
                    ),
                    RuleConfig::Alert(a) => {
                        let k = self.alert_rule_of[i][j];
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

        let mut node_level: Vec<Option<Level>> = vec![None; index.len()];
        for (i, c) in self.config.components.iter().enumerate() {
            let Some(t) = found_noted(index.found(i), &c.path, &mut plan) else {
                continue;
            };
            node_level[t] = Some(levels[i]);
            let component = index.component(t);
            let level = levels[i];
            let blocked = owners.blocked(&component.id, &component.status);
            let blocked = self.write_status(
                &mut plan,
                &mut state.statuses,
                now,
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
            if blocked.is_some() {
                // Not ours to write: its group follows what the page shows, not what
                // automation would have set.
                node_level[t] = None;
            }
            if self.config.incidents.enabled {
                self.incident(
                    &mut plan,
                    candidates.of(&component.id, page),
                    &state.alerts,
                    &matches,
                    &c.path,
                    i,
                    &component.id,
                    &component.status,
                    level,
                    flapping[i],
                    blocked,
                    now,
                );
            }
        }

        self.groups(
            &mut plan,
            &mut state.statuses,
            now,
            &index,
            &mut node_level,
            &owners,
        );
        let configured = self.config.components.len() + self.config.groups.len();
        if state.statuses.len() > configured {
            // Records of paths no longer configured would misjudge them if they came back.
            let known: HashSet<&str> = self
                .config
                .components
                .iter()
                .map(|c| c.path.as_str())
                .chain(self.config.groups.iter().map(|g| g.path.as_str()))
                .collect();
            state.statuses.retain(|p, _| known.contains(p.as_str()));
        }
        (plan, state)
    }

    /// Plans the status write of one component or group unless someone else owns it: a
    /// maintenance or a person's incident (`blocked`, from the page), or a person's own status
    /// edit (from the record of what automation set). Returns the owner that held it back, if any.
    #[allow(clippy::too_many_arguments)]
    fn write_status(
        &self,
        plan: &mut Plan,
        statuses: &mut BTreeMap<String, StatusRecord>,
        now: Timestamp,
        path: &str,
        id: &ComponentId,
        current: &ComponentStatus,
        level: Level,
        blocked: Option<(NoteKind, String)>,
        reason: impl FnOnce() -> String,
    ) -> Option<(NoteKind, String)> {
        let target = level.status();
        let record = match statuses.get_mut(path) {
            Some(r) => r,
            None => statuses
                .entry(path.to_owned())
                .or_insert_with(|| StatusRecord::adopt(current)),
        };
        // Precedence: maintenance, a person's incident, then a person's status edit.
        let blocked = match record.observe(current, &target, now) {
            Some(manual) => blocked.or(Some(manual)),
            None => blocked,
        };
        if &target == current {
            record.planned(None);
            return blocked;
        }
        if let Some((kind, why)) = &blocked {
            record.planned(None);
            plan.notes.push(Note {
                path: path.to_owned(),
                kind: *kind,
                message: format!("status not written ({target} wanted): {why}"),
            });
            return blocked;
        }
        record.planned(Some(&target));
        plan.actions.push(Action::SetStatus {
            component: id.clone(),
            path: path.to_owned(),
            from: current.clone(),
            to: target,
            reason: reason(),
        });
        None
    }

    #[allow(clippy::too_many_arguments)]
    fn incident<'s>(
        &'s self,
        plan: &mut Plan,
        incidents: &[Incident],
        alerts: &'s BTreeMap<String, AlertRecord>,
        matches: &OnceCell<Vec<Vec<(usize, &'s Alert)>>>,
        path: &str,
        i: usize,
        id: &ComponentId,
        current: &ComponentStatus,
        level: Level,
        flapping: bool,
        blocked: Option<(NoteKind, String)>,
        now: Timestamp,
    ) {
        let policy = &self.config.incidents;
        // An incident update carries a component status, which Instatus applies: while someone
        // else owns the component, it carries the page's status, so the update changes nothing.
        let component_status = if blocked.is_some() {
            current.clone()
        } else {
            level.status()
        };
        let (phase, duplicates) = incident::phase(incidents, id, policy, now);
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
        let matched = || self.matched_alerts(alerts, matches, i, now);
        let render = |name: &str| self.render(name, &matched(), i, level, previous, now, now);
        match decision {
            Decision::Nothing => {}
            Decision::Hold(kind, message) => plan.notes.push(Note {
                path: path.to_owned(),
                kind,
                message,
            }),
            Decision::Open => {
                let matched = matched();
                let started = matched
                    .iter()
                    .map(|a| a.starts_at)
                    .min()
                    .unwrap_or(now)
                    .min(now);
                let name = self.render("title", &matched, i, level, previous, started, now);
                let message = self.render("opened", &matched, i, level, previous, started, now);
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
                    status: component_status,
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
        alerts: &[&Alert],
        i: usize,
        level: Level,
        previous: Level,
        started: Timestamp,
        now: Timestamp,
    ) -> String {
        let c = &self.config.components[i];
        let _ = now;
        let mut links = c.links.clone();
        for a in alerts {
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

    /// Firing alerts that match the component's alert rules (for templates), in the order the
    /// state keeps them.
    fn matched_alerts<'s>(
        &'s self,
        alerts: &'s BTreeMap<String, AlertRecord>,
        matches: &OnceCell<Vec<Vec<(usize, &'s Alert)>>>,
        i: usize,
        now: Timestamp,
    ) -> Vec<&'s Alert> {
        let by_rule = matches.get_or_init(|| self.alert_matches(alerts, now));
        let mut out: Vec<(usize, &Alert)> = self.alert_rule_of[i]
            .iter()
            .filter(|&&k| k != usize::MAX)
            .flat_map(|&k| by_rule[k].iter().copied())
            .collect();
        out.sort_by_key(|(position, _)| *position);
        out.dedup_by_key(|(position, _)| *position);
        out.into_iter().map(|(_, a)| a).collect()
    }

    /// Every alert rule's firing alerts (with their position in the state), in one pass over the
    /// alerts through the index.
    fn alert_matches<'s>(
        &'s self,
        alerts: &'s BTreeMap<String, AlertRecord>,
        now: Timestamp,
    ) -> Vec<Vec<(usize, &'s Alert)>> {
        let mut by_rule: Vec<Vec<(usize, &Alert)>> = vec![Vec::new(); self.alert_rules.len()];
        for (position, record) in alerts.values().enumerate() {
            if !active(record, now) {
                continue;
            }
            let labels = &record.alert.labels;
            self.for_each_candidate(labels, |k| {
                if all_compiled(&self.alert_rules[k].2, labels) {
                    by_rule[k].push((position, &record.alert));
                }
            });
        }
        by_rule
    }

    #[allow(clippy::too_many_arguments)]
    fn groups(
        &self,
        plan: &mut Plan,
        statuses: &mut BTreeMap<String, StatusRecord>,
        now: Timestamp,
        index: &PageIndex<'_>,
        node_level: &mut [Option<Level>],
        owners: &Owners,
    ) {
        let n = self.config.components.len();
        // Notes in configuration order; then deepest groups first, so a group of groups sees
        // its children's new levels.
        let found: Vec<Option<usize>> = self
            .config
            .groups
            .iter()
            .enumerate()
            .map(|(g, group)| found_noted(index.found(n + g), &group.path, plan))
            .collect();
        let mut children: Vec<Level> = Vec::new();
        for &g in &self.group_order {
            let Some(t) = found[g] else {
                continue;
            };
            let group = &self.config.groups[g];
            children.clear();
            children.extend(index.children(t).iter().map(|&ch| {
                node_level[ch].unwrap_or_else(|| Level::from_status(&index.component(ch).status))
            }));
            let count = children.len();
            let Some(level) = group.rule.combine(&mut children) else {
                continue;
            };
            node_level[t] = Some(level);
            let component = index.component(t);
            let blocked = owners.blocked(&component.id, &component.status);
            self.write_status(
                plan,
                statuses,
                now,
                &group.path,
                &component.id,
                &component.status,
                level,
                blocked,
                || format!("group rule {:?} over {count} children", group.rule),
            );
        }
    }

    fn ingest(&self, state: &mut State, delivery: &AlertDelivery) {
        let mut listed = HashSet::new();
        for alert in &delivery.alerts {
            let key = format!("{}@{}", alert.fingerprint, alert.starts_at);
            if let Some((matchers, _)) = &self.heartbeat {
                if alert.firing && all_compiled(matchers, &alert.labels) {
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
            self.for_each_candidate(labels, |k| {
                if !hits[k] && all_compiled(&self.alert_rules[k].2, labels) {
                    hits[k] = true;
                }
            });
        }
        hits
    }

    /// Calls `f` with every alert rule that could match these labels: the rules indexed under
    /// one of the label values (their `=` matcher), and the rules without an `=` matcher.
    fn for_each_candidate(&self, labels: &BTreeMap<String, String>, mut f: impl FnMut(usize)) {
        // The index has few label names (usually only `alertname`): look each up in the labels.
        for (name, values) in &self.alert_index {
            let Some(candidates) = labels.get(name).and_then(|v| values.get(v.as_str())) else {
                continue;
            };
            for &k in candidates {
                f(k);
            }
        }
        for &k in &self.unindexed {
            f(k);
        }
    }
}

/// Whether an alert episode counts as firing at `now` (an `endsAt` in the past has expired:
/// Alertmanager's own rule for alerts whose resolve never arrived).
fn active(record: &AlertRecord, now: Timestamp) -> bool {
    record.firing && record.alert.ends_at.is_none_or(|e| e > now)
}

/// A threshold rule's PromQL query (probe rules have none).
fn threshold_query(rule: &RuleConfig) -> Option<&str> {
    match rule {
        RuleConfig::Threshold(t) => t.promql(),
        RuleConfig::Alert(_) => None,
    }
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

/// The page node of a configured path, or a note saying why there is none.
fn found_noted(found: Found, path: &str, plan: &mut Plan) -> Option<usize> {
    let message = match found {
        Found::One(node) => return Some(node),
        Found::Many(k) => format!("{k} components have this name path; none is written"),
        Found::Missing => "no component with this name path on the page".to_owned(),
    };
    plan.notes.push(Note {
        path: path.to_owned(),
        kind: NoteKind::NotOnPage,
        message,
    });
    None
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

/// The incidents that can be a component's automation incident (those covering exactly that
/// component), found once per evaluation instead of scanning every incident per component.
struct IncidentCandidates<'p> {
    by_component: HashMap<&'p str, (&'p Incident, usize)>,
}

impl<'p> IncidentCandidates<'p> {
    fn read(page: &'p CurrentPage, enabled: bool) -> IncidentCandidates<'p> {
        let mut by_component: HashMap<&str, (&Incident, usize)> = HashMap::new();
        if enabled {
            for inc in &page.incidents {
                if let [only] = inc.components.as_slice() {
                    by_component
                        .entry(only.id.as_str())
                        .and_modify(|(_, count)| *count += 1)
                        .or_insert((inc, 1));
                }
            }
        }
        IncidentCandidates { by_component }
    }

    /// The incidents to read the component's phase from: none, its one candidate, or (rarely:
    /// duplicates, a recent resolve beside an open one) the whole list.
    fn of(&self, id: &ComponentId, page: &'p CurrentPage) -> &'p [Incident] {
        match self.by_component.get(id.as_str()) {
            None => &[],
            Some((one, 1)) => std::slice::from_ref(*one),
            Some(_) => &page.incidents,
        }
    }
}
