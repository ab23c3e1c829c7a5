//! A burn-rate rule through the bridge: each window's query reaches Prometheus, `plan` says which
//! window pair drove the level, `once` writes it, a second run changes nothing, and a window
//! Prometheus cannot answer keeps the level.

use crate::common;

use common::*;
use serde_json::Value;

const RATIO: &str = "1 - avg_over_time(probe_success{job=\"ephemery-rpc\"}[$window])";

fn window(range: &str) -> String {
    RATIO.replace("$window", range)
}

fn config(dir: &std::path::Path, prom: &str) -> std::path::PathBuf {
    write(
        dir,
        "bridge.yml",
        &format!(
            r#"
prometheus: {{url: "{prom}", timeout_secs: 2}}
status:
  components:
    - path: Network
      rules:
        - burn_rate:
            objective: 0.995
            error_ratio: '{RATIO}'
"#
        ),
    )
}

/// A fast burn: every probe failed for the last half hour, half of the last hour.
fn burning(up: &Upstream) {
    for (range, ratio) in [
        ("5m", 1.0),
        ("30m", 1.0),
        ("1h", 0.5),
        ("6h", 0.1),
        ("3d", 0.01),
    ] {
        up.set(&window(range), Answer::Value(ratio));
    }
}

#[test]
fn each_window_is_queried_and_the_plan_names_the_pair_that_drove_the_level() {
    let dir = temp_dir("burn-rate");
    let page = Page::start();
    let up = Upstream::start();
    burning(&up);
    let cfg = config(&dir, &up.url);
    let env = page.env();

    // Check mode: says why, writes nothing.
    let o = run(&cfg, &["plan", "--format", "json"], &env);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    let mut asked = up.queries.lock().unwrap().clone();
    asked.sort();
    let mut expected: Vec<String> = ["5m", "30m", "1h", "6h", "3d"].map(window).to_vec();
    expected.sort();
    assert_eq!(asked, expected, "one query per window, each once");
    let plan: Value = serde_json::from_str(&out).expect("JSON plan");
    let notes: Vec<&str> = plan["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "burn_rate" && n["path"] == "Network")
        .map(|n| n["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        notes,
        ["rule 0 at major_outage: burn rate 100.0x over 1h and 200.0x over 5m (> 14.4x): major_outage"],
        "{out}"
    );
    assert!(out.contains("MAJOROUTAGE"), "{out}");
    assert!(page.writes().is_empty(), "plan wrote: {:?}", page.writes());
    assert_eq!(page.status("Network"), "OPERATIONAL");

    // `plan --sources` counts the rule's source as answering only when every window answered.
    let o = run(&cfg, &["plan", "--sources"], &env);
    let (out, err) = text(&o);
    assert!(
        out.contains(&format!(
            "answers prometheus reads burn rate of error_ratio `{RATIO}`"
        )) && out.contains("5 window queries"),
        "{out}{err}"
    );

    // A real run writes the level; a second one changes nothing.
    let o = run(&cfg, &["once"], &env);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert_eq!(page.status("Network"), "MAJOROUTAGE");
    page.emu.clear_requests();
    let o = run(&cfg, &["once"], &env);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(
        page.writes().is_empty(),
        "second run wrote: {:?}",
        page.writes()
    );

    // The 3-day window fails: unknown, the level stays, the plan says which query.
    up.set(&window("3d"), bad_data());
    up.set(&window("5m"), Answer::Value(0.0));
    let o = run(&cfg, &["plan"], &env);
    let (out, err) = text(&o);
    assert!(
        out.contains("unknown, last level kept") && out.contains("[3d])` failed"),
        "{out}{err}"
    );
    let o = run(&cfg, &["once"], &env);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "unknown is reported: {out}{err}");
    assert_eq!(page.status("Network"), "MAJOROUTAGE");
}

#[test]
fn a_burn_rate_rule_without_prometheus_or_with_a_bad_window_is_refused_with_its_field() {
    let dir = temp_dir("burn-rate-invalid");
    let no_prom = write(
        &dir,
        "no-prom.yml",
        &format!("status: {{components: [{{path: Network, rules: [{{burn_rate: {{objective: 0.995, error_ratio: '{RATIO}'}}}}]}}]}}\n"),
    );
    let env = [
        ("INSTATUS_API_KEY".to_owned(), "not-used".to_owned()),
        ("INSTATUS_PAGE".to_owned(), "ephemery".to_owned()),
    ];
    let o = run(&no_prom, &["validate", "--no-secrets"], &env);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(err.contains("`prometheus`"), "{err}");

    let bad = write(
        &dir,
        "bad.yml",
        &format!("prometheus: {{url: 'http://127.0.0.1:9'}}\nstatus: {{components: [{{path: Network, rules: [{{burn_rate: {{objective: 99.5, error_ratio: '{RATIO}'}}}}]}}]}}\n"),
    );
    let o = run(&bad, &["validate", "--no-secrets"], &env);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(
        err.contains("status.components[0].rules[0].burn_rate.objective")
            && err.contains("not in (0, 1)"),
        "{err}"
    );
}

#[test]
fn the_burn_rate_example_is_valid_and_asks_for_five_windows() {
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/bridge/slo-burn-rate.yml"
    );
    let env = [
        ("INSTATUS_API_KEY".to_owned(), "not-used".to_owned()),
        ("INSTATUS_PAGE".to_owned(), "ephemery".to_owned()),
    ];
    let o = run(
        std::path::Path::new(example),
        &["validate", "--no-secrets"],
        &env,
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(
        out.contains("valid (1 components, 0 groups, 5 queries"),
        "{out}"
    );
    let text = std::fs::read_to_string(example).unwrap();
    assert!(
        text.contains("instatus-bridge validate --no-secrets examples/bridge/slo-burn-rate.yml")
    );
}
