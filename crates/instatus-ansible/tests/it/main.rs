//! The integration tests of `instatus-ansible`, one module per concern, built as ONE test binary
//! (one link instead of one per file). Run one module with `cargo test -p instatus-ansible --test it NAME::`.

mod support;

mod binary;
mod fifo_files;
mod landed_writes;
mod masking;
mod masking_props;
mod memory_ceiling;
mod sidecar_docs;
mod validation;
