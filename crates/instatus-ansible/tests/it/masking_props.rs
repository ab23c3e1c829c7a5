//! Property test of masking: for random secrets (short ones, ones holding `"`, `\`, control
//! characters or unicode, pieces of the result's own keys like `failed`) and random results, the
//! masked result parses as JSON, keeps every key and every boolean (`failed`, `changed`), and
//! its printed text never holds the secret, raw or escaped, where the rules say it is masked:
//! anywhere above `MAX_SHORT_SECRET_CHARS` characters, standing alone from `MIN_SECRET_CHARS`.

use instatus_ansible::protocol::mask::{Masker, MAX_SHORT_SECRET_CHARS, MIN_SECRET_CHARS};
use proptest::prelude::*;
use serde_json::{json, Value};

const KEYS: &[&str] = &[
    "failed",
    "changed",
    "msg",
    "invocation",
    "module_args",
    "warnings",
    "diff",
    "before",
    "after",
    "api_calls",
];

fn secret() -> impl Strategy<Value = String> {
    prop_oneof![
        // A piece of a key of the result.
        (
            prop::sample::select(KEYS),
            any::<prop::sample::Index>(),
            1usize..8
        )
            .prop_map(|(key, at, len)| {
                let start = at.index(key.len());
                key[start..(start + len).min(key.len())].to_owned()
            }),
        "[a-z0-9]{1,8}",
        "[a-zA-Z0-9\"\\\\\\x00-\\x1f/?=&é€😀 -]{1,16}",
        "\\PC{1,24}",
        "[A-Za-z0-9_-]{20,40}",
    ]
}

/// How the secret shows up in a module's strings: raw, JSON-quoted (the diff renderer),
/// `{:?}`-quoted (an error message), as the `Bearer` value of an echoed header.
fn embedding(secret: String) -> impl Strategy<Value = String> {
    let forms = vec![
        secret.clone(),
        serde_json::to_string(&secret).unwrap(),
        format!("{secret:?}"),
        format!("authorization: Bearer {secret}\r\n"),
        format!("webhook: {}\n", serde_json::to_string(&secret).unwrap()),
    ];
    (
        prop::sample::select(forms),
        "[ a-z.:\n]{0,6}",
        "[ a-z.:\n]{0,6}",
    )
        .prop_map(|(form, before, after)| format!("{before} {form} {after}"))
}

fn result(secret: String) -> impl Strategy<Value = Value> {
    let text = prop_oneof![embedding(secret.clone()), "\\PC{0,10}"];
    let leaf = prop_oneof![
        text.prop_map(Value::String),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        Just(Value::Null),
    ];
    let key = prop_oneof![
        prop::sample::select(KEYS).prop_map(str::to_owned),
        "\\PC{1,8}"
    ];
    let tree = leaf.prop_recursive(3, 32, 5, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    (any::<bool>(), any::<bool>(), embedding(secret), tree).prop_map(
        |(failed, changed, msg, data)| {
            json!({"failed": failed, "changed": changed, "msg": msg, "data": data,
                   "warnings": [msg], "diff": {"before": msg, "after": data}})
        },
    )
}

/// The same shape: every key, every array length, every boolean and null equal.
fn same_shape(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_shape(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same_shape(v, w))
        }
        (Value::Bool(_) | Value::Null, _) => a == b,
        (Value::String(_) | Value::Number(_), Value::String(_) | Value::Number(_)) => true,
        _ => false,
    }
}

fn strings<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::String(s) => out.push(s),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

fn inner_json(s: &str) -> String {
    let q = serde_json::to_string(s).unwrap();
    q[1..q.len() - 1].to_owned()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn masked_results_parse_keep_their_keys_and_never_hold_the_secret(
        (secret, original) in secret().prop_flat_map(|s| (Just(s.clone()), result(s)))
    ) {
        let mut masked = original.clone();
        Masker::new([&secret]).mask_value(&mut masked, "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER");
        let printed = masked.to_string();
        let reparsed: Value = serde_json::from_str(&printed).unwrap();
        prop_assert_eq!(&reparsed, &masked);
        prop_assert!(same_shape(&original, &masked), "{} -> {}", original, masked);
        prop_assert_eq!(&masked["failed"], &original["failed"]);
        prop_assert_eq!(&masked["changed"], &original["changed"]);

        let chars = secret.chars().count();
        if chars < MIN_SECRET_CHARS {
            prop_assert_eq!(&masked, &original, "below the minimum nothing changes");
            return Ok(());
        }
        let forms = [
            secret.clone(),
            inner_json(&secret),
            format!("{secret:?}").trim_matches('"').to_owned(),
        ];
        let mut values = Vec::new();
        strings(&masked, &mut values);
        for value in values {
            let text = inner_json(value); // as printed
            for form in &forms {
                if chars > MAX_SHORT_SECRET_CHARS {
                    prop_assert!(!value.contains(form.as_str()), "{:?} in {:?}", form, value);
                    prop_assert!(!text.contains(&inner_json(form)), "{:?} in {}", form, text);
                } else {
                    // Short: masked where it stands alone, as it does between the spaces here.
                    let alone = format!(" {form} ");
                    prop_assert!(!value.contains(&alone), "{:?} in {:?}", alone, value);
                }
            }
        }
    }
}
