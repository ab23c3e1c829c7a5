//! The incident texts the engine posts: the project's template catalog ([`crate::templates`]),
//! one incident type per level (`degraded_performance`, `partial_outage`, `major_outage`), with
//! the stages the configuration's `incidents.templates` changes laid over every type; and the
//! ending every message carries: the "Affected components" line ([`crate::affected`]), then the
//! marker.

use super::config::{err, ConfigError, IncidentPolicy, Templates};
use super::plan::{Affected, IncidentStep};
use super::Level;
use crate::affected;
use crate::templates::{builtin_sets, Catalog, MessageVars, Stage, TemplateSet};

/// The catalog the engine renders with: the built-in sets, and every stage the configuration
/// changed (differs from [`Templates::default`]) set for every type, so a configured text wins
/// whatever the level.
pub(super) fn catalog(policy: &IncidentPolicy) -> Result<Catalog, ConfigError> {
    let mine = TemplateSet::from(&policy.templates);
    let defaults = TemplateSet::from(&Templates::default());
    let mut changed = TemplateSet::default();
    for &stage in Stage::ALL {
        if let Some(source) = mine.get(stage).filter(|s| Some(*s) != defaults.get(stage)) {
            changed = changed.with(stage, source);
        }
    }
    let sets = builtin_sets()
        .into_keys()
        .map(|kind| (kind, changed.clone()))
        .collect();
    Catalog::new(sets).map_err(|e| {
        let stage = e.at.rsplit('.').next().unwrap_or_default();
        err(format!("incidents.templates.{stage}"), e.message)
    })
}

/// The incident type of a level: its texts say what users see.
pub(super) fn incident_type(level: Level) -> &'static str {
    match level {
        Level::Operational => crate::templates::DEFAULT_TYPE,
        Level::Degraded => "degraded_performance",
        Level::PartialOutage => "partial_outage",
        Level::MajorOutage => "major_outage",
    }
}

/// The message stage of a lifecycle step.
pub(super) fn stage(step: IncidentStep) -> Stage {
    match step {
        IncidentStep::LevelChanged => Stage::Updated,
        IncidentStep::Monitoring => Stage::Monitoring,
        IncidentStep::Relapsed | IncidentStep::Reopened => Stage::Reopened,
        IncidentStep::Resolved => Stage::Resolved,
    }
}

/// Renders one text. Templates were test-rendered when the engine was built; a failure here (an
/// annotation that breaks a filter, say) must not stop the write: the text says what happened.
pub(super) fn render(catalog: &Catalog, kind: &str, stage: Stage, vars: &MessageVars) -> String {
    catalog.render(kind, stage, vars).unwrap_or_else(|e| {
        format!(
            "{} is at {} (message template `{kind}.{}` failed: {e})",
            vars.name,
            vars.level,
            stage.key()
        )
    })
}

/// A message as posted: the text, then the "Affected components" line (the cause first, then
/// the components whose status automation gives), then the marker.
pub(super) fn message(text: &str, components: &[Affected], marker: &str) -> String {
    let line = affected::render(
        &components
            .iter()
            .enumerate()
            .filter(|(k, a)| *k == 0 || !a.owned)
            .map(|(_, a)| (a.name.as_str(), a.status.clone()))
            .collect::<Vec<_>>(),
    );
    format!("{}\n\n{line}\n\n{marker}", text.trim_end())
}
