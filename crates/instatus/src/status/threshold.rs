//! Threshold rules: the level of a query result, with per-level enter and exit thresholds.

use jiff::Timestamp;

use super::config::{Aggregate, Comparison, OnEmpty, ThresholdRule};
use super::observe::QueryResult;
use super::Level;

/// A rule's reading: a level, or unknown with the reason.
pub(crate) type Reading = Result<Level, String>;

/// The level of one sample value given the rule's held level: a level is reached when the value
/// passes its `enter` threshold, and kept (for levels at or below the held one) while it passes
/// its `exit` threshold.
pub(crate) fn series_level(rule: &ThresholdRule, value: f64, held: Level) -> Level {
    let mut level = Level::Operational;
    for t in &rule.levels {
        let exit = t.exit.unwrap_or(t.enter);
        if rule.op.passes(value, t.enter) || (t.level <= held && rule.op.passes(value, exit)) {
            level = level.max(t.level);
        }
    }
    level
}

/// The rule's reading at `now`: stale (older than `max_age_secs`) and NaN samples are dropped;
/// nothing usable left is unknown.
pub(crate) fn read(
    rule: &ThresholdRule,
    result: Option<&QueryResult>,
    held: Level,
    now: Timestamp,
    max_age_secs: u64,
) -> Reading {
    let samples = match result {
        None => return Err(format!("no result for {}", rule.source_text())),
        Some(QueryResult::Failed(why)) => {
            return Err(format!("{} failed: {why}", rule.source_text()))
        }
        Some(QueryResult::Samples(samples)) => samples,
    };
    if samples.is_empty() {
        return match rule.on_empty {
            OnEmpty::Operational => Ok(Level::Operational),
            OnEmpty::Unknown => Err(format!("{} returned no series", rule.source_text())),
        };
    }
    let oldest_allowed = now.as_second().saturating_sub(max_age_secs as i64);
    // Series per level (no allocation: this runs for every rule at every evaluation).
    let mut count = [0usize; Level::ALL.len()];
    for s in samples {
        if !s.value.is_nan() && s.timestamp.as_second() >= oldest_allowed {
            count[series_level(rule, s.value, held) as usize] += 1;
        }
    }
    let n: usize = count.iter().sum();
    if n == 0 {
        return Err(format!(
            "{}: every sample is stale (older than {max_age_secs} s) or NaN",
            rule.source_text()
        ));
    }
    // `at_least(k)`: the highest level reached (at or above) by at least k series.
    let at_least = |k: usize| -> Level {
        if k == 0 || k > n {
            return Level::Operational;
        }
        let mut reached = 0;
        for level in Level::ALL.iter().rev() {
            reached += count[*level as usize];
            if reached >= k {
                return *level;
            }
        }
        Level::Operational
    };
    Ok(match rule.aggregate {
        Aggregate::Worst | Aggregate::Any => at_least(1),
        Aggregate::All => at_least(n),
        Aggregate::Ratio(f) => at_least(((f * n as f64).ceil() as usize).max(1)),
        Aggregate::Quorum(k) => at_least(k),
    })
}

/// Checks the thresholds of one rule: `Err((field, message))`.
pub(crate) fn validate(rule: &ThresholdRule) -> Result<(), (String, String)> {
    match &rule.probe {
        None if rule.query.trim().is_empty() => {
            return Err((
                "query".into(),
                "must not be empty: give a PromQL `query` or a `probe` signal".into(),
            ))
        }
        Some(_) if !rule.query.is_empty() => {
            return Err((
                "probe".into(),
                "give either `query` or `probe`, not both".into(),
            ))
        }
        Some(signal) => {
            let well_formed = signal.split_once('.').is_some_and(|(name, s)| {
                let word = |w: &str| {
                    !w.is_empty()
                        && w.chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                };
                word(name) && word(s)
            });
            if !well_formed {
                return Err((
                    "probe".into(),
                    format!("{signal:?} is not NAME.SIGNAL, e.g. execution.head_age_seconds"),
                ));
            }
        }
        None => {}
    }
    if rule.levels.is_empty() {
        return Err((
            "levels".into(),
            "needs at least one of degraded, partial_outage, major_outage".into(),
        ));
    }
    let mut previous: Option<(Level, f64)> = None;
    let mut sorted = rule.levels.iter().enumerate().collect::<Vec<_>>();
    sorted.sort_by_key(|(_, t)| t.level);
    for (i, t) in sorted {
        let at = |f: &str| format!("levels[{i}].{f}");
        if t.level == Level::Operational {
            return Err((
                at("level"),
                "operational is what remains when no level is reached; allowed values: degraded, partial_outage, major_outage".into(),
            ));
        }
        if !t.enter.is_finite() {
            return Err((at("enter"), "must be a finite number".into()));
        }
        let exit = t.exit.unwrap_or(t.enter);
        if !exit.is_finite() {
            return Err((at("exit"), "must be a finite number".into()));
        }
        let healthy_side = if rule.op.rising() {
            exit <= t.enter
        } else {
            exit >= t.enter
        };
        if !healthy_side {
            return Err((
                at("exit"),
                format!(
                    "{exit} is on the unhealthy side of enter {} for `{}`; the exit threshold must be {} enter",
                    t.enter,
                    op_text(rule.op),
                    if rule.op.rising() { "at most" } else { "at least" }
                ),
            ));
        }
        if let Some((level, enter)) = previous {
            if level == t.level {
                return Err((at("level"), format!("{} appears twice", t.level)));
            }
            let worse = if rule.op.rising() {
                t.enter >= enter
            } else {
                t.enter <= enter
            };
            if !worse {
                return Err((
                    at("enter"),
                    format!(
                        "{} must be at least as extreme as the threshold of {level} ({enter})",
                        t.level
                    ),
                ));
            }
        }
        previous = Some((t.level, t.enter));
    }
    match rule.aggregate {
        Aggregate::Ratio(f) if !(f > 0.0 && f <= 1.0) => Err((
            "aggregate.ratio".into(),
            format!("{f} is not a fraction in (0, 1]"),
        )),
        Aggregate::Quorum(0) => Err(("aggregate.quorum".into(), "must be at least 1".into())),
        _ => Ok(()),
    }
}

fn op_text(op: Comparison) -> &'static str {
    match op {
        Comparison::Gt => ">",
        Comparison::Ge => ">=",
        Comparison::Lt => "<",
        Comparison::Le => "<=",
    }
}

#[cfg(test)]
mod probe_tests {
    use serde_json::json;

    use super::*;

    fn rule(v: serde_json::Value) -> ThresholdRule {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_probe_rule_is_valid_and_reads_its_signal_under_the_probe_key() {
        let r = rule(json!({"probe": "execution.head_age_seconds", "op": ">",
            "levels": [{"level": "degraded", "enter": 60}]}));
        assert_eq!(validate(&r), Ok(()));
        assert_eq!(r.observation_key(), "probe:execution.head_age_seconds");
        assert_eq!(r.promql(), None);
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let failed = QueryResult::Failed("probe execution: connection refused".into());
        let why = read(&r, Some(&failed), Level::Operational, now, 300).unwrap_err();
        assert_eq!(
            why,
            "probe signal `execution.head_age_seconds` failed: probe execution: connection refused"
        );
        // An absent optional signal is an empty result: on_empty decides (unknown by default).
        let empty = QueryResult::Samples(Vec::new());
        assert!(read(&r, Some(&empty), Level::Operational, now, 300).is_err());
    }

    #[test]
    fn a_rule_with_both_or_neither_source_or_a_malformed_signal_is_refused() {
        let both = rule(
            json!({"query": "up", "probe": "a.up", "op": "<", "levels": [{"level": "degraded", "enter": 1}]}),
        );
        assert_eq!(validate(&both).unwrap_err().0, "probe");
        let neither = rule(json!({"op": "<", "levels": [{"level": "degraded", "enter": 1}]}));
        assert_eq!(validate(&neither).unwrap_err().0, "query");
        let bad = rule(
            json!({"probe": "execution", "op": "<", "levels": [{"level": "degraded", "enter": 1}]}),
        );
        let (field, message) = validate(&bad).unwrap_err();
        assert_eq!(field, "probe");
        assert!(message.contains("NAME.SIGNAL"), "{message}");
    }
}
