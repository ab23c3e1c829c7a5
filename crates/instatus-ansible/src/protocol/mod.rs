//! The generic Ansible binary-module layer: read the args file, split off the `_ansible_*` keys,
//! validate the user's options the way `AnsibleModule` does, run the module with panics caught,
//! and print one JSON result with every secret masked ([`mask`]: values only, never keys).
//!
//! Nothing here knows about Instatus: a module is a type implementing [`AnsibleModule`], whose
//! options are a serde + `JsonSchema` struct. The JSON Schema of that struct is the one source of
//! the option names, types, required flags, choices and defaults ([`ArgSpec::of`]); the few rules
//! a schema cannot say (mutually exclusive, required-if) come from [`Rules`].
//!
//! Facts this follows (ansible-core 2.16–2.21): Ansible passes `argv[1]` = a JSON file holding the
//! task's options plus internal `_ansible_*` keys (new ones appear between releases, so unknown
//! internal keys are ignored); it applies no defaults and no validation for binary modules; it
//! reads one JSON object from stdout and fails the task when that object has `failed: true`.
//!
//! The layer, one file per step: [`args`] (the args file, parsed once), [`spec`] (the option spec
//! from the schema), [`mod@validate`] (`AnsibleModule`'s checks and conversions), [`result`]
//! (outcome, failure, diff) and [`mod@execute`] (run, catch, mask), with [`mask`] for scrubbing and
//! [`files`] for reading a file a module compares with (regular files only: never a FIFO).

pub mod args;
pub mod execute;
pub mod files;
pub mod mask;
pub mod result;
pub mod spec;
pub mod validate;

pub use args::{ArgsError, Invocation, RawArgs};
pub use execute::{execute, silence_panics, AnsibleModule, Context, ModuleDef};
pub use result::{render_for_diff, Diff, Failure, ModuleResult, Outcome};
pub use spec::{ArgSpec, IntRange, OptionSpec, OptionType, RequiredIf, Rules, Step};
pub use validate::validate;

/// What `AnsibleModule` shows in `invocation.module_args` instead of a `no_log` option's value.
pub const NO_LOG_PLACEHOLDER: &str = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER";

/// What replaces a secret's value wherever it appears inside any other output string.
pub const SCRUBBED: &str = mask::MASK;

/// JSON Schema extension keyword marking an option as secret (`no_log` in Ansible terms).
/// Set it with `#[schemars(extend("x-no-log" = true))]`.
pub const X_NO_LOG: &str = "x-no-log";

/// JSON Schema extension keyword naming an environment variable used when the option is not
/// given (Ansible's `fallback=(env_fallback, [...])`). Set it with
/// `#[schemars(extend("x-env" = "NAME"))]`.
pub const X_ENV: &str = "x-env";
