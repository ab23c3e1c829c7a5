//! Applying a plan through the client: one write per change, in the plan's order.

use std::collections::HashMap;

use super::plan::{ComponentChange, Parent, Plan};
use crate::api;
use crate::model::{ComponentId, ComponentTree, PageId};
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

    if let Some(change) = &plan.page {
        client
            .send(api::pages::update_fields(page, &change.body))
            .map_err(|e| fail(&done, "~ page settings".into(), e))?;
        applied.writes += 1;
        done.push("~ page settings".to_owned());
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
                applied.writes += 1;
                let id = match client.send(api::components::create(page, &body)) {
                    Ok(created) => created.id,
                    Err(e) if e.is_ambiguous() => match find_created(client, page, path) {
                        Ok(Some(id)) => {
                            applied.recovered.push(label.clone());
                            id
                        }
                        // Read back and not there: the write did not happen; now it is safe to send.
                        Ok(None) => {
                            applied.writes += 1;
                            client
                                .send(api::components::create(page, &body))
                                .map_err(|e| fail(&done, label.clone(), e))?
                                .id
                        }
                        Err(lookup) => return Err(fail(&done, label, lookup)),
                    },
                    Err(e) => return Err(fail(&done, label, e)),
                };
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
    Ok(applied)
}

fn find_created(client: &Client, page: &PageId, path: &str) -> Result<Option<ComponentId>, Error> {
    let tree = ComponentTree::from_components(client.list_all(api::components::list(page))?);
    Ok(tree.find(path).map(|c| c.id.clone()))
}

fn label(change: &ComponentChange) -> String {
    match change {
        ComponentChange::Create { path, .. } => format!("+ {path}"),
        ComponentChange::Update { path, .. } => format!("~ {path}"),
        ComponentChange::Delete { path, .. } => format!("- {path}"),
    }
}
