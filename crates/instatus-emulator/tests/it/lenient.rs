//! The lenient API switch: named request fields answered 200 but not applied, as a lenient real
//! API does, so read-back verification can be tested (issue 7, bullet 4).

use crate::common;

use common::Api;
use instatus_emulator::Config;
use serde_json::{json, Value};

fn page_in_list(api: &Api) -> Value {
    let pages = api.get("/v2/pages");
    pages
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == api.page.as_str())
        .cloned()
        .expect("the page is listed")
}

#[test]
fn ignored_custom_domain_is_answered_200_and_not_applied() {
    let api = Api::with(Config {
        ignored_fields: vec!["customDomain".into()],
        ..Config::default()
    });
    let answer = api.put(
        &api.v2(""),
        json!({"customDomain": "status.ephemery.dev", "brandColor": "#123456"}),
    );
    assert!(answer["customDomain"].is_null(), "{answer}");
    assert_eq!(
        answer["brandColor"], "#123456",
        "the other fields are applied"
    );
    let listed = page_in_list(&api);
    assert!(listed["customDomain"].is_null(), "{listed}");
    assert_eq!(listed["brandColor"], "#123456");
    let log = api.emu.requests();
    let put = log
        .iter()
        .find(|r| r.method == "PUT")
        .expect("the PUT is logged");
    let sent = put.body.clone().unwrap();
    assert_eq!(
        sent["customDomain"], "status.ephemery.dev",
        "the log shows what was sent"
    );
}

#[test]
fn ignored_fields_switch_on_and_off_through_the_control_api() {
    let api = Api::start();
    let group = api.post(
        &api.v1("/components"),
        json!({"name": "Ethereum Services", "isParent": true}),
    );
    let group = group["id"].as_str().unwrap().to_owned();
    let child = api.component("Execution Client");
    let path = api.v1(&format!("/components/{child}"));

    let set = api.control(
        "PUT",
        "/ignored-fields",
        Some(json!({"fields": ["groupId"]})),
    );
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(set.json, json!({"fields": ["groupId"]}));
    assert_eq!(
        api.control("GET", "/ignored-fields", None).json,
        json!({"fields": ["groupId"]})
    );
    assert_eq!(api.emu.ignored_fields(), vec!["groupId".to_owned()]);

    let moved = api.put(&path, json!({"groupId": group, "status": "MAJOROUTAGE"}));
    assert!(moved["groupId"].is_null(), "not re-parented: {moved}");
    assert_eq!(
        moved["status"], "MAJOROUTAGE",
        "the rest of the update is applied"
    );
    assert!(api.get(&path)["groupId"].is_null());

    let cleared = api.control("PUT", "/ignored-fields", Some(json!({"fields": null})));
    assert_eq!(cleared.json, json!({"fields": []}));
    let moved = api.put(&path, json!({"groupId": group}));
    assert_eq!(moved["groupId"], group.as_str(), "strict again: {moved}");

    api.emu.set_ignored_fields(vec!["name".into()]);
    let renamed = api.put(&path, json!({"name": "Renamed"}));
    assert_eq!(renamed["name"], "Execution Client");
}

#[test]
fn bad_ignored_fields_bodies_name_the_field_and_form() {
    let api = Api::start();
    for body in [
        json!({"fields": "customDomain"}),
        json!({"fields": [1]}),
        json!({"fields": [""]}),
        json!([]),
    ] {
        let a = api.control("PUT", "/ignored-fields", Some(body.clone()));
        assert_eq!(a.status, 400, "{body}: {}", a.text);
        let message = a.json["error"]["message"].as_str().unwrap();
        assert!(message.contains("customDomain"), "{body}: {message}");
    }
    assert!(api.emu.ignored_fields().is_empty());
}

#[test]
fn ignore_field_flag_makes_the_binary_lenient() {
    let emulator = common::Binary::spawn(
        &[
            "--page",
            "ephemery=Ephemery",
            "--ignore-field",
            "customDomain",
            "--ignore-field",
            "groupId",
        ],
        &[],
    );
    let url = &emulator.url;
    let agent = common::agent();
    let auth = format!("Bearer {}", instatus_emulator::DEFAULT_API_KEY);
    let pages: Value = agent
        .get(format!("{url}/v2/pages"))
        .header("Authorization", &auth)
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    let id = pages[0]["id"].as_str().unwrap().to_owned();
    let mut resp = agent
        .put(format!("{url}/v2/{id}"))
        .header("Authorization", &auth)
        .send_json(json!({"customDomain": "status.ephemery.dev"}))
        .unwrap();
    let status = resp.status().as_u16();
    let answer: Value = resp.body_mut().read_json().unwrap();
    let fields: Value = agent
        .get(format!("{url}/_emulator/ignored-fields"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    assert_eq!(status, 200, "{answer}");
    assert!(answer["customDomain"].is_null(), "{answer}");
    assert_eq!(fields, json!({"fields": ["customDomain", "groupId"]}));
}
