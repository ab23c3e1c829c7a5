//! Flap detection as Nagios does it (base/flapping.c): the last `window` readings, each of the
//! `window - 1` transitions weighted linearly from 0.75 (oldest) to 1.25 (newest); the percentage
//! is the weighted sum of changes over the number of transitions. Flapping starts at `high` and
//! stops at `low`; in between the previous state is kept.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::Level;

/// The recent readings of one component and whether it is flapping.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlapState {
    /// Recent fresh readings, oldest first.
    pub history: VecDeque<Level>,
    /// While flapping: the worst level seen since flapping started, which the component is held at.
    pub pinned: Option<Level>,
}

impl FlapState {
    /// Records one reading and updates the flapping state.
    pub fn record(&mut self, reading: Level, window: usize, high: f64, low: f64) {
        self.history.push_back(reading);
        while self.history.len() > window {
            self.history.pop_front();
        }
        let percent = change_percent(&self.history, window);
        match self.pinned {
            Some(pin) if percent <= low => {
                let _ = pin;
                self.pinned = None;
            }
            Some(pin) => self.pinned = Some(pin.max(reading)),
            None if percent >= high => {
                self.pinned = self.history.iter().copied().max();
            }
            None => {}
        }
    }

    /// Whether the component is flapping.
    pub fn flapping(&self) -> bool {
        self.pinned.is_some()
    }
}

/// The weighted change percentage of `history` (a window of `window` readings; fewer readings
/// count the missing transitions as unchanged).
pub fn change_percent(history: &VecDeque<Level>, window: usize) -> f64 {
    let transitions = window.saturating_sub(1).max(1);
    let offset = window.saturating_sub(history.len());
    let mut sum = 0.0;
    for (i, pair) in history.iter().zip(history.iter().skip(1)).enumerate() {
        if pair.0 != pair.1 {
            let position = (i + offset) as f64;
            let weight = if transitions > 1 {
                0.75 + 0.5 * position / (transitions - 1) as f64
            } else {
                1.0
            };
            sum += weight;
        }
    }
    sum * 100.0 / transitions as f64
}
