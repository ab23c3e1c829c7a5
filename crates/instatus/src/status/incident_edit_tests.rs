//! Unit tests of `incident_edit.rs` (kept beside it so the code file reads as one concept).

use super::*;
use serde_json::{json, Value};

fn incident(id: &str, name: &str, status: &str, comps: Value, updates: Value) -> Incident {
    serde_json::from_value(json!({
        "id": id, "name": name, "status": status,
        "components": comps, "updates": updates,
    }))
    .unwrap()
}

fn open_geth() -> Incident {
    incident(
        "i1",
        "Geth down",
        "INVESTIGATING",
        json!([{"id": "c1", "name": "Execution Client", "status": "MAJOROUTAGE"}]),
        json!([
            {"id": "u2", "message": "still looking", "status": "INVESTIGATING",
             "createdAt": "2026-11-26T14:10:00Z"},
            {"id": "u1", "message": "looking", "status": "INVESTIGATING",
             "createdAt": "2026-11-26T14:00:00Z"},
        ]),
    )
}

fn resolved_geth() -> Incident {
    incident(
        "i0",
        "Geth down",
        "RESOLVED",
        json!([{"id": "c1", "status": "OPERATIONAL"}]),
        json!([{"id": "u0", "message": "fixed", "status": "RESOLVED",
                    "createdAt": "2026-11-25T10:00:00Z"}]),
    )
}

fn comps(pairs: &[(&str, ComponentStatus)]) -> BTreeMap<ComponentId, ComponentStatus> {
    pairs
        .iter()
        .map(|(id, s)| (ComponentId::new(*id), s.clone()))
        .collect()
}

fn task(name: &str, target: IncidentTarget) -> IncidentTask {
    IncidentTask {
        name: Some(name.into()),
        target,
        ..IncidentTask::default()
    }
}

fn open(status: Option<IncidentStatus>) -> IncidentTarget {
    IncidentTarget::Open { status }
}

#[test]
fn the_latest_message_is_the_newest_update_in_either_order() {
    assert_eq!(
        latest_message(&open_geth()).as_deref(),
        Some("still looking")
    );
    let mut i = open_geth();
    i.updates.reverse();
    assert_eq!(latest_message(&i).as_deref(), Some("still looking"));
    let none = incident("i", "x", "INVESTIGATING", json!([]), json!([]));
    assert_eq!(latest_message(&none), None);
}

#[test]
fn nothing_differs_when_status_components_and_message_match() {
    let i = open_geth();
    let same = affected(&i);
    let status = IncidentStatus::Investigating;
    assert!(changes(&i, &status, Some(&same), Some("still looking ")).is_empty());
    assert!(changes(&i, &status, None, None).is_empty());
}

#[test]
fn each_difference_is_named_in_option_order() {
    let i = open_geth();
    let partial = comps(&[("c1", ComponentStatus::PartialOutage)]);
    assert_eq!(
        changes(
            &i,
            &IncidentStatus::Identified,
            Some(&partial),
            Some("found it")
        ),
        [
            IncidentField::Status,
            IncidentField::Components,
            IncidentField::Message
        ]
    );
    let more = comps(&[
        ("c1", ComponentStatus::MajorOutage),
        ("c2", ComponentStatus::MajorOutage),
    ]);
    assert_eq!(
        changes(&i, &IncidentStatus::Investigating, Some(&more), None),
        [IncidentField::Components]
    );
}

#[test]
fn only_open_incidents_match_a_name_and_duplicates_fail_with_ids() {
    let all = vec![resolved_geth(), open_geth()];
    let found = select(&all, None, Some("Geth down"), false).unwrap();
    assert_eq!(found.unwrap().id.as_str(), "i1");
    // Deleting by name considers resolved incidents too: two match.
    let err = select(&all, None, Some("Geth down"), true).unwrap_err();
    assert_eq!(
        err.to_string(),
        "2 incidents are titled 'Geth down' (ids: i0, i1); give the id instead of the name"
    );
    let mut twin = open_geth();
    twin.id = "i2".into();
    let err = select(&[open_geth(), twin], None, Some("Geth down"), false).unwrap_err();
    assert_eq!(
        err.to_string(),
        "2 open incidents are titled 'Geth down' (ids: i1, i2); give the id instead of the name"
    );
    assert!(select(&[resolved_geth()], None, Some("Geth down"), false)
        .unwrap()
        .is_none());
    let by_id = select(&all, Some("i0"), None, false).unwrap().unwrap();
    assert_eq!(by_id.id.as_str(), "i0");
}

/// Every arm of [`plan`]: (task, page) → the edit's shape.
#[test]
fn plan_table() {
    use IncidentStatus as S;
    let page = vec![resolved_geth(), open_geth()];
    let by_id = |id: &str, target| IncidentTask {
        id: Some(id.into()),
        target,
        ..IncidentTask::default()
    };
    // (case, task, expected: a short rendering of the edit)
    let cases: Vec<(&str, IncidentTask, &str)> = vec![
        (
            "absent, none matches",
            task("Nope", IncidentTarget::Absent),
            "nothing Absent",
        ),
        (
            "absent by id (resolved)",
            by_id("i0", IncidentTarget::Absent),
            "delete i0",
        ),
        (
            "absent by unknown id",
            by_id("zz", IncidentTarget::Absent),
            "nothing Absent",
        ),
        (
            "resolve, no open one",
            task("Nope", IncidentTarget::Resolved),
            "nothing NothingToResolve",
        ),
        (
            "open, no open one",
            task("Nope", open(None)),
            "open INVESTIGATING",
        ),
        (
            "open, stage given",
            task("Nope", open(Some(S::Monitoring))),
            "open MONITORING",
        ),
        (
            "resolve the open one",
            task("Geth down", IncidentTarget::Resolved),
            "post i1 Resolve RESOLVED [Status] set",
        ),
        (
            "resolve a resolved one by id",
            by_id("i0", IncidentTarget::Resolved),
            "nothing AlreadyResolved",
        ),
        (
            "open as it is",
            task("Geth down", open(None)),
            "nothing UpToDate",
        ),
        (
            "new stage",
            task("Geth down", open(Some(S::Identified))),
            "post i1 Update IDENTIFIED [Status] keep",
        ),
        (
            "reopen by id",
            by_id("i0", open(None)),
            "post i0 Reopen INVESTIGATING [Status] keep",
        ),
        (
            "reopen by id into monitoring",
            by_id("i0", open(Some(S::Monitoring))),
            "post i0 Reopen MONITORING [Status] keep",
        ),
    ];
    for (case, task, want) in cases {
        let got = match plan(&task, &page).unwrap() {
            IncidentEdit::Nothing { why, .. } => format!("nothing {why:?}"),
            IncidentEdit::Open { status, .. } => format!("open {status}"),
            IncidentEdit::Delete(i) => format!("delete {}", i.id),
            IncidentEdit::Post { incident, post } => format!(
                "post {} {:?} {} {:?} {}",
                incident.id,
                post.kind,
                post.status,
                post.changed,
                if post.set_statuses { "set" } else { "keep" }
            ),
        };
        assert_eq!(got, want, "{case}");
    }
}

#[test]
fn resolving_sets_every_affected_component_operational_unless_given() {
    let page = vec![open_geth()];
    let IncidentEdit::Post { post, .. } =
        plan(&task("Geth down", IncidentTarget::Resolved), &page).unwrap()
    else {
        panic!("a post")
    };
    assert_eq!(
        post.components,
        comps(&[("c1", ComponentStatus::Operational)])
    );
    let mut given = task("Geth down", IncidentTarget::Resolved);
    given.components = Some(comps(&[("c1", ComponentStatus::DegradedPerformance)]));
    let IncidentEdit::Post { post, .. } = plan(&given, &page).unwrap() else {
        panic!("a post")
    };
    assert_eq!(
        post.components,
        comps(&[("c1", ComponentStatus::DegradedPerformance)])
    );
}

#[test]
fn an_update_without_components_keeps_the_list_and_the_live_statuses() {
    let page = vec![open_geth()];
    let mut t = task("Geth down", open(None));
    t.message = Some("new words".into());
    let IncidentEdit::Post { post, .. } = plan(&t, &page).unwrap() else {
        panic!("a post")
    };
    assert_eq!(post.changed, [IncidentField::Message]);
    assert!(!post.set_statuses);
    assert_eq!(post.components, affected(&page[0]));
}

#[test]
fn bad_identities_are_errors_naming_what_is_wrong() {
    let page = vec![resolved_geth(), open_geth()];
    let unknown = IncidentTask {
        id: Some("zz".into()),
        ..IncidentTask::default()
    };
    assert_eq!(
        plan(&unknown, &page).unwrap_err().to_string(),
        "id: the page has no incident zz; give name to open a new incident"
    );
    let mismatch = IncidentTask {
        id: Some("i1".into()),
        name: Some("Other".into()),
        ..IncidentTask::default()
    };
    assert!(matches!(
        plan(&mismatch, &page).unwrap_err(),
        IncidentTaskError::NameMismatch { .. }
    ));
    let mut twin = open_geth();
    twin.id = "i2".into();
    let err = plan(&task("Geth down", open(None)), &[open_geth(), twin]).unwrap_err();
    assert!(matches!(err, IncidentTaskError::Ambiguous { .. }));
}

#[test]
fn a_reopen_is_a_non_resolved_stage_on_a_resolved_incident() {
    assert!(is_reopen(&resolved_geth(), &IncidentStatus::Investigating));
    assert!(is_reopen(&resolved_geth(), &IncidentStatus::Monitoring));
    assert!(!is_reopen(&resolved_geth(), &IncidentStatus::Resolved));
    assert!(!is_reopen(&open_geth(), &IncidentStatus::Investigating));
}
