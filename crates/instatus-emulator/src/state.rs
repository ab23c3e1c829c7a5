//! The emulated account: pages and everything under them, plus the id counter. Serialised as-is
//! to the state file.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The whole state of the emulated account.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct State {
    /// The next id number; ids are derived from it, so a loaded state keeps handing out new ones.
    pub next_id: u64,
    /// The owner of the API key.
    pub user: User,
    /// Pages in creation order.
    pub pages: Vec<Page>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub slug: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Page {
    pub id: String,
    pub subdomain: String,
    pub name: String,
    pub email: String,
    pub workspace_id: String,
    /// Every other page setting, by its camelCase API name.
    #[serde(default)]
    pub settings: Map<String, Value>,
    pub created_at: String,
    pub updated_at: String,
    #[serde(default)]
    pub components: Vec<Component>,
    #[serde(default)]
    pub incidents: Vec<Incident>,
    #[serde(default)]
    pub maintenances: Vec<Maintenance>,
    #[serde(default)]
    pub subscribers: Vec<Subscriber>,
    #[serde(default)]
    pub templates: Vec<Template>,
    #[serde(default)]
    pub metrics: Vec<Metric>,
    #[serde(default)]
    pub team: Vec<Teammate>,
    #[serde(default)]
    pub cron_monitors: Vec<CronMonitor>,
}

/// A cron (heartbeat) monitor: pinged at `/cron/{slug}`; failed once no ping came for
/// `period + grace` seconds after the first one.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CronMonitor {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub period: u64,
    pub grace: u64,
    pub state: String,
    pub component_id: Option<String>,
    /// `onFail.createOutageDuration`: the component shows MAJOROUTAGE while failed.
    pub outage: bool,
    /// Epoch milliseconds of the last ping; `None` before the first (which starts the timing).
    pub last_ping_ms: Option<i64>,
    pub failed: bool,
    pub created_at: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Component {
    pub id: String,
    pub name: String,
    pub description: String,
    pub status: String,
    pub order: i64,
    pub show_uptime: bool,
    pub group_id: Option<String>,
    pub is_parent: bool,
    pub unique_email: String,
    pub archived_at: Option<String>,
    #[serde(default)]
    pub translations: Value,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NoticeUpdate {
    pub id: String,
    pub message: String,
    pub status: String,
    pub notify: bool,
    pub started: String,
    pub ended: Option<String>,
    pub duration: Option<i64>,
    #[serde(default)]
    pub translations: Value,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Incident {
    pub id: String,
    pub name: String,
    pub status: String,
    pub started: String,
    pub resolved: Option<String>,
    pub duration: Option<i64>,
    pub notify: bool,
    pub should_publish: bool,
    /// Affected components and the status this incident gave each.
    pub components: Vec<(String, String)>,
    /// Updates, oldest first.
    pub updates: Vec<NoticeUpdate>,
    #[serde(default)]
    pub translations: Value,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Maintenance {
    pub id: String,
    pub name: String,
    pub status: String,
    pub start: String,
    pub duration: Option<i64>,
    pub notify: bool,
    pub notify_start: bool,
    pub notify_end: bool,
    pub notify_early: bool,
    pub notify_minutes: i64,
    pub auto_start: bool,
    pub auto_end: bool,
    /// Affected components and the status this maintenance gave each.
    pub components: Vec<(String, String)>,
    /// Updates, oldest first.
    pub updates: Vec<NoticeUpdate>,
    #[serde(default)]
    pub translations: Value,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Subscriber {
    pub id: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub webhook: Option<String>,
    pub webhook_email: Option<String>,
    pub confirmed: bool,
    pub all: bool,
    pub components: Vec<String>,
    pub language: String,
    pub unsubscribe_token: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TemplateComponent {
    pub id: String,
    pub component_id: String,
    pub status: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Template {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub message: String,
    pub status: String,
    pub notify: bool,
    pub components: Vec<TemplateComponent>,
    #[serde(default)]
    pub translations: Value,
    pub created_at: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Datapoint {
    pub id: String,
    pub timestamp: i64,
    pub value: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Metric {
    pub id: String,
    pub name: String,
    pub suffix: String,
    pub order: i64,
    pub active: bool,
    pub data: Vec<Datapoint>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Teammate {
    pub id: String,
    pub user_id: String,
    pub email: String,
    pub permission: String,
}

/// Base-36 digits.
const B36: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// SplitMix64: a fixed scrambler so ids look random yet are reproducible.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `n` base-36 characters derived from `seed`.
pub(crate) fn b36_noise(seed: u64, n: usize) -> String {
    let mut out = String::with_capacity(n);
    let mut x = mix(seed);
    for i in 0..n {
        if i % 12 == 11 {
            x = mix(x);
        }
        out.push(B36[(x % 36) as usize] as char);
        x /= 36;
    }
    out
}

/// The cuid-like id for counter value `n`: `c`, 8 base-36 digits of `n` (unique, sortable), 16
/// scrambled base-36 characters.
pub(crate) fn cuid(n: u64) -> String {
    let mut digits = [b'0'; 8];
    let mut v = n;
    for d in digits.iter_mut().rev() {
        *d = B36[(v % 36) as usize];
        v /= 36;
    }
    let mut id = String::with_capacity(25);
    id.push('c');
    id.push_str(std::str::from_utf8(&digits).unwrap_or("00000000"));
    id.push_str(&b36_noise(n, 16));
    id
}

impl State {
    /// An empty account.
    pub fn new() -> State {
        State {
            next_id: 2,
            user: User {
                id: cuid(1),
                email: "emulator@example.com".into(),
                name: "Instatus Emulator".into(),
                slug: "emulator".into(),
            },
            pages: Vec::new(),
        }
    }

    /// A fresh id.
    pub fn new_id(&mut self) -> String {
        let id = cuid(self.next_id);
        self.next_id += 1;
        id
    }

    /// The page with this id.
    pub fn page(&self, id: &str) -> Option<&Page> {
        self.pages.iter().find(|p| p.id == id)
    }

    /// The page with this id, mutably.
    pub fn page_mut(&mut self, id: &str) -> Option<&mut Page> {
        self.pages.iter_mut().find(|p| p.id == id)
    }

    /// Creates a page with default settings; returns its id.
    pub fn add_page(&mut self, subdomain: &str, name: &str, email: &str, now: &str) -> String {
        let id = self.new_id();
        let workspace_id = self.new_id();
        self.pages.push(Page::new(
            id.clone(),
            subdomain,
            name,
            email,
            workspace_id,
            now,
        ));
        id
    }
}

impl Page {
    /// A page with default settings and nothing under it, created and last updated at `now`.
    pub fn new(
        id: String,
        subdomain: &str,
        name: &str,
        email: &str,
        workspace_id: String,
        now: &str,
    ) -> Page {
        Page {
            id,
            subdomain: subdomain.to_owned(),
            name: name.to_owned(),
            email: email.to_owned(),
            workspace_id,
            settings: Map::new(),
            created_at: now.to_owned(),
            updated_at: now.to_owned(),
            components: Vec::new(),
            incidents: Vec::new(),
            maintenances: Vec::new(),
            subscribers: Vec::new(),
            templates: Vec::new(),
            metrics: Vec::new(),
            team: Vec::new(),
            cron_monitors: Vec::new(),
        }
    }
}

impl Default for State {
    fn default() -> Self {
        State::new()
    }
}

/// Lower-case, alphanumeric runs joined by `-`.
pub(crate) fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("component");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_cuid_like_unique_and_sortable() {
        let a = cuid(2);
        let b = cuid(3);
        assert_eq!(a.len(), 25);
        assert!(a.starts_with('c'));
        assert!(a
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase()));
        assert_ne!(a, b);
        assert!(a < b);
        assert_eq!(cuid(2), a);
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Execution Client (geth)"), "execution-client-geth");
        assert_eq!(slug("!!"), "component");
    }
}
