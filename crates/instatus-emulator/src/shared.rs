//! What the server tasks and the [`Emulator`](crate::Emulator) handle share: the state, the
//! request log, the fault rules, the rate limit window and the lenient fields.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use bytes::Bytes;
use serde_json::Value;

use crate::state::State;
use crate::{Config, FaultAction, FaultRule, RateLimit, RequestRecord};

/// Most request records kept; older ones are forgotten.
const LOG_CAP: usize = 200_000;

/// Most request body bytes kept in the log (as received); the oldest records go first. With
/// [`LOG_CAP`] this bounds the log's memory whatever clients send.
const LOG_BODY_BUDGET: usize = 64 * 1024 * 1024;

/// State shared by the server tasks and the [`Emulator`](crate::Emulator) handle.
pub(crate) struct Shared {
    /// The key API requests must carry.
    pub api_key: String,
    state: Mutex<State>,
    log: Mutex<Log>,
    faults: Mutex<Vec<FaultRule>>,
    rate: Mutex<Option<RateWindow>>,
    state_file: Option<PathBuf>,
    max_body_bytes: usize,
    ignored_fields: Mutex<Vec<String>>,
    /// Outgoing webhooks to the page's webhook subscribers.
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

/// Locks, going on with the data a panicked holder left (every writer leaves it consistent).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
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

    /// Creates a page unless one has the subdomain already (checked and created under one lock).
    pub fn create_page_once(&self, subdomain: &str, name: &str) -> Option<String> {
        let mut state = lock(&self.state);
        if state.pages.iter().any(|p| p.subdomain == subdomain) {
            return None;
        }
        let now = crate::time::now_str();
        Some(state.add_page(subdomain, name, "emulator@example.com", &now))
    }

    /// The emulated account, locked.
    pub fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
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
    pub fn without_ignored(&self, body: Bytes) -> Bytes {
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

    pub fn faults(&self) -> Vec<FaultRule> {
        lock(&self.faults).clone()
    }

    pub fn add_fault(&self, rule: FaultRule) {
        lock(&self.faults).push(rule);
    }

    pub fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    pub fn rate_limit(&self) -> Option<RateLimit> {
        lock(&self.rate).as_ref().map(|w| w.limit.clone())
    }

    pub fn set_rate_limit(&self, limit: Option<RateLimit>) {
        *lock(&self.rate) = limit.map(RateWindow::new);
    }

    /// The state file, if one is configured.
    pub fn state_file(&self) -> Option<&Path> {
        self.state_file.as_deref()
    }

    /// The largest request body accepted, in bytes.
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
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

    pub fn reset(&self) {
        *lock(&self.state) = State::new();
    }

    /// Counts a request; `Some(seconds until reset)` when it is over the limit.
    pub fn rate_check(&self) -> Option<(u64, bool, String)> {
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
    pub fn take_fault(&self, method: &str, path: &str) -> Option<FaultAction> {
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

    pub fn log(&self, record: RequestRecord, body_size: usize) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
}
