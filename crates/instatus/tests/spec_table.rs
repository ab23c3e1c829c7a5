//! The operation table against the official OpenAPI spec.

mod support;

use instatus::api::Op;
use support::openapi::Spec;

#[test]
fn every_table_entry_matches_the_spec_or_says_why_not() {
    let spec = Spec::load();
    let mut problems = Vec::new();
    for &op in Op::ALL {
        let found = spec.operation(op.method().as_str(), op.path()).is_some();
        match (found, op.not_in_spec()) {
            (true, None) | (false, Some(_)) => {}
            (false, None) => problems.push(format!(
                "{} {} {}: not in the spec (fix the path, or mark it not_in_spec with the source)",
                op.name(),
                op.method(),
                op.path()
            )),
            (true, Some(_)) => problems.push(format!(
                "{} {} {}: marked not_in_spec but the spec has it",
                op.name(),
                op.method(),
                op.path()
            )),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_table_covers_every_status_page_operation_of_the_spec() {
    // The spec also has the monitoring/on-call family, workspaces and audience groups, which a
    // status page does not need; everything else must be in the table.
    let spec = Spec::load();
    let out_of_scope = [
        "/monitor",
        "/routing-rules",
        "/escalation-policies",
        "/on-call-schedules",
        "/v1/workspaces",
        "/audience-groups",
        "/regenerate-secure-link",
        "/{page_id}/monitor",
    ];
    let mut missing = Vec::new();
    for (path, ops) in spec.root()["paths"].as_object().unwrap() {
        if out_of_scope.iter().any(|p| path.contains(p)) {
            continue;
        }
        for method in ops.as_object().unwrap().keys() {
            let covered = Op::ALL
                .iter()
                .any(|op| op.path() == path && op.method().as_str().eq_ignore_ascii_case(method));
            if !covered && !(path == "/v1/{page_id}/subscribers" && method == "get") {
                missing.push(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "spec operations missing from the table:\n{}",
        missing.join("\n")
    );
}

#[test]
fn vendored_spec_is_the_shared_reference() {
    let shared = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/reference/instatus-openapi.json"
    );
    if let Ok(reference) = std::fs::read(shared) {
        let vendored = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/spec/instatus-openapi.json"
        ))
        .unwrap();
        assert!(
            reference == vendored,
            "spec/instatus-openapi.json differs from {shared}: copy it again"
        );
    }
}
