//! Cron (heartbeat) monitors: list, create, update, and what the ping and the clock do to them.
//! Instatus documents these outside its OpenAPI file; the shapes follow the library's table
//! (`Op::ListCronMonitors`...). With `createComponent` a monitor gets a component of its own;
//! with `onFail.createOutageDuration` that component shows MAJOROUTAGE while no ping came for
//! `period + grace` seconds after the first ping, and OPERATIONAL again at the next ping.

use super::*;
use crate::state::CronMonitor;

/// The longest period or grace a monitor takes: 31 days (longer ones would overflow nothing
/// here, but no heartbeat is that slow).
const MAX_SECS: i64 = 31 * 24 * 3600;

fn render(m: &CronMonitor, site_id: &str) -> Value {
    json!({
        "id": m.id,
        "slug": m.slug,
        "name": m.name,
        "siteId": site_id,
        "componentId": m.component_id,
        "period": m.period,
        "grace": m.grace,
        "state": m.state,
        "createdAt": m.created_at,
    })
}

fn secs(m: &Obj, key: &str) -> Result<Option<u64>, ApiError> {
    match opt_i64(m, key)? {
        None => Ok(None),
        Some(v) if (1..=MAX_SECS).contains(&v) => Ok(Some(v as u64)),
        Some(v) => Err(bad(format!(
            "{key}: {v} is out of range; allowed: 1 to {MAX_SECS} seconds"
        ))),
    }
}

pub(super) fn list_cron(st: &State, page_id: &str, query: &str) -> R {
    let pg = page(st, page_id)?;
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.parse::<usize>().ok())
    };
    let limit = param("limit").unwrap_or(100).clamp(1, 100);
    let page_no = param("page").unwrap_or(1).max(1);
    let total = pg.cron_monitors.len();
    let items: Vec<Value> = pg
        .cron_monitors
        .iter()
        .skip((page_no - 1).saturating_mul(limit))
        .take(limit)
        .map(|m| render(m, &pg.id))
        .collect();
    Ok(json!({
        "cronMonitors": items,
        "totalPages": total.div_ceil(limit).max(1),
    }))
}

pub(super) fn create_cron(st: &mut State, body: &[u8]) -> R {
    let m = parse_obj(body)?;
    missing(&["name", "pageId", "period", "grace"], &m)?;
    let name = req_name(&m, "name")?;
    let page_id = req_str(&m, "pageId")?;
    let period = secs(&m, "period")?.unwrap_or(180);
    let grace = secs(&m, "grace")?.unwrap_or(180);
    let create_component = opt_bool(&m, "createComponent")?.unwrap_or(false);
    let outage = m
        .get("onFail")
        .and_then(|f| f.get("createOutageDuration"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let i = page_idx(st, &page_id)?;
    let id = st.new_id();
    let component_id = create_component.then(|| st.new_id());
    let now = time::now_str();
    let pg = &mut st.pages[i];
    if let Some(cid) = &component_id {
        let order = pg
            .components
            .iter()
            .map(|c| c.order)
            .max()
            .map_or(0, |o| o + 1);
        let c = new_component(
            pg,
            cid.clone(),
            name.clone(),
            String::new(),
            order,
            None,
            &now,
        );
        pg.components.push(c);
    }
    let monitor = CronMonitor {
        slug: format!("{}-{}", slug(&name), b36_noise(mix(st_seed(&id)), 8)),
        id,
        name,
        period,
        grace,
        state: "ACTIVE".into(),
        component_id,
        outage,
        last_ping_ms: None,
        failed: false,
        created_at: now,
    };
    let site = pg.id.clone();
    pg.cron_monitors.push(monitor);
    let m = pg.cron_monitors.last().expect("pushed");
    Ok(json!({ "cronMonitor": render(m, &site) }))
}

fn st_seed(id: &str) -> u64 {
    id.bytes()
        .fold(7u64, |a, b| a.wrapping_mul(131).wrapping_add(b as u64))
}

pub(super) fn update_cron(st: &mut State, id: &str, body: &[u8]) -> R {
    let m = parse_obj(body)?;
    let name = opt_name(&m, "name")?;
    let period = secs(&m, "period")?;
    let grace = secs(&m, "grace")?;
    let state = opt_enum(&m, "state", &["ACTIVE", "PAUSED"])?;
    for pg in &mut st.pages {
        let site = pg.id.clone();
        if let Some(mon) = pg.cron_monitors.iter_mut().find(|x| x.id == id) {
            if let Some(n) = name {
                mon.name = n;
            }
            if let Some(p) = period {
                mon.period = p;
            }
            if let Some(g) = grace {
                mon.grace = g;
            }
            if let Some(s) = state {
                mon.state = s;
            }
            return Ok(json!({ "cronMonitor": render(mon, &site) }));
        }
    }
    Err(not_found("cron monitor", id))
}

/// A ping at `/cron/{slug}`: starts or continues the timing, and ends a failure. `false` when
/// no monitor has that slug.
pub(crate) fn ping(st: &mut State, slug: &str, now_ms: i64) -> bool {
    let now = time::now_str();
    for pg in &mut st.pages {
        let Some(mon) = pg.cron_monitors.iter_mut().find(|m| m.slug == slug) else {
            continue;
        };
        mon.last_ping_ms = Some(now_ms);
        if mon.failed {
            mon.failed = false;
            if let (true, Some(cid)) = (mon.outage, mon.component_id.clone()) {
                set_status(pg, &cid, "OPERATIONAL", &now);
            }
        }
        return true;
    }
    false
}

/// Fails every active monitor whose last ping is older than `period + grace`.
pub(crate) fn check(st: &mut State, now_ms: i64) {
    let now = time::now_str();
    for pg in &mut st.pages {
        let mut down = Vec::new();
        for mon in &mut pg.cron_monitors {
            let Some(last) = mon.last_ping_ms else {
                continue;
            };
            let allowed_ms = (mon.period.saturating_add(mon.grace)).saturating_mul(1000);
            let overdue =
                now_ms.saturating_sub(last) > i64::try_from(allowed_ms).unwrap_or(i64::MAX);
            if mon.state == "ACTIVE" && !mon.failed && overdue {
                mon.failed = true;
                if let (true, Some(cid)) = (mon.outage, mon.component_id.clone()) {
                    down.push(cid);
                }
            }
        }
        for cid in down {
            set_status(pg, &cid, "MAJOROUTAGE", &now);
        }
    }
}

fn set_status(pg: &mut Page, component_id: &str, status: &str, now: &str) {
    if let Some(c) = pg.components.iter_mut().find(|c| c.id == component_id) {
        c.status = status.to_owned();
        c.updated_at = now.to_owned();
    }
}
