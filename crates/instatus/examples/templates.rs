//! Templates: create two incident templates, open an incident with one, resolve it with the other.
//!
//! ```text
//! INSTATUS_API_KEY=... [INSTATUS_BASE_URL=http://127.0.0.1:8788] [INSTATUS_PAGE=ephemery] \
//!   cargo run -p instatus --example templates
//! ```

use instatus::api::components::CreateComponentRequest;
use instatus::api::templates::{CreateTemplateRequest, NewTemplate, UpdateTemplateRequest};
use instatus::api::ComponentStatusEntry;
use instatus::model::{
    ComponentId, ComponentStatus, IncidentId, PageId, TemplateId, TemplateStatus, TemplateType,
};
use instatus::{api, Client, Error};

/// What the example did.
#[derive(Debug)]
pub struct Done {
    /// The "Node down" template.
    pub template: TemplateId,
    /// The incident opened from it, and resolved with "Node back".
    pub incident: IncidentId,
    /// The component the template affects.
    pub component: ComponentId,
}

/// Creates "Node down" and "Node back", opens an incident with the first, resolves it with the
/// second.
pub fn run(client: &Client, page: &PageId) -> Result<Done, Error> {
    let component = client
        .send(api::components::create(
            page,
            &CreateComponentRequest::new("Bootnode"),
        ))?
        .id;
    let template = |name: &str, message: &str, status, component_status| {
        CreateTemplateRequest::from(NewTemplate {
            kind: TemplateType::Incident,
            subdomain: "ephemery".into(),
            name: name.into(),
            message: message.into(),
            status,
        })
        .affect(ComponentStatusEntry::new(
            component.clone(),
            component_status,
        ))
    };
    let down = template(
        "Node down",
        "The bootnode is not answering; we are looking into it.",
        TemplateStatus::Investigating,
        ComponentStatus::MajorOutage,
    );
    let back = template(
        "Node back",
        "The bootnode answers again.",
        TemplateStatus::Resolved,
        ComponentStatus::Operational,
    );
    let down = client.send(api::templates::create(page, &down))?;
    client.send(api::templates::create(page, &back))?;
    let quiet = UpdateTemplateRequest::new().notify(false);
    client.send(api::templates::update(page, &down.id, &quiet))?;
    // Templates are addressed by id or by name.
    let incident = client.send(api::incidents::create_from_template(page, "Node down"))?;
    client.send(api::incidents::resolve_with_template(
        page,
        &incident.id,
        "Node back",
    ))?;
    Ok(Done {
        template: down.id,
        incident: incident.id,
        component,
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
