//! `ephemery.instatus.page_spec`: the whole page in one task: settings and the component tree,
//! converged with the fewest requests (the page list, the component list, one write per
//! difference). Components are found by full name path (a same-named component in another group
//! is another component); `previous_names` renames and moves; live status is never touched unless
//! a component sets `status`; undeclared components are kept unless `prune`; with `scope`, nothing
//! outside the named top-level components is touched.

use instatus::desired::{
    self, ConvergeError, CredentialsUpdate, Mode, PageSpec, PlanOptions, SmsCredentials,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::cache::IgnoredWrites;
use crate::common::{
    apply_failure, not_sent_again_warning, page_json, report_not_applied, spec_failure, Api,
    CommonOptions,
};
use crate::protocol::{AnsibleModule, Context, Diff, Failure, Outcome};

/// The module.
pub struct PageSpecModule;

/// Options of `ephemery.instatus.page_spec`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct PageSpecOptions {
    /// Connection options.
    #[serde(flatten)]
    pub common: CommonOptions,

    /// Page settings, with the names of the `ephemery.instatus.page` options (`name`,
    /// `custom_domain`, `brand_color`, `css_global`, `html_below_header`, `sms_service`...). A
    /// setting left out is not managed.
    #[serde(default)]
    // `sms_credentials` is refused here, but masked like a secret should a task set it anyway.
    #[schemars(extend("properties" = {"sms_credentials": {"x-no-log": true}}))]
    pub settings: Map<String, Value>,

    /// The component tree in page order: each item has `name` and optionally `description`,
    /// `show_uptime`, `archived`, `status` (only to force a live status), `previous_names` (to
    /// rename) and `components` (children: the item is then a group; one level of nesting).
    #[serde(default)]
    pub components: Vec<Map<String, Value>>,

    /// The top-level components (usually one group per network) this task owns, on a page several
    /// declarations share. Set, the task never moves, reorders, lists or deletes (even with
    /// `prune`) a component outside them, and every declared top-level component must be one of
    /// them. Empty (the default): the task owns the whole page.
    #[serde(default)]
    pub scope: Vec<String>,

    /// Delete the components the spec does not declare (inside `scope`, when set). Without it they
    /// are kept and listed in `unmanaged`. Implies `dedupe`.
    #[serde(default)]
    pub prune: bool,

    /// Delete the newer copies of a declared component that is on the page more than once (left
    /// by parallel runs or a create that landed late); the oldest copy is kept. Without it the
    /// copies are kept, listed in `duplicates`, and a warning is shown.
    #[serde(default)]
    pub dedupe: bool,

    /// SMS provider credentials (write-only: sent when `settings.sms_service` changes, or always
    /// with `sms_credentials_update=always`). Keys: `twilio_sid`, `twilio_token`, `twilio_sender` (Twilio); `esendex_username`,
    /// `esendex_password`, `esendex_account_ref` (Esendex); `nexmo_key`, `nexmo_secret`,
    /// `nexmo_sender` (Vonage). Tokens, passwords, keys and secrets are masked everywhere.
    #[schemars(extend("x-no-log" = true))]
    pub sms_credentials: Option<SmsCredentials>,

    /// When to send `sms_credentials`.
    #[serde(default)]
    pub sms_credentials_update: CredentialsUpdate,
}

impl AnsibleModule for PageSpecModule {
    const NAME: &'static str = "page_spec";
    type Options = PageSpecOptions;

    fn run(options: PageSpecOptions, ctx: &mut Context) -> Result<Outcome, Failure> {
        Api::run(&options.common, ctx, |api, ctx| run(&options, api, ctx))
    }
}

fn spec_of(o: &PageSpecOptions) -> Result<PageSpec, Failure> {
    if o.settings.contains_key("sms_credentials") {
        return Err(Failure::new(
            "settings.sms_credentials: give the credentials in the sms_credentials option, which is kept out of logs",
        ));
    }
    let mut spec = PageSpec::from_json(json!({
        "settings": o.settings,
        "components": o.components,
        "scope": o.scope,
    }))
    .map_err(spec_failure)?;
    spec.settings.sms_credentials = o.sms_credentials.clone();
    spec.settings.sms_credentials_update = Some(o.sms_credentials_update);
    Ok(spec)
}

fn run(o: &PageSpecOptions, api: &mut Api<'_>, ctx: &mut Context) -> Result<Outcome, Failure> {
    let spec = spec_of(o)?;
    let page = api.page()?;
    let components = api.list_all(instatus::api::components::list(&page.id))?;
    let current = desired::Current {
        page: page.clone(),
        components,
    };
    let options = PlanOptions {
        prune: o.prune,
        dedupe: o.dedupe,
    };
    let mode = if ctx.check_mode() {
        Mode::Plan
    } else {
        Mode::Apply
    };
    let mut cache = IgnoredWrites::open(&o.common.base_url);
    let now = jiff::Timestamp::now();
    let client = api.client()?;
    let done = desired::converge(client, &spec, &current, options, mode, &mut cache, now)
        .map_err(converge_failure)?;
    let plan = &done.plan;
    for warning in &plan.warnings {
        ctx.warn(warning.clone());
    }
    // A setting the API accepted without applying this very value last time is not sent again.
    for (field, seen) in &done.skipped {
        ctx.warn(not_sent_again_warning(field, *seen));
    }
    let skipped: Vec<String> = done.skipped.iter().map(|(f, _)| f.clone()).collect();
    // The before/after texts are only worth building when Ansible will show them.
    let diff = ctx.invocation.diff_mode.then(|| {
        let (before, after) = plan.before_after(&spec, &current);
        Diff::text(before, after).headers("page (before)", "page (after)")
    });
    let lines: Vec<String> = plan.render().lines().map(str::to_owned).collect();
    let counts = count(plan);
    let summary = format!(
        "{} created, {} updated, {} deleted{}",
        counts.0,
        counts.1,
        counts.2,
        if plan.settings.is_empty() {
            ""
        } else {
            ", page settings changed"
        }
    );
    let mut outcome = match (&done.applied, &done.verified) {
        (Some(applied), Some(verified)) => {
            for recovered in &applied.recovered {
                ctx.warn(format!(
                    "{recovered}: the write's outcome was unclear; read back and found done"
                ));
            }
            // What the API accepted but did not apply is reported, never claimed.
            let mut not_applied = report_not_applied(ctx, &applied.refused, &verified.not_applied);
            not_applied.extend(skipped.iter().cloned());
            if !verified.duplicates.is_empty() {
                ctx.warn(format!(
                    "read back after applying, {} component(s) are on the page more than once (a \
                     create that landed late, or a parallel run): see duplicates; run again with \
                     dedupe to delete the copies",
                    verified.duplicates.len()
                ));
            }
            let msg = if verified.changed() {
                format!("applied: {summary}")
            } else {
                "nothing applied: the API did not apply the changes it was sent".to_owned()
            };
            Outcome::new(verified.changed(), msg)
                .with(
                    "created",
                    Value::Object(
                        applied
                            .created
                            .iter()
                            .map(|(path, id)| (path.clone(), json!(id.as_str())))
                            .collect(),
                    ),
                )
                .with("not_applied", json!(not_applied))
        }
        _ if plan.is_empty() => {
            let msg = if skipped.is_empty() {
                "the page is as declared".to_owned()
            } else {
                format!(
                    "the page is as declared, except what the API does not apply: {}",
                    skipped.join(", ")
                )
            };
            Outcome::new(false, msg).with("not_applied", json!(skipped))
        }
        _ => Outcome::new(true, format!("would apply: {summary}"))
            .with("not_applied", json!(skipped)),
    };
    outcome = outcome
        .with("page", page_json(&page))
        .with("plan", json!(lines))
        .with("writes", json!(plan.write_count()))
        .with("unmanaged", json!(plan.unmanaged))
        .with("duplicates", duplicates_json(done.duplicates()));
    if let Some(diff) = diff {
        outcome = outcome.with_diff(diff);
    }
    Ok(outcome)
}

/// A converge that failed: before any write (the declaration), part-way (what was applied), or
/// after every write (the read-back).
fn converge_failure(e: ConvergeError) -> Failure {
    match e {
        ConvergeError::Invalid(e) => spec_failure(e),
        ConvergeError::Apply(e) => apply_failure(e),
        e => Failure::new(e.to_string())
            .with("applied", json!(e.written()))
            .after_writes(),
    }
}

fn duplicates_json(duplicates: &[desired::Duplicate]) -> Value {
    json!(duplicates
        .iter()
        .map(|d| json!({
            "path": d.path,
            "kept": d.kept.as_str(),
            "copies": d.copies.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        }))
        .collect::<Vec<_>>())
}

/// (created, updated, deleted) components.
fn count(plan: &desired::Plan) -> (usize, usize, usize) {
    plan.components
        .iter()
        .fold((0, 0, 0), |(c, u, d), change| match change {
            desired::ComponentChange::Create { .. } => (c + 1, u, d),
            desired::ComponentChange::Update { .. } => (c, u + 1, d),
            _ => (c, u, d + 1),
        })
}
