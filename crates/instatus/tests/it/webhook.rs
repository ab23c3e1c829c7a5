//! `instatus::webhook` on captured-shape payloads (tests/fixtures/webhooks): the signature on the
//! raw body, tampering, truncation, replay, and field errors.

use instatus::model::{
    ComponentStatus, IncidentImpact, IncidentStatus, MaintenanceStatus, PublicPageStatus,
};
use instatus::webhook::{
    parse, sign, Event, PayloadError, ReplayGuard, SignatureError, SignedOver, Verifier,
    WebhookError,
};
use instatus::Secret;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/webhooks/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn secret() -> Secret {
    Secret::new("whsec-3c1b0a9f")
}

/// The compact form Instatus signs (`JSON.stringify` of the parsed body): the fixtures are
/// pretty-printed ASCII with no escapes, so dropping the whitespace outside strings gives it.
fn compact(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    for &b in body {
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
            out.push(b);
        } else if !b.is_ascii_whitespace() {
            out.push(b);
        }
    }
    out
}

#[test]
fn incident_payload_parses_with_statuses_normalised() {
    let body = fixture("incident");
    let event = Verifier::new(&secret())
        .verify_and_parse(&body, Some(&sign(&secret(), &body)))
        .unwrap();
    let Event::Incident(e) = &event else {
        panic!("not an incident: {event:?}")
    };
    assert_eq!(event.kind(), "incident");
    assert_eq!(e.page.id.as_str(), "ckw1page000000000000000001");
    assert_eq!(e.page.status_indicator, Some(PublicPageStatus::HasIssues));
    let i = &e.incident;
    assert_eq!(i.id.as_str(), "ckw1inc0000000000000000001");
    assert_eq!(i.name, "Execution client down");
    // "Identified" (title case, as receivers saw it) is the enum's IDENTIFIED.
    assert_eq!(i.status, IncidentStatus::Identified);
    assert_eq!(i.impact, Some(IncidentImpact::MajorOutage));
    assert!(!i.backfilled);
    assert_eq!(i.resolved_at, None, "\"\" is no resolve time");
    assert_eq!(i.updated_at.unwrap().to_string(), "2026-03-01T10:12:30.5Z");
    assert_eq!(i.updates.len(), 2);
    assert_eq!(i.updates[0].status, IncidentStatus::Investigating);
    assert_eq!(
        i.updates[0].markdown.as_deref(),
        Some("We are investigating.")
    );
    assert_eq!(i.updates[1].body, "<p>Geth ran out of disk; resizing.</p>");
    assert_eq!(i.updates[1].markdown, None);
    assert_eq!(i.affected_components.len(), 1);
    assert_eq!(
        i.affected_components[0].status,
        Some(ComponentStatus::MajorOutage)
    );
    // The unsubscribe link carries the subscriber's token: a secret.
    let unsub = e.meta.unsubscribe.as_ref().unwrap();
    assert!(unsub.expose().contains("token=u7nsub5cr1bet0ken"));
    assert!(!format!("{event:?}").contains("u7nsub5cr1bet0ken"));
}

#[test]
fn maintenance_payload_parses_duration_string_and_human_statuses() {
    let Event::Maintenance(e) = parse(&fixture("maintenance")).unwrap() else {
        panic!("not a maintenance")
    };
    let m = &e.maintenance;
    assert_eq!(m.status, MaintenanceStatus::InProgress, "\"In progress\"");
    assert_eq!(m.duration_minutes, Some(60), "\"60\" as the docs send it");
    assert_eq!(
        m.updates[0].status,
        MaintenanceStatus::NotStartedYet,
        "\"Planned\""
    );
    assert_eq!(m.updates[1].status, MaintenanceStatus::InProgress);
    // The docs' request form `YYYY-MM-DD HH:MM:SS.fff` is read as UTC.
    assert_eq!(m.created_at.unwrap().to_string(), "2026-03-02T08:00:00Z");
    assert_eq!(e.meta.unsubscribe, None, "\"\" is no link");
    assert_eq!(
        e.page.status_indicator,
        Some(PublicPageStatus::UnderMaintenance)
    );
}

#[test]
fn component_update_payload_parses() {
    let Event::ComponentUpdate(e) = parse(&fixture("component_update")).unwrap() else {
        panic!("not a component update")
    };
    assert_eq!(e.component_id.as_str(), "ckw1cmp0000000000000000002");
    assert_eq!(e.new_status, ComponentStatus::PartialOutage);
    assert_eq!(e.old_status, Some(ComponentStatus::Operational));
    assert_eq!(e.component_name.as_deref(), Some("Consensus Client"));
}

#[test]
fn human_and_legacy_status_spellings_normalise() {
    for (given, want) in [
        ("Major outage", ComponentStatus::MajorOutage),
        ("major_outage", ComponentStatus::MajorOutage),
        ("degraded-performance", ComponentStatus::DegradedPerformance),
        ("MINOROUTAGE", ComponentStatus::PartialOutage),
        ("Under maintenance", ComponentStatus::UnderMaintenance),
        ("Operational", ComponentStatus::Operational),
        ("Sideways", ComponentStatus::Unknown("Sideways".into())),
    ] {
        let body = format!(
            r#"{{"page":{{"id":"p"}},"component_update":{{"component_id":"c","new_status":"{given}"}}}}"#
        );
        let Event::ComponentUpdate(e) = parse(body.as_bytes()).unwrap() else {
            panic!()
        };
        assert_eq!(e.new_status, want, "{given}");
    }
}

#[test]
fn the_signature_is_over_the_raw_body_or_its_compact_form() {
    let pretty = fixture("incident");
    let compact = compact(&pretty);
    assert_ne!(pretty, compact);
    let v = Verifier::new(&secret());
    // Instatus signs JSON.stringify(body): a pretty body with the compact form's signature passes
    // (the default), but not when only the raw bytes count.
    let signed_compact = sign(&secret(), &compact);
    assert_eq!(v.verify(&compact, Some(&signed_compact)), Ok(()));
    assert_eq!(v.verify(&pretty, Some(&signed_compact)), Ok(()));
    let raw_only = Verifier::new(&secret()).signed_over(SignedOver::RawBody);
    assert_eq!(
        raw_only.verify(&pretty, Some(&signed_compact)),
        Err(SignatureError::Mismatch)
    );
    // Upper-case hex and a sha256= prefix are the same signature.
    let upper = format!("sha256={}", signed_compact.to_uppercase());
    assert_eq!(v.verify(&compact, Some(&upper)), Ok(()));
}

#[test]
fn wrong_secret_missing_and_malformed_signatures_are_refused() {
    let body = fixture("component_update");
    let v = Verifier::new(&secret());
    let other = sign(&Secret::new("someone-else"), &body);
    assert_eq!(v.verify(&body, Some(&other)), Err(SignatureError::Mismatch));
    assert_eq!(v.verify(&body, None), Err(SignatureError::Missing));
    for bad in [
        "",
        "abc",
        "zz".repeat(32).as_str(),
        &sign(&secret(), &body)[..63],
    ] {
        assert_eq!(
            v.verify(&body, Some(bad)),
            Err(SignatureError::Malformed),
            "{bad:?}"
        );
    }
    // The error never shows either signature.
    let good = sign(&secret(), &body);
    let msg = WebhookError::from(v.verify(&body, Some(&other)).unwrap_err()).to_string();
    assert!(
        !msg.contains(&other[..16]) && !msg.contains(&good[..16]),
        "{msg}"
    );
    assert!(msg.contains("x-instatus-webhook-signature"), "{msg}");
}

#[test]
fn a_modified_body_fails_the_signature() {
    let body = fixture("incident");
    let signature = sign(&secret(), &body);
    let text = String::from_utf8(body.clone()).unwrap();
    let v = Verifier::new(&secret());
    for tampered in [
        text.replace("Identified", "Resolved"),
        text.replace("MAJOROUTAGE", "OPERATIONAL"),
        text.replacen('{', "{\"extra\":1,", 1),
    ] {
        assert_ne!(tampered.as_bytes(), body.as_slice());
        assert_eq!(
            v.verify_and_parse(tampered.as_bytes(), Some(&signature)),
            Err(WebhookError::Signature(SignatureError::Mismatch))
        );
    }
}

#[test]
fn a_truncated_body_fails_the_signature_and_the_parse() {
    let body = fixture("maintenance");
    let signature = sign(&secret(), &body);
    let cut = &body[..body.len() / 2];
    let v = Verifier::new(&secret());
    assert_eq!(
        v.verify(cut, Some(&signature)),
        Err(SignatureError::Mismatch)
    );
    // Even correctly signed, a cut body is refused with where it ends.
    let resigned = sign(&secret(), cut);
    match v.verify_and_parse(cut, Some(&resigned)) {
        Err(WebhookError::Payload(PayloadError::NotJson { line, message, .. })) => {
            assert!(line > 1, "{line}");
            assert!(message.contains("EOF"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_replayed_delivery_verifies_but_is_recognised() {
    let v = Verifier::new(&secret());
    let mut guard = ReplayGuard::new(2);
    let incident = fixture("incident");
    let component = fixture("component_update");
    let maintenance = fixture("maintenance");
    let deliver = |body: &[u8]| {
        v.verify_and_parse(body, Some(&sign(&secret(), body)))
            .unwrap()
    };
    assert!(guard.first_time(&deliver(&incident)));
    assert!(!guard.first_time(&deliver(&incident)), "replay");
    assert!(guard.first_time(&deliver(&component)));
    // A new update of the same incident is news.
    let text = String::from_utf8(incident.clone()).unwrap();
    let updated = text.replace(
        "2026-03-01T10:12:30.500Z\",\n    \"id\"",
        "2026-03-01T10:20:00.000Z\",\n    \"id\"",
    );
    assert_ne!(updated, text);
    assert!(guard.first_time(&deliver(updated.as_bytes())));
    // The capacity is 2: the first incident delivery has been forgotten.
    assert!(guard.first_time(&deliver(&maintenance)));
    assert!(guard.first_time(&deliver(&incident)));
}

#[test]
fn bad_payloads_name_the_field() {
    let cases: &[(&str, &str)] = &[
        (
            r#"{"page":{"id":"p"},"incident":{"name":"x","status":"RESOLVED"}}"#,
            "incident.id",
        ),
        (
            r#"{"page":{"id":"p"},"incident":{"id":"i","name":"x","status":""}}"#,
            "incident.status",
        ),
        (
            r#"{"page":{"id":"p"},"incident":{"id":"i","name":"x","status":"RESOLVED","incident_updates":{}}}"#,
            "incident.incident_updates",
        ),
        (
            r#"{"page":{"id":"p"},"incident":{"id":"i","name":"x","status":"RESOLVED","incident_updates":[{"id":"u"}]}}"#,
            "incident.incident_updates[0].status",
        ),
        (
            r#"{"page":{"id":"p"},"incident":{"id":"i","name":"x","status":"RESOLVED","updated_at":"yesterday"}}"#,
            "incident.updated_at",
        ),
        (
            r#"{"page":{"id":"p"},"maintenance":{"id":"m","name":"x","status":"INPROGRESS","duration":"an hour"}}"#,
            "maintenance.duration",
        ),
        (
            r#"{"page":{"id":"p"},"component_update":{"new_status":"UP"}}"#,
            "component_update.component_id",
        ),
        (
            r#"{"page":{"id":"p"},"component_update":{"component_id":"c","new_status":7}}"#,
            "component_update.new_status",
        ),
        (
            r#"{"incident":{"id":"i","name":"x","status":"RESOLVED"}}"#,
            "page",
        ),
        (
            r#"{"page":"p","incident":{"id":"i","name":"x","status":"RESOLVED"}}"#,
            "page",
        ),
    ];
    for (body, field) in cases {
        match parse(body.as_bytes()) {
            Err(PayloadError::Field {
                field: got,
                message,
            }) => {
                assert_eq!(&got, field, "{body}: {message}");
                let shown = PayloadError::Field {
                    field: got,
                    message,
                }
                .to_string();
                assert!(shown.contains(field), "{shown}");
            }
            other => panic!("{body}: {other:?}"),
        }
    }
    match parse(br#"{"meta":{},"page":{"id":"p"}}"#) {
        Err(e @ PayloadError::UnknownKind { .. }) => {
            let shown = e.to_string();
            assert!(
                shown.contains("component_update") && shown.contains("meta, page"),
                "{shown}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        parse(b"[1]"),
        Err(PayloadError::UnknownKind { .. })
    ));
}

#[path = "../../examples/webhook_receiver.rs"]
mod receiver;

#[test]
fn the_example_receiver_answers_each_case() {
    let v = Verifier::new(&secret());
    let mut seen = ReplayGuard::new(100);
    let body = fixture("incident");
    let good = sign(&secret(), &body);
    let (status, what) = receiver::handle(&v, &mut seen, &body, Some(&good));
    assert_eq!(status, 200);
    assert_eq!(
        what,
        "incident \"Execution client down\" is IDENTIFIED (2 updates)"
    );
    assert_eq!(
        receiver::handle(&v, &mut seen, &body, Some(&good)),
        (200, "duplicate incident delivery ignored".to_owned())
    );
    assert_eq!(receiver::handle(&v, &mut seen, &body, None).0, 401);
    assert_eq!(
        receiver::handle(&v, &mut seen, b"{}", Some(&good)).0,
        401,
        "another body"
    );
    let signed_junk = sign(&secret(), b"{}");
    assert_eq!(
        receiver::handle(&v, &mut seen, b"{}", Some(&signed_junk)).0,
        400
    );
}
