//! Property tests of the burn-rate rule (proptest), on a simulated service: an error ratio per
//! minute, each window's error ratio the mean over its last minutes (a healthy past before the
//! start), the workbook's default levels at a 99.5 % objective (0.5 % budget), exit hold 300 s.
//!
//! 1. A short spike (at most 4.2 bad minutes in all, so only the short windows burn: the
//!    smallest long-window budget is 14.4 × 0.5 % × 60 min = 4.32 bad minutes) never moves the
//!    level, though the 5-minute window burns at 14.4x or more.
//! 2. A sustained burn reaches the level its rate calls for, within the workbook's detection
//!    time (factor × budget × long window / error ratio), and never a worse one.
//! 3. Unknown readings (a window failed, missing, empty or stale) keep the level and restart
//!    the recovery: the level falls exactly after 300 s of fresh healthy readings in a row.

use std::collections::BTreeMap;

use instatus::model::ComponentStatus;
use instatus::status::burn::expand;
use instatus::status::{CurrentPage, Engine, Observations, QueryResult, Sample, State};
use jiff::Timestamp;
use proptest::prelude::*;
use serde_json::json;

const T0: i64 = 1_800_000_000;
const RATIO: &str = "1 - avg_over_time(probe_success{job=\"ephemery-rpc\"}[$window])";
/// The default windows, in minutes: 5 m, 30 m, 1 h, 6 h, 3 d.
const WINDOWS: [usize; 5] = [5, 30, 60, 360, 4_320];

fn at_minute(m: usize) -> Timestamp {
    Timestamp::from_second(T0 + m as i64 * 60).unwrap()
}

fn engine() -> &'static Engine {
    static ENGINE: std::sync::LazyLock<Engine> = std::sync::LazyLock::new(|| {
        Engine::new(
            serde_json::from_value(json!({"components": [{"path": "RPC", "rules": [
                {"burn_rate": {"objective": 0.995, "error_ratio": RATIO}}
            ]}]}))
            .unwrap(),
        )
        .unwrap()
    });
    &ENGINE
}

/// The window queries, built once.
fn keys() -> &'static [String; 5] {
    static KEYS: std::sync::LazyLock<[String; 5]> =
        std::sync::LazyLock::new(|| WINDOWS.map(|w| expand(RATIO, w as u64 * 60)));
    &KEYS
}

fn page() -> CurrentPage {
    CurrentPage {
        components: vec![serde_json::from_value(
            json!({"id": "rpc", "name": "RPC", "status": "OPERATIONAL"}),
        )
        .unwrap()],
        ..CurrentPage::default()
    }
}

/// A simulated service: `errors[m]` is the error ratio during minute `m + 1`.
struct Service {
    /// `prefix[t]`: bad minutes in minutes 1..=t.
    prefix: Vec<f64>,
}

impl Service {
    fn new(errors: &[f64]) -> Service {
        let mut prefix = vec![0.0];
        for e in errors {
            prefix.push(prefix.last().unwrap() + e);
        }
        Service { prefix }
    }

    /// The error ratio over the `w` minutes up to minute `t` (before the start: healthy).
    fn ratio(&self, t: usize, w: usize) -> f64 {
        (self.prefix[t] - self.prefix[t.saturating_sub(w)]) / w as f64
    }

    fn observe(&self, t: usize) -> Observations {
        Observations {
            queries: keys()
                .iter()
                .zip(WINDOWS)
                .map(|(k, w)| (k.clone(), sample(self.ratio(t, w), at_minute(t))))
                .collect(),
            alerts: Vec::new(),
        }
    }
}

fn sample(value: f64, timestamp: Timestamp) -> QueryResult {
    QueryResult::Samples(vec![Sample {
        labels: BTreeMap::new(),
        value,
        timestamp,
    }])
}

/// Runs the engine at each of `minutes` on the page, applying each plan; returns the status
/// after each evaluation.
fn run(
    mut observe: impl FnMut(usize) -> Observations,
    minutes: impl Iterator<Item = usize>,
    page: &mut CurrentPage,
    state: &mut State,
) -> Vec<(usize, ComponentStatus)> {
    let mut out = Vec::new();
    for t in minutes {
        let (plan, next) =
            engine().evaluate(&observe(t), page, std::mem::take(state), at_minute(t));
        page.apply_preview(&plan, at_minute(t));
        *state = next;
        out.push((t, page.components[0].status.clone()));
    }
    out
}

/// Which level a sustained error ratio calls for, with its ratio band.
fn sustained() -> impl Strategy<Value = (ComponentStatus, f64)> {
    prop_oneof![
        (0.08f64..=1.0).prop_map(|r| (ComponentStatus::MajorOutage, r)),
        (0.032f64..=0.068).prop_map(|r| (ComponentStatus::PartialOutage, r)),
        (0.0055f64..=0.028).prop_map(|r| (ComponentStatus::DegradedPerformance, r)),
    ]
}

fn rank(s: &ComponentStatus) -> u8 {
    match s {
        ComponentStatus::Operational => 0,
        ComponentStatus::DegradedPerformance => 1,
        ComponentStatus::PartialOutage => 2,
        _ => 3,
    }
}

proptest! {
    // Each case evaluates every minute for up to two hours: fewer cases keep the run short.
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn a_short_spike_never_moves_the_level(
        noise in prop::collection::vec(0.0f64..=0.001, 130),
        start in 0usize..60,
        minutes in 1usize..=8,
        intensity in 0.5f64..=1.0,
    ) {
        let mut errors = noise;
        // At most 4.2 bad minutes in all: under every long window's threshold.
        let r = intensity.min(4.2 / minutes as f64);
        for e in &mut errors[start..start + minutes] {
            *e = r;
        }
        let service = Service::new(&errors);
        // Until the 1-hour window has forgotten the spike.
        let end = start + minutes + 61;
        let short_burn = (1..=end)
            .map(|t| service.ratio(t, 5) / 0.005)
            .fold(0.0, f64::max);
        prop_assert!(short_burn >= 14.4, "the spike must burn the short window: {}", short_burn);
        let mut page = page();
        let statuses = run(|t| service.observe(t), 1..=end, &mut page, &mut State::default());
        for (t, s) in statuses {
            prop_assert_eq!(s, ComponentStatus::Operational, "moved at minute {}", t);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn a_sustained_burn_reaches_its_level_in_the_detection_time_and_no_worse(
        (level, r) in sustained(),
    ) {
        // (long window in minutes, factor, evaluation step in minutes) of the expected pair.
        let (long, factor, step) = match level {
            ComponentStatus::MajorOutage => (60.0, 14.4, 1),
            ComponentStatus::PartialOutage => (360.0, 6.0, 5),
            _ => (4_320.0, 1.0, 30),
        };
        let detection = (factor * 0.005 * long / r).ceil() as usize + step;
        let end = detection + step;
        let service = Service::new(&vec![r; end]);
        let mut page = page();
        let statuses = run(|t| service.observe(t), (step..=end).step_by(step), &mut page, &mut State::default());
        let reached = statuses.iter().find(|(_, s)| *s == level).map(|(t, _)| *t);
        prop_assert!(reached.is_some_and(|t| t <= detection),
            "{:?} at a {} error ratio: reached at {:?}, detection time {} min", level, r, reached, detection);
        for (t, s) in &statuses {
            prop_assert!(rank(s) <= rank(&level), "{:?} at minute {} for a {} error ratio", s, t, r);
        }
        prop_assert_eq!(&statuses.last().unwrap().1, &level);
    }

    #[test]
    fn unknown_keeps_the_level_and_restarts_the_recovery(
        readings in prop::collection::vec((0u8..6, 0usize..5), 1..40),
    ) {
        // A full outage for an hour: major outage.
        let service = Service::new(&[1.0; 60]);
        let mut page = page();
        let mut state = State::default();
        let before = run(|t| service.observe(t), [60].into_iter(), &mut page, &mut state);
        prop_assert_eq!(&before[0].1, &ComponentStatus::MajorOutage);
        // Then every minute either a fresh healthy reading (the short windows are quiet again) or
        // an unknown one: window `w` failed, missing, empty or stale.
        let mut healthy_since: Option<usize> = None;
        let mut fallen = false;
        for (k, (kind, w)) in readings.iter().enumerate() {
            let t = 61 + k;
            let mut obs = Observations {
                queries: keys().iter().map(|key| (key.clone(), sample(0.0, at_minute(t)))).collect(),
                alerts: Vec::new(),
            };
            let key = &keys()[*w];
            match kind {
                0 | 1 => {}
                2 => { obs.queries.insert(key.clone(), QueryResult::Failed("timeout".into())); }
                3 => { obs.queries.remove(key); }
                4 => { obs.queries.insert(key.clone(), QueryResult::Samples(vec![])); }
                _ => { obs.queries.insert(key.clone(), sample(0.0, at_minute(t - 6))); }
            }
            let fresh = *kind < 2;
            healthy_since = if fresh { healthy_since.or(Some(t)) } else { None };
            // The exit hold is 300 s: the level falls on the fresh reading 5 minutes after the
            // first of an unbroken run, and stays down (nothing burns again).
            fallen |= healthy_since.is_some_and(|s| t - s >= 5);
            let now = run(|_| obs.clone(), [t].into_iter(), &mut page, &mut state);
            let expected = if fallen { ComponentStatus::Operational } else { ComponentStatus::MajorOutage };
            prop_assert_eq!(&now[0].1, &expected, "minute {}: {:?}", t, readings);
        }
    }
}
