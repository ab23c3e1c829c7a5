//! Read-back verification: after applying, plan again against what Instatus returns. Whatever is
//! still planned was accepted (or answered ambiguously) but not applied, and is reported, never
//! claimed as done.

use super::plan::{plan, Current, Duplicate, Plan, PlanOptions};
use super::spec::{InvalidSpec, PageSpec};

/// What the read-back showed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verified {
    /// Changes of the applied plan that the page now shows, as [`Plan::change_labels`].
    pub applied: Vec<String>,
    /// Changes of the applied plan that the page does not show: page settings by their declared
    /// name (`custom_domain`), component changes by label (`~ Group/Name: parent`).
    pub not_applied: Vec<String>,
    /// Components now on the page more than once (a create that landed late, a parallel run).
    pub duplicates: Vec<Duplicate>,
}

impl Verified {
    /// Whether the page changed: some change of the plan is now on the page.
    pub fn changed(&self) -> bool {
        !self.applied.is_empty()
    }
}

/// Compares the page read back after applying `applied` with `spec`.
pub fn verify(
    spec: &PageSpec,
    options: PlanOptions,
    applied: &Plan,
    after: &Current,
) -> Result<Verified, InvalidSpec> {
    let again = plan(spec, after, options)?;
    let pending = again.change_labels();
    let mut out = Verified {
        duplicates: again.duplicates,
        ..Verified::default()
    };
    for label in applied.change_labels() {
        if pending.contains(&label) {
            let shown = label
                .strip_prefix("page: ")
                .map_or(label.clone(), str::to_owned);
            out.not_applied.push(shown);
        } else {
            out.applied.push(label);
        }
    }
    Ok(out)
}
