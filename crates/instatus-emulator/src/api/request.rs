//! Query strings and request bodies: decoding, and reading fields with the API's error messages.

use super::*;

/// Decodes `%XX` escapes and `+` (as a space); invalid escapes stay as they are.
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The decoded value of a query parameter.
pub(crate) fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (percent_decode(k) == name).then(|| percent_decode(v))
    })
}

/// One page of `items` per the `page` / `per_page` query (defaults 1 and 50, per_page capped at 100).
pub(super) fn paginate<T>(items: Vec<T>, query: &str) -> Vec<T> {
    let page = query_param(query, "page")
        .and_then(|p| p.trim().parse::<usize>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let per_page = query_param(query, "per_page")
        .and_then(|p| p.trim().parse::<usize>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(50)
        .min(100);
    items
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .collect()
}

pub(super) fn parse_json(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(body).map_err(|e| bad(format!("request body is not valid JSON: {e}")))
}

pub(super) fn parse_obj(body: &[u8]) -> Result<Obj, ApiError> {
    match parse_json(body)? {
        Value::Object(m) => Ok(m),
        _ => Err(bad("request body must be a JSON object")),
    }
}

pub(super) fn present<'a>(m: &'a Obj, key: &str) -> Option<&'a Value> {
    m.get(key).filter(|v| !v.is_null())
}

pub(super) fn missing(keys: &[&str], m: &Obj) -> Result<(), ApiError> {
    let absent: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| present(m, k).is_none())
        .collect();
    match absent.as_slice() {
        [] => Ok(()),
        [one] => Err(bad(format!("missing required field '{one}'"))),
        many => Err(bad(format!(
            "missing required fields: {}",
            many.iter()
                .map(|k| format!("'{k}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

pub(super) fn opt_str(m: &Obj, key: &str) -> Result<Option<String>, ApiError> {
    match present(m, key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad(format!("field '{key}' must be a string"))),
    }
}

pub(super) fn req_str(m: &Obj, key: &str) -> Result<String, ApiError> {
    opt_str(m, key)?.ok_or_else(|| bad(format!("missing required field '{key}'")))
}

/// Refuses `value` of the field `key` unless it has the form `check` allows (the same rules the
/// Ansible modules check before sending), naming the API's field as the real API does.
pub(super) fn check_form(key: &str, value: &str, check: Check) -> Result<(), ApiError> {
    check(value).map_err(|e| bad(format!("field '{key}': {e}")))
}

/// A validator from `instatus::validate`.
pub(super) type Check = fn(&str) -> Result<(), instatus::validate::Invalid>;

/// The optional string field `key`, checked by `check` when present.
pub(super) fn opt_checked(m: &Obj, key: &str, check: Check) -> Result<Option<String>, ApiError> {
    let value = opt_str(m, key)?;
    if let Some(v) = &value {
        check_form(key, v, check)?;
    }
    Ok(value)
}

/// The required name field `key`: not empty, no control characters, bounded length.
pub(super) fn req_name(m: &Obj, key: &str) -> Result<String, ApiError> {
    let value = req_str(m, key)?;
    check_form(key, &value, instatus::validate::name)?;
    Ok(value)
}

/// The optional name field `key`, checked like [`req_name`] when present.
pub(super) fn opt_name(m: &Obj, key: &str) -> Result<Option<String>, ApiError> {
    opt_checked(m, key, instatus::validate::name)
}

pub(super) fn opt_bool(m: &Obj, key: &str) -> Result<Option<bool>, ApiError> {
    match present(m, key) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(bad(format!("field '{key}' must be a boolean"))),
    }
}

pub(super) fn opt_i64(m: &Obj, key: &str) -> Result<Option<i64>, ApiError> {
    match present(m, key) {
        None => Ok(None),
        Some(v) => v
            .as_i64()
            .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
            .map(Some)
            .ok_or_else(|| bad(format!("field '{key}' must be an integer"))),
    }
}

pub(super) fn check_enum(key: &str, value: &str, allowed: &[&str]) -> Result<String, ApiError> {
    if allowed.contains(&value) {
        Ok(value.to_owned())
    } else {
        Err(bad(format!(
            "invalid value '{value}' for field '{key}'; allowed values: {}",
            allowed.join(", ")
        )))
    }
}

pub(super) fn opt_enum(m: &Obj, key: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
    opt_str(m, key)?
        .map(|v| check_enum(key, &v, allowed))
        .transpose()
}

pub(super) fn req_enum(m: &Obj, key: &str, allowed: &[&str]) -> Result<String, ApiError> {
    required_enum(key, opt_enum(m, key, allowed)?, allowed)
}

/// `value` of the enum field `key`, or the error for a missing one.
pub(super) fn required_enum(
    key: &str,
    value: Option<String>,
    allowed: &[&str],
) -> Result<String, ApiError> {
    value.ok_or_else(|| {
        bad(format!(
            "missing required field '{key}'; allowed values: {}",
            allowed.join(", ")
        ))
    })
}

pub(super) fn opt_ts(m: &Obj, key: &str) -> Result<Option<String>, ApiError> {
    match present(m, key) {
        None => Ok(None),
        Some(v) => time::parse(v).map(|t| Some(time::fmt(t))).ok_or_else(|| {
            bad(format!(
                "field '{key}' must be an ISO 8601 timestamp, e.g. 2026-01-02T03:04:05.000Z"
            ))
        }),
    }
}

pub(super) fn opt_str_list(m: &Obj, key: &str) -> Result<Option<Vec<String>>, ApiError> {
    match present(m, key) {
        None => Ok(None),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| bad(format!("field '{key}' must be an array of strings")))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(bad(format!("field '{key}' must be an array of strings"))),
    }
}

pub(super) fn opt_translations(m: &Obj) -> Result<Option<Value>, ApiError> {
    match present(m, "translations") {
        None => Ok(None),
        Some(v @ Value::Object(_)) => Ok(Some(v.clone())),
        Some(_) => Err(bad("field 'translations' must be an object")),
    }
}

/// `[{id, status}]` entries, each status a component status.
pub(super) fn opt_statuses(m: &Obj, key: &str) -> Result<Option<Vec<(String, String)>>, ApiError> {
    let Some(v) = present(m, key) else {
        return Ok(None);
    };
    let arr = v
        .as_array()
        .ok_or_else(|| bad(format!("field '{key}' must be an array of {{id, status}}")))?;
    let mut out = Vec::new();
    for (i, e) in arr.iter().enumerate() {
        let id = e
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(format!("field '{key}[{i}].id' must be a component id")))?;
        let st = e.get("status").and_then(Value::as_str).ok_or_else(|| {
            bad(format!(
                "missing field '{key}[{i}].status'; allowed values: {}",
                COMPONENT_STATUS.join(", ")
            ))
        })?;
        let st = check_enum(&format!("{key}[{i}].status"), st, COMPONENT_STATUS)?;
        out.push((id.to_owned(), st));
    }
    Ok(Some(out))
}

/// Escapes `& < > " '` for HTML text and attribute values.
pub(crate) fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub(super) fn message_html(message: &str) -> String {
    format!("<p>{}</p>", html_escape(message))
}

pub(super) fn or_empty(v: &Value) -> Value {
    if v.is_null() {
        json!({})
    } else {
        v.clone()
    }
}
