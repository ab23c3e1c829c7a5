//! Pages: settings, list, create, update, delete.

use instatus::validate;

use super::*;

/// Settings accepted on create/update, with their kind: `s` string, `b` bool, `e` SMS service,
/// and strings of a checked form: `u` http(s) URL, `d` host name, `m` email, `l` language, `c` colour.
pub(super) const PAGE_SETTINGS: &[(&str, char)] = &[
    ("logoUrl", 'u'),
    ("faviconUrl", 'u'),
    ("websiteUrl", 'u'),
    ("customDomain", 'd'),
    ("publicEmail", 'm'),
    ("twitter", 's'),
    ("language", 'l'),
    ("useLargeHeader", 'b'),
    ("brandColor", 'c'),
    ("okColor", 'c'),
    ("disruptedColor", 'c'),
    ("degradedColor", 'c'),
    ("downColor", 'c'),
    ("noticeColor", 'c'),
    ("unknownColor", 'c'),
    ("googleAnalytics", 's'),
    ("subscribeBySms", 'b'),
    ("smsService", 'e'),
    ("htmlInMeta", 's'),
    ("htmlAboveHeader", 's'),
    ("htmlBelowHeader", 's'),
    ("htmlAboveFooter", 's'),
    ("htmlBelowFooter", 's'),
    ("htmlBelowSummary", 's'),
    ("cssGlobal", 's'),
    ("launchDate", 's'),
    ("dateFormat", 's'),
    ("dateFormatShort", 's'),
    ("timeFormat", 's'),
    ("private", 'b'),
    ("useAllowList", 'b'),
    ("onboarded", 'b'),
];

/// Defaults for settings whose spec type is not nullable.
pub(super) fn page_setting_default(key: &str) -> Value {
    match key {
        "language" => json!("en"),
        "useLargeHeader" | "private" | "useAllowList" | "subscribeBySms" => json!(false),
        "onboarded" => json!(true),
        "brandColor" => json!("#111827"),
        "okColor" => json!("#33B17E"),
        "disruptedColor" => json!("#FF8C03"),
        "degradedColor" => json!("#ECC94B"),
        "downColor" => json!("#DC2626"),
        "noticeColor" => json!("#70808F"),
        "unknownColor" => json!("#D1D1D1"),
        "dateFormat" => json!("MMMM d, yyyy"),
        "dateFormatShort" => json!("MMM d"),
        "timeFormat" => json!("h:mm a"),
        _ => Value::Null,
    }
}

pub(super) fn apply_page_settings(page: &mut Page, m: &Obj) -> Result<(), ApiError> {
    for (key, kind) in PAGE_SETTINGS {
        let Some(v) = m.get(*key) else { continue };
        let ok = match (kind, v) {
            (_, Value::Null) => true,
            ('s', Value::String(_)) | ('b', Value::Bool(_)) => true,
            ('e', Value::String(s)) => {
                check_enum(key, s, SMS_SERVICE)?;
                true
            }
            (form @ ('u' | 'd' | 'm' | 'l' | 'c'), Value::String(s)) => {
                check_form(key, s, setting_check(*form))?;
                true
            }
            _ => false,
        };
        if !ok {
            let want = if *kind == 'b' {
                "a boolean"
            } else {
                "a string"
            };
            return Err(bad(format!("field '{key}' must be {want}")));
        }
        page.settings.insert((*key).to_owned(), v.clone());
    }
    Ok(())
}

/// The validator for a checked setting kind.
fn setting_check(kind: char) -> Check {
    match kind {
        'u' => validate::http_url,
        'd' => validate::domain,
        'm' => validate::email,
        'l' => validate::language,
        _ => validate::color,
    }
}

/// A page setting as the API reports it: the stored value, or its default when unset or null.
pub(crate) fn setting(page: &Page, key: &str) -> Value {
    match page.settings.get(key) {
        Some(v) if !v.is_null() => v.clone(),
        _ => page_setting_default(key),
    }
}

/// Components that count for the page status: not archived, not groups.
pub(super) fn status_components(page: &Page) -> impl Iterator<Item = &Component> {
    page.components
        .iter()
        .filter(|c| c.archived_at.is_none() && !c.is_parent)
}

/// How bad a component status is: 0 (operational) to 4 (major outage); unknown ones count as 2.
pub(crate) fn severity(status: &str) -> u8 {
    match status {
        "OPERATIONAL" => 0,
        "UNDERMAINTENANCE" => 1,
        "DEGRADEDPERFORMANCE" => 2,
        "PARTIALOUTAGE" => 3,
        "MAJOROUTAGE" => 4,
        _ => 2,
    }
}

/// `UP`, or `ONE`/`SOME`/`ALL` + the worst component status.
pub(super) fn page_status(page: &Page) -> String {
    let total = status_components(page).count();
    let affected: Vec<&Component> = status_components(page)
        .filter(|c| c.status != "OPERATIONAL")
        .collect();
    let Some(worst) = affected.iter().max_by_key(|c| severity(&c.status)) else {
        return "UP".into();
    };
    let scope = if affected.len() == total {
        "ALL"
    } else if affected.len() == 1 {
        "ONE"
    } else {
        "SOME"
    };
    format!("{scope}{}", worst.status)
}

pub(super) fn render_page_list_item(page: &Page) -> Value {
    let mut v = json!({
        "id": page.id,
        "subdomain": page.subdomain,
        "name": page.name,
        "status": page_status(page),
        "workspaceId": page.workspace_id,
        "createdAt": page.created_at,
        "updatedAt": page.updated_at,
    });
    let obj = v.as_object_mut().expect("object");
    for key in [
        "logoUrl",
        "faviconUrl",
        "websiteUrl",
        "customDomain",
        "publicEmail",
        "twitter",
        "subscribeBySms",
        "language",
        "useLargeHeader",
        "brandColor",
        "okColor",
        "disruptedColor",
        "degradedColor",
        "downColor",
        "noticeColor",
        "unknownColor",
        "googleAnalytics",
        "smsService",
        "htmlInMeta",
        "htmlAboveHeader",
        "htmlBelowHeader",
        "htmlAboveFooter",
        "htmlBelowFooter",
        "htmlBelowSummary",
        "launchDate",
        "cssGlobal",
        "onboarded",
    ] {
        obj.insert(key.to_owned(), setting(page, key));
    }
    v
}

/// The page per `StatusPageResponse` (create and update answers).
pub(super) fn render_page_response(page: &Page) -> Value {
    let mut v = json!({
        "id": page.id,
        "createdAt": page.created_at,
        "updatedAt": page.updated_at,
        "subdomain": page.subdomain,
        "name": page.name,
        "status": page_status(page),
        "color": null,
        "disableDarkMode": false,
        "allowList": [],
        "workspaceId": page.workspace_id,
        "components": sorted_components(page)
            .into_iter()
            .map(|c| render_component(page, c, true))
            .collect::<Vec<_>>(),
        "translations": {},
    });
    let obj = v.as_object_mut().expect("object");
    for key in [
        "logoUrl",
        "faviconUrl",
        "websiteUrl",
        "language",
        "googleAnalytics",
        "publicEmail",
        "customDomain",
        "useLargeHeader",
        "twitter",
        "subscribeBySms",
        "brandColor",
        "okColor",
        "disruptedColor",
        "downColor",
        "degradedColor",
        "noticeColor",
        "htmlInMeta",
        "htmlAboveHeader",
        "htmlBelowHeader",
        "htmlAboveFooter",
        "htmlBelowFooter",
        "htmlBelowSummary",
        "cssGlobal",
        "onboarded",
        "launchDate",
        "dateFormat",
        "dateFormatShort",
        "timeFormat",
        "private",
        "useAllowList",
    ] {
        obj.insert(key.to_owned(), setting(page, key));
    }
    v
}

pub(super) fn list_pages(st: &State, query: &str) -> Value {
    Value::Array(paginate(
        st.pages.iter().map(render_page_list_item).collect(),
        query,
    ))
}

pub(super) fn create_page(st: &mut State, body: &[u8]) -> R {
    let m = parse_obj(body)?;
    missing(&["email", "name", "subdomain", "components"], &m)?;
    let email = req_str(&m, "email")?;
    check_form("email", &email, validate::email)?;
    let name = req_name(&m, "name")?;
    let subdomain = req_str(&m, "subdomain")?;
    check_form("subdomain", &subdomain, validate::subdomain)?;
    let components = opt_str_list(&m, "components")?.unwrap_or_default();
    for component in &components {
        check_form("components", component, validate::name)?;
    }
    if st.pages.iter().any(|p| p.subdomain == subdomain) {
        return Err(bad(format!("subdomain '{subdomain}' is already taken")));
    }
    if let Some(ws) = opt_str(&m, "workspace")? {
        if !st.pages.iter().any(|p| p.workspace_id == ws) {
            return Err(bad(format!("workspace {ws} not found")));
        }
    }
    // Settings are checked on a draft first so a bad one leaves no half-made page behind.
    let mut draft = Page::new(String::new(), &subdomain, &name, &email, String::new(), "");
    apply_page_settings(&mut draft, &m)?;
    let now = time::now_str();
    let id = st.add_page(&subdomain, &name, &email, &now);
    if let Some(ws) = opt_str(&m, "workspace")? {
        if let Some(p) = st.page_mut(&id) {
            p.workspace_id = ws;
        }
    }
    for cname in components {
        let cid = st.new_id();
        let pg = st.page_mut(&id).expect("just created");
        let order = pg.components.len() as i64 + 1;
        let c = new_component(pg, cid, cname, String::new(), order, None, &now);
        pg.components.push(c);
    }
    let pg = st.page_mut(&id).expect("just created");
    pg.settings = draft.settings;
    Ok(render_page_response(pg))
}

pub(super) fn update_page(st: &mut State, page_id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let m = parse_obj(body)?;
    let name = opt_name(&m, "name")?;
    let subdomain = opt_checked(&m, "subdomain", validate::subdomain)?;
    let _ = opt_enum(
        &m,
        "status",
        &[
            "UP",
            "HASISSUES",
            "ALLUNDERMAINTENANCE",
            "ALLDEGRADEDPERFORMANCE",
            "ALLPARTIALOUTAGE",
            "ALLMINOROUTAGE",
            "ALLMAJOROUTAGE",
            "SOMEUNDERMAINTENANCE",
            "SOMEDEGRADEDPERFORMANCE",
            "SOMEPARTIALOUTAGE",
            "SOMEMINOROUTAGE",
            "SOMEMAJOROUTAGE",
            "ONEUNDERMAINTENANCE",
            "ONEDEGRADEDPERFORMANCE",
            "ONEPARTIALOUTAGE",
            "ONEMINOROUTAGE",
            "ONEMAJOROUTAGE",
        ],
    )?;
    if let Some(s) = &subdomain {
        if st
            .pages
            .iter()
            .any(|p| &p.subdomain == s && p.id != page_id)
        {
            return Err(bad(format!("subdomain '{s}' is already taken")));
        }
    }
    let pg = &mut st.pages[i];
    let mut settings = pg.clone();
    apply_page_settings(&mut settings, &m)?;
    pg.settings = settings.settings;
    if let Some(n) = name {
        pg.name = n;
    }
    if let Some(s) = subdomain {
        pg.subdomain = s;
    }
    pg.updated_at = time::now_str();
    let mut v = render_page_response(pg);
    // Quirk: the update answer gives `name` as a translations object.
    v["name"] = json!({"default": pg.name, "en": pg.name});
    Ok(v)
}

pub(super) fn delete_page(st: &mut State, page_id: &str) -> R {
    let i = page_idx(st, page_id)?;
    st.pages.remove(i);
    Ok(json!({"id": page_id}))
}
