//! Issue 18: module processes grew to 3–4.5 GB each. A template that doubles a text in a loop
//! passes the fuel limit (a few dozen steps) and allocates gigabytes; minijinja has no memory
//! limit. The binary now runs each module in a child under a memory ceiling and reports a run
//! past it as a failure naming the template. Runs the real binary, as Ansible does.

use std::os::unix::process::CommandExt;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use instatus_emulator::{Config as EmulatorConfig, Emulator};
use serde_json::{json, Value};

/// A template doubling a string 60 times through a namespace (the loop's own `set` is scoped).
const DOUBLING: &str = "{% set ns = namespace(s='x') %}{% for i in range(60) %}\
                        {% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}";

/// The same through a macro calling itself (no loop).
const DOUBLING_MACRO: &str = "{% macro d(s, n) %}{% if n %}{{ d(s ~ s, n - 1) }}{% else %}\
                              {{ s | length }}{% endif %}{% endmacro %}{{ d('x', 60) }}";

struct Run {
    out: Value,
    code: i32,
    elapsed: Duration,
    /// The largest resident set of the processes run, in KiB, when `/usr/bin/time` is there.
    peak_kib: Option<u64>,
}

fn run_module(name: &str, args: Value, ceiling_mib: Option<u64>) -> Run {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let args_file = dir.join(format!(
        "instatus-memory-{}-{name}-{n}.json",
        std::process::id()
    ));
    let time_file = dir.join(format!(
        "instatus-memory-{}-{name}-{n}.time",
        std::process::id()
    ));
    std::fs::write(&args_file, args.to_string()).unwrap();
    let bin = env!("CARGO_BIN_EXE_instatus-ansible");
    let timed = std::path::Path::new("/usr/bin/time").exists();
    let mut cmd = if timed {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-f").arg("%M").arg("-o").arg(&time_file).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.arg0(format!("/tmp/ansible-tmp/AnsiballZ_{name}"))
        .arg(&args_file)
        .env_remove("INSTATUS_API_KEY")
        .env("RUST_BACKTRACE", "0")
        .env_remove("INSTATUS_ANSIBLE_SUPERVISED");
    match ceiling_mib {
        Some(mib) => cmd.env("INSTATUS_ANSIBLE_MEMORY_MIB", mib.to_string()),
        None => cmd.env_remove("INSTATUS_ANSIBLE_MEMORY_MIB"),
    };
    let started = Instant::now();
    let output = cmd.output().unwrap();
    let elapsed = started.elapsed();
    let peak_kib = std::fs::read_to_string(&time_file)
        .ok()
        .and_then(|t| t.lines().last()?.trim().parse().ok());
    let _ = std::fs::remove_file(&args_file);
    let _ = std::fs::remove_file(&time_file);
    let stdout = String::from_utf8(output.stdout).unwrap();
    let out: Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("stdout is not one JSON object ({e}): {stdout:?}"));
    Run {
        out,
        code: output.status.code().unwrap_or(-1),
        elapsed,
        peak_kib,
    }
}

fn assert_stopped_naming(run: &Run, module: &str, template: &str, ceiling_mib: u64) {
    let msg = run.out["msg"].as_str().unwrap_or_default();
    assert_eq!(run.code, 1, "{msg}");
    assert_eq!(run.out["failed"], true);
    assert!(
        msg.starts_with(&format!(
            "the module ephemery.instatus.{module} ran out of memory (it needed more than its \
             ceiling of {ceiling_mib} MiB"
        )),
        "{msg}"
    );
    assert!(msg.contains(&format!("its template ({template})")), "{msg}");
    assert!(run.elapsed < Duration::from_secs(30), "{:?}", run.elapsed);
    if let Some(kib) = run.peak_kib {
        // RLIMIT_DATA bounds the heap; the binary's own pages come on top (a few tens of MiB).
        assert!(
            kib < (ceiling_mib + 64) * 1024,
            "peak RSS {kib} KiB past the ceiling of {ceiling_mib} MiB"
        );
    }
    println!(
        "{module}: stopped after {:?}, peak RSS {:?} KiB (ceiling {ceiling_mib} MiB)",
        run.elapsed, run.peak_kib
    );
}

fn emulator() -> Emulator {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    emulator.create_page("p", "Memory");
    emulator
}

#[test]
fn a_doubling_template_in_calendar_no_longer_grows_to_gigabytes() {
    let emulator = emulator();
    let dest = std::env::temp_dir().join(format!("instatus-memory-{}.ics", std::process::id()));
    let args = json!({"_ansible_module_name": "ephemery.instatus.calendar", "page": "p",
        "api_key": emulator.api_key(), "base_url": emulator.url(), "dest": dest,
        "name_template": DOUBLING});
    // The default ceiling, 1 GiB.
    let run = run_module("calendar", args, None);
    assert_stopped_naming(&run, "calendar", "name_template", 1024);
    assert!(!dest.exists(), "the calendar was written");
}

#[test]
fn a_doubling_template_in_ephemery_resets_is_stopped_at_the_ceiling() {
    let emulator = emulator();
    let args = json!({"_ansible_module_name": "ephemery.instatus.ephemery_resets", "page": "p",
        "api_key": emulator.api_key(), "base_url": emulator.url(),
        "message_template": DOUBLING_MACRO, "_ansible_check_mode": true});
    let run = run_module("ephemery_resets", args, Some(256));
    assert_stopped_naming(&run, "ephemery_resets", "message_template", 256);
    assert_eq!(run.out["changed"], false, "check mode wrote nothing");
}

#[test]
fn a_doubling_impact_template_in_maintenance_is_stopped_at_the_ceiling() {
    let emulator = emulator();
    let args = json!({"_ansible_module_name": "ephemery.instatus.maintenance", "page": "p",
        "api_key": emulator.api_key(), "base_url": emulator.url(), "name": "Upgrade",
        "start": "now", "duration": 30, "components": ["Geth"],
        "impact": {"dependencies": [{"path": "Geth"}], "template": DOUBLING}});
    let run = run_module("maintenance", args, Some(256));
    assert_stopped_naming(&run, "maintenance", "impact.template", 256);
    assert!(
        emulator.requests().iter().all(|r| r.method == "GET"),
        "nothing was written"
    );
}

#[test]
fn a_normal_run_under_the_ceiling_gives_its_own_result() {
    let emulator = emulator();
    let dest = std::env::temp_dir().join(format!("instatus-memory-ok-{}.ics", std::process::id()));
    let args = json!({"_ansible_module_name": "ephemery.instatus.calendar", "page": "p",
        "api_key": emulator.api_key(), "base_url": emulator.url(), "dest": dest,
        "_ansible_check_mode": true});
    let run = run_module("calendar", args, Some(64));
    assert_eq!(run.code, 0, "{}", run.out);
    assert_eq!(run.out["failed"], false, "{}", run.out);
    assert_eq!(run.out["changed"], true);
    assert!(
        run.out["msg"].as_str().unwrap().starts_with("would write"),
        "{}",
        run.out
    );
    if let Some(kib) = run.peak_kib {
        println!(
            "calendar, a normal run: {:?}, peak RSS {kib} KiB",
            run.elapsed
        );
    }
}

#[test]
fn a_ceiling_that_is_not_a_number_of_mib_is_refused_naming_the_variable() {
    let args = json!({"_ansible_module_name": "ephemery.instatus.component", "name": "x",
        "page": "p", "api_key": "k-0123456789"});
    let bin = env!("CARGO_BIN_EXE_instatus-ansible");
    let file =
        std::env::temp_dir().join(format!("instatus-memory-bad-{}.json", std::process::id()));
    std::fs::write(&file, args.to_string()).unwrap();
    let output = Command::new(bin)
        .arg(&file)
        .env("INSTATUS_ANSIBLE_MEMORY_MIB", "1G")
        .env_remove("INSTATUS_ANSIBLE_SUPERVISED")
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    let out: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        out["msg"],
        "INSTATUS_ANSIBLE_MEMORY_MIB: \"1G\" is not a memory ceiling; allowed: a number of MiB \
         from 64 to 1048576 (default 1024)"
    );
}
