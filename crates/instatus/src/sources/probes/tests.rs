//! Unit tests of the probes' pure parts; the runs against real nodes are in
//! `crates/instatus/tests/it/probes.rs`.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde_json::json;

use super::execution::{EphemeryChainId, ExpectedChainId};
use super::*;

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

#[test]
fn the_ephemery_chain_id_follows_the_schedule_and_both_ids_pass_around_a_reset() {
    let e = ExpectedChainId::Ephemery(EphemeryChainId::default());
    // Iteration 166 runs from 2026-11-19 19:00 to 2026-12-17 19:00 UTC.
    assert_eq!(e.accepted(at("2026-12-02T07:00:00Z")), vec![39_438_166]);
    assert_eq!(
        e.accepted(at("2026-12-17T18:30:00Z")),
        vec![39_438_166, 39_438_167],
        "half an hour before the reset, nodes may already run the next chain"
    );
    assert_eq!(
        e.accepted(at("2026-12-17T19:30:00Z")),
        vec![39_438_166, 39_438_167],
        "half an hour after, a node whose reset cron is late still runs the old one"
    );
    assert_eq!(e.accepted(at("2026-12-17T20:30:00Z")), vec![39_438_167]);
    assert_eq!(
        ExpectedChainId::Fixed(1).accepted(at("2026-12-02T07:00:00Z")),
        vec![1]
    );
}

#[test]
fn quantities_are_hex_decimal_strings_or_numbers() {
    assert_eq!(quantity(&json!("0x259c756")), Some(39_438_166.0));
    assert_eq!(quantity(&json!("34")), Some(34.0));
    assert_eq!(quantity(&json!(7)), Some(7.0));
    assert_eq!(quantity(&json!("0xzz")), None);
    assert_eq!(quantity(&json!(true)), None);
}

#[test]
fn readings_become_observations_value_absent_and_failed() {
    let readings = Readings {
        probes: BTreeMap::from([(
            "el".to_owned(),
            ProbeReading {
                answered: true,
                detail: String::new(),
                signals: BTreeMap::from([
                    ("up", Signal::Value(1.0)),
                    ("peers", Signal::Absent("unsupported".into())),
                    ("syncing", Signal::Failed("timed out".into())),
                ]),
            },
        )]),
        at: Some(at("2026-12-02T07:00:00Z")),
    };
    let obs = readings.observations();
    match &obs["probe:el.up"] {
        QueryResult::Samples(s) => {
            assert_eq!(s.len(), 1);
            assert_eq!(s[0].value, 1.0);
            assert_eq!(s[0].labels["probe"], "el");
            assert_eq!(s[0].timestamp, at("2026-12-02T07:00:00Z"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(obs["probe:el.peers"], QueryResult::Samples(Vec::new()));
    assert_eq!(
        obs["probe:el.syncing"],
        QueryResult::Failed("probe el: timed out".into())
    );
}

#[test]
fn a_probe_that_gets_no_answer_reads_up_zero_and_everything_else_unknown() {
    let r = ProbeReading::down(execution::SIGNALS, &["up"], "refused".into());
    assert!(!r.answered);
    assert_eq!(r.signals["up"], Signal::Value(0.0));
    assert_eq!(
        r.signals["head_age_seconds"],
        Signal::Failed("refused".into())
    );
    assert_eq!(r.signals.len(), execution::SIGNALS.len());
}

#[test]
fn bad_settings_name_the_field_and_the_allowed_values() {
    let cases = [
        (
            json!({"tcp": {"name": "a b", "address": "127.0.0.1:1"}}),
            "tcp.name",
            "letters, digits",
        ),
        (
            json!({"tcp": {"name": "p", "address": "nohost"}}),
            "tcp.address",
            "HOST:PORT",
        ),
        (
            json!({"http": {"name": "g", "url": "http://x", "timeout_secs": 0}}),
            "http.timeout_secs",
            "1 to 120",
        ),
        (
            json!({"http": {"name": "g", "url": "http://x", "status": [99]}}),
            "http.status",
            "100 to 599",
        ),
        (
            json!({"http": {"name": "g", "url": "http://x", "json": {"pointer": "database"}}}),
            "http.json.pointer",
            "JSON pointer",
        ),
        (
            json!({"beacon": {"name": "b", "url": "http://x", "checks": []}}),
            "beacon.checks",
            "node, finality",
        ),
        (
            json!({"host": {"name": "h", "path": "relative"}}),
            "host.path",
            "absolute",
        ),
        (
            json!({"execution": {"name": "e", "url": "http://x",
                "chain_id": {"ephemery": {"tolerance_secs": 9999999}}}}),
            "execution.chain_id.ephemery.tolerance_secs",
            "half the period",
        ),
    ];
    for (config, field, words) in cases {
        let p: ProbeConfig = serde_json::from_value(config.clone()).unwrap();
        let (f, m) = p.validate().expect_err("invalid");
        assert_eq!(f, field, "{config}");
        assert!(m.contains(words), "{config}: {m}");
    }
}

#[test]
fn unknown_fields_and_kinds_are_refused() {
    let e = serde_json::from_value::<ProbeConfig>(json!({"ping": {"name": "x"}})).unwrap_err();
    assert!(e.to_string().contains("unknown variant `ping`"), "{e}");
    let e = serde_json::from_value::<ProbeConfig>(
        json!({"tcp": {"name": "x", "address": "a:1", "port": 1}}),
    )
    .unwrap_err();
    assert!(e.to_string().contains("unknown field `port`"), "{e}");
}
