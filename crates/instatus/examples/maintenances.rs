//! Maintenances and their updates: schedule a window, move it, start it, complete it.
//!
//! ```text
//! INSTATUS_API_KEY=... [INSTATUS_BASE_URL=http://127.0.0.1:8788] [INSTATUS_PAGE=ephemery] \
//!   cargo run -p instatus --example maintenances
//! ```

use instatus::api::components::CreateComponentRequest;
use instatus::api::maintenances::{
    CreateMaintenanceRequest, CreateMaintenanceUpdateRequest, UpdateMaintenanceRequest,
};
use instatus::api::ComponentStatusEntry;
use instatus::jiff::{Timestamp, ToSpan};
use instatus::model::{ComponentId, ComponentStatus, MaintenanceId, MaintenanceStatus, PageId};
use instatus::{api, Client, Error};

/// What the example did.
#[derive(Debug)]
pub struct Done {
    /// The component under maintenance.
    pub component: ComponentId,
    /// The maintenance, completed at the end.
    pub maintenance: MaintenanceId,
}

/// Schedules a two-hour window tomorrow, makes it three hours, starts and completes it.
pub fn run(client: &Client, page: &PageId) -> Result<Done, Error> {
    let component = client
        .send(api::components::create(
            page,
            &CreateComponentRequest::new("Consensus Client"),
        ))?
        .id;
    let start = Timestamp::now() + 24.hours();
    let window = CreateMaintenanceRequest::new("Client upgrade", start, start + 2.hours())
        .message("Upgrading lighthouse.")
        .components([component.clone()])
        .duration(120);
    let maintenance = client.send(api::maintenances::create(page, &window))?;
    let longer =
        UpdateMaintenanceRequest::from_maintenance(&maintenance, "Three hours, to be safe.")
            .ok_or_else(|| Error::Config("the maintenance came back without a start".into()))?
            .end(start + 3.hours())
            .duration(180);
    client.send(api::maintenances::update(page, &maintenance.id, &longer))?;
    let under = ComponentStatusEntry::new(component.clone(), ComponentStatus::UnderMaintenance);
    let started = CreateMaintenanceUpdateRequest::new(MaintenanceStatus::InProgress)
        .message("Started.")
        .components([component.clone()])
        .statuses([under]);
    client.send(api::maintenances::create_update(
        page,
        &maintenance.id,
        &started,
    ))?;
    let back = ComponentStatusEntry::new(component.clone(), ComponentStatus::Operational);
    let done = CreateMaintenanceUpdateRequest::new(MaintenanceStatus::Completed)
        .message("Done.")
        .components([component.clone()])
        .statuses([back]);
    client.send(api::maintenances::create_update(
        page,
        &maintenance.id,
        &done,
    ))?;
    Ok(Done {
        component,
        maintenance: maintenance.id,
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
