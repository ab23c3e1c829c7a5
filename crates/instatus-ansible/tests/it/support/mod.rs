//! A stand-in for a misbehaving proxy on 127.0.0.1: every request gets an instant
//! `401` whose error message echoes the request head (Authorization header included), so module
//! runs end fast, touch nothing outside the machine, and face the worst error body for masking.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpListener;

/// Starts the echoing server on a background thread; returns its base URL.
pub fn echoing_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65536 {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let text = String::from_utf8_lossy(&head).into_owned();
            let body = serde_json::json!({"error": {"code": "unauthorized",
                "message": format!("proxy refused the request: {text}")}})
            .to_string();
            let answer = format!(
                "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    url
}

/// Starts a server on 127.0.0.1 that answers every GET whose path ends with one of `routes`' keys
/// with that JSON (a list is one short page, so pagination stops), and anything else with 404:
/// an API answer no emulator would give (a maintenance of 2^63 - 1 minutes...). Returns its base
/// URL.
pub fn canned_server(routes: Vec<(&'static str, serde_json::Value)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65536 {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            let text = String::from_utf8_lossy(&head).into_owned();
            let path = text
                .split_whitespace()
                .nth(1)
                .unwrap_or_default()
                .split('?')
                .next()
                .unwrap_or_default()
                .to_owned();
            let found = routes.iter().find(|(suffix, _)| path.ends_with(suffix));
            let (status, body) = match found {
                Some((_, value)) => ("200 OK", value.to_string()),
                None => (
                    "404 Not Found",
                    r#"{"error":{"code":"not_found","message":"no route"}}"#.to_owned(),
                ),
            };
            let answer = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    url
}
