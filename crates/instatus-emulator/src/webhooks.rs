//! Outgoing webhooks, as Instatus sends them to webhook subscribers: after every API write that
//! creates or changes an incident or a maintenance, or changes a component's status, each
//! matching webhook subscriber gets the payload Instatus documents (instatus.com/help/webhooks;
//! captured bodies in `crates/instatus/tests/fixtures/webhooks/`), signed with
//! `x-instatus-webhook-signature` (hex HMAC-SHA256 of the exact body, keyed by the configured
//! secret).
//!
//! Changes are found by comparing the page before and after the write (so every write path is
//! covered, including component statuses set through an incident), and only for pages with a
//! webhook subscriber. Deliveries go through one background thread in order; the API answer
//! never waits for them and a failed delivery never fails it.

use std::collections::VecDeque;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use instatus::webhook::{sign, SIGNATURE_HEADER};
use instatus::Secret;
use serde::Serialize;
use serde_json::{json, Value};

use instatus::status::Level;

use crate::api::{html_escape, impact, level};
use crate::state::{Incident, Maintenance, NoticeUpdate, Page, State, Subscriber};

/// The secret the emulator signs webhooks with unless told otherwise.
pub const DEFAULT_WEBHOOK_SECRET: &str = "emulator-webhook-secret";

/// Most delivery records kept.
const LOG_CAP: usize = 1000;

/// How long one delivery may take.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(5);

/// One webhook the emulator sent (or tried to).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct WebhookDelivery {
    /// `incident`, `maintenance` or `component_update`.
    pub kind: String,
    /// The subscriber it went to.
    pub subscriber_id: String,
    /// The receiver's host and port (the URL itself may carry a token, so it is not kept).
    pub host: String,
    /// The HTTP status the receiver answered; `None` when it could not be reached.
    pub status: Option<u16>,
    /// Why it could not be delivered.
    pub error: Option<String>,
}

/// A payload to send.
struct Outgoing {
    kind: &'static str,
    subscriber_id: String,
    url: String,
    body: Vec<u8>,
}

/// The sender side: the queue to the delivery thread and the delivery log.
pub(crate) struct Webhooks {
    queue: mpsc::Sender<Outgoing>,
    log: Arc<Mutex<VecDeque<WebhookDelivery>>>,
}

/// What the pages with webhook subscribers looked like before a write.
pub(crate) struct Before {
    pages: Vec<PageBefore>,
}

/// One page before a write: its incidents and maintenances (as stored) and component statuses.
struct PageBefore {
    id: String,
    incidents: Vec<Value>,
    maintenances: Vec<Value>,
    statuses: Vec<(String, String)>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Webhooks {
    /// Starts the delivery thread, signing with `secret`.
    pub fn start(secret: Secret) -> std::io::Result<Webhooks> {
        let (queue, rx) = mpsc::channel::<Outgoing>();
        let log = Arc::new(Mutex::new(VecDeque::new()));
        let thread_log = Arc::clone(&log);
        std::thread::Builder::new()
            .name("instatus-emulator-webhooks".into())
            .spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .timeout_global(Some(DELIVERY_TIMEOUT))
                    .http_status_as_error(false)
                    .user_agent("instatus-emulator-webhooks")
                    .build()
                    .into();
                // Ends when the emulator is dropped (the sender goes with it).
                while let Ok(out) = rx.recv() {
                    let record = deliver(&agent, &secret, out);
                    let mut log = lock(&thread_log);
                    if log.len() == LOG_CAP {
                        log.pop_front();
                    }
                    log.push_back(record);
                }
            })?;
        Ok(Webhooks { queue, log })
    }

    /// The deliveries so far, oldest first.
    pub fn deliveries(&self) -> Vec<WebhookDelivery> {
        lock(&self.log).iter().cloned().collect()
    }

    /// Before a write: the pages that have a webhook subscriber (`None` when none has, so a
    /// page without webhooks costs nothing).
    pub fn before(&self, st: &State) -> Option<Before> {
        let pages: Vec<_> = st
            .pages
            .iter()
            .filter(|p| p.subscribers.iter().any(|s| s.webhook.is_some()))
            .map(|p| PageBefore {
                id: p.id.clone(),
                incidents: p.incidents.iter().map(to_value).collect(),
                maintenances: p.maintenances.iter().map(to_value).collect(),
                statuses: p
                    .components
                    .iter()
                    .map(|c| (c.id.clone(), c.status.clone()))
                    .collect(),
            })
            .collect();
        (!pages.is_empty()).then_some(Before { pages })
    }

    /// After a successful write: queues a payload per change and matching subscriber.
    pub fn after(&self, before: Option<Before>, st: &State) {
        let Some(before) = before else { return };
        for PageBefore {
            id,
            incidents,
            maintenances,
            statuses,
        } in &before.pages
        {
            let Some(pg) = st.page(id) else { continue };
            for inc in &pg.incidents {
                let old = incidents.iter().find(|v| v["id"] == inc.id.as_str());
                if old != Some(&to_value(inc)) {
                    let ids: Vec<&str> = inc.components.iter().map(|(c, _)| c.as_str()).collect();
                    self.queue(pg, "incident", &ids, |s| incident_payload(pg, s, inc));
                }
            }
            for m in &pg.maintenances {
                let old = maintenances.iter().find(|v| v["id"] == m.id.as_str());
                if old != Some(&to_value(m)) {
                    let ids: Vec<&str> = m.components.iter().map(|(c, _)| c.as_str()).collect();
                    self.queue(pg, "maintenance", &ids, |s| maintenance_payload(pg, s, m));
                }
            }
            for c in &pg.components {
                let was = statuses.iter().find(|(id, _)| *id == c.id).map(|(_, s)| s);
                if was.is_some_and(|was| *was != c.status) {
                    self.queue(pg, "component_update", &[c.id.as_str()], |s| {
                        component_payload(pg, s, c, was.map(String::as_str))
                    });
                }
            }
        }
    }

    /// Queues `payload` for every webhook subscriber of `pg` that follows one of `components`
    /// (or everything).
    fn queue(
        &self,
        pg: &Page,
        kind: &'static str,
        components: &[&str],
        payload: impl Fn(&Subscriber) -> Value,
    ) {
        for s in &pg.subscribers {
            let Some(url) = &s.webhook else { continue };
            let follows = s.all
                || components.is_empty()
                || s.components
                    .iter()
                    .any(|c| components.contains(&c.as_str()));
            if !follows {
                continue;
            }
            let body = serde_json::to_vec(&payload(s)).unwrap_or_default();
            // A send fails only when the delivery thread is gone (shutting down).
            let _ = self.queue.send(Outgoing {
                kind,
                subscriber_id: s.id.clone(),
                url: url.clone(),
                body,
            });
        }
    }
}

fn to_value<T: Serialize>(x: &T) -> Value {
    serde_json::to_value(x).unwrap_or(Value::Null)
}

fn deliver(agent: &ureq::Agent, secret: &Secret, out: Outgoing) -> WebhookDelivery {
    let host = out
        .url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split(['/', '?', '#']).next())
        .map(|h| h.rsplit('@').next().unwrap_or(h).to_owned())
        .unwrap_or_default();
    let signature = sign(secret, &out.body);
    let result = agent
        .post(&out.url)
        .header("content-type", "application/json")
        .header(SIGNATURE_HEADER, &signature)
        .send(&out.body[..]);
    let (status, error) = match result {
        Ok(resp) => (Some(resp.status().as_u16()), None),
        // ureq's message may quote the URL; say only what kind of failure it was.
        Err(e) => (None, Some(failure_kind(&e))),
    };
    WebhookDelivery {
        kind: out.kind.to_owned(),
        subscriber_id: out.subscriber_id,
        host,
        status,
        error,
    }
}

fn failure_kind(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => "timed out".to_owned(),
        ureq::Error::Io(io) => format!("connection failed ({:?})", io.kind()),
        ureq::Error::HostNotFound => "host not found".to_owned(),
        _ => "delivery failed".to_owned(),
    }
}

/// `meta` and `page`, common to every payload.
fn common(pg: &Page, s: &Subscriber) -> (Value, Value) {
    let url = match pg.settings.get("customDomain").and_then(Value::as_str) {
        Some(d) if !d.is_empty() => format!("https://{d}"),
        _ => format!("https://{}.instatus.com", pg.subdomain),
    };
    let open_incident = pg.incidents.iter().any(|i| i.status != "RESOLVED");
    let statuses = || {
        pg.components
            .iter()
            .filter(|c| !c.is_parent && c.archived_at.is_none())
    };
    let issues = open_incident || statuses().any(|c| level(&c.status) >= Level::Degraded);
    let maintenance = pg.maintenances.iter().any(|m| m.status == "INPROGRESS")
        || statuses().any(|c| c.status == "UNDERMAINTENANCE");
    let (indicator, description) = if issues {
        ("HASISSUES", "Some systems are affected")
    } else if maintenance {
        ("UNDERMAINTENANCE", "Under maintenance")
    } else {
        ("UP", "All systems operational")
    };
    (
        json!({
            "unsubscribe": format!(
                "https://dashboard.instatus.com/unsubscribe?id={}&token={}",
                s.id, s.unsubscribe_token
            ),
            "documentation": "https://instatus.com/help/webhooks",
        }),
        json!({
            "id": pg.id,
            "status_indicator": indicator,
            "status_description": description,
            "url": url,
        }),
    )
}

fn affected(pg: &Page, components: &[(String, String)]) -> Vec<Value> {
    components
        .iter()
        .map(|(id, status)| {
            let name = pg
                .components
                .iter()
                .find(|c| &c.id == id)
                .map(|c| c.name.as_str());
            json!({"id": id, "name": name, "status": status})
        })
        .collect()
}

fn updates(parent_key: &str, parent_id: &str, updates: &[NoticeUpdate]) -> Vec<Value> {
    updates
        .iter()
        .map(|u| {
            json!({
                "id": u.id,
                parent_key: parent_id,
                "body": format!("<p>{}</p>", html_escape(&u.message)),
                "markdown": u.message,
                "status": u.status,
                "created_at": u.created_at,
                "updated_at": u.updated_at,
            })
        })
        .collect()
}

fn incident_payload(pg: &Page, s: &Subscriber, inc: &Incident) -> Value {
    let (meta, page) = common(pg, s);
    json!({
        "meta": meta,
        "page": page,
        "incident": {
            "backfilled": false,
            "created_at": inc.created_at,
            "impact": impact(&inc.components),
            "name": inc.name,
            "resolved_at": inc.resolved,
            "status": inc.status,
            "updated_at": inc.updated_at,
            "id": inc.id,
            "url": format!("{}/incident/{}", page["url"].as_str().unwrap_or_default(), inc.id),
            "incident_updates": updates("incident_id", &inc.id, &inc.updates),
            "affected_components": affected(pg, &inc.components),
        },
    })
}

fn maintenance_payload(pg: &Page, s: &Subscriber, m: &Maintenance) -> Value {
    let (meta, page) = common(pg, s);
    let resolved = (m.status == "COMPLETED").then(|| m.updated_at.clone());
    json!({
        "meta": meta,
        "page": page,
        "maintenance": {
            "backfilled": false,
            "created_at": m.created_at,
            "impact": impact(&m.components),
            "name": m.name,
            "resolved_at": resolved,
            "status": m.status,
            "updated_at": m.updated_at,
            "id": m.id,
            "url": format!("{}/maintenance/{}", page["url"].as_str().unwrap_or_default(), m.id),
            "duration": m.duration.map(|d| d.to_string()),
            "maintenance_updates": updates("maintenance_id", &m.id, &m.updates),
            "affected_components": affected(pg, &m.components),
        },
    })
}

fn component_payload(
    pg: &Page,
    s: &Subscriber,
    c: &crate::state::Component,
    old_status: Option<&str>,
) -> Value {
    let (meta, page) = common(pg, s);
    json!({
        "meta": meta,
        "page": page,
        "component_update": {
            "created_at": c.updated_at,
            "new_status": c.status,
            "old_status": old_status,
            "component_id": c.id,
        },
        "component": {
            "created_at": c.created_at,
            "id": c.id,
            "name": c.name,
            "status": c.status,
        },
    })
}
