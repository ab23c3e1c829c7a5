//! One evaluation, the same for `once`, `plan` and `serve`: gather observations, read (or reuse)
//! the page, run the engine, apply the plan, keep the new state.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use instatus::jiff::Timestamp;
use instatus::model::{PageId, StatusPage};
use instatus::sources::{alertmanager, prometheus::Prometheus};
use instatus::status::{
    AlertDelivery, CurrentPage, Note, NoteKind, Observations, Plan, QueryResult, State,
};
use instatus::Client;
use serde::Serialize;

use crate::apply::{self, HttpWriter, Journalled, Outcome, WriteReport};
use crate::config::Settings;
use crate::store::{InFlight, Persisted, Store};

/// The page view is re-read when older than this.
pub const PAGE_MAX_AGE: Duration = Duration::from_secs(10);

/// A source's health in one evaluation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceHealth {
    /// `instatus`, `prometheus` or `alertmanager`.
    pub source: &'static str,
    /// Whether it answered.
    pub ok: bool,
    /// For people.
    pub detail: String,
}

/// Why an evaluation could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    /// An HTTP client could not be built (bad base URL, TLS files...).
    #[error("instatus: {0}")]
    Client(#[source] instatus::Error),
    /// The page could not be found (by id, subdomain or name).
    #[error("instatus: cannot read the page: {0}")]
    FindPage(#[source] instatus::lookup::LookupError),
    /// The page could not be read.
    #[error("instatus: cannot read the page: {0}")]
    Page(#[source] instatus::Error),
    /// The state directory cannot be opened.
    #[error("state_dir: {}: {source}", dir.display())]
    State {
        /// The directory.
        dir: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The state cannot be saved (the message names the file).
    #[error("state_dir: {0}")]
    Save(#[source] std::io::Error),
}

/// What one evaluation did.
#[derive(Clone, Debug, Serialize)]
pub struct Evaluation {
    /// The plan as evaluated.
    #[serde(skip)]
    pub plan: Plan,
    /// The writes and their outcomes (empty for `plan`).
    pub writes: Vec<WriteReport>,
    /// The engine's notes.
    pub notes: Vec<Note>,
    /// The sources' health.
    pub sources: Vec<SourceHealth>,
    /// Public metric pushes.
    pub metrics: Vec<crate::public_metrics::MetricWrite>,
    /// How long it took.
    #[serde(skip)]
    pub duration: Duration,
}

impl Evaluation {
    /// Whether any source or observation was unknown.
    pub fn unknown(&self) -> bool {
        self.sources.iter().any(|s| !s.ok) || self.notes.iter().any(|n| n.kind == NoteKind::Unknown)
    }

    /// Whether every write landed (or was already there).
    pub fn writes_ok(&self) -> bool {
        self.writes
            .iter()
            .all(|w| matches!(w.outcome, Outcome::Ok | Outcome::Skipped))
    }
}

/// What to do in one evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mode {
    /// Query Prometheus and read Alertmanager (else reuse the last query results: a webhook
    /// evaluation must not wait for Prometheus).
    pub read_sources: bool,
    /// Re-read the page even when the cached view is young.
    pub refresh_page: bool,
    /// Apply the plan and keep the state (false: `plan`, nothing changes anywhere).
    pub write: bool,
}

/// The bridge: clients, the engine, the carried state, the cached page.
pub struct Bridge {
    /// The resolved configuration.
    pub settings: Settings,
    reader: Client,
    writer: Client,
    prometheus: Option<Prometheus>,
    foreign: Client,
    page_info: Option<StatusPage>,
    /// The engine's state and the metrics' last points.
    pub persisted: Persisted,
    store: Option<Store>,
    page: Option<(CurrentPage, Instant)>,
    last_queries: BTreeMap<String, QueryResult>,
    /// Deliveries not yet taken by a successful evaluation.
    carry: Vec<AlertDelivery>,
    feeder: crate::public_metrics::Feeder,
    /// The built-in probes, which sources answered, the modes.
    pub probes: crate::probes::Probes,
    /// Start-up notes (an ignored state file...).
    pub startup_notes: Vec<String>,
    /// A write the previous process left in flight: it may still land, so the first writes wait
    /// for it.
    in_flight: Option<InFlight>,
}

impl std::fmt::Debug for Bridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bridge")
            .field("page", &self.settings.page)
            .field("writer", &self.writer)
            .finish_non_exhaustive()
    }
}

fn user_agent() -> String {
    concat!("instatus-bridge/", env!("CARGO_PKG_VERSION")).to_owned()
}

impl Bridge {
    /// Builds the clients and loads the state directory (no network yet).
    pub fn new(settings: Settings) -> Result<Bridge, BridgeError> {
        let i = &settings.config.instatus;
        let timeout = Duration::from_secs(i.timeout_secs);
        let base = Client::builder(settings.api_key.clone())
            .base_url(i.base_url.clone())
            .timeout(timeout)
            .user_agent(user_agent());
        let reader = base.clone().build().map_err(BridgeError::Client)?;
        let writer = base
            .max_requests_per_second(i.writes_per_second)
            .build()
            .map_err(BridgeError::Client)?;
        let foreign_timeout = settings
            .config
            .prometheus
            .as_ref()
            .map_or(10, |p| p.timeout_secs);
        let timeout = Duration::from_secs(foreign_timeout);
        let foreign = crate::foreign::client(timeout, &settings.alertmanager_http, user_agent())
            .map_err(BridgeError::Client)?;
        let prometheus = match &settings.config.prometheus {
            Some(p) => Some(Prometheus::new(
                crate::foreign::client(timeout, &settings.prometheus_http, user_agent())
                    .map_err(BridgeError::Client)?,
                p.url.clone(),
            )),
            None => None,
        };
        let probes = crate::probes::Probes::new(settings.config.probes.clone(), &user_agent())
            .map_err(BridgeError::Client)?;
        let mut startup_notes = Vec::new();
        let (store, persisted) = match &settings.config.state_dir {
            Some(dir) => {
                let store = Store::open(dir).map_err(|source| BridgeError::State {
                    dir: dir.clone(),
                    source,
                })?;
                let (persisted, note) = store.load();
                startup_notes.extend(note);
                (Some(store), persisted)
            }
            None => (None, Persisted::default()),
        };
        let in_flight = store.as_ref().and_then(Store::in_flight);
        if let Some(f) = &in_flight {
            startup_notes.push(format!(
                "a write was in flight when the last run stopped ({}, sent at {}); the first \
                 writes wait until it can no longer land",
                f.what, f.at
            ));
        }
        Ok(Bridge {
            settings,
            reader,
            writer,
            prometheus,
            foreign,
            page_info: None,
            persisted,
            store,
            page: None,
            last_queries: BTreeMap::new(),
            carry: Vec::new(),
            feeder: Default::default(),
            probes,
            startup_notes,
            in_flight,
        })
    }

    /// The state directory, if configured.
    pub fn store(&self) -> Option<&Store> {
        self.store.as_ref()
    }

    /// Deliveries to take into the next evaluation (replayed journal lines...).
    pub fn push_deliveries(&mut self, deliveries: Vec<AlertDelivery>) {
        self.carry.extend(deliveries);
    }

    /// HTTP requests sent to Instatus so far (reads and writes).
    pub fn instatus_requests(&self) -> u64 {
        self.reader.request_count() + self.writer.request_count()
    }

    /// The page id, found once by id, subdomain or name.
    fn page_id(&mut self) -> Result<PageId, BridgeError> {
        if let Some(page) = &self.page_info {
            return Ok(page.id.clone());
        }
        let page = instatus::lookup::find_page(&self.reader, &self.settings.page)
            .map_err(BridgeError::FindPage)?;
        let id = page.id.clone();
        self.page_info = Some(page);
        Ok(id)
    }

    /// The page's maintenances (the last read) and, with `ephemery_resets`, the upcoming resets,
    /// as an iCalendar document; `None` before the page was first read.
    pub fn calendar(&self, now: Timestamp) -> Option<String> {
        let info = self.page_info.as_ref()?;
        let (page, _) = self.page.as_ref()?;
        let c = &self.settings.config.calendar;
        let options = instatus::calendar::page_options(info).overridden(
            c.name.as_deref(),
            c.uid_domain.as_deref(),
            c.past_days,
        );
        let windows = self
            .settings
            .resets
            .as_ref()
            .map(|r| r.upcoming(now))
            .unwrap_or_default();
        let resets = self
            .settings
            .resets
            .as_ref()
            .map(|r| instatus::calendar::Resets {
                windows: &windows,
                marker: &r.window.marker,
            });
        Some(instatus::calendar::document(
            &page.maintenances,
            resets,
            now,
            &options,
        ))
    }

    /// The cached page, if young enough (for `/metrics` and the tests).
    pub fn cached_page(&self) -> Option<&CurrentPage> {
        self.page.as_ref().map(|(p, _)| p)
    }

    /// Forgets the cached page: the next evaluation reads it.
    pub fn invalidate_page(&mut self) {
        self.page = None;
    }

    fn gather(
        &mut self,
        mode: Mode,
        now: Timestamp,
        sources: &mut Vec<SourceHealth>,
    ) -> Observations {
        let mut alerts = std::mem::take(&mut self.carry);
        if mode.read_sources {
            let probed = self.probes.run(now);
            if let Some(prom) = &self.prometheus {
                let queries = self.settings.engine.queries();
                let mut failed = Vec::new();
                let mut results = BTreeMap::new();
                for q in &queries {
                    let r = prom.observe(q, None);
                    if let QueryResult::Failed(why) = &r {
                        failed.push(why.clone());
                    }
                    results.insert((*q).to_owned(), r);
                }
                let url = &self
                    .settings
                    .config
                    .prometheus
                    .as_ref()
                    .map(|p| p.url.clone())
                    .unwrap_or_default();
                sources.push(SourceHealth {
                    source: "prometheus",
                    ok: failed.is_empty(),
                    detail: if failed.is_empty() {
                        format!("{url}: {} queries", queries.len())
                    } else {
                        format!(
                            "{url}: {} of {} queries failed: {}",
                            failed.len(),
                            queries.len(),
                            failed[0]
                        )
                    },
                });
                self.last_queries = results;
            }
            if let Some(signals) = probed {
                self.last_queries
                    .retain(|k, _| !k.starts_with(instatus::sources::probes::KEY_PREFIX));
                self.last_queries.extend(signals);
            }
            if let Some(am) = &self.settings.config.alertmanager {
                match alertmanager::read_alerts(&self.foreign, &am.url, now) {
                    Ok(delivery) => {
                        sources.push(SourceHealth {
                            source: "alertmanager",
                            ok: true,
                            detail: format!("{}: {} alerts", am.url, delivery.alerts.len()),
                        });
                        alerts.push(delivery);
                    }
                    Err(e) => sources.push(SourceHealth {
                        source: "alertmanager",
                        ok: false,
                        detail: format!("{}: {e}", am.url),
                    }),
                }
            }
        }
        let observations = Observations {
            queries: self.last_queries.clone(),
            alerts,
        };
        // Every evaluation: a webhook's alerts are an answer of their source too.
        let status = &self.settings.config.status;
        self.probes.track(
            status,
            &observations,
            sources,
            &mut self.persisted.answered,
            now,
        );
        if mode.read_sources {
            sources.extend(self.probes.health(status, &self.persisted.answered));
        }
        observations
    }

    /// One evaluation. On an error nothing is lost: the deliveries are kept for the next one.
    pub fn evaluate(
        &mut self,
        deliveries: Vec<AlertDelivery>,
        mode: Mode,
    ) -> Result<Evaluation, BridgeError> {
        let started = Instant::now();
        if mode.write {
            // Before the page is read: a write the last run left in flight lands first (or can
            // no longer land), so the page read shows it and the saved record recognises it.
            self.wait_for_in_flight();
        }
        let now = Timestamp::now();
        self.carry.extend(deliveries);
        let mut sources = Vec::new();
        let page_id = self.page_id()?;
        let observations = self.gather(mode, now, &mut sources);
        let reopen = self.settings.config.status.incidents.reopen_within_secs;
        let stale = self
            .page
            .as_ref()
            .is_none_or(|(_, at)| at.elapsed() > PAGE_MAX_AGE);
        if mode.refresh_page || stale {
            match apply::read_page(&self.reader, &page_id, reopen, now) {
                Ok(page) => self.page = Some((page, Instant::now())),
                Err(e) => {
                    // Keep the deliveries for the next try.
                    self.carry = observations.alerts;
                    self.page = None;
                    return Err(BridgeError::Page(e));
                }
            }
        }
        sources.insert(
            0,
            SourceHealth {
                source: "instatus",
                ok: true,
                detail: format!("page {}", self.settings.page),
            },
        );
        let (mut page, read_at) = self.page.take().expect("page read above");
        let state = if mode.write {
            std::mem::take(&mut self.persisted.engine)
        } else {
            self.persisted.engine.clone()
        };
        let (plan, state) = self.plan(&observations, &mut page, state, now);
        let writes = if mode.write {
            self.persisted.engine = state;
            if !plan.actions.is_empty() {
                // Write-ahead: the saved state holds the statuses about to be written, so a crash
                // between a write and the next save never reads them as a person's edit.
                if let Err(e) = self.save() {
                    sources.push(SourceHealth {
                        source: "state_dir",
                        ok: false,
                        detail: format!("cannot save the state before writing: {e}"),
                    });
                }
            }
            let i = &self.settings.config.instatus;
            if !plan.actions.is_empty() && i.replica > 0 {
                // A standby replica lets the first one write; the applier reads the page again
                // before each write and skips what was done meanwhile.
                std::thread::sleep(Duration::from_secs(
                    u64::from(i.replica) * i.replica_wait_secs,
                ));
            }
            let mut writer = Journalled::new(
                HttpWriter::new(&self.reader, &self.writer, &page_id, &mut page),
                self.store.as_ref(),
            );
            let reports = instatus::apply::status::apply(&mut writer, &plan);
            for problem in writer.problems {
                sources.push(SourceHealth {
                    source: "state_dir",
                    ok: false,
                    detail: problem,
                });
            }
            reports
        } else {
            Vec::new()
        };
        let all_ok = writes.iter().all(|w| w.outcome == Outcome::Ok);
        if all_ok {
            self.page = Some((page, read_at));
        }
        Ok(Evaluation {
            notes: plan.notes.clone(),
            plan,
            writes,
            sources,
            metrics: Vec::new(),
            duration: started.elapsed(),
        })
    }

    /// Waits until a write the previous process left in flight can no longer land (sent more
    /// than a request timeout plus a margin ago), so it cannot overwrite what is written now
    /// and the page read after shows it.
    fn wait_for_in_flight(&mut self) {
        let Some(f) = self.in_flight.take() else {
            return;
        };
        let wait = instatus::recover::recovery_wait(&self.writer);
        let elapsed = Timestamp::now()
            .as_second()
            .saturating_sub(f.at.as_second())
            .max(0) as u64;
        if let Some(left) = wait.checked_sub(Duration::from_secs(elapsed)) {
            std::thread::sleep(left);
        }
        if let Some(store) = &self.store {
            store.clear_in_flight();
        }
    }

    /// The engine's plan; while an Ephemery reset window runs, its components count as under a
    /// maintenance in progress (added for the evaluation only, `page` is left as it was).
    fn plan(
        &self,
        observations: &Observations,
        page: &mut CurrentPage,
        state: State,
        now: Timestamp,
    ) -> (Plan, State) {
        let muted = self
            .settings
            .resets
            .as_ref()
            .and_then(|r| r.mute(page, now));
        // Per-component modes (off, observe, and observe until a source answered).
        let modes = self
            .probes
            .modes_now(&self.settings.config.status, &self.persisted.answered);
        let (plan, state) =
            self.settings
                .engine
                .evaluate_with_modes(observations, &modes, page, state, now);
        crate::resets::unmute(page, muted);
        (plan, state)
    }

    /// After writing: re-read the page and evaluate again without writing, with the same
    /// observations. Converged when nothing is left to write.
    pub fn check_converged(&mut self) -> Result<Plan, BridgeError> {
        let page_id = self.page_id()?;
        let now = Timestamp::now();
        let reopen = self.settings.config.status.incidents.reopen_within_secs;
        let mut page =
            apply::read_page(&self.reader, &page_id, reopen, now).map_err(BridgeError::Page)?;
        let observations = Observations {
            queries: self.last_queries.clone(),
            alerts: Vec::new(),
        };
        let state = self.persisted.engine.clone();
        let (plan, _) = self.plan(&observations, &mut page, state, now);
        self.page = Some((page, Instant::now()));
        Ok(plan)
    }

    /// Samples the public metrics that are due and pushes full buffers (all with `flush`).
    pub fn feed_metrics(&mut self, flush: bool) -> Vec<crate::public_metrics::MetricWrite> {
        if self.prometheus.is_none() || self.settings.config.metrics.is_empty() {
            return Vec::new();
        }
        let Ok(page) = self.page_id() else {
            return Vec::new();
        };
        let Some(prom) = &self.prometheus else {
            return Vec::new();
        };
        let now_ms = Timestamp::now().as_millisecond();
        self.feeder.tick(
            prom,
            &self.reader,
            &self.writer,
            &page,
            &self.settings.config.metrics,
            &mut self.persisted.metrics,
            now_ms,
            flush,
        )
    }

    /// Saves the state when a state directory is configured.
    pub fn save(&self) -> Result<(), BridgeError> {
        match &self.store {
            Some(store) => store.save(&self.persisted).map_err(BridgeError::Save),
            None => Ok(()),
        }
    }
}
