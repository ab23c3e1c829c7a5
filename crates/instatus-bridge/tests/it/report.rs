//! `instatus-bridge report` against the emulator (a page with a month of history) and a real
//! Prometheus (Debian's `prometheus`, scraping itself on 127.0.0.1): the figures computed by
//! hand, files written once and then left alone, the internal SLO beside the public figure, and
//! a failed query shown as no data with exit 2.

use crate::common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use instatus_emulator::{Config as EmuConfig, Emulator};
use serde_json::{json, Value};

/// The emulator page of [`Page::start`], with its components created on 2026-10-01 and one
/// incident: Execution Client in major outage 2026-11-10 10:00-11:00 UTC, resolved the usual
/// way (the component back to operational; the level is in the updates' "Affected components"
/// lines, as the bridge writes them).
fn page_with_history(dir: &Path) -> Emulator {
    let page = Page::start();
    let el = page.component("Ethereum Services/Execution Client").id;
    let agent = agent();
    let post = |path: String, body: Value| -> Value {
        let mut r = agent
            .post(&format!("{}/v1/{}{path}", page.emu.url(), page.page))
            .header("Authorization", &format!("Bearer {}", page.emu.api_key()))
            .send_json(&body)
            .expect("POST");
        r.body_mut().read_json().expect("JSON")
    };
    let inc = post(
        "/incidents".into(),
        json!({"name": "EL down", "status": "INVESTIGATING", "components": [el],
               "statuses": [{"id": el, "status": "MAJOROUTAGE"}],
               "message": "Down.\n\nAffected components: Execution Client (major outage).",
               "started": "2026-11-10T10:00:00Z", "notify": false}),
    );
    let id = inc["id"].as_str().expect("incident id");
    post(
        format!("/incidents/{id}/incident-updates"),
        json!({"status": "RESOLVED", "components": [el],
               "statuses": [{"id": el, "status": "OPERATIONAL"}],
               "message": "Recovered.\n\nAffected components: Execution Client (operational).",
               "started": "2026-11-10T11:00:00Z", "notify": false}),
    );
    let mut state = page.emu.state_json();
    for c in state["pages"][0]["components"]
        .as_array_mut()
        .expect("components")
    {
        c["createdAt"] = json!("2026-10-01T00:00:00.000Z");
    }
    let file = write(dir, "emulator-state.json", &state.to_string());
    Emulator::start(EmuConfig {
        state_file: Some(file),
        ..EmuConfig::default()
    })
    .expect("emulator from the state")
}

fn env(emu: &Emulator) -> Vec<(String, String)> {
    vec![
        ("INSTATUS_BASE_URL".into(), emu.url()),
        ("INSTATUS_API_KEY".into(), emu.api_key().into()),
        ("INSTATUS_PAGE".into(), "ephemery".into()),
    ]
}

#[test]
fn a_month_report_has_the_hand_computed_figures_and_is_written_once() {
    let dir = temp_dir("report");
    let emu = page_with_history(&dir);
    let config = write(&dir, "bridge.yml", "status: {components: []}\n");
    let (md, html, js) = (dir.join("u.md"), dir.join("u.html"), dir.join("u.json"));
    let args = [
        "report",
        "--month",
        "2026-11",
        "--sla",
        "Ethereum Services/Execution Client=99.9",
        "--markdown",
        md.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
        "--json",
        js.to_str().unwrap(),
    ];
    let o = run(&config, &args, &env(&emu));
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert_eq!(out.matches("written ").count(), 3, "{out}");

    // November has 30 days = 2,592,000 s; 1 h of major outage: (2,592,000 − 3,600) /
    // 2,592,000 = 99.8611 %, rounded down to 99.861 %. The group is its worst member.
    let markdown = std::fs::read_to_string(&md).unwrap();
    assert!(markdown.contains("November 2026"), "{markdown}");
    assert!(
        markdown.contains("| ↳ Execution Client | 99.861 % | 1 h |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| **Ethereum Services** | 99.861 % | 1 h |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| ↳ Consensus Client | 100.000 % | 0 min |"),
        "{markdown}"
    );
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&js).unwrap()).unwrap();
    let el = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"] == "Ethereum Services/Execution Client")
        .expect("the EL row");
    // Budget 0.1 % × 2,592,000 s = 2,592 s; 3,600 s used: breached.
    assert_eq!(el["sla"]["met"], json!(false), "{el:#}");
    assert_eq!(el["sla"]["verdict"], json!("breached"), "{el:#}");
    assert!(
        markdown.contains("| Execution Client | 99.9 % | 99.861 % | breached |"),
        "{markdown}"
    );
    assert!(std::fs::read_to_string(&html).unwrap().contains("<svg"));

    // Again: the same history gives the same bytes; nothing is written.
    let o = run(&config, &args, &env(&emu));
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert_eq!(out.matches("up to date ").count(), 3, "{out}");

    // Without a file: the Markdown on stdout, the same as the file.
    let o = run(&config, &args[..5], &env(&emu));
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&o.stdout), markdown);

    // A bad option is an error naming it, before any request.
    let o = run(
        &config,
        &["report", "--sla", "Execution Client"],
        &env(&emu),
    );
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err.contains("--sla \"Execution Client\": expected NAME=PERCENT"),
        "{err}"
    );
    let o = run(
        &config,
        &["report", "--month", "2026-11", "--sla", "Nope=99.9"],
        &env(&emu),
    );
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(err.contains("Nope"), "{err}");
}

/// A real Prometheus scraping itself every second, on a free port; killed on drop.
struct Prometheus {
    child: Child,
    url: String,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Prometheus {
    fn start(dir: &Path) -> Prometheus {
        let bin = Path::new("/usr/bin/prometheus");
        assert!(
            bin.exists(),
            "{} not found: apt-get install -y prometheus",
            bin.display()
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = write(
            dir,
            "prometheus.yml",
            &format!(
                "global: {{scrape_interval: 1s}}\nscrape_configs:\n  - job_name: prometheus\n    static_configs: [{{targets: ['127.0.0.1:{port}']}}]\n"
            ),
        );
        let child = Command::new(bin)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("tsdb").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("prometheus runs");
        let p = Prometheus {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        // Ready, and a few scrapes of `up` stored.
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let (status, body) = try_get(&format!(
                "{}/api/v1/query?query=count_over_time(up%7Bjob%3D%22prometheus%22%7D%5B1m%5D)",
                p.url
            ));
            let n = serde_json::from_str::<Value>(&body).ok().and_then(|v| {
                v["data"]["result"][0]["value"][1]
                    .as_str()
                    .and_then(|s| s.parse::<f64>().ok())
            });
            if status == 200 && n.is_some_and(|n| n >= 3.0) {
                return p;
            }
            assert!(
                Instant::now() < deadline,
                "prometheus not ready: {status} {body}"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

/// (status, body), or (0, the error) before the server listens.
fn try_get(url: &str) -> (u16, String) {
    match agent().get(url).call() {
        Ok(mut r) => (
            r.status().as_u16(),
            r.body_mut().read_to_string().unwrap_or_default(),
        ),
        Err(e) => (0, e.to_string()),
    }
}

#[test]
fn internal_slo_from_a_real_prometheus_beside_the_public_figure() {
    let dir = temp_dir("report-internal");
    let emu = page_with_history(&dir);
    let prom = Prometheus::start(&dir);
    let config = write(
        &dir,
        "bridge.yml",
        &format!(
            "prometheus: {{url: \"{}\", timeout_secs: 5}}\nstatus: {{components: []}}\n",
            prom.url
        ),
    );
    // The last day: Prometheus has a few seconds of `up` = 1, the rest of the steps are missing
    // (no data, not down), so the internal mean is 100 % with most steps missing.
    let o = run(
        &config,
        &[
            "report",
            "--days",
            "1",
            "--bar-days",
            "0",
            "--internal",
            "Execution Client=up{job=\"prometheus\"}",
        ],
        &env(&emu),
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    eprintln!("{out}");
    assert!(out.contains("## Internal SLOs (Prometheus)"), "{out}");
    let row = out
        .lines()
        .find(|l| l.starts_with("| Execution Client |"))
        .unwrap_or_else(|| panic!("no internal row: {out}"));
    // | Execution Client | public | internal mean | worst | missing | query |
    let cells: Vec<&str> = row.split(" | ").collect();
    assert_eq!(cells[1], "100.000 %", "{row}");
    assert_eq!(cells[2], "100.000 %", "{row}");
    assert_eq!(cells[3], "100.000 %", "{row}");
    let missing: f64 = cells[4].trim_end_matches(" %").parse().unwrap();
    assert!(missing > 90.0 && missing < 100.0, "{row}");
    assert!(row.contains("`up{job=\"prometheus\"}`"), "{row}");

    // A query Prometheus refuses: the report is still written, the internal figure is no data
    // (never 100 %), and the exit code says so.
    let o = run(
        &config,
        &[
            "report",
            "--days",
            "1",
            "--bar-days",
            "0",
            "--internal",
            "Execution Client=up{",
        ],
        &env(&emu),
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}{err}");
    assert!(
        err.contains("internal SLO of Execution Client (up{)"),
        "{err}"
    );
    assert!(err.contains("bad_data"), "{err}");
    let row = out
        .lines()
        .find(|l| l.starts_with("| Execution Client |"))
        .unwrap_or_else(|| panic!("no internal row: {out}"));
    assert!(row.contains("| no data | no data |"), "{row}");

    // `--internal` without a Prometheus is an error.
    let bare = write(&dir, "bare.yml", "status: {components: []}\n");
    let o = run(
        &bare,
        &["report", "--days", "1", "--internal", "Execution Client=up"],
        &env(&emu),
    );
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err.contains("--internal needs a `prometheus` section"),
        "{err}"
    );
}
