//! Property tests of the status engine (proptest). Five properties, 2,000 cases each: 10,000
//! generated cases per run.
//!
//! 1. Any order, repetition, duplication and delay of the same alert deliveries ends with the
//!    same final statuses and never more than one open incident per component.
//! 2. Flapping input writes a bounded number of times per hour: with exit hold T2 = 300 s, at
//!    most 2·(3600/T2 + 1) + 3 = 29 status writes per component per hour (each fall needs T2 of
//!    recovery, and each rise but the first three follows a fall), and at most that many incident
//!    steps plus one.
//! 3. Stale, failed or missing data never turns a non-operational component operational.
//! 4. A component under maintenance or with a person's incident is never written.
//! 5. Automation never overwrites a status a person set (one it neither wrote nor planned) until
//!    the page shows again what automation would set, or OPERATIONAL; otherwise the page follows
//!    automation. "What automation would set" comes from a shadow run of the same inputs on a
//!    page no person touches.

use std::collections::BTreeMap;

use instatus::model::{ComponentStatus, Incident, Maintenance};
use instatus::status::{
    Action, Alert, AlertDelivery, CurrentPage, Engine, Observations, QueryResult, Sample, State,
};
use jiff::Timestamp;
use proptest::prelude::*;
use serde_json::json;

const T0: i64 = 1_800_000_000;

fn at(secs: i64) -> Timestamp {
    Timestamp::from_second(T0 + secs).unwrap()
}

/// Built once: building compiles and checks every message template (about 20 ms in a debug
/// build), which 10,000 cases would pay 20,000 times.
fn engine() -> &'static Engine {
    static ENGINE: std::sync::LazyLock<Engine> = std::sync::LazyLock::new(|| {
        Engine::new(
        serde_json::from_value(json!({
            "components": [
                {"path": "A", "rules": [
                    {"alert": {"matchers": ["alertname=\"Down\""], "level": "major_outage"}},
                    {"alert": {"matchers": ["alertname=~\"Slow|Lag\""], "level": "degraded", "enter_for_secs": 30}}
                ]},
                {"path": "B", "rules": [{"threshold": {"query": "qB", "op": ">", "enter_for_secs": 30,
                    "levels": [{"level": "degraded", "enter": 1, "exit": 0.5}, {"level": "major_outage", "enter": 5, "exit": 4}]}}]},
                {"path": "C", "requires": ["A"], "rules": [
                    {"alert": {"matchers": ["alertname=\"CDown\""], "level": "partial_outage"}}
                ]}
            ],
            "incidents": {"open_at": "partial_outage", "resolve_after_secs": 600}
        }))
        .unwrap(),
    )
    .unwrap()
    });
    &ENGINE
}

fn page() -> CurrentPage {
    CurrentPage {
        components: ["A", "B", "C"]
            .iter()
            .map(|n| {
                serde_json::from_value(
                    json!({"id": n.to_lowercase(), "name": n, "status": "OPERATIONAL"}),
                )
                .unwrap()
            })
            .collect(),
        ..CurrentPage::default()
    }
}

const NAMES: [&str; 4] = ["Down", "Slow", "Lag", "CDown"];

/// One alert episode: which alert, its start, and whether its resolve is ever sent.
#[derive(Clone, Debug)]
struct Episode {
    name: usize,
    start: i64,
    resolved: bool,
}

fn alert(e: &Episode, i: usize, firing: bool) -> Alert {
    Alert {
        fingerprint: format!("fp{}", e.name),
        starts_at: at(e.start + i as i64 * 1000),
        ends_at: None,
        firing,
        labels: BTreeMap::from([("alertname".to_owned(), NAMES[e.name].to_owned())]),
        annotations: BTreeMap::new(),
    }
}

fn open_incidents_per_component(page: &CurrentPage) -> BTreeMap<String, usize> {
    let mut count = BTreeMap::new();
    for i in page.incidents.iter().filter(|i| i.is_open()) {
        for c in &i.components {
            *count.entry(c.id.to_string()).or_insert(0) += 1;
        }
    }
    count
}

fn statuses(page: &CurrentPage) -> Vec<ComponentStatus> {
    page.components.iter().map(|c| c.status.clone()).collect()
}

/// Feeds `deliveries` (delivery time, alert) evaluating every 30 s until `until`, applying each
/// plan; then settles for an hour without news. Returns the final page; asserts at most one
/// open incident per component after every step.
fn replay(deliveries: &[(i64, Alert)], until: i64) -> CurrentPage {
    let engine = engine();
    let mut page = page();
    let mut state = State::default();
    let mut t = 0;
    while t <= until + 3600 {
        let alerts: Vec<Alert> = deliveries
            .iter()
            .filter(|(d, _)| *d > t - 30 && *d <= t)
            .map(|(_, a)| a.clone())
            .collect();
        let obs = Observations {
            queries: BTreeMap::from([("qB".to_owned(), QueryResult::Samples(vec![]))]),
            alerts: vec![AlertDelivery {
                received_at: at(t),
                alerts,
                complete: false,
            }],
        };
        let (plan, next) = engine.evaluate(&obs, &page, state, at(t));
        page.apply_preview(&plan, at(t));
        state = next;
        let counts = open_incidents_per_component(&page);
        assert!(
            counts.values().all(|&n| n <= 1),
            "two open incidents: {counts:?}"
        );
        t += 30;
    }
    page
}

fn episodes() -> impl Strategy<Value = Vec<Episode>> {
    prop::collection::vec(
        (0..NAMES.len(), 0i64..600, any::<bool>()).prop_map(|(name, start, resolved)| Episode {
            name,
            start,
            resolved,
        }),
        0..6,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn any_order_duplication_and_delay_ends_the_same(
        episodes in episodes(),
        copies in prop::collection::vec(1usize..4, 12),
        delays in prop::collection::vec(0i64..900, 36),
        seed in any::<u64>(),
    ) {
        // The same events, in their natural order and once each...
        let mut events: Vec<(i64, Alert)> = Vec::new();
        for (i, e) in episodes.iter().enumerate() {
            events.push((e.start, alert(e, i, true)));
            if e.resolved {
                events.push((e.start + 120, alert(e, i, false)));
            }
        }
        let in_order = replay(&events, 1200);
        // ...and duplicated, delayed and shuffled.
        let mut messy: Vec<(i64, Alert)> = Vec::new();
        for (k, (t, a)) in events.iter().enumerate() {
            for c in 0..copies[k % copies.len()] {
                messy.push((t + delays[(k * 3 + c) % delays.len()], a.clone()));
            }
        }
        let mut rng = seed;
        for i in (1..messy.len()).rev() {
            rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            messy.swap(i, (rng >> 33) as usize % (i + 1));
        }
        let shuffled = replay(&messy, 1200);
        prop_assert_eq!(statuses(&in_order), statuses(&shuffled));
        // The final statuses follow the episodes left firing.
        let firing = |n: usize| episodes.iter().any(|e| e.name == n && !e.resolved);
        let a = if firing(0) { ComponentStatus::MajorOutage } else if firing(1) || firing(2) { ComponentStatus::DegradedPerformance } else { ComponentStatus::Operational };
        let c = if firing(0) { ComponentStatus::MajorOutage } else if firing(3) { ComponentStatus::PartialOutage } else { ComponentStatus::Operational };
        prop_assert_eq!(statuses(&shuffled), vec![a, ComponentStatus::Operational, c]);
    }

    #[test]
    fn flapping_input_writes_a_bounded_number_of_times_per_hour(values in prop::collection::vec(0.0f64..8.0, 120)) {
        let engine = engine();
        let mut page = page();
        let mut state = State::default();
        let (mut status_writes, mut incident_steps) = (0, 0);
        for (k, v) in values.iter().enumerate() {
            let t = k as i64 * 30;
            let obs = Observations {
                queries: BTreeMap::from([("qB".to_owned(), QueryResult::Samples(vec![Sample { labels: BTreeMap::new(), value: *v, timestamp: at(t) }]))]),
                alerts: vec![],
            };
            let (plan, next) = engine.evaluate(&obs, &page, state, at(t));
            for a in &plan.actions {
                // B's status is written by a SetStatus or carried by its incident's write.
                if a.statuses().iter().any(|(c, _)| c.as_str() == "b") {
                    status_writes += 1;
                }
                if !matches!(a, Action::SetStatus { .. }) {
                    incident_steps += 1;
                }
            }
            page.apply_preview(&plan, at(t));
            state = next;
        }
        prop_assert!(status_writes <= 29, "{} status writes in an hour", status_writes);
        prop_assert!(incident_steps <= 30, "{} incident steps in an hour", incident_steps);
    }

    #[test]
    fn stale_or_missing_data_never_turns_a_component_operational(
        readings in prop::collection::vec((0u8..5, 0.0f64..8.0), 1..60),
        start in prop::sample::select(vec!["DEGRADEDPERFORMANCE", "PARTIALOUTAGE", "MAJOROUTAGE"]),
    ) {
        let engine = engine();
        let mut page = page();
        page.components[1].status = ComponentStatus::from_wire(start);
        let mut state = State::default();
        for (k, (kind, v)) in readings.iter().enumerate() {
            let t = k as i64 * 30;
            // 0 fresh; 1 failed; 2 stale; 3 missing; 4 empty.
            let result = match kind {
                0 => Some(QueryResult::Samples(vec![Sample { labels: BTreeMap::new(), value: *v, timestamp: at(t) }])),
                1 => Some(QueryResult::Failed("timeout".into())),
                2 => Some(QueryResult::Samples(vec![Sample { labels: BTreeMap::new(), value: 0.0, timestamp: at(t - 301) }])),
                3 => None,
                _ => Some(QueryResult::Samples(vec![])),
            };
            let obs = Observations { queries: result.into_iter().map(|r| ("qB".to_owned(), r)).collect(), alerts: vec![] };
            let (plan, next) = engine.evaluate(&obs, &page, state, at(t));
            for a in &plan.actions {
                for (c, to) in a.statuses() {
                    if c.as_str() == "b" && *to == ComponentStatus::Operational {
                        prop_assert_eq!(*kind, 0, "turned operational on unknown data at step {}", k);
                        prop_assert!(*v <= 1.0, "turned operational on a bad reading {}", v);
                    }
                }
            }
            page.apply_preview(&plan, at(t));
            state = next;
        }
    }

    #[test]
    fn components_owned_by_a_person_or_a_maintenance_are_never_written(
        owner in 0u8..2,
        episodes in episodes(),
        values in prop::collection::vec(0.0f64..8.0, 20),
    ) {
        let engine = engine();
        let mut page = page();
        if owner == 0 {
            let human: Incident = serde_json::from_value(json!({"id": "h", "name": "Looking into A", "status": "INVESTIGATING",
                "updates": [{"id": "u", "message": "we are on it", "status": "INVESTIGATING"}],
                "components": [{"id": "a"}, {"id": "b"}]})).unwrap();
            page.incidents.push(human);
        } else {
            let m: Maintenance = serde_json::from_value(json!({"id": "m", "name": "Reset", "status": "INPROGRESS",
                "components": [{"id": "a"}, {"id": "b"}]})).unwrap();
            page.maintenances.push(m);
        }
        let mut state = State::default();
        for (k, v) in values.iter().enumerate() {
            let t = k as i64 * 60;
            let alerts = episodes.iter().enumerate().filter(|(_, e)| e.start / 60 == k as i64 % 10).map(|(i, e)| alert(e, i, !e.resolved)).collect();
            let obs = Observations {
                queries: BTreeMap::from([("qB".to_owned(), QueryResult::Samples(vec![Sample { labels: BTreeMap::new(), value: *v, timestamp: at(t) }]))]),
                alerts: vec![AlertDelivery { received_at: at(t), alerts, complete: false }],
            };
            let (plan, next) = engine.evaluate(&obs, &page, state, at(t));
            for a in &plan.actions {
                match a {
                    Action::SetStatus { path, .. } | Action::OpenIncident { path, .. } | Action::UpdateIncident { path, .. } => {
                        prop_assert!(path == "C", "{:?} written while owned", a);
                    }
                    Action::CloseDuplicate { .. } => prop_assert!(false, "{:?}", a),
                }
                prop_assert!(a.statuses().iter().all(|(c, _)| c.as_str() == "c"), "{:?} carries an owned status", a);
            }
            page.apply_preview(&plan, at(t));
            state = next;
        }
        prop_assert!(page.incidents.iter().all(|i| i.id.as_str() != "h" || i.is_open()), "the person's incident was resolved");
    }

    #[test]
    fn automation_never_overwrites_a_status_a_person_set(
        episodes in episodes(),
        values in prop::collection::vec(0.0f64..8.0, 40),
        edits in prop::collection::vec(prop::option::weighted(0.3, (0usize..3, 0usize..4)), 40),
    ) {
        const STATUSES: [ComponentStatus; 4] = [ComponentStatus::Operational, ComponentStatus::DegradedPerformance, ComponentStatus::PartialOutage, ComponentStatus::MajorOutage];
        let engine = engine();
        let (mut real, mut shadow) = (page(), page());
        let (mut real_state, mut shadow_state) = (State::default(), State::default());
        // The rule, per component: the status automation stands behind, its planned write.
        let mut own: Vec<ComponentStatus> = statuses(&real);
        let mut planned: Vec<Option<ComponentStatus>> = vec![None; 3];
        let mut held_back = 0;
        for (k, v) in values.iter().enumerate() {
            let t = k as i64 * 30;
            let alerts: Vec<Alert> = episodes.iter().enumerate().filter(|(_, e)| e.start / 30 == k as i64 % 20).map(|(i, e)| alert(e, i, !e.resolved)).collect();
            let obs = Observations {
                queries: BTreeMap::from([("qB".to_owned(), QueryResult::Samples(vec![Sample { labels: BTreeMap::new(), value: *v, timestamp: at(t) }]))]),
                alerts: vec![AlertDelivery { received_at: at(t), alerts, complete: false }],
            };
            // A person edits a status on the real page only (after the first evaluation: before
            // it automation has no record, and adopts what the page shows).
            if let Some((c, s)) = edits[k].filter(|_| k > 0) {
                real.components[c].status = STATUSES[s].clone();
            }
            let (plan, next) = engine.evaluate(&obs, &shadow, shadow_state, at(t));
            shadow.apply_preview(&plan, at(t));
            shadow_state = next;
            let wanted = statuses(&shadow);
            let before = statuses(&real);
            let (plan, next) = engine.evaluate(&obs, &real, real_state, at(t));
            for c in 0..3 {
                let cur = &before[c];
                let automations = *cur == own[c] || planned[c].as_ref() == Some(cur);
                let persons = !(automations || *cur == wanted[c] || *cur == ComponentStatus::Operational);
                let id = real.components[c].id.clone();
                // A status is written by a SetStatus or carried by an incident write.
                let writes: Vec<&ComponentStatus> = plan.actions.iter().flat_map(|a| a.statuses()).filter(|(c, _)| **c == id).map(|(_, s)| s).collect();
                if persons {
                    held_back += 1;
                    prop_assert!(writes.iter().all(|s| *s == cur), "step {}: a person's {} overwritten: {:?}", k, cur, writes);
                    for a in &plan.actions {
                        if let Action::OpenIncident { components, .. } = a {
                            prop_assert!(components[0].component != id, "incident opened beside a person's status: {:?}", a);
                        }
                    }
                    prop_assert!(plan.notes.iter().any(|n| n.path == real.components[c].name.as_str() && n.kind == instatus::status::NoteKind::ManualStatus || *cur == wanted[c]), "no note at step {}", k);
                    planned[c] = None;
                } else {
                    own[c] = cur.clone();
                    // Not owned by a person: automation sets what it would set anyway.
                    if *cur != wanted[c] {
                        prop_assert!(!writes.is_empty() && writes.iter().all(|s| **s == wanted[c]), "step {}: {} not written over {}: {:?}", k, wanted[c], cur, plan);
                        planned[c] = Some(wanted[c].clone());
                    } else {
                        prop_assert!(writes.iter().all(|s| *s == cur), "step {}: {:?}", k, writes);
                        planned[c] = None;
                    }
                }
            }
            real.apply_preview(&plan, at(t));
            real_state = next;
        }
        // Not vacuous: with the manual rule disabled in the engine this property fails within a
        // few cases (tried once by hand); `held_back` shows a shrunk case's count in a debugger.
        let _ = held_back;
    }
}
