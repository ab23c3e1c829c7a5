//! The incident lifecycle per cause, with an injected clock and the in-memory page: the table of
//! `incident::decide`'s arms, one incident per cause, escalations on the same incident, the
//! "Affected components" line, and the regressions of issue 17 (each named after what broke).

use serde_json::{json, Value};

use super::incident::{self, Cause, Decision, Phase};
use super::tests::{alert, at, delivery, engine, incident_actions, page, query, samples};
use super::*;
use crate::affected;
use crate::model::{ComponentStatus, Incident, IncidentStatus};

fn policy() -> IncidentPolicy {
    IncidentPolicy {
        resolve_after_secs: 600,
        ..IncidentPolicy::default()
    }
}

fn an_incident(status: &str) -> Incident {
    serde_json::from_value(json!({
        "id": "i1", "name": "API is down", "status": status, "started": at(0).to_string(),
        "updates": [], "components": [{"id": "c1", "status": "MAJOROUTAGE"}]
    }))
    .unwrap()
}

fn describe(d: &Decision<'_>) -> String {
    match d {
        Decision::Nothing => "nothing".into(),
        Decision::Hold(kind, _) => format!("hold {kind:?}"),
        Decision::Open => "open".into(),
        Decision::Update(_, step) => format!("update {step:?}"),
    }
}

#[test]
fn decide_table_one_row_per_arm() {
    let open = an_incident("INVESTIGATING");
    let monitoring = an_incident("MONITORING");
    let resolved = an_incident("RESOLVED");
    let closed = Phase::Closed { recent: None };
    let recent = Phase::Closed {
        recent: Some(&resolved),
    };
    let shown = Phase::Open {
        incident: &open,
        up_to_date: true,
    };
    let stale = Phase::Open {
        incident: &open,
        up_to_date: false,
    };
    let watching = Phase::Monitoring {
        incident: &monitoring,
        since: at(0),
    };
    let cause = |level: Level| Cause {
        level,
        observed: true,
        ..Cause::default()
    };
    let major = cause(Level::MajorOutage);
    let fine = cause(Level::Operational);
    let maintained = Cause {
        blocked: Some((
            NoteKind::Maintenance,
            "maintenance m1 is in progress".into(),
        )),
        ..major.clone()
    };
    let adopted = Cause {
        observed: false,
        ..major.clone()
    };
    let flapping = Cause {
        flapping: true,
        ..major.clone()
    };
    let blind = Cause {
        unknown: true,
        last_unknown: Some(at(900)),
        ..fine.clone()
    };
    let was_blind = Cause {
        last_unknown: Some(at(500)),
        ..fine.clone()
    };
    // (arm, phase, cause, now, expected)
    let rows: Vec<(&str, Phase<'_>, &Cause, i64, &str)> = vec![
        ("closed, below open_at", closed, &fine, 900, "nothing"),
        (
            "closed, reached, owned by a maintenance",
            closed,
            &maintained,
            900,
            "hold Maintenance",
        ),
        (
            "closed, reached, level only adopted from the page",
            closed,
            &adopted,
            900,
            "hold Unknown",
        ),
        (
            "closed with a recent resolve, reached",
            recent,
            &major,
            900,
            "update Reopened",
        ),
        ("closed, reached", closed, &major, 900, "open"),
        ("open, flapping", stale, &flapping, 900, "hold Flapping"),
        ("open, showing the target", shown, &major, 900, "nothing"),
        (
            "open, a level or a component changed",
            stale,
            &major,
            900,
            "update LevelChanged",
        ),
        ("open, recovered", shown, &fine, 900, "update Monitoring"),
        (
            "monitoring, flapping",
            watching,
            &flapping,
            900,
            "hold Flapping",
        ),
        (
            "monitoring, relapse",
            watching,
            &major,
            900,
            "update Relapsed",
        ),
        (
            "monitoring, a reading unknown",
            watching,
            &blind,
            900,
            "hold Unknown",
        ),
        (
            "monitoring, dwell passed",
            watching,
            &fine,
            600,
            "update Resolved",
        ),
        (
            "monitoring, dwell running",
            watching,
            &fine,
            599,
            "hold Waiting",
        ),
        (
            "monitoring, dwell counted from the last unknown reading",
            watching,
            &was_blind,
            900,
            "hold Waiting",
        ),
    ];
    for (arm, phase, cause, now, expected) in rows {
        let got = describe(&incident::decide(phase, cause, &policy(), at(now)));
        assert_eq!(got, expected, "{arm}");
    }
}

/// Execution Client (its own alert), Consensus Client requires it, Validator requires
/// Consensus Client; three components on the page.
fn stack(one_per: &str) -> (Engine, CurrentPage) {
    let e = engine(json!({
        "components": [
            {"path": "Execution Client", "rules": [{"alert": {"matchers": ["alertname=\"ElStalled\""], "level": "major_outage", "exit_for_secs": 0}}]},
            {"path": "Consensus Client", "requires": ["Execution Client"]},
            {"path": "Validator", "requires": ["Consensus Client"]}
        ],
        "incidents": {"one_per": one_per, "resolve_after_secs": 600}
    }));
    let p = page(&[
        ("e", "Execution Client", "OPERATIONAL"),
        ("c", "Consensus Client", "OPERATIONAL"),
        ("v", "Validator", "OPERATIONAL"),
    ]);
    (e, p)
}

fn newest_message(p: &CurrentPage) -> String {
    p.incidents[0].updates[0]
        .message
        .clone()
        .unwrap_or_default()
}

const ALL: [&str; 3] = ["Execution Client", "Consensus Client", "Validator"];

#[test]
fn a_stalled_execution_client_opened_three_incidents_now_one_listing_its_dependants() {
    let (e, mut p) = stack("cause");
    let stalled = delivery(0, vec![alert("s", "ElStalled", 0, true)]);
    let (plan, state) = e.evaluate(&stalled, &p, State::default(), at(0));
    // One write: the incident, carrying the three statuses.
    assert_eq!(plan.actions.len(), 1, "{:#?}", plan.actions);
    let Action::OpenIncident {
        path, components, ..
    } = &plan.actions[0]
    else {
        panic!("{:?}", plan.actions)
    };
    assert_eq!(path, "Execution Client");
    let listed: Vec<(&str, &ComponentStatus)> = components
        .iter()
        .map(|a| (a.name.as_str(), &a.status))
        .collect();
    assert_eq!(
        listed,
        [
            ("Execution Client", &ComponentStatus::MajorOutage),
            ("Consensus Client", &ComponentStatus::MajorOutage),
            ("Validator", &ComponentStatus::MajorOutage),
        ]
    );
    p.apply_preview(&plan, at(0));
    assert!(p
        .components
        .iter()
        .all(|c| c.status == ComponentStatus::MajorOutage));
    // The text docs/status-engine.md shows.
    assert_eq!(
        newest_message(&p),
        "Execution Client has been down since 08:00 UTC. Consensus Client and Validator depend \
         on it and are affected. We are looking into it.\n\n- ElStalled fires\n\nAffected \
         components: Execution \
         Client (major outage), Consensus Client (major outage), Validator (major outage).\n\n\
         (Posted by status automation.)"
    );
    assert_eq!(
        affected::parse(&newest_message(&p), &ALL),
        ALL.iter()
            .map(|n| (n.to_string(), ComponentStatus::MajorOutage))
            .collect::<Vec<_>>()
    );
    // Found again from the page alone (a restart, another replica): nothing to write.
    let (plan, _) = e.evaluate(&stalled, &p, State::default(), at(5));
    assert!(plan.actions.is_empty(), "{:?}", plan.actions);
    // Recovery: MONITORING, then resolved, every listed component back to operational on the
    // same incident.
    let (plan, state) = e.evaluate(
        &delivery(10, vec![alert("s", "ElStalled", 0, false)]),
        &p,
        state,
        at(10),
    );
    assert_eq!(incident_actions(&plan), ["Monitoring"]);
    p.apply_preview(&plan, at(10));
    let (plan, _) = e.evaluate(&Observations::default(), &p, state, at(700));
    assert_eq!(incident_actions(&plan), ["Resolved"]);
    p.apply_preview(&plan, at(700));
    assert_eq!(p.incidents.len(), 1);
    assert_eq!(p.incidents[0].status, IncidentStatus::Resolved);
    let resolve = newest_message(&p);
    assert!(
        resolve.ends_with(
            "Affected components: Execution Client (operational), Consensus Client (operational), \
             Validator (operational).\n\n(Posted by status automation.)"
        ),
        "{resolve}"
    );
    assert!(p
        .components
        .iter()
        .all(|c| c.status == ComponentStatus::Operational));
}

#[test]
fn one_incident_per_component_when_configured() {
    let (e, p) = stack("component");
    let (plan, _) = e.evaluate(
        &delivery(0, vec![alert("s", "ElStalled", 0, true)]),
        &p,
        State::default(),
        at(0),
    );
    let opened: Vec<&str> = plan
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::OpenIncident { path, .. } => Some(path.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(opened, ALL);
}

/// API with graded latency thresholds, no hold times; incidents from a partial outage.
fn graded() -> Engine {
    engine(json!({
        "components": [{"path": "Services/API", "rules": [{"threshold": {
            "query": "latency", "op": ">",
            "levels": [{"level": "partial_outage", "enter": 2.0}, {"level": "major_outage", "enter": 5.0}],
            "enter_for_secs": 0, "exit_for_secs": 0}}]}],
        "incidents": {"resolve_after_secs": 600}
    }))
}

fn services() -> CurrentPage {
    CurrentPage {
        components: vec![serde_json::from_value(json!({
            "id": "g", "name": "Services", "status": "OPERATIONAL", "isParent": true,
            "children": [{"id": "api", "name": "API", "status": "OPERATIONAL", "groupId": "g"}]
        }))
        .unwrap()],
        ..CurrentPage::default()
    }
}

#[test]
fn partial_to_major_was_skipped_as_already_investigating_now_every_change_is_posted_on_one_incident(
) {
    let e = graded();
    let mut p = services();
    let mut state = State::default();
    let mut seen = Vec::new();
    for (t, value) in [(0, 3.0), (30, 9.0), (60, 3.0), (90, 0.0)] {
        let (plan, next) = e.evaluate(
            &query("latency", samples(&[value], at(t))),
            &p,
            state,
            at(t),
        );
        state = next;
        // One status write per transition: none on its own for API.
        assert!(
            !plan
                .actions
                .iter()
                .any(|a| matches!(a, Action::SetStatus { path, .. } if path == "Services/API")),
            "{:?}",
            plan.actions
        );
        let reports = p.apply_preview(&plan, at(t));
        assert!(reports
            .iter()
            .all(|r| r.outcome == crate::apply::status::Outcome::Ok));
        let i = &p.incidents[0];
        seen.push((
            incident_actions(&plan),
            i.name.as_str().to_owned(),
            i.status.clone(),
            affected::parse(&newest_message(&p), &["API"])[0].1.clone(),
        ));
    }
    use ComponentStatus::*;
    use IncidentStatus::*;
    let expected = vec![
        (
            vec!["open".to_owned()],
            "API is partly down",
            Investigating,
            PartialOutage,
        ),
        (
            vec!["LevelChanged".to_owned()],
            "API is down",
            Investigating,
            MajorOutage,
        ),
        (
            vec!["LevelChanged".to_owned()],
            "API is partly down",
            Investigating,
            PartialOutage,
        ),
        (
            vec!["Monitoring".to_owned()],
            "API has recovered",
            Monitoring,
            Operational,
        ),
    ];
    let expected: Vec<_> = expected
        .into_iter()
        .map(|(a, n, s, c)| (a, n.to_owned(), s, c))
        .collect();
    assert_eq!(seen, expected);
    assert_eq!(p.incidents.len(), 1);
    assert_eq!(p.incidents[0].updates.len(), 4);
    let escalation = p.incidents[0].updates[2].message.as_deref().unwrap();
    assert!(
        escalation
            .starts_with("The problem has become worse: API is now down (it was partly down)."),
        "{escalation}"
    );
}

#[test]
fn a_metric_toggling_every_3_s_with_zero_hold_times_was_never_held_now_flap_protection_engages() {
    // Evaluated every second (webhooks, the timer), the metric toggles every 3 s for 60 s.
    let e = graded();
    let mut p = services();
    let mut state = State::default();
    let (mut changes, mut incident_steps, mut flapping_at) = (0, 0, None);
    let mut last = ComponentStatus::Operational;
    for t in 0..=60 {
        let value = if (t / 3) % 2 == 0 { 9.0 } else { 0.0 };
        let (plan, next) = e.evaluate(
            &query("latency", samples(&[value], at(t))),
            &p,
            state,
            at(t),
        );
        state = next;
        incident_steps += incident_actions(&plan).len();
        if flapping_at.is_none() && plan.notes.iter().any(|n| n.kind == NoteKind::Flapping) {
            flapping_at = Some(t);
        }
        p.apply_preview(&plan, at(t));
        let now = p.components[0].children[0].status.clone();
        if now != last {
            changes += 1;
            last = now;
        }
    }
    // Counted over evaluations (the last 21 readings span 21 s and hold 7 changes, 35 %) it
    // never engaged: 21 status changes. Counted over time (600 s) it engages at the reading's
    // 9th change (56 %; 8 changes weigh 49.7 %), after 9 status changes (the first rise and 8).
    assert_eq!(flapping_at, Some(27), "flap protection engaged");
    assert_eq!(changes, 9, "status changes");
    assert_eq!(incident_steps, 9, "incident steps");
    assert_eq!(
        last,
        ComponentStatus::MajorOutage,
        "held at the worse level"
    );
}

#[test]
fn a_monitoring_incident_was_resolved_while_prometheus_was_down_now_the_dwell_waits() {
    let e = graded();
    let mut p = services();
    let mut state = State::default();
    let mut step = |t: i64, obs: Observations, p: &mut CurrentPage| {
        let (plan, next) = e.evaluate(&obs, p, std::mem::take(&mut state), at(t));
        state = next;
        p.apply_preview(&plan, at(t));
        plan
    };
    let fine = |t| query("latency", samples(&[0.0], at(t)));
    let down = |t| {
        query(
            "latency",
            QueryResult::Failed(format!("connection refused at {t}")),
        )
    };
    assert_eq!(
        incident_actions(&step(0, query("latency", samples(&[9.0], at(0))), &mut p)),
        ["open"]
    );
    assert_eq!(
        incident_actions(&step(30, fine(30), &mut p)),
        ["Monitoring"]
    );
    // Prometheus stops answering: the dwell (600 s) passes blind; nothing is resolved.
    for t in [300, 700, 1200] {
        let plan = step(t, down(t), &mut p);
        assert!(plan.actions.is_empty(), "resolved while blind at {t}");
        assert!(plan
            .notes
            .iter()
            .any(|n| n.kind == NoteKind::Unknown && n.message.starts_with("monitoring")));
    }
    // Readings return: the dwell counts from the last unknown reading (1200).
    assert!(step(1300, fine(1300), &mut p).actions.is_empty());
    assert_eq!(
        incident_actions(&step(1800, fine(1800), &mut p)),
        ["Resolved"]
    );
}

#[test]
fn a_first_run_that_never_heard_the_watchdog_opened_an_incident_now_it_waits_for_evidence() {
    let e = engine(json!({
        "components": [{"path": "Execution Client", "rules": [{"alert": {"matchers": ["alertname=\"GethDown\""], "level": "major_outage"}}]}],
        "freshness": {"heartbeat": {"matchers": ["alertname=\"Watchdog\""], "max_silence_secs": 600}}
    }));
    // The page shows an outage from before; no Watchdog heard yet: the level is the page's.
    let mut p = page(&[("c1", "Execution Client", "MAJOROUTAGE")]);
    let (plan, state) = e.evaluate(&Observations::default(), &p, State::default(), at(0));
    assert!(plan.actions.is_empty(), "{:?}", plan.actions);
    assert!(plan.notes.iter().any(|n| n.kind == NoteKind::Unknown
        && n.message.contains("no incident opened")
        && n.message.contains("not yet observed")));
    // Evidence: the Watchdog and the alert itself.
    let (plan, _) = e.evaluate(
        &delivery(
            10,
            vec![
                alert("w", "Watchdog", 0, true),
                alert("g", "GethDown", 5, true),
            ],
        ),
        &p,
        state,
        at(10),
    );
    assert_eq!(incident_actions(&plan), ["open"]);
    p.apply_preview(&plan, at(10));
    assert_eq!(p.incidents.len(), 1);
}

#[test]
fn a_replica_that_did_not_see_the_outage_left_the_component_down_now_its_resolve_restores_it() {
    let (e, _) = stack("cause");
    let mut p = page(&[
        ("e", "Execution Client", "OPERATIONAL"),
        ("c", "Consensus Client", "OPERATIONAL"),
        ("v", "Validator", "OPERATIONAL"),
    ]);
    // Replica B evaluates before the outage: the page is operational, and so is its record.
    let (_, b_state) = e.evaluate(&Observations::default(), &p, State::default(), at(-60));
    // Replica A sees the stall and opens the incident (the statuses with it).
    let (plan, _) = e.evaluate(
        &delivery(0, vec![alert("s", "ElStalled", 0, true)]),
        &p,
        State::default(),
        at(0),
    );
    p.apply_preview(&plan, at(0));
    // B never heard the alert. The statuses are automation's (its incident gives them), so B,
    // recovering the incident, restores them rather than standing back as if a person set them.
    let (plan, b_state) = e.evaluate(&Observations::default(), &p, b_state, at(30));
    assert!(
        !plan.notes.iter().any(|n| n.kind == NoteKind::ManualStatus),
        "{:?}",
        plan.notes
    );
    assert_eq!(incident_actions(&plan), ["Monitoring"]);
    p.apply_preview(&plan, at(30));
    let (plan, _) = e.evaluate(&Observations::default(), &p, b_state, at(700));
    assert_eq!(incident_actions(&plan), ["Resolved"]);
    p.apply_preview(&plan, at(700));
    assert!(p
        .components
        .iter()
        .all(|c| c.status == ComponentStatus::Operational));
}

#[test]
fn configured_templates_replace_a_stage_for_every_incident_type() {
    let mut config: Value = json!({
        "components": [{"path": "Services/API", "rules": [{"threshold": {
            "query": "latency", "op": ">", "levels": [{"level": "major_outage", "enter": 5.0}],
            "enter_for_secs": 0, "exit_for_secs": 0}}]}],
        "incidents": {"templates": {"title": "Trouble with {{ name }}"}}
    });
    let e = engine(config.clone());
    let (plan, _) = e.evaluate(
        &query("latency", samples(&[9.0], at(0))),
        &services(),
        State::default(),
        at(0),
    );
    let Action::OpenIncident { name, message, .. } = &plan.actions[0] else {
        panic!("{:?}", plan.actions)
    };
    assert_eq!(name, "Trouble with API");
    // The other stages stay the catalog's (the major outage type's first message).
    assert!(message.starts_with("API has been down since"), "{message}");
    // A template that does not render is a config error naming the field.
    config["incidents"]["templates"]["title"] = json!("{{ nmae }}");
    let err = Engine::new(serde_json::from_value(config).unwrap()).unwrap_err();
    assert_eq!(err.path, "incidents.templates.title");
}
