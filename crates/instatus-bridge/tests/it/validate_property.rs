//! `validate`'s parsing and checks on arbitrary configs, YAML and JSON: never a panic, never a
//! hang, and every error names a field path. The configs are mutations of the real Ephemery
//! config (so they reach the deep checks) and trees built from the config's own vocabulary.

use std::path::Path;
use std::time::{Duration, Instant};

use instatus_bridge::config::{self, ConfigError, Secrets, Settings};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Cases of the mutation test (the one that reaches the deep checks).
const CASES: u32 = 10_000;

/// Cases of the vocabulary-tree test.
const TREE_CASES: u32 = 2_000;

fn example() -> Value {
    static EXAMPLE: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    EXAMPLE.get_or_init(read_example).clone()
}

fn read_example() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/bridge/ephemery.yml"
    ))
    .unwrap();
    let v: yaml_serde::Value = yaml_serde::from_str(&text).unwrap();
    serde_json::to_value(v).unwrap()
}

const KEYS: &[&str] = &[
    "instatus",
    "prometheus",
    "alertmanager",
    "server",
    "state_dir",
    "status",
    "metrics",
    "ephemery_resets",
    "calendar",
    "heartbeat",
    "url",
    "interval_secs",
    "timeout_secs",
    "listen",
    "auth",
    "bearer_token_file",
    "basic",
    "basic_auth",
    "username",
    "password_file",
    "tls_config",
    "ca_file",
    "cert_file",
    "key_file",
    "max_body_bytes",
    "max_connections",
    "idle_timeout_secs",
    "body_read_timeout_secs",
    "evaluation_timeout_secs",
    "allow_unauthenticated",
    "components",
    "groups",
    "path",
    "rules",
    "alert",
    "threshold",
    "matchers",
    "level",
    "query",
    "op",
    "levels",
    "enter",
    "exit",
    "enter_for_secs",
    "exit_for_secs",
    "incidents",
    "resolve_after_secs",
    "flapping",
    "freshness",
    "alert_retention_secs",
    "name",
    "every_secs",
    "count",
    "period_secs",
    "grace_secs",
    "ping_url",
    "past_days",
    "replica",
    "replica_wait_secs",
    "writes_per_second",
    "page",
    "api_key_file",
    "base_url",
    "depends_on",
    "marker",
    "anchor_iteration",
    "lead_in_minutes",
];

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        Just(json!(u64::MAX)),
        Just(json!(i64::MAX)),
        Just(json!(-1)),
        Just(json!(0)),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop::sample::select(vec![
            "",
            "http://",
            "http://[::1",
            "https://u:p@h",
            "0.0.0.0:1",
            "[::]:9",
            "127.0.0.1:0",
            "major_outage",
            "degraded",
            "FIRING",
            "bogus",
            "/",
            "/dev/null",
            "up",
            ">",
            "==",
            "alertname=\"X\"",
            "a/b/c",
            "Ethereum Services/Execution Client",
            "{{ x }}",
            "{% for i in range(10000000000) %}x{% endfor %}",
            "\u{0}",
            "é",
        ])
        .prop_map(|s| json!(s)),
        "[a-z_/ .:{}\\[\\]0-9-]{0,24}".prop_map(Value::String),
    ]
}

fn tree() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}

/// A mutation at a path chosen by `seed`.
#[derive(Clone, Debug)]
enum Mutation {
    Replace(u64, Value),
    Remove(u64),
    Insert(u64, &'static str, Value),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<u64>(), tree()).prop_map(|(s, v)| Mutation::Replace(s, v)),
        any::<u64>().prop_map(Mutation::Remove),
        (any::<u64>(), prop::sample::select(KEYS), tree())
            .prop_map(|(s, k, v)| Mutation::Insert(s, k, v)),
    ]
}

/// Every container in `v`, as JSON pointers.
fn pointers(v: &Value, here: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            out.push(here.clone());
            for (k, x) in m {
                pointers(
                    x,
                    format!("{here}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(a) => {
            out.push(here.clone());
            for (i, x) in a.iter().enumerate() {
                pointers(x, format!("{here}/{i}"), out);
            }
        }
        _ => out.push(here),
    }
}

fn apply(mut v: Value, mutations: &[Mutation]) -> Value {
    for m in mutations {
        let mut all = Vec::new();
        pointers(&v, String::new(), &mut all);
        let pick = |seed: u64| all[(seed % all.len() as u64) as usize].clone();
        match m {
            Mutation::Replace(s, x) => {
                if let Some(slot) = v.pointer_mut(&pick(*s)) {
                    *slot = x.clone();
                }
            }
            Mutation::Remove(s) => {
                let p = pick(*s);
                if let Some((parent, last)) = p.rsplit_once('/') {
                    match v.pointer_mut(parent) {
                        Some(Value::Object(m)) => {
                            m.remove(&last.replace("~1", "/").replace("~0", "~"));
                        }
                        Some(Value::Array(a)) => {
                            if let Ok(i) = last.parse::<usize>() {
                                if i < a.len() {
                                    a.remove(i);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            Mutation::Insert(s, k, x) => match v.pointer_mut(&pick(*s)) {
                Some(Value::Object(m)) => {
                    m.insert((*k).to_owned(), x.clone());
                }
                Some(Value::Array(a)) => a.push(x.clone()),
                _ => {}
            },
        }
    }
    v
}

const TOP: &[&str] = &[
    "instatus",
    "prometheus",
    "alertmanager",
    "server",
    "state_dir",
    "status",
    "metrics",
    "ephemery_resets",
    "calendar",
    "probes",
    "heartbeat",
];

/// An error names a field path: a top-level field (then dots and brackets), or the document.
fn names_a_field(e: &ConfigError) -> bool {
    if ["(top level)", "(YAML)", "(YAML syntax)", "--config"].contains(&e.path.as_str()) {
        return true;
    }
    let first = e.path.split(['.', '[']).next().unwrap_or_default();
    // A top-level field, or an unknown one named as itself (`surprise: unknown field`).
    let known = TOP.contains(&first)
        || (!e.path.contains(['.', '[']) && e.message.starts_with("unknown field"));
    known && !e.message.is_empty()
}

fn env(name: &str) -> Option<String> {
    (name == "INSTATUS_API_KEY").then(|| "key-0123456789".to_owned())
}

fn check(text: &str, path: &Path) -> Result<(), TestCaseError> {
    let started = Instant::now();
    let outcome =
        config::parse(text, path).and_then(|c| Settings::resolve_with(c, &env, Secrets::Skip));
    let took = started.elapsed();
    prop_assert!(took < Duration::from_secs(2), "took {took:?}:\n{text}");
    if let Err(e) = outcome {
        prop_assert!(names_a_field(&e), "no field path in {e:?}\n{text}");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn validate_never_panics_or_hangs_and_names_the_field(
        mutations in prop::collection::vec(mutation(), 0..4),
        as_json in any::<bool>(),
        duplicate in any::<bool>(),
    ) {
        let value = apply(example(), &mutations);
        if as_json {
            let mut text = serde_json::to_string(&value).unwrap();
            if duplicate && text.starts_with("{\"") {
                // A key given twice.
                text = text.replacen('{', "{\"status\": {}, ", 1);
            }
            check(&text, Path::new("bridge.json"))?;
        } else {
            let mut text = yaml_serde::to_string(&value).unwrap();
            if duplicate {
                text.push_str("status: {}\n");
            }
            check(&text, Path::new("bridge.yml"))?;
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig { cases: TREE_CASES, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn validate_takes_any_tree_of_config_words(value in tree(), as_json in any::<bool>()) {
        if as_json {
            check(&serde_json::to_string(&value).unwrap(), Path::new("bridge.json"))?;
        } else {
            check(&yaml_serde::to_string(&value).unwrap(), Path::new("bridge.yml"))?;
        }
    }
}
