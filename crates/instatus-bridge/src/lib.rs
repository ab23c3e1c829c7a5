//! `instatus-bridge`: keeps an Instatus page true from Prometheus and Alertmanager.
//!
//! The status engine ([`instatus::status`]) decides; this crate is the I/O around it:
//! - the command line ([`cli`]) and what `plan` and `once` print ([`report`]);
//! - the config ([`config`]), its checks ([`checks`]), the files it points to ([`secret_file`])
//!   and `validate` ([`validate`](mod@validate));
//! - one evaluation ([`bridge`]: gather observations, read the page, evaluate, apply through
//!   [`apply`]), with the sources: Prometheus and Alertmanager ([`foreign`]) and the built-in
//!   probes ([`probes`]);
//! - the state directory ([`store`]) and the lock that keeps one bridge per directory ([`lock`]);
//! - `serve`: the webhook intake with its dedupe ([`intake`]), the HTTP server ([`server`]) with
//!   its connection bounds ([`connections`]) and webhook authentication ([`auth`]), and the
//!   evaluator thread ([`evaluator`]);
//! - Ephemery's reset windows ([`resets`]), the bridge's heartbeat ([`heartbeat`]), its own
//!   metrics ([`telemetry`]), status badges ([`badge`]), public Instatus metrics
//!   ([`public_metrics`]) and the uptime report ([`uptime_report`]);
//! - the page declaration without Ansible, `page plan|apply` ([`page`]).
//!
//! The contract (commands, exit codes, config, routes) is `docs/bridge.md` in the repository;
//! `crates/instatus-bridge/README.md` is the overview.

pub mod apply;
pub mod auth;
pub mod badge;
pub mod bridge;
pub mod checks;
pub mod cli;
pub mod config;
pub mod connections;
pub mod evaluator;
pub mod foreign;
pub mod heartbeat;
pub mod intake;
pub mod lock;
pub mod page;
pub mod probes;
pub mod public_metrics;
pub mod report;
pub mod resets;
mod routes;
pub mod secret_file;
pub mod server;
pub mod settings;
pub mod store;
pub mod telemetry;
pub mod uptime_report;
pub mod validate;
