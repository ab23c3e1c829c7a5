//! `cargo bench -p instatus --bench status [-- SIZES...]`: one evaluation of the status engine
//! with N components (5 rules each: 3 alert rules, 2 threshold rules) against 10,000 active
//! alerts, for N = 1,000 and 10,000 (or the sizes given), beside the baseline figures.
//!
//! The target (issue 8): at most 5 ms for 1,000 components. The alerts are already known to the
//! engine (ingested by an earlier evaluation), as they are in the bridge between deliveries; the
//! evaluation reads 2 query results per component and the whole page (100 groups of N/100).
//! `STATUS_BENCH_RUNS=k` sets the number of timed evaluations (for a profiler run:
//! `valgrind --tool=callgrind --toggle-collect='*timed_evaluation*' target/release/deps/status-* 1000`
//! with `STATUS_BENCH_RUNS=3`, built with `CARGO_PROFILE_BENCH_STRIP=false`).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use instatus::model::Component;
use instatus::status::{
    Alert, AlertDelivery, Config, CurrentPage, Engine, Observations, QueryResult, Sample, State,
};
use jiff::Timestamp;
use serde_json::json;

const ALERTS: usize = 10_000;
const LEVELS: [&str; 3] = ["degraded", "partial_outage", "major_outage"];

fn config(n: usize) -> Config {
    let components: Vec<_> = (0..n)
        .map(|c| {
            let mut rules: Vec<_> = (0..3)
                .map(|k| json!({"alert": {"matchers": [format!("alertname=\"Rule{}\"", c * 3 + k), "severity=~\"critical|page\""], "level": LEVELS[k]}}))
                .collect();
            for q in 0..2 {
                let aggregate = if q == 0 { json!("worst") } else { json!({"ratio": 0.5}) };
                rules.push(json!({"threshold": {
                    "query": format!("q{q}{{component=\"{c}\"}}"), "op": ">",
                    "levels": [{"level": "degraded", "enter": 1, "exit": 0.8}, {"level": "major_outage", "enter": 5}],
                    "aggregate": aggregate
                }}));
            }
            json!({"path": path(n, c), "rules": rules})
        })
        .collect();
    serde_json::from_value(json!({"components": components})).unwrap()
}

fn path(n: usize, c: usize) -> String {
    let per_group = (n / 100).max(1);
    format!("Group {}/Component {c}", c / per_group)
}

fn page(n: usize) -> CurrentPage {
    let per_group = (n / 100).max(1);
    let mut components: Vec<Component> = Vec::new();
    for g in 0..n.div_ceil(per_group) {
        components.push(serde_json::from_value(json!({"id": format!("g{g}"), "name": format!("Group {g}"), "status": "OPERATIONAL", "isParent": true})).unwrap());
    }
    for c in 0..n {
        components.push(serde_json::from_value(json!({"id": format!("c{c}"), "name": format!("Component {c}"), "status": "OPERATIONAL", "groupId": format!("g{}", c / per_group)})).unwrap());
    }
    CurrentPage {
        components,
        ..CurrentPage::default()
    }
}

fn observations(n: usize, now: Timestamp) -> Observations {
    let mut queries = BTreeMap::new();
    for c in 0..n {
        for q in 0..2 {
            let samples = (0..3)
                .map(|i| Sample {
                    labels: BTreeMap::from([("instance".to_owned(), format!("node{i}"))]),
                    value: ((c + i) % 7) as f64,
                    timestamp: now,
                })
                .collect();
            queries.insert(
                format!("q{q}{{component=\"{c}\"}}"),
                QueryResult::Samples(samples),
            );
        }
    }
    Observations {
        queries,
        alerts: Vec::new(),
    }
}

fn alerts(now: Timestamp) -> Observations {
    let alerts = (0..ALERTS)
        .map(|i| Alert {
            fingerprint: format!("{i:016x}"),
            starts_at: now,
            ends_at: None,
            firing: true,
            labels: BTreeMap::from([
                ("alertname".to_owned(), format!("Rule{}", (i * 7) % 3000)),
                ("severity".to_owned(), "critical".to_owned()),
                ("instance".to_owned(), format!("node{}", i % 50)),
                ("job".to_owned(), "geth".to_owned()),
            ]),
            annotations: BTreeMap::from([("summary".to_owned(), format!("alert {i}"))]),
        })
        .collect();
    Observations {
        queries: BTreeMap::new(),
        alerts: vec![AlertDelivery {
            received_at: now,
            alerts,
            complete: false,
        }],
    }
}

/// The measured call, named so a profiler can count it alone
/// (`--toggle-collect='*timed_evaluation*'`), without the setup evaluation.
#[inline(never)]
fn timed_evaluation(
    engine: &Engine,
    obs: &Observations,
    page: &CurrentPage,
    state: State,
    t: Timestamp,
) -> (instatus::status::Plan, State) {
    engine.evaluate(obs, page, state, t)
}

fn bench(n: usize) {
    let engine = Engine::new(config(n)).unwrap();
    let now: Timestamp = "2026-12-01T12:00:00Z".parse().unwrap();
    let mut page = page(n);
    let (plan, state) = engine.evaluate(&alerts(now), &page, State::default(), now);
    page.apply_preview(&plan, now);
    let obs = observations(n, now);
    let active = state.alerts.len();
    let runs = std::env::var("STATUS_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(if n <= 1_000 { 30 } else { 8 });
    let mut times: Vec<Duration> = Vec::new();
    let mut writes = 0;
    let mut state = state;
    for r in 0..runs {
        let input = state.clone();
        let t = now + jiff::SignedDuration::from_secs(30 * (r as i64 + 1));
        let started = Instant::now();
        let (plan, next) = timed_evaluation(&engine, &obs, &page, input, t);
        times.push(started.elapsed());
        writes = plan.actions.len();
        page.apply_preview(&plan, t);
        state = next;
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "{n:>6} components x 5 rules, {active} active alerts: median {:>8.2} ms, min {:>8.2} ms over {runs} evaluations ({:.2} us per component; last plan {writes} writes)",
        median.as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e6 / n as f64,
    );
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    for n in if sizes.is_empty() {
        vec![1_000, 10_000]
    } else {
        sizes
    } {
        bench(n);
    }
}
