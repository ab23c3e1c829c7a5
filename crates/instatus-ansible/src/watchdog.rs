//! Every module run is bounded: it ends with a clean failure when its deadline passes or when the
//! `ansible-playbook` that started it is gone, instead of running on unseen (module processes
//! whose playbook had been killed were seen running for more than 15 minutes).
//!
//! - The deadline is [`deadline_for`] the task's `timeout` option: 20 times the request timeout,
//!   at least 10 minutes, at most 2 hours. Every request is bounded by `timeout` and retried
//!   within the client's budget, so a run past it is stuck, not slow.
//! - The parent: on Linux the chain of ancestors up to the `ansible-playbook` (or `ansible`)
//!   process is read from `/proc` at start, with each one's parent; when one of them is gone or
//!   has a new parent (its own parent died: a killed `ansible-playbook` leaves its worker
//!   processes running, re-parented), the run ends. Elsewhere only the direct parent is watched.
//!
//! The watchdog is a thread of the binary (`main.rs`), never of the library entry points, which
//! tests call in their own process. It and the module's own result go through one [`Output`], so
//! exactly one JSON object is printed.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::MAX_TIMEOUT_OPTION_SECS;
use crate::protocol::RawArgs;

/// The deadline is at least this long (10 minutes).
pub const MIN_DEADLINE: Duration = Duration::from_secs(600);

/// The deadline is at most this long (2 hours).
pub const MAX_DEADLINE: Duration = Duration::from_secs(7200);

/// How often the watchdog looks at the clock and the parents.
const TICK: Duration = Duration::from_millis(500);

/// The request timeout of a task that gives none (`timeout`'s default).
const DEFAULT_TIMEOUT: u64 = 30;

/// The deadline of a run whose request timeout is `timeout_secs` (clamped to 1..=3600 first).
pub fn deadline_for(timeout_secs: u64) -> Duration {
    let timeout = timeout_secs.clamp(1, MAX_TIMEOUT_OPTION_SECS);
    Duration::from_secs(timeout.saturating_mul(20)).clamp(MIN_DEADLINE, MAX_DEADLINE)
}

/// The deadline of a run with these (not yet validated) args: from `timeout` when it is a
/// number, else from the default.
pub fn deadline_of(raw: &RawArgs) -> Duration {
    let timeout = raw.params.get("timeout").and_then(|v| {
        v.as_u64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
    });
    deadline_for(timeout.unwrap_or(DEFAULT_TIMEOUT))
}

/// Why a run was ended from outside.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The deadline passed.
    Deadline(Duration),
    /// The process that started the run is gone (its pid).
    ParentGone(u32),
}

/// The one place the result is printed: the module's result or the watchdog's failure,
/// whichever comes first; the other is dropped.
#[derive(Clone, Debug, Default)]
pub struct Output {
    printed: Arc<Mutex<bool>>,
}

impl Output {
    /// Prints `json` on stdout unless something was printed already; returns whether it did.
    /// A closed stdout (the reader is gone) is not an error here.
    pub fn print(&self, json: &Value) -> bool {
        let mut printed = self.printed.lock().unwrap_or_else(|e| e.into_inner());
        if *printed {
            return false;
        }
        *printed = true;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{json}");
        let _ = out.flush();
        true
    }
}

/// The failure a stopped run reports. It cannot know which writes landed before it was stopped,
/// so it says so; a run in check mode or of a read-only module wrote nothing.
pub fn stopped_json(stop: &Stop, module: &str, may_have_written: bool) -> Value {
    let why = match stop {
        Stop::Deadline(d) => format!(
            "did not finish within its deadline of {} s (20 times the request timeout, from {} to \
             {} s) and was stopped",
            d.as_secs(),
            MIN_DEADLINE.as_secs(),
            MAX_DEADLINE.as_secs()
        ),
        Stop::ParentGone(pid) => format!(
            "was stopped because the ansible-playbook that started it is gone (process {pid} \
             ended or lost its parent)"
        ),
    };
    json!({
        "failed": true,
        "changed": may_have_written,
        "msg": format!("the module {module} {why}{}", writes_note(may_have_written)),
    })
}

/// The end of a stopped run's message: whether some of its writes may have landed.
pub fn writes_note(may_have_written: bool) -> &'static str {
    if may_have_written {
        "; some of its writes may have landed: run the task again, it reads the page and writes \
         only what is still missing"
    } else {
        "; it wrote nothing"
    }
}

/// Starts the watchdog thread: at `deadline` from now, or when a watched parent is gone, it
/// prints `stopped_json` through `output` (unless the result was printed already) and ends the
/// process with exit code 1.
pub fn start(output: Output, deadline: Duration, module: String, may_have_written: bool) {
    let started = Instant::now();
    let parents = Parents::at_start();
    std::thread::spawn(move || loop {
        std::thread::sleep(TICK);
        let stop = if started.elapsed() >= deadline {
            Some(Stop::Deadline(deadline))
        } else {
            parents.gone().map(Stop::ParentGone)
        };
        if let Some(stop) = stop {
            if output.print(&stopped_json(&stop, &module, may_have_written)) {
                std::process::exit(1);
            }
            // The module printed its result first: the process is ending anyway.
            return;
        }
    });
}

/// The processes watched: (pid, its parent's pid at start), from the direct parent up.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Parents(Vec<(u32, u32)>);

impl Parents {
    fn at_start() -> Self {
        // This process's own parent always (its pid changes when the parent dies), then, where
        // /proc tells, the ancestors up to ansible-playbook.
        let direct = std::os::unix::process::parent_id();
        let mut chain = vec![(std::process::id(), direct)];
        chain.extend(ancestry(direct, read_proc));
        Parents(chain)
    }

    /// The first watched process that is gone (a zombie counts) or has another parent now.
    fn gone(&self) -> Option<u32> {
        let me = std::process::id();
        self.0.iter().find_map(|&(pid, ppid)| {
            let now = if pid == me {
                Some(std::os::unix::process::parent_id())
            } else {
                read_proc(pid).filter(|p| !p.dead).map(|p| p.ppid)
            };
            let gone = if pid == me { ppid } else { pid };
            (now != Some(ppid)).then_some(gone)
        })
    }
}

/// What `/proc/PID` says about a process.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ProcInfo {
    ppid: u32,
    /// Ended, not yet reaped by its parent (a zombie).
    dead: bool,
    /// The basenames of the first two words of its command line (`python3`, `ansible-playbook`).
    names: Vec<String>,
}

fn read_proc(pid: u32) -> Option<ProcInfo> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let (state, ppid) = parse_stat(&stat)?;
    Some(ProcInfo {
        ppid,
        dead: matches!(state, 'Z' | 'X' | 'x'),
        names: cmdline
            .split(|&b| b == 0)
            .take(2)
            .map(|w| {
                let w = String::from_utf8_lossy(w);
                w.rsplit('/').next().unwrap_or_default().to_owned()
            })
            .collect(),
    })
}

/// The state and the parent pid in `/proc/PID/stat`: the two fields after the command name,
/// which is in parentheses and may itself hold spaces and parentheses.
fn parse_stat(stat: &str) -> Option<(char, u32)> {
    let mut fields = stat[stat.rfind(')')? + 1..].split_whitespace();
    let state = fields.next()?.chars().next()?;
    Some((state, fields.next()?.parse().ok()?))
}

/// The chain from `first` up to the first `ansible-playbook`/`ansible` process (included), each
/// with its parent; only `first` when no such process is within 12 levels (then its parent is
/// all that is known to belong to the run); empty without /proc.
fn ancestry(first: u32, info: impl Fn(u32) -> Option<ProcInfo>) -> Vec<(u32, u32)> {
    let mut chain = Vec::new();
    let mut pid = first;
    for _ in 0..12 {
        let Some(p) = info(pid) else { break };
        chain.push((pid, p.ppid));
        let is_ansible = p
            .names
            .iter()
            .any(|n| n == "ansible-playbook" || n == "ansible" || n.starts_with("ansible-"));
        if is_ansible {
            return chain;
        }
        if p.ppid <= 1 {
            break;
        }
        pid = p.ppid;
    }
    chain.truncate(1);
    chain
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deadline_is_twenty_timeouts_between_ten_minutes_and_two_hours() {
        assert_eq!(deadline_for(30), Duration::from_secs(600));
        assert_eq!(deadline_for(1), MIN_DEADLINE);
        assert_eq!(deadline_for(0), MIN_DEADLINE);
        assert_eq!(deadline_for(120), Duration::from_secs(2400));
        assert_eq!(deadline_for(u64::MAX), MAX_DEADLINE);
        let raw = RawArgs::parse(r#"{"timeout": "90"}"#).unwrap();
        assert_eq!(deadline_of(&raw), Duration::from_secs(1800));
        let raw = RawArgs::parse(r#"{"timeout": -1}"#).unwrap();
        assert_eq!(deadline_of(&raw), Duration::from_secs(600));
    }

    #[test]
    fn the_parent_pid_is_read_past_a_command_name_with_spaces_and_parentheses() {
        assert_eq!(
            parse_stat("4242 (a (b) c) S 17 4242 4242 0 -1 4194560"),
            Some(('S', 17))
        );
        assert_eq!(parse_stat("4243 (sh) Z 17 4242"), Some(('Z', 17)));
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn the_chain_stops_at_ansible_playbook_or_keeps_only_the_direct_parent() {
        let procs = |pid: u32| {
            let (ppid, cmd): (u32, &[&str]) = match pid {
                30 => (20, &["/bin/sh", "-c"]),
                20 => (10, &["/usr/bin/python3", "/venv/bin/ansible-playbook"]),
                10 => (5, &["python3", "/venv/bin/ansible-playbook"]),
                5 => (1, &["bash"]),
                _ => return None,
            };
            Some(ProcInfo {
                ppid,
                dead: false,
                names: cmd
                    .iter()
                    .map(|w| w.rsplit('/').next().unwrap().to_owned())
                    .collect(),
            })
        };
        // The worker (20) is the first ansible-playbook: sh and the worker are watched, not the
        // user's shell above the playbook.
        assert_eq!(ancestry(30, procs), [(30, 20), (20, 10)]);
        // No ansible process above: the direct parent only.
        assert_eq!(ancestry(5, procs), [(5, 1)]);
    }

    #[test]
    fn a_stopped_run_says_why_and_whether_writes_may_have_landed() {
        let deadline = stopped_json(
            &Stop::Deadline(MIN_DEADLINE),
            "ephemery.instatus.page_spec",
            true,
        );
        assert_eq!(deadline["failed"], true);
        assert_eq!(deadline["changed"], true);
        let msg = deadline["msg"].as_str().unwrap();
        assert!(msg.starts_with("the module ephemery.instatus.page_spec did not finish within its deadline of 600 s"), "{msg}");
        assert!(msg.contains("some of its writes may have landed"), "{msg}");
        let gone = stopped_json(&Stop::ParentGone(20), "ephemery.instatus.info", false);
        assert_eq!(gone["changed"], false);
        assert!(
            gone["msg"].as_str().unwrap().contains("process 20"),
            "{gone}"
        );
    }

    #[test]
    fn only_the_first_result_is_printed() {
        let output = Output::default();
        assert!(output.print(&json!({"first": true})));
        assert!(!output.print(&json!({"second": true})));
    }
}
