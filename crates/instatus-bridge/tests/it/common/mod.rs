//! Test helpers: the emulator with an Ephemery-like page, a fake Prometheus + Alertmanager (a tiny
//! hyper server answering with the shared fixtures' shapes), config files, and the binary.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use instatus::api::{self, components::CreateComponentRequest};
use instatus::model::{Component, ComponentTree, Incident, PageId};
use instatus::Client;
use instatus_emulator::{Config as EmuConfig, Emulator};
use serde_json::{json, Value};

/// The captured Prometheus and Alertmanager payloads, kept in the repository with the library's tests.
pub const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../instatus/tests/fixtures/monitoring"
);

/// A captured payload, by file name.
pub fn fixture(name: &str) -> String {
    let path = PathBuf::from(FIXTURES).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

/// The emulator with the page `ephemery`: group `Ethereum Services` with `Execution Client` and
/// `Consensus Client`, and a top-level `Network`.
pub struct Page {
    pub emu: Emulator,
    pub page: PageId,
    pub client: Client,
}

impl Page {
    pub fn start() -> Page {
        Page::with(EmuConfig::default())
    }

    pub fn with(config: EmuConfig) -> Page {
        let emu = Emulator::start(config).expect("emulator starts");
        let page = PageId::new(emu.create_page("ephemery", "Ephemery"));
        let client = Client::builder(emu.api_key())
            .base_url(emu.url())
            .build()
            .expect("client");
        let group = client
            .send(api::components::create(
                &page,
                &CreateComponentRequest::new("Ethereum Services"),
            ))
            .expect("group");
        for name in ["Execution Client", "Consensus Client"] {
            client
                .send(api::components::create(
                    &page,
                    &CreateComponentRequest::new(name).in_group(group.id.clone()),
                ))
                .expect("child");
        }
        client
            .send(api::components::create(
                &page,
                &CreateComponentRequest::new("Network"),
            ))
            .expect("network");
        emu.clear_requests();
        Page { emu, page, client }
    }

    pub fn tree(&self) -> ComponentTree {
        ComponentTree::from_components(
            self.client
                .list_all(api::components::list(&self.page))
                .expect("list"),
        )
    }

    pub fn component(&self, path: &str) -> Component {
        self.tree()
            .find(path)
            .cloned()
            .expect("component on the page")
    }

    pub fn status(&self, path: &str) -> String {
        self.component(path).status.as_str().to_owned()
    }

    pub fn incidents(&self) -> Vec<Incident> {
        self.client
            .list_all(api::incidents::list(&self.page))
            .expect("incidents")
    }

    /// Writes (non-GET requests) in the request log.
    pub fn writes(&self) -> Vec<instatus_emulator::RequestRecord> {
        self.emu
            .requests()
            .into_iter()
            .filter(|r| r.write)
            .collect()
    }

    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("INSTATUS_BASE_URL".into(), self.emu.url()),
            ("INSTATUS_API_KEY".into(), self.emu.api_key().into()),
            ("INSTATUS_PAGE".into(), "ephemery".into()),
        ]
    }
}

/// What the fake answers for one query.
#[derive(Clone, Debug)]
pub enum Answer {
    /// A one-series vector with this value, stamped now (the fixture's shape).
    Value(f64),
    /// An HTTP status and body (a captured error answer).
    Raw(u16, String),
}

/// A fake Prometheus (`/api/v1/query`) and Alertmanager (`/api/v2/alerts`).
pub struct Upstream {
    pub url: String,
    pub answers: Arc<Mutex<HashMap<String, Answer>>>,
    pub alerts: Arc<Mutex<Value>>,
    pub requests: Arc<AtomicU64>,
    /// Every `/api/v1/query` query received, in order.
    pub queries: Arc<Mutex<Vec<String>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Upstream {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn vector_answer(value: f64) -> String {
    let mut v: Value = serde_json::from_str(&fixture("prom-query-sample.json")).expect("fixture");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    v["data"]["result"][0]["value"] = json!([now, format!("{value}")]);
    v.to_string()
}

/// The captured 400 `bad_data` answer.
pub fn bad_data() -> Answer {
    let samples: Value = serde_json::from_str(&fixture("prom-api-samples.json")).expect("fixture");
    let s = samples["samples"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["http_status"] == 400)
        .unwrap();
    Answer::Raw(400, s["body"].to_string())
}

fn decode(q: &str) -> String {
    percent_encoding::percent_decode_str(&q.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

impl Upstream {
    pub fn start() -> Upstream {
        let answers: Arc<Mutex<HashMap<String, Answer>>> = Arc::default();
        let alerts = Arc::new(Mutex::new(json!([])));
        let requests = Arc::new(AtomicU64::new(0));
        let queries: Arc<Mutex<Vec<String>>> = Arc::default();
        let (tx, rx) = std::sync::mpsc::channel();
        let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (a, al, rq) = (answers.clone(), alerts.clone(), requests.clone());
        let ql = queries.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                loop {
                    tokio::select! {
                        Ok((stream, _)) = listener.accept() => {
                            let (a, al, rq, ql) = (a.clone(), al.clone(), rq.clone(), ql.clone());
                            let svc = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                                let (a, al, rq, ql) = (a.clone(), al.clone(), rq.clone(), ql.clone());
                                async move {
                                    rq.fetch_add(1, Ordering::SeqCst);
                                    let path = req.uri().path().to_owned();
                                    let query = req.uri().query().unwrap_or("").to_owned();
                                    let (status, body) = if path == "/api/v1/query" {
                                        let q = query
                                            .split('&')
                                            .find_map(|kv| kv.strip_prefix("query="))
                                            .map(decode)
                                            .unwrap_or_default();
                                        ql.lock().unwrap().push(q.clone());
                                        match a.lock().unwrap().get(&q).cloned() {
                                            Some(Answer::Value(v)) => (200, vector_answer(v)),
                                            Some(Answer::Raw(s, b)) => (s, b),
                                            None => (200, r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#.to_owned()),
                                        }
                                    } else if path == "/api/v2/alerts" {
                                        (200, al.lock().unwrap().to_string())
                                    } else {
                                        (404, "404 page not found".to_owned())
                                    };
                                    let mut r = Response::new(Full::new(Bytes::from(body)));
                                    *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap();
                                    Ok::<_, std::convert::Infallible>(r)
                                }
                            });
                            tokio::spawn(async move {
                                let _ = hyper::server::conn::http1::Builder::new()
                                    .serve_connection(TokioIo::new(stream), svc)
                                    .await;
                            });
                        }
                        _ = &mut stop_rx => break,
                    }
                }
            });
        });
        let addr = rx.recv().unwrap();
        Upstream {
            url: format!("http://{addr}"),
            answers,
            alerts,
            requests,
            queries,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    pub fn set(&self, query: &str, answer: Answer) {
        self.answers
            .lock()
            .unwrap()
            .insert(query.to_owned(), answer);
    }

    pub fn set_alerts(&self, alerts: Value) {
        *self.alerts.lock().unwrap() = alerts;
    }
}

/// A fresh directory under the system temp dir.
pub fn temp_dir(name: &str) -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "instatus-bridge-{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_instatus-bridge"));
    for var in [
        "INSTATUS_BRIDGE_CONFIG",
        "INSTATUS_BASE_URL",
        "INSTATUS_API_KEY",
        "INSTATUS_PAGE",
        "PROMETHEUS_URL",
        "ALERTMANAGER_URL",
    ] {
        c.env_remove(var);
    }
    c
}

pub fn run(config: &Path, args: &[&str], env: &[(String, String)]) -> Output {
    let mut c = bin();
    c.arg("--config").arg(config).args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("the binary runs")
}

pub fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A running `serve`.
pub struct Served {
    pub child: Child,
    pub url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    pub fn start(config: &Path, env: &[(String, String)]) -> Served {
        let mut c = bin();
        c.arg("--config")
            .arg(config)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            c.env(k, v);
        }
        let mut child = c.spawn().expect("serve starts");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line was {line:?}"))
            .to_owned();
        Served { child, url }
    }

    /// SIGTERM, then the exit code.
    pub fn terminate(mut self) -> Option<i32> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    /// SIGKILL.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// POSTs a webhook; (status, body).
pub fn post(url: &str, body: &str, auth: Option<&str>) -> (u16, String) {
    let mut req = agent().post(url).header("Content-Type", "application/json");
    if let Some(a) = auth {
        req = req.header("Authorization", a);
    }
    let mut resp = req.send(body).expect("POST");
    let status = resp.status().as_u16();
    (status, resp.body_mut().read_to_string().unwrap_or_default())
}

pub fn get(url: &str) -> (u16, String) {
    let mut resp = agent().get(url).call().expect("GET");
    let status = resp.status().as_u16();
    (status, resp.body_mut().read_to_string().unwrap_or_default())
}

/// Waits until `f` is true (polling), or panics with `what`.
pub fn wait_until(what: &str, timeout: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out waiting for: {what}");
}

/// A webhook body from the captured fixture, with one firing alert relabelled.
pub fn webhook(alertname: &str, fingerprint: &str, starts_at: &str, status: &str) -> String {
    let mut v: Value = serde_json::from_str(&fixture("alertmanager-webhook-sample.json")).unwrap();
    let mut alert = v["alerts"][0].clone();
    alert["labels"]["alertname"] = json!(alertname);
    alert["fingerprint"] = json!(fingerprint);
    alert["startsAt"] = json!(starts_at);
    alert["status"] = json!(status);
    if status == "resolved" {
        alert["endsAt"] = json!(instatus::jiff::Timestamp::now().to_string());
    }
    v["alerts"] = json!([alert]);
    v["status"] = json!(status);
    v.to_string()
}
