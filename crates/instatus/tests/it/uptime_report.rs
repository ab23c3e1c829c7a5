//! Reports: SLA compliance, error budget and burn rates computed by hand; the internal SLO from
//! a Prometheus matrix; Markdown and JSON snapshots; the HTML's bars and titles.

use crate::uptime_support;

use instatus::sources::prometheus::{self, Data};
use instatus::uptime::internal::availability;
use instatus::uptime::report::{render, Format, InternalSpec, Report, ReportError, SlaSpec};
use instatus::uptime::sla::Target;
use uptime_support::*;

fn report(bar_days: u16) -> Report {
    Report::build("Ephemery", colors(), &history(), &options(bar_days), now()).unwrap()
}

#[test]
fn sla_compliance_budget_and_burn_rates_by_hand() {
    let r = report(0);
    let el = r
        .rows
        .iter()
        .find(|x| x.name == "Execution Client")
        .unwrap();
    let sla = el.sla.as_ref().unwrap();
    // T = 2,592,000 s; budget = 0.1 % × T = 2,592 s (43 min 12 s).
    // Used: 4,680 s (Nov 10) + 1,800 s (Nov 30 23:30-24:00) = 6,480 s; left = -3,888 s.
    // Uptime (2,592,000 - 6,480) / 2,592,000 = 99.75 %: not met.
    assert_eq!(el.uptime.as_deref(), Some("99.750"));
    assert_eq!(sla.compliance.met, Some(false));
    assert_eq!(sla.compliance.budget_ms, 2_592_000.0);
    assert_eq!(sla.compliance.used_ms, 6_480_000.0);
    assert_eq!(sla.compliance.left_ms, -3_888_000.0);
    assert_eq!(sla.compliance.left_fraction, Some(-1.5));
    assert_eq!(
        (sla.budget.as_str(), sla.left.as_str()),
        ("43 min", "-1 h 4 min")
    );
    // Burn at 2026-12-01 00:00 (the end of the data), 1 - target = 0.001:
    // 1 h: 1,800 / 3,600 = 0.5 → 500; 5 min: 1.0 → 1000; both > 14.4 → page.
    // 6 h: 1,800 / 21,600 → 83.33; 30 min: 1000; both > 6 → page.
    // 3 d: 1,800 / 259,200 → 6.94; 6 h: 83.33; both > 1 → ticket.
    let rates: Vec<_> = sla
        .burn
        .iter()
        .map(|b| (b.factor, b.long_rate.unwrap(), b.short_rate.unwrap()))
        .collect();
    let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
    assert!(
        close(rates[0].0, 14.4) && close(rates[0].1, 500.0) && close(rates[0].2, 1000.0),
        "{rates:?}"
    );
    assert!(
        close(rates[1].0, 6.0) && close(rates[1].1, 1800.0 / 21_600.0 / 0.001),
        "{rates:?}"
    );
    assert!(
        close(rates[2].0, 1.0) && close(rates[2].1, 1800.0 / 259_200.0 / 0.001),
        "{rates:?}"
    );
    assert_eq!(
        sla.firing,
        [
            "page (1h/5m > 14.4)",
            "page (6h/30m > 6)",
            "ticket (3d/6h > 1)"
        ]
    );

    // The group, worst member at each instant: major 1 h (Nov 10) + 30 min (Nov 30) = 5,400 s;
    // partial: EL 11:00-12:00 on Nov 10 (the major covers 10:30-11:00) + CL 1 h on Nov 20 =
    // 7,200 s; down = 5,400 + 0.3 × 7,200 = 7,560 s: (2,592,000 - 7,560) / 2,592,000 = 99.708... %.
    let g = &r.rows[0];
    assert_eq!(
        (g.name.as_str(), g.tally.major_ms, g.tally.partial_ms),
        ("Ethereum Services", 5_400_000, 7_200_000)
    );
    assert_eq!(g.tally.weighted_down, 7_560_000_000);
    assert_eq!(g.uptime.as_deref(), Some("99.708"));

    let cl = r
        .rows
        .iter()
        .find(|x| x.name == "Consensus Client")
        .unwrap();
    let sla = cl.sla.as_ref().unwrap();
    // 1 h partial: 1,080 s of 2,592 s budget used; left 1,512 s = 58.333... % of it.
    assert_eq!(sla.compliance.met, Some(true));
    assert_eq!(sla.left_percent.as_deref(), Some("58.333"));
    assert!(
        sla.firing.is_empty(),
        "nothing burning at the end of November"
    );
    assert_eq!(sla.burn[0].long_rate, Some(0.0));
}

#[test]
fn a_misspelt_sla_component_is_an_error_naming_the_field_and_the_names() {
    let mut o = options(0);
    o.slas.push(SlaSpec {
        component: "Execution Clinet".into(),
        target: Target::percent(99.0).unwrap(),
    });
    let e = Report::build("Ephemery", colors(), &history(), &o, now()).unwrap_err();
    assert!(matches!(e, ReportError::UnknownComponent { .. }));
    let msg = e.to_string();
    assert!(
        msg.starts_with("slas[2].component: no component or group named \"Execution Clinet\""),
        "{msg}"
    );
    assert!(msg.contains("Execution Client, Consensus Client"), "{msg}");
    assert!(Target::percent(100.0).is_err() && Target::percent(0.0).is_err());
}

fn matrix(body: &str) -> Vec<prometheus::Series> {
    match prometheus::parse(200, body.as_bytes()).unwrap().data {
        Data::Matrix(m) => m,
        other => panic!("not a matrix: {other:?}"),
    }
}

#[test]
fn internal_availability_from_a_range_query_matrix() {
    // The real capture (Prometheus 2.42, up{job="prometheus"}, 20 s every 5 s): 5 of 5 up.
    let samples: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/monitoring/prom-api-samples.json")).unwrap();
    let capture = samples["samples"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["request"]
                .as_str()
                .unwrap()
                .starts_with("GET /api/v1/query_range?query=up")
        })
        .unwrap();
    let series = matrix(&capture["body"].to_string());
    let (start, end) = (t("2026-11-25T12:31:49Z"), t("2026-11-25T12:32:09Z"));
    assert_eq!(
        series[0].points[0].time, start,
        "the capture's first sample"
    );
    let a = availability(&series, start, end, 5.0);
    assert_eq!(a.expected, 5);
    assert_eq!(a.mean(), Some(1.0));

    // Fixture-shaped: two instances over the same 5 steps; a: 1, 1, 0, 1 and one step missing,
    // b: all 1. Mean = (3 + 5) / (4 + 5) = 88.888... %; worst (a) = 3 / 4 = 75 %;
    // missing = 1 / 10 steps.
    let body = r#"{"status":"success","data":{"resultType":"matrix","result":[
        {"metric":{"__name__":"probe_success","instance":"a"},"values":[[1795609909,"1"],[1795609914,"1"],[1795609919,"0"],[1795609924,"1"]]},
        {"metric":{"__name__":"probe_success","instance":"b"},"values":[[1795609909,"1"],[1795609914,"1"],[1795609919,"1"],[1795609924,"1"],[1795609929,"1"]]}]}}"#;
    let a = availability(&matrix(body), start, end, 5.0);
    assert_eq!(
        (a.series[0].samples, a.series[0].missing, a.series[0].up),
        (4, 1, 3.0)
    );
    assert_eq!(a.mean(), Some(8.0 / 9.0));
    assert_eq!(a.worst(), Some(0.75));
    assert_eq!(a.missing_fraction(), 0.1);

    // Side by side in the report.
    let mut o = options(0);
    o.internal.push(InternalSpec {
        component: "Execution Client".into(),
        query: "avg(probe_success{job=\"el\"})".into(),
        availability: a,
    });
    let r = Report::build("Ephemery", colors(), &history(), &o, now()).unwrap();
    let md = render(&r, Format::Markdown).unwrap();
    assert!(
        md.contains("| Execution Client | 99.750 % | 88.888 % | 75.000 % | 10.0 % | `avg(probe_success{job=\"el\"})` |"),
        "{md}"
    );
}

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!(render(&report(7), Format::Markdown).unwrap());
}

#[test]
fn json_snapshot() {
    insta::assert_snapshot!(render(&report(7), Format::Json).unwrap());
}

#[test]
fn html_bars_have_one_titled_rect_per_day_in_the_page_colours() {
    let html = render(&report(90), Format::Html).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains(&format!("header {{ background: {BRAND}; color: #ffffff;")));
    // 4 rows (group, 2 members, faucet) × 90 days.
    assert_eq!(html.matches("<rect ").count(), 360);
    assert!(html.contains(&format!(
        "fill=\"{DOWN}\" data-date=\"2026-11-10\" data-kind=\"major\"><title>2026-11-10: major outage 1 h, partial outage 1 h, 94.583 % uptime</title>"
    )), "2026-11-10: (86,400 - 4,680) / 86,400 = 94.583... %");
    assert!(
        html.contains("<title>2026-11-15: no data</title>"),
        "the faucet before it existed"
    );
    assert!(html.contains(&format!(
        "fill=\"{NOTICE}\" data-date=\"2026-11-25\" data-kind=\"maintenance\""
    )));
    assert!(html.contains("aria-label=\"90-day uptime of Faucet | Public\""));
    // Names are escaped.
    let mut h = history();
    h.components[3].name = "<script>x</script>".into();
    let r = Report::build("Ephemery", colors(), &h, &options(3), now()).unwrap();
    let html = render(&r, Format::Html).unwrap();
    assert!(!html.contains("<script>x") && html.contains("&lt;script&gt;x"));
}

#[test]
fn a_window_over_gives_the_same_report_however_much_later_it_is_rendered() {
    // A window ending mid-day with an incident still open at its end: the bars' last day runs
    // to midnight, and nothing after the window's end may change the figures or the files.
    let mut o = options(3);
    o.window = instatus::uptime::Window::new(t("2026-11-29T12:00:00Z"), t("2026-11-30T12:00:00Z"))
        .unwrap();
    o.window_label = None;
    let mut h = history();
    h.incidents.push(
        instatus::uptime::IncidentRecord::new(
            "open",
            "Still down",
            t("2026-11-30T11:00:00Z"),
            None,
        )
        .affects("el", instatus::model::ComponentStatus::MajorOutage),
    );
    let at = |now: &str| {
        let r = Report::build("Ephemery", colors(), &h, &o, t(now)).unwrap();
        (
            render(&r, Format::Json).unwrap(),
            render(&r, Format::Html).unwrap(),
        )
    };
    let soon = at("2026-11-30T12:00:05Z");
    assert_eq!(soon, at("2026-11-30T18:00:00Z"));
    assert_eq!(soon, at("2026-12-02T07:00:00Z"));
    // Before the window ends, the figures do move (the data runs to now).
    assert_ne!(at("2026-11-30T11:30:00Z"), at("2026-11-30T11:45:00Z"));
}

/// Outages resolved the usual way on a real (emulated) page, read back through
/// `fetch::page_history` and reported: the library's own incident writes (what the `incident`
/// module runs: open, then its default resolve), the bridge's way (each update with its
/// "Affected components" line), and a person's resolve in the dashboard (statuses back to
/// operational, no line), plus a person's incident with no line at all. Each figure is computed
/// by hand below, to the millisecond.
#[test]
fn outages_resolved_the_usual_way_are_reported_to_the_millisecond() {
    use instatus::api::ComponentStatusEntry as Entry;
    use instatus::api::{self, components::CreateComponentRequest, incidents};
    use instatus::apply::notice::apply_incident;
    use instatus::jiff::{SignedDuration, Timestamp};
    use instatus::model::{ComponentStatus as S, ComponentTree, IncidentStatus, PageId};
    use instatus::status::incident_edit::{plan, IncidentTarget, IncidentTask};
    use instatus::uptime::report::ReportOptions;
    use instatus::uptime::{fetch, Window};

    let emulator = instatus_emulator::Emulator::start(Default::default()).unwrap();
    let page = PageId::new(emulator.create_page("lab", "Lab"));
    let client = instatus::Client::builder(emulator.api_key())
        .base_url(emulator.url())
        .build()
        .unwrap();
    let mut ids = Vec::new();
    for name in ["Module", "Bridge", "Person", "Unknown"] {
        let c = client
            .send(api::components::create(
                &page,
                &CreateComponentRequest::new(name),
            ))
            .unwrap();
        ids.push(c.id);
    }
    let tree =
        ComponentTree::from_components(client.list_all(api::components::list(&page)).unwrap());
    let sec = |t: Timestamp, s: i64| t.checked_add(SignedDuration::from_secs(s)).unwrap();
    // The next whole second after every component exists.
    let base = Timestamp::from_second(Timestamp::now().as_second() + 1).unwrap();

    // The module: opened major from `base`, resolved the default way once a second has passed.
    let task = |target| IncidentTask {
        name: Some("Module down".into()),
        target,
        components: Some([(ids[0].clone(), S::MajorOutage)].into_iter().collect()),
        started: Some(base),
        ..IncidentTask::default()
    };
    let run = |task: &IncidentTask| {
        let all = client.list_all(incidents::list(&page)).unwrap();
        apply_incident(&client, &page, task, &plan(task, &all).unwrap(), &tree).unwrap();
    };
    run(&task(IncidentTarget::Open { status: None }));
    std::thread::sleep(std::time::Duration::from_millis(
        (sec(base, 1).as_millisecond() - Timestamp::now().as_millisecond()).max(0) as u64 + 300,
    ));
    run(&IncidentTask {
        components: None,
        ..task(IncidentTarget::Resolved)
    });

    // The bridge (from base + 2 s): degraded 1 s, then major 3 s, resolved with its line.
    let post = |name: &str, id: &instatus::model::ComponentId, status, at, message: &str| {
        let body = incidents::CreateIncidentRequest::new(name, IncidentStatus::Investigating)
            .message(message)
            .affect(Entry::new(id.clone(), status))
            .started(at);
        client.send(incidents::create(&page, &body)).unwrap().id
    };
    let update = |inc, id: &instatus::model::ComponentId, stage, status, at, message: &str| {
        let mut body = incidents::CreateIncidentUpdateRequest::new(stage)
            .affect(Entry::new(id.clone(), status));
        body.message = Some(message.into());
        body.started = Some(at);
        client
            .send(incidents::create_update(&page, &inc, &body))
            .unwrap();
    };
    let bridge = post(
        "Bridge slow",
        &ids[1],
        S::DegradedPerformance,
        sec(base, 2),
        "Slow.\n\nAffected components: Bridge (degraded performance).",
    );
    update(
        bridge.clone(),
        &ids[1],
        IncidentStatus::Investigating,
        S::MajorOutage,
        sec(base, 3),
        "Down.\n\nAffected components: Bridge (major outage).",
    );
    update(bridge, &ids[1], IncidentStatus::Resolved, S::Operational, sec(base, 6),
        "Recovered.\n\nAffected components: Bridge (operational).\n\n(Posted by status automation.)");
    // A person resolves the library's incident (major from base + 2 s) at base + 4 s, no line.
    let person = {
        let t = IncidentTask {
            name: Some("Person".into()),
            started: Some(sec(base, 2)),
            components: Some([(ids[2].clone(), S::MajorOutage)].into_iter().collect()),
            ..IncidentTask::default()
        };
        let all = client.list_all(incidents::list(&page)).unwrap();
        let edit = plan(&t, &all).unwrap();
        match apply_incident(&client, &page, &t, &edit, &tree).unwrap() {
            instatus::apply::notice::IncidentWritten::Opened { incident, .. } => incident.id,
            other => panic!("{other:?}"),
        }
    };
    update(
        person,
        &ids[2],
        IncidentStatus::Resolved,
        S::Operational,
        sec(base, 4),
        "All good.",
    );
    // A person's incident without any line, base + 2 s to base + 9 s.
    let unknown = post("Mystery", &ids[3], S::MajorOutage, sec(base, 2), "Odd.");
    update(
        unknown,
        &ids[3],
        IncidentStatus::Resolved,
        S::Operational,
        sec(base, 9),
        "Gone.",
    );

    let (status_page, history) = fetch::page_history(&client, &page).unwrap();
    let module = client.list_all(incidents::list(&page)).unwrap();
    let module = module
        .iter()
        .find(|i| i.name.as_str() == "Module down")
        .unwrap();
    let module_ms = module.resolved.unwrap().as_millisecond() - base.as_millisecond();
    assert!((1_000..10_000).contains(&module_ms), "{module_ms}");

    let end = sec(base, 60);
    let mut options =
        ReportOptions::new(Window::rolling(end, SignedDuration::from_hours(24)).unwrap());
    options.bar_days = 1;
    options.slas = vec![
        SlaSpec {
            component: "Module".into(),
            target: Target::percent(99.9).unwrap(),
        },
        SlaSpec {
            component: "Bridge".into(),
            target: Target::percent(50.0).unwrap(),
        },
    ];
    let r = Report::build(status_page.name_str(), colors(), &history, &options, end).unwrap();
    let tally = |name: &str| r.rows.iter().find(|x| x.name == name).unwrap().tally;
    // The module: major from base to the read-back resolution.
    assert_eq!(tally("Module").major_ms, module_ms);
    assert_eq!(tally("Module").weighted_down, module_ms * 1000);
    // The bridge: degraded 1,000 ms (weight 0), major 3,000 ms.
    assert_eq!(
        (tally("Bridge").degraded_ms, tally("Bridge").major_ms),
        (1_000, 3_000)
    );
    assert_eq!(tally("Bridge").weighted_down, 3_000 * 1000);
    // The person's resolve: major 2,000 ms, from the library's line.
    assert_eq!(tally("Person").major_ms, 2_000);
    // No line at all: 7,000 ms, counted as a major outage, and the report says so.
    assert_eq!(tally("Unknown").major_ms, 7_000);
    let md = render(&r, Format::Markdown).unwrap();
    assert!(
        md.contains(": Mystery (Unknown); level unknown, counted as a major outage\n"),
        "{md}"
    );
    let row = |name: &str| r.rows.iter().find(|x| x.name == name).unwrap();
    assert!(
        md.contains(&format!(
            "| Module | 99.9 % | {} % | breached |",
            row("Module").uptime.as_deref().unwrap()
        )),
        "{md}"
    );
    assert!(
        md.contains(&format!(
            "| Bridge | 50.0 % | {} % | met |",
            row("Bridge").uptime.as_deref().unwrap()
        )),
        "{md}"
    );
}
