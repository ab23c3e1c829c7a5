//! The declared page: settings and the component tree, as users write them (YAML or JSON).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{ComponentStatus, SmsService, PATH_SEPARATOR};
use crate::Secret;

/// A whole status page as declared: settings plus the component tree in page order.
///
/// A setting left out is not managed (whatever the page has stays). Components are identified by
/// their name path (`Ethereum Services/Execution Client`); a rename is declared with
/// `previous_names`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PageSpec {
    /// Page settings; only the ones given are managed.
    #[serde(default)]
    pub settings: PageSettingsSpec,
    /// Top-level components and groups, in page order. A component with `components` is a group.
    #[serde(default)]
    pub components: Vec<ComponentSpec>,
    /// The top-level components (usually groups) this declaration owns, by name, on a page
    /// several declarations share (one group per network). Empty (the default): the whole page.
    /// Set, the declaration never moves, reorders, lists or deletes (even with `prune`) anything
    /// outside these; every declared top-level component must be in it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scope: Vec<String>,
}

/// Page settings. Every field is optional: `None` means "not managed".
///
/// Not `deny_unknown_fields`, so it can be flattened into a module's options; [`PageSpec::from_json`]
/// rejects unknown settings by name instead.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PageSettingsSpec {
    /// The page name shown in the header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The slug: `<subdomain>.instatus.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subdomain: Option<String>,
    /// Custom domain, e.g. `status.ephemery.xyz` (point a CNAME at Instatus).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_domain: Option<String>,
    /// The organisation's website, linked from the page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website_url: Option<String>,
    /// Public contact email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_email: Option<String>,
    /// Language code (`en`, `fr`, `de`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Logo image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    /// Favicon URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub favicon_url: Option<String>,
    /// Use the large header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_large_header: Option<bool>,
    /// Brand colour (`#rrggbb` or `rgb(r,g,b)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand_color: Option<String>,
    /// Colour for operational.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ok_color: Option<String>,
    /// Colour for degraded performance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub degraded_color: Option<String>,
    /// Colour for partial outage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disrupted_color: Option<String>,
    /// Colour for major outage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub down_color: Option<String>,
    /// Colour for maintenance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_color: Option<String>,
    /// Colour for unknown status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown_color: Option<String>,
    /// Global CSS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub css_global: Option<String>,
    /// HTML injected in `<head>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html_in_meta: Option<String>,
    /// HTML above the header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html_above_header: Option<String>,
    /// HTML below the header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html_below_header: Option<String>,
    /// HTML above the footer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html_above_footer: Option<String>,
    /// HTML below the footer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html_below_footer: Option<String>,
    /// HTML below the summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html_below_summary: Option<String>,
    /// Google Analytics id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub google_analytics: Option<String>,
    /// Let visitors subscribe by SMS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscribe_by_sms: Option<bool>,
    /// SMS provider (`twilio`, `vonage`, `esendex`, `messagebird`, `sns`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_service: Option<SmsService>,
    /// Credentials of the SMS provider. The API never returns them, so they are sent only when
    /// `sms_service` changes, or on every run with `sms_credentials_update: always`.
    /// Keys: `twilio_sid`, `twilio_token`, `twilio_sender` (Twilio); `esendex_username`,
    /// `esendex_password`, `esendex_account_ref` (Esendex); `nexmo_key`, `nexmo_secret`,
    /// `nexmo_sender` (Vonage). Tokens, passwords, keys and secrets are masked everywhere.
    // `x-no-log` marks the option secret for the Ansible modules that flatten these settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("x-no-log" = true))]
    pub sms_credentials: Option<SmsCredentials>,
    /// `on_change` (default) or `always`: when to send `sms_credentials`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_credentials_update: Option<CredentialsUpdate>,
    /// Date format (date-fns pattern).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_format: Option<String>,
    /// Short date format (date-fns pattern).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_format_short: Option<String>,
    /// Time format (date-fns pattern).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_format: Option<String>,
    /// Launch date shown on the page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_date: Option<String>,
}

/// When write-only credentials are sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CredentialsUpdate {
    /// Only with a change of the provider (the API cannot tell us whether they changed).
    #[default]
    OnChange,
    /// On every run (never idempotent: reports a change each time).
    Always,
}

/// SMS provider credentials (write-only; `Debug` hides the secret ones).
// The secret fields serialize exposed because the planner copies this struct into the page
// update body; once the plan carries `api::pages::PageSettings`, plain `Secret` can redact here.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SmsCredentials {
    /// Twilio account SID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub twilio_sid: Option<String>,
    /// Twilio auth token.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "Secret::serialize_exposed_opt"
    )]
    pub twilio_token: Option<Secret>,
    /// Twilio sender number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub twilio_sender: Option<String>,
    /// Esendex user name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub esendex_username: Option<String>,
    /// Esendex password.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "Secret::serialize_exposed_opt"
    )]
    pub esendex_password: Option<Secret>,
    /// Esendex account reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub esendex_account_ref: Option<String>,
    /// Vonage (Nexmo) key.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "Secret::serialize_exposed_opt"
    )]
    pub nexmo_key: Option<Secret>,
    /// Vonage (Nexmo) secret.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "Secret::serialize_exposed_opt"
    )]
    pub nexmo_secret: Option<Secret>,
    /// Vonage (Nexmo) sender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nexmo_sender: Option<String>,
}

/// One component, or a group when it has `components`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponentSpec {
    /// The name, unique among its siblings.
    pub name: String,
    /// The description; Markdown links work (e.g. to a Grafana dashboard). Not managed when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Show the uptime bar. Not managed when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_uptime: Option<bool>,
    /// Archive (hide) the component. Not managed when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
    /// The live status (`operational`, `degraded_performance`, `partial_outage`, `major_outage`,
    /// `under_maintenance`; the API's `MAJOROUTAGE` spelling is accepted too). Left out (the
    /// normal case), the status belongs to monitoring and is never touched; set it only to force
    /// a status from configuration.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "status_any_spelling"
    )]
    pub status: Option<ComponentStatus>,
    /// Names (or name paths) this component had before: an existing component found under one of
    /// them is renamed (and moved) instead of a new one being created.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previous_names: Vec<String>,
    /// Children, in page order: their presence makes this component a group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<ComponentSpec>,
}

impl ComponentSpec {
    /// A component with just a name.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// Whether this is a group.
    pub fn is_group(&self) -> bool {
        !self.components.is_empty()
    }
}

/// Reads a status as users write it (`major_outage`) or as the API does (`MAJOROUTAGE`); anything
/// else is kept as unknown for [`PageSpec::validate`] to report with its path.
fn status_any_spelling<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<ComponentStatus>, D::Error> {
    let value: Option<String> = Option::deserialize(d)?;
    Ok(value.map(|v| ComponentStatus::parse_known(&v).unwrap_or(ComponentStatus::Unknown(v))))
}

/// Every problem of a declared page (at least one), each with its field path. Works with `?`;
/// `Display` joins them as `path: problem; path: problem`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidSpec(pub Vec<SpecError>);

impl std::fmt::Display for InvalidSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for InvalidSpec {}

impl InvalidSpec {
    /// The problems.
    pub fn problems(&self) -> &[SpecError] {
        &self.0
    }
}

/// A problem in a declared page, with the field path it is at.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct SpecError {
    /// Where, e.g. `components[0].components[2].name`.
    pub path: String,
    /// What is wrong, with the allowed values where there is a list.
    pub message: String,
}

impl PageSettingsSpec {
    /// The setting names, as declared.
    pub fn names() -> Vec<String> {
        let schema = schemars::schema_for!(PageSettingsSpec);
        schema
            .get("properties")
            .and_then(serde_json::Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default()
    }
}

impl PageSpec {
    /// Reads a declared page from JSON (what a module or a config file gives), reporting every
    /// problem with its field path: unknown keys, wrong types, and what [`validate`](Self::validate) checks.
    pub fn from_json(value: serde_json::Value) -> Result<PageSpec, InvalidSpec> {
        if let Some(settings) = value.get("settings").and_then(serde_json::Value::as_object) {
            let known = PageSettingsSpec::names();
            let unknown: Vec<SpecError> = settings
                .keys()
                .filter(|k| !known.contains(k))
                .map(|k| SpecError {
                    path: format!("settings.{k}"),
                    message: format!("unknown setting; allowed: {}", known.join(", ")),
                })
                .collect();
            if !unknown.is_empty() {
                return Err(InvalidSpec(unknown));
            }
        }
        let spec: PageSpec = serde_path_to_error::deserialize(value).map_err(|e| {
            InvalidSpec(vec![SpecError {
                path: e.path().to_string(),
                message: e.inner().to_string(),
            }])
        })?;
        spec.validate()?;
        Ok(spec)
    }

    /// Checks what serde cannot: names, duplicates, nesting depth, enum values. Returns every
    /// problem, not just the first.
    pub fn validate(&self) -> Result<(), InvalidSpec> {
        let mut errors = Vec::new();
        for (setting, problem) in super::settings::malformed(&self.settings) {
            errors.push(SpecError {
                path: format!("settings.{setting}"),
                message: problem.to_string(),
            });
        }
        check_siblings(&self.components, "components", 0, &mut errors);
        check_scope(self, &mut errors);
        check_previous_names(&self.components, &mut errors);
        if let Some(status) = self.settings.sms_service.as_ref().filter(|s| !s.is_known()) {
            errors.push(SpecError {
                path: "settings.sms_service".into(),
                message: format!(
                    "'{status}' is not a valid SMS service; allowed values: {}",
                    SmsService::KNOWN.join(", ")
                ),
            });
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(InvalidSpec(errors))
        }
    }
}

/// The scope's names are top-level names, each once, and every declared top-level component is
/// inside it.
fn check_scope(spec: &PageSpec, errors: &mut Vec<SpecError>) {
    if spec.scope.is_empty() {
        return;
    }
    let mut seen = std::collections::HashSet::new();
    for (i, name) in spec.scope.iter().enumerate() {
        let problem = if name.trim().is_empty() {
            Some("must not be empty".to_owned())
        } else if name.contains(PATH_SEPARATOR) {
            Some(format!(
                "{name:?} contains '{PATH_SEPARATOR}'; the scope names top-level components (groups), not paths"
            ))
        } else if !seen.insert(name.as_str()) {
            Some(format!("{name:?} is listed twice"))
        } else {
            None
        };
        if let Some(message) = problem {
            errors.push(SpecError {
                path: format!("scope[{i}]"),
                message,
            });
        }
    }
    for (i, c) in spec.components.iter().enumerate() {
        if !spec.scope.contains(&c.name) {
            errors.push(SpecError {
                path: format!("components[{i}].name"),
                message: format!(
                    "{:?} is outside the declaration's scope ({}); add it to scope or declare it \
                     in the declaration that owns it",
                    c.name,
                    spec.scope.join(", ")
                ),
            });
        }
    }
}

/// What a `previous_names` entry points at, written the same way for every declared component:
/// a name path as given, and a bare name as the path it is first looked up under (the
/// component's own parent, or the top level).
fn claim_key(parent: Option<&str>, previous: &str) -> String {
    match parent {
        Some(p) if !previous.contains(PATH_SEPARATOR) => format!("{p}{PATH_SEPARATOR}{previous}"),
        _ => previous.trim().to_owned(),
    }
}

/// Two declared components may not claim the same previous name: only one of them can be the
/// renamed component, and which one would depend on declaration order.
fn check_previous_names(list: &[ComponentSpec], errors: &mut Vec<SpecError>) {
    let mut claims: std::collections::HashMap<String, (String, String)> = Default::default();
    let mut visit = |c: &ComponentSpec, parent: Option<&str>, at: String| {
        let path = parent.map_or(c.name.clone(), |p| format!("{p}{PATH_SEPARATOR}{}", c.name));
        for (n, previous) in c.previous_names.iter().enumerate() {
            let here = format!("{at}.previous_names[{n}]");
            match claims.get(&claim_key(parent, previous)) {
                Some((other_path, other_at)) if *other_path != path => errors.push(SpecError {
                    path: here,
                    message: format!(
                        "{previous:?} is also claimed by {other_path:?} ({other_at}): one \
                         component cannot become both {path:?} and {other_path:?}; keep it in \
                         one of them"
                    ),
                }),
                _ => {
                    claims.insert(claim_key(parent, previous), (path.clone(), here));
                }
            }
        }
    };
    for (i, top) in list.iter().enumerate() {
        visit(top, None, format!("components[{i}]"));
        for (j, child) in top.components.iter().enumerate() {
            visit(
                child,
                Some(&top.name),
                format!("components[{i}].components[{j}]"),
            );
        }
    }
}

fn check_siblings(list: &[ComponentSpec], at: &str, depth: usize, errors: &mut Vec<SpecError>) {
    let mut seen = std::collections::HashSet::new();
    for (i, c) in list.iter().enumerate() {
        let here = format!("{at}[{i}]");
        let name = c.name.trim();
        if name.is_empty() {
            errors.push(SpecError {
                path: format!("{here}.name"),
                message: "must not be empty".into(),
            });
        } else if let Err(problem) = crate::validate::name(&c.name) {
            errors.push(SpecError {
                path: format!("{here}.name"),
                message: problem.to_string(),
            });
        } else if name.contains(PATH_SEPARATOR) {
            errors.push(SpecError {
                path: format!("{here}.name"),
                message: format!("{:?} contains '{PATH_SEPARATOR}', which separates group and component in name paths", c.name),
            });
        } else if name != c.name {
            errors.push(SpecError {
                path: format!("{here}.name"),
                message: format!("{:?} has leading or trailing spaces", c.name),
            });
        } else if !seen.insert(name.to_owned()) {
            errors.push(SpecError {
                path: format!("{here}.name"),
                message: format!(
                    "{:?} is declared twice at this level; names identify components",
                    c.name
                ),
            });
        }
        if let Some(ComponentStatus::Unknown(status)) = &c.status {
            if let Err(e) = ComponentStatus::parse_known(status) {
                errors.push(SpecError {
                    path: format!("{here}.status"),
                    message: e.to_string(),
                });
            }
        }
        if c.is_group() {
            if depth >= 1 {
                errors.push(SpecError {
                    path: format!("{here}.components"),
                    message:
                        "Instatus groups hold components, not groups: only one level of nesting"
                            .into(),
                });
            } else {
                check_siblings(
                    &c.components,
                    &format!("{here}.components"),
                    depth + 1,
                    errors,
                );
            }
            if c.status.is_some() {
                errors.push(SpecError {
                    path: format!("{here}.status"),
                    message:
                        "a group's status follows its components; set status on the components"
                            .into(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let spec: PageSpec = serde_json::from_value(serde_json::json!({
            "components": [
                {"name": "Ethereum Services", "components": [
                    {"name": "Execution Client", "status": "DEGRADED"},
                    {"name": "Execution Client"},
                    {"name": "Deep", "components": [{"name": "Too deep"}]}
                ]},
                {"name": "a/b"}
            ]
        }))
        .unwrap();
        let errors: Vec<String> = spec
            .validate()
            .unwrap_err()
            .0
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            errors,
            [
                "components[0].components[0].status: 'DEGRADED' is not a valid component status; allowed values: operational, under_maintenance, degraded_performance, partial_outage, major_outage (the API's upper-case spelling, e.g. OPERATIONAL, is accepted too)",
                "components[0].components[1].name: \"Execution Client\" is declared twice at this level; names identify components",
                "components[0].components[2].components: Instatus groups hold components, not groups: only one level of nesting",
                "components[1].name: \"a/b\" contains '/', which separates group and component in name paths",
            ]
        );
    }

    #[test]
    fn unknown_fields_are_rejected_by_name_and_path() {
        let err = PageSpec::from_json(serde_json::json!({
            "components": [{"name": "x"}, {"name": "y", "colour": "red"}]
        }))
        .unwrap_err()
        .0;
        assert_eq!(err[0].path, "components[1].colour");
        assert!(
            err[0].message.contains("unknown field `colour`"),
            "{}",
            err[0]
        );
        let err = PageSpec::from_json(serde_json::json!({"settings": {"brand_colour": "#fff"}}))
            .unwrap_err()
            .0;
        assert_eq!(err[0].path, "settings.brand_colour");
        assert!(err[0].message.contains("brand_color"), "{}", err[0]);
        let err = PageSpec::from_json(serde_json::json!({"components": [{"name": 5}]}))
            .unwrap_err()
            .0;
        assert_eq!(err[0].path, "components[0].name");
    }
}
