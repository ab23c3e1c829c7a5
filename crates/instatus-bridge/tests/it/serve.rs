//! `serve`: the webhook receiver (auth, limits, malformed bodies, dedupe), evaluation on arrival,
//! /metrics, graceful shutdown, two replicas, and a SIGKILL restart.

use crate::common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;
use serde_json::Value;

const EXEC: &str = "Ethereum Services/Execution Client";
const STARTS: &str = "2026-12-01T10:00:00.000Z";

fn config(dir: &Path, extra: &str) -> PathBuf {
    let token = write(dir, "token", "webhook-s3cret\n");
    write(
        dir,
        "bridge.yml",
        &format!(
            r#"
server:
  auth: {{bearer_token_file: {}}}
  max_body_bytes: 4096
status:
  incidents: {{resolve_after_secs: 3600}}
  components:
    - path: {EXEC}
      rules:
        - alert: {{matchers: ['alertname="GethDown"'], level: major_outage, exit_for_secs: 0}}
{extra}
"#,
            token.display()
        ),
    )
}

const AUTH: &str = "Bearer webhook-s3cret";

fn ready(url: &str) {
    wait_until("readyz", Duration::from_secs(10), || {
        get(&format!("{url}/readyz")).0 == 200
    });
}

fn open_incidents(page: &Page) -> Vec<instatus::model::Incident> {
    page.incidents()
        .into_iter()
        .filter(|i| i.is_open())
        .collect()
}

#[test]
fn webhooks_are_checked_deduped_and_written_once() {
    let dir = temp_dir("serve");
    let page = Page::start();
    let cfg = config(&dir, "");
    let served = Served::start(&cfg, &page.env());
    assert!(
        served.url.starts_with("http://127.0.0.1:"),
        "{}",
        served.url
    );
    ready(&served.url);
    assert_eq!(get(&format!("{}/healthz", served.url)).0, 200);
    let hook = format!("{}/alertmanager", served.url);
    let firing = webhook("GethDown", "aaaaaaaaaaaaaaaa", STARTS, "firing");

    // Refusals: auth, method, size, malformed bodies (the field named).
    assert_eq!(post(&hook, &firing, None).0, 401);
    assert_eq!(post(&hook, &firing, Some("Bearer wrong")).0, 401);
    assert_eq!(get(&hook).0, 405);
    let (status, _) = post(&hook, &"x".repeat(5000), Some(AUTH));
    assert_eq!(status, 413);
    let (status, body) = post(
        &hook,
        r#"{"version":"4","status":"firing","alerts":[{"status":"firing","fingerprint":"f"}]}"#,
        Some(AUTH),
    );
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("alerts[0]") && body.contains("startsAt"),
        "{body}"
    );
    let v3 = firing.replace(r#""version":"4""#, r#""version":"3""#);
    let (status, body) = post(&hook, &v3, Some(AUTH));
    assert_eq!(status, 400);
    assert!(
        body.contains("version") && body.contains("\\\"4\\\""),
        "{body}"
    );
    assert_eq!(post(&hook, "not json", Some(AUTH)).0, 400);
    assert!(page.writes().is_empty(), "refused webhooks wrote");

    // The real one: answered, then written.
    let (status, body) = post(&hook, &firing, Some(AUTH));
    assert_eq!(status, 200, "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["new"], 1);
    wait_until("the outage on the page", Duration::from_secs(10), || {
        page.status(EXEC) == "MAJOROUTAGE" && open_incidents(&page).len() == 1
    });
    std::thread::sleep(Duration::from_millis(300));
    let writes = page.writes().len();

    // Duplicates: answered 200, no evaluation, no write.
    for _ in 0..20 {
        let (status, body) = post(&hook, &firing, Some(AUTH));
        assert_eq!(status, 200);
        assert!(body.contains(r#""duplicates":1"#), "{body}");
    }
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        page.writes().len(),
        writes,
        "duplicates wrote: {:?}",
        page.writes()
    );

    // Resolved: the component recovers, the incident goes to MONITORING.
    let resolved = webhook("GethDown", "aaaaaaaaaaaaaaaa", STARTS, "resolved");
    assert_eq!(post(&hook, &resolved, Some(AUTH)).0, 200);
    wait_until("recovered", Duration::from_secs(10), || {
        page.status(EXEC) == "OPERATIONAL"
    });
    wait_until("monitoring", Duration::from_secs(10), || {
        open_incidents(&page)
            .first()
            .is_some_and(|i| i.status == instatus::model::IncidentStatus::Monitoring)
    });
    assert_eq!(page.incidents().len(), 1);

    let (status, metrics) = get(&format!("{}/metrics", served.url));
    assert_eq!(status, 200);
    for line in [
        "instatus_bridge_webhooks_received_total 29",
        "instatus_bridge_webhooks_deduplicated_total 20",
        "instatus_bridge_webhooks_rejected_total{reason=\"auth\"} 2",
        "instatus_bridge_webhooks_rejected_total{reason=\"malformed\"} 3",
        "instatus_bridge_webhooks_rejected_total{reason=\"too_large\"} 1",
        "instatus_bridge_component_level{component=\"Ethereum Services/Execution Client\"} 0",
        "instatus_bridge_component_unknown{component=\"Ethereum Services/Execution Client\"} 0",
        "instatus_bridge_instatus_requests_total{kind=\"write\",outcome=\"ok\"}",
        "instatus_bridge_evaluation_duration_seconds_count",
        "instatus_bridge_last_successful_evaluation_timestamp_seconds",
    ] {
        assert!(metrics.contains(line), "missing {line:?} in\n{metrics}");
    }
    assert!(!metrics.contains("s3cret"));
    assert_eq!(served.terminate(), Some(0), "SIGTERM exits 0");
}

#[test]
fn two_replicas_make_one_incident() {
    let page = Page::start();
    let up = Upstream::start();
    let extra = format!(
        "prometheus: {{url: \"{}\", interval_secs: 1}}\nalertmanager: {{url: \"{}\"}}\n",
        up.url, up.url
    );
    let a = Served::start(&config(&temp_dir("ha-a"), &extra), &page.env());
    let b = Served::start(&config(&temp_dir("ha-b"), &extra), &page.env());
    ready(&a.url);
    ready(&b.url);
    page.emu.clear_requests();
    let firing = webhook("GethDown", "bbbbbbbbbbbbbbbb", STARTS, "firing");
    let v: Value = serde_json::from_str(&firing).unwrap();
    up.set_alerts(serde_json::json!([{
        "labels": v["alerts"][0]["labels"], "annotations": v["alerts"][0]["annotations"],
        "startsAt": STARTS, "endsAt": "2099-01-01T00:00:00.000Z",
        "fingerprint": "bbbbbbbbbbbbbbbb", "status": {"state": "active"}
    }]));
    // Both replicas get the same notification at the same moment (an HA pair's duplicate).
    let (ua, ub) = (
        format!("{}/alertmanager", a.url),
        format!("{}/alertmanager", b.url),
    );
    let (fa, fb) = (firing.clone(), firing.clone());
    let ta = std::thread::spawn(move || post(&ua, &fa, Some(AUTH)).0);
    let tb = std::thread::spawn(move || post(&ub, &fb, Some(AUTH)).0);
    assert_eq!((ta.join().unwrap(), tb.join().unwrap()), (200, 200));
    wait_until("the outage on the page", Duration::from_secs(10), || {
        page.status(EXEC) == "MAJOROUTAGE"
    });
    // Converges to one open incident within an evaluation (a raced duplicate is closed).
    wait_until("one open incident", Duration::from_secs(10), || {
        open_incidents(&page).len() == 1
    });
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(open_incidents(&page).len(), 1);
    let creates = page
        .writes()
        .iter()
        .filter(|r| r.operation.as_deref() == Some("CreateIncident"))
        .count();
    assert!((1..=2).contains(&creates), "{creates} incident creates");
    // No write storm: after converging, the replicas' interval evaluations write nothing.
    page.emu.clear_requests();
    std::thread::sleep(Duration::from_millis(2500));
    assert!(page.writes().is_empty(), "{:?}", page.writes());
}

#[test]
fn a_sigkill_restart_continues_the_same_incident() {
    let dir = temp_dir("restart");
    let page = Page::start();
    let state = dir.join("state");
    let cfg = config(&dir, &format!("state_dir: {}\n", state.display()));
    let served = Served::start(&cfg, &page.env());
    ready(&served.url);
    let hook = format!("{}/alertmanager", served.url);
    let firing = webhook("GethDown", "cccccccccccccccc", STARTS, "firing");
    assert_eq!(post(&hook, &firing, Some(AUTH)).0, 200);
    wait_until("the incident", Duration::from_secs(10), || {
        open_incidents(&page).len() == 1
    });
    let incident = open_incidents(&page)[0].id.clone();
    served.kill();

    // Restarted: the same outage, the same incident, nothing rewritten.
    page.emu.clear_requests();
    let served = Served::start(&cfg, &page.env());
    ready(&served.url);
    let hook = format!("{}/alertmanager", served.url);
    let (status, body) = post(&hook, &firing, Some(AUTH));
    assert_eq!(status, 200);
    assert!(
        body.contains(r#""duplicates":1"#),
        "the restart remembered it: {body}"
    );
    std::thread::sleep(Duration::from_millis(500));
    assert!(page.writes().is_empty(), "{:?}", page.writes());
    assert_eq!(page.status(EXEC), "MAJOROUTAGE");
    let resolved = webhook("GethDown", "cccccccccccccccc", STARTS, "resolved");
    assert_eq!(post(&hook, &resolved, Some(AUTH)).0, 200);
    wait_until("monitoring", Duration::from_secs(10), || {
        page.incidents().len() == 1
            && page.incidents()[0].status == instatus::model::IncidentStatus::Monitoring
    });
    assert_eq!(page.incidents()[0].id, incident);

    // Deleting the state changes no outcome: a fresh start recognises the incident on the page.
    served.kill();
    std::fs::remove_dir_all(&state).unwrap();
    page.emu.clear_requests();
    let served = Served::start(&cfg, &page.env());
    ready(&served.url);
    std::thread::sleep(Duration::from_millis(300));
    assert!(page.writes().is_empty(), "{:?}", page.writes());
    assert_eq!(page.incidents().len(), 1);
    assert_eq!(served.terminate(), Some(0));
}

#[test]
fn calendar_ics_and_instatus_webhooks() {
    use instatus::api::ComponentStatusEntry;
    use instatus::api::{self, incidents::CreateIncidentRequest};
    use instatus::api::{
        maintenances::CreateMaintenanceRequest, subscribers::AddSubscriberRequest,
    };
    use instatus::model::{ComponentStatus, IncidentStatus};

    let secret = "whsec-bridge-test-91c2";
    let page = Page::with(instatus_emulator::Config {
        webhook_secret: instatus::Secret::new(secret),
        ..instatus_emulator::Config::default()
    });
    let dir = temp_dir("serve-instatus");
    let secret_file = write(&dir, "instatus-secret", &format!("{secret}\n"));
    // A long interval: only webhooks make the bridge read the page again.
    let cfg = config(
        &dir,
        "ephemery_resets: {count: 2}\nprometheus: {url: \"http://127.0.0.1:9\", interval_secs: 3600}\n",
    );
    let text = std::fs::read_to_string(&cfg).unwrap().replace(
        "  max_body_bytes: 4096\n",
        &format!(
            "  max_body_bytes: 4096\n  instatus_webhook_secret_file: {}\n",
            secret_file.display()
        ),
    );
    std::fs::write(&cfg, text).unwrap();
    let start = instatus::jiff::Timestamp::now()
        .checked_add(instatus::jiff::SignedDuration::from_hours(24))
        .unwrap();
    let end = start
        .checked_add(instatus::jiff::SignedDuration::from_hours(1))
        .unwrap();
    page.client
        .send(api::maintenances::create(
            &page.page,
            &CreateMaintenanceRequest::new("Geth upgrade", start, end).message("Upgrading Geth"),
        ))
        .unwrap();
    let served = Served::start(&cfg, &page.env());
    ready(&served.url);

    // The calendar: what the `calendar` module would write, the maintenance and two resets.
    let got = agent()
        .get(&format!("{}/calendar.ics", served.url))
        .call()
        .unwrap();
    assert_eq!(
        got.headers().get("content-type").unwrap(),
        "text/calendar; charset=utf-8"
    );
    let served_doc = got.into_body().read_to_string().unwrap();
    let now = instatus::jiff::Timestamp::now();
    let info = instatus::lookup::find_page(&page.client, "ephemery").unwrap();
    let maintenances = page
        .client
        .list_all(api::maintenances::list(&page.page))
        .unwrap();
    let windows = instatus::ephemery::upcoming_windows(
        &instatus::ephemery::Schedule::EPHEMERY,
        &instatus::ephemery::WindowConfig::default(),
        now,
        2,
    )
    .unwrap();
    let expected = instatus::calendar::document(
        &maintenances,
        Some(instatus::calendar::Resets {
            windows: &windows,
            marker: instatus::ephemery::DEFAULT_MARKER,
        }),
        now,
        &instatus::calendar::page_options(&info),
    );
    assert_eq!(served_doc, expected);
    assert_eq!(
        served_doc.matches("BEGIN:VEVENT").count(),
        3,
        "{served_doc}"
    );
    assert!(served_doc.contains(&format!(
        "UID:ephemery-reset-{}@ephemery.instatus.com",
        windows[0].reset.iteration
    )));
    assert!(served_doc.contains("SUMMARY:Geth upgrade"), "{served_doc}");

    // Instatus's webhooks: a wrong or missing signature is refused.
    let hook = format!("{}/instatus", served.url);
    let body = r#"{"meta":{},"page":{"id":"p"},"incident":{"id":"i","name":"x","status":"Investigating"}}"#;
    let signed = |sig: &str| {
        agent()
            .post(&hook)
            .header(instatus::webhook::SIGNATURE_HEADER, sig)
            .send(body)
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(signed("00ff"), 401);
    assert_eq!(post(&hook, body, None).0, 401);
    let good = instatus::webhook::sign(&instatus::Secret::new(secret), body.as_bytes());
    assert_eq!(signed(&good), 200);
    assert_eq!(signed(&good), 200, "a replay is answered too");

    // The loop: Instatus (the emulator) tells the bridge about a person's incident at once, so
    // the alert that follows within the page cache's lifetime does not overwrite it.
    page.client
        .send(api::subscribers::add(
            &page.page,
            &AddSubscriberRequest::webhook(hook.clone()).all(true),
        ))
        .unwrap();
    let exec = page.component(EXEC);
    page.client
        .send(api::incidents::create(
            &page.page,
            &CreateIncidentRequest::new("Geth is being resynced", IncidentStatus::Identified)
                .affect(ComponentStatusEntry::new(
                    exec.id.clone(),
                    ComponentStatus::DegradedPerformance,
                )),
        ))
        .unwrap();
    wait_until("the webhook delivered", Duration::from_secs(10), || {
        page.emu
            .webhook_deliveries()
            .iter()
            .any(|d| d.kind == "incident" && d.status == Some(200))
    });
    std::thread::sleep(Duration::from_millis(500));
    page.emu.clear_requests();
    let firing = webhook("GethDown", "bbbbbbbbbbbbbbbb", STARTS, "firing");
    assert_eq!(
        post(&format!("{}/alertmanager", served.url), &firing, Some(AUTH)).0,
        200
    );
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        page.writes().is_empty(),
        "the bridge wrote over a person's incident: {:?}",
        page.writes()
    );
    assert_eq!(page.status(EXEC), "DEGRADEDPERFORMANCE");
    assert_eq!(open_incidents(&page).len(), 1);
    assert_eq!(served.terminate(), Some(0));
}
