//! The page model the template draws: the overall banner, the component tree with its status
//! pills, and the open incidents and maintenances, each in the page's colours.

use serde::Serialize;
use serde_json::Value;

use crate::api::{setting, severity, sorted_components};
use crate::state::{Component, Incident, Maintenance, NoticeUpdate, Page};

use super::bars::{Bars, UptimeView};
use super::text::{duration_label, markdown_links, notice_label, status_label, when};

/// The page's effective colours (set, or the API's default), each a valid CSS hex colour.
#[derive(Clone, Debug, Serialize)]
pub(super) struct Colors {
    pub(super) brand: String,
    pub(super) ok: String,
    pub(super) degraded: String,
    pub(super) disrupted: String,
    pub(super) down: String,
    pub(super) notice: String,
    pub(super) unknown: String,
}

impl Colors {
    pub(super) fn of(page: &Page) -> Colors {
        let c = |key: &str, fallback: &str| {
            let v = setting(page, key);
            v.as_str()
                .map(str::trim)
                .filter(|s| is_hex_color(s))
                .unwrap_or(fallback)
                .to_owned()
        };
        Colors {
            brand: c("brandColor", "#111827"),
            ok: c("okColor", "#33B17E"),
            degraded: c("degradedColor", "#ECC94B"),
            disrupted: c("disruptedColor", "#FF8C03"),
            down: c("downColor", "#DC2626"),
            notice: c("noticeColor", "#70808F"),
            unknown: c("unknownColor", "#D1D1D1"),
        }
    }

    /// The colour of a component status.
    fn of_status(&self, status: &str) -> &str {
        match status {
            "OPERATIONAL" => &self.ok,
            "DEGRADEDPERFORMANCE" => &self.degraded,
            "PARTIALOUTAGE" => &self.disrupted,
            "MAJOROUTAGE" => &self.down,
            "UNDERMAINTENANCE" => &self.notice,
            _ => &self.unknown,
        }
    }
}

/// `#rgb`, `#rgba`, `#rrggbb` or `#rrggbbaa`: the only colour forms put into the page's CSS.
fn is_hex_color(s: &str) -> bool {
    s.strip_prefix('#').is_some_and(|h| {
        matches!(h.len(), 3 | 4 | 6 | 8) && h.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// The text colour that reads best on `background` (a valid hex colour): white or near-black,
/// whichever has the higher WCAG contrast.
pub(super) fn ink(background: &str) -> String {
    let h = background.trim_start_matches('#');
    let digits: Vec<u8> = h
        .chars()
        .filter_map(|c| c.to_digit(16).map(|d| d as u8))
        .collect();
    let rgb = match digits.len() {
        3 | 4 => [digits[0] * 17, digits[1] * 17, digits[2] * 17],
        6 | 8 => [
            digits[0] * 16 + digits[1],
            digits[2] * 16 + digits[3],
            digits[4] * 16 + digits[5],
        ],
        _ => return "#ffffff".into(),
    };
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2]);
    // Against white (L = 1) and #111827 (L ~ 0.0094).
    if 1.05 / (l + 0.05) >= (l + 0.05) / 0.0594 {
        "#ffffff".into()
    } else {
        "#111827".into()
    }
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
            color: colors.of_status(status).to_owned(),
            ink: ink(colors.of_status(status)),
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
            .max_by_key(|s| severity(s))
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
        .max_by_key(|s| severity(s));
    let color = match worst {
        Some(s) if s != "OPERATIONAL" => colors.of_status(s).to_owned(),
        _ => colors.degraded.clone(),
    };
    let (message_html, updated) = latest(&inc.updates);
    let components = names(page, colors, &inc.components);
    Notice {
        id: inc.id.clone(),
        name: inc.name.clone(),
        status: inc.status.clone(),
        status_label: notice_label(&inc.status).to_owned(),
        ink: ink(&color),
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
        ink: ink(&colors.notice),
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
        .max_by_key(|s| severity(s));
    match worst {
        None => Overall {
            status: "OPERATIONAL".into(),
            title: "All systems operational".into(),
            detail: String::new(),
            color: colors.ok.clone(),
            ink: ink(&colors.ok),
        },
        Some(s) => Overall {
            status: s.to_owned(),
            title: status_label(s).to_owned(),
            detail: format!(
                "{affected} of {} component{} affected",
                visible.len(),
                if visible.len() == 1 { "" } else { "s" }
            ),
            color: colors.of_status(s).to_owned(),
            ink: ink(colors.of_status(s)),
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
    use super::*;

    #[test]
    fn colours_are_hex_only() {
        assert!(is_hex_color("#7c3aed"));
        assert!(is_hex_color("#fff"));
        assert!(!is_hex_color("red"));
        assert!(!is_hex_color("#12345"));
        assert!(!is_hex_color("#fff;background:url(x)"));
    }
}
