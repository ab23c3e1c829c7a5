//! Every module run is bounded in memory: the binary runs the module in a child process of
//! itself whose data size (`RLIMIT_DATA`: heap and private mappings) is capped at a ceiling,
//! [`DEFAULT_CEILING_MIB`] unless [`CEILING_ENV`] says otherwise, and reports a child that ran
//! past it as a clean failure naming the cause.
//!
//! Why a child: Rust cannot catch a failed allocation (it prints `memory allocation of N bytes
//! failed` and aborts), so the process that hits the ceiling cannot print its own result. The
//! parent, which only reads the args file and waits, can. Why a ceiling at all: the template
//! engine (minijinja 2) bounds steps (fuel) but has no memory limit, and a template that
//! doubles a text in a loop (`{% set ns.s = ns.s ~ ns.s %}`) reaches gigabytes in a few dozen
//! steps; module processes of 3–4.5 GB each were seen (issue 18). A module's normal peak is a
//! few tens of MiB, so the default leaves ample room.
//!
//! The parent relays the child's stdout (one JSON object) and stderr unchanged and exits with
//! its exit code; only when the child left no JSON object does it print one itself. The child's
//! [`crate::watchdog`] sees the parent as its own, so a killed `ansible-playbook` still ends the
//! run.

use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitStatus, Stdio};

use serde_json::{json, Map, Value};

/// The ceiling when [`CEILING_ENV`] is not set: 1 GiB.
pub const DEFAULT_CEILING_MIB: u64 = 1024;

/// The smallest ceiling [`CEILING_ENV`] may set (below it a normal run could fail).
pub const MIN_CEILING_MIB: u64 = 64;

/// The largest ceiling [`CEILING_ENV`] may set (1 TiB).
pub const MAX_CEILING_MIB: u64 = 1 << 20;

/// The environment variable that sets the ceiling, in MiB (on the managed host's side: set it
/// with the task's `environment:`).
pub const CEILING_ENV: &str = "INSTATUS_ANSIBLE_MEMORY_MIB";

/// Set in the child's environment: the process is the supervised one and runs the module.
pub const SUPERVISED_ENV: &str = "INSTATUS_ANSIBLE_SUPERVISED";

/// What Rust's allocation-failure handler prints before aborting.
const ALLOCATION_FAILED: &str = "memory allocation of ";

/// The child's stderr kept to relay (a backtrace is far smaller).
const MAX_STDERR_BYTES: u64 = 1 << 20;

/// A [`CEILING_ENV`] value that is not a number of MiB in range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadCeiling {
    /// The value as given.
    pub value: String,
}

impl std::fmt::Display for BadCeiling {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{CEILING_ENV}: {:?} is not a memory ceiling; allowed: a number of MiB from \
             {MIN_CEILING_MIB} to {MAX_CEILING_MIB} (default {DEFAULT_CEILING_MIB})",
            self.value
        )
    }
}

impl std::error::Error for BadCeiling {}

/// The ceiling in MiB from [`CEILING_ENV`]'s value (`None`: not set, the default).
pub fn ceiling_mib(value: Option<&str>) -> Result<u64, BadCeiling> {
    let Some(value) = value else {
        return Ok(DEFAULT_CEILING_MIB);
    };
    value
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|n| (MIN_CEILING_MIB..=MAX_CEILING_MIB).contains(n))
        .ok_or_else(|| BadCeiling {
            value: value.to_owned(),
        })
}

/// Caps this process's data size at `mib` (the soft limit; never above the hard one). An
/// allocation past it fails, and the process aborts.
pub fn apply(mib: u64) -> std::io::Result<()> {
    let bytes = mib.saturating_mul(1 << 20);
    let (_, hard) = rlimit::getrlimit(rlimit::Resource::DATA)?;
    rlimit::setrlimit(rlimit::Resource::DATA, bytes.min(hard), hard)
}

/// How the supervised child ended.
#[derive(Clone, Debug)]
pub struct ChildEnd {
    /// Its exit status.
    pub status: ExitStatus,
    /// Everything it printed on stdout.
    pub stdout: Vec<u8>,
    /// What it printed on stderr (its first MiB).
    pub stderr: Vec<u8>,
}

/// Runs this binary again as the supervised child on `args_path`, with `argv0` and the
/// ceiling of `mib` MiB, and collects how it ended. An error: the child could not be started.
pub fn run_child(args_path: &str, argv0: &str, mib: u64) -> std::io::Result<ChildEnd> {
    // /proc/self/exe still works when the file was removed or renamed meanwhile.
    let exe = match std::path::Path::new("/proc/self/exe").exists() {
        true => std::path::PathBuf::from("/proc/self/exe"),
        false => std::env::current_exe()?,
    };
    let mut child = Command::new(exe)
        .arg0(argv0)
        .arg(args_path)
        .env(SUPERVISED_ENV, mib.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let stderr = child.stderr.take().map(|err| {
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            let mut err = err;
            let _ = err.by_ref().take(MAX_STDERR_BYTES).read_to_end(&mut kept);
            // Drain the rest so the child never blocks on a full pipe.
            let _ = std::io::copy(&mut err, &mut std::io::sink());
            kept
        })
    });
    let mut stdout = Vec::new();
    if let Some(mut out) = child.stdout.take() {
        let _ = out.read_to_end(&mut stdout);
    }
    let status = child.wait()?;
    let stderr = stderr.and_then(|t| t.join().ok()).unwrap_or_default();
    Ok(ChildEnd {
        status,
        stdout,
        stderr,
    })
}

/// The child's result when it printed one JSON object, else the failure that says how it
/// ended: past the memory ceiling (naming the task's templates, the usual cause), killed by a
/// signal, or ended without a result.
pub fn result_of(
    end: &ChildEnd,
    module: &str,
    params: &Map<String, Value>,
    mib: u64,
    may_have_written: bool,
) -> Option<Value> {
    let printed: Option<Value> = serde_json::from_slice(end.stdout.trim_ascii()).ok();
    if printed.as_ref().is_some_and(Value::is_object) {
        return None;
    }
    let stderr = String::from_utf8_lossy(&end.stderr);
    let why = if stderr.contains(ALLOCATION_FAILED) {
        let templates = templates_in(params, "");
        let cause = if templates.is_empty() {
            String::new()
        } else {
            format!(
                ": the likely cause is its template ({}): a template that builds a huge text, \
                 such as one doubling a string in a loop, grows past any ceiling",
                templates.join(", ")
            )
        };
        format!(
            "ran out of memory (it needed more than its ceiling of {mib} MiB, set by \
             {CEILING_ENV}) and was stopped{cause}"
        )
    } else if let Some(signal) = end.status.signal() {
        let name = match signal {
            9 => " (SIGKILL: the system's out-of-memory killer, or someone, killed it)",
            6 => " (SIGABRT)",
            11 => " (SIGSEGV)",
            15 => " (SIGTERM)",
            _ => "",
        };
        format!("was ended by signal {signal}{name} before it gave a result")
    } else {
        format!(
            "ended with exit code {} without a result",
            end.status.code().unwrap_or(-1)
        )
    };
    Some(json!({
        "failed": true,
        "changed": may_have_written,
        "msg": format!("the module {module} {why}{}", crate::watchdog::writes_note(may_have_written)),
    }))
}

/// The options holding a template (a name with `template` in it and a text value), as paths
/// (`name_template`, `impact.template`).
pub fn templates_in(params: &Map<String, Value>, prefix: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (key, value) in params {
        let path = format!("{prefix}{key}");
        match value {
            Value::String(_) if key.contains("template") => found.push(path),
            Value::Object(inner) => found.extend(templates_in(inner, &format!("{path}."))),
            _ => {}
        }
    }
    found
}

/// Prints the child's stdout and stderr as they were.
pub fn relay(end: &ChildEnd) {
    let _ = std::io::stderr().write_all(&end.stderr);
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(&end.stdout);
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ceiling_is_a_number_of_mib_in_range_or_the_default() {
        assert_eq!(ceiling_mib(None), Ok(1024));
        assert_eq!(ceiling_mib(Some(" 2048 ")), Ok(2048));
        for bad in ["", "1G", "-1", "0", "63", "1048577"] {
            let err = ceiling_mib(Some(bad)).unwrap_err();
            assert!(
                err.to_string().starts_with("INSTATUS_ANSIBLE_MEMORY_MIB: ")
                    && err.to_string().contains("from 64 to 1048576"),
                "{err}"
            );
        }
    }

    #[test]
    fn template_options_are_found_at_any_depth() {
        let params = json!({"name_template": "{{ a }}", "impact": {"template": "x", "n": 1},
                            "name": "t", "message_template": null});
        let Value::Object(params) = params else {
            unreachable!()
        };
        assert_eq!(
            templates_in(&params, ""),
            ["impact.template", "name_template"]
        );
    }

    fn end(status: i32, stdout: &str, stderr: &str) -> ChildEnd {
        ChildEnd {
            status: ExitStatus::from_raw(status),
            stdout: stdout.into(),
            stderr: stderr.into(),
        }
    }

    #[test]
    fn a_child_past_the_ceiling_is_reported_naming_the_template() {
        let params = Map::from_iter([("name_template".to_owned(), json!("{{ s ~ s }}"))]);
        // SIGABRT after Rust's allocation-failure message, nothing on stdout.
        let aborted = end(6, "", "memory allocation of 1073741840 bytes failed\n");
        let failure = result_of(&aborted, "ephemery.instatus.calendar", &params, 1024, false)
            .expect("a failure");
        assert_eq!(failure["failed"], true);
        assert_eq!(failure["changed"], false);
        assert_eq!(
            failure["msg"],
            "the module ephemery.instatus.calendar ran out of memory (it needed more than its \
             ceiling of 1024 MiB, set by INSTATUS_ANSIBLE_MEMORY_MIB) and was stopped: the likely \
             cause is its template (name_template): a template that builds a huge text, such as \
             one doubling a string in a loop, grows past any ceiling; it wrote nothing"
        );
        // Killed from outside.
        let killed = result_of(&end(9, "", ""), "m", &Map::new(), 1024, true).unwrap();
        assert!(killed["msg"]
            .as_str()
            .unwrap()
            .contains("signal 9 (SIGKILL"));
        assert_eq!(killed["changed"], true);
        // A result printed: relayed as it is.
        assert!(result_of(
            &end(1 << 8, "{\"failed\": true}\n", ""),
            "m",
            &params,
            1024,
            false
        )
        .is_none());
        // Half a result is no result.
        let cut = result_of(&end(6 << 8, "{\"fail", ""), "m", &params, 1024, false).unwrap();
        assert!(cut["msg"]
            .as_str()
            .unwrap()
            .contains("exit code 6 without a result"));
    }
}
