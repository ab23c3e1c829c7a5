//! Table-driven tests of every rule kind, with an injected clock.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde_json::{json, Value};

use super::maintenance::{self, DeclaredWindow, MaintenanceAction};
use super::*;
use crate::model::{ComponentStatus, IncidentStatus, Maintenance};

pub(super) const T0: i64 = 1_800_000_000;

pub(super) fn at(secs: i64) -> Timestamp {
    Timestamp::from_second(T0 + secs).unwrap()
}

pub(super) fn engine(config: Value) -> Engine {
    Engine::new(serde_json::from_value(config).expect("config parses")).expect("config is valid")
}

fn config_error(config: Value) -> ConfigError {
    Engine::new(serde_json::from_value(config).expect("config parses"))
        .expect_err("config is invalid")
}

/// A page with top-level components `(id, name, status)`.
pub(super) fn page(components: &[(&str, &str, &str)]) -> CurrentPage {
    CurrentPage {
        components: components
            .iter()
            .map(|(id, name, status)| {
                serde_json::from_value(json!({"id": id, "name": name, "status": status})).unwrap()
            })
            .collect(),
        ..CurrentPage::default()
    }
}

pub(super) fn samples(values: &[f64], when: Timestamp) -> QueryResult {
    QueryResult::Samples(
        values
            .iter()
            .enumerate()
            .map(|(i, v)| Sample {
                labels: BTreeMap::from([("instance".to_owned(), format!("node{i}"))]),
                value: *v,
                timestamp: when,
            })
            .collect(),
    )
}

pub(super) fn query(q: &str, result: QueryResult) -> Observations {
    Observations {
        queries: BTreeMap::from([(q.to_owned(), result)]),
        alerts: Vec::new(),
    }
}

pub(super) fn alert(fingerprint: &str, name: &str, starts: i64, firing: bool) -> Alert {
    Alert {
        fingerprint: fingerprint.to_owned(),
        starts_at: at(starts),
        ends_at: None,
        firing,
        labels: BTreeMap::from([
            ("alertname".to_owned(), name.to_owned()),
            ("severity".to_owned(), "critical".to_owned()),
        ]),
        annotations: BTreeMap::from([("summary".to_owned(), format!("{name} fires"))]),
    }
}

pub(super) fn delivery(received: i64, alerts: Vec<Alert>) -> Observations {
    Observations {
        queries: BTreeMap::new(),
        alerts: vec![AlertDelivery {
            received_at: at(received),
            alerts,
            complete: false,
        }],
    }
}

pub(super) fn statuses(plan: &Plan) -> Vec<(String, ComponentStatus)> {
    plan.actions
        .iter()
        .filter_map(|a| match a {
            Action::SetStatus { path, to, .. } => Some((path.clone(), to.clone())),
            _ => None,
        })
        .collect()
}

/// Runs the engine over (time, observations), applying each plan to the page.
pub(super) fn run(
    engine: &Engine,
    page: &mut CurrentPage,
    steps: Vec<(i64, Observations)>,
) -> (Vec<Plan>, State) {
    let mut state = State::default();
    let mut plans = Vec::new();
    for (t, obs) in steps {
        let (plan, next) = engine.evaluate(&obs, page, state, at(t));
        page.apply_preview(&plan, at(t));
        state = next;
        plans.push(plan);
    }
    (plans, state)
}

fn latency_rule(extra: Value) -> Value {
    let mut rule = json!({
        "query": "latency",
        "op": ">",
        "levels": [
            {"level": "degraded", "enter": 1.0, "exit": 0.8},
            {"level": "partial_outage", "enter": 2.0, "exit": 1.5},
            {"level": "major_outage", "enter": 5.0}
        ],
        "enter_for_secs": 0,
        "exit_for_secs": 0
    });
    for (k, v) in extra.as_object().unwrap() {
        rule[k] = v.clone();
    }
    json!({"components": [{"path": "API", "rules": [{"threshold": rule}]}], "incidents": {"enabled": false}})
}

#[test]
fn matchers_use_alertmanager_operators_and_anchor_regexes() {
    let labels = BTreeMap::from([
        ("alertname".to_owned(), "GethDown".to_owned()),
        ("severity".to_owned(), "critical".to_owned()),
    ]);
    let cases = [
        ("alertname=\"GethDown\"", true),
        ("alertname=GethDown", true),
        ("alertname!=\"GethDown\"", false),
        ("severity=~\"crit\"", false), // anchored: a prefix is not a match
        ("severity=~\"crit.*\"", true),
        ("severity=~\"warning|critical\"", true),
        ("severity!~\"warning|critical\"", false),
        ("instance=\"\"", true), // a missing label matches as empty
        ("instance!=\"\"", false),
        ("instance!~\".+\"", true),
    ];
    for (text, expected) in cases {
        let m = Matcher::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(m.matches(&labels), expected, "{text}");
    }
    for bad in ["alertname", "=\"x\"", "a=~\"(\"", "a==\"x\"x", "a>\"x\""] {
        let e = Matcher::parse(bad).expect_err(bad);
        assert!(!e.to_string().is_empty(), "{bad}");
    }
    assert!(Matcher::parse("alertname")
        .unwrap_err()
        .to_string()
        .contains("=, !=, =~, !~"));
}

#[test]
fn threshold_levels_use_enter_and_exit_thresholds() {
    let e = engine(latency_rule(json!({})));
    let mut p = page(&[("c1", "API", "OPERATIONAL")]);
    // (value, expected level after the reading): enter at 1/2/5, stay above 0.8/1.5.
    let table = [
        (0.5, ComponentStatus::Operational),
        (1.2, ComponentStatus::DegradedPerformance),
        (0.9, ComponentStatus::DegradedPerformance), // above exit 0.8: stays
        (0.7, ComponentStatus::Operational),
        (2.5, ComponentStatus::PartialOutage),
        (1.6, ComponentStatus::PartialOutage), // above exit 1.5
        (1.4, ComponentStatus::DegradedPerformance),
        (9.0, ComponentStatus::MajorOutage),
        (4.9, ComponentStatus::PartialOutage), // major has no exit: leaves below 5
    ];
    let mut state = State::default();
    for (i, (value, expected)) in table.into_iter().enumerate() {
        let now = at(i as i64 * 30);
        let (plan, next) = e.evaluate(&query("latency", samples(&[value], now)), &p, state, now);
        p.apply_preview(&plan, now);
        state = next;
        assert_eq!(p.components[0].status, expected, "step {i}: value {value}");
    }
}

#[test]
fn threshold_comparisons_and_aggregates() {
    // (rule overrides, sample values, expected status)
    let table: Vec<(Value, Vec<f64>, ComponentStatus)> = vec![
        (
            json!({}),
            vec![0.1, 0.2, 2.2],
            ComponentStatus::PartialOutage,
        ), // worst
        (
            json!({"aggregate": "any"}),
            vec![0.1, 1.1],
            ComponentStatus::DegradedPerformance,
        ),
        (
            json!({"aggregate": "all"}),
            vec![0.1, 9.0],
            ComponentStatus::Operational,
        ),
        (
            json!({"aggregate": "all"}),
            vec![1.1, 9.0],
            ComponentStatus::DegradedPerformance,
        ),
        (
            json!({"aggregate": {"ratio": 0.5}}),
            vec![9.0, 9.0, 0.0, 0.0],
            ComponentStatus::MajorOutage,
        ),
        (
            json!({"aggregate": {"ratio": 0.5}}),
            vec![9.0, 0.0, 0.0, 0.0],
            ComponentStatus::Operational,
        ),
        (
            json!({"aggregate": {"quorum": 2}}),
            vec![9.0, 2.5, 0.0],
            ComponentStatus::PartialOutage,
        ),
        (
            json!({"aggregate": {"quorum": 3}}),
            vec![9.0, 2.5, 0.0],
            ComponentStatus::Operational,
        ),
        (
            json!({"op": ">="}),
            vec![1.0],
            ComponentStatus::DegradedPerformance,
        ),
        (json!({"op": ">"}), vec![1.0], ComponentStatus::Operational),
        (
            json!({"on_empty": "operational"}),
            vec![],
            ComponentStatus::Operational,
        ),
        (
            json!({}),
            vec![f64::NAN, 2.5],
            ComponentStatus::PartialOutage,
        ), // NaN ignored
    ];
    for (i, (overrides, values, expected)) in table.into_iter().enumerate() {
        let e = engine(latency_rule(overrides.clone()));
        let p = page(&[("c1", "API", "OPERATIONAL")]);
        let (plan, _) = e.evaluate(
            &query("latency", samples(&values, at(0))),
            &p,
            State::default(),
            at(0),
        );
        let got = statuses(&plan)
            .first()
            .map(|(_, s)| s.clone())
            .unwrap_or(ComponentStatus::Operational);
        assert_eq!(got, expected, "case {i}: {overrides} {values:?}");
    }
    // Falling comparisons: `<` with exits above the enters (e.g. peer count).
    let e = engine(
        json!({"components": [{"path": "P2P", "rules": [{"threshold": {
        "query": "peers", "op": "<", "enter_for_secs": 0, "exit_for_secs": 0,
        "levels": [{"level": "degraded", "enter": 10, "exit": 12}, {"level": "major_outage", "enter": 1}]
    }}]}], "incidents": {"enabled": false}}),
    );
    let mut p = page(&[("c1", "P2P", "OPERATIONAL")]);
    let (plans, _) = run(
        &e,
        &mut p,
        vec![
            (0, query("peers", samples(&[9.0], at(0)))),
            (30, query("peers", samples(&[11.0], at(30)))),
            (60, query("peers", samples(&[13.0], at(60)))),
            (90, query("peers", samples(&[0.0], at(90)))),
        ],
    );
    let got: Vec<_> = plans.iter().map(statuses).collect();
    assert_eq!(
        got[0],
        vec![("P2P".into(), ComponentStatus::DegradedPerformance)]
    );
    assert!(
        got[1].is_empty(),
        "11 is inside the exit band: stays degraded"
    );
    assert_eq!(got[2], vec![("P2P".into(), ComponentStatus::Operational)]);
    assert_eq!(got[3], vec![("P2P".into(), ComponentStatus::MajorOutage)]);
}

#[test]
fn hold_times_enter_late_leave_later_and_relapse_restarts_recovery() {
    let e = engine(latency_rule(
        json!({"enter_for_secs": 60, "exit_for_secs": 300}),
    ));
    let mut p = page(&[("c1", "API", "OPERATIONAL")]);
    let bad = |t| (t, query("latency", samples(&[9.0], at(t))));
    let good = |t| (t, query("latency", samples(&[0.0], at(t))));
    // (time, reading, status after)
    let steps = vec![
        (bad(0), ComponentStatus::Operational),    // condition starts
        (bad(30), ComponentStatus::Operational),   // held 30 s < 60 s
        (good(45), ComponentStatus::Operational),  // a blip resets the enter timer
        (bad(60), ComponentStatus::Operational),   // starts again
        (bad(120), ComponentStatus::MajorOutage),  // held 60 s
        (good(150), ComponentStatus::MajorOutage), // recovery starts
        (good(400), ComponentStatus::MajorOutage), // 250 s < 300 s
        (bad(420), ComponentStatus::MajorOutage),  // relapse: recovery restarts
        (good(430), ComponentStatus::MajorOutage),
        (good(700), ComponentStatus::MajorOutage), // 270 s since 430
        (good(730), ComponentStatus::Operational), // 300 s
    ];
    let mut state = State::default();
    for (i, ((t, obs), expected)) in steps.into_iter().enumerate() {
        let (plan, next) = e.evaluate(&obs, &p, state, at(t));
        p.apply_preview(&plan, at(t));
        state = next;
        assert_eq!(p.components[0].status, expected, "step {i} at {t}s");
        if expected != ComponentStatus::Operational || i == 0 {
            continue;
        }
    }
}

#[test]
fn silence_is_not_health_failed_stale_and_missing_results_keep_the_level() {
    let e = engine(latency_rule(json!({})));
    let p = page(&[("c1", "API", "MAJOROUTAGE")]);
    let cases: Vec<(&str, Observations)> = vec![
        (
            "failed",
            query("latency", QueryResult::Failed("connection refused".into())),
        ),
        ("stale", query("latency", samples(&[0.0], at(-301)))),
        ("missing", Observations::default()),
        ("empty", query("latency", samples(&[], at(0)))),
        ("nan", query("latency", samples(&[f64::NAN], at(0)))),
    ];
    for (name, obs) in cases {
        let (plan, _) = e.evaluate(&obs, &p, State::default(), at(0));
        assert!(plan.actions.is_empty(), "{name}: {:?}", plan.actions);
        assert!(
            plan.notes.iter().any(|n| n.kind == NoteKind::Unknown),
            "{name}: the plan says why: {:?}",
            plan.notes
        );
    }
    // A fresh sample (within 300 s) lowers it.
    let (plan, _) = e.evaluate(
        &query("latency", samples(&[0.0], at(-299))),
        &p,
        State::default(),
        at(0),
    );
    assert_eq!(
        statuses(&plan),
        vec![("API".into(), ComponentStatus::Operational)]
    );
}

fn alert_config(extra: Value) -> Value {
    let mut config = json!({
        "components": [{"path": "Execution Client", "rules": [{"alert": {
            "matchers": ["alertname=\"GethDown\"", "severity=~\"critical|page\""],
            "level": "major_outage", "exit_for_secs": 120
        }}]}],
        "incidents": {"enabled": false}
    });
    for (k, v) in extra.as_object().unwrap() {
        config[k] = v.clone();
    }
    config
}

#[test]
fn alert_rules_follow_alerts_by_fingerprint_and_starts_at() {
    let e = engine(alert_config(json!({})));
    let mut p = page(&[("c1", "Execution Client", "OPERATIONAL")]);
    let (plans, state) = run(
        &e,
        &mut p,
        vec![
            (
                0,
                delivery(
                    0,
                    vec![
                        alert("aa", "GethDown", -10, true),
                        alert("bb", "Other", -10, true),
                    ],
                ),
            ),
            (10, delivery(10, vec![alert("aa", "GethDown", -10, true)])), // duplicate: no write
            (20, delivery(20, vec![alert("aa", "GethDown", -10, false)])), // resolved
            (30, delivery(30, vec![alert("aa", "GethDown", -10, true)])), // late firing duplicate after resolve
            (150, Observations::default()), // exit hold (120 s from 20) passed
        ],
    );
    assert_eq!(
        statuses(&plans[0]),
        vec![("Execution Client".into(), ComponentStatus::MajorOutage)]
    );
    assert!(
        plans[1].actions.is_empty() && plans[2].actions.is_empty() && plans[3].actions.is_empty()
    );
    assert_eq!(
        statuses(&plans[4]),
        vec![("Execution Client".into(), ComponentStatus::Operational)]
    );
    assert!(!state.alerts[&format!("aa@{}", at(-10))].firing);
    // A new episode (new startsAt) of the same alert fires again.
    let (plan, _) = e.evaluate(
        &delivery(200, vec![alert("aa", "GethDown", 190, true)]),
        &p,
        state,
        at(200),
    );
    assert_eq!(
        statuses(&plan),
        vec![("Execution Client".into(), ComponentStatus::MajorOutage)]
    );
    // A firing alert whose endsAt has passed (its resolve never came) no longer counts.
    let mut expired = alert("cc", "GethDown", 0, true);
    expired.ends_at = Some(at(100));
    let p2 = page(&[("c1", "Execution Client", "OPERATIONAL")]);
    let (plan, _) = e.evaluate(&delivery(50, vec![expired]), &p2, State::default(), at(101));
    assert!(plan.actions.is_empty());
}

#[test]
fn a_complete_alert_list_resolves_alerts_missing_from_it() {
    let e = engine(alert_config(json!({})));
    let mut p = page(&[("c1", "Execution Client", "OPERATIONAL")]);
    let mut snapshot = delivery(300, vec![alert("bb", "Other", 0, true)]);
    snapshot.alerts[0].complete = true;
    let (plans, _) = run(
        &e,
        &mut p,
        vec![
            (0, delivery(0, vec![alert("aa", "GethDown", 0, true)])),
            (300, snapshot),
            (420, Observations::default()),
        ],
    );
    assert_eq!(statuses(&plans[0]).len(), 1);
    assert!(plans[1].actions.is_empty(), "exit hold starts at 300");
    assert_eq!(
        statuses(&plans[2]),
        vec![("Execution Client".into(), ComponentStatus::Operational)]
    );
}

#[test]
fn a_missing_heartbeat_makes_alert_rules_unknown() {
    let e = engine(alert_config(json!({"freshness": {"heartbeat": {
        "matchers": ["alertname=\"Watchdog\""], "max_silence_secs": 600
    }}})));
    let p = page(&[("c1", "Execution Client", "MAJOROUTAGE")]);
    // Never seen: unknown, level kept.
    let (plan, state) = e.evaluate(&Observations::default(), &p, State::default(), at(0));
    assert!(plan.actions.is_empty());
    assert!(plan
        .notes
        .iter()
        .any(|n| n.kind == NoteKind::Unknown && n.message.contains("heartbeat")));
    // Seen: known; no alert fires, so the recovery starts and completes after 120 s.
    let (plan, state) = e.evaluate(
        &delivery(10, vec![alert("w", "Watchdog", 0, true)]),
        &p,
        state,
        at(10),
    );
    assert!(plan.actions.is_empty());
    let (plan, state) = e.evaluate(&Observations::default(), &p, state, at(130));
    assert_eq!(
        statuses(&plan),
        vec![("Execution Client".into(), ComponentStatus::Operational)]
    );
    // Silent for more than 600 s: unknown again; a firing alert now is not trusted either way.
    let p = page(&[("c1", "Execution Client", "OPERATIONAL")]);
    let (plan, _) = e.evaluate(
        &delivery(700, vec![alert("g", "GethDown", 690, true)]),
        &p,
        state,
        at(700),
    );
    assert!(plan.actions.is_empty(), "{:?}", plan.actions);
    assert!(plan.notes.iter().any(|n| n.kind == NoteKind::Unknown));
}

#[test]
fn a_component_takes_the_worst_rule_and_dependencies_propagate_outages() {
    let rule = |name: &str, level: &str| json!({"alert": {"matchers": [format!("alertname=\"{name}\"")], "level": level, "exit_for_secs": 0}});
    let e = engine(json!({
        "components": [
            {"path": "Beacon", "rules": [rule("BeaconDown", "major_outage"), rule("BeaconSlow", "degraded")]},
            {"path": "Validator", "requires": ["Beacon"]},
            {"path": "Explorer", "optional": ["Beacon"]},
            {"path": "Faucet", "requires": ["Validator"]}
        ],
        "incidents": {"enabled": false}
    }));
    let components = [
        ("b", "Beacon", "OPERATIONAL"),
        ("v", "Validator", "OPERATIONAL"),
        ("x", "Explorer", "OPERATIONAL"),
        ("f", "Faucet", "OPERATIONAL"),
    ];
    // (firing alerts, expected [Beacon, Validator, Explorer, Faucet])
    use ComponentStatus::*;
    let table = [
        (
            vec!["BeaconSlow"],
            [DegradedPerformance, Operational, Operational, Operational],
        ), // degraded is not an outage
        (
            vec!["BeaconSlow", "BeaconDown"],
            [MajorOutage, MajorOutage, PartialOutage, MajorOutage],
        ),
    ];
    for (firing, expected) in table {
        let mut p = page(&components);
        let alerts = firing
            .iter()
            .enumerate()
            .map(|(i, n)| alert(&format!("f{i}"), n, 0, true))
            .collect();
        let (plan, _) = e.evaluate(&delivery(0, alerts), &p, State::default(), at(0));
        p.apply_preview(&plan, at(0));
        let got: Vec<_> = p.components.iter().map(|c| c.status.clone()).collect();
        assert_eq!(got, expected.to_vec(), "{firing:?}");
    }
}

#[test]
fn impact_of_a_maintenance_matches_what_the_evaluation_propagates() {
    // One graph for both: a major outage of Beacon evaluated live, and Beacon maintained, give
    // its dependents the same statuses; the write says which dependency raised it.
    let e = engine(json!({
        "components": [
            {"path": "Beacon", "rules": [{"alert": {"matchers": ["alertname=\"BeaconDown\""], "level": "major_outage"}}]},
            {"path": "Validator", "requires": ["Beacon"]},
            {"path": "Explorer", "optional": ["Beacon"]},
            {"path": "Faucet", "requires": ["Validator"]},
            {"path": "Docs"}
        ],
        "incidents": {"enabled": false}
    }));
    let p = page(&[
        ("b", "Beacon", "OPERATIONAL"),
        ("v", "Validator", "OPERATIONAL"),
        ("x", "Explorer", "OPERATIONAL"),
        ("f", "Faucet", "OPERATIONAL"),
        ("d", "Docs", "OPERATIONAL"),
    ]);
    let (plan, _) = e.evaluate(
        &delivery(0, vec![alert("f1", "BeaconDown", 0, true)]),
        &p,
        State::default(),
        at(0),
    );
    let live: BTreeMap<String, ComponentStatus> = statuses(&plan).into_iter().collect();
    let impact = e.impact(&["Beacon"]);
    let planned: BTreeMap<String, ComponentStatus> = impact
        .impacted
        .iter()
        .filter(|i| i.kind != ImpactKind::Direct)
        .map(|i| (i.path.clone(), i.status.clone()))
        .collect();
    let mut dependents = live.clone();
    dependents.remove("Beacon");
    assert_eq!(planned, dependents);
    assert_eq!(planned.len(), 3, "{impact:#?}");
    assert_eq!(impact.get("Faucet").unwrap().through.len(), 2);
    let reason = plan
        .actions
        .iter()
        .find_map(|a| match a {
            Action::SetStatus { path, reason, .. } if path == "Faucet" => Some(reason.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        reason,
        "rules at operational, raised to major_outage by requires \"Validator\""
    );
}

#[test]
fn dependency_cycles_and_bad_fields_are_config_errors_naming_the_field() {
    let e = config_error(json!({"components": [
        {"path": "A", "requires": ["B"]}, {"path": "B", "optional": ["C"]}, {"path": "C", "requires": ["A"]}
    ]}));
    assert!(
        e.message.contains("dependency cycle: A -> B -> C -> A"),
        "{e}"
    );
    let table = [
        (
            json!({"components": [{"path": "A", "requires": ["Z"]}]}),
            "components[0].requires[0]",
            "not a configured component",
        ),
        (
            json!({"components": [{"path": "A", "requires": ["A"]}]}),
            "components[0].requires[0]",
            "itself",
        ),
        (
            json!({"components": [{"path": "A"}, {"path": "A"}]}),
            "components[1].path",
            "twice",
        ),
        (
            json!({"components": [{"path": "G//A"}]}),
            "components[0].path",
            "name path",
        ),
        (
            json!({"components": [{"path": "A", "rules": [{"alert": {"matchers": ["x=~\"(\""], "level": "degraded"}}]}]}),
            "components[0].rules[0].alert.matchers[0]",
            "bad regex",
        ),
        (
            json!({"components": [{"path": "A", "rules": [{"alert": {"matchers": [], "level": "degraded"}}]}]}),
            "components[0].rules[0].alert.matchers",
            "at least one",
        ),
        (
            json!({"components": [{"path": "A", "rules": [{"alert": {"matchers": ["a=b"], "level": "operational"}}]}]}),
            "components[0].rules[0].alert.level",
            "degraded, partial_outage, major_outage",
        ),
        (
            json!({"components": [{"path": "A", "rules": [{"threshold": {"query": "q", "op": ">", "levels": [{"level": "degraded", "enter": 1, "exit": 2}]}}]}]}),
            "components[0].rules[0].threshold.levels[0].exit",
            "unhealthy side",
        ),
        (
            json!({"components": [{"path": "A", "rules": [{"threshold": {"query": "q", "op": ">", "levels": [{"level": "degraded", "enter": 5}, {"level": "major_outage", "enter": 1}]}}]}]}),
            "components[0].rules[0].threshold.levels[1].enter",
            "at least as extreme",
        ),
        (
            json!({"components": [{"path": "A", "rules": [{"threshold": {"query": "q", "op": ">", "levels": [{"level": "degraded", "enter": 1}], "aggregate": {"ratio": 1.5}}}]}]}),
            "components[0].rules[0].threshold.aggregate.ratio",
            "fraction",
        ),
        (
            json!({"components": [], "flapping": {"window": 21, "high": 20, "low": 30}}),
            "flapping",
            "low < high",
        ),
        (
            json!({"components": [], "incidents": {"templates": {"title": "{{ nmae }}"}}}),
            "incidents.templates.title",
            "not a variable here",
        ),
        (
            json!({"components": [], "incidents": {"templates": {"title": "{% if %}"}}}),
            "incidents.templates.title",
            "does not compile",
        ),
        (
            json!({"components": [], "incidents": {"open_at": "operational"}}),
            "incidents.open_at",
            "allowed values",
        ),
        (
            json!({"components": [], "incidents": {"time_zone": "Mars/Olympus"}}),
            "incidents.time_zone",
            "not a known IANA time zone (e.g. UTC, Europe/Berlin)",
        ),
        (
            json!({"components": [], "flapping": {"window_secs": 5}}),
            "flapping.window_secs",
            "allowed: 60 to 86400",
        ),
    ];
    for (config, path, message) in table {
        let e = config_error(config);
        assert_eq!(e.path, path, "{e}");
        assert!(e.message.contains(message), "{e}");
    }
    // Unknown fields and bad levels are caught by the parser, naming the allowed values.
    let bad: Result<Config, _> = serde_json::from_value(
        json!({"components": [{"path": "A", "rules": [{"alert": {"matchers": ["a=b"], "level": "down"}}]}]}),
    );
    assert!(bad
        .unwrap_err()
        .to_string()
        .contains("operational, degraded, partial_outage, major_outage"));
}

#[test]
fn groups_follow_their_children_by_the_stated_rule() {
    let mut components: Vec<crate::model::Component> = Vec::new();
    let child = |id: &str, name: &str, status: &str| json!({"id": id, "name": name, "status": status, "groupId": "g"});
    let group = json!({"id": "g", "name": "Nodes", "status": "OPERATIONAL", "isParent": true});
    for v in [
        group,
        child("a", "A", "MAJOROUTAGE"),
        child("b", "B", "MAJOROUTAGE"),
        child("c", "C", "OPERATIONAL"),
    ] {
        components.push(serde_json::from_value(v).unwrap());
    }
    use ComponentStatus::*;
    for (rule, expected) in [
        ("worst", Some(MajorOutage)),
        ("majority", Some(MajorOutage)),
        ("best", None),
    ] {
        let e = engine(json!({"components": [], "groups": [{"path": "Nodes", "rule": rule}]}));
        let p = CurrentPage {
            components: components.clone(),
            ..CurrentPage::default()
        };
        let (plan, _) = e.evaluate(&Observations::default(), &p, State::default(), at(0));
        assert_eq!(
            statuses(&plan).first().map(|s| s.1.clone()),
            expected,
            "{rule}"
        );
    }
    // Majority needs more than half: 1 of 3 down is not enough.
    components[2].status = Operational;
    let e = engine(json!({"components": [], "groups": [{"path": "Nodes", "rule": "majority"}]}));
    let p = CurrentPage {
        components,
        ..CurrentPage::default()
    };
    let (plan, _) = e.evaluate(&Observations::default(), &p, State::default(), at(0));
    assert!(plan.actions.is_empty());
}

#[test]
fn flapping_holds_the_worse_level_and_says_why() {
    let mut config = latency_rule(json!({}));
    config["incidents"] = json!({"enabled": true, "open_at": "major_outage"});
    let e = engine(config);
    let mut p = page(&[("c1", "API", "OPERATIONAL")]);
    let steps: Vec<_> = (0..30)
        .map(|i| {
            let v = if i % 2 == 0 { 9.0 } else { 0.0 };
            (i * 30, query("latency", samples(&[v], at(i * 30))))
        })
        .collect();
    let (plans, state) = run(&e, &mut p, steps);
    let writes: usize = plans.iter().map(|p| p.actions.len()).sum();
    assert!(state.components["API"].flap.flapping());
    assert_eq!(
        p.components[0].status,
        ComponentStatus::MajorOutage,
        "held at the worse level"
    );
    assert!(plans
        .last()
        .unwrap()
        .notes
        .iter()
        .any(|n| n.kind == NoteKind::Flapping));
    // Without flap protection this input writes 30 statuses plus incident steps; with it the
    // writes stop once flapping is detected.
    assert!(writes <= 20, "{writes} writes");
    let late: usize = plans[15..].iter().map(|p| p.actions.len()).sum();
    assert_eq!(late, 0, "no writes once flapping");
}

#[test]
fn flap_percentage_matches_nagios_weights_over_time() {
    let config = FlapConfig::default(); // 21 readings over 600 s: one slot every 30 s
    let now = at(600);
    // A change in every slot (ages 0, 30, ..., 570 s): about 100 %, as Nagios' 20 of 20.
    let every: std::collections::VecDeque<_> = (0..20)
        .map(|k| (at(600 - 30 * k), Level::MajorOutage))
        .collect();
    let percent = flap::change_percent(&every, now, &config);
    assert!((99.0..=102.0).contains(&percent), "{percent}");
    // No change: 0 %.
    assert_eq!(flap::change_percent(&Default::default(), now, &config), 0.0);
    // One change just now: weight 1.25 of 20 transitions.
    let one = std::collections::VecDeque::from([(now, Level::MajorOutage)]);
    assert!((flap::change_percent(&one, now, &config) - 6.25).abs() < 1e-9);
    // The same change at the window's far edge weighs 0.75.
    assert!((flap::change_percent(&one, at(1200), &config) - 3.75).abs() < 1e-9);
}

pub(super) fn incident_config() -> Value {
    json!({
        "components": [{"path": "Execution Client", "links": {"grafana": "https://grafana/d/el"},
            "rules": [{"alert": {"matchers": ["alertname=~\"Geth.*\""], "level": "major_outage", "exit_for_secs": 0}},
                      {"alert": {"matchers": ["alertname=\"ElSlow\""], "level": "partial_outage", "exit_for_secs": 0}}]}],
        "incidents": {"open_at": "partial_outage", "resolve_after_secs": 600, "reopen_within_secs": 3600}
    })
}

pub(super) fn incident_actions(plan: &Plan) -> Vec<String> {
    plan.actions
        .iter()
        .filter_map(|a| match a {
            Action::OpenIncident { .. } => Some("open".to_owned()),
            Action::UpdateIncident { step, .. } => Some(format!("{step:?}")),
            Action::CloseDuplicate { .. } => Some("close_duplicate".to_owned()),
            Action::SetStatus { .. } => None,
        })
        .collect()
}

#[test]
fn incident_lifecycle_opens_updates_monitors_resolves_and_reopens() {
    let e = engine(incident_config());
    let mut p = page(&[("c1", "Execution Client", "OPERATIONAL")]);
    let down = |t, fp: &str, name: &str, firing| (t, delivery(t, vec![alert(fp, name, 0, firing)]));
    let quiet = |t| (t, Observations::default());
    let (plans, _) = run(
        &e,
        &mut p,
        vec![
            down(0, "s", "ElSlow", true),       // 0: partial: open
            quiet(30),                          // 1: nothing new
            down(60, "g", "GethDown", true),    // 2: major: level changed
            down(90, "g", "GethDown", false),   // 3: back to partial: level changed
            down(120, "s", "ElSlow", false),    // 4: operational: monitoring
            quiet(500),                         // 5: dwell 380 s < 600 s
            down(600, "s2", "ElSlow", true),    // 6: relapse during monitoring
            down(660, "s2", "ElSlow", false),   // 7: monitoring again
            quiet(1300),                        // 8: dwell done: resolved
            down(2000, "g2", "GethDown", true), // 9: within the reopen window: reopened
        ],
    );
    let got: Vec<Vec<String>> = plans.iter().map(incident_actions).collect();
    let expected: Vec<Vec<&str>> = vec![
        vec!["open"],
        vec![],
        vec!["LevelChanged"],
        vec!["LevelChanged"],
        vec!["Monitoring"],
        vec![],
        vec!["Relapsed"],
        vec!["Monitoring"],
        vec!["Resolved"],
        vec!["Reopened"],
    ];
    assert_eq!(got, expected);
    assert_eq!(p.incidents.len(), 1, "one incident through the whole story");
    let incident = &p.incidents[0];
    assert_eq!(incident.status, IncidentStatus::Investigating);
    // The title follows the level's incident type: opened as a partial outage, reopened as a
    // major one.
    assert_eq!(incident.name.as_str(), "Execution Client is down");
    let first = incident.updates.last().unwrap().message.as_deref().unwrap();
    assert!(
        first.contains("Affected components: Execution Client (partial outage)."),
        "{first}"
    );
    assert!(
        first.contains("ElSlow fires") && first.contains("Dashboard: https://grafana/d/el"),
        "{first}"
    );
    assert!(first.ends_with("(Posted by status automation.)"), "{first}");
    // After the reopen window a new incident is opened instead.
    let mut state = State::default();
    for (t, firing) in [(2100, false), (2800, false), (9000, true)] {
        let (plan, next) = e.evaluate(
            &delivery(t, vec![alert("g2", "GethDown", 0, firing)]),
            &p,
            state,
            at(t),
        );
        p.apply_preview(&plan, at(t));
        state = next;
    }
    let _ = state;
    let (plan, _) = e.evaluate(
        &delivery(9000, vec![alert("g3", "GethDown", 8999, true)]),
        &p,
        State::default(),
        at(9000),
    );
    p.apply_preview(&plan, at(9000));
    assert_eq!(p.incidents.iter().filter(|i| i.is_open()).count(), 1);
    assert_eq!(
        p.incidents.len(),
        2,
        "the old one stays resolved, a new one opened"
    );
}

#[test]
fn a_restart_recognises_the_open_incident_from_the_page() {
    let e = engine(incident_config());
    let mut p = page(&[("c1", "Execution Client", "OPERATIONAL")]);
    let (plan, _) = e.evaluate(
        &delivery(0, vec![alert("g", "GethDown", 0, true)]),
        &p,
        State::default(),
        at(0),
    );
    p.apply_preview(&plan, at(0));
    // A second replica (or a restart) with empty state and the same alert: no second incident.
    let (plan, _) = e.evaluate(
        &delivery(5, vec![alert("g", "GethDown", 0, true)]),
        &p,
        State::default(),
        at(5),
    );
    assert!(plan.actions.is_empty(), "{:?}", plan.actions);
}

#[test]
fn a_race_that_created_two_incidents_closes_the_newer_one() {
    let e = engine(incident_config());
    let p0 = page(&[("c1", "Execution Client", "OPERATIONAL")]);
    let obs = delivery(0, vec![alert("g", "GethDown", 0, true)]);
    let (plan_a, _) = e.evaluate(&obs, &p0, State::default(), at(0));
    let (plan_b, _) = e.evaluate(&obs, &p0, State::default(), at(1));
    // Each replica applied its plan before seeing the other's incident.
    let mut p = p0.clone();
    p.apply_preview(&plan_a, at(0));
    let mut other = p0.clone();
    other.apply_preview(&plan_b, at(1));
    let mut late = other.incidents.remove(0);
    late.id = crate::model::IncidentId::new("preview-2");
    p.incidents.push(late);
    assert_eq!(p.incidents.len(), 2);
    let (plan, _) = e.evaluate(&obs, &p, State::default(), at(2));
    match plan.actions.as_slice() {
        [Action::CloseDuplicate {
            incident,
            duplicate_of,
            message,
            ..
        }] => {
            assert_eq!(incident.as_str(), "preview-2");
            assert_eq!(duplicate_of.as_str(), "preview-1");
            assert!(message.contains("duplicate of incident preview-1"));
        }
        other => panic!("{other:?}"),
    }
}

fn human_incident(component: &str) -> crate::model::Incident {
    serde_json::from_value(json!({
        "id": "human-1", "name": "Geth is down", "status": "IDENTIFIED", "started": "2026-12-01T10:00:00Z",
        "updates": [{"id": "u1", "message": "We are looking into it", "status": "IDENTIFIED"}],
        "components": [{"id": component, "status": "PARTIALOUTAGE"}]
    })).unwrap()
}

fn maintenance_in_progress(component: &str) -> Maintenance {
    serde_json::from_value(json!({
        "id": "m1", "name": "Reset", "status": "INPROGRESS", "start": "2026-12-01T10:00:00Z", "duration": 60,
        "components": [{"id": component}]
    })).unwrap()
}

#[test]
fn precedence_maintenance_then_a_person_then_automation() {
    let e = engine(incident_config());
    let obs = delivery(0, vec![alert("g", "GethDown", 0, true)]);
    // (page setup, expected note kind)
    let mut human = page(&[("c1", "Execution Client", "PARTIALOUTAGE")]);
    human.incidents.push(human_incident("c1"));
    let mut maint = page(&[("c1", "Execution Client", "OPERATIONAL")]);
    maint.maintenances.push(maintenance_in_progress("c1"));
    let mut both = human.clone();
    both.maintenances.push(maintenance_in_progress("c1"));
    let on_page = page(&[("c1", "Execution Client", "UNDERMAINTENANCE")]);
    for (name, p, kind) in [
        ("human", human, NoteKind::HumanIncident),
        ("maintenance", maint, NoteKind::Maintenance),
        ("both", both, NoteKind::Maintenance),
        ("status", on_page, NoteKind::Maintenance),
    ] {
        let (plan, _) = e.evaluate(&obs, &p, State::default(), at(0));
        assert!(plan.actions.is_empty(), "{name}: {:?}", plan.actions);
        assert!(
            plan.notes.iter().any(|n| n.kind == kind),
            "{name}: {:?}",
            plan.notes
        );
    }
    // A person's incident is never resolved by automation, even when everything recovers.
    let mut p = page(&[("c1", "Execution Client", "PARTIALOUTAGE")]);
    p.incidents.push(human_incident("c1"));
    let (plan, _) = e.evaluate(&Observations::default(), &p, State::default(), at(10_000));
    assert!(plan.actions.is_empty(), "{:?}", plan.actions);
}

#[test]
fn a_group_follows_what_the_page_shows_of_a_child_someone_else_owns() {
    let (e, mut g) = group_of_one();
    g.maintenances.push(maintenance_in_progress("a"));
    let firing = delivery(0, vec![alert("a", "ADown", 0, true)]);
    let (plan, _) = e.evaluate(&firing, &g, State::default(), at(0));
    // A is the maintenance's; G shows A as the page does (operational), not A's wanted outage.
    assert!(plan.actions.is_empty(), "{:?}", plan.actions);
    assert!(plan
        .notes
        .iter()
        .any(|n| n.path == "G/A" && n.kind == NoteKind::Maintenance));
    // Without the maintenance both are written.
    g.maintenances.clear();
    let (plan, _) = e.evaluate(&firing, &g, State::default(), at(0));
    assert_eq!(
        statuses(&plan),
        [
            ("G/A".into(), ComponentStatus::MajorOutage),
            ("G".into(), ComponentStatus::MajorOutage)
        ]
    );
}

/// Group `G` with one child `A` (an `ADown` alert takes it to a major outage), both
/// operational, and no incidents.
fn group_of_one() -> (Engine, CurrentPage) {
    let e = engine(json!({
        "components": [{"path": "G/A", "rules": [{"alert": {"matchers": ["alertname=\"ADown\""], "level": "major_outage"}}]}],
        "groups": [{"path": "G"}],
        "incidents": {"enabled": false}
    }));
    let g = CurrentPage {
        components: vec![serde_json::from_value(
            json!({"id": "g", "name": "G", "status": "OPERATIONAL", "isParent": true,
            "children": [{"id": "a", "name": "A", "status": "OPERATIONAL", "groupId": "g"}]}),
        )
        .unwrap()],
        ..CurrentPage::default()
    };
    (e, g)
}

pub(super) fn set_on_page(p: &mut CurrentPage, name: &str, status: &str) {
    let c = p
        .components
        .iter_mut()
        .find(|c| c.name.as_str() == name)
        .expect("component on the page");
    c.status = serde_json::from_value(json!(status)).unwrap();
}

pub(super) fn has_note(plan: &Plan, kind: NoteKind) -> bool {
    plan.notes.iter().any(|n| n.kind == kind)
}

#[test]
fn a_status_set_by_a_person_is_theirs_until_the_page_shows_automations_or_operational() {
    // GethDown: major outage, ElSlow: partial outage; no hold times.
    let mut config = incident_config();
    config["incidents"] = json!({"enabled": false});
    let e = engine(config);
    let mut p = page(&[("c1", "Execution Client", "OPERATIONAL")]);
    let mut state = State::default();
    let mut step = |p: &mut CurrentPage, t: i64, obs: Observations| {
        let (plan, next) = e.evaluate(&obs, p, std::mem::take(&mut state), at(t));
        p.apply_preview(&plan, at(t));
        state = next;
        plan
    };
    // Automation sets MAJOROUTAGE.
    let plan = step(
        &mut p,
        0,
        delivery(0, vec![alert("g", "GethDown", 0, true)]),
    );
    assert_eq!(
        statuses(&plan),
        [("Execution Client".into(), ComponentStatus::MajorOutage)]
    );
    // A person lowers it to DEGRADEDPERFORMANCE: not overwritten, and the plan says why.
    set_on_page(&mut p, "Execution Client", "DEGRADEDPERFORMANCE");
    let plan = step(&mut p, 30, Observations::default());
    assert!(plan.actions.is_empty(), "{:?}", plan.actions);
    let note = plan
        .notes
        .iter()
        .find(|n| n.kind == NoteKind::ManualStatus)
        .expect("manual note");
    assert!(
        note.message.contains("a person set DEGRADEDPERFORMANCE")
            && note.message.contains("MAJOROUTAGE"),
        "{}",
        note.message
    );
    // The alert resolves: automation would set OPERATIONAL, but the person's status stands.
    let plan = step(
        &mut p,
        60,
        delivery(60, vec![alert("g", "GethDown", 0, false)]),
    );
    let plan2 = step(&mut p, 400, Observations::default());
    assert!(plan.actions.is_empty() && plan2.actions.is_empty());
    assert!(has_note(&plan2, NoteKind::ManualStatus));
    // The person sets OPERATIONAL: handed back; the next outage is written again.
    set_on_page(&mut p, "Execution Client", "OPERATIONAL");
    let plan = step(&mut p, 430, Observations::default());
    assert!(plan.actions.is_empty() && !has_note(&plan, NoteKind::ManualStatus));
    let plan = step(
        &mut p,
        460,
        delivery(460, vec![alert("g2", "GethDown", 450, true)]),
    );
    assert_eq!(
        statuses(&plan),
        [("Execution Client".into(), ComponentStatus::MajorOutage)]
    );
    // A person raises it to PARTIALOUTAGE while automation wants MAJOROUTAGE: theirs ...
    set_on_page(&mut p, "Execution Client", "PARTIALOUTAGE");
    let plan = step(&mut p, 490, Observations::default());
    assert!(plan.actions.is_empty() && has_note(&plan, NoteKind::ManualStatus));
    // ... until automation's level comes to PARTIALOUTAGE (GethDown resolved, ElSlow firing):
    // handed back, and the later recovery is written.
    let plan = step(
        &mut p,
        500,
        delivery(
            500,
            vec![
                alert("g2", "GethDown", 450, false),
                alert("s", "ElSlow", 500, true),
            ],
        ),
    );
    assert!(plan.actions.is_empty(), "{:?}", plan.actions);
    let plan = step(&mut p, 800, Observations::default());
    assert!(
        plan.actions.is_empty(),
        "handed back, nothing to write: {:?}",
        plan.actions
    );
    assert!(!has_note(&plan, NoteKind::ManualStatus), "{:?}", plan.notes);
    let plan = step(
        &mut p,
        810,
        delivery(810, vec![alert("s", "ElSlow", 500, false)]),
    );
    assert_eq!(
        statuses(&plan),
        [("Execution Client".into(), ComponentStatus::Operational)]
    );
}

#[test]
fn a_write_in_flight_or_failed_is_not_mistaken_for_a_persons_edit() {
    let e = engine(alert_config(json!({})));
    let p = page(&[("c1", "Execution Client", "OPERATIONAL")]);
    let (plan, state) = e.evaluate(
        &delivery(0, vec![alert("g", "GethDown", 0, true)]),
        &p,
        State::default(),
        at(0),
    );
    assert_eq!(statuses(&plan).len(), 1);
    // The write was not applied: the page still shows the old status, automation's own.
    let (plan, state) = e.evaluate(&Observations::default(), &p, state, at(30));
    assert_eq!(statuses(&plan).len(), 1, "written again: {:?}", plan.notes);
    // The write is applied now, and the state kept both.
    let mut applied = p.clone();
    applied.apply_preview(&plan, at(30));
    let (plan, _) = e.evaluate(&Observations::default(), &applied, state, at(60));
    assert!(plan.actions.is_empty() && !has_note(&plan, NoteKind::ManualStatus));
    // Without a state (a restart), the page's status is adopted as automation's.
    let mut edited = applied.clone();
    set_on_page(&mut edited, "Execution Client", "DEGRADEDPERFORMANCE");
    let (plan, state) = e.evaluate(&Observations::default(), &edited, State::default(), at(90));
    assert!(!has_note(&plan, NoteKind::ManualStatus));
    assert_eq!(
        state.statuses["Execution Client"].own,
        ComponentStatus::DegradedPerformance
    );
}

#[test]
fn a_persons_status_holds_back_incidents_and_group_writes_too() {
    let e = engine(incident_config());
    let mut p = page(&[("c1", "Execution Client", "OPERATIONAL")]);
    let (plans, state) = run(
        &e,
        &mut p,
        vec![(0, delivery(0, vec![alert("g", "GethDown", 0, true)]))],
    );
    assert_eq!(incident_actions(&plans[0]), ["open"]);
    // A person sets DEGRADEDPERFORMANCE; the alert resolves: the incident moves on to
    // MONITORING, but its update carries the person's status, not OPERATIONAL.
    set_on_page(&mut p, "Execution Client", "DEGRADEDPERFORMANCE");
    let (plan, state) = e.evaluate(
        &delivery(10, vec![alert("g", "GethDown", 0, false)]),
        &p,
        state,
        at(10),
    );
    let update = plan
        .actions
        .iter()
        .find_map(|a| match a {
            Action::UpdateIncident {
                step, components, ..
            } => Some((*step, components[0].status.clone())),
            _ => None,
        })
        .expect("an incident update");
    assert_eq!(
        update,
        (
            IncidentStep::Monitoring,
            ComponentStatus::DegradedPerformance
        )
    );
    assert!(statuses(&plan).is_empty());
    // No incident opens while the person's status stands (after this one is resolved).
    let _ = state;
    let mut fresh = page(&[("c1", "Execution Client", "OPERATIONAL")]);
    let (_, state) = e.evaluate(&Observations::default(), &fresh, State::default(), at(0));
    set_on_page(&mut fresh, "Execution Client", "DEGRADEDPERFORMANCE");
    let (plan, _) = e.evaluate(
        &delivery(20, vec![alert("g3", "GethDown", 20, true)]),
        &fresh,
        state,
        at(20),
    );
    assert!(plan.actions.is_empty(), "{:?}", plan.actions);
    assert!(plan
        .notes
        .iter()
        .any(|n| n.kind == NoteKind::ManualStatus && n.message.starts_with("no incident opened")));

    // Groups: a person's status on a group is not overwritten by the group rule.
    let (e, mut g) = group_of_one();
    let (_, state) = e.evaluate(&Observations::default(), &g, State::default(), at(0));
    g.components[0].status = ComponentStatus::PartialOutage;
    let (plan, _) = e.evaluate(
        &delivery(10, vec![alert("a", "ADown", 10, true)]),
        &g,
        state,
        at(10),
    );
    assert_eq!(
        statuses(&plan),
        [("G/A".into(), ComponentStatus::MajorOutage)]
    );
    assert!(plan
        .notes
        .iter()
        .any(|n| n.path == "G" && n.kind == NoteKind::ManualStatus));
}

#[test]
fn a_restart_starts_rules_at_the_page_level_and_recovers_only_after_the_hold() {
    let e = engine(latency_rule(json!({"exit_for_secs": 300})));
    let mut p = page(&[("c1", "API", "MAJOROUTAGE")]);
    let (plans, _) = run(
        &e,
        &mut p,
        vec![
            (0, query("latency", samples(&[0.0], at(0)))),
            (299, query("latency", samples(&[0.0], at(299)))),
            (300, query("latency", samples(&[0.0], at(300)))),
        ],
    );
    assert!(plans[0].actions.is_empty() && plans[1].actions.is_empty());
    assert_eq!(
        statuses(&plans[2]),
        vec![("API".into(), ComponentStatus::Operational)]
    );
}

#[test]
fn components_missing_or_duplicated_on_the_page_are_noted_not_written() {
    let e = engine(alert_config(json!({})));
    let p = page(&[
        ("c1", "Execution Client", "OPERATIONAL"),
        ("c2", "Execution Client", "OPERATIONAL"),
    ]);
    let (plan, _) = e.evaluate(
        &delivery(0, vec![alert("g", "GethDown", 0, true)]),
        &p,
        State::default(),
        at(0),
    );
    assert!(plan.actions.is_empty());
    assert!(plan
        .notes
        .iter()
        .any(|n| n.kind == NoteKind::NotOnPage && n.message.contains("2 components")));
}

#[test]
fn maintenance_lifecycle_table() {
    use MaintenanceAction as A;
    let window = DeclaredWindow {
        start: at(1000),
        end: at(4600),
        cancelled: false,
    };
    let cancelled = DeclaredWindow {
        cancelled: true,
        ..window.clone()
    };
    let longer = DeclaredWindow {
        end: at(8200),
        ..window.clone()
    };
    let moved = DeclaredWindow {
        start: at(2000),
        end: at(5600),
        cancelled: false,
    };
    let m = |status: &str| -> Maintenance {
        serde_json::from_value(json!({"id": "m", "name": "Reset", "status": status,
            "start": at(1000).to_string(), "duration": 60}))
        .unwrap()
    };
    let table: Vec<(Option<&DeclaredWindow>, Option<Maintenance>, i64, A)> = vec![
        (
            None,
            None,
            0,
            A::Nothing("no maintenance wanted and none exists"),
        ),
        (Some(&window), None, 0, A::Schedule),
        (Some(&window), None, 2000, A::CreateInProgress),
        (
            Some(&window),
            None,
            5000,
            A::Nothing("the declared window is over"),
        ),
        (
            Some(&window),
            Some(m("NOTSTARTEDYET")),
            0,
            A::Nothing("scheduled as declared"),
        ),
        (Some(&moved), Some(m("NOTSTARTEDYET")), 0, A::Reschedule),
        (Some(&window), Some(m("NOTSTARTEDYET")), 1000, A::Start),
        (Some(&window), Some(m("NOTSTARTEDYET")), 4600, A::Complete),
        (
            Some(&window),
            Some(m("INPROGRESS")),
            2000,
            A::Nothing("in progress as declared"),
        ),
        (Some(&longer), Some(m("INPROGRESS")), 4000, A::Extend),
        (Some(&window), Some(m("INPROGRESS")), 4600, A::Complete),
        (Some(&cancelled), Some(m("NOTSTARTEDYET")), 0, A::Cancel),
        (None, Some(m("NOTSTARTEDYET")), 0, A::Cancel),
        (Some(&cancelled), Some(m("INPROGRESS")), 2000, A::Complete),
        (
            Some(&window),
            Some(m("COMPLETED")),
            2000,
            A::Nothing("the maintenance is completed"),
        ),
        (
            Some(&window),
            Some(m("PAUSED")),
            2000,
            A::Nothing("unknown maintenance stage"),
        ),
    ];
    for (i, (declared, current, now, expected)) in table.into_iter().enumerate() {
        assert_eq!(
            maintenance::step(declared, current.as_ref(), at(now)),
            expected,
            "row {i}"
        );
    }
}

#[test]
fn levels_parse_both_spellings_and_map_to_component_statuses() {
    for (text, level) in [
        ("major_outage", Level::MajorOutage),
        ("MAJOROUTAGE", Level::MajorOutage),
        ("degraded_performance", Level::Degraded),
        ("Partial Outage", Level::PartialOutage),
        ("operational", Level::Operational),
    ] {
        assert_eq!(Level::parse(text), Ok(level), "{text}");
        assert_eq!(Level::from_status(&level.status()), level);
    }
    assert!(Level::parse("down")
        .unwrap_err()
        .to_string()
        .contains("allowed values"));
    assert!(
        Level::Operational < Level::Degraded
            && Level::Degraded < Level::PartialOutage
            && Level::PartialOutage < Level::MajorOutage
    );
}
