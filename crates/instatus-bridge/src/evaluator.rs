//! The evaluator of `serve`: a plain thread (the client is blocking) that drains what the webhooks
//! left pending as soon as it is idle, evaluates every interval, records the outcome, and proves
//! it is alive through [`Liveness`] (read by `/healthz` and the systemd watchdog).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use instatus::jiff::Timestamp;
use instatus::model::ComponentTree;
use instatus::status::{Level, NoteKind};

use crate::bridge::{Bridge, Evaluation, Mode};
use crate::heartbeat::{Beat, Heartbeat};
use crate::server::{log, Shared};

/// What woke the evaluator.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Wake {
    /// Something was handed over (a webhook with news, an Instatus webhook).
    pub woken: bool,
    /// The process is stopping.
    pub shutdown: bool,
}

/// Wakes the evaluator: a webhook arrived, or the process stops.
#[derive(Debug, Default)]
pub struct Signal {
    state: Mutex<Wake>,
    cond: Condvar,
}

impl Signal {
    /// Something is pending: evaluate now.
    pub fn wake(&self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).woken = true;
        self.cond.notify_one();
    }

    /// Stop after the evaluation in flight.
    pub fn shutdown(&self) {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .shutdown = true;
        self.cond.notify_one();
    }

    /// Waits until woken, shut down or `deadline`, and clears `woken`.
    pub fn wait(&self, deadline: Instant) -> Wake {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if st.woken || st.shutdown {
                let out = *st;
                st.woken = false;
                return out;
            }
            let now = Instant::now();
            if now >= deadline {
                return Wake::default();
            }
            st = self
                .cond
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

/// Whether the evaluator is alive: it beats after every evaluation (ok or failed) and every time
/// it wakes with nothing to do, so the gap between beats is at most the interval plus one
/// evaluation. A gap longer than `stall_after`, or a thread that ended, is a dead evaluator:
/// `/healthz` answers 503 and the watchdog is no longer fed.
#[derive(Debug)]
pub struct Liveness {
    origin: Instant,
    /// Milliseconds since `origin` at the last beat.
    last_beat_ms: AtomicU64,
    running: AtomicBool,
    stall_after: Duration,
}

impl Liveness {
    /// A liveness that counts the evaluator stuck after `stall_after` without a beat; it starts
    /// with a beat (the start-up evaluation has `stall_after` to finish).
    pub fn new(stall_after: Duration) -> Liveness {
        Liveness {
            origin: Instant::now(),
            last_beat_ms: AtomicU64::new(0),
            running: AtomicBool::new(true),
            stall_after,
        }
    }

    /// The evaluator made progress.
    pub fn beat(&self) {
        let ms = u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_beat_ms.store(ms, Ordering::SeqCst);
    }

    /// The evaluator thread ended (normally or by a panic).
    pub fn stopped(&self) {
        self.running.store(false, Ordering::SeqCst);
    }

    /// `Ok` while alive, else why not (for `/healthz`).
    pub fn check(&self) -> Result<(), NotAlive> {
        if !self.running.load(Ordering::SeqCst) {
            return Err(NotAlive::Stopped);
        }
        let now = u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX);
        let since =
            Duration::from_millis(now.saturating_sub(self.last_beat_ms.load(Ordering::SeqCst)));
        if since > self.stall_after {
            return Err(NotAlive::Stuck {
                since_secs: since.as_secs(),
                bound_secs: self.stall_after.as_secs(),
            });
        }
        Ok(())
    }
}

/// Why the evaluator is not alive ([`Liveness::check`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotAlive {
    /// Its thread ended.
    #[error("the evaluator stopped")]
    Stopped,
    /// No evaluation finished within the bound.
    #[error("the evaluator is stuck: no evaluation finished for {since_secs} s (the bound is {bound_secs} s: the interval plus server.evaluation_timeout_secs)")]
    Stuck {
        /// Seconds since the last evaluation finished.
        since_secs: u64,
        /// The bound: the interval plus `server.evaluation_timeout_secs`.
        bound_secs: u64,
    },
}

/// Marks the evaluator stopped when its thread ends, a panic included, and tells the server.
pub struct StopGuard<'a> {
    shared: &'a Shared,
}

impl<'a> StopGuard<'a> {
    /// Guards the evaluator thread running with `shared`.
    pub fn new(shared: &'a Shared) -> Self {
        StopGuard { shared }
    }
}

impl Drop for StopGuard<'_> {
    fn drop(&mut self) {
        self.shared.liveness.stopped();
        self.shared.evaluator_stopped.notify_one();
    }
}

/// The evaluation loop: runs until [`Signal::shutdown`], beating `heartbeat` after every
/// successful evaluation. `covered` is the newest journal generation the next saved state will
/// include.
pub fn evaluate_loop(
    mut bridge: Bridge,
    mut heartbeat: Option<Heartbeat>,
    shared: &Shared,
    mut covered: Option<u64>,
) {
    let _guard = StopGuard::new(shared);
    let interval = bridge.settings.interval();
    let mut next_full = Instant::now();
    let mut first = true;
    let mut last_beat_error: Option<String> = None;
    loop {
        let wake = if first {
            Wake {
                woken: true,
                shutdown: false,
            }
        } else {
            shared.signal.wait(next_full)
        };
        if wake.shutdown {
            break;
        }
        let drained = shared.intake.drain();
        let due = Instant::now() >= next_full;
        let full = first || due || drained.full;
        let refresh = shared.refresh_page.swap(false, Ordering::SeqCst);
        if drained.deliveries.is_empty() && !full && !refresh {
            shared.liveness.beat();
            continue;
        }
        if let Some(c) = drained.covered {
            covered = Some(covered.map_or(c, |old| old.max(c)));
        }
        let mode = Mode {
            read_sources: full,
            refresh_page: full || refresh,
            write: true,
        };
        let requests_before = bridge.instatus_requests();
        let result = bridge.evaluate(drained.deliveries, mode);
        if full {
            next_full = Instant::now() + interval;
        }
        match result {
            Ok(mut e) => {
                if full {
                    let metrics = bridge.feed_metrics(false);
                    e.metrics = metrics;
                }
                first = false;
                record(&bridge, shared, &e, requests_before);
                if let Some(doc) = bridge.calendar(Timestamp::now()) {
                    *shared.calendar.lock().unwrap_or_else(|p| p.into_inner()) = Some(doc);
                }
                if let Some(page) = bridge.cached_page() {
                    shared.badges.record(&page.components, Timestamp::now());
                }
                // One line per write, so an operator can tell from the journal what was done.
                for w in &e.writes {
                    log(format!(
                        "{}: {:?} {}",
                        crate::report::action_line(&w.action),
                        w.outcome,
                        w.detail
                    ));
                }
                *shared.not_ready.lock().unwrap_or_else(|p| p.into_inner()) = None;
                match bridge.save() {
                    Ok(()) => {
                        if let (Some(store), Some(c)) = (bridge.store(), covered.take()) {
                            store.forget_journals(c);
                        }
                    }
                    Err(err) => log(format!("cannot save the state: {err}")),
                }
                if !e.writes_ok() {
                    bridge.invalidate_page();
                }
                if let Some(h) = &mut heartbeat {
                    let beat = h.beat();
                    match &beat {
                        Ok(Beat::Pinged) => {}
                        Ok(Beat::Created(what)) => log(format!("heartbeat: created {what}")),
                        Ok(Beat::Updated(what)) => log(format!("heartbeat: updated {what}")),
                        // Once per change: a ping host that is down is not news every interval.
                        Err(e) if last_beat_error.as_deref() != Some(e.to_string().as_str()) => {
                            log(format!("heartbeat: {e}"))
                        }
                        Err(_) => {}
                    }
                    last_beat_error = beat.err().map(|e| e.to_string());
                }
            }
            Err(err) => {
                log(format!("evaluation failed: {err}"));
                shared
                    .telemetry
                    .evaluations
                    .get_or_create(&crate::telemetry::ResultLabel {
                        result: "failed".into(),
                    })
                    .inc();
                shared.telemetry.requests("read", "failed", 1);
                *shared.not_ready.lock().unwrap_or_else(|p| p.into_inner()) = Some(err.to_string());
                if first {
                    // Retry the start-up rebuild soon, not after a whole interval.
                    next_full = Instant::now() + interval.min(Duration::from_secs(5));
                    first = false;
                }
            }
        }
        shared.liveness.beat();
    }
    // Final: keep what is pending in the journal (it is already there) and save the state.
    let flushed = bridge.feed_metrics(true);
    for m in flushed {
        log(format!("metric {}: {:?} {}", m.metric, m.outcome, m.detail));
    }
    if let Err(err) = bridge.save() {
        log(format!("cannot save the state: {err}"));
    }
}

/// Counts one successful evaluation in the metrics.
fn record(bridge: &Bridge, shared: &Shared, e: &Evaluation, requests_before: u64) {
    let t = &shared.telemetry;
    t.evaluations
        .get_or_create(&crate::telemetry::ResultLabel {
            result: "ok".into(),
        })
        .inc();
    t.evaluation_duration.observe(e.duration.as_secs_f64());
    let mut writes = 0;
    for w in &e.writes {
        let outcome = match w.outcome {
            crate::apply::Outcome::Ok => "ok",
            crate::apply::Outcome::Skipped => continue,
            crate::apply::Outcome::Failed => "failed",
            crate::apply::Outcome::Ambiguous => "ambiguous",
        };
        writes += 1;
        t.requests("write", outcome, 1);
        if outcome != "ok" {
            log(crate::report::write_line(w));
        }
    }
    for m in &e.metrics {
        let outcome = match m.outcome {
            crate::apply::Outcome::Ok => "ok",
            crate::apply::Outcome::Ambiguous => "ambiguous",
            _ => "failed",
        };
        writes += 1;
        t.requests("write", outcome, 1);
    }
    let sent = bridge.instatus_requests().saturating_sub(requests_before);
    t.requests("read", "ok", sent.saturating_sub(writes));
    t.last_success
        .set(Timestamp::now().as_millisecond() as f64 / 1000.0);
    let tree = bridge
        .cached_page()
        .map(|p| ComponentTree::from_components(p.components.iter().cloned()));
    for c in &bridge.settings.config.status.components {
        let level = tree
            .as_ref()
            .and_then(|t| t.find(&c.path))
            .map_or(-1, |comp| Level::from_status(&comp.status) as i64);
        let flapping = e
            .notes
            .iter()
            .any(|n| n.path == c.path && n.kind == NoteKind::Flapping);
        let unknown = e
            .notes
            .iter()
            .any(|n| n.path == c.path && n.kind == NoteKind::Unknown);
        t.component(&c.path, level, flapping, unknown);
    }
    crate::probes::record_modes(bridge, t, &e.notes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn liveness_fails_after_the_bound_and_when_stopped() {
        let l = Liveness::new(Duration::from_millis(50));
        assert!(l.check().is_ok());
        std::thread::sleep(Duration::from_millis(80));
        let why = l.check().unwrap_err();
        assert!(matches!(why, NotAlive::Stuck { .. }), "{why}");
        l.beat();
        assert!(l.check().is_ok());
        l.stopped();
        assert_eq!(l.check().unwrap_err(), NotAlive::Stopped);
    }

    #[test]
    fn signal_reports_wake_and_shutdown_by_name() {
        let s = Signal::default();
        let soon = Instant::now() + Duration::from_millis(10);
        assert_eq!(s.wait(soon), Wake::default());
        s.wake();
        assert_eq!(
            s.wait(Instant::now()),
            Wake {
                woken: true,
                shutdown: false
            }
        );
        s.shutdown();
        assert!(s.wait(Instant::now()).shutdown);
    }
}
