//! The status engine: observations (Prometheus query results, Alertmanager alerts) and the page
//! as Instatus returns it → a [`Plan`] of status writes and incident steps. Pure: no I/O, no
//! clock (`now` is an argument), so the Ansible modules, the bridge and the tests share it.
//!
//! The pipeline, per evaluation:
//! 1. **Rules** give each component readings: [threshold rules](ThresholdRule) on instant
//!    queries (graded levels, enter and exit thresholds, aggregation over series) and
//!    [alert rules](AlertRule) (Alertmanager matchers over firing alerts, which are keyed by
//!    `(fingerprint, startsAt)`) and [burn-rate rules](BurnRateRule) (an SLO's error budget
//!    spent over pairs of windows, [`burn`]).
//! 2. **Hold timers** per rule: a worse reading must hold `enter_for_secs` before the level rises,
//!    a better one `exit_for_secs` before it falls; a relapse restarts the recovery.
//! 3. **Unknown** readings (failed query, stale samples, no heartbeat) keep the held level and
//!    restart recoveries: only a fresh healthy reading lowers a level.
//! 4. **Flap protection** pins a flapping component at the worst level it showed.
//! 5. **Dependencies** ([`DependencyGraph`]): `requires` passes on a dependency's outage,
//!    `optional` passes it on capped at a partial outage. **Groups** follow their children by a
//!    [`GroupRule`]. The same graph answers which components a maintenance impacts
//!    ([`Engine::impact`]).
//! 6. **Precedence**: a maintenance in progress, then a person's incident, then a person's own
//!    status edit on the page ([`StatusRecord`]), then automation. Owned components are never
//!    written; the plan notes why.
//! 7. **Incidents**: one per cause (a component whose level comes from a dependency is listed in
//!    its cause's incident), recognised from the page by the marker and the first component of
//!    its "Affected components" line ([`incident::decide`] is the lifecycle). An incident write
//!    carries the statuses of the components it lists; they are not written twice. The plan is
//!    applied by [`crate::apply::status`].
//!
//! ```
//! use instatus::status::{Config, CurrentPage, Engine, Observations, State};
//!
//! let config: Config = serde_json::from_value(serde_json::json!({
//!     "components": [{
//!         "path": "Ethereum Services/Execution Client",
//!         "rules": [{"alert": {"matchers": ["alertname=\"GethDown\""], "level": "major_outage"}}]
//!     }]
//! }))?;
//! let engine = Engine::new(config)?;
//! let now: jiff::Timestamp = "2026-12-01T12:00:00Z".parse()?;
//! let (plan, _state) = engine.evaluate(&Observations::default(), &CurrentPage::default(), State::default(), now);
//! assert!(plan.is_empty()); // the component is not on this (empty) page: only a note
//! assert_eq!(plan.notes[0].kind, instatus::status::NoteKind::NotOnPage);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod alerts;
pub mod burn;
mod causes;
mod config;
mod engine;
pub mod flap;
mod graph;
mod hold;
pub mod impact_statement;
pub mod incident;
pub mod incident_edit;
mod level;
pub mod maintenance;
pub mod maintenance_edit;
mod manual;
mod matcher;
pub mod mode;
mod observe;
mod page_index;
mod plan;
mod texts;
mod threshold;

#[cfg(test)]
mod incident_tests;
#[cfg(test)]
mod tests;

pub use burn::{BurnLevel, BurnRateRule};
pub use config::{
    Aggregate, AlertRule, Comparison, ComponentConfig, Config, ConfigError, FlapConfig, Freshness,
    GroupConfig, GroupRule, Heartbeat, IncidentPolicy, IncidentScope, LevelThreshold, OnEmpty,
    RuleConfig, Templates, ThresholdRule,
};
pub use engine::{AlertRecord, ComponentState, Engine, State};
pub use graph::{DependencyGraph, DependencyKind, Hop, Impact, ImpactKind, Impacted};
pub use hold::Held;
pub use level::{Level, UnknownLevel};
pub use manual::StatusRecord;
pub use matcher::{MatchOp, Matcher, MatcherError};
pub use observe::{Alert, AlertDelivery, CurrentPage, Observations, QueryResult, Sample};
pub use plan::{Action, Affected, IncidentStep, Note, NoteKind, Plan};
