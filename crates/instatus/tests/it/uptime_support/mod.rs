//! The page history the report tests share: November 2026 on a small Ephemery page.
#![allow(dead_code)]

use instatus::jiff::Timestamp;
use instatus::model::ComponentStatus as S;
use instatus::uptime::report::{Colors, ReportOptions, SlaSpec};
use instatus::uptime::sla::Target;
use instatus::uptime::{ComponentInfo, History, IncidentRecord, MaintenanceRecord, Window};

pub fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

pub const BRAND: &str = "#7c3aed";
pub const OK: &str = "#16a34a";
pub const DEGRADED: &str = "#eab308";
pub const PARTIAL: &str = "#f97316";
pub const DOWN: &str = "#dc2626";
pub const NOTICE: &str = "#2563eb";
pub const UNKNOWN: &str = "#9ca3af";

pub fn colors() -> Colors {
    Colors {
        brand: BRAND.into(),
        ok: OK.into(),
        degraded: DEGRADED.into(),
        disrupted: PARTIAL.into(),
        down: DOWN.into(),
        notice: NOTICE.into(),
        unknown: UNKNOWN.into(),
    }
}

/// - Execution Client: major 2026-11-10 10:00-11:00 and partial 10:30-12:00 (4,680 s down),
///   and major 2026-11-30 23:30 to 2026-12-01 00:00 (1,800 s): 6,480 s in November.
/// - Consensus Client: partial 2026-11-20 00:00-01:00 (1,080 s), maintenance 2026-11-25
///   02:00-04:00.
/// - Faucet (created 2026-11-16): degraded 2026-11-18 all day.
pub fn history() -> History {
    History {
        components: vec![
            ComponentInfo::group("g", "Ethereum Services").created(t("2026-01-01T00:00:00Z")),
            ComponentInfo::new("el", "Execution Client")
                .in_group("g")
                .created(t("2026-01-01T00:00:00Z")),
            ComponentInfo::new("cl", "Consensus Client")
                .in_group("g")
                .created(t("2026-01-01T00:00:00Z")),
            ComponentInfo::new("faucet", "Faucet | Public").created(t("2026-11-16T00:00:00Z")),
        ],
        incidents: vec![
            IncidentRecord::new(
                "i1",
                "Execution client down",
                t("2026-11-10T10:00:00Z"),
                Some(t("2026-11-10T11:00:00Z")),
            )
            .affects("el", S::MajorOutage),
            IncidentRecord::new(
                "i2",
                "Slow blocks",
                t("2026-11-10T10:30:00Z"),
                Some(t("2026-11-10T12:00:00Z")),
            )
            .affects("el", S::PartialOutage),
            IncidentRecord::new(
                "i3",
                "CL peers lost",
                t("2026-11-20T00:00:00Z"),
                Some(t("2026-11-20T01:00:00Z")),
            )
            .affects("cl", S::PartialOutage),
            IncidentRecord::new(
                "i4",
                "Faucet slow",
                t("2026-11-18T00:00:00Z"),
                Some(t("2026-11-19T00:00:00Z")),
            )
            .affects("faucet", S::DegradedPerformance),
            IncidentRecord::new(
                "i5",
                "EL down again",
                t("2026-11-30T23:30:00Z"),
                Some(t("2026-12-01T00:00:00Z")),
            )
            .affects("el", S::MajorOutage),
        ],
        maintenances: vec![MaintenanceRecord::new(
            "m1",
            "CL upgrade",
            t("2026-11-25T02:00:00Z"),
            Some(t("2026-11-25T04:00:00Z")),
            ["cl"],
        )],
    }
}

pub fn options(bar_days: u16) -> ReportOptions {
    let mut o =
        ReportOptions::new(Window::month(2026, 11, &instatus::jiff::tz::TimeZone::UTC).unwrap());
    o.window_label = Some("November 2026".into());
    o.bar_days = bar_days;
    o.slas = vec![
        SlaSpec {
            component: "Execution Client".into(),
            target: Target::percent(99.9).unwrap(),
        },
        SlaSpec {
            component: "Ethereum Services/Consensus Client".into(),
            target: Target::percent(99.9).unwrap(),
        },
    ];
    o
}

pub fn now() -> Timestamp {
    t("2026-12-02T07:00:00Z")
}
