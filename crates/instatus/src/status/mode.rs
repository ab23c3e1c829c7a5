//! Per-component modes, a pure step over the engine's [`Plan`]: the engine evaluates every
//! component the same way (hold timers, incidents, groups), and [`step`] then keeps the writes of
//! `automatic` components only. An `observe` component's writes become notes (`observe`) saying
//! what would have been written, and its `unknown` notes become `observe` notes too (it
//! publishes nothing, so it leaves no run unconverged); an `off` component's are dropped without
//! a word. A group whose
//! children include a withheld one is recomputed with that child at its status on the page, so a
//! component in observe never turns its group red.
//!
//! A component whose sources never answered since start is put in observe by the caller
//! ([`effective`]): a component that can never change is not published as healthy by default.
//!
//! ```
//! use std::collections::BTreeMap;
//! use instatus::status::mode::{step, Mode};
//! use instatus::status::{Action, Config, CurrentPage, Plan};
//! use instatus::model::{ComponentId, ComponentStatus};
//!
//! let plan = Plan {
//!     actions: vec![Action::SetStatus {
//!         component: ComponentId::from("c1"),
//!         path: "Alert Manager".into(),
//!         from: ComponentStatus::Operational,
//!         to: ComponentStatus::MajorOutage,
//!         reason: "rules at major outage".into(),
//!     }],
//!     notes: vec![],
//! };
//! let modes = BTreeMap::from([("Alert Manager".to_owned(), Mode::Observe)]);
//! let plan = step(plan, &modes, &CurrentPage::default(), &Config::default());
//! assert!(plan.actions.is_empty());
//! assert_eq!(plan.notes[0].message, "observe: would set OPERATIONAL -> MAJOROUTAGE (rules at major outage)");
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::config::Config;
use super::plan::{Action, Note, NoteKind, Plan};
use super::{CurrentPage, Level};
use crate::model::{ComponentStatus, ComponentTree, PATH_SEPARATOR};

/// What automation does with a component.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Nothing: no write, no note.
    Off,
    /// Evaluate and say what would be written (`observe` notes, the level in the bridge's
    /// `/metrics`), write nothing.
    Observe,
    /// Evaluate and write (the default).
    #[default]
    Automatic,
}

/// The mode of each configured component: its own `mode`, lowered to `observe` (with the reason)
/// for the components in `silent` (the caller's list of components none of whose sources has
/// answered since start). `off` stays `off`.
pub fn effective(
    config: &Config,
    silent: &BTreeMap<String, String>,
) -> BTreeMap<String, (Mode, Option<String>)> {
    config
        .components
        .iter()
        .map(|c| {
            let entry = match (c.mode, silent.get(&c.path)) {
                (Mode::Automatic, Some(why)) => (Mode::Observe, Some(why.clone())),
                (mode, _) => (mode, None),
            };
            (c.path.clone(), entry)
        })
        .collect()
}

/// Keeps the writes of `automatic` components (a path missing from `modes` is automatic);
/// see the module docs.
pub fn step(
    plan: Plan,
    modes: &BTreeMap<String, Mode>,
    page: &CurrentPage,
    config: &Config,
) -> Plan {
    let mode_of = |path: &str| modes.get(path).copied().unwrap_or_default();
    let withheld: BTreeSet<&str> = modes
        .iter()
        .filter(|(_, m)| **m != Mode::Automatic)
        .map(|(p, _)| p.as_str())
        .collect();
    let Plan { actions, mut notes } = plan;
    if withheld.is_empty() {
        return Plan { actions, notes };
    }
    // An unknown reading of a withheld component changes nothing public: noted as observe (so a
    // run is not left unconverged by a component that publishes nothing), dropped when off.
    notes.retain_mut(|n| {
        if n.kind != NoteKind::Unknown {
            return true;
        }
        match mode_of(&n.path) {
            Mode::Automatic => true,
            Mode::Observe => {
                n.kind = NoteKind::Observe;
                n.message = format!("observe: {}", n.message);
                true
            }
            Mode::Off => false,
        }
    });
    let mut kept = Vec::with_capacity(actions.len());
    for action in actions {
        let path = path_of(&action);
        match mode_of(path) {
            Mode::Automatic => kept.push(action),
            Mode::Observe => notes.push(Note {
                path: path.to_owned(),
                kind: NoteKind::Observe,
                message: format!("observe: would {}", describe(&action)),
            }),
            Mode::Off => {}
        }
    }
    regroup(&mut kept, &mut notes, &withheld, page, config);
    Plan {
        actions: kept,
        notes,
    }
}

/// Recomputes the groups' writes with withheld children at their page status.
fn regroup(
    actions: &mut Vec<Action>,
    notes: &mut Vec<Note>,
    withheld: &BTreeSet<&str>,
    page: &CurrentPage,
    config: &Config,
) {
    if config.groups.is_empty() || page.components.is_empty() {
        return;
    }
    let tree = ComponentTree::from_components(page.components.iter().cloned());
    // The status each name path will have: the page's, or the planned write.
    let mut planned: BTreeMap<String, ComponentStatus> = BTreeMap::new();
    for a in actions.iter() {
        if let Action::SetStatus { path, to, .. } = a {
            planned.insert(path.clone(), to.clone());
        }
    }
    let mut groups: Vec<_> = config.groups.iter().collect();
    groups.sort_by_key(|g| std::cmp::Reverse(g.path.matches(PATH_SEPARATOR).count()));
    for group in groups {
        let found = tree.find_all(&group.path);
        let [index] = found.as_slice() else {
            continue;
        };
        let children: Vec<String> = tree
            .node(*index)
            .children
            .iter()
            .map(|&c| tree.path(c))
            .collect();
        if !children.iter().any(|c| withheld.contains(c.as_str())) {
            continue;
        }
        let mut levels: Vec<Level> = tree
            .node(*index)
            .children
            .iter()
            .zip(&children)
            .map(|(&c, path)| {
                let on_page = &tree.node(c).component.status;
                let status = if withheld.contains(path.as_str()) {
                    on_page
                } else {
                    planned.get(path).unwrap_or(on_page)
                };
                Level::from_status(status)
            })
            .collect();
        let Some(level) = group.rule.combine(&mut levels) else {
            continue;
        };
        let on_page = tree.node(*index).component.status.clone();
        let Some(k) = actions
            .iter()
            .position(|a| matches!(a, Action::SetStatus { path, .. } if *path == group.path))
        else {
            continue;
        };
        let target = level.status();
        if Level::from_status(&on_page) == level {
            let dropped = actions.remove(k);
            notes.push(Note {
                path: group.path.clone(),
                kind: NoteKind::Observe,
                message: format!(
                    "not written: only children in observe or off would change it ({})",
                    describe(&dropped)
                ),
            });
            planned.remove(&group.path);
        } else if let Action::SetStatus { to, reason, .. } = &mut actions[k] {
            if *to != target {
                *reason =
                    format!("{reason}; children in observe or off counted at their page status");
                *to = target.clone();
            }
            planned.insert(group.path.clone(), target);
        }
    }
}

fn path_of(action: &Action) -> &str {
    match action {
        Action::SetStatus { path, .. }
        | Action::OpenIncident { path, .. }
        | Action::UpdateIncident { path, .. }
        | Action::CloseDuplicate { path, .. } => path,
    }
}

/// The write in words, after "would".
fn describe(action: &Action) -> String {
    match action {
        Action::SetStatus {
            from, to, reason, ..
        } => format!("set {from} -> {to} ({reason})"),
        Action::OpenIncident { name, status, .. } => {
            format!("open the incident {name:?} at {status}")
        }
        Action::UpdateIncident {
            incident,
            incident_status,
            status,
            ..
        } => format!("update the incident {incident} to {incident_status} at {status}"),
        Action::CloseDuplicate {
            incident,
            duplicate_of,
            ..
        } => format!("close the incident {incident} (a duplicate of {duplicate_of})"),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use jiff::Timestamp;
    use serde_json::json;

    use super::*;
    use crate::status::{Engine, Observations, QueryResult, Sample, State};

    fn now() -> Timestamp {
        Timestamp::from_second(1_800_000_000).unwrap()
    }

    /// Execution Client and Alert Manager in their groups, all OPERATIONAL; both read a probe.
    fn setup(am_mode: &str) -> (Engine, CurrentPage) {
        let config: Config = serde_json::from_value(json!({
            "components": [
                {"path": "Ethereum Services/Execution Client",
                 "rules": [{"threshold": {"probe": "execution.up", "op": "<",
                   "levels": [{"level": "major_outage", "enter": 1}], "enter_for_secs": 0}}]},
                {"path": "Monitoring Systems/Alert Manager", "mode": am_mode,
                 "rules": [{"threshold": {"probe": "alertmanager.ok", "op": "<",
                   "levels": [{"level": "major_outage", "enter": 1}], "enter_for_secs": 0}}]},
                {"path": "Monitoring Systems/Prometheus",
                 "rules": [{"threshold": {"probe": "prometheus.ok", "op": "<",
                   "levels": [{"level": "major_outage", "enter": 1}], "enter_for_secs": 0}}]}
            ],
            "groups": [{"path": "Ethereum Services"}, {"path": "Monitoring Systems"}]
        }))
        .unwrap();
        let component = |id: &str, name: &str, group: Option<&str>, parent: bool| {
            serde_json::from_value(json!({"id": id, "name": name, "status": "OPERATIONAL",
                "groupId": group, "isParent": parent}))
            .unwrap()
        };
        let page = CurrentPage {
            components: vec![
                component("g1", "Ethereum Services", None, true),
                component("el", "Execution Client", Some("g1"), false),
                component("g2", "Monitoring Systems", None, true),
                component("am", "Alert Manager", Some("g2"), false),
                component("pm", "Prometheus", Some("g2"), false),
            ],
            ..CurrentPage::default()
        };
        (Engine::new(config).unwrap(), page)
    }

    fn signals(values: &[(&str, f64)]) -> Observations {
        Observations {
            queries: values
                .iter()
                .map(|(k, v)| {
                    let sample = Sample {
                        labels: BTreeMap::new(),
                        value: *v,
                        timestamp: now(),
                    };
                    (format!("probe:{k}"), QueryResult::Samples(vec![sample]))
                })
                .collect(),
            alerts: Vec::new(),
        }
    }

    fn modes(engine: &Engine) -> BTreeMap<String, Mode> {
        engine
            .config()
            .components
            .iter()
            .map(|c| (c.path.clone(), c.mode))
            .collect()
    }

    fn written(plan: &Plan) -> Vec<(String, String)> {
        plan.actions
            .iter()
            .filter_map(|a| match a {
                Action::SetStatus { path, to, .. } => Some((path.clone(), to.to_string())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn an_observed_component_is_noted_not_written_and_does_not_turn_its_group_red() {
        let (engine, page) = setup("observe");
        let obs = signals(&[
            ("execution.up", 1.0),
            ("alertmanager.ok", 0.0),
            ("prometheus.ok", 1.0),
        ]);
        let (plan, _) = engine.evaluate(&obs, &page, State::default(), now());
        assert!(written(&plan)
            .iter()
            .any(|(p, _)| p == "Monitoring Systems/Alert Manager"));
        let plan = step(plan, &modes(&engine), &page, engine.config());
        assert_eq!(written(&plan), Vec::<(String, String)>::new(), "{plan:#?}");
        assert!(
            plan.actions.is_empty(),
            "no incident either: {:?}",
            plan.actions
        );
        let observe: Vec<_> = plan
            .notes
            .iter()
            .filter(|n| n.kind == NoteKind::Observe)
            .collect();
        assert!(observe
            .iter()
            .any(|n| n.path == "Monitoring Systems/Alert Manager"
                && n.message
                    .starts_with("observe: would set OPERATIONAL -> MAJOROUTAGE")));
        assert!(observe
            .iter()
            .any(|n| n.path == "Monitoring Systems/Alert Manager"
                && n.message.contains("open the incident")));
        assert!(observe
            .iter()
            .any(|n| n.path == "Monitoring Systems" && n.message.starts_with("not written")));
    }

    #[test]
    fn an_automatic_sibling_still_moves_the_group_while_another_child_is_observed() {
        let (engine, page) = setup("observe");
        let obs = signals(&[
            ("execution.up", 1.0),
            ("alertmanager.ok", 0.0),
            ("prometheus.ok", 0.0),
        ]);
        let (plan, _) = engine.evaluate(&obs, &page, State::default(), now());
        let plan = step(plan, &modes(&engine), &page, engine.config());
        let w = written(&plan);
        assert!(
            w.contains(&("Monitoring Systems/Prometheus".into(), "MAJOROUTAGE".into())),
            "{w:?}"
        );
        assert!(
            w.contains(&("Monitoring Systems".into(), "MAJOROUTAGE".into())),
            "{w:?}"
        );
        assert!(!w
            .iter()
            .any(|(p, _)| p == "Monitoring Systems/Alert Manager"));
    }

    #[test]
    fn an_unknown_reading_of_an_observed_component_is_an_observe_note_not_an_unknown_one() {
        let (engine, page) = setup("observe");
        let mut obs = signals(&[("execution.up", 1.0), ("prometheus.ok", 1.0)]);
        obs.queries.insert(
            "probe:alertmanager.ok".into(),
            QueryResult::Failed("connection refused".into()),
        );
        let (plan, _) = engine.evaluate(&obs, &page, State::default(), now());
        assert!(plan.notes.iter().any(|n| n.kind == NoteKind::Unknown));
        let plan = step(plan, &modes(&engine), &page, engine.config());
        assert!(
            !plan.notes.iter().any(|n| n.kind == NoteKind::Unknown),
            "{:?}",
            plan.notes
        );
        assert!(plan.notes.iter().any(|n| n.kind == NoteKind::Observe
            && n.path == "Monitoring Systems/Alert Manager"
            && n.message.starts_with("observe: unknown, last level kept")));
    }

    #[test]
    fn an_off_component_is_neither_written_nor_noted() {
        let (engine, page) = setup("off");
        let obs = signals(&[
            ("execution.up", 1.0),
            ("alertmanager.ok", 0.0),
            ("prometheus.ok", 1.0),
        ]);
        let (plan, _) = engine.evaluate(&obs, &page, State::default(), now());
        let plan = step(plan, &modes(&engine), &page, engine.config());
        assert!(plan.actions.is_empty(), "{:?}", plan.actions);
        assert!(!plan
            .notes
            .iter()
            .any(|n| n.kind == NoteKind::Observe && n.path.ends_with("Alert Manager")));
    }

    #[test]
    fn automatic_components_are_written_as_the_engine_planned() {
        let (engine, page) = setup("automatic");
        let obs = signals(&[
            ("execution.up", 0.0),
            ("alertmanager.ok", 1.0),
            ("prometheus.ok", 1.0),
        ]);
        let (plan, _) = engine.evaluate(&obs, &page, State::default(), now());
        let before = plan.clone();
        assert_eq!(step(plan, &modes(&engine), &page, engine.config()), before);
    }

    #[test]
    fn a_component_whose_sources_never_answered_is_observed_with_the_reason() {
        let (engine, _) = setup("automatic");
        let silent = BTreeMap::from([(
            "Monitoring Systems/Alert Manager".to_owned(),
            "none of its sources has answered yet".to_owned(),
        )]);
        let m = effective(engine.config(), &silent);
        assert_eq!(m["Monitoring Systems/Alert Manager"].0, Mode::Observe);
        assert_eq!(m["Monitoring Systems/Prometheus"], (Mode::Automatic, None));
    }
}
