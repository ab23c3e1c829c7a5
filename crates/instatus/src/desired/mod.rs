//! Declarative page management: describe the page you want, get the fewest writes that make
//! Instatus agree, apply them.
//!
//! 1. [`PageSpec`]: settings plus the component tree, as users declare it.
//! 2. [`read`]: the current page and its components, in few requests (the page list, then
//!    `ceil(N/100)` component pages).
//! 3. [`plan`](plan::plan): a pure function from (spec, current) to a [`Plan`]: create parents
//!    before children, re-parent, reorder, update fields, delete only with `prune`. Components are
//!    found by name path, an explicit `previous_names` renames, and live status is never touched
//!    unless the spec sets it. Planning the same spec against its own result gives an empty plan.
//! 4. [`apply`](apply::apply): one write per change, stopping at the first failure with an exact
//!    account of what was done.
//! 5. [`verify`]: plan again against the page read back after applying: a change the API
//!    accepted but did not apply is still planned, and is reported instead of claimed. Such a
//!    setting sent alone (the custom domain) is an [`IgnoredWrite`]: kept by the caller, it is
//!    left out of the next plans ([`Plan::skip_known_ignored`]) until its value or the page's
//!    changes, so a no-op run sends no write; [`cache`] keeps them in a small file.
//! 6. [`converge`](converge::converge): steps 3 to 5 in one call (plan only, or apply and
//!    verify), what the `page_spec` module and `instatus-bridge page plan|apply` both run.
//!
//! ```
//! use instatus::desired::{plan, Current, PageSpec, PlanOptions};
//! # let page: instatus::model::StatusPage = serde_json::from_value(serde_json::json!({"id": "ckpage"})).unwrap();
//! let spec: PageSpec = serde_json::from_value(serde_json::json!({
//!     "settings": {"brand_color": "#111827"},
//!     "components": [
//!         {"name": "Ethereum Services", "components": [
//!             {"name": "Execution Client", "description": "geth"},
//!             {"name": "Consensus Client"}
//!         ]}
//!     ]
//! }))?;
//! let current = Current { page, components: vec![] };
//! let plan = plan::plan(&spec, &current, PlanOptions::default()).unwrap();
//! assert_eq!(plan.write_count(), 4); // settings + group + 2 children
//! print!("{}", plan.render());
//! # Ok::<(), serde_json::Error>(())
//! ```

pub mod apply;
pub mod cache;
pub mod converge;
mod ignored;
pub mod plan;
mod render;
mod settings;
mod spec;
mod verify;

pub use apply::{apply, Applied, ApplyError};
pub use converge::{converge, ConvergeError, Converged, Mode};
pub use ignored::IgnoredWrite;
pub use plan::{
    component_fields, plan, ComponentChange, Current, Duplicate, FieldChange, Parent, Plan,
    PlanOptions,
};
pub use settings::PageChange;
pub use spec::{
    ComponentSpec, CredentialsUpdate, InvalidSpec, PageSettingsSpec, PageSpec, SmsCredentials,
    SpecError,
};
pub use verify::{verify, Verified};

use crate::lookup::{find_page, LookupError};
use crate::{api, Client};

/// Reads the page (found by id, subdomain or name) and its components: the page list, then
/// `ceil(N/100)` component pages.
pub fn read(client: &Client, page: &str) -> Result<Current, LookupError> {
    let page = find_page(client, page)?;
    let components = client.list_all(api::components::list(&page.id))?;
    Ok(Current { page, components })
}

#[cfg(test)]
mod tests;
