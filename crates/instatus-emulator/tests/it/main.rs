//! The integration tests of `instatus-emulator`, one module per concern, built as ONE test binary
//! (one link instead of one per file). Run one module with `cargo test -p instatus-emulator --test it NAME::`.

mod common;

mod api;
mod binary;
mod control;
mod fidelity;
mod hardening;
mod lenient;
mod preview;
mod preview_browser;
mod throughput;
mod webhooks;
