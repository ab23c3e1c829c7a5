//! SLO burn-rate rules: the SRE workbook's multiwindow, multi-burn-rate alerting as graded levels.
//!
//! The burn rate over a window is the error ratio over it divided by the error budget
//! (`1 - objective`): at 1x the budget lasts exactly the SLO period, at 14.4x a 30-day budget
//! loses 2 % in an hour. A level is reached while both its long and its short window burn faster
//! than its factor: the long window shows the burn matters, the short one that it still goes on,
//! so a short spike moves nothing and the level falls soon after the burn stops (the built-in
//! hysteresis). The user writes each query once with the placeholder `$window`; the engine asks
//! for it once per window (`[1h]`, `[5m]`...), and the bridge queries every one.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::observe::{QueryResult, Sample};
use super::Level;

/// The placeholder of the window's range in a burn-rate rule's queries.
pub const WINDOW_PLACEHOLDER: &str = "$window";

/// The longest window: 31 days (a month's SLO period).
pub const MAX_WINDOW_SECS: u64 = 31 * 86_400;

/// Multiwindow burn rates of an SLO's error budget: a level per pair of windows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BurnRateRule {
    /// The objective: the fraction of good events promised, in (0, 1), e.g. 0.995.
    pub objective: f64,
    /// PromQL of the error ratio (bad events / all events) over `$window`, e.g.
    /// `1 - avg_over_time(probe_success{job="rpc"}[$window])`. Give this, or `total` with
    /// `errors` or `good`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_ratio: Option<String>,
    /// PromQL of the rate of bad events over `$window`, e.g.
    /// `sum(rate(http_requests_total{code=~"5.."}[$window]))`. No series counts as no errors
    /// (a counter of failures has none until the first failure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<String>,
    /// PromQL of the rate of good events over `$window`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub good: Option<String>,
    /// PromQL of the rate of all events over `$window` (with `errors` or `good`; series are
    /// matched by their labels, so aggregate both the same way). No events in a window: no burn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<String>,
    /// One entry per level, each with its window pair and factor. Default: the workbook's
    /// 1 h and 5 m above 14.4x major outage, 6 h and 30 m above 6x partial outage, 3 d and 6 h
    /// above 1x degraded.
    #[serde(default = "default_levels")]
    pub levels: Vec<BurnLevel>,
    /// A burning pair must hold this long before the level rises. Default 0 (the long window
    /// already waited).
    #[serde(default)]
    pub enter_for_secs: u64,
    /// Recovery must hold this long before the level falls. Default 300.
    #[serde(default = "default_exit")]
    pub exit_for_secs: u64,
}

/// One level of a burn-rate rule: reached while both windows burn faster than `factor`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BurnLevel {
    /// The level (not `operational`).
    pub level: Level,
    /// The long window, in seconds: the burn is significant.
    pub long_window_secs: u64,
    /// The short window, in seconds (shorter than the long one; the workbook takes 1/12 of
    /// it): the burn still goes on.
    pub short_window_secs: u64,
    /// The burn rate both windows must exceed (1 spends the budget over exactly the SLO period).
    pub factor: f64,
}

impl BurnRateRule {
    /// The worst level the rule can reach.
    pub fn max_level(&self) -> Level {
        self.levels
            .iter()
            .map(|l| l.level)
            .max()
            .unwrap_or(Level::Operational)
    }

    /// Every query the rule needs, once per window (what [`Engine::queries`](super::Engine::queries)
    /// lists for it).
    pub fn window_queries(&self) -> Vec<String> {
        Prepared::new(self).queries().map(str::to_owned).collect()
    }

    /// What the rule reads, for people: the query templates with their placeholder.
    pub fn source_text(&self) -> String {
        self.source()
            .iter()
            .map(|(name, q)| format!("{name} `{q}`"))
            .collect::<Vec<_>>()
            .join(" / ")
    }

    /// The configured queries by field name, in reading order.
    fn source(&self) -> Vec<(&'static str, &str)> {
        [
            ("error_ratio", &self.error_ratio),
            ("errors", &self.errors),
            ("good", &self.good),
            ("total", &self.total),
        ]
        .into_iter()
        .filter_map(|(name, q)| q.as_deref().map(|q| (name, q)))
        .collect()
    }
}

fn default_levels() -> Vec<BurnLevel> {
    let level = |level, long_window_secs, short_window_secs, factor| BurnLevel {
        level,
        long_window_secs,
        short_window_secs,
        factor,
    };
    vec![
        level(Level::MajorOutage, 3_600, 300, 14.4),
        level(Level::PartialOutage, 21_600, 1_800, 6.0),
        level(Level::Degraded, 259_200, 21_600, 1.0),
    ]
}

fn default_exit() -> u64 {
    300
}

/// A window as a PromQL range: the largest unit that divides it (`3d`, `90m`, `45s`).
pub fn range_text(secs: u64) -> String {
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60)] {
        if secs > 0 && secs.is_multiple_of(size) {
            return format!("{}{unit}", secs / size);
        }
    }
    format!("{secs}s")
}

/// The query `template` for one window: every `$window` replaced by its range.
pub fn expand(template: &str, secs: u64) -> String {
    template.replace(WINDOW_PLACEHOLDER, &range_text(secs))
}

/// The burn rate of an error ratio: how many times faster than the objective allows the error
/// budget is spent. A negative ratio (counter-rate jitter) burns nothing.
pub fn burn_rate(error_ratio: f64, objective: f64) -> f64 {
    error_ratio.max(0.0) / (1.0 - objective)
}

/// How a window's error ratio is read: the configured queries, expanded for the window.
#[derive(Clone, Debug)]
enum Source {
    Ratio(String),
    Errors { errors: String, total: String },
    Good { good: String, total: String },
}

/// One window of a rule: its expanded queries.
#[derive(Clone, Debug)]
struct Window {
    source: Source,
}

/// A validated rule's queries expanded per window, built once by the engine.
#[derive(Clone, Debug)]
pub(crate) struct Prepared {
    /// The distinct windows, shortest first.
    windows: Vec<Window>,
    /// Per entry of `levels`: its (long, short) indexes into `windows`.
    pairs: Vec<(usize, usize)>,
}

impl Prepared {
    /// Expands a validated rule's queries for each of its windows.
    pub(crate) fn new(rule: &BurnRateRule) -> Prepared {
        let mut secs: Vec<u64> = rule
            .levels
            .iter()
            .flat_map(|l| [l.long_window_secs, l.short_window_secs])
            .collect();
        secs.sort_unstable();
        secs.dedup();
        fn text(q: &Option<String>) -> &str {
            q.as_deref().unwrap_or_default()
        }
        let windows = secs
            .iter()
            .map(|&s| Window {
                source: match (&rule.error_ratio, &rule.errors, &rule.good) {
                    (Some(r), _, _) => Source::Ratio(expand(r, s)),
                    (None, Some(e), _) => Source::Errors {
                        errors: expand(e, s),
                        total: expand(text(&rule.total), s),
                    },
                    _ => Source::Good {
                        good: expand(text(&rule.good), s),
                        total: expand(text(&rule.total), s),
                    },
                },
            })
            .collect();
        let at = |s: u64| secs.binary_search(&s).unwrap_or_default();
        let pairs = rule
            .levels
            .iter()
            .map(|l| (at(l.long_window_secs), at(l.short_window_secs)))
            .collect();
        Prepared { windows, pairs }
    }

    /// Every query the rule needs, each window's in turn.
    pub(crate) fn queries(&self) -> impl Iterator<Item = &str> + '_ {
        self.windows
            .iter()
            .flat_map(|w| match &w.source {
                Source::Ratio(q) => [Some(q.as_str()), None],
                Source::Errors { errors, total } => [Some(errors.as_str()), Some(total.as_str())],
                Source::Good { good, total } => [Some(good.as_str()), Some(total.as_str())],
            })
            .flatten()
    }
}

/// The burn rates of one series in a window pair.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PairBurn {
    /// The series' labels as PromQL shows them (`{instance="a"}`) when the pair has several
    /// series, else empty.
    pub(crate) series: String,
    /// The burn rate over the long window.
    pub(crate) long: f64,
    /// The burn rate over the short window.
    pub(crate) short: f64,
}

/// A rule's reading and why: which pair drove the level, or how close the nearest one came.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Judgement {
    /// The worst level whose pair burns (operational when none does).
    pub(crate) level: Level,
    /// For people: `burn rate 16.2x over 1h and 15.0x over 5m (> 14.4x)`.
    pub(crate) detail: String,
}

/// The level of the burn rates: the worst level one of whose series burns faster than its
/// factor over both windows. `burns[k]` are the series of `levels[k]`'s pair.
pub(crate) fn judge(levels: &[BurnLevel], burns: &[Vec<PairBurn>]) -> Judgement {
    let over = |l: &BurnLevel, b: &PairBurn| b.long > l.factor && b.short > l.factor;
    // How far a series is from burning a pair: the lower of its two rates against the factor.
    let closeness = |l: &BurnLevel, b: &PairBurn| b.long.min(b.short) / l.factor;
    let text = |l: &BurnLevel, b: &PairBurn| {
        let series = if b.series.is_empty() {
            String::new()
        } else {
            format!(" for {}", b.series)
        };
        format!(
            "{:.1}x over {} and {:.1}x over {}{series}",
            b.long,
            range_text(l.long_window_secs),
            b.short,
            range_text(l.short_window_secs)
        )
    };
    let mut driver: Option<(&BurnLevel, &PairBurn)> = None;
    let mut closest: Option<(&BurnLevel, &PairBurn)> = None;
    for (l, series) in levels.iter().zip(burns) {
        for b in series {
            if over(l, b) {
                let worse = driver.is_none_or(|(d, db)| {
                    l.level > d.level || (l.level == d.level && closeness(l, b) > closeness(d, db))
                });
                if worse {
                    driver = Some((l, b));
                }
            } else if closest.is_none_or(|(c, cb)| closeness(l, b) > closeness(c, cb)) {
                closest = Some((l, b));
            }
        }
    }
    match (driver, closest) {
        (Some((l, b)), _) => Judgement {
            level: l.level,
            detail: format!("burn rate {} (> {}x): {}", text(l, b), l.factor, l.level),
        },
        (None, Some((l, b))) => Judgement {
            level: Level::Operational,
            detail: format!(
                "no window pair burns; closest: {} ({} needs > {}x in both)",
                text(l, b),
                l.level,
                l.factor
            ),
        },
        (None, None) => Judgement {
            level: Level::Operational,
            detail: "no window pair burns".to_owned(),
        },
    }
}

type Labels = BTreeMap<String, String>;

/// The rule's reading at `now`: every window's error ratio per series, judged. Unknown (`Err`)
/// when a query of any window failed, is missing, or has nothing usable (stale or NaN samples
/// are dropped as for thresholds), because a pair cannot be judged on one window.
pub(crate) fn read(
    rule: &BurnRateRule,
    prepared: &Prepared,
    queries: &BTreeMap<String, QueryResult>,
    now: Timestamp,
    max_age_secs: u64,
) -> Result<Judgement, String> {
    let oldest_allowed = now.as_second().saturating_sub(max_age_secs as i64);
    let ratios = prepared
        .windows
        .iter()
        .map(|w| window_ratios(w, queries, oldest_allowed, max_age_secs))
        .collect::<Result<Vec<_>, _>>()?;
    let mut burns = Vec::with_capacity(prepared.pairs.len());
    for (l, &(long, short)) in rule.levels.iter().zip(&prepared.pairs) {
        let mut series: Vec<PairBurn> = ratios[long]
            .iter()
            .filter_map(|(labels, &long)| {
                ratios[short].get(labels).map(|&short| PairBurn {
                    series: labels_text(labels),
                    long: burn_rate(long, rule.objective),
                    short: burn_rate(short, rule.objective),
                })
            })
            .collect();
        if series.is_empty() {
            return Err(format!(
                "burn rate of {}: no series in both the {} and the {} window",
                rule.source_text(),
                range_text(l.long_window_secs),
                range_text(l.short_window_secs)
            ));
        }
        if let [only] = &mut series[..] {
            // One series: its labels say nothing the query does not.
            only.series.clear();
        }
        burns.push(series);
    }
    Ok(judge(&rule.levels, &burns))
}

/// One window's error ratio per series.
fn window_ratios<'a>(
    w: &Window,
    queries: &'a BTreeMap<String, QueryResult>,
    oldest_allowed: i64,
    max_age_secs: u64,
) -> Result<BTreeMap<&'a Labels, f64>, String> {
    let samples = |q: &str| -> Result<Vec<&'a Sample>, String> {
        let all = match queries.get(q) {
            None => return Err(format!("no result for query `{q}`")),
            Some(QueryResult::Failed(why)) => return Err(format!("query `{q}` failed: {why}")),
            Some(QueryResult::Samples(s)) => s,
        };
        let usable: Vec<&Sample> = all
            .iter()
            .filter(|s| !s.value.is_nan() && s.timestamp.as_second() >= oldest_allowed)
            .collect();
        if usable.is_empty() && !all.is_empty() {
            return Err(format!(
                "query `{q}`: every sample is stale (older than {max_age_secs} s) or NaN"
            ));
        }
        Ok(usable)
    };
    let no_series = |q: &str| format!("query `{q}` returned no series");
    let keyed = |list: Vec<&'a Sample>| -> BTreeMap<&'a Labels, f64> {
        list.into_iter().map(|s| (&s.labels, s.value)).collect()
    };
    match &w.source {
        Source::Ratio(q) => {
            let ratios = keyed(samples(q)?);
            if ratios.is_empty() {
                return Err(no_series(q));
            }
            Ok(ratios)
        }
        Source::Errors { errors, total }
        | Source::Good {
            good: errors,
            total,
        } => {
            let counted = keyed(samples(errors)?);
            let all = keyed(samples(total)?);
            if all.is_empty() {
                return Err(no_series(total));
            }
            let good = matches!(w.source, Source::Good { .. });
            if good && counted.is_empty() {
                return Err(no_series(errors));
            }
            if let Some(stray) = counted.keys().find(|l| !all.contains_key(*l)) {
                return Err(format!(
                    "`{errors}` has the series {} that `{total}` has not: aggregate both by the same labels",
                    labels_text(stray)
                ));
            }
            Ok(all
                .into_iter()
                .filter(|(labels, _)| !good || counted.contains_key(labels))
                .map(|(labels, total)| {
                    let n = counted.get(labels).copied().unwrap_or(0.0);
                    let bad = if good { total - n } else { n };
                    // No events in the window: nothing was spent.
                    let ratio = if total > 0.0 { bad / total } else { 0.0 };
                    (labels, ratio)
                })
                .collect())
        }
    }
}

/// `{instance="a", job="rpc"}`; empty for no labels.
fn labels_text(labels: &Labels) -> String {
    if labels.is_empty() {
        return String::new();
    }
    let inner: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    format!("{{{}}}", inner.join(", "))
}

/// Checks a rule: `Err((field, message))`.
pub(crate) fn validate(rule: &BurnRateRule) -> Result<(), (String, String)> {
    let o = rule.objective;
    if !(o > 0.0 && o < 1.0) {
        return Err((
            "objective".into(),
            format!("{o} is not in (0, 1): the fraction of good events promised, e.g. 0.995"),
        ));
    }
    let forms = "give `error_ratio`, or `total` with `errors` or `good`";
    match (&rule.error_ratio, &rule.errors, &rule.good, &rule.total) {
        (Some(_), None, None, None) | (None, Some(_), None, Some(_)) => {}
        (None, None, Some(_), Some(_)) => {}
        (Some(_), ..) => {
            return Err((
                "error_ratio".into(),
                format!("comes alone: {forms}, not both"),
            ))
        }
        (None, Some(_), Some(_), _) => {
            return Err((
                "good".into(),
                format!("{forms}: not both `errors` and `good`"),
            ))
        }
        (None, None, None, None) => {
            return Err(("error_ratio".into(), format!("missing: {forms}")))
        }
        (None, None, None, Some(_)) => {
            return Err(("total".into(), format!("needs `errors` or `good`: {forms}")))
        }
        (None, e, _, None) => {
            let field = if e.is_some() { "errors" } else { "good" };
            return Err(("total".into(), format!("missing: `{field}` needs `total`")));
        }
    }
    for (field, q) in rule.source() {
        if q.trim().is_empty() {
            return Err((field.into(), "must not be empty".into()));
        }
        if !q.contains(WINDOW_PLACEHOLDER) {
            return Err((
                field.into(),
                format!(
                    "has no `{WINDOW_PLACEHOLDER}`: the range of each window goes there, e.g. `sum(rate(http_requests_total{{code=~\"5..\"}}[{WINDOW_PLACEHOLDER}]))`"
                ),
            ));
        }
    }
    if rule.levels.is_empty() {
        return Err((
            "levels".into(),
            "needs at least one of degraded, partial_outage, major_outage (or leave it out for the workbook's three)".into(),
        ));
    }
    // Every event bad: the highest burn rate the objective allows.
    let highest = burn_rate(1.0, o);
    let mut seen = Vec::new();
    for (i, l) in rule.levels.iter().enumerate() {
        let at = |f: &str| format!("levels[{i}].{f}");
        if l.level == Level::Operational {
            return Err((
                at("level"),
                "operational is what remains when no pair burns; allowed values: degraded, partial_outage, major_outage".into(),
            ));
        }
        if seen.contains(&l.level) {
            return Err((at("level"), format!("{} appears twice", l.level)));
        }
        seen.push(l.level);
        for (f, secs) in [
            ("long_window_secs", l.long_window_secs),
            ("short_window_secs", l.short_window_secs),
        ] {
            if secs == 0 || secs > MAX_WINDOW_SECS {
                return Err((
                    at(f),
                    format!("{secs} is out of range; allowed: 1 to {MAX_WINDOW_SECS} (31 days)"),
                ));
            }
        }
        if l.short_window_secs >= l.long_window_secs {
            return Err((
                at("short_window_secs"),
                format!(
                    "{} is not shorter than long_window_secs {} (the workbook takes 1/12 of it)",
                    l.short_window_secs, l.long_window_secs
                ),
            ));
        }
        if !(l.factor.is_finite() && l.factor > 0.0) {
            return Err((
                at("factor"),
                format!("{} is not a positive number", l.factor),
            ));
        }
        if l.factor >= highest {
            return Err((
                at("factor"),
                format!(
                    "{} can never be exceeded with objective {o}: the highest burn rate is {highest:.1}x (every event bad); lower the factor or raise the objective",
                    l.factor
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "burn_tests.rs"]
mod tests;

/// The rule inside the engine: queries, notes, the write's reason, holds and unknown.
#[cfg(test)]
#[path = "burn_engine_tests.rs"]
mod engine_tests;
