//! Tests of running a module: catching panics, masking, the result and the failure.
use super::*;
use crate::protocol::{Diff, RequiredIf};
use serde::Deserialize;

/// A module that echoes its options, leaks its token into `msg` (to prove scrubbing), and
/// panics on request.
struct Probe;

#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct ProbeOptions {
    /// Required name.
    name: String,
    /// A secret.
    #[schemars(extend("x-no-log" = true, "x-env" = "PROBE_TOKEN"))]
    token: Option<String>,
    /// Count.
    #[serde(default = "seven")]
    count: i64,
    /// Flag.
    flag: Option<bool>,
    /// Tags.
    tags: Option<Vec<String>>,
    /// State.
    #[serde(default)]
    state: ProbeState,
    email: Option<String>,
    phone: Option<String>,
    /// Accounts, each with a secret at depth.
    accounts: Option<Vec<ProbeAccount>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct ProbeAccount {
    user: String,
    auth: Option<ProbeAuth>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct ProbeAuth {
    #[schemars(extend("x-no-log" = true))]
    password: String,
}

#[derive(Debug, Default, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum ProbeState {
    /// Here.
    #[default]
    Present,
    /// Gone.
    Absent,
}

fn seven() -> i64 {
    7
}

impl AnsibleModule for Probe {
    const NAME: &'static str = "probe";
    type Options = ProbeOptions;
    const RULES: Rules = Rules {
        mutually_exclusive: &[&["email", "phone"]],
        required_one_of: &[],
        required_if: &[RequiredIf {
            key: "state",
            value: "absent",
            requirements: &["email", "phone"],
            any: true,
        }],
    };
    fn run(o: ProbeOptions, ctx: &mut Context) -> Result<Outcome, Failure> {
        if o.name == "panic" {
            panic!("boom with {}", o.token.clone().unwrap_or_default());
        }
        if o.name == "diff" {
            let token = o.token.clone().unwrap_or_default();
            return Ok(Outcome::new(true, "diff").with_diff(Diff::new(
                json!({"webhook": "old"}),
                json!({"webhook": token}),
            )));
        }
        if o.name == "fail" {
            return Err(Failure::new(format!("refused token {:?}", o.token)));
        }
        ctx.warn(format!("token is {}", o.token.clone().unwrap_or_default()));
        Ok(Outcome::new(
            !ctx.check_mode(),
            format!(
                "name={} count={} flag={:?} tags={:?}",
                o.name, o.count, o.flag, o.tags
            ),
        )
        .with_diff(Diff::new(json!({"a": 1}), json!({"a": 2}))))
    }
}

const PROBE: ModuleDef = ModuleDef::of::<Probe>();

fn run(args: Value) -> ModuleResult {
    run_env(args, None)
}

fn run_env(args: Value, token_env: Option<&str>) -> ModuleResult {
    let token_env = token_env.map(str::to_owned);
    let raw = RawArgs::parse(&args.to_string()).unwrap();
    execute(&PROBE, raw, &move |k| {
        (k == "PROBE_TOKEN").then(|| token_env.clone()).flatten()
    })
}

fn msg(result: &ModuleResult) -> &str {
    result.json["msg"].as_str().unwrap()
}

#[test]
fn unknown_option_lists_the_supported_ones_like_ansible() {
    let r = run(json!({"_ansible_module_name": "ns.c.probe", "name": "x", "bogus": 1, "abc": 2}));
    assert!(r.failed);
    assert_eq!(
        msg(&r),
        "Unsupported parameters for (ns.c.probe) module: abc, bogus. Supported parameters include: accounts, count, email, flag, name, phone, state, tags, token."
    );
}

#[test]
fn required_choices_and_types_use_ansible_wording() {
    assert_eq!(msg(&run(json!({}))), "missing required arguments: name");
    assert_eq!(
        msg(&run(json!({"name": "x", "state": "gone"}))),
        "value of state must be one of: present, absent, got: gone"
    );
    let bad_bool = run(json!({"name": "x", "flag": "maybe"}));
    assert!(
        msg(&bad_bool).starts_with("argument 'flag' is of type str and we were unable to convert to bool: The value 'maybe' is not a valid boolean. Valid booleans include: 'y', 'yes'"),
        "{}",
        msg(&bad_bool)
    );
    assert_eq!(
        msg(&run(json!({"name": "x", "count": "many"}))),
        "argument 'count' is of type str and we were unable to convert to int: \"'many'\" cannot be converted to an int"
    );
    assert_eq!(
        msg(&run(json!({"name": "x", "email": "a", "phone": "b"}))),
        "parameters are mutually exclusive: email|phone"
    );
    assert_eq!(
        msg(&run(json!({"name": "x", "state": "absent"}))),
        "state is absent but any of the following are missing: email, phone"
    );
}

#[test]
fn values_are_converted_and_defaulted() {
    for (flag, expected) in [("yes", true), ("off", false), ("1", true), ("True", true)] {
        let r = run(json!({"name": "x", "flag": flag}));
        assert!(!r.failed, "{}", r.json);
        assert!(
            msg(&r).contains(&format!("flag=Some({expected})")),
            "{}",
            msg(&r)
        );
    }
    let r = run(json!({"name": 5, "count": "42", "tags": "a, b", "flag": 0}));
    assert_eq!(
        msg(&r),
        "name=5 count=42 flag=Some(false) tags=Some([\"a\", \"b\"])"
    );
    let r = run(json!({"name": "x", "count": null}));
    assert_eq!(r.json["invocation"]["module_args"]["count"], 7);
    assert_eq!(r.json["invocation"]["module_args"]["state"], "present");
}

#[test]
fn secrets_are_masked_in_invocation_and_scrubbed_everywhere() {
    let token = "s3cr3t-token-value";
    let r = run(json!({"name": "x", "token": token}));
    assert_eq!(
        r.json["invocation"]["module_args"]["token"],
        NO_LOG_PLACEHOLDER
    );
    assert_eq!(r.json["warnings"][0], "token is ********");
    assert!(!r.json.to_string().contains(token));
    // From the environment, and in a failure.
    let r = run_env(json!({"name": "fail"}), Some(token));
    assert!(r.failed);
    assert_eq!(msg(&r), "refused token Some(\"********\")");
    assert_eq!(
        r.json["invocation"]["module_args"]["token"],
        NO_LOG_PLACEHOLDER
    );
    // In a validation error.
    let r = run(json!({"name": "x", "token": token, "count": token}));
    assert!(!r.json.to_string().contains(token), "{}", r.json);
}

#[test]
fn a_panic_becomes_a_failed_result() {
    silence_panics();
    let r = run(
        json!({"_ansible_module_name": "ns.c.probe", "name": "panic", "token": "hidden-value"}),
    );
    let _ = panic::take_hook();
    assert!(r.failed);
    assert_eq!(
        msg(&r),
        "the module ns.c.probe crashed (this is a bug, please report it): boom with ********"
    );
}

#[test]
fn check_and_diff_modes_reach_the_module() {
    let r = run(json!({"name": "x", "_ansible_check_mode": true}));
    assert_eq!(r.json["changed"], false);
    assert!(r.json.get("diff").is_none(), "diff only in diff mode");
    let r = run(json!({"name": "x", "_ansible_diff": true}));
    assert_eq!(r.json["changed"], true);
    assert_eq!(r.json["diff"]["before"], "a: 1\n");
    assert_eq!(r.json["diff"]["after"], "a: 2\n");
}

#[test]
fn a_webhook_url_with_a_quote_backslash_or_control_character_never_shows_in_diff() {
    let webhook = "https://hooks.example/x\"y\\z\u{7}w/t0k3n-abcdef";
    let r = run(json!({"name": "diff", "token": webhook, "_ansible_diff": true}));
    let after = r.json["diff"]["after"].as_str().unwrap();
    assert_eq!(after, "webhook: \"********\"\n");
    let text = r.json.to_string();
    assert!(!text.contains("t0k3n-abcdef"), "{text}");
}

#[test]
fn a_secret_at_any_depth_of_an_option_schema_is_masked_in_invocation_and_everywhere() {
    let accounts = json!([{"user": "ops", "auth": {"password": "pa55word-deep"}}]);
    let spec = ArgSpec::of::<ProbeOptions>();
    let parts = &spec.get("accounts").unwrap().secret_parts;
    assert_eq!(
        parts,
        &[vec![
            Step::AnyItem,
            Step::Key("auth".into()),
            Step::Key("password".into())
        ]]
    );
    // On success, and when validation fails on another option.
    for args in [
        json!({"name": "pa55word-deep", "accounts": accounts}),
        json!({"name": "x", "accounts": accounts, "count": "many"}),
    ] {
        let r = run(args);
        let shown = &r.json["invocation"]["module_args"]["accounts"][0];
        assert_eq!(shown["auth"]["password"], NO_LOG_PLACEHOLDER, "{}", r.json);
        assert_eq!(shown["user"], "ops");
        assert!(!r.json.to_string().contains("pa55word-deep"), "{}", r.json);
    }
}

#[test]
fn no_log_task_hides_every_value() {
    let r = run(json!({"name": "x", "_ansible_no_log": true}));
    assert_eq!(
        r.json["invocation"]["module_args"]["name"],
        NO_LOG_PLACEHOLDER
    );
}
