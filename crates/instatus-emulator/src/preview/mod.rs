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
//!
//! The seams: [`model`] is what the template draws (banner, tree, notices), [`bars`] the uptime
//! bars and recent history, [`text`] how statuses, links, times and durations read; this file
//! renders them.

use std::sync::OnceLock;

use instatus::jiff::tz::TimeZone;
use instatus::jiff::Timestamp;
use instatus::uptime::{Method, Uptime, Window};
use minijinja::{context, Environment};

use crate::api::{html_escape, setting};
use crate::state::{Incident, Maintenance, Page, State};
use crate::time;

mod bars;
mod model;
mod text;

use bars::{history, past, UptimeView, BAR_DAYS, HISTORY_DAYS};
use instatus::uptime::report::ink;
use model::{domain, incident, maintenance, overall, page_colors, text_setting, tree, Notice};
use text::{safe_url, when};

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        // The project's one environment (strict, its filters, its fuel limit), HTML-escaping.
        let mut env = instatus::templates::environment();
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        for (name, source) in [
            ("preview.html", include_str!("../../templates/preview.html")),
            ("index.html", include_str!("../../templates/index.html")),
            (
                "not_found.html",
                include_str!("../../templates/not_found.html"),
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

/// A preview template failed to render: a bug, since the templates are fixed at build time and
/// the unit tests render each one.
#[derive(Debug, thiserror::Error)]
#[error("rendering {template}")]
pub struct PreviewError {
    /// The template: `preview.html`, `index.html` or `not_found.html`.
    pub template: &'static str,
    /// What the template engine said.
    #[source]
    pub source: minijinja::Error,
}

fn render(template: &'static str, ctx: minijinja::Value) -> Result<String, PreviewError> {
    env()
        .get_template(template)
        .and_then(|t| t.render(ctx))
        .map_err(|source| PreviewError { template, source })
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
pub(crate) fn render_page(page: &Page) -> Result<String, PreviewError> {
    render_page_at(page, time::now())
}

/// Renders the preview of one page as of `now` (the uptime bars end with `now`'s day).
pub(crate) fn render_page_at(page: &Page, now: Timestamp) -> Result<String, PreviewError> {
    let colors = page_colors(page);
    let history = history(page);
    let view = UptimeView {
        uptime: Uptime::new(&history, Method::default(), now),
        window: Window::last_days(now, BAR_DAYS, &TimeZone::UTC).ok(),
        colors: colors.clone(),
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
pub(crate) fn render_index(state: &State) -> Result<String, PreviewError> {
    let pages: Vec<minijinja::Value> = state
        .pages
        .iter()
        .map(|p| {
            let colors = page_colors(p);
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
            html_escape(&format!("{e}: {:#}", e.source))
        )
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

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
