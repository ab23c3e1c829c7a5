//! Unit tests of `ephemery.rs` (kept beside it so the code file reads as one concept).

use super::*;
use serde_json::json;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

#[test]
fn the_published_values_line_up() {
    // values.env, iteration 135: GENESIS_TIMESTAMP=1720119600 (2024-07-04 19:00 UTC),
    // CHAIN_ID=39438135; iteration 160: 1780599600. 25 periods apart.
    let s = Schedule::EPHEMERY;
    let r135 = s.reset(135).unwrap();
    assert_eq!(r135.genesis.as_second(), 1_720_119_600);
    assert_eq!(r135.genesis.to_string(), "2024-07-04T19:00:00Z");
    assert_eq!(r135.chain_id, 39_438_135);
    let r160 = s.reset(160).unwrap();
    assert_eq!(r160.genesis.to_string(), "2026-06-04T19:00:00Z");
    assert_eq!(r160.chain_id, 39_438_160);
    // 1780599600 + 7 × 2419200 = 1797534000 = 2026-12-17 19:00 UTC.
    assert_eq!(s.reset(167).unwrap().genesis.as_second(), 1_797_534_000);
}

#[test]
fn the_current_iteration_changes_exactly_at_the_genesis() {
    let s = Schedule::EPHEMERY;
    let g = s.reset(166).unwrap().genesis; // 2026-11-19T19:00:00Z
    assert_eq!(g.to_string(), "2026-11-19T19:00:00Z");
    assert_eq!(s.iteration_at(g).unwrap().iteration, 166);
    assert_eq!(
        s.iteration_at(g - SignedDuration::from_secs(1))
            .unwrap()
            .iteration,
        165
    );
    // Far before the anchor: extrapolated backwards, never below 0.
    assert_eq!(
        s.iteration_at(ts("2014-02-27T19:00:00Z"))
            .unwrap()
            .iteration,
        0
    );
    assert_eq!(s.iteration_at(ts("2014-02-27T18:59:59Z")), None);
}

#[test]
fn next_resets_are_strictly_after_now() {
    let s = Schedule::EPHEMERY;
    let at_genesis = ts("2026-12-17T19:00:00Z");
    let next = s.next_resets(at_genesis, 3);
    let got: Vec<(u64, String)> = next
        .iter()
        .map(|r| (r.iteration, r.genesis.to_string()))
        .collect();
    assert_eq!(
        got,
        [
            (168, "2027-01-14T19:00:00Z".to_owned()),
            (169, "2027-02-11T19:00:00Z".to_owned()),
            (170, "2027-03-11T19:00:00Z".to_owned()),
        ]
    );
    assert_eq!(s.next_resets(at_genesis, 0), []);
    assert_eq!(s.next_resets(at_genesis, 10_000).len(), MAX_RESETS);
}

#[test]
fn a_schedule_from_another_anchor() {
    let s = Schedule::new(10, ts("2030-01-01T00:00:00Z"), 86_400).unwrap();
    assert_eq!(
        s.iteration_at(ts("2030-01-03T12:00:00Z")).unwrap(),
        Reset {
            iteration: 12,
            chain_id: 39_438_012,
            genesis: ts("2030-01-03T00:00:00Z"),
            period_secs: 86_400,
        }
    );
    assert_eq!(
            Schedule::new(1, ts("2030-01-01T00:00:00Z"), 59)
                .unwrap_err()
                .to_string(),
            "period: 59 is out of range; allowed: a number of seconds from 3600 (an hour) to 31622400 (a year); Ephemery's is 2419200"
        );
}

#[test]
fn a_window_spans_lead_in_to_after_and_carries_its_token() {
    let w = WindowConfig::default()
        .window(&Schedule::EPHEMERY.reset(167).unwrap())
        .unwrap();
    assert_eq!(w.start.to_string(), "2026-12-17T18:55:00Z");
    assert_eq!(w.end.to_string(), "2026-12-17T20:00:00Z");
    assert_eq!(w.minutes(), 65);
    assert_eq!(w.name, "Ephemery network reset to iteration 167");
    assert!(w
            .message
            .starts_with("Ephemery resets itself to a new genesis at 2026-12-17T19:00:00Z (UTC): iteration 167, chain id 39438167."));
    assert!(w.message.contains("iteration 166 do not carry over"));
    assert!(w.message.ends_with("\n\n[ephemery-reset:167]"));
}

#[test]
fn templates_and_numbers_are_checked_naming_the_field() {
    let mut c = WindowConfig {
        message_template: "{{ iteraton }}".into(),
        ..WindowConfig::default()
    };
    let e = c.validate().unwrap_err();
    assert_eq!(e.field, "message_template");
    assert!(e.message.contains("variables: iteration,"), "{e}");
    c.message_template = "{% if %}".into();
    assert_eq!(c.validate().unwrap_err().field, "message_template");
    c = WindowConfig {
        marker: "has space".into(),
        ..WindowConfig::default()
    };
    assert_eq!(
        c.validate().unwrap_err().to_string(),
        "marker: \"has space\" is not allowed; allowed: 1 to 64 letters, digits, '-', '_' or '.'"
    );
    c = WindowConfig {
        after_minutes: 0,
        ..WindowConfig::default()
    };
    assert_eq!(c.validate().unwrap_err().field, "duration");
    assert!(WindowConfig::default().validate().is_ok());
}

#[test]
fn tokens_are_found_only_for_their_marker() {
    assert_eq!(
        parse_token("x [ephemery-reset:167] y", "ephemery-reset"),
        Some(167)
    );
    assert_eq!(
        parse_token("[ephemery-reset:x] [ephemery-reset:9]", "ephemery-reset"),
        Some(9)
    );
    assert_eq!(parse_token("[other:167]", "ephemery-reset"), None);
    assert_eq!(parse_token("[ephemery-reset:167", "ephemery-reset"), None);
    let m: Maintenance = serde_json::from_value(json!({
            "id": "m1", "name": "Reset", "status": "NOTSTARTEDYET",
            "updates": [{"id": "u1", "status": "NOTSTARTEDYET", "message": "hello\n\n[ephemery-reset:170]"}]
        }))
        .unwrap();
    assert_eq!(owned_iteration(&m, "ephemery-reset"), Some(170));
    assert_eq!(owned_iteration(&m, "other"), None);
}

#[test]
fn upcoming_windows_keep_the_one_running_now() {
    let s = Schedule::EPHEMERY;
    let c = WindowConfig::default();
    // 10 minutes after genesis 167: its window (until 20:00) is still running.
    let now = ts("2026-12-17T19:10:00Z");
    let got: Vec<u64> = upcoming_windows(&s, &c, now, 2)
        .unwrap()
        .iter()
        .map(|w| w.reset.iteration)
        .collect();
    assert_eq!(got, [167, 168]);
    // After its end: the next two.
    let later = ts("2026-12-17T20:00:00Z");
    let got: Vec<u64> = upcoming_windows(&s, &c, later, 2)
        .unwrap()
        .iter()
        .map(|w| w.reset.iteration)
        .collect();
    assert_eq!(got, [168, 169]);
    // In the lead-in, before the genesis: 167 is next and already running.
    let lead = ts("2026-12-17T18:56:00Z");
    assert_eq!(
        upcoming_windows(&s, &c, lead, 1).unwrap()[0]
            .reset
            .iteration,
        167
    );
}

fn announced(w: &ResetWindow, id: &str, status: &str) -> Maintenance {
    serde_json::from_value(json!({
        "id": id, "name": w.name, "status": status,
        "start": w.start.to_string(), "duration": w.minutes(),
        "updates": [{"id": format!("u-{id}"), "status": "NOTSTARTEDYET", "message": w.message,
                     "createdAt": "2030-01-01T00:00:00Z"}],
    }))
    .unwrap()
}

#[test]
fn the_plan_schedules_keeps_completes_and_leaves_others_alone() {
    let s = Schedule::new(100, ts("2030-01-01T00:00:00Z"), PERIOD_SECS).unwrap();
    let c = WindowConfig::default();
    let before = ts("2030-01-20T00:00:00Z");
    let plan = plan_resets(&s, &c, &[], before, 2, false).unwrap();
    let got: Vec<(u64, &MaintenanceAction)> = plan
        .steps
        .iter()
        .map(|s| (s.iteration, &s.action))
        .collect();
    assert_eq!(
        got,
        [
            (101, &MaintenanceAction::Schedule),
            (102, &MaintenanceAction::Schedule)
        ]
    );
    // 101 at 2030-01-29T00:00Z: window 23:55 to 01:00.
    assert_eq!(
        plan.steps[0].window.as_ref().unwrap().start,
        ts("2030-01-28T23:55:00Z")
    );
    // Both on the page, plus someone else's maintenance: nothing to do.
    let w101 = plan.steps[0].window.clone().unwrap();
    let w102 = plan.steps[1].window.clone().unwrap();
    let theirs: Maintenance = serde_json::from_value(json!({
        "id": "theirs", "name": "Geth upgrade", "status": "NOTSTARTEDYET",
        "start": "2030-01-10T00:00:00Z", "duration": 60, "updates": []
    }))
    .unwrap();
    let page = vec![
        announced(&w101, "m101", "NOTSTARTEDYET"),
        announced(&w102, "m102", "NOTSTARTEDYET"),
        theirs,
    ];
    let again = plan_resets(&s, &c, &page, before, 2, false).unwrap();
    assert!(again.is_noop(), "{again:?}");
    assert_eq!(again.steps.len(), 2);
    // After 101's window: 101 completed, 102 kept, 103 scheduled; theirs untouched.
    let after = ts("2030-01-29T02:00:00Z");
    let later = plan_resets(&s, &c, &page, after, 2, false).unwrap();
    let got: Vec<(u64, &MaintenanceAction)> = later
        .steps
        .iter()
        .map(|s| (s.iteration, &s.action))
        .collect();
    assert_eq!(
        got,
        [
            (101, &MaintenanceAction::Complete),
            (102, &MaintenanceAction::Nothing("scheduled as declared")),
            (103, &MaintenanceAction::Schedule),
        ]
    );
    // The schedule moves by an hour: both owned windows are rescheduled, with a new text.
    let moved = Schedule::new(100, ts("2030-01-01T01:00:00Z"), PERIOD_SECS).unwrap();
    let plan = plan_resets(&moved, &c, &page, before, 2, false).unwrap();
    assert_eq!(plan.steps[0].action, MaintenanceAction::Reschedule);
    assert_eq!(plan.steps[0].text_changes, ["message"]);
    // A new title template: a text change only.
    let renamed = WindowConfig {
        name_template: "Reset {{ iteration }}".into(),
        ..c.clone()
    };
    let plan = plan_resets(&s, &renamed, &page, before, 2, false).unwrap();
    assert_eq!(
        plan.steps[0].action,
        MaintenanceAction::Nothing("scheduled as declared")
    );
    assert_eq!(plan.steps[0].text_changes, ["name"]);
    // Withdrawn: scheduled ones cancelled.
    let gone = plan_resets(&s, &c, &page, before, 2, true).unwrap();
    assert!(gone
        .steps
        .iter()
        .all(|s| s.action == MaintenanceAction::Cancel));
    // A duplicate from a race: the oldest stays, the other is reported.
    let mut dup = announced(&w101, "m101b", "NOTSTARTEDYET");
    dup.updates[0].created_at = Some(ts("2030-01-02T00:00:00Z"));
    let mut with_dup = page.clone();
    with_dup.push(dup);
    let plan = plan_resets(&s, &c, &with_dup, before, 2, false).unwrap();
    assert_eq!(plan.steps[0].current.unwrap().id.as_str(), "m101");
    assert_eq!(plan.duplicates.len(), 1);
    assert_eq!(plan.duplicates[0].id.as_str(), "m101b");
}

#[test]
fn a_window_of_2_63_minutes_is_an_error_naming_the_field_not_a_crash() {
    let reset = Schedule::EPHEMERY.reset(167).unwrap();
    for (lead_in, after, field) in [(i64::MAX, 60, "lead_in"), (5, i64::MAX, "duration")] {
        let config = WindowConfig {
            lead_in_minutes: lead_in,
            after_minutes: after,
            ..WindowConfig::default()
        };
        let err = config.window(&reset).unwrap_err();
        assert_eq!(err.field, field, "{err}");
        assert!(err.message.contains("is out of range"), "{err}");
    }
}

#[test]
fn a_page_maintenance_of_2_63_minutes_is_planned_without_a_crash() {
    // The API accepts a duration of 2^63 - 1 minutes; its planned end saturates.
    let m: Maintenance = serde_json::from_value(json!({
        "id": "huge", "name": "Forever [ephemery-reset:167]", "status": "NOTSTARTEDYET",
        "start": "2026-12-17T18:55:00Z", "duration": i64::MAX, "updates": [],
    }))
    .unwrap();
    assert_eq!(crate::calendar::planned_end(&m), Some(Timestamp::MAX));
    let plan = plan_resets(
        &Schedule::EPHEMERY,
        &WindowConfig::default(),
        std::slice::from_ref(&m),
        ts("2026-12-02T07:00:00Z"),
        2,
        false,
    )
    .unwrap();
    assert_eq!(plan.steps[0].iteration, 167);
    assert_eq!(plan.steps[0].action, MaintenanceAction::Reschedule);
}
