//! The incident texts the engine posts: the project's message catalog
//! ([`crate::templates::MessageCatalog`], one incident type per level), with the parts the
//! configuration's `incidents.templates` changes laid over every type; and the ending every
//! message carries: the "Affected components" line ([`crate::affected`]), then the marker.

use super::config::{err, ConfigError, IncidentPolicy};
use super::plan::Affected;
use crate::affected;
use crate::templates::{builtin_sets, MessageCatalog, MessageSet, MessageVars, Notice, Stage};

/// The catalog the engine renders with: the built-in sets, and every part the configuration
/// changed (differs from [`super::Templates::default`]) set for every type, so a configured text
/// wins whatever the level.
pub(super) fn catalog(policy: &IncidentPolicy) -> Result<MessageCatalog, ConfigError> {
    let changed = MessageSet::from(&policy.templates);
    let sets = builtin_sets()
        .into_keys()
        .map(|kind| (kind, changed.clone()))
        .collect();
    MessageCatalog::new(sets).map_err(|e| {
        let part = e.at.rsplit('.').next().unwrap_or_default();
        err(format!("incidents.templates.{part}"), e.error.to_string())
    })
}

/// Renders the title and message of `stage`. Templates were checked when the engine was built;
/// a failure here (an annotation that breaks a filter, the fuel limit) must not stop the write:
/// the text says what happened.
pub(super) fn render(catalog: &MessageCatalog, stage: Stage, vars: &MessageVars) -> Notice {
    let kind = vars.incident_type();
    catalog.render(kind, stage, vars).unwrap_or_else(|e| {
        let name = vars.path.rsplit(crate::model::PATH_SEPARATOR).next();
        let name = name.unwrap_or(&vars.path);
        Notice {
            title: format!("{name}: {}", vars.level.words()),
            message: format!(
                "{name}: {} (the message template failed: {e}).",
                vars.level.words()
            ),
        }
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
