//! Where observations come from: Prometheus' HTTP API, Alertmanager (webhook payloads and
//! `/api/v2/alerts`) and the built-in health [`probes`] (execution JSON-RPC, the Beacon API,
//! HTTP, TCP, this host). HTTP goes through the crate's one executor ([`Client::get_foreign`](crate::Client::get_foreign));
//! parsing is separate and tested on real captured payloads.

pub mod alertmanager;
pub mod probes;
pub mod prometheus;
