//! The webhook intake: dedupe per (fingerprint, startsAt, status), the pending alerts for the next
//! evaluation, and the journal line written before a webhook is answered.

use std::collections::HashMap;
use std::io;
use std::sync::Mutex;

use instatus::jiff::Timestamp;
use instatus::sources::alertmanager::WebhookPayload;
use instatus::status::{Alert, AlertDelivery, State};

use crate::store::{Journal, Store};

/// What a webhook brought.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Accepted {
    /// Alerts in the payload.
    pub alerts: usize,
    /// Alerts not seen before (with this status and start): these wake the evaluator.
    pub new: usize,
    /// Alerts seen before.
    pub duplicates: usize,
}

/// What the evaluator takes.
#[derive(Debug, Default)]
pub struct Drained {
    /// The pending alerts, one delivery per alert with its last arrival time.
    pub deliveries: Vec<AlertDelivery>,
    /// Journal generations up to this one are covered once the state is saved.
    pub covered: Option<u64>,
    /// A payload was truncated: read Alertmanager's full list.
    pub full: bool,
}

struct Inner {
    /// Key → when last heard (seconds).
    seen: HashMap<String, i64>,
    /// Key → the alert and its last arrival.
    pending: HashMap<String, (Alert, Timestamp)>,
    journal: Option<Journal>,
    full: bool,
    prune_at: usize,
}

/// The intake, shared by the HTTP handlers and the evaluator.
pub struct Intake {
    inner: Mutex<Inner>,
    store: Option<Store>,
    retention_secs: i64,
}

impl std::fmt::Debug for Intake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Intake").finish_non_exhaustive()
    }
}

fn key(fingerprint: &str, starts_at: Timestamp, firing: bool) -> String {
    format!(
        "{fingerprint}@{starts_at}@{}",
        if firing { "firing" } else { "resolved" }
    )
}

impl Intake {
    /// An intake remembering keys for `retention_secs` (the engine's `alert_retention_secs`),
    /// journalling to `store` (from `generation` on) when given.
    pub fn new(store: Option<Store>, generation: u64, retention_secs: u64) -> io::Result<Intake> {
        let journal = match &store {
            Some(s) => Some(s.journal(generation)?),
            None => None,
        };
        Ok(Intake {
            inner: Mutex::new(Inner {
                seen: HashMap::new(),
                pending: HashMap::new(),
                journal,
                full: false,
                prune_at: 4096,
            }),
            store,
            retention_secs: retention_secs as i64,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Marks what the engine already knows as seen (after a restart).
    pub fn seed(&self, state: &State, now: Timestamp) {
        let mut inner = self.lock();
        for record in state.alerts.values() {
            let a = &record.alert;
            inner.seen.insert(
                key(&a.fingerprint, a.starts_at, record.firing),
                now.as_second(),
            );
            if !record.firing {
                // A firing re-send after the resolve changes nothing either.
                inner
                    .seen
                    .insert(key(&a.fingerprint, a.starts_at, true), now.as_second());
            }
        }
    }

    /// Takes a validated webhook: dedupes its alerts and records the new ones (journal first).
    /// An error means nothing was recorded (answer 5xx).
    pub fn accept(&self, payload: &WebhookPayload, now: Timestamp) -> io::Result<Accepted> {
        let delivery = payload.delivery(now);
        let mut inner = self.lock();
        let mut fresh = Vec::new();
        let mut duplicates = 0;
        for alert in &delivery.alerts {
            let k = key(&alert.fingerprint, alert.starts_at, alert.firing);
            if inner.seen.contains_key(&k) {
                duplicates += 1;
            } else {
                fresh.push(alert.clone());
            }
        }
        if !fresh.is_empty() {
            if let Some(journal) = &mut inner.journal {
                journal.append(&AlertDelivery {
                    received_at: now,
                    alerts: fresh.clone(),
                    complete: false,
                })?;
            }
        }
        let secs = now.as_second();
        for alert in delivery.alerts {
            let k = key(&alert.fingerprint, alert.starts_at, alert.firing);
            inner.seen.insert(k.clone(), secs);
            // Duplicates refresh the pending copy (a heartbeat re-send keeps alert rules known)
            // but do not wake the evaluator.
            inner.pending.insert(k, (alert, now));
        }
        if payload.truncated_alerts > 0 {
            inner.full = true;
        }
        if inner.seen.len() > inner.prune_at {
            let keep_after = secs - self.retention_secs;
            inner.seen.retain(|_, heard| *heard >= keep_after);
            inner.prune_at = (inner.seen.len() * 2).max(4096);
        }
        Ok(Accepted {
            alerts: fresh.len() + duplicates,
            new: fresh.len(),
            duplicates,
        })
    }

    /// Whether there is something for the evaluator.
    pub fn has_pending(&self) -> bool {
        !self.lock().pending.is_empty()
    }

    /// Takes the pending alerts and starts a new journal generation.
    pub fn drain(&self) -> Drained {
        let mut inner = self.lock();
        let full = std::mem::take(&mut inner.full);
        if inner.pending.is_empty() {
            return Drained {
                full,
                ..Drained::default()
            };
        }
        let deliveries = inner
            .pending
            .drain()
            .map(|(_, (alert, received_at))| AlertDelivery {
                received_at,
                alerts: vec![alert],
                complete: false,
            })
            .collect();
        let mut covered = None;
        if let (Some(store), Some(old)) =
            (&self.store, inner.journal.as_ref().map(|j| j.generation))
        {
            if let Ok(next) = store.journal(old + 1) {
                inner.journal = Some(next);
                covered = Some(old);
            }
        }
        Drained {
            deliveries,
            covered,
            full,
        }
    }

    /// Keys remembered (for tests and the benchmark).
    pub fn seen_len(&self) -> usize {
        self.lock().seen.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(status: &str, starts: &str) -> WebhookPayload {
        let body = format!(
            r#"{{"version":"4","status":"{status}","alerts":[{{"status":"{status}","labels":{{"alertname":"A"}},"startsAt":"{starts}","endsAt":"0001-01-01T00:00:00Z","fingerprint":"f1"}}],"truncatedAlerts":0}}"#
        );
        WebhookPayload::parse(body.as_bytes()).unwrap()
    }

    fn dir(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("bridge-intake-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn dedupes_per_fingerprint_start_and_status() {
        let intake = Intake::new(None, 0, 86_400).unwrap();
        let now = Timestamp::now();
        let t1 = "2026-12-01T10:00:00Z";
        assert_eq!(intake.accept(&payload("firing", t1), now).unwrap().new, 1);
        assert_eq!(
            intake
                .accept(&payload("firing", t1), now)
                .unwrap()
                .duplicates,
            1
        );
        assert_eq!(
            intake.accept(&payload("resolved", t1), now).unwrap().new,
            1,
            "a new status"
        );
        assert_eq!(
            intake
                .accept(&payload("firing", "2026-12-01T11:00:00Z"), now)
                .unwrap()
                .new,
            1,
            "a new episode"
        );
        let drained = intake.drain();
        assert_eq!(drained.deliveries.len(), 3, "one pending entry per key");
        assert!(!intake.has_pending());
    }

    #[test]
    fn the_journal_replays_what_was_answered_and_is_forgotten_once_covered() {
        let d = dir("journal");
        let store = Store::open(&d).unwrap();
        let intake = Intake::new(Some(Store::open(&d).unwrap()), 0, 86_400).unwrap();
        let now = Timestamp::now();
        intake
            .accept(&payload("firing", "2026-12-01T10:00:00Z"), now)
            .unwrap();
        intake
            .accept(&payload("firing", "2026-12-01T10:00:00Z"), now)
            .unwrap();
        // As after a SIGKILL: a new process replays the journal.
        let (replayed, next) = store.replay();
        assert_eq!(replayed.len(), 1, "duplicates are not journalled");
        assert_eq!(replayed[0].alerts[0].fingerprint, "f1");
        assert_eq!(next, 1);
        let drained = intake.drain();
        assert_eq!(drained.covered, Some(0));
        intake
            .accept(&payload("resolved", "2026-12-01T10:00:00Z"), now)
            .unwrap();
        store.forget_journals(0);
        let (replayed, _) = store.replay();
        assert_eq!(replayed.len(), 1, "only the newer generation is left");
        assert!(!replayed[0].alerts[0].firing);
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn seeding_from_the_state_makes_known_alerts_duplicates() {
        let intake = Intake::new(None, 0, 86_400).unwrap();
        let p = payload("resolved", "2026-12-01T10:00:00Z");
        let mut state = State::default();
        let alert = p.delivery(Timestamp::now()).alerts[0].clone();
        state.alerts.insert(
            "k".into(),
            instatus::status::AlertRecord {
                alert,
                firing: false,
                last_seen: Timestamp::now(),
            },
        );
        intake.seed(&state, Timestamp::now());
        assert_eq!(intake.accept(&p, Timestamp::now()).unwrap().duplicates, 1);
        let late_firing = payload("firing", "2026-12-01T10:00:00Z");
        assert_eq!(
            intake
                .accept(&late_firing, Timestamp::now())
                .unwrap()
                .duplicates,
            1
        );
    }
}
