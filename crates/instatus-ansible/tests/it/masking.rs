//! Regression tests of secret masking through whole module runs (`run_args`, as the binary
//! does). Requests go to 127.0.0.1 only: a closed port, or a local server that echoes the request
//! head (API key included) in its error body, as a proxy may.

use crate::support;

use instatus_ansible::run_args;
use serde_json::{json, Value};
use support::echoing_server;

const PLACEHOLDER: &str = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER";

/// A local port nothing listens on (bound, then released).
fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

fn run(module: &str, mut args: Value) -> (Value, bool) {
    args["_ansible_module_name"] = json!(format!("ephemery.instatus.{module}"));
    let result = run_args(&args.to_string(), module, &|_| None);
    // What the binary prints must be one JSON object, whatever the masking did.
    let printed: Value = serde_json::from_str(&result.json.to_string()).unwrap();
    assert!(printed.is_object());
    (result.json, result.failed)
}

#[test]
fn a_short_api_key_that_is_a_substring_of_failed_keeps_the_task_failed() {
    let url = echoing_server();
    for key in ["aile", "fail", "ail", "a", "changed", "msg", "invocation"] {
        let (out, failed) = run(
            "component",
            json!({"name": "Geth", "page": "p", "api_key": key, "base_url": url, "timeout": 1}),
        );
        assert!(failed, "{key}: {out}");
        assert_eq!(out["failed"], true, "{key}: {out}");
        assert_eq!(out["changed"], false, "{key}: {out}");
        for k in ["failed", "changed", "msg", "invocation", "api_requests"] {
            assert!(out.get(k).is_some(), "{key}: key {k} lost: {out}");
        }
        assert_eq!(out["invocation"]["module_args"]["api_key"], PLACEHOLDER);
        assert_eq!(
            out["invocation"]["module_args"]["page"], "p",
            "{key}: {out}"
        );
    }
}

#[test]
fn a_secret_shorter_than_four_characters_is_named_in_a_warning_not_masked_everywhere() {
    let (out, failed) = run(
        "component",
        json!({"name": "a", "page": "p", "api_key": "a", "base_url": echoing_server(), "timeout": 1}),
    );
    assert!(failed);
    assert_eq!(out["invocation"]["module_args"]["name"], "a", "{out}");
    let warnings = out["warnings"].to_string();
    assert!(
        warnings.contains("api_key: a secret value shorter than 4 characters"),
        "{out}"
    );
}

#[test]
fn page_spec_settings_sms_credentials_are_masked_in_invocation() {
    let token = "tw-token-0123456789";
    let settings = json!({"name": "Ephemery", "sms_credentials": {"twilio_token": token}});
    // Refused by the module, given as a map, as JSON text, and with validation failing too.
    let cases = [
        json!({"page": "p", "api_key": "k3y-0123456789", "base_url": closed_port_url(),
               "settings": settings}),
        json!({"page": "p", "api_key": "k3y-0123456789", "base_url": closed_port_url(),
               "settings": settings.to_string()}),
        json!({"page": "p", "api_key": "k3y-0123456789", "settings": settings, "bogus": 1}),
        json!({"page": "p", "api_key": "k3y-0123456789", "settings": settings, "prune": "maybe"}),
    ];
    for args in cases {
        let (out, failed) = run("page_spec", args.clone());
        assert!(failed, "{out}");
        let text = out.to_string();
        assert!(!text.contains(token), "{text}");
        assert!(!text.contains("k3y-0123456789"), "{text}");
        let shown = &out["invocation"]["module_args"]["settings"];
        if shown.is_object() {
            assert_eq!(shown["sms_credentials"], PLACEHOLDER, "{text}");
            assert_eq!(shown["name"], "Ephemery", "the rest stays readable: {text}");
        } else {
            assert_eq!(*shown, PLACEHOLDER, "JSON text hidden whole: {text}");
        }
    }
}

#[test]
fn a_webhook_url_with_quote_backslash_or_control_character_never_shows() {
    let webhook = "https://hooks.example/a\"b\\c\u{7}d?token=0123456789";
    let (out, failed) = run(
        "subscriber",
        json!({"page": "p", "api_key": "k3y-0123456789", "base_url": echoing_server(),
               "timeout": 1, "webhook": webhook, "_ansible_diff": true, "_ansible_verbosity": 3}),
    );
    assert!(failed, "{out}");
    let text = out.to_string();
    for form in [
        webhook.to_owned(),
        serde_json::to_string(webhook).unwrap(),
        format!("{webhook:?}"),
        "0123456789".to_owned(),
        "k3y-0123456789".to_owned(),
    ] {
        let inner = form.trim_matches('"');
        assert!(!text.contains(inner), "{inner:?} in {text}");
    }
    assert_eq!(out["invocation"]["module_args"]["webhook"], PLACEHOLDER);
}

#[test]
fn an_error_body_echoing_the_authorization_header_never_shows_the_key() {
    let key = "sk-live-0123456789abcdef0123456789abcdef";
    let (out, failed) = run(
        "component",
        json!({"name": "Geth", "page": "p", "api_key": key, "base_url": echoing_server(),
               "_ansible_verbosity": 3}),
    );
    assert!(failed, "{out}");
    let msg = out["msg"].as_str().unwrap();
    assert!(msg.contains("HTTP 401"), "{msg}");
    assert!(
        msg.contains("Bearer ********"),
        "the echo is there, masked: {msg}"
    );
    let text = out.to_string();
    for n in 6..key.len() {
        assert!(
            !text.contains(&key[..n]),
            "a {n}-character prefix of the key shows: {text}"
        );
    }
}
