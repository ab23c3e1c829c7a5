//! The incident lifecycle end to end, `once` against the emulator and a fake Prometheus: an
//! outage that gets worse and better is told on one incident, a stalled dependency opens one
//! incident listing its dependants, a slow create is never sent twice, and a write the API
//! accepts but does not apply is never "converged".

use crate::common;

use std::path::{Path, PathBuf};

use common::*;
use instatus::affected;
use instatus::api::{self, components::CreateComponentRequest};
use instatus::model::IncidentStatus;
use instatus_emulator::{FaultAction, FaultRule};

const LATENCY: &str = "rpc_latency_seconds";
const GETH_UP: &str = "up{job=\"geth\"}";

fn latency_config(dir: &Path, prom: &str) -> PathBuf {
    write(
        dir,
        "bridge.yml",
        &format!(
            r#"
prometheus: {{url: "{prom}", timeout_secs: 2}}
state_dir: {state}
instatus: {{writes_per_second: 50}}
status:
  components:
    - path: Ethereum Services/Execution Client
      rules:
        - threshold:
            query: '{LATENCY}'
            op: ">"
            levels:
              - {{level: partial_outage, enter: 2}}
              - {{level: major_outage, enter: 5}}
            enter_for_secs: 0
            exit_for_secs: 0
  groups:
    - {{path: Ethereum Services}}
  incidents: {{resolve_after_secs: 900}}
"#,
            state = dir.join("state").display()
        ),
    )
}

fn operations(page: &Page) -> Vec<String> {
    page.writes()
        .into_iter()
        .map(|r| r.operation.unwrap_or_default())
        .collect()
}

#[test]
fn partial_major_partial_operational_is_one_incident_with_four_updates_that_follow() {
    let dir = temp_dir("escalation");
    let page = Page::start();
    let up = Upstream::start();
    let cfg = latency_config(&dir, &up.url);
    // (latency, title, impact, the line's status, the writes of the run)
    let steps = [
        (
            3.0,
            "Execution Client is partly down",
            "PARTIALOUTAGE",
            "partial outage",
            vec!["CreateIncident", "UpdateComponent"],
        ),
        (
            9.0,
            "Execution Client is down",
            "MAJOROUTAGE",
            "major outage",
            vec!["UpdateIncident", "CreateIncidentUpdate", "UpdateComponent"],
        ),
        (
            3.0,
            "Execution Client is partly down",
            "PARTIALOUTAGE",
            "partial outage",
            vec!["UpdateIncident", "CreateIncidentUpdate", "UpdateComponent"],
        ),
        (
            0.5,
            "Execution Client has recovered",
            "OPERATIONAL",
            "operational",
            vec!["UpdateIncident", "CreateIncidentUpdate", "UpdateComponent"],
        ),
    ];
    let mut requests = Vec::new();
    for (k, (latency, title, impact, line, writes)) in steps.into_iter().enumerate() {
        up.set(LATENCY, Answer::Value(latency));
        page.emu.clear_requests();
        let o = run(&cfg, &["once"], &page.env());
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(0), "step {k}: {out}{err}");
        assert!(out.trim_end().ends_with("converged"), "step {k}: {out}");
        assert_eq!(operations(&page), writes, "step {k}: {out}");
        requests.push(page.emu.requests().len());
        let incidents = page.incidents();
        assert_eq!(incidents.len(), 1, "step {k}: one incident");
        let i = &incidents[0];
        assert_eq!(i.updates.len(), k + 1, "step {k}");
        assert_eq!(i.name.as_str(), title, "step {k}");
        assert_eq!(
            i.impact.as_ref().map(|x| x.as_str().to_owned()).as_deref(),
            Some(impact),
            "step {k}"
        );
        let newest = i.updates[0].message.as_deref().unwrap_or_default();
        assert!(
            newest.contains(&format!("Affected components: Execution Client ({line}).")),
            "step {k}: {newest}"
        );
        assert!(
            newest.ends_with("(Posted by status automation.)"),
            "{newest}"
        );
        assert_eq!(i.updates[0].notify, Some(true), "subscribers are told");
    }
    let i = &page.incidents()[0];
    assert_eq!(i.status, IncidentStatus::Monitoring);
    assert_eq!(
        page.status("Ethereum Services/Execution Client"),
        "OPERATIONAL"
    );
    let worse = i.updates[2].message.as_deref().unwrap();
    assert!(
        worse.starts_with("The problem has become worse: Execution Client is now down"),
        "{worse}"
    );
    eprintln!("requests per run (reads and writes): {requests:?}");
}

fn add_validator(page: &Page) {
    page.client
        .send(api::components::create(
            &page.page,
            &CreateComponentRequest::new("Validator"),
        ))
        .expect("validator");
    page.emu.clear_requests();
}

#[test]
fn a_stalled_execution_client_opens_one_incident_listing_its_dependants() {
    let dir = temp_dir("stall");
    let page = Page::start();
    add_validator(&page);
    let up = Upstream::start();
    up.set(GETH_UP, Answer::Value(0.0));
    let cfg = write(
        &dir,
        "bridge.yml",
        &format!(
            r#"
prometheus: {{url: "{}", timeout_secs: 2}}
instatus: {{writes_per_second: 50}}
status:
  components:
    - path: Ethereum Services/Execution Client
      rules:
        - threshold: {{query: '{GETH_UP}', op: "<", levels: [{{level: major_outage, enter: 1}}], enter_for_secs: 0, exit_for_secs: 0}}
    - {{path: Ethereum Services/Consensus Client, requires: [Ethereum Services/Execution Client]}}
    - {{path: Validator, requires: [Ethereum Services/Consensus Client]}}
  groups:
    - {{path: Ethereum Services}}
"#,
            up.url
        ),
    );
    let o = run(&cfg, &["once"], &page.env());
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert_eq!(
        operations(&page),
        ["CreateIncident", "UpdateComponent"],
        "one incident carrying three statuses, then the group: {out}"
    );
    let incidents = page.incidents();
    assert_eq!(incidents.len(), 1, "one incident for one cause");
    let names = ["Execution Client", "Consensus Client", "Validator"];
    let message = incidents[0].updates[0].message.as_deref().unwrap();
    assert_eq!(
        affected::parse(message, &names)
            .into_iter()
            .map(|(n, s)| format!("{n} {s}"))
            .collect::<Vec<_>>(),
        [
            "Execution Client MAJOROUTAGE",
            "Consensus Client MAJOROUTAGE",
            "Validator MAJOROUTAGE"
        ]
    );
    assert_eq!(incidents[0].components.len(), 3);
    for path in [
        "Ethereum Services/Execution Client",
        "Ethereum Services/Consensus Client",
        "Validator",
        "Ethereum Services",
    ] {
        assert_eq!(page.status(path), "MAJOROUTAGE", "{path}");
    }
    // A second run (a restart, a cron run) finds the incident again: nothing written.
    page.emu.clear_requests();
    let o = run(&cfg, &["once"], &page.env());
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    assert!(page.writes().is_empty(), "{:?}", operations(&page));
}

#[test]
fn a_slow_incident_create_was_sent_twice_now_it_is_found_after_the_timeout() {
    let dir = temp_dir("slow");
    let page = Page::start();
    let up = Upstream::start();
    up.set(GETH_UP, Answer::Value(0.0));
    let cfg = write(
        &dir,
        "bridge.yml",
        &format!(
            r#"
prometheus: {{url: "{}", timeout_secs: 2}}
instatus: {{timeout_secs: 1, writes_per_second: 50}}
status:
  components:
    - path: Ethereum Services/Execution Client
      rules:
        - threshold: {{query: '{GETH_UP}', op: "<", levels: [{{level: major_outage, enter: 1}}], enter_for_secs: 0, exit_for_secs: 0}}
"#,
            up.url
        ),
    );
    // The create's answer comes after the client's 1 s timeout; the look-up right after the
    // timeout misses it (the request is still running), the one after the timeout plus the
    // margin finds it.
    page.emu.add_fault(FaultRule {
        method: Some("POST".into()),
        path: "/v1/*/incidents".into(),
        action: FaultAction::Delay(std::time::Duration::from_millis(2500)),
        times: Some(1),
    });
    let o = run(&cfg, &["once"], &page.env());
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(out.contains("found after an ambiguous create"), "{out}");
    assert_eq!(operations(&page), ["CreateIncident"], "sent once: {out}");
    assert_eq!(page.incidents().len(), 1);
}

#[test]
fn once_is_not_converged_when_the_api_accepts_the_statuses_but_does_not_apply_them() {
    let dir = temp_dir("ignored");
    let page = Page::start();
    let up = Upstream::start();
    up.set(GETH_UP, Answer::Value(0.0));
    let cfg = write(
        &dir,
        "bridge.yml",
        &format!(
            r#"
prometheus: {{url: "{}", timeout_secs: 2}}
instatus: {{writes_per_second: 50}}
status:
  components:
    - path: Ethereum Services/Execution Client
      rules:
        - threshold: {{query: '{GETH_UP}', op: "<", levels: [{{level: major_outage, enter: 1}}], enter_for_secs: 0, exit_for_secs: 0}}
"#,
            up.url
        ),
    );
    page.emu.set_ignored_fields(vec!["statuses".into()]);
    let o = run(&cfg, &["once"], &page.env());
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}{err}");
    assert!(out.contains("failed"), "{out}");
    assert!(out.contains("not converged"), "{out}");
    assert_eq!(
        page.status("Ethereum Services/Execution Client"),
        "OPERATIONAL",
        "the API did not apply it, and the report does not claim it"
    );
}
