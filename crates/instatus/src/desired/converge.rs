//! The declare flow in one call, for every front end (the `page_spec` module, `instatus-bridge
//! page plan|apply`): plan the declaration against the page as read, leave out the writes the API
//! is known to ignore, and, when applying, apply, read the page back and verify it, so the result
//! says what the page now shows rather than what was sent.

use jiff::Timestamp;

use super::apply::{apply, Applied, ApplyError};
use super::cache::IgnoredWrites;
use super::plan::{plan, Current, Duplicate, Plan, PlanOptions};
use super::spec::{InvalidSpec, PageSpec};
use super::verify::{verify, Verified};
use crate::lookup::LookupError;
use crate::Client;

/// How far [`converge`] goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Plan only: no write is sent (check mode).
    Plan,
    /// Plan, apply, read back and verify.
    Apply,
}

/// What a [`converge`] found and did.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Converged {
    /// The plan against the page as read, without the [`skipped`](Self::skipped) settings.
    pub plan: Plan,
    /// Settings left out of the plan because the API accepted this very value without applying
    /// it when it was last sent, with when that was seen: not applied, and not sent again.
    pub skipped: Vec<(String, Option<Timestamp>)>,
    /// What applying sent; `None` in plan mode or when the plan was empty.
    pub applied: Option<Applied>,
    /// The read-back after applying; `None` when nothing was applied.
    pub verified: Option<Verified>,
}

impl Converged {
    /// Whether the page differs (plan mode) or changed (apply mode: some change of the plan is
    /// on the page read back).
    pub fn changed(&self) -> bool {
        match &self.verified {
            Some(v) => v.changed(),
            None => self.applied.is_none() && !self.plan.is_empty(),
        }
    }

    /// What the page does not show although it was declared: the settings the API refused, the
    /// changes it accepted without applying, and the settings not sent again (see
    /// [`skipped`](Self::skipped)), each once.
    pub fn not_applied(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .verified
            .as_ref()
            .map(|v| v.not_applied.clone())
            .unwrap_or_default();
        let refused = self.applied.iter().flat_map(|a| &a.refused);
        let skipped = self.skipped.iter().map(|(s, _)| s);
        for setting in refused.map(|(s, _)| s).chain(skipped) {
            if !out.contains(setting) {
                out.push(setting.clone());
            }
        }
        out
    }

    /// Components on the page more than once: as read back after applying, else as planned.
    pub fn duplicates(&self) -> &[Duplicate] {
        match &self.verified {
            Some(v) => &v.duplicates,
            None => &self.plan.duplicates,
        }
    }
}

/// A converge that failed; the variants after [`Invalid`](Self::Invalid) come after writes and
/// carry what was written.
#[derive(Debug, thiserror::Error)]
pub enum ConvergeError {
    /// The declaration cannot be planned against this page; nothing was sent.
    #[error(transparent)]
    Invalid(InvalidSpec),
    /// Applying stopped part-way: [`ApplyError::done`] lists what was applied.
    #[error(transparent)]
    Apply(ApplyError),
    /// Every write was sent but the page could not be read back to verify them.
    #[error("the changes were sent but the page could not be read back to verify them: {source}")]
    ReadBack {
        /// What applying sent.
        applied: Box<Applied>,
        /// Why the read failed.
        #[source]
        source: LookupError,
    },
    /// Every write was sent but the page read back could not be planned against.
    #[error("the changes were sent but the page read back could not be compared with the declaration: {source}")]
    Verify {
        /// What applying sent.
        applied: Box<Applied>,
        /// Why.
        #[source]
        source: InvalidSpec,
    },
}

impl ConvergeError {
    /// The writes the API accepted before the failure (labels as [`Applied::done`]).
    pub fn written(&self) -> &[String] {
        match self {
            Self::Invalid(_) => &[],
            Self::Apply(e) => &e.done,
            Self::ReadBack { applied, .. } | Self::Verify { applied, .. } => &applied.done,
        }
    }
}

/// Makes the page `current` (as [`super::read`] returns it) what `spec` declares, as far as
/// `mode` says. Settings that `cache` records as ignored by the API are left out; after applying,
/// the page is read back (the page and component lists again), verified against `spec`, and what
/// the read-back showed is recorded in `cache`.
pub fn converge(
    client: &Client,
    spec: &PageSpec,
    current: &Current,
    options: PlanOptions,
    mode: Mode,
    cache: &mut IgnoredWrites,
    now: Timestamp,
) -> Result<Converged, ConvergeError> {
    let page = &current.page;
    let mut plan = plan(spec, current, options).map_err(ConvergeError::Invalid)?;
    let known = cache.known(now);
    let skipped = plan
        .skip_known_ignored(page, &known)
        .into_iter()
        .map(|field| {
            let seen = known.iter().find(|k| k.setting == field).map(|k| k.seen);
            (field, seen)
        })
        .collect();
    let mut out = Converged {
        plan,
        skipped,
        applied: None,
        verified: None,
    };
    if mode == Mode::Plan || out.plan.is_empty() {
        return Ok(out);
    }
    let applied = apply(client, &page.id, &out.plan).map_err(ConvergeError::Apply)?;
    let after = match super::read(client, page.id.as_str()) {
        Ok(after) => after,
        Err(source) => {
            return Err(ConvergeError::ReadBack {
                applied: Box::new(applied),
                source,
            })
        }
    };
    let verified = match verify(spec, options, &out.plan, &after) {
        Ok(v) => v,
        Err(source) => {
            return Err(ConvergeError::Verify {
                applied: Box::new(applied),
                source,
            })
        }
    };
    let seen = out.plan.ignored_writes(page, &verified, &after.page, now);
    let applied_settings: Vec<String> = verified
        .applied
        .iter()
        .filter_map(|l| l.strip_prefix("page: ").map(str::to_owned))
        .collect();
    cache.update(page.id.as_str(), seen, &applied_settings, now);
    out.applied = Some(applied);
    out.verified = Some(verified);
    Ok(out)
}
