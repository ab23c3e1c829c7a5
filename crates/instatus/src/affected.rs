//! The "Affected components" line: the status each component had when an update was posted,
//! kept in the update's public text.
//!
//! Instatus returns an incident's components with their *current* status only, so once an
//! incident is resolved with its components set back to operational, the API no longer says how
//! bad it was. Every update this project writes (the bridge's, the `incident` module's) ends with
//! this line, which reads naturally on the page and lets [`crate::uptime`] count each update's
//! levels later:
//!
//! ```text
//! Affected components: Execution Client (major outage), Consensus Client (degraded performance).
//! ```
//!
//! ```
//! use instatus::affected;
//! use instatus::model::ComponentStatus;
//!
//! let line = affected::render(&[
//!     ("Execution Client", ComponentStatus::MajorOutage),
//!     ("Consensus Client", ComponentStatus::DegradedPerformance),
//! ]);
//! assert_eq!(
//!     line,
//!     "Affected components: Execution Client (major outage), Consensus Client (degraded performance)."
//! );
//! let message = format!("We are investigating.\n\n{line}");
//! let found = affected::parse(&message, &["Execution Client", "Consensus Client", "Grafana"]);
//! assert_eq!(
//!     found,
//!     vec![
//!         ("Execution Client".to_owned(), ComponentStatus::MajorOutage),
//!         ("Consensus Client".to_owned(), ComponentStatus::DegradedPerformance),
//!     ]
//! );
//! ```

use crate::model::ComponentStatus;

/// The words the line starts with.
pub const LABEL: &str = "Affected components:";

/// Words for a status in public text: `major outage`, `degraded performance`.
pub fn words(status: &ComponentStatus) -> &'static str {
    match status {
        ComponentStatus::Operational => "operational",
        ComponentStatus::DegradedPerformance => "degraded performance",
        ComponentStatus::PartialOutage => "partial outage",
        ComponentStatus::MajorOutage => "major outage",
        ComponentStatus::UnderMaintenance => "under maintenance",
        _ => "unknown status",
    }
}

/// The status the [`words`] stand for.
fn from_words(words: &str) -> Option<ComponentStatus> {
    Some(match words {
        "operational" => ComponentStatus::Operational,
        "degraded performance" => ComponentStatus::DegradedPerformance,
        "partial outage" => ComponentStatus::PartialOutage,
        "major outage" => ComponentStatus::MajorOutage,
        "under maintenance" => ComponentStatus::UnderMaintenance,
        _ => return None,
    })
}

/// The line for these components (display names, not paths), in the given order; empty when
/// there are none.
pub fn render<S: AsRef<str>>(components: &[(S, ComponentStatus)]) -> String {
    if components.is_empty() {
        return String::new();
    }
    let list: Vec<String> = components
        .iter()
        .map(|(name, status)| format!("{} ({})", name.as_ref(), words(status)))
        .collect();
    format!("{LABEL} {}.", list.join(", "))
}

/// `text` followed by the line after a blank line: what an update posts. Either may be empty;
/// `None` when both are.
pub fn append(text: Option<&str>, line: &str) -> Option<String> {
    let text = text.map(str::trim_end).filter(|t| !t.trim().is_empty());
    match (text, line.is_empty()) {
        (Some(t), false) => Some(format!("{t}\n\n{line}")),
        (Some(t), true) => Some(t.to_owned()),
        (None, false) => Some(line.to_owned()),
        (None, true) => None,
    }
}

/// The message without its last "Affected components" line: the text a person wrote (trimmed),
/// to compare with what a task asks for and to show back.
pub fn strip(message: &str) -> String {
    let lines: Vec<&str> = message.lines().collect();
    let Some(at) = lines.iter().rposition(|l| l.trim().starts_with(LABEL)) else {
        return message.trim().to_owned();
    };
    let blank = |i: usize| lines.get(i).is_some_and(|l| l.trim().is_empty());
    // Between two blank lines, one of them goes with it.
    let from = if at > 0 && blank(at - 1) && blank(at + 1) {
        at - 1
    } else {
        at
    };
    let mut kept: Vec<&str> = lines[..from].to_vec();
    kept.extend_from_slice(&lines[at + 1..]);
    kept.join("\n").trim().to_owned()
}

/// The statuses the message's last "Affected components" line gives the named components (the
/// incident's components, by display name), in the order of `names`. A name the line does not
/// list is left out: its level at that update is unknown.
pub fn parse<S: AsRef<str>>(message: &str, names: &[S]) -> Vec<(String, ComponentStatus)> {
    let Some(line) = message
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with(LABEL))
    else {
        return Vec::new();
    };
    let list = line[LABEL.len()..].trim().trim_end_matches('.');
    let mut found = Vec::new();
    for name in names {
        let name = name.as_ref();
        // Match "NAME (words)" at an entry boundary, so "Client" never matches inside
        // "Execution Client".
        let mut rest = list;
        while let Some(at) = rest.find(name) {
            let before = &rest[..at];
            let after = &rest[at + name.len()..];
            let boundary = before.is_empty() || before.ends_with(", ");
            let status = after
                .strip_prefix(" (")
                .and_then(|a| a.split_once(')'))
                .and_then(|(w, _)| from_words(w));
            if let (true, Some(status)) = (boundary, status) {
                found.push((name.to_owned(), status));
                break;
            }
            rest = &rest[at + name.len()..];
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_inside_another_name_is_not_matched() {
        let line = render(&[("Execution Client", ComponentStatus::MajorOutage)]);
        assert!(parse(&line, &["Client"]).is_empty());
    }

    #[test]
    fn the_last_line_wins_and_unlisted_components_are_left_out() {
        let message = format!(
            "{}\n\nRecovered.\n\n{}\n\n(Posted by status automation.)",
            render(&[("Geth", ComponentStatus::MajorOutage)]),
            render(&[("Geth", ComponentStatus::Operational)])
        );
        assert_eq!(
            parse(&message, &["Geth", "Lighthouse"]),
            vec![("Geth".to_owned(), ComponentStatus::Operational)]
        );
    }

    #[test]
    fn append_and_strip_are_inverse() {
        let line = render(&[("Geth", ComponentStatus::MajorOutage)]);
        let posted = append(Some("Down.\n"), &line).unwrap();
        assert_eq!(posted, format!("Down.\n\n{line}"));
        assert_eq!(strip(&posted), "Down.");
        assert_eq!(append(None, &line).as_deref(), Some(line.as_str()));
        assert_eq!(strip(&line), "");
        assert_eq!(append(Some("  "), ""), None);
        assert_eq!(strip("No line here. "), "No line here.");
        // Text after the line (a signature) stays.
        assert_eq!(
            strip(&format!("{posted}\n\n(Posted by status automation.)")),
            "Down.\n\n(Posted by status automation.)"
        );
    }

    #[test]
    fn a_message_without_the_line_gives_nothing() {
        assert!(parse("We are investigating.", &["Geth"]).is_empty());
        assert_eq!(render::<&str>(&[]), "");
    }

    #[test]
    fn names_with_commas_and_parentheses_round_trip() {
        let names = ["RPC (public), EU", "Faucet"];
        let line = render(&[
            (names[0], ComponentStatus::PartialOutage),
            (names[1], ComponentStatus::UnderMaintenance),
        ]);
        assert_eq!(
            parse(&line, &names),
            vec![
                (names[0].to_owned(), ComponentStatus::PartialOutage),
                (names[1].to_owned(), ComponentStatus::UnderMaintenance),
            ]
        );
    }
}
