//! Option validation with `AnsibleModule`'s messages: unknown options, environment fallbacks,
//! required and exclusive options, defaults, type conversion, choices and `required_if`.

use serde_json::{json, Map, Value};

use super::spec::{ArgSpec, OptionType, Rules};

/// Validates `params` against `spec` and `rules` with `AnsibleModule`'s messages, applying
/// environment fallbacks (read through `env`) and defaults and converting types. Returns the
/// validated options, ready to deserialize into the module's options type.
pub fn validate(
    module_name: &str,
    spec: &ArgSpec,
    rules: &Rules,
    mut params: Map<String, Value>,
    ignore_unknown: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Map<String, Value>, String> {
    // 1. Unknown options.
    let unknown: Vec<String> = params
        .keys()
        .filter(|k| spec.get(k).is_none())
        .cloned()
        .collect();
    if !unknown.is_empty() {
        if ignore_unknown {
            for key in &unknown {
                params.remove(key);
            }
        } else {
            let mut unknown = unknown;
            unknown.sort();
            return Err(format!(
                "Unsupported parameters for ({module_name}) module: {}. Supported parameters include: {}.",
                unknown.join(", "),
                spec.names().join(", ")
            ));
        }
    }
    // An explicit null means "not given", as in Ansible.
    params.retain(|_, v| !v.is_null());
    // 2. Fallbacks from the environment.
    for option in &spec.options {
        if params.contains_key(&option.name) {
            continue;
        }
        if let Some(value) = option.env_fallback.as_deref().and_then(env) {
            params.insert(option.name.clone(), Value::String(value));
        }
    }
    // 3. Mutually exclusive, required, required_one_of (before defaults, as Ansible does).
    for group in rules.mutually_exclusive {
        if group.iter().filter(|k| params.contains_key(**k)).count() > 1 {
            return Err(format!(
                "parameters are mutually exclusive: {}",
                group.join("|")
            ));
        }
    }
    let mut missing: Vec<&str> = spec
        .options
        .iter()
        .filter(|o| o.required && !params.contains_key(&o.name))
        .map(|o| o.name.as_str())
        .collect();
    if !missing.is_empty() {
        missing.sort_unstable();
        return Err(format!(
            "missing required arguments: {}",
            missing.join(", ")
        ));
    }
    for group in rules.required_one_of {
        if !group.iter().any(|k| params.contains_key(*k)) {
            return Err(format!(
                "one of the following is required: {}",
                group.join(", ")
            ));
        }
    }
    // 4. Defaults.
    for option in &spec.options {
        if let (false, Some(default)) = (params.contains_key(&option.name), &option.default) {
            params.insert(option.name.clone(), default.clone());
        }
    }
    // 5. Types, then choices.
    for option in &spec.options {
        let Some(value) = params.get(&option.name) else {
            continue;
        };
        let converted = convert(value, option.kind)
            .and_then(|v| match (option.elements, v) {
                (Some(element), Value::Array(items)) => items
                    .iter()
                    .map(|item| convert(item, element))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Value::Array),
                (_, v) => Ok(v),
            })
            .map_err(|why| {
                format!(
                    "argument '{}' is of type {} and we were unable to convert to {}: {why}",
                    option.name,
                    python_type(value),
                    option.kind.as_str()
                )
            })?;
        // A number the option's type cannot hold (`timeout: -1` for a u64) failed later, in
        // serde, without the option's name: say it here, with the allowed range.
        if let (Some(range), Some(n)) = (option.range, as_i128(&converted)) {
            if !range.contains(n) {
                return Err(format!(
                    "{}: {n} is out of range; allowed: an integer from {} to {}",
                    option.name, range.min, range.max
                ));
            }
        }
        params.insert(option.name.clone(), converted);
    }
    for option in &spec.options {
        let (Some(choices), Some(value)) = (&option.choices, params.get(&option.name)) else {
            continue;
        };
        let allowed = choices
            .iter()
            .map(display_value)
            .collect::<Vec<_>>()
            .join(", ");
        let bad: Vec<&Value> = match value {
            Value::Array(items) => items.iter().filter(|i| !choices.contains(i)).collect(),
            one if !choices.contains(one) => vec![one],
            _ => Vec::new(),
        };
        if bad.is_empty() {
            continue;
        }
        return Err(if value.is_array() {
            format!(
                "value of {} must be one or more of: {allowed}. Got no match for: {}",
                option.name,
                bad.iter()
                    .map(|v| display_value(v))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            format!(
                "value of {} must be one of: {allowed}, got: {}",
                option.name,
                display_value(value)
            )
        });
    }
    // 6. required_if, on the final values.
    for rule in rules.required_if {
        let triggered = params
            .get(rule.key)
            .is_some_and(|v| display_value(v) == rule.value);
        if !triggered {
            continue;
        }
        let missing: Vec<&str> = rule
            .requirements
            .iter()
            .copied()
            .filter(|k| !params.contains_key(*k))
            .collect();
        let fails = if rule.any {
            missing.len() == rule.requirements.len()
        } else {
            !missing.is_empty()
        };
        if fails {
            return Err(format!(
                "{} is {} but {} of the following are missing: {}",
                rule.key,
                rule.value,
                if rule.any { "any" } else { "all" },
                missing.join(", ")
            ));
        }
    }
    Ok(params)
}

/// An integral JSON number as an `i128` (every `i64` and `u64` fits).
fn as_i128(value: &Value) -> Option<i128> {
    value
        .as_i64()
        .map(i128::from)
        .or_else(|| value.as_u64().map(i128::from))
}

/// How Python would name the type of a JSON value (`str`, `int`, `dict`...), for messages.
fn python_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// A value as Python's `str()` would show it in a message.
fn display_value(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "None".into(),
        other => other.to_string(),
    }
}

const BOOLEANS_TRUE: [&str; 6] = ["y", "yes", "on", "1", "true", "t"];
const BOOLEANS_FALSE: [&str; 6] = ["n", "no", "off", "0", "false", "f"];

/// Ansible's `boolean()`: bools, the strings in `BOOLEANS_TRUE`/`BOOLEANS_FALSE` (any case,
/// trimmed), and the numbers 1 and 0.
pub(super) fn to_bool(value: &Value) -> Result<bool, String> {
    let text = match value {
        Value::Bool(b) => return Ok(*b),
        Value::Number(n) if n.as_f64() == Some(1.0) => return Ok(true),
        Value::Number(n) if n.as_f64() == Some(0.0) => return Ok(false),
        Value::String(s) => s.trim().to_ascii_lowercase(),
        _ => String::new(),
    };
    if BOOLEANS_TRUE.contains(&text.as_str()) {
        Ok(true)
    } else if BOOLEANS_FALSE.contains(&text.as_str()) {
        Ok(false)
    } else {
        let all: Vec<String> = BOOLEANS_TRUE
            .iter()
            .chain(BOOLEANS_FALSE.iter())
            .map(|b| format!("'{b}'"))
            .chain(["1.0", "0.0", "1", "0", "True", "False"].map(String::from))
            .collect();
        Err(format!(
            "The value '{}' is not a valid boolean. Valid booleans include: {}",
            display_value(value),
            all.join(", ")
        ))
    }
}

/// Converts one value to an option type the way `AnsibleModule`'s type checkers do.
fn convert(value: &Value, kind: OptionType) -> Result<Value, String> {
    match kind {
        OptionType::Raw => Ok(value.clone()),
        OptionType::Str => match value {
            Value::String(_) => Ok(value.clone()),
            Value::Number(_) | Value::Bool(_) => Ok(Value::String(display_value(value))),
            _ => Err(format!(
                "'{}' is not a string and conversion is not allowed",
                value
            )),
        },
        OptionType::Bool => to_bool(value).map(Value::Bool),
        OptionType::Int => {
            let not_int = || {
                format!(
                    "\"'{}'\" cannot be converted to an int",
                    display_value(value)
                )
            };
            match value {
                Value::Number(n) if n.is_i64() || n.is_u64() => Ok(value.clone()),
                Value::Number(n) => match n.as_f64() {
                    Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(json!(f as i64)),
                    _ => Err(not_int()),
                },
                Value::String(s) => {
                    let s = s.trim();
                    if let Ok(i) = s.parse::<i64>() {
                        Ok(json!(i))
                    } else {
                        match s.parse::<f64>() {
                            Ok(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 => {
                                Ok(json!(f as i64))
                            }
                            _ => Err(not_int()),
                        }
                    }
                }
                _ => Err(not_int()),
            }
        }
        OptionType::Float => match value {
            Value::Number(_) => Ok(value.clone()),
            Value::String(s) => s
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(|f| json!(f))
                .ok_or_else(|| format!("<class '{}'> cannot be converted to a float", "str")),
            _ => Err(format!(
                "<class '{}'> cannot be converted to a float",
                python_type(value)
            )),
        },
        OptionType::List => match value {
            Value::Array(_) => Ok(value.clone()),
            Value::String(s) => Ok(Value::Array(
                s.split(',')
                    .map(|part| Value::String(part.trim().to_owned()))
                    .collect(),
            )),
            Value::Number(_) | Value::Bool(_) => Ok(json!([display_value(value)])),
            _ => Err(format!(
                "<class '{}'> cannot be converted to a list",
                python_type(value)
            )),
        },
        OptionType::Dict => match value {
            Value::Object(_) => Ok(value.clone()),
            Value::String(s) => serde_json::from_str::<Map<String, Value>>(s)
                .map(Value::Object)
                .map_err(|_| "dictionary requested, could not parse JSON".to_owned()),
            _ => Err(format!(
                "<class '{}'> cannot be converted to a dict",
                python_type(value)
            )),
        },
    }
}
