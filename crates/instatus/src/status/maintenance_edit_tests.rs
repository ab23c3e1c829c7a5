//! Unit tests of `maintenance_edit.rs` (kept beside it so the code file reads as one concept).

use super::*;
use serde_json::json;

fn maintenance(id: &str, name: &str, status: &str, start: &str, duration: i64) -> Maintenance {
    serde_json::from_value(json!({
        "id": id, "name": name, "status": status, "start": start, "duration": duration,
        "autoStart": false, "autoEnd": false, "notifyStart": false,
        "components": [{"id": "c1", "name": "Geth"}],
        "updates": [{"id": "u1", "message": "planned", "status": status,
                     "createdAt": "2026-11-20T10:00:00Z"}],
    }))
    .unwrap()
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

const T1: &str = "2026-11-26T14:00:00Z";

fn task(target: MaintenanceTarget, start: Option<&str>) -> MaintenanceTask {
    MaintenanceTask {
        name: "Upgrade".into(),
        start: start.map(|s| {
            if s == "now" {
                WindowStart::Now
            } else {
                WindowStart::At(ts(s))
            }
        }),
        target,
        ..MaintenanceTask::default()
    }
}

#[test]
fn identity_is_name_and_start_or_the_single_open_one() {
    let all = vec![
        maintenance("m0", "Upgrade", "COMPLETED", "2026-11-20T14:00:00Z", 60),
        maintenance(
            "m1",
            "Upgrade",
            "NOTSTARTEDYET",
            "2026-11-26T14:00:00.000Z",
            60,
        ),
        maintenance("m2", "Other", "NOTSTARTEDYET", T1, 60),
    ];
    let at = |s| {
        select(&all, "Upgrade", Some(ts(s)))
            .unwrap()
            .map(|m| m.id.as_str())
    };
    assert_eq!(at(T1), Some("m1"));
    assert_eq!(at("2026-11-20T14:00:00Z"), Some("m0"));
    assert_eq!(at("2026-11-27T14:00:00Z"), None);
    let open = select(&all, "Upgrade", None).unwrap();
    assert_eq!(open.map(|m| m.id.as_str()), Some("m1"));
    let mut two = all.clone();
    two.push(maintenance(
        "m3",
        "Upgrade",
        "INPROGRESS",
        "2026-11-25T14:00:00Z",
        30,
    ));
    assert_eq!(
        select(&two, "Upgrade", None).unwrap_err().to_string(),
        "2 not-completed maintenances are called 'Upgrade': m1 (start 2026-11-26T14:00:00Z), \
             m3 (start 2026-11-25T14:00:00Z); give start to pick one"
    );
}

#[test]
fn duration_comes_from_duration_or_end_and_must_be_in_range() {
    let start = ts(T1);
    assert_eq!(wanted_minutes(Some(90), None, start).unwrap(), Some(90));
    assert_eq!(
        wanted_minutes(None, Some(ts("2026-11-26T16:30:00Z")), start).unwrap(),
        Some(150)
    );
    assert_eq!(wanted_minutes(None, None, start).unwrap(), None);
    assert_eq!(
        wanted_minutes(Some(0), None, start).unwrap_err(),
        MaintenanceTaskError::DurationOutOfRange(0)
    );
    // Regression: a duration of i64::MAX overflowed the end time and panicked.
    assert!(wanted_minutes(Some(i64::MAX), None, start)
        .unwrap_err()
        .to_string()
        .starts_with("duration: 9223372036854775807 is out of range"));
    assert!(
        wanted_minutes(None, Some(ts("2026-11-26T13:00:00Z")), start)
            .unwrap_err()
            .to_string()
            .starts_with("end must be at least a minute after start")
    );
    assert!(matches!(
        wanted_minutes(None, Some(ts("2028-11-26T13:00:00Z")), start),
        Err(MaintenanceTaskError::EndTooLate { .. })
    ));
}

#[test]
fn only_given_settings_that_differ_are_changes() {
    let m = maintenance("m1", "Upgrade", "NOTSTARTEDYET", T1, 60);
    let same: BTreeSet<ComponentId> = [ComponentId::new("c1")].into();
    assert!(setting_changes(&m, Some(60), Some(&same), Some(false), None).is_empty());
    assert!(setting_changes(&m, None, None, None, None).is_empty());
    let other: BTreeSet<ComponentId> = [ComponentId::new("c2")].into();
    assert_eq!(
        setting_changes(&m, Some(90), Some(&other), Some(true), Some(true)),
        [
            MaintenanceSetting::Duration,
            MaintenanceSetting::Components,
            MaintenanceSetting::AutoStart,
            MaintenanceSetting::AutoEnd
        ]
    );
}

#[test]
fn stages_only_move_forward_and_imply_component_statuses() {
    use MaintenanceStatus as S;
    assert!(moves_forward(&S::NotStartedYet, &S::InProgress));
    assert!(moves_forward(&S::InProgress, &S::Completed));
    assert!(moves_forward(&S::Unknown("PAUSED".into()), &S::InProgress));
    assert!(!moves_forward(&S::InProgress, &S::NotStartedYet));
    assert!(!moves_forward(&S::Completed, &S::InProgress));
    assert!(!moves_forward(&S::InProgress, &S::InProgress));
    assert_eq!(
        implied_component_status(&S::InProgress),
        Some(ComponentStatus::UnderMaintenance)
    );
    assert_eq!(
        implied_component_status(&S::Completed),
        Some(ComponentStatus::Operational)
    );
    assert_eq!(implied_component_status(&S::NotStartedYet), None);
}

#[test]
fn impacted_components_keep_their_status_only_while_running() {
    use MaintenanceStatus as S;
    let (a, b) = (ComponentId::new("a"), ComponentId::new("b"));
    let running = BTreeMap::from([(b.clone(), ComponentStatus::MajorOutage)]);
    let both = [a.clone(), b.clone()];
    assert_eq!(
        stage_statuses(&S::InProgress, &both, &running),
        [
            (a.clone(), ComponentStatus::UnderMaintenance),
            (b.clone(), ComponentStatus::MajorOutage)
        ]
    );
    assert_eq!(
        stage_statuses(&S::Completed, &both, &running),
        [
            (a, ComponentStatus::Operational),
            (b, ComponentStatus::Operational)
        ]
    );
    assert_eq!(stage_statuses(&S::NotStartedYet, &both, &running), []);
}

#[test]
fn an_impact_joins_the_announcement_and_the_components_once() {
    let (c1, c2) = (ComponentId::new("c1"), ComponentId::new("c2"));
    let mut t = task(MaintenanceTarget::Scheduled, Some(T1));
    t.message = Some("Upgrading Geth.".into());
    t.components = Some(vec![c1.clone()]);
    let impacted = [
        (c1.clone(), ComponentStatus::MajorOutage),
        (c2.clone(), ComponentStatus::PartialOutage),
    ];
    t.add_impact("Impact:\n- Geth: under maintenance", impacted.clone());
    assert_eq!(
        t.message.as_deref(),
        Some("Upgrading Geth.\n\nImpact:\n- Geth: under maintenance")
    );
    assert_eq!(t.components, Some(vec![c1.clone(), c2.clone()]));
    // The maintained one stays under maintenance; only the other keeps its impact status.
    assert_eq!(
        t.running_statuses,
        BTreeMap::from([(c2.clone(), ComponentStatus::PartialOutage)])
    );

    // Without a message the statement is the message; without components the impacted
    // ones are the list.
    let mut t = task(MaintenanceTarget::InProgress, None);
    t.message = Some("  ".into());
    t.add_impact("Impact: none", []);
    assert_eq!(t.message.as_deref(), Some("Impact: none"));
    assert_eq!(t.components, None);

    // A completion keeps its own message, and the same component list as the start.
    let mut t = task(MaintenanceTarget::Completed, None);
    t.message = Some("Done.".into());
    t.components = Some(vec![c1.clone()]);
    t.add_impact("Impact: ...", impacted);
    assert_eq!(t.message.as_deref(), Some("Done."));
    assert_eq!(t.components, Some(vec![c1, c2]));
}

#[test]
fn options_set_at_creation_are_reported_not_changed() {
    let m = maintenance("m1", "Upgrade", "NOTSTARTEDYET", T1, 60);
    let mut t = task(MaintenanceTarget::Scheduled, Some(T1));
    assert!(fixed_at_creation(&m, &t).is_empty());
    t.notify_start = Some(true);
    t.notify_minutes = Some(30);
    assert_eq!(
        fixed_at_creation(&m, &t),
        [
            ("notify_start", "false".to_owned()),
            ("notify_minutes", "none".to_owned())
        ]
    );
}

#[test]
fn checks_before_any_request_name_the_option() {
    let mut t = task(MaintenanceTarget::Scheduled, Some(T1));
    t.notify_minutes = Some(-5);
    assert_eq!(
        t.check().unwrap_err().to_string(),
        "notify_minutes must not be negative, got: -5"
    );
    t.notify_minutes = None;
    t.end = Some(ts("2026-11-26T13:00:00Z"));
    assert!(matches!(
        t.check(),
        Err(MaintenanceTaskError::EndNotAfterStart { .. })
    ));
}

/// Every arm of [`plan`]: (task, page, now) → the edit's shape.
#[test]
fn plan_table() {
    use MaintenanceTarget as T;
    let now = ts("2026-11-26T12:00:30Z");
    let scheduled = maintenance("m1", "Upgrade", "NOTSTARTEDYET", T1, 60);
    let running = maintenance("m1", "Upgrade", "INPROGRESS", T1, 60);
    let done = maintenance("m1", "Upgrade", "COMPLETED", T1, 60);
    let with = |t: MaintenanceTask, f: &dyn Fn(&mut MaintenanceTask)| {
        let mut t = t;
        f(&mut t);
        t
    };
    let cases: Vec<(&str, MaintenanceTask, Vec<Maintenance>, &str)> = vec![
        (
            "cancel, none",
            task(T::Cancelled, Some(T1)),
            vec![],
            "nothing NothingToCancel",
        ),
        (
            "cancel scheduled",
            task(T::Cancelled, Some(T1)),
            vec![scheduled.clone()],
            "delete m1",
        ),
        (
            "cancel running",
            task(T::Cancelled, None),
            vec![running.clone()],
            "delete m1",
        ),
        (
            "complete, none, no start, one completed",
            task(T::Completed, None),
            vec![done.clone()],
            "nothing AlreadyCompleted",
        ),
        (
            "complete by start, completed",
            task(T::Completed, Some(T1)),
            vec![done.clone()],
            "nothing AlreadyCompleted",
        ),
        (
            "schedule, none",
            with(task(T::Scheduled, Some(T1)), &|t| t.duration = Some(60)),
            vec![],
            "create NOTSTARTEDYET 2026-11-26T14:00:00Z 60",
        ),
        (
            "start now, none: now to the second",
            with(task(T::InProgress, Some("now")), &|t| t.duration = Some(30)),
            vec![done.clone()],
            "create INPROGRESS 2026-11-26T12:00:30Z 30",
        ),
        (
            "schedule by end",
            with(task(T::Scheduled, Some(T1)), &|t| {
                t.end = Some(ts("2026-11-26T15:30:00Z"))
            }),
            vec![],
            "create NOTSTARTEDYET 2026-11-26T14:00:00Z 90",
        ),
        (
            "schedule as it is",
            with(task(T::Scheduled, Some(T1)), &|t| t.duration = Some(60)),
            vec![scheduled.clone()],
            "nothing UpToDate",
        ),
        (
            "longer",
            with(task(T::Scheduled, Some(T1)), &|t| t.duration = Some(90)),
            vec![scheduled.clone()],
            "change [Duration] None false 2026-11-26T15:30:00Z",
        ),
        (
            "start",
            task(T::InProgress, Some(T1)),
            vec![scheduled.clone()],
            "change [] Some(InProgress) false 2026-11-26T15:00:00Z",
        ),
        (
            "start again",
            task(T::InProgress, Some(T1)),
            vec![running.clone()],
            "nothing UpToDate",
        ),
        (
            "an announcement's message on a running one is no note",
            with(task(T::Scheduled, Some(T1)), &|t| {
                t.message = Some("soon".into())
            }),
            vec![running.clone()],
            "nothing OnlyForward(InProgress)",
        ),
        (
            "schedule a running one",
            task(T::Scheduled, Some(T1)),
            vec![running.clone()],
            "nothing OnlyForward(InProgress)",
        ),
        (
            "a new message while running is a note",
            with(task(T::InProgress, None), &|t| {
                t.message = Some("half way".into())
            }),
            vec![running.clone()],
            "change [] None true 2026-11-26T15:00:00Z",
        ),
        (
            "the same message is no note",
            with(task(T::InProgress, None), &|t| {
                t.message = Some(" planned".into())
            }),
            vec![running.clone()],
            "nothing UpToDate",
        ),
        (
            "complete touches no settings",
            with(task(T::Completed, None), &|t| t.duration = Some(500)),
            vec![running.clone()],
            "change [] Some(Completed) false 2026-11-26T15:00:00Z",
        ),
        (
            "complete a completed one",
            task(T::Completed, Some(T1)),
            vec![done.clone()],
            "nothing AlreadyCompleted",
        ),
        (
            "a completed one is not reopened",
            task(T::InProgress, Some(T1)),
            vec![done.clone()],
            "nothing NotReopened",
        ),
    ];
    for (case, t, page, want) in cases {
        let got = match plan(&t, &page, now).unwrap() {
            MaintenanceEdit::Nothing { why, .. } => format!("nothing {why:?}"),
            MaintenanceEdit::Create {
                stage,
                start,
                minutes,
                ..
            } => {
                format!("create {stage} {start} {minutes}")
            }
            MaintenanceEdit::Delete(m) => format!("delete {}", m.id),
            MaintenanceEdit::Change { change: c, .. } => format!(
                "change {:?} {:?} {} {}",
                c.settings,
                c.advance,
                c.note,
                c.end.map(|e| e.to_string()).unwrap_or_default()
            ),
        };
        assert_eq!(got, want, "{case}");
    }
}

#[test]
fn plan_errors_name_the_window() {
    use MaintenanceTarget as T;
    let now = ts("2026-11-26T12:00:00Z");
    let done = maintenance("m1", "Upgrade", "COMPLETED", T1, 60);
    let err = plan(
        &task(T::Completed, Some("2026-12-01T00:00:00Z")),
        std::slice::from_ref(&done),
        now,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "maintenance 'Upgrade' at 2026-12-01T00:00:00Z not found: nothing to complete \
             (scheduled maintenances called 'Upgrade': m1 (start 2026-11-26T14:00:00Z, completed))"
    );
    assert_eq!(
        plan(&task(T::InProgress, None), &[], now)
            .unwrap_err()
            .to_string(),
        "maintenance 'Upgrade' not found; give duration or end to create it (state=in_progress)"
    );
    assert!(matches!(
        plan(&task(T::Cancelled, Some(T1)), &[done], now),
        Err(MaintenanceTaskError::CompletedCannotCancel { .. })
    ));
}

#[test]
fn a_change_notifies_once_and_sets_component_statuses_only_on_a_stage_move() {
    let running = maintenance("m1", "Upgrade", "INPROGRESS", T1, 60);
    let now = ts("2026-11-26T14:10:00Z");
    let mut t = task(MaintenanceTarget::Completed, None);
    t.message = Some("Done.".into());
    let MaintenanceEdit::Change { change, .. } =
        plan(&t, std::slice::from_ref(&running), now).unwrap()
    else {
        panic!("a change")
    };
    let c1 = ComponentId::new("c1");
    let impacted = BTreeMap::from([(c1.clone(), ComponentStatus::PartialOutage)]);
    assert_eq!(
        change.statuses(&impacted),
        [(c1.clone(), ComponentStatus::Operational)]
    );
    assert!(!change.put_notifies(true));
    assert_eq!(change.components, [ComponentId::new("c1")]);
    let mut t = task(MaintenanceTarget::InProgress, None);
    t.auto_end = Some(true);
    let MaintenanceEdit::Change { change, .. } = plan(&t, &[running], now).unwrap() else {
        panic!("a change")
    };
    assert_eq!(change.statuses(&impacted), []);
    assert!(change.put_notifies(true));
}
