//! `ephemery.instatus.page`: the settings of one status page (name, domain, branding, HTML slots,
//! SMS), compared with what Instatus has and written when they differ: one request for the
//! settings the API's update request lists, one more for the custom domain, then read back.
//!
//! A setting the task leaves out is not managed. The page itself must exist (create it once in
//! the Instatus dashboard); the component tree is declared with `page_spec` or `component`.

use instatus::desired::{self, Current, PageSettingsSpec, PageSpec, PlanOptions};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::cache::IgnoredWrites;
use crate::common::{
    apply_failure, not_sent_again_warning, page_json, report_not_applied, spec_failure, Api,
    CommonOptions,
};
use crate::protocol::{AnsibleModule, Context, Diff, Failure, Outcome};

/// The module.
pub struct PageModule;

/// Options of `ephemery.instatus.page`: the connection options and every page setting.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct PageOptions {
    /// Connection options.
    #[serde(flatten)]
    pub common: CommonOptions,

    /// The settings.
    #[serde(flatten)]
    pub settings: PageSettingsSpec,
}

impl AnsibleModule for PageModule {
    const NAME: &'static str = "page";
    type Options = PageOptions;

    fn run(options: PageOptions, ctx: &mut Context) -> Result<Outcome, Failure> {
        Api::run(&options.common, ctx, |api, ctx| run(&options, api, ctx))
    }
}

/// The options as a page spec, checked before any request.
fn checked_spec(o: &PageOptions) -> Result<PageSpec, Failure> {
    let spec = PageSpec {
        settings: o.settings.clone(),
        ..PageSpec::default()
    };
    // The settings are options of this module: name them as the user wrote them.
    spec.validate().map_err(|mut e| {
        for problem in &mut e.0 {
            if let Some(option) = problem.path.strip_prefix("settings.") {
                problem.path = option.to_owned();
            }
        }
        spec_failure(e)
    })?;
    Ok(spec)
}

fn run(o: &PageOptions, api: &mut Api<'_>, ctx: &mut Context) -> Result<Outcome, Failure> {
    let spec = checked_spec(o)?;
    let page = api.page()?;
    let current = Current {
        page: page.clone(),
        components: Vec::new(),
    };
    let mut plan = desired::plan(&spec, &current, PlanOptions::default()).map_err(spec_failure)?;
    // A setting the API accepted without applying this very value last time is not sent again.
    let now = jiff::Timestamp::now();
    let mut cache = IgnoredWrites::open(&o.common.base_url);
    let known = cache.known(now);
    let skipped = plan.skip_known_ignored(&page, &known);
    for field in &skipped {
        let seen = known.iter().find(|k| &k.setting == field).map(|k| k.seen);
        ctx.warn(not_sent_again_warning(field, seen));
    }
    let (before, after) = plan.before_after(&spec, &current);
    let diff = Diff::text(before, after).headers("page settings (before)", "page settings (after)");
    if plan.is_empty() {
        let msg = if skipped.is_empty() {
            "page settings are as declared".to_owned()
        } else {
            format!(
                "page settings are as declared, except what the API does not apply: {}",
                skipped.join(", ")
            )
        };
        return Ok(Outcome::new(false, msg)
            .with("page", page_json(&page))
            .with("not_applied", json!(skipped))
            .with_diff(diff));
    }
    let fields: Vec<Value> = plan
        .settings
        .iter()
        .flat_map(|c| &c.fields)
        .map(|f| json!({"setting": f.field, "before": f.before, "after": f.after}))
        .collect();
    let names: Vec<&str> = plan
        .settings
        .iter()
        .flat_map(|c| &c.fields)
        .map(|f| f.field.as_str())
        .collect();
    if ctx.check_mode() {
        return Ok(
            Outcome::new(true, format!("would change {}", names.join(", ")))
                .with("page", page_json(&page))
                .with("not_applied", json!(skipped))
                .with("changes", Value::Array(fields))
                .with("writes", json!(plan.write_count()))
                .with_diff(diff),
        );
    }
    let client = api.client()?;
    let applied = desired::apply(client, &page.id, &plan).map_err(apply_failure)?;
    // Read back: a setting the API accepted but did not apply is reported, never claimed.
    let after = Current {
        page: instatus::lookup::find_page(client, page.id.as_str()).map_err(|e| {
            Failure::new(format!(
                "the settings were sent but the page could not be read back to verify them: {e}"
            ))
            .after_writes()
        })?,
        components: Vec::new(),
    };
    let verified =
        desired::verify(&spec, PlanOptions::default(), &plan, &after).map_err(spec_failure)?;
    let mut not_applied = report_not_applied(ctx, &applied.refused, &verified.not_applied);
    let seen = plan.ignored_writes(&page, &verified, &after.page, now);
    let applied_settings: Vec<String> = verified
        .applied
        .iter()
        .filter_map(|l| l.strip_prefix("page: ").map(str::to_owned))
        .collect();
    cache.update(page.id.as_str(), seen, &applied_settings, now);
    let done: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !not_applied.iter().any(|x| x == n))
        .collect();
    not_applied.extend(skipped.iter().cloned());
    let msg = if done.is_empty() {
        "nothing applied: the API did not apply the settings it was sent".to_owned()
    } else {
        format!("changed {}", done.join(", "))
    };
    Ok(Outcome::new(!done.is_empty(), msg)
        .with("page", page_json(&after.page))
        .with("changes", Value::Array(fields))
        .with("not_applied", json!(not_applied))
        .with("writes", json!(plan.write_count()))
        .with_diff(diff))
}
