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

/// A CA, a server certificate for 127.0.0.1 and a client certificate, made with the openssl CLI.
const MAKE_CERTS: &str = r#"set -e
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=test-ca -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
for who in server client; do
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout $who.key -out $who.csr -subj /CN=$who 2>/dev/null
done
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > server.ext
printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' > client.ext
for who in server client; do
  openssl x509 -req -in $who.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out $who.pem -days 2 -extfile $who.ext 2>/dev/null
done
"#;

/// `openssl s_server` asking for a client certificate signed by the CA; `None` when it cannot
/// start.
struct TlsServer {
    child: std::process::Child,
    url: String,
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tls_server(dir: &std::path::Path) -> TlsServer {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new("openssl")
        .args(["s_server", "-quiet", "-www", "-accept"])
        .arg(format!("127.0.0.1:{port}"))
        .args([
            "-cert",
            "server.pem",
            "-key",
            "server.key",
            "-CAfile",
            "ca.pem",
            "-Verify",
            "1",
        ])
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("openssl runs");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "s_server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    TlsServer {
        child,
        url: format!("https://127.0.0.1:{port}/"),
    }
}

#[test]
fn a_ca_file_and_a_client_certificate_reach_a_tls_server_that_asks_for_one() {
    let dir = std::env::temp_dir().join(format!("instatus-foreign-tls-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let made = std::process::Command::new("sh")
        .args(["-c", MAKE_CERTS])
        .current_dir(&dir)
        .status()
        .unwrap();
    assert!(made.success());
    let read = |f: &str| std::fs::read(dir.join(f)).unwrap();
    let server = tls_server(&dir);
    let client = |tls: instatus::ForeignTls| {
        Client::builder("k")
            .timeout(Duration::from_secs(5))
            .retry(instatus::RetryPolicy::none())
            .foreign_tls(tls)
            .build()
            .unwrap()
    };
    let full = instatus::ForeignTls {
        ca_pem: Some(read("ca.pem")),
        client_pem: Some((
            read("client.pem"),
            Secret::new(String::from_utf8(read("client.key")).unwrap()),
        )),
    };
    assert!(!format!("{full:?}").contains("PRIVATE KEY"), "{full:?}");
    let (status, _) = client(full)
        .get_foreign(&server.url, &[])
        .expect("TLS with both");
    assert_eq!(status, 200);
    // Without the client certificate the server refuses the handshake.
    let no_cert = instatus::ForeignTls {
        ca_pem: Some(read("ca.pem")),
        client_pem: None,
    };
    assert!(client(no_cert).get_foreign(&server.url, &[]).is_err());
    // Without the CA the server's certificate is not trusted.
    assert!(client(instatus::ForeignTls::default())
        .get_foreign(&server.url, &[])
        .is_err());
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
