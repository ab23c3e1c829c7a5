//! The page model the template draws: the overall banner, the component tree with its status
//! pills, and the open incidents and maintenances, each in the page's colours.

use instatus::model::{ComponentStatus, StatusPage};
use instatus::uptime::report::{ink, Colors};
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::api::{setting, shown_rank, sorted_components};
use crate::state::{Component, Incident, Maintenance, NoticeUpdate, Page};

use super::bars::{Bars, UptimeView};
use super::text::{duration_label, markdown_links, notice_label, status_label, when};

/// The page's colours as the library reads them from the API's answer ([`Colors::of`]: a set
/// `#rgb` or `#rrggbb`, else the default the API reports), the ones the uptime reports draw with.
pub(super) fn page_colors(page: &Page) -> Colors {
    // Only the colours, as strings: another setting hand-edited into the state with a wrong
    // type must not take them down.
    let mut answer: Map<String, Value> = page
        .settings
        .iter()
        .filter(|(key, value)| key.ends_with("Color") && value.is_string())
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    answer.insert("id".into(), json!(page.id));
    serde_json::from_value::<StatusPage>(Value::Object(answer))
        .map_or_else(|_| Colors::default(), |p| Colors::of(&p))
}

/// The colour of a stored component status.
fn status_color<'c>(colors: &'c Colors, status: &str) -> &'c str {
    colors.of_status(&ComponentStatus::from_wire(status))
}

/// A status pill: the status, its label and colour.
#[derive(Debug, Serialize)]
pub(super) struct Pill {
    status: String,
    label: String,
    color: String,
    /// The text colour on `color`.
    ink: String,
}

impl Pill {
    fn new(colors: &Colors, status: &str) -> Pill {
        Pill {
            status: status.to_owned(),
            label: status_label(status).to_owned(),
            color: status_color(colors, status).to_owned(),
            ink: ink(status_color(colors, status)).to_owned(),
        }
    }
}

/// A row of the component tree; a group carries its visible children.
#[derive(Debug, Serialize)]
pub(super) struct Row {
    id: String,
    name: String,
    /// Escaped description with Markdown links as anchors (marked safe in the template).
    description_html: String,
    pill: Pill,
    is_group: bool,
    children: Vec<Row>,
    /// The uptime bar, for a component that shows it.
    uptime: Option<Bars>,
}

/// An open incident or a running or upcoming maintenance.
#[derive(Debug, Serialize)]
pub(super) struct Notice {
    id: String,
    name: String,
    pub(super) status: String,
    status_label: String,
    /// The accent colour: the worst affected status's for incidents, the notice colour for
    /// maintenances.
    color: String,
    /// The text colour on `color`.
    ink: String,
    /// When it started (incidents) or starts (maintenances).
    start: String,
    duration: Option<String>,
    /// The latest update's message, with Markdown links (marked safe in the template).
    message_html: String,
    updated: String,
    /// The affected components: each pill's label is the component's name.
    components: Vec<Pill>,
}

/// The overall status banner.
#[derive(Debug, Serialize)]
pub(super) struct Overall {
    status: String,
    title: String,
    detail: String,
    color: String,
    /// The text colour on `color`.
    ink: String,
}

fn row(colors: &Colors, view: &UptimeView<'_>, c: &Component, children: Vec<Row>) -> Row {
    let status = if c.is_parent && !children.is_empty() {
        children
            .iter()
            .map(|r| r.pill.status.as_str())
            .max_by_key(|s| shown_rank(s))
            .unwrap_or(&c.status)
            .to_owned()
    } else {
        c.status.clone()
    };
    Row {
        id: c.id.clone(),
        name: c.name.clone(),
        description_html: markdown_links(&c.description),
        pill: Pill::new(colors, &status),
        is_group: c.is_parent,
        children,
        uptime: view.bars(c),
    }
}

/// The visible component tree: groups with their children, then ungrouped components, in the
/// API's order; archived components (and the children of archived groups) are hidden.
pub(super) fn tree(page: &Page, colors: &Colors, view: &UptimeView<'_>) -> Vec<Row> {
    let sorted = sorted_components(page);
    let live = |c: &&&Component| c.archived_at.is_none();
    let group_of = |c: &Component| {
        c.group_id
            .as_ref()
            .and_then(|g| page.components.iter().find(|x| &x.id == g && x.is_parent))
    };
    let mut rows = Vec::new();
    for c in sorted.iter().filter(live) {
        match group_of(c) {
            // A child: rendered under its group (or hidden with an archived one).
            Some(_) if !c.is_parent => continue,
            _ => {}
        }
        let children = if c.is_parent {
            sorted
                .iter()
                .filter(live)
                .filter(|x| !x.is_parent && x.group_id.as_deref() == Some(c.id.as_str()))
                .map(|x| row(colors, view, x, Vec::new()))
                .collect()
        } else {
            Vec::new()
        };
        rows.push(row(colors, view, c, children));
    }
    rows
}

fn names(page: &Page, colors: &Colors, affected: &[(String, String)]) -> Vec<Pill> {
    affected
        .iter()
        .filter_map(|(id, status)| {
            let c = page.components.iter().find(|c| &c.id == id)?;
            let mut p = Pill::new(colors, status);
            p.label = c.name.clone();
            Some(p)
        })
        .collect()
}

fn latest(updates: &[NoticeUpdate]) -> (String, String) {
    updates.last().map_or_else(Default::default, |u| {
        (markdown_links(&u.message), when(&u.created_at))
    })
}

pub(super) fn incident(page: &Page, colors: &Colors, inc: &Incident) -> Notice {
    let worst = inc
        .components
        .iter()
        .map(|(_, s)| s.as_str())
        .max_by_key(|s| shown_rank(s));
    let color = match worst {
        Some(s) if s != "OPERATIONAL" => status_color(colors, s).to_owned(),
        _ => colors.degraded.clone(),
    };
    let (message_html, updated) = latest(&inc.updates);
    let components = names(page, colors, &inc.components);
    Notice {
        id: inc.id.clone(),
        name: inc.name.clone(),
        status: inc.status.clone(),
        status_label: notice_label(&inc.status).to_owned(),
        ink: ink(&color).to_owned(),
        color,
        start: when(&inc.started),
        duration: None,
        message_html,
        updated,
        components,
    }
}

pub(super) fn maintenance(page: &Page, colors: &Colors, mt: &Maintenance) -> Notice {
    let (message_html, updated) = latest(&mt.updates);
    let components = names(page, colors, &mt.components);
    Notice {
        id: mt.id.clone(),
        name: mt.name.clone(),
        status: mt.status.clone(),
        status_label: notice_label(&mt.status).to_owned(),
        color: colors.notice.clone(),
        ink: ink(&colors.notice).to_owned(),
        start: when(&mt.start),
        duration: mt.duration.map(duration_label),
        message_html,
        updated,
        components,
    }
}

/// The banner: the worst status among the visible components (groups excluded).
pub(super) fn overall(page: &Page, colors: &Colors) -> Overall {
    let visible: Vec<&Component> = page
        .components
        .iter()
        .filter(|c| c.archived_at.is_none() && !c.is_parent)
        .collect();
    let affected = visible.iter().filter(|c| c.status != "OPERATIONAL").count();
    let worst = visible
        .iter()
        .map(|c| c.status.as_str())
        .filter(|s| *s != "OPERATIONAL")
        .max_by_key(|s| shown_rank(s));
    match worst {
        None => Overall {
            status: "OPERATIONAL".into(),
            title: "All systems operational".into(),
            detail: String::new(),
            color: colors.ok.clone(),
            ink: ink(&colors.ok).to_owned(),
        },
        Some(s) => Overall {
            status: s.to_owned(),
            title: status_label(s).to_owned(),
            detail: format!(
                "{affected} of {} component{} affected",
                visible.len(),
                if visible.len() == 1 { "" } else { "s" }
            ),
            color: status_color(colors, s).to_owned(),
            ink: ink(status_color(colors, s)).to_owned(),
        },
    }
}

/// A string setting, empty when unset.
pub(super) fn text_setting(page: &Page, key: &str) -> String {
    match setting(page, key) {
        Value::String(s) => s,
        _ => String::new(),
    }
}

/// The page's public address: its custom domain, or `<subdomain>.instatus.com`.
pub(super) fn domain(page: &Page) -> String {
    let custom = text_setting(page, "customDomain");
    if custom.trim().is_empty() {
        format!("{}.instatus.com", page.subdomain)
    } else {
        custom.trim().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use crate::state::State;

    use super::*;

    /// An incident's accent is its worst status's colour, maintenance counted over operational
    /// (the emulator's one ranking, `api::shown_rank`), and degraded when nothing is worse.
    #[test]
    fn an_incident_takes_its_worst_status_colour_maintenance_over_operational() {
        let mut st = State::new();
        let id = st.add_page("e", "E", "e@example.com", "2026-01-01T00:00:00Z");
        let page = st.page(&id).unwrap();
        let colors = page_colors(page);
        let accent = |statuses: &[&str]| {
            let inc: Incident = serde_json::from_value(json!({
                "id": "i", "name": "I", "status": "INVESTIGATING", "started": "", "resolved": null,
                "duration": null, "notify": false, "shouldPublish": true,
                "components": statuses.iter().map(|s| ("c", *s)).collect::<Vec<_>>(),
                "updates": [], "createdAt": "", "updatedAt": ""}))
            .unwrap();
            incident(page, &colors, &inc).color
        };
        assert_eq!(
            accent(&["OPERATIONAL", "UNDERMAINTENANCE", "OPERATIONAL"]),
            colors.notice
        );
        assert_eq!(accent(&["UNDERMAINTENANCE", "MAJOROUTAGE"]), colors.down);
        assert_eq!(accent(&["OPERATIONAL"]), colors.degraded);
        assert_eq!(
            accent(&["SOMETHINGNEW", "UNDERMAINTENANCE"]),
            colors.unknown
        );
    }

    /// Only hex colours reach the page's CSS: anything else (a name, a wrong length, an attempt
    /// to inject CSS) falls back to the default.
    #[test]
    fn colours_are_hex_only() {
        let mut st = State::new();
        let id = st.add_page("e", "E", "e@example.com", "2026-01-01T00:00:00Z");
        let brand = |st: &mut State, value: Value| {
            let page = st.page_mut(&id).unwrap();
            page.settings.insert("brandColor".into(), value);
            page_colors(page).brand
        };
        assert_eq!(brand(&mut st, json!("#7c3aed")), "#7c3aed");
        assert_eq!(brand(&mut st, json!("#fff")), "#fff");
        for bad in ["red", "#12345", "#fff;background:url(x)"] {
            assert_eq!(brand(&mut st, json!(bad)), "#111827", "{bad}");
        }
        // A setting of the wrong type leaves the colours alone.
        st.page_mut(&id)
            .unwrap()
            .settings
            .insert("subscribeBySms".into(), json!("yes"));
        assert_eq!(brand(&mut st, json!("#7c3aed")), "#7c3aed");
    }
}
