//! Faults the emulator once let through: each test is named after what broke.

use crate::common;

use std::sync::Arc;

use common::*;
use instatus_emulator::Config;
use serde_json::json;

#[test]
fn a_maintenance_of_2_pow_63_minutes_is_refused_naming_the_field() {
    let api = Api::start();
    let a = api.send(
        "POST",
        &api.v1("/maintenances"),
        Some(json!({
            "name": "Forever", "message": "x", "status": "NOTSTARTEDYET",
            "start": "2026-12-01T10:00:00Z", "duration": i64::MAX,
            "components": [], "statuses": [], "notify": false, "end": "2026-12-01T12:00:00Z",
            "notifyStart": false, "notifyEnd": false, "notifyEarly": false,
            "autoStart": false, "autoEnd": false
        })),
    );
    assert_eq!(a.status, 400, "{}", a.text);
    assert!(a.text.contains("duration"), "{}", a.text);
    let a = api.send(
        "POST",
        &api.v1("/maintenances"),
        Some(json!({
            "name": "Upgrade", "message": "x", "status": "NOTSTARTEDYET",
            "start": "2026-12-01T10:00:00Z", "duration": 120,
            "components": [], "statuses": [], "notify": false, "end": "2026-12-01T12:00:00Z",
            "notifyStart": false, "notifyEnd": false, "notifyEarly": false,
            "autoStart": false, "autoEnd": false
        })),
    );
    assert_eq!(a.status, 200, "{}", a.text);
}

#[test]
fn concurrent_saves_no_longer_truncate_the_state_file() {
    let dir = std::env::temp_dir().join(format!("emulator-saves-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("state.json");
    let api = Arc::new(Api::with(Config {
        state_file: Some(file.clone()),
        ..Config::default()
    }));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let api = api.clone();
            std::thread::spawn(move || {
                let mut failed = 0;
                for i in 0..20 {
                    api.component(&format!("c{t}-{i}"));
                    if api.control("POST", "/save", None).status != 200 {
                        failed += 1;
                    }
                }
                failed
            })
        })
        .collect();
    let failed: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(failed, 0, "{failed} of 160 saves answered an error");
    assert_eq!(api.control("POST", "/save", None).status, 200);
    // The last save is whole and holds everything; no temporary file is left.
    let text = std::fs::read_to_string(&file).unwrap();
    let state: serde_json::Value = serde_json::from_str(&text).expect("the state file parses");
    let components = state["pages"][0]["components"].as_array().unwrap().len();
    assert_eq!(components, 160);
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n != "state.json")
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // And it loads.
    let again = Api::with(Config {
        state_file: Some(file),
        ..Config::default()
    });
    let loaded = again.emu.state_json();
    assert_eq!(
        loaded["pages"][0]["components"].as_array().unwrap().len(),
        160
    );
    let _ = std::fs::remove_dir_all(&dir);
}
