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

#[test]
fn a_module_whose_parent_is_killed_ends_with_a_clean_failure_instead_of_running_on() {
    // Regression: module processes whose ansible-playbook was killed kept running for more than
    // 15 minutes. Here the module waits on an API that accepts the connection and never answers
    // (timeout 3600 s), under a shell standing in for Ansible's worker; the shell is killed.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let dir = std::env::temp_dir().join(format!(
        "instatus-parent-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let args = dir.join("args");
    std::fs::write(
        &args,
        json!({"_ansible_module_name": "ephemery.instatus.page_spec", "api_key": "k3y-0123456789",
               "page": "p", "base_url": url, "timeout": 3600})
        .to_string(),
    )
    .unwrap();
    let (out, pidfile) = (dir.join("out"), dir.join("pid"));
    let mut shell = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "\"$0\" {args} > {out} & echo $! > {pid}; wait",
            args = args.display(),
            out = out.display(),
            pid = pidfile.display()
        ))
        // $0 of the script: the module binary.
        .arg(env!("CARGO_BIN_EXE_instatus-ansible"))
        .spawn()
        .unwrap();
    // The module is running and its request is waiting on the silent server.
    let mut waited = 0;
    let (stream, _) = silent.accept().unwrap();
    let pid: u32 = loop {
        if let Some(pid) = std::fs::read_to_string(&pidfile)
            .ok()
            .and_then(|t| t.trim().parse().ok())
        {
            break pid;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        waited += 1;
        assert!(waited < 200, "the module did not start");
    };
    std::thread::sleep(std::time::Duration::from_millis(800));
    shell.kill().unwrap();
    let killed_at = std::time::Instant::now();
    // Not reaped yet: a zombie parent counts as gone too.
    let alive = |pid: u32| {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
            !stat
                .rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z')
        })
    };
    while alive(pid) && killed_at.elapsed() < std::time::Duration::from_secs(10) {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = shell.wait();
    let elapsed = killed_at.elapsed();
    drop(stream);
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        elapsed < std::time::Duration::from_secs(3),
        "the module ran on for {elapsed:?} after its parent was killed"
    );
    let result: Value = serde_json::from_str(text.trim())
        .unwrap_or_else(|e| panic!("not one JSON object ({e}): {text:?}"));
    assert_eq!(result["failed"], true, "{result}");
    let msg = result["msg"].as_str().unwrap();
    assert!(
        msg.starts_with("the module ephemery.instatus.page_spec was stopped because the ansible-playbook that started it is gone"),
        "{msg}"
    );
    assert!(!text.contains("k3y-0123456789"), "{text}");
}
