//! Faults, rate limits, the control API and persistence.

mod common;

use std::time::{Duration, Instant};

use common::Api;
use instatus_emulator::{Config, Emulator, FaultAction, FaultRule, RateLimit};
use serde_json::json;

fn fault(method: &str, path: &str, action: FaultAction, times: Option<u32>) -> FaultRule {
    FaultRule {
        method: Some(method.into()),
        path: path.into(),
        action,
        times,
    }
}

fn component_count(api: &Api) -> usize {
    api.get(&api.v1("/components")).as_array().unwrap().len()
}

#[test]
fn status_fault_answers_without_processing_and_counts_down() {
    let api = Api::start();
    api.emu.add_fault(fault(
        "POST",
        "/v1/*/components",
        FaultAction::Status(503),
        Some(2),
    ));
    for _ in 0..2 {
        let a = api.send("POST", &api.v1("/components"), Some(json!({"name": "x"})));
        assert_eq!(a.status, 503);
        assert_eq!(a.json["error"]["code"], "service_unavailable");
    }
    assert_eq!(component_count(&api), 0, "not processed");
    api.component("x");
    assert_eq!(component_count(&api), 1, "the rule ran out");
    let log = api.emu.requests();
    assert_eq!(log[0].fault.as_deref(), Some("status=503"));
    assert_eq!(log[0].status, 503);
}

#[test]
fn status_after_processes_then_fails() {
    let api = Api::start();
    api.emu.add_fault(fault(
        "POST",
        "/v1/*/components",
        FaultAction::StatusAfter(500),
        Some(1),
    ));
    let a = api.send("POST", &api.v1("/components"), Some(json!({"name": "x"})));
    assert_eq!(a.status, 500);
    assert_eq!(a.json["error"]["code"], "internal_server_error");
    assert_eq!(component_count(&api), 1, "processed");
}

#[test]
fn delay_then_process() {
    let api = Api::start();
    api.emu.add_fault(fault(
        "GET",
        "/v1/user",
        FaultAction::Delay(Duration::from_millis(300)),
        Some(1),
    ));
    let start = Instant::now();
    api.get("/v1/user");
    assert!(start.elapsed() >= Duration::from_millis(300));
}

#[test]
fn drop_and_drop_after() {
    let api = Api::start();
    let key = api.emu.api_key().to_owned();
    api.emu.add_fault(fault(
        "POST",
        "/v1/*/components",
        FaultAction::Drop,
        Some(1),
    ));
    let r = api.try_send(
        "POST",
        &api.v1("/components"),
        Some(json!({"name": "x"})),
        Some(&key),
        None,
    );
    assert!(r.is_err(), "no answer");
    assert_eq!(component_count(&api), 0, "not processed");

    api.emu.add_fault(fault(
        "POST",
        "/v1/*/components",
        FaultAction::DropAfter,
        Some(1),
    ));
    let r = api.try_send(
        "POST",
        &api.v1("/components"),
        Some(json!({"name": "y"})),
        Some(&key),
        None,
    );
    assert!(r.is_err(), "no answer");
    assert_eq!(component_count(&api), 1, "processed");
    let statuses: Vec<u16> = api.emu.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [0, 200, 0, 200]);
}

#[test]
fn malformed_answers_broken_json() {
    let api = Api::start();
    api.emu.add_fault(FaultRule {
        method: None,
        path: "/v1/**".into(),
        action: FaultAction::Malformed,
        times: None,
    });
    let a = api.send("POST", &api.v1("/components"), Some(json!({"name": "x"})));
    assert_eq!(a.status, 200);
    assert_eq!(a.text, "{\"id\": ");
    api.emu.clear_faults();
    assert_eq!(component_count(&api), 0, "not processed");
}

#[test]
fn faults_over_the_control_api() {
    let api = Api::start();
    let added = api.control(
        "POST",
        "/faults",
        Some(json!({"method": "GET", "path": "/v1/user", "action": {"status": 502}, "times": 1})),
    );
    assert_eq!(added.status, 200, "{}", added.text);
    let listed = api.control("GET", "/faults", None);
    assert_eq!(listed.json[0]["action"], json!({"status": 502}));
    assert_eq!(api.send("GET", "/v1/user", None).status, 502);
    assert_eq!(api.send("GET", "/v1/user", None).status, 200);
    let bad = api.control(
        "POST",
        "/faults",
        Some(json!({"path": "/v1/user", "action": "explode"})),
    );
    assert_eq!(bad.status, 400);
    api.control(
        "POST",
        "/faults",
        Some(json!({"path": "/v1/user", "action": {"delay_ms": 1}})),
    );
    api.control("DELETE", "/faults", None);
    assert!(api
        .control("GET", "/faults", None)
        .json
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn rate_limit_with_retry_after() {
    let api = Api::start();
    api.emu.set_rate_limit(Some(RateLimit {
        limit: 2,
        window: Duration::from_secs(2),
        retry_after: true,
    }));
    assert_eq!(api.send("GET", "/v1/user", None).status, 200);
    assert_eq!(api.send("GET", "/v1/user", None).status, 200);
    let limited = api.send("GET", "/v1/user", None);
    assert_eq!(limited.status, 429);
    assert_eq!(limited.json["error"]["code"], "rate_limited");
    let secs: u64 = limited.retry_after.unwrap().parse().unwrap();
    assert!((1..=2).contains(&secs), "{secs}");
    // The control API is never limited.
    assert_eq!(api.control("GET", "/health", None).status, 200);
    api.emu.set_rate_limit(None);
    assert_eq!(api.send("GET", "/v1/user", None).status, 200);
}

#[test]
fn rate_limit_without_retry_after_and_window_reset() {
    let api = Api::start();
    let set = api.control(
        "PUT",
        "/rate-limit",
        Some(json!({"limit": 1, "window_ms": 200, "retry_after": false})),
    );
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(api.send("GET", "/v1/user", None).status, 200);
    let limited = api.send("GET", "/v1/user", None);
    assert_eq!(limited.status, 429);
    assert!(limited.retry_after.is_none());
    std::thread::sleep(Duration::from_millis(250));
    assert_eq!(api.send("GET", "/v1/user", None).status, 200);
    api.control("PUT", "/rate-limit", Some(json!(null)));
    assert_eq!(api.send("GET", "/v1/user", None).status, 200);
    assert_eq!(api.send("GET", "/v1/user", None).status, 200);
}

#[test]
fn state_saves_and_loads() {
    let dir = std::env::temp_dir().join(format!("instatus-emulator-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("state.json");
    let _ = std::fs::remove_file(&file);
    let config = Config {
        state_file: Some(file.clone()),
        ..Config::default()
    };
    let (page, comp, state) = {
        let api = Api::with(config.clone());
        let comp = api.component("Execution Client");
        api.post(
            &api.v1("/incidents"),
            json!({"name": "i", "status": "INVESTIGATING", "components": [comp],
                "statuses": [{"id": comp, "status": "MAJOROUTAGE"}]}),
        );
        api.emu.save().unwrap();
        (api.page.clone(), comp, api.emu.state_json())
    };
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("\n  "), "pretty JSON");

    let emu = Emulator::start(config).unwrap();
    assert_eq!(emu.state_json(), state, "same state after loading");
    let api_key = emu.api_key().to_owned();
    let agent = common::agent();
    let mut resp = agent
        .get(format!("{}/v1/{page}/components/{comp}", emu.url()))
        .header("Authorization", format!("Bearer {api_key}"))
        .call()
        .unwrap();
    let c: serde_json::Value =
        serde_json::from_str(&resp.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(c["status"], "MAJOROUTAGE");
    // New ids continue from the saved counter: no collision.
    let new_page = emu.create_page("second", "Second");
    assert_ne!(new_page, page);
    assert!(!state.to_string().contains(&new_page));
    // The API key is not part of the state.
    assert!(!text.contains(&api_key));
    drop(emu);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn control_api_state_reset_pages_health() {
    let api = Api::start();
    assert_eq!(
        api.control("GET", "/health", None).json,
        json!({"ok": true})
    );
    let p = api.control(
        "POST",
        "/pages",
        Some(json!({"subdomain": "holesky", "name": "Holesky"})),
    );
    assert_eq!(p.status, 200);
    let id = p.json["id"].as_str().unwrap().to_owned();
    let state = api.control("GET", "/state", None).json;
    assert!(state["pages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["id"] == id.as_str()));
    assert_eq!(
        api.control("POST", "/save", None).status,
        400,
        "no state file"
    );
    api.control("POST", "/reset", None);
    assert!(api.get("/v2/pages").as_array().unwrap().is_empty());
    assert_eq!(api.control("GET", "/nope", None).status, 404);
}

#[test]
fn preconfigured_pages_and_faults() {
    let emu = Emulator::start(Config {
        pages: vec![("ephemery".into(), "Ephemery".into())],
        faults: vec![fault("GET", "/v2/pages", FaultAction::Status(500), Some(1))],
        ..Config::default()
    })
    .unwrap();
    let state = emu.state_json();
    assert_eq!(state["pages"][0]["subdomain"], "ephemery");
    let agent = common::agent();
    let key = emu.api_key().to_owned();
    let get = || {
        agent
            .get(format!("{}/v2/pages", emu.url()))
            .header("Authorization", format!("Bearer {key}"))
            .call()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(get(), 500);
    assert_eq!(get(), 200);
    emu.shutdown();
}
