//! SLA targets: compliance over a window, the error budget left, and burn rates over several
//! windows as the SRE workbook defines them ("Alerting on SLOs", multiwindow, multi-burn-rate).
//!
//! - error budget = (1 − target) × T; used = the weighted downtime; left = budget − used.
//! - burn rate over a window = (weighted downtime / T in that window) / (1 − target): 1 spends
//!   the budget exactly over the SLO period.
//! - A rule fires when both its long and its short window burn faster than its factor, where
//!   factor = share of the budget spent × period / long window. For a 30-day period the
//!   workbook's rules are 2 % in 1 h (factor 14.4, short 5 min) and 5 % in 6 h (6, 30 min),
//!   which page, and 10 % in 3 d (1, 6 h), which opens a ticket.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::model::ComponentId;

use super::{Tally, Uptime, Window};

/// A target that is not a percentage strictly between 0 and 100 with at most four decimals.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("target: {0} is not a percentage between 0 and 100 (exclusive) with at most four decimals, e.g. 99.9")]
pub struct TargetError(pub f64);

/// An availability target, held in parts per million (99.9 % = 999,000) so the budget is
/// exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Target {
    ppm: u32,
}

impl Target {
    /// A target strictly between 0 and 100 %, at most four decimals.
    pub fn percent(p: f64) -> Result<Target, TargetError> {
        let scaled = p * 10_000.0;
        let ppm = scaled.round();
        if p.is_finite() && ppm > 0.0 && ppm < 1_000_000.0 && (scaled - ppm).abs() < 1e-6 {
            Ok(Target { ppm: ppm as u32 })
        } else {
            Err(TargetError(p))
        }
    }

    /// The percentage.
    pub fn as_percent(&self) -> f64 {
        f64::from(self.ppm) / 10_000.0
    }

    /// The allowed error ratio, `1 − target`.
    pub fn budget_ratio(&self) -> f64 {
        f64::from(1_000_000 - self.ppm) / 1_000_000.0
    }

    /// `(1 − target) × ms`, from integers.
    fn budget_of(&self, ms: i64) -> f64 {
        (i128::from(ms) * i128::from(1_000_000 - self.ppm)) as f64 / 1_000_000.0
    }
}

/// Compliance with a target over one window.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Compliance {
    /// The target, percent.
    pub target: f64,
    /// Whether the uptime met it; `None` without data.
    pub met: Option<bool>,
    /// The error budget: `(1 − target) × T`, milliseconds.
    pub budget_ms: f64,
    /// The weighted downtime, milliseconds.
    pub used_ms: f64,
    /// `budget − used` (negative when overspent), milliseconds.
    pub left_ms: f64,
    /// `left / budget`; `None` without data.
    pub left_fraction: Option<f64>,
}

/// Compliance of `tally` with `target`.
pub fn compliance(tally: &Tally, target: Target) -> Compliance {
    let budget_ms = target.budget_of(tally.observed_ms);
    let used_ms = tally.downtime_ms();
    let has_data = tally.observed_ms > 0;
    Compliance {
        target: target.as_percent(),
        met: tally.uptime().map(|u| u * 100.0 >= target.as_percent()),
        budget_ms,
        used_ms,
        left_ms: budget_ms - used_ms,
        left_fraction: (has_data && budget_ms > 0.0).then(|| (budget_ms - used_ms) / budget_ms),
    }
}

/// Who is told when a burn-rate rule fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Wake someone up.
    Page,
    /// Open a ticket.
    Ticket,
}

/// A multiwindow burn-rate rule.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct BurnRule {
    /// The long window.
    pub long: SignedDuration,
    /// The short window (a twelfth of the long one in the workbook), so an alert stops soon
    /// after the burning stops.
    pub short: SignedDuration,
    /// The share of the period's budget the long window may spend before it fires.
    pub budget_spent: f64,
    /// Page or ticket.
    pub severity: Severity,
}

impl BurnRule {
    /// The SRE workbook's three rules: 2 % of the budget in 1 h (5 min), 5 % in 6 h (30 min),
    /// 10 % in 3 d (6 h).
    pub fn workbook() -> [BurnRule; 3] {
        let h = SignedDuration::from_hours;
        let m = SignedDuration::from_mins;
        [
            BurnRule {
                long: h(1),
                short: m(5),
                budget_spent: 0.02,
                severity: Severity::Page,
            },
            BurnRule {
                long: h(6),
                short: m(30),
                budget_spent: 0.05,
                severity: Severity::Page,
            },
            BurnRule {
                long: h(72),
                short: h(6),
                budget_spent: 0.10,
                severity: Severity::Ticket,
            },
        ]
    }

    /// The burn-rate threshold for an SLO `period`: `budget_spent × period / long`
    /// (14.4, 6 and 1 for the workbook's rules over 30 days).
    pub fn factor(&self, period: SignedDuration) -> f64 {
        self.budget_spent * period.as_secs_f64() / self.long.as_secs_f64()
    }
}

/// A rule evaluated at one instant.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Burn {
    /// The rule.
    pub rule: BurnRule,
    /// Its threshold for the period.
    pub factor: f64,
    /// The burn rate over the long window; `None` without data.
    pub long_rate: Option<f64>,
    /// The burn rate over the short window; `None` without data.
    pub short_rate: Option<f64>,
    /// Both above the factor.
    pub firing: bool,
}

/// The burn rate of `tally`: its error ratio over the target's,
/// `weighted down / (T × (1 − target))`; `None` without data.
pub fn burn_rate(tally: &Tally, target: Target) -> Option<f64> {
    (tally.observed_ms > 0).then(|| tally.downtime_ms() / target.budget_of(tally.observed_ms))
}

/// Evaluates `rules` for a component or group at `at` (windows ending there).
pub fn burn(
    uptime: &Uptime<'_>,
    id: &ComponentId,
    target: Target,
    period: SignedDuration,
    rules: &[BurnRule],
    at: Timestamp,
) -> Vec<Burn> {
    rules
        .iter()
        .map(|rule| {
            let rate = |len| {
                Window::rolling(at, len)
                    .ok()
                    .and_then(|w| burn_rate(&uptime.tally(id, w), target))
            };
            let factor = rule.factor(period);
            let (long_rate, short_rate) = (rate(rule.long), rate(rule.short));
            Burn {
                rule: *rule,
                factor,
                long_rate,
                short_rate,
                firing: long_rate.is_some_and(|r| r > factor)
                    && short_rate.is_some_and(|r| r > factor),
            }
        })
        .collect()
}
