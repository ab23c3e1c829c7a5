//! The integration tests of `instatus-bridge`, one module per concern, built as ONE test binary
//! (one link instead of one per file). Run one module with `cargo test -p instatus-bridge --test it NAME::`.

mod common;

mod apply;
mod badge;
mod burn_rate;
mod config_faults;
mod crash;
mod heartbeat;
mod lifecycle;
mod memory_ceiling;
mod once;
mod page;
mod probes;
mod report;
mod serve;
mod validate_property;
