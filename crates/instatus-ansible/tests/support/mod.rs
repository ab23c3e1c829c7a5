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
