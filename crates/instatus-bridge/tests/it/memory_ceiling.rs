//! Issue 18: a template that doubles a text in a loop passes the fuel limit in a few dozen steps
//! and took gigabytes in `validate` (the template engine has no memory limit). `validate` now
//! runs under a memory ceiling (`INSTATUS_BRIDGE_MEMORY_MIB`, default 1 GiB) and ends at it.

use std::process::Command;
use std::time::{Duration, Instant};

const DOUBLING: &str = "{% set ns = namespace(s='x') %}{% for i in range(60) %}\
                        {% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}";

fn config_with_title(title: &str, name: &str) -> std::path::PathBuf {
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/bridge/ephemery.yml"
    );
    let text = std::fs::read_to_string(example).unwrap();
    let anchor = "    notify: true\n  freshness:";
    assert!(
        text.contains(anchor),
        "the example's incidents section changed"
    );
    let text = text.replacen(
        anchor,
        &format!("    notify: true\n    templates:\n      title: \"{title}\"\n  freshness:"),
        1,
    );
    let path = std::env::temp_dir().join(format!(
        "instatus-bridge-memory-{}-{name}.yml",
        std::process::id()
    ));
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `validate --no-secrets` under `/usr/bin/time` when it is there: (exit code, stderr,
/// elapsed, peak RSS in KiB).
fn validate(
    config: &std::path::Path,
    ceiling: &str,
) -> (Option<i32>, String, Duration, Option<u64>) {
    let bin = env!("CARGO_BIN_EXE_instatus-bridge");
    let time_file = config.with_extension("time");
    let timed = std::path::Path::new("/usr/bin/time").exists();
    let mut cmd = if timed {
        let mut c = Command::new("/usr/bin/time");
        c.arg("-f").arg("%M").arg("-o").arg(&time_file).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.args(["validate", "--no-secrets"])
        .arg(config)
        .env("INSTATUS_BRIDGE_MEMORY_MIB", ceiling)
        .env("RUST_BACKTRACE", "0")
        .env_remove("INSTATUS_BRIDGE_CONFIG");
    let started = Instant::now();
    let out = cmd.output().unwrap();
    let elapsed = started.elapsed();
    let peak = std::fs::read_to_string(&time_file)
        .ok()
        .and_then(|t| t.lines().last()?.trim().parse().ok());
    let _ = std::fs::remove_file(&time_file);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed,
        peak,
    )
}

#[test]
fn a_doubling_template_no_longer_takes_gigabytes_in_validate() {
    let config = config_with_title(DOUBLING, "doubling");
    let (code, stderr, elapsed, peak) = validate(&config, "256");
    let _ = std::fs::remove_file(&config);
    // Past the ceiling the allocation fails and the process aborts (the engine cannot be
    // stopped more gently): not a success, within seconds, and within the ceiling.
    assert_ne!(code, Some(0), "{stderr}");
    assert!(stderr.contains("memory allocation of"), "{stderr}");
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
    if let Some(kib) = peak {
        assert!(kib < (256 + 64) * 1024, "peak RSS {kib} KiB");
    }
    println!("validate, doubling template: ended after {elapsed:?}, peak RSS {peak:?} KiB (ceiling 256 MiB)");
}

#[test]
fn a_normal_config_validates_under_a_small_ceiling() {
    let config = config_with_title("{{ name }} is {{ state }}", "normal");
    let (code, stderr, _, peak) = validate(&config, "64");
    let _ = std::fs::remove_file(&config);
    assert_eq!(code, Some(0), "{stderr}");
    println!("validate, normal config: peak RSS {peak:?} KiB");
}

#[test]
fn a_ceiling_that_is_not_a_number_of_mib_is_refused() {
    let config = config_with_title("{{ name }}", "bad-ceiling");
    let (code, stderr, _, _) = validate(&config, "lots");
    let _ = std::fs::remove_file(&config);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("INSTATUS_BRIDGE_MEMORY_MIB: \"lots\" is not a memory ceiling; allowed: a number of MiB from 64 to 1048576"),
        "{stderr}"
    );
}
