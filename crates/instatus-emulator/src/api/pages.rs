//! Pages: settings, list, create, update, delete.

use instatus::model::ComponentStatus;
use instatus::status::Level;
use instatus::validate;

use super::*;

/// The form a page setting's value must have.
#[derive(Clone, Copy, Debug)]
pub(super) enum Kind {
    /// Any string.
    Text,
    /// A boolean.
    Flag,
    /// One of [`SMS_SERVICE`].
    Sms,
    /// A string of a checked form (`instatus::validate`).
    Checked(Check),
}

/// What a setting reads as when unset or null (the spec's non-nullable ones have a default).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Unset {
    /// `null`.
    Null,
    /// This string.
    Text(&'static str),
    /// This boolean.
    Flag(bool),
}

/// One page setting: its wire name and form, the writes that take it and the answers that report
/// it, as the OpenAPI spec has them (`CreateStatusPageRequest`, `UpdateStatusPageRequest`,
/// `StatusPage` of the list, `StatusPageResponse` of create and update) plus the listed
/// deviations (`instatus::api::deviations`). A test holds the table to the spec.
///
/// The library's settings table (`instatus::desired::settings`) writes through
/// `UpdateStatusPageRequest`, which `crates/instatus/tests/it/contract.rs` holds to the same spec:
/// the two meet at the spec, and neither is derived from the other, so a client's mistake copied
/// into the emulator cannot pass here and fail against Instatus.
#[derive(Clone, Copy, Debug)]
pub(super) struct PageSetting {
    pub name: &'static str,
    pub kind: Kind,
    pub unset: Unset,
    /// Bits of [`CREATE`], [`UPDATE`], [`LIST`] and [`ANSWER`].
    pub places: u8,
}

/// Taken by the page create.
pub(super) const CREATE: u8 = 1;
/// Taken by the page update.
pub(super) const UPDATE: u8 = 2;
/// Reported by the page list.
pub(super) const LIST: u8 = 4;
/// Reported by the create and update answers.
pub(super) const ANSWER: u8 = 8;
/// Everywhere.
const ALL: u8 = CREATE | UPDATE | LIST | ANSWER;

const fn s(name: &'static str, kind: Kind, unset: Unset, places: u8) -> PageSetting {
    PageSetting {
        name,
        kind,
        unset,
        places,
    }
}

const URL: Kind = Kind::Checked(validate::http_url);
const COLOR: Kind = Kind::Checked(validate::color);
const NULL: Unset = Unset::Null;

/// Every page setting besides `name` and `subdomain` (which pages keep in fields of their own).
pub(super) const PAGE_SETTINGS: &[PageSetting] = &[
    s("logoUrl", URL, NULL, ALL),
    s("faviconUrl", URL, NULL, ALL),
    s("websiteUrl", URL, NULL, ALL),
    // Not in the spec's update request: a listed deviation (the Terraform provider sends it).
    s(
        "customDomain",
        Kind::Checked(validate::domain),
        NULL,
        UPDATE | LIST | ANSWER,
    ),
    s(
        "publicEmail",
        Kind::Checked(validate::email),
        NULL,
        UPDATE | LIST | ANSWER,
    ),
    s("twitter", Kind::Text, NULL, LIST | ANSWER),
    s(
        "language",
        Kind::Checked(validate::language),
        Unset::Text("en"),
        ALL,
    ),
    s("useLargeHeader", Kind::Flag, Unset::Flag(false), ALL),
    s("brandColor", COLOR, Unset::Text("#111827"), ALL),
    s("okColor", COLOR, Unset::Text("#33B17E"), ALL),
    s("disruptedColor", COLOR, Unset::Text("#FF8C03"), ALL),
    s("degradedColor", COLOR, Unset::Text("#ECC94B"), ALL),
    s("downColor", COLOR, Unset::Text("#DC2626"), ALL),
    s("noticeColor", COLOR, Unset::Text("#70808F"), ALL),
    s(
        "unknownColor",
        COLOR,
        Unset::Text("#D1D1D1"),
        CREATE | UPDATE | LIST,
    ),
    s("googleAnalytics", Kind::Text, NULL, ALL),
    s("subscribeBySms", Kind::Flag, Unset::Flag(false), ALL),
    s("smsService", Kind::Sms, NULL, CREATE | UPDATE | LIST),
    s("htmlInMeta", Kind::Text, NULL, ALL),
    s("htmlAboveHeader", Kind::Text, NULL, ALL),
    s("htmlBelowHeader", Kind::Text, NULL, ALL),
    s("htmlAboveFooter", Kind::Text, NULL, ALL),
    s("htmlBelowFooter", Kind::Text, NULL, ALL),
    s("htmlBelowSummary", Kind::Text, NULL, ALL),
    s("cssGlobal", Kind::Text, NULL, ALL),
    s("launchDate", Kind::Text, NULL, ALL),
    s(
        "dateFormat",
        Kind::Text,
        Unset::Text("MMMM d, yyyy"),
        CREATE | UPDATE | ANSWER,
    ),
    s(
        "dateFormatShort",
        Kind::Text,
        Unset::Text("MMM d"),
        CREATE | UPDATE | ANSWER,
    ),
    s(
        "timeFormat",
        Kind::Text,
        Unset::Text("h:mm a"),
        CREATE | UPDATE | ANSWER,
    ),
    s("private", Kind::Flag, Unset::Flag(false), UPDATE | ANSWER),
    s(
        "useAllowList",
        Kind::Flag,
        Unset::Flag(false),
        UPDATE | ANSWER,
    ),
    s("onboarded", Kind::Flag, Unset::Flag(true), LIST | ANSWER),
];

/// Stores the settings `m` gives that a write of this kind (`CREATE` or `UPDATE`) takes; others
/// are ignored, as the API ignores fields it does not know.
pub(super) fn apply_page_settings(page: &mut Page, m: &Obj, write: u8) -> Result<(), ApiError> {
    for setting in PAGE_SETTINGS.iter().filter(|s| s.places & write != 0) {
        let key = setting.name;
        let Some(v) = m.get(key) else { continue };
        let ok = match (setting.kind, v) {
            (_, Value::Null) => true,
            (Kind::Text, Value::String(_)) | (Kind::Flag, Value::Bool(_)) => true,
            (Kind::Sms, Value::String(s)) => {
                check_enum(key, s, SMS_SERVICE)?;
                true
            }
            (Kind::Checked(check), Value::String(s)) => {
                check_form(key, s, check)?;
                true
            }
            _ => false,
        };
        if !ok {
            let want = if matches!(setting.kind, Kind::Flag) {
                "a boolean"
            } else {
                "a string"
            };
            return Err(bad(format!("field '{key}' must be {want}")));
        }
        page.settings.insert(key.to_owned(), v.clone());
    }
    Ok(())
}

/// A page setting as the API reports it: the stored value, or its default when unset or null.
pub(crate) fn setting(page: &Page, key: &str) -> Value {
    match page.settings.get(key) {
        Some(v) if !v.is_null() => v.clone(),
        _ => match PAGE_SETTINGS
            .iter()
            .find(|s| s.name == key)
            .map(|s| s.unset)
        {
            Some(Unset::Text(text)) => json!(text),
            Some(Unset::Flag(flag)) => json!(flag),
            Some(Unset::Null) | None => Value::Null,
        },
    }
}

/// Adds the settings an answer reports (`LIST` or `ANSWER`) to `v`.
fn with_settings(mut v: Value, page: &Page, answer: u8) -> Value {
    let obj = v.as_object_mut().expect("object");
    for s in PAGE_SETTINGS.iter().filter(|s| s.places & answer != 0) {
        obj.insert(s.name.to_owned(), setting(page, s.name));
    }
    v
}

/// Components that count for the page status: not archived, not groups.
pub(super) fn status_components(page: &Page) -> impl Iterator<Item = &Component> {
    page.components
        .iter()
        .filter(|c| c.archived_at.is_none() && !c.is_parent)
}

/// How bad a stored component status is, as the library reads it: [`Level::from_status`], where
/// the rule for a status nobody knows is stated.
pub(crate) fn level(status: &str) -> Level {
    Level::from_status(&ComponentStatus::from_wire(status))
}

/// The status a page shows for several: the worst by [`level`], and at the same level
/// maintenance over operational (a component under maintenance is shown, not hidden among the
/// operational ones).
pub(crate) fn shown_rank(status: &str) -> (Level, bool) {
    (level(status), status == "UNDERMAINTENANCE")
}

/// The impact of an incident on `affected` (component id, status): its worst status's level, as
/// Instatus spells it.
pub(crate) fn impact(affected: &[(String, String)]) -> &'static str {
    let worst = affected.iter().map(|(_, s)| level(s)).max();
    match worst.unwrap_or(Level::Operational) {
        Level::MajorOutage => "MAJOROUTAGE",
        Level::PartialOutage => "PARTIALOUTAGE",
        Level::Degraded => "DEGRADEDPERFORMANCE",
        Level::Operational => "OPERATIONAL",
    }
}

/// `UP`, or `ONE`/`SOME`/`ALL` + the worst component status.
pub(super) fn page_status(page: &Page) -> String {
    let total = status_components(page).count();
    let affected: Vec<&Component> = status_components(page)
        .filter(|c| c.status != "OPERATIONAL")
        .collect();
    let Some(worst) = affected.iter().max_by_key(|c| shown_rank(&c.status)) else {
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
    let v = json!({
        "id": page.id,
        "subdomain": page.subdomain,
        "name": page.name,
        "status": page_status(page),
        "workspaceId": page.workspace_id,
        "createdAt": page.created_at,
        "updatedAt": page.updated_at,
    });
    with_settings(v, page, LIST)
}

/// The page per `StatusPageResponse` (create and update answers).
pub(super) fn render_page_response(page: &Page) -> Value {
    let v = json!({
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
    with_settings(v, page, ANSWER)
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
    apply_page_settings(&mut draft, &m, CREATE)?;
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
    apply_page_settings(&mut settings, &m, UPDATE)?;
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use instatus::api::deviations::{is_deviation, Side};

    use super::*;

    /// The vendored OpenAPI spec of the `instatus` crate.
    fn spec() -> Value {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../instatus/spec/instatus-openapi.json"
        );
        serde_json::from_str(&std::fs::read_to_string(path).expect("the vendored spec")).unwrap()
    }

    /// Properties that are not page settings: what a page keeps in fields of its own, and what
    /// the answers build (`color`, `allowList`, ...; `secureLink` is left out, it is nullable).
    const NOT_SETTINGS: &[&str] = &[
        "id",
        "name",
        "subdomain",
        "status",
        "email",
        "components",
        "workspace",
        "translations",
        "createdAt",
        "updatedAt",
        "color",
        "disableDarkMode",
        "allowList",
        "secureLink",
    ];

    /// SMS provider credentials: write-only secrets the emulator takes and never stores.
    fn is_credential(name: &str) -> bool {
        ["twilio", "esendex", "nexmo"]
            .iter()
            .any(|p| name.starts_with(p))
    }

    #[test]
    fn page_settings_are_the_specs_and_its_listed_deviations() {
        let spec = spec();
        for (bit, schema, write) in [
            (CREATE, "CreateStatusPageRequest", Some(Op::CreatePage)),
            (UPDATE, "UpdateStatusPageRequest", Some(Op::UpdatePage)),
            (LIST, "StatusPage", None),
            (ANSWER, "StatusPageResponse", None),
        ] {
            let props = spec["components"]["schemas"][schema]["properties"]
                .as_object()
                .unwrap_or_else(|| panic!("{schema} in the spec"));
            let in_spec: BTreeSet<&str> = props
                .keys()
                .map(String::as_str)
                .filter(|k| !NOT_SETTINGS.contains(k) && !is_credential(k))
                .collect();
            let deviation =
                |name: &str| write.is_some_and(|op| is_deviation(op, Side::Request, name));
            let in_table: BTreeSet<&str> = PAGE_SETTINGS
                .iter()
                .filter(|s| s.places & bit != 0 && !deviation(s.name))
                .map(|s| s.name)
                .collect();
            assert_eq!(in_table, in_spec, "{schema}: the table against the spec");

            for s in PAGE_SETTINGS.iter().filter(|s| in_spec.contains(s.name)) {
                let p = &props[s.name];
                let spec_kind = match (p["type"].as_str(), p["$ref"].as_str()) {
                    (Some("boolean"), _) => "boolean",
                    (_, Some("#/components/schemas/SmsService")) => "SmsService",
                    (Some("string"), _) => "string",
                    other => panic!("{schema}.{}: unexpected {other:?}", s.name),
                };
                let ours = match s.kind {
                    Kind::Flag => "boolean",
                    Kind::Sms => "SmsService",
                    Kind::Text | Kind::Checked(_) => "string",
                };
                assert_eq!(ours, spec_kind, "{schema}.{}", s.name);
                let nullable = p["nullable"].as_bool().unwrap_or(false);
                if bit & (LIST | ANSWER) != 0 && !nullable {
                    assert_ne!(s.unset, Unset::Null, "{schema}.{} is never null", s.name);
                }
            }
        }
        // The one setting taken beyond the spec's requests is the listed deviation.
        let beyond: Vec<&str> = PAGE_SETTINGS
            .iter()
            .filter(|s| {
                s.places & UPDATE != 0 && is_deviation(Op::UpdatePage, Side::Request, s.name)
            })
            .map(|s| s.name)
            .collect();
        assert_eq!(beyond, ["customDomain"]);
    }

    /// A page with no settings, components or notices.
    fn blank_page() -> Page {
        Page::new(
            String::new(),
            "p",
            "P",
            "ops@example.com",
            String::new(),
            "",
        )
    }

    /// The page status and an incident's impact rank statuses by the library's one ordering
    /// ([`level`], an unknown status included), maintenance shown over operational.
    #[test]
    fn page_status_and_impact_follow_the_level_and_show_maintenance() {
        let mut page = blank_page();
        let mut status_of = |statuses: &[&str]| {
            page.components = statuses
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    serde_json::from_value(json!({
                        "id": format!("c{i}"), "name": format!("C{i}"), "description": "",
                        "status": s, "order": i, "showUptime": true, "groupId": null,
                        "isParent": false, "uniqueEmail": "", "archivedAt": null,
                        "createdAt": "", "updatedAt": ""}))
                    .unwrap()
                })
                .collect();
            page_status(&page)
        };
        assert_eq!(status_of(&["OPERATIONAL", "OPERATIONAL"]), "UP");
        assert_eq!(
            status_of(&["UNDERMAINTENANCE", "OPERATIONAL"]),
            "ONEUNDERMAINTENANCE"
        );
        assert_eq!(
            status_of(&["DEGRADEDPERFORMANCE", "UNDERMAINTENANCE"]),
            "ALLDEGRADEDPERFORMANCE"
        );
        assert_eq!(
            status_of(&["UNDERMAINTENANCE", "SOMETHINGNEW", "OPERATIONAL"]),
            "SOMESOMETHINGNEW"
        );
        assert_eq!(
            status_of(&["MAJOROUTAGE", "SOMETHINGNEW"]),
            "ALLMAJOROUTAGE"
        );

        let affected = |statuses: &[&str]| -> Vec<(String, String)> {
            statuses
                .iter()
                .map(|s| (String::new(), (*s).to_owned()))
                .collect()
        };
        assert_eq!(impact(&affected(&[])), "OPERATIONAL");
        assert_eq!(impact(&affected(&["UNDERMAINTENANCE"])), "OPERATIONAL");
        assert_eq!(
            impact(&affected(&["SOMETHINGNEW", "OPERATIONAL"])),
            "DEGRADEDPERFORMANCE"
        );
        assert_eq!(
            impact(&affected(&["PARTIALOUTAGE", "MAJOROUTAGE"])),
            "MAJOROUTAGE"
        );
    }

    #[test]
    fn a_write_keeps_only_the_settings_its_request_takes() {
        let mut page = blank_page();
        let body = json!({"publicEmail": "ops@example.com", "twitter": "ephemery", "onboarded": false,
            "brandColor": "#123456"});
        apply_page_settings(&mut page, body.as_object().unwrap(), CREATE).unwrap();
        assert_eq!(page.settings.keys().collect::<Vec<_>>(), ["brandColor"]);
        apply_page_settings(&mut page, body.as_object().unwrap(), UPDATE).unwrap();
        assert_eq!(
            page.settings.keys().collect::<Vec<_>>(),
            ["brandColor", "publicEmail"]
        );
        assert_eq!(setting(&page, "twitter"), Value::Null);
        assert_eq!(setting(&page, "onboarded"), json!(true));
    }
}
