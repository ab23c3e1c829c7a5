//! A tiny blocking client for the emulator tests.

#![allow(dead_code)]

use instatus_emulator::{Config, Emulator};
use serde_json::Value;

/// An answer: status, JSON body (Null when not JSON), raw text and the Retry-After header.
pub struct Answer {
    pub status: u16,
    pub json: Value,
    pub text: String,
    pub retry_after: Option<String>,
}

/// The emulator binary, running on an ephemeral port; killed when dropped.
pub struct Binary {
    pub child: std::process::Child,
    pub url: String,
}

impl Binary {
    /// Starts `instatus-emulator --port 0 ARGS` with `envs` and reads its URL from the listening
    /// line.
    pub fn spawn(args: &[&str], envs: &[(&str, &str)]) -> Binary {
        use std::io::{BufRead, BufReader};
        use std::process::{Command, Stdio};

        let mut child = Command::new(env!("CARGO_BIN_EXE_instatus-emulator"))
            .args(["--port", "0"])
            .args(args)
            .envs(envs.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the emulator binary starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout is piped"))
            .read_line(&mut line)
            .expect("the listening line");
        let url = line
            .trim()
            .strip_prefix("instatus-emulator listening on ")
            .unwrap_or_else(|| panic!("not the listening line: {line:?}"))
            .to_owned();
        Binary { child, url }
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Api {
    pub emu: Emulator,
    pub page: String,
    agent: ureq::Agent,
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

impl Api {
    pub fn start() -> Api {
        Api::with(Config::default())
    }

    pub fn with(config: Config) -> Api {
        let emu = Emulator::start(config).expect("emulator starts");
        let page = emu.create_page("ephemery", "Ephemery");
        Api {
            emu,
            page,
            agent: agent(),
        }
    }

    /// Sends with the right key; `Err` when the connection failed or was dropped.
    pub fn try_send(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        key: Option<&str>,
        host: Option<&str>,
    ) -> Result<Answer, ureq::Error> {
        let url = format!("{}{path}", self.emu.url());
        let builder = ureq::http::Request::builder().method(method).uri(&url);
        let builder = match key {
            Some(k) => builder.header("Authorization", format!("Bearer {k}")),
            None => builder,
        };
        let builder = match host {
            Some(h) => builder.header("Host", h),
            None => builder,
        };
        let mut resp = match body {
            Some(b) => self.agent.run(
                builder
                    .header("Content-Type", "application/json")
                    .body(b.to_string())
                    .expect("request"),
            )?,
            None => self.agent.run(builder.body(()).expect("request"))?,
        };
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = resp.body_mut().read_to_string()?;
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Answer {
            status,
            json,
            text,
            retry_after,
        })
    }

    pub fn send(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        let key = self.emu.api_key().to_owned();
        self.try_send(method, path, body, Some(&key), None)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// Sends and expects 200; returns the JSON.
    pub fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let a = self.send(method, path, body);
        assert_eq!(a.status, 200, "{method} {path}: {}", a.text);
        a.json
    }

    pub fn get(&self, path: &str) -> Value {
        self.ok("GET", path, None)
    }

    pub fn post(&self, path: &str, body: Value) -> Value {
        self.ok("POST", path, Some(body))
    }

    pub fn put(&self, path: &str, body: Value) -> Value {
        self.ok("PUT", path, Some(body))
    }

    pub fn delete(&self, path: &str) -> Value {
        self.ok("DELETE", path, None)
    }

    /// `/v1/{page}{rest}`.
    pub fn v1(&self, rest: &str) -> String {
        format!("/v1/{}{rest}", self.page)
    }

    /// `/v2/{page}{rest}`.
    pub fn v2(&self, rest: &str) -> String {
        format!("/v2/{}{rest}", self.page)
    }

    /// Control API call (no key).
    pub fn control(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        self.try_send(method, &format!("/_emulator{path}"), body, None, None)
            .expect("control call")
    }

    /// Control API call with a raw body (none when empty), for bodies that are not JSON.
    pub fn control_raw(&self, method: &str, path: &str, body: &str) -> Answer {
        let url = format!("{}/_emulator{path}", self.emu.url());
        let request = ureq::http::Request::builder().method(method).uri(&url);
        let mut resp = self
            .agent
            .run(request.body(body.to_owned()).expect("request"))
            .expect("control call");
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().expect("body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer {
            status,
            json,
            text,
            retry_after: None,
        }
    }

    pub fn component(&self, name: &str) -> String {
        let c = self.post(&self.v1("/components"), serde_json::json!({"name": name}));
        c["id"].as_str().expect("id").to_owned()
    }

    /// Creates a component in the group `group` (an id); returns its id.
    pub fn grouped_component(&self, group: &str, name: &str) -> String {
        let c = self.post(
            &self.v1("/components"),
            serde_json::json!({"name": name, "grouped": true, "group": group}),
        );
        c["id"].as_str().expect("id").to_owned()
    }

    pub fn component_status(&self, id: &str) -> String {
        self.get(&self.v1(&format!("/components/{id}")))["status"]
            .as_str()
            .expect("status")
            .to_owned()
    }
}

/// The calendar day `n` days before today, in UTC.
pub fn days_ago(n: i64) -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date()
        .checked_sub(jiff::SignedDuration::from_hours(24 * n))
        .unwrap()
}
