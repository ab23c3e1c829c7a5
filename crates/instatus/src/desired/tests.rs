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
        "~ Infrastructure/Network  (status: \"major_outage\" → \"operational\")\n"
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
        {"name": "Monitoring Systems", "components": [
            {"name": "Prometheus"}, {"name": "Grafana", "previous_names": ["Grafana"]}
        ]}
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
    let p = assert_converges(
        &s,
        &current,
        PlanOptions {
            prune: true,
            ..PlanOptions::default()
        },
    );
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
    // The custom domain is not in the API's update request: it goes alone, after the rest.
    assert_eq!(p.settings.len(), 2, "{}", p.render());
    assert_eq!(
        serde_json::to_value(&p.settings[0].request).unwrap(),
        json!({"useLargeHeader": true})
    );
    assert_eq!(
        serde_json::to_value(&p.settings[1].request).unwrap(),
        json!({"customDomain": "status.ephemery.xyz"})
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
    assert!(
        !format!("{p:?}").contains("k3y"),
        "Debug of the plan shows a credential"
    );
    let sent = p.settings[0].request.settings.nexmo_key.as_ref().unwrap();
    assert_eq!(sent.expose(), "k3y");
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
        "settings:\n  brand_color: #10B981\ncomponents:\n  - Network (status operational)\n"
    );
    assert_eq!(
        after,
        "settings:\n  brand_color: #111827\ncomponents:\n  - Network (status operational, description \"p2p\")\n  - Storage (status operational)\n"
    );
}

#[test]
fn statuses_are_spelled_as_users_write_them_with_the_api_spelling_accepted() {
    let current = Current {
        page: page(),
        components: components(
            json!([{"id": "n", "name": "Network", "status": "MAJOROUTAGE", "order": 1}]),
        ),
    };
    for spelling in ["major_outage", "MAJOROUTAGE"] {
        let s = spec(json!({"components": [{"name": "Network", "status": spelling}]}));
        assert!(
            plan(&s, &current, PlanOptions::default())
                .unwrap()
                .is_empty(),
            "{spelling}"
        );
    }
}

fn duplicated_page() -> Current {
    // Two parallel runs each created the group and its child; a late create left a third child.
    Current {
        page: page(),
        components: components(json!([
            {"id": "g2", "name": "Infra", "status": "OPERATIONAL", "order": 1, "isParent": true, "createdAt": "2026-11-01T10:00:02Z"},
            {"id": "g1", "name": "Infra", "status": "OPERATIONAL", "order": 1, "isParent": true, "createdAt": "2026-11-01T10:00:01Z"},
            {"id": "n2", "name": "Network", "status": "OPERATIONAL", "order": 1, "groupId": "g2", "createdAt": "2026-11-01T10:00:00Z"},
            {"id": "n1", "name": "Network", "status": "OPERATIONAL", "order": 1, "groupId": "g1", "createdAt": "2026-11-01T10:00:03Z"},
            {"id": "n3", "name": "Network", "status": "OPERATIONAL", "order": 2, "groupId": "g1", "createdAt": "2026-11-01T10:00:04Z"}
        ])),
    }
}

#[test]
fn duplicates_from_parallel_runs_are_reported_not_unmanaged() {
    let s = spec(json!({"components": [{"name": "Infra", "components": [{"name": "Network"}]}]}));
    let p = plan(&s, &duplicated_page(), PlanOptions::default()).unwrap();
    assert!(p.is_empty(), "{}", p.render());
    assert!(p.unmanaged.is_empty(), "{:?}", p.unmanaged);
    let found: Vec<(&str, &str, Vec<&str>)> = p
        .duplicates
        .iter()
        .map(|d| {
            (
                d.path.as_str(),
                d.kept.as_str(),
                d.copies.iter().map(|c| c.as_str()).collect(),
            )
        })
        .collect();
    // The oldest group; for the child, the oldest one inside the kept group (n2 is older but in
    // the copy g2), so every run keeps the same ones.
    assert_eq!(
        found,
        [
            ("Infra", "g1", vec!["g2"]),
            ("Infra/Network", "n1", vec!["n3", "n2"])
        ]
    );
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    assert!(p.warnings[0].contains("set dedupe"), "{}", p.warnings[0]);
}

#[test]
fn dedupe_deletes_the_newer_copies_children_first() {
    let s = spec(json!({"components": [{"name": "Infra", "components": [{"name": "Network"}]}]}));
    let options = PlanOptions {
        dedupe: true,
        ..PlanOptions::default()
    };
    let p = plan(&s, &duplicated_page(), options).unwrap();
    assert_eq!(
        p.render()
            .lines()
            .filter(|l| l.starts_with('-'))
            .collect::<Vec<_>>(),
        ["- Infra/Network", "- Infra/Network", "- Infra"],
        "{}",
        p.render()
    );
    let deleted: Vec<&str> = p
        .components
        .iter()
        .filter_map(|c| match c {
            ComponentChange::Delete { id, .. } => Some(id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(deleted, ["n3", "n2", "g2"]);
    let after = Current {
        page: page(),
        components: p.predict(&duplicated_page()),
    };
    let again = plan(&s, &after, options).unwrap();
    assert!(
        again.is_empty() && again.duplicates.is_empty(),
        "{}",
        again.render()
    );
}

#[test]
fn an_ambiguous_previous_name_is_an_error_naming_the_candidates() {
    let current = Current {
        page: page(),
        components: components(json!([
            {"id": "a", "name": "Old", "status": "OPERATIONAL", "order": 1},
            {"id": "g", "name": "G", "status": "OPERATIONAL", "order": 2, "isParent": true},
            {"id": "b", "name": "Old", "status": "OPERATIONAL", "order": 1, "groupId": "g"}
        ])),
    };
    let s = spec(
        json!({"components": [{"name": "H", "components": [{"name": "New", "previous_names": ["Old"]}]}]}),
    );
    let err = plan(&s, &current, PlanOptions::default()).unwrap_err();
    assert_eq!(
        err.0[0].path,
        "components[0].components[0].previous_names[0]"
    );
    assert!(
        err.to_string().contains("Old (a)") && err.to_string().contains("G/Old (b)"),
        "{err}"
    );
    // A name path picks one.
    let s = spec(json!({"components": [{"name": "New", "previous_names": ["G/Old"]}]}));
    let p = plan(&s, &current, PlanOptions::default()).unwrap();
    assert!(p.render().contains("~ G/Old → New"), "{}", p.render());
}

#[test]
fn read_back_reports_a_setting_the_api_accepted_but_did_not_apply() {
    let current = Current {
        page: page(),
        components: vec![],
    };
    let s = spec(
        json!({"settings": {"custom_domain": "status.ephemery.xyz", "brand_color": "#111827"}}),
    );
    let p = plan(&s, &current, PlanOptions::default()).unwrap();
    // A lenient API applied the colour and ignored the domain.
    let after = Current {
        page: serde_json::from_value(
            json!({"id": "ckpage", "name": "Ephemery", "brandColor": "#111827"}),
        )
        .unwrap(),
        components: vec![],
    };
    let v = verify(&s, PlanOptions::default(), &p, &after).unwrap();
    assert_eq!(v.not_applied, ["custom_domain"]);
    assert_eq!(v.applied, ["page: brand_color"]);
    assert!(v.changed());
    // Nothing else applied: no change to claim.
    let only_domain = spec(json!({"settings": {"custom_domain": "status.ephemery.xyz"}}));
    let p = plan(&only_domain, &current, PlanOptions::default()).unwrap();
    let v = verify(&only_domain, PlanOptions::default(), &p, &current).unwrap();
    assert!(!v.changed());
    assert_eq!(v.not_applied, ["custom_domain"]);
}

/// Two networks' groups and a third one's, on one page: Mainnet/RPC, Holesky/RPC, Ephemery/Faucet.
fn shared_page() -> Current {
    Current {
        page: page(),
        components: components(json!([
            {"id": "gm", "name": "Mainnet", "status": "OPERATIONAL", "order": 1, "isParent": true},
            {"id": "mr", "name": "RPC", "status": "OPERATIONAL", "order": 1, "groupId": "gm"},
            {"id": "gh", "name": "Holesky", "status": "OPERATIONAL", "order": 2, "isParent": true},
            {"id": "hr", "name": "RPC", "status": "MAJOROUTAGE", "order": 1, "groupId": "gh"},
            {"id": "ge", "name": "Ephemery", "status": "OPERATIONAL", "order": 3, "isParent": true},
            {"id": "ef", "name": "Faucet", "status": "OPERATIONAL", "order": 1, "groupId": "ge"},
            {"id": "tl", "name": "Explorer", "status": "OPERATIONAL", "order": 4}
        ])),
    }
}

#[test]
fn a_same_named_component_in_another_group_is_another_component_and_never_moved_in() {
    // Regression: declaring Ephemery/Explorer moved the only "Explorer" (top level, another
    // declaration's) into Ephemery; on a page with one "RPC" outside, Ephemery/RPC took it too.
    let current = Current {
        page: page(),
        components: components(json!([
            {"id": "gh", "name": "Holesky", "status": "OPERATIONAL", "order": 1, "isParent": true},
            {"id": "hr", "name": "RPC", "status": "OPERATIONAL", "order": 1, "groupId": "gh"},
            {"id": "ge", "name": "Ephemery", "status": "OPERATIONAL", "order": 2, "isParent": true},
            {"id": "tl", "name": "Explorer", "status": "OPERATIONAL", "order": 3}
        ])),
    };
    let s = spec(json!({"components": [
        {"name": "Holesky", "components": [{"name": "RPC"}]},
        {"name": "Ephemery", "components": [{"name": "RPC"}, {"name": "Explorer"}]}
    ]}));
    let p = assert_converges(&s, &current, PlanOptions::default());
    assert_eq!(
        p.render(),
        "+ Ephemery/RPC\n+ Ephemery/Explorer\n  not declared, left alone (prune deletes them): Explorer\n"
    );
}

#[test]
fn a_scoped_declaration_never_moves_reorders_lists_or_deletes_outside_its_scope() {
    let current = shared_page();
    // Ephemery's own declaration, with prune: RPC and Explorer exist elsewhere (other networks').
    let s = spec(json!({
        "scope": ["Ephemery"],
        "components": [
            {"name": "Ephemery", "components": [
                {"name": "RPC"}, {"name": "Faucet"}, {"name": "Explorer"}
            ]}
        ]
    }));
    let options = PlanOptions {
        prune: true,
        ..PlanOptions::default()
    };
    let p = assert_converges(&s, &current, options);
    assert_eq!(
        p.render(),
        "+ Ephemery/RPC\n~ Ephemery/Faucet  (order: \"1\" → \"2\")\n+ Ephemery/Explorer\n"
    );
    assert!(p.unmanaged.is_empty(), "{:?}", p.unmanaged);
    // The diff shows only the scope.
    let (before, after) = p.before_after(&s, &current);
    assert!(
        !before.contains("Mainnet") && !after.contains("Holesky"),
        "{after}"
    );
    assert!(after.contains("    - RPC (status operational)"), "{after}");
    for change in &p.components {
        assert!(change.path().starts_with("Ephemery/"), "{change:?}");
    }
    // Without the scope the same declaration with prune deletes the other networks' groups.
    let unscoped = spec(json!({"components": [
        {"name": "Ephemery", "components": [{"name": "RPC"}, {"name": "Faucet"}, {"name": "Explorer"}]}
    ]}));
    let p = plan(&unscoped, &current, options).unwrap();
    assert!(p.render().contains("- Mainnet\n"), "{}", p.render());
    // A new network's group is appended after every top-level component, not at order 1.
    let s = spec(json!({"scope": ["Sepolia"], "components": [
        {"name": "Sepolia", "components": [{"name": "RPC"}]}
    ]}));
    let p = assert_converges(&s, &current, options);
    match &p.components[0] {
        ComponentChange::Create { path, request, .. } => {
            assert_eq!(path, "Sepolia");
            assert_eq!(request.order, Some(5));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(p.write_count(), 2, "{}", p.render());
}

#[test]
fn a_scoped_declaration_reorders_its_own_top_level_components_among_their_own_places() {
    let current = Current {
        page: page(),
        components: components(json!([
            {"id": "a", "name": "Ephemery", "status": "OPERATIONAL", "order": 1, "isParent": true},
            {"id": "x", "name": "Mainnet", "status": "OPERATIONAL", "order": 2, "isParent": true},
            {"id": "b", "name": "Ephemery Tools", "status": "OPERATIONAL", "order": 3, "isParent": true}
        ])),
    };
    let s = spec(json!({
        "scope": ["Ephemery", "Ephemery Tools"],
        "components": [{"name": "Ephemery Tools"}, {"name": "Ephemery"}]
    }));
    let p = assert_converges(&s, &current, PlanOptions::default());
    assert_eq!(
        p.render(),
        "~ Ephemery Tools  (order: \"3\" → \"1\")\n~ Ephemery  (order: \"1\" → \"3\")\n"
    );
}

#[test]
fn a_scope_must_hold_every_declared_top_level_component() {
    let current = shared_page();
    let s = spec(json!({
        "scope": ["Ephemery", "Ephemery/Faucet"],
        "components": [{"name": "Ephemery"}, {"name": "Mainnet"}]
    }));
    let err = plan(&s, &current, PlanOptions::default()).unwrap_err();
    let text: Vec<String> = err.0.iter().map(ToString::to_string).collect();
    assert_eq!(text.len(), 2, "{text:?}");
    assert!(
        text[0].starts_with("scope[1]: \"Ephemery/Faucet\" contains '/'"),
        "{text:?}"
    );
    assert!(
        text[1].starts_with("components[1].name: \"Mainnet\" is outside the declaration's scope (Ephemery, Ephemery/Faucet)"),
        "{text:?}"
    );
}

#[test]
fn two_components_claiming_the_same_previous_name_is_an_error_naming_both() {
    // Regression: the first claimed it, the second was created new, silently.
    let current = Current {
        page: page(),
        components: components(json!([
            {"id": "o", "name": "Old", "status": "OPERATIONAL", "order": 1},
            {"id": "g", "name": "G", "status": "OPERATIONAL", "order": 2, "isParent": true}
        ])),
    };
    // The same entry written the same way: refused whatever the page holds.
    let s = spec(json!({"components": [
        {"name": "New A", "previous_names": ["Old"]},
        {"name": "New B", "previous_names": ["Old"]}
    ]}));
    let err = plan(&s, &current, PlanOptions::default()).unwrap_err();
    assert_eq!(err.0.len(), 1, "{err}");
    assert_eq!(err.0[0].path, "components[1].previous_names[0]");
    assert!(
        err.0[0]
            .message
            .contains("\"New A\" (components[0].previous_names[0])")
            && err.0[0].message.contains("\"New B\""),
        "{err}"
    );
    // Written differently (a bare name in a group, a path at the top), found to be one component.
    let s = spec(json!({"components": [
        {"name": "New A", "previous_names": ["Old"]},
        {"name": "G", "components": [{"name": "New B", "previous_names": ["Old"]}]}
    ]}));
    let err = plan(&s, &current, PlanOptions::default()).unwrap_err();
    assert_eq!(
        err.0[0].path,
        "components[1].components[0].previous_names[0]"
    );
    assert!(
        err.0[0].message.contains("\"Old\" is Old (o)")
            && err.0[0].message.contains("\"New A\" (components[0])")
            && err.0[0].message.contains("\"G/New B\""),
        "{err}"
    );
}

#[test]
fn a_renamed_group_keeps_its_children_by_name() {
    // Regression: with full-path matching, Infra/Network was not found as
    // Infrastructure/Network once Infra was renamed, and was re-created (and pruned).
    let current = Current {
        page: page(),
        components: components(json!([
            {"id": "gi", "name": "Infra", "status": "OPERATIONAL", "order": 1, "isParent": true},
            {"id": "nw", "name": "Network", "status": "OPERATIONAL", "order": 1, "groupId": "gi"},
            {"id": "st", "name": "Storage", "status": "OPERATIONAL", "order": 2, "groupId": "gi"},
            {"id": "od", "name": "Old Disk", "status": "OPERATIONAL", "order": 3, "groupId": "gi"}
        ])),
    };
    let s = spec(json!({"components": [
        {"name": "Infrastructure", "previous_names": ["Infra"], "components": [
            {"name": "Network"}, {"name": "Storage"}, {"name": "Disk", "previous_names": ["Old Disk"]}
        ]}
    ]}));
    let options = PlanOptions {
        prune: true,
        ..PlanOptions::default()
    };
    let p = assert_converges(&s, &current, options);
    assert_eq!(
        p.render(),
        "~ Infra → Infrastructure  (name: \"Infra\" → \"Infrastructure\")\n\
         ~ Infra/Old Disk → Infrastructure/Disk  (name: \"Old Disk\" → \"Disk\")\n"
    );
}
