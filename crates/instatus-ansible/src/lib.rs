//! The Ansible modules of the `ephemery.instatus` collection, as one Rust binary.
//!
//! - [`protocol`]: the generic binary-module layer (args file, `_ansible_*` settings, validation
//!   with `AnsibleModule`'s messages driven by the options' JSON Schema, check/diff/no_log, panics
//!   caught, secrets masked). It imports nothing from `instatus`.
//! - [`sidecar`]: the generated `options:` block of the sidecar docs.
//! - [`common`]: the connection options every module has, and [`common::Api`], the lazily built
//!   client.
//! - [`cache`]: the facts kept between runs only to save requests (settings the API ignores).
//! - [`schedule`]: the Ephemery reset schedule options `ephemery_resets` and `calendar` share.
//! - [`modules`]: one file per module and [`modules::MODULES`], the registry.
//! - [`watchdog`]: the deadline and the parent watch that bound every run of the binary.
//! - [`memory`]: the memory ceiling of every run of the binary (a supervised child process).
//!
//! The binary (`src/main.rs`) is shipped once, as `ansible/bin/instatus-ansible`, and every file
//! in `ansible/plugins/modules/` is a symlink to it; it picks the module from `_ansible_module_name` (Ansible copies it to `AnsiballZ_NAME` before
//! running it, so `argv[0]` is only a fallback).
//!
//! ```
//! use instatus_ansible::run_args;
//!
//! // Validation happens before any request: this fails without touching the network.
//! let args = r#"{"_ansible_module_name": "ephemery.instatus.component", "name": "Geth",
//!                "page": "ephemery", "api_key": "k", "state": "gone"}"#;
//! let result = run_args(args, "component", &|_| None);
//! assert!(result.failed);
//! assert_eq!(result.json["msg"], "value of state must be one of: present, absent, got: gone");
//! ```

pub mod cache;
pub mod common;
pub mod memory;
pub mod modules;
pub mod protocol;
pub mod schedule;
pub mod sidecar;
pub mod watchdog;

use protocol::{ModuleResult, RawArgs};
use serde_json::json;

/// The collection's namespace and name.
pub const COLLECTION: &str = "ephemery.instatus";

/// Runs the module the args name (`_ansible_module_name`, else `fallback_name`, usually taken from
/// `argv[0]`) on the args file's text. `env` reads environment variables.
pub fn run_args(
    args_text: &str,
    fallback_name: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> ModuleResult {
    match RawArgs::parse(args_text) {
        Ok(raw) => run_raw(raw, fallback_name, env),
        Err(e) => protocol::execute::unparsable(&e.to_string()),
    }
}

/// The module the args name: `_ansible_module_name`, else `fallback_name`.
pub fn module_of(raw: &RawArgs, fallback_name: &str) -> String {
    if raw.invocation.module_name.is_empty() {
        fallback_name.to_owned()
    } else {
        raw.invocation.module_name.clone()
    }
}

/// [`run_args`] on args already parsed (the binary parses them once, for the watchdog too).
pub fn run_raw(
    raw: RawArgs,
    fallback_name: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> ModuleResult {
    let name = module_of(&raw, fallback_name);
    match modules::find(&name) {
        Some(def) => protocol::execute(def, raw, env),
        None => ModuleResult {
            json: json!({
                "failed": true,
                "changed": false,
                "msg": format!(
                    "this binary has no module '{name}'; it provides: {}",
                    modules::MODULES.iter().map(|m| format!("{COLLECTION}.{}", m.name)).collect::<Vec<_>>().join(", ")
                ),
            }),
            failed: true,
        },
    }
}

/// The short module name from `argv[0]`: `/tmp/.../AnsiballZ_component` → `component`.
pub fn name_from_argv0(argv0: &str) -> String {
    let file = argv0.rsplit('/').next().unwrap_or(argv0);
    file.strip_prefix("AnsiballZ_").unwrap_or(file).to_owned()
}
