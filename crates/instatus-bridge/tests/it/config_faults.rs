//! The binary against configs and faults that once passed `validate` and then failed, or hung,
//! or leaked: each test is named after what broke.

use crate::common;

use std::io::BufRead;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;

const EXEC: &str = "Ethereum Services/Execution Client";

fn base(dir: &Path, extra: &str) -> PathBuf {
    write(
        dir,
        "bridge.yml",
        &format!(
            "status:\n  components:\n    - path: {EXEC}\n      rules:\n        - alert: {{matchers: ['alertname=\"GethDown\"'], level: major_outage}}\n{extra}"
        ),
    )
}

fn validate(config: &Path, env: &[(String, String)]) -> (Option<i32>, String, String) {
    let o = run(config, &["validate"], env);
    let (out, err) = text(&o);
    (o.status.code(), out, err)
}

fn key_env() -> Vec<(String, String)> {
    vec![
        ("INSTATUS_API_KEY".into(), "key-0123456789".into()),
        ("INSTATUS_PAGE".into(), "ephemery".into()),
    ]
}

#[test]
fn a_second_status_key_no_longer_silently_replaces_the_first() {
    let dir = temp_dir("dup");
    let cfg = write(
        &dir,
        "bridge.yml",
        &format!(
            "status:\n  components:\n    - path: {EXEC}\n      rules:\n        - alert: {{matchers: ['alertname=\"X\"'], level: major_outage}}\nserver: {{}}\nstatus:\n  components: []\n"
        ),
    );
    let (code, out, err) = validate(&cfg, &key_env());
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        err.contains("\"status\" is given twice at line 1 and at line 7"),
        "{err}"
    );
    // The same in JSON.
    let json = write(
        &dir,
        "bridge.json",
        r#"{"status": {"components": []}, "status": {"components": []}}"#,
    );
    let (code, _, err) = validate(&json, &key_env());
    assert_eq!(code, Some(1));
    assert!(err.contains("\"status\" is given twice"), "{err}");
}

#[test]
fn urls_durations_and_addresses_that_validated_and_then_failed_are_refused() {
    let dir = temp_dir("bad");
    let cases: &[(&str, &str, &str)] = &[
        (
            "prometheus: {url: \"http://\"}\n",
            "prometheus.url",
            "not a usable URL",
        ),
        (
            "prometheus: {url: \"http://[::1\"}\n",
            "prometheus.url",
            "not a usable URL",
        ),
        (
            "alertmanager: {url: \"http://am:s3cret-pw@127.0.0.1:9093\"}\n",
            "alertmanager.url",
            "carries credentials",
        ),
        (
            "prometheus: {interval_secs: 18446744073709551615}\n",
            "prometheus.interval_secs",
            "at most",
        ),
        (
            "prometheus: {interval_secs: 9223372036854775808}\n",
            "prometheus.interval_secs",
            "at most",
        ),
        (
            "prometheus: {timeout_secs: 100000}\n",
            "prometheus.timeout_secs",
            "1 to 3600",
        ),
        (
            "server: {max_connections: 0}\n",
            "server.max_connections",
            "1 to 65536",
        ),
        (
            "server: {listen: \"0.0.0.0:9741\"}\n",
            "server.listen",
            "server.allow_unauthenticated",
        ),
        (
            "server: {listen: \"[::]:9741\"}\n",
            "server.listen",
            "reachable from other hosts",
        ),
        (
            "server: {evaluation_timeout_secs: 5}\n",
            "server.evaluation_timeout_secs",
            "at least instatus.timeout_secs",
        ),
    ];
    for (extra, field, message) in cases {
        let cfg = base(&dir, extra);
        let (code, out, err) = validate(&cfg, &key_env());
        assert_eq!(code, Some(1), "{extra}: {out}{err}");
        assert!(err.contains(&format!("`{field}`")), "{extra}: {err}");
        assert!(err.contains(message), "{extra}: {err}");
        assert!(!err.contains("s3cret-pw"), "{err}");
    }
    // Explicitly allowed.
    let cfg = base(
        &dir,
        "server: {listen: \"0.0.0.0:9741\", allow_unauthenticated: true}\n",
    );
    assert_eq!(validate(&cfg, &key_env()).0, Some(0));
}

#[test]
fn a_state_folder_that_is_a_file_fails_validate_not_serve() {
    let dir = temp_dir("statefile");
    let file = write(&dir, "state", "not a folder");
    let cfg = base(&dir, &format!("state_dir: {}\n", file.display()));
    let (code, _, err) = validate(&cfg, &key_env());
    assert_eq!(code, Some(1));
    assert!(
        err.contains("`state_dir`") && err.contains("is not a folder"),
        "{err}"
    );
}

#[test]
fn a_fifo_as_the_key_file_no_longer_hangs_validate() {
    let dir = temp_dir("fifo");
    let fifo = dir.join("api-key");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let cfg = base(
        &dir,
        &format!(
            "instatus: {{api_key_file: {}, page: ephemery}}\n",
            fifo.display()
        ),
    );
    let started = Instant::now();
    let (code, _, err) = validate(&cfg, &[]);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(code, Some(1));
    assert!(err.contains("is not a regular file (a FIFO)"), "{err}");
}

#[test]
fn a_secret_pasted_where_a_path_belongs_is_not_echoed() {
    let dir = temp_dir("pasted");
    let cfg = base(
        &dir,
        "instatus: {api_key_file: sk_live_51HxQabcdefghijklmnopqrstu, page: ephemery}\n",
    );
    let (code, out, err) = validate(&cfg, &[]);
    assert_eq!(code, Some(1));
    assert!(!format!("{out}{err}").contains("sk_live"), "{err}");
    assert!(err.contains("`instatus.api_key_file`"), "{err}");
}

#[test]
fn validate_takes_the_file_as_promtool_does_and_checks_without_the_secrets() {
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/bridge/ephemery.yml"
    );
    // The instruction at the top of the example, as written.
    let header = std::fs::read_to_string(example).unwrap();
    assert!(
        header.contains("instatus-bridge validate --no-secrets examples/bridge/ephemery.yml"),
        "the example's header changed"
    );
    let o = bin()
        .args(["validate", "--no-secrets", example])
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(out.contains("valid (10 components"), "{out}");
    assert!(
        out.contains("instatus.api_key_file: /etc/instatus-bridge/api-key"),
        "{out}"
    );
    // Without the flag the secrets are read: on a machine without them, an error naming one.
    let o = bin().args(["validate", example]).output().unwrap();
    if !Path::new("/etc/instatus-bridge/api-key").exists() {
        assert_eq!(o.status.code(), Some(1));
        assert!(text(&o).1.contains("instatus.api_key_file"));
    }
    // --config and the argument agree, or it is an error.
    let o = bin()
        .args(["--config", example, "validate", "--no-secrets", example])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let o = bin()
        .args(["--config", "/elsewhere.yml", "validate", example])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("two configs"));
}

#[test]
fn plan_no_longer_creates_the_state_folder() {
    let dir = temp_dir("plan-state");
    let page = Page::start();
    let state = dir.join("state");
    let cfg = base(&dir, &format!("state_dir: {}\n", state.display()));
    let o = run(&cfg, &["plan"], &page.env());
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    assert!(!state.exists(), "plan created {}", state.display());
    assert!(page.writes().is_empty());
}

#[test]
fn a_second_bridge_on_the_same_state_dir_refuses_to_start_and_names_the_first() {
    let dir = temp_dir("locked");
    let page = Page::start();
    let state = dir.join("state");
    let cfg = base(&dir, &format!("state_dir: {}\n", state.display()));
    let first = Served::start(&cfg, &page.env());
    let pid = first.child.id();
    let o = run(&cfg, &["serve", "--listen", "127.0.0.1:0"], &page.env());
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("in use by process {pid} (instatus-bridge serve)")),
        "{err}"
    );
    let o = run(&cfg, &["once"], &page.env());
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains(&format!("process {pid}")));
    assert_eq!(first.terminate(), Some(0));
    // Released with the process.
    let o = run(&cfg, &["once"], &page.env());
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
}

#[test]
fn a_broken_state_file_is_kept_aside_with_a_note() {
    let dir = temp_dir("broken");
    let page = Page::start();
    let state = dir.join("state");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::write(state.join("state.json"), "{\"engine\": {\"alerts\": 7").unwrap();
    let cfg = base(&dir, &format!("state_dir: {}\n", state.display()));
    let o = run(&cfg, &["once"], &page.env());
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains("state.json could not be read") && err.contains("kept as"),
        "{err}"
    );
    let kept = std::fs::read_dir(&state)
        .unwrap()
        .flatten()
        .find(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("state.json.broken-")
        })
        .expect("the broken file kept");
    assert_eq!(
        std::fs::read_to_string(kept.path()).unwrap(),
        "{\"engine\": {\"alerts\": 7"
    );
    assert!(state.join("state.json").exists(), "a fresh state was saved");
}

#[test]
fn a_stuck_evaluator_stops_feeding_the_systemd_watchdog() {
    let dir = temp_dir("watchdog");
    let page = Page::start();
    let socket_path = dir.join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let cfg = base(
        &dir,
        "instatus: {timeout_secs: 2}\nprometheus: {url: \"http://127.0.0.1:9\", interval_secs: 1}\nserver: {evaluation_timeout_secs: 2}\n",
    );
    let mut c = bin();
    c.arg("--config")
        .arg(&cfg)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("NOTIFY_SOCKET", &socket_path)
        .env("WATCHDOG_USEC", "400000")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in page.env() {
        c.env(k, v);
    }
    let mut child = c.spawn().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();
    let messages = |for_how_long: Duration| {
        let mut out = Vec::new();
        let end = Instant::now() + for_how_long;
        let mut buf = [0u8; 256];
        while Instant::now() < end {
            if let Ok(n) = socket.recv(&mut buf) {
                out.push(String::from_utf8_lossy(&buf[..n]).trim().to_owned());
            }
        }
        out
    };
    let healthy = messages(Duration::from_secs(2));
    assert!(healthy.iter().any(|m| m == "READY=1"), "{healthy:?}");
    assert!(
        healthy.iter().filter(|m| *m == "WATCHDOG=1").count() >= 3,
        "{healthy:?}"
    );
    assert_eq!(get(&format!("{url}/healthz")).0, 200);
    // Every Instatus request now hangs for a minute: the next evaluation never ends.
    page.emu.add_fault(instatus_emulator::FaultRule {
        method: None,
        path: "/**".into(),
        action: instatus_emulator::FaultAction::Delay(Duration::from_secs(60)),
        times: None,
    });
    // The bound: interval 1 s + evaluation_timeout 2 s; then the pings stop.
    std::thread::sleep(Duration::from_secs(5));
    // Forget what was queued meanwhile, then listen.
    socket.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 256];
    while socket.recv(&mut buf).is_ok() {}
    socket.set_nonblocking(false).unwrap();
    let stuck = messages(Duration::from_secs(2));
    if stuck.iter().any(|m| m == "WATCHDOG=1") {
        let _ = child.kill();
        let mut err = String::new();
        use std::io::Read;
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        panic!("still fed while stuck: {stuck:?}\n{err}");
    }
    let (status, body) = get(&format!("{url}/healthz"));
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("stuck"), "{body}");
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn the_documented_alert_fires_when_the_bridge_stops_evaluating() {
    // A dead bridge once left the page green with nobody told: the rule on its own metric.
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/bridge");
    let o = std::process::Command::new("promtool")
        .args(["test", "rules", "bridge-alerts.test.yml"])
        .current_dir(dir)
        .output()
        .expect("promtool (Debian package prometheus) runs");
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(out.contains("SUCCESS"), "{out}");
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/bridge.md"))
            .unwrap();
    assert!(docs.contains(
        "expr: time() - instatus_bridge_last_successful_evaluation_timestamp_seconds > 300"
    ));
}

#[test]
fn a_state_save_error_names_the_file() {
    let dir = temp_dir("save-error");
    let store = instatus_bridge::store::Store::open(&dir).unwrap();
    // Where the temporary file goes, a folder: the save fails.
    std::fs::create_dir_all(dir.join("state.json.tmp")).unwrap();
    let e = store
        .save(&instatus_bridge::store::Persisted::default())
        .unwrap_err();
    assert!(e.to_string().contains("state.json.tmp"), "{e}");
}
