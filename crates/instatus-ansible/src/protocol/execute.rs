//! Running a module: the [`AnsibleModule`] trait and its registry entry ([`ModuleDef`]), then
//! [`execute`]: validate the already parsed args, run with panics caught, and build the one JSON
//! result with every secret masked in `invocation` and scrubbed from every other value.

use std::panic::{self, AssertUnwindSafe};

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

use super::args::{Invocation, RawArgs};
use super::mask;
use super::result::{Failure, ModuleResult, Outcome};
use super::spec::{ArgSpec, OptionSpec, Rules, Step};
use super::validate::validate;
use super::NO_LOG_PLACEHOLDER;

/// What a running module may look at and add to: the invocation settings and warnings.
#[derive(Debug, Default)]
pub struct Context {
    /// The `_ansible_*` settings.
    pub invocation: Invocation,
    /// Warnings, shown by Ansible as `[WARNING]: ...`.
    pub warnings: Vec<String>,
}

impl Context {
    /// Whether the task runs with `--check`.
    pub fn check_mode(&self) -> bool {
        self.invocation.check_mode
    }

    /// Adds a warning.
    pub fn warn(&mut self, warning: impl Into<String>) {
        self.warnings.push(warning.into());
    }
}

/// An Ansible module: typed options, the rules the schema cannot say, and the work.
pub trait AnsibleModule {
    /// The module's short name (`component`); the file name under `plugins/modules/`.
    const NAME: &'static str;
    /// The options. Their JSON Schema drives validation and the docs.
    type Options: DeserializeOwned + JsonSchema;
    /// Mutually exclusive / required-one-of / required-if rules.
    const RULES: Rules = Rules::NONE;
    /// The module never writes (a stopped run of it reports `changed: false`).
    const READ_ONLY: bool = false;
    /// Does the work. Must honour `ctx.check_mode()`.
    fn run(options: Self::Options, ctx: &mut Context) -> Result<Outcome, Failure>;
}

/// A module in the registry: its name, its option spec and how to run it, without generics.
#[derive(Clone, Copy)]
pub struct ModuleDef {
    /// The short name.
    pub name: &'static str,
    /// The option spec, read from the options' JSON Schema.
    pub spec: fn() -> ArgSpec,
    /// The rules.
    pub rules: Rules,
    /// It never writes ([`AnsibleModule::READ_ONLY`]).
    pub read_only: bool,
    /// Deserializes the validated options and runs the module.
    pub run: fn(Map<String, Value>, &mut Context) -> Result<Outcome, Failure>,
}

impl std::fmt::Debug for ModuleDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModuleDef")
            .field("name", &self.name)
            .finish()
    }
}

impl ModuleDef {
    /// The registry entry of `M`.
    pub const fn of<M: AnsibleModule>() -> Self {
        Self {
            name: M::NAME,
            spec: ArgSpec::of::<M::Options>,
            rules: M::RULES,
            read_only: M::READ_ONLY,
            run: run_typed::<M>,
        }
    }
}

fn run_typed<M: AnsibleModule>(
    params: Map<String, Value>,
    ctx: &mut Context,
) -> Result<Outcome, Failure> {
    // The path of the bad value inside a nested option (`impact.dependencies[0]`) is named:
    // the top-level checks already ran, so what fails here is inside a dict or list.
    let options: M::Options =
        serde_path_to_error::deserialize(Value::Object(params)).map_err(|e| {
            match e.path().to_string() {
                p if p == "." => Failure::new(format!("invalid module options: {}", e.inner())),
                p => Failure::new(format!("invalid module options: {p}: {}", e.inner())),
            }
        })?;
    M::run(options, ctx)
}

/// Runs a module on its parsed args ([`RawArgs::parse`], done once by the caller): validate, run
/// with panics caught, mask and scrub secrets. `env` reads environment variables (injected so
/// tests need no process env).
pub fn execute(
    def: &ModuleDef,
    raw: RawArgs,
    env: &dyn Fn(&str) -> Option<String>,
) -> ModuleResult {
    let module_name = if raw.invocation.module_name.is_empty() {
        def.name.to_owned()
    } else {
        raw.invocation.module_name.clone()
    };
    let spec = (def.spec)();
    // Secrets known before validation (a validation message may quote a value).
    let mut secrets = secret_values(&spec, &raw.params);
    let validated = validate(
        &module_name,
        &spec,
        &def.rules,
        raw.params.clone(),
        raw.invocation.ignore_unknown_opts,
        env,
    );
    let params = match validated {
        Ok(params) => params,
        Err(msg) => {
            let mut out = failed_json(&msg);
            let warnings = short_secret_warnings(&spec, &raw.params);
            if !warnings.is_empty() {
                out.insert("warnings".into(), json!(warnings));
            }
            out.insert(
                "invocation".into(),
                invocation_json(&spec, &raw.params, raw.invocation.no_log),
            );
            return finish(out, &secrets);
        }
    };
    // Values that came from the environment (or converted) are secrets too.
    secrets.extend(secret_values(&spec, &params));
    let mut ctx = Context {
        invocation: raw.invocation.clone(),
        warnings: Vec::new(),
    };
    let run = def.run;
    let run_params = params.clone();
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| run(run_params, &mut ctx)))
        .unwrap_or_else(|payload| {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(Failure::new(format!(
                "the module {module_name} crashed (this is a bug, please report it): {what}"
            )))
        });
    let mut out = Map::new();
    match outcome {
        Ok(outcome) => {
            out.insert("changed".into(), Value::Bool(outcome.changed));
            out.insert("failed".into(), Value::Bool(false));
            if let Some(msg) = outcome.msg {
                out.insert("msg".into(), Value::String(msg));
            }
            if let (true, Some(diff)) = (ctx.invocation.diff_mode, &outcome.diff) {
                out.insert("diff".into(), diff.to_json());
            }
            for (k, v) in outcome.data {
                out.entry(k).or_insert(v);
            }
        }
        Err(failure) => {
            out = failed_json(&failure.msg);
            for (k, v) in failure.data {
                if k == "changed" {
                    // Writes that landed before the failure (Failure::after_writes).
                    out.insert(k, v);
                } else {
                    out.entry(k).or_insert(v);
                }
            }
        }
    }
    ctx.warnings.extend(short_secret_warnings(&spec, &params));
    if !ctx.warnings.is_empty() {
        out.insert("warnings".into(), json!(ctx.warnings));
    }
    out.insert(
        "invocation".into(),
        invocation_json(&spec, &params, ctx.invocation.no_log),
    );
    finish(out, &secrets)
}

fn failed_json(msg: &str) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("changed".into(), Value::Bool(false));
    out.insert("failed".into(), Value::Bool(true));
    out.insert("msg".into(), Value::String(msg.to_owned()));
    out
}

/// `invocation.module_args`: the options with every `no_log` value (and every secret part of
/// one, see [`OptionSpec::secret_parts`]; or, for a `no_log` task, every value) replaced by
/// [`NO_LOG_PLACEHOLDER`].
fn invocation_json(spec: &ArgSpec, params: &Map<String, Value>, hide_all: bool) -> Value {
    let args: Map<String, Value> = params
        .iter()
        .map(|(k, v)| {
            let option = spec.get(k);
            let mut shown = v.clone();
            if hide_all || option.is_some_and(|o| o.no_log) {
                hide(&mut shown);
            } else if let Some(option) = option {
                for path in &option.secret_parts {
                    hide_at(&mut shown, path);
                }
            }
            (k.clone(), shown)
        })
        .collect();
    json!({ "module_args": args })
}

fn hide(value: &mut Value) {
    if !value.is_null() {
        *value = Value::String(NO_LOG_PLACEHOLDER.into());
    }
}

/// Hides what `path` leads to. A string where the path expects a map or a list (Ansible accepts a
/// dict as JSON text) is hidden whole: it may hold the secret part.
fn hide_at(value: &mut Value, path: &[Step]) {
    let Some((step, rest)) = path.split_first() else {
        return hide(value);
    };
    match (step, value) {
        (_, value @ Value::String(_)) => hide(value),
        (Step::Key(key), Value::Object(map)) => {
            if let Some(v) = map.get_mut(key) {
                hide_at(v, rest);
            }
        }
        (Step::AnyKey, Value::Object(map)) => map.values_mut().for_each(|v| hide_at(v, rest)),
        (Step::AnyItem, Value::Array(items)) => items.iter_mut().for_each(|v| hide_at(v, rest)),
        _ => {}
    }
}

/// The values of every `no_log` option and every secret part in `params` (strings and numbers,
/// list items and map values included).
fn secret_values(spec: &ArgSpec, params: &Map<String, Value>) -> Vec<String> {
    spec.options
        .iter()
        .flat_map(|option| option_secrets(option, params))
        .collect()
}

fn option_secrets(option: &OptionSpec, params: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(value) = params.get(&option.name) {
        if option.no_log {
            leaves(value, &mut out);
        } else {
            for path in &option.secret_parts {
                secrets_at(value, path, &mut out);
            }
        }
    }
    out
}

/// A warning per option holding a secret too short to be masked in free text (see [`mask`]).
fn short_secret_warnings(spec: &ArgSpec, params: &Map<String, Value>) -> Vec<String> {
    spec.options
        .iter()
        .filter(|option| {
            option_secrets(option, params)
                .iter()
                .any(|s| s.chars().count() < mask::MIN_SECRET_CHARS)
        })
        .map(|option| {
            format!(
                "{}: a secret value shorter than {} characters is hidden in invocation but is not masked in other output",
                option.name,
                mask::MIN_SECRET_CHARS
            )
        })
        .collect()
}

fn secrets_at(value: &Value, path: &[Step], out: &mut Vec<String>) {
    let Some((step, rest)) = path.split_first() else {
        return leaves(value, out);
    };
    match (step, value) {
        (_, Value::String(text)) => {
            // A dict given as JSON text: its secret part is secret, and so is the whole text.
            if let Ok(parsed) = serde_json::from_str::<Value>(text) {
                secrets_at(&parsed, path, out);
            }
            leaves(value, out);
        }
        (Step::Key(key), Value::Object(map)) => {
            if let Some(v) = map.get(key) {
                secrets_at(v, rest, out);
            }
        }
        (Step::AnyKey, Value::Object(map)) => map.values().for_each(|v| secrets_at(v, rest, out)),
        (Step::AnyItem, Value::Array(items)) => items.iter().for_each(|v| secrets_at(v, rest, out)),
        _ => {}
    }
}

/// Every string and number inside `value` (as Ansible's `_return_datastructure_name`).
fn leaves(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) if !s.is_empty() => out.push(s.clone()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Array(items) => items.iter().for_each(|v| leaves(v, out)),
        Value::Object(map) => map.values().for_each(|v| leaves(v, out)),
        _ => {}
    }
}

/// The result of args that could not be parsed: `failed`, with why.
pub fn unparsable(msg: &str) -> ModuleResult {
    finish(failed_json(msg), &[])
}

/// Masks the secrets in every value of the result (never in keys: a key is part of the
/// protocol, and `failed`/`changed` are booleans, which are never touched), see [`mask`].
fn finish(out: Map<String, Value>, secrets: &[String]) -> ModuleResult {
    let mut json = Value::Object(out);
    mask::Masker::new(secrets).mask_value(&mut json, NO_LOG_PLACEHOLDER);
    let failed = json.get("failed").and_then(Value::as_bool).unwrap_or(false);
    ModuleResult { json, failed }
}

/// Installs a panic hook that prints nothing: a panic becomes a failed JSON result instead of a
/// backtrace on stderr (Ansible would show it as "MODULE FAILURE").
pub fn silence_panics() {
    panic::set_hook(Box::new(|_| {}));
}

#[cfg(test)]
#[path = "execute_tests.rs"]
mod tests;
