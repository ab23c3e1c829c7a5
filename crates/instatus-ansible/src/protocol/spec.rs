//! The option spec of a module, read from the JSON Schema of its options type: names, Ansible
//! types, required flags, defaults, choices, secrets and environment fallbacks ([`ArgSpec::of`]),
//! plus the few rules a schema cannot say ([`Rules`]).

use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde_json::Value;

use super::{X_ENV, X_NO_LOG};

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
    /// For an `int` option: the values its Rust type and the schema's `minimum`/`maximum` allow
    /// (a `u64` takes no negative number, a `timeout` at most 3600), checked with the option's
    /// name before the options are deserialized.
    pub range: Option<IntRange>,
}

/// The integers an `int` option accepts, both ends included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IntRange {
    /// The smallest.
    pub min: i128,
    /// The largest.
    pub max: i128,
}

impl IntRange {
    /// Whether `value` is inside.
    pub fn contains(&self, value: i128) -> bool {
        (self.min..=self.max).contains(&value)
    }
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
                    range: (kind == OptionType::Int).then(|| int_range(prop)),
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

/// The range of an integer property: its `format` (`uint64`, `int32`...: the Rust type) narrowed
/// by `minimum`/`maximum` (`#[schemars(range(...))]`).
fn int_range(prop: &Value) -> IntRange {
    // `Option<T>`: the range of the non-null variant.
    if let Some(one) = prop
        .get("anyOf")
        .or_else(|| prop.get("oneOf"))
        .and_then(Value::as_array)
        .and_then(|variants| {
            let mut non_null = variants
                .iter()
                .filter(|v| v.get("type").and_then(Value::as_str) != Some("null"));
            match (non_null.next(), non_null.next()) {
                (Some(one), None) => Some(one),
                _ => None,
            }
        })
    {
        return int_range(one);
    }
    let (mut min, mut max) = match prop.get("format").and_then(Value::as_str) {
        Some("int8") => (i128::from(i8::MIN), i128::from(i8::MAX)),
        Some("int16") => (i128::from(i16::MIN), i128::from(i16::MAX)),
        Some("int32") => (i128::from(i32::MIN), i128::from(i32::MAX)),
        Some("uint8") => (0, i128::from(u8::MAX)),
        Some("uint16") => (0, i128::from(u16::MAX)),
        Some("uint32") => (0, i128::from(u32::MAX)),
        Some("uint64" | "uint") => (0, i128::from(u64::MAX)),
        // int64, int (isize) and anything unknown: what a JSON integer option can hold.
        _ => (i128::from(i64::MIN), i128::from(i64::MAX)),
    };
    // A fractional bound rounds inwards: `minimum: 0.5` allows 1 and up.
    let bound = |key: &str, round: fn(f64) -> f64| {
        let v = prop.get(key)?;
        v.as_i64()
            .map(i128::from)
            .or_else(|| v.as_u64().map(i128::from))
            .or_else(|| v.as_f64().map(|f| round(f) as i128))
    };
    if let Some(m) = bound("minimum", f64::ceil) {
        min = min.max(m);
    }
    if let Some(m) = bound("maximum", f64::floor) {
        max = max.min(m);
    }
    IntRange { min, max }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(schemars::JsonSchema)]
    #[allow(dead_code)]
    struct Numbers {
        unsigned: u64,
        small: Option<u8>,
        signed: i64,
        #[schemars(range(min = 1, max = 3600))]
        timeout: u64,
    }

    #[test]
    fn integer_ranges_come_from_the_rust_type_and_the_schema_bounds() {
        let spec = ArgSpec::of::<Numbers>();
        let range = |name: &str| spec.get(name).unwrap().range.unwrap();
        assert_eq!(
            range("unsigned"),
            IntRange {
                min: 0,
                max: i128::from(u64::MAX)
            }
        );
        assert_eq!(range("small"), IntRange { min: 0, max: 255 });
        assert_eq!(
            range("signed"),
            IntRange {
                min: i128::from(i64::MIN),
                max: i128::from(i64::MAX)
            }
        );
        assert_eq!(range("timeout"), IntRange { min: 1, max: 3600 });
    }
}
