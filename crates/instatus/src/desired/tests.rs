use serde_json::json;

use super::*;
use crate::model::{Component, StatusPage};

fn page() -> StatusPage {
    serde_json::from_value(json!({"id": "ckpage", "name": "Ephemery", "brandColor": "#10B981"}))
        .unwrap()
}

fn components(v: serde_json::Value) -> Vec<Component> {
    serde_json::from_value(v).unwrap()
}

fn spec(v: serde_json::Value) -> PageSpec {
    serde_json::from_value(v).unwrap()
}

fn ephemery() -> PageSpec {
    spec(json!({"components": [
        {"name": "Ethereum Services", "components": [
            {"name": "Execution Client", "description": "geth"},
            {"name": "Consensus Client"},
            {"name": "Validator Client"},
            {"name": "Checkpoint Sync Service"}
        ]},
        {"name": "Monitoring Systems", "components": [
            {"name": "Prometheus"}, {"name": "Grafana"}, {"name": "Alert Manager"}
        ]},
        {"name": "Infrastructure", "components": [
            {"name": "Network"}, {"name": "Storage"}, {"name": "Server Health"}
        ]}
    ]}))
}

/// Applies the plan in memory and plans again: must be empty (convergence in one step).
fn assert_converges(spec: &PageSpec, current: &Current, options: PlanOptions) -> Plan {
    let first = plan(spec, current, options).unwrap();
    let after = Current {
        page: current.page.clone(),
        components: first.predict(current),
    };
    let second = plan(spec, &after, options).unwrap();
    assert!(
        second.components.is_empty(),
        "not converged:\n{}",
        second.render()
    );
    first
}

#[test]
fn empty_page_gets_the_whole_tree_parents_first() {
    let current = Current {
        page: page(),
        components: vec![],
    };
    let plan = assert_converges(&ephemery(), &current, PlanOptions::default());
    assert_eq!(plan.write_count(), 13);
    insta::assert_snapshot!(plan.render(), @r#"
    + Ethereum Services
    + Ethereum Services/Execution Client  (description: (unset) → "geth")
    + Ethereum Services/Consensus Client
    + Ethereum Services/Validator Client
    + Ethereum Services/Checkpoint Sync Service
    + Monitoring Systems
    + Monitoring Systems/Prometheus
    + Monitoring Systems/Grafana
    + Monitoring Systems/Alert Manager
    + Infrastructure
    + Infrastructure/Network
    + Infrastructure/Storage
    + Infrastructure/Server Health
    "#);
    match &plan.components[1] {
        ComponentChange::Create {
            parent, request, ..
        } => {
            assert_eq!(parent, &Parent::Planned("Ethereum Services".into()));
            assert_eq!(request.order, Some(1));
            assert_eq!(request.status, None, "no status declared, none sent");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn live_status_belongs_to_monitoring_unless_declared() {
    let current = Current {
        page: page(),
        components: components(json!([
            {"id": "g", "name": "Infrastructure", "status": "OPERATIONAL", "order": 1, "isParent": true},
            {"id": "n", "name": "Network", "status": "MAJOROUTAGE", "order": 1, "groupId": "g"}
        ])),
    };
    let s = spec(
        json!({"components": [{"name": "Infrastructure", "components": [{"name": "Network"}]}]}),
    );
    assert!(plan(&s, &current, PlanOptions::default())
        .unwrap()
        .is_empty());
    let forced = spec(
        json!({"components": [{"name": "Infrastructure", "components": [{"name": "Network", "status": "OPERATIONAL"}]}]}),
    );
    let p = assert_converges(&forced, &current, PlanOptions::default());
    assert_eq!(
        p.render(),
        "~ Infrastructure/Network  (status: \"MAJOROUTAGE\" → \"OPERATIONAL\")\n"
    );
}

#[test]
fn same_order_twice_is_no_change_even_if_renumbered() {
    let current = Current {
        page: page(),
        components: components(json!([
            {"id": "a", "name": "A", "status": "OPERATIONAL", "order": 10},
            {"id": "b", "name": "B", "status": "OPERATIONAL", "order": 20},
            {"id": "c", "name": "C", "status": "OPERATIONAL", "order": 30}
        ])),
    };
    let s = spec(json!({"components": [{"name": "A"}, {"name": "B"}, {"name": "C"}]}));
    assert!(plan(&s, &current, PlanOptions::default())
        .unwrap()
        .is_empty());
    let swapped = spec(json!({"components": [{"name": "B"}, {"name": "A"}, {"name": "C"}]}));
    let p = assert_converges(&swapped, &current, PlanOptions::default());
    assert_eq!(p.write_count(), 3, "{}", p.render());
}

#[test]
fn a_new_component_at_the_end_does_not_renumber_the_others() {
    let current = Current {
        page: page(),
        components: components(json!([
            {"id": "a", "name": "A", "status": "OPERATIONAL", "order": 1},
            {"id": "b", "name": "B", "status": "OPERATIONAL", "order": 2}
        ])),
    };
    let s = spec(json!({"components": [{"name": "A"}, {"name": "B"}, {"name": "C"}]}));
    let p = assert_converges(&s, &current, PlanOptions::default());
    assert_eq!(p.render(), "+ C\n");
    match &p.components[0] {
        ComponentChange::Create { request, .. } => assert_eq!(request.order, Some(3)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn renames_moves_and_adoption() {
    // Built by hand: Grafana at top level, "Execution" under the group, a stray duplicate elsewhere.
    let current = Current {
        page: page(),
        components: components(json!([
            {"id": "g1", "name": "Ethereum Services", "status": "OPERATIONAL", "order": 1, "isParent": true},
            {"id": "ex", "name": "Execution", "status": "DEGRADEDPERFORMANCE", "order": 1, "groupId": "g1"},
            {"id": "g2", "name": "Monitoring Systems", "status": "OPERATIONAL", "order": 2, "isParent": true},
            {"id": "pr", "name": "Prometheus", "status": "OPERATIONAL", "order": 1, "groupId": "g2"},
            {"id": "gr", "name": "Grafana", "status": "OPERATIONAL", "order": 3}
        ])),
    };
    let s = spec(json!({"components": [
        {"name": "Ethereum Services", "components": [
            {"name": "Execution Client", "previous_names": ["Execution"]}
        ]},
        {"name": "Monitoring Systems", "components": [{"name": "Prometheus"}, {"name": "Grafana"}]}
    ]}));
    let p = assert_converges(&s, &current, PlanOptions::default());
    assert_eq!(
        p.render(),
        "~ Ethereum Services/Execution → Ethereum Services/Execution Client  (name: \"Execution\" → \"Execution Client\")\n\
         ~ Grafana → Monitoring Systems/Grafana  (parent: (unset) → \"Monitoring Systems\"; order: \"3\" → \"2\")\n"
    );
    match &p.components[0] {
        ComponentChange::Update { request, id, .. } => {
            assert_eq!(id.as_str(), "ex", "renamed in place, not re-created");
            assert_eq!(request.status, None, "the live status stays");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn prune_deletes_children_before_their_group() {
    let current = Current {
        page: page(),
        components: components(json!([
            {"id": "keep", "name": "Network", "status": "OPERATIONAL", "order": 1},
            {"id": "old", "name": "Legacy", "status": "OPERATIONAL", "order": 2, "isParent": true},
            {"id": "old1", "name": "Old API", "status": "OPERATIONAL", "order": 1, "groupId": "old"}
        ])),
    };
    let s = spec(json!({"components": [{"name": "Network"}]}));
    let kept = plan(&s, &current, PlanOptions::default()).unwrap();
    assert!(kept.is_empty());
    assert_eq!(kept.unmanaged, ["Legacy", "Legacy/Old API"]);
    let p = assert_converges(&s, &current, PlanOptions { prune: true });
    assert_eq!(p.render(), "- Legacy/Old API\n- Legacy\n");
}

#[test]
fn settings_compare_like_instatus_stores_them() {
    let current = Current {
        page: page(),
        components: vec![],
    };
    let same = spec(json!({"settings": {"name": "Ephemery", "brand_color": "#10b981"}}));
    assert!(plan(&same, &current, PlanOptions::default())
        .unwrap()
        .is_empty());
    let mut translated = current.clone();
    translated.page = serde_json::from_value(
        json!({"id": "ckpage", "name": {"en": "Ephemery", "default": "Ephemery"}}),
    )
    .unwrap();
    assert!(plan(
        &spec(json!({"settings": {"name": "Ephemery"}})),
        &translated,
        PlanOptions::default()
    )
    .unwrap()
    .is_empty());
    let p = plan(
        &spec(
            json!({"settings": {"custom_domain": "status.ephemery.xyz", "use_large_header": true}}),
        ),
        &current,
        PlanOptions::default(),
    )
    .unwrap();
    let change = p.page.unwrap();
    assert_eq!(
        change.body,
        *json!({"customDomain": "status.ephemery.xyz", "useLargeHeader": true})
            .as_object()
            .unwrap()
    );
}

#[test]
fn sms_credentials_are_write_only() {
    let current = Current {
        page: serde_json::from_value(json!({"id": "p", "smsService": "twilio"})).unwrap(),
        components: vec![],
    };
    let s = spec(
        json!({"settings": {"sms_service": "twilio", "sms_credentials": {"twilio_token": "t0k3n"}}}),
    );
    assert!(
        plan(&s, &current, PlanOptions::default())
            .unwrap()
            .is_empty(),
        "same provider: nothing to send"
    );
    let switch = spec(
        json!({"settings": {"sms_service": "vonage", "sms_credentials": {"nexmo_key": "k3y"}}}),
    );
    let p = plan(&switch, &current, PlanOptions::default()).unwrap();
    assert!(!p.render().contains("k3y"), "{}", p.render());
    assert_eq!(p.page.unwrap().body["nexmoKey"], "k3y");
}

#[test]
fn before_and_after_show_only_what_is_managed() {
    let current = Current {
        page: page(),
        components: components(
            json!([{"id": "n", "name": "Network", "status": "OPERATIONAL", "order": 1}]),
        ),
    };
    let s = spec(
        json!({"settings": {"brand_color": "#111827"}, "components": [{"name": "Network", "description": "p2p"}, {"name": "Storage"}]}),
    );
    let p = plan(&s, &current, PlanOptions::default()).unwrap();
    let (before, after) = p.before_after(&s, &current);
    assert_eq!(
        before,
        "settings:\n  brand_color: #10B981\ncomponents:\n  - Network (status OPERATIONAL)\n"
    );
    assert_eq!(
        after,
        "settings:\n  brand_color: #111827\ncomponents:\n  - Network (status OPERATIONAL, description \"p2p\")\n  - Storage (status OPERATIONAL)\n"
    );
}
