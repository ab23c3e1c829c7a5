//! Writes that land are reported, duplicates are a state of their own: the module binary against
//! an in-process emulator, with parallel runs and injected faults.

use std::process::Command;

use instatus_emulator::{Config, Emulator, FaultAction, FaultRule};
use serde_json::{json, Value};

/// Runs one module the way Ansible does (an args file as argv[1]) and returns its JSON result.
fn run(emulator: &Emulator, module: &str, args: Value) -> Value {
    run_in(emulator, module, args, &[])
}

/// [`run`] with more environment variables for the module process.
fn run_in(emulator: &Emulator, module: &str, mut args: Value, env: &[(&str, &str)]) -> Value {
    let dir = std::env::temp_dir().join(format!(
        "instatus-landed-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    args["_ansible_module_name"] = json!(format!("ephemery.instatus.{module}"));
    args["api_key"] = json!(emulator.api_key());
    args["base_url"] = json!(emulator.url());
    if args.get("timeout").is_none() {
        args["timeout"] = json!(5);
    }
    let file = dir.join("args");
    std::fs::write(&file, args.to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_instatus-ansible"))
        .arg(&file)
        .env_remove("INSTATUS_API_KEY")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn tree() -> Value {
    json!([
        {"name": "Ethereum Services", "components": [
            {"name": "Execution Client"}, {"name": "Consensus Client"}, {"name": "Validator Client"}
        ]},
        {"name": "Infrastructure", "components": [{"name": "Network"}, {"name": "Storage"}]},
        {"name": "Faucet"}
    ])
}

/// Every component of the emulator's only page, read through the library.
fn component_count(emulator: &Emulator) -> usize {
    let client = instatus::Client::builder(emulator.api_key())
        .base_url(emulator.url())
        .build()
        .unwrap();
    let pages = client.list_all(instatus::api::pages::list()).unwrap();
    pages
        .iter()
        .map(|p| {
            client
                .list_all(instatus::api::components::list(&p.id))
                .unwrap()
                .len()
        })
        .sum()
}

fn writes(emulator: &Emulator) -> usize {
    emulator.requests().iter().filter(|r| r.write).count()
}

#[test]
fn ten_parallel_page_spec_runs_leave_duplicates_that_are_reported_then_deduped() {
    let emulator = Emulator::start(Config::default()).unwrap();
    emulator.create_page("race", "Race");
    // Every run's first read of the component list is held for 3 s: all ten read the empty page
    // before any of them writes, as ten hosts starting at once do (so the race always happens).
    emulator.add_fault(FaultRule {
        method: Some("GET".into()),
        path: "/v1/*/components".into(),
        action: FaultAction::Delay(std::time::Duration::from_secs(3)),
        times: Some(10),
    });
    // A 30 s request timeout: the 3 s hold plus ten module processes on a loaded 2-core CI machine
    // overran the default 5 s once (the runs must race, not time out).
    let args = json!({"page": "race", "components": tree(), "timeout": 30});
    // An inventory of ten hosts without run_once: ten runs at once on one empty page.
    let results: Vec<Value> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..10)
            .map(|_| s.spawn(|| run(&emulator, "page_spec", args.clone())))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for r in &results {
        assert_eq!(r["failed"], false, "{r}");
    }
    let declared = 8; // 2 groups, 5 children, 1 top-level component
    let on_page = component_count(&emulator);
    assert!(
        on_page > declared,
        "the race left no copy ({on_page}): the test proves nothing"
    );

    // The next run names the copies as duplicates, not unmanaged, and warns. It creates nothing;
    // it may renumber siblings that the race left out of order (an honest change).
    let next = run(&emulator, "page_spec", args.clone());
    assert!(
        next["created"].as_object().is_none_or(|m| m.is_empty()),
        "{next}"
    );
    let plan = next["plan"].as_array().unwrap();
    assert!(
        plan.iter().all(|l| !l.as_str().unwrap().starts_with('+')),
        "{next}"
    );
    assert_eq!(next["unmanaged"], json!([]), "{next}");
    let duplicates = next["duplicates"].as_array().unwrap();
    let copies: usize = duplicates
        .iter()
        .map(|d| d["copies"].as_array().unwrap().len())
        .sum();
    assert_eq!(copies + declared, on_page, "{next}");
    assert!(
        next["warnings"][0].as_str().unwrap().contains("set dedupe"),
        "{next}"
    );

    // Check mode with dedupe reports the deletes and writes nothing.
    let before = writes(&emulator);
    let mut dedupe = args.clone();
    dedupe["dedupe"] = json!(true);
    let mut check = dedupe.clone();
    check["_ansible_check_mode"] = json!(true);
    let checked = run(&emulator, "page_spec", check);
    assert_eq!(checked["changed"], true, "{checked}");
    assert_eq!(writes(&emulator), before, "check mode wrote");

    // Two dedupe runs at once (both keep the same copy), then exactly the declared tree.
    let deduped: Vec<Value> = std::thread::scope(|s| {
        let a = s.spawn(|| run(&emulator, "page_spec", dedupe.clone()));
        let b = s.spawn(|| run(&emulator, "page_spec", dedupe.clone()));
        vec![a.join().unwrap(), b.join().unwrap()]
    });
    for r in &deduped {
        assert_eq!(r["failed"], false, "{r}");
    }
    assert_eq!(component_count(&emulator), declared);
    let again = run(&emulator, "page_spec", dedupe);
    assert_eq!(again["changed"], false, "{again}");
    assert_eq!(again["duplicates"], json!([]), "{again}");
    assert_eq!(
        again["api_requests"], 2,
        "a no-op reads the page list and one component page"
    );
}

#[test]
fn component_reports_the_group_it_created_when_the_component_create_fails() {
    let emulator = Emulator::start(Config::default()).unwrap();
    emulator.create_page("p", "P");
    let post = |action| FaultRule {
        method: Some("POST".into()),
        path: "/v1/*/components".into(),
        action,
        times: Some(1),
    };
    // The group's POST lands but its answer is a 500 (recovered by a lookup, not re-sent); the
    // component's POST is then refused.
    emulator.add_fault(post(FaultAction::StatusAfter(500)));
    emulator.add_fault(post(FaultAction::Status(400)));
    let r = run(
        &emulator,
        "component",
        json!({"page": "p", "name": "Network", "group": "Infrastructure"}),
    );
    assert_eq!(r["failed"], true, "{r}");
    assert_eq!(r["changed"], true, "the group was created: {r}");
    assert_eq!(r["group_created"], true, "{r}");
    assert_eq!(
        component_count(&emulator),
        1,
        "exactly one group, no duplicate"
    );
    // The rerun creates the component in that group, and the next one changes nothing.
    let r = run(
        &emulator,
        "component",
        json!({"page": "p", "name": "Network", "group": "Infrastructure"}),
    );
    assert_eq!(
        (r["changed"].clone(), r["group_created"].clone()),
        (json!(true), json!(false)),
        "{r}"
    );
    let r = run(
        &emulator,
        "component",
        json!({"page": "p", "name": "Network", "group": "Infrastructure"}),
    );
    assert_eq!(r["changed"], false, "{r}");
    assert_eq!(component_count(&emulator), 2);
}

#[test]
fn component_and_incident_creates_survive_a_503_and_a_dropped_connection() {
    let emulator = Emulator::start(Config::default()).unwrap();
    emulator.create_page("p", "P");
    for (path, action) in [
        ("/v1/*/components", FaultAction::Status(503)),
        ("/v1/*/incidents", FaultAction::DropAfter),
    ] {
        emulator.add_fault(FaultRule {
            method: Some("POST".into()),
            path: path.into(),
            action,
            times: Some(1),
        });
    }
    let c = run(
        &emulator,
        "component",
        json!({"page": "p", "name": "Network"}),
    );
    assert_eq!(
        (c["failed"].clone(), c["changed"].clone()),
        (json!(false), json!(true)),
        "{c}"
    );
    let i = run(
        &emulator,
        "incident",
        json!({"page": "p", "name": "Peers lost", "message": "looking", "components": {"Network": "major_outage"}}),
    );
    assert_eq!(
        (i["failed"].clone(), i["changed"].clone()),
        (json!(false), json!(true)),
        "{i}"
    );
    let state = emulator.state_json().to_string();
    assert_eq!(
        state.matches("\"Peers lost\"").count(),
        1,
        "one incident, not two"
    );
    assert_eq!(component_count(&emulator), 1);
}

#[test]
fn a_create_that_times_out_and_lands_later_is_found_not_sent_again() {
    let emulator = Emulator::start(Config::default()).unwrap();
    emulator.create_page("late", "Late");
    // The first component POST is answered after the client gave up (timeout 1 s), then lands.
    emulator.add_fault(FaultRule {
        method: Some("POST".into()),
        path: "/v1/*/components".into(),
        action: FaultAction::Delay(std::time::Duration::from_millis(1500)),
        times: Some(1),
    });
    let r = run(
        &emulator,
        "page_spec",
        json!({"page": "late", "timeout": 1, "components": [{"name": "Network"}, {"name": "Storage"}]}),
    );
    let log: Vec<String> = emulator
        .requests()
        .iter()
        .map(|q| format!("{} {} {} {:?}", q.method, q.path, q.status, q.fault))
        .collect();
    assert_eq!(
        (r["failed"].clone(), r["changed"].clone()),
        (json!(false), json!(true)),
        "{r}"
    );
    assert_eq!(r["duplicates"], json!([]), "{r} {log:?}");
    assert!(
        r["warnings"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|w| w.as_str().unwrap().contains("read back and found done")),
        "{log:?}"
    );
    assert_eq!(
        component_count(&emulator),
        2,
        "no duplicate of the late create"
    );
    let posts = emulator
        .requests()
        .iter()
        .filter(|q| q.method == "POST")
        .count();
    assert_eq!(posts, 2, "the late create was not sent again");
}

#[test]
fn maintenance_and_subscriber_creates_whose_answer_is_lost_are_not_duplicated() {
    let emulator = Emulator::start(Config::default()).unwrap();
    emulator.create_page("p", "P");
    for path in ["/v1/*/maintenances", "/v1/*/subscribers"] {
        emulator.add_fault(FaultRule {
            method: Some("POST".into()),
            path: path.into(),
            action: FaultAction::DropAfter,
            times: Some(1),
        });
    }
    let m = run(
        &emulator,
        "maintenance",
        json!({"page": "p", "name": "Upgrade", "start": "2030-01-01T10:00:00Z", "duration": 60}),
    );
    assert_eq!(
        (m["failed"].clone(), m["changed"].clone()),
        (json!(false), json!(true)),
        "{m}"
    );
    let s = run(
        &emulator,
        "subscriber",
        json!({"page": "p", "email": "ops@ephemery.dev"}),
    );
    assert_eq!(
        (s["failed"].clone(), s["changed"].clone()),
        (json!(false), json!(true)),
        "{s}"
    );
    let state = emulator.state_json().to_string();
    assert_eq!(state.matches("\"Upgrade\"").count(), 1, "one maintenance");
    assert_eq!(
        state.matches("ops@ephemery.dev").count(),
        1,
        "one subscriber"
    );
    let posts = emulator
        .requests()
        .iter()
        .filter(|q| q.method == "POST")
        .count();
    assert_eq!(posts, 2, "neither create was sent twice");
}

#[test]
fn a_custom_domain_the_api_ignores_is_sent_once_then_a_no_op_run_makes_2_requests_and_no_write() {
    // Regression: a lenient API accepts customDomain and keeps the old value; every run re-sent
    // PUT {"customDomain"}: 5 requests and 1 write where the docs promise 2 and none.
    let emulator = Emulator::start(Config {
        ignored_fields: vec!["customDomain".into()],
        ..Config::default()
    })
    .unwrap();
    emulator.create_page("lenient", "Lenient");
    let cache = std::env::temp_dir().join(format!("instatus-cache-{}", fastrand::u64(..)));
    let cache_dir = cache.to_str().unwrap().to_owned();
    let env = [("XDG_CACHE_HOME", cache_dir.as_str())];
    let args = json!({"page": "lenient", "settings": {
        "custom_domain": "status.lenient.example", "brand_color": "#0f766e"}});
    let step = |check: bool| {
        emulator.clear_requests();
        let mut a = args.clone();
        a["_ansible_check_mode"] = json!(check);
        let r = run_in(&emulator, "page_spec", a, &env);
        let requests = emulator.requests();
        let writes = requests.iter().filter(|q| q.write).count();
        (r, requests.len(), writes)
    };
    let (check, _, check_writes) = step(true);
    assert_eq!(
        (check["changed"].clone(), check_writes),
        (json!(true), 0),
        "{check}"
    );
    let (real, _, real_writes) = step(false);
    assert_eq!(real["changed"], true, "{real}");
    assert_eq!(real["not_applied"], json!(["custom_domain"]), "{real}");
    assert_eq!(real_writes, 2, "the colour and the domain: {real}");
    for _ in 0..2 {
        let (again, requests, writes) = step(false);
        assert_eq!(again["changed"], false, "{again}");
        assert_eq!((requests, writes), (2, 0), "{again}");
        assert_eq!(again["not_applied"], json!(["custom_domain"]), "{again}");
        let warning = again["warnings"][0].as_str().unwrap();
        assert!(
            warning.starts_with("custom_domain: Instatus accepted the request")
                && warning.contains("not sent again"),
            "{again}"
        );
    }
    // Check mode agrees: nothing to change.
    let (check, requests, _) = step(true);
    assert_eq!(
        (check["changed"].clone(), requests),
        (json!(false), 2),
        "{check}"
    );
    // Another domain is sent (and found ignored) again; the page module shares what it learnt.
    let mut other = args.clone();
    other["settings"]["custom_domain"] = json!("status.other.example");
    emulator.clear_requests();
    let r = run_in(&emulator, "page_spec", other, &env);
    assert_eq!(
        emulator.requests().iter().filter(|q| q.write).count(),
        1,
        "{r}"
    );
    emulator.clear_requests();
    let r = run_in(
        &emulator,
        "page",
        json!({"page": "lenient", "custom_domain": "status.other.example"}),
        &env,
    );
    assert_eq!(r["changed"], false, "{r}");
    assert_eq!(r["not_applied"], json!(["custom_domain"]), "{r}");
    assert_eq!(emulator.requests().len(), 1, "{r}");
    // Losing the cache changes no result, only costs the write again.
    let _ = std::fs::remove_dir_all(&cache);
    let (again, requests, writes) = step(false);
    assert_eq!(again["changed"], false, "{again}");
    assert_eq!(again["not_applied"], json!(["custom_domain"]), "{again}");
    assert_eq!((requests, writes), (5, 1), "{again}");
    let _ = std::fs::remove_dir_all(&cache);
}

#[test]
fn a_group_create_that_lands_after_the_client_timeout_leaves_no_duplicate_group() {
    // Regression (strict stand-in): the group's POST was still running on the server when the
    // client gave up (timeout 1 s); the look-up 1 s later missed it, the group was created again
    // and the late one landed too: two "Ethereum Services". create_once now looks again after the
    // request timeout plus a margin before it sends anything again.
    let emulator = Emulator::start(Config::default()).unwrap();
    emulator.create_page("late-group", "Late Group");
    emulator.add_fault(FaultRule {
        method: Some("POST".into()),
        path: "/v1/*/components".into(),
        action: FaultAction::Delay(std::time::Duration::from_millis(2500)),
        times: Some(1),
    });
    let args = json!({"page": "late-group", "timeout": 1, "components": [
        {"name": "Ethereum Services", "components": [
            {"name": "Execution Client"}, {"name": "Consensus Client"}
        ]}
    ]});
    let r = run(&emulator, "page_spec", args.clone());
    // Whatever the run did, a create still running on the server has landed after this.
    std::thread::sleep(std::time::Duration::from_secs(3));
    assert_eq!(
        (r["failed"].clone(), r["changed"].clone()),
        (json!(false), json!(true)),
        "{r}"
    );
    assert_eq!(r["duplicates"], json!([]), "{r}");
    assert_eq!(
        component_count(&emulator),
        3,
        "one group, two children: {r}"
    );
    let posts = emulator
        .requests()
        .iter()
        .filter(|q| q.method == "POST")
        .count();
    assert_eq!(posts, 3, "the late group create was not sent again: {r}");
    // The children are in the group that landed late, and the next run changes nothing.
    let again = run(&emulator, "page_spec", args);
    assert_eq!(again["changed"], false, "{again}");
    assert_eq!(again["api_requests"], 2, "{again}");
}
