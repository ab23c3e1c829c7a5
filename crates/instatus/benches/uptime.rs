//! `cargo bench -p instatus --bench uptime`: a year of history (2026) for 100 components in 10
//! groups, with 10,000 and then 100,000 incidents (each on 1 to 3 components, 1 min to 6 h,
//! a third of them changing status halfway) and 200 maintenances.
//!
//! Timed, each the median of several runs: indexing the history plus the year's uptime of every
//! component and group; the same plus 90-day bars for all of them; and a whole report
//! (`Report::build`, year window, 90-day bars, 10 SLAs with burn rates). Target (issue 11):
//! ≤ 20 ms for 10,000 incidents.

use std::time::{Duration, Instant};

use instatus::jiff::tz::TimeZone;
use instatus::jiff::{SignedDuration, Timestamp};
use instatus::model::ComponentStatus as S;
use instatus::uptime::report::{Colors, Report, ReportOptions, SlaSpec};
use instatus::uptime::sla::Target;
use instatus::uptime::{
    ComponentInfo, History, IncidentRecord, MaintenanceRecord, Method, Uptime, Window,
};

const COMPONENTS: usize = 100;
const GROUPS: usize = 10;

fn history(incidents: usize) -> History {
    let mut rng = fastrand::Rng::with_seed(11);
    let year_start: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
    let year_ms = 365 * 86_400_000_i64;
    let at = |ms: i64| {
        year_start
            .checked_add(SignedDuration::from_millis(ms))
            .unwrap()
    };
    let mut components: Vec<ComponentInfo> = (0..GROUPS)
        .map(|g| ComponentInfo::group(format!("g{g}"), format!("Group {g}")))
        .collect();
    components.extend((0..COMPONENTS).map(|c| {
        ComponentInfo::new(format!("c{c}"), format!("Component {c}"))
            .in_group(format!("g{}", c % GROUPS))
    }));
    let statuses = [S::DegradedPerformance, S::PartialOutage, S::MajorOutage];
    let incidents = (0..incidents)
        .map(|i| {
            let start = rng.i64(0..year_ms);
            let len = rng.i64(60_000..6 * 3_600_000);
            let mut rec = IncidentRecord::new(
                format!("i{i}"),
                format!("Incident {i}"),
                at(start),
                Some(at(start + len)),
            );
            for _ in 0..rng.usize(1..=3) {
                let c = format!("c{}", rng.usize(0..COMPONENTS));
                rec = rec.affects(c.as_str(), statuses[rng.usize(0..3)].clone());
                if rng.usize(0..3) == 0 {
                    rec = rec.change(
                        at(start + len / 2),
                        c.as_str(),
                        statuses[rng.usize(0..3)].clone(),
                    );
                }
            }
            rec
        })
        .collect();
    let maintenances = (0..200)
        .map(|m| {
            let start = rng.i64(0..year_ms);
            MaintenanceRecord::new(
                format!("m{m}"),
                "Maintenance",
                at(start),
                Some(at(start + 2 * 3_600_000)),
                [format!("c{}", rng.usize(0..COMPONENTS))],
            )
        })
        .collect();
    History {
        components,
        incidents,
        maintenances,
    }
}

fn median(mut runs: Vec<Duration>) -> (Duration, Duration) {
    runs.sort();
    (runs[runs.len() / 2], runs[0])
}

fn time(runs: usize, mut f: impl FnMut() -> usize) -> (Duration, Duration, usize) {
    let mut out = Vec::with_capacity(runs);
    let mut check = 0;
    for _ in 0..runs {
        let t = Instant::now();
        check = std::hint::black_box(f());
        out.push(t.elapsed());
    }
    let (med, min) = median(out);
    (med, min, check)
}

fn main() {
    let tz = TimeZone::UTC;
    let year = Window::new(
        "2026-01-01T00:00:00Z".parse().unwrap(),
        "2027-01-01T00:00:00Z".parse().unwrap(),
    )
    .unwrap();
    let now: Timestamp = "2027-01-01T00:00:00Z".parse().unwrap();
    let bars = Window::last_days("2026-12-31T12:00:00Z".parse().unwrap(), 90, &tz).unwrap();
    println!("uptime over a year, {COMPONENTS} components in {GROUPS} groups (median of N runs, min in brackets)");
    for (n, runs) in [(10_000, 31), (100_000, 7)] {
        let h = history(n);
        let ids: Vec<_> = h.components.iter().map(|c| c.id.clone()).collect();
        let (med, min, _) = time(runs, || {
            Uptime::new(&h, Method::default(), now)
                .method()
                .weights
                .major_outage as usize
        });
        println!(
            "{n:>7} incidents: index only                             {:>8.2} ms ({:.2})",
            ms(med),
            ms(min)
        );
        let (med, min, _) = time(runs, || {
            let u = Uptime::new(&h, Method::default(), now);
            ids.iter()
                .map(|id| u.tally(id, year).observed_ms as usize)
                .sum()
        });
        println!(
            "{n:>7} incidents: index + yearly uptime of 110 rows      {:>8.2} ms ({:.2})",
            ms(med),
            ms(min)
        );
        let (med, min, _) = time(runs, || {
            let u = Uptime::new(&h, Method::default(), now);
            ids.iter()
                .map(|id| {
                    u.tally(id, year).observed_ms as usize + u.daily(id, bars, &tz).unwrap().len()
                })
                .sum()
        });
        println!(
            "{n:>7} incidents: + 90-day bars of 110 rows             {:>8.2} ms ({:.2})",
            ms(med),
            ms(min)
        );
        let mut o = ReportOptions::new(year);
        o.slas = (0..10)
            .map(|c| SlaSpec {
                component: format!("Component {c}"),
                target: Target::percent(99.9).unwrap(),
            })
            .collect();
        let (med, min, rows) = time(runs, || {
            Report::build("Bench", Colors::default(), &h, &o, now)
                .unwrap()
                .rows
                .len()
        });
        println!(
            "{n:>7} incidents: whole report ({rows} rows, bars, 10 SLAs)    {:>8.2} ms ({:.2})",
            ms(med),
            ms(min)
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
