//! The alerts the engine has heard of: deliveries taken in (deduplicated per episode), pruned,
//! the heartbeat that says the alert pipeline works, and which alert rules they hit (through the
//! index of the rules' `=` matchers).

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashSet};

use jiff::Timestamp;

use super::engine::{AlertRecord, Engine, State};
use super::matcher::all_compiled;
use super::observe::{Alert, AlertDelivery};

/// Every alert rule's firing alerts with their position in the state, found once per evaluation
/// and only when a text needs them.
pub(super) type Matches<'s> = OnceCell<Vec<Vec<(usize, &'s Alert)>>>;

impl Engine {
    /// state keeps them.
    pub(super) fn matched_alerts<'s>(
        &'s self,
        alerts: &'s BTreeMap<String, AlertRecord>,
        matches: &Matches<'s>,
        i: usize,
        now: Timestamp,
    ) -> Vec<&'s Alert> {
        let by_rule = matches.get_or_init(|| self.alert_matches(alerts, now));
        let mut out: Vec<(usize, &Alert)> = self.alert_rule_of[i]
            .iter()
            .filter(|&&k| k != usize::MAX)
            .flat_map(|&k| by_rule[k].iter().copied())
            .collect();
        out.sort_by_key(|(position, _)| *position);
        out.dedup_by_key(|(position, _)| *position);
        out.into_iter().map(|(_, a)| a).collect()
    }

    /// Every alert rule's firing alerts (with their position in the state), in one pass over the
    /// alerts through the index.
    fn alert_matches<'s>(
        &'s self,
        alerts: &'s BTreeMap<String, AlertRecord>,
        now: Timestamp,
    ) -> Vec<Vec<(usize, &'s Alert)>> {
        let mut by_rule: Vec<Vec<(usize, &Alert)>> = vec![Vec::new(); self.alert_rules.len()];
        for (position, record) in alerts.values().enumerate() {
            if !active(record, now) {
                continue;
            }
            let labels = &record.alert.labels;
            self.for_each_candidate(labels, |k| {
                if all_compiled(&self.alert_rules[k].2, labels) {
                    by_rule[k].push((position, &record.alert));
                }
            });
        }
        by_rule
    }

    pub(super) fn ingest(&self, state: &mut State, delivery: &AlertDelivery) {
        let mut listed = HashSet::new();
        for alert in &delivery.alerts {
            let key = format!("{}@{}", alert.fingerprint, alert.starts_at);
            if let Some((matchers, _)) = &self.heartbeat {
                if alert.firing && all_compiled(matchers, &alert.labels) {
                    state.heartbeat_seen = state.heartbeat_seen.max(Some(delivery.received_at));
                }
            }
            match state.alerts.get_mut(&key) {
                Some(record) => {
                    // Resolved is final for an episode; the newest delivery's details win.
                    record.firing &= alert.firing;
                    if delivery.received_at >= record.last_seen {
                        record.last_seen = delivery.received_at;
                        record.alert = alert.clone();
                    }
                }
                None => {
                    state.alerts.insert(
                        key.clone(),
                        AlertRecord {
                            alert: alert.clone(),
                            firing: alert.firing,
                            last_seen: delivery.received_at,
                        },
                    );
                }
            }
            listed.insert(key);
        }
        if delivery.complete {
            for (key, record) in state.alerts.iter_mut() {
                if record.firing
                    && !listed.contains(key)
                    && record.last_seen <= delivery.received_at
                {
                    record.firing = false;
                    record.last_seen = delivery.received_at;
                }
            }
        }
    }

    pub(super) fn prune(&self, state: &mut State, now: Timestamp) {
        let keep_after = now.as_second() - self.config.freshness.alert_retention_secs as i64;
        state.alerts.retain(|_, r| {
            let ended = !r.firing || r.alert.ends_at.is_some_and(|e| e <= now);
            !ended || r.last_seen.as_second() >= keep_after
        });
    }

    pub(super) fn alerts_known(&self, state: &State, now: Timestamp) -> Result<(), String> {
        let Some((_, max_silence)) = &self.heartbeat else {
            return Ok(());
        };
        match state.heartbeat_seen {
            Some(seen) if now.as_second() - seen.as_second() <= *max_silence as i64 => Ok(()),
            Some(seen) => Err(format!(
                "the heartbeat alert was last seen at {seen}, more than {max_silence} s ago"
            )),
            None => Err("the heartbeat alert has not been seen yet".to_owned()),
        }
    }

    /// Which alert rules have a firing alert.
    pub(super) fn alert_hits(&self, state: &State, now: Timestamp) -> Vec<bool> {
        let mut hits = vec![false; self.alert_rules.len()];
        for record in state.alerts.values() {
            if !active(record, now) {
                continue;
            }
            let labels = &record.alert.labels;
            self.for_each_candidate(labels, |k| {
                if !hits[k] && all_compiled(&self.alert_rules[k].2, labels) {
                    hits[k] = true;
                }
            });
        }
        hits
    }

    /// Calls `f` with every alert rule that could match these labels: the rules indexed under
    /// one of the label values (their `=` matcher), and the rules without an `=` matcher.
    fn for_each_candidate(&self, labels: &BTreeMap<String, String>, mut f: impl FnMut(usize)) {
        // The index has few label names (usually only `alertname`): look each up in the labels.
        for (name, values) in &self.alert_index {
            let Some(candidates) = labels.get(name).and_then(|v| values.get(v.as_str())) else {
                continue;
            };
            for &k in candidates {
                f(k);
            }
        }
        for &k in &self.unindexed {
            f(k);
        }
    }
}

/// Whether an alert episode counts as firing at `now` (an `endsAt` in the past has expired:
/// Alertmanager's own rule for alerts whose resolve never arrived).
fn active(record: &AlertRecord, now: Timestamp) -> bool {
    record.firing && record.alert.ends_at.is_none_or(|e| e > now)
}
