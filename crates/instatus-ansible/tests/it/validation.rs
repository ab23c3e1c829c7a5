//! Bad values are refused by the module before the first request, naming the option the user
//! wrote (not the API's field) and the allowed form.

use crate::support;

use std::process::Command;

use serde_json::{json, Value};

fn run(module: &str, mut args: Value) -> Value {
    let dir = std::env::temp_dir().join(format!(
        "instatus-validation-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    args["_ansible_module_name"] = json!(format!("ephemery.instatus.{module}"));
    if args.get("api_key").is_none() {
        args["api_key"] = json!("validation-test-key-0123456789");
    }
    // Port 9 (discard): a request would fail with a connection error, not a validation message.
    if args.get("base_url").is_none() {
        args["base_url"] = json!("http://127.0.0.1:9");
    }
    if args.get("page").is_none() {
        args["page"] = json!("p");
    }
    let file = dir.join("args");
    std::fs::write(&file, args.to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_instatus-ansible"))
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn refused(module: &str, args: Value, starts: &str) {
    let r = run(module, args.clone());
    assert_eq!(r["failed"], true, "{args}: {r}");
    let msg = r["msg"].as_str().unwrap();
    assert!(msg.starts_with(starts), "{args}: {msg}");
    assert!(msg.contains("allowed"), "{args}: {msg}");
    // Absent when the protocol layer refused the options (the module never ran).
    assert_eq!(
        r["api_requests"].as_u64().unwrap_or(0),
        0,
        "{args}: a request was sent: {r}"
    );
}

#[test]
fn malformed_values_name_the_option_the_user_wrote() {
    refused(
        "page",
        json!({"brand_color": "#12345"}),
        "brand_color: \"#12345\"",
    );
    refused(
        "page",
        json!({"website_url": "javascript:alert(1)"}),
        "website_url:",
    );
    refused("page", json!({"public_email": "ops@"}), "public_email:");
    refused("page", json!({"language": "klingon"}), "language:");
    refused(
        "page",
        json!({"custom_domain": "https://status.example"}),
        "custom_domain:",
    );
    refused("page", json!({"name": "  "}), "name:");
    refused(
        "page_spec",
        json!({"settings": {"down_color": "red"}}),
        "settings.down_color:",
    );
    refused(
        "page_spec",
        json!({"components": [{"name": "bad\u{7}name"}]}),
        "components[0].name:",
    );
    refused("component", json!({"name": "  "}), "name:");
    refused("info", json!({"page": " "}), "page: is empty");
    refused("subscriber", json!({"phone": "0612345678"}), "phone:");
    refused("subscriber", json!({"email": "not-an-email"}), "email:");
    refused("incident", json!({"name": "", "message": "m"}), "name:");
    refused(
        "maintenance",
        json!({"name": "", "duration": 5, "start": "now"}),
        "name:",
    );
}

#[test]
fn a_secret_webhook_url_is_refused_without_being_quoted() {
    let secret = "hxxps://hooks.example/T0k3n-abcdef";
    let r = run("subscriber", json!({"webhook": secret}));
    let msg = r["msg"].as_str().unwrap();
    assert!(msg.starts_with("webhook: the value (not shown"), "{msg}");
    assert!(!r.to_string().contains("T0k3n"), "{r}");
}

#[test]
fn huge_numbers_fail_cleanly_instead_of_panicking() {
    // Regressions: each of these panicked inside the module (caught, but real).
    refused("info", json!({"timeout": u64::MAX}), "timeout:");
    refused("info", json!({"timeout": 0}), "timeout:");
    refused(
        "maintenance",
        json!({"name": "m", "duration": i64::MAX, "start": "now"}),
        "duration: 9223372036854775807 is out of range",
    );
}

#[test]
fn negative_numbers_name_the_option_instead_of_invalid_value_expected_u64() {
    // Regressions: these answered "invalid module options: invalid value: integer `-1`,
    // expected u64" (the options are flattened, so serde lost the name).
    refused(
        "info",
        json!({"timeout": -1}),
        "timeout: -1 is out of range; allowed: an integer from 1 to 3600",
    );
    for module in ["ephemery_resets", "calendar"] {
        let mut args = json!({"count": -1});
        if module == "calendar" {
            args["dest"] = json!("/tmp/x.ics");
        }
        refused(
            module,
            args.clone(),
            "count: -1 is out of range; allowed: an integer from 0 to",
        );
        args["count"] = json!(1);
        args["anchor_iteration"] = json!(-1);
        refused(
            module,
            args,
            "anchor_iteration: -1 is out of range; allowed: an integer from 0 to",
        );
    }
}

#[test]
fn an_api_key_with_a_newline_or_a_malformed_base_url_fails_at_once_without_a_retry() {
    // Regressions: both were sent, failed as transport errors and were retried for 4-5 s.
    let started = std::time::Instant::now();
    let r = run("info", json!({"api_key": "s3cr3t-0123456789\n"}));
    assert_eq!(r["failed"], true, "{r}");
    let msg = r["msg"].as_str().unwrap();
    assert!(
        msg.starts_with("api_key: the key (not shown: it is secret) contains a line break"),
        "{msg}"
    );
    assert!(!r.to_string().contains("s3cr3t"), "the key leaked: {r}");
    assert_eq!(r["api_requests"], 0, "{r}");
    for url in [
        "http://[::1",
        "http://",
        "https://exa mple.com",
        "https://u:p@x.example",
    ] {
        let r = run("info", json!({"base_url": url}));
        assert_eq!(r["failed"], true, "{r}");
        let msg = r["msg"].as_str().unwrap();
        assert!(msg.starts_with("base_url: "), "{url}: {msg}");
        assert!(
            msg.contains("is not a base URL; allowed: http:// or https://"),
            "{msg}"
        );
        assert_eq!(r["api_requests"], 0, "{r}");
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "took {:?}: something was retried",
        started.elapsed()
    );
}

#[test]
fn a_maintenance_of_2_63_minutes_from_the_api_does_not_crash_info_or_calendar() {
    // Regression: the API (and the emulator) accept a duration of 2^63 - 1 minutes; `info` and
    // `calendar` answered "crashed (this is a bug)" on the page holding it.
    let huge = json!({
        "id": "ckhuge", "name": "Forever", "status": "INPROGRESS",
        "start": "2026-12-10T14:00:00Z", "duration": i64::MAX,
        "updates": [{"id": "u1", "status": "INPROGRESS", "message": "Started",
                     "createdAt": "2026-12-10T14:00:00Z"}],
    });
    let url = support::canned_server(vec![
        (
            "/pages",
            json!([{"id": "p1", "subdomain": "p", "name": "P"}]),
        ),
        ("/components", json!([])),
        ("/incidents", json!([])),
        ("/maintenances", json!([huge])),
        ("/subscribers", json!([])),
    ]);
    let info = run("info", json!({"base_url": url}));
    assert_eq!(info["failed"], false, "{info}");
    let running = &info["maintenances_running"][0];
    assert_eq!(running["name"], "Forever", "{info}");
    assert!(
        running["end"].as_str().unwrap().starts_with("9999-"),
        "{info}"
    );

    let dir = std::env::temp_dir().join(format!("instatus-huge-{}", fastrand::u64(..)));
    std::fs::create_dir_all(&dir).unwrap();
    let dest = dir.join("page.ics");
    let calendar = run(
        "calendar",
        json!({"base_url": url, "dest": dest, "resets": false, "now": "2026-12-11T00:00:00Z"}),
    );
    let ics = std::fs::read_to_string(&dest).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(calendar["failed"], false, "{calendar}");
    assert!(
        ics.contains("UID:maintenance-ckhuge@p.instatus.com"),
        "{ics}"
    );
    assert!(ics.contains("DTEND:9999"), "{ics}");
}
