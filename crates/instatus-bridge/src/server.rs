//! `serve`: the HTTP server (hyper) and the evaluator thread it wakes.
//!
//! Webhooks are validated, deduped and recorded on the async side and answered at once; the
//! evaluator (a plain thread: the client is blocking) drains what is pending as soon as it is
//! idle, so an idle bridge adds no delay and a busy one folds arrivals into its next evaluation.

use std::convert::Infallible;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, WWW_AUTHENTICATE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use instatus::jiff::Timestamp;
use instatus::model::ComponentTree;
use instatus::sources::alertmanager::WebhookPayload;
use instatus::status::{Level, NoteKind};
use instatus::webhook::{ReplayGuard, Verifier, WebhookError, SIGNATURE_HEADER};

use crate::auth::Authorizer;
use crate::bridge::{Bridge, Evaluation, Mode};
use crate::config::Settings;
use crate::intake::Intake;
use crate::telemetry::Telemetry;

/// What the HTTP side and the evaluator share.
pub struct Shared {
    /// The webhook intake.
    pub intake: Intake,
    /// The metrics.
    pub telemetry: Telemetry,
    auth: Authorizer,
    max_body: usize,
    signal: Signal,
    /// `None` when ready, else why not.
    not_ready: Mutex<Option<String>>,
    evaluator_alive: AtomicBool,
    /// `/calendar.ics`, rendered after each evaluation that read the page.
    calendar: Mutex<Option<String>>,
    /// An Instatus webhook said the page changed: the next evaluation reads it again.
    refresh_page: AtomicBool,
    /// Checks `/instatus` deliveries, when a secret is configured.
    instatus_webhooks: Option<Verifier>,
    replays: Mutex<ReplayGuard>,
}

#[derive(Default)]
struct Signal {
    state: Mutex<(bool, bool)>, // (woken, shutdown)
    cond: Condvar,
}

impl Signal {
    fn wake(&self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).0 = true;
        self.cond.notify_one();
    }

    fn shutdown(&self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).1 = true;
        self.cond.notify_one();
    }

    /// Waits until woken, shut down or `deadline`; returns (woken, shutdown) and clears woken.
    fn wait(&self, deadline: Instant) -> (bool, bool) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if st.0 || st.1 {
                let out = *st;
                st.0 = false;
                return out;
            }
            let now = Instant::now();
            if now >= deadline {
                return (false, false);
            }
            st = self
                .cond
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

fn log(message: impl std::fmt::Display) {
    eprintln!("{} instatus-bridge: {message}", Timestamp::now());
}

/// Runs `serve`; returns the exit code.
pub fn serve(settings: Settings, listen: Option<&str>) -> i32 {
    let addr: SocketAddr = match listen {
        Some(text) => match text.parse() {
            Ok(a) => a,
            Err(_) => {
                eprintln!("instatus-bridge: error: --listen {text:?} is not an address; allowed: IP:PORT, e.g. 127.0.0.1:9741");
                return crate::cli::EXIT_ERROR;
            }
        },
        None => settings.listen,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("instatus-bridge: error: cannot start the runtime: {e}");
            return crate::cli::EXIT_ERROR;
        }
    };
    runtime.block_on(run(settings, addr))
}

async fn run(settings: Settings, addr: SocketAddr) -> i32 {
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("instatus-bridge: error: cannot listen on {addr}: {e}");
            return crate::cli::EXIT_ERROR;
        }
    };
    let local = listener.local_addr().unwrap_or(addr);
    let auth = Authorizer::new(settings.webhook_auth.as_ref());
    let max_body = settings.config.server.max_body_bytes;
    let instatus_webhooks = settings.instatus_webhook_secret.as_ref().map(Verifier::new);
    let retention = settings.config.status.freshness.alert_retention_secs;
    let mut bridge = match Bridge::new(settings) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("instatus-bridge: error: {e}");
            return crate::cli::EXIT_ERROR;
        }
    };
    for note in &bridge.startup_notes {
        log(note);
    }
    // The journal a previous run left: replayed into the first evaluation.
    let (journal, generation) = bridge.store().map(|s| s.replay()).unwrap_or_default();
    let store = match &bridge.settings.config.state_dir {
        Some(dir) => match crate::store::Store::open(dir) {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("instatus-bridge: error: state_dir {}: {e}", dir.display());
                return crate::cli::EXIT_ERROR;
            }
        },
        None => None,
    };
    let intake = match Intake::new(store, generation, retention) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("instatus-bridge: error: cannot open the journal: {e}");
            return crate::cli::EXIT_ERROR;
        }
    };
    intake.seed(&bridge.persisted.engine, Timestamp::now());
    intake.seed_deliveries(&journal, Timestamp::now());
    bridge.push_deliveries(journal);
    let shared = Arc::new(Shared {
        intake,
        telemetry: Telemetry::new(),
        auth,
        max_body,
        signal: Signal::default(),
        not_ready: Mutex::new(Some("the start-up evaluation has not finished".into())),
        evaluator_alive: AtomicBool::new(true),
        calendar: Mutex::new(None),
        refresh_page: AtomicBool::new(false),
        instatus_webhooks,
        replays: Mutex::new(ReplayGuard::new(1000)),
    });
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on http://{local}");
        let _ = out.flush();
    }
    let covered_start = generation.checked_sub(1);
    let evaluator = {
        let shared = shared.clone();
        std::thread::Builder::new()
            .name("evaluator".into())
            .spawn(move || evaluate_loop(bridge, &shared, covered_start))
    };
    let evaluator = match evaluator {
        Ok(h) => h,
        Err(e) => {
            eprintln!("instatus-bridge: error: cannot start the evaluator: {e}");
            return crate::cli::EXIT_ERROR;
        }
    };

    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown_signal());
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                let service = hyper::service::service_fn(move |req| {
                    let shared = shared.clone();
                    async move { Ok::<_, Infallible>(route(req, &shared).await) }
                });
                let conn = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service);
                let watched = graceful.watch(conn);
                tokio::spawn(async move {
                    let _ = watched.await;
                });
            }
            _ = &mut shutdown => break,
        }
    }
    drop(listener);
    log("shutting down: finishing requests and the evaluation in flight");
    let _ = tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await;
    shared.signal.shutdown();
    let _ = tokio::task::spawn_blocking(move || evaluator.join()).await;
    log("stopped");
    crate::cli::EXIT_OK
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

fn evaluate_loop(mut bridge: Bridge, shared: &Shared, mut covered: Option<u64>) {
    let interval = bridge.settings.interval();
    let mut next_full = Instant::now();
    let mut first = true;
    loop {
        let (_, stop) = if first {
            (true, false)
        } else {
            shared.signal.wait(next_full)
        };
        if stop {
            break;
        }
        let drained = shared.intake.drain();
        let due = Instant::now() >= next_full;
        let full = first || due || drained.full;
        let refresh = shared.refresh_page.swap(false, Ordering::SeqCst);
        if drained.deliveries.is_empty() && !full && !refresh {
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
    }
    // Final: keep what is pending in the journal (it is already there) and save the state.
    let flushed = bridge.feed_metrics(true);
    for m in flushed {
        log(format!("metric {}: {:?} {}", m.metric, m.outcome, m.detail));
    }
    if let Err(err) = bridge.save() {
        log(format!("cannot save the state: {err}"));
    }
    shared.evaluator_alive.store(false, Ordering::SeqCst);
}

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

type Answer = Response<Full<Bytes>>;

fn answer(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Answer {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    if let Ok(v) = content_type.parse() {
        r.headers_mut().insert(CONTENT_TYPE, v);
    }
    r
}

fn json(status: StatusCode, value: serde_json::Value) -> Answer {
    answer(status, "application/json", value.to_string())
}

async fn route(req: Request<Incoming>, shared: &Shared) -> Answer {
    match (req.method(), req.uri().path()) {
        (&Method::POST, "/alertmanager") => webhook(req, shared).await,
        (_, "/alertmanager") => {
            shared.telemetry.webhooks_received.inc();
            shared.telemetry.reject("method");
            json(
                StatusCode::METHOD_NOT_ALLOWED,
                serde_json::json!({"error": "use POST"}),
            )
        }
        (&Method::GET, "/healthz") => {
            if shared.evaluator_alive.load(Ordering::SeqCst) {
                answer(StatusCode::OK, "text/plain", "ok\n")
            } else {
                answer(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "text/plain",
                    "evaluator stopped\n",
                )
            }
        }
        (&Method::GET, "/readyz") => {
            let why = shared
                .not_ready
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            match why {
                None => answer(StatusCode::OK, "text/plain", "ready\n"),
                Some(why) => answer(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "text/plain",
                    format!("not ready: {why}\n"),
                ),
            }
        }
        (&Method::POST, "/instatus") => instatus_webhook(req, shared).await,
        (&Method::GET, "/calendar.ics") => {
            let doc = shared
                .calendar
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            match doc {
                Some(doc) => answer(StatusCode::OK, "text/calendar; charset=utf-8", doc),
                None => answer(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "text/plain",
                    "not ready: the page has not been read yet\n",
                ),
            }
        }
        (&Method::GET, "/metrics") => answer(
            StatusCode::OK,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
            shared.telemetry.encode(),
        ),
        _ => answer(
            StatusCode::NOT_FOUND,
            "text/plain",
            "not found; routes: POST /alertmanager, POST /instatus, GET /healthz, /readyz, /metrics, /calendar.ics\n",
        ),
    }
}

async fn webhook(req: Request<Incoming>, shared: &Shared) -> Answer {
    let t = &shared.telemetry;
    t.webhooks_received.inc();
    let header = req.headers().get(AUTHORIZATION).map(|v| v.as_bytes());
    if !shared.auth.check(header) {
        t.reject("auth");
        let mut r = json(
            StatusCode::UNAUTHORIZED,
            serde_json::json!({"error": "missing or wrong Authorization"}),
        );
        if let Ok(v) = format!("{} realm=\"instatus-bridge\"", shared.auth.scheme()).parse() {
            r.headers_mut().insert(WWW_AUTHENTICATE, v);
        }
        return r;
    }
    let too_large = || {
        t.reject("too_large");
        json(
            StatusCode::PAYLOAD_TOO_LARGE,
            serde_json::json!({"error": format!("body too large: the limit is {} bytes (server.max_body_bytes)", shared.max_body)}),
        )
    };
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > shared.max_body as u64) {
        return too_large();
    }
    let body = match Limited::new(req.into_body(), shared.max_body)
        .collect()
        .await
    {
        Ok(b) => b.to_bytes(),
        Err(e) => {
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                return too_large();
            }
            t.reject("malformed");
            return json(
                StatusCode::BAD_REQUEST,
                serde_json::json!({"error": format!("cannot read the body: {e}")}),
            );
        }
    };
    let payload = match parse_payload(&body) {
        Ok(p) => p,
        Err(message) => {
            t.reject("malformed");
            return json(
                StatusCode::BAD_REQUEST,
                serde_json::json!({ "error": message }),
            );
        }
    };
    match shared.intake.accept(&payload, Timestamp::now()) {
        Ok(acc) => {
            if acc.new > 0 || payload.truncated_alerts > 0 {
                shared.signal.wake();
            } else {
                t.webhooks_deduplicated.inc();
            }
            json(
                StatusCode::OK,
                serde_json::json!({"accepted": acc.alerts, "new": acc.new, "duplicates": acc.duplicates}),
            )
        }
        Err(e) => {
            t.reject("not_recorded");
            log(format!("cannot record a webhook: {e}"));
            json(
                StatusCode::INTERNAL_SERVER_ERROR,
                serde_json::json!({"error": "cannot record the webhook; retry"}),
            )
        }
    }
}

/// `POST /instatus`: Instatus's own webhook (a subscriber of type webhook pointed here). A
/// verified delivery about the page makes the next evaluation read the page again at once, so a
/// person's incident or maintenance takes precedence before the next alert is written.
async fn instatus_webhook(req: Request<Incoming>, shared: &Shared) -> Answer {
    let Some(verifier) = &shared.instatus_webhooks else {
        return answer(
            StatusCode::NOT_FOUND,
            "text/plain",
            "not configured: set server.instatus_webhook_secret_file (or INSTATUS_WEBHOOK_SECRET)\n",
        );
    };
    let signature = req
        .headers()
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = match Limited::new(req.into_body(), shared.max_body)
        .collect()
        .await
    {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return json(
                StatusCode::PAYLOAD_TOO_LARGE,
                serde_json::json!({"error": format!("body too large or unreadable: the limit is {} bytes (server.max_body_bytes)", shared.max_body)}),
            )
        }
    };
    match verifier.verify_and_parse(&body, signature.as_deref()) {
        Ok(event) => {
            let new = shared
                .replays
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .first_time(&event);
            if new {
                log(format!(
                    "instatus webhook: {} changed; reading the page again",
                    event.kind()
                ));
                shared.refresh_page.store(true, Ordering::SeqCst);
                shared.signal.wake();
            }
            json(
                StatusCode::OK,
                serde_json::json!({"kind": event.kind(), "new": new}),
            )
        }
        Err(WebhookError::Signature(e)) => json(
            StatusCode::UNAUTHORIZED,
            serde_json::json!({"error": e.to_string()}),
        ),
        Err(e) => json(
            StatusCode::BAD_REQUEST,
            serde_json::json!({"error": e.to_string()}),
        ),
    }
}

/// Parses a webhook body, naming the field on an error (`alerts[0].startsAt: ...`).
pub fn parse_payload(body: &[u8]) -> Result<WebhookPayload, String> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    let payload: WebhookPayload = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        if path == "." {
            format!("not an Alertmanager webhook payload: {}", e.inner())
        } else {
            format!("{path}: {}", e.inner())
        }
    })?;
    if payload.version != "4" {
        return Err(format!(
            "version: {:?} is not supported; supported: \"4\"",
            payload.version
        ));
    }
    Ok(payload)
}
