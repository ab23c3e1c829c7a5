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
