//! The bridge with built-in probes and no Prometheus: a probe rule writes like a PromQL rule, a
//! component whose probe never answered stays in observe (written nothing, `plan --sources`
//! says so), an `observe` component is evaluated and not written, and a rule naming a probe or
//! signal that does not exist is refused with the field path.

use crate::common;

use std::net::TcpListener;

use common::*;

/// A local HTTP server answering every request 200 `ok` (a `/-/healthy` endpoint).
fn healthy() -> (
    std::thread::JoinHandle<()>,
    u16,
    std::sync::Arc<std::sync::atomic::AtomicBool>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = stop.clone();
    let handle = std::thread::spawn(move || {
        use std::io::{Read, Write};
        while !flag.load(std::sync::atomic::Ordering::SeqCst) {
            match listener.accept() {
                Ok((mut s, _)) => {
                    s.set_nonblocking(false).unwrap();
                    let mut buf = [0u8; 4096];
                    let _ = s.read(&mut buf);
                    let _ = s.write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                    );
                }
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(10)),
            }
        }
    });
    (handle, port, stop)
}

fn dead_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn config(dir: &std::path::Path, up: u16, dead: u16, network_mode: &str) -> std::path::PathBuf {
    write(
        dir,
        "bridge.yml",
        &format!(
            r#"
probes:
  - http: {{name: el, url: "http://127.0.0.1:{up}/-/healthy", timeout_secs: 2}}
  - http: {{name: cl, url: "http://127.0.0.1:{dead}/-/healthy", timeout_secs: 2}}
status:
  components:
    - path: Ethereum Services/Execution Client
      rules:
        - threshold: {{probe: el.ok, op: "<", levels: [{{level: major_outage, enter: 1}}], enter_for_secs: 0, exit_for_secs: 0}}
    - path: Ethereum Services/Consensus Client
      rules:
        - threshold: {{probe: cl.ok, op: "<", levels: [{{level: major_outage, enter: 1}}], enter_for_secs: 0, exit_for_secs: 0}}
    - path: Network
      mode: {network_mode}
      rules:
        - threshold: {{probe: el.status_code, op: ">=", levels: [{{level: partial_outage, enter: 200}}], enter_for_secs: 0, exit_for_secs: 0}}
  groups:
    - {{path: Ethereum Services}}
"#
        ),
    )
}

#[test]
fn a_component_whose_probe_never_answered_stays_in_observe_and_plan_sources_says_so() {
    let dir = temp_dir("probes-observe");
    let page = Page::start();
    let (server, up, stop) = healthy();
    let cfg = config(&dir, up, dead_port(), "observe");

    let o = run(&cfg, &["plan", "--sources"], &page.env());
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(
        out.contains(
            "Ethereum Services/Consensus Client  [observe] (none of its sources has answered yet)"
        ),
        "{out}"
    );
    assert!(
        out.contains("SILENT  probe cl (http http://127.0.0.1:"),
        "{out}"
    );
    assert!(out.contains("/-/healthy) reads ok\n"), "{out}");
    assert!(
        out.contains("Ethereum Services/Execution Client  [automatic]"),
        "{out}"
    );
    assert!(
        out.contains("answers probe el (http http://127.0.0.1:"),
        "{out}"
    );
    assert!(
        out.contains("/-/healthy) reads ok, status_code\n")
            || out.contains("/-/healthy) reads ok\n"),
        "{out}"
    );
    // Network reads a healthy probe but is configured observe: what would be written is noted.
    assert!(out.contains("Network  [observe]"), "{out}");
    assert!(
        out.contains("note observe   Network: observe: would set OPERATIONAL -> PARTIALOUTAGE"),
        "{out}"
    );
    assert!(out.contains("source         probes ok: 1 of 2 answered; 1 silent, read only by components in observe or off"), "{out}");

    let o = run(
        &cfg,
        &["plan", "--sources", "--format", "json"],
        &page.env(),
    );
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("plan --format json");
    let cl = &json["components"][1];
    assert_eq!(cl["path"], "Ethereum Services/Consensus Client");
    assert_eq!(cl["mode"], "observe");
    assert_eq!(cl["why"], "none of its sources has answered yet");
    assert_eq!(cl["sources"][0]["source"], "probe cl");
    assert_eq!(cl["sources"][0]["answers"], false);
    assert_eq!(json["components"][0]["sources"][0]["answers"], true);
    assert!(json["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["kind"] == "observe"));

    // once: nothing written for the silent component, the observed one, or the group.
    let o = run(&cfg, &["once"], &page.env());
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "converged: {out}{err}");
    assert_eq!(page.writes().len(), 0, "{:?}", page.writes());
    assert_eq!(
        page.status("Ethereum Services/Consensus Client"),
        "OPERATIONAL"
    );
    assert_eq!(page.status("Network"), "OPERATIONAL");
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    server.join().unwrap();
}

#[test]
fn a_probe_that_answered_once_is_written_when_it_goes_down() {
    let dir = temp_dir("probes-down");
    let page = Page::start();
    let (server, up, stop) = healthy();
    let state = dir.join("state");
    std::fs::create_dir_all(&state).unwrap();
    let cfg = config(&dir, up, dead_port(), "automatic");
    let text_cfg =
        std::fs::read_to_string(&cfg).unwrap() + &format!("state_dir: {}\n", state.display());
    std::fs::write(&cfg, text_cfg).unwrap();

    let o = run(&cfg, &["once"], &page.env());
    let (out, err) = text(&o);
    // Network (automatic, its probe answers) is written: status_code 200 >= 200.
    assert_eq!(page.status("Network"), "PARTIALOUTAGE", "{out}{err}");
    assert_eq!(
        page.status("Ethereum Services/Execution Client"),
        "OPERATIONAL"
    );

    // The el endpoint stops: el.ok reads 0 (not unknown), and the component had answered before
    // (kept in state.json), so the outage is written and an incident opened.
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    server.join().unwrap();
    let o = run(&cfg, &["once"], &page.env());
    let (out, err) = text(&o);
    assert_eq!(
        page.status("Ethereum Services/Execution Client"),
        "MAJOROUTAGE",
        "{out}{err}"
    );
    assert_eq!(
        page.status("Ethereum Services/Consensus Client"),
        "OPERATIONAL"
    );
    let incidents = page.incidents();
    assert_eq!(
        incidents.len(),
        2,
        "Execution Client and Network: {incidents:?}"
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "a probe of an automatic component is silent: {out}"
    );
}

#[test]
fn a_rule_naming_an_unknown_probe_or_signal_is_refused_with_the_field_path() {
    let dir = temp_dir("probes-validate");
    let page = Page::start();
    let cases = [
        (
            "status: {components: [{path: A, rules: [{threshold: {probe: nope.up, op: '<', levels: [{level: degraded, enter: 1}]}}]}]}\nprobes: [{tcp: {name: p2p, address: '127.0.0.1:30303'}}]\n",
            "`status.components[0].rules[0].threshold.probe`: no probe named \"nope\"; configured: p2p",
        ),
        (
            "status: {components: [{path: A, rules: [{threshold: {probe: p2p.head_age_seconds, op: '>', levels: [{level: degraded, enter: 1}]}}]}]}\nprobes: [{tcp: {name: p2p, address: '127.0.0.1:30303'}}]\n",
            "\"head_age_seconds\" is not a signal of the tcp probe \"p2p\"; allowed: up, latency_seconds",
        ),
        (
            "status: {components: []}\nprobes: [{http: {name: g, url: 'ftp://x'}}]\n",
            "`probes[0].http.url`: \"ftp://x\" is not a URL",
        ),
        (
            "status: {components: []}\nprobes: [{tcp: {name: a, address: 'x:1'}}, {tcp: {name: a, address: 'y:2'}}]\n",
            "`probes[1].tcp.name`: \"a\" is configured twice",
        ),
        (
            "status: {components: []}\nprobes: [{execution: {name: el, url: 'http://x', chain_id: {ephemery: {period_secs: 10}}}}]\n",
            "`probes[0].execution.chain_id.ephemery`: period",
        ),
    ];
    for (i, (yaml, want)) in cases.iter().enumerate() {
        let cfg = write(&dir, &format!("bad{i}.yml"), yaml);
        let o = run(&cfg, &["validate"], &page.env());
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(1), "{yaml}: {out}{err}");
        assert!(err.contains(want), "{yaml}\nwant {want}\ngot {err}");
    }
}

#[test]
fn metrics_show_the_evaluated_level_and_mode_of_observed_components() {
    let dir = temp_dir("probes-metrics");
    let page = Page::start();
    let (server, up, stop) = healthy();
    let cfg = config(&dir, up, dead_port(), "observe");
    let served = Served::start(&cfg, &page.env());
    let want = [
        "instatus_bridge_component_mode{component=\"Network\"} 1",
        "instatus_bridge_component_evaluated_level{component=\"Network\"} 2",
        "instatus_bridge_component_mode{component=\"Ethereum Services/Consensus Client\"} 1",
        "instatus_bridge_component_mode{component=\"Ethereum Services/Execution Client\"} 2",
        // Written: the page shows Network OPERATIONAL although its rules hold a partial outage.
        "instatus_bridge_component_level{component=\"Network\"} 0",
    ];
    let mut last = String::new();
    wait_until(
        "the modes in /metrics",
        std::time::Duration::from_secs(20),
        || {
            last = get(&format!("{}/metrics", served.url)).1;
            want.iter().all(|w| last.contains(w))
        },
    );
    assert_eq!(page.writes().len(), 0, "{:?}", page.writes());
    drop(served);
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    server.join().unwrap();
}
