//! Public views: the summary and components the public status page serves.

use instatus::status::Level;

use super::*;

/// The page a public request is for: Host's first label, else `?page=`, else the first page.
pub(super) fn public_page<'a>(
    st: &'a State,
    query: &str,
    host: Option<&str>,
) -> Result<&'a Page, ApiError> {
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

pub(super) fn page_url(pg: &Page) -> String {
    match pg.settings.get("customDomain").and_then(Value::as_str) {
        Some(d) if !d.is_empty() => format!("https://{d}"),
        _ => format!("https://{}.instatus.com", pg.subdomain),
    }
}

pub(super) fn public_summary(st: &State, query: &str, host: Option<&str>) -> R {
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
    let issues =
        !open.is_empty() || status_components(pg).any(|c| level(&c.status) >= Level::Degraded);
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

pub(super) fn public_components(st: &State, query: &str, host: Option<&str>) -> R {
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
