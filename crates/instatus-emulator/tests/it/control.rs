//! Faults, rate limits, the control API and persistence.

use crate::common;

use std::time::{Duration, Instant};

use common::Api;
use instatus_emulator::{Config, Emulator, FaultAction, FaultRule, RateLimit};
use serde_json::json;

fn component_count(api: &Api) -> usize {
    api.get(&api.v1("/components")).as_array().unwrap().len()
}

#[test]
fn status_fault_answers_without_processing_and_counts_down() {
    let api = Api::start();
    api.emu
        .add_fault(FaultRule::new("POST", "/v1/*/components", FaultAction::Status(503)).times(2));
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
    api.emu.add_fault(
        FaultRule::new("POST", "/v1/*/components", FaultAction::StatusAfter(500)).times(1),
    );
    let a = api.send("POST", &api.v1("/components"), Some(json!({"name": "x"})));
    assert_eq!(a.status, 500);
    assert_eq!(a.json["error"]["code"], "internal_server_error");
    assert_eq!(component_count(&api), 1, "processed");
}

#[test]
fn delay_then_process() {
    let api = Api::start();
    api.emu.add_fault(
        FaultRule::new(
            "GET",
            "/v1/user",
            FaultAction::Delay(Duration::from_millis(300)),
        )
        .times(1),
    );
    let start = Instant::now();
    api.get("/v1/user");
    assert!(start.elapsed() >= Duration::from_millis(300));
}

#[test]
fn drop_and_drop_after() {
    let api = Api::start();
    let key = api.emu.api_key().to_owned();
    api.emu
        .add_fault(FaultRule::new("POST", "/v1/*/components", FaultAction::Drop).times(1));
    let r = api.try_send(
        "POST",
        &api.v1("/components"),
        Some(json!({"name": "x"})),
        Some(&key),
        None,
    );
    assert!(r.is_err(), "no answer");
    assert_eq!(component_count(&api), 0, "not processed");

    api.emu
        .add_fault(FaultRule::new("POST", "/v1/*/components", FaultAction::DropAfter).times(1));
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
    api.emu
        .add_fault(FaultRule::new("*", "/v1/**", FaultAction::Malformed));
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
        faults: vec![FaultRule::new("GET", "/v2/pages", FaultAction::Status(500)).times(1)],
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

/// Every control route with good and bad bodies. The good answers are byte for byte what the
/// hand-written serialisers answered before the control API moved to serde types (recorded at
/// 87c2957); a bad body is a 400 whose message names the field and ends with the route's form.
/// Two answers changed on purpose: an unknown field (a typo such as `time`) and a `name` that is
/// not a string were ignored before and are refused now.
#[test]
fn control_api_wire_format_is_unchanged() {
    let api = Api::start();
    let ok: &[(&str, &str, &str, &str)] = &[
        ("GET", "/health", "", r#"{"ok":true}"#),
        ("GET", "/faults", "", "[]"),
        (
            "POST",
            "/faults",
            r#"{"method":"post","path":"/v1/*/components","action":{"status":503},"times":2}"#,
            r#"{"action":{"status":503},"method":"POST","path":"/v1/*/components","times":2}"#,
        ),
        (
            "POST",
            "/faults",
            r#"{"method":"any","path":"/v1/**","action":"drop_after"}"#,
            r#"{"action":"drop_after","method":null,"path":"/v1/**","times":null}"#,
        ),
        (
            "POST",
            "/faults",
            r#"{"method":"*","path":"/x","action":{"delay_ms":250},"times":null}"#,
            r#"{"action":{"delay_ms":250},"method":null,"path":"/x","times":null}"#,
        ),
        (
            "POST",
            "/faults",
            r#"{"path":"/y","action":{"status_after":500}}"#,
            r#"{"action":{"status_after":500},"method":null,"path":"/y","times":null}"#,
        ),
        (
            "POST",
            "/faults",
            r#"{"path":"/z","action":"malformed"}"#,
            r#"{"action":"malformed","method":null,"path":"/z","times":null}"#,
        ),
        (
            "POST",
            "/faults",
            r#"{"path":"/z","action":"drop"}"#,
            r#"{"action":"drop","method":null,"path":"/z","times":null}"#,
        ),
        (
            "GET",
            "/faults",
            "",
            concat!(
                r#"[{"action":{"status":503},"method":"POST","path":"/v1/*/components","times":2},"#,
                r#"{"action":"drop_after","method":null,"path":"/v1/**","times":null},"#,
                r#"{"action":{"delay_ms":250},"method":null,"path":"/x","times":null},"#,
                r#"{"action":{"status_after":500},"method":null,"path":"/y","times":null},"#,
                r#"{"action":"malformed","method":null,"path":"/z","times":null},"#,
                r#"{"action":"drop","method":null,"path":"/z","times":null}]"#
            ),
        ),
        ("DELETE", "/faults", "", r#"{"ok":true}"#),
        ("GET", "/faults/", "", "[]"),
        ("GET", "/rate-limit", "", "null"),
        (
            "PUT",
            "/rate-limit",
            r#"{"limit":5,"window_ms":1000}"#,
            r#"{"limit":5,"retry_after":true,"window_ms":1000}"#,
        ),
        (
            "GET",
            "/rate-limit",
            "",
            r#"{"limit":5,"retry_after":true,"window_ms":1000}"#,
        ),
        (
            "PUT",
            "/rate-limit",
            r#"{"limit":0,"window_ms":10,"retry_after":false}"#,
            r#"{"limit":0,"retry_after":false,"window_ms":10}"#,
        ),
        (
            "PUT",
            "/rate-limit",
            r#"{"limit":5,"window_ms":10,"retry_after":null}"#,
            r#"{"limit":5,"retry_after":true,"window_ms":10}"#,
        ),
        ("PUT", "/rate-limit", "null", "null"),
        ("PUT", "/rate-limit", "", "null"),
        ("GET", "/rate-limit", "", "null"),
        ("GET", "/ignored-fields", "", r#"{"fields":[]}"#),
        (
            "PUT",
            "/ignored-fields",
            r#"{"fields":["customDomain","groupId"]}"#,
            r#"{"fields":["customDomain","groupId"]}"#,
        ),
        (
            "GET",
            "/ignored-fields",
            "",
            r#"{"fields":["customDomain","groupId"]}"#,
        ),
        ("PUT", "/ignored-fields", "{}", r#"{"fields":[]}"#),
        (
            "PUT",
            "/ignored-fields",
            r#"{"fields":null}"#,
            r#"{"fields":[]}"#,
        ),
        ("PUT", "/ignored-fields", "", r#"{"fields":[]}"#),
        (
            "POST",
            "/pages",
            r#"{"subdomain":"holesky","name":"Holesky"}"#,
            r#"{"id":"c00000004m5wcptl32vg31838"}"#,
        ),
        (
            "POST",
            "/pages",
            r#"{"subdomain":"sepolia"}"#,
            r#"{"id":"c00000006wwyx9ud0ynooabmi"}"#,
        ),
        ("GET", "/requests", "", "[]"),
        ("GET", "/requests?since=0", "", "[]"),
        ("DELETE", "/requests", "", r#"{"ok":true}"#),
        ("POST", "/reset", "", r#"{"ok":true}"#),
        (
            "GET",
            "/state",
            "",
            r#"{"nextId":2,"pages":[],"user":{"email":"emulator@example.com","id":"c0000000153prtya0viebmg8h","name":"Instatus Emulator","slug":"emulator"}}"#,
        ),
    ];
    for (method, path, body, want) in ok {
        let a = api.control_raw(method, path, body);
        assert_eq!(
            (a.status, a.text.as_str()),
            (200, *want),
            "{method} {path} {body}"
        );
    }

    let refused: &[(&str, &str, &str, &str)] = &[
        ("POST", "/faults", "", "request body: invalid type: null"),
        ("POST", "/faults", "not json", "request body is not valid JSON"),
        ("POST", "/faults", "[]", "request body: an array is not allowed"),
        ("POST", "/faults", r#"{"action":"drop"}"#, "request body: missing field `path`"),
        ("POST", "/faults", r#"{"path":"/x"}"#, "request body: missing field `action`"),
        ("POST", "/faults", r#"{"path":"/x","action":"explode"}"#, "field 'action': unknown variant `explode`, expected one of `status`, `status_after`, `delay_ms`, `drop`, `drop_after`, `malformed`"),
        ("POST", "/faults", r#"{"path":"/x","action":{"status":700}}"#, "field 'action.status': invalid value: integer `700`, expected an HTTP status from 100 to 599"),
        ("POST", "/faults", r#"{"path":"/x","action":{"status":"500"}}"#, "field 'action.status': invalid type: string \"500\""),
        ("POST", "/faults", r#"{"path":"/x","action":{"status":500,"delay_ms":1}}"#, "field 'action': invalid value: map, expected map with a single key"),
        ("POST", "/faults", r#"{"path":"/x","action":{"delay_ms":-1}}"#, "field 'action.delay_ms': invalid value: integer `-1`"),
        ("POST", "/faults", r#"{"path":"/x","action":"drop","times":0}"#, "field 'times': invalid value: integer `0`"),
        ("POST", "/faults", r#"{"path":"/x","action":"drop","method":5}"#, "field 'method': invalid type: integer `5`"),
        ("POST", "/faults", r#"{"path":5,"action":"drop"}"#, "field 'path': invalid type: integer `5`"),
        ("POST", "/faults", r#"{"path":"/z","action":"malformed","time":1}"#, "field 'time': unknown field `time`, expected one of `method`, `path`, `action`, `times`"),
        ("PUT", "/rate-limit", r#"{"limit":-1,"window_ms":1000}"#, "field 'limit': invalid value: integer `-1`"),
        ("PUT", "/rate-limit", r#"{"limit":1,"window_ms":0}"#, "field 'window_ms': invalid value: integer `0`, expected a positive number of milliseconds"),
        ("PUT", "/rate-limit", r#"{"limit":1}"#, "request body: missing field `window_ms`"),
        ("PUT", "/rate-limit", r#"{"limit":1,"window_ms":5,"retry_after":"yes"}"#, "field 'retry_after': invalid type: string \"yes\", expected a boolean"),
        ("PUT", "/rate-limit", "5", "request body: invalid type: integer `5`"),
        ("PUT", "/ignored-fields", r#"{"fields":[" "]}"#, "field 'fields': invalid value: string \" \""),
        ("PUT", "/ignored-fields", r#"{"fields":[1]}"#, "field 'fields[0]': invalid type: integer `1`"),
        ("PUT", "/ignored-fields", r#"{"fields":"x"}"#, "field 'fields': invalid type: string \"x\""),
        ("PUT", "/ignored-fields", "[]", "request body: an array is not allowed"),
        ("POST", "/pages", r#"{"subdomain":"holesky"}"#, "subdomain 'holesky' is already taken"),
        ("POST", "/pages", r#"{"name":"x"}"#, "request body: missing field `subdomain`"),
        ("POST", "/pages", r#"{"subdomain":"mainnet","name":5}"#, "field 'name': invalid type: integer `5`"),
        ("POST", "/pages", "", "request body: invalid type: null"),
        ("POST", "/save", "", "no state file configured (start with --state FILE)"),
    ];
    api.control_raw("POST", "/pages", r#"{"subdomain":"holesky"}"#);
    for (method, path, body, names) in refused {
        let a = api.control_raw(method, path, body);
        assert_eq!(a.status, 400, "{method} {path} {body}: {}", a.text);
        assert_eq!(a.json["error"]["code"], "invalid_request", "{}", a.text);
        let message = a.json["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with(names),
            "{method} {path} {body}: {message}"
        );
        if !path.ends_with("/save") && !body.contains("holesky") {
            assert!(
                message.contains("; expected {"),
                "the form is named: {message}"
            );
        }
    }
    assert_eq!(
        api.control_raw("GET", "/faults", "").text,
        "[]",
        "no bad body added a rule"
    );
    for (method, path) in [("GET", "/nope"), ("PATCH", "/faults")] {
        let a = api.control_raw(method, path, "");
        assert_eq!(a.status, 404);
        assert_eq!(
            a.text,
            format!(
                r#"{{"error":{{"code":"not_found","message":"no control route for {method} /_emulator{path}"}}}}"#
            )
        );
    }
}
