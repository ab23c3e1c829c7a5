//! The generic Ansible binary-module layer: read the args file, split off the `_ansible_*` keys,
//! validate the user's options the way `AnsibleModule` does, run the module with panics caught,
//! and print one JSON result with every secret masked ([`mask`]: values only, never keys).
//!
//! Nothing here knows about Instatus: a module is a type implementing [`AnsibleModule`], whose
//! options are a serde + `JsonSchema` struct. The JSON Schema of that struct is the one source of
//! the option names, types, required flags, choices and defaults ([`ArgSpec::of`]); the few rules
//! a schema cannot say (mutually exclusive, required-if) come from [`Rules`].
//!
//! Facts this follows (ansible-core 2.16–2.21): Ansible passes `argv[1]` = a JSON file holding the
//! task's options plus internal `_ansible_*` keys (new ones appear between releases, so unknown
//! internal keys are ignored); it applies no defaults and no validation for binary modules; it
//! reads one JSON object from stdout and fails the task when that object has `failed: true`.

pub mod mask;

use std::collections::BTreeSet;
use std::panic::{self, AssertUnwindSafe};

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

/// What `AnsibleModule` shows in `invocation.module_args` instead of a `no_log` option's value.
pub const NO_LOG_PLACEHOLDER: &str = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER";

/// What replaces a secret's value wherever it appears inside any other output string.
pub const SCRUBBED: &str = mask::MASK;

/// JSON Schema extension keyword marking an option as secret (`no_log` in Ansible terms).
/// Set it with `#[schemars(extend("x-no-log" = true))]`.
pub const X_NO_LOG: &str = "x-no-log";

/// JSON Schema extension keyword naming an environment variable used when the option is not
/// given (Ansible's `fallback=(env_fallback, [...])`). Set it with
/// `#[schemars(extend("x-env" = "NAME"))]`.
pub const X_ENV: &str = "x-env";

/// The internal `_ansible_*` settings of one invocation that a module acts on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Invocation {
    /// The module's name as the task gave it (`_ansible_module_name`), e.g.
    /// `ephemery.instatus.component`; empty when run by hand.
    pub module_name: String,
    /// `--check`: predict the change, write nothing.
    pub check_mode: bool,
    /// `--diff`: return `diff` with before/after.
    pub diff_mode: bool,
    /// The task has `no_log: true`: hide every option value in `invocation`.
    pub no_log: bool,
    /// `-v` count.
    pub verbosity: u8,
    /// `_ansible_ignore_unknown_opts`: unknown options are dropped instead of failing.
    pub ignore_unknown_opts: bool,
}

/// The contents of the args file, split into Ansible's settings and the user's options.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawArgs {
    /// The `_ansible_*` settings.
    pub invocation: Invocation,
    /// Every key that does not start with `_ansible_`: the task's options, unvalidated.
    pub params: Map<String, Value>,
}

impl RawArgs {
    /// Parses the args file's text. Unknown `_ansible_*` keys are ignored (ansible-core adds new
    /// ones, e.g. `_ansible_inject_invocation` in 2.21).
    pub fn parse(text: &str) -> Result<Self, String> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| format!("the module arguments are not a JSON object: {e}"))?;
        let Value::Object(all) = value else {
            return Err("the module arguments are not a JSON object".into());
        };
        let mut out = RawArgs::default();
        for (key, value) in all {
            match key.strip_prefix("_ansible_") {
                Some("module_name") => {
                    out.invocation.module_name = value.as_str().unwrap_or_default().to_owned()
                }
                Some("check_mode") => out.invocation.check_mode = truthy(&value),
                Some("diff") => out.invocation.diff_mode = truthy(&value),
                Some("no_log") => out.invocation.no_log = truthy(&value),
                Some("ignore_unknown_opts") => out.invocation.ignore_unknown_opts = truthy(&value),
                Some("verbosity") => {
                    out.invocation.verbosity = value
                        .as_u64()
                        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
                        .unwrap_or(0)
                        .min(u64::from(u8::MAX))
                        as u8
                }
                Some(_) => {}
                None => {
                    out.params.insert(key, value);
                }
            }
        }
        Ok(out)
    }
}

fn truthy(value: &Value) -> bool {
    to_bool(value).unwrap_or(false)
}

/// An Ansible option type, as written in module docs (`type:`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionType {
    /// `str`.
    Str,
    /// `bool`: accepts yes/no/true/false/on/off/y/n/t/f/1/0 as strings or numbers.
    Bool,
    /// `int`: accepts integral numbers and numeric strings.
    Int,
    /// `float`.
    Float,
    /// `list` (see [`OptionSpec::elements`]); a comma-separated string is split.
    List,
    /// `dict`.
    Dict,
    /// `raw`: any JSON value, unconverted.
    Raw,
}

impl OptionType {
    /// The name Ansible uses (`str`, `bool`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Str => "str",
            Self::Bool => "bool",
            Self::Int => "int",
            Self::Float => "float",
            Self::List => "list",
            Self::Dict => "dict",
            Self::Raw => "raw",
        }
    }
}

/// One option, as read from the options type's JSON Schema.
#[derive(Clone, Debug, PartialEq)]
pub struct OptionSpec {
    /// The option name.
    pub name: String,
    /// Its type.
    pub kind: OptionType,
    /// The type of a list's items.
    pub elements: Option<OptionType>,
    /// Must be given (the field is neither `Option` nor `#[serde(default)]`).
    pub required: bool,
    /// The value used when the option is not given.
    pub default: Option<Value>,
    /// The allowed values.
    pub choices: Option<Vec<Value>>,
    /// A secret: masked in `invocation`, scrubbed from every output string.
    pub no_log: bool,
    /// Places inside the option's value that are secret: a property marked `x-no-log` at any
    /// depth of the option's schema (e.g. `settings.sms_credentials`). Masked and scrubbed like
    /// `no_log`, the rest of the value shown.
    pub secret_parts: Vec<Vec<Step>>,
    /// Environment variable read when the option is not given.
    pub env_fallback: Option<String>,
    /// The doc comment, one entry per paragraph.
    pub description: Vec<String>,
}

/// One step into an option's value on the way to a secret part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// The property of that name.
    Key(String),
    /// Every property (a map with `additionalProperties`).
    AnyKey,
    /// Every item of a list.
    AnyItem,
}

/// Every option of a module, in declaration order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ArgSpec {
    /// The options.
    pub options: Vec<OptionSpec>,
}

impl ArgSpec {
    /// Reads the spec from the JSON Schema of `T`.
    pub fn of<T: JsonSchema>() -> Self {
        let generator = schemars::generate::SchemaSettings::draft07()
            .with(|s| s.inline_subschemas = true)
            .into_generator();
        Self::from_schema(generator.into_root_schema_for::<T>().as_value())
    }

    /// Reads the spec from a JSON Schema of an object (as schemars generates it, subschemas
    /// inlined).
    pub fn from_schema(schema: &Value) -> Self {
        let required: BTreeSet<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut options = Vec::new();
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (name, prop) in props {
                let (kind, elements, choices) = type_of(prop);
                options.push(OptionSpec {
                    name: name.clone(),
                    kind,
                    elements,
                    required: required.contains(name.as_str()),
                    default: prop.get("default").filter(|d| !d.is_null()).cloned(),
                    choices,
                    no_log: is_no_log(prop),
                    secret_parts: {
                        let mut parts = Vec::new();
                        if !is_no_log(prop) {
                            nested_no_log(schema, prop, &mut Vec::new(), &mut parts, 0);
                        }
                        parts
                    },
                    env_fallback: prop.get(X_ENV).and_then(Value::as_str).map(str::to_owned),
                    description: prop
                        .get("description")
                        .and_then(Value::as_str)
                        .map(paragraphs)
                        .unwrap_or_default(),
                });
            }
        }
        Self { options }
    }

    /// The option called `name`.
    pub fn get(&self, name: &str) -> Option<&OptionSpec> {
        self.options.iter().find(|o| o.name == name)
    }

    /// The sorted option names.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.options.iter().map(|o| o.name.as_str()).collect();
        names.sort_unstable();
        names
    }
}

fn is_no_log(schema: &Value) -> bool {
    schema
        .get(X_NO_LOG)
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// Collects the paths of the `x-no-log` properties below `schema` (refs resolved in `root`).
fn nested_no_log(
    root: &Value,
    schema: &Value,
    path: &mut Vec<Step>,
    out: &mut Vec<Vec<Step>>,
    depth: usize,
) {
    // Deep enough for any options type; stops a recursive type (a tree) from looping.
    if depth > 16 {
        return;
    }
    if let Some(target) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|pointer| root.pointer(pointer))
    {
        nested_no_log(root, target, path, out, depth + 1);
    }
    if !path.is_empty() && is_no_log(schema) {
        if !out.contains(path) {
            out.push(path.clone());
        }
        return;
    }
    let mut step = |step: Step, sub: &Value, path: &mut Vec<Step>| {
        path.push(step);
        nested_no_log(root, sub, path, out, depth + 1);
        path.pop();
    };
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (name, sub) in props {
            step(Step::Key(name.clone()), sub, path);
        }
    }
    if let Some(sub) = schema.get("additionalProperties").filter(|v| v.is_object()) {
        step(Step::AnyKey, sub, path);
    }
    match schema.get("items") {
        Some(Value::Array(items)) => items.iter().for_each(|sub| step(Step::AnyItem, sub, path)),
        Some(sub) if sub.is_object() => step(Step::AnyItem, sub, path),
        _ => {}
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        for sub in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            nested_no_log(root, sub, path, out, depth + 1);
        }
    }
}

/// Splits a doc comment into paragraphs, joining wrapped lines.
fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

/// Ansible type, list element type and choices of one property schema.
fn type_of(prop: &Value) -> (OptionType, Option<OptionType>, Option<Vec<Value>>) {
    // `Option<T>` is `anyOf: [T, {type: null}]` or `type: [T, "null"]`.
    if let Some(variants) = prop
        .get("anyOf")
        .or_else(|| prop.get("oneOf"))
        .and_then(Value::as_array)
    {
        let non_null: Vec<&Value> = variants
            .iter()
            .filter(|v| v.get("type").and_then(Value::as_str) != Some("null"))
            .collect();
        if let [one] = non_null.as_slice() {
            return type_of(one);
        }
        // An enum of unit variants with doc comments: oneOf [{const}, ...] or [{enum:[x]}, ...].
        let consts: Option<Vec<Value>> = non_null
            .iter()
            .map(|v| {
                v.get("const").cloned().or_else(|| {
                    v.get("enum")
                        .and_then(Value::as_array)
                        .and_then(|a| a.first().cloned())
                })
            })
            .collect();
        if let Some(values) = consts {
            return (OptionType::Str, None, Some(values));
        }
        return (OptionType::Raw, None, None);
    }
    let choices = prop.get("enum").and_then(Value::as_array).map(|values| {
        values
            .iter()
            .filter(|v| !v.is_null())
            .cloned()
            .collect::<Vec<_>>()
    });
    let type_name = match prop.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null"),
        _ => None,
    };
    let kind = match type_name {
        Some("string") => OptionType::Str,
        Some("boolean") => OptionType::Bool,
        Some("integer") => OptionType::Int,
        Some("number") => OptionType::Float,
        Some("array") => OptionType::List,
        Some("object") => OptionType::Dict,
        _ if choices.is_some() => OptionType::Str,
        _ => OptionType::Raw,
    };
    let elements = (kind == OptionType::List)
        .then(|| prop.get("items").map(|items| type_of(items).0))
        .flatten();
    (kind, elements, choices)
}

/// `required_if`: when `key` equals `value`, the listed options must be given (all of them, or
/// at least one when `any`).
#[derive(Clone, Copy, Debug)]
pub struct RequiredIf {
    /// The option whose value triggers the rule.
    pub key: &'static str,
    /// The triggering value (compared as a string).
    pub value: &'static str,
    /// The options that must then be given.
    pub requirements: &'static [&'static str],
    /// `true`: one of `requirements` is enough; `false`: all are needed.
    pub any: bool,
}

/// The option rules a JSON Schema does not express, as `AnsibleModule` takes them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Rules {
    /// Each group: at most one of these may be given.
    pub mutually_exclusive: &'static [&'static [&'static str]],
    /// Each group: at least one of these must be given.
    pub required_one_of: &'static [&'static [&'static str]],
    /// Conditional requirements.
    pub required_if: &'static [RequiredIf],
}

impl Rules {
    /// No rules.
    pub const NONE: Rules = Rules {
        mutually_exclusive: &[],
        required_one_of: &[],
        required_if: &[],
    };
}

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
fn to_bool(value: &Value) -> Result<bool, String> {
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

/// A before/after pair, rendered by Ansible as a unified diff in `--diff` mode.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diff {
    /// The state before the task (or what it would be).
    pub before: Value,
    /// The state after the task.
    pub after: Value,
    /// Optional label of `before`.
    pub before_header: Option<String>,
    /// Optional label of `after`.
    pub after_header: Option<String>,
    /// `before` and `after` are ready-made text (see [`Diff::text`]), shown as they are.
    pub text: bool,
}

impl Diff {
    /// A diff between two values.
    pub fn new(before: Value, after: Value) -> Self {
        Self {
            before,
            after,
            ..Self::default()
        }
    }

    /// A diff between two texts already laid out for reading (one item per line).
    pub fn text(before: String, after: String) -> Self {
        Self {
            before: Value::String(before),
            after: Value::String(after),
            text: true,
            ..Self::default()
        }
    }

    /// Sets both headers.
    pub fn headers(mut self, before: impl Into<String>, after: impl Into<String>) -> Self {
        self.before_header = Some(before.into());
        self.after_header = Some(after.into());
        self
    }

    fn to_json(&self) -> Value {
        // Ansible renders strings line by line: YAML-like text reads better than one JSON line.
        let mut out = Map::new();
        let render = |v: &Value| match (self.text, v) {
            (true, Value::String(s)) => s.clone(),
            _ => render_for_diff(v),
        };
        out.insert("before".into(), Value::String(render(&self.before)));
        out.insert("after".into(), Value::String(render(&self.after)));
        if let Some(h) = &self.before_header {
            out.insert("before_header".into(), Value::String(h.clone()));
        }
        if let Some(h) = &self.after_header {
            out.insert("after_header".into(), Value::String(h.clone()));
        }
        Value::Object(out)
    }
}

/// Renders a value as indented `key: value` lines (the text a `--diff` compares).
pub fn render_for_diff(value: &Value) -> String {
    fn walk(value: &Value, indent: usize, out: &mut String) {
        let pad = "  ".repeat(indent);
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    match v {
                        Value::Object(m) if !m.is_empty() => {
                            out.push_str(&format!("{pad}{k}:\n"));
                            walk(v, indent + 1, out);
                        }
                        Value::Array(a) if !a.is_empty() => {
                            out.push_str(&format!("{pad}{k}:\n"));
                            walk(v, indent + 1, out);
                        }
                        _ => out.push_str(&format!("{pad}{k}: {}\n", scalar(v))),
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    match item {
                        Value::Object(_) | Value::Array(_) => {
                            out.push_str(&format!("{pad}-\n"));
                            walk(item, indent + 1, out);
                        }
                        _ => out.push_str(&format!("{pad}- {}\n", scalar(item))),
                    }
                }
            }
            Value::Null => {}
            other => out.push_str(&format!("{pad}{}\n", scalar(other))),
        }
    }
    fn scalar(value: &Value) -> String {
        match value {
            Value::String(s) => serde_json::to_string(s).unwrap_or_default(),
            Value::Object(_) => "{}".into(),
            Value::Array(_) => "[]".into(),
            other => other.to_string(),
        }
    }
    let mut out = String::new();
    walk(value, 0, &mut out);
    out
}

/// What a module returns when it succeeds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    /// Whether something changed (or would change, in check mode).
    pub changed: bool,
    /// A one-line summary.
    pub msg: Option<String>,
    /// Before/after, returned only in diff mode.
    pub diff: Option<Diff>,
    /// Module-specific return values (`component`, `pages`...).
    pub data: Map<String, Value>,
}

impl Outcome {
    /// An outcome with `changed` and a message.
    pub fn new(changed: bool, msg: impl Into<String>) -> Self {
        Self {
            changed,
            msg: Some(msg.into()),
            ..Self::default()
        }
    }

    /// Adds a return value.
    pub fn with(mut self, key: &str, value: Value) -> Self {
        self.data.insert(key.to_owned(), value);
        self
    }

    /// Sets the diff.
    pub fn with_diff(mut self, diff: Diff) -> Self {
        self.diff = Some(diff);
        self
    }
}

/// What a module returns when it fails: a message naming what failed, plus optional values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Failure {
    /// The message shown to the user.
    pub msg: String,
    /// Extra return values.
    pub data: Map<String, Value>,
}

impl Failure {
    /// A failure with a message.
    pub fn new(msg: impl Into<String>) -> Self {
        Self {
            msg: msg.into(),
            data: Map::new(),
        }
    }

    /// Adds a return value.
    pub fn with(mut self, key: &str, value: Value) -> Self {
        self.data.insert(key.to_owned(), value);
        self
    }

    /// Marks the failure `changed: true`: something was written before it (a result never hides a
    /// write that landed).
    pub fn after_writes(self) -> Self {
        self.with("changed", Value::Bool(true))
    }
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(error: E) -> Self {
        Self::new(error.to_string())
    }
}

/// What a running module may look at and add to: the invocation settings and warnings.
#[derive(Debug, Default)]
pub struct Context {
    /// The `_ansible_*` settings.
    pub invocation: Invocation,
    /// Warnings, shown by Ansible as `[WARNING]: ...`.
    pub warnings: Vec<String>,
}

impl Context {
    /// Whether the task runs with `--check`.
    pub fn check_mode(&self) -> bool {
        self.invocation.check_mode
    }

    /// Adds a warning.
    pub fn warn(&mut self, warning: impl Into<String>) {
        self.warnings.push(warning.into());
    }
}

/// An Ansible module: typed options, the rules the schema cannot say, and the work.
pub trait AnsibleModule {
    /// The module's short name (`component`); the file name under `plugins/modules/`.
    const NAME: &'static str;
    /// The options. Their JSON Schema drives validation and the docs.
    type Options: DeserializeOwned + JsonSchema;
    /// Mutually exclusive / required-one-of / required-if rules.
    const RULES: Rules = Rules::NONE;
    /// Does the work. Must honour `ctx.check_mode()`.
    fn run(options: Self::Options, ctx: &mut Context) -> Result<Outcome, Failure>;
}

/// A module in the registry: its name, its option spec and how to run it, without generics.
#[derive(Clone, Copy)]
pub struct ModuleDef {
    /// The short name.
    pub name: &'static str,
    /// The option spec, read from the options' JSON Schema.
    pub spec: fn() -> ArgSpec,
    /// The rules.
    pub rules: Rules,
    /// Deserializes the validated options and runs the module.
    pub run: fn(Map<String, Value>, &mut Context) -> Result<Outcome, Failure>,
}

impl std::fmt::Debug for ModuleDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModuleDef")
            .field("name", &self.name)
            .finish()
    }
}

impl ModuleDef {
    /// The registry entry of `M`.
    pub const fn of<M: AnsibleModule>() -> Self {
        Self {
            name: M::NAME,
            spec: ArgSpec::of::<M::Options>,
            rules: M::RULES,
            run: run_typed::<M>,
        }
    }
}

fn run_typed<M: AnsibleModule>(
    params: Map<String, Value>,
    ctx: &mut Context,
) -> Result<Outcome, Failure> {
    // The path of the bad value inside a nested option (`impact.dependencies[0]`) is named:
    // the top-level checks already ran, so what fails here is inside a dict or list.
    let options: M::Options =
        serde_path_to_error::deserialize(Value::Object(params)).map_err(|e| {
            match e.path().to_string() {
                p if p == "." => Failure::new(format!("invalid module options: {}", e.inner())),
                p => Failure::new(format!("invalid module options: {p}: {}", e.inner())),
            }
        })?;
    M::run(options, ctx)
}

/// The JSON result of one run, and whether it failed.
#[derive(Clone, Debug, PartialEq)]
pub struct ModuleResult {
    /// The object printed on stdout.
    pub json: Value,
    /// Whether `failed` is true (the process then exits 1).
    pub failed: bool,
}

/// Runs a module on the args file's text: parse, validate, run with panics caught, mask and
/// scrub secrets. `env` reads environment variables (injected so tests need no process env).
pub fn execute(
    def: &ModuleDef,
    args_text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> ModuleResult {
    let raw = match RawArgs::parse(args_text) {
        Ok(raw) => raw,
        Err(msg) => return finish(failed_json(&msg), &[]),
    };
    let module_name = if raw.invocation.module_name.is_empty() {
        def.name.to_owned()
    } else {
        raw.invocation.module_name.clone()
    };
    let spec = (def.spec)();
    // Secrets known before validation (a validation message may quote a value).
    let mut secrets = secret_values(&spec, &raw.params);
    let validated = validate(
        &module_name,
        &spec,
        &def.rules,
        raw.params.clone(),
        raw.invocation.ignore_unknown_opts,
        env,
    );
    let params = match validated {
        Ok(params) => params,
        Err(msg) => {
            let mut out = failed_json(&msg);
            let warnings = short_secret_warnings(&spec, &raw.params);
            if !warnings.is_empty() {
                out.insert("warnings".into(), json!(warnings));
            }
            out.insert(
                "invocation".into(),
                invocation_json(&spec, &raw.params, raw.invocation.no_log),
            );
            return finish(out, &secrets);
        }
    };
    // Values that came from the environment (or converted) are secrets too.
    secrets.extend(secret_values(&spec, &params));
    let mut ctx = Context {
        invocation: raw.invocation.clone(),
        warnings: Vec::new(),
    };
    let run = def.run;
    let run_params = params.clone();
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| run(run_params, &mut ctx)))
        .unwrap_or_else(|payload| {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(Failure::new(format!(
                "the module {module_name} crashed (this is a bug, please report it): {what}"
            )))
        });
    let mut out = Map::new();
    match outcome {
        Ok(outcome) => {
            out.insert("changed".into(), Value::Bool(outcome.changed));
            out.insert("failed".into(), Value::Bool(false));
            if let Some(msg) = outcome.msg {
                out.insert("msg".into(), Value::String(msg));
            }
            if let (true, Some(diff)) = (ctx.invocation.diff_mode, &outcome.diff) {
                out.insert("diff".into(), diff.to_json());
            }
            for (k, v) in outcome.data {
                out.entry(k).or_insert(v);
            }
        }
        Err(failure) => {
            out = failed_json(&failure.msg);
            for (k, v) in failure.data {
                if k == "changed" {
                    // Writes that landed before the failure (Failure::after_writes).
                    out.insert(k, v);
                } else {
                    out.entry(k).or_insert(v);
                }
            }
        }
    }
    ctx.warnings.extend(short_secret_warnings(&spec, &params));
    if !ctx.warnings.is_empty() {
        out.insert("warnings".into(), json!(ctx.warnings));
    }
    out.insert(
        "invocation".into(),
        invocation_json(&spec, &params, ctx.invocation.no_log),
    );
    finish(out, &secrets)
}

fn failed_json(msg: &str) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("changed".into(), Value::Bool(false));
    out.insert("failed".into(), Value::Bool(true));
    out.insert("msg".into(), Value::String(msg.to_owned()));
    out
}

/// `invocation.module_args`: the options with every `no_log` value (and every secret part of
/// one, see [`OptionSpec::secret_parts`]; or, for a `no_log` task, every value) replaced by
/// [`NO_LOG_PLACEHOLDER`].
fn invocation_json(spec: &ArgSpec, params: &Map<String, Value>, hide_all: bool) -> Value {
    let args: Map<String, Value> = params
        .iter()
        .map(|(k, v)| {
            let option = spec.get(k);
            let mut shown = v.clone();
            if hide_all || option.is_some_and(|o| o.no_log) {
                hide(&mut shown);
            } else if let Some(option) = option {
                for path in &option.secret_parts {
                    hide_at(&mut shown, path);
                }
            }
            (k.clone(), shown)
        })
        .collect();
    json!({ "module_args": args })
}

fn hide(value: &mut Value) {
    if !value.is_null() {
        *value = Value::String(NO_LOG_PLACEHOLDER.into());
    }
}

/// Hides what `path` leads to. A string where the path expects a map or a list (Ansible accepts a
/// dict as JSON text) is hidden whole: it may hold the secret part.
fn hide_at(value: &mut Value, path: &[Step]) {
    let Some((step, rest)) = path.split_first() else {
        return hide(value);
    };
    match (step, value) {
        (_, value @ Value::String(_)) => hide(value),
        (Step::Key(key), Value::Object(map)) => {
            if let Some(v) = map.get_mut(key) {
                hide_at(v, rest);
            }
        }
        (Step::AnyKey, Value::Object(map)) => map.values_mut().for_each(|v| hide_at(v, rest)),
        (Step::AnyItem, Value::Array(items)) => items.iter_mut().for_each(|v| hide_at(v, rest)),
        _ => {}
    }
}

/// The values of every `no_log` option and every secret part in `params` (strings and numbers,
/// list items and map values included).
fn secret_values(spec: &ArgSpec, params: &Map<String, Value>) -> Vec<String> {
    spec.options
        .iter()
        .flat_map(|option| option_secrets(option, params))
        .collect()
}

fn option_secrets(option: &OptionSpec, params: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(value) = params.get(&option.name) {
        if option.no_log {
            leaves(value, &mut out);
        } else {
            for path in &option.secret_parts {
                secrets_at(value, path, &mut out);
            }
        }
    }
    out
}

/// A warning per option holding a secret too short to be masked in free text (see [`mask`]).
fn short_secret_warnings(spec: &ArgSpec, params: &Map<String, Value>) -> Vec<String> {
    spec.options
        .iter()
        .filter(|option| {
            option_secrets(option, params)
                .iter()
                .any(|s| s.chars().count() < mask::MIN_SECRET_CHARS)
        })
        .map(|option| {
            format!(
                "{}: a secret value shorter than {} characters is hidden in invocation but is not masked in other output",
                option.name,
                mask::MIN_SECRET_CHARS
            )
        })
        .collect()
}

fn secrets_at(value: &Value, path: &[Step], out: &mut Vec<String>) {
    let Some((step, rest)) = path.split_first() else {
        return leaves(value, out);
    };
    match (step, value) {
        (_, Value::String(text)) => {
            // A dict given as JSON text: its secret part is secret, and so is the whole text.
            if let Ok(parsed) = serde_json::from_str::<Value>(text) {
                secrets_at(&parsed, path, out);
            }
            leaves(value, out);
        }
        (Step::Key(key), Value::Object(map)) => {
            if let Some(v) = map.get(key) {
                secrets_at(v, rest, out);
            }
        }
        (Step::AnyKey, Value::Object(map)) => map.values().for_each(|v| secrets_at(v, rest, out)),
        (Step::AnyItem, Value::Array(items)) => items.iter().for_each(|v| secrets_at(v, rest, out)),
        _ => {}
    }
}

/// Every string and number inside `value` (as Ansible's `_return_datastructure_name`).
fn leaves(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) if !s.is_empty() => out.push(s.clone()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Array(items) => items.iter().for_each(|v| leaves(v, out)),
        Value::Object(map) => map.values().for_each(|v| leaves(v, out)),
        _ => {}
    }
}

/// Masks the secrets in every value of the result (never in keys: a key is part of the
/// protocol, and `failed`/`changed` are booleans, which are never touched), see [`mask`].
fn finish(out: Map<String, Value>, secrets: &[String]) -> ModuleResult {
    let mut json = Value::Object(out);
    mask::Masker::new(secrets).mask_value(&mut json, NO_LOG_PLACEHOLDER);
    let failed = json.get("failed").and_then(Value::as_bool).unwrap_or(false);
    ModuleResult { json, failed }
}

/// Installs a panic hook that prints nothing: a panic becomes a failed JSON result instead of a
/// backtrace on stderr (Ansible would show it as "MODULE FAILURE").
pub fn silence_panics() {
    panic::set_hook(Box::new(|_| {}));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    /// A module that echoes its options, leaks its token into `msg` (to prove scrubbing), and
    /// panics on request.
    struct Probe;

    #[derive(Debug, Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct ProbeOptions {
        /// Required name.
        name: String,
        /// A secret.
        #[schemars(extend("x-no-log" = true, "x-env" = "PROBE_TOKEN"))]
        token: Option<String>,
        /// Count.
        #[serde(default = "seven")]
        count: i64,
        /// Flag.
        flag: Option<bool>,
        /// Tags.
        tags: Option<Vec<String>>,
        /// State.
        #[serde(default)]
        state: ProbeState,
        email: Option<String>,
        phone: Option<String>,
        /// Accounts, each with a secret at depth.
        accounts: Option<Vec<ProbeAccount>>,
    }

    #[derive(Debug, Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct ProbeAccount {
        user: String,
        auth: Option<ProbeAuth>,
    }

    #[derive(Debug, Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct ProbeAuth {
        #[schemars(extend("x-no-log" = true))]
        password: String,
    }

    #[derive(Debug, Default, Deserialize, serde::Serialize, JsonSchema)]
    #[serde(rename_all = "lowercase")]
    enum ProbeState {
        /// Here.
        #[default]
        Present,
        /// Gone.
        Absent,
    }

    fn seven() -> i64 {
        7
    }

    impl AnsibleModule for Probe {
        const NAME: &'static str = "probe";
        type Options = ProbeOptions;
        const RULES: Rules = Rules {
            mutually_exclusive: &[&["email", "phone"]],
            required_one_of: &[],
            required_if: &[RequiredIf {
                key: "state",
                value: "absent",
                requirements: &["email", "phone"],
                any: true,
            }],
        };
        fn run(o: ProbeOptions, ctx: &mut Context) -> Result<Outcome, Failure> {
            if o.name == "panic" {
                panic!("boom with {}", o.token.clone().unwrap_or_default());
            }
            if o.name == "diff" {
                let token = o.token.clone().unwrap_or_default();
                return Ok(Outcome::new(true, "diff").with_diff(Diff::new(
                    json!({"webhook": "old"}),
                    json!({"webhook": token}),
                )));
            }
            if o.name == "fail" {
                return Err(Failure::new(format!("refused token {:?}", o.token)));
            }
            ctx.warn(format!("token is {}", o.token.clone().unwrap_or_default()));
            Ok(Outcome::new(
                !ctx.check_mode(),
                format!(
                    "name={} count={} flag={:?} tags={:?}",
                    o.name, o.count, o.flag, o.tags
                ),
            )
            .with_diff(Diff::new(json!({"a": 1}), json!({"a": 2}))))
        }
    }

    const PROBE: ModuleDef = ModuleDef::of::<Probe>();

    fn run(args: Value) -> ModuleResult {
        run_env(args, None)
    }

    fn run_env(args: Value, token_env: Option<&str>) -> ModuleResult {
        let token_env = token_env.map(str::to_owned);
        execute(&PROBE, &args.to_string(), &move |k| {
            (k == "PROBE_TOKEN").then(|| token_env.clone()).flatten()
        })
    }

    fn msg(result: &ModuleResult) -> &str {
        result.json["msg"].as_str().unwrap()
    }

    #[test]
    fn internal_keys_are_split_off_and_unknown_ones_tolerated() {
        let raw = RawArgs::parse(
            r#"{"_ansible_check_mode": true, "_ansible_diff": true, "_ansible_verbosity": 3,
                "_ansible_no_log": false, "_ansible_inject_invocation": true,
                "_ansible_module_name": "ns.c.probe", "name": "x"}"#,
        )
        .unwrap();
        assert!(raw.invocation.check_mode && raw.invocation.diff_mode);
        assert_eq!(raw.invocation.verbosity, 3);
        assert_eq!(raw.invocation.module_name, "ns.c.probe");
        assert_eq!(raw.params.keys().collect::<Vec<_>>(), ["name"]);
    }

    #[test]
    fn unknown_option_lists_the_supported_ones_like_ansible() {
        let r =
            run(json!({"_ansible_module_name": "ns.c.probe", "name": "x", "bogus": 1, "abc": 2}));
        assert!(r.failed);
        assert_eq!(
            msg(&r),
            "Unsupported parameters for (ns.c.probe) module: abc, bogus. Supported parameters include: accounts, count, email, flag, name, phone, state, tags, token."
        );
    }

    #[test]
    fn required_choices_and_types_use_ansible_wording() {
        assert_eq!(msg(&run(json!({}))), "missing required arguments: name");
        assert_eq!(
            msg(&run(json!({"name": "x", "state": "gone"}))),
            "value of state must be one of: present, absent, got: gone"
        );
        let bad_bool = run(json!({"name": "x", "flag": "maybe"}));
        assert!(
            msg(&bad_bool).starts_with("argument 'flag' is of type str and we were unable to convert to bool: The value 'maybe' is not a valid boolean. Valid booleans include: 'y', 'yes'"),
            "{}",
            msg(&bad_bool)
        );
        assert_eq!(
            msg(&run(json!({"name": "x", "count": "many"}))),
            "argument 'count' is of type str and we were unable to convert to int: \"'many'\" cannot be converted to an int"
        );
        assert_eq!(
            msg(&run(json!({"name": "x", "email": "a", "phone": "b"}))),
            "parameters are mutually exclusive: email|phone"
        );
        assert_eq!(
            msg(&run(json!({"name": "x", "state": "absent"}))),
            "state is absent but any of the following are missing: email, phone"
        );
    }

    #[test]
    fn values_are_converted_and_defaulted() {
        for (flag, expected) in [("yes", true), ("off", false), ("1", true), ("True", true)] {
            let r = run(json!({"name": "x", "flag": flag}));
            assert!(!r.failed, "{}", r.json);
            assert!(
                msg(&r).contains(&format!("flag=Some({expected})")),
                "{}",
                msg(&r)
            );
        }
        let r = run(json!({"name": 5, "count": "42", "tags": "a, b", "flag": 0}));
        assert_eq!(
            msg(&r),
            "name=5 count=42 flag=Some(false) tags=Some([\"a\", \"b\"])"
        );
        let r = run(json!({"name": "x", "count": null}));
        assert_eq!(r.json["invocation"]["module_args"]["count"], 7);
        assert_eq!(r.json["invocation"]["module_args"]["state"], "present");
    }

    #[test]
    fn secrets_are_masked_in_invocation_and_scrubbed_everywhere() {
        let token = "s3cr3t-token-value";
        let r = run(json!({"name": "x", "token": token}));
        assert_eq!(
            r.json["invocation"]["module_args"]["token"],
            NO_LOG_PLACEHOLDER
        );
        assert_eq!(r.json["warnings"][0], "token is ********");
        assert!(!r.json.to_string().contains(token));
        // From the environment, and in a failure.
        let r = run_env(json!({"name": "fail"}), Some(token));
        assert!(r.failed);
        assert_eq!(msg(&r), "refused token Some(\"********\")");
        assert_eq!(
            r.json["invocation"]["module_args"]["token"],
            NO_LOG_PLACEHOLDER
        );
        // In a validation error.
        let r = run(json!({"name": "x", "token": token, "count": token}));
        assert!(!r.json.to_string().contains(token), "{}", r.json);
    }

    #[test]
    fn a_panic_becomes_a_failed_result() {
        silence_panics();
        let r = run(
            json!({"_ansible_module_name": "ns.c.probe", "name": "panic", "token": "hidden-value"}),
        );
        let _ = panic::take_hook();
        assert!(r.failed);
        assert_eq!(
            msg(&r),
            "the module ns.c.probe crashed (this is a bug, please report it): boom with ********"
        );
    }

    #[test]
    fn check_and_diff_modes_reach_the_module() {
        let r = run(json!({"name": "x", "_ansible_check_mode": true}));
        assert_eq!(r.json["changed"], false);
        assert!(r.json.get("diff").is_none(), "diff only in diff mode");
        let r = run(json!({"name": "x", "_ansible_diff": true}));
        assert_eq!(r.json["changed"], true);
        assert_eq!(r.json["diff"]["before"], "a: 1\n");
        assert_eq!(r.json["diff"]["after"], "a: 2\n");
    }

    #[test]
    fn a_webhook_url_with_a_quote_backslash_or_control_character_never_shows_in_diff() {
        let webhook = "https://hooks.example/x\"y\\z\u{7}w/t0k3n-abcdef";
        let r = run(json!({"name": "diff", "token": webhook, "_ansible_diff": true}));
        let after = r.json["diff"]["after"].as_str().unwrap();
        assert_eq!(after, "webhook: \"********\"\n");
        let text = r.json.to_string();
        assert!(!text.contains("t0k3n-abcdef"), "{text}");
    }

    #[test]
    fn a_secret_at_any_depth_of_an_option_schema_is_masked_in_invocation_and_everywhere() {
        let accounts = json!([{"user": "ops", "auth": {"password": "pa55word-deep"}}]);
        let spec = ArgSpec::of::<ProbeOptions>();
        let parts = &spec.get("accounts").unwrap().secret_parts;
        assert_eq!(
            parts,
            &[vec![
                Step::AnyItem,
                Step::Key("auth".into()),
                Step::Key("password".into())
            ]]
        );
        // On success, and when validation fails on another option.
        for args in [
            json!({"name": "pa55word-deep", "accounts": accounts}),
            json!({"name": "x", "accounts": accounts, "count": "many"}),
        ] {
            let r = run(args);
            let shown = &r.json["invocation"]["module_args"]["accounts"][0];
            assert_eq!(shown["auth"]["password"], NO_LOG_PLACEHOLDER, "{}", r.json);
            assert_eq!(shown["user"], "ops");
            assert!(!r.json.to_string().contains("pa55word-deep"), "{}", r.json);
        }
    }

    #[test]
    fn no_log_task_hides_every_value() {
        let r = run(json!({"name": "x", "_ansible_no_log": true}));
        assert_eq!(
            r.json["invocation"]["module_args"]["name"],
            NO_LOG_PLACEHOLDER
        );
    }
}
