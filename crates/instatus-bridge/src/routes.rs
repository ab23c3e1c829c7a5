//! The bridge's HTTP routes and handlers: the Alertmanager webhook (authorised, bounded, parsed
//! in one place, journalled before the 200), Instatus's signed webhooks, the health, readiness
//! and metrics endpoints, the badges and the calendar. The server around them (bind, accept,
//! connection bounds, shutdown) is `server.rs`.

use std::sync::atomic::Ordering;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, WWW_AUTHENTICATE};
use hyper::{Method, Request, Response, StatusCode};
use instatus::jiff::Timestamp;
use instatus::sources::alertmanager::WebhookPayload;
use instatus::webhook::{WebhookError, SIGNATURE_HEADER};

use crate::server::{log, Shared};

/// An answer to one request.
pub(crate) type Answer = Response<Full<Bytes>>;

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

/// Answers one request: the webhooks, `/healthz`, `/readyz`, `/metrics`, the badges and the
/// calendar.
pub(crate) async fn route(req: Request<Incoming>, shared: &Shared) -> Answer {
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
        (&Method::GET, "/healthz") => match shared.liveness.check() {
            Ok(()) => answer(StatusCode::OK, "text/plain", "ok\n"),
            Err(why) => answer(
                StatusCode::SERVICE_UNAVAILABLE,
                "text/plain",
                format!("unhealthy: {why}\n"),
            ),
        },
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
        (&Method::GET, path) if path.starts_with("/badge/") => {
            let (status, body) = shared.badges.answer(&path["/badge/".len()..], Timestamp::now());
            answer(
                StatusCode::from_u16(status).unwrap_or(StatusCode::NOT_FOUND),
                "application/json",
                body,
            )
        }
        (&Method::GET, "/metrics") => answer(
            StatusCode::OK,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
            shared.telemetry.encode(),
        ),
        _ => answer(
            StatusCode::NOT_FOUND,
            "text/plain",
            "not found; routes: POST /alertmanager, POST /instatus, GET /healthz, /readyz, /metrics, /calendar.ics, /badge/{status,iteration,next-reset}.json\n",
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
    let max_body = shared.limits.max_body;
    let too_large = || {
        t.reject("too_large");
        json(
            StatusCode::PAYLOAD_TOO_LARGE,
            serde_json::json!({"error": format!("body too large: the limit is {max_body} bytes (server.max_body_bytes)")}),
        )
    };
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_body as u64) {
        return too_large();
    }
    let body = match read_body(req.into_body(), shared).await {
        Ok(b) => b,
        Err(BodyError::TooLarge) => return too_large(),
        Err(BodyError::TimedOut) => {
            t.reject("timeout");
            return body_timed_out(shared);
        }
        Err(BodyError::Broken(e)) => {
            t.reject("malformed");
            return json(
                StatusCode::BAD_REQUEST,
                serde_json::json!({"error": format!("cannot read the body: {e}")}),
            );
        }
    };
    let payload = match WebhookPayload::parse(&body) {
        Ok(p) => p,
        Err(e) => {
            t.reject("malformed");
            return json(
                StatusCode::BAD_REQUEST,
                serde_json::json!({ "error": e.to_string() }),
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
    let body = match read_body(req.into_body(), shared).await {
        Ok(b) => b,
        Err(BodyError::TimedOut) => return body_timed_out(shared),
        Err(_) => {
            return json(
                StatusCode::PAYLOAD_TOO_LARGE,
                serde_json::json!({"error": format!("body too large or unreadable: the limit is {} bytes (server.max_body_bytes)", shared.limits.max_body)}),
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

/// Why a body could not be read.
enum BodyError {
    TooLarge,
    TimedOut,
    Broken(Box<dyn std::error::Error + Send + Sync>),
}

/// Reads a body up to `server.max_body_bytes`, within `server.body_read_timeout_secs`.
async fn read_body(body: Incoming, shared: &Shared) -> Result<Bytes, BodyError> {
    let limits = shared.limits;
    let collect = Limited::new(body, limits.max_body).collect();
    match tokio::time::timeout(limits.body_timeout, collect).await {
        Err(_) => Err(BodyError::TimedOut),
        Ok(Ok(b)) => Ok(b.to_bytes()),
        Ok(Err(e))
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            Err(BodyError::TooLarge)
        }
        Ok(Err(e)) => Err(BodyError::Broken(e)),
    }
}

fn body_timed_out(shared: &Shared) -> Answer {
    json(
        StatusCode::REQUEST_TIMEOUT,
        serde_json::json!({"error": format!("the body did not arrive within {} s (server.body_read_timeout_secs)", shared.limits.body_timeout.as_secs())}),
    )
}
