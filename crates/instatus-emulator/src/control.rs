//! The control API under `/_emulator`: no auth, not logged, never rate limited or faulted. It
//! reads the request log, sets the faults, the rate limit and the lenient fields, reads, resets
//! and saves the state, creates pages, and serves the page previews. Request and answer bodies are
//! the serde forms of [`FaultRule`], [`RateLimit`] and the two small types below; the table of
//! routes is in docs/emulator.md.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::api;
use crate::server::{html_resp, json_resp, Resp};
use crate::shared::Shared;
use crate::{FaultRule, RateLimit};

/// What `POST /_emulator/faults` takes, for error messages.
const FAULT_FORM: &str = r#"{"method": "POST", "path": "/v1/*/components", "action": ..., "times": 2} with method "*", null or absent for any, action one of {"status": 500} | {"status_after": 500} | {"delay_ms": 10000} | "drop" | "drop_after" | "malformed", and times null or absent for forever"#;

/// What `PUT /_emulator/rate-limit` takes.
const RATE_LIMIT_FORM: &str = r#"{"limit": 60, "window_ms": 60000, "retry_after": true} (retry_after true when absent), or null to remove it"#;

/// What `PUT /_emulator/ignored-fields` takes.
const IGNORED_FIELDS_FORM: &str = r#"{"fields": ["customDomain", "groupId"]}; {"fields": []}, {"fields": null}, {}, null or an empty body make the API strict"#;

/// What `POST /_emulator/pages` takes.
const NEW_PAGE_FORM: &str =
    r#"{"subdomain": "ephemery", "name": "Ephemery"} (name defaults to the subdomain)"#;

/// `POST /_emulator/pages`: a page created directly in the state.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewPage {
    subdomain: String,
    #[serde(default)]
    name: Option<String>,
}

/// The lenient fields: the body of `PUT /_emulator/ignored-fields` and the answer of both routes.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct IgnoredFields {
    /// Wire names; absent or null: none.
    #[serde(default, deserialize_with = "wire::field_names")]
    fields: Vec<String>,
}

/// Answers a request under `/_emulator`.
pub(crate) fn answer(shared: &Shared, method: &str, path: &str, query: &str, body: &[u8]) -> Resp {
    let sub = path.trim_start_matches("/_emulator").trim_end_matches('/');
    match (method, sub) {
        ("GET", "/health") => done(),
        ("GET", s) if s.is_empty() || s == "/preview" || s.starts_with("/preview/") => {
            preview(shared, s)
        }
        ("GET", "/requests") => {
            let since = api::query_param(query, "since")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            ok(&shared.requests_since(since))
        }
        ("DELETE", "/requests") => {
            shared.clear_requests();
            done()
        }
        ("GET", "/faults") => ok(&shared.faults()),
        ("POST", "/faults") => match parse::<FaultRule>(body, FAULT_FORM) {
            Ok(rule) => {
                let answer = ok(&rule);
                shared.add_fault(rule);
                answer
            }
            Err(e) => bad(&e),
        },
        ("DELETE", "/faults") => {
            shared.clear_faults();
            done()
        }
        ("GET", "/rate-limit") => ok(&shared.rate_limit()),
        ("PUT", "/rate-limit") => match parse::<Option<RateLimit>>(body, RATE_LIMIT_FORM) {
            Ok(limit) => {
                let answer = ok(&limit);
                shared.set_rate_limit(limit);
                answer
            }
            Err(e) => bad(&e),
        },
        ("GET", "/ignored-fields") => ok(&IgnoredFields {
            fields: shared.ignored_fields(),
        }),
        ("PUT", "/ignored-fields") => {
            match parse::<Option<IgnoredFields>>(body, IGNORED_FIELDS_FORM) {
                Ok(given) => {
                    let given = given.unwrap_or_default();
                    shared.set_ignored_fields(given.fields.clone());
                    ok(&given)
                }
                Err(e) => bad(&e),
            }
        }
        ("GET", "/state") => json_resp(200, &shared.state_json()),
        ("POST", "/reset") => {
            shared.reset();
            done()
        }
        ("POST", "/save") => match (shared.state_file(), shared.save()) {
            (None, _) => bad("no state file configured (start with --state FILE)"),
            (Some(p), Ok(())) => {
                json_resp(200, &json!({"ok": true, "path": p.display().to_string()}))
            }
            (Some(_), Err(e)) => json_resp(
                500,
                &api::envelope("internal_server_error", &format!("save failed: {e}")),
            ),
        },
        ("POST", "/pages") => match parse::<NewPage>(body, NEW_PAGE_FORM) {
            Ok(page) => {
                let name = page.name.as_deref().unwrap_or(&page.subdomain);
                match shared.create_page_once(&page.subdomain, name) {
                    Some(id) => json_resp(200, &json!({ "id": id })),
                    None => bad(&format!("subdomain '{}' is already taken", page.subdomain)),
                }
            }
            Err(e) => bad(&e),
        },
        _ => json_resp(
            404,
            &api::envelope(
                "not_found",
                &format!("no control route for {method} /_emulator{sub}"),
            ),
        ),
    }
}

/// 200 with `value` as JSON (object keys sorted, as every answer of the emulator).
fn ok(value: &impl Serialize) -> Resp {
    json_resp(200, &serde_json::to_value(value).unwrap_or(Value::Null))
}

/// 200 `{"ok": true}`.
fn done() -> Resp {
    json_resp(200, &json!({"ok": true}))
}

/// 400 with the error envelope.
fn bad(message: &str) -> Resp {
    json_resp(400, &api::envelope("invalid_request", message))
}

/// A request body as `T` (an empty body reads as `null`); an error names the field that is wrong
/// and ends with the form the route takes. The body is read as JSON first, so a JSON array never
/// passes for an object (serde would take one as a struct's fields in order).
fn parse<T: DeserializeOwned>(body: &[u8], form: &str) -> Result<T, String> {
    let value: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        serde_json::from_slice(body)
            .map_err(|e| format!("request body is not valid JSON: {e}; expected {form}"))?
    };
    if value.is_array() {
        return Err(format!(
            "request body: an array is not allowed; expected {form}"
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let what = match e.path().to_string().as_str() {
            "." => "request body".to_owned(),
            path => format!("field '{path}'"),
        };
        format!("{what}: {}; expected {form}", e.inner())
    })
}

/// A rendered page, or a 500 page naming the template error.
fn rendered(result: Result<String, String>) -> Resp {
    match result {
        Ok(html) => html_resp(200, html),
        Err(e) => html_resp(
            500,
            format!(
                "<!doctype html><title>Preview failed</title><p>{}</p>",
                api::html_escape(&e)
            ),
        ),
    }
}

/// `GET /_emulator/`, `/_emulator/preview` and `/_emulator/preview/{page id or subdomain}`.
fn preview(shared: &Shared, sub: &str) -> Resp {
    if sub.is_empty() {
        return rendered(crate::preview::render_index(&shared.state()));
    }
    let key = match sub.strip_prefix("/preview") {
        Some("") => None,
        Some(rest) => match rest.strip_prefix('/') {
            Some(k) if !k.contains('/') => Some(api::percent_decode(k)),
            _ => {
                return html_resp(
                    404,
                    crate::preview::render_not_found(&format!("No preview at /_emulator{sub}.")),
                )
            }
        },
        None => {
            return html_resp(
                404,
                crate::preview::render_not_found(&format!("Nothing at /_emulator{sub}.")),
            )
        }
    };
    match shared.preview(key.as_deref()) {
        Some(result) => rendered(result),
        None => {
            let what = match &key {
                Some(k) => format!("The emulator holds no page with the id or subdomain '{k}'."),
                None => "The emulator holds no pages yet.".to_owned(),
            };
            html_resp(404, crate::preview::render_not_found(&what))
        }
    }
}

/// The serde helpers behind the control API's forms of the public types.
pub(crate) mod wire {
    use std::time::Duration;

    use serde::de::{Error, Unexpected};
    use serde::{Deserialize, Deserializer, Serializer};

    /// The default of `retry_after`.
    pub fn yes() -> bool {
        true
    }

    /// A boolean where `null` means true.
    pub fn null_is_true<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        Ok(Option::<bool>::deserialize(d)?.unwrap_or(true))
    }

    /// A method as a fault rule keeps it: upper case, `None` for `*` or `any`.
    pub fn any_method(method: &str) -> Option<String> {
        if method == "*" || method.eq_ignore_ascii_case("any") {
            None
        } else {
            Some(method.to_ascii_uppercase())
        }
    }

    /// A fault's `method`: a string, or null for any.
    pub fn method<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(Option::<String>::deserialize(d)?.and_then(|m| any_method(&m)))
    }

    /// A fault's `times`: a positive count, or null for forever.
    pub fn positive_times<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
        match Option::<u64>::deserialize(d)? {
            None => Ok(None),
            Some(n) => u32::try_from(n)
                .ok()
                .filter(|n| *n >= 1)
                .map(Some)
                .ok_or_else(|| {
                    D::Error::invalid_value(
                        Unexpected::Unsigned(n),
                        &"a count of matches from 1 to 4294967295, or null for forever",
                    )
                }),
        }
    }

    /// An HTTP status an injected fault answers: 100 to 599.
    pub fn http_status<'de, D: Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
        let status = u64::deserialize(d)?;
        u16::try_from(status)
            .ok()
            .filter(|s| (100..=599).contains(s))
            .ok_or_else(|| {
                D::Error::invalid_value(
                    Unexpected::Unsigned(status),
                    &"an HTTP status from 100 to 599",
                )
            })
    }

    /// A duration as whole milliseconds.
    pub mod millis {
        use super::*;

        /// Writes the milliseconds.
        pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        }

        /// Reads milliseconds.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
            Ok(Duration::from_millis(u64::deserialize(d)?))
        }
    }

    /// A duration as whole milliseconds, at least one.
    pub mod positive_millis {
        use super::*;

        pub use super::millis::serialize;

        /// Reads milliseconds, refusing 0.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
            match u64::deserialize(d)? {
                0 => Err(D::Error::invalid_value(
                    Unexpected::Unsigned(0),
                    &"a positive number of milliseconds",
                )),
                ms => Ok(Duration::from_millis(ms)),
            }
        }
    }

    /// The lenient fields: an array of non-empty wire names, or null for none.
    pub fn field_names<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        let names = Option::<Vec<String>>::deserialize(d)?.unwrap_or_default();
        match names.iter().find(|n| n.trim().is_empty()) {
            Some(blank) => Err(D::Error::invalid_value(
                Unexpected::Str(blank),
                &"a field's wire name, such as customDomain",
            )),
            None => Ok(names),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::FaultAction;

    #[test]
    fn fault_json_round_trips() {
        for a in [
            json!({"status": 500}),
            json!({"status_after": 503}),
            json!({"delay_ms": 10}),
            json!("drop"),
            json!("drop_after"),
            json!("malformed"),
        ] {
            let v = json!({"method": "POST", "path": "/v1/*/components", "action": a, "times": 3});
            let rule: FaultRule = parse(v.to_string().as_bytes(), FAULT_FORM).unwrap();
            assert_eq!(serde_json::to_value(&rule).unwrap(), v);
        }
        let rule: FaultRule =
            parse(br#"{"method":"any","path":"/x","action":"drop"}"#, "").unwrap();
        assert_eq!(rule, FaultRule::new("*", "/x", FaultAction::Drop));
        let rule: FaultRule = parse(
            br#"{"method":"get","path":"/x","action":{"delay_ms":250},"times":2}"#,
            "",
        )
        .unwrap();
        assert_eq!(
            rule,
            FaultRule::new("GET", "/x", FaultAction::Delay(Duration::from_millis(250))).times(2)
        );
    }

    #[test]
    fn a_bad_fault_names_its_field_and_the_allowed_forms() {
        for (body, names) in [
            (r#"{"path":"/x","action":"explode"}"#, "field 'action': unknown variant `explode`, expected one of `status`, `status_after`, `delay_ms`, `drop`, `drop_after`, `malformed`"),
            (r#"{"path":"/x","action":{"status":700}}"#, "field 'action.status': invalid value: integer `700`, expected an HTTP status from 100 to 599"),
            (r#"{"path":"/x","action":"drop","times":0}"#, "field 'times': invalid value: integer `0`, expected a count of matches from 1 to 4294967295"),
            (r#"{"path":"/x","action":"drop","method":5}"#, "field 'method': invalid type: integer `5`, expected a string"),
            (r#"{"path":"/x","action":"drop","time":1}"#, "field 'time': unknown field `time`, expected one of `method`, `path`, `action`, `times`"),
            (r#"{"action":"drop"}"#, "request body: missing field `path`"),
            (r#"{"path":"/x","action":{"status":500,"delay_ms":1}}"#, "field 'action': invalid value: map, expected map with a single key"),
            (r#"["POST","/x","drop",null]"#, "request body: an array is not allowed"),
            ("", "request body: invalid type: null, expected struct FaultRule"),
            ("{", "request body is not valid JSON: EOF while parsing an object at line 1 column 1"),
            (r#"{"path":"/x","action":"drop"} x"#, "request body is not valid JSON: trailing characters"),
        ] {
            let e = parse::<FaultRule>(body.as_bytes(), FAULT_FORM).unwrap_err();
            assert!(e.starts_with(names), "{body}: {e}");
            assert!(e.ends_with(&format!("; expected {FAULT_FORM}")), "{body}: {e}");
        }
    }

    #[test]
    fn rate_limits_and_lenient_fields_in_their_forms() {
        let limit: Option<RateLimit> =
            parse(br#"{"limit":5,"window_ms":1000,"retry_after":null}"#, "").unwrap();
        let limit = limit.unwrap();
        assert_eq!(
            (limit.limit, limit.window, limit.retry_after),
            (5, Duration::from_secs(1), true)
        );
        assert_eq!(
            serde_json::to_value(&limit).unwrap(),
            json!({"limit": 5, "window_ms": 1000, "retry_after": true})
        );
        assert_eq!(parse::<Option<RateLimit>>(b" ", "").unwrap(), None);
        let zero = parse::<Option<RateLimit>>(br#"{"limit":1,"window_ms":0}"#, "").unwrap_err();
        assert!(zero.starts_with("field 'window_ms': invalid value: integer `0`, expected a positive number of milliseconds"), "{zero}");

        for (body, fields) in [
            (r#"{"fields":["customDomain"]}"#, vec!["customDomain"]),
            (r#"{"fields":null}"#, vec![]),
            ("{}", vec![]),
        ] {
            let given: Option<IgnoredFields> = parse(body.as_bytes(), "").unwrap();
            assert_eq!(given.unwrap().fields, fields, "{body}");
        }
        let blank = parse::<Option<IgnoredFields>>(br#"{"fields":[" "]}"#, "").unwrap_err();
        assert!(
            blank.starts_with("field 'fields': invalid value: string \" \""),
            "{blank}"
        );
    }
}
