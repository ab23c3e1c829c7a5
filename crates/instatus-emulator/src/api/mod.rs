//! The API operations: one handler per [`Op`], request validation and response rendering in the
//! spec's shapes.

use instatus::api::{Method, Op};
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

mod components;
mod incidents;
mod maintenances;
mod metrics;
pub(crate) mod monitors;
mod notices;
mod pages;
mod public;
mod request;
mod subscribers;
mod team;
mod templates;

use components::*;
use incidents::*;
use maintenances::*;
use metrics::*;
use monitors::{create_cron, list_cron, update_cron};
use notices::*;
use pages::*;
use public::*;
use request::*;
use subscribers::*;
use team::*;
use templates::*;

pub(crate) use components::sorted_components;
pub(crate) use pages::{setting, severity};
pub(crate) use request::{html_escape, percent_decode, query_param};

// ---------------------------------------------------------------------------------------------
// Dispatch

/// Other forms of operations the real API serves that the client's table does not use: the
/// `/v2` single-component paths (current help docs, the Terraform providers) and the older `/v1`
/// subscriber list. Each is answered exactly like the table's form.
const ALIASES: &[(Method, &str, Op)] = &[
    (
        Method::Get,
        "/v2/{page_id}/components/{component_id}",
        Op::GetComponent,
    ),
    (
        Method::Put,
        "/v2/{page_id}/components/{component_id}",
        Op::UpdateComponent,
    ),
    (
        Method::Get,
        "/v1/{page_id}/subscribers",
        Op::ListSubscribers,
    ),
];

/// The operation a request is for, with its path parameters: the table's own routes first, then
/// [`ALIASES`].
pub(crate) fn route(method: Method, path: &str) -> Option<(Op, Vec<String>)> {
    Op::route(method, path).or_else(|| {
        ALIASES
            .iter()
            .filter(|(m, _, _)| *m == method)
            .find_map(|(_, template, op)| match_template(template, path).map(|p| (*op, p)))
    })
}

/// The placeholder values when `path` matches `template` segment by segment (percent-decoded).
fn match_template(template: &str, path: &str) -> Option<Vec<String>> {
    let want: Vec<&str> = template.trim_start_matches('/').split('/').collect();
    let got: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if want.len() != got.len() {
        return None;
    }
    let mut params = Vec::new();
    for (w, g) in want.iter().zip(&got) {
        if w.starts_with('{') {
            if g.is_empty() {
                return None;
            }
            params.push(percent_decode(g));
        } else if w != g {
            return None;
        }
    }
    Some(params)
}

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
    // Exhaustive, no wildcard: an operation added to the library's table does not compile here
    // until it is served.
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

        Op::ListCronMonitors => list_cron(st, p(0), query),
        Op::CreateCronMonitor => create_cron(st, body),
        Op::UpdateCronMonitor => update_cron(st, p(0), body),

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

#[cfg(test)]
mod tests {
    use super::*;

    /// On an empty account every operation on a page or an object is a 404 naming what is
    /// missing, never a panic or a 5xx; the four that need no page answer (200) or refuse `{}` (400).
    #[test]
    fn every_operation_answers_a_missing_page_with_a_404() {
        for &op in Op::ALL {
            let mut st = State::new();
            let params: Vec<String> = (0..op.path().matches('{').count())
                .map(|i| format!("x{i}"))
                .collect();
            let status = match dispatch(&mut st, op, &params, "", b"{}", None) {
                Ok(_) => 200,
                Err(e) => {
                    assert!(!e.message.is_empty(), "{}", op.name());
                    e.status
                }
            };
            let want = match op {
                Op::ListPages | Op::GetUser => 200,
                Op::CreatePage | Op::CreateCronMonitor => 400,
                _ => 404,
            };
            assert_eq!(status, want, "{}", op.name());
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
