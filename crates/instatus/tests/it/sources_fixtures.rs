//! The sources parse real payloads captured from Prometheus 2.42 and Alertmanager 0.25
//! (copied from the shared fixtures into `tests/fixtures/monitoring/`).

use instatus::sources::alertmanager::{parse_alerts, WebhookPayload};
use instatus::sources::prometheus::{parse, Data, PromError};
use instatus::status::QueryResult;
use jiff::Timestamp;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/monitoring/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn samples() -> Vec<serde_json::Value> {
    let all: serde_json::Value = serde_json::from_slice(&fixture("prom-api-samples.json")).unwrap();
    all["samples"].as_array().unwrap().clone()
}

fn sample(request_starts: &str) -> (u16, Vec<u8>) {
    let s = samples()
        .into_iter()
        .find(|s| s["request"].as_str().unwrap().starts_with(request_starts))
        .unwrap_or_else(|| panic!("{request_starts}"));
    let body = match &s["body"] {
        serde_json::Value::String(text) => text.clone().into_bytes(),
        other => serde_json::to_vec(other).unwrap(),
    };
    (s["http_status"].as_u64().unwrap() as u16, body)
}

#[test]
fn an_instant_vector_becomes_samples() {
    let answer = parse(200, &fixture("prom-query-sample.json")).unwrap();
    match answer.clone().into_query_result() {
        QueryResult::Samples(s) => {
            assert_eq!(s.len(), 1);
            assert_eq!(s[0].labels["job"], "prometheus");
            assert_eq!(s[0].value, 1.0);
            assert_eq!(
                s[0].timestamp,
                Timestamp::from_millisecond(1_795_609_929_138).unwrap()
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn scalars_strings_matrices_nan_and_inf() {
    let (status, body) = sample("GET /api/v1/query?query=scalar");
    assert!(matches!(parse(status, &body).unwrap().data, Data::Scalar(p) if p.value == 1.0));
    let (status, body) = sample("GET /api/v1/query?query=1/0");
    assert!(
        matches!(parse(status, &body).unwrap().data, Data::Scalar(p) if p.value == f64::INFINITY)
    );
    let (status, body) = sample("POST /api/v1/query (form) query=vector(NaN)");
    match parse(status, &body).unwrap().data {
        Data::Vector(s) => assert!(s[0].points[0].value.is_nan()),
        other => panic!("{other:?}"),
    }
    let (status, body) = sample("GET /api/v1/query?query=\"hello\"");
    assert!(matches!(parse(status, &body).unwrap().data, Data::String(_, ref s) if s == "hello"));
    let (status, body) = sample("GET /api/v1/query_range?query=up");
    match parse(status, &body).unwrap() {
        answer @ instatus::sources::prometheus::Answer {
            data: Data::Matrix(_),
            ..
        } => {
            let Data::Matrix(series) = &answer.data else {
                unreachable!()
            };
            assert!(series[0].points.len() > 1);
            // A matrix is not an instant reading: unknown, not healthy.
            assert!(matches!(answer.into_query_result(), QueryResult::Failed(_)));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn prometheus_error_envelopes_and_non_api_bodies() {
    let (status, body) = sample("GET /api/v1/query?query=up{");
    match parse(status, &body) {
        Err(PromError::Api {
            status: 400,
            error_type,
            message,
        }) => {
            assert_eq!(error_type, "bad_data");
            assert!(message.contains("parse error"));
        }
        other => panic!("{other:?}"),
    }
    let (status, body) = sample("GET /api/v1/query?query=prometheus_http_requests_total");
    assert!(
        matches!(parse(status, &body), Err(PromError::Api { status: 422, ref error_type, .. }) if error_type == "execution")
    );
    let (status, body) = sample("GET /api/v1/nonexistent");
    assert!(matches!(
        parse(status, &body),
        Err(PromError::NotApi { status: 404, .. })
    ));
}

#[test]
fn webhooks_are_read_per_alert_not_per_group() {
    let payload = WebhookPayload::parse(&fixture("alertmanager-webhook-sample.json")).unwrap();
    assert_eq!(payload.version, "4");
    assert_eq!(payload.status, "firing");
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    let d = payload.delivery(now);
    assert_eq!(d.alerts.len(), 2);
    // The "firing" group carries a resolved member.
    assert!(d.alerts[0].firing && d.alerts[0].ends_at.is_none());
    assert!(!d.alerts[1].firing && d.alerts[1].ends_at.is_some());
    assert_eq!(d.alerts[0].fingerprint, "e5c8a9468ee861ba");
    assert_eq!(
        d.alerts[0].annotations["runbook_url"],
        "https://runbooks.example/lab"
    );

    let resolved =
        WebhookPayload::parse(&fixture("alertmanager-webhook-resolved-sample.json")).unwrap();
    assert_eq!(resolved.status, "resolved");
    assert!(resolved.delivery(now).alerts.iter().all(|a| !a.firing));

    let truncated =
        WebhookPayload::parse(&fixture("alertmanager-webhook-truncated-sample.json")).unwrap();
    assert!(truncated.truncated_alerts > 0);
    assert_eq!(truncated.alerts.len(), 1);

    let err =
        WebhookPayload::parse(br#"{"version":"3","status":"firing","alerts":[]}"#).unwrap_err();
    assert!(err.to_string().contains("supported: \"4\""), "{err}");
}

#[test]
fn the_v2_alert_list_is_a_complete_delivery() {
    let body = br#"[{"annotations":{"summary":"x"},"endsAt":"2026-11-25T12:40:00.000Z","fingerprint":"0123456789abcdef",
        "receivers":[{"name":"bridge"}],"startsAt":"2026-11-25T12:30:00.000Z","status":{"inhibitedBy":[],"silencedBy":[],"state":"active"},
        "updatedAt":"2026-11-25T12:36:00.000Z","generatorURL":"http://p","labels":{"alertname":"GethDown"}}]"#;
    let now = Timestamp::from_second(1_800_000_000).unwrap();
    let d = parse_alerts(body, now).unwrap();
    assert!(d.complete);
    assert_eq!(d.alerts[0].labels["alertname"], "GethDown");
    assert!(d.alerts[0].firing && d.alerts[0].ends_at.is_some());
}
