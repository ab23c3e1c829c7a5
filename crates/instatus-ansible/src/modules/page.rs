//! `ephemery.instatus.page`: the settings of one status page (name, domain, branding, HTML slots,
//! SMS), compared with what Instatus has and written in one request when they differ.
//!
//! A setting the task leaves out is not managed. The page itself must exist (create it once in
//! the Instatus dashboard); the component tree is declared with `page_spec` or `component`.

use instatus::desired::{self, Current, PageSettingsSpec, PageSpec, PlanOptions};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::common::{page_json, spec_failure, Api, CommonOptions};
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

fn run(o: &PageOptions, api: &mut Api<'_>, ctx: &mut Context) -> Result<Outcome, Failure> {
    let spec = PageSpec {
        settings: o.settings.clone(),
        components: Vec::new(),
    };
    spec.validate().map_err(spec_failure)?;
    let page = api.page()?;
    let current = Current {
        page: page.clone(),
        components: Vec::new(),
    };
    let plan = desired::plan(&spec, &current, PlanOptions::default()).map_err(spec_failure)?;
    let (before, after) = plan.before_after(&spec, &current);
    let diff = Diff::text(before, after).headers("page settings (before)", "page settings (after)");
    let Some(change) = &plan.page else {
        return Ok(Outcome::new(false, "page settings are as declared")
            .with("page", page_json(&page))
            .with_diff(diff));
    };
    let fields: Vec<Value> = change
        .fields
        .iter()
        .map(|f| json!({"setting": f.field, "before": f.before, "after": f.after}))
        .collect();
    let names: Vec<&str> = change.fields.iter().map(|f| f.field.as_str()).collect();
    let msg = if ctx.check_mode() {
        format!("would change {}", names.join(", "))
    } else {
        api.send(instatus::api::pages::update_fields(&page.id, &change.body))?;
        format!("changed {}", names.join(", "))
    };
    Ok(Outcome::new(true, msg)
        .with("page", page_json(&page))
        .with("changes", Value::Array(fields))
        .with_diff(diff))
}
