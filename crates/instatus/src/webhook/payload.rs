//! (Long: one wire format, the three webhook payloads Instatus posts and their parser, type by type as the API sends them.)
//! The three payloads Instatus posts to webhook subscribers, parsed into typed values.
//!
//! There is no event-type field: the top-level key says what happened (`incident`,
//! `maintenance` or `component_update`). Statuses arrive in the REST spelling
//! (`MAJOROUTAGE`) or in human forms seen by receivers (`Major outage`, `In progress`,
//! `major_outage`); both are normalised to the library's enums. A value no spelling maps to is
//! kept as the enum's `Unknown` (a new Instatus status must not make deliveries fail); a missing
//! or mistyped field is an error naming it.

use jiff::Timestamp;
use serde_json::{Map, Value};

use crate::model::{
    ComponentId, ComponentStatus, IncidentId, IncidentImpact, IncidentStatus, MaintenanceId,
    MaintenanceStatus, PageId, PublicPageStatus,
};
use crate::Secret;

/// A parsed webhook delivery.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// An incident was created or updated (the payload carries its whole update history).
    Incident(IncidentEvent),
    /// A maintenance was created or updated.
    Maintenance(MaintenanceEvent),
    /// A component's status changed.
    ComponentUpdate(ComponentUpdateEvent),
}

impl Event {
    /// The page the delivery is about.
    pub fn page(&self) -> &PageInfo {
        match self {
            Event::Incident(e) => &e.page,
            Event::Maintenance(e) => &e.page,
            Event::ComponentUpdate(e) => &e.page,
        }
    }

    /// The payload's kind as its top-level key: `incident`, `maintenance`, `component_update`.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Incident(_) => "incident",
            Event::Maintenance(_) => "maintenance",
            Event::ComponentUpdate(_) => "component_update",
        }
    }

    /// A key that is equal for two deliveries of the same change (the signature has no
    /// timestamp, so a replayed body verifies: dedupe on this, see
    /// [`ReplayGuard`](super::ReplayGuard)).
    pub fn dedupe_key(&self) -> String {
        let ts = |t: &Option<Timestamp>| t.map(|t| t.to_string()).unwrap_or_default();
        match self {
            Event::Incident(e) => format!(
                "incident/{}/{}/{}/{}",
                e.incident.id,
                ts(&e.incident.updated_at),
                e.incident.status,
                e.incident.updates.len()
            ),
            Event::Maintenance(e) => format!(
                "maintenance/{}/{}/{}/{}",
                e.maintenance.id,
                ts(&e.maintenance.updated_at),
                e.maintenance.status,
                e.maintenance.updates.len()
            ),
            Event::ComponentUpdate(e) => format!(
                "component/{}/{}/{}",
                e.component_id,
                ts(&e.created_at),
                e.new_status
            ),
        }
    }
}

/// The common `page` object.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PageInfo {
    /// The page id.
    pub id: PageId,
    /// `UP`, `HASISSUES` or `UNDERMAINTENANCE` (`None` when absent or empty).
    pub status_indicator: Option<PublicPageStatus>,
    /// The human description of the page status.
    pub status_description: Option<String>,
    /// The public page URL.
    pub url: Option<String>,
}

/// The common `meta` object.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct Meta {
    /// The subscriber's unsubscribe link. It carries the subscriber's unsubscribe token, so it is
    /// a [`Secret`].
    pub unsubscribe: Option<Secret>,
    /// A link to Instatus's webhook docs.
    pub documentation: Option<String>,
}

/// A component listed as affected by an incident or maintenance.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AffectedComponent {
    /// The component id.
    pub id: ComponentId,
    /// Its name.
    pub name: Option<String>,
    /// The status the notice gives it.
    pub status: Option<ComponentStatus>,
}

/// One entry of `incident_updates` / `maintenance_updates`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct NoticeUpdate<S> {
    /// The update id.
    pub id: String,
    /// The message as Instatus sends it (HTML).
    pub body: String,
    /// The message as Markdown, when sent.
    pub markdown: Option<String>,
    /// The notice's status with this update.
    pub status: S,
    /// When it was posted.
    pub created_at: Option<Timestamp>,
    /// When it was last edited.
    pub updated_at: Option<Timestamp>,
}

/// The `incident` object.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct IncidentNotice {
    /// The incident id.
    pub id: IncidentId,
    /// Its title.
    pub name: String,
    /// Its stage.
    pub status: IncidentStatus,
    /// The worst component status it causes, when sent.
    pub impact: Option<IncidentImpact>,
    /// Whether it was entered after the fact.
    pub backfilled: bool,
    /// Creation time.
    pub created_at: Option<Timestamp>,
    /// Last change.
    pub updated_at: Option<Timestamp>,
    /// When it was resolved (`None` while open).
    pub resolved_at: Option<Timestamp>,
    /// Its public URL.
    pub url: Option<String>,
    /// Every update, as sent (Instatus sends the whole history each time).
    pub updates: Vec<NoticeUpdate<IncidentStatus>>,
    /// The affected components, when sent.
    pub affected_components: Vec<AffectedComponent>,
}

/// The `maintenance` object.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MaintenanceNotice {
    /// The maintenance id.
    pub id: MaintenanceId,
    /// Its title.
    pub name: String,
    /// Its stage.
    pub status: MaintenanceStatus,
    /// Planned length in minutes (sent as a number or a string), when sent.
    pub duration_minutes: Option<u64>,
    /// Creation time.
    pub created_at: Option<Timestamp>,
    /// Last change.
    pub updated_at: Option<Timestamp>,
    /// When it was completed.
    pub resolved_at: Option<Timestamp>,
    /// Its public URL.
    pub url: Option<String>,
    /// Every update, as sent.
    pub updates: Vec<NoticeUpdate<MaintenanceStatus>>,
    /// The affected components, when sent.
    pub affected_components: Vec<AffectedComponent>,
}

/// An incident delivery.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct IncidentEvent {
    /// `meta`.
    pub meta: Meta,
    /// `page`.
    pub page: PageInfo,
    /// `incident`.
    pub incident: IncidentNotice,
}

/// A maintenance delivery.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct MaintenanceEvent {
    /// `meta`.
    pub meta: Meta,
    /// `page`.
    pub page: PageInfo,
    /// `maintenance`.
    pub maintenance: MaintenanceNotice,
}

/// A component status delivery (`component_update` plus `component`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ComponentUpdateEvent {
    /// `meta`.
    pub meta: Meta,
    /// `page`.
    pub page: PageInfo,
    /// `component_update.component_id`.
    pub component_id: ComponentId,
    /// `component_update.new_status`.
    pub new_status: ComponentStatus,
    /// `component_update.old_status` (older payloads only).
    pub old_status: Option<ComponentStatus>,
    /// `component_update.created_at`.
    pub created_at: Option<Timestamp>,
    /// `component.name`.
    pub component_name: Option<String>,
}

/// Why a webhook body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PayloadError {
    /// The body is not JSON (or was cut short).
    #[error("the webhook body is not JSON (line {line}, column {column}): {message}")]
    NotJson {
        /// Line of the error, from 1.
        line: usize,
        /// Column of the error, from 1.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// The body is JSON but none of the known payloads.
    #[error("the webhook body has none of the keys `incident`, `maintenance`, `component_update` (found: {found})")]
    UnknownKind {
        /// The top-level keys found (or the JSON type when not an object).
        found: String,
    },
    /// A field is missing or has the wrong type or form.
    #[error("webhook field `{field}`: {message}")]
    Field {
        /// The field's path, e.g. `incident.incident_updates[0].status`.
        field: String,
        /// What is wrong.
        message: String,
    },
}

/// Parses a webhook body (verify it first: [`Verifier::verify`](super::Verifier::verify)).
///
/// ```
/// use instatus::webhook::{parse, Event};
/// use instatus::model::ComponentStatus;
///
/// let body = br#"{"meta":{},"page":{"id":"p1","status_indicator":"HASISSUES"},
///   "component_update":{"created_at":"2026-03-01T10:00:00.000Z","new_status":"Major outage","component_id":"c1"},
///   "component":{"id":"c1","name":"Execution Client","status":"MAJOROUTAGE"}}"#;
/// let Event::ComponentUpdate(e) = parse(body)? else { panic!("a component update") };
/// assert_eq!(e.new_status, ComponentStatus::MajorOutage);
/// assert_eq!(e.component_name.as_deref(), Some("Execution Client"));
/// # Ok::<(), instatus::webhook::PayloadError>(())
/// ```
pub fn parse(body: &[u8]) -> Result<Event, PayloadError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| PayloadError::NotJson {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let Value::Object(root) = &value else {
        return Err(PayloadError::UnknownKind {
            found: json_type(&value).to_owned(),
        });
    };
    let top = Obj {
        map: root,
        path: String::new(),
    };
    let meta = parse_meta(&top)?;
    if let Some(incident) = top.opt_obj("incident")? {
        return Ok(Event::Incident(IncidentEvent {
            meta,
            page: parse_page(&top)?,
            incident: parse_incident(&incident)?,
        }));
    }
    if let Some(maintenance) = top.opt_obj("maintenance")? {
        return Ok(Event::Maintenance(MaintenanceEvent {
            meta,
            page: parse_page(&top)?,
            maintenance: parse_maintenance(&maintenance)?,
        }));
    }
    if let Some(update) = top.opt_obj("component_update")? {
        let component = top.opt_obj("component")?;
        let component_id = match update.opt_str("component_id")? {
            Some(id) if !id.is_empty() => ComponentId::new(id),
            _ => match &component {
                Some(c) => ComponentId::new(c.req_str("id")?),
                None => return Err(update.missing("component_id")),
            },
        };
        return Ok(Event::ComponentUpdate(ComponentUpdateEvent {
            meta,
            page: parse_page(&top)?,
            component_id,
            new_status: update.req_status("new_status", component_status)?,
            old_status: update.opt_status("old_status", component_status)?,
            created_at: update.opt_time("created_at")?,
            component_name: match &component {
                Some(c) => c.opt_str("name")?.map(str::to_owned),
                None => None,
            },
        }));
    }
    let mut keys: Vec<&str> = root.keys().map(String::as_str).collect();
    keys.sort_unstable();
    Err(PayloadError::UnknownKind {
        found: if keys.is_empty() {
            "an empty object".to_owned()
        } else {
            keys.join(", ")
        },
    })
}

fn parse_meta(top: &Obj<'_>) -> Result<Meta, PayloadError> {
    let Some(meta) = top.opt_obj("meta")? else {
        return Ok(Meta::default());
    };
    Ok(Meta {
        unsubscribe: meta.opt_nonempty("unsubscribe")?.map(Secret::new),
        documentation: meta.opt_nonempty("documentation")?.map(str::to_owned),
    })
}

fn parse_page(top: &Obj<'_>) -> Result<PageInfo, PayloadError> {
    let page = top.req_obj("page")?;
    Ok(PageInfo {
        id: PageId::new(page.req_str("id")?),
        status_indicator: page.opt_status("status_indicator", |s| {
            PublicPageStatus::from_wire(&fold(s))
        })?,
        status_description: page.opt_nonempty("status_description")?.map(str::to_owned),
        url: page.opt_nonempty("url")?.map(str::to_owned),
    })
}

fn parse_incident(o: &Obj<'_>) -> Result<IncidentNotice, PayloadError> {
    Ok(IncidentNotice {
        id: IncidentId::new(o.req_str("id")?),
        name: o.req_str("name")?.to_owned(),
        status: o.req_status("status", incident_status)?,
        impact: o.opt_status("impact", |s| IncidentImpact::from_wire(&fold(s)))?,
        backfilled: o.opt_bool("backfilled")?.unwrap_or(false),
        created_at: o.opt_time("created_at")?,
        updated_at: o.opt_time("updated_at")?,
        resolved_at: o.opt_time("resolved_at")?,
        url: o.opt_nonempty("url")?.map(str::to_owned),
        updates: o.list("incident_updates", |u| parse_update(u, incident_status))?,
        affected_components: o.list("affected_components", parse_affected)?,
    })
}

fn parse_maintenance(o: &Obj<'_>) -> Result<MaintenanceNotice, PayloadError> {
    Ok(MaintenanceNotice {
        id: MaintenanceId::new(o.req_str("id")?),
        name: o.req_str("name")?.to_owned(),
        status: o.req_status("status", maintenance_status)?,
        duration_minutes: o.opt_minutes("duration")?,
        created_at: o.opt_time("created_at")?,
        updated_at: o.opt_time("updated_at")?,
        resolved_at: o.opt_time("resolved_at")?,
        url: o.opt_nonempty("url")?.map(str::to_owned),
        updates: o.list("maintenance_updates", |u| {
            parse_update(u, maintenance_status)
        })?,
        affected_components: o.list("affected_components", parse_affected)?,
    })
}

fn parse_update<S>(o: &Obj<'_>, status: fn(&str) -> S) -> Result<NoticeUpdate<S>, PayloadError> {
    Ok(NoticeUpdate {
        id: o.req_str("id")?.to_owned(),
        body: o.opt_str("body")?.unwrap_or_default().to_owned(),
        markdown: o.opt_str("markdown")?.map(str::to_owned),
        status: o.req_status("status", status)?,
        created_at: o.opt_time("created_at")?,
        updated_at: o.opt_time("updated_at")?,
    })
}

fn parse_affected(o: &Obj<'_>) -> Result<AffectedComponent, PayloadError> {
    Ok(AffectedComponent {
        id: ComponentId::new(o.req_str("id")?),
        name: o.opt_str("name")?.map(str::to_owned),
        status: o.opt_status("status", component_status)?,
    })
}

/// Upper case without spaces, `_` and `-`: `In progress` → `INPROGRESS`.
fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .collect::<String>()
        .to_ascii_uppercase()
}

/// A component status in any spelling seen in webhooks. `MINOROUTAGE` (older webhook docs) is a
/// partial outage; `DEGRADED` is degraded performance.
fn component_status(s: &str) -> ComponentStatus {
    match fold(s).as_str() {
        "MINOROUTAGE" | "PARTIAL" => ComponentStatus::PartialOutage,
        "DEGRADED" => ComponentStatus::DegradedPerformance,
        "MAINTENANCE" => ComponentStatus::UnderMaintenance,
        "UP" => ComponentStatus::Operational,
        "DOWN" | "OUTAGE" => ComponentStatus::MajorOutage,
        folded => match ComponentStatus::from_wire(folded) {
            ComponentStatus::Unknown(_) => ComponentStatus::Unknown(s.to_owned()),
            known => known,
        },
    }
}

fn incident_status(s: &str) -> IncidentStatus {
    match IncidentStatus::from_wire(&fold(s)) {
        IncidentStatus::Unknown(_) => IncidentStatus::Unknown(s.to_owned()),
        known => known,
    }
}

/// A maintenance status; `Planned`, `Scheduled` and `Not started yet` are the not-started stage.
fn maintenance_status(s: &str) -> MaintenanceStatus {
    match fold(s).as_str() {
        "PLANNED" | "SCHEDULED" | "NOTSTARTED" => MaintenanceStatus::NotStartedYet,
        "COMPLETE" | "DONE" => MaintenanceStatus::Completed,
        folded => match MaintenanceStatus::from_wire(folded) {
            MaintenanceStatus::Unknown(_) => MaintenanceStatus::Unknown(s.to_owned()),
            known => known,
        },
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A JSON object and its path, for errors that name the field.
struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Obj<'a> {
    fn at(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn missing(&self, key: &str) -> PayloadError {
        PayloadError::Field {
            field: self.at(key),
            message: "missing".to_owned(),
        }
    }

    fn wrong(&self, key: &str, want: &str, got: &Value) -> PayloadError {
        PayloadError::Field {
            field: self.at(key),
            message: format!("expected {want}, found {}", json_type(got)),
        }
    }

    /// The value, treating `null` as absent.
    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn opt_obj(&self, key: &str) -> Result<Option<Obj<'a>>, PayloadError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Obj {
                map,
                path: self.at(key),
            })),
            Some(other) => Err(self.wrong(key, "an object", other)),
        }
    }

    fn req_obj(&self, key: &str) -> Result<Obj<'a>, PayloadError> {
        self.opt_obj(key)?.ok_or_else(|| self.missing(key))
    }

    fn opt_str(&self, key: &str) -> Result<Option<&'a str>, PayloadError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.wrong(key, "a string", other)),
        }
    }

    /// A string, with `""` (the docs' sample values) as absent.
    fn opt_nonempty(&self, key: &str) -> Result<Option<&'a str>, PayloadError> {
        Ok(self.opt_str(key)?.filter(|s| !s.trim().is_empty()))
    }

    fn req_str(&self, key: &str) -> Result<&'a str, PayloadError> {
        match self.opt_str(key)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            Some(_) => Err(PayloadError::Field {
                field: self.at(key),
                message: "empty".to_owned(),
            }),
            None => Err(self.missing(key)),
        }
    }

    fn opt_bool(&self, key: &str) -> Result<Option<bool>, PayloadError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.wrong(key, "a boolean", other)),
        }
    }

    fn opt_status<S>(&self, key: &str, f: impl Fn(&str) -> S) -> Result<Option<S>, PayloadError> {
        Ok(self.opt_nonempty(key)?.map(f))
    }

    fn req_status<S>(&self, key: &str, f: impl Fn(&str) -> S) -> Result<S, PayloadError> {
        Ok(f(self.req_str(key)?))
    }

    /// A timestamp: RFC 3339, or `YYYY-MM-DD HH:MM:SS[.fff]` read as UTC; `""` is absent.
    fn opt_time(&self, key: &str) -> Result<Option<Timestamp>, PayloadError> {
        let Some(s) = self.opt_nonempty(key)? else {
            return Ok(None);
        };
        if let Ok(t) = s.parse::<Timestamp>() {
            return Ok(Some(t));
        }
        s.parse::<jiff::civil::DateTime>()
            .ok()
            .and_then(|dt| jiff::tz::TimeZone::UTC.to_timestamp(dt).ok())
            .map(Some)
            .ok_or_else(|| PayloadError::Field {
                field: self.at(key),
                message: format!(
                    "'{s}' is not a timestamp (expected RFC 3339, e.g. 2026-03-01T10:00:00.000Z)"
                ),
            })
    }

    /// Minutes as a non-negative integer, sent as a number or a numeric string.
    fn opt_minutes(&self, key: &str) -> Result<Option<u64>, PayloadError> {
        let bad = |shown: String| PayloadError::Field {
            field: self.at(key),
            message: format!("'{shown}' is not a number of minutes"),
        };
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_u64()
                .or_else(|| {
                    n.as_f64()
                        .filter(|f| *f >= 0.0 && f.fract() == 0.0)
                        .map(|f| f as u64)
                })
                .map(Some)
                .ok_or_else(|| bad(n.to_string())),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| bad(s.clone())),
            Some(other) => Err(self.wrong(key, "a number of minutes", other)),
        }
    }

    fn list<T>(
        &self,
        key: &str,
        each: impl Fn(&Obj<'_>) -> Result<T, PayloadError>,
    ) -> Result<Vec<T>, PayloadError> {
        let items = match self.get(key) {
            None => return Ok(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(other) => return Err(self.wrong(key, "an array", other)),
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let at = format!("{}[{i}]", self.at(key));
                match item {
                    Value::Object(map) => each(&Obj { map, path: at }),
                    other => Err(PayloadError::Field {
                        field: at,
                        message: format!("expected an object, found {}", json_type(other)),
                    }),
                }
            })
            .collect()
    }
}
