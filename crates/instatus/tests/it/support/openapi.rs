//! A validator for the subset of OpenAPI 3.0 schemas the Instatus spec uses.
//!
//! Hand-written on purpose: OpenAPI 3.0's `nullable` and `$ref` with sibling keys are not JSON
//! Schema, so a JSON Schema validator would need the spec rewritten first. The subset is small:
//! `$ref`, `type`, `nullable`, `enum`, `properties`, `required`, `items`, `additionalProperties`
//! and `format: date-time`.

#![allow(dead_code)]

use serde_json::Value;

use instatus::api::deviations::{is_deviation, Side};
use instatus::api::Op;

/// The vendored spec.
pub struct Spec {
    root: Value,
}

impl Spec {
    pub fn load() -> Spec {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/spec/instatus-openapi.json");
        let text = std::fs::read_to_string(path).expect("read the vendored spec");
        Spec {
            root: serde_json::from_str(&text).expect("the spec is JSON"),
        }
    }

    pub fn root(&self) -> &Value {
        &self.root
    }

    /// The operation object for a method and path template, if the spec has it.
    pub fn operation(&self, method: &str, path: &str) -> Option<&Value> {
        self.root["paths"]
            .get(path)?
            .get(method.to_ascii_lowercase())
    }

    pub fn request_schema(&self, op: Op) -> Option<&Value> {
        self.operation(op.method().as_str(), op.path())?
            .pointer("/requestBody/content/application~1json/schema")
    }

    pub fn response_schema(&self, op: Op) -> Option<&Value> {
        self.operation(op.method().as_str(), op.path())?
            .pointer("/responses/200/content/application~1json/schema")
    }

    pub fn schema(&self, name: &str) -> &Value {
        &self.root["components"]["schemas"][name]
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        let mut s = schema;
        while let Some(r) = s.get("$ref").and_then(Value::as_str) {
            let name = r.trim_start_matches("#/components/schemas/");
            s = self.schema(name);
        }
        s
    }

    /// Every place `value` breaks `schema`, as `location: problem`, minus the listed deviations
    /// of `op`'s `side`. `required` is enforced when `check_required` (requests).
    pub fn violations(&self, op: Op, side: Side, schema: &Value, value: &Value) -> Vec<String> {
        let mut out = Vec::new();
        self.check(schema, value, "", side == Side::Request, &mut out);
        out.retain(|(location, _)| !is_deviation(op, side, location));
        out.into_iter()
            .map(|(l, p)| format!("{}: {p}", if l.is_empty() { "." } else { &l }))
            .collect()
    }

    fn check(
        &self,
        schema: &Value,
        value: &Value,
        at: &str,
        required: bool,
        out: &mut Vec<(String, String)>,
    ) {
        // OpenAPI 3.0: `nullable` may sit beside `$ref` (the Component.group case).
        let nullable = schema
            .get("nullable")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let schema = self.resolve(schema);
        let nullable = nullable
            || schema
                .get("nullable")
                .and_then(Value::as_bool)
                .unwrap_or(false);
        if value.is_null() {
            if !nullable {
                out.push((
                    at.to_owned(),
                    "null where the spec does not allow it".into(),
                ));
            }
            return;
        }
        let join = |key: &str| {
            if at.is_empty() {
                key.to_owned()
            } else {
                format!("{at}.{key}")
            }
        };
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
            if !allowed.contains(value) {
                out.push((
                    at.to_owned(),
                    format!("{value} is not one of {}", Value::Array(allowed.clone())),
                ));
            }
        }
        let ty = schema.get("type").and_then(Value::as_str);
        let type_ok = match ty {
            Some("string") => value.is_string(),
            Some("integer") => value.is_i64() || value.is_u64(),
            Some("number") => value.is_number(),
            Some("boolean") => value.is_boolean(),
            Some("array") => value.is_array(),
            Some("object") => value.is_object(),
            _ => true,
        };
        if !type_ok {
            out.push((
                at.to_owned(),
                format!("{value} is not of type {}", ty.unwrap_or("?")),
            ));
            return;
        }
        if schema.get("format").and_then(Value::as_str) == Some("date-time") {
            if let Some(s) = value.as_str() {
                if s.parse::<jiff::Timestamp>().is_err() {
                    out.push((at.to_owned(), format!("{s:?} is not an RFC 3339 date-time")));
                }
            }
        }
        if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
            for (i, item) in array.iter().enumerate() {
                self.check(items, item, &join(&i.to_string()), required, out);
            }
        }
        if let Some(object) = value.as_object() {
            let props = schema.get("properties").and_then(Value::as_object);
            if required {
                for name in schema
                    .get("required")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let name = name.as_str().unwrap_or_default();
                    if !object.contains_key(name) {
                        out.push((join(name), "required by the spec but missing".into()));
                    }
                }
            }
            for (key, v) in object {
                if let Some(prop) = props.and_then(|p| p.get(key)) {
                    self.check(prop, v, &join(key), required, out);
                } else if let Some(extra) =
                    schema.get("additionalProperties").filter(|a| a.is_object())
                {
                    self.check(extra, v, &join(key), required, out);
                } else if required && props.is_some() {
                    // Requests: a field the spec does not know is a deviation unless listed.
                    out.push((join(key), "not in the spec's request schema".into()));
                }
            }
        }
    }
}
