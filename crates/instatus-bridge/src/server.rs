//! `serve`: the HTTP side (hyper) and the process around it: bind, accept under the connection
//! bound, serve, shut down within [`SHUTDOWN_BUDGET`]. The routes (`routes.rs`) validate, dedupe
//! and record webhooks and answer at once; the evaluator thread ([`crate::evaluator`]) does the
//! rest.
//! [`run`] takes a bound listener and a shutdown future (as mini-redis' `run` does), so tests run
//! the whole server in-process; [`serve`] is the command, with the signals and the exit code.

use std::convert::Infallible;
use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::{Body, Frame, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use instatus::jiff::Timestamp;
use instatus::webhook::{ReplayGuard, Verifier};
use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::auth::Authorizer;
use crate::bridge::{Bridge, BridgeError};
use crate::config::Settings;
use crate::connections::{self, Admission, Busy, Conn, Limits, Registry};
use crate::evaluator::{Liveness, Signal};
use crate::intake::Intake;
use crate::telemetry::Telemetry;

/// The whole of a shutdown, from the signal to the exit: well below the unit's
/// `TimeoutStopSec` (45 s), so systemd never has to kill the bridge.
pub const SHUTDOWN_BUDGET: Duration = Duration::from_secs(20);

/// The part of [`SHUTDOWN_BUDGET`] given to the requests in flight.
const HTTP_DRAIN: Duration = Duration::from_secs(5);

/// What the HTTP side and the evaluator share.
pub struct Shared {
    /// The webhook intake.
    pub intake: Intake,
    /// The metrics.
    pub telemetry: Telemetry,
    pub(crate) auth: Authorizer,
    pub(crate) limits: Limits,
    /// Wakes the evaluator.
    pub signal: Signal,
    /// Whether the evaluator is alive (`/healthz`, the watchdog).
    pub liveness: Liveness,
    /// Told when the evaluator thread ends (a panic included).
    pub evaluator_stopped: Notify,
    /// `None` when ready, else why not.
    pub not_ready: Mutex<Option<String>>,
    /// `/calendar.ics`, rendered after each evaluation that read the page.
    pub calendar: Mutex<Option<String>>,
    /// `/badge/*.json`: the page status of the last evaluation and the reset schedule.
    pub badges: crate::badge::Badges,
    /// An Instatus webhook said the page changed: the next evaluation reads it again.
    pub refresh_page: AtomicBool,
    /// Checks `/instatus` deliveries, when a secret is configured.
    pub(crate) instatus_webhooks: Option<Verifier>,
    pub(crate) replays: Mutex<ReplayGuard>,
    connections: Registry,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("limits", &self.limits)
            .field("liveness", &self.liveness)
            .finish_non_exhaustive()
    }
}

impl Shared {
    /// The shared state of a server with these parts; `stall_after` bounds the gap between two
    /// evaluations before the evaluator counts as stuck.
    pub fn new(
        intake: Intake,
        auth: Authorizer,
        limits: Limits,
        stall_after: Duration,
        instatus_webhooks: Option<Verifier>,
    ) -> Shared {
        Shared {
            intake,
            telemetry: Telemetry::new(),
            auth,
            limits,
            signal: Signal::default(),
            liveness: Liveness::new(stall_after),
            evaluator_stopped: Notify::new(),
            not_ready: Mutex::new(Some("the start-up evaluation has not finished".into())),
            calendar: Mutex::new(None),
            badges: crate::badge::Badges::default(),
            refresh_page: AtomicBool::new(false),
            instatus_webhooks,
            replays: Mutex::new(ReplayGuard::new(1000)),
            connections: Registry::default(),
        }
    }

    /// The same, with these badges (the reset schedule and when the page status goes stale).
    pub fn with_badges(self, badges: crate::badge::Badges) -> Shared {
        Shared { badges, ..self }
    }

    /// Connections open now.
    pub fn open_connections(&self) -> usize {
        self.connections.len()
    }
}

/// Why `serve` stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// `--listen` is not an address.
    #[error("--listen {0:?} is not an address; allowed: IP:PORT, e.g. 127.0.0.1:9741")]
    Listen(String),
    /// The address cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The async runtime or the evaluator thread cannot start.
    #[error("cannot start the {what}: {source}")]
    Start {
        /// `runtime` or `evaluator`.
        what: &'static str,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// `server.max_connections` does not fit the open-file limit.
    #[error(transparent)]
    FileLimit(#[from] connections::FileLimitError),
    /// The bridge cannot be built (client, state directory).
    #[error(transparent)]
    Bridge(#[from] BridgeError),
    /// Another bridge uses the state folder.
    #[error(transparent)]
    Lock(#[from] crate::lock::LockError),
    /// The journal cannot be opened.
    #[error("cannot open the journal: {0}")]
    Journal(#[source] std::io::Error),
    /// The evaluator thread ended on its own: a panic (its message is in the log above).
    #[error("the evaluator stopped unexpectedly (see the panic above); exiting so the service manager restarts the bridge (the journal keeps the alerts)")]
    EvaluatorDied,
}

/// Writes one line on stderr (the journal under systemd), stamped.
pub fn log(message: impl std::fmt::Display) {
    eprintln!("{} instatus-bridge: {message}", Timestamp::now());
}

/// `serve`: binds, runs until SIGTERM or SIGINT; `Ok` after a clean shutdown, the error
/// otherwise (an evaluator that died included).
pub fn serve(settings: Settings, listen: Option<&str>) -> Result<(), ServeError> {
    let addr: SocketAddr = match listen {
        Some(text) => text
            .parse()
            .map_err(|_| ServeError::Listen(text.to_owned()))?,
        None => settings.listen,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|source| ServeError::Start {
            what: "runtime",
            source,
        })?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Bind { addr, source })?;
        run(listener, shutdown_signal(), settings).await
    })
}

/// Runs the bridge's server on `listener` until `shutdown` resolves: builds the bridge, replays
/// the journal, starts the evaluator, serves. Prints `listening on http://ADDR` on stdout first.
pub async fn run(
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
    settings: Settings,
) -> Result<(), ServeError> {
    let s = &settings.config.server;
    let limits = Limits {
        max_connections: s.max_connections,
        idle_timeout: Duration::from_secs(s.idle_timeout_secs),
        body_timeout: Duration::from_secs(s.body_read_timeout_secs),
        max_body: s.max_body_bytes,
        shutdown: SHUTDOWN_BUDGET,
    };
    connections::check_file_limit(limits.max_connections)?;
    let stall_after = settings.stall_after();
    let auth = Authorizer::new(settings.webhook_auth.as_ref());
    let instatus_webhooks = settings.instatus_webhook_secret.as_ref().map(Verifier::new);
    let retention = settings.config.status.freshness.alert_retention_secs;
    // Held until `run` returns: one bridge per state folder.
    let _lock = match &settings.config.state_dir {
        Some(dir) => {
            let lock = crate::lock::StateLock::acquire(dir, "serve")?;
            if let Some(note) = crate::lock::keep_broken_state_aside(dir) {
                log(note);
            }
            Some(lock)
        }
        None => None,
    };
    // The page status goes stale after two evaluations that should have seen it and did not.
    let badges = crate::badge::Badges::new(settings.resets.as_ref(), 2 * stall_after);
    let heartbeat = crate::heartbeat::Heartbeat::new(&settings).map_err(BridgeError::Client)?;
    let mut bridge = Bridge::new(settings)?;
    for note in &bridge.startup_notes {
        log(note);
    }
    // The journal a previous run left: replayed into the first evaluation.
    let (journal, generation) = bridge.store().map(|s| s.replay()).unwrap_or_default();
    let store = match &bridge.settings.config.state_dir {
        Some(dir) => Some(
            crate::store::Store::open(dir).map_err(|source| BridgeError::State {
                dir: dir.clone(),
                source,
            })?,
        ),
        None => None,
    };
    let intake = Intake::new(store, generation, retention).map_err(ServeError::Journal)?;
    intake.seed(&bridge.persisted.engine, Timestamp::now());
    intake.seed_deliveries(&journal, Timestamp::now());
    bridge.push_deliveries(journal);
    let shared = Arc::new(
        Shared::new(intake, auth, limits, stall_after, instatus_webhooks).with_badges(badges),
    );
    let covered_start = generation.checked_sub(1);
    run_with(listener, shutdown, shared, move |shared| {
        crate::evaluator::evaluate_loop(bridge, heartbeat, shared, covered_start)
    })
    .await
}

/// Serves `shared` on `listener` with `evaluator` running on its own thread, until `shutdown`
/// resolves (then: stop accepting, finish the requests in flight, stop the evaluator, all within
/// [`SHUTDOWN_BUDGET`]) or the evaluator ends on its own ([`ServeError::EvaluatorDied`]).
pub async fn run_with(
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
    shared: Arc<Shared>,
    evaluator: impl FnOnce(&Shared) + Send + 'static,
) -> Result<(), ServeError> {
    let local = listener.local_addr().map_err(|source| ServeError::Start {
        what: "listener",
        source,
    })?;
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on http://{local}");
        let _ = out.flush();
    }
    let thread = {
        let shared = shared.clone();
        std::thread::Builder::new()
            .name("evaluator".into())
            .spawn(move || evaluator(&shared))
            .map_err(|source| ServeError::Start {
                what: "evaluator",
                source,
            })?
    };
    drop(thread); // Not joined: the evaluator reports its end through `evaluator_stopped`.
    notify(sd_notify::NotifyState::Ready);
    let watchdog = sd_notify::watchdog_enabled().map(|period| {
        let shared = shared.clone();
        tokio::spawn(feed_watchdog(shared, period))
    });

    let mut shutdown = std::pin::pin!(shutdown);
    let died = {
        let evaluator_stopped = shared.evaluator_stopped.notified();
        let mut evaluator_stopped = std::pin::pin!(evaluator_stopped);
        let mut backoff = None;
        loop {
            tokio::select! {
                _ = &mut shutdown => break false,
                _ = &mut evaluator_stopped => break true,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        backoff = None;
                        admit(stream, &shared).await;
                    }
                    Err(e) => {
                        // Out of descriptors, or a connection reset before it was accepted:
                        // pause instead of spinning on the same error.
                        let pause = connections::next_backoff(backoff);
                        if backoff.is_none() {
                            log(format!("cannot accept a connection: {e}; pausing the accept loop"));
                        }
                        backoff = Some(pause);
                        tokio::select! {
                            _ = tokio::time::sleep(pause) => {}
                            _ = &mut shutdown => break false,
                        }
                    }
                },
            }
        }
    };
    let budget = shared.limits.shutdown;
    let deadline = Instant::now() + budget;
    drop(listener);
    notify(sd_notify::NotifyState::Stopping);
    if let Some(w) = watchdog {
        w.abort();
    }
    if died {
        log("the evaluator stopped: answering /healthz 503 no longer matters, exiting");
    } else {
        log("shutting down: finishing requests and the evaluation in flight");
    }
    shared.connections.close_all();
    let drained = tokio::time::timeout(HTTP_DRAIN.min(budget / 4), async {
        while !shared.connections.is_empty() {
            let released = shared.connections.released();
            tokio::select! {
                _ = released => {}
                _ = tokio::time::sleep(Duration::from_millis(50)) => {}
            }
        }
    })
    .await;
    if drained.is_err() {
        log(format!(
            "{} connections still open after {:?}; closing them",
            shared.connections.len(),
            HTTP_DRAIN.min(budget / 4)
        ));
    }
    if died {
        return Err(ServeError::EvaluatorDied);
    }
    shared.signal.shutdown();
    let left = deadline.saturating_duration_since(Instant::now());
    let stopped = shared.evaluator_stopped.notified();
    if shared.liveness.check() != Err(crate::evaluator::NotAlive::Stopped)
        && tokio::time::timeout(left, stopped).await.is_err()
    {
        log(format!(
            "the evaluation in flight did not finish within {budget:?} of the shutdown; exiting without it (the journal keeps the alerts, the next start replays them)"
        ));
        return Ok(());
    }
    log("stopped");
    Ok(())
}

fn notify(state: sd_notify::NotifyState<'_>) {
    // Without NOTIFY_SOCKET (not under systemd) this does nothing.
    if let Err(e) = sd_notify::notify(&[state]) {
        log(format!("cannot notify the service manager: {e}"));
    }
}

/// Feeds systemd's watchdog (`WatchdogSec=`) at half its period, but only while the evaluator
/// is alive: a stuck or dead evaluator stops the pings, and systemd restarts the bridge.
async fn feed_watchdog(shared: Arc<Shared>, period: Duration) {
    let mut tick = tokio::time::interval((period / 2).max(Duration::from_millis(10)));
    let mut quiet = false;
    loop {
        tick.tick().await;
        match shared.liveness.check() {
            Ok(()) => {
                quiet = false;
                notify(sd_notify::NotifyState::Watchdog);
            }
            Err(why) if !quiet => {
                quiet = true;
                log(format!("not feeding the watchdog: {why}"));
            }
            Err(_) => {}
        }
    }
}

/// Takes an accepted connection under the connection bound and serves it on its own task.
async fn admit(stream: tokio::net::TcpStream, shared: &Arc<Shared>) {
    let (id, conn) = loop {
        match shared.connections.admit(shared.limits.max_connections) {
            Admission::Open(id, conn) => break (id, conn),
            Admission::Full => {
                // Every connection is busy; one ends within the body deadline.
                let released = shared.connections.released();
                let _ = tokio::time::timeout(Duration::from_millis(100), released).await;
            }
        }
    };
    let _ = stream.set_nodelay(true);
    let shared = shared.clone();
    tokio::spawn(async move {
        serve_connection(stream, &conn, &shared).await;
        shared.connections.release(id);
    });
}

async fn serve_connection(stream: tokio::net::TcpStream, conn: &Arc<Conn>, shared: &Arc<Shared>) {
    let service = {
        let (conn, shared) = (conn.clone(), shared.clone());
        hyper::service::service_fn(move |req| {
            let busy = Busy::new(&conn);
            let shared = shared.clone();
            async move {
                let answer = crate::routes::route(req, &shared).await;
                Ok::<_, Infallible>(answer.map(|body| Answered { body, _busy: busy }))
            }
        })
    };
    let limits = shared.limits;
    let served = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.idle_timeout)
        .serve_connection(TokioIo::new(stream), service);
    let mut served = std::pin::pin!(served);
    tokio::select! {
        _ = served.as_mut() => return,
        _ = conn.closing() => {}
    }
    // Told to close: an idle connection closes at once, one with a request in flight after its
    // answer; a half-sent request gets a moment, then the socket is dropped.
    served.as_mut().graceful_shutdown();
    let grace = if conn.is_busy() {
        limits.body_timeout + Duration::from_secs(1)
    } else {
        Duration::from_millis(100)
    };
    let _ = tokio::time::timeout(grace, served).await;
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// An answer's body that keeps its connection marked busy until hyper has taken all of it.
struct Answered {
    body: Full<Bytes>,
    _busy: Busy,
}

impl Body for Answered {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
