//! The library's applier over the emulator, as the bridge uses it: a plan made from a stale page
//! (what a second replica sees) skips every step another writer already made, whole target
//! compared, and writes the rest; an escalation on the same stage is a new update, not "already
//! done".

use crate::common;

use common::Page;
use instatus::affected;
use instatus::api::components::UpdateComponentRequest;
use instatus::api::incidents::{CreateIncidentRequest, CreateIncidentUpdateRequest};
use instatus::api::{self, ComponentStatusEntry};
use instatus::apply::status::{apply, HttpWriter};
use instatus::model::{ComponentId, ComponentStatus, IncidentStatus};
use instatus::status::{Action, Affected, IncidentStep, Plan};
use instatus_bridge::apply::{read_page, Outcome};

const MARKER: &str = "[automated]";

fn exec_at(id: &ComponentId, status: ComponentStatus) -> Affected {
    Affected {
        component: id.clone(),
        path: "Ethereum Services/Execution Client".into(),
        name: "Execution Client".into(),
        status,
        owned: false,
    }
}

/// A message as the engine writes it: text, the "Affected components" line, the marker.
fn message(text: &str, status: ComponentStatus) -> String {
    format!(
        "{text}\n\n{}\n\n{MARKER}",
        affected::render(&[("Execution Client", status)])
    )
}

fn plan(actions: Vec<Action>) -> Plan {
    Plan {
        actions,
        marker: MARKER.into(),
        ..Plan::default()
    }
}

fn operations(page: &Page) -> Vec<String> {
    page.writes()
        .into_iter()
        .map(|r| r.operation.unwrap_or_default())
        .collect()
}

#[test]
fn steps_another_replica_made_are_skipped_and_the_rest_written() {
    let page = Page::start();
    let now = instatus::jiff::Timestamp::now();
    let mut stale = read_page(&page.client, &page.page, 3600, now).expect("page");
    let exec = page.component("Ethereum Services/Execution Client").id;
    let network = page.component("Network").id;
    let down = message("Execution Client is down.", ComponentStatus::MajorOutage);
    let watching = message(
        "Execution Client has recovered.",
        ComponentStatus::Operational,
    );

    // The other replica: Execution Client's incident opened (carrying its status) and moved to
    // MONITORING.
    let incident = page
        .client
        .send(api::incidents::create(
            &page.page,
            &CreateIncidentRequest::new("Execution Client is down", IncidentStatus::Investigating)
                .message(down.clone())
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
                .message(watching.clone())
                .affect(ComponentStatusEntry::new(
                    exec.clone(),
                    ComponentStatus::Operational,
                )),
        ))
        .expect("update");
    page.emu.clear_requests();

    // This replica planned the same steps from its stale page, plus one nobody made yet.
    let actions = vec![
        Action::OpenIncident {
            path: "Ethereum Services/Execution Client".into(),
            components: vec![exec_at(&exec, ComponentStatus::MajorOutage)],
            name: "Execution Client is down".into(),
            message: down,
            started: now,
            notify: false,
        },
        Action::UpdateIncident {
            incident: incident.id.clone(),
            path: "Ethereum Services/Execution Client".into(),
            incident_status: IncidentStatus::Monitoring,
            components: vec![exec_at(&exec, ComponentStatus::Operational)],
            name: None,
            message: watching,
            step: IncidentStep::Monitoring,
            notify: false,
        },
        Action::SetStatus {
            component: network.clone(),
            path: "Network".into(),
            from: ComponentStatus::Operational,
            to: ComponentStatus::DegradedPerformance,
            reason: "test".into(),
        },
    ];
    let reports = apply(
        &mut HttpWriter::new(&page.client, &page.client, &page.page, &mut stale),
        &plan(actions),
    );
    let outcomes: Vec<_> = reports.iter().map(|r| r.outcome.clone()).collect();
    assert_eq!(
        outcomes,
        [Outcome::Skipped, Outcome::Skipped, Outcome::Ok],
        "{reports:#?}"
    );
    assert_eq!(
        operations(&page),
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
    // The cached page followed what was read and written.
    assert!(stale.incidents.iter().any(|i| i.id == incident.id));
}

#[test]
fn an_escalation_on_the_same_stage_is_posted_not_skipped_as_already_investigating() {
    let page = Page::start();
    let now = instatus::jiff::Timestamp::now();
    let exec = page.component("Ethereum Services/Execution Client").id;
    let incident = page
        .client
        .send(api::incidents::create(
            &page.page,
            &CreateIncidentRequest::new(
                "Execution Client is partly unavailable",
                IncidentStatus::Investigating,
            )
            .message(message(
                "Part of Execution Client is unavailable.",
                ComponentStatus::PartialOutage,
            ))
            .affect(ComponentStatusEntry::new(
                exec.clone(),
                ComponentStatus::PartialOutage,
            )),
        ))
        .expect("incident");
    // Even with the component already at the new level (an older version wrote the status on
    // its own first), the update is news: its text and title say what changed.
    page.client
        .send(api::components::update(
            &page.page,
            &exec,
            &UpdateComponentRequest::status(ComponentStatus::MajorOutage),
        ))
        .expect("status");
    let mut cache = read_page(&page.client, &page.page, 3600, now).expect("page");
    page.emu.clear_requests();
    let escalation = Action::UpdateIncident {
        incident: incident.id.clone(),
        path: "Ethereum Services/Execution Client".into(),
        incident_status: IncidentStatus::Investigating,
        components: vec![exec_at(&exec, ComponentStatus::MajorOutage)],
        name: Some("Execution Client is down".into()),
        message: message(
            "Execution Client is now down (was partly unavailable).",
            ComponentStatus::MajorOutage,
        ),
        step: IncidentStep::LevelChanged,
        notify: true,
    };
    let reports = apply(
        &mut HttpWriter::new(&page.client, &page.client, &page.page, &mut cache),
        &plan(vec![escalation.clone()]),
    );
    assert_eq!(reports[0].outcome, Outcome::Ok, "{reports:#?}");
    assert_eq!(
        operations(&page),
        ["UpdateIncident", "CreateIncidentUpdate"],
        "the title first, then the update"
    );
    let after = &page.incidents()[0];
    assert_eq!(after.name.as_str(), "Execution Client is down");
    assert_eq!(after.updates.len(), 2);
    assert_eq!(
        after.impact.as_ref().map(|i| i.as_str().to_owned()),
        Some("MAJOROUTAGE".to_owned())
    );
    let newest = after.updates[0].message.as_deref().unwrap();
    assert!(
        newest.contains("Execution Client (major outage)"),
        "{newest}"
    );
    assert_eq!(after.updates[0].notify, Some(true));

    // Applied again (a second replica with the same plan): the whole target is there, nothing
    // is written.
    page.emu.clear_requests();
    let reports = apply(
        &mut HttpWriter::new(&page.client, &page.client, &page.page, &mut cache),
        &plan(vec![escalation]),
    );
    assert_eq!(reports[0].outcome, Outcome::Skipped, "{reports:#?}");
    assert!(operations(&page).is_empty());
}
