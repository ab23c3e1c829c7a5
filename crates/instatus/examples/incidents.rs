//! Incidents and their updates: open one on a component, post an update, resolve it.
//!
//! ```text
//! INSTATUS_API_KEY=... [INSTATUS_BASE_URL=http://127.0.0.1:8788] [INSTATUS_PAGE=ephemery] \
//!   cargo run -p instatus --example incidents
//! ```

use instatus::api::components::CreateComponentRequest;
use instatus::api::incidents::{CreateIncidentRequest, CreateIncidentUpdateRequest};
use instatus::api::ComponentStatusEntry;
use instatus::jiff::Timestamp;
use instatus::model::{ComponentId, ComponentStatus, IncidentId, IncidentStatus, PageId};
use instatus::{api, Client, Error};

/// What the example did.
#[derive(Debug)]
pub struct Done {
    /// The component the incident affected.
    pub component: ComponentId,
    /// The incident, resolved at the end.
    pub incident: IncidentId,
}

/// Opens an incident (major outage), moves it to monitoring (degraded), resolves it (operational).
pub fn run(client: &Client, page: &PageId) -> Result<Done, Error> {
    let component = client
        .send(api::components::create(
            page,
            &CreateComponentRequest::new("Execution Client"),
        ))?
        .id;
    let affect = |status| ComponentStatusEntry::new(component.clone(), status);
    let open = CreateIncidentRequest::new("Execution client down", IncidentStatus::Investigating)
        .message("geth stopped answering RPC.")
        .affect(affect(ComponentStatus::MajorOutage))
        .started(Timestamp::now())
        .notify(false);
    let incident = client.send(api::incidents::create(page, &open))?;
    let monitoring = CreateIncidentUpdateRequest::new(IncidentStatus::Monitoring)
        .message("Restarted geth; watching.")
        .affect(affect(ComponentStatus::DegradedPerformance));
    client.send(api::incidents::create_update(
        page,
        &incident.id,
        &monitoring,
    ))?;
    let resolved = CreateIncidentUpdateRequest::new(IncidentStatus::Resolved)
        .message("Blocks are advancing again.")
        .affect(affect(ComponentStatus::Operational));
    client.send(api::incidents::create_update(page, &incident.id, &resolved))?;
    Ok(Done {
        component,
        incident: incident.id,
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
