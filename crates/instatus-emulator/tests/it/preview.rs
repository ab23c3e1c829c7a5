//! The page preview as HTML: routes, autoescaping, Markdown links, colours, the component tree,
//! incidents, maintenances and the operator's raw slots. `preview_browser.rs` checks the
//! rendered pixels.

use crate::common;

use common::{Answer, Api};
use serde_json::json;

fn html(api: &Api, path: &str) -> Answer {
    api.control("GET", path, None)
}

fn preview(api: &Api) -> String {
    let a = html(api, "/preview/ephemery");
    assert_eq!(a.status, 200, "{}", a.text);
    a.text
}

/// The opening tag of the element with this attribute, e.g. `data-component="Execution Client"`.
fn tag<'a>(html: &'a str, attr: &str) -> &'a str {
    let at = html
        .find(attr)
        .unwrap_or_else(|| panic!("no element with {attr} in:\n{html}"));
    let start = html[..at].rfind('<').expect("tag start");
    let end = at + html[at..].find('>').expect("tag end");
    &html[start..=end]
}

#[test]
fn routes_content_type_and_404() {
    let api = Api::start();
    for path in [
        "/preview",
        "/preview/ephemery",
        &format!("/preview/{}", api.page),
    ] {
        let url = format!("{}/_emulator{path}", api.emu.url());
        let resp = common::agent().get(&url).call().unwrap();
        assert_eq!(resp.status().as_u16(), 200, "{path}");
        assert_eq!(
            resp.headers()["content-type"],
            "text/html; charset=utf-8",
            "{path}"
        );
        let a = html(&api, path);
        assert!(
            a.text.contains("<h1 id=\"page-name\">Ephemery</h1>"),
            "{path}"
        );
        assert!(a.text.contains("Preview rendered by instatus-emulator"));
        assert!(a.text.contains("ephemery.instatus.com"));
    }
    for path in ["/preview/nope", "/preview/ephemery/style.css"] {
        let a = html(&api, path);
        assert_eq!(a.status, 404, "{path}");
        assert!(a.text.starts_with("<!doctype html>"), "{path}: {}", a.text);
        assert!(a.text.contains("id=\"not-found\""), "{path}");
    }
    assert!(html(&api, "/preview/nope")
        .text
        .contains("&#x27;nope&#x27;"));
    assert!(api.emu.requests().is_empty(), "previews are not logged");

    let index = html(&api, "/");
    assert_eq!(index.status, 200);
    assert!(index.text.contains("data-page=\"ephemery\""));
    assert!(index
        .text
        .contains(&format!("href=\"/_emulator/preview/{}\"", api.page)));
    assert_eq!(html(&api, "").status, 200, "/_emulator is the index too");

    api.control("POST", "/reset", None);
    let none = html(&api, "/preview");
    assert_eq!(none.status, 404);
    assert!(none.text.contains("no pages"), "{}", none.text);
}

#[test]
fn user_text_is_escaped_and_markdown_links_render() {
    let api = Api::start();
    let evil = "<script>alert(1)</script> & co";
    api.post(
        &api.v1("/components"),
        json!({"name": evil,
            "description": "Dashboards: [Grafana](https://grafana.ephemery.dev/d/abc?x=1&y=2), \
            [bad](javascript:alert(1)) <b>bold</b>"}),
    );
    api.put(&api.v2(""), json!({"name": "Eph <i>emery</i>"}));
    let page = preview(&api);
    assert!(!page.contains("<script>alert(1)</script>"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt; &amp; co"));
    assert!(page.contains("Eph &lt;i&gt;emery&lt;&#x2f;i&gt;"));
    assert!(page.contains(
        "<a href=\"https://grafana.ephemery.dev/d/abc?x=1&amp;y=2\" rel=\"noopener noreferrer\" \
         target=\"_blank\">Grafana</a>"
    ));
    assert!(
        page.contains("[bad](javascript:alert(1))"),
        "unsafe links stay text"
    );
    assert!(!page.contains("href=\"javascript"));
    assert!(page.contains("&lt;b&gt;bold&lt;/b&gt;"));
}

#[test]
fn colours_come_from_the_page_with_defaults() {
    let api = Api::start();
    let down = api.component("Execution Client");
    let ok = api.component("Consensus Client");
    let degraded = api.component("Faucet");
    api.put(
        &api.v1(&format!("/components/{down}")),
        json!({"status": "MAJOROUTAGE"}),
    );
    api.put(
        &api.v1(&format!("/components/{degraded}")),
        json!({"status": "DEGRADEDPERFORMANCE"}),
    );
    let _ = ok;
    // The API refuses a malformed colour (as Instatus does), so the page keeps the default.
    let refused = api
        .try_send(
            "PUT",
            &api.v2(""),
            Some(json!({"okColor": "not a colour"})),
            Some(api.emu.api_key()),
            None,
        )
        .unwrap();
    assert_eq!(refused.status, 400, "{}", refused.text);
    api.put(
        &api.v2(""),
        json!({"brandColor": "#7c3aed", "downColor": "#dc2626"}),
    );
    let page = preview(&api);
    let header = tag(&page, "id=\"page-header\"");
    assert!(
        header.contains("background-color: #7c3aed"),
        "brand colour on the header: {header}"
    );
    let row = tag(&page, "data-component=\"Execution Client\"");
    assert!(row.contains("data-status=\"MAJOROUTAGE\""), "{row}");
    assert!(page.contains("style=\"background-color: #dc2626; color: #ffffff\" data-color=\"#dc2626\">Major outage</span>"));
    // An unset colour is the API's default, as GET /v2/pages reports it.
    assert!(page.contains("data-color=\"#33B17E\">Operational</span>"));
    assert!(page.contains("data-color=\"#ECC94B\">Degraded performance</span>"));
    let banner = tag(&page, "id=\"overall-status\"");
    assert!(banner.contains("data-status=\"MAJOROUTAGE\""), "{banner}");
    assert!(banner.contains("background-color: #dc2626"), "{banner}");
    assert!(page.contains("2 of 3 components affected"));

    for id in [&down, &degraded] {
        api.put(
            &api.v1(&format!("/components/{id}")),
            json!({"status": "OPERATIONAL"}),
        );
    }
    let page = preview(&api);
    let banner = tag(&page, "id=\"overall-status\"");
    assert!(banner.contains("data-status=\"OPERATIONAL\""), "{banner}");
    assert!(page.contains("All systems operational"));
    assert!(!page.contains("#dc2626\">"), "no down colour left");
}

#[test]
fn tree_groups_children_and_hides_archived() {
    let api = Api::start();
    let group = api.component("Ethereum Services");
    let child = |name: &str| api.grouped_component(&group, name);
    let el = child("Execution Client");
    child("Consensus Client");
    let gone = child("Old Bootnode");
    api.component("Faucet");
    let archived_top = api.component("Retired Explorer");
    for id in [&gone, &archived_top] {
        api.put(
            &api.v1(&format!("/components/{id}")),
            json!({"archived": true}),
        );
    }
    api.put(
        &api.v1(&format!("/components/{el}")),
        json!({"status": "PARTIALOUTAGE"}),
    );
    let page = preview(&api);
    assert!(!page.contains("Old Bootnode"), "archived child hidden");
    assert!(
        !page.contains("Retired Explorer"),
        "archived component hidden"
    );
    let group_at = page.find("data-group=\"Ethereum Services\"").unwrap();
    let el_at = page.find("data-component=\"Execution Client\"").unwrap();
    let cl_at = page.find("data-component=\"Consensus Client\"").unwrap();
    let faucet_at = page.find("data-component=\"Faucet\"").unwrap();
    assert!(group_at < el_at && el_at < cl_at && cl_at < faucet_at);
    let group_tag = tag(&page, "data-group=\"Ethereum Services\"");
    assert!(
        group_tag.contains("data-status=\"PARTIALOUTAGE\""),
        "a group shows its worst child: {group_tag}"
    );
    assert!(tag(&page, "data-component=\"Execution Client\"").contains("class=\"row child\""));
    assert!(tag(&page, "data-component=\"Faucet\"").contains("class=\"row single\""));
    assert!(page.contains("1 of 3 components affected"));
}

#[test]
fn open_incidents_and_maintenances_are_shown() {
    let api = Api::start();
    let a = api.component("Execution Client");
    let b = api.component("Consensus Client");
    let open = api.post(
        &api.v1("/incidents"),
        json!({"name": "Blocks <stalled>", "status": "INVESTIGATING",
            "message": "Looking into it", "components": [a],
            "statuses": [{"id": a, "status": "MAJOROUTAGE"}]}),
    );
    let open = open["id"].as_str().unwrap();
    let old = api.post(
        &api.v1("/incidents"),
        json!({"name": "Old trouble", "status": "INVESTIGATING", "components": []}),
    );
    let old = old["id"].as_str().unwrap();
    api.post(
        &api.v1(&format!("/incidents/{old}/incident-updates")),
        json!({"status": "RESOLVED", "message": "Fixed", "components": [], "statuses": []}),
    );
    api.post(
        &api.v1(&format!("/incidents/{open}/incident-updates")),
        json!({"status": "IDENTIFIED", "components": [a],
            "statuses": [{"id": a, "status": "MAJOROUTAGE"}],
            "message": "A bad peer; see [runbook](https://example.com/rb)"}),
    );
    let maint = |name: &str, status: &str, start: &str, end: &str, comps: Vec<&String>| {
        api.post(
            &api.v1("/maintenances"),
            json!({"name": name, "components": comps, "status": status,
                "start": start, "end": end, "notify": false, "notifyStart": false,
                "notifyEnd": false, "notifyEarly": false, "autoStart": false, "autoEnd": false,
                "message": format!("{name} message")}),
        )
    };
    maint(
        "Upgrade",
        "NOTSTARTEDYET",
        "2030-01-01T10:00:00Z",
        "2030-01-01T11:30:00Z",
        vec![&b],
    );
    maint(
        "Reboot",
        "INPROGRESS",
        "2026-01-01T10:00:00Z",
        "2026-01-01T10:45:00Z",
        vec![],
    );
    maint(
        "Done already",
        "COMPLETED",
        "2025-01-01T10:00:00Z",
        "2025-01-01T10:45:00Z",
        vec![],
    );
    let page = preview(&api);
    let inc = tag(&page, "data-incident=\"Blocks &lt;stalled&gt;\"");
    assert!(inc.contains("data-status=\"IDENTIFIED\""), "{inc}");
    assert!(page.contains(">Identified</span>"));
    assert!(
        page.contains("A bad peer; see <a href=\"https://example.com/rb\""),
        "latest update, links rendered"
    );
    assert!(!page.contains("Looking into it"), "only the latest update");
    assert!(
        page.contains(
            "data-component=\"Execution Client\" data-status=\"MAJOROUTAGE\"><span class=\"dot\""
        ),
        "affected component chip"
    );
    let active =
        &page[page.find("id=\"incidents\"").unwrap()..page.find("id=\"history\"").unwrap()];
    assert!(
        !active.contains("Old trouble"),
        "resolved incidents are not among the active ones"
    );

    let running = page.find("id=\"maintenances-running\"").unwrap();
    let upcoming = page.find("id=\"maintenances-upcoming\"").unwrap();
    let reboot = page.find("data-maintenance=\"Reboot\"").unwrap();
    let upgrade = page.find("data-maintenance=\"Upgrade\"").unwrap();
    assert!(running < reboot && reboot < upcoming && upcoming < upgrade);
    assert!(page.contains("Starts 2030-01-01 10:00 UTC · duration 1 h 30 min"));
    assert!(page.contains("Started 2026-01-01 10:00 UTC · duration 45 min"));
    assert!(page.contains("Upgrade message"));
    assert!(
        !page.contains("Done already"),
        "completed maintenances are not shown"
    );
}

#[test]
fn branding_slots_and_domain() {
    let api = Api::start();
    api.put(
        &api.v2(""),
        json!({
            "logoUrl": "https://cdn.example.com/logo.png?a=1&b=\"2\"",
            "faviconUrl": "https://cdn.example.com/favicon.ico",
            "useLargeHeader": true,
            "customDomain": "status.ephemery.dev",
            "cssGlobal": ".header h1 { letter-spacing: 2px; }",
            "htmlInMeta": "<meta name=\"x-slot\" content=\"meta\">",
            "htmlAboveHeader": "<div id=\"slot-above-header\">above</div>",
            "htmlBelowHeader": "<div id=\"slot-below-header\">below</div>",
            "htmlBelowSummary": "<div id=\"slot-below-summary\">summary</div>",
            "htmlAboveFooter": "<div id=\"slot-above-footer\">above footer</div>",
            "htmlBelowFooter": "<script id=\"slot-below-footer\">window.x = 1;</script>",
        }),
    );
    let page = preview(&api);
    let logo = tag(&page, "id=\"page-logo\"");
    assert!(
        logo.contains(
            "src=\"https:&#x2f;&#x2f;cdn.example.com&#x2f;logo.png?a=1&amp;b=&quot;2&quot;\""
        ),
        "{logo}"
    );
    assert!(page.contains(
        "<link rel=\"icon\" href=\"https:&#x2f;&#x2f;cdn.example.com&#x2f;favicon.ico\">"
    ));
    assert!(tag(&page, "id=\"page-header\"").contains("class=\"header header-large\""));
    assert!(page.contains("status.ephemery.dev"));
    assert!(!page.contains("ephemery.instatus.com"));
    assert!(page.contains("<style id=\"css-global\">.header h1 { letter-spacing: 2px; }</style>"));
    // The slots go in raw, in order, each in its place.
    let at = |s: &str| page.find(s).unwrap_or_else(|| panic!("{s} missing"));
    assert!(at("<meta name=\"x-slot\" content=\"meta\">") < at("</head>"));
    assert!(at("id=\"slot-above-header\"") < at("id=\"page-header\""));
    assert!(at("id=\"page-header\"") < at("id=\"slot-below-header\""));
    assert!(at("id=\"slot-below-header\"") < at("id=\"overall-status\""));
    assert!(at("id=\"overall-status\"") < at("id=\"slot-below-summary\""));
    assert!(at("id=\"slot-below-summary\"") < at("id=\"components\""));
    assert!(at("id=\"slot-above-footer\"") < at("id=\"page-footer\""));
    assert!(
        at("id=\"page-footer\"") < at("<script id=\"slot-below-footer\">window.x = 1;</script>")
    );
}

#[test]
fn preview_html_matches_the_served_page_apart_from_the_time() {
    let api = Api::start();
    api.component("Execution Client");
    // A component created this very millisecond has observed nothing yet, so today's bar reads
    // "no data" in the first render and "operational" in the second: let a moment pass first.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let served = preview(&api);
    let direct = api.emu.preview_html(Some("ephemery")).unwrap().unwrap();
    let strip = |s: &str| {
        s.lines()
            .filter(|l| !l.contains("rendered by instatus-emulator at"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&served), strip(&direct));
    assert!(api.emu.preview_html(Some("nope")).is_none());
    assert_eq!(
        api.emu.preview_url(),
        format!("{}/_emulator/preview", api.emu.url())
    );
}

/// Starts a second emulator on the first one's state with every component created `days_ago`
/// (the API stamps creation with the current time; a page with history has older components).
fn aged(api: &Api, created: &[(&str, i64)]) -> (instatus_emulator::Emulator, tempdir::Dir) {
    let mut state = api.control("GET", "/state", None).json;
    let now = jiff::Timestamp::now();
    for c in state["pages"][0]["components"].as_array_mut().unwrap() {
        let days = created
            .iter()
            .find(|(n, _)| c["name"] == *n)
            .map_or(100, |(_, d)| *d);
        let at = now
            .checked_sub(jiff::SignedDuration::from_hours(24 * days))
            .unwrap();
        c["createdAt"] = json!(format!("{at:.3}"));
    }
    let dir = tempdir::Dir::new("preview-uptime");
    let file = dir.path.join("state.json");
    std::fs::write(&file, state.to_string()).unwrap();
    let emu = instatus_emulator::Emulator::start(instatus_emulator::Config {
        state_file: Some(file),
        ..instatus_emulator::Config::default()
    })
    .unwrap();
    (emu, dir)
}

mod tempdir {
    pub struct Dir {
        pub path: std::path::PathBuf,
    }
    impl Dir {
        pub fn new(name: &str) -> Dir {
            let path = std::env::temp_dir().join(format!(
                "{name}-{}-{}",
                std::process::id(),
                fastrand_like()
            ));
            std::fs::create_dir_all(&path).unwrap();
            Dir { path }
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
    fn fastrand_like() -> u128 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    }
}

/// The `<rect>` of `component`'s bar on `date`.
fn bar<'a>(page: &'a str, component: &str, date: &str) -> &'a str {
    let at = page
        .find(&format!("data-uptime-for=\"{component}\""))
        .unwrap_or_else(|| panic!("no uptime bar for {component}"));
    let rest = &page[at..];
    let end = rest.find("</svg>").unwrap();
    let svg = &rest[..end];
    let r = svg
        .find(&format!("data-date=\"{date}\""))
        .unwrap_or_else(|| panic!("{component}: no bar for {date}"));
    let start = svg[..r].rfind("<rect").unwrap();
    let stop = r + svg[r..].find("</rect>").unwrap();
    &svg[start..stop]
}

#[test]
fn uptime_bars_show_the_incident_and_maintenance_history() {
    let api = Api::start();
    let group = api.component("Ethereum Services");
    let child = |name: &str| api.grouped_component(&group, name);
    let el = child("Execution Client");
    let cl = child("Consensus Client");
    let hidden = api.component("Faucet");
    api.put(
        &api.v1(&format!("/components/{hidden}")),
        json!({"showUptime": false}),
    );
    api.put(
        &api.v2(""),
        json!({"downColor": "#dc2626", "noticeColor": "#2563eb"}),
    );

    // Three days ago, 10:00-11:00 UTC: a major outage of the execution client.
    let day = common::days_ago;
    let at = |n: i64, hm: &str| format!("{}T{hm}:00.000Z", day(n));
    let inc = api.post(
        &api.v1("/incidents"),
        json!({"name": "EL down", "status": "INVESTIGATING", "components": [el],
               "statuses": [{"id": el, "status": "MAJOROUTAGE"}], "started": at(3, "10:00"), "notify": false}),
    );
    let inc_id = inc["id"].as_str().unwrap();
    api.post(
        &api.v1(&format!("/incidents/{inc_id}/incident-updates")),
        json!({"status": "RESOLVED", "components": [el], "statuses": [], "started": at(3, "11:00"), "notify": false}),
    );
    api.put(
        &api.v1(&format!("/components/{el}")),
        json!({"status": "OPERATIONAL"}),
    );
    // Two days ago, 02:00-03:00: a completed maintenance of the consensus client.
    api.post(
        &api.v1("/maintenances"),
        json!({"name": "CL upgrade", "components": [cl], "status": "COMPLETED", "start": at(2, "02:00"),
               "end": at(2, "03:00"), "duration": 60, "notify": false, "notifyStart": false, "notifyEnd": false,
               "notifyEarly": false, "autoStart": false, "autoEnd": false}),
    );
    // The consensus client is 50 days old; the others 100.
    let (emu, _dir) = aged(&api, &[("Consensus Client", 50)]);
    let page = common::agent()
        .get(&format!("{}/_emulator/preview/ephemery", emu.url()))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();

    // 90 bars per shown component and group, none for a component with showUptime off.
    assert_eq!(
        page.matches("<rect ").count(),
        270,
        "the group, EL and CL, 90 days each"
    );
    assert!(page.contains("data-uptime-for=\"Ethereum Services\""));
    assert!(!page.contains("data-uptime-for=\"Faucet\""));
    // (86,400 - 3,600) / 86,400 = 95.833... % that day.
    let d3 = day(3).to_string();
    let r = bar(&page, "Execution Client", &d3);
    assert!(
        r.contains("fill=\"#dc2626\"") && r.contains("data-kind=\"major\""),
        "{r}"
    );
    assert!(
        r.contains(&format!("<title>{d3}: major outage 1 h, 95.83 % uptime")),
        "{r}"
    );
    let r = bar(&page, "Execution Client", &day(4).to_string());
    assert!(
        r.contains("fill=\"#33B17E\"") && r.contains("operational, 100.00 % uptime"),
        "{r}"
    );
    let r = bar(&page, "Consensus Client", &day(2).to_string());
    assert!(
        r.contains("fill=\"#2563eb\"") && r.contains("maintenance 1 h, 100.00 % uptime"),
        "{r}"
    );
    // Before the consensus client existed: no data, in the unknown colour.
    let r = bar(&page, "Consensus Client", &day(60).to_string());
    assert!(
        r.contains("fill=\"#D1D1D1\"") && r.contains(": no data</title>"),
        "{r}"
    );
    // Over the 90 days (89 whole days and part of today), 3,600 s down:
    // between 1 - 3,600 / (89 × 86,400) = 99.9531 % and 1 - 3,600 / (90 × 86,400) = 99.9537 %.
    assert!(
        page.contains("data-uptime-for=\"Execution Client\" data-uptime=\"99.95\""),
        "{page}"
    );
    assert!(page.contains("data-uptime-for=\"Consensus Client\" data-uptime=\"100.00\""));
    assert!(page.contains("<span>99.95 % uptime</span>"));
}
