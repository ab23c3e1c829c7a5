//! Status badges for READMEs: `GET /badge/{status,iteration,next-reset}.json` answer the JSON of a
//! shields.io endpoint badge (<https://shields.io/badges/endpoint-badge>), which
//! `https://img.shields.io/endpoint?url=...` turns into a picture.
//!
//! Each badge is built by a pure function from what the bridge already holds: the page as the
//! last evaluation left it ([`Badges::record`]) and, for Ephemery, the reset schedule of
//! `ephemery_resets`. A badge costs no Instatus request, however often it is fetched.

use std::sync::Mutex;
use std::time::Duration;

use instatus::ephemery::{self, Schedule, WindowConfig};
use instatus::jiff::{SignedDuration, Timestamp};
use instatus::model::{Component, ComponentStatus, ComponentTree};
use instatus::status::Level;
use serde::Serialize;

use crate::resets::Resets;

/// One endpoint badge, as shields.io reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Badge {
    /// Always 1.
    schema_version: u8,
    /// The left text (`?label=` in the shields URL overrides it).
    pub label: &'static str,
    /// The right text.
    pub message: String,
    /// The right side's colour, a shields name.
    pub color: &'static str,
    /// How long shields may keep it (it never keeps one less than 300 s).
    pub cache_seconds: u32,
}

impl Badge {
    fn new(label: &'static str, message: impl Into<String>, color: &'static str) -> Badge {
        Badge {
            schema_version: 1,
            label,
            message: message.into(),
            color,
            cache_seconds: 300,
        }
    }

    /// The JSON body.
    pub fn json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The page's overall status: its worst component, maintenance below every outage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overall {
    /// Every component operational (or the page has none).
    Operational,
    /// Some component under maintenance, none worse.
    UnderMaintenance,
    /// The worst component is degraded (a status this crate does not know counts as degraded:
    /// [`Level::from_status`], never hidden).
    Degraded,
    /// The worst is a partial outage.
    PartialOutage,
    /// The worst is a major outage.
    MajorOutage,
}

impl Overall {
    /// The overall status of a page's components (either list form): groups and archived
    /// components do not count, as on the page itself.
    pub fn of(components: &[Component]) -> Overall {
        let tree = ComponentTree::from_components(components.iter().cloned());
        let counted: Vec<&Component> = tree
            .walk()
            .into_iter()
            .map(|i| tree.node(i))
            .filter(|n| n.children.is_empty() && !n.component.is_parent)
            .map(|n| &n.component)
            .filter(|c| !c.is_archived())
            .collect();
        let worst = counted
            .iter()
            .map(|c| Level::from_status(&c.status))
            .max()
            .unwrap_or(Level::Operational);
        match worst {
            Level::Operational
                if counted
                    .iter()
                    .any(|c| c.status == ComponentStatus::UnderMaintenance) =>
            {
                Overall::UnderMaintenance
            }
            Level::Operational => Overall::Operational,
            Level::Degraded => Overall::Degraded,
            Level::PartialOutage => Overall::PartialOutage,
            Level::MajorOutage => Overall::MajorOutage,
        }
    }

    /// The words on the badge.
    pub fn words(self) -> &'static str {
        match self {
            Overall::Operational => Level::Operational.words(),
            Overall::UnderMaintenance => "under maintenance",
            Overall::Degraded => Level::Degraded.words(),
            Overall::PartialOutage => Level::PartialOutage.words(),
            Overall::MajorOutage => Level::MajorOutage.words(),
        }
    }

    /// The badge colour.
    pub fn color(self) -> &'static str {
        match self {
            Overall::Operational => "brightgreen",
            Overall::UnderMaintenance => "blue",
            Overall::Degraded => "yellow",
            Overall::PartialOutage => "orange",
            Overall::MajorOutage => "red",
        }
    }
}

/// The page's overall status as an evaluation saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageStatus {
    /// The status.
    pub overall: Overall,
    /// When the evaluation that saw it ended.
    pub seen_at: Timestamp,
}

/// `status`: the page's overall status, or `unknown` (grey) before the first evaluation and once
/// the last one that saw the page is older than `stale_after` (the bridge cannot read the page:
/// silence is not health).
pub fn status(page: Option<&PageStatus>, now: Timestamp, stale_after: Duration) -> Badge {
    let fresh = page.filter(|p| {
        now.duration_since(p.seen_at)
            .le(&SignedDuration::try_from(stale_after).unwrap_or(SignedDuration::MAX))
    });
    match fresh {
        Some(p) => Badge::new("status", p.overall.words(), p.overall.color()),
        None => Badge::new("status", "unknown", "lightgrey"),
    }
}

/// `iteration`: the Ephemery iteration running at `now` (the last genesis at or before it).
pub fn iteration(schedule: &Schedule, now: Timestamp) -> Badge {
    match schedule.iteration_at(now) {
        Some(current) => Badge {
            // It changes once in 28 days.
            cache_seconds: 3600,
            ..Badge::new(
                "ephemery",
                format!("iteration {}", current.iteration),
                "blue",
            )
        },
        None => Badge::new("ephemery", "not started", "lightgrey"),
    }
}

/// `next-reset`: the time to the next reset window (its start, the genesis minus the lead-in),
/// `resetting now` while one runs. Yellow within a day, orange while resetting.
pub fn next_reset(schedule: &Schedule, window: &WindowConfig, now: Timestamp) -> Badge {
    let next = ephemery::upcoming_windows(schedule, window, now, 1)
        .ok()
        .and_then(|w| w.into_iter().next());
    let Some(next) = next else {
        return Badge::new("ephemery", "no reset scheduled", "lightgrey");
    };
    if next.start <= now {
        return Badge::new("ephemery", "resetting now", "orange");
    }
    let left = next.start.duration_since(now);
    let color = if left < SignedDuration::from_hours(24) {
        "yellow"
    } else {
        "blue"
    };
    Badge::new("ephemery", format!("resets in {}", in_words(left)), color)
}

/// A positive duration as people say it, rounded down to its largest unit: `10 days`, `1 day`,
/// `5 hours`, `12 minutes`, `less than a minute`.
fn in_words(d: SignedDuration) -> String {
    let secs = d.as_secs().max(0);
    let (n, unit) = match secs {
        s if s >= 86_400 => (s / 86_400, "day"),
        s if s >= 3_600 => (s / 3_600, "hour"),
        s if s >= 60 => (s / 60, "minute"),
        _ => return "less than a minute".to_owned(),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// What the badge routes need: the page status of the last evaluation, and the reset schedule.
#[derive(Debug, Default)]
pub struct Badges {
    page: Mutex<Option<PageStatus>>,
    resets: Option<(Schedule, WindowConfig)>,
    stale_after: Duration,
}

impl Badges {
    /// Badges for a bridge with this reset schedule (`ephemery_resets`, if configured); the
    /// status reads `unknown` once the page was last seen more than `stale_after` ago.
    pub fn new(resets: Option<&Resets>, stale_after: Duration) -> Badges {
        Badges {
            page: Mutex::new(None),
            resets: resets.map(|r| (r.schedule, r.window.clone())),
            stale_after,
        }
    }

    /// An evaluation ended with the page's components as they are now (after its writes).
    pub fn record(&self, components: &[Component], now: Timestamp) {
        let seen = PageStatus {
            overall: Overall::of(components),
            seen_at: now,
        };
        *self.page.lock().unwrap_or_else(|p| p.into_inner()) = Some(seen);
    }

    /// The answer to `GET /badge/{file}`: the HTTP status and the JSON body.
    pub fn answer(&self, file: &str, now: Timestamp) -> (u16, String) {
        let name = file.strip_suffix(".json").unwrap_or(file);
        let badge = match (name, &self.resets) {
            ("status", _) => {
                let page = *self.page.lock().unwrap_or_else(|p| p.into_inner());
                status(page.as_ref(), now, self.stale_after)
            }
            ("iteration", Some((schedule, _))) => iteration(schedule, now),
            ("next-reset", Some((schedule, window))) => next_reset(schedule, window, now),
            ("iteration" | "next-reset", None) => {
                return (
                    404,
                    serde_json::json!({"error": "not configured: the Ephemery badges need an ephemery_resets section"})
                        .to_string(),
                )
            }
            _ => {
                return (
                    404,
                    serde_json::json!({"error": format!("no badge {file:?}; badges: /badge/status.json, /badge/iteration.json, /badge/next-reset.json")})
                        .to_string(),
                )
            }
        };
        (200, badge.json())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn component(id: &str, status: &str, extra: serde_json::Value) -> Component {
        let mut v = serde_json::json!({"id": id, "name": id, "status": status});
        if let serde_json::Value::Object(m) = extra {
            v.as_object_mut().unwrap().extend(m);
        }
        serde_json::from_value(v).unwrap()
    }

    fn page(statuses: &[&str]) -> Vec<Component> {
        statuses
            .iter()
            .enumerate()
            .map(|(i, s)| component(&format!("c{i}"), s, serde_json::json!({})))
            .collect()
    }

    #[test]
    fn each_overall_status_has_its_words_and_colour() {
        let now = at("2026-12-07T12:00:00Z");
        for (statuses, message, color) in [
            (
                &["OPERATIONAL", "OPERATIONAL"][..],
                "operational",
                "brightgreen",
            ),
            (&[][..], "operational", "brightgreen"),
            (
                &["OPERATIONAL", "UNDERMAINTENANCE"][..],
                "under maintenance",
                "blue",
            ),
            (
                &["UNDERMAINTENANCE", "DEGRADEDPERFORMANCE"][..],
                "degraded performance",
                "yellow",
            ),
            (
                &["OPERATIONAL", "PARTIALOUTAGE", "DEGRADEDPERFORMANCE"][..],
                "partial outage",
                "orange",
            ),
            (&["MAJOROUTAGE", "PARTIALOUTAGE"][..], "major outage", "red"),
            // A status this crate does not know is not hidden behind "operational".
            (
                &["OPERATIONAL", "SOMETHINGNEW"][..],
                "degraded performance",
                "yellow",
            ),
        ] {
            let seen = PageStatus {
                overall: Overall::of(&page(statuses)),
                seen_at: now,
            };
            let badge = status(Some(&seen), now, Duration::from_secs(60));
            assert_eq!(
                (badge.message.as_str(), badge.color),
                (message, color),
                "{statuses:?}"
            );
            assert_eq!(badge.label, "status");
        }
    }

    #[test]
    fn groups_and_archived_components_do_not_count() {
        let components = vec![
            component("g", "MAJOROUTAGE", serde_json::json!({"isParent": true})),
            component("a", "OPERATIONAL", serde_json::json!({"groupId": "g"})),
            component(
                "old",
                "MAJOROUTAGE",
                serde_json::json!({"archivedAt": "2026-01-01T00:00:00Z"}),
            ),
        ];
        assert_eq!(Overall::of(&components), Overall::Operational);
    }

    #[test]
    fn the_status_is_unknown_before_the_first_evaluation_and_when_stale() {
        let seen = PageStatus {
            overall: Overall::MajorOutage,
            seen_at: at("2026-12-07T12:00:00Z"),
        };
        let bound = Duration::from_secs(120);
        let fresh = status(Some(&seen), at("2026-12-07T12:02:00Z"), bound);
        assert_eq!(fresh.message, "major outage");
        for badge in [
            status(None, at("2026-12-07T12:00:00Z"), bound),
            status(Some(&seen), at("2026-12-07T12:02:01Z"), bound),
        ] {
            assert_eq!(
                (badge.message.as_str(), badge.color),
                ("unknown", "lightgrey")
            );
        }
    }

    #[test]
    fn the_json_is_the_endpoint_schema() {
        let seen = PageStatus {
            overall: Overall::PartialOutage,
            seen_at: at("2026-12-07T12:00:00Z"),
        };
        let badge = status(Some(&seen), seen.seen_at, Duration::from_secs(60));
        assert_eq!(
            badge.json(),
            r#"{"schemaVersion":1,"label":"status","message":"partial outage","color":"orange","cacheSeconds":300}"#
        );
    }

    #[test]
    fn iteration_and_time_to_the_next_reset() {
        let schedule = Schedule::EPHEMERY;
        let window = WindowConfig::default();
        // Iteration 167's genesis is 2026-12-17T19:00:00Z; its window starts 5 minutes before.
        let now = at("2026-12-07T18:55:00Z");
        let badge = iteration(&schedule, now);
        assert_eq!(
            (badge.message.as_str(), badge.color),
            ("iteration 166", "blue")
        );
        assert_eq!(badge.cache_seconds, 3600);
        for (now, message, color) in [
            ("2026-12-07T18:55:00Z", "resets in 10 days", "blue"),
            ("2026-12-07T18:55:01Z", "resets in 9 days", "blue"),
            ("2026-12-16T15:00:00Z", "resets in 1 day", "blue"),
            ("2026-12-17T13:00:00Z", "resets in 5 hours", "yellow"),
            ("2026-12-17T17:54:00Z", "resets in 1 hour", "yellow"),
            ("2026-12-17T18:43:00Z", "resets in 12 minutes", "yellow"),
            (
                "2026-12-17T18:54:30Z",
                "resets in less than a minute",
                "yellow",
            ),
            ("2026-12-17T18:55:00Z", "resetting now", "orange"),
            ("2026-12-17T19:59:59Z", "resetting now", "orange"),
            ("2026-12-17T20:00:00Z", "resets in 27 days", "blue"),
        ] {
            let badge = next_reset(&schedule, &window, at(now));
            assert_eq!(
                (badge.message.as_str(), badge.color),
                (message, color),
                "{now}"
            );
            assert_eq!(badge.label, "ephemery");
        }
        assert_eq!(
            iteration(&schedule, at("2026-12-17T19:00:00Z")).message,
            "iteration 167"
        );
    }

    #[test]
    fn routes_answer_each_badge_and_name_the_others() {
        let badges = Badges::new(None, Duration::from_secs(60));
        let now = at("2026-12-07T12:00:00Z");
        assert_eq!(badges.answer("status.json", now).0, 200);
        badges.record(&page(&["PARTIALOUTAGE"]), now);
        let (code, body) = badges.answer("status.json", now);
        assert_eq!(code, 200);
        assert!(body.contains(r#""message":"partial outage""#), "{body}");
        let (code, body) = badges.answer("iteration.json", now);
        assert_eq!(code, 404);
        assert!(body.contains("ephemery_resets"), "{body}");
        let (code, body) = badges.answer("uptime.json", now);
        assert_eq!(code, 404);
        assert!(body.contains("/badge/next-reset.json"), "{body}");
    }
}
