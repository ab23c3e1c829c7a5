//! A minimal receiver for Instatus webhooks: verify the signature on the raw body, parse, act
//! once per change. `handle` is the part to copy; `main` serves it with the standard library
//! only (one request at a time; a real receiver sits behind a proper HTTP server).
//!
//! ```sh
//! INSTATUS_WEBHOOK_SECRET=... cargo run -p instatus --example webhook_receiver -- 127.0.0.1:9000
//! ```

use std::io::{BufRead, BufReader, Read, Write};

use instatus::webhook::{Event, ReplayGuard, Verifier, WebhookError, SIGNATURE_HEADER};
use instatus::Secret;

/// Answers one delivery: the HTTP status and a line saying what happened.
pub fn handle(
    verifier: &Verifier,
    seen: &mut ReplayGuard,
    body: &[u8],
    signature: Option<&str>,
) -> (u16, String) {
    let event = match verifier.verify_and_parse(body, signature) {
        Ok(event) => event,
        // A bad signature: refuse without looking at the body.
        Err(e @ WebhookError::Signature(_)) => return (401, e.to_string()),
        // Signed, but not a payload this version understands: 400, Instatus emails the owner.
        Err(e) => return (400, e.to_string()),
    };
    if !seen.first_time(&event) {
        return (200, format!("duplicate {} delivery ignored", event.kind()));
    }
    let what = match &event {
        Event::Incident(e) => format!(
            "incident {:?} is {} ({} updates)",
            e.incident.name,
            e.incident.status,
            e.incident.updates.len()
        ),
        Event::Maintenance(e) => format!(
            "maintenance {:?} is {}",
            e.maintenance.name, e.maintenance.status
        ),
        Event::ComponentUpdate(e) => format!(
            "component {} is now {}",
            e.component_name
                .as_deref()
                .unwrap_or(e.component_id.as_str()),
            e.new_status
        ),
        // `Event` is non-exhaustive: a newer crate may know more kinds.
        _ => format!("{} delivery", event.kind()),
    };
    (200, what)
}

#[allow(dead_code)]
fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9000".into());
    let secret = Secret::new(std::env::var("INSTATUS_WEBHOOK_SECRET").unwrap_or_default());
    let verifier = Verifier::new(&secret);
    let mut seen = ReplayGuard::new(10_000);
    let listener = std::net::TcpListener::bind(&addr)?;
    eprintln!("listening on http://{addr}");
    for stream in listener.incoming() {
        let mut stream = stream?;
        let mut reader = BufReader::new(stream.try_clone()?);
        let (mut length, mut signature) = (0usize, None);
        let mut line = String::new();
        reader.read_line(&mut line)?;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
                break;
            }
            if let Some((name, value)) = header.trim_end().split_once(':') {
                match name.to_ascii_lowercase().as_str() {
                    "content-length" => length = value.trim().parse().unwrap_or(0),
                    n if n == SIGNATURE_HEADER => signature = Some(value.trim().to_owned()),
                    _ => {}
                }
            }
        }
        let mut body = vec![0; length.min(1 << 20)];
        reader.read_exact(&mut body)?;
        let (status, what) = handle(&verifier, &mut seen, &body, signature.as_deref());
        eprintln!("{status} {what}");
        write!(
            stream,
            "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        )?;
    }
    Ok(())
}
