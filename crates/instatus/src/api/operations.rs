//! THE table of operations: every method and path the client uses, in one place.
//!
//! The paths are exactly those of Instatus's official OpenAPI spec (v2.0.0, January 2026), which
//! mixes `/v1` and `/v2` per operation. An entry the spec does not list says so with
//! `not_in_spec`, naming where the path is known from; a test walks this table against the spec.

use std::fmt;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// An HTTP method.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// GET: read; retried on failure.
    Get,
    /// POST: create; never retried blindly once the request may have reached the server.
    Post,
    /// PUT: partial update; retried on failure (same body, same result).
    Put,
    /// DELETE: retried on failure.
    Delete,
}

impl Method {
    /// The method name in upper case.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    /// Whether sending the request twice has the same effect as once.
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Method::Post)
    }

    /// Parses `GET`, `post`, ...
    pub fn parse(s: &str) -> Option<Method> {
        match s.to_ascii_uppercase().as_str() {
            "GET" => Some(Method::Get),
            "POST" => Some(Method::Post),
            "PUT" => Some(Method::Put),
            "DELETE" => Some(Method::Delete),
            _ => None,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! operations {
    ($(
        $(#[$doc:meta])*
        $op:ident => $method:ident $path:literal $(, not_in_spec = $reason:literal)? ;
    )+) => {
        /// An operation of the Instatus API. Its method and path come from the one table in this
        /// module ([`Op::method`], [`Op::path`]).
        ///
        /// Deliberately exhaustive: servers that route by this table (the emulator) `match` on
        /// every operation, so a new row fails to compile until it is served.
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Op {
            $( $(#[$doc])* $op, )+
        }

        impl Op {
            /// Every operation, in table order.
            pub const ALL: &'static [Op] = &[$(Op::$op),+];

            /// The HTTP method.
            pub fn method(self) -> Method {
                match self { $( Op::$op => Method::$method, )+ }
            }

            /// The path template, with `{name}` placeholders as the spec writes them.
            pub fn path(self) -> &'static str {
                match self { $( Op::$op => $path, )+ }
            }

            /// The operation's name, e.g. `CreateComponent`.
            pub fn name(self) -> &'static str {
                match self { $( Op::$op => stringify!($op), )+ }
            }

            /// `None` when the spec lists this method and path; otherwise where it is known from.
            pub fn not_in_spec(self) -> Option<&'static str> {
                match self { $( Op::$op => None $(.or(Some($reason)))?, )+ }
            }
        }
    };
}

operations! {
    /// `GET /v2/pages`: the pages the key can see.
    ListPages => Get "/v2/pages";
    /// `POST /v1/pages`: create a page.
    CreatePage => Post "/v1/pages";
    /// `PUT /v2/{page_id}`: change page settings.
    UpdatePage => Put "/v2/{page_id}";
    /// `DELETE /v2/{page_id}`: delete a page.
    DeletePage => Delete "/v2/{page_id}";

    /// `GET /v1/{page_id}/components`: the flat component list (children carry `groupId`).
    ListComponents => Get "/v1/{page_id}/components";
    /// `GET /v2/{page_id}/components`: the nested list (groups hold `children`).
    ListComponentTree => Get "/v2/{page_id}/components",
        not_in_spec = "current help docs (instatus.com/help/api/components) and a live probe; the spec only has the v1 list";
    /// `GET /v1/{page_id}/components/{component_id}`: one component.
    GetComponent => Get "/v1/{page_id}/components/{component_id}";
    /// `POST /v1/{page_id}/components`: create a component or a child of a group.
    CreateComponent => Post "/v1/{page_id}/components";
    /// `PUT /v1/{page_id}/components/{component_id}`: partial update (status, order, parent...).
    UpdateComponent => Put "/v1/{page_id}/components/{component_id}";
    /// `DELETE /v1/{page_id}/components/{component_id}`: delete (children are kept).
    DeleteComponent => Delete "/v1/{page_id}/components/{component_id}";

    /// `GET /v1/{page_id}/incidents`: incidents, filterable by status.
    ListIncidents => Get "/v1/{page_id}/incidents";
    /// `GET /v1/{page_id}/incidents/{incident_id}`: one incident.
    GetIncident => Get "/v1/{page_id}/incidents/{incident_id}";
    /// `POST /v1/{page_id}/incidents`: open an incident.
    CreateIncident => Post "/v1/{page_id}/incidents";
    /// `POST /v1/{page_id}/incidents/{template}`: open an incident from a template (id or name).
    CreateIncidentFromTemplate => Post "/v1/{page_id}/incidents/{template}";
    /// `PUT /v1/{page_id}/incidents/{incident_id}`: change an incident.
    UpdateIncident => Put "/v1/{page_id}/incidents/{incident_id}";
    /// `DELETE /v1/{page_id}/incidents/{incident_id}`: delete an incident.
    DeleteIncident => Delete "/v1/{page_id}/incidents/{incident_id}";
    /// `POST /v1/{page_id}/incidents/{incident_id}/incident-updates`: post an update.
    CreateIncidentUpdate => Post "/v1/{page_id}/incidents/{incident_id}/incident-updates";
    /// `GET /v1/{page_id}/incidents/{incident_id}/incident-updates/{incident_update_id}`.
    GetIncidentUpdate => Get "/v1/{page_id}/incidents/{incident_id}/incident-updates/{incident_update_id}";
    /// `PUT /v1/{page_id}/incidents/{incident_id}/incident-updates/{incident_update_id}`.
    EditIncidentUpdate => Put "/v1/{page_id}/incidents/{incident_id}/incident-updates/{incident_update_id}";
    /// `DELETE /v1/{page_id}/incidents/{incident_id}/incident-updates/{incident_update_id}`.
    DeleteIncidentUpdate => Delete "/v1/{page_id}/incidents/{incident_id}/incident-updates/{incident_update_id}";
    /// `POST /v2/{page_id}/incidents/{incident_id}/incident-updates/{template}`: resolve with a template.
    ResolveIncidentWithTemplate => Post "/v2/{page_id}/incidents/{incident_id}/incident-updates/{template}";

    /// `GET /v1/{page_id}/maintenances`: maintenances.
    ListMaintenances => Get "/v1/{page_id}/maintenances";
    /// `GET /v1/{page_id}/maintenances/{maintenance_id}`: one maintenance.
    GetMaintenance => Get "/v1/{page_id}/maintenances/{maintenance_id}";
    /// `POST /v1/{page_id}/maintenances`: schedule a maintenance.
    CreateMaintenance => Post "/v1/{page_id}/maintenances";
    /// `PUT /v1/{page_id}/maintenances/{maintenance_id}`: change a maintenance.
    UpdateMaintenance => Put "/v1/{page_id}/maintenances/{maintenance_id}";
    /// `DELETE /v1/{page_id}/maintenances/{maintenance_id}`: delete a maintenance.
    DeleteMaintenance => Delete "/v1/{page_id}/maintenances/{maintenance_id}";
    /// `POST /v1/{page_id}/maintenances/{maintenance_id}/maintenance-updates`: post an update.
    CreateMaintenanceUpdate => Post "/v1/{page_id}/maintenances/{maintenance_id}/maintenance-updates";
    /// `GET /v1/{page_id}/maintenances/{maintenance_id}/maintenance-updates/{maintenance_update_id}`.
    GetMaintenanceUpdate => Get "/v1/{page_id}/maintenances/{maintenance_id}/maintenance-updates/{maintenance_update_id}";
    /// `PUT /v1/{page_id}/maintenances/{maintenance_id}/maintenance-updates/{maintenance_update_id}`.
    EditMaintenanceUpdate => Put "/v1/{page_id}/maintenances/{maintenance_id}/maintenance-updates/{maintenance_update_id}";
    /// `DELETE /v1/{page_id}/maintenances/{maintenance_id}/maintenance-updates/{maintenance_update_id}`.
    DeleteMaintenanceUpdate => Delete "/v1/{page_id}/maintenances/{maintenance_id}/maintenance-updates/{maintenance_update_id}";

    /// `GET /v2/{page_id}/subscribers`: subscribers (the current list form).
    ListSubscribers => Get "/v2/{page_id}/subscribers";
    /// `POST /v1/{page_id}/subscribers`: add a subscriber.
    AddSubscriber => Post "/v1/{page_id}/subscribers";
    /// `DELETE /v1/{page_id}/subscribers/{subscriber_id}`: remove a subscriber.
    RemoveSubscriber => Delete "/v1/{page_id}/subscribers/{subscriber_id}";

    /// `GET /v1/{page_id}/templates`: templates.
    ListTemplates => Get "/v1/{page_id}/templates";
    /// `GET /v1/{page_id}/templates/{template_id}`: one template.
    GetTemplate => Get "/v1/{page_id}/templates/{template_id}";
    /// `POST /v1/{page_id}/templates`: add a template.
    CreateTemplate => Post "/v1/{page_id}/templates";
    /// `PUT /v1/{page_id}/templates/{template_id}`: change a template.
    UpdateTemplate => Put "/v1/{page_id}/templates/{template_id}";
    /// `DELETE /v1/{page_id}/templates/{template_id}`: delete a template.
    DeleteTemplate => Delete "/v1/{page_id}/templates/{template_id}";

    /// `GET /v1/{page_id}/metrics`: metrics.
    ListMetrics => Get "/v1/{page_id}/metrics";
    /// `GET /v1/{page_id}/metrics/{metric_id}`: one metric with its data.
    GetMetric => Get "/v1/{page_id}/metrics/{metric_id}";
    /// `POST /v1/{page_id}/metrics`: add a metric.
    CreateMetric => Post "/v1/{page_id}/metrics";
    /// `PUT /v1/{page_id}/metrics/{metric_id}`: rename a metric or change its suffix.
    UpdateMetric => Put "/v1/{page_id}/metrics/{metric_id}";
    /// `DELETE /v1/{page_id}/metrics/{metric_id}`: delete a metric.
    DeleteMetric => Delete "/v1/{page_id}/metrics/{metric_id}";
    /// `POST /v1/{page_id}/metrics/{metric_id}`: add one data point.
    AddMetricDatapoint => Post "/v1/{page_id}/metrics/{metric_id}";
    /// `POST /v1/{page_id}/metrics/{metric_id}/data`: add many data points.
    AddMetricDatapoints => Post "/v1/{page_id}/metrics/{metric_id}/data";
    /// `DELETE /v1/{page_id}/metrics/{metric_id}/data`: delete every data point.
    DeleteMetricDatapoints => Delete "/v1/{page_id}/metrics/{metric_id}/data";

    /// `GET /{page_id}/monitors/cron?limit&page`: the cron (heartbeat) monitors, one page.
    ListCronMonitors => Get "/{page_id}/monitors/cron",
        not_in_spec = "monitoring family without a version prefix; used against the live API by a public Instatus tool (DogeOS69/scroll-sdk-cli, src/utils/status-page-instatus.ts)";
    /// `POST /monitors/cron`: create a cron monitor (the page id is in the body).
    CreateCronMonitor => Post "/monitors/cron",
        not_in_spec = "as ListCronMonitors";
    /// `PUT /monitors/cron/{monitor_id}`: change a cron monitor (name, period, grace, state).
    UpdateCronMonitor => Put "/monitors/cron/{monitor_id}",
        not_in_spec = "as ListCronMonitors";

    /// `GET /v1/{page_id}/team`: team members.
    ListTeam => Get "/v1/{page_id}/team";
    /// `POST /v1/{page_id}/team`: invite a team member.
    AddTeammate => Post "/v1/{page_id}/team";
    /// `DELETE /v1/{page_id}/team/{member_id}`: remove a team member.
    RemoveTeammate => Delete "/v1/{page_id}/team/{member_id}";

    /// `GET /v1/user`: the owner of the API key.
    GetUser => Get "/v1/user";

    /// `GET /summary.json` on the page host: the public summary (no key).
    PublicSummary => Get "/summary.json";
    /// `GET /v2/components.json` on the page host: the public component list (no key).
    PublicComponents => Get "/v2/components.json",
        not_in_spec = "public page endpoint (no key) that public status readers read beside summary.json";
}

/// Characters escaped in a path segment: all but unreserved ones (RFC 3986), so a template name
/// with spaces or slashes stays one segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

impl Op {
    /// Whether the operation needs the API key (the public page views do not).
    pub fn needs_auth(self) -> bool {
        !matches!(self, Op::PublicSummary | Op::PublicComponents)
    }

    /// The path with its placeholders filled in order by `params`, each percent-encoded.
    ///
    /// Missing params leave the placeholder empty; extra params are ignored (both are bugs in the
    /// caller, caught by the endpoint tests).
    pub fn fill(self, params: &[&str]) -> String {
        let mut out = String::with_capacity(self.path().len() + 32);
        let mut params = params.iter();
        let mut rest = self.path();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
            if let Some(value) = params.next() {
                out.extend(utf8_percent_encode(value, SEGMENT));
            }
            rest = &rest[close..];
        }
        out.push_str(rest);
        out
    }

    /// The placeholder values if `path` matches this operation's template (segment by segment,
    /// percent-decoded), for servers that route by this table.
    pub fn match_path(self, path: &str) -> Option<Vec<String>> {
        let template = self.path().trim_start_matches('/').split('/');
        let actual: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let mut params = Vec::new();
        let mut n = 0;
        for want in template {
            let got = actual.get(n)?;
            n += 1;
            if want.starts_with('{') {
                if got.is_empty() {
                    return None;
                }
                let decoded = percent_encoding::percent_decode_str(got)
                    .decode_utf8()
                    .ok()?;
                params.push(decoded.into_owned());
            } else if want != *got {
                return None;
            }
        }
        (n == actual.len()).then_some(params)
    }

    /// Finds the operation for a request: the template with the most literal segments wins, so
    /// `/v2/components.json` is not taken for `/v2/{page_id}`.
    pub fn route(method: Method, path: &str) -> Option<(Op, Vec<String>)> {
        Op::ALL
            .iter()
            .filter(|op| op.method() == method)
            .filter_map(|&op| op.match_path(path).map(|params| (op, params)))
            .max_by_key(|(op, _)| op.path().split('/').filter(|s| !s.starts_with('{')).count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_encodes_each_segment() {
        assert_eq!(
            Op::CreateIncidentFromTemplate.fill(&["p1", "Node down/restart"]),
            "/v1/p1/incidents/Node%20down%2Frestart"
        );
        assert_eq!(Op::ListPages.fill(&[]), "/v2/pages");
    }

    #[test]
    fn route_round_trips_every_operation() {
        for &op in Op::ALL {
            let params: Vec<String> = (0..op.path().matches('{').count())
                .map(|i| format!("id {i}/x"))
                .collect();
            let refs: Vec<&str> = params.iter().map(String::as_str).collect();
            let path = op.fill(&refs);
            let (found, got) =
                Op::route(op.method(), &path).unwrap_or_else(|| panic!("{}", op.name()));
            assert_eq!(found, op, "{path}");
            assert_eq!(got, params);
        }
    }

    #[test]
    fn literal_segments_win() {
        assert_eq!(
            Op::route(Method::Get, "/v2/components.json").map(|r| r.0),
            Some(Op::PublicComponents)
        );
        assert_eq!(
            Op::route(Method::Put, "/v2/ckpage").map(|r| r.0),
            Some(Op::UpdatePage)
        );
        assert!(Op::route(Method::Get, "/v2/ckpage").is_none());
    }
}
