//! Incidents per cause: which component's problem explains each component's level, the
//! automation incidents on the page and what they tell, and the lifecycle step of each cause
//! ([`incident::decide`]) turned into actions with their texts.
//!
//! A component's **cause** is itself when its own rules explain its level, otherwise (a
//! dependency alone passes on at least its level through `requires`/`optional`) its dependency's
//! cause. Causes stick while incidents are open: a component with its own automation incident
//! open is its own cause, and a component another open automation incident lists belongs to
//! that incident's cause, until the incident resolves (so a component is never in two open
//! incidents). With `incidents.one_per: component` every component is its own cause.
//!
//! One incident per cause lists the cause first, then every component whose cause it is (and
//! every component it listed before, until it resolves), each at the status this write gives
//! it. The incident's writes carry those statuses: they are not written again on their own.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;

use super::alerts::Matches;
use super::config::{IncidentPolicy, IncidentScope};
use super::engine::{AlertRecord, Engine, Eval};
use super::incident::{self, Cause, Decision, Phase, Told};
use super::observe::{Alert, CurrentPage};
use super::page_index::PageIndex;
use super::plan::{Action, Affected, IncidentStep, Note, Plan};
use super::texts;
use super::Level;
use crate::affected;
use crate::model::{Component, ComponentId, ComponentStatus, Incident, PATH_SEPARATOR};
use crate::templates::{MessageVars, Stage};

/// The automation incidents on the page (open, or resolved within what the page holds), read
/// once per evaluation and indexed, so each component's questions are answered in constant time:
/// each incident's cause and the statuses it shows.
pub(super) struct Automation<'p> {
    incidents: Vec<(&'p Incident, Told<'p>)>,
    /// Incident id → position in `incidents`.
    by_id: HashMap<&'p str, usize>,
    /// Cause id → positions in `incidents`.
    by_cause: HashMap<&'p str, Vec<usize>>,
    /// Component id → the oldest open incident listing it (not as its cause).
    listing: HashMap<&'p str, usize>,
    /// Component id → the statuses open incidents' newest automation updates give it, and when.
    shown: HashMap<&'p str, Vec<(ComponentStatus, Option<Timestamp>)>>,
    /// Every page component by id (for names), built only when there are automation incidents.
    components: HashMap<&'p str, &'p Component>,
}

impl<'p> Automation<'p> {
    /// Reads the page's automation incidents (none when incidents are disabled).
    pub(super) fn read(
        page: &'p CurrentPage,
        index: &PageIndex<'p>,
        policy: &IncidentPolicy,
    ) -> Automation<'p> {
        let mut out = Automation {
            incidents: Vec::new(),
            by_id: HashMap::new(),
            by_cause: HashMap::new(),
            listing: HashMap::new(),
            shown: HashMap::new(),
            components: HashMap::new(),
        };
        if !policy.enabled {
            return out;
        }
        let ours: Vec<&Incident> = page
            .incidents
            .iter()
            .filter(|i| incident::is_automation(i, &policy.marker))
            .collect();
        if ours.is_empty() {
            return out;
        }
        out.components = (0..index.len())
            .map(|t| {
                let c = index.component(t);
                (c.id.as_str(), c)
            })
            .collect();
        for inc in ours {
            let told = incident::told(inc, &policy.marker, |id| {
                out.components.get(id.as_str()).map(|c| c.name.as_str())
            });
            let k = out.incidents.len();
            out.by_id.insert(inc.id.as_str(), k);
            if let Some(cause) = told.cause {
                out.by_cause.entry(cause.as_str()).or_default().push(k);
            }
            if inc.is_open() {
                let posted = incident::newest_automation_update(inc, &policy.marker)
                    .and_then(|u| u.created_at.or(u.started));
                for (c, status) in &told.shown {
                    out.shown
                        .entry(c.as_str())
                        .or_default()
                        .push((status.clone(), posted));
                }
            }
            out.incidents.push((inc, told));
        }
        // The oldest open incident listing each component that is not its cause.
        let mut open: Vec<usize> = (0..out.incidents.len())
            .filter(|&k| out.incidents[k].0.is_open())
            .collect();
        open.sort_by(|&a, &b| {
            let (a, b) = (out.incidents[a].0, out.incidents[b].0);
            (a.started, a.id.as_str()).cmp(&(b.started, b.id.as_str()))
        });
        for k in open {
            let (inc, told) = &out.incidents[k];
            for c in &inc.components {
                if told.cause != Some(&c.id) {
                    out.listing.entry(c.id.as_str()).or_insert(k);
                }
            }
        }
        out
    }

    /// When an open automation incident last gave this component this status (its newest
    /// automation update says so): the status is automation's own, unless automation accepted
    /// another one since.
    pub(super) fn vouches(&self, id: &ComponentId, status: &ComponentStatus) -> Option<Timestamp> {
        self.shown
            .get(id.as_str())?
            .iter()
            .filter(|(s, _)| s == status)
            .filter_map(|(_, at)| *at)
            .max()
    }

    /// The cause of the oldest open automation incident listing this component (not as its
    /// cause), if any.
    fn listing(&self, id: &ComponentId) -> Option<&ComponentId> {
        let k = *self.listing.get(id.as_str())?;
        self.incidents[k].1.cause
    }

    /// The automation incidents whose cause this component is.
    fn of(&self, cause: &ComponentId) -> Vec<&'p Incident> {
        self.by_cause
            .get(cause.as_str())
            .map(|k| k.iter().map(|&k| self.incidents[k].0).collect())
            .unwrap_or_default()
    }

    /// Whether this component's own automation incident is open.
    fn has_open(&self, cause: &ComponentId) -> bool {
        self.by_cause
            .get(cause.as_str())
            .is_some_and(|k| k.iter().any(|&k| self.incidents[k].0.is_open()))
    }

    /// What an incident of this list tells.
    fn told(&self, incident: &Incident) -> Option<&Told<'p>> {
        self.by_id
            .get(incident.id.as_str())
            .map(|&k| &self.incidents[k].1)
    }
}

impl Engine {
    /// Decides every cause's incident step and pushes the actions and notes. Returns the
    /// component statuses the incident writes carry.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn incidents<'s>(
        &'s self,
        plan: &mut Plan,
        index: &PageIndex<'_>,
        evals: &[Eval],
        automation: &Automation<'_>,
        alerts: &'s BTreeMap<String, AlertRecord>,
        matches: &Matches<'s>,
        now: Timestamp,
    ) -> HashMap<ComponentId, ComponentStatus> {
        let policy = &self.config.incidents;
        let n = self.config.components.len();
        let id_of = |i: usize| evals[i].node.map(|t| &index.component(t).id);

        // Component id → configuration index, needed only to read incidents already open.
        let configured: HashMap<&str, usize> = if automation.incidents.is_empty() {
            HashMap::new()
        } else {
            (0..n)
                .filter_map(|i| id_of(i).map(|id| (id.as_str(), i)))
                .collect()
        };
        // Each component's cause, dependencies first.
        let mut cause: Vec<Option<usize>> = vec![None; n];
        for &i in self.graph.order() {
            let Some(id) = id_of(i) else {
                continue;
            };
            cause[i] = Some(
                if policy.one_per == IncidentScope::Component || automation.has_open(id) {
                    i
                } else if let Some(&r) = automation
                    .listing(id)
                    .and_then(|c| configured.get(c.as_str()))
                {
                    r
                } else {
                    match self.explained_by(i, evals) {
                        Some(d) => cause[d].unwrap_or(i),
                        None => i,
                    }
                },
            );
        }
        let mut caused: Vec<Vec<usize>> = vec![Vec::new(); n];
        for i in 0..n {
            if let Some(r) = cause[i].filter(|&r| r != i && evals[i].level > Level::Operational) {
                caused[r].push(i);
            }
        }

        let mut carried = HashMap::new();
        for r in 0..n {
            if cause[r] != Some(r) {
                continue;
            }
            let Some(t) = evals[r].node else {
                continue;
            };
            let id = &index.component(t).id;
            let incidents = automation.of(id);
            if incidents.is_empty() && evals[r].level < policy.open_at {
                continue;
            }
            let path = &self.config.components[r].path;
            let member = |i: usize| -> Affected {
                let e = &evals[i];
                let c = index.component(e.node.unwrap_or(t));
                Affected {
                    component: c.id.clone(),
                    path: self.config.components[i].path.clone(),
                    name: c.name.as_str().to_owned(),
                    status: if e.blocked.is_some() {
                        c.status.clone()
                    } else {
                        e.level.status()
                    },
                    owned: e.blocked.is_some(),
                }
            };
            // The cause first, then what it caused, then what the incident listed before.
            let members = |listed: Option<&Incident>| -> Vec<Affected> {
                let mut out: Vec<Affected> = std::iter::once(r)
                    .chain(caused[r].iter().copied())
                    .map(member)
                    .collect();
                for c in listed.map(|i| i.components.as_slice()).unwrap_or(&[]) {
                    if out.iter().any(|m| m.component == c.id) {
                        continue;
                    }
                    match configured.get(c.id.as_str()) {
                        Some(&i) => out.push(member(i)),
                        None => {
                            // Listed but not configured: kept, at the status the page shows.
                            let Some(page) = automation.components.get(c.id.as_str()) else {
                                continue;
                            };
                            out.push(Affected {
                                component: c.id.clone(),
                                path: String::new(),
                                name: page.name.as_str().to_owned(),
                                status: page.status.clone(),
                                owned: true,
                            });
                        }
                    }
                }
                out
            };
            // Whether an open incident shows every member at its target status (owned ones
            // aside), without building the member list: this runs for every open incident at
            // every evaluation.
            let up_to_date = |inc: &Incident| {
                let Some(told) = automation.told(inc) else {
                    return false;
                };
                let current = |i: usize| {
                    let e = &evals[i];
                    match e.node.filter(|_| e.blocked.is_none()) {
                        Some(t) => {
                            let (id, status) = (&index.component(t).id, e.level.status());
                            told.shown.iter().any(|(c, s)| *c == id && *s == status)
                        }
                        None => true,
                    }
                };
                std::iter::once(r)
                    .chain(caused[r].iter().copied())
                    .all(current)
                    && inc
                        .components
                        .iter()
                        .all(|c| configured.get(c.id.as_str()).is_none_or(|&i| current(i)))
            };
            let (phase, duplicates) = incident::phase(&incidents, policy, now, up_to_date);
            if let Phase::Open { incident: keep, .. } | Phase::Monitoring { incident: keep, .. } =
                phase
            {
                for dup in duplicates {
                    plan.actions.push(Action::CloseDuplicate {
                        incident: dup.id.clone(),
                        duplicate_of: keep.id.clone(),
                        path: path.clone(),
                        message: format!(
                            "Closed automatically: a duplicate of incident {} about {}.\n\n{}",
                            keep.id,
                            display_name(path),
                            policy.marker
                        ),
                    });
                }
            }
            let e = &evals[r];
            let facts = Cause {
                level: e.level,
                flapping: e.flapping,
                blocked: e.blocked.clone(),
                observed: e.observed || e.level > e.own,
                unknown: e.unknown,
                last_unknown: e.last_unknown,
            };
            // What the incident told of its cause before this step.
            let previous = |inc: &Incident| {
                automation
                    .told(inc)
                    .and_then(|t| t.shown.iter().find(|(c, _)| *c == id))
                    .map_or(Level::Operational, |(_, s)| Level::from_status(s))
            };
            // The worst level the incident told of its cause, in any automation update.
            let worst = |inc: &Incident| {
                let name = index.component(t).name.as_str();
                inc.updates
                    .iter()
                    .filter_map(|u| u.message.as_deref())
                    .filter(|m| m.contains(&policy.marker))
                    .filter_map(|m| affected::status_in(affected::listed(m)?, name))
                    .map(|s| Level::from_status(&s))
                    .max()
                    .unwrap_or_else(|| previous(inc))
            };
            let matched = || self.matched_alerts(alerts, matches, r, now);
            match incident::decide(phase, &facts, policy, now) {
                Decision::Nothing => {}
                Decision::Hold(kind, message) => plan.notes.push(Note {
                    path: path.clone(),
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
                    let components = members(None);
                    let vars = self
                        .vars(r, e.level, &matched, &components, now)
                        .started(started);
                    let notice = texts::render(&self.catalog, Stage::Opened, &vars);
                    carry(&mut carried, &components);
                    plan.actions.push(Action::OpenIncident {
                        path: path.clone(),
                        message: texts::message(&notice.message, &components, &policy.marker),
                        components,
                        name: notice.title,
                        started,
                        notify: policy.notify,
                    });
                }
                Decision::Update(inc, step) => {
                    let components = members(Some(inc));
                    let mut vars = self
                        .vars(r, e.level, &matched(), &components, now)
                        .started(inc.started.unwrap_or(now));
                    vars = match step {
                        // The level it changed from, or relapsed from.
                        IncidentStep::LevelChanged
                        | IncidentStep::Relapsed
                        | IncidentStep::Reopened => vars.previous_level(previous(inc)),
                        // The level it recovered from: the worst the incident told.
                        IncidentStep::Monitoring => vars.previous_level(worst(inc)),
                        IncidentStep::Resolved => {
                            let vars = vars.previous_level(worst(inc));
                            match phase {
                                Phase::Monitoring { since, .. } => vars.recovered(since),
                                _ => vars,
                            }
                        }
                    };
                    let notice = texts::render(&self.catalog, Stage::of_step(step), &vars);
                    carry(&mut carried, &components);
                    plan.actions.push(Action::UpdateIncident {
                        incident: inc.id.clone(),
                        path: path.clone(),
                        incident_status: incident::step_status(step),
                        message: texts::message(&notice.message, &components, &policy.marker),
                        components,
                        name: Some(notice.title).filter(|t| t != inc.name.as_str()),
                        step,
                        notify: policy.notify,
                    });
                }
            }
        }
        carried
    }

    /// The dependency that alone explains component `i`'s outage: the first (`requires` before
    /// `optional`, each in declaration order) that passes on at least its level.
    fn explained_by(&self, i: usize, evals: &[Eval]) -> Option<usize> {
        let level = evals[i].level;
        if level < Level::PartialOutage {
            return None;
        }
        self.graph
            .dependencies(i)
            .iter()
            .find(|(d, kind)| kind.passes_on(evals[*d].level) >= level)
            .map(|(d, _)| *d)
    }

    /// The template variables of cause `r`'s incident texts.
    fn vars(
        &self,
        r: usize,
        level: Level,
        alerts: &[&Alert],
        components: &[Affected],
        now: Timestamp,
    ) -> MessageVars {
        let c = &self.config.components[r];
        let mut vars = MessageVars::incident(&c.path, level, now)
            .time_zone(self.time_zone.clone())
            .marker(&self.config.incidents.marker)
            .dependants(components.iter().skip(1).map(|a| {
                if a.path.is_empty() {
                    a.name.clone()
                } else {
                    a.path.clone()
                }
            }));
        for (name, url) in &c.links {
            vars = vars.link(name, url);
        }
        for a in alerts {
            for (key, link) in [("runbook_url", "runbook"), ("dashboard", "grafana")] {
                if let Some(url) = a.annotations.get(key) {
                    if !vars.links.contains_key(link) {
                        vars = vars.link(link, url);
                    }
                }
            }
            vars = vars.alert(serde_json::json!({
                "labels": a.labels, "annotations": a.annotations,
                "starts_at": a.starts_at.to_string(),
            }));
            if let Some(summary) = a.annotations.get("summary") {
                vars = vars.summary(summary);
            }
        }
        vars
    }
}

fn carry(carried: &mut HashMap<ComponentId, ComponentStatus>, components: &[Affected]) {
    for a in components.iter().filter(|a| !a.owned) {
        carried.insert(a.component.clone(), a.status.clone());
    }
}

/// The last segment of a name path.
fn display_name(path: &str) -> &str {
    path.rsplit(PATH_SEPARATOR).next().unwrap_or(path)
}
