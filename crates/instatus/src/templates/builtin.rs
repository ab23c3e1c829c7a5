//! The built-in message templates. Each is rendered for every stage and scenario by
//! `crates/instatus/tests/it/messages.rs` (snapshots) and listed with an example in
//! docs/notifications.md.

use std::collections::BTreeMap;

use super::catalog::{MessageSet, Stage, DEFAULT_TYPE};

/// "Consensus Client and Validator Client depend on it and are affected."
const AFFECTED: &str = "{% if dependants %} {{ dependants | and_list }} \
{{ 'depends' if dependants | length == 1 else 'depend' }} on it and \
{{ 'is' if dependants | length == 1 else 'are' }} affected.{% endif %}";

/// The alerts' summaries as a list, then the dashboard and runbook links.
const DETAILS: &str =
    "{% if summaries %}\n{% for s in summaries %}\n- {{ s }}{% endfor %}{% endif %}\
{% if links.grafana is defined or links.runbook is defined %}\n\
{% if links.grafana is defined %}\nDashboard: {{ links.grafana }}{% endif %}\
{% if links.runbook is defined %}\nRunbook: {{ links.runbook }}{% endif %}{% endif %}";

/// The impact statement after a blank line, when there is one.
const IMPACT: &str = "{% if impact %}\n\n{{ impact }}{% endif %}";

/// "Maintenance of Execution Client and Consensus Client"; past three components, the first
/// and a count.
const MAINTENANCE_TITLE: &str =
    "{% if components | length > 3 %}Maintenance of {{ components[0] }} \
and {{ components | length - 1 }} other components{% elif components %}Maintenance of \
{{ components | and_list }}{% else %}Maintenance{% endif %}";

/// " of Execution Client and Consensus Client", or nothing for a maintenance of the whole page.
const OF_COMPONENTS: &str = "{% if components %} of {{ components | and_list }}{% endif %}";

/// The built-in sets: `default` (every part: incident titles that follow the stage, the
/// incident and maintenance messages), `degraded_performance` and `partial_outage` (first
/// messages saying what users see), `major_outage` (the default's words are its own) and
/// `maintenance` (its title, kept when a configuration changes the incident titles).
pub fn builtin_sets() -> BTreeMap<String, MessageSet> {
    let default = MessageSet::default()
        .with_title(format!(
            "{{% if stage in ['scheduled', 'started', 'completed', 'extended'] %}}{MAINTENANCE_TITLE}\
             {{% elif stage == 'resolved' and previous_level != 'operational' %}}{{{{ name }}}} was \
             {{{{ previous_state }}}}\
             {{% elif stage in ['monitoring', 'resolved'] %}}{{{{ name }}}} has recovered\
             {{% else %}}{{{{ name }}}} is {{{{ state }}}}{{% endif %}}"
        ))
        .with(
            Stage::Opened,
            format!(
                "{{{{ name }}}} has been {{{{ state }}}} since {{{{ started }}}}.{AFFECTED} \
                 We are looking into it.{DETAILS}"
            ),
        )
        .with(
            Stage::Updated,
            format!(
                "{{% if escalated %}}The problem has become worse: {{{{ name }}}} is now \
                 {{{{ state }}}} (it was {{{{ previous_state }}}}).\
                 {{% elif deescalated %}}Things are improving: {{{{ name }}}} is now \
                 {{{{ state }}}} (it was {{{{ previous_state }}}}).\
                 {{% else %}}{{{{ name }}}} is still {{{{ state }}}}.{{% endif %}}{AFFECTED} \
                 It began at {{{{ started }}}}, {{{{ duration }}}} ago. \
                 {{% if deescalated %}}We are still working on it.\
                 {{% else %}}We are working on it.{{% endif %}}{DETAILS}"
            ),
        )
        .with(
            Stage::Monitoring,
            "{{ name }} is working normally again{% if dependants %}, and so \
             {{ 'is' if dependants | length == 1 else 'are' }} {{ dependants | and_list }}\
             {% endif %}. The problem lasted {{ duration }}, {{ period }}. We are keeping an eye \
             on it to make sure it stays that way.",
        )
        .with(
            Stage::Resolved,
            "{{ name }} has been working normally since {{ recovered }}{% if dependants %}, and \
             so {{ 'has' if dependants | length == 1 else 'have' }} {{ dependants | and_list }}\
             {% endif %}. This incident is resolved. The problem lasted {{ duration }}, \
             {{ period }}.",
        )
        .with(
            Stage::Reopened,
            format!(
                "{{{{ name }}}} is {{{{ state }}}} again, so we have reopened this incident.\
                 {AFFECTED} We are looking into it.{DETAILS}"
            ),
        )
        .with(
            Stage::Scheduled,
            format!(
                "We have scheduled maintenance{OF_COMPONENTS} {{{{ window }}}} \
                 ({{{{ window_length }}}}).{IMPACT}"
            ),
        )
        .with(
            Stage::Started,
            format!(
                "The maintenance{OF_COMPONENTS} has begun. We expect to finish by \
                 {{{{ end }}}}.{IMPACT}"
            ),
        )
        .with(
            Stage::Completed,
            "The maintenance is complete{% if components %}: {{ components | and_list }} \
             {{ 'is' if components | length == 1 else 'are' }} working normally{% endif %}.",
        )
        .with(
            Stage::Extended,
            format!(
                "The maintenance{OF_COMPONENTS} is taking longer than planned. We now expect \
                 to finish by {{{{ end }}}}.{IMPACT}"
            ),
        );
    let sets = [
        (DEFAULT_TYPE, default),
        (
            "degraded_performance",
            MessageSet::default().with(
                Stage::Opened,
                format!(
                    "{{{{ name }}}} has been {{{{ state }}}} since {{{{ started }}}}. It still \
                     works, but may take longer to respond.{AFFECTED} We are looking into \
                     it.{DETAILS}"
                ),
            ),
        ),
        (
            "partial_outage",
            MessageSet::default().with(
                Stage::Opened,
                format!(
                    "{{{{ name }}}} has been {{{{ state }}}} since {{{{ started }}}}: parts of \
                     it are not working.{AFFECTED} We are looking into it.{DETAILS}"
                ),
            ),
        ),
        ("major_outage", MessageSet::default()),
        (
            "maintenance",
            MessageSet::default().with_title(MAINTENANCE_TITLE),
        ),
    ];
    sets.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}
