//! The HTTP side: accept loop, request pipeline (rate limit, faults, auth, dispatch, log) and the
//! control API under `/_emulator`.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use instatus::api::Method;
use serde_json::{json, Value};

use crate::api::{self, ApiError};
use crate::state::State;
use crate::{Config, FaultAction, FaultRule, RateLimit, RequestRecord};

/// Most request records kept; older ones are forgotten.
const LOG_CAP: usize = 200_000;

/// Most request body bytes kept in the log (as received); the oldest records go first. With
/// [`LOG_CAP`] this bounds the log's memory whatever clients send.
pub(crate) const LOG_BODY_BUDGET: usize = 64 * 1024 * 1024;

/// Most bytes of an oversized body read and thrown away so the client gets its 413 cleanly;
/// beyond this the connection is closed after the answer.
const DRAIN_MAX: u64 = 256 * 1024 * 1024;

/// State shared by the server tasks and the [`Emulator`](crate::Emulator) handle.
pub(crate) struct Shared {
    pub api_key: String,
    state: Mutex<State>,
    log: Mutex<Log>,
    faults: Mutex<Vec<FaultRule>>,
    rate: Mutex<Option<RateWindow>>,
    state_file: Option<PathBuf>,
    max_body_bytes: usize,
    ignored_fields: Mutex<Vec<String>>,
    pub webhooks: crate::webhooks::Webhooks,
    /// Held by [`Shared::save`].
    save_lock: Mutex<()>,
}

/// The request log: a ring buffer bounded by record count and by body bytes.
struct Log {
    next_seq: u64,
    /// Each record with the size of the body it keeps (0 when none).
    records: VecDeque<(RequestRecord, usize)>,
    body_bytes: usize,
}

impl Log {
    fn new() -> Log {
        Log {
            next_seq: 1,
            records: VecDeque::new(),
            body_bytes: 0,
        }
    }

    /// Appends, then forgets the oldest records until both bounds hold.
    fn push(&mut self, mut record: RequestRecord, body_size: usize) {
        record.seq = self.next_seq;
        self.next_seq += 1;
        self.body_bytes += body_size;
        self.records.push_back((record, body_size));
        while self.records.len() > LOG_CAP || self.body_bytes > LOG_BODY_BUDGET {
            match self.records.pop_front() {
                Some((_, size)) => self.body_bytes -= size,
                None => break,
            }
        }
    }

    fn clear(&mut self) {
        self.records.clear();
        self.body_bytes = 0;
    }
}

struct RateWindow {
    limit: RateLimit,
    /// When the current window began: the first request after the previous window ended.
    start: Option<Instant>,
    count: u32,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    /// Builds the shared state, loading the state file when it exists.
    pub fn new(config: &Config) -> std::io::Result<Shared> {
        let mut state = match &config.state_file {
            Some(path) if path.exists() => {
                let text = std::fs::read_to_string(path)?;
                serde_json::from_str(&text).map_err(|e| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("state file {}: {e}", path.display()),
                    )
                })?
            }
            _ => State::new(),
        };
        for (subdomain, name) in &config.pages {
            if !state.pages.iter().any(|p| &p.subdomain == subdomain) {
                let now = crate::time::now_str();
                state.add_page(subdomain, name, "emulator@example.com", &now);
            }
        }
        Ok(Shared {
            api_key: config.api_key.clone(),
            state: Mutex::new(state),
            log: Mutex::new(Log::new()),
            faults: Mutex::new(config.faults.clone()),
            rate: Mutex::new(config.rate_limit.clone().map(RateWindow::new)),
            state_file: config.state_file.clone(),
            max_body_bytes: config.max_body_bytes,
            ignored_fields: Mutex::new(config.ignored_fields.clone()),
            webhooks: crate::webhooks::Webhooks::start(config.webhook_secret.clone())?,
            save_lock: Mutex::new(()),
        })
    }

    pub fn create_page(&self, subdomain: &str, name: &str) -> String {
        let now = crate::time::now_str();
        lock(&self.state).add_page(subdomain, name, "emulator@example.com", &now)
    }

    pub fn requests_since(&self, since: u64) -> Vec<RequestRecord> {
        lock(&self.log)
            .records
            .iter()
            .map(|(r, _)| r)
            .filter(|r| r.seq > since)
            .cloned()
            .collect()
    }

    pub fn clear_requests(&self) {
        lock(&self.log).clear();
    }

    pub fn set_ignored_fields(&self, fields: Vec<String>) {
        *lock(&self.ignored_fields) = fields;
    }

    pub fn ignored_fields(&self) -> Vec<String> {
        lock(&self.ignored_fields).clone()
    }

    /// The body without the ignored fields (a lenient API drops what it does not apply).
    fn without_ignored(&self, body: Bytes) -> Bytes {
        let fields = lock(&self.ignored_fields);
        if fields.is_empty() {
            return body;
        }
        let Ok(Value::Object(mut m)) = serde_json::from_slice::<Value>(&body) else {
            return body;
        };
        let before = m.len();
        m.retain(|k, _| !fields.contains(k));
        if m.len() == before {
            return body;
        }
        Bytes::from(serde_json::to_vec(&Value::Object(m)).unwrap_or_default())
    }

    pub fn add_fault(&self, rule: FaultRule) {
        lock(&self.faults).push(rule);
    }

    pub fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    pub fn set_rate_limit(&self, limit: Option<RateLimit>) {
        *lock(&self.rate) = limit.map(RateWindow::new);
    }

    pub fn state_json(&self) -> Value {
        serde_json::to_value(&*lock(&self.state)).unwrap_or(Value::Null)
    }

    /// Writes the state file whole: one save at a time (so the last state written is the last
    /// one taken), each through a temporary file of its own, synced, then renamed over the old
    /// file. Concurrent saves once shared one temporary file and left a truncated state.
    pub fn save(&self) -> std::io::Result<()> {
        use std::io::Write;
        let Some(path) = &self.state_file else {
            return Ok(());
        };
        let _one_at_a_time = lock(&self.save_lock);
        let text = serde_json::to_string_pretty(&*lock(&self.state))
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        static SAVES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = SAVES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut name = path.file_name().unwrap_or_default().to_owned();
        name.push(format!(".tmp-{}-{n}", std::process::id()));
        let tmp = path.with_file_name(name);
        let written = (|| {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(text.as_bytes())?;
            f.write_all(b"\n")?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written.map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))
    }

    /// The preview of a page (by id or subdomain; `None` = the first); `None` if there is none.
    pub fn preview(&self, page: Option<&str>) -> Option<Result<String, String>> {
        let state = lock(&self.state);
        crate::preview::find(&state, page).map(crate::preview::render_page)
    }

    fn reset(&self) {
        *lock(&self.state) = State::new();
    }

    /// Counts a request; `Some(seconds until reset)` when it is over the limit.
    fn rate_check(&self) -> Option<(u64, bool, String)> {
        let mut rate = lock(&self.rate);
        let w = rate.as_mut()?;
        let now = Instant::now();
        let start = match w.start {
            Some(start) if now.duration_since(start) < w.limit.window => start,
            _ => {
                w.count = 0;
                *w.start.insert(now)
            }
        };
        w.count += 1;
        if w.count <= w.limit.limit {
            return None;
        }
        let left = w.limit.window.saturating_sub(now.duration_since(start));
        let secs = left.as_millis().div_ceil(1000).max(1) as u64;
        let msg = format!(
            "rate limit exceeded: {} requests per {} ms",
            w.limit.limit,
            w.limit.window.as_millis()
        );
        Some((secs, w.limit.retry_after, msg))
    }

    /// The first matching fault, consuming one of its `times`.
    fn take_fault(&self, method: &str, path: &str) -> Option<FaultAction> {
        let mut faults = lock(&self.faults);
        let i = faults.iter().position(|f| {
            f.method
                .as_deref()
                .is_none_or(|m| m == "*" || m.eq_ignore_ascii_case(method))
                && glob_match(&f.path, path)
        })?;
        let action = faults[i].action.clone();
        if let Some(times) = faults[i].times.as_mut() {
            *times = times.saturating_sub(1);
            if *times == 0 {
                faults.remove(i);
            }
        }
        Some(action)
    }

    fn log(&self, record: RequestRecord, body_size: usize) {
        lock(&self.log).push(record, body_size);
    }
}

impl RateWindow {
    fn new(limit: RateLimit) -> RateWindow {
        RateWindow {
            limit,
            start: None,
            count: 0,
        }
    }
}

/// Whether `path` matches the glob: `*` within one segment, a `**` segment for any rest.
pub(crate) fn glob_match(pattern: &str, path: &str) -> bool {
    let pat: Vec<&str> = pattern.trim_start_matches('/').split('/').collect();
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    fn go(pat: &[&str], segs: &[&str]) -> bool {
        match pat.split_first() {
            None => segs.is_empty(),
            Some((&"**", _)) => true,
            Some((p, rest)) => match segs.split_first() {
                Some((s, srest)) => segment_match(p, s) && go(rest, srest),
                None => false,
            },
        }
    }
    go(&pat, &segs)
}

fn segment_match(pat: &str, seg: &str) -> bool {
    let parts: Vec<&str> = pat.split('*').collect();
    if parts.len() == 1 {
        return pat == seg;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !seg.starts_with(first) || seg.len() < first.len() + last.len() || !seg.ends_with(last) {
        return false;
    }
    let mut rest = &seg[first.len()..seg.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// Accepts connections until `stop` flips.
pub(crate) async fn accept_loop(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    // Cron monitors fail when pings stop, whether or not anyone asks.
    {
        let shared = Arc::clone(&shared);
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(500));
            loop {
                tokio::select! {
                    _ = tick.tick() => {
                        let now_ms = crate::time::now().as_millisecond();
                        api::monitors::check(&mut lock(&shared.state), now_ms);
                    }
                    _ = stop.changed() => break,
                }
            }
        });
    }
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(_) => {
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let shared = Arc::clone(&shared);
                let mut conn_stop = stop.clone();
                tokio::spawn(async move {
                    // Each request runs in a task of its own, so a client that gives up (a
                    // timeout) does not cancel it: like a real server, a slow create still lands.
                    let service = service_fn(move |req| {
                        let task = tokio::spawn(handle(req, Arc::clone(&shared)));
                        async move { task.await.unwrap_or(Err(DropConnection)) }
                    });
                    let conn = http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), service);
                    tokio::select! {
                        _ = conn => {}
                        _ = conn_stop.changed() => {}
                    }
                });
            }
            _ = stop.changed() => break,
        }
    }
}

/// The error a service returns to make hyper close the connection without answering.
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for DropConnection {}

type Resp = Response<Full<Bytes>>;

fn respond(status: u16, body: Bytes) -> Resp {
    let mut resp = Response::new(Full::new(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json; charset=utf-8"),
    );
    resp
}

fn html_resp(status: u16, html: String) -> Resp {
    let mut resp = respond(status, Bytes::from(html));
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    resp.headers_mut().insert(
        hyper::header::CACHE_CONTROL,
        hyper::header::HeaderValue::from_static("no-store"),
    );
    resp
}

/// A rendered page, or a 500 page naming the template error.
fn rendered(result: Result<String, String>) -> Resp {
    match result {
        Ok(html) => html_resp(200, html),
        Err(e) => html_resp(
            500,
            format!(
                "<!doctype html><title>Preview failed</title><p>{}</p>",
                api::html_escape(&e)
            ),
        ),
    }
}

/// `GET /_emulator/`, `/_emulator/preview` and `/_emulator/preview/{page id or subdomain}`.
fn preview(shared: &Shared, sub: &str) -> Resp {
    if sub.is_empty() {
        return rendered(crate::preview::render_index(&lock(&shared.state)));
    }
    let key = match sub.strip_prefix("/preview") {
        Some("") => None,
        Some(rest) => match rest.strip_prefix('/') {
            Some(k) if !k.contains('/') => Some(api::percent_decode(k)),
            _ => {
                return html_resp(
                    404,
                    crate::preview::render_not_found(&format!("No preview at /_emulator{sub}.")),
                )
            }
        },
        None => {
            return html_resp(
                404,
                crate::preview::render_not_found(&format!("Nothing at /_emulator{sub}.")),
            )
        }
    };
    match shared.preview(key.as_deref()) {
        Some(result) => rendered(result),
        None => {
            let what = match &key {
                Some(k) => format!("The emulator holds no page with the id or subdomain '{k}'."),
                None => "The emulator holds no pages yet.".to_owned(),
            };
            html_resp(404, crate::preview::render_not_found(&what))
        }
    }
}

fn json_resp(status: u16, v: &Value) -> Resp {
    respond(
        status,
        Bytes::from(serde_json::to_vec(v).unwrap_or_default()),
    )
}

fn error_code(status: u16) -> &'static str {
    match status {
        400 => "invalid_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        409 => "conflict",
        429 => "rate_limited",
        500 => "internal_server_error",
        502 => "bad_gateway",
        503 => "service_unavailable",
        504 => "gateway_timeout",
        _ => "error",
    }
}

fn fault_label(a: &FaultAction) -> String {
    match a {
        FaultAction::Status(s) => format!("status={s}"),
        FaultAction::StatusAfter(s) => format!("status_after={s}"),
        FaultAction::Delay(d) => format!("delay={}ms", d.as_millis()),
        FaultAction::Drop => "drop".into(),
        FaultAction::DropAfter => "drop_after".into(),
        FaultAction::Malformed => "malformed".into(),
    }
}

async fn handle(req: Request<Incoming>, shared: Arc<Shared>) -> Result<Resp, DropConnection> {
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or("").to_owned();
    let header = |name: hyper::header::HeaderName| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let host = header(hyper::header::HOST);
    let auth = header(hyper::header::AUTHORIZATION);
    let declared = header(hyper::header::CONTENT_LENGTH).and_then(|v| v.parse::<u64>().ok());
    let limit = shared.max_body_bytes;
    let body = read_body(req.into_body(), limit, declared).await;
    let control_path = path == "/_emulator" || path.starts_with("/_emulator/");
    let route = Method::parse(&method).and_then(|m| api::route(m, &path));
    let body = match body {
        Ok(body) => body,
        Err(BodyError::Failed) => return Err(DropConnection),
        Err(BodyError::TooLarge) => {
            let msg = format!("request body too large: the limit is {limit} bytes");
            if !control_path {
                let record = RequestRecord {
                    seq: 0,
                    method: method.clone(),
                    path: path.clone(),
                    query: query.clone(),
                    status: 413,
                    operation: route.as_ref().map(|(op, _)| op.name().to_owned()),
                    write: method != "GET",
                    fault: None,
                    body: None,
                };
                shared.log(record, 0);
            }
            return Ok(json_resp(413, &api::envelope("payload_too_large", &msg)));
        }
    };

    if control_path {
        return Ok(control(&shared, &method, &path, &query, &body));
    }

    let now_ms = crate::time::now().as_millisecond();
    api::monitors::check(&mut lock(&shared.state), now_ms);
    // Cron monitor pings (`https://cron.instatus.com/<slug>` in the real service): no key.
    if let Some(slug) = path.strip_prefix("/cron/") {
        let found = api::monitors::ping(&mut lock(&shared.state), slug, now_ms);
        let status = if found { 200 } else { 404 };
        let record = RequestRecord {
            seq: 0,
            method: method.clone(),
            path: path.clone(),
            query: query.clone(),
            status,
            operation: Some("CronPing".to_owned()),
            write: false,
            fault: None,
            body: None,
        };
        shared.log(record, 0);
        return Ok(if found {
            json_resp(200, &serde_json::json!({"ok": true}))
        } else {
            json_resp(
                404,
                &api::envelope("not_found", "no cron monitor has this slug"),
            )
        });
    }

    // Only a request with the key has its body kept: a stranger's payload never sits in memory.
    let keyed = authorized(auth.as_deref(), &shared.api_key);
    let kept_body = if keyed && !body.is_empty() {
        serde_json::from_slice(&body).ok()
    } else {
        None
    };
    let body_size = if kept_body.is_some() { body.len() } else { 0 };
    let mut record = RequestRecord {
        seq: 0,
        method: method.clone(),
        path: path.clone(),
        query: query.clone(),
        status: 0,
        operation: route.as_ref().map(|(op, _)| op.name().to_owned()),
        write: method != "GET",
        fault: None,
        body: kept_body,
    };

    if let Some((secs, retry_after, msg)) = shared.rate_check() {
        record.status = 429;
        shared.log(record, body_size);
        let mut resp = json_resp(429, &api::envelope("rate_limited", &msg));
        if retry_after {
            resp.headers_mut().insert(
                hyper::header::RETRY_AFTER,
                hyper::header::HeaderValue::from(secs),
            );
        }
        return Ok(resp);
    }

    let fault = shared.take_fault(&method, &path);
    record.fault = fault.as_ref().map(fault_label);
    match &fault {
        Some(FaultAction::Status(s)) => {
            record.status = *s;
            shared.log(record, body_size);
            return Ok(json_resp(
                *s,
                &api::envelope(error_code(*s), "injected fault (emulator)"),
            ));
        }
        Some(FaultAction::Drop) => {
            shared.log(record, body_size);
            return Err(DropConnection);
        }
        Some(FaultAction::Malformed) => {
            record.status = 200;
            shared.log(record, body_size);
            return Ok(respond(200, Bytes::from_static(b"{\"id\": ")));
        }
        Some(FaultAction::Delay(d)) => tokio::time::sleep(*d).await,
        _ => {}
    }

    let result: Result<Value, ApiError> = match &route {
        None => Err(ApiError::new(
            404,
            "not_found",
            format!("no route for {method} {path}"),
        )),
        Some((op, _)) if op.needs_auth() && !keyed => Err(ApiError::new(
            401,
            "unauthorized",
            "missing or invalid API key: send Authorization: Bearer <key>",
        )),
        Some((op, params)) => {
            let body = if op.method() == Method::Get {
                body
            } else {
                shared.without_ignored(body)
            };
            let mut state = lock(&shared.state);
            let before = (op.method() != Method::Get)
                .then(|| shared.webhooks.before(&state))
                .flatten();
            let result = api::dispatch(&mut state, *op, params, &query, &body, host.as_deref());
            if result.is_ok() {
                shared.webhooks.after(before, &state);
            }
            result
        }
    };
    let (status, value) = match result {
        Ok(v) => (200, v),
        Err(e) => (e.status, api::envelope(&e.code, &e.message)),
    };
    match fault {
        Some(FaultAction::StatusAfter(s)) => {
            record.status = s;
            shared.log(record, body_size);
            Ok(json_resp(
                s,
                &api::envelope(error_code(s), "injected fault after processing (emulator)"),
            ))
        }
        Some(FaultAction::DropAfter) => {
            shared.log(record, body_size);
            Err(DropConnection)
        }
        _ => {
            record.status = status;
            shared.log(record, body_size);
            Ok(json_resp(status, &value))
        }
    }
}

/// Why a request body could not be read.
enum BodyError {
    /// Over the limit (the excess was read and dropped, or the connection will close).
    TooLarge,
    /// The connection failed while reading.
    Failed,
}

/// Reads the body up to `limit` bytes, frame by frame, so an oversized one never fills memory:
/// past the limit the rest is read and thrown away (at most [`DRAIN_MAX`] bytes) so the client
/// still gets its answer.
async fn read_body(
    mut body: Incoming,
    limit: usize,
    declared: Option<u64>,
) -> Result<Bytes, BodyError> {
    if declared.is_some_and(|n| n > DRAIN_MAX) {
        return Err(BodyError::TooLarge);
    }
    let mut buf = Vec::new();
    let mut total: u64 = 0;
    let mut too_large = declared.is_some_and(|n| n > limit as u64);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| BodyError::Failed)?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        total += data.len() as u64;
        if total > limit as u64 {
            too_large = true;
            buf = Vec::new();
        }
        if too_large {
            if total > DRAIN_MAX {
                break;
            }
            continue;
        }
        buf.extend_from_slice(&data);
    }
    if too_large {
        Err(BodyError::TooLarge)
    } else {
        Ok(Bytes::from(buf))
    }
}

fn authorized(header: Option<&str>, key: &str) -> bool {
    let Some(h) = header else { return false };
    let Some((scheme, token)) = h.trim().split_once(' ') else {
        return false;
    };
    scheme.eq_ignore_ascii_case("bearer") && token.trim() == key
}

/// The control API: `/_emulator/...`, no auth, not logged, never rate limited or faulted.
fn control(shared: &Shared, method: &str, path: &str, query: &str, body: &[u8]) -> Resp {
    let ok = |v: Value| json_resp(200, &v);
    let bad = |msg: String| json_resp(400, &api::envelope("invalid_request", &msg));
    let parse_body = || -> Result<Value, String> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        serde_json::from_slice(body).map_err(|e| format!("request body is not valid JSON: {e}"))
    };
    let sub = path.trim_start_matches("/_emulator").trim_end_matches('/');
    match (method, sub) {
        ("GET", "/health") => ok(json!({"ok": true})),
        ("GET", s) if s.is_empty() || s == "/preview" || s.starts_with("/preview/") => {
            preview(shared, s)
        }
        ("GET", "/requests") => {
            let since = api::query_param(query, "since")
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            ok(serde_json::to_value(shared.requests_since(since)).unwrap_or(Value::Null))
        }
        ("DELETE", "/requests") => {
            shared.clear_requests();
            ok(json!({"ok": true}))
        }
        ("GET", "/faults") => ok(Value::Array(
            lock(&shared.faults).iter().map(fault_to_json).collect(),
        )),
        ("POST", "/faults") => match parse_body().and_then(|v| fault_from_json(&v)) {
            Ok(rule) => {
                let v = fault_to_json(&rule);
                shared.add_fault(rule);
                ok(v)
            }
            Err(e) => bad(e),
        },
        ("DELETE", "/faults") => {
            shared.clear_faults();
            ok(json!({"ok": true}))
        }
        ("GET", "/rate-limit") => ok(lock(&shared.rate)
            .as_ref()
            .map_or(Value::Null, |w| rate_to_json(&w.limit))),
        ("PUT", "/rate-limit") => match parse_body().and_then(|v| rate_from_json(&v)) {
            Ok(limit) => {
                let v = limit.as_ref().map_or(Value::Null, rate_to_json);
                shared.set_rate_limit(limit);
                ok(v)
            }
            Err(e) => bad(e),
        },
        ("GET", "/ignored-fields") => ok(json!({"fields": shared.ignored_fields()})),
        ("PUT", "/ignored-fields") => match parse_body().and_then(|v| ignored_from_json(&v)) {
            Ok(fields) => {
                shared.set_ignored_fields(fields.clone());
                ok(json!({"fields": fields}))
            }
            Err(e) => bad(e),
        },
        ("GET", "/state") => ok(shared.state_json()),
        ("POST", "/reset") => {
            shared.reset();
            ok(json!({"ok": true}))
        }
        ("POST", "/save") => match (&shared.state_file, shared.save()) {
            (None, _) => bad("no state file configured (start with --state FILE)".into()),
            (Some(p), Ok(())) => ok(json!({"ok": true, "path": p.display().to_string()})),
            (Some(_), Err(e)) => json_resp(
                500,
                &api::envelope("internal_server_error", &format!("save failed: {e}")),
            ),
        },
        ("POST", "/pages") => {
            let v = match parse_body() {
                Ok(v) => v,
                Err(e) => return bad(e),
            };
            let Some(subdomain) = v.get("subdomain").and_then(Value::as_str) else {
                return bad("missing required field 'subdomain' (string)".into());
            };
            let name = v.get("name").and_then(Value::as_str).unwrap_or(subdomain);
            let taken = lock(&shared.state)
                .pages
                .iter()
                .any(|p| p.subdomain == subdomain);
            if taken {
                return bad(format!("subdomain '{subdomain}' is already taken"));
            }
            ok(json!({"id": shared.create_page(subdomain, name)}))
        }
        _ => json_resp(
            404,
            &api::envelope(
                "not_found",
                &format!("no control route for {method} /_emulator{sub}"),
            ),
        ),
    }
}

/// A fault rule as the control API writes it.
pub(crate) fn fault_to_json(rule: &FaultRule) -> Value {
    let action = match &rule.action {
        FaultAction::Status(s) => json!({"status": s}),
        FaultAction::StatusAfter(s) => json!({"status_after": s}),
        FaultAction::Delay(d) => json!({"delay_ms": d.as_millis() as u64}),
        FaultAction::Drop => json!("drop"),
        FaultAction::DropAfter => json!("drop_after"),
        FaultAction::Malformed => json!("malformed"),
    };
    json!({"method": rule.method, "path": rule.path, "action": action, "times": rule.times})
}

/// Parses a fault rule in the control API's form.
pub(crate) fn fault_from_json(v: &Value) -> Result<FaultRule, String> {
    const FORMS: &str = r#"{"status":500} | {"status_after":500} | {"delay_ms":10000} | "drop" | "drop_after" | "malformed""#;
    let obj = v
        .as_object()
        .ok_or("fault must be an object {method?, path, action, times?}")?;
    let method = match obj.get("method") {
        None | Some(Value::Null) => None,
        Some(Value::String(m)) if m == "*" || m.eq_ignore_ascii_case("any") => None,
        Some(Value::String(m)) => Some(m.to_ascii_uppercase()),
        Some(_) => return Err("field 'method' must be a string or null".into()),
    };
    let path = obj
        .get("path")
        .and_then(Value::as_str)
        .ok_or("missing required field 'path' (glob string, e.g. \"/v1/*/components\")")?
        .to_owned();
    let status = |x: &Value| -> Result<u16, String> {
        x.as_u64()
            .filter(|s| (100..=599).contains(s))
            .map(|s| s as u16)
            .ok_or_else(|| format!("invalid status {x}; must be 100..=599"))
    };
    let action = match obj.get("action") {
        Some(Value::String(s)) => match s.as_str() {
            "drop" => FaultAction::Drop,
            "drop_after" => FaultAction::DropAfter,
            "malformed" => FaultAction::Malformed,
            other => return Err(format!("invalid action '{other}'; allowed: {FORMS}")),
        },
        Some(Value::Object(a)) if a.len() == 1 => {
            let (k, x) = a.iter().next().ok_or("empty action")?;
            match k.as_str() {
                "status" => FaultAction::Status(status(x)?),
                "status_after" => FaultAction::StatusAfter(status(x)?),
                "delay_ms" => FaultAction::Delay(Duration::from_millis(
                    x.as_u64()
                        .ok_or("delay_ms must be a non-negative integer")?,
                )),
                other => return Err(format!("invalid action key '{other}'; allowed: {FORMS}")),
            }
        }
        _ => {
            return Err(format!(
                "missing or invalid field 'action'; allowed: {FORMS}"
            ))
        }
    };
    let times = match obj.get("times") {
        None | Some(Value::Null) => None,
        Some(x) => Some(
            x.as_u64()
                .filter(|n| *n >= 1 && *n <= u32::MAX as u64)
                .ok_or("field 'times' must be a positive integer or null")? as u32,
        ),
    };
    Ok(FaultRule {
        method,
        path,
        action,
        times,
    })
}

/// `{"fields": ["customDomain", ...]}`; `null`, `{}` or `{"fields": null}` clear the list.
fn ignored_from_json(v: &Value) -> Result<Vec<String>, String> {
    const FORM: &str = r#"{"fields": ["customDomain", "groupId"]}"#;
    let fields = match v {
        Value::Null => return Ok(Vec::new()),
        Value::Object(m) => m.get("fields").unwrap_or(&Value::Null),
        _ => return Err(format!("body must be an object like {FORM}")),
    };
    match fields {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .iter()
            .map(|x| match x.as_str() {
                Some(s) if !s.trim().is_empty() => Ok(s.to_owned()),
                _ => Err(format!(
                    "field 'fields' must be an array of non-empty field names, like {FORM}"
                )),
            })
            .collect(),
        _ => Err(format!(
            "field 'fields' must be an array of field names, like {FORM}"
        )),
    }
}

fn rate_to_json(r: &RateLimit) -> Value {
    json!({"limit": r.limit, "window_ms": r.window.as_millis() as u64, "retry_after": r.retry_after})
}

fn rate_from_json(v: &Value) -> Result<Option<RateLimit>, String> {
    if v.is_null() {
        return Ok(None);
    }
    let limit = v
        .get("limit")
        .and_then(Value::as_u64)
        .filter(|n| *n <= u32::MAX as u64)
        .ok_or("missing or invalid field 'limit' (non-negative integer)")? as u32;
    let window_ms = v
        .get("window_ms")
        .and_then(Value::as_u64)
        .filter(|n| *n > 0)
        .ok_or("missing or invalid field 'window_ms' (positive integer)")?;
    let retry_after = match v.get("retry_after") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err("field 'retry_after' must be a boolean".into()),
    };
    Ok(Some(RateLimit {
        limit,
        window: Duration::from_millis(window_ms),
        retry_after,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(body: Option<Value>) -> RequestRecord {
        RequestRecord {
            seq: 0,
            method: "POST".into(),
            path: "/v1/p/components".into(),
            query: String::new(),
            status: 200,
            operation: None,
            write: true,
            fault: None,
            body,
        }
    }

    #[test]
    fn request_log_memory_was_unbounded() {
        let mut log = Log::new();
        let chunk = 1024 * 1024;
        for _ in 0..(LOG_BODY_BUDGET / chunk + 10) {
            log.push(record(Some(json!({"name": "x"}))), chunk);
        }
        assert!(
            log.body_bytes <= LOG_BODY_BUDGET,
            "{} bytes kept",
            log.body_bytes
        );
        assert_eq!(
            log.records.len(),
            LOG_BODY_BUDGET / chunk,
            "the oldest went first"
        );
        let first = log.records.front().unwrap().0.seq;
        assert_eq!(first, 11, "records 1 to 10 were forgotten");
        assert_eq!(
            log.body_bytes,
            log.records.iter().map(|(_, n)| n).sum::<usize>()
        );

        let mut log = Log::new();
        for _ in 0..LOG_CAP + 5 {
            log.push(record(None), 0);
        }
        assert_eq!(log.records.len(), LOG_CAP, "the record count is capped too");
        log.clear();
        assert_eq!((log.records.len(), log.body_bytes), (0, 0));
    }

    #[test]
    fn globs() {
        assert!(glob_match("/v1/*/components", "/v1/abc/components"));
        assert!(!glob_match("/v1/*/components", "/v1/abc/components/x"));
        assert!(glob_match("/v1/**", "/v1/abc/components/x"));
        assert!(glob_match("/v1/*/incidents*", "/v1/p/incidents"));
        assert!(glob_match("/summary.json", "/summary.json"));
        assert!(!glob_match("/v2/pages", "/v1/pages"));
    }

    #[test]
    fn fault_json_round_trips() {
        for a in [
            json!({"status": 500}),
            json!({"status_after": 503}),
            json!({"delay_ms": 10}),
            json!("drop"),
            json!("drop_after"),
            json!("malformed"),
        ] {
            let v = json!({"method": "POST", "path": "/v1/*/components", "action": a, "times": 3});
            let rule = fault_from_json(&v).unwrap();
            assert_eq!(fault_to_json(&rule), v);
        }
        assert!(fault_from_json(&json!({"path": "/x", "action": "explode"})).is_err());
    }
}
