//! A heartbeat someone outside watches: an Instatus cron monitor ([`crate::api::monitors`])
//! found by name or created, checked by reading it back, and pinged. When the pings stop (the
//! process or its host died), Instatus marks the monitor's component down, so a dead automation
//! never leaves the page green with nobody told.
//!
//! ```
//! use instatus::{heartbeat, Client};
//! # let emulator = instatus_emulator::Emulator::start(instatus_emulator::Config::default()).unwrap();
//! # let page = instatus::model::PageId::new(emulator.create_page("ephemery", "Ephemery"));
//! # let client = Client::builder(emulator.api_key()).base_url(emulator.url()).build()?;
//! let wanted = heartbeat::Wanted { name: "Status automation".into(), period: 120, grace: 60 };
//! let first = heartbeat::ensure(&client, &page, &wanted)?;
//! assert!(first.created);
//! let again = heartbeat::ensure(&client, &page, &wanted)?;
//! assert!(!again.created && again.monitor.id == first.monitor.id, "found, not created twice");
//! # Ok::<(), instatus::heartbeat::HeartbeatError>(())
//! ```

use crate::api::monitors::{self, CreateCronMonitorRequest, UpdateCronMonitorRequest};
use crate::model::{CronMonitor, PageId};
use crate::{Client, Error};

/// The monitor wanted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wanted {
    /// Its name (and its component's).
    pub name: String,
    /// Seconds expected between pings.
    pub period: u64,
    /// Seconds of slack.
    pub grace: u64,
}

/// The monitor as read back.
#[derive(Clone, Debug, PartialEq)]
pub struct Ensured {
    /// The monitor.
    pub monitor: CronMonitor,
    /// Whether this call created it.
    pub created: bool,
    /// Whether this call changed its period or grace.
    pub updated: bool,
}

/// Why the heartbeat monitor could not be had.
#[derive(Debug, thiserror::Error)]
pub enum HeartbeatError {
    /// A request failed.
    #[error(transparent)]
    Api(#[from] Error),
    /// A write was accepted but reading back does not show it.
    #[error(
        "cron monitor {name:?}: {what} was accepted but reading the monitors back does not show it"
    )]
    NotApplied {
        /// The monitor's name.
        name: String,
        /// What was written.
        what: &'static str,
    },
    /// Two monitors carry the name: which one is the heartbeat is not clear.
    #[error("cron monitor {name:?}: {count} monitors carry this name; delete all but one")]
    Duplicate {
        /// The name.
        name: String,
        /// How many.
        count: usize,
    },
    /// The list did not end.
    #[error("the cron monitor list did not end after {0} pages")]
    Unbounded(u32),
    /// The ping host did not answer.
    #[error(transparent)]
    Unreachable(#[from] crate::ForeignError),
    /// The ping host answered, but not with a success.
    #[error("the ping answered HTTP {status}: {excerpt}")]
    PingRefused {
        /// The HTTP status.
        status: u16,
        /// The start of the answer's body.
        excerpt: String,
    },
}

/// Pages of the monitor list read at most.
const MAX_LIST_PAGES: u32 = 100;

/// Every cron monitor of the page named `name`.
pub fn find(
    client: &Client,
    page: &PageId,
    name: &str,
) -> Result<Vec<CronMonitor>, HeartbeatError> {
    let mut out = Vec::new();
    let mut page_no = 1;
    loop {
        let list = client.send(monitors::list(page, page_no))?;
        out.extend(
            list.cron_monitors
                .into_iter()
                .filter(|m| m.name.as_deref() == Some(name)),
        );
        if page_no >= list.total_pages {
            return Ok(out);
        }
        if page_no >= MAX_LIST_PAGES {
            return Err(HeartbeatError::Unbounded(MAX_LIST_PAGES));
        }
        page_no += 1;
    }
}

fn one(client: &Client, page: &PageId, name: &str) -> Result<Option<CronMonitor>, HeartbeatError> {
    let mut found = find(client, page, name)?;
    match found.len() {
        0 | 1 => Ok(found.pop()),
        count => Err(HeartbeatError::Duplicate {
            name: name.to_owned(),
            count,
        }),
    }
}

/// The monitor named `wanted.name`: found (its period and grace set to the wanted ones when they
/// differ) or created, and in both cases read back. A create whose answer was lost is looked up
/// before it could be sent again.
pub fn ensure(client: &Client, page: &PageId, wanted: &Wanted) -> Result<Ensured, HeartbeatError> {
    let not_applied = |what| HeartbeatError::NotApplied {
        name: wanted.name.clone(),
        what,
    };
    if let Some(found) = one(client, page, &wanted.name)? {
        if found.period == Some(wanted.period) && found.grace == Some(wanted.grace) {
            return Ok(Ensured {
                monitor: found,
                created: false,
                updated: false,
            });
        }
        let body = UpdateCronMonitorRequest::new()
            .period(wanted.period)
            .grace(wanted.grace);
        client.send(monitors::update(&found.id, &body))?;
        let back = one(client, page, &wanted.name)?.ok_or_else(|| not_applied("an update"))?;
        if back.period != Some(wanted.period) || back.grace != Some(wanted.grace) {
            return Err(not_applied("the period and grace"));
        }
        return Ok(Ensured {
            monitor: back,
            created: false,
            updated: true,
        });
    }
    let body = CreateCronMonitorRequest::new(page, &wanted.name, wanted.period, wanted.grace);
    let created = match client.send(monitors::create(&body)) {
        Ok(answer) => Some(answer.cron_monitor),
        // It may have landed: the read-back below decides.
        Err(Error::Ambiguous { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    let back = one(client, page, &wanted.name)?.ok_or_else(|| not_applied("a create"))?;
    if created
        .as_ref()
        .is_some_and(|c| c.id != back.id || c.slug != back.slug)
    {
        return Err(not_applied("a create (another monitor answered)"));
    }
    Ok(Ensured {
        monitor: back,
        created: true,
        updated: false,
    })
}

/// The ping URL of a monitor: `base` (e.g. `https://cron.instatus.com`) and its slug.
pub fn ping_url(base: &str, monitor: &CronMonitor) -> String {
    format!("{}/{}", base.trim_end_matches('/'), monitor.slug)
}

/// One ping, through the executor's foreign path (no Instatus key is sent to the ping host).
pub fn ping(pinger: &Client, url: &str) -> Result<(), HeartbeatError> {
    let (status, body) = pinger.get_foreign(url, &[])?;
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(HeartbeatError::PingRefused {
            status,
            excerpt: crate::error::excerpt(&String::from_utf8_lossy(&body), &[], 200),
        })
    }
}
