//! Hold timers: rise only after the worse reading held for `enter_for`, fall only after the better
//! reading held for `exit_for`; any relapse during recovery restarts the recovery.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::Level;

/// The held level of one rule and its running timers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    /// The level the rule stands at.
    pub level: Level,
    /// Since when readings have been worse than `level`.
    pub worse_since: Option<Timestamp>,
    /// Since when readings have been better than `level` (fresh readings only).
    pub better_since: Option<Timestamp>,
    /// Whether a fresh reading ever showed `level` (false while the level is only the page's
    /// status adopted at start): no incident is opened on a level nobody observed.
    #[serde(default)]
    pub observed: bool,
}

impl Held {
    /// Starts at `level` with no timer running.
    pub fn at(level: Level) -> Self {
        Self {
            level,
            worse_since: None,
            better_since: None,
            observed: false,
        }
    }

    /// Takes one reading. Unknown (`None`) keeps the level and restarts any recovery: only a
    /// fresh healthy reading counts towards lowering a level.
    pub fn step(&mut self, reading: Option<Level>, now: Timestamp, enter_for: u64, exit_for: u64) {
        let held_for = |since: Timestamp| now.as_second().saturating_sub(since.as_second()) as u64;
        match reading {
            None => self.better_since = None,
            Some(r) if r > self.level => {
                self.better_since = None;
                let since = *self.worse_since.get_or_insert(now);
                if held_for(since) >= enter_for {
                    self.level = r;
                    self.worse_since = None;
                    self.observed = true;
                }
            }
            Some(r) if r < self.level => {
                self.worse_since = None;
                let since = *self.better_since.get_or_insert(now);
                if held_for(since) >= exit_for {
                    self.level = r;
                    self.better_since = None;
                    self.observed = true;
                }
            }
            Some(_) => {
                self.worse_since = None;
                self.better_since = None;
                self.observed = true;
            }
        }
    }
}
