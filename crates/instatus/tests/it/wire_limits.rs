//! What the client puts on the wire and how it survives absurd numbers, checked against a bare
//! `TcpListener` (the emulator normalises what these tests look at). Regression tests for issue 7:
//! a `Retry-After` of 2^64-1 and a timeout of 2^64-1 seconds panicked; a POST without a body went
//! out without `Content-Length`.

use crate::support;

use std::time::{Duration, Instant};

use instatus::api;
use instatus::model::{IncidentId, PageId};
use instatus::{Client, Error, RetryPolicy};
use support::raw_http::RawServer;

const USER: &str = r#"{"id":"u1","email":"ops@example.org","name":"Ops"}"#;

fn client(url: &str) -> Client {
    Client::builder("test-key")
        .base_url(url)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

#[test]
fn bodiless_post_sent_without_content_length() {
    let server = RawServer::start(vec![(200, vec![], "{}".into())]);
    let page = PageId::new("p1");
    // Both bodiless POSTs of the API: open from a template, resolve with a template.
    let _ = client(&server.url).send(api::incidents::create_from_template(&page, "Node down"));
    let _ = client(&server.url).send(api::incidents::resolve_with_template(
        &page,
        &IncidentId::new("i1"),
        "Resolved",
    ));
    let seen = server.captured();
    assert_eq!(seen.len(), 2, "{seen:#?}");
    for request in &seen {
        assert!(request.request_line.starts_with("POST "), "{request:?}");
        assert_eq!(
            request.header("content-length"),
            Some("0"),
            "a POST without a body must say so: {request:#?}"
        );
        assert!(
            request.header("transfer-encoding").is_none(),
            "{request:#?}"
        );
        assert!(request.body.is_empty());
    }
}

#[test]
fn bodiless_get_and_delete_send_no_body_headers() {
    let server = RawServer::start(vec![(200, vec![], USER.into())]);
    let _ = client(&server.url).send(api::user::get());
    let _ = client(&server.url).send(api::pages::delete(&PageId::new("p1")));
    for request in server.captured() {
        assert!(
            request.header("transfer-encoding").is_none(),
            "{request:#?}"
        );
        assert!(request.body.is_empty());
    }
}

#[test]
fn json_post_sends_its_length() {
    let server = RawServer::start(vec![(200, vec![], "{}".into())]);
    let body = api::components::CreateComponentRequest::new("Network");
    let _ = client(&server.url).send(api::components::create(&PageId::new("p1"), &body));
    let request = &server.captured()[0];
    let length: usize = request.header("content-length").unwrap().parse().unwrap();
    assert_eq!(length, request.body.len());
    assert_eq!(request.header("content-type"), Some("application/json"));
}

#[test]
fn retry_after_of_2_64_minus_1_seconds_panicked() {
    let server = RawServer::start(vec![(
        429,
        vec![("Retry-After", u64::MAX.to_string())],
        r#"{"error":{"code":"rate_limited","message":"slow down"}}"#.into(),
    )]);
    let started = Instant::now();
    let err = client(&server.url).send(api::user::get()).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "did not wait it out"
    );
    match err {
        Error::RateLimited {
            attempts,
            retry_after: Some(wait),
            ..
        } => {
            assert_eq!(attempts, 1, "a wait beyond the budget is not slept");
            assert!(wait >= Duration::from_secs(86_400), "{wait:?}");
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert_eq!(server.captured().len(), 1);
}

#[test]
fn retry_after_of_2_64_minus_1_with_an_unbounded_policy_panicked() {
    // A policy whose every limit is Duration::MAX: no sum of waits and elapsed time may overflow.
    let server = RawServer::start(vec![(
        429,
        vec![("Retry-After", u64::MAX.to_string())],
        "{}".into(),
    )]);
    let client = Client::builder("test-key")
        .base_url(&server.url)
        .retry(RetryPolicy {
            max_attempts: 1,
            base_delay: Duration::MAX,
            max_delay: Duration::MAX,
            max_elapsed: Duration::MAX,
        })
        .build()
        .unwrap();
    let err = client.send(api::user::get()).unwrap_err();
    match err {
        Error::RateLimited {
            retry_after: Some(wait),
            ..
        } => assert_eq!(wait, Duration::from_secs(u64::MAX)),
        other => panic!("expected RateLimited, got {other:?}"),
    }
}

#[test]
fn retry_after_as_a_far_future_date_is_bounded() {
    let server = RawServer::start(vec![(
        429,
        vec![("Retry-After", "Wed, 01 Dec 9999 00:00:00 GMT".into())],
        "{}".into(),
    )]);
    let err = client(&server.url).send(api::user::get()).unwrap_err();
    assert!(matches!(err, Error::RateLimited { .. }), "{err:?}");
}

#[test]
fn timeout_of_2_64_minus_1_seconds_panicked() {
    let server = RawServer::start(vec![(200, vec![], USER.into())]);
    let client = Client::builder("test-key")
        .base_url(&server.url)
        .timeout(Duration::from_secs(u64::MAX))
        .connect_timeout(Duration::MAX)
        .build()
        .unwrap();
    let user = client.send(api::user::get()).unwrap();
    assert_eq!(user.email, "ops@example.org");
    // The cap is what the client reports, so an error never claims a timeout it did not use.
    assert!(format!("{client:?}").contains(&format!("{:?}", instatus::MAX_TIMEOUT)));
}

#[test]
fn request_rate_too_small_to_space_is_refused_not_a_panic() {
    for rate in [1e-300, f64::MIN_POSITIVE, 1e-9] {
        let err = Client::builder("test-key")
            .max_requests_per_second(rate)
            .build()
            .unwrap_err();
        assert!(
            err.to_string().contains("max_requests_per_second"),
            "{rate}: {err}"
        );
    }
}
