//! (Long: one concept, the evaluation: its steps share the per-component evaluations and the page index, and read top to bottom in the order they run.)
//! The validated configuration ([`Engine`]), the carried [`State`], and [`Engine::evaluate`]:
//! rules → levels → dependencies → precedence → status writes; then the incidents per cause
//! (`causes.rs`) and the groups.

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::alerts::Matches;
use super::causes::Automation;
use super::config::{err, Config, ConfigError, RuleConfig};
use super::flap::FlapState;
use super::graph::{DependencyGraph, DependencyKind, Impact};
use super::hold::Held;
use super::incident;
use super::manual::StatusRecord;
use super::matcher::{Compiled, Matcher};
use super::mode::{self, Mode};
use super::observe::{Alert, CurrentPage, Observations};
use super::page_index::{Found, PageIndex};
use super::plan::{Action, Note, NoteKind, Plan};
use super::{burn, texts, threshold, Level};
use crate::model::{ComponentId, ComponentStatus, MaintenanceStatus, PATH_SEPARATOR};
use crate::templates::MessageCatalog;

/// A validated configuration, ready to evaluate.
#[derive(Debug)]
pub struct Engine {
    pub(super) config: Config,
    /// `requires` / `optional` between the components, and their order.
    pub(super) graph: DependencyGraph,
    /// Alert rules: (component, rule index, matchers prepared for the hot loop).
    pub(super) alert_rules: Vec<(usize, usize, Vec<Compiled>)>,
    /// Per component, per rule: its index in `alert_rules` (threshold rules: unused).
    pub(super) alert_rule_of: Vec<Vec<usize>>,
    /// Per component, per rule: a burn-rate rule's queries expanded per window (others: none).
    burn_of: Vec<Vec<Option<burn::Prepared>>>,
    /// Every PromQL query the rules need, once each, in configuration order.
    queries: Vec<String>,
    /// Name path → slot: components `0..n`, then groups `n..n + groups`.
    slots: HashMap<String, usize>,
    /// Group indexes, deepest first (a group of groups sees its children's new levels).
    group_order: Vec<usize>,
    /// label name → label value → alert rules with that `=` matcher.
    pub(super) alert_index: HashMap<String, HashMap<String, Vec<usize>>>,
    /// Alert rules without an `=` matcher: checked against every alert.
    pub(super) unindexed: Vec<usize>,
    pub(super) heartbeat: Option<(Vec<Compiled>, u64)>,
    /// The incident texts: the project's catalog with the configured stages laid over it.
    pub(super) catalog: MessageCatalog,
    /// The page's time zone, for the times in incident texts.
    pub(super) time_zone: jiff::tz::TimeZone,
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
    /// When one of its readings was last unknown (a MONITORING dwell counts from then at the
    /// earliest).
    #[serde(default)]
    pub last_unknown: Option<Timestamp>,
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

/// One configured component's outcome in an evaluation.
#[derive(Clone, Debug, Default)]
pub(super) struct Eval {
    /// Its page node, when the path names exactly one component.
    pub(super) node: Option<usize>,
    /// The level of its own rules (held while flapping).
    pub(super) own: Level,
    /// The level after its dependencies.
    pub(super) level: Level,
    /// The dependency that raised it above `own`.
    pub(super) raised_by: Option<(usize, DependencyKind)>,
    /// Whether flap protection holds it.
    pub(super) flapping: bool,
    /// Whether one of its readings is unknown now.
    pub(super) unknown: bool,
    /// Whether a fresh reading showed the level of its own rules.
    pub(super) observed: bool,
    /// When one of its readings was last unknown.
    pub(super) last_unknown: Option<Timestamp>,
    /// Who owns it on the page when not automation (a maintenance, a person's incident or status).
    pub(super) blocked: Option<(NoteKind, String)>,
    /// The reading of the burn-rate rule that holds its level, for the write's reason.
    pub(super) burn: Option<String>,
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
                    RuleConfig::BurnRate(b) => {
                        burn::validate(b).map_err(|(f, m)| err(format!("{at}.burn_rate.{f}"), m))?
                    }
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
        if f.window_secs < 60 || f.window_secs > 86_400 {
            return Err(err(
                "flapping.window_secs",
                format!("{} is out of range; allowed: 60 to 86400", f.window_secs),
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
        let catalog = texts::catalog(&config.incidents)?;
        let time_zone = jiff::tz::TimeZone::get(&config.incidents.time_zone).map_err(|_| {
            err(
                "incidents.time_zone",
                format!(
                    "{:?} is not a known IANA time zone (e.g. UTC, Europe/Berlin)",
                    config.incidents.time_zone
                ),
            )
        })?;
        let mut alert_rule_of: Vec<Vec<usize>> = config
            .components
            .iter()
            .map(|c| vec![usize::MAX; c.rules.len()])
            .collect();
        for (k, (c, j, _)) in alert_rules.iter().enumerate() {
            alert_rule_of[*c][*j] = k;
        }
        let slots: HashMap<String, usize> = config
            .components
            .iter()
            .map(|c| c.path.clone())
            .chain(config.groups.iter().map(|g| g.path.clone()))
            .enumerate()
            .map(|(slot, path)| (path, slot))
            .collect();
        let burn_of: Vec<Vec<Option<burn::Prepared>>> = config
            .components
            .iter()
            .map(|c| {
                c.rules
                    .iter()
                    .map(|r| match r {
                        RuleConfig::BurnRate(b) => Some(burn::Prepared::new(b)),
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        let mut queries: Vec<String> = Vec::new();
        for (c, prepared) in config.components.iter().zip(&burn_of) {
            for (r, p) in c.rules.iter().zip(prepared) {
                let needed = threshold_query(r)
                    .into_iter()
                    .chain(p.iter().flat_map(burn::Prepared::queries));
                for q in needed {
                    if !queries.iter().any(|known| known == q) {
                        queries.push(q.to_owned());
                    }
                }
            }
        }
        let mut group_order: Vec<usize> = (0..config.groups.len()).collect();
        group_order.sort_by_key(|&g| {
            std::cmp::Reverse(config.groups[g].path.matches(PATH_SEPARATOR).count())
        });
        Ok(Engine {
            config,
            graph,
            alert_rule_of,
            burn_of,
            queries,
            slots,
            group_order,
            alert_rules,
            alert_index,
            unindexed,
            heartbeat,
            catalog,
            time_zone,
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

    /// Every PromQL query the rules need, once each: the threshold rules' queries, and each
    /// burn-rate rule's queries once per window (`$window` replaced by `1h`, `5m`...). The
    /// results go into [`Observations::queries`] under the same text.
    pub fn queries(&self) -> Vec<&str> {
        self.queries.iter().map(String::as_str).collect()
    }

    /// One evaluation: (observations, the page as read, the carried state, now) → (plan, new
    /// state). Pure: no I/O, no clock. Keep the new state before applying the plan (it records
    /// the statuses automation is about to write, so a crash mid-way never mistakes them for a
    /// person's), or lose it: the next evaluation rebuilds what matters from the page.
    ///
    /// Each component's configured [`Mode`] applies; [`Engine::evaluate_with_modes`] lowers
    /// some of them for this evaluation.
    #[must_use]
    pub fn evaluate(
        &self,
        observations: &Observations,
        page: &CurrentPage,
        state: State,
        now: Timestamp,
    ) -> (Plan, State) {
        self.evaluate_with_modes(observations, &BTreeMap::new(), page, state, now)
    }

    /// [`Engine::evaluate`] with the modes in `modes` in place of the configured ones (a path
    /// missing there keeps its configured mode): a component in observe or off is evaluated
    /// like any other, but its status is left as the page shows it (its groups count it so),
    /// and an incident it causes is not opened ([`super::mode`]).
    #[must_use]
    pub fn evaluate_with_modes(
        &self,
        observations: &Observations,
        modes: &BTreeMap<String, Mode>,
        page: &CurrentPage,
        state: State,
        now: Timestamp,
    ) -> (Plan, State) {
        let mode_of = |i: usize| {
            let c = &self.config.components[i];
            modes.get(&c.path).copied().unwrap_or(c.mode)
        };
        let (plan, state) = self.evaluate_inner(observations, &mode_of, page, state, now);
        let modes: BTreeMap<&str, Mode> = (0..self.config.components.len())
            .map(|i| (self.config.components[i].path.as_str(), mode_of(i)))
            .filter(|(_, m)| *m != Mode::Automatic)
            .collect();
        (mode::step(plan, &modes, page), state)
    }

    fn evaluate_inner(
        &self,
        observations: &Observations,
        mode_of: &dyn Fn(usize) -> Mode,
        page: &CurrentPage,
        mut state: State,
        now: Timestamp,
    ) -> (Plan, State) {
        let mut plan = Plan {
            marker: self.config.incidents.marker.clone(),
            ..Plan::default()
        };
        for delivery in &observations.alerts {
            self.ingest(&mut state, delivery);
        }
        self.prune(&mut state, now);
        let alerts_known = self.alerts_known(&state, now);
        let hits = self.alert_hits(&state, now);

        let index = PageIndex::build(&page.components, &self.slots, self.slots.len());
        let owners = Owners::read(page, &self.config.incidents.marker);
        let automation = Automation::read(page, &index, &self.config.incidents);
        let matches = Matches::new();

        let n = self.config.components.len();
        let mut evals = vec![Eval::default(); n];
        let mut levels = vec![Level::Operational; n];
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
            // Burn-rate rules' readings (rule, detail), for the notes and the write's reason.
            let mut burns: Vec<(usize, String)> = Vec::new();
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
                    RuleConfig::BurnRate(b) => {
                        let judged = match &self.burn_of[i][j] {
                            Some(p) => burn::read(
                                b,
                                p,
                                &observations.queries,
                                now,
                                self.config.freshness.max_sample_age_secs,
                            ),
                            None => Err("the rule's windows were not prepared (a bug)".to_owned()),
                        };
                        let reading = judged.map(|jd| {
                            burns.push((j, jd.detail));
                            jd.level
                        });
                        (reading, b.enter_for_secs, b.exit_for_secs)
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
            if !c.rules.is_empty() {
                cs.flap.record(fresh_worst, now, f);
            }
            if !unknown.is_empty() {
                cs.last_unknown = Some(now);
            }
            let mut level = cs
                .rules
                .iter()
                .map(|h| h.level)
                .max()
                .unwrap_or(Level::Operational);
            let mut observed = cs.rules.iter().any(|h| h.level == level && h.observed);
            let e = &mut evals[i];
            e.burn = None;
            for (j, detail) in burns {
                if cs.rules[j].level == level {
                    e.burn.get_or_insert_with(|| format!("rule {j}: {detail}"));
                }
                plan.notes.push(Note {
                    path: c.path.clone(),
                    kind: NoteKind::BurnRate,
                    message: format!("rule {j} at {}: {detail}", cs.rules[j].level),
                });
            }
            if let Some(pin) = cs.flap.pinned {
                e.flapping = true;
                if pin > level {
                    // The pin is the worst fresh reading since flapping began: observed.
                    level = pin;
                    observed = true;
                }
                plan.notes.push(Note {
                    path: c.path.clone(),
                    kind: NoteKind::Flapping,
                    message: format!(
                        "flapping ({:.0}% state changes in the last {} s): held at {}",
                        super::flap::change_percent(&cs.flap.changes, now, f),
                        f.window_secs,
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
            e.own = level;
            e.observed = observed;
            e.unknown = !unknown.is_empty();
            e.last_unknown = cs.last_unknown;
            let (level, by) = self.graph.propagate(i, level, &levels);
            e.raised_by = by;
            e.level = level;
            levels[i] = level;
        }

        let mut node_level: Vec<Option<Level>> = vec![None; index.len()];
        for (i, c) in self.config.components.iter().enumerate() {
            let Some(t) = found_noted(index.found(i), &c.path, &mut plan) else {
                continue;
            };
            let e = &mut evals[i];
            e.node = Some(t);
            node_level[t] = Some(e.level);
            let component = index.component(t);
            let level = e.level;
            let blocked = owners
                .blocked(&component.id, &component.status)
                .or_else(|| mode::withheld(mode_of(i)));
            let vouched = automation.vouches(&component.id, &component.status);
            let (own, raised_by, flapping) = (e.own, e.raised_by, e.flapping);
            let burn = e.burn.clone();
            e.blocked = self.write_status(
                &mut plan,
                &mut state.statuses,
                now,
                &c.path,
                &component.id,
                &component.status,
                level,
                blocked,
                vouched,
                || {
                    let mut why = format!("rules at {own}");
                    if let Some(burn) = burn {
                        why.push_str(&format!(" ({burn})"));
                    }
                    if let Some((d, kind)) = raised_by.filter(|_| level > own) {
                        why.push_str(&format!(
                            ", raised to {level} by {} {:?}",
                            kind.as_str(),
                            self.graph.path(d)
                        ));
                    }
                    if flapping {
                        why.push_str(", held while flapping");
                    }
                    why
                },
            );
            if e.blocked.is_some() {
                // Not ours to write: its group follows what the page shows, not what
                // automation would have set.
                node_level[t] = None;
            }
        }

        if self.config.incidents.enabled {
            let carried = self.incidents(
                &mut plan,
                &index,
                &evals,
                &automation,
                &state.alerts,
                &matches,
                now,
            );
            // One status write per transition: a status an incident write carries is not also
            // written on its own.
            plan.actions.retain(|a| match a {
                Action::SetStatus { component, to, .. } => carried.get(component) != Some(to),
                _ => true,
            });
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
        vouched: Option<Timestamp>,
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
        let blocked = match record.observe(current, &target, vouched, now) {
            Some(manual) => blocked.or(Some(manual)),
            None => blocked,
        };
        if &target == current {
            record.planned(None);
            return blocked;
        }
        if let Some((kind, why)) = &blocked {
            record.planned(None);
            let message = if *kind == NoteKind::Observe {
                format!("observe: would set {current} -> {target} ({})", reason())
            } else {
                format!("status not written ({target} wanted): {why}")
            };
            plan.notes.push(Note {
                path: path.to_owned(),
                kind: *kind,
                message,
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
                None,
                || format!("group rule {:?} over {count} children", group.rule),
            );
        }
    }
}

/// A threshold rule's PromQL query (probe rules have none).
fn threshold_query(rule: &RuleConfig) -> Option<&str> {
    match rule {
        RuleConfig::Threshold(t) => t.promql(),
        RuleConfig::Alert(_) | RuleConfig::BurnRate(_) => None,
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
        RuleConfig::BurnRate(b) => b.max_level(),
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
        .map(|(k, m)| Matcher::parse(m).map_err(|e| err(format!("{at}[{k}]"), e.to_string())))
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
