//! The integration tests of `instatus`, one module per concern, built as ONE test binary
//! (one link instead of one per file). Run one module with `cargo test -p instatus --test it NAME::`.

mod support;
mod uptime_support;

mod burn_props;
mod contract;
mod examples;
mod faults;
mod fixtures;
mod foreign;
mod messages;
mod probes;
mod request_bodies;
mod sources_fixtures;
mod spec_table;
mod status_props;
mod template_limits;
mod uptime;
mod uptime_browser;
mod uptime_report;
mod webhook;
mod wire_limits;
