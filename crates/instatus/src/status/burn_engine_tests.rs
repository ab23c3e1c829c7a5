//! The burn-rate rule inside the engine: queries, notes, the write's reason, holds and unknown.
use serde_json::json;

use super::super::tests::{at, engine, page};
use super::super::{Action, CurrentPage, Engine, NoteKind, Observations, Plan, State};
use super::*;
use crate::model::ComponentStatus;

const RATIO: &str = "1 - avg_over_time(probe_success{job=\"rpc\"}[$window])";
const WINDOWS: [u64; 5] = [300, 1_800, 3_600, 21_600, 259_200];

fn rpc() -> Engine {
    engine(json!({"components": [{"path": "RPC", "rules": [
        {"burn_rate": {"objective": 0.995, "error_ratio": RATIO, "exit_for_secs": 600}}
    ]}]}))
}

/// Every window at its error ratio, stamped at `t`.
fn ratios(per_window: [f64; 5], t: i64) -> Observations {
    Observations {
        queries: WINDOWS
            .iter()
            .zip(per_window)
            .map(|(&secs, r)| {
                (
                    expand(RATIO, secs),
                    QueryResult::Samples(vec![Sample {
                        labels: BTreeMap::new(),
                        value: r,
                        timestamp: at(t),
                    }]),
                )
            })
            .collect(),
        alerts: Vec::new(),
    }
}

fn notes(plan: &Plan, kind: NoteKind) -> Vec<&str> {
    plan.notes
        .iter()
        .filter(|n| n.kind == kind)
        .map(|n| n.message.as_str())
        .collect()
}

#[test]
fn the_engine_asks_for_every_window_once() {
    let e = engine(json!({"components": [
        {"path": "RPC", "rules": [
            {"burn_rate": {"objective": 0.995, "error_ratio": RATIO}},
            {"threshold": {"query": "up{job=\"rpc\"}", "op": "<", "levels": [{"level": "major_outage", "enter": 1}]}}
        ]},
        {"path": "RPC 2", "rules": [{"burn_rate": {"objective": 0.99, "error_ratio": RATIO}}]}
    ]}));
    let q = e.queries();
    assert_eq!(q.len(), 6, "{q:?}");
    for w in ["5m", "30m", "1h", "6h", "3d"] {
        let text = format!("1 - avg_over_time(probe_success{{job=\"rpc\"}}[{w}])");
        assert_eq!(q.iter().filter(|x| **x == text).count(), 1, "{w}: {q:?}");
    }
    assert!(q.contains(&"up{job=\"rpc\"}"));
}

#[test]
fn a_config_error_names_the_rule_field() {
    let err = Engine::new(
        serde_json::from_value(json!({"components": [{"path": "RPC", "rules": [
            {"burn_rate": {"objective": 0.995, "error_ratio": RATIO,
                "levels": [{"level": "degraded", "long_window_secs": 3600, "short_window_secs": 3600, "factor": 1}]}}
        ]}]}))
        .unwrap(),
    )
    .unwrap_err();
    assert_eq!(
        err.path,
        "components[0].rules[0].burn_rate.levels[0].short_window_secs"
    );
    assert!(err.message.contains("not shorter than"), "{}", err.message);
}

#[test]
fn the_plan_says_which_pair_drove_the_level() {
    let e = rpc();
    let p = page(&[("rpc", "RPC", "OPERATIONAL")]);
    // 10 % errors over the last hour and 12 % now: 20x and 24x over a 0.5 % budget.
    let (plan, _) = e.evaluate(
        &ratios([0.12, 0.1, 0.1, 0.02, 0.002], 0),
        &p,
        State::default(),
        at(0),
    );
    assert_eq!(
        notes(&plan, NoteKind::BurnRate),
        ["rule 0 at major_outage: burn rate 20.0x over 1h and 24.0x over 5m (> 14.4x): major_outage"]
    );
    // The incident carries the status; its reason is in the note. With incidents off, the
    // status write says it too.
    let e = engine(json!({"components": [{"path": "RPC", "rules": [
        {"burn_rate": {"objective": 0.995, "error_ratio": RATIO}}]}],
        "incidents": {"enabled": false}}));
    let (plan, _) = e.evaluate(
        &ratios([0.12, 0.1, 0.1, 0.02, 0.002], 0),
        &p,
        State::default(),
        at(0),
    );
    match &plan.actions[..] {
        [Action::SetStatus { to, reason, .. }] => {
            assert_eq!(*to, ComponentStatus::MajorOutage);
            assert_eq!(
                reason,
                "rules at major_outage (rule 0: burn rate 20.0x over 1h and 24.0x over 5m (> 14.4x): major_outage)"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_level_falls_pair_by_pair_after_the_exit_hold_and_unknown_keeps_it() {
    let e = rpc();
    let mut p = page(&[("rpc", "RPC", "OPERATIONAL")]);
    let mut state = State::default();
    let mut step = |obs: Observations, t: i64, p: &mut CurrentPage| {
        let (plan, next) = e.evaluate(&obs, p, std::mem::take(&mut state), at(t));
        p.apply_preview(&plan, at(t));
        state = next;
        plan
    };
    step(ratios([1.0, 1.0, 0.5, 0.1, 0.01], 0), 0, &mut p);
    assert_eq!(p.components[0].status, ComponentStatus::MajorOutage);
    // The burn stopped (5 m quiet) but the 6 h and 30 m windows still burn over 6x: partial
    // outage, after the 600 s exit hold.
    let plan = step(ratios([0.0, 0.5, 0.4, 0.1, 0.01], 60), 60, &mut p);
    assert_eq!(p.components[0].status, ComponentStatus::MajorOutage);
    assert_eq!(notes(&plan, NoteKind::Waiting).len(), 1, "{plan:?}");
    // Prometheus fails: unknown, the level is kept and the recovery restarts.
    let mut failed = ratios([0.0, 0.5, 0.4, 0.1, 0.01], 400);
    failed.queries.insert(
        expand(RATIO, 259_200),
        QueryResult::Failed("timeout".into()),
    );
    let plan = step(failed, 400, &mut p);
    assert!(plan.actions.is_empty(), "{plan:?}");
    let unknown = notes(&plan, NoteKind::Unknown);
    assert!(unknown[0].contains("[3d])` failed: timeout"), "{unknown:?}");
    step(ratios([0.0, 0.5, 0.4, 0.1, 0.01], 700), 700, &mut p);
    assert_eq!(
        p.components[0].status,
        ComponentStatus::MajorOutage,
        "hold restarted at 700"
    );
    step(ratios([0.0, 0.5, 0.4, 0.1, 0.01], 1_300), 1_300, &mut p);
    assert_eq!(p.components[0].status, ComponentStatus::PartialOutage);
}
