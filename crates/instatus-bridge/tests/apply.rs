//! Applying a plan from a stale page (what a second replica sees): every step another writer
//! already made is read back and skipped, not written again.

mod common;

use common::Page;
use instatus::api::components::UpdateComponentRequest;
use instatus::api::incidents::{CreateIncidentRequest, CreateIncidentUpdateRequest};
use instatus::api::{self, ComponentStatusEntry};
use instatus::model::{ComponentStatus, IncidentStatus};
use instatus::status::{Action, IncidentStep};
use instatus_bridge::apply::{apply, read_page, Outcome};

const MARKER: &str = "[automated]";

#[test]
fn steps_another_replica_made_are_skipped_and_the_rest_written() {
    let page = Page::start();
    let now = instatus::jiff::Timestamp::now();
    let stale = read_page(&page.client, &page.page, 3600, now).expect("page");
    let exec = page.component("Ethereum Services/Execution Client").id;
    let network = page.component("Network").id;

    // The other replica: Execution Client down, its incident opened and moved to MONITORING.
    page.client
        .send(api::components::update(
            &page.page,
            &exec,
            &UpdateComponentRequest::status(ComponentStatus::MajorOutage),
        ))
        .expect("status");
    let incident = page
        .client
        .send(api::incidents::create(
            &page.page,
            &CreateIncidentRequest::new("Execution Client down", IncidentStatus::Investigating)
                .message(format!("down {MARKER}"))
                .affect(ComponentStatusEntry::new(
                    exec.clone(),
                    ComponentStatus::MajorOutage,
                )),
        ))
        .expect("incident");
    page.client
        .send(api::incidents::create_update(
            &page.page,
            &incident.id,
            &CreateIncidentUpdateRequest::new(IncidentStatus::Monitoring)
                .message(format!("recovering {MARKER}"))
                .affect(ComponentStatusEntry::new(
                    exec.clone(),
                    ComponentStatus::MajorOutage,
                )),
        ))
        .expect("update");
    page.emu.clear_requests();

    // This replica planned the same steps from its stale page, plus one nobody made yet.
    let set = |component: &instatus::model::ComponentId, path: &str, to| Action::SetStatus {
        component: component.clone(),
        path: path.into(),
        from: ComponentStatus::Operational,
        to,
        reason: "test".into(),
    };
    let actions = vec![
        set(
            &exec,
            "Ethereum Services/Execution Client",
            ComponentStatus::MajorOutage,
        ),
        Action::OpenIncident {
            path: "Ethereum Services/Execution Client".into(),
            component: exec.clone(),
            status: ComponentStatus::MajorOutage,
            name: "Execution Client down".into(),
            message: format!("down {MARKER}"),
            started: now,
            notify: false,
        },
        Action::UpdateIncident {
            incident: incident.id.clone(),
            path: "Ethereum Services/Execution Client".into(),
            component: exec.clone(),
            incident_status: IncidentStatus::Monitoring,
            status: ComponentStatus::MajorOutage,
            message: format!("recovering {MARKER}"),
            step: IncidentStep::Monitoring,
            notify: false,
        },
        set(&network, "Network", ComponentStatus::DegradedPerformance),
    ];
    let mut cached = stale;
    let reports = apply(
        &page.client,
        &page.client,
        &page.page,
        &mut cached,
        &actions,
        MARKER,
    );
    let outcomes: Vec<_> = reports.iter().map(|r| r.outcome.clone()).collect();
    assert_eq!(
        outcomes,
        [
            Outcome::Skipped,
            Outcome::Skipped,
            Outcome::Skipped,
            Outcome::Ok
        ],
        "{reports:#?}"
    );
    let writes: Vec<_> = page
        .writes()
        .into_iter()
        .map(|r| r.operation.unwrap_or_default())
        .collect();
    assert_eq!(
        writes,
        ["UpdateComponent"],
        "only Network's status is written"
    );
    assert_eq!(page.status("Network"), "DEGRADEDPERFORMANCE");
    assert_eq!(page.incidents().len(), 1);
    assert_eq!(
        page.incidents()[0].updates.len(),
        2,
        "no second MONITORING update"
    );
}
