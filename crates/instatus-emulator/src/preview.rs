//! The page preview: renders a page the emulator holds as an Instatus-like HTML status page
//! (branding colours, logo, overall status, open incidents, running and upcoming maintenances,
//! the component tree), so an operator can look at it before applying it to the real Instatus.
//!
//! Each component and each group shows its 90-day uptime bar and percentage, and the page lists
//! the incidents of the last 14 days with their worst level, all computed from the page's
//! incident and maintenance history by the library's own `instatus::uptime` (Instatus's method:
//! major outage 100 %, partial 30 %, degraded 0 %, maintenance up; a group at its worst member;
//! each incident's level from its updates' "Affected components" lines, its statuses or its
//! impact, else counted as a major outage and marked "level unknown"), in the page's colours.
//!
//! The templates live in `templates/` and are embedded at build time. User text (names,
//! descriptions, messages) is autoescaped; the page's `cssGlobal` and `html*` slots are injected
//! raw, as Instatus does, since they are the operator's own code.

use std::sync::OnceLock;

use instatus::jiff::tz::TimeZone;
use instatus::jiff::Timestamp;
use instatus::model::ComponentId;
use instatus::uptime::report::{self as uptime_report, BarDay};
use instatus::uptime::{History, Level, Method, Uptime, Window};
use minijinja::{context, Environment};
use serde::Serialize;
use serde_json::{json, Value};

use crate::api::{html_escape, setting, severity, sorted_components};
use crate::state::{Component, Incident, Maintenance, NoticeUpdate, Page, State};
use crate::time;

/// The page's effective colours (set, or the API's default), each a valid CSS hex colour.
#[derive(Clone, Debug, Serialize)]
struct Colors {
    brand: String,
    ok: String,
    degraded: String,
    disrupted: String,
    down: String,
    notice: String,
    unknown: String,
}

impl Colors {
    fn of(page: &Page) -> Colors {
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
fn ink(background: &str) -> String {
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

/// What the status pill says for a component status.
fn status_label(status: &str) -> &str {
    match status {
        "OPERATIONAL" => "Operational",
        "UNDERMAINTENANCE" => "Under maintenance",
        "DEGRADEDPERFORMANCE" => "Degraded performance",
        "PARTIALOUTAGE" => "Partial outage",
        "MAJOROUTAGE" => "Major outage",
        "" => "Unknown",
        other => other,
    }
}

/// What an incident or maintenance status reads as.
fn notice_label(status: &str) -> &str {
    match status {
        "INVESTIGATING" => "Investigating",
        "IDENTIFIED" => "Identified",
        "MONITORING" => "Monitoring",
        "RESOLVED" => "Resolved",
        "NOTSTARTEDYET" => "Upcoming",
        "INPROGRESS" => "In progress",
        "COMPLETED" => "Completed",
        other => other,
    }
}

/// Escapes `text` for HTML and turns Markdown links `[text](url)` into anchors. Only `http`,
/// `https` and `mailto` URLs and page-relative ones (`/`, `#`) become links; any other link is
/// left as its escaped source text.
pub(crate) fn markdown_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(&html_escape(&rest[..open]));
        let after = &rest[open..];
        match parse_link(after) {
            Some((label, url, used)) => {
                out.push_str(&format!(
                    "<a href=\"{}\" rel=\"noopener noreferrer\" target=\"_blank\">{}</a>",
                    html_escape(url),
                    html_escape(label)
                ));
                rest = &after[used..];
            }
            None => {
                out.push('[');
                rest = &after[1..];
            }
        }
    }
    out.push_str(&html_escape(rest));
    out
}

/// Parses `[label](url)` at the start of `s`: `(label, url, bytes used)`.
fn parse_link(s: &str) -> Option<(&str, &str, usize)> {
    let body = s.strip_prefix('[')?;
    let close = body.find(']')?;
    let label = &body[..close];
    if label.is_empty() || label.contains('[') {
        return None;
    }
    let tail = body[close + 1..].strip_prefix('(')?;
    let end = tail.find(')')?;
    let url = tail[..end].trim();
    if url.is_empty() || url.contains(char::is_whitespace) || !safe_url(url) {
        return None;
    }
    Some((label, url, 1 + close + 1 + 1 + end + 1))
}

fn safe_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|p| lower.starts_with(p))
        || (url.starts_with('/') && !url.starts_with("//"))
        || url.starts_with('#')
}

/// `2026-11-25 13:22 UTC`, or the stored text when it does not parse.
fn when(ts: &str) -> String {
    match time::parse_str(ts) {
        Some(t) => t.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        None => ts.to_owned(),
    }
}

/// `45 min`, `2 h`, `2 h 30 min`, `1 d 3 h`: minutes, spelled as the uptime reports do.
fn duration_label(minutes: i64) -> String {
    instatus::uptime::report::duration(minutes.saturating_mul(60_000))
}

/// A status pill: the status, its label and colour.
#[derive(Debug, Serialize)]
struct Pill {
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
struct Row {
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

/// A component's uptime over the bar's days: the percentage and one bar per day.
#[derive(Debug, Serialize)]
struct Bars {
    /// Rounded down to 2 decimals, as the page shows it; `None` without data.
    percent: Option<String>,
    days: Vec<BarDay>,
    /// `"90 days ago"`.
    first: String,
}

/// The days of the uptime bars.
const BAR_DAYS: u16 = 90;

/// The page's incident and maintenance history as `instatus::uptime` reads it: the page's
/// components, incidents and maintenances in the API's JSON shape, read by the library's own
/// model types and [`History::from_api`], exactly as a client of the real API would. A record
/// that does not parse (hand-edited state) leaves the bars without history rather than failing
/// the preview.
fn history(page: &Page) -> History {
    let components: Vec<instatus::model::Component> = page
        .components
        .iter()
        .filter_map(|c| {
            serde_json::from_value(json!({
                "id": c.id, "name": c.name, "status": c.status, "groupId": c.group_id,
                "isParent": c.is_parent, "showUptime": c.show_uptime,
                "createdAt": c.created_at, "archivedAt": c.archived_at,
            }))
            .ok()
        })
        .collect();
    let briefs = |affected: &[(String, String)]| -> Vec<Value> {
        affected
            .iter()
            .map(|(id, status)| json!({"id": id, "status": status}))
            .collect()
    };
    // With their messages: each update's "Affected components" line is how uptime learns the
    // level an incident had once it is resolved.
    let updates = |updates: &[NoticeUpdate]| -> Vec<Value> {
        updates
            .iter()
            .map(|u| {
                json!({"id": u.id, "status": u.status, "started": u.started,
                       "createdAt": u.created_at, "message": u.message})
            })
            .collect()
    };
    let incidents: Vec<instatus::model::Incident> = page
        .incidents
        .iter()
        .filter_map(|i| {
            serde_json::from_value(json!({
                "id": i.id, "name": i.name, "status": i.status, "started": i.started,
                "resolved": i.resolved, "updates": updates(&i.updates),
                "components": briefs(&i.components),
            }))
            .ok()
        })
        .collect();
    let maintenances: Vec<instatus::model::Maintenance> = page
        .maintenances
        .iter()
        .filter_map(|m| {
            serde_json::from_value(json!({
                "id": m.id, "name": m.name, "status": m.status, "start": m.start,
                "duration": m.duration, "updates": updates(&m.updates),
                "components": briefs(&m.components),
            }))
            .ok()
        })
        .collect();
    History::from_api(&components, &incidents, &maintenances).unwrap_or_else(|_| History {
        components: History::from_api(&components, &[], &[])
            .map(|h| h.components)
            .unwrap_or_default(),
        ..History::default()
    })
}

/// Uptime bars for the rows of one page, as of `now`.
struct UptimeView<'h> {
    uptime: Uptime<'h>,
    window: Option<Window>,
    colors: uptime_report::Colors,
}

impl UptimeView<'_> {
    /// A component's bar, or a group's (at each instant its worst member, as the page shows the
    /// group's status).
    fn bars(&self, c: &Component) -> Option<Bars> {
        if !c.show_uptime {
            return None;
        }
        let window = self.window?;
        let id = ComponentId::new(c.id.as_str());
        let days =
            uptime_report::bars(&self.uptime, &id, window, &TimeZone::UTC, &self.colors, 2).ok()?;
        Some(Bars {
            percent: self.uptime.tally(&id, window).uptime_percent(2),
            days,
            first: format!("{BAR_DAYS} days ago"),
        })
    }
}

fn report_colors(c: &Colors) -> uptime_report::Colors {
    uptime_report::Colors {
        brand: c.brand.clone(),
        ok: c.ok.clone(),
        degraded: c.degraded.clone(),
        disrupted: c.disrupted.clone(),
        down: c.down.clone(),
        notice: c.notice.clone(),
        unknown: c.unknown.clone(),
    }
}

/// An open incident or a running or upcoming maintenance.
#[derive(Debug, Serialize)]
struct Notice {
    id: String,
    name: String,
    status: String,
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

/// A past incident of the recent history.
#[derive(Debug, Serialize)]
struct Past {
    name: String,
    started: String,
    resolved: String,
    duration: String,
    /// `major`, `partial`, `degraded`, `operational` (or empty: no level).
    level: String,
    /// "Major outage", ...
    level_label: String,
    color: String,
    components: Vec<String>,
    /// "level unknown, counted as a major outage", when so.
    note: Option<String>,
}

/// The days of the recent history.
const HISTORY_DAYS: i64 = 14;

/// The incidents resolved in the last [`HISTORY_DAYS`] days, newest first.
fn past(history: &History, colors: &uptime_report::Colors, now: Timestamp) -> Vec<Past> {
    let from = now
        .checked_sub(instatus::jiff::SignedDuration::from_hours(
            24 * HISTORY_DAYS,
        ))
        .unwrap_or(now);
    let lines =
        uptime_report::incident_lines(history, from, now, &Method::default(), &TimeZone::UTC);
    let mut out: Vec<Past> = lines
        .into_iter()
        .filter_map(|i| {
            let duration = i.duration?;
            let level = i.worst;
            Some(Past {
                name: i.name,
                started: i.started,
                resolved: i.resolved,
                duration,
                level: level.map_or("", level_key).to_owned(),
                level_label: level.map_or("", level_label).to_owned(),
                color: level
                    .map_or(colors.unknown.as_str(), |l| colors.of_level(l))
                    .to_owned(),
                components: i.components,
                note: i.note,
            })
        })
        .collect();
    out.reverse();
    out
}

fn level_key(level: Level) -> &'static str {
    match level {
        Level::Operational => "operational",
        Level::Degraded => "degraded",
        Level::Partial => "partial",
        Level::Major => "major",
    }
}

fn level_label(level: Level) -> &'static str {
    match level {
        Level::Operational => "No impact",
        Level::Degraded => "Degraded performance",
        Level::Partial => "Partial outage",
        Level::Major => "Major outage",
    }
}

/// The overall status banner.
#[derive(Debug, Serialize)]
struct Overall {
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
fn tree(page: &Page, colors: &Colors, view: &UptimeView<'_>) -> Vec<Row> {
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

fn incident(page: &Page, colors: &Colors, inc: &Incident) -> Notice {
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

fn maintenance(page: &Page, colors: &Colors, mt: &Maintenance) -> Notice {
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
fn overall(page: &Page, colors: &Colors) -> Overall {
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
fn text_setting(page: &Page, key: &str) -> String {
    match setting(page, key) {
        Value::String(s) => s,
        _ => String::new(),
    }
}

/// The page's public address: its custom domain, or `<subdomain>.instatus.com`.
fn domain(page: &Page) -> String {
    let custom = text_setting(page, "customDomain");
    if custom.trim().is_empty() {
        format!("{}.instatus.com", page.subdomain)
    } else {
        custom.trim().to_owned()
    }
}

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        // The project's one environment (strict, its filters, its fuel limit), HTML-escaping.
        let mut env = instatus::templates::environment();
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        for (name, source) in [
            ("preview.html", include_str!("../templates/preview.html")),
            ("index.html", include_str!("../templates/index.html")),
            (
                "not_found.html",
                include_str!("../templates/not_found.html"),
            ),
        ] {
            if let Err(e) = env.add_template(name, source) {
                // The templates are fixed at build time; the unit tests render each one.
                eprintln!("instatus-emulator: template {name}: {e}");
            }
        }
        env
    })
}

fn render(name: &str, ctx: minijinja::Value) -> Result<String, String> {
    env()
        .get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|e| format!("rendering {name}: {e:#}"))
}

/// The page with this id or subdomain; the first page when `key` is `None`.
pub(crate) fn find<'a>(state: &'a State, key: Option<&str>) -> Option<&'a Page> {
    match key {
        None => state.pages.first(),
        Some(k) => state
            .pages
            .iter()
            .find(|p| p.id == k)
            .or_else(|| state.pages.iter().find(|p| p.subdomain == k)),
    }
}

/// Renders the preview of one page.
pub(crate) fn render_page(page: &Page) -> Result<String, String> {
    render_page_at(page, time::now())
}

/// Renders the preview of one page as of `now` (the uptime bars end with `now`'s day).
pub(crate) fn render_page_at(page: &Page, now: Timestamp) -> Result<String, String> {
    let colors = Colors::of(page);
    let history = history(page);
    let view = UptimeView {
        uptime: Uptime::new(&history, Method::default(), now),
        window: Window::last_days(now, BAR_DAYS, &TimeZone::UTC).ok(),
        colors: report_colors(&colors),
    };
    let past = past(&history, &view.colors, now);
    let mut incidents: Vec<&Incident> = page
        .incidents
        .iter()
        .filter(|i| i.status != "RESOLVED" && i.should_publish)
        .collect();
    incidents.sort_by(|a, b| b.started.cmp(&a.started));
    let mut maintenances: Vec<&Maintenance> = page
        .maintenances
        .iter()
        .filter(|m| m.status == "INPROGRESS" || m.status == "NOTSTARTEDYET")
        .collect();
    maintenances.sort_by_key(|m| {
        (
            m.status != "INPROGRESS",
            time::parse_str(&m.start).map(|t| t.as_millisecond()),
        )
    });
    let (running, upcoming): (Vec<Notice>, Vec<Notice>) = maintenances
        .into_iter()
        .map(|m| maintenance(page, &colors, m))
        .partition(|n| n.status == "INPROGRESS");
    let html = |key: &str| text_setting(page, key);
    let logo = text_setting(page, "logoUrl");
    let favicon = text_setting(page, "faviconUrl");
    let ctx = context! {
        page => context! {
            id => page.id,
            subdomain => page.subdomain,
            name => page.name,
            domain => domain(page),
            logo_url => (!logo.trim().is_empty()).then(|| logo.trim().to_owned()),
            favicon_url => (!favicon.trim().is_empty()).then(|| favicon.trim().to_owned()),
            large_header => setting(page, "useLargeHeader").as_bool().unwrap_or(false),
            website_url => Some(text_setting(page, "websiteUrl")).filter(|s| safe_url(s)),
        },
        brand_ink => ink(&colors.brand),
        colors => &colors,
        overall => overall(page, &colors),
        incidents => incidents.iter().map(|i| incident(page, &colors, i)).collect::<Vec<_>>(),
        running => running,
        upcoming => upcoming,
        rows => tree(page, &colors, &view),
        past => past,
        history_days => HISTORY_DAYS,
        css_global => html("cssGlobal"),
        html_in_meta => html("htmlInMeta"),
        html_above_header => html("htmlAboveHeader"),
        html_below_header => html("htmlBelowHeader"),
        html_below_summary => html("htmlBelowSummary"),
        html_above_footer => html("htmlAboveFooter"),
        html_below_footer => html("htmlBelowFooter"),
        rendered_at => when(&time::fmt(now)),
    };
    render("preview.html", ctx)
}

/// Renders the index of the pages, each with its overall status and a link to its preview.
pub(crate) fn render_index(state: &State) -> Result<String, String> {
    let pages: Vec<minijinja::Value> = state
        .pages
        .iter()
        .map(|p| {
            let colors = Colors::of(p);
            let o = overall(p, &colors);
            context! {
                id => p.id,
                subdomain => p.subdomain,
                name => p.name,
                domain => domain(p),
                brand => colors.brand,
                overall => o,
                components => p.components.iter().filter(|c| c.archived_at.is_none() && !c.is_parent).count(),
            }
        })
        .collect();
    render("index.html", context! { pages => pages })
}

/// Renders the "no such page" answer.
pub(crate) fn render_not_found(what: &str) -> String {
    render("not_found.html", context! { what => what }).unwrap_or_else(|e| {
        format!(
            "<!doctype html><title>Not found</title><p>{}</p><p>{}</p>",
            html_escape(what),
            html_escape(&e)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_links_become_anchors_and_the_rest_is_escaped() {
        assert_eq!(
            markdown_links("See [Grafana](https://grafana.example/d/x?a=1&b=2) <now>"),
            "See <a href=\"https://grafana.example/d/x?a=1&amp;b=2\" rel=\"noopener noreferrer\" \
             target=\"_blank\">Grafana</a> &lt;now&gt;"
        );
        assert_eq!(
            markdown_links("[x](javascript:alert(1))"),
            "[x](javascript:alert(1))"
        );
        assert_eq!(markdown_links("[a] [b](c d)"), "[a] [b](c d)");
        assert_eq!(
            markdown_links("[[a](/p)"),
            "[<a href=\"/p\" rel=\"noopener noreferrer\" target=\"_blank\">a</a>"
        );
        assert_eq!(
            markdown_links("[<b>](#x)"),
            "<a href=\"#x\" rel=\"noopener noreferrer\" target=\"_blank\">&lt;b&gt;</a>"
        );
        assert_eq!(markdown_links("plain"), "plain");
        assert_eq!(markdown_links("[unclosed"), "[unclosed");
    }

    #[test]
    fn colours_are_hex_only() {
        assert!(is_hex_color("#7c3aed"));
        assert!(is_hex_color("#fff"));
        assert!(!is_hex_color("red"));
        assert!(!is_hex_color("#12345"));
        assert!(!is_hex_color("#fff;background:url(x)"));
    }

    #[test]
    fn durations() {
        assert_eq!(duration_label(0), "0 min");
        assert_eq!(duration_label(45), "45 min");
        assert_eq!(duration_label(120), "2 h");
        assert_eq!(duration_label(150), "2 h 30 min");
        assert_eq!(duration_label(1440 + 180), "1 d 3 h");
    }

    #[test]
    fn every_template_renders() {
        let mut st = State::new();
        let id = st.add_page(
            "ephemery",
            "Ephemery",
            "e@example.com",
            "2026-01-01T00:00:00Z",
        );
        let page = st.page(&id).unwrap();
        assert!(render_page(page)
            .unwrap()
            .contains("Preview rendered by instatus-emulator"));
        assert!(render_index(&st).unwrap().contains("/_emulator/preview/"));
        assert!(render_not_found("no page 'x'").contains("no page &#x27;x&#x27;"));
    }

    /// Runs one API operation against the state, as the server would.
    fn call(st: &mut State, method: instatus::api::Method, path: &str, body: Value) -> Value {
        let (op, params) = crate::api::route(method, path).expect("a route");
        crate::api::dispatch(st, op, &params, "", body.to_string().as_bytes(), None)
            .unwrap_or_else(|e| panic!("{path}: {e:?}"))
    }

    /// The `<svg>` of `name`'s bar and its `<rect>` on `date`.
    fn bar<'a>(page: &'a str, name: &str, date: &str) -> &'a str {
        let at = page
            .find(&format!("data-uptime-for=\"{name}\""))
            .unwrap_or_else(|| panic!("no bar for {name}"));
        let svg = &page[at..at + page[at..].find("</svg>").unwrap()];
        let r = svg.find(&format!("data-date=\"{date}\"")).unwrap();
        let start = svg[..r].rfind("<rect").unwrap();
        &svg[start..r + svg[r..].find("</rect>").unwrap()]
    }

    /// Outages resolved the usual way (every component back to operational) still show: the day
    /// bars of the component and of its group, and the recent history, which also says when a
    /// level was not written down.
    #[test]
    fn outage_days_group_bars_and_past_incidents_come_from_the_history() {
        use instatus::api::Method::{Post, Put};
        let mut st = State::new();
        let page = st.add_page(
            "ephemery",
            "Ephemery",
            "e@example.com",
            "2029-01-01T00:00:00Z",
        );
        let v1 = |rest: &str| format!("/v1/{page}{rest}");
        let group = call(
            &mut st,
            Post,
            &v1("/components"),
            json!({"name": "Ethereum Services"}),
        );
        let mut child = |name: &str| {
            call(
                &mut st,
                Post,
                &v1("/components"),
                json!({"name": name, "grouped": true, "group": group["id"]}),
            )["id"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let (el, cl) = (child("Execution Client"), child("Consensus Client"));
        call(
            &mut st,
            Put,
            &v1(&format!("/components/{}", group["id"].as_str().unwrap())),
            json!({"isParent": true}),
        );
        for c in &mut st.page_mut(&page).unwrap().components {
            c.created_at = "2029-01-01T00:00:00.000Z".into();
        }
        let line = |name: &str, status| instatus::affected::render(&[(name, status)]);
        // Written the way the incident module writes it: major 10:00-11:00, then resolved the
        // default way, every component back to operational.
        let a = call(
            &mut st,
            Post,
            &v1("/incidents"),
            json!({
                "name": "EL down", "status": "INVESTIGATING", "components": [el],
                "statuses": [{"id": el, "status": "MAJOROUTAGE"}], "started": "2030-01-18T10:00:00Z",
                "message": format!("Down.\n\n{}", line("Execution Client", instatus::model::ComponentStatus::MajorOutage)),
            }),
        );
        call(
            &mut st,
            Post,
            &v1(&format!(
                "/incidents/{}/incident-updates",
                a["id"].as_str().unwrap()
            )),
            json!({
                "status": "RESOLVED", "components": [el], "statuses": [{"id": el, "status": "OPERATIONAL"}],
                "started": "2030-01-18T11:00:00Z",
                "message": line("Execution Client", instatus::model::ComponentStatus::Operational),
            }),
        );
        // A person's incident with no line, 08:00-08:30 the next day, back to operational.
        let b = call(
            &mut st,
            Post,
            &v1("/incidents"),
            json!({
                "name": "CL odd", "status": "INVESTIGATING", "components": [cl],
                "statuses": [{"id": cl, "status": "PARTIALOUTAGE"}], "started": "2030-01-19T08:00:00Z",
                "message": "Looking.",
            }),
        );
        call(
            &mut st,
            Post,
            &v1(&format!(
                "/incidents/{}/incident-updates",
                b["id"].as_str().unwrap()
            )),
            json!({
                "status": "RESOLVED", "components": [cl], "statuses": [{"id": cl, "status": "OPERATIONAL"}],
                "started": "2030-01-19T08:30:00Z", "message": "Fine.",
            }),
        );
        // Older than the recent history, inside the bars.
        let c = call(
            &mut st,
            Post,
            &v1("/incidents"),
            json!({
                "name": "Long ago", "status": "INVESTIGATING", "components": [el],
                "statuses": [{"id": el, "status": "MAJOROUTAGE"}], "started": "2029-12-01T10:00:00Z",
                "message": line("Execution Client", instatus::model::ComponentStatus::MajorOutage),
            }),
        );
        call(
            &mut st,
            Post,
            &v1(&format!(
                "/incidents/{}/incident-updates",
                c["id"].as_str().unwrap()
            )),
            json!({
                "status": "RESOLVED", "components": [el], "statuses": [{"id": el, "status": "OPERATIONAL"}],
                "started": "2029-12-01T10:30:00Z",
            }),
        );

        let now: Timestamp = "2030-01-20T12:00:00Z".parse().unwrap();
        let html = render_page_at(st.page(&page).unwrap(), now).unwrap();
        // The outage day: (86,400 - 3,600) / 86,400 = 95.83 %.
        let r = bar(&html, "Execution Client", "2030-01-18");
        assert!(
            r.contains("data-kind=\"major\"") && r.contains("major outage 1 h, 95.83 % uptime"),
            "{r}"
        );
        // The group is at its worst member: the EL day, and the CL half hour counted as major.
        let r = bar(&html, "Ethereum Services", "2030-01-18");
        assert!(r.contains("data-kind=\"major\""), "{r}");
        let r = bar(&html, "Ethereum Services", "2030-01-19");
        assert!(r.contains("major outage 30 min, 97.91 % uptime"), "{r}");
        assert_eq!(html.matches("<rect ").count(), 3 * 90, "group, EL and CL");
        // The recent history, newest first; the old one is only in the bars.
        let history = &html[html.find("id=\"history\"").unwrap()..];
        let (odd, down) = (
            history
                .find("data-past-incident=\"CL odd\" data-level=\"major\"")
                .unwrap(),
            history
                .find("data-past-incident=\"EL down\" data-level=\"major\"")
                .unwrap(),
        );
        assert!(odd < down, "newest first");
        assert!(history
            .contains("2030-01-19 08:00 to 2030-01-19 08:30 UTC · 30 min · Consensus Client"));
        assert!(history.contains("Level unknown, counted as a major outage."));
        assert!(!history.contains("Long ago"));
        assert!(bar(&html, "Execution Client", "2029-12-01").contains("data-kind=\"major\""));
    }
}
