//! The local message templates: the titles and messages of incidents and maintenances, one set
//! per incident type, shared by the Ansible modules and the bridge.
//!
//! A [`Catalog`] maps an incident type (`default`, `degraded_performance`, `partial_outage`,
//! `major_outage`, `maintenance`, or any name a configuration adds) to a [`TemplateSet`]: a
//! minijinja template per [`Stage`]. A stage a type leaves out falls back to the `default` type,
//! so a type only says what differs. The status engine's own `incidents.templates`
//! ([`crate::status::Templates`]) converts into a set with [`TemplateSet::from`].
//!
//! The environment follows `automation-research.md` A.7: strict undefined variables (a typo is
//! an error when the catalog is built, not a blank in a public message), no auto-escaping (the
//! text is Markdown, which Instatus renders), and every template is test-rendered with
//! [`MessageVars::sample`] up front, so [`Catalog::render`] fails only on values that break a
//! filter.
//!
//! ```
//! use instatus::templates::{Catalog, MessageVars, Stage};
//!
//! let catalog = Catalog::builtin();
//! let vars = MessageVars::new("Ethereum Services/Execution Client", "major outage")
//!     .started("2026-03-01T10:00:00Z");
//! assert_eq!(
//!     catalog.render("major_outage", Stage::Title, &vars)?,
//!     "Execution Client is down"
//! );
//! // An unknown type renders with the default set.
//! assert_eq!(catalog.render("disk_full", Stage::Title, &vars)?, "Execution Client: major outage");
//! # Ok::<(), instatus::templates::TemplateError>(())
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::PATH_SEPARATOR;

/// The moment of a notice's life a text is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Stage {
    /// The incident's or maintenance's name.
    Title,
    /// The first message of an incident.
    Opened,
    /// A level change while open.
    Updated,
    /// Recovered, being watched.
    Monitoring,
    /// Resolved.
    Resolved,
    /// Reopened by a relapse.
    Reopened,
    /// A maintenance announced in advance.
    Scheduled,
    /// A maintenance begins.
    Started,
    /// A maintenance ended as planned.
    Completed,
    /// A maintenance runs longer than planned (the work failed or is late).
    Extended,
}

impl Stage {
    /// Every stage, incident stages first.
    pub const ALL: &'static [Stage] = &[
        Stage::Title,
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

    /// The stage's name in configurations (`opened`).
    pub fn key(self) -> &'static str {
        match self {
            Stage::Title => "title",
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

    /// Parses a stage name; the error names the allowed ones.
    pub fn parse(value: &str) -> Result<Stage, TemplateError> {
        Stage::ALL
            .iter()
            .copied()
            .find(|s| s.key() == value)
            .ok_or_else(|| TemplateError {
                at: "stage".into(),
                message: format!(
                    "'{value}' is not a stage; allowed: {}",
                    Stage::ALL
                        .iter()
                        .map(|s| s.key())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
    }
}

/// The templates of one incident type, by stage; a stage left out falls back to the `default`
/// type. Deserialises from `{title: ..., opened: ..., ...}` (unknown keys are refused).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateSet {
    /// The name.
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

impl TemplateSet {
    /// The template of `stage`, when the set has one.
    pub fn get(&self, stage: Stage) -> Option<&str> {
        match stage {
            Stage::Title => self.title.as_deref(),
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

    /// Sets the template of `stage`.
    pub fn with(mut self, stage: Stage, source: impl Into<String>) -> Self {
        let slot = match stage {
            Stage::Title => &mut self.title,
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
}

impl From<&crate::status::Templates> for TemplateSet {
    /// The status engine's incident texts as a set (its six incident stages).
    fn from(t: &crate::status::Templates) -> Self {
        TemplateSet::default()
            .with(Stage::Title, &t.title)
            .with(Stage::Opened, &t.opened)
            .with(Stage::Updated, &t.updated)
            .with(Stage::Monitoring, &t.monitoring)
            .with(Stage::Resolved, &t.resolved)
            .with(Stage::Reopened, &t.reopened)
    }
}

/// The variables a template sees. The engine's names: `component` (name path), `name` (its last
/// segment), `level`, `previous_level` (words), `status` (Instatus spelling), `started`
/// (RFC 3339), `alerts`, `summaries`, `links`, `marker`; plus maintenance ones: `start`, `end`,
/// `impact` (the impact statement), `components` (the maintained name paths); plus any `extra`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct MessageVars {
    /// The component's name path.
    pub component: String,
    /// Its last segment.
    pub name: String,
    /// The level in words (`major outage`).
    pub level: String,
    /// The level before, in words.
    pub previous_level: String,
    /// The component status in Instatus spelling (`MAJOROUTAGE`).
    pub status: String,
    /// When it began (RFC 3339).
    pub started: String,
    /// Alerts as `{labels, annotations, starts_at}`.
    pub alerts: Vec<Value>,
    /// The alerts' `summary` annotations.
    pub summaries: Vec<String>,
    /// Links by name (`grafana`, `runbook`, ...).
    pub links: BTreeMap<String, String>,
    /// The automation marker.
    pub marker: String,
    /// A maintenance's start (RFC 3339).
    pub start: String,
    /// A maintenance's planned end (RFC 3339).
    pub end: String,
    /// The impact statement.
    pub impact: String,
    /// The maintained or affected components, by name path.
    pub components: Vec<String>,
    /// Any other variables, by name (they may not shadow the ones above).
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl MessageVars {
    /// Variables for `component` (name path) at `level` (words); the rest empty.
    pub fn new(component: impl Into<String>, level: impl Into<String>) -> Self {
        let component = component.into();
        let name = component
            .rsplit(PATH_SEPARATOR)
            .next()
            .unwrap_or(&component)
            .to_owned();
        Self {
            component,
            name,
            level: level.into(),
            previous_level: String::new(),
            status: String::new(),
            started: String::new(),
            alerts: Vec::new(),
            summaries: Vec::new(),
            links: BTreeMap::new(),
            marker: String::new(),
            start: String::new(),
            end: String::new(),
            impact: String::new(),
            components: Vec::new(),
            extra: BTreeMap::new(),
        }
    }

    /// The values every template is test-rendered with when a catalog is built.
    pub fn sample() -> Self {
        Self::new("Group/Component", "major outage")
            .previous_level("operational")
            .status("MAJOROUTAGE")
            .started("2026-01-01T00:00:00Z")
            .window("2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z")
            .impact("Group/Component is unavailable.")
            .components(["Group/Component"])
    }

    /// Sets `previous_level`.
    pub fn previous_level(mut self, v: impl Into<String>) -> Self {
        self.previous_level = v.into();
        self
    }

    /// Sets `status`.
    pub fn status(mut self, v: impl Into<String>) -> Self {
        self.status = v.into();
        self
    }

    /// Sets `started`.
    pub fn started(mut self, v: impl Into<String>) -> Self {
        self.started = v.into();
        self
    }

    /// Sets `start` and `end`.
    pub fn window(mut self, start: impl Into<String>, end: impl Into<String>) -> Self {
        self.start = start.into();
        self.end = end.into();
        self
    }

    /// Sets `impact`.
    pub fn impact(mut self, v: impl Into<String>) -> Self {
        self.impact = v.into();
        self
    }

    /// Sets `components`.
    pub fn components<S: Into<String>>(mut self, v: impl IntoIterator<Item = S>) -> Self {
        self.components = v.into_iter().map(Into::into).collect();
        self
    }

    /// Sets `marker`.
    pub fn marker(mut self, v: impl Into<String>) -> Self {
        self.marker = v.into();
        self
    }

    /// Adds a link.
    pub fn link(mut self, name: impl Into<String>, url: impl Into<String>) -> Self {
        self.links.insert(name.into(), url.into());
        self
    }

    /// Adds an extra variable.
    pub fn extra(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.extra.insert(name.into(), value.into());
        self
    }
}

/// A template that does not compile or render; `at` is its place (`templates.major_outage.title`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {message}")]
pub struct TemplateError {
    /// Where: `templates.<type>.<stage>` (or `stage` for a bad stage name).
    pub at: String,
    /// What is wrong.
    pub message: String,
}

/// The name of the type every other type falls back to.
pub const DEFAULT_TYPE: &str = "default";

const LINKS: &str = "{% for s in summaries %}\n- {{ s }}{% endfor %}{% if links.grafana is defined %}\n\nDashboard: {{ links.grafana }}{% endif %}{% if links.runbook is defined %}\nRunbook: {{ links.runbook }}{% endif %}";

/// The built-in sets: `default` (the status engine's default texts plus maintenance texts),
/// `degraded_performance`, `partial_outage`, `major_outage` (titles and first messages that say
/// what users see) and `maintenance`.
pub fn builtin_sets() -> BTreeMap<String, TemplateSet> {
    let mut default = TemplateSet::from(&crate::status::Templates::default());
    default = default
        .with(Stage::Scheduled, "Maintenance of {{ components | join(', ') }} is scheduled from {{ start }} to {{ end }}.{% if impact %}\n\n{{ impact }}{% endif %}")
        .with(Stage::Started, "The maintenance has started.{% if impact %}\n\n{{ impact }}{% endif %}")
        .with(Stage::Completed, "The maintenance is complete; everything is back to normal.")
        .with(Stage::Extended, "The maintenance is taking longer than planned; we are working on it.{% if impact %}\n\n{{ impact }}{% endif %}");
    let sets = [
        (DEFAULT_TYPE, default),
        (
            "degraded_performance",
            TemplateSet::default()
                .with(Stage::Title, "{{ name }} is slow")
                .with(Stage::Opened, format!("{{{{ component }}}} is slower or less reliable than normal since {{{{ started }}}}.{LINKS}")),
        ),
        (
            "partial_outage",
            TemplateSet::default()
                .with(Stage::Title, "{{ name }} is partly unavailable")
                .with(Stage::Opened, format!("Part of {{{{ component }}}} is unavailable since {{{{ started }}}}.{LINKS}")),
        ),
        (
            "major_outage",
            TemplateSet::default()
                .with(Stage::Title, "{{ name }} is down")
                .with(Stage::Opened, format!("{{{{ component }}}} is unavailable since {{{{ started }}}}. We are investigating.{LINKS}")),
        ),
        (
            "maintenance",
            TemplateSet::default().with(Stage::Title, "Maintenance: {{ components | join(', ') }}"),
        ),
    ];
    sets.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// Compiled templates per incident type: build once (it compiles every template), then render.
#[derive(Debug)]
pub struct Catalog {
    env: minijinja::Environment<'static>,
    types: Vec<String>,
}

/// The minijinja environment with the shared settings: strict undefined variables, no
/// auto-escaping (Markdown out). Use it for any other text template so every template behaves
/// the same.
pub fn environment() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env
}

fn key(kind: &str, stage: Stage) -> String {
    format!("{kind}.{}", stage.key())
}

impl Catalog {
    /// The built-in sets ([`builtin_sets`]).
    pub fn builtin() -> Catalog {
        // The built-in templates are tested below; they always compile.
        Catalog::new(BTreeMap::new()).unwrap_or_else(|e| unreachable!("built-in templates: {e}"))
    }

    /// The built-in sets, with `sets` laid over them stage by stage (a configured stage
    /// replaces the built-in one; a new type is added). Every template is compiled and
    /// test-rendered with [`MessageVars::sample`]; the first failure is returned, naming it.
    ///
    /// ```
    /// use instatus::templates::{Catalog, MessageVars, Stage, TemplateSet};
    /// use std::collections::BTreeMap;
    ///
    /// // From configuration: only what differs from the built-ins.
    /// let mut sets = BTreeMap::new();
    /// sets.insert(
    ///     "major_outage".to_owned(),
    ///     TemplateSet::default().with(Stage::Title, "{{ name }} is down"),
    /// );
    /// let catalog = Catalog::new(sets)?; // compiles and test-renders everything
    ///
    /// let vars = MessageVars::new("Ethereum Services/Execution Client", "major outage")
    ///     .started("2026-03-01T10:00:00Z")
    ///     .link("grafana", "https://grafana.ephemery.dev/d/exec");
    /// let title = catalog.render("major_outage", Stage::Title, &vars)?;
    /// let message = catalog.render("major_outage", Stage::Opened, &vars)?;
    /// assert_eq!(title, "Execution Client is down");
    /// assert!(message.ends_with("Dashboard: https://grafana.ephemery.dev/d/exec"));
    /// # Ok::<(), instatus::templates::TemplateError>(())
    /// ```
    pub fn new(sets: BTreeMap<String, TemplateSet>) -> Result<Catalog, TemplateError> {
        let mut all = builtin_sets();
        for (kind, set) in sets {
            if kind.trim().is_empty() || kind.contains('.') {
                return Err(TemplateError {
                    at: format!("templates.{kind}"),
                    message: "a type name must be non-empty and without '.'".into(),
                });
            }
            let merged = all.entry(kind).or_default();
            for &stage in Stage::ALL {
                if let Some(source) = set.get(stage) {
                    *merged = std::mem::take(merged).with(stage, source);
                }
            }
        }
        let mut env = environment();
        let sample = MessageVars::sample();
        for (kind, set) in &all {
            for &stage in Stage::ALL {
                let Some(source) = set.get(stage) else {
                    continue;
                };
                let at = format!("templates.{kind}.{}", stage.key());
                env.add_template_owned(key(kind, stage), source.to_owned())
                    .map_err(|e| TemplateError {
                        at: at.clone(),
                        message: format!("does not compile: {e}"),
                    })?;
                env.get_template(&key(kind, stage))
                    .and_then(|t| t.render(&sample))
                    .map_err(|e| TemplateError {
                        at,
                        message: format!(
                            "does not render (variables: component, name, level, previous_level, \
                             status, started, alerts, summaries, links, marker, start, end, \
                             impact, components): {e}"
                        ),
                    })?;
            }
        }
        Ok(Catalog {
            env,
            types: all.into_keys().collect(),
        })
    }

    /// The known types, sorted.
    pub fn types(&self) -> &[String] {
        &self.types
    }

    /// Renders `stage` for `incident_type`, falling back to the `default` type when the type is
    /// unknown or has no such stage.
    pub fn render(
        &self,
        incident_type: &str,
        stage: Stage,
        vars: &MessageVars,
    ) -> Result<String, TemplateError> {
        let name = [incident_type, DEFAULT_TYPE]
            .iter()
            .map(|k| key(k, stage))
            .find(|k| self.env.get_template(k).is_ok())
            .ok_or_else(|| TemplateError {
                at: format!("templates.{DEFAULT_TYPE}.{}", stage.key()),
                message: "no template for this stage".into(),
            })?;
        self.env
            .get_template(&name)
            .and_then(|t| t.render(vars))
            .map_err(|e| TemplateError {
                at: format!("templates.{name}"),
                message: e.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> MessageVars {
        MessageVars::new("Ethereum Services/Execution Client", "major outage")
            .started("2026-03-01T10:00:00Z")
            .status("MAJOROUTAGE")
    }

    #[test]
    fn types_override_only_the_stages_they_name() {
        let c = Catalog::builtin();
        assert_eq!(
            c.render("partial_outage", Stage::Title, &vars()).unwrap(),
            "Execution Client is partly unavailable"
        );
        // partial_outage has no `resolved`: the default's.
        assert_eq!(
            c.render("partial_outage", Stage::Resolved, &vars().components(["x"]))
                .unwrap(),
            "Ethereum Services/Execution Client has been major outage without relapse; resolved."
        );
        assert!(c.types().contains(&"major_outage".to_owned()));
    }

    #[test]
    fn the_default_set_is_the_status_engines() {
        let engine = crate::status::Templates::default();
        let set = &builtin_sets()[DEFAULT_TYPE];
        assert_eq!(set.title.as_deref(), Some(engine.title.as_str()));
        assert_eq!(set.opened.as_deref(), Some(engine.opened.as_str()));
        assert_eq!(set.reopened.as_deref(), Some(engine.reopened.as_str()));
    }

    #[test]
    fn configured_sets_layer_over_the_builtins() {
        let mut sets = BTreeMap::new();
        sets.insert(
            "major_outage".to_owned(),
            TemplateSet::default().with(Stage::Title, "{{ name }} DOWN"),
        );
        sets.insert(
            "disk_full".to_owned(),
            TemplateSet::default().with(Stage::Opened, "{{ name }}: disk {{ disk }} is full"),
        );
        // `disk` is not a known variable: strict mode refuses it when the catalog is built.
        let e = Catalog::new(sets.clone()).unwrap_err();
        assert_eq!(e.at, "templates.disk_full.opened");
        assert!(e.message.contains("does not render"), "{e}");
        sets.insert(
            "disk_full".to_owned(),
            TemplateSet::default().with(
                Stage::Opened,
                "{{ name }}: disk {{ extra_disk | default('?') }} is full",
            ),
        );
        let c = Catalog::new(sets).unwrap();
        assert_eq!(
            c.render("major_outage", Stage::Title, &vars()).unwrap(),
            "Execution Client DOWN"
        );
        // The built-in opened of major_outage is kept.
        assert!(c
            .render("major_outage", Stage::Opened, &vars())
            .unwrap()
            .starts_with(
                "Ethereum Services/Execution Client is unavailable since 2026-03-01T10:00:00Z."
            ));
        assert_eq!(
            c.render(
                "disk_full",
                Stage::Opened,
                &vars().extra("extra_disk", "/data")
            )
            .unwrap(),
            "Execution Client: disk /data is full"
        );
    }

    #[test]
    fn syntax_errors_name_the_template() {
        let mut sets = BTreeMap::new();
        sets.insert(
            "x".to_owned(),
            TemplateSet::default().with(Stage::Title, "{{ name "),
        );
        let e = Catalog::new(sets).unwrap_err();
        assert_eq!(e.at, "templates.x.title");
        assert!(e.message.starts_with("does not compile"), "{e}");
    }

    #[test]
    fn markdown_is_not_escaped_and_links_render() {
        let c = Catalog::builtin();
        let text = c
            .render(
                "major_outage",
                Stage::Opened,
                &MessageVars::new("A & B/<geth>", "major outage")
                    .started("t")
                    .link("grafana", "https://g/d?a=1&b=2"),
            )
            .unwrap();
        assert!(text.contains("A & B/<geth> is unavailable"), "{text}");
        assert!(text.ends_with("Dashboard: https://g/d?a=1&b=2"), "{text}");
    }

    #[test]
    fn maintenance_stages_render() {
        let c = Catalog::builtin();
        let v = MessageVars::new("Ethereum Services/Execution Client", "under maintenance")
            .window("2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z")
            .components([
                "Ethereum Services/Execution Client",
                "Ethereum Services/Consensus Client",
            ])
            .impact("Block production pauses.");
        assert_eq!(
            c.render("maintenance", Stage::Title, &v).unwrap(),
            "Maintenance: Ethereum Services/Execution Client, Ethereum Services/Consensus Client"
        );
        assert_eq!(
            c.render("maintenance", Stage::Scheduled, &v).unwrap(),
            "Maintenance of Ethereum Services/Execution Client, Ethereum Services/Consensus Client is scheduled from 2026-03-02T08:00:00Z to 2026-03-02T09:00:00Z.\n\nBlock production pauses."
        );
    }

    #[test]
    fn stage_names_parse() {
        assert_eq!(Stage::parse("opened").unwrap(), Stage::Opened);
        let e = Stage::parse("open").unwrap_err();
        assert!(e.message.contains("opened, updated"), "{e}");
        let set: TemplateSet = serde_json::from_value(serde_json::json!({"title": "x"})).unwrap();
        assert_eq!(set.get(Stage::Title), Some("x"));
        assert!(serde_json::from_value::<TemplateSet>(serde_json::json!({"titel": "x"})).is_err());
    }
}
