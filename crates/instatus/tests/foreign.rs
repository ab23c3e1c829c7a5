//! `Client::get_foreign` with the foreign server's own credentials: sent to it, and the
//! Instatus key never.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::time::Duration;

use instatus::{Client, ForeignAuth, Secret};

/// One HTTP exchange: returns the request's header lines.
fn serve_once() -> (String, std::thread::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut lines = Vec::new();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line.trim().is_empty() {
                break;
            }
            lines.push(line.trim().to_owned());
        }
        stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
            .unwrap();
        lines
    });
    (url, handle)
}

fn authorization(lines: &[String]) -> Option<String> {
    lines
        .iter()
        .find_map(|l| {
            l.strip_prefix("authorization: ")
                .or_else(|| l.strip_prefix("Authorization: "))
        })
        .map(str::to_owned)
}

#[test]
fn basic_auth_and_bearer_tokens_reach_the_foreign_server_and_the_key_does_not() {
    for (auth, expected) in [
        (
            ForeignAuth::Basic {
                username: "prom".into(),
                password: Secret::new("pw"),
            },
            // base64("prom:pw")
            "Basic cHJvbTpwdw==",
        ),
        (
            ForeignAuth::Bearer(Secret::new("tok-123")),
            "Bearer tok-123",
        ),
    ] {
        let (url, server) = serve_once();
        let client = Client::builder("instatus-key-must-not-leak")
            .timeout(Duration::from_secs(5))
            .foreign_auth(auth.clone())
            .build()
            .unwrap();
        assert!(!format!("{auth:?}").contains("pw\""), "{auth:?}");
        assert!(!format!("{auth:?}").contains("tok-123"));
        let (status, body) = client
            .get_foreign(&format!("{url}/api/v1/query"), &[("query", "up")])
            .unwrap();
        assert_eq!((status, body.as_slice()), (200, b"{}".as_slice()));
        let lines = server.join().unwrap();
        assert_eq!(
            authorization(&lines).as_deref(),
            Some(expected),
            "{lines:?}"
        );
        assert!(!lines
            .iter()
            .any(|l| l.contains("instatus-key-must-not-leak")));
    }
    // Without foreign credentials, no Authorization at all.
    let (url, server) = serve_once();
    let client = Client::builder("instatus-key-must-not-leak")
        .build()
        .unwrap();
    client.get_foreign(&url, &[]).unwrap();
    assert_eq!(authorization(&server.join().unwrap()), None);
}

#[test]
fn a_ca_file_that_is_not_pem_is_a_config_error() {
    let e = Client::builder("k")
        .foreign_tls(instatus::ForeignTls {
            ca_pem: Some(b"not a certificate".to_vec()),
            client_pem: None,
        })
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("ca_file"), "{e}");
}
