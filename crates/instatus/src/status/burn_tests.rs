//! Tests of the burn-rate rule: the window math, the levels, series matching, unknown, config.
use serde_json::json;

use super::*;

fn rule(v: serde_json::Value) -> BurnRateRule {
    serde_json::from_value(v).unwrap()
}

fn now() -> Timestamp {
    Timestamp::from_second(1_800_000_000).unwrap()
}

fn one(value: f64) -> QueryResult {
    QueryResult::Samples(vec![Sample {
        labels: BTreeMap::new(),
        value,
        timestamp: now(),
    }])
}

const RATIO: &str = "1 - avg_over_time(probe_success{job=\"rpc\"}[$window])";

/// The ratio rule with the workbook's levels, and observations of the error ratios per
/// window (seconds → ratio).
fn observed(ratios: &[(u64, f64)]) -> BTreeMap<String, QueryResult> {
    ratios
        .iter()
        .map(|&(secs, r)| (expand(RATIO, secs), one(r)))
        .collect()
}

fn read_ratios(ratios: &[(u64, f64)]) -> Result<Judgement, String> {
    let r = rule(json!({"objective": 0.995, "error_ratio": RATIO}));
    read(&r, &Prepared::new(&r), &observed(ratios), now(), 300)
}

const H: u64 = 3_600;
const M: u64 = 60;
const D: u64 = 86_400;

#[test]
fn windows_are_written_in_the_largest_unit_that_divides_them() {
    assert_eq!(range_text(3 * D), "3d");
    assert_eq!(range_text(6 * H), "6h");
    assert_eq!(range_text(30 * M), "30m");
    assert_eq!(range_text(90 * M), "90m");
    assert_eq!(range_text(45), "45s");
    assert_eq!(
        expand("sum(rate(x[$window])) / sum(rate(y[$window]))", 5 * M),
        "sum(rate(x[5m])) / sum(rate(y[5m]))"
    );
}

#[test]
fn the_burn_rate_is_the_error_ratio_over_the_budget() {
    // 0.5 % budget: a 7.2 % error ratio burns at 14.4x, a 100 % one at 200x.
    assert!((burn_rate(0.072, 0.995) - 14.4).abs() < 1e-9);
    assert!((burn_rate(1.0, 0.995) - 200.0).abs() < 1e-9);
    assert_eq!(burn_rate(-0.001, 0.995), 0.0);
}

#[test]
fn the_default_levels_are_the_workbooks_and_one_query_per_window() {
    let r = rule(json!({"objective": 0.995, "error_ratio": RATIO}));
    assert_eq!(r.enter_for_secs, 0);
    assert_eq!(r.exit_for_secs, 300);
    let pairs: Vec<(Level, u64, u64, f64)> = r
        .levels
        .iter()
        .map(|l| (l.level, l.long_window_secs, l.short_window_secs, l.factor))
        .collect();
    assert_eq!(
        pairs,
        vec![
            (Level::MajorOutage, H, 5 * M, 14.4),
            (Level::PartialOutage, 6 * H, 30 * M, 6.0),
            (Level::Degraded, 3 * D, 6 * H, 1.0),
        ]
    );
    // 6 h is both a long and a short window: asked once.
    let prepared = Prepared::new(&r);
    let queries: Vec<&str> = prepared.queries().collect();
    assert_eq!(
        queries,
        ["5m", "30m", "1h", "6h", "3d"]
            .map(|w| format!("1 - avg_over_time(probe_success{{job=\"rpc\"}}[{w}])"))
    );
}

#[test]
fn a_level_needs_both_windows_of_its_pair_over_the_factor() {
    // 8 % errors over 1 h and 7.5 % over 5 m: 16.0x and 15.0x, both over 14.4x.
    let j = read_ratios(&[
        (5 * M, 0.075),
        (30 * M, 0.08),
        (H, 0.08),
        (6 * H, 0.02),
        (3 * D, 0.001),
    ])
    .unwrap();
    assert_eq!(j.level, Level::MajorOutage);
    assert_eq!(
        j.detail,
        "burn rate 16.0x over 1h and 15.0x over 5m (> 14.4x): major_outage"
    );
    // The same long window with a quiet short one: the burn stopped.
    let j = read_ratios(&[
        (5 * M, 0.0),
        (30 * M, 0.08),
        (H, 0.08),
        (6 * H, 0.02),
        (3 * D, 0.001),
    ])
    .unwrap();
    assert_eq!(j.level, Level::Operational);
    assert_eq!(
        j.detail,
        "no window pair burns; closest: 4.0x over 6h and 16.0x over 30m (partial_outage needs > 6x in both)"
    );
    // A spike: only the short windows burn.
    let j = read_ratios(&[
        (5 * M, 1.0),
        (30 * M, 0.5),
        (H, 0.05),
        (6 * H, 0.004),
        (3 * D, 0.001),
    ])
    .unwrap();
    assert_eq!(j.level, Level::Operational);
}

#[test]
fn the_worst_burning_pair_drives_the_level() {
    // Everything burns: major outage wins over partial and degraded.
    let j = read_ratios(&[
        (5 * M, 0.5),
        (30 * M, 0.5),
        (H, 0.5),
        (6 * H, 0.5),
        (3 * D, 0.5),
    ])
    .unwrap();
    assert_eq!(j.level, Level::MajorOutage);
    // A slow burn: 1.2 % errors for days is 2.4x: degraded only.
    let j = read_ratios(&[
        (5 * M, 0.012),
        (30 * M, 0.012),
        (H, 0.012),
        (6 * H, 0.012),
        (3 * D, 0.012),
    ])
    .unwrap();
    assert_eq!(j.level, Level::Degraded);
    assert_eq!(
        j.detail,
        "burn rate 2.4x over 3d and 2.4x over 6h (> 1x): degraded"
    );
    // Exactly at the factor does not exceed it.
    let j = read_ratios(&[
        (5 * M, 0.03),
        (30 * M, 0.03),
        (H, 0.03),
        (6 * H, 0.03),
        (3 * D, 0.0),
    ])
    .unwrap();
    assert_eq!(j.level, Level::Operational);
}

#[test]
fn a_failed_missing_or_empty_window_makes_the_rule_unknown() {
    let mut q = observed(&[(5 * M, 0.5), (30 * M, 0.5), (H, 0.5), (6 * H, 0.5)]);
    let r = rule(json!({"objective": 0.995, "error_ratio": RATIO}));
    let p = Prepared::new(&r);
    let why = read(&r, &p, &q, now(), 300).unwrap_err();
    assert_eq!(
        why,
        "no result for query `1 - avg_over_time(probe_success{job=\"rpc\"}[3d])`"
    );
    q.insert(expand(RATIO, 3 * D), QueryResult::Failed("timeout".into()));
    let why = read(&r, &p, &q, now(), 300).unwrap_err();
    assert!(why.ends_with("[3d])` failed: timeout"), "{why}");
    q.insert(expand(RATIO, 3 * D), QueryResult::Samples(vec![]));
    let why = read(&r, &p, &q, now(), 300).unwrap_err();
    assert!(why.ends_with("[3d])` returned no series"), "{why}");
    let stale = Sample {
        labels: BTreeMap::new(),
        value: 0.5,
        timestamp: Timestamp::from_second(now().as_second() - 301).unwrap(),
    };
    q.insert(expand(RATIO, 3 * D), QueryResult::Samples(vec![stale]));
    let why = read(&r, &p, &q, now(), 300).unwrap_err();
    assert!(why.contains("stale"), "{why}");
}

fn counts(
    rule: &BurnRateRule,
    per_window: &[(u64, Option<f64>, f64)],
) -> Result<Judgement, String> {
    let (counted, total) = match (&rule.errors, &rule.good) {
        (Some(e), _) => (e, rule.total.as_ref().unwrap()),
        (None, Some(g)) => (g, rule.total.as_ref().unwrap()),
        _ => unreachable!(),
    };
    let mut q = BTreeMap::new();
    for &(secs, n, all) in per_window {
        let empty = QueryResult::Samples(vec![]);
        q.insert(expand(counted, secs), n.map_or(empty, one));
        q.insert(expand(total, secs), one(all));
    }
    read(rule, &Prepared::new(rule), &q, now(), 300)
}

#[test]
fn errors_over_total_reads_no_error_series_as_no_errors_and_no_traffic_as_no_burn() {
    let r = rule(json!({
        "objective": 0.999,
        "errors": "sum(rate(http_requests_total{code=~\"5..\"}[$window]))",
        "total": "sum(rate(http_requests_total[$window]))",
        "levels": [{"level": "major_outage", "long_window_secs": 3600, "short_window_secs": 300, "factor": 14.4}]
    }));
    // 2 errors/s of 100: 2 % = 20x the 0.1 % budget.
    let j = counts(&r, &[(H, Some(2.0), 100.0), (5 * M, Some(2.0), 100.0)]).unwrap();
    assert_eq!(j.level, Level::MajorOutage);
    assert_eq!(
        j.detail,
        "burn rate 20.0x over 1h and 20.0x over 5m (> 14.4x): major_outage"
    );
    // No 5xx series yet: no errors.
    let j = counts(&r, &[(H, None, 100.0), (5 * M, None, 100.0)]).unwrap();
    assert_eq!(j.level, Level::Operational);
    // No requests at all in the short window: nothing burnt there.
    let j = counts(&r, &[(H, Some(2.0), 100.0), (5 * M, Some(0.0), 0.0)]).unwrap();
    assert_eq!(j.level, Level::Operational);
}

#[test]
fn good_over_total_burns_the_missing_good_events_and_needs_the_good_series() {
    let r = rule(json!({
        "objective": 0.99,
        "good": "sum(rate(rpc_ok_total[$window]))",
        "total": "sum(rate(rpc_total[$window]))",
        "levels": [{"level": "partial_outage", "long_window_secs": 21600, "short_window_secs": 1800, "factor": 6}]
    }));
    // 90 of 100 good: 10 % errors over a 1 % budget = 10x.
    let j = counts(
        &r,
        &[(6 * H, Some(90.0), 100.0), (30 * M, Some(90.0), 100.0)],
    )
    .unwrap();
    assert_eq!(j.level, Level::PartialOutage);
    let why = counts(&r, &[(6 * H, None, 100.0), (30 * M, Some(90.0), 100.0)]).unwrap_err();
    assert_eq!(
        why,
        "query `sum(rate(rpc_ok_total[6h]))` returned no series"
    );
}

#[test]
fn series_are_matched_by_labels_and_the_burning_one_is_named() {
    let r = rule(json!({
        "objective": 0.995,
        "error_ratio": "1 - avg by (instance) (avg_over_time(probe_success[$window]))",
        "levels": [{"level": "major_outage", "long_window_secs": 3600, "short_window_secs": 300, "factor": 14.4}]
    }));
    let series = |a: f64, b: f64| {
        QueryResult::Samples(
            [("a", a), ("b", b)]
                .iter()
                .map(|(i, v)| Sample {
                    labels: BTreeMap::from([("instance".to_owned(), (*i).to_owned())]),
                    value: *v,
                    timestamp: now(),
                })
                .collect(),
        )
    };
    let template = r.error_ratio.clone().unwrap();
    // `a` burns over 1 h but not now; `b` burns now but not over the hour: neither pair is
    // burnt by one series.
    let q = BTreeMap::from([
        (expand(&template, H), series(0.2, 0.0)),
        (expand(&template, 5 * M), series(0.0, 1.0)),
    ]);
    let j = read(&r, &Prepared::new(&r), &q, now(), 300).unwrap();
    assert_eq!(j.level, Level::Operational);
    let q = BTreeMap::from([
        (expand(&template, H), series(0.2, 0.1)),
        (expand(&template, 5 * M), series(0.0, 1.0)),
    ]);
    let j = read(&r, &Prepared::new(&r), &q, now(), 300).unwrap();
    assert_eq!(j.level, Level::MajorOutage);
    assert_eq!(
        j.detail,
        "burn rate 20.0x over 1h and 200.0x over 5m for {instance=\"b\"} (> 14.4x): major_outage"
    );
}

#[test]
fn errors_with_labels_the_total_lacks_are_refused_not_ignored() {
    let r = rule(json!({
        "objective": 0.995,
        "errors": "rate(http_requests_total{code=~\"5..\"}[$window])",
        "total": "sum(rate(http_requests_total[$window]))",
        "levels": [{"level": "major_outage", "long_window_secs": 3600, "short_window_secs": 300, "factor": 14.4}]
    }));
    let mut q = BTreeMap::new();
    for secs in [H, 5 * M] {
        q.insert(
            expand(r.errors.as_ref().unwrap(), secs),
            QueryResult::Samples(vec![Sample {
                labels: BTreeMap::from([("code".to_owned(), "502".to_owned())]),
                value: 5.0,
                timestamp: now(),
            }]),
        );
        q.insert(expand(r.total.as_ref().unwrap(), secs), one(10.0));
    }
    let why = read(&r, &Prepared::new(&r), &q, now(), 300).unwrap_err();
    assert!(
        why.contains("{code=\"502\"}") && why.contains("aggregate both"),
        "{why}"
    );
}

fn invalid(v: serde_json::Value) -> (String, String) {
    validate(&rule(v)).unwrap_err()
}

#[test]
fn config_errors_name_the_field_and_what_is_allowed() {
    let (f, m) = invalid(json!({"objective": 1.0, "error_ratio": RATIO}));
    assert_eq!(f, "objective");
    assert!(m.contains("not in (0, 1)"), "{m}");
    let (f, m) = invalid(json!({"objective": 99.5, "error_ratio": RATIO}));
    assert_eq!((f.as_str(), m.contains("e.g. 0.995")), ("objective", true));
    assert_eq!(invalid(json!({"objective": 0.99})).0, "error_ratio");
    assert_eq!(
        invalid(json!({"objective": 0.99, "error_ratio": RATIO, "total": RATIO})).0,
        "error_ratio"
    );
    assert_eq!(
        invalid(json!({"objective": 0.99, "errors": RATIO})).0,
        "total"
    );
    assert_eq!(
        invalid(json!({"objective": 0.99, "total": RATIO})).0,
        "total"
    );
    assert_eq!(
        invalid(json!({"objective": 0.99, "errors": RATIO, "good": RATIO, "total": RATIO})).0,
        "good"
    );
    let (f, m) = invalid(json!({"objective": 0.99, "error_ratio": "1 - avg_over_time(up[5m])"}));
    assert_eq!(f, "error_ratio");
    assert!(m.contains("no `$window`"), "{m}");
    let level = |v: serde_json::Value| {
        invalid(json!({"objective": 0.995, "error_ratio": RATIO, "levels": [v]}))
    };
    let (f, m) = level(
        json!({"level": "operational", "long_window_secs": 3600, "short_window_secs": 300, "factor": 14.4}),
    );
    assert_eq!(f, "levels[0].level");
    assert!(
        m.contains("allowed values: degraded, partial_outage, major_outage"),
        "{m}"
    );
    let (f, m) = level(
        json!({"level": "degraded", "long_window_secs": 0, "short_window_secs": 300, "factor": 1}),
    );
    assert_eq!(f, "levels[0].long_window_secs");
    assert!(m.contains("allowed: 1 to 2678400"), "{m}");
    let (f, _) = level(
        json!({"level": "degraded", "long_window_secs": 300, "short_window_secs": 3600, "factor": 1}),
    );
    assert_eq!(f, "levels[0].short_window_secs");
    let (f, _) = level(
        json!({"level": "degraded", "long_window_secs": 3600, "short_window_secs": 300, "factor": -1}),
    );
    assert_eq!(f, "levels[0].factor");
    // At 90 % every event failing burns at 10x: a 14.4x pair could never be reached.
    let (f, m) = invalid(json!({"objective": 0.9, "error_ratio": RATIO}));
    assert_eq!(f, "levels[0].factor");
    assert!(m.contains("highest burn rate is 10.0x"), "{m}");
    let (f, m) = invalid(json!({"objective": 0.99, "error_ratio": RATIO, "levels": []}));
    assert_eq!(f, "levels");
    assert!(m.contains("degraded, partial_outage, major_outage"), "{m}");
    assert_eq!(
        validate(&rule(json!({"objective": 0.995, "error_ratio": RATIO}))),
        Ok(())
    );
}
