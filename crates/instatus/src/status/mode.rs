//! Per-component modes. The engine evaluates every component the same way (hold timers,
//! incidents, groups); a component in `observe` or `off` is then treated like one someone else
//! owns: its status stays as the page shows it (its groups count it so, and it never turns its
//! group red), an `observe` component's writes become notes (`observe`) saying what would have
//! been written, and an `off` component's are dropped without a word. An incident it causes is
//! not opened; the automatic components that incident would have listed get their status on
//! their own.
//!
//! A component whose sources never answered since start is put in observe by the caller
//! ([`effective`]): a component that can never change is not published as healthy by default.
//!
//! ```
//! use std::collections::BTreeMap;
//! use instatus::status::mode::Mode;
//! use instatus::status::{Config, CurrentPage, Engine, Observations, QueryResult, Sample, State};
//!
//! let config: Config = serde_json::from_value(serde_json::json!({"components": [
//!     {"path": "Alert Manager", "rules": [{"threshold": {"probe": "alertmanager.ok", "op": "<",
//!         "levels": [{"level": "major_outage", "enter": 1}], "enter_for_secs": 0}}]}
//! ]})).unwrap();
//! let engine = Engine::new(config).unwrap();
//! let page = CurrentPage {
//!     components: vec![serde_json::from_value(serde_json::json!(
//!         {"id": "am", "name": "Alert Manager", "status": "OPERATIONAL"})).unwrap()],
//!     ..CurrentPage::default()
//! };
//! let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
//! let down = Sample { labels: BTreeMap::new(), value: 0.0, timestamp: now };
//! let observations = Observations {
//!     queries: BTreeMap::from([("probe:alertmanager.ok".to_owned(), QueryResult::Samples(vec![down]))]),
//!     alerts: vec![],
//! };
//! let modes = BTreeMap::from([("Alert Manager".to_owned(), Mode::Observe)]);
//! let (plan, _) = engine.evaluate_with_modes(&observations, &modes, &page, State::default(), now);
//! assert!(plan.actions.is_empty());
//! assert!(plan.notes.iter().any(|n| n.message.starts_with("observe: would set OPERATIONAL -> MAJOROUTAGE")));
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::config::Config;
use super::plan::{Action, Note, NoteKind, Plan};
use super::CurrentPage;

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

/// The owner note of a component whose mode withholds its status (the engine treats it like a
/// component someone else owns: left as the page shows it, counted so by its groups).
pub(super) fn withheld(mode: Mode) -> Option<(NoteKind, String)> {
    match mode {
        Mode::Automatic => None,
        Mode::Observe => Some((NoteKind::Observe, "observe mode".to_owned())),
        Mode::Off => Some((NoteKind::Observe, "off".to_owned())),
    }
}

/// The pass after the engine over a plan made with `modes` (the withheld components only):
/// an incident whose cause is withheld becomes an `observe` note (dropped when off), and the
/// statuses its writes would have carried for automatic components are written on their own;
/// a withheld component's `unknown` notes become `observe` notes (it publishes nothing, so it
/// leaves no run unconverged), and an `off` component's notes are dropped.
pub(super) fn step(plan: Plan, modes: &BTreeMap<&str, Mode>, page: &CurrentPage) -> Plan {
    if modes.is_empty() {
        return plan;
    }
    let mode_of = |path: &str| modes.get(path).copied().unwrap_or_default();
    let Plan {
        actions,
        mut notes,
        marker,
    } = plan;
    notes.retain_mut(|n| match (mode_of(&n.path), n.kind) {
        (Mode::Automatic, _) => true,
        (Mode::Off, NoteKind::Unknown | NoteKind::Observe) => false,
        (Mode::Observe, NoteKind::Unknown) => {
            n.kind = NoteKind::Observe;
            n.message = format!("observe: {}", n.message);
            true
        }
        _ => true,
    });
    let mut kept = Vec::with_capacity(actions.len());
    for action in actions {
        let path = path_of(&action).to_owned();
        let mode = mode_of(&path);
        if mode == Mode::Automatic {
            kept.push(action);
            continue;
        }
        if mode == Mode::Observe {
            notes.push(Note {
                path: path.clone(),
                kind: NoteKind::Observe,
                message: format!("observe: would {}", describe(&action)),
            });
        }
        // The automatic components the withheld incident listed still get their status.
        let members = match &action {
            Action::OpenIncident { components, .. } | Action::UpdateIncident { components, .. } => {
                components.as_slice()
            }
            _ => &[],
        };
        for m in members
            .iter()
            .filter(|m| !m.owned && mode_of(&m.path) == Mode::Automatic)
        {
            let Some(on_page) = page.components.iter().find(|c| c.id == m.component) else {
                continue;
            };
            if on_page.status != m.status {
                kept.push(Action::SetStatus {
                    component: m.component.clone(),
                    path: m.path.clone(),
                    from: on_page.status.clone(),
                    to: m.status.clone(),
                    reason: format!("raised by {path:?}, whose incident is withheld ({mode:?})"),
                });
            }
        }
    }
    Plan {
        actions: kept,
        notes,
        marker,
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
    let level = |components: &[super::plan::Affected]| {
        components
            .first()
            .map_or_else(String::new, |a| format!(" at {}", a.status))
    };
    match action {
        Action::SetStatus {
            from, to, reason, ..
        } => format!("set {from} -> {to} ({reason})"),
        Action::OpenIncident {
            name, components, ..
        } => format!("open the incident {name:?}{}", level(components)),
        Action::UpdateIncident {
            incident,
            incident_status,
            components,
            ..
        } => format!(
            "update the incident {incident} to {incident_status}{}",
            level(components)
        ),
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

    /// Every status the plan writes, on its own or carried by an incident's write.
    fn written(plan: &Plan) -> Vec<(String, String)> {
        plan.actions
            .iter()
            .flat_map(|a| match a {
                Action::SetStatus { path, to, .. } => vec![(path.clone(), to.to_string())],
                Action::OpenIncident { components, .. }
                | Action::UpdateIncident { components, .. } => components
                    .iter()
                    .filter(|m| !m.owned)
                    .map(|m| (m.path.clone(), m.status.to_string()))
                    .collect(),
                Action::CloseDuplicate { .. } => vec![],
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
        let (plan, _) =
            engine.evaluate_with_modes(&obs, &BTreeMap::new(), &page, State::default(), now());
        assert!(
            plan.actions.is_empty(),
            "the configured mode applies: {plan:#?}"
        );
        let automatic = BTreeMap::from([(
            "Monitoring Systems/Alert Manager".to_owned(),
            Mode::Automatic,
        )]);
        let (plan, _) =
            engine.evaluate_with_modes(&obs, &automatic, &page, State::default(), now());
        assert!(written(&plan)
            .iter()
            .any(|(p, _)| p == "Monitoring Systems/Alert Manager"));
        let (plan, _) = engine.evaluate(&obs, &page, State::default(), now());
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
        // An incident would need the status it cannot write: none is opened, and the note says so.
        assert!(observe
            .iter()
            .any(|n| n.path == "Monitoring Systems/Alert Manager"
                && n.message == "no incident opened: observe mode"));
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
        let automatic = BTreeMap::from([(
            "Monitoring Systems/Alert Manager".to_owned(),
            Mode::Automatic,
        )]);
        let (plan, _) =
            engine.evaluate_with_modes(&obs, &automatic, &page, State::default(), now());
        assert!(plan.notes.iter().any(|n| n.kind == NoteKind::Unknown));
        let (plan, _) = engine.evaluate(&obs, &page, State::default(), now());
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
        let (same, _) =
            engine.evaluate_with_modes(&obs, &BTreeMap::new(), &page, State::default(), now());
        assert_eq!(plan, same);
        assert!(
            written(&plan).contains(&(
                "Ethereum Services/Execution Client".into(),
                "MAJOROUTAGE".into()
            )),
            "{plan:#?}"
        );
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
