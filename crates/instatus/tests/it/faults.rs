//! The executor under faults the emulator injects: what is retried, what is not, and that nothing
//! is ever created twice.

use std::time::{Duration, Instant};

use instatus::api::{self, components::CreateComponentRequest};
use instatus::model::{Component, PageId};
use instatus::{Client, Error, RetryPolicy};
use instatus_emulator::{Config, Emulator, FaultAction, FaultRule, RateLimit};

const FAST: RetryPolicy = RetryPolicy {
    max_attempts: 5,
    base_delay: Duration::from_millis(20),
    max_delay: Duration::from_secs(3),
    max_elapsed: Duration::from_secs(20),
};

fn setup() -> (Emulator, Client, PageId) {
    let emulator = Emulator::start(Config::default()).unwrap();
    let page = PageId::new(emulator.create_page("ephemery", "Ephemery"));
    let client = Client::builder(emulator.api_key())
        .base_url(emulator.url())
        .timeout(Duration::from_secs(1))
        .retry(FAST)
        .build()
        .unwrap();
    (emulator, client, page)
}

fn statuses(emulator: &Emulator, method: &str) -> Vec<u16> {
    emulator
        .requests()
        .into_iter()
        .filter(|r| r.method == method)
        .map(|r| r.status)
        .collect()
}

fn components(client: &Client, page: &PageId) -> Vec<Component> {
    client.list_all(api::components::list(page)).unwrap()
}

#[test]
fn rate_limit_with_retry_after_waits_as_told() {
    let (emulator, client, _) = setup();
    emulator.set_rate_limit(Some(RateLimit {
        limit: 2,
        window: Duration::from_secs(1),
        retry_after: true,
    }));
    let start = Instant::now();
    for _ in 0..3 {
        client.send(api::user::get()).unwrap();
    }
    // Two fit the first window; the third got 429 + Retry-After and waited for the next window.
    assert_eq!(statuses(&emulator, "GET"), [200, 200, 429, 200]);
    assert!(
        start.elapsed() >= Duration::from_millis(900),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn rate_limit_without_retry_after_backs_off() {
    let (emulator, client, page) = setup();
    emulator.set_rate_limit(Some(RateLimit {
        limit: 1,
        window: Duration::from_millis(100),
        retry_after: false,
    }));
    client.send(api::user::get()).unwrap();
    // A POST is safe to repeat after a 429: the request was refused, not processed.
    client
        .send(api::components::create(
            &page,
            &CreateComponentRequest::new("Network"),
        ))
        .unwrap();
    let posts = statuses(&emulator, "POST");
    assert_eq!(posts.last(), Some(&200));
    assert!(
        posts[..posts.len() - 1].iter().all(|&s| s == 429) && posts.len() >= 2,
        "{posts:?}"
    );
    emulator.set_rate_limit(None);
    assert_eq!(components(&client, &page).len(), 1, "created exactly once");
}

#[test]
fn rate_limit_longer_than_the_budget_gives_up_with_the_wait() {
    let (emulator, client, _) = setup();
    emulator.set_rate_limit(Some(RateLimit {
        limit: 1,
        window: Duration::from_secs(60),
        retry_after: true,
    }));
    client.send(api::user::get()).unwrap();
    let start = Instant::now();
    let err = client.send(api::user::get()).unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "did not sit out a 60 s Retry-After"
    );
    match err {
        Error::RateLimited {
            retry_after: Some(wait),
            ..
        } => assert!(wait > Duration::from_secs(50)),
        other => panic!("expected RateLimited, got {other:?}"),
    }
}

#[test]
fn a_burst_of_500s_on_a_read_is_retried() {
    let (emulator, client, page) = setup();
    emulator
        .add_fault(FaultRule::new("GET", "/v1/*/components", FaultAction::Status(500)).times(3));
    assert!(components(&client, &page).is_empty());
    assert_eq!(statuses(&emulator, "GET"), [500, 500, 500, 200]);
}

#[test]
fn too_many_500s_give_up_with_the_api_error() {
    let (emulator, client, page) = setup();
    emulator
        .add_fault(FaultRule::new("GET", "/v1/*/components", FaultAction::Status(503)).times(50));
    let err = client.list_all(api::components::list(&page)).unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(statuses(&emulator, "GET").len(), FAST.max_attempts as usize);
}

#[test]
fn a_500_after_a_create_is_ambiguous_and_not_repeated() {
    let (emulator, client, page) = setup();
    emulator.add_fault(
        FaultRule::new("POST", "/v1/*/components", FaultAction::StatusAfter(500)).times(1),
    );
    let err = client
        .send(api::components::create(
            &page,
            &CreateComponentRequest::new("Network"),
        ))
        .unwrap_err();
    assert!(err.is_ambiguous(), "{err}");
    assert_eq!(
        statuses(&emulator, "POST"),
        [500],
        "one POST, no blind retry"
    );
    // The write did happen: looking it up finds exactly one.
    assert_eq!(components(&client, &page).len(), 1);
}

#[test]
fn a_stalled_read_times_out_and_is_retried() {
    let (emulator, client, page) = setup();
    emulator.add_fault(
        FaultRule::new(
            "GET",
            "/v1/*/components",
            FaultAction::Delay(Duration::from_secs(10)),
        )
        .times(1),
    );
    let start = Instant::now();
    assert!(components(&client, &page).is_empty());
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "gave up on the stall after the 1 s timeout"
    );
    assert_eq!(client.request_count(), 2);
}

#[test]
fn a_stalled_create_is_ambiguous_after_one_attempt() {
    let (emulator, client, page) = setup();
    emulator.add_fault(
        FaultRule::new(
            "POST",
            "/v1/*/components",
            FaultAction::Delay(Duration::from_secs(10)),
        )
        .times(1),
    );
    let before = client.request_count();
    let err = client
        .send(api::components::create(
            &page,
            &CreateComponentRequest::new("Network"),
        ))
        .unwrap_err();
    assert!(
        matches!(&err, Error::Ambiguous { cause, .. } if matches!(**cause, Error::Timeout { .. })),
        "{err:?}"
    );
    assert_eq!(
        client.request_count() - before,
        1,
        "a POST that may have landed is not re-sent"
    );
}

#[test]
fn dropped_connections() {
    let (emulator, client, page) = setup();
    emulator.add_fault(FaultRule::new("GET", "/v1/user", FaultAction::Drop).times(2));
    client.send(api::user::get()).unwrap();
    assert_eq!(client.request_count(), 3);

    emulator.add_fault(FaultRule::new("POST", "/v1/*/components", FaultAction::DropAfter).times(1));
    let err = client
        .send(api::components::create(
            &page,
            &CreateComponentRequest::new("Network"),
        ))
        .unwrap_err();
    assert!(err.is_ambiguous(), "{err}");
    assert_eq!(
        components(&client, &page).len(),
        1,
        "processed once, never re-sent"
    );
}

#[test]
fn connection_refused_is_retried_then_reported() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client = Client::builder("k")
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry(RetryPolicy {
            max_attempts: 3,
            ..FAST
        })
        .build()
        .unwrap();
    // Nothing reached a server, so even a POST may be repeated.
    let err = client
        .send(api::components::create(
            &PageId::new("p"),
            &CreateComponentRequest::new("x"),
        ))
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(client.request_count(), 3);
}

#[test]
fn malformed_json_and_wrong_shapes_are_named() {
    let (emulator, client, _) = setup();
    emulator.add_fault(FaultRule::new("GET", "/v1/user", FaultAction::Malformed).times(1));
    match client.send(api::user::get()).unwrap_err() {
        Error::NotJson {
            status: 200,
            snippet,
            ..
        } => assert!(snippet.starts_with("{\"id\"")),
        other => panic!("expected NotJson, got {other:?}"),
    }
    let err = client
        .send(api::user::get().cast::<Vec<Component>>())
        .unwrap_err();
    match &err {
        Error::Decode {
            type_name, field, ..
        } => {
            assert_eq!(type_name, "Vec<Component>");
            assert_eq!(field, ".");
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    assert!(err.to_string().contains("GET /v1/user"), "{err}");
}

#[test]
fn the_api_key_never_shows() {
    let emulator = Emulator::start(Config::default()).unwrap();
    let key = "0123456789abcdef0123456789abcdef";
    let builder = Client::builder(key)
        .base_url(emulator.url())
        .retry(RetryPolicy::none());
    let client = builder.clone().build().unwrap();
    let err = client.send(api::user::get()).unwrap_err();
    assert_eq!(err.status(), Some(401));
    let texts = [
        format!("{builder:?}"),
        format!("{client:?}"),
        format!("{err}"),
        format!("{err:?}"),
    ];
    for text in texts {
        assert!(!text.contains(key), "the key leaked: {text}");
    }
}

#[test]
fn a_create_that_lands_after_the_timeout_is_found_not_sent_again() {
    // The server is still working on the create when the client gives up (1 s timeout, the
    // create lands after 2.5 s). A look-up 1 s after the failure missed it and sent it again:
    // two components. The look-up now waits the request timeout plus a margin.
    let (emulator, client, page) = setup();
    emulator.add_fault(
        FaultRule::new(
            "POST",
            "/v1/*/components",
            FaultAction::Delay(Duration::from_millis(2500)),
        )
        .times(1),
    );
    let body = CreateComponentRequest::new("Execution Client");
    let created = instatus::recover::create_once(
        &client,
        || api::components::create(&page, &body),
        |c| {
            let all = c.list_all(api::components::list(&page))?;
            Ok(all
                .into_iter()
                .find(|x| x.name.as_str() == "Execution Client"))
        },
    )
    .unwrap();
    assert!(created.recovered);
    assert_eq!(created.sends, 1);
    assert_eq!(components(&client, &page).len(), 1);
}
