//! The bridge's heartbeat (`heartbeat:` in the config): an Instatus cron monitor, found or
//! created at the first successful evaluation and read back, then pinged after every successful
//! evaluation. When the bridge (or its host) dies, the pings stop and Instatus marks the
//! monitor's component down: the page never stays green with nobody told. A failure here is
//! logged, never fatal (the next evaluation tries again).

use std::time::Duration;

use instatus::heartbeat::{self, Wanted};
use instatus::{Client, RetryPolicy};

use crate::config::{HeartbeatConfig, Settings};

/// The heartbeat of one bridge.
#[derive(Debug)]
pub struct Heartbeat {
    config: HeartbeatConfig,
    /// Instatus (with the key): find, create, read back.
    api: Client,
    /// The ping host (without the key).
    pinger: Client,
    page: String,
    /// The ping URL, once the monitor is known.
    target: Option<String>,
}

/// What one beat did, for the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Beat {
    /// Pinged.
    Pinged,
    /// The monitor was created (and read back), then pinged.
    Created(String),
    /// The monitor's period or grace was set, then pinged.
    Updated(String),
}

/// Why a beat failed.
#[derive(Debug, thiserror::Error)]
pub enum BeatError {
    /// The page of the monitor could not be found.
    #[error("cannot find the page: {0}")]
    FindPage(#[source] instatus::lookup::LookupError),
    /// The monitor could not be found, created or updated.
    #[error("{0}")]
    Monitor(#[source] instatus::heartbeat::HeartbeatError),
    /// The ping failed.
    #[error("cannot ping: {0}")]
    Ping(#[source] instatus::heartbeat::HeartbeatError),
}

impl Heartbeat {
    /// The heartbeat configured in `settings`, if any.
    pub fn new(settings: &Settings) -> Result<Option<Heartbeat>, instatus::Error> {
        let Some(config) = settings.config.heartbeat.clone() else {
            return Ok(None);
        };
        let i = &settings.config.instatus;
        let timeout = Duration::from_secs(i.timeout_secs);
        let user_agent = concat!("instatus-bridge/", env!("CARGO_PKG_VERSION"));
        let api = Client::builder(settings.api_key.clone())
            .base_url(i.base_url.clone())
            .timeout(timeout)
            .user_agent(user_agent)
            .build()?;
        let pinger = Client::builder("unused")
            .timeout(timeout.min(Duration::from_secs(10)))
            .retry(RetryPolicy::none())
            .user_agent(user_agent)
            .build()?;
        Ok(Some(Heartbeat {
            config,
            api,
            pinger,
            page: settings.page.clone(),
            target: None,
        }))
    }

    /// After a successful evaluation: makes sure of the monitor (the first time) and pings it.
    pub fn beat(&mut self) -> Result<Beat, BeatError> {
        let mut outcome = Beat::Pinged;
        let target = match &self.target {
            Some(t) => t.clone(),
            None => {
                let page = instatus::lookup::find_page(&self.api, &self.page)
                    .map_err(BeatError::FindPage)?;
                let wanted = Wanted {
                    name: self.config.name.trim().to_owned(),
                    period: self.config.period_secs,
                    grace: self.config.grace_secs,
                };
                let ensured =
                    heartbeat::ensure(&self.api, &page.id, &wanted).map_err(BeatError::Monitor)?;
                let what = format!(
                    "cron monitor {:?} (every {} s, grace {} s)",
                    wanted.name, wanted.period, wanted.grace
                );
                if ensured.created {
                    outcome = Beat::Created(what);
                } else if ensured.updated {
                    outcome = Beat::Updated(what);
                }
                let url = heartbeat::ping_url(&self.config.ping_url, &ensured.monitor);
                self.target = Some(url.clone());
                url
            }
        };
        heartbeat::ping(&self.pinger, &target).map_err(BeatError::Ping)?;
        Ok(outcome)
    }
}

/// `once`: one beat after its successful evaluation, its outcome on stderr.
pub fn beat_once(settings: &Settings) {
    match Heartbeat::new(settings) {
        Ok(None) => {}
        Ok(Some(mut h)) => match h.beat() {
            Ok(Beat::Pinged) => {}
            Ok(Beat::Created(what)) => eprintln!("instatus-bridge: heartbeat: created {what}"),
            Ok(Beat::Updated(what)) => eprintln!("instatus-bridge: heartbeat: updated {what}"),
            Err(e) => eprintln!("instatus-bridge: heartbeat: {e}"),
        },
        Err(e) => eprintln!("instatus-bridge: heartbeat: {e}"),
    }
}
