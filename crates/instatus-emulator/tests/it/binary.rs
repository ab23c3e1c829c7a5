//! The `instatus-emulator` binary: the listening and preview lines, flag errors, state on
//! SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_instatus-emulator");

#[test]
fn prints_the_listening_line_with_port_0() {
    let mut child = Command::new(BIN)
        .args(["--port", "0", "--page", "ephemery=Ephemery"])
        .env(
            "INSTATUS_EMULATOR_API_KEY",
            "secret-key-from-env-0000000000000",
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("instatus-emulator listening on ")
        .unwrap_or_else(|| panic!("unexpected line {line:?}"))
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(!url.ends_with(":0"), "{url}");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut resp = agent
        .get(format!("{url}/v2/pages"))
        .header("Authorization", "Bearer secret-key-from-env-0000000000000")
        .call()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let body = resp.body_mut().read_to_string().unwrap();
    assert!(body.contains("\"subdomain\":\"ephemery\""), "{body}");
    let mut second = String::new();
    stdout.read_line(&mut second).unwrap();
    assert_eq!(second.trim(), format!("preview: {url}/_emulator/preview"));
    let mut resp = agent
        .get(format!("{url}/_emulator/preview"))
        .call()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let html = resp.body_mut().read_to_string().unwrap();
    assert!(
        html.contains("<h1 id=\"page-name\">Ephemery</h1>"),
        "{html}"
    );
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("secret-key-from-env"), "{stderr}");
}

fn bad_flag(args: &[&str], want: &[&str]) {
    let out = Command::new(BIN).args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    for w in want {
        assert!(stderr.contains(w), "{args:?}: {stderr}");
    }
}

#[test]
fn bad_flags_exit_2_naming_the_flag_and_forms() {
    bad_flag(
        &["--fault", "POST /v1/x explode"],
        &["--fault", "drop-after", "malformed"],
    );
    bad_flag(&["--fault", "POST"], &["--fault", "METHOD PATH ACTION"]);
    bad_flag(&["--rate-limit", "five"], &["--rate-limit", "N/SECONDS"]);
    bad_flag(&["--page", "Not Valid"], &["--page", "SUBDOMAIN[=NAME]"]);
    bad_flag(&["--port", "99999"], &["--port"]);
    bad_flag(&["--host", "nowhere"], &["--host"]);
}

#[cfg(unix)]
#[test]
fn saves_state_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("instatus-emulator-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("state.json");
    let _ = std::fs::remove_file(&file);
    let mut child = Command::new(BIN)
        .args(["--port", "0", "--page", "ephemery", "--state"])
        .arg(&file)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert!(line.starts_with("instatus-emulator listening on "));
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("\"subdomain\": \"ephemery\""), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}
