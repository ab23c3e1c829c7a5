//! Incidents, their updates, and incidents from templates.

use super::*;

pub(super) fn render_incident(pg: &Page, inc: &Incident) -> Value {
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

pub(super) fn incident_idx(pg: &Page, id: &str) -> Result<usize, ApiError> {
    pg.incidents
        .iter()
        .position(|x| x.id == id)
        .ok_or_else(|| not_found("incident", id))
}

pub(super) fn list_incidents(st: &State, page_id: &str, query: &str) -> R {
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

pub(super) fn get_incident(st: &State, page_id: &str, id: &str) -> R {
    let pg = page(st, page_id)?;
    Ok(render_incident(pg, &pg.incidents[incident_idx(pg, id)?]))
}

pub(super) fn new_update(
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
pub(super) fn settle_incident(inc: &mut Incident, at: &str) {
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

pub(super) fn create_incident(st: &mut State, page_id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let m = parse_obj(body)?;
    missing(&["name", "status"], &m)?;
    let name = req_name(&m, "name")?;
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

pub(super) fn update_incident(st: &mut State, page_id: &str, id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let ii = incident_idx(&st.pages[i], id)?;
    let m = parse_obj(body)?;
    let name = opt_name(&m, "name")?;
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

pub(super) fn delete_incident(st: &mut State, page_id: &str, id: &str) -> R {
    let i = page_idx(st, page_id)?;
    let ii = incident_idx(&st.pages[i], id)?;
    st.pages[i].incidents.remove(ii);
    Ok(json!({"id": id}))
}

pub(super) fn render_incident_update_detailed(
    pg: &Page,
    inc: &Incident,
    u: &NoticeUpdate,
) -> Value {
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
///
/// Any stage is accepted on any incident, a resolved one included: a non-resolved stage on a
/// RESOLVED incident reopens it (`resolved` and `duration` cleared). The official OpenAPI spec
/// types the update's `status` as the full IncidentStatus enum and documents no error for it, and
/// no source reports Instatus refusing it; clients read the incident back to see what took.
#[allow(clippy::too_many_arguments)]
pub(super) fn push_incident_update(
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

pub(super) fn create_incident_update(
    st: &mut State,
    page_id: &str,
    inc_id: &str,
    body: &[u8],
) -> R {
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

pub(super) fn update_idx(
    updates: &[NoticeUpdate],
    kind: &str,
    id: &str,
) -> Result<usize, ApiError> {
    updates
        .iter()
        .position(|u| u.id == id)
        .ok_or_else(|| not_found(kind, id))
}

pub(super) fn get_incident_update(st: &State, page_id: &str, inc_id: &str, id: &str) -> R {
    let pg = page(st, page_id)?;
    let inc = &pg.incidents[incident_idx(pg, inc_id)?];
    let u = &inc.updates[update_idx(&inc.updates, "incident update", id)?];
    Ok(render_incident_update_detailed(pg, inc, u))
}

pub(super) fn edit_incident_update(
    st: &mut State,
    page_id: &str,
    inc_id: &str,
    id: &str,
    body: &[u8],
) -> R {
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

pub(super) fn delete_incident_update(st: &mut State, page_id: &str, inc_id: &str, id: &str) -> R {
    let i = page_idx(st, page_id)?;
    let ii = incident_idx(&st.pages[i], inc_id)?;
    let inc = &mut st.pages[i].incidents[ii];
    let ui = update_idx(&inc.updates, "incident update", id)?;
    inc.updates.remove(ui);
    Ok(json!({"id": id}))
}

pub(super) fn template_idx(pg: &Page, key: &str) -> Result<usize, ApiError> {
    pg.templates
        .iter()
        .position(|t| t.id == key)
        .or_else(|| pg.templates.iter().position(|t| t.name == key))
        .ok_or_else(|| not_found("template", key))
}

pub(super) fn create_incident_from_template(st: &mut State, page_id: &str, key: &str) -> R {
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

pub(super) fn resolve_with_template(st: &mut State, page_id: &str, inc_id: &str, key: &str) -> R {
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
