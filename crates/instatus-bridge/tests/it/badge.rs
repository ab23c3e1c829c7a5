//! The shields.io badges through a running `serve`: the page's overall status as the evaluations
//! leave it, Ephemery's iteration and next reset, and no Instatus request per badge fetched.

use crate::common;

use std::time::Duration;

use common::*;
use instatus::api::{self, components::UpdateComponentRequest};
use instatus::ephemery::{Schedule, WindowConfig};
use instatus::jiff::Timestamp;
use instatus::model::ComponentStatus;
use instatus_bridge::badge;

const EXEC: &str = "Ethereum Services/Execution Client";

/// GET a badge: (status, content type, body).
fn fetch(url: &str) -> (u16, String, String) {
    let mut resp = agent().get(url).call().expect("GET");
    let kind = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = resp.body_mut().read_to_string().unwrap_or_default();
    (resp.status().as_u16(), kind, body)
}

#[test]
fn badges_follow_the_page_and_cost_no_instatus_request() {
    let page = Page::start();
    // A person's partial outage on a component the bridge does not manage.
    let network = page.component("Network");
    page.client
        .send(api::components::update(
            &page.page,
            &network.id,
            &UpdateComponentRequest::status(ComponentStatus::PartialOutage),
        ))
        .unwrap();
    let dir = temp_dir("badge");
    let token = write(&dir, "token", "webhook-s3cret\n");
    // A long interval: only the webhook below makes the bridge evaluate again.
    let cfg = write(
        &dir,
        "bridge.yml",
        &format!(
            r#"
server:
  auth: {{bearer_token_file: {}}}
prometheus: {{url: "http://127.0.0.1:9", interval_secs: 3600}}
ephemery_resets: {{}}
status:
  components:
    - path: {EXEC}
      rules:
        - alert: {{matchers: ['alertname="GethDown"'], level: major_outage, exit_for_secs: 0}}
"#,
            token.display()
        ),
    );
    let served = Served::start(&cfg, &page.env());
    wait_until("readyz", Duration::from_secs(10), || {
        get(&format!("{}/readyz", served.url)).0 == 200
    });

    let badge_url = |name: &str| format!("{}/badge/{name}.json", served.url);
    let requests_before = page.emu.requests().len();
    let before = Timestamp::now();
    let (code, kind, status) = fetch(&badge_url("status"));
    let (_, _, iteration) = fetch(&badge_url("iteration"));
    let (_, _, next_reset) = fetch(&badge_url("next-reset"));
    let after = Timestamp::now();
    for _ in 0..20 {
        assert_eq!(fetch(&badge_url("status")).0, 200);
    }
    println!("GET /badge/status.json {status}\nGET /badge/iteration.json {iteration}\nGET /badge/next-reset.json {next_reset}");
    assert_eq!((code, kind.as_str()), (200, "application/json"));
    assert_eq!(
        status,
        r#"{"schemaVersion":1,"label":"status","message":"partial outage","color":"orange","cacheSeconds":300}"#
    );
    // What the pure functions say at the same moment (either side of the fetches).
    let expected = |f: &dyn Fn(Timestamp) -> badge::Badge| [f(before).json(), f(after).json()];
    assert!(
        expected(&|now| badge::iteration(&Schedule::EPHEMERY, now)).contains(&iteration),
        "{iteration}"
    );
    let window = WindowConfig::default();
    assert!(
        expected(&|now| badge::next_reset(&Schedule::EPHEMERY, &window, now)).contains(&next_reset),
        "{next_reset}"
    );
    assert!(
        iteration.contains(r#""message":"iteration "#),
        "{iteration}"
    );
    assert!(
        next_reset.contains(r#""message":"resets in "#)
            || next_reset.contains(r#""message":"resetting now""#),
        "{next_reset}"
    );
    assert_eq!(
        page.emu.requests().len(),
        requests_before,
        "23 badges fetched, no Instatus request"
    );

    // The bridge writes a major outage: the next badge says so, from the page it wrote.
    let (code, _) = post(
        &format!("{}/alertmanager", served.url),
        &webhook(
            "GethDown",
            "fp-badge-1",
            "2026-12-01T10:00:00.000Z",
            "firing",
        ),
        Some("Bearer webhook-s3cret"),
    );
    assert_eq!(code, 200);
    wait_until(
        "the badge says major outage",
        Duration::from_secs(15),
        || {
            fetch(&badge_url("status"))
                .2
                .contains(r#""message":"major outage""#)
        },
    );
    assert_eq!(page.status(EXEC), "MAJOROUTAGE");
    let (_, _, status) = fetch(&badge_url("status"));
    println!("GET /badge/status.json {status}");
    assert!(status.contains(r#""color":"red""#), "{status}");

    let (code, _, body) = fetch(&badge_url("uptime"));
    assert_eq!(code, 404, "{body}");
    assert!(body.contains("/badge/status.json"), "{body}");
    assert_eq!(served.terminate(), Some(0));
}
