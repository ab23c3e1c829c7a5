//! `instatus-bridge`: keeps an Instatus page true from Prometheus and Alertmanager.
//!
//! The status engine ([`instatus::status`]) decides; this crate is the I/O around it: the config
//! ([`config`]), one evaluation ([`bridge`]: gather observations, read the page, evaluate, apply
//! through [`apply`]), the state directory ([`store`]), the webhook intake with its dedupe
//! ([`intake`]), the HTTP server ([`server`]) with its connection bounds ([`connections`]) and the evaluator thread ([`evaluator`]), its metrics ([`telemetry`]) and status badges ([`badge`]) and public Instatus
//! metrics ([`public_metrics`]); the uptime report ([`uptime_report`]); the page declaration
//! without Ansible ([`page`]). The contract (commands, exit codes, config, routes) is
//! `docs/bridge.md`.

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
pub mod secret_file;
pub mod server;
pub mod store;
pub mod telemetry;
pub mod uptime_report;
pub mod validate;
