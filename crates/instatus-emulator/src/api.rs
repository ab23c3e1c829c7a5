//! The API operations: one handler per [`Op`], request validation and response rendering in the
//! spec's shapes.

use instatus::api::Op;
use serde_json::{json, Map, Value};

use crate::state::{
    b36_noise, mix, slug, Component, Datapoint, Incident, Maintenance, Metric, NoticeUpdate, Page,
    State, Subscriber, Teammate, Template, TemplateComponent,
};
use crate::time;

pub(crate) const COMPONENT_STATUS: &[&str] = &[
    "OPERATIONAL",
    "UNDERMAINTENANCE",
    "DEGRADEDPERFORMANCE",
    "PARTIALOUTAGE",
    "MAJOROUTAGE",
];
const INCIDENT_STATUS: &[&str] = &["INVESTIGATING", "IDENTIFIED", "MONITORING", "RESOLVED"];
const MAINTENANCE_STATUS: &[&str] = &["NOTSTARTEDYET", "INPROGRESS", "COMPLETED"];
const TEMPLATE_STATUS: &[&str] = &[
    "INVESTIGATING",
    "IDENTIFIED",
    "MONITORING",
    "RESOLVED",
    "NOTSTARTEDYET",
    "INPROGRESS",
    "COMPLETED",
];
const TEMPLATE_TYPE: &[&str] = &["INCIDENT", "MAINTENANCE"];
const TEAMMATE_PERMISSION: &[&str] = &["FULL", "READ", "WRITE", "MEMBER", "EDITOR"];
const SMS_SERVICE: &[&str] = &["twilio", "vonage", "esendex", "messagebird", "sns"];

/// An API error: HTTP status plus the envelope's code and message.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::new(400, "invalid_request", message)
}

fn not_found(kind: &str, id: &str) -> ApiError {
    ApiError::new(404, "not_found", format!("{kind} {id} not found"))
}

/// `{"error":{"code":..,"message":..}}`.
pub(crate) fn envelope(code: &str, message: &str) -> Value {
    json!({"error": {"code": code, "message": message}})
}

type R = Result<Value, ApiError>;
type Obj = Map<String, Value>;

// ---------------------------------------------------------------------------------------------
// Query strings and bodies

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
fn paginate<T>(items: Vec<T>, query: &str) -> Vec<T> {
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

fn parse_json(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(body).map_err(|e| bad(format!("request body is not valid JSON: {e}")))
}

fn parse_obj(body: &[u8]) -> Result<Obj, ApiError> {
    match parse_json(body)? {
        Value::Object(m) => Ok(m),
        _ => Err(bad("request body must be a JSON object")),
    }
}

fn present<'a>(m: &'a Obj, key: &str) -> Option<&'a Value> {
    m.get(key).filter(|v| !v.is_null())
}

fn missing(keys: &[&str], m: &Obj) -> Result<(), ApiError> {
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

fn opt_str(m: &Obj, key: &str) -> Result<Option<String>, ApiError> {
    match present(m, key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad(format!("field '{key}' must be a string"))),
    }
}

fn req_str(m: &Obj, key: &str) -> Result<String, ApiError> {
    opt_str(m, key)?.ok_or_else(|| bad(format!("missing required field '{key}'")))
}

fn opt_bool(m: &Obj, key: &str) -> Result<Option<bool>, ApiError> {
    match present(m, key) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(bad(format!("field '{key}' must be a boolean"))),
    }
}

fn opt_i64(m: &Obj, key: &str) -> Result<Option<i64>, ApiError> {
    match present(m, key) {
        None => Ok(None),
        Some(v) => v
            .as_i64()
            .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
            .map(Some)
            .ok_or_else(|| bad(format!("field '{key}' must be an integer"))),
    }
}

fn check_enum(key: &str, value: &str, allowed: &[&str]) -> Result<String, ApiError> {
    if allowed.contains(&value) {
        Ok(value.to_owned())
    } else {
        Err(bad(format!(
            "invalid value '{value}' for field '{key}'; allowed values: {}",
            allowed.join(", ")
        )))
    }
}

fn opt_enum(m: &Obj, key: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
    opt_str(m, key)?
        .map(|v| check_enum(key, &v, allowed))
        .transpose()
}

fn req_enum(m: &Obj, key: &str, allowed: &[&str]) -> Result<String, ApiError> {
    required_enum(key, opt_enum(m, key, allowed)?, allowed)
}

/// `value` of the enum field `key`, or the error for a missing one.
fn required_enum(key: &str, value: Option<String>, allowed: &[&str]) -> Result<String, ApiError> {
    value.ok_or_else(|| {
        bad(format!(
            "missing required field '{key}'; allowed values: {}",
            allowed.join(", ")
        ))
    })
}

fn opt_ts(m: &Obj, key: &str) -> Result<Option<String>, ApiError> {
    match present(m, key) {
        None => Ok(None),
        Some(v) => time::parse(v).map(|t| Some(time::fmt(t))).ok_or_else(|| {
            bad(format!(
                "field '{key}' must be an ISO 8601 timestamp, e.g. 2026-01-02T03:04:05.000Z"
            ))
        }),
    }
}

fn opt_str_list(m: &Obj, key: &str) -> Result<Option<Vec<String>>, ApiError> {
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

fn opt_translations(m: &Obj) -> Result<Option<Value>, ApiError> {
    match present(m, "translations") {
        None => Ok(None),
        Some(v @ Value::Object(_)) => Ok(Some(v.clone())),
        Some(_) => Err(bad("field 'translations' must be an object")),
    }
}

/// `[{id, status}]` entries, each status a component status.
fn opt_statuses(m: &Obj, key: &str) -> Result<Option<Vec<(String, String)>>, ApiError> {
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

fn message_html(message: &str) -> String {
    format!("<p>{}</p>", html_escape(message))
}

fn or_empty(v: &Value) -> Value {
    if v.is_null() {
        json!({})
    } else {
        v.clone()
    }
}

// ---------------------------------------------------------------------------------------------
// Dispatch

/// Runs one operation against the state. `params` are the path placeholders in order.
pub(crate) fn dispatch(
    st: &mut State,
    op: Op,
    params: &[String],
    query: &str,
    body: &[u8],
    host: Option<&str>,
) -> R {
    let p = |i: usize| params.get(i).map(String::as_str).unwrap_or("");
    // `Op` is `#[non_exhaustive]`, so a wildcard arm is required outside its crate; the
    // `every_operation_is_served` test checks that no operation in the table falls through to it.
    match op {
        Op::ListPages => Ok(list_pages(st, query)),
        Op::CreatePage => create_page(st, body),
        Op::UpdatePage => update_page(st, p(0), body),
        Op::DeletePage => delete_page(st, p(0)),

        Op::ListComponents => list_components(st, p(0), query, false),
        Op::ListComponentTree => list_components(st, p(0), query, true),
        Op::GetComponent => get_component(st, p(0), p(1)),
        Op::CreateComponent => create_component(st, p(0), body),
        Op::UpdateComponent => update_component(st, p(0), p(1), body),
        Op::DeleteComponent => delete_component(st, p(0), p(1)),

        Op::ListIncidents => list_incidents(st, p(0), query),
        Op::GetIncident => get_incident(st, p(0), p(1)),
        Op::CreateIncident => create_incident(st, p(0), body),
        Op::CreateIncidentFromTemplate => create_incident_from_template(st, p(0), p(1)),
        Op::UpdateIncident => update_incident(st, p(0), p(1), body),
        Op::DeleteIncident => delete_incident(st, p(0), p(1)),
        Op::CreateIncidentUpdate => create_incident_update(st, p(0), p(1), body),
        Op::GetIncidentUpdate => get_incident_update(st, p(0), p(1), p(2)),
        Op::EditIncidentUpdate => edit_incident_update(st, p(0), p(1), p(2), body),
        Op::DeleteIncidentUpdate => delete_incident_update(st, p(0), p(1), p(2)),
        Op::ResolveIncidentWithTemplate => resolve_with_template(st, p(0), p(1), p(2)),

        Op::ListMaintenances => list_maintenances(st, p(0), query),
        Op::GetMaintenance => get_maintenance(st, p(0), p(1)),
        Op::CreateMaintenance => create_maintenance(st, p(0), body),
        Op::UpdateMaintenance => update_maintenance(st, p(0), p(1), body),
        Op::DeleteMaintenance => delete_maintenance(st, p(0), p(1)),
        Op::CreateMaintenanceUpdate => create_maintenance_update(st, p(0), p(1), body),
        Op::GetMaintenanceUpdate => get_maintenance_update(st, p(0), p(1), p(2)),
        Op::EditMaintenanceUpdate => edit_maintenance_update(st, p(0), p(1), p(2), body),
        Op::DeleteMaintenanceUpdate => delete_maintenance_update(st, p(0), p(1), p(2)),

        Op::ListSubscribers => list_subscribers(st, p(0), query),
        Op::AddSubscriber => add_subscriber(st, p(0), body),
        Op::RemoveSubscriber => remove_subscriber(st, p(0), p(1)),

        Op::ListTemplates => list_templates(st, p(0), query),
        Op::GetTemplate => get_template(st, p(0), p(1)),
        Op::CreateTemplate => create_template(st, p(0), body),
        Op::UpdateTemplate => update_template(st, p(0), p(1), body),
        Op::DeleteTemplate => delete_template(st, p(0), p(1)),

        Op::ListMetrics => list_metrics(st, p(0), query),
        Op::GetMetric => get_metric(st, p(0), p(1)),
        Op::CreateMetric => create_metric(st, p(0), body),
        Op::UpdateMetric => update_metric(st, p(0), p(1), body),
        Op::DeleteMetric => delete_metric(st, p(0), p(1)),
        Op::AddMetricDatapoint => add_datapoint(st, p(0), p(1), body),
        Op::AddMetricDatapoints => add_datapoints(st, p(0), p(1), body),
        Op::DeleteMetricDatapoints => delete_datapoints(st, p(0), p(1)),

        Op::ListTeam => list_team(st, p(0), query),
        Op::AddTeammate => add_teammate(st, p(0), body),
        Op::RemoveTeammate => remove_teammate(st, p(0), p(1)),

        Op::GetUser => Ok(get_user(st)),

        Op::PublicSummary => public_summary(st, query, host),
        Op::PublicComponents => public_components(st, query, host),
    }
}

fn page_idx(st: &State, id: &str) -> Result<usize, ApiError> {
    st.pages
        .iter()
        .position(|p| p.id == id)
        .ok_or_else(|| not_found("page", id))
}

fn page<'a>(st: &'a State, id: &str) -> Result<&'a Page, ApiError> {
    st.page(id).ok_or_else(|| not_found("page", id))
}

// ---------------------------------------------------------------------------------------------
// Pages

/// Settings accepted on create/update, with their kind: `s` string, `b` bool, `e` SMS service.
const PAGE_SETTINGS: &[(&str, char)] = &[
    ("logoUrl", 's'),
    ("faviconUrl", 's'),
    ("websiteUrl", 's'),
    ("customDomain", 's'),
    ("publicEmail", 's'),
    ("twitter", 's'),
    ("language", 's'),
    ("useLargeHeader", 'b'),
    ("brandColor", 's'),
    ("okColor", 's'),
    ("disruptedColor", 's'),
    ("degradedColor", 's'),
    ("downColor", 's'),
    ("noticeColor", 's'),
    ("unknownColor", 's'),
    ("googleAnalytics", 's'),
    ("subscribeBySms", 'b'),
    ("smsService", 'e'),
    ("htmlInMeta", 's'),
    ("htmlAboveHeader", 's'),
    ("htmlBelowHeader", 's'),
    ("htmlAboveFooter", 's'),
    ("htmlBelowFooter", 's'),
    ("htmlBelowSummary", 's'),
    ("cssGlobal", 's'),
    ("launchDate", 's'),
    ("dateFormat", 's'),
    ("dateFormatShort", 's'),
    ("timeFormat", 's'),
    ("private", 'b'),
    ("useAllowList", 'b'),
    ("onboarded", 'b'),
];

/// Defaults for settings whose spec type is not nullable.
fn page_setting_default(key: &str) -> Value {
    match key {
        "language" => json!("en"),
        "useLargeHeader" | "private" | "useAllowList" | "subscribeBySms" => json!(false),
        "onboarded" => json!(true),
        "brandColor" => json!("#111827"),
        "okColor" => json!("#33B17E"),
        "disruptedColor" => json!("#FF8C03"),
        "degradedColor" => json!("#ECC94B"),
        "downColor" => json!("#DC2626"),
        "noticeColor" => json!("#70808F"),
        "unknownColor" => json!("#D1D1D1"),
        "dateFormat" => json!("MMMM d, yyyy"),
        "dateFormatShort" => json!("MMM d"),
        "timeFormat" => json!("h:mm a"),
        _ => Value::Null,
    }
}

fn apply_page_settings(page: &mut Page, m: &Obj) -> Result<(), ApiError> {
    for (key, kind) in PAGE_SETTINGS {
        let Some(v) = m.get(*key) else { continue };
        let ok = match (kind, v) {
            (_, Value::Null) => true,
            ('s', Value::String(_)) | ('b', Value::Bool(_)) => true,
            ('e', Value::String(s)) => {
                check_enum(key, s, SMS_SERVICE)?;
                true
            }
            _ => false,
        };
        if !ok {
            let want = if *kind == 'b' {
                "a boolean"
            } else {
                "a string"
            };
            return Err(bad(format!("field '{key}' must be {want}")));
        }
        page.settings.insert((*key).to_owned(), v.clone());
    }
    Ok(())
}

/// A page setting as the API reports it: the stored value, or its default when unset or null.
pub(crate) fn setting(page: &Page, key: &str) -> Value {
    match page.settings.get(key) {
        Some(v) if !v.is_null() => v.clone(),
        _ => page_setting_default(key),
    }
}

/// Components that count for the page status: not archived, not groups.
fn status_components(page: &Page) -> impl Iterator<Item = &Component> {
    page.components
        .iter()
        .filter(|c| c.archived_at.is_none() && !c.is_parent)
}

/// How bad a component status is: 0 (operational) to 4 (major outage); unknown ones count as 2.
pub(crate) fn severity(status: &str) -> u8 {
    match status {
        "OPERATIONAL" => 0,
        "UNDERMAINTENANCE" => 1,
        "DEGRADEDPERFORMANCE" => 2,
        "PARTIALOUTAGE" => 3,
        "MAJOROUTAGE" => 4,
        _ => 2,
    }
}

/// `UP`, or `ONE`/`SOME`/`ALL` + the worst component status.
fn page_status(page: &Page) -> String {
    let total = status_components(page).count();
    let affected: Vec<&Component> = status_components(page)
        .filter(|c| c.status != "OPERATIONAL")
        .collect();
    let Some(worst) = affected.iter().max_by_key(|c| severity(&c.status)) else {
        return "UP".into();
    };
    let scope = if affected.len() == total {
        "ALL"
    } else if affected.len() == 1 {
        "ONE"
    } else {
        "SOME"
    };
    format!("{scope}{}", worst.status)
}

fn render_page_list_item(page: &Page) -> Value {
    let mut v = json!({
        "id": page.id,
        "subdomain": page.subdomain,
        "name": page.name,
        "status": page_status(page),
        "workspaceId": page.workspace_id,
        "createdAt": page.created_at,
        "updatedAt": page.updated_at,
    });
    let obj = v.as_object_mut().expect("object");
    for key in [
        "logoUrl",
        "faviconUrl",
        "websiteUrl",
        "customDomain",
        "publicEmail",
        "twitter",
        "subscribeBySms",
        "language",
        "useLargeHeader",
        "brandColor",
        "okColor",
        "disruptedColor",
        "degradedColor",
        "downColor",
        "noticeColor",
        "unknownColor",
        "googleAnalytics",
        "smsService",
        "htmlInMeta",
        "htmlAboveHeader",
        "htmlBelowHeader",
        "htmlAboveFooter",
        "htmlBelowFooter",
        "htmlBelowSummary",
        "launchDate",
        "cssGlobal",
        "onboarded",
    ] {
        obj.insert(key.to_owned(), setting(page, key));
    }
    v
}

/// The page per `StatusPageResponse` (create and update answers).
fn render_page_response(page: &Page) -> Value {
    let mut v = json!({
        "id": page.id,
        "createdAt": page.created_at,
        "updatedAt": page.updated_at,
        "subdomain": page.subdomain,
        "name": page.name,
        "status": page_status(page),
        "color": null,
        "disableDarkMode": false,
        "allowList": [],
        "workspaceId": page.workspace_id,
        "components": sorted_components(page)
            .into_iter()
            .map(|c| render_component(page, c, true))
            .collect::<Vec<_>>(),
        "translations": {},
    });
    let obj = v.as_object_mut().expect("object");
    for key in [
        "logoUrl",
        "faviconUrl",
        "websiteUrl",
        "language",
        "googleAnalytics",
        "publicEmail",
        "customDomain",
        "useLargeHeader",
        "twitter",
        "subscribeBySms",
        "brandColor",
        "okColor",
        "disruptedColor",
        "downColor",
        "degradedColor",
        "noticeColor",
        "htmlInMeta",
        "htmlAboveHeader",
        "htmlBelowHeader",
        "htmlAboveFooter",
        "htmlBelowFooter",
        "htmlBelowSummary",
        "cssGlobal",
        "onboarded",
        "launchDate",
        "dateFormat",
        "dateFormatShort",
        "timeFormat",
        "private",
        "useAllowList",
    ] {
        obj.insert(key.to_owned(), setting(page, key));
    }
    v
}

fn list_pages(st: &State, query: &str) -> Value {
    Value::Array(paginate(
        st.pages.iter().map(render_page_list_item).collect(),
        query,
    ))
}

fn valid_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn create_page(st: &mut State, body: &[u8]) -> R {
    let m = parse_obj(body)?;
    missing(&["email", "name", "subdomain", "components"], &m)?;
    let email = req_str(&m, "email")?;
    let name = req_str(&m, "name")?;
    let subdomain = req_str(&m, "subdomain")?;
    let components = opt_str_list(&m, "components")?.unwrap_or_default();
    if !valid_subdomain(&subdomain) {
        return Err(bad(format!(
            "invalid value '{subdomain}' for field 'subdomain'; use lower-case letters, digits and '-'"
        )));
    }
    if st.pages.iter().any(|p| p.subdomain == subdomain) {
        return Err(bad(format!("subdomain '{subdomain}' is already taken")));
    }
    if let Some(ws) = opt_str(&m, "workspace")? {
        if !st.pages.iter().any(|p| p.workspace_id == ws) {
            return Err(bad(format!("workspace {ws} not found")));
        }
    }
    // Settings are checked on a draft first so a bad one leaves no half-made page behind.
    let mut draft = Page::new(String::new(), &subdomain, &name, &email, String::new(), "");
    apply_page_settings(&mut draft, &m)?;
    let now = time::now_str();
    let id = st.add_page(&subdomain, &name, &email, &now);
    if let Some(ws) = opt_str(&m, "workspace")? {
        if let Some(p) = st.page_mut(&id) {
            p.workspace_id = ws;
        }
    }
    for cname in components {
        let cid = st.new_id();
        let pg = st.page_mut(&id).expect("just created");
        let order = pg.components.len() as i64 + 1;
        let c = new_component(pg, cid, cname, String::new(), order, None, &now);
        pg.components.push(c);
    }
    let pg = st.page_mut(&id).expect("just created");
    pg.settings = draft.settings;
    Ok(render_page_response(pg))
}

fn update_page(st: &mut State, page_id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let m = parse_obj(body)?;
    let name = opt_str(&m, "name")?;
    let subdomain = opt_str(&m, "subdomain")?;
    let _ = opt_enum(
        &m,
        "status",
        &[
            "UP",
            "HASISSUES",
            "ALLUNDERMAINTENANCE",
            "ALLDEGRADEDPERFORMANCE",
            "ALLPARTIALOUTAGE",
            "ALLMINOROUTAGE",
            "ALLMAJOROUTAGE",
            "SOMEUNDERMAINTENANCE",
            "SOMEDEGRADEDPERFORMANCE",
            "SOMEPARTIALOUTAGE",
            "SOMEMINOROUTAGE",
            "SOMEMAJOROUTAGE",
            "ONEUNDERMAINTENANCE",
            "ONEDEGRADEDPERFORMANCE",
            "ONEPARTIALOUTAGE",
            "ONEMINOROUTAGE",
            "ONEMAJOROUTAGE",
        ],
    )?;
    if let Some(s) = &subdomain {
        if !valid_subdomain(s) {
            return Err(bad(format!(
                "invalid value '{s}' for field 'subdomain'; use lower-case letters, digits and '-'"
            )));
        }
        if st
            .pages
            .iter()
            .any(|p| &p.subdomain == s && p.id != page_id)
        {
            return Err(bad(format!("subdomain '{s}' is already taken")));
        }
    }
    let pg = &mut st.pages[i];
    let mut settings = pg.clone();
    apply_page_settings(&mut settings, &m)?;
    pg.settings = settings.settings;
    if let Some(n) = name {
        pg.name = n;
    }
    if let Some(s) = subdomain {
        pg.subdomain = s;
    }
    pg.updated_at = time::now_str();
    let mut v = render_page_response(pg);
    // Quirk: the update answer gives `name` as a translations object.
    v["name"] = json!({"default": pg.name, "en": pg.name});
    Ok(v)
}

fn delete_page(st: &mut State, page_id: &str) -> R {
    let i = page_idx(st, page_id)?;
    st.pages.remove(i);
    Ok(json!({"id": page_id}))
}

// ---------------------------------------------------------------------------------------------
// Components

fn new_component(
    page: &Page,
    id: String,
    name: String,
    description: String,
    order: i64,
    group_id: Option<String>,
    now: &str,
) -> Component {
    let seed = id
        .bytes()
        .fold(0u64, |a, b| a.wrapping_mul(31).wrapping_add(b as u64));
    let unique_email = format!(
        "{}-{}-{}@automation.instatus.com",
        page.subdomain,
        slug(&name),
        b36_noise(mix(seed), 6)
    );
    Component {
        id,
        name,
        description,
        status: "OPERATIONAL".into(),
        order,
        show_uptime: true,
        group_id,
        is_parent: false,
        unique_email,
        archived_at: None,
        translations: json!({}),
        created_at: now.to_owned(),
        updated_at: now.to_owned(),
    }
}

/// Components by `order`, then creation.
pub(crate) fn sorted_components(page: &Page) -> Vec<&Component> {
    let mut v: Vec<(usize, &Component)> = page.components.iter().enumerate().collect();
    v.sort_by_key(|(i, c)| (c.order, *i));
    v.into_iter().map(|(_, c)| c).collect()
}

fn render_component(page: &Page, c: &Component, with_group: bool) -> Value {
    let mut v = json!({
        "id": c.id,
        "name": c.name,
        "nameTranslationId": null,
        "description": c.description,
        "descriptionTranslationId": null,
        "status": c.status,
        "uniqueEmail": c.unique_email,
        "order": c.order,
        "showUptime": c.show_uptime,
        "groupId": c.group_id,
        "isParent": c.is_parent,
        "isCollapsed": false,
        "createdAt": c.created_at,
        "updatedAt": c.updated_at,
        "archivedAt": c.archived_at,
        "siteId": page.id,
        "nameHtml": null,
        "nameHtmlTranslationId": null,
        "descriptionHtml": null,
        "descriptionHtmlTranslationId": null,
        "isThirdParty": false,
        "thirdPartyStatus": null,
        "thirdPartyComponentId": null,
        "thirdPartyComponentServiceId": null,
        "importedFromStatuspage": false,
        "startDate": null,
        "translations": or_empty(&c.translations),
    });
    if with_group {
        v["group"] = c
            .group_id
            .as_ref()
            .and_then(|g| page.components.iter().find(|x| &x.id == g))
            .map_or(Value::Null, |g| render_component(page, g, false));
    }
    v
}

fn list_components(st: &State, page_id: &str, query: &str, nested: bool) -> R {
    let pg = page(st, page_id)?;
    let sorted = sorted_components(pg);
    let items: Vec<Value> = if nested {
        sorted
            .iter()
            .filter(|c| c.group_id.is_none())
            .map(|c| {
                let mut v = render_component(pg, c, true);
                if c.is_parent {
                    v["children"] = Value::Array(
                        sorted
                            .iter()
                            .filter(|k| k.group_id.as_deref() == Some(&c.id))
                            .map(|k| render_component(pg, k, true))
                            .collect(),
                    );
                }
                v
            })
            .collect()
    } else {
        sorted
            .iter()
            .map(|c| render_component(pg, c, true))
            .collect()
    };
    Ok(Value::Array(paginate(items, query)))
}

fn component_idx(pg: &Page, id: &str) -> Result<usize, ApiError> {
    pg.components
        .iter()
        .position(|c| c.id == id)
        .ok_or_else(|| not_found("component", id))
}

fn get_component(st: &State, page_id: &str, id: &str) -> R {
    let pg = page(st, page_id)?;
    let c = &pg.components[component_idx(pg, id)?];
    Ok(render_component(pg, c, true))
}

/// The parent named by `group` / `groupId` (`Some(None)` = move to top level).
fn parent_field(m: &Obj, keys: &[&str]) -> Result<Option<Option<String>>, ApiError> {
    for key in keys {
        match m.get(*key) {
            None => continue,
            Some(Value::Null) => return Ok(Some(None)),
            Some(Value::String(s)) if s.is_empty() => return Ok(Some(None)),
            Some(Value::String(s)) => return Ok(Some(Some(s.clone()))),
            Some(_) => return Err(bad(format!("field '{key}' must be a component id or null"))),
        }
    }
    Ok(None)
}

fn check_parent(pg: &Page, parent: &str, child: Option<&str>) -> Result<(), ApiError> {
    let Some(p) = pg.components.iter().find(|c| c.id == parent) else {
        return Err(bad(format!(
            "invalid value '{parent}' for field 'group': no such component on this page"
        )));
    };
    if Some(parent) == child {
        return Err(bad("a component cannot be its own group"));
    }
    if p.group_id.is_some() {
        return Err(bad(format!(
            "component {parent} is inside a group and cannot be a group itself"
        )));
    }
    if let Some(child) = child {
        if pg
            .components
            .iter()
            .any(|c| c.group_id.as_deref() == Some(child))
        {
            return Err(bad(format!(
                "component {child} is a group with children and cannot be put in a group"
            )));
        }
    }
    Ok(())
}

fn next_order(pg: &Page, group: Option<&str>, skip: Option<&str>) -> i64 {
    pg.components
        .iter()
        .filter(|c| c.group_id.as_deref() == group && Some(c.id.as_str()) != skip)
        .map(|c| c.order)
        .max()
        .map_or(1, |o| o + 1)
}

fn create_component(st: &mut State, page_id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let m = parse_obj(body)?;
    let name = req_str(&m, "name")?;
    let description = opt_str(&m, "description")?.unwrap_or_default();
    let status = opt_enum(&m, "status", COMPONENT_STATUS)?;
    let order = opt_i64(&m, "order")?;
    let show_uptime = opt_bool(&m, "showUptime")?;
    let grouped = opt_bool(&m, "grouped")?;
    let archived = opt_bool(&m, "archived")?;
    let translations = opt_translations(&m)?;
    let parent = parent_field(&m, &["group", "groupId"])?.flatten();
    let parent = if grouped == Some(false) { None } else { parent };
    if let Some(p) = &parent {
        check_parent(&st.pages[i], p, None)?;
    }
    let id = st.new_id();
    let now = time::now_str();
    let pg = &mut st.pages[i];
    let order = order.unwrap_or_else(|| next_order(pg, parent.as_deref(), None));
    let mut c = new_component(pg, id, name, description, order, parent.clone(), &now);
    if let Some(s) = status {
        c.status = s;
    }
    if let Some(b) = show_uptime {
        c.show_uptime = b;
    }
    if archived == Some(true) {
        c.archived_at = Some(now.clone());
    }
    if let Some(t) = translations {
        c.translations = t;
    }
    if let Some(p) = &parent {
        if let Some(pc) = pg.components.iter_mut().find(|x| &x.id == p) {
            pc.is_parent = true;
            pc.updated_at = now.clone();
        }
    }
    pg.components.push(c);
    let c = pg.components.last().expect("pushed");
    Ok(render_component(pg, c, true))
}

fn update_component(st: &mut State, page_id: &str, id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let ci = component_idx(&st.pages[i], id)?;
    let m = parse_obj(body)?;
    let name = opt_str(&m, "name")?;
    let description = opt_str(&m, "description")?;
    let status = opt_enum(&m, "status", COMPONENT_STATUS)?;
    let order = opt_i64(&m, "order")?;
    let show_uptime = opt_bool(&m, "showUptime")?;
    let grouped = opt_bool(&m, "grouped")?;
    let archived = opt_bool(&m, "archived")?;
    let translations = opt_translations(&m)?;
    let mut parent = parent_field(&m, &["groupId", "group"])?;
    if grouped == Some(false) {
        parent = Some(None);
    }
    if let Some(Some(p)) = &parent {
        check_parent(&st.pages[i], p, Some(id))?;
    }
    let now = time::now_str();
    let pg = &mut st.pages[i];
    let moved_to = match &parent {
        Some(target) if *target != pg.components[ci].group_id => Some(target.clone()),
        _ => None,
    };
    let new_order = match (&moved_to, order) {
        (_, Some(o)) => Some(o),
        (Some(target), None) => Some(next_order(pg, target.as_deref(), Some(id))),
        (None, None) => None,
    };
    if let Some(Some(p)) = &moved_to {
        if let Some(pc) = pg.components.iter_mut().find(|x| &x.id == p) {
            pc.is_parent = true;
            pc.updated_at = now.clone();
        }
    }
    let c = &mut pg.components[ci];
    if let Some(n) = name {
        c.name = n;
    }
    if let Some(d) = description {
        c.description = d;
    }
    if let Some(s) = status {
        c.status = s;
    }
    if let Some(o) = new_order {
        c.order = o;
    }
    if let Some(b) = show_uptime {
        c.show_uptime = b;
    }
    match archived {
        Some(true) if c.archived_at.is_none() => c.archived_at = Some(now.clone()),
        Some(false) => c.archived_at = None,
        _ => {}
    }
    if let Some(t) = translations {
        c.translations = t;
    }
    if let Some(target) = moved_to {
        c.group_id = target;
    }
    c.updated_at = now;
    let c = &pg.components[ci];
    Ok(render_component(pg, c, true))
}

fn delete_component(st: &mut State, page_id: &str, id: &str) -> R {
    let i = page_idx(st, page_id)?;
    let ci = component_idx(&st.pages[i], id)?;
    let pg = &mut st.pages[i];
    pg.components.remove(ci);
    let now = time::now_str();
    for c in pg.components.iter_mut() {
        if c.group_id.as_deref() == Some(id) {
            c.group_id = None;
            c.updated_at = now.clone();
        }
    }
    Ok(json!({"id": id}))
}

fn set_component_status(pg: &mut Page, id: &str, status: &str, now: &str) {
    if let Some(c) = pg.components.iter_mut().find(|c| c.id == id) {
        if c.status != status {
            c.status = status.to_owned();
            c.updated_at = now.to_owned();
        }
    }
}

/// Checks `components` exist and every `statuses` id is among them.
fn check_affected(
    pg: &Page,
    components: &[String],
    statuses: &[(String, String)],
) -> Result<(), ApiError> {
    for c in components {
        if !pg.components.iter().any(|x| &x.id == c) {
            return Err(bad(format!(
                "invalid value '{c}' in field 'components': no such component on this page"
            )));
        }
    }
    for (id, _) in statuses {
        if !components.contains(id) {
            return Err(bad(format!(
                "component {id} in field 'statuses' must also be listed in 'components'"
            )));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Incidents

fn live_status(pg: &Page, id: &str) -> String {
    pg.components
        .iter()
        .find(|c| c.id == id)
        .map_or_else(|| "OPERATIONAL".to_owned(), |c| c.status.clone())
}

/// Sets the affected components: the listed ones keep their incident status, new ones take the
/// live status; then applies `statuses` to both the record and the live components.
fn apply_statuses(
    pg: &mut Page,
    affected: &mut Vec<(String, String)>,
    components: Option<&[String]>,
    statuses: &[(String, String)],
    now: &str,
) {
    if let Some(list) = components {
        let old = std::mem::take(affected);
        for id in list {
            let st = old
                .iter()
                .find(|(c, _)| c == id)
                .map_or_else(|| live_status(pg, id), |(_, s)| s.clone());
            if !affected.iter().any(|(c, _)| c == id) {
                affected.push((id.clone(), st));
            }
        }
    }
    for (id, status) in statuses {
        set_component_status(pg, id, status, now);
        match affected.iter_mut().find(|(c, _)| c == id) {
            Some(e) => e.1 = status.clone(),
            None => affected.push((id.clone(), status.clone())),
        }
    }
}

/// [`apply_statuses`] for a notice being created: its affected components are `components`.
fn new_affected(
    pg: &mut Page,
    components: &[String],
    statuses: &[(String, String)],
    now: &str,
) -> Vec<(String, String)> {
    let mut affected = Vec::new();
    apply_statuses(pg, &mut affected, Some(components), statuses, now);
    affected
}

/// The body fields incidents, maintenances and their updates share, each `None` when absent.
/// `message` is not among them: updating an incident does not take one.
struct NoticeFields {
    components: Option<Vec<String>>,
    started: Option<String>,
    status: Option<String>,
    notify: Option<bool>,
    /// Empty when absent.
    statuses: Vec<(String, String)>,
    translations: Option<Value>,
}

impl NoticeFields {
    /// Reads the fields, `status` checked against `allowed`; the start time is under
    /// `started_key` (`start` on a maintenance itself, `started` elsewhere).
    fn parse(m: &Obj, allowed: &[&str], started_key: &str) -> Result<NoticeFields, ApiError> {
        Ok(NoticeFields {
            components: opt_str_list(m, "components")?,
            started: opt_ts(m, started_key)?,
            status: opt_enum(m, "status", allowed)?,
            notify: opt_bool(m, "notify")?,
            statuses: opt_statuses(m, "statuses")?.unwrap_or_default(),
            translations: opt_translations(m)?,
        })
    }
}

/// [`NoticeFields`] of a request that must give a status and sets the rest in full: absent
/// `components` are none and an absent `notify` is false.
struct FullNoticeFields {
    components: Vec<String>,
    started: Option<String>,
    status: String,
    notify: bool,
    statuses: Vec<(String, String)>,
    translations: Option<Value>,
}

impl FullNoticeFields {
    /// As [`NoticeFields::parse`], then requires `status`.
    fn parse(m: &Obj, allowed: &[&str], started_key: &str) -> Result<FullNoticeFields, ApiError> {
        let given = NoticeFields::parse(m, allowed, started_key)?;
        Ok(FullNoticeFields {
            status: required_enum("status", given.status, allowed)?,
            components: given.components.unwrap_or_default(),
            started: given.started,
            notify: given.notify.unwrap_or(false),
            statuses: given.statuses,
            translations: given.translations,
        })
    }
}

/// Writes the fields a request gave onto an existing update.
fn edit_update(u: &mut NoticeUpdate, message: Option<String>, fields: NoticeFields, now: &str) {
    if let Some(x) = message {
        u.message = x;
    }
    if let Some(x) = fields.started {
        u.started = x;
    }
    if let Some(x) = fields.status {
        u.status = x;
    }
    if let Some(x) = fields.notify {
        u.notify = x;
    }
    if let Some(t) = fields.translations {
        u.translations = t;
    }
    u.updated_at = now.to_owned();
}

/// An existing incident or maintenance of a page, by index: the notices that record the
/// components they affect.
#[derive(Clone, Copy)]
enum Notice {
    Incident(usize),
    Maintenance(usize),
}

impl Notice {
    fn affected(self, pg: &Page) -> &Vec<(String, String)> {
        match self {
            Notice::Incident(i) => &pg.incidents[i].components,
            Notice::Maintenance(i) => &pg.maintenances[i].components,
        }
    }

    fn affected_mut(self, pg: &mut Page) -> &mut Vec<(String, String)> {
        match self {
            Notice::Incident(i) => &mut pg.incidents[i].components,
            Notice::Maintenance(i) => &mut pg.maintenances[i].components,
        }
    }

    /// `components` when a request lists them, else the ones this notice already affects.
    fn listed(self, pg: &Page, components: Option<&[String]>) -> Vec<String> {
        components.map_or_else(
            || self.affected(pg).iter().map(|(c, _)| c.clone()).collect(),
            <[String]>::to_vec,
        )
    }

    /// Checks an edit's `components` and `statuses` against the page, then applies them.
    fn edit_affected(
        self,
        pg: &mut Page,
        fields: &NoticeFields,
        now: &str,
    ) -> Result<(), ApiError> {
        let listed = self.listed(pg, fields.components.as_deref());
        check_affected(pg, &listed, &fields.statuses)?;
        self.apply_statuses(pg, fields.components.as_deref(), &fields.statuses, now);
        Ok(())
    }

    /// [`apply_statuses`] on this notice's affected components.
    fn apply_statuses(
        self,
        pg: &mut Page,
        components: Option<&[String]>,
        statuses: &[(String, String)],
        now: &str,
    ) {
        // Taken out while the page's live components change, then put back.
        let mut affected = std::mem::take(self.affected_mut(pg));
        apply_statuses(pg, &mut affected, components, statuses, now);
        *self.affected_mut(pg) = affected;
    }
}

fn impact(affected: &[(String, String)]) -> &'static str {
    let worst = affected.iter().map(|(_, s)| severity(s)).max().unwrap_or(0);
    match worst {
        4 => "MAJOROUTAGE",
        3 => "PARTIALOUTAGE",
        2 => "DEGRADEDPERFORMANCE",
        _ => "OPERATIONAL",
    }
}

fn site_brief(pg: &Page) -> Value {
    json!({
        "id": pg.id,
        "name": pg.name,
        "subdomain": pg.subdomain,
        "color": null,
        "logoUrl": setting(pg, "logoUrl"),
        "publicEmail": setting(pg, "publicEmail"),
    })
}

fn component_briefs(pg: &Page, affected: &[(String, String)]) -> Value {
    Value::Array(
        affected
            .iter()
            .filter_map(|(id, status)| {
                let c = pg.components.iter().find(|c| &c.id == id)?;
                Some(json!({
                    "id": c.id,
                    "name": c.name,
                    "status": status,
                    "showUptime": c.show_uptime,
                    "site": site_brief(pg),
                }))
            })
            .collect(),
    )
}

fn render_update(u: &NoticeUpdate) -> Value {
    json!({
        "id": u.id,
        "message": u.message,
        "messageHtml": message_html(&u.message),
        "status": u.status,
        "notify": u.notify,
        "started": u.started,
        "ended": u.ended,
        "duration": u.duration,
        "createdAt": u.created_at,
    })
}

fn render_incident(pg: &Page, inc: &Incident) -> Value {
    json!({
        "id": inc.id,
        "name": inc.name,
        "status": inc.status,
        "started": inc.started,
        "resolved": inc.resolved,
        "duration": inc.duration,
        "updates": inc.updates.iter().rev().map(render_update).collect::<Vec<_>>(),
        "components": component_briefs(pg, &inc.components),
        "impact": impact(&inc.components),
        "translations": or_empty(&inc.translations),
    })
}

fn incident_idx(pg: &Page, id: &str) -> Result<usize, ApiError> {
    pg.incidents
        .iter()
        .position(|x| x.id == id)
        .ok_or_else(|| not_found("incident", id))
}

fn list_incidents(st: &State, page_id: &str, query: &str) -> R {
    let pg = page(st, page_id)?;
    let csv = |name: &str| -> Result<Option<Vec<String>>, ApiError> {
        query_param(query, name)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| check_enum(name, &s.to_ascii_uppercase(), INCIDENT_STATUS))
                    .collect()
            })
            .transpose()
    };
    let include = csv("status")?;
    let exclude = csv("!status")?;
    let items = pg
        .incidents
        .iter()
        .filter(|i| include.as_ref().is_none_or(|s| s.contains(&i.status)))
        .filter(|i| exclude.as_ref().is_none_or(|s| !s.contains(&i.status)))
        .map(|i| render_incident(pg, i))
        .collect();
    Ok(Value::Array(paginate(items, query)))
}

fn get_incident(st: &State, page_id: &str, id: &str) -> R {
    let pg = page(st, page_id)?;
    Ok(render_incident(pg, &pg.incidents[incident_idx(pg, id)?]))
}

fn new_update(
    id: String,
    message: String,
    status: &str,
    notify: bool,
    started: String,
    now: &str,
) -> NoticeUpdate {
    NoticeUpdate {
        id,
        message,
        status: status.to_owned(),
        notify,
        started,
        ended: None,
        duration: None,
        translations: json!({}),
        created_at: now.to_owned(),
        updated_at: now.to_owned(),
    }
}

/// Sets or clears `resolved` / `duration` after a status change.
fn settle_incident(inc: &mut Incident, at: &str) {
    if inc.status == "RESOLVED" {
        if inc.resolved.is_none() {
            inc.resolved = Some(at.to_owned());
        }
        inc.duration = inc
            .resolved
            .as_deref()
            .and_then(|r| time::minutes_between(&inc.started, r));
    } else {
        inc.resolved = None;
        inc.duration = None;
    }
}

fn create_incident(st: &mut State, page_id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let m = parse_obj(body)?;
    missing(&["name", "status"], &m)?;
    let name = req_str(&m, "name")?;
    let message = opt_str(&m, "message")?.unwrap_or_default();
    let fields = FullNoticeFields::parse(&m, INCIDENT_STATUS, "started")?;
    let should_publish = opt_bool(&m, "shouldPublish")?.unwrap_or(true);
    check_affected(&st.pages[i], &fields.components, &fields.statuses)?;
    let id = st.new_id();
    let uid = st.new_id();
    let now = time::now_str();
    let started = fields.started.unwrap_or_else(|| now.clone());
    let pg = &mut st.pages[i];
    let affected = new_affected(pg, &fields.components, &fields.statuses, &now);
    let first = new_update(
        uid,
        message,
        &fields.status,
        fields.notify,
        started.clone(),
        &now,
    );
    let mut inc = Incident {
        id,
        name,
        status: fields.status,
        started,
        resolved: None,
        duration: None,
        notify: fields.notify,
        should_publish,
        components: affected,
        updates: vec![first],
        translations: fields.translations.unwrap_or_else(|| json!({})),
        created_at: now.clone(),
        updated_at: now.clone(),
    };
    settle_incident(&mut inc, &now);
    pg.incidents.push(inc);
    Ok(render_incident(pg, pg.incidents.last().expect("pushed")))
}

fn update_incident(st: &mut State, page_id: &str, id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let ii = incident_idx(&st.pages[i], id)?;
    let m = parse_obj(body)?;
    let name = opt_str(&m, "name")?;
    let fields = NoticeFields::parse(&m, INCIDENT_STATUS, "started")?;
    let pg = &mut st.pages[i];
    let now = time::now_str();
    Notice::Incident(ii).edit_affected(pg, &fields, &now)?;
    let inc = &mut pg.incidents[ii];
    if let Some(n) = name {
        inc.name = n;
    }
    if let Some(s) = fields.started {
        inc.started = s;
    }
    if let Some(s) = fields.status {
        inc.status = s;
    }
    if let Some(n) = fields.notify {
        inc.notify = n;
    }
    if let Some(t) = fields.translations {
        inc.translations = t;
    }
    inc.updated_at = now.clone();
    settle_incident(inc, &now);
    let inc = &pg.incidents[ii];
    Ok(render_incident(pg, inc))
}

fn delete_incident(st: &mut State, page_id: &str, id: &str) -> R {
    let i = page_idx(st, page_id)?;
    let ii = incident_idx(&st.pages[i], id)?;
    st.pages[i].incidents.remove(ii);
    Ok(json!({"id": id}))
}

fn render_incident_update_detailed(pg: &Page, inc: &Incident, u: &NoticeUpdate) -> Value {
    json!({
        "id": u.id,
        "message": u.message,
        "messageHtml": message_html(&u.message),
        "status": u.status,
        "notify": u.notify,
        "started": u.started,
        "incident": {
            "id": inc.id,
            "name": inc.name,
            "started": inc.started,
            "status": inc.status,
            "components": component_briefs(pg, &inc.components),
        },
        "translations": or_empty(&u.translations),
    })
}

/// Adds an update moving the incident to `status`; returns the update's index.
#[allow(clippy::too_many_arguments)]
fn push_incident_update(
    st: &mut State,
    i: usize,
    ii: usize,
    message: String,
    status: String,
    notify: bool,
    started: Option<String>,
    components: Option<&[String]>,
    statuses: &[(String, String)],
    translations: Option<Value>,
) -> usize {
    let uid = st.new_id();
    let now = time::now_str();
    let started = started.unwrap_or_else(|| now.clone());
    let pg = &mut st.pages[i];
    Notice::Incident(ii).apply_statuses(pg, components, statuses, &now);
    let inc = &mut pg.incidents[ii];
    let mut u = new_update(uid, message, &status, notify, started.clone(), &now);
    if let Some(t) = translations {
        u.translations = t;
    }
    let was_resolved = inc.status == "RESOLVED";
    inc.status = status;
    if inc.status == "RESOLVED" && !was_resolved {
        inc.resolved = Some(started.clone());
    }
    settle_incident(inc, &started);
    if inc.status == "RESOLVED" {
        u.ended = inc.resolved.clone();
        u.duration = inc.duration;
    }
    inc.updated_at = now;
    inc.updates.push(u);
    inc.updates.len() - 1
}

fn create_incident_update(st: &mut State, page_id: &str, inc_id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let ii = incident_idx(&st.pages[i], inc_id)?;
    let m = parse_obj(body)?;
    missing(&["status", "components", "statuses"], &m)?;
    let message = opt_str(&m, "message")?.unwrap_or_default();
    let fields = FullNoticeFields::parse(&m, INCIDENT_STATUS, "started")?;
    check_affected(&st.pages[i], &fields.components, &fields.statuses)?;
    let list = (!fields.components.is_empty()).then_some(fields.components.as_slice());
    let ui = push_incident_update(
        st,
        i,
        ii,
        message,
        fields.status,
        fields.notify,
        fields.started,
        list,
        &fields.statuses,
        fields.translations,
    );
    let pg = &st.pages[i];
    let inc = &pg.incidents[ii];
    Ok(render_incident_update_detailed(pg, inc, &inc.updates[ui]))
}

fn update_idx(updates: &[NoticeUpdate], kind: &str, id: &str) -> Result<usize, ApiError> {
    updates
        .iter()
        .position(|u| u.id == id)
        .ok_or_else(|| not_found(kind, id))
}

fn get_incident_update(st: &State, page_id: &str, inc_id: &str, id: &str) -> R {
    let pg = page(st, page_id)?;
    let inc = &pg.incidents[incident_idx(pg, inc_id)?];
    let u = &inc.updates[update_idx(&inc.updates, "incident update", id)?];
    Ok(render_incident_update_detailed(pg, inc, u))
}

fn edit_incident_update(st: &mut State, page_id: &str, inc_id: &str, id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let ii = incident_idx(&st.pages[i], inc_id)?;
    let ui = update_idx(&st.pages[i].incidents[ii].updates, "incident update", id)?;
    let m = parse_obj(body)?;
    let message = opt_str(&m, "message")?;
    let fields = NoticeFields::parse(&m, INCIDENT_STATUS, "started")?;
    let pg = &mut st.pages[i];
    let now = time::now_str();
    Notice::Incident(ii).edit_affected(pg, &fields, &now)?;
    let inc = &mut pg.incidents[ii];
    let latest = ui + 1 == inc.updates.len();
    let status = fields.status.clone();
    edit_update(&mut inc.updates[ui], message, fields, &now);
    // Only the latest update's status is the incident's.
    if latest {
        if let Some(s) = status {
            let at = inc.updates[ui].started.clone();
            inc.status = s;
            settle_incident(inc, &at);
        }
    }
    let pg = &st.pages[i];
    let inc = &pg.incidents[ii];
    Ok(render_incident_update_detailed(pg, inc, &inc.updates[ui]))
}

fn delete_incident_update(st: &mut State, page_id: &str, inc_id: &str, id: &str) -> R {
    let i = page_idx(st, page_id)?;
    let ii = incident_idx(&st.pages[i], inc_id)?;
    let inc = &mut st.pages[i].incidents[ii];
    let ui = update_idx(&inc.updates, "incident update", id)?;
    inc.updates.remove(ui);
    Ok(json!({"id": id}))
}

fn template_idx(pg: &Page, key: &str) -> Result<usize, ApiError> {
    pg.templates
        .iter()
        .position(|t| t.id == key)
        .or_else(|| pg.templates.iter().position(|t| t.name == key))
        .ok_or_else(|| not_found("template", key))
}

fn create_incident_from_template(st: &mut State, page_id: &str, key: &str) -> R {
    let i = page_idx(st, page_id)?;
    let ti = template_idx(&st.pages[i], key)?;
    let t = st.pages[i].templates[ti].clone();
    if !INCIDENT_STATUS.contains(&t.status.as_str()) {
        return Err(bad(format!(
            "template {} has status {}, which is not an incident status ({})",
            t.id,
            t.status,
            INCIDENT_STATUS.join(", ")
        )));
    }
    let components: Vec<String> = t
        .components
        .iter()
        .map(|c| c.component_id.clone())
        .filter(|c| st.pages[i].components.iter().any(|x| &x.id == c))
        .collect();
    let statuses: Vec<(String, String)> = t
        .components
        .iter()
        .filter(|c| components.contains(&c.component_id))
        .map(|c| (c.component_id.clone(), c.status.clone()))
        .collect();
    let id = st.new_id();
    let uid = st.new_id();
    let now = time::now_str();
    let pg = &mut st.pages[i];
    let affected = new_affected(pg, &components, &statuses, &now);
    let mut inc = Incident {
        id,
        name: t.name.clone(),
        status: t.status.clone(),
        started: now.clone(),
        resolved: None,
        duration: None,
        notify: t.notify,
        should_publish: true,
        components: affected,
        updates: vec![new_update(
            uid,
            t.message.clone(),
            &t.status,
            t.notify,
            now.clone(),
            &now,
        )],
        translations: json!({}),
        created_at: now.clone(),
        updated_at: now.clone(),
    };
    settle_incident(&mut inc, &now);
    pg.incidents.push(inc);
    let inc = pg.incidents.last().expect("pushed");
    Ok(json!({
        "id": inc.id,
        "name": inc.name,
        "nameTranslationId": null,
        "notify": inc.notify,
        "status": inc.status,
        "started": inc.started,
        "resolved": inc.resolved,
        "duration": inc.duration,
        "createdAt": inc.created_at,
        "updatedAt": inc.updated_at,
        "automated": false,
        "impact": impact(&inc.components),
        "appId": null,
        "updates": inc.updates.iter().rev()
            .map(|u| render_incident_update_detailed(pg, inc, u))
            .collect::<Vec<_>>(),
        "siteId": pg.id,
        "importedFromStatuspage": false,
    }))
}

fn resolve_with_template(st: &mut State, page_id: &str, inc_id: &str, key: &str) -> R {
    let i = page_idx(st, page_id)?;
    let ii = incident_idx(&st.pages[i], inc_id)?;
    let ti = template_idx(&st.pages[i], key)?;
    let t = st.pages[i].templates[ti].clone();
    let status = if INCIDENT_STATUS.contains(&t.status.as_str()) {
        t.status.clone()
    } else {
        "RESOLVED".to_owned()
    };
    let statuses: Vec<(String, String)> = t
        .components
        .iter()
        .filter(|c| {
            st.pages[i]
                .components
                .iter()
                .any(|x| x.id == c.component_id)
        })
        .map(|c| (c.component_id.clone(), c.status.clone()))
        .collect();
    let ui = push_incident_update(
        st,
        i,
        ii,
        t.message.clone(),
        status,
        t.notify,
        None,
        None,
        &statuses,
        None,
    );
    let inc = &st.pages[i].incidents[ii];
    let u = &inc.updates[ui];
    Ok(json!({
        "id": u.id,
        "message": u.message,
        "messageTranslationId": null,
        "status": u.status,
        "notify": u.notify,
        "started": u.started,
        "ended": u.ended,
        "duration": u.duration,
        "createdAt": u.created_at,
        "updatedAt": u.updated_at,
        "incidentId": inc.id,
        "messageHtml": message_html(&u.message),
        "messageHtmlTranslationId": null,
        "importedFromStatuspage": false,
    }))
}

// ---------------------------------------------------------------------------------------------
// Maintenances

fn render_maintenance(pg: &Page, m: &Maintenance) -> Value {
    json!({
        "id": m.id,
        "name": m.name,
        "status": m.status,
        "start": m.start,
        "duration": m.duration,
        "notifyStart": m.notify_start,
        "notifyEnd": m.notify_end,
        "notifyEarly": m.notify_early,
        "notifyMinutes": m.notify_minutes,
        "autoStart": m.auto_start,
        "autoEnd": m.auto_end,
        "updates": m.updates.iter().rev().map(render_update).collect::<Vec<_>>(),
        "components": component_briefs(pg, &m.components),
        "translations": or_empty(&m.translations),
    })
}

fn maintenance_idx(pg: &Page, id: &str) -> Result<usize, ApiError> {
    pg.maintenances
        .iter()
        .position(|x| x.id == id)
        .ok_or_else(|| not_found("maintenance", id))
}

/// The component statuses a maintenance status implies, overridden by explicit `statuses`.
fn maintenance_statuses(
    status: &str,
    components: &[String],
    statuses: &[(String, String)],
) -> Vec<(String, String)> {
    let implied = match status {
        "INPROGRESS" => Some("UNDERMAINTENANCE"),
        "COMPLETED" => Some("OPERATIONAL"),
        _ => None,
    };
    let mut out: Vec<(String, String)> = statuses.to_vec();
    if let Some(implied) = implied {
        for c in components {
            if !out.iter().any(|(id, _)| id == c) {
                out.push((c.clone(), implied.to_owned()));
            }
        }
    }
    out
}

fn list_maintenances(st: &State, page_id: &str, query: &str) -> R {
    let pg = page(st, page_id)?;
    let items = pg
        .maintenances
        .iter()
        .map(|m| render_maintenance(pg, m))
        .collect();
    Ok(Value::Array(paginate(items, query)))
}

fn get_maintenance(st: &State, page_id: &str, id: &str) -> R {
    let pg = page(st, page_id)?;
    Ok(render_maintenance(
        pg,
        &pg.maintenances[maintenance_idx(pg, id)?],
    ))
}

fn window_minutes(start: &str, end: Option<&str>, duration: Option<i64>) -> Option<i64> {
    duration.or_else(|| end.and_then(|e| time::minutes_between(start, e)))
}

fn create_maintenance(st: &mut State, page_id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let m = parse_obj(body)?;
    missing(
        &[
            "name",
            "components",
            "status",
            "start",
            "end",
            "notify",
            "notifyStart",
            "notifyEnd",
            "notifyEarly",
            "autoStart",
            "autoEnd",
        ],
        &m,
    )?;
    let name = req_str(&m, "name")?;
    let message = opt_str(&m, "message")?.unwrap_or_default();
    let fields = FullNoticeFields::parse(&m, MAINTENANCE_STATUS, "start")?;
    let start = fields.started.unwrap_or_default();
    let end = opt_ts(&m, "end")?;
    let duration = opt_i64(&m, "duration")?;
    let notify_start = opt_bool(&m, "notifyStart")?.unwrap_or(false);
    let notify_end = opt_bool(&m, "notifyEnd")?.unwrap_or(false);
    let notify_early = opt_bool(&m, "notifyEarly")?.unwrap_or(false);
    let notify_minutes = opt_i64(&m, "notifyMinutes")?.unwrap_or(60);
    let auto_start = opt_bool(&m, "autoStart")?.unwrap_or(false);
    let auto_end = opt_bool(&m, "autoEnd")?.unwrap_or(false);
    opt_bool(&m, "isCollapsed")?;
    opt_ts(&m, "expandAt")?;
    if let (Some(e), true) = (&end, duration.is_none()) {
        if time::parse_str(e) < time::parse_str(&start) {
            return Err(bad("field 'end' must not be before 'start'"));
        }
    }
    check_affected(&st.pages[i], &fields.components, &fields.statuses)?;
    let id = st.new_id();
    let uid = st.new_id();
    let now = time::now_str();
    let pg = &mut st.pages[i];
    let effective = maintenance_statuses(&fields.status, &fields.components, &fields.statuses);
    let affected = new_affected(pg, &fields.components, &effective, &now);
    let first = new_update(
        uid,
        message,
        &fields.status,
        fields.notify,
        now.clone(),
        &now,
    );
    let mt = Maintenance {
        id,
        name,
        status: fields.status,
        duration: window_minutes(&start, end.as_deref(), duration),
        start: start.clone(),
        notify: fields.notify,
        notify_start,
        notify_end,
        notify_early,
        notify_minutes,
        auto_start,
        auto_end,
        components: affected,
        updates: vec![first],
        translations: fields.translations.unwrap_or_else(|| json!({})),
        created_at: now.clone(),
        updated_at: now,
    };
    pg.maintenances.push(mt);
    Ok(render_maintenance(
        pg,
        pg.maintenances.last().expect("pushed"),
    ))
}

fn update_maintenance(st: &mut State, page_id: &str, id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let mi = maintenance_idx(&st.pages[i], id)?;
    let m = parse_obj(body)?;
    missing(
        &[
            "message",
            "components",
            "start",
            "end",
            "status",
            "notify",
            "statuses",
            "duration",
            "autoStart",
            "autoEnd",
        ],
        &m,
    )?;
    let name = opt_str(&m, "name")?;
    // Checked, though a maintenance keeps no message of its own.
    opt_str(&m, "message")?;
    let fields = FullNoticeFields::parse(&m, MAINTENANCE_STATUS, "start")?;
    let start = fields.started.unwrap_or_default();
    let end = opt_ts(&m, "end")?;
    let duration = opt_i64(&m, "duration")?;
    let auto_start = opt_bool(&m, "autoStart")?.unwrap_or(false);
    let auto_end = opt_bool(&m, "autoEnd")?.unwrap_or(false);
    check_affected(&st.pages[i], &fields.components, &fields.statuses)?;
    let now = time::now_str();
    let pg = &mut st.pages[i];
    let effective = maintenance_statuses(&fields.status, &fields.components, &fields.statuses);
    Notice::Maintenance(mi).apply_statuses(pg, Some(&fields.components), &effective, &now);
    let mt = &mut pg.maintenances[mi];
    if let Some(n) = name {
        mt.name = n;
    }
    mt.start = start.clone();
    mt.duration = window_minutes(&start, end.as_deref(), duration);
    mt.status = fields.status;
    mt.notify = fields.notify;
    mt.auto_start = auto_start;
    mt.auto_end = auto_end;
    if let Some(t) = fields.translations {
        mt.translations = t;
    }
    mt.updated_at = now;
    let mt = &pg.maintenances[mi];
    Ok(render_maintenance(pg, mt))
}

fn delete_maintenance(st: &mut State, page_id: &str, id: &str) -> R {
    let i = page_idx(st, page_id)?;
    let mi = maintenance_idx(&st.pages[i], id)?;
    st.pages[i].maintenances.remove(mi);
    Ok(json!({"id": id}))
}

fn render_maintenance_update_detailed(pg: &Page, mt: &Maintenance, u: &NoticeUpdate) -> Value {
    json!({
        "id": u.id,
        "message": u.message,
        "messageHtml": message_html(&u.message),
        "notify": u.notify,
        "started": u.started,
        "status": u.status,
        "maintenance": {
            "id": mt.id,
            "name": mt.name,
            "start": mt.start,
            "status": mt.status,
            "components": component_briefs(pg, &mt.components),
        },
        "translations": or_empty(&u.translations),
    })
}

fn create_maintenance_update(st: &mut State, page_id: &str, mt_id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let mi = maintenance_idx(&st.pages[i], mt_id)?;
    let m = parse_obj(body)?;
    let message = opt_str(&m, "message")?.unwrap_or_default();
    let fields = FullNoticeFields::parse(&m, MAINTENANCE_STATUS, "started")?;
    let end = opt_ts(&m, "end")?;
    let notice = Notice::Maintenance(mi);
    // An empty list, like none, keeps the components the maintenance already affects.
    let given = (!fields.components.is_empty()).then_some(fields.components.as_slice());
    let listed = notice.listed(&st.pages[i], given);
    check_affected(&st.pages[i], &listed, &fields.statuses)?;
    let uid = st.new_id();
    let now = time::now_str();
    let started = fields.started.unwrap_or_else(|| now.clone());
    let pg = &mut st.pages[i];
    let effective = maintenance_statuses(&fields.status, &listed, &fields.statuses);
    notice.apply_statuses(pg, Some(&listed), &effective, &now);
    let mt = &mut pg.maintenances[mi];
    mt.status = fields.status.clone();
    if let Some(e) = end {
        mt.duration = time::minutes_between(&mt.start, &e);
    }
    let mut u = new_update(uid, message, &fields.status, fields.notify, started, &now);
    if let Some(t) = fields.translations {
        u.translations = t;
    }
    mt.updates.push(u);
    mt.updated_at = now;
    let mt = &pg.maintenances[mi];
    Ok(render_maintenance_update_detailed(
        pg,
        mt,
        mt.updates.last().expect("pushed"),
    ))
}

fn get_maintenance_update(st: &State, page_id: &str, mt_id: &str, id: &str) -> R {
    let pg = page(st, page_id)?;
    let mt = &pg.maintenances[maintenance_idx(pg, mt_id)?];
    let u = &mt.updates[update_idx(&mt.updates, "maintenance update", id)?];
    Ok(render_maintenance_update_detailed(pg, mt, u))
}

fn edit_maintenance_update(st: &mut State, page_id: &str, mt_id: &str, id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let mi = maintenance_idx(&st.pages[i], mt_id)?;
    let ui = update_idx(
        &st.pages[i].maintenances[mi].updates,
        "maintenance update",
        id,
    )?;
    let m = parse_obj(body)?;
    let message = opt_str(&m, "message")?;
    let fields = NoticeFields::parse(&m, MAINTENANCE_STATUS, "started")?;
    let end = opt_ts(&m, "end")?;
    let notice = Notice::Maintenance(mi);
    let listed = notice.listed(&st.pages[i], fields.components.as_deref());
    check_affected(&st.pages[i], &listed, &fields.statuses)?;
    let now = time::now_str();
    let pg = &mut st.pages[i];
    let latest = ui + 1 == pg.maintenances[mi].updates.len();
    let effective = match (&fields.status, latest) {
        (Some(s), true) => maintenance_statuses(s, &listed, &fields.statuses),
        _ => fields.statuses.clone(),
    };
    notice.apply_statuses(pg, fields.components.as_deref(), &effective, &now);
    let mt = &mut pg.maintenances[mi];
    if let Some(e) = end {
        mt.duration = time::minutes_between(&mt.start, &e);
    }
    if let (Some(s), true) = (&fields.status, latest) {
        mt.status = s.clone();
    }
    edit_update(&mut mt.updates[ui], message, fields, &now);
    let mt = &pg.maintenances[mi];
    Ok(render_maintenance_update_detailed(pg, mt, &mt.updates[ui]))
}

fn delete_maintenance_update(st: &mut State, page_id: &str, mt_id: &str, id: &str) -> R {
    let i = page_idx(st, page_id)?;
    let mi = maintenance_idx(&st.pages[i], mt_id)?;
    let mt = &mut st.pages[i].maintenances[mi];
    let ui = update_idx(&mt.updates, "maintenance update", id)?;
    mt.updates.remove(ui);
    Ok(json!({"id": id}))
}

// ---------------------------------------------------------------------------------------------
// Subscribers

fn list_subscribers(st: &State, page_id: &str, query: &str) -> R {
    let pg = page(st, page_id)?;
    let search = query_param(query, "search")
        .map(|s| s.to_lowercase())
        .filter(|s| !s.is_empty());
    let matches = |s: &Subscriber| {
        search.as_ref().is_none_or(|q| {
            [&s.email, &s.phone]
                .iter()
                .any(|f| f.as_ref().is_some_and(|v| v.to_lowercase().contains(q)))
        })
    };
    let items = pg
        .subscribers
        .iter()
        .filter(|s| matches(s))
        .map(|s| {
            json!({
                "id": s.id,
                "email": s.email,
                "phone": s.phone,
                "webhook": s.webhook,
                "webhookEmail": s.webhook_email,
                "confirmed": s.confirmed,
                "all": s.all,
                "components": s.components,
            })
        })
        .collect();
    Ok(Value::Array(paginate(items, query)))
}

fn add_subscriber(st: &mut State, page_id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let m = parse_obj(body)?;
    let email = opt_str(&m, "email")?.filter(|s| !s.is_empty());
    let phone = opt_str(&m, "phone")?.filter(|s| !s.is_empty());
    let webhook = opt_str(&m, "webhook")?.filter(|s| !s.is_empty());
    let webhook_email = opt_str(&m, "webhookEmail")?;
    let all = opt_bool(&m, "all")?;
    let auto_confirm = opt_bool(&m, "autoConfirm")?.unwrap_or(false);
    let components = opt_str_list(&m, "components")?.unwrap_or_default();
    let language = opt_str(&m, "language")?.unwrap_or_else(|| "en".into());
    let given = [email.is_some(), phone.is_some(), webhook.is_some()]
        .iter()
        .filter(|b| **b)
        .count();
    if given != 1 {
        return Err(bad(
            "exactly one of the fields 'email', 'phone' or 'webhook' is required",
        ));
    }
    if let Some(e) = &email {
        if !e.contains('@') {
            return Err(bad(format!(
                "invalid value '{e}' for field 'email': not an email address"
            )));
        }
    }
    let pg = &st.pages[i];
    for c in &components {
        if !pg.components.iter().any(|x| &x.id == c) {
            return Err(bad(format!(
                "invalid value '{c}' in field 'components': no such component on this page"
            )));
        }
    }
    let dup = pg.subscribers.iter().any(|s| {
        (email.is_some()
            && s.email.as_deref().map(str::to_lowercase) == email.as_deref().map(str::to_lowercase))
            || (phone.is_some() && s.phone == phone)
            || (webhook.is_some() && s.webhook == webhook)
    });
    if dup {
        let what = email
            .as_deref()
            .or(phone.as_deref())
            .or(webhook.as_deref())
            .unwrap_or("");
        return Err(ApiError::new(
            400,
            "already_subscribed",
            format!("{what} is already subscribed to this page"),
        ));
    }
    let id = st.new_id();
    let token = b36_noise(mix(st.next_id ^ 0x5eed), 24);
    let now = time::now_str();
    let all = all.unwrap_or(components.is_empty());
    let s = Subscriber {
        id,
        email,
        phone,
        webhook,
        webhook_email,
        confirmed: auto_confirm,
        all,
        components: if all { Vec::new() } else { components },
        language,
        unsubscribe_token: token,
        created_at: now.clone(),
        updated_at: now,
    };
    let pg = &mut st.pages[i];
    let v = json!({
        "id": s.id,
        "name": null,
        "email": s.email,
        "phone": s.phone,
        "confirmed": s.confirmed,
        "all": s.all,
        "createdAt": s.created_at,
        "updatedAt": s.updated_at,
        "siteId": pg.id,
        "unsubscribeToken": s.unsubscribe_token,
        "webhook": s.webhook,
        "webhookEmail": s.webhook_email,
        "discord": null,
        "discordTeam": null,
        "slack": null,
        "slackTeam": null,
        "language": s.language,
        "company": null,
        "microsoftTeamsWebhook": null,
        "googleChatWebhook": null,
        "googleChatSpace": null,
        "failedAttempts": 0,
        "approved": true,
        "importedFromStatuspage": false,
        "hideUnsubLink": false,
        "webhookIncidentBody": null,
        "webhookMaintenanceBody": null,
        "webhookComponentBody": null,
        "webhookHttpMethod": "POST",
        "webhookHeaders": null,
        "webhookQueryParams": null,
        "site": {"id": pg.id},
    });
    pg.subscribers.push(s);
    Ok(v)
}

fn remove_subscriber(st: &mut State, page_id: &str, id: &str) -> R {
    let i = page_idx(st, page_id)?;
    let pg = &mut st.pages[i];
    let si = pg
        .subscribers
        .iter()
        .position(|s| s.id == id)
        .ok_or_else(|| not_found("subscriber", id))?;
    let s = pg.subscribers.remove(si);
    Ok(json!({
        "id": s.id,
        "name": null,
        "email": s.email.unwrap_or_default(),
        "phone": s.phone,
        "webhook": s.webhook,
        "webhookEmail": s.webhook_email,
        "discord": null,
        "microsoftTeamsWebhook": null,
        "company": null,
        "site": {"id": pg.id},
    }))
}

// ---------------------------------------------------------------------------------------------
// Templates

fn render_template(pg: &Page, t: &Template) -> Value {
    json!({
        "id": t.id,
        "type": t.kind,
        "name": t.name,
        "nameTranslationId": null,
        "message": t.message,
        "messageTranslationId": null,
        "messageHtml": message_html(&t.message),
        "messageHtmlTranslationId": null,
        "status": t.status,
        "notify": t.notify,
        "createdAt": t.created_at,
        "siteId": pg.id,
        "importedFromStatuspage": false,
        "deletedAt": null,
        "origin": "MANUAL",
        "components": t.components.iter().map(|c| json!({
            "id": c.id,
            "status": c.status,
            "componentId": c.component_id,
            "templateId": t.id,
            "importedFromStatuspage": false,
        })).collect::<Vec<_>>(),
        "translations": or_empty(&t.translations),
    })
}

fn template_by_id(pg: &Page, id: &str) -> Result<usize, ApiError> {
    pg.templates
        .iter()
        .position(|t| t.id == id)
        .ok_or_else(|| not_found("template", id))
}

fn list_templates(st: &State, page_id: &str, query: &str) -> R {
    let pg = page(st, page_id)?;
    let items = pg
        .templates
        .iter()
        .map(|t| render_template(pg, t))
        .collect();
    Ok(Value::Array(paginate(items, query)))
}

fn get_template(st: &State, page_id: &str, id: &str) -> R {
    let pg = page(st, page_id)?;
    Ok(render_template(pg, &pg.templates[template_by_id(pg, id)?]))
}

fn template_components(
    st: &mut State,
    i: usize,
    m: &Obj,
) -> Result<Option<Vec<TemplateComponent>>, ApiError> {
    let Some(entries) = opt_statuses(m, "components")? else {
        return Ok(None);
    };
    for (c, _) in &entries {
        if !st.pages[i].components.iter().any(|x| &x.id == c) {
            return Err(bad(format!(
                "invalid value '{c}' in field 'components': no such component on this page"
            )));
        }
    }
    Ok(Some(
        entries
            .into_iter()
            .map(|(component_id, status)| TemplateComponent {
                id: st.new_id(),
                component_id,
                status,
            })
            .collect(),
    ))
}

fn create_template(st: &mut State, page_id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let m = parse_obj(body)?;
    missing(
        &[
            "type",
            "subdomain",
            "name",
            "message",
            "status",
            "notify",
            "components",
        ],
        &m,
    )?;
    let kind = req_enum(&m, "type", TEMPLATE_TYPE)?;
    let subdomain = req_str(&m, "subdomain")?;
    if subdomain != st.pages[i].subdomain {
        return Err(bad(format!(
            "invalid value '{subdomain}' for field 'subdomain': page {page_id} has subdomain '{}'",
            st.pages[i].subdomain
        )));
    }
    let name = req_str(&m, "name")?;
    let message = req_str(&m, "message")?;
    let status = req_enum(&m, "status", TEMPLATE_STATUS)?;
    let notify = opt_bool(&m, "notify")?.unwrap_or(false);
    let translations = opt_translations(&m)?;
    let id = st.new_id();
    let components = template_components(st, i, &m)?.unwrap_or_default();
    let t = Template {
        id,
        kind,
        name,
        message,
        status,
        notify,
        components,
        translations: translations.unwrap_or_else(|| json!({})),
        created_at: time::now_str(),
    };
    let pg = &mut st.pages[i];
    pg.templates.push(t);
    Ok(render_template(pg, pg.templates.last().expect("pushed")))
}

fn update_template(st: &mut State, page_id: &str, id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let ti = template_by_id(&st.pages[i], id)?;
    let m = parse_obj(body)?;
    let kind = opt_enum(&m, "type", TEMPLATE_TYPE)?;
    let name = opt_str(&m, "name")?;
    let message = opt_str(&m, "message")?;
    let status = opt_enum(&m, "status", TEMPLATE_STATUS)?;
    let notify = opt_bool(&m, "notify")?;
    let translations = opt_translations(&m)?;
    let components = template_components(st, i, &m)?;
    let pg = &mut st.pages[i];
    let t = &mut pg.templates[ti];
    if let Some(x) = kind {
        t.kind = x;
    }
    if let Some(x) = name {
        t.name = x;
    }
    if let Some(x) = message {
        t.message = x;
    }
    if let Some(x) = status {
        t.status = x;
    }
    if let Some(x) = notify {
        t.notify = x;
    }
    if let Some(x) = components {
        t.components = x;
    }
    if let Some(x) = translations {
        t.translations = x;
    }
    Ok(render_template(pg, &pg.templates[ti]))
}

fn delete_template(st: &mut State, page_id: &str, id: &str) -> R {
    let i = page_idx(st, page_id)?;
    let ti = template_by_id(&st.pages[i], id)?;
    let pg = &mut st.pages[i];
    let t = pg.templates.remove(ti);
    Ok(json!({
        "id": t.id,
        "name": t.name,
        "message": t.message,
        "createdAt": t.created_at,
        "site": {"id": pg.id},
    }))
}

// ---------------------------------------------------------------------------------------------
// Metrics

fn render_datapoint(d: &Datapoint) -> Value {
    json!({"id": d.id, "timestamp": d.timestamp, "value": d.value})
}

fn render_metric(m: &Metric) -> Value {
    json!({
        "id": m.id,
        "name": m.name,
        "active": m.active,
        "order": m.order,
        "suffix": m.suffix,
        "data": m.data.iter().map(render_datapoint).collect::<Vec<_>>(),
    })
}

fn metric_idx(pg: &Page, id: &str) -> Result<usize, ApiError> {
    pg.metrics
        .iter()
        .position(|m| m.id == id)
        .ok_or_else(|| not_found("metric", id))
}

fn list_metrics(st: &State, page_id: &str, query: &str) -> R {
    let pg = page(st, page_id)?;
    Ok(Value::Array(paginate(
        pg.metrics.iter().map(render_metric).collect(),
        query,
    )))
}

fn get_metric(st: &State, page_id: &str, id: &str) -> R {
    let pg = page(st, page_id)?;
    Ok(render_metric(&pg.metrics[metric_idx(pg, id)?]))
}

fn create_metric(st: &mut State, page_id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let m = parse_obj(body)?;
    missing(&["name", "suffix"], &m)?;
    let name = req_str(&m, "name")?;
    let suffix = req_str(&m, "suffix")?;
    let id = st.new_id();
    let pg = &mut st.pages[i];
    let order = pg
        .metrics
        .iter()
        .map(|m| m.order)
        .max()
        .map_or(0, |o| o + 1);
    pg.metrics.push(Metric {
        id,
        name,
        suffix,
        order,
        active: true,
        data: Vec::new(),
    });
    Ok(render_metric(pg.metrics.last().expect("pushed")))
}

fn update_metric(st: &mut State, page_id: &str, id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let mi = metric_idx(&st.pages[i], id)?;
    let m = parse_obj(body)?;
    let name = opt_str(&m, "name")?;
    let suffix = opt_str(&m, "suffix")?;
    let metric = &mut st.pages[i].metrics[mi];
    if let Some(n) = name {
        metric.name = n;
    }
    if let Some(s) = suffix {
        metric.suffix = s;
    }
    Ok(render_metric(metric))
}

fn delete_metric(st: &mut State, page_id: &str, id: &str) -> R {
    let i = page_idx(st, page_id)?;
    let mi = metric_idx(&st.pages[i], id)?;
    let m = st.pages[i].metrics.remove(mi);
    Ok(json!({"id": m.id, "name": m.name}))
}

fn parse_point(v: &Value, at: &str) -> Result<(i64, f64), ApiError> {
    let obj = v
        .as_object()
        .ok_or_else(|| bad(format!("{at} must be an object {{timestamp, value}}")))?;
    let ts = obj
        .get("timestamp")
        .and_then(|t| t.as_i64().or_else(|| t.as_f64().map(|f| f as i64)))
        .ok_or_else(|| {
            bad(format!(
                "missing or invalid field '{at}timestamp' (epoch milliseconds, integer)"
            ))
        })?;
    let value = obj
        .get("value")
        .and_then(Value::as_f64)
        .ok_or_else(|| bad(format!("missing or invalid field '{at}value' (number)")))?;
    Ok((ts, value))
}

fn insert_points(st: &mut State, i: usize, mi: usize, points: Vec<(i64, f64)>) -> Vec<Datapoint> {
    let mut added = Vec::new();
    for (timestamp, value) in points {
        added.push(Datapoint {
            id: st.new_id(),
            timestamp,
            value,
        });
    }
    let metric = &mut st.pages[i].metrics[mi];
    for d in &added {
        metric.data.retain(|x| x.timestamp != d.timestamp);
        metric.data.push(d.clone());
    }
    metric.data.sort_by_key(|d| d.timestamp);
    added
}

fn add_datapoint(st: &mut State, page_id: &str, id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let mi = metric_idx(&st.pages[i], id)?;
    let v = parse_json(body)?;
    let point = parse_point(&v, "")?;
    let added = insert_points(st, i, mi, vec![point]);
    Ok(render_datapoint(&added[0]))
}

fn add_datapoints(st: &mut State, page_id: &str, id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let mi = metric_idx(&st.pages[i], id)?;
    let v = parse_json(body)?;
    let arr = match &v {
        Value::Array(a) => a,
        Value::Object(o) => match o.get("data") {
            Some(Value::Array(a)) => a,
            _ => {
                return Err(bad(
                    "missing required field 'data' (array of {timestamp, value})",
                ))
            }
        },
        _ => {
            return Err(bad(
                "body must be {\"data\": [{timestamp, value}...]} or a bare array",
            ))
        }
    };
    let points = arr
        .iter()
        .enumerate()
        .map(|(n, p)| parse_point(p, &format!("data[{n}].")))
        .collect::<Result<Vec<_>, _>>()?;
    let added = insert_points(st, i, mi, points);
    Ok(Value::Array(added.iter().map(render_datapoint).collect()))
}

fn delete_datapoints(st: &mut State, page_id: &str, id: &str) -> R {
    let i = page_idx(st, page_id)?;
    let mi = metric_idx(&st.pages[i], id)?;
    let pg = &mut st.pages[i];
    let m = &mut pg.metrics[mi];
    m.data.clear();
    Ok(json!({
        "name": m.name,
        "order": m.order,
        "suffix": m.suffix,
        "site": {"id": pg.id, "subdomain": pg.subdomain},
    }))
}

// ---------------------------------------------------------------------------------------------
// Team and user

fn list_team(st: &State, page_id: &str, query: &str) -> R {
    let pg = page(st, page_id)?;
    let mut items = vec![json!({
        "id": format!("{}-owner", pg.id),
        "user": {"id": st.user.id, "name": st.user.name, "email": st.user.email, "avatar": null},
    })];
    items.extend(pg.team.iter().map(|t| {
        json!({
            "id": t.id,
            "user": {"id": t.user_id, "name": null, "email": t.email, "avatar": null},
        })
    }));
    Ok(Value::Array(paginate(items, query)))
}

fn add_teammate(st: &mut State, page_id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let m = parse_obj(body)?;
    missing(&["email", "permission"], &m)?;
    let email = req_str(&m, "email")?;
    let permission = req_enum(&m, "permission", TEAMMATE_PERMISSION)?;
    if !email.contains('@') {
        return Err(bad(format!(
            "invalid value '{email}' for field 'email': not an email address"
        )));
    }
    if st.pages[i]
        .team
        .iter()
        .any(|t| t.email.eq_ignore_ascii_case(&email))
    {
        return Err(bad(format!("{email} is already a member of this page")));
    }
    let id = st.new_id();
    let user_id = st.new_id();
    st.pages[i].team.push(Teammate {
        id,
        user_id,
        email: email.clone(),
        permission,
    });
    Ok(json!({"email": email}))
}

fn remove_teammate(st: &mut State, page_id: &str, id: &str) -> R {
    let i = page_idx(st, page_id)?;
    let pg = &mut st.pages[i];
    let ti = pg
        .team
        .iter()
        .position(|t| t.id == id)
        .ok_or_else(|| not_found("team member", id))?;
    pg.team.remove(ti);
    Ok(json!({"memberId": id}))
}

fn get_user(st: &State) -> Value {
    json!({
        "id": st.user.id,
        "email": st.user.email,
        "name": st.user.name,
        "slug": st.user.slug,
        "avatar": "",
    })
}

// ---------------------------------------------------------------------------------------------
// Public views

/// The page a public request is for: Host's first label, else `?page=`, else the first page.
fn public_page<'a>(st: &'a State, query: &str, host: Option<&str>) -> Result<&'a Page, ApiError> {
    let label = host
        .map(|h| h.split(':').next().unwrap_or(h))
        .and_then(|h| h.split('.').next())
        .unwrap_or("");
    if let Some(p) = st.pages.iter().find(|p| p.subdomain == label) {
        return Ok(p);
    }
    if let Some(q) = query_param(query, "page") {
        return st
            .pages
            .iter()
            .find(|p| p.subdomain == q || p.id == q)
            .ok_or_else(|| not_found("page", &q));
    }
    st.pages
        .first()
        .ok_or_else(|| ApiError::new(404, "not_found", "no status page exists"))
}

fn page_url(pg: &Page) -> String {
    match pg.settings.get("customDomain").and_then(Value::as_str) {
        Some(d) if !d.is_empty() => format!("https://{d}"),
        _ => format!("https://{}.instatus.com", pg.subdomain),
    }
}

fn public_summary(st: &State, query: &str, host: Option<&str>) -> R {
    let pg = public_page(st, query, host)?;
    let url = page_url(pg);
    let open: Vec<&Incident> = pg
        .incidents
        .iter()
        .filter(|i| i.status != "RESOLVED")
        .collect();
    let active_m: Vec<&Maintenance> = pg
        .maintenances
        .iter()
        .filter(|m| m.status != "COMPLETED")
        .collect();
    let issues = !open.is_empty() || status_components(pg).any(|c| severity(&c.status) >= 2);
    let maint = active_m.iter().any(|m| m.status == "INPROGRESS")
        || status_components(pg).any(|c| c.status == "UNDERMAINTENANCE");
    let status = if issues {
        "HASISSUES"
    } else if maint {
        "UNDERMAINTENANCE"
    } else {
        "UP"
    };
    Ok(json!({
        "page": {"name": pg.name, "url": url, "status": status},
        "activeIncidents": open.iter().map(|i| json!({
            "name": i.name,
            "started": i.started,
            "status": i.status,
            "impact": impact(&i.components),
            "url": format!("{url}/incident/{}", i.id),
        })).collect::<Vec<_>>(),
        "activeMaintenances": active_m.iter().map(|m| json!({
            "id": m.id,
            "name": m.name,
            "start": m.start,
            "status": m.status,
            "duration": m.duration.unwrap_or(0),
            "url": format!("{url}/maintenance/{}", m.id),
            "updatedAt": m.updated_at,
        })).collect::<Vec<_>>(),
    }))
}

fn public_components(st: &State, query: &str, host: Option<&str>) -> R {
    let pg = public_page(st, query, host)?;
    let items: Vec<Value> = sorted_components(pg)
        .into_iter()
        .filter(|c| c.archived_at.is_none())
        .map(|c| {
            let group = c
                .group_id
                .as_ref()
                .and_then(|g| pg.components.iter().find(|x| &x.id == g))
                .map_or(Value::Null, |g| json!({"name": g.name}));
            json!({"id": c.id, "name": c.name, "status": c.status, "group": group})
        })
        .collect();
    Ok(json!({"components": items}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_served() {
        for &op in Op::ALL {
            let mut st = State::new();
            let params: Vec<String> = (0..op.path().matches('{').count())
                .map(|i| format!("x{i}"))
                .collect();
            if let Err(e) = dispatch(&mut st, op, &params, "", b"{}", None) {
                assert_ne!(e.status, 501, "{} is not served", op.name());
            }
        }
    }

    #[test]
    fn query_params_decode() {
        assert_eq!(
            query_param("search=a%40b.c&page=2", "search").as_deref(),
            Some("a@b.c")
        );
        assert_eq!(
            query_param("!status=RESOLVED", "!status").as_deref(),
            Some("RESOLVED")
        );
        assert_eq!(query_param("x=1", "y"), None);
    }

    #[test]
    fn pagination_caps_per_page() {
        let v: Vec<u32> = (0..250).collect();
        assert_eq!(paginate(v.clone(), "per_page=500").len(), 100);
        assert_eq!(paginate(v.clone(), "").len(), 50);
        assert_eq!(paginate(v.clone(), "page=3&per_page=100").len(), 50);
        assert_eq!(paginate(v, "page=9").len(), 0);
    }
}
