//! Issue 18: a FIFO where a key file belongs hung `validate`. The modules read files too (the
//! calendar and report they replace, the cache of ignored writes): a FIFO in any of those places
//! now fails at once naming the option (or, for the cache, is passed over) instead of blocking
//! the open for ever. Runs the real binary, killed if it hangs.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use instatus_emulator::{Config as EmulatorConfig, Emulator};
use serde_json::{json, Value};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("instatus-fifo-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

/// Runs module `name` on `args` with `env`; kills it after 10 s. (output, exit code, elapsed)
fn run_module(
    dir: &Path,
    name: &str,
    args: Value,
    env: &[(&str, &Path)],
) -> (Value, i32, Duration) {
    let args_file = dir.join("args.json");
    std::fs::write(&args_file, args.to_string()).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_instatus-ansible"));
    cmd.arg0(format!("/tmp/ansible-tmp/AnsiballZ_{name}"))
        .arg(&args_file)
        .env_remove("INSTATUS_API_KEY")
        .stdout(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let started = Instant::now();
    let mut child = cmd.spawn().unwrap();
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code().unwrap_or(-1);
        }
        if started.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{name} hung on a FIFO");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut stdout).unwrap();
    let out = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("not one JSON object ({e}): {stdout}"));
    (out, code, elapsed)
}

fn emulator() -> Emulator {
    let emulator = Emulator::start(EmulatorConfig::default()).unwrap();
    emulator.create_page("p", "Fifo");
    emulator
}

#[test]
fn a_fifo_as_the_calendar_dest_no_longer_hangs_the_module() {
    let emulator = emulator();
    let dir = temp_dir("calendar");
    let dest = dir.join("cal.ics");
    mkfifo(&dest);
    let (out, code, elapsed) = run_module(
        &dir,
        "calendar",
        json!({"_ansible_module_name": "ephemery.instatus.calendar", "page": "p",
               "api_key": emulator.api_key(), "base_url": emulator.url(), "dest": dest}),
        &[],
    );
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        out["msg"],
        format!(
            "dest: {} is not a regular file (a FIFO); allowed: a regular file or none",
            dest.display()
        )
    );
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_fifo_as_the_report_file_no_longer_hangs_the_module() {
    let emulator = emulator();
    let dir = temp_dir("report");
    let markdown = dir.join("report.md");
    mkfifo(&markdown);
    let (out, code, elapsed) = run_module(
        &dir,
        "report",
        json!({"_ansible_module_name": "ephemery.instatus.report", "page": "p",
               "api_key": emulator.api_key(), "base_url": emulator.url(), "days": 7,
               "markdown": markdown}),
        &[],
    );
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        out["msg"],
        format!(
            "markdown: {} is not a regular file (a FIFO); allowed: a regular file or none",
            markdown.display()
        )
    );
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_fifo_as_the_cache_file_is_passed_over() {
    let emulator = emulator();
    let dir = temp_dir("cache");
    let cache = dir.join("ephemery.instatus");
    std::fs::create_dir_all(&cache).unwrap();
    mkfifo(&cache.join("ignored-writes.json"));
    let (out, code, elapsed) = run_module(
        &dir,
        "page",
        json!({"_ansible_module_name": "ephemery.instatus.page", "page": "p",
               "api_key": emulator.api_key(), "base_url": emulator.url(),
               "brand_color": "#112233", "_ansible_check_mode": true}),
        &[("XDG_CACHE_HOME", &dir)],
    );
    // The page module reads the cache before it plans (page_spec does too).
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["changed"], true, "{out}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
