//! A crash at any point converges: the bridge is killed (SIGKILL, through its test hook) right
//! after each write of an outage and its recovery in turn, restarted once the outage has ended,
//! and must end with the page operational and the incident resolved, one incident, no write
//! mistaken for a person's edit. A write still in flight when the bridge dies (it lands after
//! the restart has begun) is waited for, never left to overwrite the recovery.

use crate::common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;
use instatus::affected;
use instatus::model::IncidentStatus;
use instatus_emulator::{FaultAction, FaultRule};

const GETH_UP: &str = "up{job=\"geth\"}";
const ABORT: &str = "INSTATUS_BRIDGE_ABORT_AFTER_WRITES";

fn config(dir: &Path, prom: &str) -> PathBuf {
    write(
        dir,
        "bridge.yml",
        &format!(
            r#"
prometheus: {{url: "{prom}", timeout_secs: 2}}
state_dir: {state}
instatus: {{timeout_secs: 2, writes_per_second: 50}}
status:
  components:
    - path: Ethereum Services/Execution Client
      rules:
        - threshold: {{query: '{GETH_UP}', op: "<", levels: [{{level: major_outage, enter: 1}}], enter_for_secs: 0, exit_for_secs: 0}}
    - {{path: Ethereum Services/Consensus Client, requires: [Ethereum Services/Execution Client]}}
  groups:
    - {{path: Ethereum Services}}
  incidents: {{resolve_after_secs: 0}}
"#,
            state = dir.join("state").display()
        ),
    )
}

/// How one scenario went.
#[derive(Debug, Default)]
struct Story {
    runs: usize,
    killed: bool,
    writes: usize,
}

/// A healthy run (the state records the page as automation's), the outage (geth down), then its
/// recovery, `once` after `once`; the run holding write `kill_after` is killed right after it,
/// and the next run starts with the outage over. Ends when a recovery run converges.
fn scenario(page: &Page, up: &Upstream, cfg: &Path, kill_after: Option<usize>) -> Story {
    up.set(GETH_UP, Answer::Value(1.0));
    let o = run(cfg, &["once"], &page.env());
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    assert!(page.writes().is_empty());
    let mut story = Story::default();
    let mut outage = true;
    while story.runs < 8 {
        story.runs += 1;
        up.set(GETH_UP, Answer::Value(if outage { 0.0 } else { 1.0 }));
        let mut env = page.env();
        let budget = kill_after
            .filter(|_| !story.killed)
            .map(|k| k - story.writes);
        if let Some(b) = budget {
            env.push((ABORT.into(), b.to_string()));
        }
        let before = page.writes().len();
        let o = run(cfg, &["once"], &env);
        story.writes += page.writes().len() - before;
        match o.status.code() {
            None => {
                // Killed: restarted after the outage ended.
                story.killed = true;
                outage = false;
            }
            Some(0) if !outage => return story,
            Some(0 | 2) => outage = false,
            code => panic!("run {}: exit {code:?}: {:?}", story.runs, text(&o)),
        }
    }
    panic!("no convergence after {} runs: {story:?}", story.runs)
}

fn assert_recovered(page: &Page, what: &str) {
    for path in [
        "Ethereum Services/Execution Client",
        "Ethereum Services/Consensus Client",
        "Ethereum Services",
    ] {
        assert_eq!(page.status(path), "OPERATIONAL", "{what}: {path}");
    }
    let incidents = page.incidents();
    assert_eq!(incidents.len(), 1, "{what}: one incident: {incidents:#?}");
    assert_eq!(incidents[0].status, IncidentStatus::Resolved, "{what}");
    let last = incidents[0].updates[0]
        .message
        .as_deref()
        .unwrap_or_default();
    assert_eq!(
        affected::parse(last, &["Execution Client", "Consensus Client"])
            .into_iter()
            .map(|(n, s)| format!("{n} {s}"))
            .collect::<Vec<_>>(),
        [
            "Execution Client OPERATIONAL",
            "Consensus Client OPERATIONAL"
        ],
        "{what}: the resolve restores what the incident holds"
    );
}

#[test]
fn killed_after_any_write_of_an_outage_and_its_recovery_the_page_ends_operational() {
    // A run without a kill: the writes of the whole story.
    let dir = temp_dir("crash-clean");
    let page = Page::start();
    let up = Upstream::start();
    let clean = scenario(&page, &up, &config(&dir, &up.url), None);
    assert_recovered(&page, "no kill");
    let all: Vec<String> = page
        .writes()
        .into_iter()
        .map(|r| r.operation.unwrap_or_default())
        .collect();
    assert_eq!(
        all,
        [
            "CreateIncident",       // the outage, with both components' statuses
            "UpdateComponent",      // the group
            "UpdateIncident",       // the title: "... has recovered"
            "CreateIncidentUpdate", // MONITORING, both components operational
            "UpdateComponent",      // the group
            "UpdateIncident",       // the title of the resolve
            "CreateIncidentUpdate", // RESOLVED
        ]
    );
    // Every write boundary in turn.
    let mut kill_points = 0;
    for k in 1..=clean.writes {
        let dir = temp_dir(&format!("crash-{k}"));
        let page = Page::start();
        let up = Upstream::start();
        let story = scenario(&page, &up, &config(&dir, &up.url), Some(k));
        assert!(story.killed, "killed after write {k}: {story:?}");
        assert_recovered(&page, &format!("killed after write {k}"));
        kill_points += 1;
    }
    assert_eq!(kill_points, 7);
}

#[test]
fn a_write_in_flight_when_the_bridge_is_killed_lands_late_and_is_still_overwritten() {
    let dir = temp_dir("crash-in-flight");
    let page = Page::start();
    let up = Upstream::start();
    let cfg = config(&dir, &up.url);
    // The group's MAJOROUTAGE is answered (and applied) 3 s late: the bridge is killed while
    // waiting for it, and restarted at once, after the outage ended.
    page.emu.add_fault(FaultRule {
        method: Some("PUT".into()),
        path: "/v1/*/components/*".into(),
        action: FaultAction::Delay(Duration::from_millis(3000)),
        times: Some(1),
    });
    up.set(GETH_UP, Answer::Value(1.0));
    assert_eq!(run(&cfg, &["once"], &page.env()).status.code(), Some(0));
    up.set(GETH_UP, Answer::Value(0.0));
    let mut child = bin()
        .arg("--config")
        .arg(&cfg)
        .arg("once")
        .envs(page.env())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("once starts");
    wait_until("the group's write is sent", Duration::from_secs(10), || {
        dir.join("state/in-flight.json").exists()
            && std::fs::read_to_string(dir.join("state/in-flight.json"))
                .is_ok_and(|t| t.contains("MAJOROUTAGE") && t.contains("component"))
    });
    child.kill().expect("kill");
    child.wait().expect("reaped");
    up.set(GETH_UP, Answer::Value(1.0));
    let started = Instant::now();
    let mut runs = 0;
    loop {
        runs += 1;
        let o = run(&cfg, &["once"], &page.env());
        let (out, err) = text(&o);
        if o.status.code() == Some(0) {
            if runs == 1 {
                assert!(err.contains("a write was in flight"), "{err}");
            }
            break;
        }
        assert!(runs < 5, "{out}{err}");
    }
    // The late MAJOROUTAGE landed during the first restart's wait, and was written over.
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "the restart waited for the write in flight"
    );
    assert_recovered(&page, "a write in flight");
}
