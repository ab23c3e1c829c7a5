//! The impact statement of a maintenance announcement: the [`Impact`] of the maintained
//! components (from the same [`DependencyGraph`](super::DependencyGraph) the engine uses),
//! rendered from a minijinja template into readable text, in the shared
//! [template environment](crate::templates::environment) (strict: a misspelt variable is an
//! error). The text fills the `impact` variable of the maintenance message templates
//! ([`MessageVars::impact`](crate::templates::MessageVars::impact)) and is what the `maintenance`
//! module appends to an announcement ([`MaintenanceTask::add_impact`](super::maintenance_edit::MaintenanceTask::add_impact)).
//!
//! ```
//! use instatus::status::{impact_statement, ComponentConfig, DependencyGraph};
//!
//! let graph = DependencyGraph::from_components(&[
//!     ComponentConfig { path: "Execution Client".into(), ..ComponentConfig::default() },
//!     ComponentConfig {
//!         path: "Beacon Node".into(),
//!         requires: vec!["Execution Client".into()],
//!         ..ComponentConfig::default()
//!     },
//! ])?;
//! let text = impact_statement::render(&graph.impact(&["Execution Client"]), None)?;
//! assert_eq!(
//!     text,
//!     "Impact:\n- Execution Client: under maintenance\n- Beacon Node: major outage (requires Execution Client)"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde::Serialize;

use super::{DependencyKind, Impact, ImpactKind};
use crate::templates::{render_str, TemplateError};

/// The template used when none is given. Variables: `impacted` (each with `path`, `kind`
/// (`direct`, `requires`, `optional`), `status` (`under_maintenance`, `major_outage`...),
/// `status_text` (`under maintenance`, `major outage`...), `through` (the chain as text, e.g.
/// `requires A, which requires B`)), and `maintained`, `requires`, `optional` (the paths of
/// each kind).
pub const DEFAULT_TEMPLATE: &str = "Impact:\
{% for i in impacted %}\n- {{ i.path }}: {{ i.status_text }}{% if i.through %} ({{ i.through }}){% endif %}{% endfor %}";

#[derive(Serialize)]
struct Item<'a> {
    path: &'a str,
    kind: &'static str,
    status: String,
    status_text: String,
    through: String,
}

#[derive(Serialize)]
struct Context<'a> {
    impacted: Vec<Item<'a>>,
    maintained: Vec<&'a str>,
    requires: Vec<&'a str>,
    optional: Vec<&'a str>,
}

fn kind_name(kind: ImpactKind) -> &'static str {
    match kind {
        ImpactKind::Direct => "direct",
        ImpactKind::Requires => "requires",
        ImpactKind::Optional => "optional",
    }
}

fn hop_verb(kind: DependencyKind) -> &'static str {
    match kind {
        DependencyKind::Requires => "requires",
        DependencyKind::Optional => "optionally uses",
    }
}

/// The impact as text, from `template` (default [`DEFAULT_TEMPLATE`]); strict: an unknown
/// variable is an error, never an empty string. The error's `at` is `template`.
pub fn render(impact: &Impact, template: Option<&str>) -> Result<String, TemplateError> {
    let paths = |kind: ImpactKind| -> Vec<&str> {
        impact
            .impacted
            .iter()
            .filter(|i| i.kind == kind)
            .map(|i| i.path.as_str())
            .collect()
    };
    let items = impact
        .impacted
        .iter()
        .map(|i| {
            let status = i.status.user_name();
            Item {
                path: &i.path,
                kind: kind_name(i.kind),
                status_text: status.replace('_', " "),
                status,
                through: i
                    .through
                    .iter()
                    .enumerate()
                    .map(|(n, hop)| {
                        let verb = hop_verb(hop.kind);
                        match n {
                            0 => format!("{verb} {}", hop.path),
                            _ => format!("which {verb} {}", hop.path),
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        })
        .collect();
    let context = Context {
        impacted: items,
        maintained: paths(ImpactKind::Direct),
        requires: paths(ImpactKind::Requires),
        optional: paths(ImpactKind::Optional),
    };
    render_str(template.unwrap_or(DEFAULT_TEMPLATE), &context)
        .map_err(|e| TemplateError::new("template", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::{ComponentConfig, DependencyGraph};

    fn component(path: &str, requires: &[&str], optional: &[&str]) -> ComponentConfig {
        ComponentConfig {
            path: path.into(),
            requires: requires.iter().map(|s| s.to_string()).collect(),
            optional: optional.iter().map(|s| s.to_string()).collect(),
            ..ComponentConfig::default()
        }
    }

    fn graph() -> DependencyGraph {
        DependencyGraph::from_components(&[
            component("EL", &[], &[]),
            component("CL", &["EL"], &[]),
            component("Explorer", &[], &["CL"]),
            component("Faucet", &[], &[]),
        ])
        .unwrap()
    }

    #[test]
    fn the_default_statement_lists_direct_requires_and_optional_with_the_chain() {
        let text = render(&graph().impact(&["EL"]), None).unwrap();
        assert_eq!(
            text,
            "Impact:\n\
             - EL: under maintenance\n\
             - CL: major outage (requires EL)\n\
             - Explorer: partial outage (optionally uses CL, which requires EL)"
        );
    }

    #[test]
    fn impact_passes_on_transitively_and_an_optional_hop_caps_the_rest_of_the_chain() {
        let graph = DependencyGraph::from_components(&[
            component("Ethereum Services/Execution Client", &[], &[]),
            component(
                "Ethereum Services/Beacon Node",
                &["Ethereum Services/Execution Client"],
                &[],
            ),
            component(
                "Ethereum Services/Validator",
                &["Ethereum Services/Beacon Node"],
                &[],
            ),
            component("Tools/Explorer", &[], &["Ethereum Services/Beacon Node"]),
            component("Tools/Dashboard", &["Tools/Explorer"], &[]),
            component("Tools/Faucet", &[], &[]),
        ])
        .unwrap();
        let impact = graph.impact(&["Ethereum Services/Execution Client"]);
        let text = render(&impact, None).unwrap();
        assert_eq!(
            text,
            "Impact:\n\
             - Ethereum Services/Execution Client: under maintenance\n\
             - Ethereum Services/Beacon Node: major outage (requires Ethereum Services/Execution Client)\n\
             - Ethereum Services/Validator: major outage (requires Ethereum Services/Beacon Node, which requires Ethereum Services/Execution Client)\n\
             - Tools/Explorer: partial outage (optionally uses Ethereum Services/Beacon Node, which requires Ethereum Services/Execution Client)\n\
             - Tools/Dashboard: partial outage (requires Tools/Explorer, which optionally uses Ethereum Services/Beacon Node, which requires Ethereum Services/Execution Client)"
        );
        // The kinds the template sees, by the first hop.
        let kinds = render(
            &impact,
            Some("{% for i in impacted %}{{ i.kind }}:{{ i.status }} {% endfor %}"),
        )
        .unwrap();
        assert_eq!(
            kinds,
            "direct:under_maintenance requires:major_outage requires:major_outage \
             optional:partial_outage requires:partial_outage "
        );
        assert!(
            !text.contains("Faucet"),
            "nothing depends on the faucet's absence"
        );
    }

    #[test]
    fn several_maintained_components_and_an_undeclared_one_are_each_listed_once() {
        let text = render(
            &graph().impact(&["Faucet", "EL", "Faucet", "Bootnode"]),
            None,
        )
        .unwrap();
        assert_eq!(
            text,
            "Impact:\n\
             - Faucet: under maintenance\n\
             - EL: under maintenance\n\
             - Bootnode: under maintenance\n\
             - CL: major outage (requires EL)\n\
             - Explorer: partial outage (optionally uses CL, which requires EL)"
        );
    }

    #[test]
    fn a_component_both_required_and_optional_takes_the_worse() {
        let graph = DependencyGraph::from_components(&[
            component("EL", &[], &[]),
            component("CL", &["EL"], &[]),
            component("RPC", &["CL"], &["EL"]),
        ])
        .unwrap();
        let text = render(&graph.impact(&["EL"]), None).unwrap();
        assert!(
            text.ends_with("- RPC: major outage (requires CL, which requires EL)"),
            "{text}"
        );
    }

    #[test]
    fn a_template_that_does_not_compile_is_an_error_not_a_panic() {
        let err = render(&graph().impact(&["EL"]), Some("{% for i in impacted %}")).unwrap_err();
        assert_eq!(err.at, "template");
    }

    #[test]
    fn nothing_depends_on_a_leaf() {
        let text = render(&graph().impact(&["Faucet"]), None).unwrap();
        assert_eq!(text, "Impact:\n- Faucet: under maintenance");
    }

    #[test]
    fn a_custom_template_sees_the_lists_and_a_misspelt_variable_fails() {
        let impact = graph().impact(&["EL"]);
        let text = render(
            &impact,
            Some("{{ maintained|join(', ') }} down; unavailable: {{ requires|join(', ') }}; slower: {{ optional|join(', ') }}"),
        )
        .unwrap();
        assert_eq!(text, "EL down; unavailable: CL; slower: Explorer");
        let err = render(&impact, Some("{{ impacted_components }}")).unwrap_err();
        assert_eq!(err.at, "template");
        assert!(err.to_string().contains("undefined"), "{err}");
    }
}
