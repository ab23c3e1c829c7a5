//! Showing a plan to people: a tree diff for logs and check mode, and before/after texts for
//! Ansible's `--diff`.

use std::fmt::Write as _;

use serde_json::json;

use super::plan::{ComponentChange, Current, FieldChange, Parent, Plan};
use super::settings::{settings_lines, PageChange};
use super::spec::PageSpec;
use crate::model::{Component, ComponentTree};

impl Plan {
    /// The plan as a readable tree diff: `+` create, `~` change, `-` delete.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if self.is_empty() {
            out.push_str("no changes\n");
        }
        if !self.settings.is_empty() {
            out.push_str("~ page settings\n");
            for f in self.settings.iter().flat_map(|c| &c.fields) {
                let _ = writeln!(out, "    {}", field_line(f));
            }
        }
        for change in &self.components {
            match change {
                ComponentChange::Create { path, fields, .. } => {
                    let _ = writeln!(out, "+ {path}{}", details(fields));
                }
                ComponentChange::Update {
                    path, from, fields, ..
                } => match from {
                    Some(from) => {
                        let _ = writeln!(out, "~ {from} → {path}{}", details(fields));
                    }
                    None => {
                        let _ = writeln!(out, "~ {path}{}", details(fields));
                    }
                },
                ComponentChange::Delete { path, .. } => {
                    let _ = writeln!(out, "- {path}");
                }
            }
        }
        for d in &self.duplicates {
            let _ = writeln!(
                out,
                "! {} is on the page {} times: {} is managed, copies {}",
                d.path,
                d.copies.len() + 1,
                d.kept,
                d.copies
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if !self.unmanaged.is_empty() {
            let _ = writeln!(
                out,
                "  not declared, left alone (prune deletes them): {}",
                self.unmanaged.join(", ")
            );
        }
        for w in &self.warnings {
            let _ = writeln!(out, "! {w}");
        }
        out
    }

    /// The page as it is and as it will be, limited to what `spec` manages, for a line diff.
    pub fn before_after(&self, spec: &PageSpec, current: &Current) -> (String, String) {
        let before_settings = settings_text(spec, current, &[]);
        let after_settings = settings_text(spec, current, &self.settings);
        if spec.components.is_empty() && current.components.is_empty() {
            return (before_settings, after_settings);
        }
        let after = self.predict(current);
        (
            format!(
                "{before_settings}{}",
                components_text(&current.components, &spec.scope)
            ),
            format!("{after_settings}{}", components_text(&after, &spec.scope)),
        )
    }

    /// The components as they will be once the plan is applied (new ones get placeholder ids).
    pub fn predict(&self, current: &Current) -> Vec<Component> {
        let tree = ComponentTree::from_components(current.components.iter().cloned());
        let mut list: Vec<Component> = tree
            .walk()
            .into_iter()
            .map(|i| tree.node(i).component.clone())
            .collect();
        let parent_id = |p: &Parent| match p {
            Parent::TopLevel => None,
            Parent::Existing(id) => Some(id.as_str().to_owned()),
            Parent::Planned(path) => Some(format!("new:{path}")),
        };
        for change in &self.components {
            match change {
                ComponentChange::Create {
                    path,
                    parent,
                    request,
                    ..
                } => {
                    let value = json!({
                        "id": format!("new:{path}"),
                        "name": request.name,
                        "description": request.description,
                        "status": request.status.clone().unwrap_or(crate::model::ComponentStatus::Operational),
                        "order": request.order,
                        "showUptime": request.show_uptime.unwrap_or(true),
                        "groupId": parent_id(parent),
                        "archivedAt": request.archived.filter(|a| *a).map(|_| "1970-01-01T00:00:00Z"),
                    });
                    if let Ok(c) = serde_json::from_value(value) {
                        list.push(c);
                    }
                }
                ComponentChange::Update {
                    id,
                    parent,
                    request,
                    ..
                } => {
                    if let Some(c) = list.iter_mut().find(|c| &c.id == id) {
                        if let Some(name) = &request.name {
                            c.name = name.as_str().into();
                        }
                        if let Some(d) = &request.description {
                            c.description = Some(d.as_str().into());
                        }
                        if let Some(s) = &request.status {
                            c.status = s.clone();
                        }
                        if let Some(o) = request.order {
                            c.order = Some(o);
                        }
                        if let Some(b) = request.show_uptime {
                            c.show_uptime = Some(b);
                        }
                        if let Some(a) = request.archived {
                            c.archived_at = a.then_some(jiff::Timestamp::UNIX_EPOCH);
                        }
                        if let Some(p) = parent {
                            c.group_id = parent_id(p).map(Into::into);
                            c.group = None;
                        }
                    }
                }
                ComponentChange::Delete { id, .. } => {
                    list.retain(|c| &c.id != id);
                    for c in list.iter_mut().filter(|c| c.parent_id() == Some(id)) {
                        c.group_id = None;
                        c.group = None;
                    }
                }
            }
        }
        list
    }
}

fn field_line(f: &FieldChange) -> String {
    format!(
        "{}: {} → {}",
        f.field,
        f.before
            .as_deref()
            .map_or("(unset)".to_owned(), |v| format!("{v:?}")),
        f.after
            .as_deref()
            .map_or("(unset)".to_owned(), |v| format!("{v:?}"))
    )
}

fn details(fields: &[FieldChange]) -> String {
    if fields.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = fields.iter().map(field_line).collect();
    format!("  ({})", parts.join("; "))
}

fn settings_text(spec: &PageSpec, current: &Current, changes: &[PageChange]) -> String {
    let lines = settings_lines(&spec.settings, &current.page, changes);
    if lines.is_empty() {
        return String::new();
    }
    let mut out = String::from("settings:\n");
    for line in lines {
        let _ = writeln!(out, "  {line}");
    }
    out
}

/// The component tree as text; only what is inside `scope` (all of it when empty).
fn components_text(components: &[Component], scope: &[String]) -> String {
    let tree = ComponentTree::from_components(components.iter().cloned());
    let in_scope = super::plan::scope_mask(scope, &tree);
    let mut out = String::from("components:\n");
    for i in tree.walk().into_iter().filter(|&i| in_scope[i]) {
        let node = tree.node(i);
        let c = &node.component;
        let indent = if node.parent.is_some() { "    " } else { "  " };
        let mut attrs = vec![format!("status {}", c.status.user_name())];
        if !c.description_str().is_empty() {
            attrs.push(format!("description {:?}", c.description_str()));
        }
        if !c.shows_uptime() {
            attrs.push("uptime hidden".into());
        }
        if c.is_archived() {
            attrs.push("archived".into());
        }
        let _ = writeln!(out, "{indent}- {} ({})", c.name, attrs.join(", "));
    }
    out
}
