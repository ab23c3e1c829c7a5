//! Unit tests of the probes' pure parts; the runs against real nodes are in
//! `crates/instatus/tests/probes.rs`.
