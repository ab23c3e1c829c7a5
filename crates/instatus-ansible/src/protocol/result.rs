//! What a module run produces: an [`Outcome`] (with an optional [`Diff`]) or a [`Failure`], and
//! the printed [`ModuleResult`].

use serde_json::{Map, Value};

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

    pub(super) fn to_json(&self) -> Value {
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

/// The JSON result of one run, and whether it failed.
#[derive(Clone, Debug, PartialEq)]
pub struct ModuleResult {
    /// The object printed on stdout.
    pub json: Value,
    /// Whether `failed` is true (the process then exits 1).
    pub failed: bool,
}
