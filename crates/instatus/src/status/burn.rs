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
mod tests {
    use serde_json::json;

    use super::*;

    fn rule(v: serde_json::Value) -> BurnRateRule {
        serde_json::from_value(v).unwrap()
    }

    fn now() -> Timestamp {
        Timestamp::from_second(1_800_000_000).unwrap()
    }

    fn one(value: f64) -> QueryResult {
        QueryResult::Samples(vec![Sample {
            labels: BTreeMap::new(),
            value,
            timestamp: now(),
        }])
    }

    const RATIO: &str = "1 - avg_over_time(probe_success{job=\"rpc\"}[$window])";

    /// The ratio rule with the workbook's levels, and observations of the error ratios per
    /// window (seconds → ratio).
    fn observed(ratios: &[(u64, f64)]) -> BTreeMap<String, QueryResult> {
        ratios
            .iter()
            .map(|&(secs, r)| (expand(RATIO, secs), one(r)))
            .collect()
    }

    fn read_ratios(ratios: &[(u64, f64)]) -> Result<Judgement, String> {
        let r = rule(json!({"objective": 0.995, "error_ratio": RATIO}));
        read(&r, &Prepared::new(&r), &observed(ratios), now(), 300)
    }

    const H: u64 = 3_600;
    const M: u64 = 60;
    const D: u64 = 86_400;

    #[test]
    fn windows_are_written_in_the_largest_unit_that_divides_them() {
        assert_eq!(range_text(3 * D), "3d");
        assert_eq!(range_text(6 * H), "6h");
        assert_eq!(range_text(30 * M), "30m");
        assert_eq!(range_text(90 * M), "90m");
        assert_eq!(range_text(45), "45s");
        assert_eq!(
            expand("sum(rate(x[$window])) / sum(rate(y[$window]))", 5 * M),
            "sum(rate(x[5m])) / sum(rate(y[5m]))"
        );
    }

    #[test]
    fn the_burn_rate_is_the_error_ratio_over_the_budget() {
        // 0.5 % budget: a 7.2 % error ratio burns at 14.4x, a 100 % one at 200x.
        assert!((burn_rate(0.072, 0.995) - 14.4).abs() < 1e-9);
        assert!((burn_rate(1.0, 0.995) - 200.0).abs() < 1e-9);
        assert_eq!(burn_rate(-0.001, 0.995), 0.0);
    }

    #[test]
    fn the_default_levels_are_the_workbooks_and_one_query_per_window() {
        let r = rule(json!({"objective": 0.995, "error_ratio": RATIO}));
        assert_eq!(r.enter_for_secs, 0);
        assert_eq!(r.exit_for_secs, 300);
        let pairs: Vec<(Level, u64, u64, f64)> = r
            .levels
            .iter()
            .map(|l| (l.level, l.long_window_secs, l.short_window_secs, l.factor))
            .collect();
        assert_eq!(
            pairs,
            vec![
                (Level::MajorOutage, H, 5 * M, 14.4),
                (Level::PartialOutage, 6 * H, 30 * M, 6.0),
                (Level::Degraded, 3 * D, 6 * H, 1.0),
            ]
        );
        // 6 h is both a long and a short window: asked once.
        let prepared = Prepared::new(&r);
        let queries: Vec<&str> = prepared.queries().collect();
        assert_eq!(
            queries,
            ["5m", "30m", "1h", "6h", "3d"]
                .map(|w| format!("1 - avg_over_time(probe_success{{job=\"rpc\"}}[{w}])"))
        );
    }

    #[test]
    fn a_level_needs_both_windows_of_its_pair_over_the_factor() {
        // 8 % errors over 1 h and 7.5 % over 5 m: 16.0x and 15.0x, both over 14.4x.
        let j = read_ratios(&[
            (5 * M, 0.075),
            (30 * M, 0.08),
            (H, 0.08),
            (6 * H, 0.02),
            (3 * D, 0.001),
        ])
        .unwrap();
        assert_eq!(j.level, Level::MajorOutage);
        assert_eq!(
            j.detail,
            "burn rate 16.0x over 1h and 15.0x over 5m (> 14.4x): major_outage"
        );
        // The same long window with a quiet short one: the burn stopped.
        let j = read_ratios(&[
            (5 * M, 0.0),
            (30 * M, 0.08),
            (H, 0.08),
            (6 * H, 0.02),
            (3 * D, 0.001),
        ])
        .unwrap();
        assert_eq!(j.level, Level::Operational);
        assert_eq!(
            j.detail,
            "no window pair burns; closest: 4.0x over 6h and 16.0x over 30m (partial_outage needs > 6x in both)"
        );
        // A spike: only the short windows burn.
        let j = read_ratios(&[
            (5 * M, 1.0),
            (30 * M, 0.5),
            (H, 0.05),
            (6 * H, 0.004),
            (3 * D, 0.001),
        ])
        .unwrap();
        assert_eq!(j.level, Level::Operational);
    }

    #[test]
    fn the_worst_burning_pair_drives_the_level() {
        // Everything burns: major outage wins over partial and degraded.
        let j = read_ratios(&[
            (5 * M, 0.5),
            (30 * M, 0.5),
            (H, 0.5),
            (6 * H, 0.5),
            (3 * D, 0.5),
        ])
        .unwrap();
        assert_eq!(j.level, Level::MajorOutage);
        // A slow burn: 1.2 % errors for days is 2.4x: degraded only.
        let j = read_ratios(&[
            (5 * M, 0.012),
            (30 * M, 0.012),
            (H, 0.012),
            (6 * H, 0.012),
            (3 * D, 0.012),
        ])
        .unwrap();
        assert_eq!(j.level, Level::Degraded);
        assert_eq!(
            j.detail,
            "burn rate 2.4x over 3d and 2.4x over 6h (> 1x): degraded"
        );
        // Exactly at the factor does not exceed it.
        let j = read_ratios(&[
            (5 * M, 0.03),
            (30 * M, 0.03),
            (H, 0.03),
            (6 * H, 0.03),
            (3 * D, 0.0),
        ])
        .unwrap();
        assert_eq!(j.level, Level::Operational);
    }

    #[test]
    fn a_failed_missing_or_empty_window_makes_the_rule_unknown() {
        let mut q = observed(&[(5 * M, 0.5), (30 * M, 0.5), (H, 0.5), (6 * H, 0.5)]);
        let r = rule(json!({"objective": 0.995, "error_ratio": RATIO}));
        let p = Prepared::new(&r);
        let why = read(&r, &p, &q, now(), 300).unwrap_err();
        assert_eq!(
            why,
            "no result for query `1 - avg_over_time(probe_success{job=\"rpc\"}[3d])`"
        );
        q.insert(expand(RATIO, 3 * D), QueryResult::Failed("timeout".into()));
        let why = read(&r, &p, &q, now(), 300).unwrap_err();
        assert!(why.ends_with("[3d])` failed: timeout"), "{why}");
        q.insert(expand(RATIO, 3 * D), QueryResult::Samples(vec![]));
        let why = read(&r, &p, &q, now(), 300).unwrap_err();
        assert!(why.ends_with("[3d])` returned no series"), "{why}");
        let stale = Sample {
            labels: BTreeMap::new(),
            value: 0.5,
            timestamp: Timestamp::from_second(now().as_second() - 301).unwrap(),
        };
        q.insert(expand(RATIO, 3 * D), QueryResult::Samples(vec![stale]));
        let why = read(&r, &p, &q, now(), 300).unwrap_err();
        assert!(why.contains("stale"), "{why}");
    }

    fn counts(
        rule: &BurnRateRule,
        per_window: &[(u64, Option<f64>, f64)],
    ) -> Result<Judgement, String> {
        let (counted, total) = match (&rule.errors, &rule.good) {
            (Some(e), _) => (e, rule.total.as_ref().unwrap()),
            (None, Some(g)) => (g, rule.total.as_ref().unwrap()),
            _ => unreachable!(),
        };
        let mut q = BTreeMap::new();
        for &(secs, n, all) in per_window {
            let empty = QueryResult::Samples(vec![]);
            q.insert(expand(counted, secs), n.map_or(empty, one));
            q.insert(expand(total, secs), one(all));
        }
        read(rule, &Prepared::new(rule), &q, now(), 300)
    }

    #[test]
    fn errors_over_total_reads_no_error_series_as_no_errors_and_no_traffic_as_no_burn() {
        let r = rule(json!({
            "objective": 0.999,
            "errors": "sum(rate(http_requests_total{code=~\"5..\"}[$window]))",
            "total": "sum(rate(http_requests_total[$window]))",
            "levels": [{"level": "major_outage", "long_window_secs": 3600, "short_window_secs": 300, "factor": 14.4}]
        }));
        // 2 errors/s of 100: 2 % = 20x the 0.1 % budget.
        let j = counts(&r, &[(H, Some(2.0), 100.0), (5 * M, Some(2.0), 100.0)]).unwrap();
        assert_eq!(j.level, Level::MajorOutage);
        assert_eq!(
            j.detail,
            "burn rate 20.0x over 1h and 20.0x over 5m (> 14.4x): major_outage"
        );
        // No 5xx series yet: no errors.
        let j = counts(&r, &[(H, None, 100.0), (5 * M, None, 100.0)]).unwrap();
        assert_eq!(j.level, Level::Operational);
        // No requests at all in the short window: nothing burnt there.
        let j = counts(&r, &[(H, Some(2.0), 100.0), (5 * M, Some(0.0), 0.0)]).unwrap();
        assert_eq!(j.level, Level::Operational);
    }

    #[test]
    fn good_over_total_burns_the_missing_good_events_and_needs_the_good_series() {
        let r = rule(json!({
            "objective": 0.99,
            "good": "sum(rate(rpc_ok_total[$window]))",
            "total": "sum(rate(rpc_total[$window]))",
            "levels": [{"level": "partial_outage", "long_window_secs": 21600, "short_window_secs": 1800, "factor": 6}]
        }));
        // 90 of 100 good: 10 % errors over a 1 % budget = 10x.
        let j = counts(
            &r,
            &[(6 * H, Some(90.0), 100.0), (30 * M, Some(90.0), 100.0)],
        )
        .unwrap();
        assert_eq!(j.level, Level::PartialOutage);
        let why = counts(&r, &[(6 * H, None, 100.0), (30 * M, Some(90.0), 100.0)]).unwrap_err();
        assert_eq!(
            why,
            "query `sum(rate(rpc_ok_total[6h]))` returned no series"
        );
    }

    #[test]
    fn series_are_matched_by_labels_and_the_burning_one_is_named() {
        let r = rule(json!({
            "objective": 0.995,
            "error_ratio": "1 - avg by (instance) (avg_over_time(probe_success[$window]))",
            "levels": [{"level": "major_outage", "long_window_secs": 3600, "short_window_secs": 300, "factor": 14.4}]
        }));
        let series = |a: f64, b: f64| {
            QueryResult::Samples(
                [("a", a), ("b", b)]
                    .iter()
                    .map(|(i, v)| Sample {
                        labels: BTreeMap::from([("instance".to_owned(), (*i).to_owned())]),
                        value: *v,
                        timestamp: now(),
                    })
                    .collect(),
            )
        };
        let template = r.error_ratio.clone().unwrap();
        // `a` burns over 1 h but not now; `b` burns now but not over the hour: neither pair is
        // burnt by one series.
        let q = BTreeMap::from([
            (expand(&template, H), series(0.2, 0.0)),
            (expand(&template, 5 * M), series(0.0, 1.0)),
        ]);
        let j = read(&r, &Prepared::new(&r), &q, now(), 300).unwrap();
        assert_eq!(j.level, Level::Operational);
        let q = BTreeMap::from([
            (expand(&template, H), series(0.2, 0.1)),
            (expand(&template, 5 * M), series(0.0, 1.0)),
        ]);
        let j = read(&r, &Prepared::new(&r), &q, now(), 300).unwrap();
        assert_eq!(j.level, Level::MajorOutage);
        assert_eq!(
            j.detail,
            "burn rate 20.0x over 1h and 200.0x over 5m for {instance=\"b\"} (> 14.4x): major_outage"
        );
    }

    #[test]
    fn errors_with_labels_the_total_lacks_are_refused_not_ignored() {
        let r = rule(json!({
            "objective": 0.995,
            "errors": "rate(http_requests_total{code=~\"5..\"}[$window])",
            "total": "sum(rate(http_requests_total[$window]))",
            "levels": [{"level": "major_outage", "long_window_secs": 3600, "short_window_secs": 300, "factor": 14.4}]
        }));
        let mut q = BTreeMap::new();
        for secs in [H, 5 * M] {
            q.insert(
                expand(r.errors.as_ref().unwrap(), secs),
                QueryResult::Samples(vec![Sample {
                    labels: BTreeMap::from([("code".to_owned(), "502".to_owned())]),
                    value: 5.0,
                    timestamp: now(),
                }]),
            );
            q.insert(expand(r.total.as_ref().unwrap(), secs), one(10.0));
        }
        let why = read(&r, &Prepared::new(&r), &q, now(), 300).unwrap_err();
        assert!(
            why.contains("{code=\"502\"}") && why.contains("aggregate both"),
            "{why}"
        );
    }

    fn invalid(v: serde_json::Value) -> (String, String) {
        validate(&rule(v)).unwrap_err()
    }

    #[test]
    fn config_errors_name_the_field_and_what_is_allowed() {
        let (f, m) = invalid(json!({"objective": 1.0, "error_ratio": RATIO}));
        assert_eq!(f, "objective");
        assert!(m.contains("not in (0, 1)"), "{m}");
        let (f, m) = invalid(json!({"objective": 99.5, "error_ratio": RATIO}));
        assert_eq!((f.as_str(), m.contains("e.g. 0.995")), ("objective", true));
        assert_eq!(invalid(json!({"objective": 0.99})).0, "error_ratio");
        assert_eq!(
            invalid(json!({"objective": 0.99, "error_ratio": RATIO, "total": RATIO})).0,
            "error_ratio"
        );
        assert_eq!(
            invalid(json!({"objective": 0.99, "errors": RATIO})).0,
            "total"
        );
        assert_eq!(
            invalid(json!({"objective": 0.99, "total": RATIO})).0,
            "total"
        );
        assert_eq!(
            invalid(json!({"objective": 0.99, "errors": RATIO, "good": RATIO, "total": RATIO})).0,
            "good"
        );
        let (f, m) =
            invalid(json!({"objective": 0.99, "error_ratio": "1 - avg_over_time(up[5m])"}));
        assert_eq!(f, "error_ratio");
        assert!(m.contains("no `$window`"), "{m}");
        let level = |v: serde_json::Value| {
            invalid(json!({"objective": 0.995, "error_ratio": RATIO, "levels": [v]}))
        };
        let (f, m) = level(
            json!({"level": "operational", "long_window_secs": 3600, "short_window_secs": 300, "factor": 14.4}),
        );
        assert_eq!(f, "levels[0].level");
        assert!(
            m.contains("allowed values: degraded, partial_outage, major_outage"),
            "{m}"
        );
        let (f, m) = level(
            json!({"level": "degraded", "long_window_secs": 0, "short_window_secs": 300, "factor": 1}),
        );
        assert_eq!(f, "levels[0].long_window_secs");
        assert!(m.contains("allowed: 1 to 2678400"), "{m}");
        let (f, _) = level(
            json!({"level": "degraded", "long_window_secs": 300, "short_window_secs": 3600, "factor": 1}),
        );
        assert_eq!(f, "levels[0].short_window_secs");
        let (f, _) = level(
            json!({"level": "degraded", "long_window_secs": 3600, "short_window_secs": 300, "factor": -1}),
        );
        assert_eq!(f, "levels[0].factor");
        // At 90 % every event failing burns at 10x: a 14.4x pair could never be reached.
        let (f, m) = invalid(json!({"objective": 0.9, "error_ratio": RATIO}));
        assert_eq!(f, "levels[0].factor");
        assert!(m.contains("highest burn rate is 10.0x"), "{m}");
        let (f, m) = invalid(json!({"objective": 0.99, "error_ratio": RATIO, "levels": []}));
        assert_eq!(f, "levels");
        assert!(m.contains("degraded, partial_outage, major_outage"), "{m}");
        assert_eq!(
            validate(&rule(json!({"objective": 0.995, "error_ratio": RATIO}))),
            Ok(())
        );
    }
}

/// The rule inside the engine: queries, notes, the write's reason, holds and unknown.
#[cfg(test)]
mod engine_tests {
    use serde_json::json;

    use super::super::tests::{at, engine, page};
    use super::super::{Action, CurrentPage, Engine, NoteKind, Observations, Plan, State};
    use super::*;
    use crate::model::ComponentStatus;

    const RATIO: &str = "1 - avg_over_time(probe_success{job=\"rpc\"}[$window])";
    const WINDOWS: [u64; 5] = [300, 1_800, 3_600, 21_600, 259_200];

    fn rpc() -> Engine {
        engine(json!({"components": [{"path": "RPC", "rules": [
            {"burn_rate": {"objective": 0.995, "error_ratio": RATIO, "exit_for_secs": 600}}
        ]}]}))
    }

    /// Every window at its error ratio, stamped at `t`.
    fn ratios(per_window: [f64; 5], t: i64) -> Observations {
        Observations {
            queries: WINDOWS
                .iter()
                .zip(per_window)
                .map(|(&secs, r)| {
                    (
                        expand(RATIO, secs),
                        QueryResult::Samples(vec![Sample {
                            labels: BTreeMap::new(),
                            value: r,
                            timestamp: at(t),
                        }]),
                    )
                })
                .collect(),
            alerts: Vec::new(),
        }
    }

    fn notes(plan: &Plan, kind: NoteKind) -> Vec<&str> {
        plan.notes
            .iter()
            .filter(|n| n.kind == kind)
            .map(|n| n.message.as_str())
            .collect()
    }

    #[test]
    fn the_engine_asks_for_every_window_once() {
        let e = engine(json!({"components": [
            {"path": "RPC", "rules": [
                {"burn_rate": {"objective": 0.995, "error_ratio": RATIO}},
                {"threshold": {"query": "up{job=\"rpc\"}", "op": "<", "levels": [{"level": "major_outage", "enter": 1}]}}
            ]},
            {"path": "RPC 2", "rules": [{"burn_rate": {"objective": 0.99, "error_ratio": RATIO}}]}
        ]}));
        let q = e.queries();
        assert_eq!(q.len(), 6, "{q:?}");
        for w in ["5m", "30m", "1h", "6h", "3d"] {
            let text = format!("1 - avg_over_time(probe_success{{job=\"rpc\"}}[{w}])");
            assert_eq!(q.iter().filter(|x| **x == text).count(), 1, "{w}: {q:?}");
        }
        assert!(q.contains(&"up{job=\"rpc\"}"));
    }

    #[test]
    fn a_config_error_names_the_rule_field() {
        let err = Engine::new(
            serde_json::from_value(json!({"components": [{"path": "RPC", "rules": [
                {"burn_rate": {"objective": 0.995, "error_ratio": RATIO,
                    "levels": [{"level": "degraded", "long_window_secs": 3600, "short_window_secs": 3600, "factor": 1}]}}
            ]}]}))
            .unwrap(),
        )
        .unwrap_err();
        assert_eq!(
            err.path,
            "components[0].rules[0].burn_rate.levels[0].short_window_secs"
        );
        assert!(err.message.contains("not shorter than"), "{}", err.message);
    }

    #[test]
    fn the_plan_says_which_pair_drove_the_level() {
        let e = rpc();
        let p = page(&[("rpc", "RPC", "OPERATIONAL")]);
        // 10 % errors over the last hour and 12 % now: 20x and 24x over a 0.5 % budget.
        let (plan, _) = e.evaluate(
            &ratios([0.12, 0.1, 0.1, 0.02, 0.002], 0),
            &p,
            State::default(),
            at(0),
        );
        assert_eq!(
            notes(&plan, NoteKind::BurnRate),
            ["rule 0 at major_outage: burn rate 20.0x over 1h and 24.0x over 5m (> 14.4x): major_outage"]
        );
        // The incident carries the status; its reason is in the note. With incidents off, the
        // status write says it too.
        let e = engine(json!({"components": [{"path": "RPC", "rules": [
            {"burn_rate": {"objective": 0.995, "error_ratio": RATIO}}]}],
            "incidents": {"enabled": false}}));
        let (plan, _) = e.evaluate(
            &ratios([0.12, 0.1, 0.1, 0.02, 0.002], 0),
            &p,
            State::default(),
            at(0),
        );
        match &plan.actions[..] {
            [Action::SetStatus { to, reason, .. }] => {
                assert_eq!(*to, ComponentStatus::MajorOutage);
                assert_eq!(
                    reason,
                    "rules at major_outage (rule 0: burn rate 20.0x over 1h and 24.0x over 5m (> 14.4x): major_outage)"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_level_falls_pair_by_pair_after_the_exit_hold_and_unknown_keeps_it() {
        let e = rpc();
        let mut p = page(&[("rpc", "RPC", "OPERATIONAL")]);
        let mut state = State::default();
        let mut step = |obs: Observations, t: i64, p: &mut CurrentPage| {
            let (plan, next) = e.evaluate(&obs, p, std::mem::take(&mut state), at(t));
            p.apply_preview(&plan, at(t));
            state = next;
            plan
        };
        step(ratios([1.0, 1.0, 0.5, 0.1, 0.01], 0), 0, &mut p);
        assert_eq!(p.components[0].status, ComponentStatus::MajorOutage);
        // The burn stopped (5 m quiet) but the 6 h and 30 m windows still burn over 6x: partial
        // outage, after the 600 s exit hold.
        let plan = step(ratios([0.0, 0.5, 0.4, 0.1, 0.01], 60), 60, &mut p);
        assert_eq!(p.components[0].status, ComponentStatus::MajorOutage);
        assert_eq!(notes(&plan, NoteKind::Waiting).len(), 1, "{plan:?}");
        // Prometheus fails: unknown, the level is kept and the recovery restarts.
        let mut failed = ratios([0.0, 0.5, 0.4, 0.1, 0.01], 400);
        failed.queries.insert(
            expand(RATIO, 259_200),
            QueryResult::Failed("timeout".into()),
        );
        let plan = step(failed, 400, &mut p);
        assert!(plan.actions.is_empty(), "{plan:?}");
        let unknown = notes(&plan, NoteKind::Unknown);
        assert!(unknown[0].contains("[3d])` failed: timeout"), "{unknown:?}");
        step(ratios([0.0, 0.5, 0.4, 0.1, 0.01], 700), 700, &mut p);
        assert_eq!(
            p.components[0].status,
            ComponentStatus::MajorOutage,
            "hold restarted at 700"
        );
        step(ratios([0.0, 0.5, 0.4, 0.1, 0.01], 1_300), 1_300, &mut p);
        assert_eq!(p.components[0].status, ComponentStatus::PartialOutage);
    }
}
