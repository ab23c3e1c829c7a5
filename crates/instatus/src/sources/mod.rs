//! Where observations come from: Prometheus' HTTP API and Alertmanager (webhook payloads and
//! `/api/v2/alerts`). HTTP goes through the crate's one executor ([`Client::get_foreign`](crate::Client::get_foreign));
//! parsing is separate and tested on real captured payloads.

pub mod alertmanager;
pub mod probes;
pub mod prometheus;
