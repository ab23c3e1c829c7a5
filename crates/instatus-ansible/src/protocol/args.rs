//! The args file Ansible writes for a module: the task's options plus the internal `_ansible_*`
//! settings, split apart once ([`RawArgs::parse`]) and handed to [`mod@super::execute`].

use serde_json::{Map, Value};

use super::validate::to_bool;

/// The internal `_ansible_*` settings of one invocation that a module acts on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Invocation {
    /// The module's name as the task gave it (`_ansible_module_name`), e.g.
    /// `ephemery.instatus.component`; empty when run by hand.
    pub module_name: String,
    /// `--check`: predict the change, write nothing.
    pub check_mode: bool,
    /// `--diff`: return `diff` with before/after.
    pub diff_mode: bool,
    /// The task has `no_log: true`: hide every option value in `invocation`.
    pub no_log: bool,
    /// `-v` count.
    pub verbosity: u8,
    /// `_ansible_ignore_unknown_opts`: unknown options are dropped instead of failing.
    pub ignore_unknown_opts: bool,
}

/// The contents of the args file, split into Ansible's settings and the user's options.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawArgs {
    /// The `_ansible_*` settings.
    pub invocation: Invocation,
    /// Every key that does not start with `_ansible_`: the task's options, unvalidated.
    pub params: Map<String, Value>,
}

impl RawArgs {
    /// Parses the args file's text. Unknown `_ansible_*` keys are ignored (ansible-core adds new
    /// ones, e.g. `_ansible_inject_invocation` in 2.21).
    pub fn parse(text: &str) -> Result<Self, ArgsError> {
        let value: Value = serde_json::from_str(text).map_err(|e| ArgsError(Some(e)))?;
        let Value::Object(all) = value else {
            return Err(ArgsError(None));
        };
        let mut out = RawArgs::default();
        for (key, value) in all {
            match key.strip_prefix("_ansible_") {
                Some("module_name") => {
                    out.invocation.module_name = value.as_str().unwrap_or_default().to_owned()
                }
                Some("check_mode") => out.invocation.check_mode = truthy(&value),
                Some("diff") => out.invocation.diff_mode = truthy(&value),
                Some("no_log") => out.invocation.no_log = truthy(&value),
                Some("ignore_unknown_opts") => out.invocation.ignore_unknown_opts = truthy(&value),
                Some("verbosity") => {
                    out.invocation.verbosity = value
                        .as_u64()
                        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
                        .unwrap_or(0)
                        .min(u64::from(u8::MAX))
                        as u8
                }
                Some(_) => {}
                None => {
                    out.params.insert(key, value);
                }
            }
        }
        Ok(out)
    }
}

/// The args file is not a JSON object (with the parser's complaint when it is not JSON at all).
#[derive(Debug)]
pub struct ArgsError(Option<serde_json::Error>);

impl std::fmt::Display for ArgsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(e) => write!(f, "the module arguments are not a JSON object: {e}"),
            None => f.write_str("the module arguments are not a JSON object"),
        }
    }
}

impl std::error::Error for ArgsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.as_ref().map(|e| e as _)
    }
}

fn truthy(value: &Value) -> bool {
    to_bool(value).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_keys_are_split_off_and_unknown_ones_tolerated() {
        let raw = RawArgs::parse(
            r#"{"_ansible_check_mode": true, "_ansible_diff": true, "_ansible_verbosity": 3,
                "_ansible_no_log": false, "_ansible_inject_invocation": true,
                "_ansible_module_name": "ns.c.probe", "name": "x"}"#,
        )
        .unwrap();
        assert!(raw.invocation.check_mode && raw.invocation.diff_mode);
        assert_eq!(raw.invocation.verbosity, 3);
        assert_eq!(raw.invocation.module_name, "ns.c.probe");
        assert_eq!(raw.params.keys().collect::<Vec<_>>(), ["name"]);
    }

    #[test]
    fn an_args_file_that_is_not_an_object_is_refused_with_why() {
        assert_eq!(
            RawArgs::parse("[1]").unwrap_err().to_string(),
            "the module arguments are not a JSON object"
        );
        assert!(RawArgs::parse("{")
            .unwrap_err()
            .to_string()
            .starts_with("the module arguments are not a JSON object: EOF while parsing"));
    }
}
