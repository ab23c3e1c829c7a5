//! Components and groups: a group with children, a status change, a move to top level, a delete.
//!
//! ```text
//! INSTATUS_API_KEY=... [INSTATUS_BASE_URL=http://127.0.0.1:8788] [INSTATUS_PAGE=ephemery] \
//!   cargo run -p instatus --example components
//! ```

use instatus::api::components::{CreateComponentRequest, UpdateComponentRequest};
use instatus::model::{ComponentId, ComponentStatus, ComponentTree, PageId};
use instatus::{api, Client, Error};

/// What the example did.
#[derive(Debug)]
pub struct Done {
    /// The group it created.
    pub group: ComponentId,
    /// The component it moved out of the group to the top level.
    pub moved: ComponentId,
    /// The component it deleted.
    pub deleted: ComponentId,
    /// The tree at the end, rendered.
    pub tree: String,
}

/// Builds "Ethereum Services" with three children, degrades one, moves one out, deletes one.
pub fn run(client: &Client, page: &PageId) -> Result<Done, Error> {
    let group = client.send(api::components::create(
        page,
        &CreateComponentRequest::new("Ethereum Services").order(1),
    ))?;
    let mut children = Vec::new();
    for (n, name) in ["Execution Client", "Consensus Client", "Validator Client"]
        .iter()
        .enumerate()
    {
        let body = CreateComponentRequest::new(*name)
            .in_group(group.id.clone())
            .description("on the bootnode")
            .order(n as i64 + 1)
            .show_uptime(true);
        children.push(client.send(api::components::create(page, &body))?.id);
    }
    let degraded = UpdateComponentRequest::status(ComponentStatus::DegradedPerformance);
    client.send(api::components::update(page, &children[0], &degraded))?;
    let out = UpdateComponentRequest::new()
        .name("Validator")
        .move_to(None);
    client.send(api::components::update(page, &children[2], &out))?;
    client.send(api::components::delete(page, &children[1]))?;
    let tree = ComponentTree::from_components(client.list_all(api::components::list(page))?);
    Ok(Done {
        group: group.id,
        moved: children[2].clone(),
        deleted: children[1].clone(),
        tree: tree.render(),
    })
}

/// Runs against the page named by `INSTATUS_PAGE` (id, subdomain or name; default `ephemery`).
#[allow(dead_code)] // tests/it/examples.rs includes this file and calls `run` itself
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::builder_from_env().build()?;
    let wanted = std::env::var("INSTATUS_PAGE").unwrap_or_else(|_| "ephemery".into());
    let page = instatus::lookup::find_page(&client, &wanted)?;
    let done = run(&client, &page.id)?;
    println!("{done:#?}\n{} request(s)", client.request_count());
    Ok(())
}
