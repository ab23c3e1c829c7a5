//! Runs the real binary the way Ansible does (argv[0] `AnsiballZ_NAME`, argv[1] an args file),
//! on inputs that never reach the network.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{json, Value};

fn run_module(name: &str, args: Value) -> (Value, i32) {
    // The binary runs in place with Ansible's argv[0] (`AnsiballZ_NAME`). A fresh copy of it
    // could not be executed reliably: while the copy's write descriptor was open, another test
    // thread's fork inherited it and exec failed with ETXTBSY ("Text file busy").
    let args_file = std::env::temp_dir().join(format!(
        "instatus-ansible-test-{}-{name}-{}.json",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&args_file, args.to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_instatus-ansible"))
        .arg0(format!("/tmp/ansible-tmp/AnsiballZ_{name}"))
        .arg(&args_file)
        .env_remove("INSTATUS_API_KEY")
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&args_file);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let value: Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("stdout is not one JSON object ({e}): {stdout}"));
    assert!(
        out.stderr.is_empty(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (value, out.status.code().unwrap_or(-1))
}

/// Makes each args file's name unique within this process.
static COUNTER: AtomicUsize = AtomicUsize::new(0);

#[test]
fn unknown_option_fails_with_exit_1_and_names_it() {
    let (out, code) = run_module(
        "component",
        json!({"_ansible_module_name": "ephemery.instatus.component", "_ansible_check_mode": true,
               "name": "x", "page": "p", "api_key": "secret-key-123456", "bogus": 1}),
    );
    assert_eq!(code, 1);
    assert_eq!(out["failed"], true);
    assert!(out["msg"]
        .as_str()
        .unwrap()
        .starts_with("Unsupported parameters for (ephemery.instatus.component) module: bogus. Supported parameters include: api_key, archived, base_url,"));
    assert_eq!(
        out["invocation"]["module_args"]["api_key"],
        "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    );
    assert!(!out.to_string().contains("secret-key-123456"));
}

#[test]
fn module_name_falls_back_to_argv0() {
    let (out, code) = run_module("info", json!({"page": "p"}));
    assert_eq!(code, 1);
    assert_eq!(out["msg"], "missing required arguments: api_key");
}

#[test]
fn unreachable_api_is_a_clean_failure_without_the_key() {
    // Port 9 (discard) on localhost: connection refused, no waiting.
    let (out, code) = run_module(
        "info",
        json!({"api_key": "secret-key-123456", "page": "p", "base_url": "http://127.0.0.1:9",
               "timeout": 2}),
    );
    assert_eq!(code, 1);
    assert!(
        out["msg"].as_str().unwrap().contains("GET /v2/pages"),
        "{out}"
    );
    assert!(out["api_requests"].as_u64().unwrap() >= 1);
    assert!(!out.to_string().contains("secret-key-123456"));
    assert!(Path::new(env!("CARGO_BIN_EXE_instatus-ansible")).exists());
}
