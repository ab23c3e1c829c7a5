//! (Its own test binary: it runs modules in-process with `silence_panics`, a process-wide panic hook
//! that would hide every other test's failure message in a shared binary.)
//! A bounded fuzz pass: arbitrary JSON (and arbitrary bytes) as the args file of EVERY registered
//! module, through `run_args` as the binary runs it. Requests only reach 127.0.0.1: every other
//! case goes to a local server that refuses everything at once (a closed port would cost each case
//! seconds of retries), the others to an in-process `instatus-emulator` holding the page `p`, so
//! cases also get past the page lookup into the modules' planning. A run must never panic (the module's `catch_unwind` would turn it into "crashed
//! (this is a bug...)") and must always give one JSON object with `failed` a bool.
//!
//! Cases: `CASES_PER_MODULE` per module for JSON plus `BYTE_CASES` byte strings; the test prints
//! the counts it ran.

#[path = "it/support/mod.rs"]
mod support;

use std::sync::atomic::{AtomicUsize, Ordering};

use instatus_ansible::{modules, run_args};
use instatus_emulator::{Config as EmulatorConfig, Emulator};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Map, Value};

const CASES_PER_MODULE: u32 = 200;
const BYTE_CASES: u32 = 300;
const CRASHED: &str = "crashed (this is a bug";

/// JSON values with the edges that break conversions: extreme integers, floats, strings that
/// look like numbers or booleans, control characters, nesting.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        prop::sample::select(vec![
            json!(u64::MAX),
            json!(i64::MAX),
            json!(i64::MIN),
            json!(-1),
            json!(0),
            json!(1e300),
            json!(-0.5),
            json!(""),
            json!("yes"),
            json!("18446744073709551615"),
            json!("9223372036854775807"),
            json!("-1"),
            json!("now"),
            json!("2026-12-01T00:00:00Z"),
            json!("present"),
            json!("absent"),
            json!("major_outage"),
            json!("MAJOROUTAGE"),
            json!("a,b"),
            json!("{\"a\": 1}"),
        ]),
        any::<f64>().prop_map(|f| json!(f)),
        "\\PC{0,12}".prop_map(Value::String),
        "[\\x00-\\x1f\"\\\\a-z/]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// An args object for `module`: its option names (and a few internal and unknown keys) with
/// arbitrary values.
fn args_for(names: Vec<String>) -> impl Strategy<Value = Map<String, Value>> {
    let mut keys = names;
    keys.extend(
        [
            "_ansible_check_mode",
            "_ansible_diff",
            "_ansible_verbosity",
            "_ansible_no_log",
            "_ansible_module_name",
            "bogus",
        ]
        .map(String::from),
    );
    prop::collection::btree_map(prop::sample::select(keys), any_json(), 0..8)
        .prop_map(|m| m.into_iter().collect())
}

/// Every required option with a value of its type (its first choice when it has choices).
fn plausible_args(spec: &instatus_ansible::protocol::ArgSpec) -> Map<String, Value> {
    use instatus_ansible::protocol::OptionType as T;
    let mut out = Map::new();
    for option in spec.options.iter().filter(|o| o.required) {
        let value = match (&option.choices, option.kind) {
            (Some(choices), _) if !choices.is_empty() => choices[0].clone(),
            (_, T::Int | T::Float) => json!(5),
            (_, T::Bool) => json!(true),
            (_, T::List) => json!([]),
            (_, T::Dict) => json!({}),
            _ => json!("x"),
        };
        out.insert(option.name.clone(), value);
    }
    out.insert("start".into(), json!("now"));
    out.retain(|k, _| spec.get(k).is_some());
    out
}

#[test]
fn every_module_survives_arbitrary_args_without_a_panic() {
    instatus_ansible::protocol::silence_panics();
    let url = support::echoing_server();
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    emulator.create_page("p", "Fuzz");
    let runs = AtomicUsize::new(0);
    let reached_api = AtomicUsize::new(0);
    for def in modules::MODULES {
        let spec = (def.spec)();
        // Start from a valid-looking task so cases get past validation, then let the case
        // replace or add options.
        let base = plausible_args(&spec);
        let names: Vec<String> = spec.options.into_iter().map(|o| o.name).collect();
        let mut runner = TestRunner::new(Config {
            cases: CASES_PER_MODULE,
            failure_persistence: None,
            ..Config::default()
        });
        runner
            .run(&args_for(names), |overlay| {
                let mut args = base.clone();
                args.extend(overlay);
                // Nothing leaves the machine, whatever the case says.
                let n = runs.load(Ordering::Relaxed);
                if n.is_multiple_of(2) {
                    args.insert("base_url".into(), json!(url));
                    args.entry("api_key")
                        .or_insert(json!("fuzz-key-0123456789"));
                } else {
                    args.insert("base_url".into(), json!(emulator.url()));
                    args.insert("page".into(), json!("p"));
                    args.entry("api_key").or_insert(json!(emulator.api_key()));
                }
                args.entry("timeout").or_insert(json!(2));
                let args = Value::Object(args);
                runs.fetch_add(1, Ordering::Relaxed);
                let result = run_args(&args.to_string(), def.name, &|_| None);
                if result.json["api_requests"].as_u64().is_some_and(|n| n > 0) {
                    reached_api.fetch_add(1, Ordering::Relaxed);
                }
                let msg = result.json["msg"].as_str().unwrap_or_default();
                prop_assert!(
                    !msg.contains(CRASHED),
                    "{}: {args}\n→ {}",
                    def.name,
                    result.json
                );
                prop_assert!(result.json.is_object());
                prop_assert!(result.json["failed"].is_boolean(), "{}", result.json);
                prop_assert_eq!(result.failed, result.json["failed"] == true);
                Ok(())
            })
            .unwrap();
    }
    println!(
        "fuzz: {} module runs ({} modules x {CASES_PER_MODULE}), {} past validation to the API, no crash",
        runs.load(Ordering::Relaxed),
        modules::MODULES.len(),
        reached_api.load(Ordering::Relaxed),
    );
}

#[test]
fn arbitrary_bytes_as_the_args_file_give_a_failed_json_object() {
    let mut runner = TestRunner::new(Config {
        cases: BYTE_CASES,
        failure_persistence: None,
        ..Config::default()
    });
    let bytes = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        // Almost JSON: a valid object cut or corrupted somewhere.
        (any_json(), any::<usize>(), any::<u8>()).prop_map(|(v, at, b)| {
            let mut text = json!({"name": v, "page": "p"}).to_string().into_bytes();
            let at = at % (text.len() + 1);
            text.insert(at, b);
            text
        }),
    ];
    runner
        .run(&bytes, |bytes| {
            // As the binary reads it: text, invalid UTF-8 replaced.
            let text = String::from_utf8_lossy(&bytes);
            let result = run_args(&text, "component", &|_| None);
            prop_assert!(result.json.is_object());
            prop_assert!(result.json["failed"].is_boolean(), "{}", result.json);
            let msg = result.json["msg"].as_str().unwrap_or_default();
            prop_assert!(!msg.contains(CRASHED), "{text:?} → {msg}");
            Ok(())
        })
        .unwrap();
    println!("fuzz: {BYTE_CASES} byte strings as the args file");
}

/// The two panics this fuzz found (a `timeout` of 2^64-1 overflowed the deadline; a maintenance
/// `duration` near i64::MAX overflowed the end time) now fail cleanly, naming the option.
#[test]
fn timeout_and_duration_that_panicked_fail_cleanly() {
    instatus_ansible::protocol::silence_panics();
    let url = support::echoing_server();
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    emulator.create_page("p", "Fuzz");
    let cases = [
        (
            "component",
            json!({"name": "x", "page": "p", "api_key": "fuzz-key-0123456789",
                   "base_url": url, "timeout": u64::MAX}),
            "timeout:",
        ),
        (
            "maintenance",
            json!({"name": "x", "page": "p", "api_key": emulator.api_key(),
                   "base_url": emulator.url(), "start": "now", "duration": i64::MAX}),
            "duration:",
        ),
    ];
    for (module, args, option) in cases {
        let result = run_args(&args.to_string(), module, &|_| None);
        let msg = result.json["msg"].as_str().unwrap_or_default();
        assert!(!msg.contains(CRASHED), "{module}: {msg}");
        assert!(result.failed && msg.starts_with(option), "{module}: {msg}");
    }
}

/// The API key every option case runs with: it must never appear in any output.
const SECRET: &str = "fuzz-secret-7Hq2Lw9Xz4";

/// What a run must never print, whatever the input: panic text and the secret.
fn check_clean(module: &str, args: &Value, json: &Value, problems: &mut Vec<String>) {
    let text = json.to_string();
    for bad in [CRASHED, "panicked at", "RUST_BACKTRACE", SECRET] {
        if text.contains(bad) {
            problems.push(format!(
                "{module}: {bad:?} in the output\nargs: {args:.300}\n→ {text:.600}"
            ));
        }
    }
    if !(json.is_object() && json["failed"].is_boolean()) {
        problems.push(format!("{module}: not an object with failed: {text:.300}"));
    }
}

/// Values of the wrong type for `option`, each refused by `AnsibleModule`'s checks (a str
/// option takes numbers and booleans, converted, as Ansible does; a list takes a comma
/// separated str; a dict takes `k=v` text), and ints out of the option's range, and a value
/// outside its choices. Generated from the option's spec, never a hand list of options.
fn wrong_values(option: &instatus_ansible::protocol::OptionSpec) -> Vec<Value> {
    use instatus_ansible::protocol::OptionType as T;
    let mut values = match option.kind {
        T::Int => vec![
            json!("abc"),
            json!("１２"),
            json!({"a": 1}),
            json!([1]),
            json!(1.5),
            json!("9".repeat(40)),
        ],
        T::Float => vec![json!("abc"), json!({"a": 1}), json!([1.0])],
        T::Bool => vec![json!("maybe"), json!({"a": 1}), json!([true]), json!(7)],
        T::List => vec![json!({"a": 1})],
        T::Dict => vec![json!(5), json!([1, 2]), json!(true)],
        T::Str => vec![json!({"a": 1}), json!([1, 2])],
        T::Raw => vec![],
    };
    if let Some(range) = option.range {
        if let Ok(above) = i64::try_from(range.max + 1) {
            values.push(json!(above));
        } else if let Ok(above) = u64::try_from(range.max + 1) {
            values.push(json!(above));
        }
        if let Ok(below) = i64::try_from(range.min - 1) {
            values.push(json!(below));
        }
    }
    if option.choices.as_ref().is_some_and(|c| !c.is_empty()) {
        values.push(json!("not-a-choice-ø"));
    }
    values
}

/// A task that passes validation: [`plausible_args`] plus the first option of each
/// `required_one_of` group and what a `required_if` asks for.
fn valid_base(
    def: &instatus_ansible::protocol::ModuleDef,
    spec: &instatus_ansible::protocol::ArgSpec,
) -> Map<String, Value> {
    use instatus_ansible::protocol::OptionType as T;
    let mut base = plausible_args(spec);
    let add = |base: &mut Map<String, Value>, name: &str| {
        if base.contains_key(name) {
            return;
        }
        let Some(option) = spec.get(name) else { return };
        let value = match (&option.choices, option.kind) {
            (Some(choices), _) if !choices.is_empty() => choices[0].clone(),
            (_, T::Int | T::Float) => json!(5),
            (_, T::Bool) => json!(true),
            (_, T::List) => json!(["x"]),
            (_, T::Dict) => json!({}),
            _ => json!("x"),
        };
        base.insert(name.to_owned(), value);
    };
    for group in def.rules.required_one_of {
        if !group.iter().any(|n| base.contains_key(*n)) {
            add(&mut base, group[0]);
        }
    }
    for rule in def.rules.required_if {
        if base.get(rule.key).and_then(Value::as_str) == Some(rule.value) {
            for name in rule
                .requirements
                .iter()
                .take(if rule.any { 1 } else { usize::MAX })
            {
                add(&mut base, name);
            }
        }
    }
    base
}

/// Values that break lengths, encodings and conversions; any option may get them. A run may
/// fail or not (a huge name is a name), but never crash, hang or echo the secret.
fn edge_values() -> Vec<Value> {
    vec![
        Value::Null,
        json!("x".repeat(64 << 10)),
        json!("ünïcödé ✓ 🚀 \u{202e}rtl \u{0}nul \u{7f}"),
        json!("\n\r\t"),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(-1),
        json!(1e308),
        json!({"nested": {"deeper": [null, {"k": "v"}]}}),
        json!([[[]]]),
    ]
}

/// Every option of every module (from the option types' specs), given each wrong value with
/// an otherwise valid-looking task: the run fails, the message names the option, nothing panics
/// and the API key never appears. Then every option given each edge value: no panic, no secret.
/// Requests only reach the local refusing server.
#[test]
fn every_option_of_every_module_refuses_a_wrong_value_naming_the_option() {
    instatus_ansible::protocol::silence_panics();
    let url = support::echoing_server();
    let started = std::time::Instant::now();
    let (mut wrong, mut edge, mut options) = (0, 0, 0);
    // The panic hook is silenced (as in the binary): problems are collected and printed.
    let mut problems = Vec::new();
    for def in modules::MODULES {
        let spec = (def.spec)();
        let mut base = valid_base(def, &spec);
        base.insert("base_url".into(), json!(url));
        base.insert("api_key".into(), json!(SECRET));
        base.insert("page".into(), json!("p"));
        base.insert("timeout".into(), json!(2));
        for option in &spec.options {
            options += 1;
            for value in wrong_values(option) {
                let mut args = base.clone();
                args.insert(option.name.clone(), value);
                let args = Value::Object(args);
                let result = run_args(&args.to_string(), def.name, &|_| None);
                wrong += 1;
                check_clean(def.name, &args, &result.json, &mut problems);
                let msg = result.json["msg"].as_str().unwrap_or_default();
                // Refused naming the option, before any request.
                if !(result.failed && msg.contains(&option.name))
                    || result.json["api_requests"].as_u64().unwrap_or(0) > 0
                {
                    problems.push(format!(
                        "{}.{}: {} was not refused naming the option before any request → {msg:.300}",
                        def.name, option.name, args[&option.name]
                    ));
                }
            }
            for value in edge_values() {
                // A null base_url is the default one: the real API, off this machine.
                if option.name == "base_url" && value.is_null() {
                    continue;
                }
                let mut args = base.clone();
                args.insert(option.name.clone(), value);
                let args = Value::Object(args);
                let result = run_args(&args.to_string(), def.name, &|_| None);
                edge += 1;
                check_clean(def.name, &args, &result.json, &mut problems);
                if result.failed && result.json["msg"].as_str().unwrap_or_default().is_empty() {
                    problems.push(format!(
                        "{}.{}: a failure without a message",
                        def.name, option.name
                    ));
                }
            }
        }
        // An unknown key, with a value that would be a secret if echoed.
        let mut args = base.clone();
        args.insert("bogus_ø".into(), json!(SECRET));
        let args = Value::Object(args);
        let result = run_args(&args.to_string(), def.name, &|_| None);
        let msg = result.json["msg"].as_str().unwrap_or_default().to_owned();
        if !(result.failed && msg.contains("bogus_ø")) {
            problems.push(format!(
                "{}: an unknown key not named: {msg:.300}",
                def.name
            ));
        }
        check_clean(def.name, &args, &result.json, &mut problems);
    }
    for p in problems.iter().take(60) {
        println!("PROBLEM {p}");
    }
    println!(
        "fuzz: {} modules, {options} options, {wrong} wrong values refused naming the option, \
         {edge} edge values without a panic, in {:?}",
        modules::MODULES.len(),
        started.elapsed()
    );
    assert!(
        problems.is_empty(),
        "{} problems (printed above)",
        problems.len()
    );
}
