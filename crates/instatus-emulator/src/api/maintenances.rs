//! Maintenances and their updates.

use super::*;

pub(super) fn render_maintenance(pg: &Page, m: &Maintenance) -> Value {
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

pub(super) fn maintenance_idx(pg: &Page, id: &str) -> Result<usize, ApiError> {
    pg.maintenances
        .iter()
        .position(|x| x.id == id)
        .ok_or_else(|| not_found("maintenance", id))
}

/// The component statuses a maintenance status implies, overridden by explicit `statuses`.
pub(super) fn maintenance_statuses(
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

pub(super) fn list_maintenances(st: &State, page_id: &str, query: &str) -> R {
    let pg = page(st, page_id)?;
    let items = pg
        .maintenances
        .iter()
        .map(|m| render_maintenance(pg, m))
        .collect();
    Ok(Value::Array(paginate(items, query)))
}

pub(super) fn get_maintenance(st: &State, page_id: &str, id: &str) -> R {
    let pg = page(st, page_id)?;
    Ok(render_maintenance(
        pg,
        &pg.maintenances[maintenance_idx(pg, id)?],
    ))
}

/// The longest maintenance taken, in minutes: ten years. A longer one (2^63-1 minutes was
/// accepted once) overflows every client's `start + duration`.
pub(super) const MAX_DURATION_MINUTES: i64 = 10 * 366 * 24 * 60;

/// `duration` checked: 0 to [`MAX_DURATION_MINUTES`].
fn checked_duration(m: &Obj) -> Result<Option<i64>, ApiError> {
    match opt_i64(m, "duration")? {
        Some(d) if !(0..=MAX_DURATION_MINUTES).contains(&d) => Err(bad(format!(
            "field 'duration' is out of range: {d}; allowed: 0 to {MAX_DURATION_MINUTES} minutes"
        ))),
        d => Ok(d),
    }
}

pub(super) fn window_minutes(start: &str, end: Option<&str>, duration: Option<i64>) -> Option<i64> {
    duration.or_else(|| end.and_then(|e| time::minutes_between(start, e)))
}

pub(super) fn create_maintenance(st: &mut State, page_id: &str, body: &[u8]) -> R {
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
    let name = req_name(&m, "name")?;
    let message = opt_str(&m, "message")?.unwrap_or_default();
    let fields = FullNoticeFields::parse(&m, MAINTENANCE_STATUS, "start")?;
    let start = fields.started.unwrap_or_default();
    let end = opt_ts(&m, "end")?;
    let duration = checked_duration(&m)?;
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

pub(super) fn update_maintenance(st: &mut State, page_id: &str, id: &str, body: &[u8]) -> R {
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
    let name = opt_name(&m, "name")?;
    // Checked, though a maintenance keeps no message of its own.
    opt_str(&m, "message")?;
    let fields = FullNoticeFields::parse(&m, MAINTENANCE_STATUS, "start")?;
    let start = fields.started.unwrap_or_default();
    let end = opt_ts(&m, "end")?;
    let duration = checked_duration(&m)?;
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

pub(super) fn delete_maintenance(st: &mut State, page_id: &str, id: &str) -> R {
    let i = page_idx(st, page_id)?;
    let mi = maintenance_idx(&st.pages[i], id)?;
    st.pages[i].maintenances.remove(mi);
    Ok(json!({"id": id}))
}

pub(super) fn render_maintenance_update_detailed(
    pg: &Page,
    mt: &Maintenance,
    u: &NoticeUpdate,
) -> Value {
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

pub(super) fn create_maintenance_update(
    st: &mut State,
    page_id: &str,
    mt_id: &str,
    body: &[u8],
) -> R {
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

pub(super) fn get_maintenance_update(st: &State, page_id: &str, mt_id: &str, id: &str) -> R {
    let pg = page(st, page_id)?;
    let mt = &pg.maintenances[maintenance_idx(pg, mt_id)?];
    let u = &mt.updates[update_idx(&mt.updates, "maintenance update", id)?];
    Ok(render_maintenance_update_detailed(pg, mt, u))
}

pub(super) fn edit_maintenance_update(
    st: &mut State,
    page_id: &str,
    mt_id: &str,
    id: &str,
    body: &[u8],
) -> R {
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

pub(super) fn delete_maintenance_update(st: &mut State, page_id: &str, mt_id: &str, id: &str) -> R {
    let i = page_idx(st, page_id)?;
    let mi = maintenance_idx(&st.pages[i], mt_id)?;
    let mt = &mut st.pages[i].maintenances[mi];
    let ui = update_idx(&mt.updates, "maintenance update", id)?;
    mt.updates.remove(ui);
    Ok(json!({"id": id}))
}
