//! Where the emulator was not yet faithful to the real API (issue 7): paths other clients use,
//! the user's avatar, values the real API refuses, request body limits and the request log.

use crate::common;

use common::Api;
use instatus_emulator::Config;
use serde_json::{json, Value};

/// Asserts a 400 in the API's error envelope whose message names `field`.
fn assert_refused(api: &Api, method: &str, path: &str, body: Value, field: &str) {
    let a = api.send(method, path, Some(body.clone()));
    assert_eq!(a.status, 400, "{method} {path} {body}: {}", a.text);
    assert_eq!(a.json["error"]["code"], "invalid_request", "{}", a.text);
    let message = a.json["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&format!("field '{field}'")) && message.contains("allowed: "),
        "{method} {path} {body}: message should name '{field}' and the allowed form: {message}"
    );
}

#[test]
fn v2_component_get_and_put_were_not_served() {
    let api = Api::start();
    let id = api.component("Execution Client");
    let got = api.get(&api.v2(&format!("/components/{id}")));
    assert_eq!(got["id"], id.as_str());
    assert_eq!(got["name"], "Execution Client");
    assert_eq!(
        got,
        api.get(&api.v1(&format!("/components/{id}"))),
        "same answer as v1"
    );

    let put = api.put(
        &api.v2(&format!("/components/{id}")),
        json!({"status": "MAJOROUTAGE"}),
    );
    assert_eq!(put["status"], "MAJOROUTAGE");
    assert_eq!(api.component_status(&id), "MAJOROUTAGE");

    let log = api.emu.requests();
    let ops: Vec<_> = log.iter().filter_map(|r| r.operation.as_deref()).collect();
    assert!(
        ops.contains(&"GetComponent") && ops.contains(&"UpdateComponent"),
        "{ops:?}"
    );
    let missing = api.send("GET", &api.v2("/components/nope"), None);
    assert_eq!(missing.status, 404, "{}", missing.text);
}

#[test]
fn v1_subscriber_list_was_not_served() {
    let api = Api::start();
    api.post(&api.v1("/subscribers"), json!({"email": "ops@example.com"}));
    let v1 = api.get(&api.v1("/subscribers"));
    assert_eq!(v1, api.get(&api.v2("/subscribers")), "same answer as v2");
    assert_eq!(v1[0]["email"], "ops@example.com");
    let searched = api.get(&format!("{}?search=nobody", api.v1("/subscribers")));
    assert_eq!(searched, json!([]));
}

#[test]
fn user_avatar_was_an_empty_string_not_a_uri() {
    let api = Api::start();
    let me = api.get("/v1/user");
    let avatar = me["avatar"].as_str().expect("avatar is a string");
    instatus::validate::http_url(avatar).expect("the spec says avatar is format: uri");
}

#[test]
fn malformed_values_the_real_api_refuses_were_accepted() {
    let api = Api::start();
    let page = api.v2("");
    for (body, field) in [
        (json!({"brandColor": "blue"}), "brandColor"),
        (json!({"okColor": "#12345"}), "okColor"),
        (json!({"downColor": "rgb(256,0,0)"}), "downColor"),
        (json!({"publicEmail": "not-an-email"}), "publicEmail"),
        (json!({"websiteUrl": "javascript:alert(1)"}), "websiteUrl"),
        (json!({"logoUrl": "ftp://example.com/logo.png"}), "logoUrl"),
        (
            json!({"faviconUrl": "https://exa mple.com/f.ico"}),
            "faviconUrl",
        ),
        (json!({"language": "klingon"}), "language"),
        (
            json!({"customDomain": "https://status.example.com"}),
            "customDomain",
        ),
        (json!({"name": "   "}), "name"),
        (json!({"name": "two\nlines"}), "name"),
        (json!({"subdomain": "Bad_Sub"}), "subdomain"),
    ] {
        assert_refused(&api, "PUT", &page, body, field);
    }
    let create = |over: Value| {
        let mut body = json!({"email": "ops@example.com", "name": "New", "subdomain": "new-page",
            "components": []});
        for (k, v) in over.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    for (over, field) in [
        (json!({"email": "ops@"}), "email"),
        (json!({"name": ""}), "name"),
        (json!({"subdomain": "-new"}), "subdomain"),
        (json!({"components": ["ok", " "]}), "components"),
        (json!({"brandColor": "#ggg"}), "brandColor"),
    ] {
        assert_refused(&api, "POST", "/v1/pages", create(over), field);
    }
    assert_eq!(
        api.get("/v2/pages").as_array().unwrap().len(),
        1,
        "nothing half-made"
    );

    let subscribers = api.v1("/subscribers");
    for (body, field) in [
        (json!({"email": "nobody"}), "email"),
        (json!({"phone": "0612345678"}), "phone"),
        (json!({"phone": "+1 415 555 0123"}), "phone"),
        (
            json!({"webhook": "javascript:alert(document.cookie)"}),
            "webhook",
        ),
        (
            json!({"webhook": "https://hooks.example.com/x", "webhookEmail": "x@"}),
            "webhookEmail",
        ),
        (
            json!({"email": "ops@example.com", "language": "EN"}),
            "language",
        ),
    ] {
        assert_refused(&api, "POST", &subscribers, body, field);
    }
    assert_refused(
        &api,
        "POST",
        &api.v1("/components"),
        json!({"name": ""}),
        "name",
    );
    let id = api.component("Execution Client");
    let component = api.v1(&format!("/components/{id}"));
    assert_refused(&api, "PUT", &component, json!({"name": "\t"}), "name");
    assert_refused(
        &api,
        "POST",
        &api.v1("/incidents"),
        json!({"name": " ", "message": "m", "status": "INVESTIGATING", "components": [],
            "statuses": []}),
        "name",
    );
    assert_refused(
        &api,
        "POST",
        &api.v1("/team"),
        json!({"email": "a b@c.d", "permission": "READ"}),
        "email",
    );
    assert_refused(
        &api,
        "POST",
        &api.v1("/metrics"),
        json!({"name": "", "suffix": "ms"}),
        "name",
    );

    // The forms the API does take still pass.
    let ok = api.put(
        &page,
        json!({"brandColor": "rgb(17, 24, 39)", "okColor": "#3b7", "publicEmail": "ops@example.com",
            "websiteUrl": "https://ephemery.dev/", "language": "pt-br",
            "customDomain": "status.ephemery.dev", "logoUrl": null}),
    );
    assert_eq!(ok["brandColor"], "rgb(17, 24, 39)");
    api.post(&subscribers, json!({"phone": "+14155550123"}));
    api.post(
        &subscribers,
        json!({"webhook": "http://localhost:9000/hook"}),
    );
}

#[test]
fn oversized_body_was_read_into_memory_without_limit() {
    let api = Api::with(Config {
        max_body_bytes: 1024,
        ..Config::default()
    });
    let big = json!({"name": "x".repeat(2000)});
    let a = api.send("POST", &api.v1("/components"), Some(big));
    assert_eq!(a.status, 413, "{}", a.text);
    assert_eq!(a.json["error"]["code"], "payload_too_large", "{}", a.text);
    assert!(
        a.json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("1024 bytes"),
        "{}",
        a.text
    );
    let record = api.emu.requests().pop().expect("logged");
    assert_eq!(
        (record.status, record.body),
        (413, None),
        "the body is not kept"
    );
    assert!(api.emu.state_json()["pages"][0]["components"]
        .as_array()
        .unwrap()
        .is_empty());
    // Just under the limit is fine, and the control API has the same limit.
    api.post(
        &api.v1("/components"),
        json!({"name": "n", "description": "x".repeat(900)}),
    );
    let control = api.control("PUT", "/rate-limit", Some(json!({"pad": "x".repeat(2000)})));
    assert_eq!(control.status, 413, "{}", control.text);
}

#[test]
fn unauthenticated_bodies_were_kept_in_the_request_log() {
    let api = Api::start();
    let body = json!({"name": "from a stranger"});
    let a = api
        .try_send(
            "POST",
            &api.v1("/components"),
            Some(body.clone()),
            Some("wrong-key"),
            None,
        )
        .unwrap();
    assert_eq!(a.status, 401);
    let a = api
        .try_send(
            "POST",
            &api.v1("/components"),
            Some(body.clone()),
            None,
            None,
        )
        .unwrap();
    assert_eq!(a.status, 401);
    let log = api.emu.requests();
    assert_eq!(log.len(), 2);
    assert!(
        log.iter().all(|r| r.status == 401 && r.body.is_none()),
        "{log:?}"
    );
    // With the key the body is kept, as tests rely on.
    api.post(&api.v1("/components"), body.clone());
    assert_eq!(api.emu.requests().pop().unwrap().body, Some(body));
}

/// Kibibytes of resident memory of a process, from /proc.
fn vm_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("VmRSS line")
}

#[test]
fn three_100_mb_posts_grew_the_emulator_rss_to_312_mb() {
    let key = "rss-test-key-00000000000000000000";
    let emulator = common::Binary::spawn(
        &["--page", "ephemery=Ephemery"],
        &[("INSTATUS_EMULATOR_API_KEY", key)],
    );
    let url = emulator.url.clone();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let before = vm_rss_kib(emulator.child.id());

    let mut payload = b"{\"name\": \"".to_vec();
    payload.resize(100 * 1024 * 1024, b'x');
    payload.extend_from_slice(b"\"}");
    let target = format!("{url}/v1/pages");
    for auth in [
        None,
        Some("Bearer wrong-key"),
        Some(&*format!("Bearer {key}")),
    ] {
        let mut req = agent
            .post(&target)
            .header("Content-Type", "application/json");
        if let Some(auth) = auth {
            req = req.header("Authorization", auth);
        }
        let mut resp = req.send(&payload[..]).expect("the emulator answers");
        assert_eq!(resp.status().as_u16(), 413);
        let text = resp.body_mut().read_to_string().unwrap();
        assert!(text.contains("payload_too_large"), "{text}");
    }
    let after = vm_rss_kib(emulator.child.id());
    let log: Value = agent
        .get(format!("{url}/_emulator/requests"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    println!("emulator VmRSS: {before} KiB before, {after} KiB after three 100 MB posts");
    assert!(
        after < 64 * 1024,
        "VmRSS {after} KiB after three 100 MB posts (before: {before} KiB)"
    );
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 3, "{log:?}");
    assert!(
        log.iter()
            .all(|r| r["status"] == 413 && r["body"].is_null()),
        "{log:?}"
    );
}
