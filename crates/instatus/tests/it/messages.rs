//! Every built-in message, rendered with realistic values: each incident type at each stage
//! (one component; a root with two dependants; escalation; de-escalation; another time zone
//! and a night across midnight), and the maintenance stages. The snapshots are public text:
//! review them as such. The docs list every template with one rendered example; a test keeps
//! that list in step with the catalog (`UPDATE_DOCS=1` rewrites it).

use instatus::jiff::tz::TimeZone;
use instatus::jiff::Timestamp;
use instatus::status::Level;
use instatus::templates::{builtin_sets, MessageCatalog, MessageVars, Stage};

const ROOT: &str = "Ethereum Services/Execution Client";
const DEPENDANTS: [&str; 2] = [
    "Ethereum Services/Consensus Client",
    "Ethereum Services/Validator Client",
];

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// An incident at `level` that began at 14:05 UTC on 7 Dec, its message posted at `now`.
fn incident(level: Level, now: &str) -> MessageVars {
    MessageVars::incident(ROOT, level, at(now)).started(at("2026-12-07T14:05:00Z"))
}

fn with_details(vars: MessageVars) -> MessageVars {
    vars.dependants(DEPENDANTS)
        .summary("Execution client head is 32 slots behind the network")
        .summary("Beacon node reports the execution client as offline")
        .link("grafana", "https://grafana.ephemery.dev/d/execution")
        .link(
            "runbook",
            "https://github.com/ephemery-testnet/runbooks/execution.md",
        )
}

/// The level below and above.
fn lower(level: Level) -> Option<Level> {
    Level::ALL
        .iter()
        .copied()
        .filter(|l| *l < level && *l != Level::Operational)
        .max()
}

fn higher(level: Level) -> Option<Level> {
    Level::ALL.iter().copied().filter(|l| *l > level).min()
}

fn show(
    out: &mut String,
    catalog: &MessageCatalog,
    kind: &str,
    stage: Stage,
    case: &str,
    vars: &MessageVars,
) {
    let notice = catalog.render(kind, stage, vars).unwrap();
    out.push_str(&format!(
        "── {} · {case}\n{}\n\n{}\n\n",
        stage.key(),
        notice.title,
        notice.message
    ));
}

/// Every incident stage of `kind` (rendered at `level`).
fn incident_messages(kind: &str, level: Level) -> String {
    let c = MessageCatalog::builtin();
    let mut out = String::new();
    let s = &mut out;
    let opened = "2026-12-07T14:06:00Z";
    show(
        s,
        &c,
        kind,
        Stage::Opened,
        "one component",
        &incident(level, opened),
    );
    show(
        s,
        &c,
        kind,
        Stage::Opened,
        "a root with two dependants, alert summaries and links",
        &with_details(incident(level, opened)),
    );
    if let Some(before) = lower(level) {
        show(
            s,
            &c,
            kind,
            Stage::Updated,
            &format!("escalated from {}", before.words()),
            &incident(level, "2026-12-07T14:30:00Z").previous_level(before),
        );
    }
    if let Some(before) = higher(level) {
        show(
            s,
            &c,
            kind,
            Stage::Updated,
            &format!("de-escalated from {}, with two dependants", before.words()),
            &incident(level, "2026-12-07T14:30:00Z")
                .previous_level(before)
                .dependants(DEPENDANTS),
        );
    }
    let recovered = |now: &str| {
        let mut v = incident(Level::Operational, now).previous_level(level);
        v = v.recovered(at("2026-12-07T14:40:00Z"));
        v
    };
    show(
        s,
        &c,
        kind,
        Stage::Monitoring,
        "one component",
        &recovered("2026-12-07T14:40:00Z"),
    );
    show(
        s,
        &c,
        kind,
        Stage::Monitoring,
        "a root with two dependants",
        &recovered("2026-12-07T14:40:00Z").dependants(DEPENDANTS),
    );
    show(
        s,
        &c,
        kind,
        Stage::Resolved,
        "one component, after the 15-minute dwell",
        &recovered("2026-12-07T14:55:00Z"),
    );
    show(
        s,
        &c,
        kind,
        Stage::Resolved,
        "a root with one dependant",
        &recovered("2026-12-07T14:55:00Z").dependants([DEPENDANTS[0]]),
    );
    show(
        s,
        &c,
        kind,
        Stage::Reopened,
        "a relapse 20 minutes after the resolve",
        &incident(level, "2026-12-07T15:15:00Z").previous_level(Level::Operational),
    );
    // Europe/Berlin, a night across midnight: 23:50 CET on 6 Dec to 01:25 CET on 7 Dec.
    let berlin = TimeZone::get("Europe/Berlin").unwrap();
    let night = |level: Level, previous: Level, now: &str| {
        MessageVars::incident(ROOT, level, at(now))
            .previous_level(previous)
            .started(at("2026-12-06T22:50:00Z"))
            .time_zone(berlin.clone())
    };
    show(
        s,
        &c,
        kind,
        Stage::Opened,
        "Europe/Berlin, posted at 23:51 CET",
        &night(level, Level::Operational, "2026-12-06T22:51:00Z"),
    );
    show(
        s,
        &c,
        kind,
        Stage::Monitoring,
        "Europe/Berlin, recovered at 01:25 CET the next day",
        &night(Level::Operational, level, "2026-12-07T00:25:00Z"),
    );
    show(
        s,
        &c,
        kind,
        Stage::Resolved,
        "Europe/Berlin, resolved at 01:40 CET",
        &night(Level::Operational, level, "2026-12-07T00:40:00Z")
            .recovered(at("2026-12-07T00:25:00Z")),
    );
    out
}

#[test]
fn a_resolved_title_never_says_was_working_normally() {
    // The engine may not know the level an incident recovered from (previous_level operational).
    let vars =
        incident(Level::Operational, "2026-12-07T14:55:00Z").recovered(at("2026-12-07T14:40:00Z"));
    let notice = MessageCatalog::builtin()
        .render(vars.incident_type(), Stage::Resolved, &vars)
        .unwrap();
    assert_eq!(notice.title, "Execution Client has recovered");
}

#[test]
fn degraded_performance_messages() {
    insta::assert_snapshot!(incident_messages("degraded_performance", Level::Degraded));
}

#[test]
fn partial_outage_messages() {
    insta::assert_snapshot!(incident_messages("partial_outage", Level::PartialOutage));
}

#[test]
fn major_outage_messages() {
    insta::assert_snapshot!(incident_messages("major_outage", Level::MajorOutage));
}

#[test]
fn default_messages() {
    let mut out = incident_messages("default", Level::PartialOutage);
    // A level change that leaves the level as it was (one more dependant joined).
    show(
        &mut out,
        &MessageCatalog::builtin(),
        "default",
        Stage::Updated,
        "the same level, dependants joined",
        &incident(Level::PartialOutage, "2026-12-07T14:30:00Z")
            .previous_level(Level::PartialOutage)
            .dependants(DEPENDANTS),
    );
    insta::assert_snapshot!(out);
}

fn maintenance(components: &[&str], start: &str, end: &str, now: &str) -> MessageVars {
    MessageVars::maintenance(components.iter().copied(), at(start), at(end), at(now))
}

const IMPACT: &str = "Impact:\n- Execution Client: under maintenance\n- Consensus Client: major outage (requires Execution Client)";

#[test]
fn maintenance_messages() {
    let c = MessageCatalog::builtin();
    let mut out = String::new();
    let s = &mut out;
    let one = [ROOT];
    let three = [ROOT, DEPENDANTS[0], "Public Endpoints/RPC"];
    let five = [
        ROOT,
        DEPENDANTS[0],
        DEPENDANTS[1],
        "Public Endpoints/RPC",
        "Public Endpoints/Faucet",
    ];
    let (start, end) = ("2026-12-09T14:00:00Z", "2026-12-09T15:00:00Z");
    let announced = "2026-12-07T10:00:00Z";
    show(
        s,
        &c,
        "maintenance",
        Stage::Scheduled,
        "one component, two days ahead",
        &maintenance(&one, start, end, announced),
    );
    show(
        s,
        &c,
        "maintenance",
        Stage::Scheduled,
        "three components with an impact statement",
        &maintenance(&three, start, end, announced).impact(IMPACT),
    );
    show(
        s,
        &c,
        "maintenance",
        Stage::Scheduled,
        "five components",
        &maintenance(&five, start, end, announced),
    );
    show(
        s,
        &c,
        "maintenance",
        Stage::Started,
        "one component",
        &maintenance(&one, start, end, start),
    );
    show(
        s,
        &c,
        "maintenance",
        Stage::Started,
        "three components with an impact statement",
        &maintenance(&three, start, end, start).impact(IMPACT),
    );
    show(
        s,
        &c,
        "maintenance",
        Stage::Completed,
        "one component",
        &maintenance(&one, start, end, end),
    );
    show(
        s,
        &c,
        "maintenance",
        Stage::Completed,
        "three components",
        &maintenance(&three, start, end, end),
    );
    let page: [&str; 0] = [];
    for (stage, now) in [
        (Stage::Scheduled, announced),
        (Stage::Started, start),
        (Stage::Completed, end),
    ] {
        let whole_page = maintenance(&page, start, end, now);
        show(
            s,
            &c,
            "maintenance",
            stage,
            "the whole page (no components)",
            &whole_page,
        );
    }
    show(
        s,
        &c,
        "maintenance",
        Stage::Extended,
        "three components, the new end 15:30",
        &maintenance(&three, start, "2026-12-09T15:30:00Z", end),
    );
    let berlin = TimeZone::get("Europe/Berlin").unwrap();
    let (start, end) = ("2026-12-09T21:00:00Z", "2026-12-10T01:00:00Z");
    show(
        s,
        &c,
        "maintenance",
        Stage::Scheduled,
        "Europe/Berlin, a night from 22:00 to 02:00 CET",
        &maintenance(&three, start, end, announced).time_zone(berlin.clone()),
    );
    show(
        s,
        &c,
        "maintenance",
        Stage::Started,
        "Europe/Berlin",
        &maintenance(&three, start, end, start).time_zone(berlin.clone()),
    );
    show(
        s,
        &c,
        "maintenance",
        Stage::Extended,
        "Europe/Berlin, to 03:30 CET",
        &maintenance(&three, start, "2026-12-10T02:30:00Z", end).time_zone(berlin),
    );
    insta::assert_snapshot!(out);
}

/// One rendered example per built-in template.
fn example(kind: &str, part: &str) -> (String, String) {
    let c = MessageCatalog::builtin();
    let stage = Stage::parse(part).ok();
    let level = match kind {
        "degraded_performance" => Level::Degraded,
        "partial_outage" => Level::PartialOutage,
        _ => Level::MajorOutage,
    };
    let (stage, vars, case) = match stage {
        None if kind == "maintenance" => (
            Stage::Scheduled,
            maintenance(
                &[ROOT, DEPENDANTS[0]],
                "2026-12-09T14:00:00Z",
                "2026-12-09T15:00:00Z",
                "2026-12-07T10:00:00Z",
            ),
            "scheduled".to_owned(),
        ),
        None => (
            Stage::Opened,
            incident(level, "2026-12-07T14:06:00Z"),
            "opened".to_owned(),
        ),
        Some(stage) if stage.is_maintenance() => {
            let end = if stage == Stage::Extended {
                "2026-12-09T15:30:00Z"
            } else {
                "2026-12-09T15:00:00Z"
            };
            let now = match stage {
                Stage::Scheduled => "2026-12-07T10:00:00Z",
                Stage::Started => "2026-12-09T14:00:00Z",
                _ => "2026-12-09T15:00:00Z",
            };
            let v = maintenance(&[ROOT, DEPENDANTS[0]], "2026-12-09T14:00:00Z", end, now);
            (stage, v, String::new())
        }
        Some(Stage::Updated) => (
            Stage::Updated,
            incident(level, "2026-12-07T14:30:00Z").previous_level(Level::PartialOutage),
            "escalated from partial outage".to_owned(),
        ),
        Some(stage @ (Stage::Monitoring | Stage::Resolved)) => {
            let now = if stage == Stage::Monitoring {
                "2026-12-07T14:40:00Z"
            } else {
                "2026-12-07T14:55:00Z"
            };
            (
                stage,
                incident(Level::Operational, now)
                    .previous_level(level)
                    .recovered(at("2026-12-07T14:40:00Z"))
                    .dependants(DEPENDANTS),
                "two dependants".to_owned(),
            )
        }
        Some(stage) => (
            stage,
            with_details(incident(level, "2026-12-07T14:06:00Z")),
            "two dependants, summaries, links".to_owned(),
        ),
    };
    let notice = c.render(kind, stage, &vars).unwrap();
    let text = if part == "title" {
        notice.title
    } else {
        notice.message
    };
    let case = if case.is_empty() {
        stage.key().to_owned()
    } else {
        case
    };
    (case, text)
}

fn quote(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                ">".to_owned()
            } else {
                format!("> {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The docs section: every built-in template, its source and one rendered example.
fn docs_section() -> String {
    let mut doc = String::from(
        "<!-- The list below is generated by crates/instatus/tests/it/messages.rs: \
         UPDATE_DOCS=1 cargo test -p instatus --test it messages:: -->\n",
    );
    for (kind, set) in builtin_sets() {
        doc.push_str(&format!("\n##### `{kind}`\n"));
        if set.parts().next().is_none() {
            doc.push_str("\nNo templates of its own: every part comes from `default`.\n");
        }
        for (part, source) in set.parts() {
            let (case, text) = example(&kind, part);
            let level = match kind.as_str() {
                "degraded_performance" => ", at degraded performance",
                "partial_outage" => ", at partial outage",
                "maintenance" => "",
                _ if Stage::parse(part).is_ok_and(Stage::is_maintenance) => "",
                _ => ", at major outage",
            };
            doc.push_str(&format!(
                "\n`{kind}.{part}`:\n\n```jinja\n{source}\n```\n\nExample ({case}{level}):\n\n{}\n",
                quote(&text)
            ));
        }
    }
    doc
}

const BEGIN: &str = "<!-- BEGIN message templates -->\n";
const END: &str = "<!-- END message templates -->";

#[test]
fn the_docs_list_every_message_template_with_an_example() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/notifications.md");
    let committed = std::fs::read_to_string(path).unwrap();
    let (Some(begin), Some(end)) = (committed.find(BEGIN), committed.find(END)) else {
        panic!("docs/notifications.md has no {BEGIN:?} ... {END:?} section");
    };
    let wanted = format!(
        "{}{BEGIN}{}{}",
        &committed[..begin],
        docs_section(),
        &committed[end..]
    );
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, &wanted).unwrap();
    }
    assert!(
        std::fs::read_to_string(path).unwrap() == wanted,
        "docs/notifications.md's message templates are stale: run \
         `UPDATE_DOCS=1 cargo test -p instatus --test it messages::`"
    );
}
