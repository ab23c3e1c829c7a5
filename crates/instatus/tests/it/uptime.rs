//! Uptime on hand-built histories, each figure computed by hand in the comment above it and
//! asserted exactly (integer milliseconds, and the percentage rounded down).

use instatus::jiff::tz::TimeZone;
use instatus::jiff::Timestamp;
use instatus::model::{ComponentId, ComponentStatus as S, Incident, Maintenance};
use instatus::uptime::{
    ComponentInfo, DayKind, GroupRule, History, IncidentRecord, MaintenancePolicy,
    MaintenanceRecord, Method, Uptime, Weights, Window,
};

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn id(s: &str) -> ComponentId {
    ComponentId::new(s)
}

const SEC: i64 = 1000;

fn month(y: i16, m: i8) -> Window {
    Window::month(y, m, &TimeZone::UTC).unwrap()
}

fn incident(name: &str, from: &str, to: &str) -> IncidentRecord {
    IncidentRecord::new(name, name, t(from), Some(t(to)))
}

fn one(component: ComponentInfo, incidents: Vec<IncidentRecord>) -> History {
    History {
        components: vec![component],
        incidents,
        maintenances: vec![],
    }
}

#[test]
fn overlapping_incidents_count_each_instant_once_in_the_worst_status() {
    // November 2026: 30 days, T = 2,592,000 s.
    // A: major 10:00-11:00; B: partial 10:30-12:00.
    // Worst at each instant: 10:00-11:00 major (3,600 s), 11:00-12:00 partial (3,600 s).
    // Down = 3,600 + 0.3 × 3,600 = 4,680 s (adding them up would give 3,600 + 0.3 × 5,400 = 5,220).
    // Uptime = (2,592,000 - 4,680) / 2,592,000 = 99.81944... %.
    let h = one(
        ComponentInfo::new("el", "Execution Client"),
        vec![
            incident("a", "2026-11-10T10:00:00Z", "2026-11-10T11:00:00Z")
                .affects("el", S::MajorOutage),
            incident("b", "2026-11-10T10:30:00Z", "2026-11-10T12:00:00Z")
                .affects("el", S::PartialOutage),
        ],
    );
    let u = Uptime::new(&h, Method::default(), t("2026-12-01T00:00:00Z"));
    let x = u.tally(&id("el"), month(2026, 11));
    assert_eq!(x.observed_ms, 2_592_000 * SEC);
    assert_eq!(x.major_ms, 3_600 * SEC);
    assert_eq!(x.partial_ms, 3_600 * SEC);
    assert_eq!(x.weighted_down, 4_680 * SEC * 1000);
    assert_eq!(x.uptime_percent(3).as_deref(), Some("99.819"));
    assert_eq!(x.uptime_percent(5).as_deref(), Some("99.81944"));
}

#[test]
fn a_status_change_inside_an_incident_splits_its_time() {
    // One incident 10:00-12:00: major, then partial from 11:00. Same 4,680 s as above.
    let h = one(
        ComponentInfo::new("el", "Execution Client"),
        vec![
            incident("a", "2026-11-10T10:00:00Z", "2026-11-10T12:00:00Z")
                .affects("el", S::MajorOutage)
                .change(t("2026-11-10T11:00:00Z"), "el", S::PartialOutage),
        ],
    );
    let u = Uptime::new(&h, Method::default(), t("2026-12-01T00:00:00Z"));
    let x = u.tally(&id("el"), month(2026, 11));
    assert_eq!((x.major_ms, x.partial_ms), (3_600 * SEC, 3_600 * SEC));
    assert_eq!(x.weighted_down, 4_680 * SEC * 1000);
}

fn maintenance_history() -> History {
    // February 2026: 28 days, 2,419,200 s. Maintenance 00:00-04:00 (14,400 s) on the 10th;
    // a major outage 03:00-05:00 (7,200 s), one hour of it inside the maintenance.
    History {
        components: vec![ComponentInfo::new("el", "Execution Client")],
        incidents: vec![
            incident("a", "2026-02-10T03:00:00Z", "2026-02-10T05:00:00Z")
                .affects("el", S::MajorOutage),
        ],
        maintenances: vec![MaintenanceRecord::new(
            "m",
            "Upgrade",
            t("2026-02-10T00:00:00Z"),
            Some(t("2026-02-10T04:00:00Z")),
            ["el"],
        )],
    }
}

#[test]
fn maintenance_counted_as_up_excluded_or_down() {
    let h = maintenance_history();
    let now = t("2026-03-01T00:00:00Z");
    let with = |maintenance| Method {
        maintenance,
        ..Method::default()
    };

    // Counted as up (default): T = 2,419,200 s, down = 7,200 s (the incident, all of it).
    // (2,419,200 - 7,200) / 2,419,200 = 99.70238... %.
    let x =
        Uptime::new(&h, with(MaintenancePolicy::CountAsUp), now).tally(&id("el"), month(2026, 2));
    assert_eq!(x.observed_ms, 2_419_200 * SEC);
    assert_eq!(x.maintenance_ms, 14_400 * SEC);
    assert_eq!(x.weighted_down, 7_200 * SEC * 1000);
    assert_eq!(x.uptime_percent(3).as_deref(), Some("99.702"));

    // Excluded: T = 2,419,200 - 14,400 = 2,404,800 s; down = 04:00-05:00 = 3,600 s.
    // (2,404,800 - 3,600) / 2,404,800 = 99.85029... %.
    let x = Uptime::new(&h, with(MaintenancePolicy::Exclude), now).tally(&id("el"), month(2026, 2));
    assert_eq!(x.excluded_ms, 14_400 * SEC);
    assert_eq!(x.observed_ms, 2_404_800 * SEC);
    assert_eq!(x.weighted_down, 3_600 * SEC * 1000);
    assert_eq!(x.uptime_percent(3).as_deref(), Some("99.850"));

    // Counted as down: down = 00:00-05:00 = 18,000 s, the overlap once.
    // (2,419,200 - 18,000) / 2,419,200 = 99.25595... %.
    let x =
        Uptime::new(&h, with(MaintenancePolicy::CountAsDown), now).tally(&id("el"), month(2026, 2));
    assert_eq!(x.weighted_down, 18_000 * SEC * 1000);
    assert_eq!(x.uptime_percent(3).as_deref(), Some("99.255"));
}

#[test]
fn a_window_boundary_inside_an_incident_splits_it_between_months() {
    // Major outage 2026-11-30 22:00 to 2026-12-01 02:00: 2 h in each month.
    // November (30 d): (2,592,000 - 7,200) / 2,592,000 = 99.72222... %.
    // December (31 d = 2,678,400 s): (2,678,400 - 7,200) / 2,678,400 = 99.73118... %.
    let h = one(
        ComponentInfo::new("el", "Execution Client"),
        vec![
            incident("a", "2026-11-30T22:00:00Z", "2026-12-01T02:00:00Z")
                .affects("el", S::MajorOutage),
        ],
    );
    let u = Uptime::new(&h, Method::default(), t("2027-01-01T00:00:00Z"));
    let nov = u.tally(&id("el"), month(2026, 11));
    let dec = u.tally(&id("el"), month(2026, 12));
    assert_eq!((nov.major_ms, dec.major_ms), (7_200 * SEC, 7_200 * SEC));
    assert_eq!(dec.observed_ms, 2_678_400 * SEC);
    assert_eq!(nov.uptime_percent(3).as_deref(), Some("99.722"));
    assert_eq!(dec.uptime_percent(3).as_deref(), Some("99.731"));
    // A rolling 24 h window ending 2026-12-01 00:00 holds the first 2 h:
    // (86,400 - 7,200) / 86,400 = 91.6666... %.
    let day = Window::rolling(
        t("2026-12-01T00:00:00Z"),
        instatus::jiff::SignedDuration::from_hours(24),
    )
    .unwrap();
    assert_eq!(
        u.tally(&id("el"), day).uptime_percent(3).as_deref(),
        Some("91.666")
    );
}

#[test]
fn months_of_28_30_and_31_days_with_the_same_hour_down() {
    // 1 h major in each month: February 2026 (28 d = 2,419,200 s): 99.85119... %;
    // April (30 d = 2,592,000 s): 99.86111... %; July (31 d = 2,678,400 s): 99.86559... %.
    let h = one(
        ComponentInfo::new("el", "Execution Client"),
        ["2026-02-14", "2026-04-14", "2026-07-14"]
            .iter()
            .map(|d| {
                incident(d, &format!("{d}T08:00:00Z"), &format!("{d}T09:00:00Z"))
                    .affects("el", S::MajorOutage)
            })
            .collect(),
    );
    let u = Uptime::new(&h, Method::default(), t("2027-01-01T00:00:00Z"));
    for (m, secs, pct) in [
        (2, 2_419_200, "99.85119"),
        (4, 2_592_000, "99.86111"),
        (7, 2_678_400, "99.86559"),
    ] {
        let x = u.tally(&id("el"), month(2026, m));
        assert_eq!(x.observed_ms, secs * SEC, "month {m}");
        assert_eq!(x.uptime_percent(5).as_deref(), Some(pct), "month {m}");
    }
}

#[test]
fn no_data_before_the_component_existed_and_after_now() {
    // Created 2026-11-16: T = 15 d = 1,296,000 s, 1,296,000 s no data.
    // 1 h partial: down = 0.3 × 3,600 = 1,080 s; (1,296,000 - 1,080) / 1,296,000 = 99.91666... %.
    let h = one(
        ComponentInfo::new("el", "Execution Client").created(t("2026-11-16T00:00:00Z")),
        vec![
            incident("a", "2026-11-20T00:00:00Z", "2026-11-20T01:00:00Z")
                .affects("el", S::PartialOutage),
        ],
    );
    let u = Uptime::new(&h, Method::default(), t("2026-12-01T00:00:00Z"));
    let x = u.tally(&id("el"), month(2026, 11));
    assert_eq!(
        (x.observed_ms, x.no_data_ms),
        (1_296_000 * SEC, 1_296_000 * SEC)
    );
    assert_eq!(x.uptime_percent(3).as_deref(), Some("99.916"));

    // Now = Nov 30 12:00 with an incident open since 11:00: the 12 h after now have no data.
    // T = 43,200 s, down 3,600 s: (43,200 - 3,600) / 43,200 = 91.6666... %.
    let h = one(
        ComponentInfo::new("el", "Execution Client"),
        vec![
            IncidentRecord::new("open", "open", t("2026-11-30T11:00:00Z"), None)
                .affects("el", S::MajorOutage),
        ],
    );
    let u = Uptime::new(&h, Method::default(), t("2026-11-30T12:00:00Z"));
    let x = u.tally(
        &id("el"),
        Window::new(t("2026-11-30T00:00:00Z"), t("2026-12-01T00:00:00Z")).unwrap(),
    );
    assert_eq!(
        (x.observed_ms, x.no_data_ms, x.major_ms),
        (43_200 * SEC, 43_200 * SEC, 3_600 * SEC)
    );
    assert_eq!(x.uptime_percent(3).as_deref(), Some("91.666"));

    // Nothing observed at all: no figure, not 100 %.
    let before = Window::new(t("2026-10-01T00:00:00Z"), t("2026-11-01T00:00:00Z")).unwrap();
    let h = one(
        ComponentInfo::new("el", "EL").created(t("2026-11-16T00:00:00Z")),
        vec![],
    );
    let x = Uptime::new(&h, Method::default(), t("2026-12-01T00:00:00Z")).tally(&id("el"), before);
    assert_eq!(x.uptime(), None);
    assert_eq!(x.uptime_percent(2), None);
}

fn group_history() -> History {
    // Group g with a (major 10:00-11:00) and b (partial 10:30-12:00), November 2026.
    History {
        components: vec![
            ComponentInfo::group("g", "Ethereum Services"),
            ComponentInfo::new("a", "Execution Client").in_group("g"),
            ComponentInfo::new("b", "Consensus Client").in_group("g"),
        ],
        incidents: vec![
            incident("ia", "2026-11-10T10:00:00Z", "2026-11-10T11:00:00Z")
                .affects("a", S::MajorOutage),
            incident("ib", "2026-11-10T10:30:00Z", "2026-11-10T12:00:00Z")
                .affects("b", S::PartialOutage),
        ],
        maintenances: vec![],
    }
}

#[test]
fn a_group_is_its_worst_member_or_their_average() {
    let h = group_history();
    let now = t("2026-12-01T00:00:00Z");
    // Worst: 10:00-11:00 major (a), 11:00-12:00 partial (b): 3,600 + 1,080 = 4,680 s over
    // 2,592,000 s: 99.81944... %.
    let x = Uptime::new(&h, Method::default(), now).tally(&id("g"), month(2026, 11));
    assert_eq!(x.observed_ms, 2_592_000 * SEC);
    assert_eq!(x.weighted_down, 4_680 * SEC * 1000);
    assert_eq!(x.uptime_percent(3).as_deref(), Some("99.819"));
    // Average: a 3,600 s + b 0.3 × 5,400 = 1,620 s → 5,220 s over 2 × 2,592,000 = 5,184,000 s:
    // (5,184,000 - 5,220) / 5,184,000 = 99.89930... %.
    let avg = Method {
        groups: GroupRule::Average,
        ..Method::default()
    };
    let x = Uptime::new(&h, avg, now).tally(&id("g"), month(2026, 11));
    assert_eq!(x.observed_ms, 5_184_000 * SEC);
    assert_eq!(x.weighted_down, 5_220 * SEC * 1000);
    assert_eq!(x.uptime_percent(3).as_deref(), Some("99.899"));
}

#[test]
fn other_weights_change_the_figure_as_stated() {
    // incident.io's weights (partial = 1.0): the overlap case is 3,600 + 3,600 = 7,200 s:
    // (2,592,000 - 7,200) / 2,592,000 = 99.72222... %.
    let h = group_history();
    let m = Method {
        weights: Weights::partial_is_down(),
        ..Method::default()
    };
    let x = Uptime::new(&h, m, t("2026-12-01T00:00:00Z")).tally(&id("g"), month(2026, 11));
    assert_eq!(x.uptime_percent(3).as_deref(), Some("99.722"));
    // Degraded at 0 (default) leaves a degraded day at 100 %.
    let h = one(
        ComponentInfo::new("el", "EL"),
        vec![
            incident("d", "2026-11-10T00:00:00Z", "2026-11-11T00:00:00Z")
                .affects("el", S::DegradedPerformance),
        ],
    );
    let x = Uptime::new(&h, Method::default(), t("2026-12-01T00:00:00Z"))
        .tally(&id("el"), month(2026, 11));
    assert_eq!(x.degraded_ms, 86_400 * SEC);
    assert_eq!(x.uptime_percent(3).as_deref(), Some("100.000"));
}

/// Uptime used to read a status it does not know as operational, while the engine reads it as
/// degraded: one ordering now ([`instatus::status::Level::from_status`]), so it is never hidden.
#[test]
fn an_unknown_status_counts_as_degraded_never_as_operational() {
    // Nov 10, 10:00-12:00 in a status Instatus may add later: 7,200 s degraded, at the default
    // weight 0 (uptime stays 100 %, but the time shows and the day's bar is degraded).
    let h = one(
        ComponentInfo::new("el", "EL"),
        vec![
            incident("n", "2026-11-10T10:00:00Z", "2026-11-10T12:00:00Z")
                .affects("el", S::Unknown("SOMETHINGNEW".into())),
        ],
    );
    let u = Uptime::new(&h, Method::default(), t("2026-12-01T00:00:00Z"));
    let x = u.tally(&id("el"), month(2026, 11));
    assert_eq!(
        (x.degraded_ms, x.operational_ms),
        (7_200 * SEC, (2_592_000 - 7_200) * SEC)
    );
    assert_eq!(x.uptime_percent(3).as_deref(), Some("100.000"));
    let nov10 = Window::new(t("2026-11-10T00:00:00Z"), t("2026-11-11T00:00:00Z")).unwrap();
    let days = u.daily(&id("el"), nov10, &TimeZone::UTC).unwrap();
    assert_eq!(days[0].kind(), DayKind::Degraded);
    // At degraded's weight when one is set: 0.1 × 7,200 = 720 s down.
    let m = Method {
        weights: Weights::from_fractions(1.0, 0.3, 0.1).unwrap(),
        ..Method::default()
    };
    let x = Uptime::new(&h, m, t("2026-12-01T00:00:00Z")).tally(&id("el"), month(2026, 11));
    assert_eq!(x.weighted_down, 720 * SEC * 1000);
}

#[test]
fn ninety_day_bars_colour_each_day_by_its_worst_status() {
    let mut h = maintenance_history();
    h.components[0].created = Some(t("2026-01-01T00:00:00Z"));
    h.incidents.push(
        incident("p", "2026-02-20T23:00:00Z", "2026-02-21T01:00:00Z")
            .affects("el", S::PartialOutage),
    );
    h.maintenances.push(MaintenanceRecord::new(
        "m2",
        "Reset",
        t("2026-03-05T10:00:00Z"),
        Some(t("2026-03-05T11:00:00Z")),
        ["el"],
    ));
    let now = t("2026-03-10T12:00:00Z");
    let u = Uptime::new(&h, Method::default(), now);
    let window = Window::last_days(now, 90, &TimeZone::UTC).unwrap();
    let days = u.daily(&id("el"), window, &TimeZone::UTC).unwrap();
    assert_eq!(days.len(), 90);
    assert_eq!(days[0].date.to_string(), "2025-12-11");
    let kind = |d: &str| {
        days.iter()
            .find(|x| x.date.to_string() == d)
            .unwrap()
            .kind()
    };
    assert_eq!(
        kind("2025-12-31"),
        DayKind::NoData,
        "before the component existed"
    );
    assert_eq!(kind("2026-01-01"), DayKind::Operational);
    assert_eq!(kind("2026-02-10"), DayKind::Major);
    assert_eq!(kind("2026-02-20"), DayKind::Partial);
    assert_eq!(kind("2026-02-21"), DayKind::Partial);
    assert_eq!(kind("2026-03-05"), DayKind::Maintenance);
    assert_eq!(kind("2026-03-10"), DayKind::Operational, "today, up to now");
    // Feb 20: 1 h partial of 86,400 s: (86,400 - 1,080) / 86,400 = 98.75 %.
    let feb20 = days
        .iter()
        .find(|x| x.date.to_string() == "2026-02-20")
        .unwrap();
    assert_eq!(feb20.tally.uptime_percent(2).as_deref(), Some("98.75"));
    // Today: 12 h observed, 12 h no data.
    let today = days.last().unwrap();
    assert_eq!(
        (today.tally.observed_ms, today.tally.no_data_ms),
        (43_200 * SEC, 43_200 * SEC)
    );
    // The days add up to the window's tally.
    let total = days
        .iter()
        .fold(Default::default(), |acc: instatus::uptime::Tally, d| {
            acc.plus(&d.tally)
        });
    assert_eq!(total, u.tally(&id("el"), window));
}

#[test]
fn history_from_the_api_counts_each_incident_from_start_to_resolution() {
    let incidents: Vec<Incident> = serde_json::from_value(serde_json::json!([
        {"id": "i1", "name": "EL down", "status": "RESOLVED", "started": "2026-11-10T10:00:00Z",
         "resolved": "2026-11-10T11:00:00Z", "updates": [],
         "components": [{"id": "el", "status": "MAJOROUTAGE"}, {"id": "cl", "status": "PARTIALOUTAGE"}]},
        {"id": "i2", "name": "Open", "status": "INVESTIGATING", "started": "2026-11-30T23:00:00Z",
         "updates": [], "components": [{"id": "el", "status": "MAJOROUTAGE"}]}
    ]))
    .unwrap();
    let maintenances: Vec<Maintenance> = serde_json::from_value(serde_json::json!([
        {"id": "m1", "name": "Upgrade", "status": "COMPLETED", "start": "2026-11-12T00:00:00Z",
         "duration": 60, "components": [{"id": "el"}]},
        {"id": "m2", "name": "Later", "status": "NOTSTARTEDYET", "start": "2026-12-12T00:00:00Z",
         "duration": 60, "components": [{"id": "el"}]}
    ]))
    .unwrap();
    let components: Vec<instatus::model::Component> = serde_json::from_value(serde_json::json!([
        {"id": "el", "name": "Execution Client", "status": "MAJOROUTAGE"},
        {"id": "cl", "name": "Consensus Client", "status": "OPERATIONAL"}
    ]))
    .unwrap();
    let h = History::from_api(&components, &incidents, &maintenances).unwrap();
    assert_eq!(
        h.maintenances.len(),
        1,
        "a scheduled maintenance is not history yet"
    );
    let u = Uptime::new(&h, Method::default(), t("2026-12-01T00:00:00Z"));
    // el: 1 h + the open incident's last hour of November = 7,200 s major; 1 h maintenance.
    let el = u.tally(&id("el"), month(2026, 11));
    assert_eq!((el.major_ms, el.maintenance_ms), (7_200 * SEC, 3_600 * SEC));
    let cl = u.tally(&id("cl"), month(2026, 11));
    assert_eq!(cl.partial_ms, 3_600 * SEC);

    let broken: Vec<Incident> = serde_json::from_value(serde_json::json!([
        {"id": "i9", "name": "x", "status": "RESOLVED", "updates": [], "components": []}
    ]))
    .unwrap();
    let e = History::from_api(&components, &broken, &[]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "incident i9: started is missing, so it cannot be placed in time"
    );
}

/// The page of the level tests: the execution and the consensus client.
fn two_clients() -> Vec<instatus::model::Component> {
    serde_json::from_value(serde_json::json!([
        {"id": "el", "name": "Execution Client", "status": "OPERATIONAL",
         "createdAt": "2026-01-01T00:00:00Z"},
        {"id": "cl", "name": "Consensus Client", "status": "OPERATIONAL",
         "createdAt": "2026-01-01T00:00:00Z"}
    ]))
    .unwrap()
}

/// Incidents resolved the usual way, as the API returns them afterwards: every component back to
/// OPERATIONAL, so only the updates' "Affected components" lines, the impact, or nothing, tell
/// the level. Updates are listed newest first, as Instatus lists them.
fn resolved_the_usual_way() -> Vec<Incident> {
    let line = |parts: &[(&str, S)]| instatus::affected::render(parts);
    let el_major = line(&[("Execution Client", S::MajorOutage)]);
    let el_partial = line(&[("Execution Client", S::PartialOutage)]);
    let el_ok = line(&[("Execution Client", S::Operational)]);
    let cl_degraded = line(&[("Consensus Client", S::DegradedPerformance)]);
    let cl_major = line(&[("Consensus Client", S::MajorOutage)]);
    let cl_ok = line(&[("Consensus Client", S::Operational)]);
    serde_json::from_value(serde_json::json!([
        // A. The incident module: opened major at 10:00, updated to partial at 10:30, resolved
        //    by default (every component back to operational) at 11:00.
        {"id": "a", "name": "EL down", "status": "RESOLVED",
         "started": "2026-11-10T10:00:00Z", "resolved": "2026-11-10T11:00:00Z",
         "components": [{"id": "el", "status": "OPERATIONAL"}], "impact": "OPERATIONAL",
         "updates": [
            {"id": "a3", "status": "RESOLVED", "started": "2026-11-10T11:00:00Z",
             "message": format!("Fixed.\n\n{el_ok}")},
            {"id": "a2", "status": "IDENTIFIED", "started": "2026-11-10T10:30:00Z",
             "message": format!("Half the nodes are back.\n\n{el_partial}")},
            {"id": "a1", "status": "INVESTIGATING", "started": "2026-11-10T10:00:00Z",
             "message": format!("The execution client is down.\n\n{el_major}")}]},
        // B. The bridge: opened degraded at 12:00 (its first update written at 12:00:05, a
        //    little after the incident's start), escalated to major at 12:20 on the same
        //    incident, resolved at 13:00.
        {"id": "b", "name": "CL slow", "status": "RESOLVED",
         "started": "2026-11-10T12:00:00Z", "resolved": "2026-11-10T13:00:00Z",
         "components": [{"id": "cl", "status": "OPERATIONAL"}],
         "updates": [
            {"id": "b3", "status": "RESOLVED", "createdAt": "2026-11-10T13:00:00Z",
             "message": format!("Recovered.\n\n{cl_ok}\n\n(Posted by status automation.)")},
            {"id": "b2", "status": "INVESTIGATING", "createdAt": "2026-11-10T12:20:00Z",
             "message": format!("Now down.\n\n{cl_major}")},
            {"id": "b1", "status": "INVESTIGATING", "createdAt": "2026-11-10T12:00:05Z",
             "message": format!("Slow.\n\n{cl_degraded}")}]},
        // C. Opened by the module (major) at 14:00; a person resolved it in the dashboard at
        //    14:45, setting the status back to operational, with no line.
        {"id": "c", "name": "EL down again", "status": "RESOLVED",
         "started": "2026-11-10T14:00:00Z", "resolved": "2026-11-10T14:45:00Z",
         "components": [{"id": "el", "status": "OPERATIONAL"}],
         "updates": [
            {"id": "c2", "status": "RESOLVED", "started": "2026-11-10T14:45:00Z",
             "message": "All good now."},
            {"id": "c1", "status": "INVESTIGATING", "started": "2026-11-10T14:00:00Z",
             "message": format!("Down.\n\n{el_major}")}]},
        // D. A person's incident from start to end, no line, resolved back to operational:
        //    the level is unknown, counted as a major outage, 15:00-15:10.
        {"id": "d", "name": "Something odd", "status": "RESOLVED",
         "started": "2026-11-10T15:00:00Z", "resolved": "2026-11-10T15:10:00Z",
         "components": [{"id": "el", "status": "OPERATIONAL"}],
         "updates": [
            {"id": "d2", "status": "RESOLVED", "started": "2026-11-10T15:10:00Z", "message": "Gone."},
            {"id": "d1", "status": "INVESTIGATING", "started": "2026-11-10T15:00:00Z", "message": "Odd."}]},
        // E. No line, resolved back to operational, but the API gave its impact: a partial
        //    outage, 16:00-17:00.
        {"id": "e", "name": "CL peers", "status": "RESOLVED", "impact": "PARTIALOUTAGE",
         "started": "2026-11-10T16:00:00Z", "resolved": "2026-11-10T17:00:00Z",
         "components": [{"id": "cl", "status": "OPERATIONAL"}], "updates": []}
    ]))
    .unwrap()
}

#[test]
fn incidents_resolved_the_usual_way_count_the_level_their_updates_wrote_down() {
    let h = History::from_api(&two_clients(), &resolved_the_usual_way(), &[]).unwrap();
    let u = Uptime::new(&h, Method::default(), t("2026-12-01T00:00:00Z"));
    // Execution Client, November (T = 2,592,000 s):
    //   A: major 10:00-10:30 (1,800 s), partial 10:30-11:00 (1,800 s);
    //   C: major 14:00-14:45 (2,700 s); D: unknown, counted major 15:00-15:10 (600 s).
    //   major = 1,800 + 2,700 + 600 = 5,100 s; partial = 1,800 s;
    //   down = 5,100 + 0.3 × 1,800 = 5,640 s; (2,592,000 - 5,640) / 2,592,000 = 99.78240... %.
    let el = u.tally(&id("el"), month(2026, 11));
    assert_eq!((el.major_ms, el.partial_ms), (5_100 * SEC, 1_800 * SEC));
    assert_eq!(el.weighted_down, 5_640 * SEC * 1000);
    assert_eq!(el.uptime_percent(3).as_deref(), Some("99.782"));
    // Consensus Client:
    //   B: degraded 12:00-12:20 (1,200 s, weight 0; the first update holds from the start),
    //      major 12:20-13:00 (2,400 s); E: partial 16:00-17:00 (3,600 s, from the impact).
    //   down = 2,400 + 0.3 × 3,600 = 3,480 s; (2,592,000 - 3,480) / 2,592,000 = 99.86574... %.
    let cl = u.tally(&id("cl"), month(2026, 11));
    assert_eq!(
        (cl.degraded_ms, cl.major_ms, cl.partial_ms),
        (1_200 * SEC, 2_400 * SEC, 3_600 * SEC)
    );
    assert_eq!(cl.weighted_down, 3_480 * SEC * 1000);
    assert_eq!(cl.uptime_percent(3).as_deref(), Some("99.865"));
    // Where each level came from.
    use instatus::uptime::LevelSource as L;
    let sources: Vec<(&str, L)> = h
        .incidents
        .iter()
        .flat_map(|i| i.sources.iter().map(move |(_, s)| (i.id.as_str(), *s)))
        .collect();
    assert_eq!(
        sources,
        [
            ("a", L::AffectedLine),
            ("b", L::AffectedLine),
            ("c", L::AffectedLine),
            ("d", L::Unknown),
            ("e", L::Impact)
        ]
    );
}

#[test]
fn an_unknown_level_is_never_counted_as_zero_and_the_method_says_how_it_counts() {
    let h = History::from_api(&two_clients(), &resolved_the_usual_way(), &[]).unwrap();
    assert_eq!(
        h.incidents[3].unknown,
        [instatus::uptime::UnknownLevel {
            component: id("el"),
            until: None
        }]
    );
    // Counted as a partial outage instead: D's 600 s weigh 180 s; down = 1,800 + 2,700 + 0.3 ×
    // (1,800 + 600) = 5,220 s.
    let partial = Method {
        unknown_level: instatus::status::Level::PartialOutage,
        ..Method::default()
    };
    let el = Uptime::new(&h, partial, t("2026-12-01T00:00:00Z")).tally(&id("el"), month(2026, 11));
    assert_eq!(el.weighted_down, 5_220 * SEC * 1000);
    assert!(
        Method::default().describe().contains(
            "counts as a major outage for its whole duration and is marked \"level unknown\""
        ),
        "{}",
        Method::default().describe()
    );
}

#[test]
fn an_open_incident_without_a_line_counts_its_current_status_and_a_shared_name_is_not_guessed() {
    // Two components called "RPC" (in two groups) on one incident: a line cannot tell them
    // apart, so each counts in the incident's status for it (open: its status now).
    let components: Vec<instatus::model::Component> = serde_json::from_value(serde_json::json!([
        {"id": "a", "name": "RPC", "status": "MAJOROUTAGE", "groupId": "g1"},
        {"id": "b", "name": "RPC", "status": "PARTIALOUTAGE", "groupId": "g2"}
    ]))
    .unwrap();
    let line = instatus::affected::render(&[("RPC", S::DegradedPerformance)]);
    let incidents: Vec<Incident> = serde_json::from_value(serde_json::json!([
        {"id": "i", "name": "RPC down", "status": "INVESTIGATING",
         "started": "2026-11-30T23:00:00Z",
         "components": [{"id": "a", "status": "MAJOROUTAGE"}, {"id": "b", "status": "PARTIALOUTAGE"}],
         "updates": [{"id": "u", "status": "INVESTIGATING", "started": "2026-11-30T23:00:00Z",
                      "message": line}]}
    ]))
    .unwrap();
    let h = History::from_api(&components, &incidents, &[]).unwrap();
    let u = Uptime::new(&h, Method::default(), t("2026-12-01T00:00:00Z"));
    assert_eq!(u.tally(&id("a"), month(2026, 11)).major_ms, 3_600 * SEC);
    assert_eq!(u.tally(&id("b"), month(2026, 11)).partial_ms, 3_600 * SEC);
}

#[test]
fn a_persons_incident_resolved_by_the_module_counts_the_span_before_the_first_line_as_unknown() {
    // A person opened it in the dashboard at 18:00 (no line); the incident module resolved it the
    // default way at 18:20, its line saying operational from then on. Before that line nothing
    // says how bad it was: 1,200 s counted as a major outage, not zero.
    let resolve = instatus::affected::render(&[("Execution Client", S::Operational)]);
    let incident = |impact: &str| -> Vec<Incident> {
        serde_json::from_value(serde_json::json!([
            {"id": "f", "name": "EL odd", "status": "RESOLVED", "impact": impact,
             "started": "2026-11-10T18:00:00Z", "resolved": "2026-11-10T18:20:00Z",
             "components": [{"id": "el", "status": "OPERATIONAL"}],
             "updates": [
                {"id": "f2", "status": "RESOLVED", "started": "2026-11-10T18:20:00Z",
                 "message": format!("Fixed.\n\n{resolve}")},
                {"id": "f1", "status": "INVESTIGATING", "started": "2026-11-10T18:00:00Z",
                 "message": "Looking."}]}
        ]))
        .unwrap()
    };
    let h = History::from_api(&two_clients(), &incident("OPERATIONAL"), &[]).unwrap();
    let el = Uptime::new(&h, Method::default(), t("2026-12-01T00:00:00Z"))
        .tally(&id("el"), month(2026, 11));
    assert_eq!(el.major_ms, 1_200 * SEC);
    let r = instatus::uptime::report::Report::build(
        "Ephemery",
        Default::default(),
        &h,
        &instatus::uptime::report::ReportOptions::new(month(2026, 11)),
        t("2026-12-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        r.incidents[0].note.as_deref(),
        Some(
            "level of Execution Client before 2026-11-10 18:20 unknown, counted as a major outage"
        )
    );
    // With an impact the API gave, that span counts at the impact: 1,200 s partial.
    let h = History::from_api(&two_clients(), &incident("PARTIALOUTAGE"), &[]).unwrap();
    let el = Uptime::new(&h, Method::default(), t("2026-12-01T00:00:00Z"))
        .tally(&id("el"), month(2026, 11));
    assert_eq!((el.major_ms, el.partial_ms), (0, 1_200 * SEC));
}
