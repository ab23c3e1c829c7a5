//! `instatus-bridge page plan|apply FILE` against the emulator: plan writes nothing and exits 2,
//! apply writes and exits 2, apply again is the read floor (2 GETs) and exits 0; bad files exit 1
//! naming the field before any request; a failure part-way reports what was written; a write the
//! API accepted without applying is reported, and not sent again; the key never shows.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{bin, temp_dir, text, write};
use instatus::api::{self, components::CreateComponentRequest};
use instatus::model::{ComponentTree, PageId};
use instatus::Client;
use instatus_emulator::{Config as EmuConfig, Emulator, FaultAction, FaultRule};
use serde_json::Value;

const KEY: &str = "page-cli-secret-key-5f1e2d3c4b5a6978";

/// The declaration the examples ship: the Ephemery page as the status_page role declares it.
fn ephemery_page() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/ephemery-page.yaml")
}

struct Emu {
    emu: Emulator,
    page: PageId,
    /// The cache folder (XDG_CACHE_HOME) of the runs: the ignored-writes file lives there.
    cache: PathBuf,
}

impl Emu {
    fn start(name: &str, ignored_fields: &[&str]) -> Emu {
        let emu = Emulator::start(EmuConfig {
            api_key: KEY.into(),
            ignored_fields: ignored_fields.iter().map(|f| (*f).to_owned()).collect(),
            ..EmuConfig::default()
        })
        .expect("emulator starts");
        let page = PageId::new(emu.create_page("ephemery", "Ephemery"));
        Emu {
            emu,
            page,
            cache: temp_dir(name),
        }
    }

    fn client(&self) -> Client {
        Client::builder(KEY)
            .base_url(self.emu.url())
            .build()
            .expect("client")
    }

    /// Runs `instatus-bridge page ARGS` with the connection in the environment, as CI sets it.
    fn page(&self, args: &[&str]) -> Output {
        self.page_with_key(args, KEY)
    }

    fn page_with_key(&self, args: &[&str], key: &str) -> Output {
        let o = bin()
            .arg("page")
            .args(args)
            .env("INSTATUS_API_KEY", key)
            .env("INSTATUS_BASE_URL", self.emu.url())
            .env("INSTATUS_PAGE", "ephemery")
            .env("XDG_CACHE_HOME", &self.cache)
            .output()
            .expect("the binary runs");
        let (out, err) = text(&o);
        assert!(
            key.is_empty() || (!out.contains(key) && !err.contains(key)),
            "the key shows in the output:\n{out}{err}"
        );
        o
    }

    /// The logged API requests as `METHOD path`, then forgets them.
    fn take_requests(&self) -> Vec<String> {
        let out = self
            .emu
            .requests()
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        self.emu.clear_requests();
        out
    }

    fn tree(&self) -> ComponentTree {
        ComponentTree::from_components(
            self.client()
                .list_all(api::components::list(&self.page))
                .expect("list"),
        )
    }
}

fn json_of(o: &Output) -> Value {
    let (out, err) = text(o);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}\n{err}"))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().expect("a string").to_owned())
        .collect()
}

#[test]
fn plan_writes_nothing_apply_writes_and_apply_again_is_two_gets() {
    let emu = Emu::start("three-ways", &[]);
    let file = ephemery_page();
    let file = file.to_str().unwrap();

    // Plan: the whole page is to be written, nothing is sent but the two reads.
    let o = emu.page(&["plan", "--json", file]);
    assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
    let plan = json_of(&o);
    assert_eq!(plan["command"], "plan");
    assert_eq!(plan["changed"], true);
    // 2 settings updates (the custom domain is sent alone) + 3 groups + 10 components.
    assert_eq!(plan["writes_planned"], 15);
    assert!(strings(&plan["changes"]).contains(&"+ Ethereum Services/Execution Client".into()));
    assert!(strings(&plan["written"]).is_empty());
    assert_eq!(plan["requests"], 2);
    assert_eq!(
        emu.take_requests(),
        [
            "GET /v2/pages".to_owned(),
            format!("GET /v1/{}/components", emu.page)
        ]
    );
    assert!(emu.tree().roots().is_empty(), "plan created components");
    emu.take_requests();

    // Apply: every planned write, each reported, then the read-back (2 GETs).
    let o = emu.page(&["apply", "--json", file]);
    assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
    let applied = json_of(&o);
    assert_eq!(applied["changed"], true);
    let written = strings(&applied["written"]);
    assert_eq!(written.len(), 15, "{written:?}");
    assert!(written.contains(&"~ page settings (custom_domain)".to_owned()));
    assert!(written.contains(&"+ Infrastructure/Server Health".to_owned()));
    assert_eq!(strings(&applied["applied"]), strings(&plan["changes"]));
    assert!(strings(&applied["not_applied"]).is_empty());
    assert_eq!(applied["created"].as_object().unwrap().len(), 13);
    let requests = emu.take_requests();
    let writes = requests.iter().filter(|r| !r.starts_with("GET ")).count();
    assert_eq!(writes, 15, "{requests:?}");
    assert_eq!(applied["requests"], requests.len(), "{requests:?}");
    assert_eq!(requests.len(), 2 + 15 + 2, "{requests:?}");
    let tree = emu.tree();
    assert!(tree.find("Monitoring Systems/Alert Manager").is_some());
    assert_eq!(tree.roots().len(), 3);
    emu.take_requests();

    // Again: the read floor, two GETs, exit 0, nothing written.
    let o = emu.page(&["apply", "--json", file]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    let again = json_of(&o);
    assert_eq!(again["changed"], false);
    assert!(strings(&again["written"]).is_empty());
    assert_eq!(again["plan"], serde_json::json!(["no changes"]));
    assert_eq!(
        emu.take_requests(),
        [
            "GET /v2/pages".to_owned(),
            format!("GET /v1/{}/components", emu.page)
        ]
    );

    // And plan agrees, in text form too.
    let o = emu.page(&["plan", file]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    assert!(
        text(&o).0.contains("the page is as declared"),
        "{:?}",
        text(&o)
    );
}

#[test]
fn a_bad_file_exits_1_naming_the_field_before_any_request() {
    let emu = Emu::start("bad-file", &[]);
    let dir = temp_dir("bad-file-decl");
    let cases = [
        (
            "components:\n  - name: A\n    colour: red\n",
            "components[0].colour: unknown field `colour`",
        ),
        (
            "settings: {brand_color: blue}\n",
            "settings.brand_color: \"blue\" is not a colour; allowed: #rgb",
        ),
        (
            "components:\n  - name: G\n    components:\n      - {name: A, status: broken}\n",
            "components[0].components[0].status: 'broken' is not a valid component status; allowed values: operational",
        ),
        ("prune: sometimes\n", "prune: invalid type: string \"sometimes\", expected a boolean"),
        ("settings: {colour: red}\n", "settings.colour: unknown setting; allowed:"),
        ("pages: []\n", "pages: unknown field `pages`, expected one of `settings`, `components`, `scope`, `prune`, `dedupe`"),
        ("- name: A\n", "(top level): the declaration must be a mapping"),
        (
            "components: [{name: A}]\ncomponents: [{name: B}]\n",
            "the key \"components\" is given twice",
        ),
        (
            "settings: {sms_credentials: {twilio_token: tok-123456}}\n",
            "settings.sms_credentials: not taken from a declaration file",
        ),
        (
            "scope: [Ethereum]\ncomponents: [{name: Monitoring}]\n",
            "components[0].name: \"Monitoring\" is outside the declaration's scope",
        ),
    ];
    for (i, (yaml, expected)) in cases.iter().enumerate() {
        let file = write(&dir, &format!("bad-{i}.yaml"), yaml);
        for mode in ["plan", "apply"] {
            let o = emu.page(&[mode, file.to_str().unwrap()]);
            let (out, err) = text(&o);
            assert_eq!(o.status.code(), Some(1), "{yaml}: {out}{err}");
            assert!(
                err.contains(expected),
                "{yaml}: expected {expected:?} in:\n{err}"
            );
            assert!(!err.contains("tok-123456") && !out.contains("tok-123456"));
        }
    }
    // JSON form: the error is in the object, with nothing written.
    let file = write(&dir, "bad.yaml", "settings: {brand_color: blue}\n");
    let o = emu.page(&["apply", "--json", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let v = json_of(&o);
    assert!(v["error"]
        .as_str()
        .unwrap()
        .starts_with("settings.brand_color"));
    assert_eq!(v["changed"], false);
    assert!(strings(&v["written"]).is_empty());
    // A missing file names the argument.
    let o = emu.page(&["plan", "/nonexistent/page.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("FILE"), "{:?}", text(&o));
    assert!(emu.take_requests().is_empty(), "a bad file sent requests");
}

#[test]
fn a_missing_or_wrong_key_is_an_error_that_never_shows_the_key() {
    let emu = Emu::start("key", &[]);
    let file = ephemery_page();
    let o = emu.page_with_key(&["plan", file.to_str().unwrap()], "");
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("INSTATUS_API_KEY"), "{:?}", text(&o));
    assert!(emu.take_requests().is_empty());
    // A wrong key: refused by the API, and the key is in neither output (page_with_key checks).
    let o = emu.page_with_key(
        &["apply", "--json", file.to_str().unwrap()],
        "wrong-key-0123456789abcdef",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(json_of(&o)["error"].as_str().unwrap().contains("401"));
}

#[test]
fn an_apply_that_fails_part_way_reports_exactly_what_was_written() {
    let emu = Emu::start("part-way", &[]);
    let client = emu.client();
    let group = client
        .send(api::components::create(
            &emu.page,
            &CreateComponentRequest::new("G"),
        ))
        .unwrap();
    client
        .send(api::components::create(
            &emu.page,
            &CreateComponentRequest::new("A").in_group(group.id.clone()),
        ))
        .unwrap();
    emu.take_requests();
    // Creates are refused; the update of A comes first and lands.
    emu.emu.add_fault(FaultRule::new(
        "POST",
        "/v1/*/components",
        FaultAction::Status(400),
    ));
    let dir = temp_dir("part-way-decl");
    let file = write(
        &dir,
        "page.yaml",
        "components:\n  - name: G\n    components:\n      - {name: A, description: first}\n      - {name: B}\n",
    );
    let o = emu.page(&["apply", "--json", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{:?}", text(&o));
    let v = json_of(&o);
    assert_eq!(strings(&v["written"]), ["~ G/A"]);
    assert_eq!(v["failed_change"], "+ G/B");
    assert_eq!(v["changed"], true);
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("1 of 2 changes applied before it: ~ G/A"),
        "{v}"
    );
    assert_eq!(
        emu.tree()
            .find("G/A")
            .and_then(|c| c.description.as_ref().map(|d| d.as_str().to_owned())),
        Some("first".to_owned())
    );
    // The text form says it too.
    emu.emu.clear_faults();
    emu.emu.add_fault(FaultRule::new(
        "POST",
        "/v1/*/components",
        FaultAction::Status(400),
    ));
    let file = write(
        &dir,
        "page2.yaml",
        "components:\n  - name: G\n    components:\n      - {name: A, description: second}\n      - {name: B}\n",
    );
    let o = emu.page(&["apply", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let (out, err) = text(&o);
    assert!(out.contains("written before the error: ~ G/A"), "{out}");
    assert!(err.contains("+ G/B"), "{err}");
}

#[test]
fn a_setting_the_api_accepts_without_applying_is_reported_then_not_sent_again() {
    // A lenient Instatus: 200 for the custom domain, which it does not apply.
    let emu = Emu::start("lenient", &["customDomain"]);
    let file = ephemery_page();
    let file = file.to_str().unwrap();
    let o = emu.page(&["apply", "--json", file]);
    assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
    let v = json_of(&o);
    assert_eq!(strings(&v["not_applied"]), ["custom_domain"]);
    assert!(!strings(&v["applied"]).contains(&"page: custom_domain".to_owned()));
    emu.take_requests();

    // Again: the domain is known to be ignored, so nothing is sent and it is still reported.
    let o = emu.page(&["apply", "--json", file]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    let v = json_of(&o);
    assert_eq!(strings(&v["not_applied"]), ["custom_domain"]);
    assert_eq!(v["changed"], false);
    assert_eq!(emu.take_requests().len(), 2);
    let o = emu.page(&["apply", file]);
    assert!(
        text(&o)
            .0
            .contains("not applied (the page does not show it): custom_domain"),
        "{:?}",
        text(&o)
    );
}
