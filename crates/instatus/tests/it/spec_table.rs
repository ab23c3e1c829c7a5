//! The operation table against the official OpenAPI spec.

use crate::support;

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
            // The subscriber list has a v1 and a v2 form; the table uses the current v2 one.
            let superseded = path == "/v1/{page_id}/subscribers" && method == "get";
            if !(covered || superseded) {
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

/// The coverage table in docs/ is generated from the operation table and the deviations list;
/// run with `UPDATE_DOCS=1` to rewrite it.
#[test]
fn api_coverage_doc_is_current() {
    use instatus::api::deviations::{Side, DEVIATIONS};
    let mut doc = String::from(
        "# Instatus API coverage\n\n\
         Generated from `crates/instatus/src/api/operations.rs` (the one table of methods and paths) and\n\
         `crates/instatus/src/api/deviations.rs` by `cargo test -p instatus --test it spec_table::`\n\
         (`UPDATE_DOCS=1` rewrites it). Every row is served by `instatus-emulator` and exercised\n\
         against it by `tests/it/contract.rs`, with each request and response checked against the\n\
         official OpenAPI spec (v2.0.0, January 2026).\n\n\
         | operation | method | path | in the spec |\n| --- | --- | --- | --- |\n",
    );
    for op in Op::ALL {
        doc.push_str(&format!(
            "| `{}` | {} | `{}` | {} |\n",
            op.name(),
            op.method(),
            op.path(),
            op.not_in_spec()
                .map_or("yes".to_owned(), |why| format!("no: {why}"))
        ));
    }
    doc.push_str(
        "\n## Deliberate deviations from the spec\n\n\
         The live API differs from its spec in these places; the client and the emulator follow the\n\
         live API, and the conformance tests allow exactly these.\n\n\
         | operation | side | location | why |\n| --- | --- | --- | --- |\n",
    );
    for d in DEVIATIONS {
        let side = if d.side == Side::Request {
            "request"
        } else {
            "response"
        };
        doc.push_str(&format!(
            "| `{}` | {side} | `{}` | {} |\n",
            d.op.name(),
            d.location,
            d.reason.split_whitespace().collect::<Vec<_>>().join(" ")
        ));
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/api-coverage.md");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, &doc).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == doc,
        "docs/api-coverage.md is stale: run `UPDATE_DOCS=1 cargo test -p instatus --test it spec_table::`"
    );
}
