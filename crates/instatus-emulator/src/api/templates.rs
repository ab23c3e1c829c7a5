//! Incident and maintenance templates.

use super::*;

pub(super) fn render_template(pg: &Page, t: &Template) -> Value {
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

pub(super) fn template_by_id(pg: &Page, id: &str) -> Result<usize, ApiError> {
    pg.templates
        .iter()
        .position(|t| t.id == id)
        .ok_or_else(|| not_found("template", id))
}

pub(super) fn list_templates(st: &State, page_id: &str, query: &str) -> R {
    let pg = page(st, page_id)?;
    let items = pg
        .templates
        .iter()
        .map(|t| render_template(pg, t))
        .collect();
    Ok(Value::Array(paginate(items, query)))
}

pub(super) fn get_template(st: &State, page_id: &str, id: &str) -> R {
    let pg = page(st, page_id)?;
    Ok(render_template(pg, &pg.templates[template_by_id(pg, id)?]))
}

pub(super) fn template_components(
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

pub(super) fn create_template(st: &mut State, page_id: &str, body: &[u8]) -> R {
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
    let name = req_name(&m, "name")?;
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

pub(super) fn update_template(st: &mut State, page_id: &str, id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let ti = template_by_id(&st.pages[i], id)?;
    let m = parse_obj(body)?;
    let kind = opt_enum(&m, "type", TEMPLATE_TYPE)?;
    let name = opt_name(&m, "name")?;
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

pub(super) fn delete_template(st: &mut State, page_id: &str, id: &str) -> R {
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
