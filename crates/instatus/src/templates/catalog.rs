//! The message catalog: a title and a message per stage for each incident type, compiled
//! once, rendered into [`Notice`]s.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::environment::{classify, environment, render, RenderError, TemplateError};
use super::vars::{MessageVars, VARIABLES};
use crate::status::IncidentStep;

/// The name of the type every other type falls back to.
pub const DEFAULT_TYPE: &str = "default";

/// The moment of a notice's life a message is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Stage {
    /// The first message of an incident.
    Opened,
    /// The level changed while open (worse: `escalated`; better: `deescalated`).
    Updated,
    /// Recovered, being watched.
    Monitoring,
    /// Resolved.
    Resolved,
    /// Reopened by a relapse (during monitoring, or soon after the resolve).
    Reopened,
    /// A maintenance announced in advance.
    Scheduled,
    /// A maintenance begins.
    Started,
    /// A maintenance ended as planned.
    Completed,
    /// A maintenance runs longer than planned (`end` is the new end).
    Extended,
}

impl Stage {
    /// Every stage, incident stages first.
    pub const ALL: &'static [Stage] = &[
        Stage::Opened,
        Stage::Updated,
        Stage::Monitoring,
        Stage::Resolved,
        Stage::Reopened,
        Stage::Scheduled,
        Stage::Started,
        Stage::Completed,
        Stage::Extended,
    ];

    /// The stage's name in configurations and in the `stage` variable (`opened`).
    pub fn key(self) -> &'static str {
        match self {
            Stage::Opened => "opened",
            Stage::Updated => "updated",
            Stage::Monitoring => "monitoring",
            Stage::Resolved => "resolved",
            Stage::Reopened => "reopened",
            Stage::Scheduled => "scheduled",
            Stage::Started => "started",
            Stage::Completed => "completed",
            Stage::Extended => "extended",
        }
    }

    /// Whether this is a maintenance's stage.
    pub fn is_maintenance(self) -> bool {
        matches!(
            self,
            Stage::Scheduled | Stage::Started | Stage::Completed | Stage::Extended
        )
    }

    /// The stage of an incident update the status engine plans.
    pub fn of_step(step: IncidentStep) -> Stage {
        match step {
            IncidentStep::LevelChanged => Stage::Updated,
            IncidentStep::Monitoring => Stage::Monitoring,
            IncidentStep::Relapsed | IncidentStep::Reopened => Stage::Reopened,
            IncidentStep::Resolved => Stage::Resolved,
        }
    }

    /// Parses a stage name; the error names the allowed ones.
    pub fn parse(value: &str) -> Result<Stage, UnknownStage> {
        Stage::ALL
            .iter()
            .copied()
            .find(|s| s.key() == value)
            .ok_or_else(|| UnknownStage(value.to_owned()))
    }
}

/// A stage name that is not one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a stage; allowed: opened, updated, monitoring, resolved, reopened, scheduled, started, completed, extended")]
pub struct UnknownStage(pub String);

/// The message templates of one incident type: a title (it sees `stage`, so it can follow the
/// incident: "is down", "has recovered", "was down") and a message per stage. What a set
/// leaves out comes from the `default` type. Deserialises from `{title: ..., opened: ...}`
/// (unknown keys are refused).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageSet {
    /// The incident's or maintenance's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The first incident message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened: Option<String>,
    /// A level change while open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// Recovered, being watched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitoring: Option<String>,
    /// Resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<String>,
    /// Reopened by a relapse.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reopened: Option<String>,
    /// A maintenance announced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled: Option<String>,
    /// A maintenance begins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<String>,
    /// A maintenance ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed: Option<String>,
    /// A maintenance runs over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extended: Option<String>,
}

impl MessageSet {
    /// The message template of `stage`, when the set has one.
    pub fn message(&self, stage: Stage) -> Option<&str> {
        match stage {
            Stage::Opened => self.opened.as_deref(),
            Stage::Updated => self.updated.as_deref(),
            Stage::Monitoring => self.monitoring.as_deref(),
            Stage::Resolved => self.resolved.as_deref(),
            Stage::Reopened => self.reopened.as_deref(),
            Stage::Scheduled => self.scheduled.as_deref(),
            Stage::Started => self.started.as_deref(),
            Stage::Completed => self.completed.as_deref(),
            Stage::Extended => self.extended.as_deref(),
        }
    }

    /// Sets the title template.
    pub fn with_title(mut self, source: impl Into<String>) -> Self {
        self.title = Some(source.into());
        self
    }

    /// Sets the message template of `stage`.
    pub fn with(mut self, stage: Stage, source: impl Into<String>) -> Self {
        let slot = match stage {
            Stage::Opened => &mut self.opened,
            Stage::Updated => &mut self.updated,
            Stage::Monitoring => &mut self.monitoring,
            Stage::Resolved => &mut self.resolved,
            Stage::Reopened => &mut self.reopened,
            Stage::Scheduled => &mut self.scheduled,
            Stage::Started => &mut self.started,
            Stage::Completed => &mut self.completed,
            Stage::Extended => &mut self.extended,
        };
        *slot = Some(source.into());
        self
    }

    /// The set with `over`'s templates in place of these, where `over` has one.
    pub fn overlaid(self, over: &MessageSet) -> MessageSet {
        let mut out = self;
        if let Some(title) = &over.title {
            out.title = Some(title.clone());
        }
        for &stage in Stage::ALL {
            if let Some(source) = over.message(stage) {
                out = out.with(stage, source);
            }
        }
        out
    }

    /// The templates, title first, with their part's name (`title`, `opened`...).
    pub fn parts(&self) -> impl Iterator<Item = (&'static str, &str)> {
        std::iter::once(("title", self.title.as_deref()))
            .chain(Stage::ALL.iter().map(|&s| (s.key(), self.message(s))))
            .filter_map(|(part, source)| source.map(|s| (part, s)))
    }
}

impl From<&crate::status::Templates> for MessageSet {
    /// The status engine's configured incident texts as a set. A text still equal to the
    /// engine's own default is left out, so the catalog's texts apply: only what a
    /// configuration changed overrides them.
    fn from(t: &crate::status::Templates) -> Self {
        let engine = crate::status::Templates::default();
        let mut set = MessageSet::default();
        if t.title != engine.title {
            set.title = Some(t.title.clone());
        }
        for (stage, text, default) in [
            (Stage::Opened, &t.opened, &engine.opened),
            (Stage::Updated, &t.updated, &engine.updated),
            (Stage::Monitoring, &t.monitoring, &engine.monitoring),
            (Stage::Resolved, &t.resolved, &engine.resolved),
            (Stage::Reopened, &t.reopened, &engine.reopened),
        ] {
            if text != default {
                set = set.with(stage, text);
            }
        }
        set
    }
}

/// What a notice says: the incident's or maintenance's name, and the message of this stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// The name (Instatus: `name`).
    pub title: String,
    /// The message (Instatus: `message`), Markdown.
    pub message: String,
}

/// The message templates of every incident type, compiled and test-rendered once; then
/// [`MessageCatalog::render`] gives the [`Notice`] of a type and stage.
#[derive(Debug)]
pub struct MessageCatalog {
    env: minijinja::Environment<'static>,
    sets: BTreeMap<String, MessageSet>,
}

fn key(kind: &str, part: &str) -> String {
    format!("{kind}.{part}")
}

fn at(kind: &str, part: &str) -> String {
    format!("templates.{kind}.{part}")
}

impl MessageCatalog {
    /// The built-in sets ([`super::builtin_sets`]).
    pub fn builtin() -> MessageCatalog {
        // The built-in templates are rendered by this module's tests; they always compile.
        MessageCatalog::new(BTreeMap::new())
            .unwrap_or_else(|e| unreachable!("built-in templates: {e}"))
    }

    /// The built-in sets with `sets` laid over them part by part (a configured part replaces
    /// the built-in one; a new type is added). Every template is compiled, checked for
    /// variables it is not given (in every branch) and test-rendered with
    /// [`MessageVars::samples`] at every stage; the first failure is returned, naming it
    /// (`templates.major_outage.opened: ...`).
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use instatus::status::Level;
    /// use instatus::templates::{MessageCatalog, MessageSet, MessageVars, Stage};
    ///
    /// // From configuration: only what differs from the built-ins.
    /// let mut sets = BTreeMap::new();
    /// sets.insert(
    ///     "major_outage".to_owned(),
    ///     MessageSet::default().with_title("{{ name }}: outage"),
    /// );
    /// let catalog = MessageCatalog::new(sets)?;
    ///
    /// let now = "2026-12-07T14:30:00Z".parse()?;
    /// let vars = MessageVars::incident("Ethereum Services/Execution Client", Level::MajorOutage, now)
    ///     .started("2026-12-07T14:05:00Z".parse()?);
    /// let notice = catalog.render("major_outage", Stage::Opened, &vars)?;
    /// assert_eq!(notice.title, "Execution Client: outage");
    /// assert_eq!(notice.message, "Execution Client has been down since 14:05 UTC. We are looking into it.");
    ///
    /// // A variable that does not exist is refused when the catalog is built, with its place.
    /// let mut sets = BTreeMap::new();
    /// sets.insert("x".to_owned(), MessageSet::default().with(Stage::Opened, "{% if escalated %}{{ levle }}{% endif %}"));
    /// let err = MessageCatalog::new(sets).unwrap_err();
    /// assert!(err.to_string().starts_with("templates.x.opened: uses levle, which is not a variable here"), "{err}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(sets: BTreeMap<String, MessageSet>) -> Result<MessageCatalog, TemplateError> {
        let mut all = super::builtin_sets();
        for (kind, set) in sets {
            if kind.trim().is_empty() || kind.contains('.') {
                return Err(TemplateError::new(
                    format!("templates.{kind}"),
                    RenderError::BadTypeName(kind),
                ));
            }
            let merged = all.remove(&kind).unwrap_or_default().overlaid(&set);
            all.insert(kind, merged);
        }
        let mut env = environment();
        for (kind, set) in &all {
            for (part, source) in set.parts() {
                env.add_template_owned(key(kind, part), source.to_owned())
                    .map_err(|e| TemplateError::new(at(kind, part), RenderError::Syntax(e)))?;
            }
        }
        let catalog = MessageCatalog { env, sets: all };
        catalog.check()?;
        Ok(catalog)
    }

    /// Every template uses only known variables, and renders with the samples at every stage
    /// it can be used for.
    fn check(&self) -> Result<(), TemplateError> {
        let mut known: HashSet<&str> = VARIABLES.split(", ").collect();
        let globals: Vec<String> = self.env.globals().map(|(n, _)| n.to_owned()).collect();
        known.extend(globals.iter().map(String::as_str));
        let samples = MessageVars::samples();
        for (kind, set) in &self.sets {
            for (part, _) in set.parts() {
                let template = self
                    .env
                    .get_template(&key(kind, part))
                    .map_err(|e| TemplateError::new(at(kind, part), classify(e)))?;
                let mut unknown: Vec<String> = template
                    .undeclared_variables(false)
                    .into_iter()
                    .filter(|v| !known.contains(v.as_str()))
                    .collect();
                unknown.sort();
                if let Some(name) = unknown.into_iter().next() {
                    return Err(TemplateError::new(
                        at(kind, part),
                        RenderError::UnknownVariable {
                            name,
                            known: VARIABLES,
                        },
                    ));
                }
                let stages: Vec<Stage> = match Stage::parse(part) {
                    Ok(stage) => vec![stage],
                    Err(_) => Stage::ALL.to_vec(),
                };
                for stage in stages {
                    for vars in &samples {
                        render(&template, vars.context(stage.key()))
                            .map_err(|e| TemplateError::new(at(kind, part), e))?;
                    }
                }
            }
        }
        Ok(())
    }

    /// The known types, sorted.
    pub fn types(&self) -> impl Iterator<Item = &str> {
        self.sets.keys().map(String::as_str)
    }

    /// The templates of `incident_type` after the overlay (without the `default` fallback).
    pub fn set(&self, incident_type: &str) -> Option<&MessageSet> {
        self.sets.get(incident_type)
    }

    /// The title and message of `incident_type` at `stage`: each from the type's set, or the
    /// `default` type's when the type is unknown or leaves it out.
    ///
    /// For the status engine: the type of an incident message is
    /// [`MessageVars::incident_type`] (the level's, or the level it recovered from), the stage
    /// [`Stage::Opened`] or [`Stage::of_step`]; for a maintenance, `maintenance`.
    ///
    /// ```
    /// use instatus::status::Level;
    /// use instatus::templates::{MessageCatalog, MessageVars, Stage};
    ///
    /// let catalog = MessageCatalog::builtin();
    /// let now = "2026-12-07T14:30:00Z".parse()?;
    /// let vars = MessageVars::incident("Ethereum Services/Execution Client", Level::MajorOutage, now)
    ///     .started("2026-12-07T14:05:00Z".parse()?)
    ///     .dependants(["Ethereum Services/Consensus Client", "Ethereum Services/Validator Client"]);
    /// let notice = catalog.render(vars.incident_type(), Stage::Opened, &vars)?;
    /// assert_eq!(notice.title, "Execution Client is down");
    /// assert_eq!(
    ///     notice.message,
    ///     "Execution Client has been down since 14:05 UTC. Consensus Client and Validator Client \
    ///      depend on it and are affected. We are looking into it."
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn render(
        &self,
        incident_type: &str,
        stage: Stage,
        vars: &MessageVars,
    ) -> Result<Notice, TemplateError> {
        let ctx = vars.context(stage.key());
        let part = |part: &str| -> Result<String, TemplateError> {
            let (kind, template) = [incident_type, DEFAULT_TYPE]
                .into_iter()
                .find_map(|kind| {
                    self.env
                        .get_template(&key(kind, part))
                        .ok()
                        .map(|t| (kind, t))
                })
                .ok_or_else(|| {
                    // The built-in default set has every part; a catalog always has it.
                    TemplateError::new(at(DEFAULT_TYPE, part), RenderError::Missing)
                })?;
            render(&template, &ctx).map_err(|e| TemplateError::new(at(kind, part), e))
        };
        Ok(Notice {
            title: part("title")?.trim().to_owned(),
            message: part(stage.key())?.trim().to_owned(),
        })
    }
}

#[cfg(test)]
#[path = "catalog_tests.rs"]
mod tests;
