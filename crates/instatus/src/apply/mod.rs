//! Applying plans: the one place that turns a decided plan (the status engine's actions, a
//! person's incident or maintenance task) into API writes, reads them back, and reports exactly
//! what was written. Front ends (the bridge, the Ansible modules) only translate options and
//! results; the pure planners in [`crate::status`] and [`crate::desired`] stay free of I/O.

pub mod notice;
mod notice_maintenance;
pub mod status;
