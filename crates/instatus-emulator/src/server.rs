//! The HTTP side: the accept loop and the request pipeline every API request goes through
//! (body limit, cron pings, rate limit, faults, auth, dispatch, request log). Requests under
//! `/_emulator` leave the pipeline for the control API ([`crate::control`]).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use instatus::api::Method;
use serde_json::Value;

use crate::api::{self, ApiError};
use crate::shared::Shared;
use crate::{FaultAction, RequestRecord};

/// Most bytes of an oversized body read and thrown away so the client gets its 413 cleanly;
/// beyond this the connection is closed after the answer.
const DRAIN_MAX: u64 = 256 * 1024 * 1024;

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
                        api::monitors::check(&mut shared.state(), now_ms);
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

/// An answer.
pub(crate) type Resp = Response<Full<Bytes>>;

/// An answer with this status and body, typed JSON.
pub(crate) fn respond(status: u16, body: Bytes) -> Resp {
    let mut resp = Response::new(Full::new(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json; charset=utf-8"),
    );
    resp
}

/// An HTML answer, never cached.
pub(crate) fn html_resp(status: u16, html: String) -> Resp {
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

/// A JSON answer.
pub(crate) fn json_resp(status: u16, v: &Value) -> Resp {
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
    let limit = shared.max_body_bytes();
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
        return Ok(crate::control::answer(
            &shared, &method, &path, &query, &body,
        ));
    }

    let now_ms = crate::time::now().as_millisecond();
    api::monitors::check(&mut shared.state(), now_ms);
    // Cron monitor pings (`https://cron.instatus.com/<slug>` in the real service): no key.
    if let Some(slug) = path.strip_prefix("/cron/") {
        let found = api::monitors::ping(&mut shared.state(), slug, now_ms);
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
            let mut state = shared.state();
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
