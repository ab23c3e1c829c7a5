//! Flap detection as Nagios does it (base/flapping.c), counted over **time**, not over
//! evaluations: the changes of a component's fresh reading within the last `window_secs`, each
//! weighted linearly by its age from 0.75 (at the window's far edge) to 1.25 (just now); the
//! percentage is the weighted sum of changes over the `window - 1` transitions Nagios would see
//! in that time. Flapping starts at `high` and stops at `low`; in between the previous state is
//! kept.
//!
//! Counting time makes the rate of evaluations irrelevant: a bridge evaluating on every webhook
//! sees a metric toggling every 3 s as 20 changes a minute whether it evaluated 60 times or 10
//! (slow evaluations, waiting on the write rate, used to dilute the count so that protection
//! never engaged with zero hold times).

use std::collections::VecDeque;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::config::FlapConfig;
use super::Level;

/// The recent changes of one component's reading and whether it is flapping.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlapState {
    /// When the fresh reading changed within the window, and the level it changed to, oldest
    /// first.
    #[serde(default)]
    pub changes: VecDeque<(Timestamp, Level)>,
    /// The last fresh reading.
    #[serde(default)]
    pub last: Option<Level>,
    /// While flapping: the worst level seen since flapping started, which the component is held at.
    #[serde(default)]
    pub pinned: Option<Level>,
}

/// The most changes kept per component (a reading cannot change more often than the engine is
/// evaluated; this bounds the state whatever the input).
const MAX_CHANGES: usize = 1000;

impl FlapState {
    /// Takes one evaluation's reading (`None`: unknown, not a change) at `now` and updates the
    /// flapping state; old changes leave the window even while readings are unknown.
    pub fn record(&mut self, reading: Option<Level>, now: Timestamp, config: &FlapConfig) {
        if let Some(r) = reading {
            if self.last.is_some_and(|last| last != r) {
                self.changes.push_back((now, r));
                if self.changes.len() > MAX_CHANGES {
                    self.changes.pop_front();
                }
            }
            self.last = Some(r);
        }
        let oldest = now.as_second() - config.window_secs as i64;
        while self
            .changes
            .front()
            .is_some_and(|(t, _)| t.as_second() < oldest)
        {
            self.changes.pop_front();
        }
        let percent = change_percent(&self.changes, now, config);
        match self.pinned {
            Some(_) if percent <= config.low => self.pinned = None,
            Some(pin) => self.pinned = Some(reading.map_or(pin, |r| pin.max(r))),
            None if percent >= config.high => {
                self.pinned = self.changes.iter().map(|(_, l)| *l).chain(self.last).max();
            }
            None => {}
        }
    }

    /// Whether the component is flapping.
    pub fn flapping(&self) -> bool {
        self.pinned.is_some()
    }
}

/// The weighted change percentage at `now` of `changes` (within `config.window_secs`): each
/// change weighs 0.75 at the window's far edge to 1.25 now, and the sum is taken over the
/// `window - 1` transitions of a window of `window` evenly spaced readings. Evenly spaced changes,
/// one per slot, give about 100 %; a single change just now gives 1.25 / (window - 1).
pub fn change_percent(
    changes: &VecDeque<(Timestamp, Level)>,
    now: Timestamp,
    config: &FlapConfig,
) -> f64 {
    let transitions = config.window.saturating_sub(1).max(1) as f64;
    let span = config.window_secs.max(1) as f64;
    let sum: f64 = changes
        .iter()
        .map(|(t, _)| {
            let age = (now.as_second() - t.as_second()).max(0) as f64;
            let position = (1.0 - age / span).clamp(0.0, 1.0);
            0.75 + 0.5 * position
        })
        .sum();
    sum * 100.0 / transitions
}
