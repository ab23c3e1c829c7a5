//! Applying a plan through the client: one write per change, in the plan's order.

use std::collections::HashMap;

use super::plan::{ComponentChange, Parent, Plan};
use crate::api;
use crate::lookup::find_component;
use crate::model::{ComponentId, PageId};
use crate::recover::create_once;
use crate::{Client, Error};

/// What applying did.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Applied {
    /// Write requests sent (retries of the same request not counted).
    pub writes: usize,
    /// Name path → id of every component created.
    pub created: Vec<(String, ComponentId)>,
    /// Changes found already done when a write's outcome was ambiguous and the page was read back.
    pub recovered: Vec<String>,
    /// Settings sent alone (not in the API's update request) that the API refused: (setting, the
    /// API's message). The rest of the plan was applied.
    pub refused: Vec<(String, String)>,
    /// The writes the API accepted, in order, as `~ page settings (fields)` / `+ path` /
    /// `~ path` / `- path` (the same labels as [`ApplyError::done`]).
    pub done: Vec<String>,
}

/// A plan that stopped part-way: what was done, what failed.
#[derive(Debug, thiserror::Error)]
#[error("{failed}: {source} ({} of {total} changes applied before it: {})", done.len(), if done.is_empty() { "none".to_owned() } else { done.join("; ") })]
pub struct ApplyError {
    /// The changes applied before the failure, as `+ path` / `~ path` / `- path`.
    pub done: Vec<String>,
    /// The change that failed.
    pub failed: String,
    /// How many changes the plan had.
    pub total: usize,
    /// Why.
    #[source]
    pub source: Box<Error>,
}

/// Applies `plan` to `page`. Stops at the first failure and says exactly what was applied.
///
/// A create whose outcome is ambiguous (timeout, 5xx after sending) is not re-sent blindly: the
/// page's components are read back, and if the component is there the plan goes on with it.
pub fn apply(client: &Client, page: &PageId, plan: &Plan) -> Result<Applied, ApplyError> {
    let mut applied = Applied::default();
    let mut done = Vec::new();
    let total = plan.write_count();
    let mut planned: HashMap<String, ComponentId> = HashMap::new();
    let fail = |done: &Vec<String>, failed: String, source: Error| ApplyError {
        done: done.clone(),
        failed,
        total,
        source: Box::new(source),
    };

    for (n, change) in plan.settings.iter().enumerate() {
        let label = format!(
            "~ page settings ({})",
            change
                .fields
                .iter()
                .map(|f| f.field.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        applied.writes += 1;
        match client.send(api::pages::update(page, &change.request)) {
            Ok(_) => done.push(label),
            // A setting sent alone (n > 0) that the API refuses does not stop the rest.
            Err(Error::Api {
                status: 400 | 422,
                message,
                ..
            }) if n > 0 => {
                for f in &change.fields {
                    applied.refused.push((f.field.clone(), message.clone()));
                }
            }
            Err(e) => return Err(fail(&done, label, e)),
        }
    }

    for change in &plan.components {
        let label = label(change);
        let resolve = |parent: &Parent| -> Result<Option<ComponentId>, Error> {
            match parent {
                Parent::TopLevel => Ok(None),
                Parent::Existing(id) => Ok(Some(id.clone())),
                Parent::Planned(path) => planned.get(path).cloned().map(Some).ok_or_else(|| {
                    Error::Config(format!("group {path:?} was not created before its child"))
                }),
            }
        };
        match change {
            ComponentChange::Create {
                path,
                parent,
                request,
                ..
            } => {
                let parent_id = resolve(parent).map_err(|e| fail(&done, label.clone(), e))?;
                let mut body = request.clone();
                if let Some(id) = &parent_id {
                    body = body.in_group(id.clone());
                }
                let created = create_once(
                    client,
                    || api::components::create(page, &body),
                    |client| find_component(client, page, path),
                )
                .map_err(|e| fail(&done, label.clone(), e))?;
                applied.writes += created.sends;
                if created.recovered {
                    applied.recovered.push(label.clone());
                }
                let id = created.value.id;
                planned.insert(path.clone(), id.clone());
                applied.created.push((path.clone(), id));
            }
            ComponentChange::Update {
                id,
                parent,
                request,
                ..
            } => {
                let mut body = request.clone();
                if let Some(parent) = parent {
                    let parent_id = resolve(parent).map_err(|e| fail(&done, label.clone(), e))?;
                    body = body.move_to(parent_id);
                }
                applied.writes += 1;
                client
                    .send(api::components::update(page, id, &body))
                    .map_err(|e| fail(&done, label.clone(), e))?;
            }
            ComponentChange::Delete { id, .. } => {
                applied.writes += 1;
                match client.send(api::components::delete(page, id)) {
                    Ok(_) => {}
                    // Already gone (a retried delete that had landed, or someone else): done.
                    Err(e) if e.is_not_found() => applied.recovered.push(label.clone()),
                    Err(e) => return Err(fail(&done, label, e)),
                }
            }
        }
        done.push(label);
    }
    applied.done = done;
    Ok(applied)
}

fn label(change: &ComponentChange) -> String {
    match change {
        ComponentChange::Create { path, .. } => format!("+ {path}"),
        ComponentChange::Update { path, .. } => format!("~ {path}"),
        ComponentChange::Delete { path, .. } => format!("- {path}"),
    }
}
