//! Components and groups: list (flat and nested), get, create, update, delete.

use super::*;

pub(super) fn new_component(
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

pub(super) fn render_component(page: &Page, c: &Component, with_group: bool) -> Value {
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

pub(super) fn list_components(st: &State, page_id: &str, query: &str, nested: bool) -> R {
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

pub(super) fn component_idx(pg: &Page, id: &str) -> Result<usize, ApiError> {
    pg.components
        .iter()
        .position(|c| c.id == id)
        .ok_or_else(|| not_found("component", id))
}

pub(super) fn get_component(st: &State, page_id: &str, id: &str) -> R {
    let pg = page(st, page_id)?;
    let c = &pg.components[component_idx(pg, id)?];
    Ok(render_component(pg, c, true))
}

/// The parent named by `group` / `groupId` (`Some(None)` = move to top level).
pub(super) fn parent_field(m: &Obj, keys: &[&str]) -> Result<Option<Option<String>>, ApiError> {
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

pub(super) fn check_parent(pg: &Page, parent: &str, child: Option<&str>) -> Result<(), ApiError> {
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

pub(super) fn next_order(pg: &Page, group: Option<&str>, skip: Option<&str>) -> i64 {
    pg.components
        .iter()
        .filter(|c| c.group_id.as_deref() == group && Some(c.id.as_str()) != skip)
        .map(|c| c.order)
        .max()
        .map_or(1, |o| o + 1)
}

pub(super) fn create_component(st: &mut State, page_id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let m = parse_obj(body)?;
    let name = req_name(&m, "name")?;
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

pub(super) fn update_component(st: &mut State, page_id: &str, id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let ci = component_idx(&st.pages[i], id)?;
    let m = parse_obj(body)?;
    let name = opt_name(&m, "name")?;
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

pub(super) fn delete_component(st: &mut State, page_id: &str, id: &str) -> R {
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

pub(super) fn set_component_status(pg: &mut Page, id: &str, status: &str, now: &str) {
    if let Some(c) = pg.components.iter_mut().find(|c| c.id == id) {
        if c.status != status {
            c.status = status.to_owned();
            c.updated_at = now.to_owned();
        }
    }
}

/// Checks `components` exist and every `statuses` id is among them.
pub(super) fn check_affected(
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
