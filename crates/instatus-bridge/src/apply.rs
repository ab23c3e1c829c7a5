//! The bridge's side of applying a plan: the library's one applier
//! ([`instatus::apply::status`]) over the API, with each write recorded in the state directory
//! while it is in flight (write-ahead), so a restart after a crash knows a write may still land.
//!
//! The engine's state, which records the statuses automation is about to write, is saved before
//! the first write of an evaluation ([`crate::bridge::Bridge::evaluate`]); this module adds the
//! one write in flight. Together they make a crash at any point converge: a status on the page
//! that automation wrote is never mistaken for a person's edit, and a write whose answer was
//! lost is given time to land before anything is written again.

use instatus::api::incidents::{CreateIncidentRequest, CreateIncidentUpdateRequest};
use instatus::apply::status::StatusWriter;
use instatus::jiff::Timestamp;
use instatus::model::{ComponentId, ComponentStatus, Incident, IncidentId};
use instatus::Error;

pub use instatus::apply::status::{read_page, HttpWriter, Outcome, WriteReport};

use crate::store::Store;

/// Test hook: with `INSTATUS_BRIDGE_ABORT_AFTER_WRITES=N` in the environment the process kills
/// itself with SIGKILL (no state saved, nothing flushed, as `kill -9`) right after the answer of
/// its Nth write to Instatus. The crash tests stop the bridge at every write boundary with it.
pub const ABORT_AFTER_WRITES: &str = "INSTATUS_BRIDGE_ABORT_AFTER_WRITES";

static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn abort_after() -> Option<u64> {
    static LIMIT: std::sync::OnceLock<Option<u64>> = std::sync::OnceLock::new();
    *LIMIT.get_or_init(|| {
        std::env::var(ABORT_AFTER_WRITES)
            .ok()
            .and_then(|v| v.trim().parse().ok())
    })
}

/// Ends the process as `kill -9` would.
fn kill_self() -> ! {
    let _ = std::process::Command::new("kill")
        .args(["-KILL", &std::process::id().to_string()])
        .status();
    // The signal is on its way; should `kill` be missing, end without unwinding anyway.
    std::process::abort()
}

/// A [`StatusWriter`] whose writes are recorded in the state directory while in flight.
pub struct Journalled<'a, W> {
    inner: W,
    store: Option<&'a Store>,
    /// Records that could not be written (the writes went ahead; the evaluation reports it).
    pub problems: Vec<String>,
}

impl<'a, W: StatusWriter> Journalled<'a, W> {
    /// Wraps `inner`; without a store only the test hook applies.
    pub fn new(inner: W, store: Option<&'a Store>) -> Self {
        Journalled {
            inner,
            store,
            problems: Vec::new(),
        }
    }

    fn write<T>(
        &mut self,
        what: String,
        f: impl FnOnce(&mut W) -> Result<T, Error>,
    ) -> Result<T, Error> {
        if let Some(store) = self.store {
            if let Err(e) = store.mark_in_flight(&what, Timestamp::now()) {
                self.problems
                    .push(format!("cannot record the write in flight ({what}): {e}"));
            }
        }
        let result = f(&mut self.inner);
        if let Some(store) = self.store {
            if result.as_ref().is_ok() || result.as_ref().is_err_and(|e| !e.is_ambiguous()) {
                store.clear_in_flight();
            }
        }
        if result.is_ok() {
            let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            if abort_after().is_some_and(|limit| n >= limit) {
                kill_self();
            }
        }
        result
    }
}

impl<W: StatusWriter> StatusWriter for Journalled<'_, W> {
    fn wait_for_turn(&mut self) {
        self.inner.wait_for_turn();
    }

    fn component_status(&mut self, id: &ComponentId) -> Result<ComponentStatus, Error> {
        self.inner.component_status(id)
    }

    fn set_component_status(
        &mut self,
        id: &ComponentId,
        status: &ComponentStatus,
    ) -> Result<ComponentStatus, Error> {
        self.write(format!("component {id} {status}"), |w| {
            w.set_component_status(id, status)
        })
    }

    fn open_incidents(&mut self) -> Result<Vec<Incident>, Error> {
        self.inner.open_incidents()
    }

    fn incident(&mut self, id: &IncidentId) -> Result<Incident, Error> {
        self.inner.incident(id)
    }

    fn create_incident(
        &mut self,
        body: &CreateIncidentRequest,
        find: &dyn Fn(&[Incident]) -> Option<Incident>,
    ) -> Result<(Incident, bool), Error> {
        self.write(format!("create incident {:?}", body.name), |w| {
            w.create_incident(body, find)
        })
    }

    fn post_update(
        &mut self,
        id: &IncidentId,
        body: &CreateIncidentUpdateRequest,
    ) -> Result<Incident, Error> {
        self.write(format!("incident {id} update {}", body.status), |w| {
            w.post_update(id, body)
        })
    }

    fn rename_incident(&mut self, id: &IncidentId, name: &str) -> Result<Incident, Error> {
        self.write(format!("incident {id} rename"), |w| {
            w.rename_incident(id, name)
        })
    }
}
