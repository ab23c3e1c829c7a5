//! What `plan` and `once` print: readable text by default, JSON with `--format json`.

use instatus::status::{Action, Affected, Note, NoteKind};
use serde_json::json;

use crate::apply::{Outcome, WriteReport};
use crate::bridge::{Evaluation, SourceHealth};

/// One action in a line: `set-status  Path: A -> B (reason)`.
pub fn action_line(action: &Action) -> String {
    match action {
        Action::SetStatus {
            path,
            from,
            to,
            reason,
            ..
        } => format!("set-status     {path}: {from} -> {to} ({reason})"),
        Action::OpenIncident {
            path,
            name,
            components,
            ..
        } => format!("open-incident  {path}: {name:?} ({})", listed(components)),
        Action::UpdateIncident {
            path,
            incident,
            incident_status,
            components,
            step,
            ..
        } => format!(
            "update-incident {path}: {incident} -> {incident_status} ({}; {})",
            serde_json::to_value(step)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            listed(components)
        ),
        Action::CloseDuplicate {
            path,
            incident,
            duplicate_of,
            ..
        } => format!("close-duplicate {path}: {incident} (duplicate of {duplicate_of})"),
    }
}

/// `Execution Client MAJOROUTAGE, Consensus Client MAJOROUTAGE`.
fn listed(components: &[Affected]) -> String {
    components
        .iter()
        .map(|a| format!("{} {}", a.name, a.status))
        .collect::<Vec<_>>()
        .join(", ")
}

fn kind(kind: NoteKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn notes_text(notes: &[Note], out: &mut String) {
    for n in notes {
        out.push_str(&format!(
            "note {:<9} {}: {}\n",
            kind(n.kind),
            n.path,
            n.message
        ));
    }
}

fn sources_text(sources: &[SourceHealth], out: &mut String) {
    for s in sources {
        out.push_str(&format!(
            "source         {} {}: {}\n",
            s.source,
            if s.ok { "ok" } else { "FAILED" },
            s.detail
        ));
    }
}

/// `plan`'s text.
pub fn plan_text(e: &Evaluation) -> String {
    let mut out = String::new();
    if e.plan.actions.is_empty() {
        out.push_str("no changes\n");
    }
    for a in &e.plan.actions {
        out.push_str(&action_line(a));
        out.push('\n');
    }
    notes_text(&e.notes, &mut out);
    sources_text(&e.sources, &mut out);
    out
}

/// `plan --format json`.
pub fn plan_json(e: &Evaluation) -> serde_json::Value {
    json!({"actions": e.plan.actions, "notes": e.notes, "sources": e.sources})
}

fn outcome(o: &Outcome) -> &'static str {
    match o {
        Outcome::Ok => "ok",
        Outcome::Failed => "failed",
        Outcome::Ambiguous => "ambiguous",
        Outcome::Skipped => "skipped",
    }
}

/// `once`'s text; `not_converged` says why the page does not show the target yet.
pub fn once_text(e: &Evaluation, not_converged: Option<&str>) -> String {
    let mut out = String::new();
    for w in &e.writes {
        out.push_str(&write_line(w));
        out.push('\n');
    }
    for m in &e.metrics {
        out.push_str(&format!(
            "{:<9} metric         {}: {}\n",
            outcome(&m.outcome),
            m.metric,
            m.detail
        ));
    }
    notes_text(&e.notes, &mut out);
    sources_text(&e.sources, &mut out);
    match not_converged {
        None => out.push_str("converged\n"),
        Some(why) => out.push_str(&format!("not converged: {why}\n")),
    }
    out
}

/// One write's line: `ok set-status ...` or `failed open-incident ...: why`.
pub fn write_line(w: &WriteReport) -> String {
    let line = action_line(&w.action);
    match w.outcome {
        Outcome::Ok | Outcome::Skipped => {
            format!("{:<9} {line} [{}]", outcome(&w.outcome), w.detail)
        }
        _ => format!("{:<9} {line}: {}", outcome(&w.outcome), w.detail),
    }
}

/// `once --format json`; `not_converged` as for [`once_text`].
pub fn once_json(e: &Evaluation, not_converged: Option<&str>) -> serde_json::Value {
    json!({
        "writes": e.writes,
        "metrics": e.metrics,
        "notes": e.notes,
        "sources": e.sources,
        "converged": not_converged.is_none(),
        "why": not_converged,
    })
}
