//! `validate`, `schema`, `plan` and `once` against the emulator and a fake Prometheus and
//! Alertmanager: check mode writes nothing, a real run changes, a second run changes nothing.

use crate::common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};

const GETH_UP: &str = "up{job=\"geth\"}";

fn config(dir: &std::path::Path, prom: &str, extra: &str) -> std::path::PathBuf {
    write(
        dir,
        "bridge.yml",
        &format!(
            r#"
prometheus: {{url: "{prom}", timeout_secs: 2}}
status:
  components:
    - path: Ethereum Services/Execution Client
      rules:
        - threshold:
            query: '{GETH_UP}'
            op: "<"
            levels:
              - {{level: major_outage, enter: 1}}
            enter_for_secs: 0
            exit_for_secs: 0
  groups:
    - {{path: Ethereum Services}}
{extra}
"#
        ),
    )
}

#[test]
fn validate_accepts_a_good_config_and_names_the_field_of_a_bad_one() {
    let dir = temp_dir("validate");
    let page = Page::start();
    let good = config(&dir, "http://127.0.0.1:9", "");
    let o = run(&good, &["validate"], &page.env());
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(
        out.contains("valid (1 components, 1 groups, 1 queries"),
        "{out}"
    );

    let cases = [
        (
            "server: {listen: 127.0.0.1:9741, auth: {token: x}}\nstatus: {components: []}\n",
            "server.auth",
            "bearer_token_file",
        ),
        (
            "status: {components: [{path: A, rules: [{alert: {matchers: ['alertname=\"X\"'], level: broken}}]}]}\n",
            "status.components[0].rules[0].alert.level",
            "operational, degraded, partial_outage, major_outage",
        ),
        (
            "status: {components: [{path: A, rules: [{alert: {matchers: ['alertname=\"X\"'], level: major_outage}}]}]}\nsurprise: 1\n",
            "surprise",
            "unknown field",
        ),
        (
            "server: {auth: {bearer_token_file: /nonexistent/token}}\nstatus: {components: []}\n",
            "server.auth.bearer_token_file",
            "cannot read /nonexistent/token",
        ),
        (
            "instatus: {writes_per_second: 0}\nstatus: {components: []}\n",
            "instatus.writes_per_second",
            "at least",
        ),
        (
            "status: {components: [{path: A, rules: [{threshold: {query: up, op: '>', levels: [{level: degraded, enter: 1}]}}]}]}\n",
            "prometheus",
            "threshold rules need",
        ),
        (
            "prometheus: {}\nmetrics: [{name: Lag, query: up, every_secs: 5}]\nstatus: {components: []}\n",
            "metrics[0].every_secs",
            "at least 30",
        ),
    ];
    for (yaml, field, allowed) in cases {
        let bad = write(&dir, "bad.yml", yaml);
        let o = run(&bad, &["validate"], &page.env());
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(1), "{yaml}: {out}{err}");
        assert!(err.contains(&format!("`{field}`")), "{yaml}: {err}");
        assert!(err.contains(allowed), "{yaml}: {err}");
        assert!(!err.contains(page.emu.api_key()), "no secret in errors");
    }
}

#[test]
fn a_missing_api_key_names_where_to_put_it() {
    let dir = temp_dir("nokey");
    let cfg = config(&dir, "http://127.0.0.1:9", "");
    let o = run(
        &cfg,
        &["validate"],
        &[("INSTATUS_PAGE".into(), "ephemery".into())],
    );
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err.contains("`instatus.api_key_file`") && err.contains("INSTATUS_API_KEY"),
        "{err}"
    );
}

#[test]
fn the_api_key_file_and_json_config_work_and_the_key_never_shows() {
    let dir = temp_dir("keyfile");
    let page = Page::start();
    let up = Upstream::start();
    up.set(GETH_UP, Answer::Value(1.0));
    let key = write(&dir, "key", &format!("{}\n", page.emu.api_key()));
    let cfg = json!({
        "instatus": {"base_url": page.emu.url(), "api_key_file": key, "page": "ephemery"},
        "prometheus": {"url": up.url},
        "status": {"components": [{"path": "Network", "rules": [
            {"threshold": {"query": GETH_UP, "op": "<", "levels": [{"level": "degraded", "enter": 1}]}}]}]}
    });
    let path = write(&dir, "bridge.conf", &cfg.to_string());
    let o = run(&path, &["plan", "--format", "json"], &[]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    let v: Value = serde_json::from_str(&out).expect("JSON plan");
    assert_eq!(v["actions"], json!([]), "healthy: nothing to do");
    assert!(!out.contains(page.emu.api_key()) && !err.contains(page.emu.api_key()));
}

#[test]
fn schema_matches_the_committed_file() {
    let o = bin().arg("schema").output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/bridge-config.schema.json"
    ))
    .unwrap();
    assert_eq!(
        String::from_utf8(o.stdout).unwrap(),
        committed,
        "docs/bridge-config.schema.json is stale: run `cargo run -p instatus-bridge -- schema > docs/bridge-config.schema.json`"
    );
    let schema: Value = serde_json::from_str(&committed).unwrap();
    assert!(schema["properties"]["status"].is_object());
    assert!(schema["properties"]["server"].is_object());
}

#[test]
fn plan_writes_nothing_once_changes_and_a_second_once_changes_nothing() {
    let dir = temp_dir("once");
    let page = Page::start();
    let up = Upstream::start();
    up.set(GETH_UP, Answer::Value(0.0));
    let cfg = config(&dir, &up.url, "");
    let env = page.env();

    // Check mode: reports the change, writes nothing.
    let o = run(&cfg, &["plan"], &env);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    // One status write per transition: the incident carries the component's status.
    assert!(
        out.contains(
            "open-incident  Ethereum Services/Execution Client: \"Execution Client is down\" (Execution Client MAJOROUTAGE)"
        ),
        "{out}"
    );
    assert!(
        !out.contains("set-status     Ethereum Services/Execution Client"),
        "{out}"
    );
    assert!(page.writes().is_empty(), "plan wrote: {:?}", page.writes());
    assert_eq!(
        page.status("Ethereum Services/Execution Client"),
        "OPERATIONAL"
    );

    // A real run: writes, and converges.
    let o = run(&cfg, &["once", "--format", "json"], &env);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["converged"], true, "{report:#}");
    let outcomes: Vec<&str> = report["writes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["outcome"].as_str().unwrap())
        .collect();
    assert!(outcomes.iter().all(|o| *o == "ok"), "{report:#}");
    assert_eq!(
        page.status("Ethereum Services/Execution Client"),
        "MAJOROUTAGE"
    );
    assert_eq!(
        page.status("Ethereum Services"),
        "MAJOROUTAGE",
        "the group follows"
    );
    let incidents = page.incidents();
    assert_eq!(incidents.len(), 1);
    assert!(incidents[0].is_open());
    let writes: Vec<String> = page
        .writes()
        .into_iter()
        .map(|r| r.operation.unwrap_or_default())
        .collect();
    assert_eq!(
        writes,
        ["CreateIncident", "UpdateComponent"],
        "the incident (with the component's status), then the group"
    );

    // A second run: nothing to write.
    page.emu.clear_requests();
    let o = run(&cfg, &["once"], &env);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(out.trim_end().ends_with("converged"), "{out}");
    assert!(
        page.writes().is_empty(),
        "second run wrote: {:?}",
        page.writes()
    );
    assert_eq!(page.incidents().len(), 1);
}

#[test]
fn prometheus_down_keeps_the_outage_and_exits_2() {
    let dir = temp_dir("promdown");
    let page = Page::start();
    let up = Upstream::start();
    up.set(GETH_UP, Answer::Value(0.0));
    let cfg = config(&dir, &up.url, "");
    assert_eq!(run(&cfg, &["once"], &page.env()).status.code(), Some(0));
    assert_eq!(
        page.status("Ethereum Services/Execution Client"),
        "MAJOROUTAGE"
    );

    // Prometheus gone: nothing turns green, the run says unknown.
    let dead = config(&temp_dir("promdown-dead"), "http://127.0.0.1:9", "");
    page.emu.clear_requests();
    let o = run(&dead, &["once"], &page.env());
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}{err}");
    // Without a state_dir this run never heard Prometheus answer: the component is in observe
    // (nothing written), its unknown reading noted as such.
    assert!(out.contains("unknown, last level kept"), "{out}");
    assert!(out.contains("not converged: prometheus unknown"), "{out}");
    assert!(page.writes().is_empty(), "{:?}", page.writes());
    assert_eq!(
        page.status("Ethereum Services/Execution Client"),
        "MAJOROUTAGE"
    );

    // A captured 400 answer is unknown too.
    up.set(GETH_UP, bad_data());
    let o = run(&cfg, &["once"], &page.env());
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(out.contains("bad_data"), "{out}");
    assert_eq!(
        page.status("Ethereum Services/Execution Client"),
        "MAJOROUTAGE"
    );
}

#[test]
fn instatus_unreachable_is_exit_1() {
    let dir = temp_dir("nonet");
    let up = Upstream::start();
    let cfg = config(&dir, &up.url, "");
    let env = vec![
        (
            "INSTATUS_BASE_URL".to_owned(),
            "http://127.0.0.1:9".to_owned(),
        ),
        ("INSTATUS_API_KEY".to_owned(), "k".to_owned()),
        ("INSTATUS_PAGE".to_owned(), "ephemery".to_owned()),
    ];
    let o = run(&cfg, &["once"], &env);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(err.contains("instatus"), "{err}");
}

#[test]
fn the_state_dir_carries_hold_timers_between_once_runs() {
    let dir = temp_dir("state");
    let page = Page::start();
    let up = Upstream::start();
    let state_dir = dir.join("state");
    let cfg = write(
        &dir,
        "bridge.yml",
        &format!(
            r#"
prometheus: {{url: "{}"}}
state_dir: {}
status:
  incidents: {{enabled: false}}
  components:
    - path: Network
      rules:
        - threshold: {{query: 'peers', op: "<", levels: [{{level: degraded, enter: 5}}], enter_for_secs: 0, exit_for_secs: 2}}
"#,
            up.url,
            state_dir.display()
        ),
    );
    up.set("peers", Answer::Value(1.0));
    assert_eq!(run(&cfg, &["once"], &page.env()).status.code(), Some(0));
    assert_eq!(page.status("Network"), "DEGRADEDPERFORMANCE");

    // Healthy again: the first run starts the exit hold and writes nothing...
    up.set("peers", Answer::Value(50.0));
    page.emu.clear_requests();
    let o = run(&cfg, &["once"], &page.env());
    let (out, _) = text(&o);
    assert!(out.contains("note waiting"), "{out}");
    assert!(page.writes().is_empty());
    let saved: Value =
        serde_json::from_slice(&std::fs::read(state_dir.join("state.json")).unwrap()).unwrap();
    assert!(
        saved["engine"]["components"]["Network"]["rules"][0]["better_since"].is_string(),
        "{saved:#}"
    );
    // ...and a run after the hold lowers it, because the timer was kept.
    std::thread::sleep(Duration::from_millis(2300));
    let o = run(&cfg, &["once"], &page.env());
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert_eq!(page.status("Network"), "OPERATIONAL", "{out}");
}

#[test]
fn once_reads_alertmanager_for_alert_rules_and_resolves_what_it_no_longer_lists() {
    let dir = temp_dir("am");
    let page = Page::start();
    let up = Upstream::start();
    let state_dir = dir.join("state");
    let cfg = write(
        &dir,
        "bridge.yml",
        &format!(
            r#"
alertmanager: {{url: "{}"}}
state_dir: {}
status:
  incidents: {{resolve_after_secs: 0}}
  components:
    - path: Ethereum Services/Consensus Client
      rules:
        - alert: {{matchers: ['alertname="BeaconDown"'], level: partial_outage, exit_for_secs: 0}}
"#,
            up.url,
            state_dir.display()
        ),
    );
    up.set_alerts(json!([{
        "labels": {"alertname": "BeaconDown", "severity": "critical"},
        "annotations": {"summary": "lighthouse is down"},
        "startsAt": "2026-12-01T10:00:00.000Z",
        "endsAt": "2099-01-01T00:00:00.000Z",
        "fingerprint": "0123456789abcdef",
        "status": {"state": "active", "silencedBy": [], "inhibitedBy": []}
    }]));
    let o = run(&cfg, &["once"], &page.env());
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert_eq!(
        page.status("Ethereum Services/Consensus Client"),
        "PARTIALOUTAGE"
    );
    let incidents = page.incidents();
    assert_eq!(incidents.len(), 1, "{out}");
    let message = incidents[0]
        .updates
        .last()
        .and_then(|u| u.message.clone())
        .unwrap_or_default();
    assert!(message.contains("lighthouse is down"), "{message}");

    // The alert is gone from Alertmanager's list: resolved.
    up.set_alerts(json!([]));
    let o = run(&cfg, &["once"], &page.env());
    let (out, err) = text(&o);
    assert_ne!(o.status.code(), Some(1), "{out}{err}");
    assert_eq!(
        page.status("Ethereum Services/Consensus Client"),
        "OPERATIONAL",
        "{out}"
    );
    // MONITORING then (dwell 0) RESOLVED on a following run.
    run(&cfg, &["once"], &page.env());
    let incidents = page.incidents();
    assert_eq!(incidents.len(), 1);
    assert!(!incidents[0].is_open(), "{:?}", incidents[0].status);
}

#[test]
fn public_metrics_are_created_once_and_keep_their_spacing() {
    let dir = temp_dir("metrics");
    let page = Page::start();
    let up = Upstream::start();
    up.set("lag", Answer::Value(3.0));
    let cfg = write(
        &dir,
        "bridge.yml",
        &format!(
            r#"
prometheus: {{url: "{}"}}
status: {{components: []}}
metrics:
  - {{name: Head slot lag, query: lag, suffix: slots}}
  - {{name: Peers, query: many, every_secs: 30}}
"#,
            up.url
        ),
    );
    let o = run(&cfg, &["once", "--format", "json"], &page.env());
    let (out, err) = text(&o);
    // `many` gives no series: that metric has no sample, so the run is not converged.
    assert_eq!(o.status.code(), Some(2), "{out}{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let metrics = report["metrics"].as_array().unwrap();
    assert!(
        metrics
            .iter()
            .any(|m| m["metric"] == "Head slot lag" && m["outcome"] == "ok"),
        "{report:#}"
    );
    assert!(
        metrics.iter().any(|m| m["metric"] == "Peers"
            && m["outcome"] == "failed"
            && m["detail"].as_str().unwrap().contains("0 series")),
        "{report:#}"
    );
    let ops: Vec<String> = page
        .writes()
        .iter()
        .filter_map(|r| r.operation.clone())
        .collect();
    assert_eq!(
        ops.iter().filter(|o| *o == "CreateMetric").count(),
        2,
        "both created: {ops:?}"
    );
    let push = page
        .writes()
        .into_iter()
        .find(|r| r.operation.as_deref() == Some("AddMetricDatapoints"))
        .expect("a bulk push");
    assert_eq!(push.body.as_ref().unwrap()["data"][0]["value"], 3.0);

    // A second run right after: the metrics exist, the last point is too recent: no write
    // (no state_dir: the spacing comes from the page's own points).
    page.emu.clear_requests();
    up.set("many", Answer::Value(7.0));
    let o = run(&cfg, &["once"], &page.env());
    let (out, _) = text(&o);
    let ops: Vec<String> = page
        .writes()
        .iter()
        .filter_map(|r| r.operation.clone())
        .collect();
    assert!(!ops.iter().any(|o| o == "CreateMetric"), "{ops:?}");
    assert_eq!(
        page.writes()
            .iter()
            .filter(|r| r.operation.as_deref() == Some("AddMetricDatapoints"))
            .count(),
        1,
        "only Peers (never pushed) is due: {out}"
    );
}

#[test]
fn a_running_ephemery_reset_window_mutes_its_components() {
    let dir = temp_dir("resets");
    let page = Page::start();
    let up = Upstream::start();
    up.set(GETH_UP, Answer::Value(0.0));
    let env = page.env();
    let now = instatus::jiff::Timestamp::now().as_second();

    // The genesis in a minute: the window (5 minutes of lead-in) is running.
    let muted = config(
        &dir,
        &up.url,
        &format!(
            "ephemery_resets: {{anchor_iteration: 300, anchor_genesis: \"{}\"}}\n",
            now + 60
        ),
    );
    let o = run(&muted, &["plan"], &env);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(!out.contains("set-status"), "{out}");
    assert!(!out.contains("open-incident"), "{out}");
    assert!(
        out.contains("Ephemery network reset to iteration 300 (computed)")
            && out.contains("is in progress"),
        "the plan says why: {out}"
    );
    let o = run(&muted, &["once"], &env);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(out.trim_end().ends_with("converged"), "{out}");
    assert!(
        page.writes().is_empty(),
        "wrote during a reset: {:?}",
        page.writes()
    );

    // Only the components listed are muted (here: one that is not the failing one).
    let other = config(
        &dir,
        &up.url,
        &format!(
            "ephemery_resets: {{anchor_iteration: 300, anchor_genesis: \"{}\", components: [Network]}}\n    - {{path: Network, rules: []}}\n",
            now + 60
        ),
    );
    let text_cfg = std::fs::read_to_string(&other).unwrap();
    // `Network` has to be a declared component: move its line under `components`.
    let fixed = text_cfg
        .replace("    - {path: Network, rules: []}\n", "")
        .replace(
            "  groups:\n",
            "    - {path: Network, rules: []}\n  groups:\n",
        );
    std::fs::write(&other, fixed).unwrap();
    let o = run(&other, &["plan"], &env);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(
        out.contains("open-incident  Ethereum Services/Execution Client"),
        "{out}"
    );

    // Three hours before the genesis: no window, automation writes.
    let later = config(
        &dir,
        &up.url,
        &format!(
            "ephemery_resets: {{anchor_iteration: 300, anchor_genesis: \"{}\"}}\n",
            now + 3 * 3600
        ),
    );
    let o = run(&later, &["once"], &env);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert_eq!(
        page.status("Ethereum Services/Execution Client"),
        "MAJOROUTAGE"
    );

    // Bad values name the field and what is allowed.
    for (extra, path, allowed) in [
        (
            "ephemery_resets: {components: [Nope]}\n",
            "ephemery_resets.components[0]",
            "allowed: Ethereum Services/Execution Client",
        ),
        (
            "ephemery_resets: {lead_in_minutes: -1}\n",
            "ephemery_resets.lead_in_minutes",
            "allowed",
        ),
        (
            "ephemery_resets: {period_secs: 5}\n",
            "ephemery_resets.period_secs",
            "3600",
        ),
        (
            "ephemery_resets: {anchor_genesis: soon}\n",
            "ephemery_resets.anchor_genesis",
            "RFC 3339",
        ),
        (
            "ephemery_resets: {count: 0}\n",
            "ephemery_resets.count",
            "1 to 24",
        ),
        (
            "calendar: {past_days: -2}\n",
            "calendar.past_days",
            "0 to 3660",
        ),
    ] {
        let bad = config(&dir, &up.url, extra);
        let o = run(&bad, &["validate"], &env);
        let (out, err) = text(&o);
        assert_ne!(o.status.code(), Some(0), "{extra}: {out}");
        assert!(
            err.contains(path) && err.contains(allowed),
            "{extra}: {err}"
        );
    }
}
