//! The built-in probes against real parts: a real execution client (anvil from npm, installed
//! into tests/node by the test itself), the beacon stand-in held to the published Beacon API
//! (tests/standins, checked with check_beacon_spec.py first), a Grafana stand-in, and this host.
//! Nothing is skipped: a missing npm or python3 fails the test with the command that failed.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use instatus::ephemery::Schedule;
use instatus::jiff::Timestamp;
use instatus::sources::probes::{run_all, ProbeConfig, ProbeReading, Signal};
use instatus::{Client, RetryPolicy};
use serde_json::json;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Kills the child when dropped.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "nothing listens on {port} after 20 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

static NPM: Mutex<()> = Mutex::new(());

/// anvil's own binary (not the npm `.bin/anvil` shim, whose child outlives a kill), installed
/// with `npm ci` from the committed lock when missing.
fn anvil_bin() -> PathBuf {
    let _guard = NPM.lock().unwrap_or_else(|e| e.into_inner());
    let dir = root().join("tests/node");
    let arch = match std::env::consts::ARCH {
        "aarch64" => "arm64",
        _ => "amd64",
    };
    let bin = dir.join(format!(
        "node_modules/@foundry-rs/anvil-linux-{arch}/bin/anvil"
    ));
    if !bin.exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status()
            .expect("npm runs (install Node.js and npm: the probe tests install anvil with it)");
        assert!(status.success(), "npm ci in {} failed", dir.display());
    }
    bin
}

fn anvil(chain_id: u64, block_time: Option<u64>) -> (Proc, u16) {
    let port = free_port();
    let mut cmd = Command::new(anvil_bin());
    cmd.args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .args(["--chain-id", &chain_id.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(t) = block_time {
        cmd.args(["--block-time", &t.to_string()]);
    }
    let child = Proc(cmd.spawn().expect("anvil starts"));
    wait_port(port);
    (child, port)
}

fn standin(args: &[&str]) -> (Proc, u16) {
    let port = free_port();
    let child = Command::new("python3")
        .arg(root().join("tests/standins/standin.py"))
        .args(args)
        .args(["--port", &port.to_string()])
        .spawn()
        .expect("python3 runs the stand-in");
    let child = Proc(child);
    wait_port(port);
    (child, port)
}

fn client() -> Client {
    Client::builder("unused")
        .timeout(Duration::from_secs(2))
        .connect_timeout(Duration::from_secs(2))
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

fn probe(v: serde_json::Value) -> ProbeConfig {
    let p: ProbeConfig = serde_json::from_value(v).unwrap();
    p.validate().unwrap();
    p
}

fn value(r: &ProbeReading, signal: &str) -> f64 {
    match r.signals.get(signal) {
        Some(Signal::Value(v)) => *v,
        other => panic!("{signal} is {other:?}, not a value: {r:#?}"),
    }
}

fn current_chain_id() -> u64 {
    Schedule::EPHEMERY
        .iteration_at(Timestamp::now())
        .unwrap()
        .chain_id
}

#[test]
fn the_execution_probe_reads_a_real_anvil_node() {
    let id = current_chain_id();
    let (_anvil, port) = anvil(id, Some(1));
    std::thread::sleep(Duration::from_millis(2200));
    let p = probe(
        json!({"execution": {"name": "el", "url": format!("http://127.0.0.1:{port}"),
        "chain_id": {"ephemery": {}}}}),
    );
    let r = p.run(&client(), Timestamp::now());
    eprintln!(
        "anvil 1.7.1 (chain id {id}, a block a second): {}",
        r.detail
    );
    assert!(r.answered);
    assert_eq!(value(&r, "up"), 1.0);
    assert_eq!(value(&r, "syncing"), 0.0);
    assert_eq!(value(&r, "chain_id"), id as f64);
    assert_eq!(
        value(&r, "chain_id_mismatch"),
        0.0,
        "the schedule's id for today is accepted"
    );
    assert!(value(&r, "head_block") >= 1.0, "{r:#?}");
    assert!(value(&r, "head_age_seconds") <= 3.0, "{r:#?}");
    // anvil answers net_peerCount with -32601: unsupported, not down.
    assert!(
        matches!(&r.signals["peers"], Signal::Absent(why) if why.contains("-32601")),
        "{:?}",
        r.signals["peers"]
    );
}

#[test]
fn a_stalled_head_ages_and_another_chain_is_a_mismatch() {
    // No --block-time: anvil mines nothing, its head stays at the genesis block.
    let (_anvil, port) = anvil(1, None);
    std::thread::sleep(Duration::from_millis(3200));
    let p = probe(
        json!({"execution": {"name": "el", "url": format!("http://127.0.0.1:{port}"),
        "chain_id": {"ephemery": {}}}}),
    );
    let r = p.run(&client(), Timestamp::now());
    assert_eq!(value(&r, "head_block"), 0.0);
    assert!(value(&r, "head_age_seconds") >= 3.0, "{r:#?}");
    assert_eq!(value(&r, "chain_id_mismatch"), 1.0);
}

#[test]
fn a_stopped_node_reads_down_and_its_other_signals_unknown() {
    let (anvil, port) = anvil(current_chain_id(), Some(1));
    drop(anvil);
    let p = probe(json!({"execution": {"name": "el", "url": format!("http://127.0.0.1:{port}")}}));
    let r = p.run(&client(), Timestamp::now());
    assert!(!r.answered);
    assert_eq!(value(&r, "up"), 0.0);
    for s in ["head_age_seconds", "syncing", "peers", "chain_id"] {
        assert!(
            matches!(r.signals[s], Signal::Failed(_)),
            "{s}: {:?}",
            r.signals[s]
        );
    }
}

#[test]
fn a_hanging_endpoint_cannot_stall_the_other_probes() {
    // Accepts connections and never answers.
    let hanging = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = hanging.local_addr().unwrap().port();
    let (_anvil, anvil_port) = anvil(current_chain_id(), Some(1));
    let probes = vec![
        probe(
            json!({"execution": {"name": "hung", "url": format!("http://127.0.0.1:{port}"), "timeout_secs": 1}}),
        ),
        probe(
            json!({"execution": {"name": "el", "url": format!("http://127.0.0.1:{anvil_port}")}}),
        ),
        probe(json!({"tcp": {"name": "p2p", "address": format!("127.0.0.1:{anvil_port}")}})),
    ];
    let prepared: Vec<_> = probes
        .into_iter()
        .map(|p| {
            let c = p.client("test").unwrap();
            (p, c)
        })
        .collect();
    let started = Instant::now();
    let readings = run_all(&prepared, Timestamp::now());
    let took = started.elapsed();
    // The hung probe gives up after its own 1 s; the others answer at once.
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert!(readings.probes["el"].answered && readings.probes["p2p"].answered);
    assert_eq!(value(&readings.probes["hung"], "up"), 0.0);
    drop(hanging);
}

#[test]
fn the_beacon_probe_reads_the_stand_in_held_to_the_beacon_api_spec() {
    let genesis = (Timestamp::now().as_second() - 3600).to_string();
    let (_bn, port) = standin(&[
        "beacon",
        "--genesis-time",
        &genesis,
        "--seconds-per-slot",
        "2",
        "--slots-per-epoch",
        "8",
        "--deposit-chain-id",
        "39438166",
        "--peers",
        "7",
    ]);
    let url = format!("http://127.0.0.1:{port}");
    let spec = Command::new("python3")
        .arg(root().join("tests/standins/check_beacon_spec.py"))
        .arg(&url)
        .output()
        .expect("python3 runs check_beacon_spec.py");
    assert!(
        spec.status.success(),
        "{}",
        String::from_utf8_lossy(&spec.stdout)
    );
    let p = probe(json!({"beacon": {"name": "cl", "url": url, "chain_id": {"fixed": 39438166}}}));
    let r = p.run(&client(), Timestamp::now());
    eprintln!("beacon stand-in: {}", r.detail);
    assert!(r.answered);
    assert_eq!(value(&r, "up"), 1.0);
    assert_eq!(value(&r, "health_status"), 200.0);
    assert!(value(&r, "head_lag_slots") <= 1.0, "{r:#?}");
    assert_eq!(value(&r, "peers"), 7.0);
    assert!(
        (2.0..=3.0).contains(&value(&r, "finality_distance_epochs")),
        "{r:#?}"
    );
    assert_eq!(value(&r, "el_offline"), 0.0);
    assert_eq!(value(&r, "chain_id_mismatch"), 0.0);

    // A stalled head: health and sync_distance may still look fine; the wall clock does not.
    ureq::post(&format!("{url}/control"))
        .send_json(json!({"stalled": true, "el_offline": true, "health": 206}))
        .unwrap();
    std::thread::sleep(Duration::from_millis(4200));
    let r = p.run(&client(), Timestamp::now());
    assert!(value(&r, "head_lag_slots") >= 2.0, "{r:#?}");
    assert_eq!(value(&r, "el_offline"), 1.0);
    assert_eq!(value(&r, "health_status"), 206.0);
}

#[test]
fn missing_el_offline_is_absent_not_false() {
    let (_bn, port) = standin(&["beacon", "--no-el-offline"]);
    let p = probe(json!({"beacon": {"name": "cl", "url": format!("http://127.0.0.1:{port}")}}));
    let r = p.run(&client(), Timestamp::now());
    assert!(
        matches!(r.signals["el_offline"], Signal::Absent(_)),
        "{r:#?}"
    );
    assert!(
        matches!(r.signals["optimistic"], Signal::Absent(_)),
        "{r:#?}"
    );
    assert_eq!(value(&r, "up"), 1.0);
}

#[test]
fn a_checkpoint_provider_is_read_for_finality_only() {
    let (_cp, port) = standin(&["checkpoint"]);
    let url = format!("http://127.0.0.1:{port}");
    let p = probe(json!({"beacon": {"name": "cp", "url": url, "checks": ["finality"]}}));
    let r = p.run(&client(), Timestamp::now());
    assert!(r.answered, "{r:#?}");
    assert!(
        (2.0..=3.0).contains(&value(&r, "finality_distance_epochs")),
        "{r:#?}"
    );
    assert!(matches!(r.signals["head_lag_slots"], Signal::Absent(_)));
}

#[test]
fn the_http_probe_checks_status_and_a_json_field() {
    let (_grafana, port) = standin(&["grafana"]);
    let ok = probe(
        json!({"http": {"name": "g", "url": format!("http://127.0.0.1:{port}/api/health"),
        "json": {"pointer": "/database", "equals": "ok"}}}),
    );
    let r = ok.run(&client(), Timestamp::now());
    assert_eq!(
        (value(&r, "up"), value(&r, "ok"), value(&r, "status_code")),
        (1.0, 1.0, 200.0)
    );
    let wrong = probe(
        json!({"http": {"name": "g", "url": format!("http://127.0.0.1:{port}/api/health"),
        "json": {"pointer": "/database", "equals": "down"}}}),
    );
    let r = wrong.run(&client(), Timestamp::now());
    assert_eq!((value(&r, "up"), value(&r, "ok")), (1.0, 0.0));
    assert!(r.detail.contains("/database"), "{}", r.detail);
    let missing =
        probe(json!({"http": {"name": "g", "url": format!("http://127.0.0.1:{port}/nope")}}));
    let r = missing.run(&client(), Timestamp::now());
    assert_eq!(
        (value(&r, "up"), value(&r, "ok"), value(&r, "status_code")),
        (1.0, 0.0, 404.0)
    );
}

#[test]
fn the_host_probe_reads_this_host() {
    let p = probe(json!({"host": {"name": "h", "path": "/"}}));
    let r = p.run(&client(), Timestamp::now());
    assert!(r.answered);
    let free = value(&r, "disk_free_ratio");
    assert!(free > 0.0 && free <= 1.0, "{free}");
    let mem = value(&r, "memory_available_ratio");
    assert!(mem > 0.0 && mem <= 1.0, "{mem}");
    let missing = probe(json!({"host": {"name": "h", "path": "/no/such/dir"}}));
    let r = missing.run(&client(), Timestamp::now());
    assert!(!r.answered);
    assert!(matches!(r.signals["disk_free_ratio"], Signal::Failed(_)));
}
